//! Suppression written in the Dockerfile: dockwright's and hadolint's ignore pragmas and
//! BuildKit's `check` directive.
//!
//! | comment | scope |
//! | --- | --- |
//! | `# dockwright ignore=CODE[,CODE]` / `# hadolint ignore=...` | the next instruction |
//! | `# dockwright global ignore=...` / `# hadolint global ignore=...` | the whole file, wherever written |
//! | `# dockwright stage ignore=...` / `# hadolint stage ignore=...` above a `FROM` | that stage |
//! | `# check=skip=A,B\|all;error=true` parser directive | the file (BuildKit checks) |
//! | `# check=skip=A,B` above an instruction (above a `FROM`: its stage) | there |
//! | `# hadolint shell=NAME` | the shell ShellCheck and shell rules assume |
//!
//! Codes may be dockwright codes or names, hadolint codes, BuildKit check names or SC codes;
//! a finding is suppressed when any of its names is listed. An ignore pragma applies when it
//! is in the block of comment lines directly above the instruction; a trailing `# reason`
//! is allowed. A `check` comment applies from anywhere between the previous instruction and
//! this one (BuildKit keeps the comments before an instruction until a bare `#`).
//! `skip=all` skips every finding that has a BuildKit equivalent; `error=true` makes those
//! findings errors.

use dockwright_syntax::{DirectiveKind, Dockerfile, InstructionKind, Item, LineKind};

use crate::diagnostic::Diagnostic;

/// A set of codes from pragmas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeSet {
    codes: Vec<String>,
    /// `check=skip=all`: every finding with a BuildKit equivalent.
    buildkit_all: bool,
}

impl CodeSet {
    fn extend(&mut self, codes: impl IntoIterator<Item = String>) {
        self.codes.extend(codes);
    }

    /// Whether the set suppresses `diagnostic`.
    pub fn suppresses(&self, diagnostic: &Diagnostic) -> bool {
        (self.buildkit_all && diagnostic.equivalents.buildkit.is_some())
            || self.codes.iter().any(|c| diagnostic.is_known_as(c))
    }

    fn is_empty(&self) -> bool {
        self.codes.is_empty() && !self.buildkit_all
    }
}

/// BuildKit's `check` options (file directive or per-instruction comment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// `skip=`.
    pub skip: CodeSet,
    /// `error=true`.
    pub error: bool,
}

/// Reads a `check` value (`skip=A,B;error=true`) the way BuildKit's `ParseLintOptions`
/// does: at most three `;`-separated `key=value` parts; `experimental=` is accepted and
/// has no effect here. An invalid value is ignored as a whole, as BuildKit ignores it for
/// comments (and fails the build for the directive).
pub fn parse_check_options(value: &str) -> Option<CheckOptions> {
    let value = value.trim();
    let mut options = CheckOptions::default();
    if value.is_empty() {
        return Some(options);
    }
    for part in value.splitn(3, ';') {
        let (key, v) = part.split_once('=')?;
        let v = v.trim();
        match key.trim() {
            "skip" => {
                if v == "all" {
                    options.skip.buildkit_all = true;
                } else {
                    options.skip.extend(
                        v.split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty()),
                    );
                }
            }
            "error" => {
                options.error = match v {
                    "1" | "t" | "T" | "TRUE" | "true" | "True" => true,
                    "0" | "f" | "F" | "FALSE" | "false" | "False" => false,
                    _ => return None,
                }
            }
            "experimental" => {}
            _ => return None,
        }
    }
    Some(options)
}

/// What an ignore pragma comment says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pragma {
    Ignore(Vec<String>),
    GlobalIgnore(Vec<String>),
    StageIgnore(Vec<String>),
    Shell(String),
    Check(CheckOptions),
}

/// Reads one comment line (with its `#`).
fn parse_pragma(comment: &str) -> Option<Pragma> {
    let body = comment.trim_start().strip_prefix('#')?.trim_start();
    if let Some(rest) = body.strip_prefix("check") {
        // BuildKit's directive syntax: `check=VALUE`, the value ending at the first space.
        let value = rest.trim_start().strip_prefix('=')?;
        let value = value.trim_start().split(' ').next().unwrap_or("");
        return parse_check_options(value).map(Pragma::Check);
    }
    let rest = body
        .strip_prefix("hadolint")
        .or_else(|| body.strip_prefix("dockwright"))?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    if let Some(shell) = rest.strip_prefix("shell") {
        let name = shell
            .trim_start()
            .strip_prefix('=')?
            .split_whitespace()
            .next()?;
        return Some(Pragma::Shell(name.to_string()));
    }
    let (kind, rest): (fn(Vec<String>) -> Pragma, &str) = if let Some(r) = word(rest, "global") {
        (Pragma::GlobalIgnore, r)
    } else if let Some(r) = word(rest, "stage") {
        (Pragma::StageIgnore, r)
    } else {
        (Pragma::Ignore, rest)
    };
    let list = rest
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('=')?;
    // A trailing `# reason` ends the list.
    let list = list.split('#').next().unwrap_or("");
    let codes: Vec<String> = list
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if codes.is_empty() || codes.iter().any(|c| c.contains(char::is_whitespace)) {
        return None;
    }
    Some(kind(codes))
}

/// Whether a comment line (with its `#`) is an inline ignore pragma
/// (`# hadolint ignore=...` / `# dockwright ignore=...`), not a global or stage one.
pub fn is_inline_ignore_pragma(comment: &str) -> bool {
    matches!(parse_pragma(comment), Some(Pragma::Ignore(_)))
}

fn word<'s>(text: &'s str, w: &str) -> Option<&'s str> {
    let rest = text.strip_prefix(w)?;
    rest.starts_with([' ', '\t']).then(|| rest.trim_start())
}

/// Every suppression a file declares, by scope.
#[derive(Debug, Clone, Default)]
pub struct Pragmas {
    /// Ignore pragmas for the whole file.
    pub global: CodeSet,
    /// Per instruction (by index): ignore pragmas directly above it.
    pub instruction: Vec<CodeSet>,
    /// Per stage (by index): `stage ignore` pragmas above its `FROM`.
    pub stage: Vec<CodeSet>,
    /// The file's `# check=` directive (and `BUILDKIT_DOCKERFILE_CHECK`).
    pub check: CheckOptions,
    /// Per instruction: `# check=skip=` comments above it.
    pub check_instruction: Vec<CodeSet>,
    /// Per stage: `# check=skip=` comments above its `FROM`.
    pub check_stage: Vec<CodeSet>,
    /// `# hadolint shell=...`.
    pub shell: Option<String>,
    /// How many ignore pragmas the file has (hadolint DL1001 counts them).
    pub count: usize,
}

impl Pragmas {
    /// Reads the pragmas of a file. `build_check` is the `BUILDKIT_DOCKERFILE_CHECK`
    /// build arg, which BuildKit reads like the directive.
    pub fn collect(doc: &Dockerfile<'_>, build_check: Option<&str>) -> Pragmas {
        let count = doc.instructions().len();
        let mut pragmas = Pragmas {
            instruction: vec![CodeSet::default(); count],
            check_instruction: vec![CodeSet::default(); count],
            ..Pragmas::default()
        };
        for value in [
            doc.directive(DirectiveKind::Check).map(|v| v.into_owned()),
            build_check.map(str::to_string),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(options) = parse_check_options(&value) {
                pragmas.check.error |= options.error;
                pragmas.check.skip.buildkit_all |= options.skip.buildkit_all;
                pragmas.check.skip.extend(options.skip.codes);
            }
        }
        // Comments since the previous instruction: (pragma, directly above?).
        let mut pending: Vec<Pragma> = Vec::new();
        let mut adjacent: Vec<Pragma> = Vec::new();
        let mut stage = None::<usize>;
        let mut stages = 0usize;
        for item in doc.items() {
            match item {
                Item::Line(line) => match line.kind {
                    LineKind::Comment => {
                        let text = doc.text(line.content);
                        if text.trim_start_matches('#').trim().is_empty() {
                            pending.clear();
                            adjacent.clear();
                            continue;
                        }
                        if let Some(p) = parse_pragma(&text) {
                            match p {
                                Pragma::GlobalIgnore(codes) => {
                                    pragmas.count += 1;
                                    pragmas.global.extend(codes);
                                }
                                Pragma::Shell(name) => pragmas.shell = Some(name),
                                other => {
                                    pending.push(other.clone());
                                    adjacent.push(other);
                                }
                            }
                        }
                    }
                    LineKind::Blank => adjacent.clear(),
                    _ => {}
                },
                Item::Instruction(index) => {
                    let index = *index;
                    let is_from = doc
                        .instructions()
                        .get(index)
                        .is_some_and(|i| i.kind() == InstructionKind::From);
                    if is_from {
                        stage = Some(stages);
                        stages += 1;
                        pragmas.stage.push(CodeSet::default());
                        pragmas.check_stage.push(CodeSet::default());
                    }
                    for pragma in adjacent.drain(..) {
                        match pragma {
                            Pragma::Ignore(codes) => {
                                pragmas.count += 1;
                                if let Some(set) = pragmas.instruction.get_mut(index) {
                                    set.extend(codes);
                                }
                            }
                            Pragma::StageIgnore(codes) if is_from => {
                                pragmas.count += 1;
                                if let Some(set) = stage.and_then(|s| pragmas.stage.get_mut(s)) {
                                    set.extend(codes);
                                }
                            }
                            _ => {}
                        }
                    }
                    for pragma in pending.drain(..) {
                        if let Pragma::Check(options) = pragma {
                            let target = if is_from {
                                stage.and_then(|s| pragmas.check_stage.get_mut(s))
                            } else {
                                pragmas.check_instruction.get_mut(index)
                            };
                            if let Some(set) = target {
                                set.buildkit_all |= options.skip.buildkit_all;
                                set.extend(options.skip.codes);
                            }
                        }
                    }
                }
            }
        }
        pragmas
    }

    /// Whether `diagnostic`, found in instruction `instruction` of stage `stage`, is
    /// suppressed. `ignore_pragmas` is false under `disable-ignore-pragma` (the `check`
    /// directive still applies: it is BuildKit's own configuration).
    pub fn suppresses(
        &self,
        diagnostic: &Diagnostic,
        instruction: Option<usize>,
        stage: Option<usize>,
        ignore_pragmas: bool,
    ) -> bool {
        let at = |sets: &[CodeSet], i: Option<usize>| {
            i.and_then(|i| sets.get(i))
                .is_some_and(|s| !s.is_empty() && s.suppresses(diagnostic))
        };
        if self.check.skip.suppresses(diagnostic)
            || at(&self.check_instruction, instruction)
            || at(&self.check_stage, stage)
        {
            return true;
        }
        ignore_pragmas
            && (self.global.suppresses(diagnostic)
                || at(&self.instruction, instruction)
                || at(&self.stage, stage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pragma_grammar() {
        assert_eq!(
            parse_pragma("# hadolint ignore=DL3008, DL3009 # apt pins drift"),
            Some(Pragma::Ignore(vec!["DL3008".into(), "DL3009".into()]))
        );
        assert_eq!(
            parse_pragma("#dockwright global ignore=apt-no-install-recommends"),
            Some(Pragma::GlobalIgnore(vec![
                "apt-no-install-recommends".into()
            ]))
        );
        assert_eq!(
            parse_pragma("# hadolint stage ignore=DL3002"),
            Some(Pragma::StageIgnore(vec!["DL3002".into()]))
        );
        assert_eq!(
            parse_pragma("# hadolint shell=powershell"),
            Some(Pragma::Shell("powershell".into()))
        );
        assert!(matches!(
            parse_pragma("# check=skip=JSONArgsRecommended // reason"),
            Some(Pragma::Check(c)) if c.skip.codes == ["JSONArgsRecommended"]
        ));
        for not_one in [
            "# hadolintignore=DL1",
            "# ignore=DL3008",
            "# hadolint ignore=",
            "# just a comment",
        ] {
            assert_eq!(parse_pragma(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn check_options_like_buildkit() {
        let c = parse_check_options("skip=A, B;error=true").unwrap();
        assert_eq!(c.skip.codes, ["A", "B"]);
        assert!(c.error);
        assert!(parse_check_options("skip=all").unwrap().skip.buildkit_all);
        assert!(parse_check_options("bogus=1").is_none());
        assert!(parse_check_options("error=maybe").is_none());
        assert_eq!(parse_check_options(""), Some(CheckOptions::default()));
    }

    #[test]
    fn scopes() {
        let src = "\
# check=skip=StageNameCasing
# hadolint global ignore=DL3007
FROM a AS one
# hadolint ignore=DL3003
RUN cd /x
# hadolint ignore=DL3004

RUN sudo x
# hadolint stage ignore=DL3002
FROM b
# check=skip=JSONArgsRecommended
CMD x
";
        let doc = dockwright_syntax::parse(src).unwrap();
        let p = Pragmas::collect(&doc, None);
        assert_eq!(p.check.skip.codes, ["StageNameCasing"]);
        assert_eq!(p.global.codes, ["DL3007"]);
        assert_eq!(p.instruction[1].codes, ["DL3003"]);
        assert!(
            p.instruction[2].is_empty(),
            "a blank line separates the pragma"
        );
        assert_eq!(p.stage[1].codes, ["DL3002"]);
        assert_eq!(p.check_instruction[4].codes, ["JSONArgsRecommended"]);
        assert_eq!(p.count, 3);
    }
}
