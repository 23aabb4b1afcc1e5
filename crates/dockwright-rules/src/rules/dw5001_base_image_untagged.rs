use crate::prelude::*;

crate::declare_rule! {
    /// Flags a base image without a tag or digest.
    ///
    /// ## Why
    /// `FROM ubuntu` means `ubuntu:latest`: whatever the registry serves today. The next
    /// build may get a new major release, with different packages, paths and defaults, and
    /// the same Dockerfile stops building or builds something else. Name the version.
    ///
    /// ARGs are resolved: `FROM ${BASE}` is checked with the value `BASE` has (its default,
    /// or the `--build-arg` in `[build]` settings); a name that depends on an ARG without a
    /// value is not judged. Stage names and `scratch` are not images.
    ///
    /// ## Differences from hadolint
    /// hadolint DL3006 reads the image as written: it cannot flag `FROM $BASE` whose
    /// default has no tag (such findings carry no hadolint equivalent), and it flags
    /// `FROM base-$TARGETARCH`, which names a stage of this Dockerfile, not an image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim-bookworm
    /// ```
    pub struct BaseImageUntagged {
        code: "DW5001",
        name: "base-image-untagged",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3006",
    }
}

impl Check for BaseImageUntagged {
    fn check(cx: &mut Checker<'_>) {
        for stage in cx.stages() {
            let StageBase::Image(image) = &stage.base else {
                continue;
            };
            let Some(reference) = image.reference.as_ref().filter(|_| image.is_resolved()) else {
                continue;
            };
            if reference.tag.is_some() || reference.digest.is_some() {
                continue;
            }
            let via = if image.written == image.expanded {
                String::new()
            } else {
                format!(" (`{}` resolves to `{}`)", image.written, image.expanded)
            };
            let resolved_through_arg = image.written != image.expanded;
            let diagnostic = cx.report(
                image.span,
                format!(
                    "base image `{}` has no tag, so it is whatever `latest` is at build time{via}; pin a version",
                    image.expanded
                ),
            );
            // hadolint reads `FROM $BASE` as written and cannot see the missing tag.
            if resolved_through_arg {
                diagnostic.equivalents.hadolint = None;
            }
        }
    }
}
