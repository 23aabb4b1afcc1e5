//! A Markdown table per file, for pull-request comments and job summaries.

use super::LintReport;

pub fn render(report: &LintReport) -> String {
    let mut out = String::from("# dockwright lint\n\n");
    let total = report.diagnostics().count();
    if total == 0 {
        out.push_str(&format!(
            "No findings in {} file{}.\n",
            report.files.len(),
            plural(report.files.len())
        ));
        return out;
    }
    for file in report.files.iter().filter(|f| !f.diagnostics.is_empty()) {
        out.push_str(&format!("## `{}`\n\n", file.path));
        out.push_str("| Line | Severity | Category | Rule | Message |\n|---:|---|---|---|---|\n");
        for d in &file.diagnostics {
            let rule = match (&d.equivalents.hadolint, &d.equivalents.buildkit) {
                (Some(h), _) => format!("{} `{}` ({h})", d.code, d.name),
                (None, Some(b)) => format!("{} `{}` ({b})", d.code, d.name),
                (None, None) => format!("{} `{}`", d.code, d.name),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                d.line,
                d.severity,
                d.category,
                rule,
                cell(&d.message)
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "{total} finding{} in {} file{}.\n",
        plural(total),
        report.files.len(),
        plural(report.files.len())
    ));
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;

    #[test]
    fn markdown() {
        insta::assert_snapshot!(super::render(&fixtures::report()));
    }
}
