//! `dockwright debug parse`: the command lines of the CLI contract, their output and exit
//! statuses.

// Tests may unwrap (helpers outside #[test] functions included).
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn file(content: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(content.as_bytes()).unwrap();
    f
}

#[test]
fn dumps_buildkit_ast() {
    let f = file(
        "FROM alpine AS base\nRUN --mount=type=cache,target=/x apk add \\\n    curl\nONBUILD COPY . /app\n",
    );
    let out = run(
        &[
            "debug",
            "parse",
            "--dump",
            "buildkit",
            f.path().to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn reads_standard_input_and_prints_line_table() {
    let out = run(
        &["debug", "parse", "--dump", "lines", "-"],
        b"FROM a\n\nRUN x \\\n  # c\n\n  y\nRUN <<EOF\nhi\nEOF\n",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "1\t1\tFROM\n3\t6\tRUN\n7\t9\tRUN\n"
    );
}

#[test]
fn rejected_input_exits_1_with_position() {
    let f = file("FROM a\nENV PATH\n");
    let path = f.path().to_str().unwrap();
    let out = run(&["debug", "parse", "--dump", "buildkit", path], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("{path}:2:5: ENV must have two arguments\n")
    );
    let out = run(&["debug", "parse", "-"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "-:1:1: file with no instructions\n"
    );
}

#[test]
fn unreadable_file_exits_2() {
    let out = run(&["debug", "parse", "/nonexistent/Dockerfile"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_tree_and_check_mode() {
    let out = run(
        &["debug", "parse", "--format", "json", "-"],
        b"FROM a\nCMD [\"x\"]\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let tree: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tree["items"][1]["kind"], "cmd");
    assert_eq!(tree["items"][1]["json"], true);
    assert_eq!(tree["items"][1]["span"]["start_line"], 2);

    let good = file("FROM a\n");
    let bad = file("FROM a\nCMD [1]\n");
    let out = run(
        &[
            "debug",
            "parse",
            "--check",
            good.path().to_str().unwrap(),
            bad.path().to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains(":2:6: when using JSON array syntax")
    );
}
