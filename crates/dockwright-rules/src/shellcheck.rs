//! ShellCheck on RUN scripts, the way hadolint runs it, batched: every script is its own
//! file, and one `shellcheck` process checks a batch of scripts from one or many
//! Dockerfiles (its start-up, about 45 ms, would otherwise dominate).
//!
//! Each script is given to ShellCheck as `#!<shell>`, one `export NAME=1` line per variable
//! the instruction's environment has (ARG and ENV names, plus the proxy variables BuildKit
//! passes to RUN), then the script, so SC2154 stays quiet for them. SC2187 (ash), SC1090
//! and SC1091 (sourced files) are excluded as hadolint excludes them. Scripts run by a shell
//! ShellCheck does not read (PowerShell, cmd, zsh, non-shell interpreters) and files marked
//! `# hadolint shell=powershell` are skipped. Findings are mapped back to the Dockerfile
//! through each script's offset map; ShellCheck's `json1` columns count characters with a
//! tab as one, which is what the map needs.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use dockwright_model::{Model, RunScript, ShellKind};
use dockwright_syntax::Span;
use serde::Deserialize;

use crate::diagnostic::{Category, Diagnostic, Equivalents, Severity};

/// The program run (overridable with `DOCKWRIGHT_SHELLCHECK`).
pub fn program() -> String {
    std::env::var("DOCKWRIGHT_SHELLCHECK").unwrap_or_else(|_| "shellcheck".to_string())
}

/// ShellCheck's version, when it can be run.
pub fn version() -> Option<&'static str> {
    static VERSION: OnceLock<Option<String>> = OnceLock::new();
    VERSION
        .get_or_init(|| {
            let out = Command::new(program()).arg("--version").output().ok()?;
            if !out.status.success() {
                return None;
            }
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.lines()
                .find_map(|l| l.strip_prefix("version:"))
                .map(|v| v.trim().to_string())
        })
        .as_deref()
}

/// Codes hadolint never reports.
pub const EXCLUDED: [&str; 3] = ["SC2187", "SC1090", "SC1091"];

/// Why ShellCheck could not check a file.
#[derive(Debug, thiserror::Error)]
pub enum ShellcheckError {
    /// Writing the scripts or running the program failed.
    #[error("cannot run {program}: {source}")]
    Io {
        /// The program.
        program: String,
        /// The error.
        source: std::io::Error,
    },
    /// The output was not ShellCheck's JSON.
    #[error("unexpected output from {program}: {message}")]
    Output {
        /// The program.
        program: String,
        /// What was wrong.
        message: String,
    },
}

/// One script prepared for ShellCheck: its text with the header, and what is needed to
/// map findings back to the Dockerfile.
#[derive(Debug, Clone)]
pub struct Job {
    /// The file text ShellCheck reads (shebang, exports, script).
    text: String,
    /// Lines before the script (shebang and exports).
    header_lines: usize,
    /// The script as it appears in the RUN.
    script: String,
    /// The script's map back to the Dockerfile.
    map: dockwright_syntax::OffsetMap,
}

#[derive(Deserialize)]
struct Output {
    comments: Vec<Comment>,
}

/// One ShellCheck finding, as its `json1` output gives it.
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    file: String,
    line: usize,
    #[serde(rename = "endLine")]
    end_line: usize,
    column: usize,
    #[serde(rename = "endColumn")]
    end_column: usize,
    level: String,
    code: u32,
    message: String,
}

/// Whether ShellCheck reads scripts of this shell.
fn supported(kind: &ShellKind) -> bool {
    matches!(
        kind,
        ShellKind::Sh | ShellKind::Bash | ShellKind::Dash | ShellKind::Ash | ShellKind::Ksh
    )
}

/// The shebang for a script: the program ShellCheck should assume.
fn shebang(script: &RunScript) -> String {
    let program = script.shell.first().map_or("/bin/sh", String::as_str);
    if program.ends_with("/env") {
        return format!("#!{}", script.shell.join(" "));
    }
    match script.kind {
        // Busybox's ash reads as sh for ShellCheck (hadolint excludes SC2187 for this).
        ShellKind::Ash => "#!/bin/sh".to_string(),
        _ => format!("#!{program}"),
    }
}

/// The ShellCheck jobs of one file: every shell script of every RUN (ONBUILD RUN
/// included), in file order. `shell_pragma` is `# hadolint shell=...`.
pub fn jobs(model: &Model, shell_pragma: Option<&str>) -> Vec<Job> {
    if shell_pragma.is_some_and(|s| !ShellKind::from_program(s).is_posix()) {
        return Vec::new();
    }
    let proxies: Vec<String> = dockwright_syntax::scope::PROXY_ARGS
        .iter()
        .flat_map(|p| [p.to_string(), p.to_ascii_lowercase()])
        .collect();
    let mut jobs = Vec::new();
    for facts in &model.instructions {
        let Some(run) = &facts.run else { continue };
        let mut names: BTreeSet<&str> = model
            .envs
            .get(facts.env)
            .map(|env| env.names().collect())
            .unwrap_or_default();
        names.extend(proxies.iter().map(String::as_str));
        for script in &run.scripts {
            if !supported(&script.kind) || script.text.trim().is_empty() {
                continue;
            }
            let mut text = shebang(script);
            text.push('\n');
            let mut header_lines = 1;
            for name in names.iter().filter(|n| is_shell_name(n)) {
                text.push_str("export ");
                text.push_str(name);
                text.push_str("=1\n");
                header_lines += 1;
            }
            text.push_str(&script.text);
            jobs.push(Job {
                text,
                header_lines,
                script: script.text.clone(),
                map: script.map.clone(),
            });
        }
    }
    jobs
}

/// Runs ShellCheck over `jobs` in one process; returns each finding with the index of its
/// job.
pub fn run(jobs: &[&Job]) -> Result<Vec<(usize, Comment)>, ShellcheckError> {
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let program = program();
    let io = |source| ShellcheckError::Io {
        program: program.clone(),
        source,
    };
    let dir = tempfile::tempdir().map_err(io)?;
    let mut files = Vec::with_capacity(jobs.len());
    for (i, job) in jobs.iter().enumerate() {
        let file = dir.path().join(format!("{i}.sh"));
        let mut f = std::fs::File::create(&file).map_err(io)?;
        f.write_all(job.text.as_bytes()).map_err(io)?;
        files.push(file);
    }
    let out = Command::new(&program)
        .arg("--norc")
        .arg("--format=json1")
        .arg(format!("--exclude={}", EXCLUDED.join(",")))
        .args(&files)
        .stdin(Stdio::null())
        .output()
        .map_err(io)?;
    // Exit 0: no findings; 1: findings; anything else: ShellCheck failed.
    if !matches!(out.status.code(), Some(0 | 1)) {
        return Err(ShellcheckError::Output {
            program,
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    let output: Output =
        serde_json::from_slice(&out.stdout).map_err(|e| ShellcheckError::Output {
            program: program.clone(),
            message: e.to_string(),
        })?;
    Ok(output
        .comments
        .into_iter()
        .filter_map(|c| {
            let index = std::path::Path::new(&c.file)
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse::<usize>().ok())?;
            (index < jobs.len()).then_some((index, c))
        })
        .collect())
}

/// Splits jobs into batches for separate ShellCheck processes: few enough that process
/// start-up does not dominate, enough to keep every core busy.
pub fn batches<T>(jobs: &[T], weight: impl Fn(&T) -> usize) -> Vec<std::ops::Range<usize>> {
    const MAX_JOBS: usize = 64;
    const MAX_BYTES: usize = 64 * 1024;
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, job) in jobs.iter().enumerate() {
        if i > start && (i - start >= MAX_JOBS || bytes >= MAX_BYTES) {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += weight(job);
    }
    if start < jobs.len() {
        out.push(start..jobs.len());
    }
    out
}

impl Job {
    /// Bytes of script text, to balance batches.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether the job has no text.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The finding as a diagnostic of the Dockerfile at `path`, positions through `index`
    /// (the Dockerfile's line index) over `source`.
    pub fn diagnostic(
        &self,
        comment: Comment,
        path: &str,
        source: &str,
        index: &dockwright_syntax::LineIndex,
    ) -> Option<Diagnostic> {
        let span = self.span(&comment)?;
        let start = index.position(source.as_bytes(), span.start);
        let end = index.position(source.as_bytes(), span.end);
        let code = format!("SC{}", comment.code);
        let severity = match comment.level.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            _ => Severity::Style,
        };
        Some(Diagnostic {
            file: path.to_string(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            start: span.start,
            end: span.end,
            equivalents: Equivalents {
                hadolint: Some(code.clone()),
                buildkit: None,
            },
            code,
            name: "shellcheck".to_string(),
            category: if severity == Severity::Style {
                Category::Style
            } else {
                Category::Correctness
            },
            severity,
            message: comment.message,
            fix: None,
            evidence: Vec::new(),
        })
    }

    /// The file span of a finding: ShellCheck's line/column (1-based, characters) in the
    /// script file, minus the header, through the script's offset map.
    fn span(&self, c: &Comment) -> Option<Span> {
        let start = self.offset(c.line, c.column)?;
        let end = self
            .offset(c.end_line, c.end_column)
            .unwrap_or(start)
            .max(start);
        Some(self.map.to_file_span(start, end))
    }

    fn offset(&self, line: usize, column: usize) -> Option<usize> {
        let line = line.checked_sub(self.header_lines + 1)?;
        let text = &self.script;
        let line_start = if line == 0 {
            0
        } else {
            text.match_indices('\n').nth(line - 1)?.0 + 1
        };
        let rest = &text[line_start..];
        let within = rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i);
        Some(line_start + within)
    }
}

fn is_shell_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
