//! JUnit XML: a test suite per file, a failing test case per finding, and one passing case
//! for a clean file (so CI dashboards count it).

use quick_xml::escape::escape;

use super::LintReport;

pub fn render(report: &LintReport) -> String {
    let total: usize = report
        .files
        .iter()
        .map(|f| f.diagnostics.len().max(1))
        .sum();
    let failures = report.diagnostics().count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"dockwright\" tests=\"{total}\" failures=\"{failures}\">\n"
    );
    for file in &report.files {
        let path = escape(&file.path);
        out.push_str(&format!(
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{}\">\n",
            file.diagnostics.len().max(1),
            file.diagnostics.len()
        ));
        if file.diagnostics.is_empty() {
            out.push_str(&format!(
                "    <testcase name=\"lint\" classname=\"{path}\"/>\n"
            ));
        }
        for d in &file.diagnostics {
            out.push_str(&format!(
                "    <testcase name=\"{}:{} {}\" classname=\"{path}\">\n      <failure type=\"{}\" message=\"{}\">{}:{}:{} {} {}: {}</failure>\n    </testcase>\n",
                d.line,
                d.column,
                escape(&d.code),
                d.severity,
                escape(&d.message),
                path,
                d.line,
                d.column,
                escape(&d.code),
                escape(&d.name),
                escape(&d.message),
            ));
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;

    #[test]
    fn junit() {
        insta::assert_snapshot!(super::render(&fixtures::report()));
    }
}
