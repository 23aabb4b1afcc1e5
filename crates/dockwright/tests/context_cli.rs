//! The `debug ignore` and `context` command lines (CONTRACTS.md), end to end.

use std::path::Path;
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

fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    let parent = path.parent().expect("a relative path has a parent");
    std::fs::create_dir_all(parent).expect("create test directories");
    std::fs::write(path, content).expect("write a test file");
}

#[test]
fn debug_ignore_reads_a_file_and_prints_one_line_per_path() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ignore",
        "# c\nnode_modules\n*.md\n!README.md\n",
    );
    let (code, out, _) = dockwright(
        &[
            "debug",
            "ignore",
            "--patterns-file",
            "ignore",
            "node_modules/x/y.js",
            "README.md",
            "docs/a.md",
            "src/main.rs",
            ".",
        ],
        dir.path(),
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "match\tnode_modules/x/y.js\nnomatch\tREADME.md\nnomatch\tdocs/a.md\nnomatch\tsrc/main.rs\nnomatch\t.\n"
    );
    let (_, out, _) = dockwright(
        &[
            "debug",
            "ignore",
            "--explain",
            "--patterns-file",
            "ignore",
            "x.md",
        ],
        dir.path(),
    );
    assert_eq!(out, "match\tx.md\t3\t*.md\n");
}

#[test]
fn debug_ignore_errors_name_file_and_line_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ignore", "a\n\n!\n");
    let (code, out, err) = dockwright(
        &["debug", "ignore", "--patterns-file", "ignore", "a"],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("ignore:3: illegal exclusion pattern"), "{err}");
    let (code, _, err) = dockwright(&["debug", "ignore", "--patterns=[", "--", "a"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("syntax error in pattern"), "{err}");
}

#[test]
fn debug_ignore_walk_mode_follows_the_context_transfer() {
    let dir = tempfile::tempdir().unwrap();
    let args = |walk: bool| {
        let mut a = vec!["debug", "ignore", "--patterns=a/b", "--patterns=!a"];
        if walk {
            a.push("--walk");
        }
        a.extend(["--", "a/b"]);
        a
    };
    assert_eq!(dockwright(&args(false), dir.path()).1, "nomatch\ta/b\n");
    assert_eq!(dockwright(&args(true), dir.path()).1, "match\ta/b\n");
}

#[test]
fn context_list_uses_the_dockerfile_specific_ignore_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", "FROM scratch\n");
    write(root, "build/Dockerfile2", "FROM scratch\n");
    write(root, "build/Dockerfile2.dockerignore", "secret\nbuild\n");
    write(root, ".dockerignore", "src\n");
    write(root, "secret/key", "k");
    write(root, "src/a/b.rs", "");
    let (code, out, _) = dockwright(&["context", "--list", "."], root);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        ".dockerignore\nDockerfile\nbuild/Dockerfile2\nbuild/Dockerfile2.dockerignore\nsecret/key\n"
    );
    let (code, out, _) = dockwright(&["context", "--list", "-f", "build/Dockerfile2", "."], root);
    assert_eq!(code, 0);
    assert_eq!(out, ".dockerignore\nDockerfile\nsrc/a/b.rs\n");
}

#[test]
fn context_rejects_an_invalid_ignore_file_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".dockerignore", "ok\n!\n");
    let (code, _, err) = dockwright(&["context", "--list", "."], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains(".dockerignore:2:"), "{err}");
}

#[test]
fn context_json_report_is_one_object() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", "hello");
    write(dir.path(), ".dockerignore", "*.log\n");
    write(dir.path(), "x.log", "log");
    let (code, out, _) = dockwright(&["context", "--format", "json", "--hash", "."], dir.path());
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["sent"]["files"], 2);
    assert_eq!(report["excluded"]["files"], 1);
    assert_eq!(report["patterns"][0]["pattern"], "*.log");
    assert_eq!(report["hashing"]["files"], 2);
}

#[test]
fn context_rejects_a_missing_dockerfile() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = dockwright(&["context", "--list", "-f", "nope", "."], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("nope: no such Dockerfile"), "{err}");
}

fn node_project(root: &Path) {
    write(
        root,
        "Dockerfile",
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCOPY .env.local /app/\nCMD [\"node\", \"src/index.js\"]\n",
    );
    write(root, "package.json", "{}");
    write(root, "package-lock.json", "{}");
    write(root, "src/index.js", "console.log(1)");
    write(root, ".env.local", "TOKEN=abc");
    write(root, "node_modules/left-pad/index.js", "module.exports = 1");
    write(root, ".git/HEAD", "ref: refs/heads/main");
}

#[test]
fn context_report_lists_what_the_dockerfile_copies_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    node_project(dir.path());
    let (code, out, err) = dockwright(&["context", "."], dir.path());
    assert_eq!(code, 0, "{err}");
    let from = out
        .find("What the Dockerfile copies")
        .expect("the Dockerfile section");
    insta::assert_snapshot!(&out[from..]);
    let (code, out, _) = dockwright(&["context", "--format", "json", "."], dir.path());
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let analysis = &json["dockerfile_analysis"];
    assert_eq!(analysis["copies"][0]["files"], 7);
    assert_eq!(analysis["findings"][0]["kind"], "secret-copied");
    assert_eq!(analysis["cache_order"][0]["command"], "npm ci");
    assert_eq!(analysis["installs"]["node"], true);
}

#[test]
fn context_suggests_and_writes_an_ignore_file() {
    let dir = tempfile::tempdir().unwrap();
    node_project(dir.path());
    let (code, out, _) = dockwright(&["context", "--suggest-dockerignore", "."], dir.path());
    assert_eq!(code, 0);
    // npm ci makes node_modules; .git is never needed; .env.local is copied by name: kept.
    assert!(out.contains("\nnode_modules\n"), "{out}");
    assert!(out.contains("\n.git\n"), "{out}");
    assert!(!out.contains("\n.env.local\n"), "{out}");
    assert!(!dir.path().join(".dockerignore").exists());

    let (code, out, err) = dockwright(&["context", "--write-dockerignore", "."], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Wrote ./.dockerignore: 2 new patterns"),
        "{out}"
    );
    let written = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    assert!(written.contains("\nnode_modules\n"));

    // An existing file is not overwritten without --force.
    write(dir.path(), ".dockerignore", "# mine\n*.log\n");
    let (code, _, err) = dockwright(&["context", "--write-dockerignore", "."], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("exists; --force extends it"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap(),
        "# mine\n*.log\n"
    );
    let (code, _, _) = dockwright(
        &["context", "--write-dockerignore", "--force", "."],
        dir.path(),
    );
    assert_eq!(code, 0);
    let extended = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    assert!(
        extended.starts_with("# mine\n*.log\n\n# Added by dockwright"),
        "{extended}"
    );

    // Without a Dockerfile there is nothing to keep: refused.
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    let (code, _, err) = dockwright(&["context", "--suggest-dockerignore", "."], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("no Dockerfile"), "{err}");
}
