//! `dockwright optimize`: where it writes, --diff, --stdout, --in-place, the ignore file.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

const GO: &str = "FROM golang-base:1\nRUN apt-get update && apt-get install -y golang-go\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /usr/local/bin/app ./cmd/app\nENTRYPOINT [\"/usr/local/bin/app\"]\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), GO).unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        "module example.com/app\n\ngo 1.19\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("cmd/app")).unwrap();
    std::fs::write(
        dir.path().join("cmd/app/main.go"),
        "package main\nfunc main() {}\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    dir
}

#[test]
fn writes_the_optimized_file_and_an_ignore_file_beside_it() {
    let dir = project();
    let out = run_in(dir.path(), &["optimize", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let optimized = std::fs::read_to_string(dir.path().join("Dockerfile.optimized")).unwrap();
    assert!(optimized.contains("AS build\n"), "{optimized}");
    assert!(optimized.contains("COPY go.mod ./\n"), "{optimized}");
    assert!(optimized.contains("COPY --from=build /usr/local/bin/app /usr/local/bin/app\n"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        GO
    );
    let ignore =
        std::fs::read_to_string(dir.path().join("Dockerfile.optimized.dockerignore")).unwrap();
    assert!(ignore.contains(".git"), "{ignore}");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("split into a builder stage"), "{report}");

    let json = run_in(
        dir.path(),
        &["optimize", "--stdout", "--format", "json", "."],
    );
    assert_eq!(String::from_utf8_lossy(&json.stdout), optimized);
    let report: serde_json::Value = serde_json::from_slice(&json.stderr).unwrap();
    assert_eq!(report["changes"][0]["kind"], "multi-stage");
}

#[test]
fn diff_writes_nothing_and_in_place_keeps_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let path = dir.path().join("Dockerfile");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let diff = run_in(dir.path(), &["optimize", "--diff", "."]);
    assert_eq!(diff.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&diff.stdout).contains("+COPY go.mod ./"));
    assert!(!dir.path().join("Dockerfile.optimized").exists());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), GO);

    let out = run_in(
        dir.path(),
        &["optimize", "--in-place", "--no-ignore-file", "."],
    );
    assert_eq!(out.status.code(), Some(0));
    let rewritten = std::fs::read_to_string(&path).unwrap();
    assert_ne!(rewritten, GO);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // Optimizing the result again changes nothing.
    let again = run_in(dir.path(), &["optimize", "--diff", "."]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

#[test]
fn a_missing_dockerfile_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["optimize", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Dockerfile"));
}
