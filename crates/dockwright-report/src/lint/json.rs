//! dockwright's JSON: `{"version": 1, "files": [...], "diagnostics": [...]}`.

use serde::Serialize;

use dockwright_rules::Diagnostic;

use super::LintReport;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    files: Vec<&'a str>,
    diagnostics: Vec<&'a Diagnostic>,
}

pub fn render(report: &LintReport) -> String {
    let output = Output {
        version: 1,
        files: report.files.iter().map(|f| f.path.as_str()).collect(),
        diagnostics: report.diagnostics().collect(),
    };
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;

    #[test]
    fn json_matches_contract() {
        let text = super::render(&fixtures::report());
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["files"].as_array().unwrap().len(), 2);
        let d = &v["diagnostics"][1];
        for key in [
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "code",
            "name",
            "category",
            "severity",
            "message",
            "equivalents",
            "fix",
        ] {
            assert!(d.get(key).is_some(), "missing {key}");
        }
        insta::assert_snapshot!(text);
    }
}
