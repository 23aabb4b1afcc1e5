use crate::prelude::*;

crate::declare_rule! {
    /// Flags a one-command `RUN` that directly follows another one-command `RUN` with the
    /// same flags.
    ///
    /// ## Why
    /// Each `RUN` makes a layer and a cache step. Two small consecutive steps that always
    /// change together (`RUN mkdir /app` then `RUN chown app /app`) cost a layer, a cache
    /// lookup and image metadata for nothing; as one `RUN` they also let a cleanup happen in
    /// the layer that made the mess.
    ///
    /// As in hadolint DL3059, only pairs where each `RUN` is a single command are flagged
    /// (chained commands show the steps were split on purpose, often to cache an expensive
    /// part; commands inside `$(...)` count), comments between them do not separate them,
    /// and `RUN`s with different flags (`--mount`, `--network`) are not merged.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN mkdir -p /app/data
    /// RUN chown -R app:app /app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN mkdir -p /app/data && chown -R app:app /app
    /// ```
    ///
    /// ## Fix
    /// Unsafe (the cache step boundary moves): the second `RUN` is joined to the first with
    /// `&&`, when both are plain shell-form commands and the first does not change the
    /// shell's state (`cd`, `set`, `export`, `exit`).
    pub struct ConsecutiveRun {
        code: "DW3001",
        name: "consecutive-run",
        category: Cache,
        severity: Info,
        hadolint: "DL3059",
        fix: Unsafe,
    }
}

/// Commands of a RUN, nested ones (in substitutions, `sh -c`) included: one for an exec
/// form without a shell, `None` when a script is not POSIX shell (PowerShell) and so
/// cannot be counted.
fn command_count(run: &RunFacts) -> Option<usize> {
    if run.scripts.is_empty() {
        return Some(1);
    }
    run.scripts
        .iter()
        .map(|s| s.parsed.as_ref().map(|_| s.commands().len()))
        .sum()
}

impl Check for ConsecutiveRun {
    fn check(cx: &mut Checker<'_>) {
        let source = cx.source();
        let escape_is_backslash = cx.doc().escape_token() == '\\';
        let mut previous: Option<(Inst<'_>, &RunFacts)> = None;
        for inst in cx.instructions() {
            let Some(run) = inst.run().filter(|_| inst.kind() == InstructionKind::Run) else {
                previous = None;
                continue;
            };
            let current = (inst, run);
            let Some((prev, prev_run)) = previous.replace(current) else {
                continue;
            };
            let same_flags = prev.syntax.flags().iter().map(|f| f.bytes()).eq(inst
                .syntax
                .flags()
                .iter()
                .map(|f| f.bytes()));
            let single = |r: &RunFacts| command_count(r).is_some_and(|n| n <= 1);
            if !same_flags || !single(prev_run) || !single(run) {
                continue;
            }
            let diagnostic = cx.report_instruction(
                &inst,
                "this RUN directly follows another one-command RUN; merge them into one layer",
            );
            if let Some(edit) = merge(source, prev_run, run).filter(|_| escape_is_backslash) {
                diagnostic.set_fix(Fix::unsafe_edits("join it to the previous RUN", vec![edit]));
            }
        }
    }
}

/// The edit that joins `run` onto `prev`: everything from the end of `prev`'s command to
/// the start of `run`'s becomes ` \` + newline + `    && `.
fn merge(source: &str, prev: &RunFacts, run: &RunFacts) -> Option<Edit> {
    let ([a], [b]) = (prev.scripts.as_slice(), run.scripts.as_slice()) else {
        return None;
    };
    let plain = |s: &RunScript| {
        s.origin == ScriptOrigin::CommandLine
            && s.parsed.as_ref().is_some_and(|p| p.errors.is_empty())
    };
    if !plain(a) || !plain(b) || prev.exec || run.exec {
        return None;
    }
    let stateful = a.commands().iter().any(|c| {
        matches!(c.action, Action::ChangeDirectory(_) | Action::SetOptions(_))
            || matches!(
                c.program_name(),
                Some("export" | "exit" | "source" | "." | "unset" | "trap" | "alias")
            )
    });
    let ends_cleanly = a
        .parsed
        .as_ref()
        .and_then(|p| p.body.items.last())
        .is_some_and(|last| last.and_or.span.end == a.text.trim_end().len());
    if stateful || !ends_cleanly || a.text.trim().is_empty() || b.text.trim().is_empty() {
        return None;
    }
    let end = a.map.to_file(a.text.trim_end().len() - 1) + 1;
    let start = b.map.to_file(b.text.len() - b.text.trim_start().len());
    let between = source.get(end..start)?;
    // Only blanks, line ends, continuation escapes and the RUN keyword (plus identical
    // flags) lie between them; comment lines would be lost.
    if between.lines().any(|l| l.trim_start().starts_with('#')) {
        return None;
    }
    Some(Edit::replace(end..start, " \\\n    && "))
}
