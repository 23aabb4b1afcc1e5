//! Applying fixes: choosing non-overlapping edits, repeating until nothing more applies, and
//! writing the result atomically.

use std::io::Write as _;
use std::path::Path;

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::lint::{FileReport, Linter};

/// Which fixes to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Only safe fixes (`--fix`).
    Safe,
    /// Safe and unsafe fixes (`--fix --unsafe-fixes`).
    Unsafe,
}

impl FixMode {
    /// Whether a fix of this applicability is applied.
    pub fn applies(self, applicability: Applicability) -> bool {
        match self {
            FixMode::Safe => applicability == Applicability::Safe,
            FixMode::Unsafe => true,
        }
    }
}

/// The text after one round of fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The fixed text.
    pub text: String,
    /// How many diagnostics' fixes were applied.
    pub fixed: usize,
}

/// Applies the fixes of `diagnostics` to `source`: fixes in order of their first edit, each
/// whole or not at all, skipping one whose edits overlap an edit already taken (it can be
/// applied in a later round, once the text is linted again) or that does not fit the text.
/// The same fix offered by several diagnostics is applied once.
pub fn apply_fixes(source: &str, diagnostics: &[Diagnostic], mode: FixMode) -> Applied {
    let mut fixes: Vec<&[Edit]> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| mode.applies(f.applicability) && !f.edits.is_empty())
        .map(|f| f.edits.as_slice())
        .collect();
    fixes.sort_by_key(|edits| edits.iter().map(|e| (e.start, e.end)).min());
    let mut taken: Vec<&Edit> = Vec::new();
    let mut taken_fixes: Vec<&[Edit]> = Vec::new();
    let mut fixed = 0;
    for edits in fixes {
        if taken_fixes.contains(&edits) {
            fixed += 1;
            continue;
        }
        let fits = edits.iter().all(|e| {
            e.start <= e.end
                && e.end <= source.len()
                && source.is_char_boundary(e.start)
                && source.is_char_boundary(e.end)
        });
        let mut sorted: Vec<&Edit> = edits.iter().collect();
        sorted.sort_by_key(|e| (e.start, e.end));
        let self_overlap = sorted.windows(2).any(|w| overlaps(w[0], w[1]));
        if !fits || self_overlap || edits.iter().any(|e| taken.iter().any(|t| overlaps(e, t))) {
            continue;
        }
        taken.extend(edits.iter());
        taken_fixes.push(edits);
        fixed += 1;
    }
    taken.sort_by_key(|e| (e.start, e.end));
    let mut text = String::with_capacity(source.len() + 64);
    let mut at = 0;
    for edit in taken {
        text.push_str(&source[at..edit.start]);
        text.push_str(&edit.replacement);
        at = edit.end;
    }
    text.push_str(&source[at..]);
    Applied { text, fixed }
}

/// Whether two edits touch the same bytes. Two insertions at one offset overlap (their
/// order would be a guess); an insertion at the edge of a replacement does not.
fn overlaps(a: &Edit, b: &Edit) -> bool {
    if a.start == a.end && b.start == b.end {
        return a.start == b.start;
    }
    a.start < b.end && b.start < a.end
        || (a.start == a.end && b.start < a.start && a.start < b.end)
        || (b.start == b.end && a.start < b.start && b.start < a.end)
}

/// The outcome of fixing a file.
#[derive(Debug, Clone)]
pub struct FixOutcome {
    /// The text after every round.
    pub text: String,
    /// How many findings were fixed.
    pub fixed: usize,
    /// Lint rounds run.
    pub rounds: usize,
    /// The findings left in the fixed text.
    pub report: FileReport,
}

/// Rounds of lint-and-fix before giving up on reaching a fixed point.
pub const MAX_ROUNDS: usize = 10;

impl Linter {
    /// Lints `source`, applies fixes, and repeats on the result until no fix applies (at
    /// most [`MAX_ROUNDS`] rounds). A round whose result no longer parses is undone.
    pub fn fix(&self, path: &str, source: &str, mode: FixMode) -> FixOutcome {
        self.fix_in_context(path, source, mode, None)
    }

    /// [`Linter::fix`] with the file's build context: the final report includes the
    /// findings of the rules that need it.
    pub fn fix_in_context(
        &self,
        path: &str,
        source: &str,
        mode: FixMode,
        context: Option<&crate::build_context::ContextRequest>,
    ) -> FixOutcome {
        // ShellCheck offers no fixes: rounds run without it, the final report with it.
        let rounds_linter = self.clone().with_shellcheck(false);
        let mut text = source.to_string();
        let mut fixed = 0;
        let mut rounds = 0;
        let mut report = rounds_linter.lint_in_context(path, &text, context);
        while rounds < MAX_ROUNDS {
            rounds += 1;
            let applied = apply_fixes(&text, &report.diagnostics, mode);
            if applied.fixed == 0 || applied.text == text {
                break;
            }
            if dockwright_syntax::parse(&applied.text).is_err() {
                break;
            }
            fixed += applied.fixed;
            text = applied.text;
            report = rounds_linter.lint_in_context(path, &text, context);
        }
        if self.runs_shellcheck() {
            report = self.lint_in_context(path, &text, context);
        }
        FixOutcome {
            text,
            fixed,
            rounds,
            report,
        }
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same directory, given
/// the original file's permissions, renamed over it. A symbolic link is followed, so the
/// link stays and its target changes.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(&target) {
        std::fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Category, Equivalents, Fix, Severity};

    fn diag(fix: Fix) -> Diagnostic {
        Diagnostic {
            file: "f".into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            start: 0,
            end: 0,
            code: "DW0000".into(),
            name: "x".into(),
            category: Category::Style,
            severity: Severity::Style,
            message: String::new(),
            equivalents: Equivalents::default(),
            fix: Some(fix),
            evidence: vec![],
        }
    }

    #[test]
    fn applies_non_overlapping_fixes_in_order() {
        let src = "from a as b\n";
        let ds = [
            diag(Fix::safe("", vec![Edit::replace(0..4, "FROM")])),
            diag(Fix::safe("", vec![Edit::replace(7..9, "AS")])),
            diag(Fix::safe(
                "overlaps the first",
                vec![Edit::replace(2..6, "x")],
            )),
            diag(Fix::unsafe_edits("", vec![Edit::insert(11, " # x")])),
        ];
        let safe = apply_fixes(src, &ds, FixMode::Safe);
        assert_eq!(safe.text, "FROM a AS b\n");
        assert_eq!(safe.fixed, 2);
        let all = apply_fixes(src, &ds, FixMode::Unsafe);
        assert_eq!(all.text, "FROM a AS b # x\n");
    }

    #[test]
    fn duplicate_fixes_apply_once_and_bad_edits_are_skipped() {
        let src = "héllo";
        let same = Fix::safe("", vec![Edit::insert(0, ">")]);
        let ds = [
            diag(same.clone()),
            diag(same),
            diag(Fix::safe("", vec![Edit::replace(2..3, "x")])),
            diag(Fix::safe("", vec![Edit::replace(4..99, "x")])),
        ];
        let out = apply_fixes(src, &ds, FixMode::Safe);
        assert_eq!(out.text, ">héllo");
        assert_eq!(out.fixed, 2);
    }

    #[test]
    fn insertions_at_the_same_place_conflict() {
        let a = Edit::insert(3, "a");
        assert!(overlaps(&a, &Edit::insert(3, "b")));
        assert!(!overlaps(&a, &Edit::replace(0..3, "x")));
        assert!(overlaps(&a, &Edit::replace(2..4, "x")));
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_keeps_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}
