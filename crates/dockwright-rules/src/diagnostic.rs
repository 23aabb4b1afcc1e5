//! What a rule reports: a [`Diagnostic`] at a place in a file, with an optional [`Fix`].
//!
//! These are plain serde structs: the JSON output of `dockwright lint --format json` *is* this
//! shape (see `design/CONTRACTS.md`), so fields are only ever added, never renamed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered from most to least severe, as hadolint orders them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Style,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Error,
        Severity::Warning,
        Severity::Info,
        Severity::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Style => "style",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that names no severity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}` (expected error, warning, info or style)")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Ok(Severity::Error),
            "warning" | "warn" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            "style" => Ok(Severity::Style),
            _ => Err(UnknownSeverity(s.to_string())),
        }
    }
}

/// The lowest severity that makes a run fail (hadolint's `failure-threshold`), or `None`
/// (hadolint's `none`/`ignore`): never fail on findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold(pub Option<Severity>);

impl Threshold {
    /// hadolint's default: any finding of `info` or worse fails the run.
    pub const DEFAULT: Threshold = Threshold(Some(Severity::Info));

    /// Whether a finding of this severity reaches the threshold.
    pub fn is_reached_by(self, severity: Severity) -> bool {
        self.0.is_some_and(|lowest| severity <= lowest)
    }
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold::DEFAULT
    }
}

impl FromStr for Threshold {
    type Err = UnknownSeverity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "none" | "ignore" | "never" => Ok(Threshold(None)),
            other => other.parse().map(|sev| Threshold(Some(sev))),
        }
    }
}

/// What a finding is about; see `design/ARCHITECTURE.md`, "Categories of findings".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Bytes in the final image.
    Size,
    /// Rebuild time.
    Cache,
    Security,
    /// The build fails or the container misbehaves.
    Correctness,
    /// Pinning: the same Dockerfile builds the same image tomorrow.
    Reproducibility,
    Style,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Size,
        Category::Cache,
        Category::Security,
        Category::Correctness,
        Category::Reproducibility,
        Category::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Size => "size",
            Category::Cache => "cache",
            Category::Security => "security",
            Category::Correctness => "correctness",
            Category::Reproducibility => "reproducibility",
            Category::Style => "style",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a fix may be applied without a human looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the build's meaning; applied by `--fix`.
    Safe,
    /// May change what the build produces; applied only with `--unsafe-fixes`.
    Unsafe,
}

/// Replace the bytes `start..end` of the file with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

impl Edit {
    pub fn replace(range: std::ops::Range<usize>, replacement: impl Into<String>) -> Self {
        Edit {
            start: range.start,
            end: range.end,
            replacement: replacement.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit::replace(at..at, text)
    }

    pub fn delete(range: std::ops::Range<usize>) -> Self {
        Edit::replace(range, "")
    }
}

/// A set of edits that together fix one diagnostic. Edits never overlap each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, in a few words ("add --no-install-recommends").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix with the given applicability.
    pub fn new(applicability: Applicability, message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            applicability,
            message: message.into(),
            edits,
        }
    }

    /// A fix `--fix` applies: it keeps what the build produces, or changes only what the
    /// rule is about.
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Safe, message, edits)
    }

    /// A fix applied only with `--unsafe-fixes`: it may change what the build produces.
    pub fn unsafe_edits(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Unsafe, message, edits)
    }
}

/// The same finding in other tools, so teams can switch without losing one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Equivalents {
    /// The hadolint rule that reports the same problem at the same place.
    pub hadolint: Option<String>,
    /// The BuildKit build check that reports the same problem.
    pub buildkit: Option<String>,
}

/// A place in a file: 1-based lines and columns (columns count characters), plus byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub start: usize,
    pub end: usize,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file as the user named it (or as discovered under a directory they named).
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Byte offsets of the offending span in the file.
    pub start: usize,
    pub end: usize,
    /// Stable code (`DW2001`), `SC2086` for ShellCheck, or `parse-error`.
    pub code: String,
    /// Stable kebab-case name (`apt-no-install-recommends`).
    pub name: String,
    pub category: Category,
    pub severity: Severity,
    pub message: String,
    pub equivalents: Equivalents,
    pub fix: Option<Fix>,
    /// Facts behind the finding (bytes, steps, an example file), for reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

impl Diagnostic {
    /// Attaches a fix.
    pub fn set_fix(&mut self, fix: Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }

    /// Adds a fact behind the finding.
    pub fn add_evidence(&mut self, evidence: impl Into<String>) -> &mut Self {
        self.evidence.push(evidence.into());
        self
    }

    /// Sets the severity of this one finding (settings overrides still win).
    pub fn set_severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    /// Whether the finding is `code`, its name, or one of its equivalents (case-insensitive).
    pub fn is_known_as(&self, code: &str) -> bool {
        self.code.eq_ignore_ascii_case(code)
            || self.name.eq_ignore_ascii_case(code)
            || self
                .equivalents
                .hadolint
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(code))
            || self
                .equivalents
                .buildkit
                .as_deref()
                .is_some_and(|b| b.eq_ignore_ascii_case(code))
    }

    pub fn location(&self) -> Location {
        Location {
            line: self.line,
            column: self.column,
            end_line: self.end_line,
            end_column: self.end_column,
            start: self.start,
            end: self.end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_from_most_severe() {
        assert!(Severity::Error < Severity::Warning);
        assert!(Severity::Info < Severity::Style);
    }

    #[test]
    fn threshold_is_reached_by_equal_or_worse() {
        let t: Threshold = "warning".parse().unwrap();
        assert!(t.is_reached_by(Severity::Error));
        assert!(t.is_reached_by(Severity::Warning));
        assert!(!t.is_reached_by(Severity::Info));
        let none: Threshold = "none".parse().unwrap();
        assert!(!none.is_reached_by(Severity::Error));
        assert!("fatal".parse::<Threshold>().is_err());
    }

    #[test]
    fn diagnostic_serializes_to_the_contract_shape() {
        let d = Diagnostic {
            file: "Dockerfile".into(),
            line: 3,
            column: 1,
            end_line: 3,
            end_column: 40,
            start: 10,
            end: 49,
            code: "DW2001".into(),
            name: "apt-no-install-recommends".into(),
            category: Category::Size,
            severity: Severity::Info,
            message: "m".into(),
            equivalents: Equivalents {
                hadolint: Some("DL3015".into()),
                buildkit: None,
            },
            fix: Some(Fix {
                applicability: Applicability::Safe,
                message: String::new(),
                edits: vec![Edit::insert(20, " --no-install-recommends")],
            }),
            evidence: vec![],
        };
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["category"], "size");
        assert_eq!(v["severity"], "info");
        assert_eq!(v["equivalents"]["hadolint"], "DL3015");
        assert_eq!(v["equivalents"]["buildkit"], serde_json::Value::Null);
        assert_eq!(v["fix"]["applicability"], "safe");
        assert_eq!(v["fix"]["edits"][0]["start"], 20);
        assert!(v.get("evidence").is_none());
    }
}
