//! `dockwright discover`: the listing and JSON of the four example projects, exit statuses.

// Tests may unwrap (helpers outside #[test] functions included).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs the binary from the workspace root, so paths in the output are `examples/...`.
fn run(args: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json(example: &str) -> (serde_json::Value, Output) {
    let out = run(&[
        "discover",
        "--format",
        "json",
        &format!("examples/{example}"),
    ]);
    (serde_json::from_slice(&out.stdout).unwrap(), out)
}

fn tty(example: &str) -> String {
    let out = run(&["discover", &format!("examples/{example}")]);
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn web_platform() {
    let (value, out) = json("web-platform");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
    insta::assert_json_snapshot!(value);
    insta::assert_snapshot!("web_platform_tty", tty("web-platform"));
}

#[test]
fn openshift_workbench() {
    let (value, out) = json("openshift-workbench");
    assert_eq!(out.status.code(), Some(0));
    insta::assert_json_snapshot!(value);
    insta::assert_snapshot!("openshift_workbench_tty", tty("openshift-workbench"));
}

#[test]
fn notebook_tiers() {
    let (value, out) = json("notebook-tiers");
    assert_eq!(out.status.code(), Some(0));
    insta::assert_json_snapshot!(value);
    insta::assert_snapshot!("notebook_tiers_tty", tty("notebook-tiers"));
}

#[test]
fn ml_transcriber() {
    let (value, out) = json("ml-transcriber");
    assert_eq!(out.status.code(), Some(0));
    insta::assert_json_snapshot!(value);
    insta::assert_snapshot!("ml_transcriber_tty", tty("ml-transcriber"));
}

#[test]
fn bad_file_is_reported_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  a:\n    build: [\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM alpine\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(["discover", "."])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("compose.yaml:4:1: error: invalid YAML"),
        "{stderr}"
    );
    // The other file is still found.
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("Dockerfile")
    );
}

#[test]
fn missing_path_is_a_usage_error_and_vars_apply() {
    let out = run(&["discover", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  a:\n    build:\n      context: .\n      target: ${T:-prod}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(["discover", "--format", "json", "--var", "T=dev", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["builds"][0]["target"], "dev");
    let out = run(&["discover", "--var", "novalue", "."]);
    assert_eq!(out.status.code(), Some(2));
}
