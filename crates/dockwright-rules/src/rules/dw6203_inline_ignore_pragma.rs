use crate::prelude::*;

crate::declare_rule! {
    /// Flags inline ignore pragmas (`# hadolint ignore=...`, `# dockwright ignore=...`)
    /// (opt-in).
    ///
    /// ## Why
    /// For teams that keep exceptions in one reviewed place (`.dockwright.toml`,
    /// `.hadolint.yaml`) rather than scattered through Dockerfiles, where they outlive
    /// the reason they were added. `global` and `stage` pragmas are not flagged.
    ///
    /// ## Example
    /// ```dockerfile
    /// # hadolint ignore=DL3008
    /// RUN apt-get install -y curl
    /// ```
    /// Use instead (`.dockwright.toml`):
    /// ```toml
    /// ignore = ["DL3008"]
    /// ```
    pub struct InlineIgnorePragma {
        code: "DW6203",
        name: "inline-ignore-pragma",
        category: Style,
        severity: Info,
        hadolint: "DL1001",
        opt_in: true,
    }
}

impl Check for InlineIgnorePragma {
    fn check(cx: &mut Checker<'_>) {
        let pragmas: Vec<Span> = cx
            .doc()
            .comments()
            .filter(|(_, text)| crate::suppression::is_inline_ignore_pragma(text))
            .map(|(span, _)| span)
            .collect();
        for span in pragmas {
            cx.report(
                span,
                "inline ignore pragma: keep exceptions in the configuration file",
            );
        }
    }
}
