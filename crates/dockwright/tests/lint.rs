//! `dockwright lint`, `rules` and `explain`: the CLI contract (JSON shape, exit statuses),
//! discovery, configuration, suppression and fixing.

// Tests may unwrap (helpers outside #[test] functions included).
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("DOCKWRIGHT_SHELLCHECK", "/nonexistent/shellcheck")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

const BAD: &str =
    "FROM ubuntu\nWORKDIR app\nRUN apt-get update && apt-get install -y curl\nCMD python app.py\n";
const CLEAN: &str = "FROM alpine:3.20\nUSER 10001\nCMD [\"true\"]\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("svc/api")).unwrap();
    std::fs::create_dir_all(root.join("ignored")).unwrap();
    std::fs::create_dir_all(root.join(".devcontainer")).unwrap();
    std::fs::write(root.join("Dockerfile"), BAD).unwrap();
    std::fs::write(root.join("svc/api/Containerfile"), CLEAN).unwrap();
    std::fs::write(root.join("svc/web.Dockerfile"), CLEAN).unwrap();
    std::fs::write(root.join(".devcontainer/Dockerfile"), CLEAN).unwrap();
    std::fs::write(root.join("ignored/Dockerfile"), BAD).unwrap();
    std::fs::write(root.join("Dockerfile.dockerignore"), "*\n").unwrap();
    std::fs::write(root.join("README.md"), "x\n").unwrap();
    std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
    std::fs::create_dir(root.join(".git")).unwrap();
    dir
}

#[test]
fn json_contract_and_exit_status() {
    let dir = project();
    let out = run_in(dir.path(), &["lint", "--format", "json", "Dockerfile"], b"");
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["version"], 1);
    assert_eq!(v["files"], serde_json::json!(["Dockerfile"]));
    let d = &v["diagnostics"][0];
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
    let codes = codes(&v);
    for code in ["DW1001", "DW1002", "DW2001", "DW2002", "DW5001", "DW5003"] {
        assert!(codes.contains(&code.to_string()), "{code} in {codes:?}");
    }
    let apt = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "DW2001")
        .unwrap();
    assert_eq!(apt["equivalents"]["hadolint"], "DL3015");
    assert_eq!(apt["fix"]["applicability"], "safe");
    let start = apt["fix"]["edits"][0]["start"].as_u64().unwrap() as usize;
    assert_eq!(&BAD[start - 7..start], "install");

    let clean = run_in(
        dir.path(),
        &["lint", "--format", "json", "svc/web.Dockerfile"],
        b"",
    );
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    assert!(crate::codes(&json(&clean)).is_empty());
}

#[test]
fn directories_are_searched_and_gitignore_honoured() {
    let dir = project();
    let out = run_in(dir.path(), &["lint", "--format", "json"], b"");
    let v = json(&out);
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            ".devcontainer/Dockerfile",
            "Dockerfile",
            "svc/api/Containerfile",
            "svc/web.Dockerfile"
        ]
    );
}

#[test]
fn threshold_ignore_select_and_no_fail() {
    let dir = project();
    let lint = |extra: &[&str]| {
        let mut args = vec!["lint", "--format", "json", "Dockerfile"];
        args.extend_from_slice(extra);
        run_in(dir.path(), &args, b"")
    };
    assert_eq!(
        lint(&["--failure-threshold", "error"]).status.code(),
        Some(1)
    );
    let only_info = lint(&[
        "--select",
        "DW2001,DW2002",
        "--failure-threshold",
        "warning",
    ]);
    assert_eq!(only_info.status.code(), Some(0));
    assert_eq!(codes(&json(&only_info)), ["DW2002", "DW2001"]);
    let ignored = lint(&["--ignore", "DL3000,DW1,size,DW4,DW5"]);
    let codes = codes(&json(&ignored));
    assert!(
        codes
            .iter()
            .all(|c| !c.starts_with("DW1") && !c.starts_with("DW2")),
        "{codes:?}"
    );
    assert_eq!(lint(&["--no-fail"]).status.code(), Some(0));
    let bad_selector = lint(&["--select", "NOPE"]);
    assert_eq!(bad_selector.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_selector.stderr).contains("NOPE"));
}

#[test]
fn hadolint_config_and_pragmas_are_honoured() {
    let dir = project();
    std::fs::write(
        dir.path().join(".hadolint.yaml"),
        "ignored: [DL3008, DL3009]\noverride:\n  error: [DL3015]\nfailure-threshold: error\n",
    )
    .unwrap();
    let source = "\
# hadolint global ignore=DL3006
FROM ubuntu
# dockwright ignore=DW1001 # the base image works in /srv
WORKDIR app
# check=skip=JSONArgsRecommended
CMD python app.py
RUN apt-get install -y curl
";
    std::fs::write(dir.path().join("svc/Dockerfile"), source).unwrap();
    let out = run_in(
        dir.path(),
        &["lint", "--format", "json", "svc/Dockerfile"],
        b"",
    );
    let v = json(&out);
    let codes = codes(&v);
    // DW3302: the install has no `apt-get update` in its RUN.
    assert_eq!(codes, ["DW4002", "DW2001", "DW3302"], "{v:#}");
    assert_eq!(v["diagnostics"][1]["severity"], "error");
    assert_eq!(out.status.code(), Some(1), "DL3015 is an error now");
    let isolated = run_in(
        dir.path(),
        &["lint", "--format", "json", "--isolated", "svc/Dockerfile"],
        b"",
    );
    assert!(crate::codes(&json(&isolated)).contains(&"DW5003".to_string()));
    std::fs::write(dir.path().join("custom.toml"), "select = [\"DW4002\"]\n").unwrap();
    let explicit = run_in(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            "--config",
            "custom.toml",
            "svc/Dockerfile",
        ],
        b"",
    );
    assert_eq!(crate::codes(&json(&explicit)), ["DW4002"]);
    std::fs::write(dir.path().join("broken.toml"), "select = 1\n").unwrap();
    let broken = run_in(
        dir.path(),
        &["lint", "--config", "broken.toml", "svc/Dockerfile"],
        b"",
    );
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("broken.toml"));
}

#[test]
fn hadolint_environment_variables_are_honoured() {
    let dir = project();
    let out = Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(["lint", "--format", "json", "Dockerfile"])
        .current_dir(dir.path())
        .env("DOCKWRIGHT_SHELLCHECK", "/nonexistent/shellcheck")
        .env("HADOLINT_IGNORE", "DL3008,DW4002")
        .env("HADOLINT_NOFAIL", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let codes = codes(&json(&out));
    assert!(!codes.contains(&"DW5003".to_string()) && !codes.contains(&"DW4002".to_string()));
    assert!(codes.contains(&"DW2001".to_string()));
}

#[test]
fn parse_errors_are_reported_and_others_still_linted() {
    let dir = project();
    std::fs::write(
        dir.path().join("svc/broken.Dockerfile"),
        "FROM a\nENV PATH\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["lint", "--format", "json", "svc"], b"");
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["files"].as_array().unwrap().len(), 3);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "parse-error");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(5))
    );
}

#[test]
fn stdin_and_missing_files() {
    let dir = project();
    let out = run_in(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            "--stdin-filename",
            "svc/Dockerfile",
            "-",
        ],
        BAD.as_bytes(),
    );
    let v = json(&out);
    assert_eq!(v["files"], serde_json::json!(["svc/Dockerfile"]));
    assert!(codes(&v).contains(&"DW1001".to_string()));
    let missing = run_in(dir.path(), &["lint", "nope/Dockerfile"], b"");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope/Dockerfile"));
}

#[test]
fn fix_writes_atomically_and_diff_shows_changes() {
    let dir = project();
    let path = dir.path().join("Dockerfile");
    let diff = run_in(dir.path(), &["lint", "--diff", "Dockerfile"], b"");
    assert_eq!(diff.status.code(), Some(1));
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.contains("+RUN apt-get update && apt-get install --no-install-recommends -y curl"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        BAD,
        "--diff writes nothing"
    );

    let fixed = run_in(
        dir.path(),
        &["lint", "--fix", "--format", "json", "Dockerfile"],
        b"",
    );
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.contains("install --no-install-recommends -y curl"));
    assert!(
        after.contains("WORKDIR app"),
        "unsafe fixes need --unsafe-fixes"
    );
    let remaining = codes(&json(&fixed));
    assert!(!remaining.contains(&"DW2001".to_string()));

    run_in(
        dir.path(),
        &["lint", "--fix", "--unsafe-fixes", "Dockerfile"],
        b"",
    );
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.contains("WORKDIR /app") && after.contains("CMD [\"python\", \"app.py\"]"));
    let again = run_in(
        dir.path(),
        &["lint", "--diff", "--unsafe-fixes", "Dockerfile"],
        b"",
    );
    assert_eq!(again.status.code(), Some(0), "nothing left to fix");

    let stdin = run_in(dir.path(), &["lint", "--fix", "-"], BAD.as_bytes());
    assert!(String::from_utf8_lossy(&stdin.stdout).contains("--no-install-recommends"));
}

#[test]
fn fix_command_matches_lint_fix_keeps_mode_and_is_idempotent() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let path = dir.path().join("Dockerfile");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();

    let diff = run_in(dir.path(), &["fix", "--diff", "Dockerfile"], b"");
    assert_eq!(
        diff.status.code(),
        Some(1),
        "--diff exits 1 when there are changes"
    );
    assert!(String::from_utf8_lossy(&diff.stdout).contains("+RUN apt-get update"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        BAD,
        "--diff writes nothing"
    );

    run_in(dir.path(), &["fix", "--unsafe-fixes", "Dockerfile"], b"");
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert_ne!(fixed, BAD);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the file keeps its mode");

    // The same result as `lint --fix --unsafe-fixes` on the original text.
    let other = dir.path().join("svc/Dockerfile");
    std::fs::write(&other, BAD).unwrap();
    run_in(
        dir.path(),
        &["lint", "--fix", "--unsafe-fixes", "svc/Dockerfile"],
        b"",
    );
    assert_eq!(std::fs::read_to_string(&other).unwrap(), fixed);

    let again = run_in(dir.path(), &["fix", "--unsafe-fixes", "Dockerfile"], b"");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        fixed,
        "a second run changes nothing"
    );
    assert!(!String::from_utf8_lossy(&again.stderr).contains("fixed"));
    let diff = run_in(
        dir.path(),
        &["fix", "--diff", "--unsafe-fixes", "Dockerfile"],
        b"",
    );
    assert_eq!(diff.status.code(), Some(0), "nothing left to fix");
}

#[test]
fn every_output_format_renders() {
    let dir = project();
    for format in [
        "tty",
        "json",
        "hadolint-json",
        "sarif",
        "github",
        "checkstyle",
        "junit",
        "gitlab",
        "markdown",
    ] {
        let out = run_in(dir.path(), &["lint", "--format", format, "Dockerfile"], b"");
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(!out.stdout.is_empty(), "{format}");
    }
    let hadolint = run_in(
        dir.path(),
        &["lint", "--format", "hadolint-json", "Dockerfile"],
        b"",
    );
    let v: serde_json::Value = serde_json::from_slice(&hadolint.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|f| f["code"] == "DL3015"));
}

#[test]
fn rules_and_explain() {
    let dir = project();
    let table = run_in(dir.path(), &["rules"], b"");
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("CODE"));
    assert!(text.contains("DW1001") && text.contains("workdir-relative-path"));
    let json = run_in(dir.path(), &["rules", "--format", "json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(v.as_array().unwrap().len() >= 15);
    assert!(v[0]["doc"].as_str().unwrap().contains("## Why"));
    let md = run_in(dir.path(), &["rules", "--format", "markdown"], b"");
    assert!(String::from_utf8_lossy(&md.stdout).contains("## DW1001"));
    for alias in [
        "DW1001",
        "workdir-relative-path",
        "DL3000",
        "WorkdirRelativePath",
    ] {
        let out = run_in(dir.path(), &["explain", alias], b"");
        assert_eq!(out.status.code(), Some(0), "{alias}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with("# DW1001"), "{text}");
        assert!(text.contains("```dockerfile"));
    }
    let sc = run_in(dir.path(), &["explain", "SC2086"], b"");
    assert!(String::from_utf8_lossy(&sc.stdout).contains("shellcheck.net/wiki/SC2086"));
    let unknown = run_in(dir.path(), &["explain", "DL9999"], b"");
    assert_eq!(unknown.status.code(), Some(2));
}

/// `--context DIR` gives the context rules a context; a Dockerfile kept apart from its
/// context (`docker/Dockerfile`) gets none by default, and `--no-context` turns detection off.
#[test]
fn build_context() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("docker")).unwrap();
    std::fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(root.join("package.json"), "{}").unwrap();
    std::fs::write(root.join(".env"), "DB_PASSWORD=hunter2\n").unwrap();
    let dockerfile = "FROM node:20-slim\nCOPY . /app\nUSER node\n";
    std::fs::write(root.join("docker/Dockerfile"), dockerfile).unwrap();
    std::fs::write(root.join("Dockerfile"), dockerfile).unwrap();
    let select = ["--select", "DW2406,DW4402", "--format", "json"];
    let lint = |extra: &[&str]| {
        let mut args = vec!["lint"];
        args.extend_from_slice(&select);
        args.extend_from_slice(extra);
        json(&run_in(root, &args, b""))
    };
    // Given: the whole context is judged.
    let given = lint(&["--context", ".", "docker/Dockerfile"]);
    assert_eq!(codes(&given), ["DW2406", "DW4402"]);
    // Detected beside the Dockerfile (a project manifest next to `COPY .`).
    assert_eq!(codes(&lint(&["Dockerfile"])), ["DW2406", "DW4402"]);
    // Not detected for docker/Dockerfile: nothing beside it; `.` is not judged by name.
    assert!(codes(&lint(&["docker/Dockerfile"])).is_empty());
    assert!(codes(&lint(&["--no-context", "Dockerfile"])).is_empty());
    // A context that is not a directory is a usage error.
    let out = run_in(root, &["lint", "--context", "missing", "Dockerfile"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing"));
}
