use crate::prelude::*;

crate::declare_rule! {
    /// Flags an image pulled from a registry outside `trusted-registries`.
    ///
    /// ## Why
    /// Organisations that mirror or vet base images want builds to pull only from their
    /// registries: an image from anywhere else skipped the scanning, licensing and
    /// availability guarantees of the mirror. Checked only when `trusted-registries` is
    /// configured (`.dockwright.toml`, or `trustedRegistries` in `.hadolint.yaml`);
    /// globs like `*.gcr.io` are allowed, and Docker Hub images (no registry written)
    /// are trusted when `docker.io` or `hub.docker.com` is listed.
    ///
    /// Every image the build pulls is checked: `FROM`, `COPY --from=image` and
    /// `RUN --mount=from=image`. ARGs are resolved; a reference that depends on an ARG
    /// without a value is not judged. Stage names and `scratch` are not images.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ghcr.io/acme/base:1.4
    /// ```
    /// With `trusted-registries = ["registry.acme.internal"]`, use instead:
    /// ```dockerfile
    /// FROM registry.acme.internal/acme/base:1.4
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3026 reads references as written, so `FROM ${REGISTRY}/app:1` is judged
    /// by the literal `${REGISTRY}` there; findings visible only after ARG resolution
    /// claim no hadolint equivalent.
    pub struct UntrustedRegistry {
        code: "DW4203",
        name: "untrusted-registry",
        category: Security,
        severity: Error,
        hadolint: "DL3026",
    }
}

impl Check for UntrustedRegistry {
    fn check(cx: &mut Checker<'_>) {
        let settings = cx.settings();
        if settings.trusted_registries.is_empty() {
            return;
        }
        let model = cx.model();
        for dependency in &model.dependencies {
            let DependencySource::Image(Some(reference)) = &dependency.source else {
                continue;
            };
            let registry = reference.registry();
            let hub = matches!(registry, "docker.io" | "index.docker.io")
                && settings.is_trusted_registry("hub.docker.com");
            if hub || settings.is_trusted_registry(registry) {
                continue;
            }
            let via_arg = dependency.written != dependency.expanded;
            let diagnostic = cx.report(
                dependency.span,
                format!(
                    "image `{}` comes from `{registry}`, which is not a trusted registry; pull it through one of: {}",
                    dependency.expanded,
                    settings.trusted_registries.join(", ")
                ),
            );
            if via_arg {
                diagnostic.equivalents.hadolint = None;
            }
        }
    }
}
