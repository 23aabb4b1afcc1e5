use crate::prelude::*;

crate::declare_rule! {
    /// Flags a base image pinned by tag but not by digest (opt-in).
    ///
    /// ## Why
    /// A tag is a name the publisher (or anyone who takes over the repository or the
    /// registry account) can point at other content at any time: `python:3.12-slim` is
    /// rebuilt every few weeks, and a compromised or mistaken push reaches every build that
    /// names the tag. A digest (`@sha256:...`) names exactly one image: the build gets what
    /// was reviewed, and the supply chain is reproducible. Keep the tag for readers and let
    /// a bot (Renovate, Dependabot) move the digest.
    ///
    /// Opt-in (select `DW4401`): pinning by digest is a policy choice, and with the default
    /// failure threshold an info finding on nearly every Dockerfile would fail CI. Images
    /// named through an ARG without a value, stage names and `scratch` are not judged; an
    /// image without any tag is [DW5001]'s finding.
    ///
    /// hadolint, BuildKit's checks, Trivy and Checkov do not check digests.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim@sha256:2d4b1b6c1e6f0e6c5f9e3a2d0c4f6b8a9e1d3c5b7a9f0e2d4c6b8a0e2f4d6c8b
    /// ```
    pub struct BaseImageNoDigest {
        code: "DW4401",
        name: "base-image-no-digest",
        category: Security,
        severity: Info,
        opt_in: true,
    }
}

impl Check for BaseImageNoDigest {
    fn check(cx: &mut Checker<'_>) {
        for stage in cx.stages() {
            let StageBase::Image(image) = &stage.base else {
                continue;
            };
            let Some(reference) = image.reference.as_ref().filter(|_| image.is_resolved()) else {
                continue;
            };
            if reference.digest.is_some() || reference.tag.is_none() {
                continue;
            }
            let via = if image.written == image.expanded {
                String::new()
            } else {
                format!(" (`{}` resolves to `{}`)", image.written, image.expanded)
            };
            cx.report(
                image.span,
                format!(
                    "base image `{}` is pinned by tag only{via}: the tag can be moved to other content; add its digest (`@sha256:...`)",
                    image.expanded
                ),
            );
        }
    }
}
