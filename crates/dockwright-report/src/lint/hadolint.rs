//! hadolint's own JSON array (`hadolint --format json`), so tools that read it keep working.

use serde::Serialize;

use super::LintReport;

#[derive(Serialize)]
struct Finding<'a> {
    code: &'a str,
    column: usize,
    file: &'a str,
    level: &'a str,
    line: usize,
    message: &'a str,
}

pub fn render(report: &LintReport) -> String {
    let findings: Vec<Finding> = report
        .diagnostics()
        .map(|d| Finding {
            // A team switching from hadolint keeps its DL codes where one applies.
            code: d.equivalents.hadolint.as_deref().unwrap_or(&d.code),
            column: d.column,
            file: &d.file,
            level: d.severity.as_str(),
            line: d.line,
            message: &d.message,
        })
        .collect();
    let mut text = serde_json::to_string(&findings).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;

    #[test]
    fn uses_hadolint_codes_where_they_exist() {
        let text = super::render(&fixtures::report());
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let codes: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["DW4001", "DL3015", "DL3025"]);
        assert_eq!(v[1]["level"], "info");
    }
}
