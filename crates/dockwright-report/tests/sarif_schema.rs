//! The SARIF output validates against the official SARIF 2.1.0 JSON schema.
//!
//! The schema file ships inside the `serde-sarif` crate (a dev-dependency, so cargo has fetched
//! it); `cargo metadata` tells where its sources are.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

use dockwright_report::lint::{FileResult, LintFormat, LintReport, RenderOptions, render_lint};
use dockwright_rules::{
    Applicability, Category, Diagnostic, Edit, Equivalents, Fix, RuleInfo, Severity,
};

fn schema_path() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed");
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif is a dev-dependency");
    PathBuf::from(manifest)
        .with_file_name("src")
        .join("schema.json")
}

fn diagnostic(code: &str, severity: Severity, fix: Option<Fix>) -> Diagnostic {
    Diagnostic {
        file: "sub dir/Dockerfile".into(),
        line: 2,
        column: 1,
        end_line: 3,
        end_column: 5,
        start: 13,
        end: 40,
        code: code.into(),
        name: "some-rule".into(),
        category: Category::Cache,
        severity,
        message: "a message with \"quotes\" and <angles>".into(),
        equivalents: Equivalents {
            hadolint: Some("DL3059".into()),
            buildkit: None,
        },
        fix,
        evidence: vec!["3 steps rebuilt".into()],
    }
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let schema_text = std::fs::read_to_string(schema_path()).expect("schema readable");
    // The published schema's `language` patterns are not valid regular expressions (a stray
    // `]`), so the validator refuses the schema; repair those patterns and keep the rest as is.
    const BROKEN: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(schema_text.contains(BROKEN));
    let schema_text = schema_text.replace(BROKEN, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}?$""#);
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");

    let report = LintReport {
        files: vec![
            FileResult {
                path: "sub dir/Dockerfile".into(),
                source: "FROM alpine\nRUN a\nRUN b\n".into(),
                diagnostics: vec![
                    diagnostic("DW3001", Severity::Info, None),
                    diagnostic(
                        "DW3001",
                        Severity::Style,
                        Some(Fix {
                            applicability: Applicability::Safe,
                            message: "merge".into(),
                            edits: vec![Edit::replace(13..20, "RUN a && b"), Edit::delete(20..26)],
                        }),
                    ),
                    diagnostic("SC2086", Severity::Warning, None),
                    diagnostic("parse-error", Severity::Error, None),
                ],
            },
            FileResult {
                path: "Dockerfile".into(),
                source: "FROM scratch\n".into(),
                diagnostics: vec![],
            },
        ],
        rules: vec![RuleInfo {
            code: "DW3001",
            name: "some-rule",
            category: Category::Cache,
            severity: Severity::Info,
            summary: "Summary.",
            doc: "Doc.",
            hadolint: Some("DL3059"),
            buildkit: None,
            fix: Some(Applicability::Safe),
            opt_in: false,
        }],
        tool_version: "0.1.0".into(),
    };
    let text = render_lint(&report, LintFormat::Sarif, RenderOptions::default());
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF is invalid:\n{}",
        errors.join("\n")
    );
    // The rule table has each rule once, the registry's and the unregistered ones.
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 3);

    // And a broken document is caught, so this test can fail.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(validator.iter_errors(&broken).next().is_some());
}
