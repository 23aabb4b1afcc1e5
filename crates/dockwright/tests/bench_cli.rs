//! `dockwright bench` end to end: argument errors (no builder needed), and a real comparison of
//! two Dockerfiles on the local busybox base (skipped with a note when buildah or the base
//! image is missing; `tests/support/base-images.sh busybox` makes it).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use std::path::Path;
use std::process::{Command, Output};

fn dockwright(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(args)
        .output()
        .expect("run dockwright")
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn without_an_optimized_dockerfile_it_says_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM scratch\n");
    let out = dockwright(&["bench", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Dockerfile.optimized"), "{stderr}");
    assert!(stderr.contains("dockwright optimize"), "{stderr}");
}

#[test]
fn argument_errors_exit_2_and_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = dockwright(&["bench", "-f", "/nonexistent/Dockerfile", d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/Dockerfile"));

    write(dir.path(), "Dockerfile", "FROM scratch\n");
    write(dir.path(), "Dockerfile.optimized", "FROM scratch\n");
    let out = dockwright(&["bench", "--build-arg", "NOEQUALS", d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NAME=VALUE"));

    let out = dockwright(&["bench", "/nonexistent-context-dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a directory"));
}

#[test]
fn without_any_builder_it_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM scratch\nCOPY main.py /\n");
    write(
        dir.path(),
        "Dockerfile.optimized",
        "FROM scratch\nCOPY main.py /\n",
    );
    write(dir.path(), "main.py", "print(1)\n");
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(["bench", dir.path().to_str().unwrap()])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no container builder is available"),
        "{stderr}"
    );
    assert!(
        stderr.contains("buildah (not installed)")
            && stderr.contains("podman (not installed)")
            && stderr.contains("docker (not installed)"),
        "{stderr}"
    );
    assert!(stderr.contains("apt-get install buildah"), "{stderr}");

    let out = Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(["bench", "--builder", "podman", dir.path().to_str().unwrap()])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("podman is not usable"), "{stderr}");
}

fn buildah_with_busybox() -> bool {
    let ok = Command::new("buildah")
        .args(["--storage-driver", "vfs", "inspect", "--type", "image"])
        .arg("localhost/busybox:latest")
        .env_remove("CONTAINERS_STORAGE_CONF")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "note: skipping the bench build test: needs buildah and localhost/busybox \
             (tests/support/base-images.sh busybox)"
        );
    }
    ok
}

#[test]
fn compares_two_real_builds() {
    if !buildah_with_busybox() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path();
    write(ctx, "requirements.txt", "left-pad==1.0\n");
    write(ctx, "app/main.py", "print('hello')\n");
    write(ctx, "docs/notes.md", "notes\n");
    // The original installs its "dependencies" after copying everything and keeps a big cache;
    // the optimized one copies the manifest first and leaves the cache out.
    write(
        ctx,
        "Dockerfile",
        "FROM localhost/busybox\nWORKDIR /app\nCOPY . .\n\
         RUN cat requirements.txt > /installed && head -c 300000 /dev/zero > /cache.bin\n\
         ENV APP=demo\nCMD [\"cat\", \"/installed\"]\n",
    );
    write(
        ctx,
        "Dockerfile.optimized",
        "FROM localhost/busybox\nWORKDIR /app\nCOPY requirements.txt .\n\
         RUN cat requirements.txt > /installed\nCOPY . .\n\
         ENV APP=demo\nUSER nobody\nCMD [\"cat\", \"/installed\"]\n",
    );
    let export_dir = tempfile::tempdir().unwrap();
    let export = export_dir.path().join("images");
    // An export directory inside the context is refused: the second build would copy it.
    let inside = dockwright(&[
        "bench",
        "--export",
        ctx.join("images").to_str().unwrap(),
        ctx.to_str().unwrap(),
    ]);
    assert_eq!(inside.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&inside.stderr).contains("inside the build context"));
    let out = Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args([
            "bench",
            "--format",
            "json",
            "--storage-driver",
            "vfs",
            "--export",
        ])
        .arg(&export)
        .arg(ctx)
        .env_remove("CONTAINERS_STORAGE_CONF")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("the rebuild edits app/main.py"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    assert_eq!(report["touched"]["path"], "app/main.py");
    let outcome = |side: &str, needle: &str| -> String {
        report[side]["rebuild"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["instruction"].as_str().unwrap().contains(needle))
            .map(|s| s["outcome"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(outcome("original", "cat requirements.txt"), "built");
    assert_eq!(outcome("optimized", "cat requirements.txt"), "cached");
    assert_eq!(outcome("optimized", "COPY . ."), "built");

    let size = |side: &str| report[side]["size"].as_u64().unwrap();
    assert!(size("original") > size("optimized") + 250_000);
    assert!(report["improvement"]["size_bytes"].as_i64().unwrap() > 250_000);
    assert_eq!(
        report["improvement"]["config_differences"],
        serde_json::json!(["user"])
    );
    assert_eq!(report["original"]["config"]["cmd"][0], "cat");
    assert!(
        report["original"]["first_build"]["seconds"]
            .as_f64()
            .unwrap()
            > 0.0
    );

    // The source edit was undone.
    assert_eq!(
        std::fs::read_to_string(ctx.join("app/main.py")).unwrap(),
        "print('hello')\n"
    );
    // Both images were exported, then removed from the builder's storage.
    assert!(export.join("original.tar").is_file());
    assert!(export.join("optimized.tar").is_file());
    for side in ["original", "optimized"] {
        let id = report[side]["image_id"].as_str().unwrap();
        let still_there = Command::new("buildah")
            .args(["--storage-driver", "vfs", "inspect", "--type", "image", id])
            .env_remove("CONTAINERS_STORAGE_CONF")
            .output()
            .unwrap()
            .status
            .success();
        assert!(!still_there, "{side} image {id} was left behind");
    }

    // The same run as markdown: the table and each rebuild step by step.
    let out = Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args([
            "bench",
            "-q",
            "--format",
            "markdown",
            "--storage-driver",
            "vfs",
        ])
        .arg(ctx)
        .env_remove("CONTAINERS_STORAGE_CONF")
        .output()
        .unwrap();
    assert!(out.status.success());
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.starts_with("| Metric | Original | Optimized | Improvement |"),
        "{md}"
    );
    assert!(
        md.contains("### Rebuild after editing `app/main.py`"),
        "{md}"
    );
    assert!(out.stderr.is_empty(), "-q prints nothing on stderr");
}
