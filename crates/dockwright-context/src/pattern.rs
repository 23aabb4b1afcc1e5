//! `.dockerignore` pattern matching with the exact semantics of moby/patternmatcher v0.6.1,
//! the matcher BuildKit uses to filter the build context.
//!
//! Patterns are kept in order; a pattern *hits* a path when it matches the path or one of its
//! ancestors, and the last hit decides: a normal pattern excludes, an exception (`!pattern`)
//! re-includes. Each pattern is classified the way upstream classifies it (an exact string, a
//! prefix for `dir/**`, a suffix for `**/name`, or a regular expression for everything else),
//! so the common cases are plain byte comparisons.
//!
//! Paths are byte strings, `/`-separated and relative to the context root.

use crate::go_path::{self, BadPattern};
use crate::go_regexp::{self, GoRegexError};

/// How a pattern is tested, as upstream classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PatternKind {
    /// The path must equal the pattern.
    Exact,
    /// `text/**`: the path must start with `text/`.
    Prefix,
    /// `**/text` or `**text`: the path must end with the text (or, for `**/name`, be `name`).
    Suffix,
    /// Anything with `*`, `?`, `[`, `]` or `\`: a regular expression.
    Regexp,
}

#[derive(Debug, Clone)]
enum Test {
    Exact,
    Prefix(usize),
    Suffix,
    Regex(regex::Regex),
    /// The regular expression upstream builds does not compile: every evaluation is an error.
    Invalid(GoRegexError),
}

/// One compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    text: Vec<u8>,
    exclusion: bool,
    kind: PatternKind,
    regexp: String,
    test: Test,
}

/// Why a pattern list cannot be used. `index` is the position in the list given to
/// [`PatternMatcher::new`], counting every entry (blank ones too).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// A pattern that is only `!`.
    #[error("illegal exclusion pattern: \"!\"")]
    LoneExclamation { index: usize },
    /// Go's `filepath.Match` rejects the pattern.
    #[error("syntax error in pattern `{pattern}`")]
    Syntax { index: usize, pattern: String },
    /// The pattern passed the syntax check, but the regular expression built from it is
    /// invalid; BuildKit fails when it first tests a path against it.
    #[error("syntax error in pattern `{pattern}` ({source})")]
    Regexp {
        index: usize,
        pattern: String,
        source: GoRegexError,
    },
}

impl PatternError {
    /// The position of the offending pattern in the list given to [`PatternMatcher::new`].
    pub fn index(&self) -> usize {
        match self {
            PatternError::LoneExclamation { index }
            | PatternError::Syntax { index, .. }
            | PatternError::Regexp { index, .. } => *index,
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Pattern {
    /// The pattern as upstream stores it: cleaned, without the leading `!`.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// Whether this is an exception (`!pattern`) that re-includes what it hits.
    pub fn is_exclusion(&self) -> bool {
        self.exclusion
    }

    /// How the pattern is tested.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The Go regular expression upstream builds for a [`PatternKind::Regexp`] pattern.
    pub fn go_regexp(&self) -> Option<&str> {
        (self.kind == PatternKind::Regexp).then_some(self.regexp.as_str())
    }

    /// Whether the pattern matches `path` itself (ancestors are not considered).
    pub fn matches(&self, path: &[u8]) -> Result<bool, GoRegexError> {
        Ok(match &self.test {
            Test::Exact => path == self.text.as_slice(),
            Test::Prefix(len) => path.starts_with(&self.text[..*len]),
            Test::Suffix => {
                let suffix = &self.text[2..];
                path.ends_with(suffix) || (suffix.first() == Some(&b'/') && path == &suffix[1..])
            }
            Test::Regex(re) => re.is_match(&go_path::go_runes_to_string(path)),
            Test::Invalid(err) => return Err(err.clone()),
        })
    }

    /// Whether the pattern matches `path` or one of its ancestors (`parent` = Go's
    /// `filepath.Dir(path)`). Like upstream, errors on ancestors are not looked at.
    fn matches_with_ancestors(&self, path: &[u8], parent: &[u8]) -> Result<bool, GoRegexError> {
        if self.matches(path)? {
            return Ok(true);
        }
        if parent == b"." {
            return Ok(false);
        }
        for (i, &b) in parent.iter().enumerate() {
            if b == b'/' && self.matches(&parent[..i]).unwrap_or(false) {
                return Ok(true);
            }
        }
        Ok(self.matches(parent).unwrap_or(false))
    }

    /// The pattern without a trailing `/**` or `/*`, which fsutil uses to decide whether an
    /// excluded directory can be skipped.
    pub(crate) fn without_trailing_glob(&self) -> &[u8] {
        let t = self.text.as_slice();
        let t = t.strip_suffix(b"/**").unwrap_or(t);
        t.strip_suffix(b"/*").unwrap_or(t)
    }
}

/// Classifies a cleaned pattern and builds its Go regular expression, exactly as upstream's
/// `Pattern.compile` does (including its quirks: `[` and `]` are copied verbatim, `^` is not
/// escaped, a BOM at the start is skipped, a trailing `\` escapes the final `$`).
fn classify(pattern: &[u8]) -> (PatternKind, String) {
    let mut runes: Vec<char> = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while !rest.is_empty() {
        let (c, width) = go_path::decode_rune(rest);
        runes.push(c);
        rest = &rest[width..];
    }
    // text/scanner drops a byte-order mark at the very start.
    let mut pos = usize::from(runes.first() == Some(&'\u{FEFF}'));
    let peek = |pos: usize| runes.get(pos).copied();
    let mut re = String::from("^");
    let mut kind = PatternKind::Exact;
    let mut i = 0;
    while let Some(ch) = peek(pos) {
        pos += 1;
        match ch {
            '*' => {
                if peek(pos) == Some('*') {
                    pos += 1;
                    if peek(pos) == Some('/') {
                        pos += 1;
                    }
                    if peek(pos).is_none() {
                        if kind == PatternKind::Exact {
                            kind = PatternKind::Prefix;
                        } else {
                            re.push_str(".*");
                            kind = PatternKind::Regexp;
                        }
                    } else {
                        re.push_str("(.*/)?");
                        kind = PatternKind::Regexp;
                    }
                    if i == 0 {
                        kind = PatternKind::Suffix;
                    }
                } else {
                    re.push_str("[^/]*");
                    kind = PatternKind::Regexp;
                }
            }
            '?' => {
                re.push_str("[^/]");
                kind = PatternKind::Regexp;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                re.push('\\');
                re.push(ch);
            }
            '\\' => match peek(pos) {
                Some(next) => {
                    pos += 1;
                    re.push('\\');
                    re.push(next);
                    kind = PatternKind::Regexp;
                }
                None => re.push('\\'),
            },
            '[' | ']' => {
                re.push(ch);
                kind = PatternKind::Regexp;
            }
            _ => re.push(ch),
        }
        i += 1;
    }
    if kind == PatternKind::Regexp {
        re.push('$');
    }
    (kind, re)
}

/// Per-directory results that let a walk test a child without re-testing ancestors
/// (upstream's `MatchInfo`): for each pattern, whether it hit the directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchInfo {
    parent_matched: Vec<bool>,
}

/// The outcome of testing one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decision {
    /// The path is left out of the build context.
    pub excluded: bool,
    /// The pattern (index into [`PatternMatcher::patterns`]) whose hit decided the outcome:
    /// the excluding pattern when excluded, the exception that re-included it otherwise.
    /// `None` when no pattern hit.
    pub decided_by: Option<usize>,
}

/// A compiled list of `.dockerignore` patterns.
#[derive(Debug, Clone, Default)]
pub struct PatternMatcher {
    patterns: Vec<Pattern>,
    /// For each kept pattern, its index in the list given to `new`.
    origins: Vec<usize>,
    exclusions: bool,
}

impl PatternMatcher {
    /// Builds a matcher like upstream's `New`: each pattern is trimmed, skipped when empty,
    /// cleaned like a path, split into exception flag and body, and syntax-checked with Go's
    /// `filepath.Match`. No leading `/` is removed here (the file reader does that).
    pub fn new<I, P>(patterns: I) -> Result<Self, PatternError>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let mut matcher = PatternMatcher::default();
        for (index, raw) in patterns.into_iter().enumerate() {
            let trimmed = go_path::trim_space(raw.as_ref());
            if trimmed.is_empty() {
                continue;
            }
            let mut text = go_path::clean(trimmed);
            let exclusion = text[0] == b'!';
            if exclusion {
                if text.len() == 1 {
                    return Err(PatternError::LoneExclamation { index });
                }
                text.remove(0);
                matcher.exclusions = true;
            }
            if go_path::filepath_match(&text, b".") == Err(BadPattern) {
                return Err(PatternError::Syntax {
                    index,
                    pattern: lossy(&text),
                });
            }
            let (kind, regexp) = classify(&text);
            let test = match kind {
                PatternKind::Exact => Test::Exact,
                PatternKind::Prefix => Test::Prefix(text.len() - 2),
                PatternKind::Suffix => Test::Suffix,
                PatternKind::Regexp => match go_regexp::compile(&regexp) {
                    Ok(re) => Test::Regex(re),
                    Err(err) => Test::Invalid(err),
                },
            };
            matcher.patterns.push(Pattern {
                text,
                exclusion,
                kind,
                regexp,
                test,
            });
            matcher.origins.push(index);
        }
        Ok(matcher)
    }

    /// The kept patterns, in order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// The index in the list given to `new` of kept pattern `i`.
    pub fn origin(&self, i: usize) -> usize {
        self.origins.get(i).copied().unwrap_or(i)
    }

    /// Whether any pattern is an exception.
    pub fn has_exclusions(&self) -> bool {
        self.exclusions
    }

    fn regexp_error(&self, i: usize, source: GoRegexError) -> PatternError {
        PatternError::Regexp {
            index: self.origin(i),
            pattern: lossy(&self.patterns[i].text),
            source,
        }
    }

    /// Upstream's `PatternMatcher.MatchesOrParentMatches`: tests `path` as given (no
    /// cleaning); a pattern hits when it matches the path or any ancestor, the last hit wins.
    /// Like upstream, a pattern that could not change the outcome is not tested, so an
    /// invalid pattern only fails when it is reached.
    pub fn matches_or_parent_matches(&self, path: &[u8]) -> Result<Decision, PatternError> {
        let parent = go_path::dir(path);
        let mut decision = Decision::default();
        for (i, pattern) in self.patterns.iter().enumerate() {
            if pattern.exclusion != decision.excluded {
                continue;
            }
            let hit = pattern
                .matches_with_ancestors(path, &parent)
                .map_err(|e| self.regexp_error(i, e))?;
            if hit {
                decision.excluded = !pattern.exclusion;
                decision.decided_by = Some(i);
            }
        }
        Ok(decision)
    }

    /// Upstream's package-level `MatchesOrParentMatches`: the path is cleaned first, and the
    /// context root (`.`) is never excluded.
    pub fn is_excluded(&self, path: &[u8]) -> Result<Decision, PatternError> {
        let cleaned = go_path::clean(path);
        if cleaned == b"." {
            return Ok(Decision::default());
        }
        self.matches_or_parent_matches(&cleaned)
    }

    /// Upstream's `MatchesUsingParentResults`, which fsutil uses while walking the context:
    /// `parent` is the [`MatchInfo`] of the containing directory (empty for entries of the
    /// context root, in which case ancestors are tested as in `matches_or_parent_matches`).
    ///
    /// A pattern that hit the parent hits the child; other patterns are tested on the child
    /// itself only. Because upstream records no hit for a pattern it skipped, this can differ
    /// from [`Self::matches_or_parent_matches`] (`a/b` then `!a`: the walk excludes `a/b`),
    /// and it is what decides what a build really sends.
    pub fn matches_using_parent_results(
        &self,
        path: &[u8],
        parent: &MatchInfo,
    ) -> Result<(Decision, MatchInfo), PatternError> {
        let mut info = MatchInfo {
            parent_matched: vec![false; self.patterns.len()],
        };
        let decision = self.walk_decision(path, parent, Some(&mut info.parent_matched))?;
        Ok((decision, info))
    }

    /// [`Self::matches_using_parent_results`] for an entry whose own results are not needed
    /// (a file: nothing is tested below it).
    pub fn decide_using_parent_results(
        &self,
        path: &[u8],
        parent: &MatchInfo,
    ) -> Result<Decision, PatternError> {
        self.walk_decision(path, parent, None)
    }

    fn walk_decision(
        &self,
        path: &[u8],
        parent: &MatchInfo,
        mut record: Option<&mut Vec<bool>>,
    ) -> Result<Decision, PatternError> {
        let inherited = &parent.parent_matched;
        let inherit = inherited.len() == self.patterns.len() && !inherited.is_empty();
        let mut decision = Decision::default();
        let mut parent_dir: Option<Vec<u8>> = None;
        for (i, pattern) in self.patterns.iter().enumerate() {
            let mut hit = inherit && inherited[i];
            if !hit {
                if pattern.exclusion != decision.excluded {
                    continue;
                }
                hit = if inherit {
                    pattern.matches(path)
                } else {
                    let parent_dir = parent_dir.get_or_insert_with(|| go_path::dir(path));
                    pattern.matches_with_ancestors(path, parent_dir)
                }
                .map_err(|e| self.regexp_error(i, e))?;
            }
            if let Some(record) = record.as_deref_mut() {
                record[i] = hit;
            }
            if hit {
                decision.excluded = !pattern.exclusion;
                decision.decided_by = Some(i);
            }
        }
        Ok(decision)
    }

    /// Whether fsutil may skip an excluded directory without looking inside: true when no
    /// exception could re-include anything under it. Only exceptions that are plain paths
    /// (no `*[]?^\` once a trailing `/**` or `/*` is removed) are understood; with any other
    /// exception fsutil never skips.
    pub fn can_skip_excluded_dir(&self, dir: &[u8]) -> bool {
        if !self.exclusions {
            return true;
        }
        if !self.exceptions_are_plain_paths() {
            return false;
        }
        let mut dir_slash = dir.to_vec();
        dir_slash.push(b'/');
        !self.patterns.iter().filter(|p| p.exclusion).any(|p| {
            let mut pat = p.without_trailing_glob().to_vec();
            pat.push(b'/');
            pat.starts_with(&dir_slash)
        })
    }

    fn exceptions_are_plain_paths(&self) -> bool {
        const PATTERN_CHARS: &[u8] = b"*[]?^\\";
        self.patterns.iter().filter(|p| p.exclusion).all(|p| {
            !p.without_trailing_glob()
                .iter()
                .any(|b| PATTERN_CHARS.contains(b))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(patterns: &[&str], path: &str) -> Result<bool, PatternError> {
        let m = PatternMatcher::new(patterns)?;
        Ok(m.matches_or_parent_matches(path.as_bytes())?.excluded)
    }

    #[test]
    fn classification_follows_upstream() {
        let kind = |p: &str| classify(p.as_bytes());
        assert_eq!(kind("*").0, PatternKind::Regexp);
        assert_eq!(kind("**"), (PatternKind::Suffix, "^".to_owned()));
        assert_eq!(kind("dir/**").0, PatternKind::Prefix);
        assert_eq!(kind("**/dir").0, PatternKind::Suffix);
        assert_eq!(
            kind("**/**"),
            (PatternKind::Regexp, "^(.*/)?.*$".to_owned())
        );
        assert_eq!(kind("a.|)$(}+{bc").0, PatternKind::Exact);
        assert_eq!(kind("a^b").0, PatternKind::Exact);
        assert_eq!(
            kind("a*b\\"),
            (PatternKind::Regexp, "^a[^/]*b\\$".to_owned())
        );
    }

    #[test]
    fn last_hit_wins_with_ancestors() {
        assert_eq!(excluded(&["*", "!*.md"], "x.md"), Ok(false));
        assert_eq!(excluded(&["*", "!*.md"], "d/x.md"), Ok(true));
        assert_eq!(excluded(&["!*.md", "*"], "x.md"), Ok(true));
        assert_eq!(
            excluded(&["docs", "!docs/README.md"], "docs/README.md"),
            Ok(false)
        );
        assert_eq!(
            excluded(&["dir", "!dir/keep"], "dir/keep/deep/x"),
            Ok(false)
        );
        assert_eq!(excluded(&["**/b"], "a/x/b/c"), Ok(true));
    }

    #[test]
    fn errors_are_lazy_like_upstream() {
        // New accepts `[Local-Only]`; matching then fails.
        let m = PatternMatcher::new(["[Local-Only]/"]).unwrap();
        assert!(m.matches_or_parent_matches(b"x").is_err());
        // An exception that is never reached is never compiled into an error.
        let m = PatternMatcher::new(["a", "![Local-Only]"]).unwrap();
        assert_eq!(
            m.matches_or_parent_matches(b"b").map(|d| d.excluded),
            Ok(false)
        );
        assert!(m.matches_or_parent_matches(b"a").is_err());
        assert!(matches!(
            PatternMatcher::new(["ok", "!"]),
            Err(PatternError::LoneExclamation { index: 1 })
        ));
        assert!(matches!(
            PatternMatcher::new(["", "[", "x"]),
            Err(PatternError::Syntax { index: 1, .. })
        ));
    }

    #[test]
    fn walk_semantics_differ_where_upstream_differs() {
        let m = PatternMatcher::new(["a/b", "!a"]).unwrap();
        let (dir, info) = m
            .matches_using_parent_results(b"a", &MatchInfo::default())
            .unwrap();
        assert!(!dir.excluded);
        let (child, _) = m.matches_using_parent_results(b"a/b", &info).unwrap();
        assert!(child.excluded);
        assert!(!m.matches_or_parent_matches(b"a/b").unwrap().excluded);
    }

    #[test]
    fn directory_skipping_follows_fsutil() {
        let m = PatternMatcher::new(["node_modules"]).unwrap();
        assert!(m.can_skip_excluded_dir(b"node_modules"));
        let m = PatternMatcher::new(["docs", "!docs/keep.md"]).unwrap();
        assert!(!m.can_skip_excluded_dir(b"docs"));
        assert!(m.can_skip_excluded_dir(b"other"));
        let m = PatternMatcher::new(["docs", "!**/*.md"]).unwrap();
        assert!(!m.can_skip_excluded_dir(b"other"));
        let m = PatternMatcher::new(["docs", "!docs/**"]).unwrap();
        assert!(!m.can_skip_excluded_dir(b"docs"));
    }

    #[test]
    fn decided_by_names_the_last_hit() {
        let m = PatternMatcher::new(["*.log", "build", "!build/keep.log"]).unwrap();
        let d = m.matches_or_parent_matches(b"build/x.log").unwrap();
        assert_eq!(
            d,
            Decision {
                excluded: true,
                decided_by: Some(1)
            }
        );
        let d = m.matches_or_parent_matches(b"build/keep.log").unwrap();
        assert_eq!(
            d,
            Decision {
                excluded: false,
                decided_by: Some(2)
            }
        );
        let d = m.matches_or_parent_matches(b"src/main.rs").unwrap();
        assert_eq!(d, Decision::default());
    }
}
