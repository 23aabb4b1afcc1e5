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
    /// ## Fix
    /// When the name is a likely typo of an earlier stage (`build` for `builder`), the
    /// message suggests it and an unsafe fix uses it: unsafe, because the image of that
    /// name might be meant after all.
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
        fix: Unsafe,
    }
}

impl Check for CopyFromUnknownStage {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for dependency in &model.dependencies {
            if dependency.kind != DependencyKind::CopyFrom {
                continue;
            }
            let (message, suggestion) = match &dependency.source {
                DependencySource::Stage(s) if *s > dependency.stage => (
                    format!(
                        "`--from={}` names a stage defined later in the file; define it before the stages that copy from it",
                        dependency.written
                    ),
                    None,
                ),
                DependencySource::Image(_) => {
                    let name = dependency.expanded.as_str();
                    if name.contains([':', '@']) {
                        continue;
                    }
                    let earlier = model.stages[..dependency.stage.min(model.stages.len())]
                        .iter()
                        .filter_map(|s| s.name.as_deref());
                    let suggestion = closest(name, earlier);
                    let hint = suggestion
                        .as_ref()
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    (
                        format!(
                            "`--from={name}` names no stage of this Dockerfile{hint}, so it is pulled as the image `{name}:latest`; name an earlier stage or tag the image"
                        ),
                        suggestion,
                    )
                }
                _ => continue,
            };
            let via_arg = dependency.written != dependency.expanded;
            // The value part of `--from=value` (the span covers the flag).
            let flag = cx.text(dependency.span);
            let value_at = flag
                .rfind(dependency.written.as_str())
                .filter(|at| at + dependency.written.len() == flag.len())
                .map(|at| dependency.span.start + at);
            let diagnostic = cx.report(dependency.span, message);
            if via_arg {
                diagnostic.equivalents.hadolint = None;
            }
            if let (Some(stage), Some(at), false) = (suggestion, value_at, via_arg) {
                diagnostic.set_fix(Fix::unsafe_edits(
                    format!("copy from the stage `{stage}`"),
                    vec![Edit::replace(at..at + dependency.written.len(), stage)],
                ));
            }
        }
    }
}

/// The earlier stage name closest to `name` when it is a likely typo: at most two edits
/// away (one for names of up to four characters), or `name` is a prefix of it.
fn closest<'n>(name: &str, stages: impl Iterator<Item = &'n str>) -> Option<String> {
    let lower = name.to_lowercase();
    let limit = if lower.chars().count() <= 4 { 1 } else { 2 };
    stages
        .map(|s| (s, s.to_lowercase()))
        .filter_map(|(s, l)| {
            let distance = edit_distance(&lower, &l);
            let prefix = l.starts_with(&lower) && lower.len() >= 3;
            (distance <= limit || prefix).then_some((distance, s.to_lowercase()))
        })
        .min()
        .map(|(_, s)| s)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn typos_find_their_stage() {
        let stages = ["builder", "assets", "base"];
        assert_eq!(
            super::closest("build", stages.into_iter()).as_deref(),
            Some("builder")
        );
        assert_eq!(
            super::closest("asets", stages.into_iter()).as_deref(),
            Some("assets")
        );
        assert_eq!(super::closest("nginx", stages.into_iter()), None);
        assert_eq!(super::edit_distance("kitten", "sitting"), 3);
    }
}
