//! `dockwright cache` end to end, on the projects the buildah agreement test builds
//! (`tests/cache/projects`), and `--since` on a scratch git repository.

use std::path::{Path, PathBuf};
use std::process::Command;

fn dockwright(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the dockwright binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn projects() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cache/projects")
}

/// One case line of a project: the action, its operands.
fn cases(project: &Path) -> Vec<(String, Vec<String>)> {
    std::fs::read_to_string(project.join("cases"))
        .expect("every project has a cases file")
        .lines()
        .filter_map(|raw| {
            let line = raw.split(['#', '|']).next().unwrap_or_default();
            let mut words = line.split_whitespace().map(str::to_owned);
            let action = words.next()?;
            Some((action, words.collect()))
        })
        .collect()
}

/// Every case of a project as dockwright predicts it, one block per case: the rebuilt and
/// cached steps (config steps left out) with the reason.
fn predictions(name: &str) -> String {
    let dir = projects().join(name);
    let mut args: Vec<(String, String)> = Vec::new();
    let mut out = String::new();
    for (action, operands) in cases(&dir) {
        let mut cmd: Vec<String> = vec![
            "cache".into(),
            "--format".into(),
            "json".into(),
            "--context".into(),
            ".".into(),
        ];
        for (k, v) in &args {
            cmd.push("--build-arg".into());
            cmd.push(format!("{k}={v}"));
        }
        match action.as_str() {
            "arg" => {
                for kv in &operands {
                    let (k, v) = kv.split_once('=').expect("arg K=V");
                    if !args.iter().any(|(ak, av)| ak == k && av == v) {
                        cmd.push("--changed-arg".into());
                        cmd.push(kv.clone());
                    }
                    args.retain(|(ak, _)| ak != k);
                    args.push((k.to_owned(), v.to_owned()));
                }
            }
            "touch" => {}
            _ => {
                cmd.push("--changed".into());
                cmd.extend(operands.iter().cloned());
            }
        }
        let refs: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = dockwright(&refs, &dir);
        assert_eq!(code, 0, "{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON output");
        out.push_str(&format!("{action} {}\n", operands.join(" ")));
        for step in json["steps"].as_array().expect("steps") {
            if step["op"] == "config" || step["op"] == "base" && step["rebuilt"] == false {
                continue;
            }
            let state = match (step["rebuilt"].as_bool(), step["certain"].as_bool()) {
                (Some(true), Some(true)) => "rebuilt",
                (Some(true), _) => "maybe",
                _ => "cached",
            };
            out.push_str(&format!(
                "  {:>2} {:<7} {}{}\n",
                step["line"],
                state,
                step["instruction"].as_str().unwrap_or_default(),
                if state == "cached" {
                    String::new()
                } else {
                    format!("  <- {}", step["reason"].as_str().unwrap_or_default())
                }
            ));
        }
        match &json["first_rebuilt"] {
            serde_json::Value::Null => out.push_str("  first rebuilt: none\n"),
            first => out.push_str(&format!(
                "  first rebuilt: line {} in {}\n",
                first["line"], first["stage"]
            )),
        }
    }
    out
}

#[test]
fn predictions_on_the_buildah_projects() {
    let mut names: Vec<String> = std::fs::read_dir(projects())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    for name in names {
        insta::assert_snapshot!(format!("predictions_{name}"), predictions(&name));
    }
}

#[test]
fn tty_marks_rebuilt_steps() {
    let dir = projects().join("multi-stage");
    let (code, out, _) = dockwright(&["cache", "--changed", "src/main.sh"], &dir);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
    let dir = projects().join("copy-from-chain");
    let (code, out, _) = dockwright(&["cache", "--changed-arg", "SALT=2"], &dir);
    assert_eq!(code, 0);
    insta::assert_snapshot!("tty_with_uncertain_steps", out);
}

#[test]
fn json_follows_the_contract() {
    let dir = projects().join("manifests-first");
    let (code, out, _) = dockwright(
        &[
            "cache",
            "--format",
            "json",
            "--changed",
            "src/main.sh",
            "README.md",
        ],
        &dir,
    );
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    for step in json["steps"].as_array().unwrap() {
        for field in ["stage", "index", "line", "instruction", "rebuilt", "reason"] {
            assert!(step.get(field).is_some(), "{field} in {step}");
        }
    }
    assert_eq!(json["first_rebuilt"]["line"], 6);
    assert_eq!(json["first_rebuilt"]["index"], 4);
    insta::assert_json_snapshot!(json);
}

#[test]
fn usage_errors_exit_2() {
    let dir = projects().join("manifests-first");
    let (code, _, err) = dockwright(&["cache", "--target", "nope", "--changed", "x"], &dir);
    assert_eq!(code, 2);
    assert!(
        err.contains("target stage \"nope\" could not be found"),
        "{err}"
    );
    let (code, _, err) = dockwright(&["cache", "--changed-arg", "=1"], &dir);
    assert_eq!(code, 2);
    assert!(err.contains("the name before '=' is empty"), "{err}");
    let (code, _, err) = dockwright(&["cache", "-f", "Nope.Dockerfile", "--changed", "x"], &dir);
    assert_eq!(code, 2);
    assert!(
        err.contains("Nope.Dockerfile: cannot read the Dockerfile"),
        "{err}"
    );
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("Dockerfile"), "FROM a\nCOPY --chown= \"\n").unwrap();
    std::fs::write(tmp.path().join("Dockerfile"), "FROM a\nRUN <<EOF\n").unwrap();
    let (code, _, err) = dockwright(&["cache", "--changed", "x"], tmp.path());
    assert_eq!(code, 2);
    assert!(err.contains("Dockerfile:"), "{err}");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn since_takes_changes_from_git() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "app/Dockerfile",
        "FROM alpine\nCOPY deps.txt /\nRUN true\nCOPY src/ /src/\nRUN make\n",
    );
    write("app/deps.txt", "a\n");
    write("app/src/main.c", "int main;\n");
    write("app/.dockerignore", "*.log\n");
    write("app/debug.log", "x\n");
    write("other/file.txt", "o\n");
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "one"]);

    let app = root.join("app");
    // A tracked edit and an untracked file under src/, an ignored file, a change outside the
    // context.
    write("app/src/main.c", "int main() {}\n");
    write("app/src/new.h", "\n");
    write("app/debug.log", "y\n");
    write("other/file.txt", "p\n");
    let (code, out, err) = dockwright(&["cache", "--format", "json", "--since", "HEAD"], &app);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let changed: Vec<&str> = json["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["debug.log", "src/main.c", "src/new.h"]);
    assert_eq!(json["first_rebuilt"]["line"], 4);

    // The Dockerfile changed too: its steps are compared with the committed version.
    write(
        "app/Dockerfile",
        "FROM alpine\nCOPY deps.txt /\nRUN true --verbose\nCOPY src/ /src/\nRUN make\n",
    );
    git(root, &["checkout", "-q", "--", "app/src"]);
    std::fs::remove_file(root.join("app/src/new.h")).unwrap();
    let (code, out, err) = dockwright(&["cache", "--format", "json", "--since", "HEAD"], &app);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["first_rebuilt"]["line"], 3);
    let reason = json["steps"][2]["reason"].as_str().unwrap();
    assert_eq!(
        reason,
        "instruction changed: RUN true -> RUN true --verbose"
    );

    // The ignore file changed: what it no longer excludes counts as changed.
    git(root, &["checkout", "-q", "--", "app/Dockerfile"]);
    write("app/.dockerignore", "*.log\nsrc/*.h\n");
    write("app/src/old.h", "\n");
    git(root, &["add", "app/src/old.h", "app/.dockerignore"]);
    git(root, &["commit", "-qm", "two"]);
    write("app/.dockerignore", "*.log\n");
    let (code, out, err) = dockwright(&["cache", "--format", "json", "--since", "HEAD"], &app);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let changed: Vec<&str> = json["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert!(changed.contains(&"src/old.h"), "{changed:?}");
    assert_eq!(json["first_rebuilt"]["line"], 4);

    let (code, _, err) = dockwright(&["cache", "--since", "no-such-rev"], &app);
    assert_eq!(code, 2);
    assert!(err.contains("git diff"), "{err}");
}
