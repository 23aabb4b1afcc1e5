use crate::prelude::*;

crate::declare_rule! {
    /// Flags a base image tagged `latest`.
    ///
    /// ## Why
    /// `latest` moves: the registry points it at each new release. A build today and a
    /// build next month start from different images, and a major upgrade can arrive
    /// unannounced. Pin a release tag (and, for full reproducibility, a digest).
    ///
    /// A digest next to the tag (`image:latest@sha256:...`) pins the image and is not
    /// flagged. ARGs are resolved as in DW5001.
    ///
    /// ## Differences from hadolint
    /// hadolint DL3007 reads the tag as written, so `FROM img:${VERSION}` with
    /// `ARG VERSION=latest` is flagged here only (such findings carry no hadolint
    /// equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:latest
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20.17-bookworm-slim
    /// ```
    pub struct BaseImageLatest {
        code: "DW5002",
        name: "base-image-latest",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3007",
    }
}

impl Check for BaseImageLatest {
    fn check(cx: &mut Checker<'_>) {
        for stage in cx.stages() {
            let StageBase::Image(image) = &stage.base else {
                continue;
            };
            let Some(reference) = image.reference.as_ref().filter(|_| image.is_resolved()) else {
                continue;
            };
            if reference.tag.as_deref() != Some("latest") || reference.digest.is_some() {
                continue;
            }
            let resolved_through_arg = image.written != image.expanded;
            let diagnostic = cx.report(
                image.span,
                format!(
                    "base image `{}` uses the moving `latest` tag; pin a release tag",
                    image.expanded
                ),
            );
            // hadolint reads `FROM img:${VERSION}` as written and cannot see `latest`.
            if resolved_through_arg {
                diagnostic.equivalents.hadolint = None;
            }
        }
    }
}
