//! What a `RUN` runs: its mounts and the shell scripts it hands to a shell, each with the map
//! from script bytes back to the Dockerfile.
//!
//! A RUN yields scripts in these shapes (BuildKit's `dispatchRun`):
//!
//! - shell form without heredocs: the command line, run by the stage's `SHELL`;
//! - `RUN <<EOF` (a single heredoc and nothing else): the heredoc body, run by the stage's
//!   shell, or by the interpreter of its `#!` line when it has one;
//! - shell form with heredocs (`RUN cat <<EOF >/f`, `RUN bash <<EOF`, `RUN python3 <<EOF`):
//!   the command line, a newline, then every heredoc body and terminator, run by the stage's
//!   shell (so `bash <<EOF` feeds the body to bash on standard input; the shell parser sees
//!   that body as a nested script);
//! - exec form `["sh", "-c", "script"]` (any shell, options before `-c` allowed): the string
//!   after `-c`, run by that shell.
//!
//! Exec form that runs no shell yields no script.

use dockwright_shell::{ParseOptions, Pipeline, Script, ShellOptions, SimpleCommand};
use dockwright_syntax::mount::{Mount, MountType};
use dockwright_syntax::{CommandForm, Heredoc, OffsetMap, Segment, Span, Word};
use serde::Serialize;

use crate::effects::RunEffects;
use crate::path;

/// A shell, by the base name of the program that runs a script.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "name")]
pub enum ShellKind {
    /// `sh` (POSIX; what `/bin/sh` is depends on the image: dash, busybox ash, bash).
    Sh,
    /// `bash`
    Bash,
    /// `dash`
    Dash,
    /// `ash` (busybox)
    Ash,
    /// `ksh`, `mksh`
    Ksh,
    /// `zsh`
    Zsh,
    /// `pwsh`, `powershell`
    PowerShell,
    /// `cmd`, `cmd.exe`
    Cmd,
    /// Anything else (`python3`, `node`, ...), by base name.
    Other(String),
}

impl ShellKind {
    /// The shell that a program path or name runs (`/usr/bin/bash` → bash).
    pub fn from_program(program: &str) -> Self {
        let base = program.rsplit(['/', '\\']).next().unwrap_or(program);
        let base = base.strip_suffix(".exe").unwrap_or(base);
        match base.to_ascii_lowercase().as_str() {
            "sh" => ShellKind::Sh,
            "bash" => ShellKind::Bash,
            "dash" => ShellKind::Dash,
            "ash" | "busybox" => ShellKind::Ash,
            "ksh" | "mksh" | "ksh93" => ShellKind::Ksh,
            "zsh" => ShellKind::Zsh,
            "pwsh" | "powershell" => ShellKind::PowerShell,
            "cmd" => ShellKind::Cmd,
            _ => ShellKind::Other(base.to_string()),
        }
    }

    /// Whether the shell reads POSIX shell syntax (sh, bash, dash, ash, ksh, zsh).
    pub fn is_posix(&self) -> bool {
        !matches!(
            self,
            ShellKind::PowerShell | ShellKind::Cmd | ShellKind::Other(_)
        )
    }

    /// Whether `set -o pipefail` exists in this shell. `sh` counts: dash has it since
    /// 0.5.11 and busybox ash always had it, but whether the image's `/bin/sh` has it is
    /// not known from the Dockerfile.
    pub fn has_pipefail(&self) -> bool {
        matches!(
            self,
            ShellKind::Bash | ShellKind::Ash | ShellKind::Ksh | ShellKind::Zsh
        )
    }
}

/// Where a script comes from inside its RUN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScriptOrigin {
    /// The shell-form command line.
    CommandLine,
    /// The command line with its heredocs reattached (BuildKit reconstitutes these).
    CommandWithHeredocs,
    /// The body of `RUN <<EOF`.
    HeredocBody,
    /// The string after `-c` in an exec-form shell call.
    ExecShellArgument,
}

/// One script a RUN hands to a shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunScript {
    /// The script text.
    pub text: String,
    /// Every byte of `text` back to its file offset.
    pub map: OffsetMap,
    /// Where it came from.
    pub origin: ScriptOrigin,
    /// The program and options that run it (`["/bin/sh", "-c"]`, the stage's `SHELL`, a
    /// shebang line's words, or the exec-form words before the script).
    pub shell: Vec<String>,
    /// Which shell that is.
    pub kind: ShellKind,
    /// The script parsed into commands (with options from `shell`), when `kind` is a POSIX
    /// shell.
    pub parsed: Option<Script>,
}

impl RunScript {
    /// The file span of a span of the parsed script.
    pub fn span_in_file(&self, span: dockwright_shell::Span) -> Span {
        self.map.to_file_span(span.start, span.end)
    }

    /// Every simple command of the parsed script, nested ones included, in text order.
    pub fn commands(&self) -> Vec<&SimpleCommand> {
        self.parsed
            .as_ref()
            .map(Script::commands)
            .unwrap_or_default()
    }

    /// Every pipeline of the parsed script, nested ones included.
    pub fn pipelines(&self) -> Vec<&Pipeline> {
        self.parsed
            .as_ref()
            .map(Script::pipelines)
            .unwrap_or_default()
    }

    /// The file span of a byte range of the script.
    pub fn file_span(&self, start: usize, end: usize) -> Span {
        self.map.to_file_span(start, end)
    }

    /// Whether the shell is started with `-o pipefail` (or bash's `-eo pipefail` style
    /// combined option words).
    pub fn shell_sets_pipefail(&self) -> bool {
        let mut words = self.shell.iter().skip(1);
        while let Some(word) = words.next() {
            let is_o = word.starts_with('-') && !word.starts_with("--") && word.ends_with('o');
            if is_o && words.next().is_some_and(|w| w == "pipefail") {
                return true;
            }
        }
        false
    }
}

/// A `--mount` of a RUN with its values expanded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MountFact {
    /// The parsed mount (values as BuildKit expands them).
    #[serde(flatten)]
    pub mount: Mount,
    /// The whole `--mount=...` flag in the file.
    pub span: Span,
}

/// The mounts, network, security mode and scripts of one RUN (or ONBUILD RUN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunFacts {
    /// Valid `--mount` flags, in order.
    pub mounts: Vec<MountFact>,
    /// `--network` value.
    pub network: Option<String>,
    /// `--security` value.
    pub security: Option<String>,
    /// Written in exec (JSON) form.
    pub exec: bool,
    /// The scripts a shell runs (see the [module documentation](self)).
    pub scripts: Vec<RunScript>,
    /// The interpreter that reads a heredoc on standard input (`python3` in
    /// `RUN python3 <<EOF`), when the command line is one.
    pub stdin_interpreter: Option<String>,
    /// What the scripts do: packages, caches, removals, downloads, users.
    pub effects: RunEffects,
}

impl RunFacts {
    /// Whether a cache or tmpfs mount covers `path` (the mount's target is `path` or one of
    /// its parents), so what the command writes there never reaches the image.
    pub fn mount_covers(&self, path: &str) -> bool {
        self.mounts.iter().any(|m| {
            matches!(m.mount.kind, MountType::Cache | MountType::Tmpfs)
                && m.mount
                    .target
                    .as_deref()
                    .is_some_and(|t| path::is_within(path, t))
        })
    }

    /// Mounts of a given type.
    pub fn mounts_of(&self, kind: MountType) -> impl Iterator<Item = &MountFact> {
        self.mounts.iter().filter(move |m| m.mount.kind == kind)
    }
}

/// Builds the facts of a RUN. `shell` is the stage's `SHELL` in effect; `expand` expands a
/// mount field in the RUN's environment.
pub(crate) fn run_facts(
    source: &str,
    command: dockwright_syntax::CommandRef<'_, '_>,
    shell: &[String],
    home: &str,
    expand: &mut dyn FnMut(&str) -> String,
) -> Option<RunFacts> {
    let run = command.as_run()?;
    let mounts = run
        .mounts
        .iter()
        .filter_map(|flag| {
            let mut mount = flag.mount.clone().ok()?;
            for field in [
                &mut mount.target,
                &mut mount.source,
                &mut mount.from,
                &mut mount.id,
            ]
            .into_iter()
            .flatten()
            {
                if field.contains('$') {
                    *field = expand(field);
                }
            }
            Some(MountFact {
                mount,
                span: flag.span,
            })
        })
        .collect();
    let mut facts = RunFacts {
        mounts,
        network: run.network.map(|w| w.text.into_owned()),
        security: run.security.map(|w| w.text.into_owned()),
        exec: run.form.is_exec(),
        scripts: Vec::new(),
        stdin_interpreter: None,
        effects: RunEffects::default(),
    };
    let default_kind = shell
        .first()
        .map_or(ShellKind::Sh, |p| ShellKind::from_program(p));
    match &run.form {
        CommandForm::Shell(script) => {
            let heredocs = run.heredocs;
            if heredocs.is_empty() {
                facts.scripts.push(RunScript {
                    text: script.text.to_string(),
                    map: script.map.clone(),
                    origin: ScriptOrigin::CommandLine,
                    shell: shell.to_vec(),
                    kind: default_kind,
                    parsed: None,
                });
            } else if let Some(heredoc) = bare_heredoc(source, &script.text, heredocs) {
                facts.scripts.push(heredoc_script(source, heredoc, shell));
            } else {
                facts.stdin_interpreter = stdin_interpreter(&script.text);
                facts.scripts.push(reconstituted(
                    source,
                    &script.text,
                    &script.map,
                    heredocs,
                    shell,
                    default_kind,
                ));
            }
        }
        CommandForm::Exec(words) => {
            if let Some(script) = exec_shell_script(source, words) {
                facts.scripts.push(script);
            }
        }
    }
    for script in &mut facts.scripts {
        if script.kind.is_posix() {
            let options = ParseOptions {
                shell_options: ShellOptions::from_shell_arguments(
                    script.shell.get(1..).unwrap_or_default(),
                ),
                ..ParseOptions::default()
            };
            script.parsed = Some(dockwright_shell::parse(&script.text, &options));
        }
    }
    facts.effects = RunEffects::of(&facts, home);
    Some(facts)
}

/// The heredoc when the command line is nothing but its `<<EOF` word.
fn bare_heredoc<'h>(source: &str, text: &str, heredocs: &'h [Heredoc]) -> Option<&'h Heredoc> {
    let [heredoc] = heredocs else { return None };
    let word = source.get(heredoc.word.start..heredoc.word.end)?;
    (text.trim() == word.trim()).then_some(heredoc)
}

fn heredoc_script(source: &str, heredoc: &Heredoc, shell: &[String]) -> RunScript {
    let body = source
        .get(heredoc.body.start..heredoc.body.end)
        .unwrap_or("");
    let shebang: Option<Vec<String>> = body
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("#!"))
        .map(|l| l.split_whitespace().map(str::to_string).collect());
    let (shell, kind) = match shebang {
        Some(words) if !words.is_empty() => {
            // `#!/usr/bin/env bash` names the shell in its second word.
            let program = match words.first().map(String::as_str) {
                Some(p) if p.ends_with("/env") => words.get(1).cloned().unwrap_or_default(),
                Some(p) => p.to_string(),
                None => String::new(),
            };
            let kind = ShellKind::from_program(&program);
            (words, kind)
        }
        _ => (
            shell.to_vec(),
            shell
                .first()
                .map_or(ShellKind::Sh, |p| ShellKind::from_program(p)),
        ),
    };
    RunScript {
        text: body.to_string(),
        map: contiguous(heredoc.body.start, body.len()),
        origin: ScriptOrigin::HeredocBody,
        shell,
        kind,
        parsed: None,
    }
}

fn reconstituted(
    source: &str,
    text: &str,
    map: &OffsetMap,
    heredocs: &[Heredoc],
    shell: &[String],
    kind: ShellKind,
) -> RunScript {
    let mut out = text.to_string();
    let mut segments: Vec<Segment> = map.segments().to_vec();
    // The newline BuildKit inserts after the command line stands for the line ending that
    // ends it in the file.
    let after_command = map.to_file(text.len());
    let eol = source
        .get(after_command..)
        .and_then(|rest| rest.find('\n'))
        .map_or(after_command, |i| after_command + i);
    for heredoc in heredocs {
        push_synthetic(&mut out, &mut segments, '\n', eol);
        let body = source
            .get(heredoc.body.start..heredoc.body.end)
            .unwrap_or("");
        segments.push(Segment {
            text_offset: out.len(),
            file_offset: heredoc.body.start,
            len: body.len(),
        });
        out.push_str(body);
        let terminator = source
            .get(heredoc.terminator.start..heredoc.terminator.end)
            .unwrap_or("")
            .trim_end_matches(['\r', '\n']);
        segments.push(Segment {
            text_offset: out.len(),
            file_offset: heredoc.terminator.start,
            len: terminator.len(),
        });
        out.push_str(terminator);
    }
    RunScript {
        text: out,
        map: OffsetMap::new(segments),
        origin: ScriptOrigin::CommandWithHeredocs,
        shell: shell.to_vec(),
        kind,
        parsed: None,
    }
}

fn push_synthetic(out: &mut String, segments: &mut Vec<Segment>, c: char, file_offset: usize) {
    segments.push(Segment {
        text_offset: out.len(),
        file_offset,
        len: c.len_utf8(),
    });
    out.push(c);
}

/// `python3` for `python3 <<EOF`, `bash` for `bash -e <<EOF`: the program of a command
/// line whose heredoc is its standard input.
fn stdin_interpreter(text: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    let program = words.next()?;
    if program.starts_with("<<") {
        return None;
    }
    let feeds_stdin = words
        .take_while(|w| !matches!(*w, "|" | "&&" | "||" | ";" | ">" | ">>"))
        .any(|w| w.starts_with("<<") && !w.starts_with("<<<"));
    feeds_stdin.then(|| program.rsplit('/').next().unwrap_or(program).to_string())
}

/// The script of `["sh", "-c", "script"]` (options allowed before `-c`).
fn exec_shell_script(source: &str, words: &[Word<'_>]) -> Option<RunScript> {
    let program = words.first()?;
    let kind = ShellKind::from_program(&program.text);
    if !kind.is_posix() {
        return None;
    }
    let c_at = words.iter().skip(1).position(|w| {
        let t = w.text.as_ref();
        t.starts_with('-') && !t.starts_with("--") && t.ends_with('c')
    })? + 1;
    let script = words.get(c_at + 1)?;
    Some(RunScript {
        text: script.text.to_string(),
        map: json_string_map(source, script),
        origin: ScriptOrigin::ExecShellArgument,
        shell: words[..=c_at].iter().map(|w| w.text.to_string()).collect(),
        kind,
        parsed: None,
    })
}

/// Maps a decoded JSON string back to the file: unescaped runs one to one, each escape
/// sequence's decoded bytes to its backslash.
fn json_string_map(source: &str, word: &Word<'_>) -> OffsetMap {
    let raw = source.get(word.span.start..word.span.end).unwrap_or("");
    let (inner, inner_start) = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => (inner, word.span.start + 1),
        None => (raw, word.span.start),
    };
    if inner == word.text {
        return contiguous(inner_start, inner.len());
    }
    let mut segments = Vec::new();
    let mut text_offset = 0;
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            let (raw_len, decoded_len) = match bytes.get(i + 1) {
                Some(b'u') => {
                    let code = inner
                        .get(i + 2..i + 6)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32);
                    (6, code.map_or(3, char::len_utf8))
                }
                Some(_) => (2, 1),
                None => (1, 0),
            };
            for k in 0..decoded_len {
                segments.push(Segment {
                    text_offset: text_offset + k,
                    file_offset: inner_start + i,
                    len: 1,
                });
            }
            text_offset += decoded_len;
            i += raw_len;
        } else {
            let run_end = memchr_backslash(bytes, i);
            segments.push(Segment {
                text_offset,
                file_offset: inner_start + i,
                len: run_end - i,
            });
            text_offset += run_end - i;
            i = run_end;
        }
    }
    OffsetMap::new(segments)
}

fn memchr_backslash(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\\')
        .map_or(bytes.len(), |p| from + p)
}

fn contiguous(file_offset: usize, len: usize) -> OffsetMap {
    OffsetMap::new(vec![Segment {
        text_offset: 0,
        file_offset,
        len,
    }])
}
