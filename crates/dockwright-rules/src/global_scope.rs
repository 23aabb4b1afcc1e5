//! What `FROM` lines see: BuildKit's global scope (automatic platform ARGs and the ARGs
//! before the first `FROM`), replayed for the checks that need it with or without the
//! configured `--build-arg`s, and "did you mean" suggestions for misspelt names.

use std::collections::BTreeMap;

use dockwright_syntax::InstructionKind;
use dockwright_syntax::scope::BuildScope;

use crate::checker::Checker;

/// The global scope after the ARGs before the first `FROM`.
pub(crate) struct GlobalScope {
    /// The scope `FROM` words are expanded in.
    pub scope: BuildScope,
    /// Every global ARG's name, declared with or without a value.
    pub names: Vec<String>,
    /// Whether some default failed to expand (BuildKit then fails the build, and its
    /// checks on defaults give up).
    pub failed: bool,
}

/// The global scope after every ARG before the first `FROM`. With `build_args` false the
/// defaults alone decide (BuildKit's InvalidDefaultArgInFrom check builds it that way).
pub(crate) fn global_scope(cx: &Checker<'_>, build_args: bool) -> GlobalScope {
    let options = &cx.model().options;
    let args = if build_args {
        options.build_args.clone()
    } else {
        BTreeMap::new()
    };
    let mut scope = BuildScope::new(
        args,
        options.platform.clone(),
        options.build_platform.clone(),
    )
    .with_escape(cx.doc().escape_token());
    let mut names = Vec::new();
    let mut failed = false;
    for inst in cx.instructions() {
        if inst.facts.stage.is_some() {
            break;
        }
        if inst.kind() != InstructionKind::Arg {
            continue;
        }
        for decl in inst.syntax.as_arg().unwrap_or_default() {
            let default = decl.default.as_ref().map(|d| d.text.to_string());
            // A default that does not expand is BuildKit's error to report, not a check's.
            failed |= scope
                .declare_global_arg(&decl.name.text, default.as_deref())
                .is_err();
            names.push(decl.name.text.to_string());
        }
    }
    GlobalScope {
        scope,
        names,
        failed,
    }
}

/// The candidate closest to `name`, when it is close enough to be a likely misspelling:
/// the same name in another case, or at most two edits away (one for names of up to four
/// characters).
pub(crate) fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = if name.chars().count() <= 4 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let distance = if candidate.eq_ignore_ascii_case(name) {
            0
        } else {
            edit_distance(name, candidate)
        };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            did_you_mean("VERSOIN", ["VERSION", "BASE"]),
            Some("VERSION")
        );
        assert_eq!(did_you_mean("base", ["BASE"]), Some("BASE"));
        assert_eq!(did_you_mean("FOO", ["BAR"]), None);
        assert_eq!(did_you_mean("ABC", ["ABD"]), Some("ABD"));
    }
}
