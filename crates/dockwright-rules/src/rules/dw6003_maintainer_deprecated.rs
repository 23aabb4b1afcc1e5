use crate::prelude::*;

crate::declare_rule! {
    /// Flags the deprecated `MAINTAINER` instruction.
    ///
    /// ## Why
    /// `MAINTAINER` sets an image field (`Author`) that the OCI image format does not have
    /// and that tools do not show. A label is the standard place:
    /// `org.opencontainers.image.authors`.
    ///
    /// ## Example
    /// ```dockerfile
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// ## Fix
    /// Unsafe: the instruction becomes that `LABEL`, which changes the image's metadata.
    pub struct MaintainerDeprecated {
        code: "DW6003",
        name: "maintainer-deprecated",
        category: Style,
        severity: Error,
        hadolint: "DL4000",
        buildkit: "MaintainerDeprecated",
        fix: Unsafe,
    }
}

impl Check for MaintainerDeprecated {
    fn check(cx: &mut Checker<'_>) {
        for inst in cx.instructions_of(InstructionKind::Maintainer) {
            let diagnostic = cx.report_instruction(
                &inst,
                "MAINTAINER is deprecated; use `LABEL org.opencontainers.image.authors=...`",
            );
            let Some(value) = inst.syntax.as_value() else {
                continue;
            };
            // One-line instructions only: a continued one would need its lines rejoined.
            if inst.syntax.lines().len() != 1 || value.text.trim().is_empty() {
                continue;
            }
            let escaped: String = value
                .text
                .trim()
                .chars()
                .flat_map(|c| match c {
                    '"' | '\\' | '$' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            let keyword = inst.syntax.keyword().span;
            let label = if inst.syntax.keyword().text.chars().all(|c| c.is_lowercase()) {
                "label"
            } else {
                "LABEL"
            };
            diagnostic.set_fix(Fix::unsafe_edits(
                "use the org.opencontainers.image.authors label",
                vec![Edit::replace(
                    keyword.start..value.span.end,
                    format!("{label} org.opencontainers.image.authors=\"{escaped}\""),
                )],
            ));
        }
    }
}
