//! Checkstyle XML, read by Jenkins, SonarQube and many CI dashboards.

use quick_xml::escape::escape;

use dockwright_rules::Severity;

use super::LintReport;

pub fn render(report: &LintReport) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for file in &report.files {
        out.push_str(&format!("  <file name=\"{}\">\n", escape(&file.path)));
        for d in &file.diagnostics {
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Style => "info",
            };
            out.push_str(&format!(
                "    <error line=\"{}\" column=\"{}\" severity=\"{severity}\" message=\"{}\" source=\"dockwright.{}\"/>\n",
                d.line,
                d.column,
                escape(&d.message),
                escape(&d.code),
            ));
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;

    #[test]
    fn checkstyle() {
        insta::assert_snapshot!(super::render(&fixtures::report()));
    }
}
