//! Linting one file: parse, build the model, run the selected rules (and ShellCheck), then
//! apply suppressions and severity overrides.

use dockwright_model::Model;
use dockwright_syntax::{Dockerfile, Span};
use serde::Serialize;

use rayon::prelude::*;

use crate::build_context::{ContextRequest, LazyContext};
use crate::checker::{Checker, make_diagnostic};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::info::RuleInfo;
use crate::registry;
use crate::settings::Settings;
use crate::shellcheck;
use crate::suppression::Pragmas;

/// The pseudo-rule of files that do not parse.
pub const PARSE_ERROR: RuleInfo = RuleInfo {
    code: "parse-error",
    name: "parse-error",
    category: Category::Correctness,
    severity: Severity::Error,
    summary: "The Dockerfile does not parse: BuildKit rejects it.",
    doc: "The Dockerfile does not parse: BuildKit rejects it.\n\nThe message gives BuildKit's reason and the position. Nothing else is checked in a file that does not parse.\n",
    hadolint: Some("DL1000"),
    buildkit: None,
    fix: None,
    opt_in: false,
};

/// What linting one file found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileReport {
    /// The path as given.
    pub path: String,
    /// Findings, sorted by position then code.
    pub diagnostics: Vec<Diagnostic>,
    /// Problems that did not stop the lint (ShellCheck failed to run, ...).
    pub warnings: Vec<String>,
}

impl FileReport {
    /// Whether a finding reaches the failure threshold of `settings`.
    pub fn fails(&self, settings: &Settings) -> bool {
        !settings.no_fail
            && self
                .diagnostics
                .iter()
                .any(|d| settings.failure_threshold.is_reached_by(d.severity))
    }
}

/// One file to lint: how findings name it, its text, and where its build context is.
#[derive(Debug, Clone, Copy)]
pub struct LintInput<'a> {
    /// The path as findings show it.
    pub path: &'a str,
    /// The Dockerfile's text.
    pub source: &'a str,
    /// The build context, for the rules that need one (see [`crate::build_context`]).
    pub context: Option<&'a ContextRequest>,
}

/// A configured linter, shared by every file linted with the same settings.
#[derive(Debug, Clone)]
pub struct Linter {
    settings: Settings,
    /// Run ShellCheck (the selection wants it and it is installed).
    shellcheck: bool,
}

impl Linter {
    /// A linter with these settings. ShellCheck runs when the settings select it and
    /// `shellcheck` is on `PATH`.
    pub fn new(settings: Settings) -> Linter {
        let shellcheck = settings.selection.shellcheck.run && shellcheck::version().is_some();
        Linter {
            settings,
            shellcheck,
        }
    }

    /// Turns ShellCheck off (or on, when installed and selected).
    pub fn with_shellcheck(mut self, on: bool) -> Linter {
        self.shellcheck =
            on && self.settings.selection.shellcheck.run && shellcheck::version().is_some();
        self
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether ShellCheck runs.
    pub fn runs_shellcheck(&self) -> bool {
        self.shellcheck
    }

    /// Lints a file's text. `path` is how findings name the file.
    pub fn lint(&self, path: &str, source: &str) -> FileReport {
        self.lint_many(&[(path, source)]).pop().unwrap_or_default()
    }

    /// Lints a file's text with its build context (rules that need one run only with it).
    pub fn lint_in_context(
        &self,
        path: &str,
        source: &str,
        context: Option<&ContextRequest>,
    ) -> FileReport {
        self.lint_inputs(&[LintInput {
            path,
            source,
            context,
        }])
        .pop()
        .unwrap_or_default()
    }

    /// Lints many files, in parallel, with ShellCheck batched across them (one process per
    /// batch of scripts, not per file). Reports come back in the order of `files`.
    pub fn lint_many(&self, files: &[(&str, &str)]) -> Vec<FileReport> {
        let inputs: Vec<LintInput<'_>> = files
            .iter()
            .map(|(path, source)| LintInput {
                path,
                source,
                context: None,
            })
            .collect();
        self.lint_inputs(&inputs)
    }

    /// Lints many files, each with its build context when it has one; see
    /// [`Linter::lint_many`].
    pub fn lint_inputs(&self, inputs: &[LintInput<'_>]) -> Vec<FileReport> {
        let mut pending: Vec<Pending> = inputs
            .par_iter()
            .map(|input| self.prepare(input.path, input.source, input.context))
            .collect();
        if self.shellcheck {
            let files: Vec<(&str, &str)> = inputs.iter().map(|i| (i.path, i.source)).collect();
            run_shellcheck(&mut pending, &files);
        }
        pending
            .into_par_iter()
            .map(|p| p.finish(&self.settings))
            .collect()
    }

    /// Lints an already parsed file with its model.
    pub fn lint_parsed(
        &self,
        path: &str,
        source: &str,
        doc: &Dockerfile<'_>,
        model: &Model,
    ) -> FileReport {
        let mut pending = vec![self.prepare_parsed(path, doc, model, source, None)];
        if self.shellcheck {
            run_shellcheck(&mut pending, &[(path, source)]);
        }
        pending
            .pop()
            .map(|p| p.finish(&self.settings))
            .unwrap_or_default()
    }

    fn prepare(&self, path: &str, source: &str, context: Option<&ContextRequest>) -> Pending {
        match dockwright_syntax::parse(source) {
            Ok(doc) => {
                let model = Model::build(&doc, &self.settings.build);
                self.prepare_parsed(path, &doc, &model, source, context)
            }
            Err(err) => {
                let at = err.offset.min(source.len());
                let line_end = source[at..].find('\n').map_or(source.len(), |i| at + i);
                let mut diagnostic = parse_error_diagnostic(path, source, Span::new(at, line_end));
                diagnostic.line = err.line;
                diagnostic.column = err.column;
                diagnostic.message = err.message;
                Pending {
                    report: FileReport {
                        path: path.to_string(),
                        diagnostics: vec![diagnostic],
                        warnings: Vec::new(),
                    },
                    context: None,
                    jobs: Vec::new(),
                }
            }
        }
    }

    /// Runs the rules; ShellCheck and suppression come later (see [`Pending`]).
    fn prepare_parsed(
        &self,
        path: &str,
        doc: &Dockerfile<'_>,
        model: &Model,
        source: &str,
        context: Option<&ContextRequest>,
    ) -> Pending {
        let lazy_context = LazyContext::new(context, doc, &self.settings);
        let build_check = self
            .settings
            .build
            .build_args
            .get("BUILDKIT_DOCKERFILE_CHECK")
            .map(String::as_str);
        let pragmas = Pragmas::collect(doc, build_check);
        let mut found = Vec::new();
        for (index, rule) in registry::rules().iter().enumerate() {
            if !self.settings.selection.is_enabled(index) {
                continue;
            }
            let start = found.len();
            let mut checker = Checker::new(
                path,
                source,
                doc,
                model,
                &self.settings,
                &pragmas,
                rule.info(),
                &mut found,
                &lazy_context,
            );
            rule.check(&mut checker);
            if let Some(level) = self.settings.selection.severity_override(index) {
                for d in &mut found[start..] {
                    d.severity = level;
                }
            } else if pragmas.check.error {
                for d in &mut found[start..] {
                    if d.equivalents.buildkit.is_some() {
                        d.severity = Severity::Error;
                    }
                }
            }
        }
        let jobs = if self.shellcheck {
            shellcheck::jobs(model, pragmas.shell.as_deref())
        } else {
            Vec::new()
        };
        Pending {
            report: FileReport {
                path: path.to_string(),
                diagnostics: found,
                warnings: lazy_context
                    .warning()
                    .map(|w| format!("{path}: {w}"))
                    .into_iter()
                    .collect(),
            },
            context: Some(FileContext {
                spans: doc.instructions().iter().map(|i| i.span()).collect(),
                stages: model.instructions.iter().map(|f| f.stage).collect(),
                line_index: doc.line_index().clone(),
                pragmas,
            }),
            jobs,
        }
    }
}

/// A file whose rules have run, waiting for ShellCheck and suppression.
struct Pending {
    report: FileReport,
    /// What suppression and ShellCheck positions need (none for a file that did not parse).
    context: Option<FileContext>,
    jobs: Vec<shellcheck::Job>,
}

struct FileContext {
    spans: Vec<Span>,
    stages: Vec<Option<usize>>,
    line_index: dockwright_syntax::LineIndex,
    pragmas: Pragmas,
}

impl Pending {
    /// Applies suppressions and sorts.
    fn finish(mut self, settings: &Settings) -> FileReport {
        let Some(context) = self.context else {
            return self.report;
        };
        let selection = &settings.selection.shellcheck;
        for d in &mut self.report.diagnostics {
            if registry::is_shellcheck_code(&d.code)
                && let Some(level) = selection.severity(&d.code)
            {
                d.severity = level;
            }
        }
        let ignore_pragmas = !settings.disable_ignore_pragma;
        self.report.diagnostics.retain(|d| {
            if registry::is_shellcheck_code(&d.code) && !selection.reports(&d.code) {
                return false;
            }
            let instruction = instruction_at(&context.spans, d.start);
            let stage = instruction
                .and_then(|i| context.stages.get(i))
                .copied()
                .flatten();
            !context
                .pragmas
                .suppresses(d, instruction, stage, ignore_pragmas)
        });
        self.report.diagnostics.sort_by(|a, b| {
            (a.line, a.column, &a.code, a.start).cmp(&(b.line, b.column, &b.code, b.start))
        });
        self.report
    }
}

/// The jobs a ShellCheck process checked, and its findings (job index within the batch).
type BatchResult = (
    std::ops::Range<usize>,
    Result<Vec<(usize, shellcheck::Comment)>, String>,
);

/// Runs ShellCheck over the jobs of every pending file, in parallel batches, and adds the
/// selected findings to each file's report.
fn run_shellcheck(pending: &mut [Pending], files: &[(&str, &str)]) {
    let all: Vec<(usize, &shellcheck::Job)> = pending
        .iter()
        .enumerate()
        .flat_map(|(file, p)| p.jobs.iter().map(move |j| (file, j)))
        .collect();
    let batches = shellcheck::batches(&all, |(_, job)| job.len());
    let results: Vec<BatchResult> = batches
        .into_par_iter()
        .map(|range| {
            let jobs: Vec<&shellcheck::Job> = all[range.clone()].iter().map(|(_, j)| *j).collect();
            let result = shellcheck::run(&jobs).map_err(|e| e.to_string());
            (range, result)
        })
        .collect();
    let mut found: Vec<Vec<Diagnostic>> = vec![Vec::new(); pending.len()];
    let mut failed: Vec<Option<String>> = vec![None; pending.len()];
    for (range, result) in results {
        match result {
            Ok(comments) => {
                for (index, comment) in comments {
                    let (file, job) = all[range.start + index];
                    let (Some(context), Some((path, source))) =
                        (pending[file].context.as_ref(), files.get(file))
                    else {
                        continue;
                    };
                    if let Some(d) = job.diagnostic(comment, path, source, &context.line_index) {
                        found[file].push(d);
                    }
                }
            }
            Err(message) => {
                for (file, _) in &all[range] {
                    failed[*file] = Some(message.clone());
                }
            }
        }
    }
    for ((p, diagnostics), failure) in pending.iter_mut().zip(found).zip(failed) {
        if let Some(message) = failure {
            p.report
                .warnings
                .push(format!("{}: {message}", p.report.path));
        }
        p.report.diagnostics.extend(diagnostics);
    }
}

/// The instruction whose span holds `offset`.
fn instruction_at(spans: &[Span], offset: usize) -> Option<usize> {
    let i = spans.partition_point(|s| s.start <= offset);
    let candidate = i.checked_sub(1)?;
    (offset < spans[candidate].end || spans[candidate].is_empty()).then_some(candidate)
}

fn parse_error_diagnostic(path: &str, source: &str, span: Span) -> Diagnostic {
    // Positions of an unparsed file come from a line index of its text.
    let index = dockwright_syntax::LineIndex::new(source.as_bytes());
    let start = index.position(source.as_bytes(), span.start);
    let end = index.position(source.as_bytes(), span.end);
    let mut d = Diagnostic {
        file: path.to_string(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        start: span.start,
        end: span.end,
        code: PARSE_ERROR.code.to_string(),
        name: PARSE_ERROR.name.to_string(),
        category: PARSE_ERROR.category,
        severity: PARSE_ERROR.severity,
        message: String::new(),
        equivalents: Default::default(),
        fix: None,
        evidence: Vec::new(),
    };
    d.equivalents.hadolint = PARSE_ERROR.hadolint.map(str::to_string);
    d
}

/// A diagnostic for `rule` at `span` (for callers outside a [`Checker`]).
pub fn diagnostic_at(
    path: &str,
    doc: &Dockerfile<'_>,
    rule: &RuleInfo,
    span: Span,
    message: impl Into<String>,
) -> Diagnostic {
    make_diagnostic(path, doc, rule, span, message.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruction_lookup() {
        let spans = [Span::new(0, 10), Span::new(12, 20)];
        assert_eq!(instruction_at(&spans, 0), Some(0));
        assert_eq!(instruction_at(&spans, 10), None);
        assert_eq!(instruction_at(&spans, 12), Some(1));
        assert_eq!(instruction_at(&spans, 25), None);
    }

    #[test]
    fn parse_errors_are_diagnostics() {
        let report = Linter::new(Settings::default()).lint("Dockerfile", "FROM a\nENV PATH\n");
        assert_eq!(report.diagnostics.len(), 1);
        let d = &report.diagnostics[0];
        assert_eq!(
            (d.code.as_str(), d.line, d.column, d.severity),
            ("parse-error", 2, 5, Severity::Error)
        );
        assert_eq!(d.message, "ENV must have two arguments");
        assert_eq!(d.equivalents.hadolint.as_deref(), Some("DL1000"));
    }
}
