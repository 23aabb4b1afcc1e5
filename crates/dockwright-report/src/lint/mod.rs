//! Lint results in every format people, CI systems and editors read.

mod checkstyle;
mod github;
mod gitlab;
mod hadolint;
mod json;
mod junit;
mod markdown;
mod sarif;
mod tty;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use dockwright_rules::{Diagnostic, RuleInfo, Severity};

/// The results of linting a set of files.
#[derive(Debug, Clone, Default)]
pub struct LintReport {
    pub files: Vec<FileResult>,
    /// Every rule that may appear in `diagnostics`, for formats that describe rules (SARIF).
    pub rules: Vec<RuleInfo>,
    /// The tool version, for formats that record it.
    pub tool_version: String,
}

/// One linted file: its path as shown to the user, its text (for code frames) and findings.
#[derive(Debug, Clone, Default)]
pub struct FileResult {
    pub path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl LintReport {
    /// Every diagnostic of every file, in file order.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|f| f.diagnostics.iter())
    }

    fn counts(&self) -> BTreeMap<Severity, usize> {
        let mut counts = BTreeMap::new();
        for d in self.diagnostics() {
            *counts.entry(d.severity).or_insert(0) += 1;
        }
        counts
    }

    fn rule(&self, code: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.code == code)
    }
}

/// The output formats of `dockwright lint --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintFormat {
    /// Code frames with the offending span and a summary line, for people.
    Tty,
    /// dockwright's own JSON (see `design/CONTRACTS.md`).
    Json,
    /// hadolint's JSON array, for tools that read it.
    HadolintJson,
    /// SARIF 2.1.0 with the rule table, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// Checkstyle XML.
    Checkstyle,
    /// JUnit XML: one test suite per file, one failing test case per finding.
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// A Markdown table, for pull-request comments.
    Markdown,
}

impl LintFormat {
    pub const ALL: [LintFormat; 9] = [
        LintFormat::Tty,
        LintFormat::Json,
        LintFormat::HadolintJson,
        LintFormat::Sarif,
        LintFormat::Github,
        LintFormat::Checkstyle,
        LintFormat::Junit,
        LintFormat::Gitlab,
        LintFormat::Markdown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LintFormat::Tty => "tty",
            LintFormat::Json => "json",
            LintFormat::HadolintJson => "hadolint-json",
            LintFormat::Sarif => "sarif",
            LintFormat::Github => "github",
            LintFormat::Checkstyle => "checkstyle",
            LintFormat::Junit => "junit",
            LintFormat::Gitlab => "gitlab",
            LintFormat::Markdown => "markdown",
        }
    }
}

impl fmt::Display for LintFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LintFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LintFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = LintFormat::ALL.iter().map(|f| f.as_str()).collect();
                format!(
                    "unknown format `{s}` (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// Options that only some formats use.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Emit ANSI colours (tty only).
    pub color: bool,
    /// How many findings have a fix that `--fix` would apply (tty summary).
    pub fixable_safe: usize,
    /// How many more `--unsafe-fixes` would apply (tty summary).
    pub fixable_unsafe: usize,
}

/// Renders a lint report in the given format.
pub fn render_lint(report: &LintReport, format: LintFormat, options: RenderOptions) -> String {
    match format {
        LintFormat::Tty => tty::render(report, options),
        LintFormat::Json => json::render(report),
        LintFormat::HadolintJson => hadolint::render(report),
        LintFormat::Sarif => sarif::render(report),
        LintFormat::Github => github::render(report),
        LintFormat::Checkstyle => checkstyle::render(report),
        LintFormat::Junit => junit::render(report),
        LintFormat::Gitlab => gitlab::render(report),
        LintFormat::Markdown => markdown::render(report),
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use dockwright_rules::{
        Applicability, Category, Diagnostic, Edit, Equivalents, Fix, RuleInfo, Severity,
    };

    use super::{FileResult, LintReport};

    pub const SOURCE: &str = "FROM python:3.12\nRUN apt-get update && apt-get install -y gcc\nCOPY . .\nCMD python app.py\n";

    fn diag(
        line: usize,
        span: (usize, usize),
        code: &str,
        name: &str,
        severity: Severity,
        message: &str,
    ) -> Diagnostic {
        let line_start: usize = SOURCE
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        Diagnostic {
            file: "app/Dockerfile".into(),
            line,
            column: span.0 - line_start + 1,
            end_line: line,
            end_column: span.1 - line_start + 1,
            start: span.0,
            end: span.1,
            code: code.into(),
            name: name.into(),
            category: Category::Size,
            severity,
            message: message.into(),
            equivalents: Equivalents::default(),
            fix: None,
            evidence: vec![],
        }
    }

    pub fn report() -> LintReport {
        let mut no_recommends = diag(
            2,
            (39, 61),
            "DW2001",
            "apt-no-install-recommends",
            Severity::Info,
            "`apt-get install` without `--no-install-recommends` installs packages nobody asked for",
        );
        no_recommends.equivalents.hadolint = Some("DL3015".into());
        no_recommends.fix = Some(Fix {
            applicability: Applicability::Safe,
            message: "add `--no-install-recommends`".into(),
            edits: vec![Edit::insert(54, " --no-install-recommends")],
        });
        let mut json_cmd = diag(
            4,
            (71, 88),
            "DW1007",
            "cmd-shell-form",
            Severity::Warning,
            "CMD in shell form: the process does not get signals <SIGTERM> & \"friends\"",
        );
        json_cmd.category = Category::Correctness;
        json_cmd.equivalents = eq("DL3025", "JSONArgsRecommended");
        let mut root = diag(
            1,
            (0, 16),
            "DW4001",
            "final-stage-runs-as-root",
            Severity::Error,
            "the image runs as root",
        );
        root.category = Category::Security;
        LintReport {
            files: vec![
                FileResult {
                    path: "app/Dockerfile".into(),
                    source: SOURCE.into(),
                    diagnostics: vec![root, no_recommends, json_cmd],
                },
                FileResult {
                    path: "clean/Dockerfile".into(),
                    source: "FROM scratch\n".into(),
                    diagnostics: vec![],
                },
            ],
            rules: vec![
                rule(
                    "DW2001",
                    "apt-no-install-recommends",
                    Category::Size,
                    Severity::Info,
                ),
                rule(
                    "DW1007",
                    "cmd-shell-form",
                    Category::Correctness,
                    Severity::Warning,
                ),
                rule(
                    "DW4001",
                    "final-stage-runs-as-root",
                    Category::Security,
                    Severity::Error,
                ),
            ],
            tool_version: "0.1.0".into(),
        }
    }

    pub fn eq(hadolint: &str, buildkit: &str) -> Equivalents {
        Equivalents {
            hadolint: Some(hadolint.into()),
            buildkit: Some(buildkit.into()),
        }
    }

    fn rule(
        code: &'static str,
        name: &'static str,
        category: Category,
        severity: Severity,
    ) -> RuleInfo {
        RuleInfo {
            code,
            name,
            category,
            severity,
            summary: "A one-line summary.",
            doc: "The documentation.\n\n```dockerfile\nRUN x\n```\n",
            hadolint: None,
            buildkit: None,
            fix: None,
            opt_in: false,
        }
    }
}
