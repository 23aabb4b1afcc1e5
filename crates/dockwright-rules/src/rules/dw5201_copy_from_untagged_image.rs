use crate::global_scope::did_you_mean;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `COPY --from=` naming an image without a tag or digest.
    ///
    /// ## Why
    /// A `--from` value that is no stage of the Dockerfile is pulled as an image, and
    /// without a tag that is whatever `latest` is at build time: `COPY --from=webdevops/toolbox
    /// /baselayout.tar /` copies different files next month, as `FROM image` without a tag
    /// does (DW5001). Tag (or pin by digest) the image, or name the stage that was meant.
    ///
    /// ARGs are resolved; a value that depends on an ARG without a value is not judged.
    /// Stage names, stage indexes and names close to a stage name (a typo, reported by
    /// DW1306 copy-from-unknown-stage) are left to DW1306. A named build context
    /// (`--build-context name=...`) looks like an image here.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY --from=webdevops/toolbox /baselayout.tar /
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY --from=webdevops/toolbox:1.2.3 /baselayout.tar /
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3022 reads the value as written: it flags `--from=$BUILDER` even when the
    /// ARG names a stage, and cannot see an untagged image behind an ARG (such findings
    /// claim no hadolint equivalent). Its other cases (a later stage, a missing index, a
    /// typo) are DW1306's.
    pub struct CopyFromUntaggedImage {
        code: "DW5201",
        name: "copy-from-untagged-image",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3022",
    }
}

impl Check for CopyFromUntaggedImage {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let names: Vec<&str> = model
            .stages
            .iter()
            .filter_map(|s| s.name.as_deref())
            .collect();
        for dependency in &model.dependencies {
            if dependency.kind != DependencyKind::CopyFrom {
                continue;
            }
            let DependencySource::Image(_) = dependency.source else {
                continue;
            };
            let name = dependency.expanded.as_str();
            if name.is_empty() || name.contains([':', '@']) || name.parse::<usize>().is_ok() {
                continue;
            }
            let typo = !name.contains(['/', '.'])
                && did_you_mean(&name.to_lowercase(), names.iter().copied()).is_some();
            if typo {
                continue;
            }
            let via_arg = dependency.written != dependency.expanded;
            let diagnostic = cx.report(
                dependency.span,
                format!(
                    "`--from={name}` is no stage of this Dockerfile but an image without a tag, pulled as `{name}:latest` whatever that is at build time; tag it or name the stage you meant"
                ),
            );
            if via_arg {
                diagnostic.equivalents.hadolint = None;
            }
        }
    }
}
