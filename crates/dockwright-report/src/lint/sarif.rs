//! SARIF 2.1.0, with a rule table (help text and URIs) and fixes, for code-scanning dashboards.
//!
//! SARIF has three result levels; `info` and `style` both map to `note`, so the exact
//! dockwright severity is kept in each result's `properties` (hadolint loses it, issue #870).

use serde_json::{Value, json};

use dockwright_rules::{Category, Diagnostic, RuleInfo, Severity};

use super::LintReport;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/dockwright/dockwright";

pub fn render(report: &LintReport) -> String {
    // The rule table holds every rule that has a result, in order of first appearance, plus
    // rules without a registry entry (ShellCheck codes, parse errors) described from the result.
    let mut rules: Vec<Value> = Vec::new();
    let mut index_of: Vec<String> = Vec::new();
    let mut results = Vec::new();
    for d in report.diagnostics() {
        let index = match index_of.iter().position(|c| *c == d.code) {
            Some(i) => i,
            None => {
                rules.push(match report.rule(&d.code) {
                    Some(info) => rule_from_info(info),
                    None => rule_from_diagnostic(d),
                });
                index_of.push(d.code.clone());
                index_of.len() - 1
            }
        };
        results.push(result(d, index));
    }
    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dockwright",
                "version": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

fn rule_from_info(info: &RuleInfo) -> Value {
    let mut tags = vec![info.category.as_str().to_string()];
    if info.category == Category::Security {
        tags.push("security".into());
    }
    json!({
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.summary},
        "help": {"text": info.doc, "markdown": info.doc},
        "helpUri": info.url(),
        "defaultConfiguration": {"level": level(info.severity)},
        "properties": {
            "tags": tags,
            "category": info.category.as_str(),
            "severity": info.severity.as_str(),
            "hadolint": info.hadolint,
            "buildkit": info.buildkit,
        },
    })
}

fn rule_from_diagnostic(d: &Diagnostic) -> Value {
    let help_uri = if let Some(number) = d.code.strip_prefix("SC") {
        format!("https://www.shellcheck.net/wiki/SC{number}")
    } else {
        INFORMATION_URI.to_string()
    };
    json!({
        "id": d.code,
        "name": d.name,
        "shortDescription": {"text": d.name},
        "helpUri": help_uri,
        "defaultConfiguration": {"level": level(d.severity)},
        "properties": {"tags": [d.category.as_str()], "category": d.category.as_str()},
    })
}

fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for ch in path.chars() {
        match ch {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            _ => out.push(ch),
        }
    }
    out
}

fn result(d: &Diagnostic, rule_index: usize) -> Value {
    let location = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(&d.file)},
            "region": {
                "startLine": d.line,
                "startColumn": d.column,
                "endLine": d.end_line,
                "endColumn": d.end_column,
            },
        },
    });
    let mut result = json!({
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": {"text": d.message},
        "locations": [location],
        "properties": {"severity": d.severity.as_str(), "category": d.category.as_str()},
    });
    if let Some(fix) = &d.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                json!({
                    "deletedRegion": {"byteOffset": e.start, "byteLength": e.end - e.start},
                    "insertedContent": {"text": e.replacement},
                })
            })
            .collect();
        let description = if fix.message.is_empty() {
            "apply the suggested fix"
        } else {
            fix.message.as_str()
        };
        result["fixes"] = json!([{
            "description": {"text": description},
            "artifactChanges": [{
                "artifactLocation": {"uri": uri(&d.file)},
                "replacements": replacements,
            }],
        }]);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    #[test]
    fn sarif_snapshot() {
        insta::assert_snapshot!(render(&fixtures::report()));
    }

    #[test]
    fn uris_are_relative_and_escaped() {
        assert_eq!(uri("./a b/Dockerfile"), "a%20b/Dockerfile");
        assert_eq!(uri("dir\\Dockerfile"), "dir/Dockerfile");
    }

    #[test]
    fn info_and_style_are_notes_with_exact_severity_kept() {
        let v: Value = serde_json::from_str(&render(&fixtures::report())).unwrap();
        let r = &v["runs"][0]["results"][1];
        assert_eq!(r["level"], "note");
        assert_eq!(r["properties"]["severity"], "info");
        assert_eq!(r["ruleIndex"], 1);
        assert_eq!(v["runs"][0]["tool"]["driver"]["rules"][1]["id"], "DW2001");
    }
}
