use std::collections::BTreeMap;

use dockwright_model::dockwright_shell::DownloadTool;

use crate::prelude::*;

crate::declare_rule! {
    /// Flags a stage that downloads with both `curl` and `wget`.
    ///
    /// ## Why
    /// One download tool is enough; a stage that uses both usually installs both, which
    /// costs a package (and its libraries) in the image and two sets of options, retry and
    /// TLS behaviours to get right. Pick one (curl is in most base images, busybox has a
    /// small `wget`).
    ///
    /// Reported at each RUN of a stage that uses either tool once both have been used in
    /// the stage.
    ///
    /// ## Differences from hadolint (DL4001)
    /// hadolint misses `curl`/`wget` called through `sudo`, by path or inside `sh -c`;
    /// findings only those make carry no hadolint equivalent.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSLO https://example.org/a.tgz
    /// RUN wget -q https://example.org/b.tgz
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN curl -fsSLO https://example.org/a.tgz
    /// RUN curl -fsSLO https://example.org/b.tgz
    /// ```
    pub struct CurlAndWget {
        code: "DW6103",
        name: "curl-and-wget",
        category: Style,
        severity: Warning,
        hadolint: "DL4001",
    }
}

/// Tools used so far in a stage: (curl, wget), by our model and as hadolint sees them.
#[derive(Default, Clone, Copy)]
struct Used {
    curl: bool,
    wget: bool,
    seen_curl: bool,
    seen_wget: bool,
}

impl Check for CurlAndWget {
    fn check(cx: &mut Checker<'_>) {
        let mut per_stage: BTreeMap<Option<usize>, Used> = BTreeMap::new();
        // (instruction, first download's span, instruction tools, visible tools)
        let mut runs: Vec<(usize, Option<usize>, Span, Used)> = Vec::new();
        for command in cx.commands() {
            let Action::Download(download) = &command.command.action else {
                continue;
            };
            let sees = hadolint_sees(&command);
            let index = command.inst.index;
            if runs.last().is_none_or(|r| r.0 != index) {
                runs.push((index, command.inst.stage(), command.span(), Used::default()));
            }
            if let Some(last) = runs.last_mut() {
                match download.tool {
                    DownloadTool::Curl => {
                        last.3.curl = true;
                        last.3.seen_curl |= sees;
                    }
                    DownloadTool::Wget => {
                        last.3.wget = true;
                        last.3.seen_wget |= sees;
                    }
                }
            }
        }
        for (_, stage, span, here) in runs {
            let used = per_stage.entry(stage).or_default();
            used.curl |= here.curl;
            used.wget |= here.wget;
            used.seen_curl |= here.seen_curl;
            used.seen_wget |= here.seen_wget;
            if !(used.curl && used.wget) {
                continue;
            }
            let sees = (here.seen_curl || here.seen_wget) && used.seen_curl && used.seen_wget;
            let diagnostic = cx.report(
                span,
                "the stage downloads with both `curl` and `wget`; use one of them",
            );
            hadolint_if(diagnostic, sees);
        }
    }
}
