use crate::prelude::*;

crate::declare_rule! {
    /// Flags `COPY --from=` naming no earlier stage: a bare name that will be pulled as
    /// an image, or a stage defined later in the file.
    ///
    /// ## Why
    /// `--from` takes a stage name, a stage index or an image. A name that matches no
    /// stage is silently treated as an image: `COPY --from=biulder /app /app` pulls
    /// `docker.io/library/biulder:latest` (or fails on a missing image) instead of using
    /// the `builder` stage. A reference to a stage defined further down builds, but reads
    /// backwards and usually means the stages are in the wrong order.
    ///
    /// An image reference with a tag or digest (`--from=nginx:1.27`) is clearly an image
    /// and not flagged. ARGs are resolved: `--from=${BUILDER}` naming a stage is fine; a
    /// value that depends on an ARG without a value is not judged.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// RUN go build -o /out/app .
    /// FROM gcr.io/distroless/static
    /// COPY --from=build /out/app /app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY --from=builder /out/app /app
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3022 reads the value as written, so it flags `--from=$BUILDER` even when
    /// the ARG names a stage, and cannot see a bare image name behind an ARG (such
    /// findings claim no hadolint equivalent).
    pub struct CopyFromUnknownStage {
        code: "DW1202",
        name: "copy-from-unknown-stage",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3022",
    }
}

impl Check for CopyFromUnknownStage {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for dependency in &model.dependencies {
            if dependency.kind != DependencyKind::CopyFrom {
                continue;
            }
            let message = match &dependency.source {
                DependencySource::Stage(s) if *s > dependency.stage => format!(
                    "`--from={}` names a stage defined later in the file; define it before the stages that copy from it",
                    dependency.written
                ),
                DependencySource::Image(_) => {
                    let name = dependency.expanded.as_str();
                    if name.contains([':', '@']) {
                        continue;
                    }
                    format!(
                        "`--from={name}` names no stage of this Dockerfile, so it is pulled as the image `{name}:latest`; name an earlier stage or tag the image"
                    )
                }
                _ => continue,
            };
            let via_arg = dependency.written != dependency.expanded;
            let diagnostic = cx.report(dependency.span, message);
            if via_arg {
                diagnostic.equivalents.hadolint = None;
            }
        }
    }
}
