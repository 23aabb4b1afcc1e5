//! Reading a `.dockerignore` file exactly as BuildKit does (moby/patternmatcher's
//! `ignorefile.ReadAll`), and choosing which ignore file a build uses.

use std::path::{Path, PathBuf};

use crate::go_path;
use crate::pattern::{Decision, PatternError, PatternMatcher};

/// Go's `bufio.Scanner` refuses a line once it would need more than this many bytes of
/// buffer, newline included.
const MAX_LINE: usize = 64 * 1024;

/// The name BuildKit reads from the context root.
pub const DEFAULT_IGNORE_FILE: &str = ".dockerignore";

/// One pattern read from an ignore file, with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreLine {
    /// The pattern as `ReadAll` returns it (trimmed, cleaned, leading `/` removed, `!` kept).
    pub pattern: Vec<u8>,
    /// 1-based line number in the file.
    pub line: usize,
}

impl IgnoreLine {
    /// The pattern as text (invalid UTF-8 shown as U+FFFD).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.pattern).into_owned()
    }
}

/// Why an ignore file cannot be used; the display names the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreFileError {
    /// The file, when the patterns came from one.
    pub file: Option<PathBuf>,
    /// The 1-based line, when one line is to blame.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for IgnoreFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{line}: {}", file.display(), self.message),
            (Some(file), None) => write!(f, "{}: {}", file.display(), self.message),
            (None, Some(line)) => write!(f, "pattern {line}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for IgnoreFileError {}

/// Splits ignore-file content into patterns like `ignorefile.ReadAll`: LF-separated lines
/// (a CR before the LF dropped), a UTF-8 BOM removed from the first line, lines starting with
/// `#` skipped (no leading-space allowance, no inline comments), the rest trimmed and skipped
/// when empty; a leading `!` is kept, the space after it dropped; the remainder is cleaned
/// like a path and one leading `/` removed (unless the pattern is just `/`).
///
/// The only error is a line too long for Go's line scanner (65,536 bytes or more).
pub fn read_patterns(content: &[u8]) -> Result<Vec<IgnoreLine>, (usize, String)> {
    let mut out = Vec::new();
    let mut rest = content;
    let mut number = 0;
    while !rest.is_empty() {
        number += 1;
        let (raw, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        if raw.len() >= MAX_LINE {
            return Err((
                number,
                format!(
                    "line is {} bytes long; BuildKit reads at most {} bytes per line",
                    raw.len(),
                    MAX_LINE - 1
                ),
            ));
        }
        let mut line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if number == 1 {
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.first() == Some(&b'#') {
            continue;
        }
        let trimmed = go_path::trim_space(line);
        if trimmed.is_empty() {
            continue;
        }
        let invert = trimmed[0] == b'!';
        let body = if invert {
            go_path::trim_space(&trimmed[1..])
        } else {
            trimmed
        };
        let mut pattern = Vec::with_capacity(body.len() + 1);
        if invert {
            pattern.push(b'!');
        }
        if !body.is_empty() {
            let cleaned = go_path::clean(body);
            let cleaned = if cleaned.len() > 1 && cleaned[0] == b'/' {
                &cleaned[1..]
            } else {
                &cleaned[..]
            };
            pattern.extend_from_slice(cleaned);
        }
        out.push(IgnoreLine {
            pattern,
            line: number,
        });
    }
    Ok(out)
}

/// The ignore rules of a build: the patterns, where they came from, and the compiled matcher.
#[derive(Debug, Clone, Default)]
pub struct Dockerignore {
    /// The file the patterns were read from (`None`: no ignore file, or patterns given directly).
    pub file: Option<PathBuf>,
    /// The patterns in order, with their line numbers.
    pub lines: Vec<IgnoreLine>,
    matcher: PatternMatcher,
}

impl Dockerignore {
    /// No ignore file: nothing is excluded.
    pub fn empty() -> Self {
        Dockerignore::default()
    }

    /// Parses ignore-file content; `file` is used in error messages.
    pub fn parse(content: &[u8], file: Option<&Path>) -> Result<Self, IgnoreFileError> {
        let lines = read_patterns(content).map_err(|(line, message)| IgnoreFileError {
            file: file.map(Path::to_path_buf),
            line: Some(line),
            message,
        })?;
        Self::from_lines(lines, file)
    }

    /// Uses patterns given directly (one per entry, numbered from 1), without the file-level
    /// reading rules: only what the matcher itself does (trim, clean, `!`).
    pub fn from_patterns<I, P>(patterns: I) -> Result<Self, IgnoreFileError>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let lines = patterns
            .into_iter()
            .enumerate()
            .map(|(i, p)| IgnoreLine {
                pattern: p.as_ref().to_vec(),
                line: i + 1,
            })
            .collect();
        Self::from_lines(lines, None)
    }

    fn from_lines(lines: Vec<IgnoreLine>, file: Option<&Path>) -> Result<Self, IgnoreFileError> {
        let file = file.map(Path::to_path_buf);
        let matcher = PatternMatcher::new(lines.iter().map(|l| &l.pattern)).map_err(|err| {
            let line = lines.get(err.index()).map(|l| l.line);
            IgnoreFileError {
                file: file.clone(),
                line,
                message: err.to_string(),
            }
        })?;
        Ok(Dockerignore {
            file,
            lines,
            matcher,
        })
    }

    /// Reads the ignore file a build of `context_dir` with `dockerfile` would use (see
    /// [`ignore_file_for_build`]); no file means nothing is excluded.
    pub fn load_for_build(
        context_dir: &Path,
        dockerfile: Option<&Path>,
    ) -> Result<Self, IgnoreFileError> {
        let Some(path) = ignore_file_for_build(context_dir, dockerfile) else {
            return Ok(Self::empty());
        };
        let content = std::fs::read(&path).map_err(|err| IgnoreFileError {
            file: Some(path.clone()),
            line: None,
            message: format!("cannot read: {err}"),
        })?;
        Self::parse(&content, Some(&path))
    }

    /// The compiled patterns.
    pub fn matcher(&self) -> &PatternMatcher {
        &self.matcher
    }

    /// The line of kept pattern `i` of the matcher.
    pub fn line_of(&self, i: usize) -> Option<usize> {
        self.lines.get(self.matcher.origin(i)).map(|l| l.line)
    }

    /// The pattern text of kept pattern `i`, as written in the file (with `!`).
    pub fn pattern_text(&self, i: usize) -> String {
        self.lines
            .get(self.matcher.origin(i))
            .map(IgnoreLine::text)
            .unwrap_or_default()
    }

    /// Turns a matcher error into one that names the file and line.
    pub fn locate(&self, err: &PatternError) -> IgnoreFileError {
        IgnoreFileError {
            file: self.file.clone(),
            line: self.lines.get(err.index()).map(|l| l.line),
            message: err.to_string(),
        }
    }

    /// Whether `path` (relative to the context root) is excluded, with upstream's
    /// package-level semantics: the path is cleaned, `.` is never excluded, and a pattern
    /// hits the path or any ancestor (last hit wins).
    pub fn decide(&self, path: &[u8]) -> Result<Decision, IgnoreFileError> {
        self.matcher.is_excluded(path).map_err(|e| self.locate(&e))
    }

    /// Whether `path` is excluded by a real context walk (fsutil): each ancestor directory is
    /// tested first and its results carried down, and an excluded directory that no exception
    /// can reach is not entered at all. This is what decides what a build sends.
    pub fn decide_in_walk(&self, path: &[u8]) -> Result<Decision, IgnoreFileError> {
        let cleaned = go_path::clean(path);
        if cleaned == b"." {
            return Ok(Decision::default());
        }
        let mut info = crate::pattern::MatchInfo::default();
        let components: Vec<usize> = cleaned
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'/')
            .map(|(i, _)| i)
            .collect();
        for &end in &components {
            let dir = &cleaned[..end];
            if dir.is_empty() {
                continue;
            }
            let (decision, next) = self
                .matcher
                .matches_using_parent_results(dir, &info)
                .map_err(|e| self.locate(&e))?;
            if decision.excluded && self.matcher.can_skip_excluded_dir(dir) {
                return Ok(decision);
            }
            info = next;
        }
        let (decision, _) = self
            .matcher
            .matches_using_parent_results(&cleaned, &info)
            .map_err(|e| self.locate(&e))?;
        Ok(decision)
    }
}

/// The ignore file a build uses: `<Dockerfile-name>.dockerignore` beside the Dockerfile if it
/// exists, else `<context>/.dockerignore` if it exists. `dockerfile` defaults to
/// `<context>/Dockerfile`.
///
/// BuildKit reads the per-Dockerfile file from the directory holding the Dockerfile (which
/// need not be inside the context). An empty per-Dockerfile file still takes precedence here,
/// as documented (with a `docker/dockerfile` frontend image an empty file is read as no file;
/// the built-in frontend uses it).
pub fn ignore_file_for_build(context_dir: &Path, dockerfile: Option<&Path>) -> Option<PathBuf> {
    let default_dockerfile = context_dir.join("Dockerfile");
    let dockerfile = dockerfile.unwrap_or(&default_dockerfile);
    if let Some(name) = dockerfile.file_name() {
        let mut ignore_name = name.to_os_string();
        ignore_name.push(DEFAULT_IGNORE_FILE);
        let beside = dockerfile.with_file_name(ignore_name);
        if beside.is_file() {
            return Some(beside);
        }
    }
    let in_context = context_dir.join(DEFAULT_IGNORE_FILE);
    in_context.is_file().then_some(in_context)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(content: &[u8]) -> Vec<String> {
        read_patterns(content)
            .unwrap()
            .iter()
            .map(IgnoreLine::text)
            .collect()
    }

    #[test]
    fn reads_like_upstream() {
        // ignorefile_test.go's case, ending in "! " without a final newline.
        let content = b"test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ";
        assert_eq!(
            texts(content),
            [
                "test1",
                "test2",
                "a/file/here",
                "lastfile",
                "!inverted/abs/path",
                "!",
                "!"
            ]
        );
        assert!(texts(b"").is_empty());
    }

    #[test]
    fn comments_bom_crlf_and_cleaning() {
        assert_eq!(texts(b"\xEF\xBB\xBF# c\r\nfoo\r\n"), ["foo"]);
        assert_eq!(texts(b"x\n\xEF\xBB\xBFfoo\n"), ["x", "\u{FEFF}foo"]);
        assert_eq!(
            texts(b" # not a comment\nfoo # nor this\n"),
            ["# not a comment", "foo # nor this"]
        );
        assert_eq!(
            texts(b"./foo/\na/../b\n/../a\n/\n//\n"),
            ["foo", "b", "a", "/", "/"]
        );
        assert_eq!(texts(b"foo\r\r\n"), ["foo"]);
    }

    #[test]
    fn line_numbers_survive_skipped_lines() {
        let lines = read_patterns(b"# c\n\nfoo\n  \n!bar\n").unwrap();
        assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), [3, 5]);
    }

    #[test]
    fn long_lines_fail_at_go_scanner_limit() {
        let mut ok = vec![b'a'; MAX_LINE - 1];
        ok.push(b'\n');
        assert!(read_patterns(&ok).is_ok());
        assert!(read_patterns(&vec![b'a'; MAX_LINE - 1]).is_ok());
        let mut long = b"x\n".to_vec();
        long.extend(vec![b'a'; MAX_LINE]);
        assert_eq!(read_patterns(&long).unwrap_err().0, 2);
        let mut crlf = vec![b'a'; MAX_LINE - 1];
        crlf.extend_from_slice(b"\r\n");
        assert!(read_patterns(&crlf).is_err());
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = Dockerignore::parse(b"# c\nfoo\n!\n", Some(Path::new("ctx/.dockerignore")))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "ctx/.dockerignore:3: illegal exclusion pattern: \"!\""
        );
        let err = Dockerignore::parse(b"a\n\n[\n", Some(Path::new(".dockerignore"))).unwrap_err();
        assert_eq!(
            err.to_string(),
            ".dockerignore:3: syntax error in pattern `[`"
        );
        let rules = Dockerignore::parse(b"ok\n[Local-Only]/\n", Some(Path::new("f"))).unwrap();
        let err = rules.decide(b"x").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f:2: syntax error in pattern `[Local-Only]`")
        );
    }

    #[test]
    fn decide_cleans_paths_and_never_excludes_root() {
        let rules = Dockerignore::parse(b"**\n", None).unwrap();
        assert!(!rules.decide(b".").unwrap().excluded);
        assert!(!rules.decide(b"./").unwrap().excluded);
        let rules = Dockerignore::parse(b"foo\n", None).unwrap();
        assert!(rules.decide(b"./foo//bar").unwrap().excluded);
    }

    #[test]
    fn walk_decision_carries_parent_results() {
        let rules = Dockerignore::parse(b"a/b\n!a\n", None).unwrap();
        assert!(rules.decide_in_walk(b"a/b").unwrap().excluded);
        assert!(!rules.decide(b"a/b").unwrap().excluded);
        let rules = Dockerignore::parse(b"docs\n!docs/keep\n", None).unwrap();
        assert!(!rules.decide_in_walk(b"docs/keep/x").unwrap().excluded);
        assert!(rules.decide_in_walk(b"docs/other").unwrap().excluded);
    }

    #[test]
    fn per_dockerfile_ignore_file_wins() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = dir.path();
        std::fs::write(ctx.join(".dockerignore"), "a\n").unwrap();
        assert_eq!(
            ignore_file_for_build(ctx, None),
            Some(ctx.join(".dockerignore"))
        );
        std::fs::write(ctx.join("Dockerfile.dockerignore"), "b\n").unwrap();
        assert_eq!(
            ignore_file_for_build(ctx, None),
            Some(ctx.join("Dockerfile.dockerignore"))
        );
        let other = ctx.join("build/Dockerfile2");
        assert_eq!(
            ignore_file_for_build(ctx, Some(&other)),
            Some(ctx.join(".dockerignore"))
        );
        std::fs::create_dir(ctx.join("build")).unwrap();
        std::fs::write(ctx.join("build/Dockerfile2.dockerignore"), "c\n").unwrap();
        assert_eq!(
            ignore_file_for_build(ctx, Some(&other)),
            Some(ctx.join("build/Dockerfile2.dockerignore"))
        );
    }
}
