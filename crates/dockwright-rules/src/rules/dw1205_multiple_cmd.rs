use crate::prelude::*;

crate::declare_rule! {
    /// Flags a second (or later) `CMD` in one stage.
    ///
    /// ## Why
    /// A stage's image has one command: the last `CMD` wins and the earlier ones are
    /// ignored. An earlier `CMD` misleads the reader about what the container runs
    /// (often it is left over from an edit, or meant to be a `RUN`).
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD ["nginx", "-t"]
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN ["nginx", "-t"]
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    ///
    /// ## Fix
    /// Removes the earlier `CMD`, which has no effect on the image. Safe.
    ///
    /// ## Differences from hadolint and BuildKit
    /// Reported at the later instruction, as hadolint DL4003 does; BuildKit's
    /// MultipleInstructionsDisallowed reports the earlier ones.
    pub struct MultipleCmd {
        code: "DW1205",
        name: "multiple-cmd",
        category: Correctness,
        severity: Warning,
        hadolint: "DL4003",
        buildkit: "MultipleInstructionsDisallowed",
        fix: Safe,
    }
}

impl Check for MultipleCmd {
    fn check(cx: &mut Checker<'_>) {
        for stage in cx.stages() {
            report_repeated(cx, &stage.cmds, "CMD");
        }
    }
}

/// Reports every instruction of `indices` (one kind, one stage) after the first, with a
/// fix that removes the one before it.
pub(crate) fn report_repeated(cx: &mut Checker<'_>, indices: &[usize], keyword: &str) {
    for pair in indices.windows(2) {
        let (Some(earlier), Some(later)) = (cx.instruction(pair[0]), cx.instruction(pair[1]))
        else {
            continue;
        };
        if earlier.facts.onbuild || later.facts.onbuild {
            continue;
        }
        let line = earlier.syntax.start_line();
        let removal = delete_instruction(cx.source(), earlier.syntax.span());
        cx.report_instruction(
            &later,
            format!(
                "a second {keyword} in this stage: only the last one takes effect, the one at line {line} is ignored"
            ),
        )
        .set_fix(Fix::safe(
            format!("remove the ignored {keyword} at line {line}"),
            vec![removal],
        ));
    }
}

/// An edit that removes an instruction with its line: from the start of its first line
/// (when only blanks precede it) through the line break after it.
pub(crate) fn delete_instruction(source: &str, span: Span) -> Edit {
    let bytes = source.as_bytes();
    let mut start = span.start;
    while start > 0 && matches!(bytes.get(start - 1), Some(b' ' | b'\t')) {
        start -= 1;
    }
    if start > 0 && bytes.get(start - 1) != Some(&b'\n') {
        start = span.start;
    }
    let mut end = span.end;
    while matches!(bytes.get(end), Some(b' ' | b'\t' | b'\r')) {
        end += 1;
    }
    if bytes.get(end) == Some(&b'\n') {
        end += 1;
    } else {
        end = span.end;
    }
    Edit::delete(start..end)
}

#[cfg(test)]
mod tests {
    use super::delete_instruction;
    use crate::diagnostic::Edit;
    use dockwright_syntax::Span;

    fn apply(source: &str, edit: &Edit) -> String {
        format!("{}{}", &source[..edit.start], &source[edit.end..])
    }

    #[test]
    fn deletes_whole_lines() {
        let source = "FROM a\n  CMD x  \r\nCMD y";
        let start = source.find("CMD x").unwrap();
        let edit = delete_instruction(source, Span::new(start, start + 5));
        assert_eq!(apply(source, &edit), "FROM a\nCMD y");
        let last = source.find("CMD y").unwrap();
        let edit = delete_instruction(source, Span::new(last, last + 5));
        assert_eq!(apply(source, &edit), "FROM a\n  CMD x  \r\n");
    }
}
