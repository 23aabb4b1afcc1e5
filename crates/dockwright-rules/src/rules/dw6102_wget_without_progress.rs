use dockwright_model::dockwright_shell::DownloadTool;

use crate::prelude::*;

crate::declare_rule! {
    /// Flags `wget` without `--progress` or a quiet option, which fills the build log.
    ///
    /// ## Why
    /// Without a terminal, wget prints its progress as dots: about one line per 50 KB,
    /// tens of thousands of lines for a large download, which bury the build log (and CI
    /// logs have size limits). `--progress=dot:giga` prints one line per 32 MB; `-q`
    /// (`--quiet`) or `-nv` (`--no-verbose`) print nothing but errors.
    ///
    /// Not flagged: `--progress=...`, `-q`, `-nv`, or the log sent to a file (`-o FILE`,
    /// `-a FILE`).
    ///
    /// ## Differences from hadolint (DL3047)
    /// hadolint misses `wget` called through `sudo`, by path or inside `sh -c` (those
    /// findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN wget https://example.org/big.tar.gz
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN wget --progress=dot:giga https://example.org/big.tar.gz
    /// ```
    ///
    /// ## Fix
    /// Safe: `--progress=dot:giga` is added after `wget`; only the log changes.
    pub struct WgetWithoutProgress {
        code: "DW6102",
        name: "wget-without-progress",
        category: Style,
        severity: Info,
        hadolint: "DL3047",
        fix: Safe,
    }
}

impl Check for WgetWithoutProgress {
    fn check(cx: &mut Checker<'_>) {
        for command in cx.commands() {
            let Action::Download(download) = &command.command.action else {
                continue;
            };
            if download.tool != DownloadTool::Wget
                || download.quiet
                || download.progress.is_some()
                || download.log_file
            {
                continue;
            }
            let Some(program) = &command.command.program else {
                continue;
            };
            let at = command.file_span(program.span).end;
            let sees = hadolint_sees(&command);
            let diagnostic = cx.report(
                command.span(),
                "`wget` without `--progress` fills the build log; add `--progress=dot:giga` or `-nv`",
            );
            diagnostic.set_fix(Fix::safe(
                "add `--progress=dot:giga`",
                vec![Edit::insert(at, " --progress=dot:giga")],
            ));
            hadolint_if(diagnostic, sees);
        }
    }
}
