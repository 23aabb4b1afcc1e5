//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

use dockwright_rules::Severity;

use super::LintReport;

pub fn render(report: &LintReport) -> String {
    let mut out = String::new();
    for d in report.diagnostics() {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Style => "notice",
        };
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            property(&d.file),
            d.line,
            d.column,
            d.end_line,
            d.end_column,
            property(&format!("{} {}", d.code, d.name)),
            data(&d.message),
        ));
    }
    out
}

/// Escapes a message as the runner's command parser expects.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value, which additionally may not contain `:` or `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;

    #[test]
    fn annotations() {
        insta::assert_snapshot!(super::render(&fixtures::report()));
    }

    #[test]
    fn escapes() {
        assert_eq!(super::data("50%\nnext"), "50%25%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
