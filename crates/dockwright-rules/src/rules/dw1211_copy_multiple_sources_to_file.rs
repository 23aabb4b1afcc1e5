use crate::prelude::*;

crate::declare_rule! {
    /// Flags `COPY` of several sources to a destination that does not end in `/`.
    ///
    /// ## Why
    /// Several sources can only be copied into a directory, and BuildKit requires the
    /// destination to say so with a trailing `/`: `COPY a.txt b.txt /app` fails the build.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY package.json package-lock.json /app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY package.json package-lock.json /app/
    /// ```
    ///
    /// ## Fix
    /// Appends `/` to the destination (inside the quotes of the JSON form). Safe: the
    /// build could not succeed without.
    pub struct CopyMultipleSourcesToFile {
        code: "DW1211",
        name: "copy-multiple-sources-to-file",
        category: Correctness,
        severity: Error,
        hadolint: "DL3021",
        fix: Safe,
    }
}

impl Check for CopyMultipleSourcesToFile {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for inst in cx.instructions_of(InstructionKind::Copy) {
            let Some(copy) = inst.syntax.as_copy() else {
                continue;
            };
            let Some(destination) = copy.destination else {
                continue;
            };
            if copy.sources.len() < 2 {
                continue;
            }
            let written = destination.text.trim_matches(|c| c == '"' || c == '\'');
            let Ok(expansion) = model.expand_at(inst.index, written) else {
                continue;
            };
            if expansion.references.iter().any(|r| !r.set) || expansion.value.ends_with('/') {
                continue;
            }
            // The slash goes before the closing quote of a JSON element, and after a bare
            // word; a quoted shell word is left alone.
            let insert_at = if copy.json {
                cx.text(destination.span)
                    .ends_with('"')
                    .then(|| destination.span.end - 1)
            } else {
                (written == destination.text.as_ref()).then_some(destination.span.end)
            };
            let diagnostic = cx.report(
                destination.span,
                format!(
                    "COPY of {} sources needs a directory destination ending in `/`, not `{}`",
                    copy.sources.len(),
                    expansion.value
                ),
            );
            if let Some(at) = insert_at {
                diagnostic.set_fix(Fix::safe(
                    "end the destination with `/`",
                    vec![Edit::insert(at, "/")],
                ));
            }
        }
    }
}
