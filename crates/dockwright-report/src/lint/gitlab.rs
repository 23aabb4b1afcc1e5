//! GitLab Code Quality JSON (`artifacts:reports:codequality`).

use serde::Serialize;
use sha2::{Digest, Sha256};

use dockwright_rules::Severity;

use super::LintReport;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub fn render(report: &LintReport) -> String {
    let issues: Vec<Issue> = report
        .diagnostics()
        .map(|d| {
            // Stable across runs and unaffected by unrelated edits above the finding, as
            // GitLab uses it to tell new findings from old ones.
            let mut hash = Sha256::new();
            for part in [d.file.as_str(), d.code.as_str(), d.message.as_str()] {
                hash.update(part.as_bytes());
                hash.update([0]);
            }
            Issue {
                description: format!("{} {}: {}", d.code, d.name, d.message),
                check_name: &d.code,
                fingerprint: hash.finalize().iter().map(|b| format!("{b:02x}")).collect(),
                severity: match d.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "major",
                    Severity::Info => "minor",
                    Severity::Style => "info",
                },
                location: Location {
                    path: &d.file,
                    lines: Lines {
                        begin: d.line,
                        end: d.end_line,
                    },
                },
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;

    #[test]
    fn gitlab() {
        insta::assert_snapshot!(super::render(&fixtures::report()));
    }
}
