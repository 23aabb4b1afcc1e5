//! `dockwright image` and `dockwright diff` from the command line: the JSON contract, CI
//! gates and exit statuses.
#![allow(clippy::unwrap_used)]

#[path = "../../dockwright-image/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;

use support::*;

fn dockwright(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn small(dir: &Path) -> String {
    let images = parity_images(1000);
    let (_, img, comps) = images.into_iter().find(|i| i.0 == "small").unwrap();
    let p = dir.join("small.tar");
    img.write_docker_archive(&p, &comps);
    p.display().to_string()
}

#[test]
fn json_follows_the_contract() {
    let t = tempfile::tempdir().unwrap();
    let img = small(t.path());
    let (code, out, err) = dockwright(t.path(), &["image", "--format", "json", &img]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "total_size",
        "layers",
        "wasted_bytes",
        "efficiency",
        "user_wasted_percent",
        "files",
        "findings",
        "reclaimable_bytes",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    for key in [
        "digest",
        "size",
        "compressed_size",
        "created_by",
        "files_added",
        "files_modified",
        "files_removed",
    ] {
        assert!(v["layers"][0].get(key).is_some(), "layer missing {key}");
    }
    assert_eq!(v["wasted_bytes"], 741004);
    assert_eq!(v["layers"].as_array().unwrap().len(), 3);
    let f = &v["findings"][0];
    for key in ["code", "category", "severity", "bytes", "paths", "layer"] {
        assert!(f.get(key).is_some(), "finding missing {key}");
    }
    assert!(!out.contains("hunter2"), "secret values never printed");
}

#[test]
fn ci_gates_use_dive_ci_files() {
    let t = tempfile::tempdir().unwrap();
    let img = small(t.path());
    // Defaults (efficiency 0.9, user-wasted 0.1) fail on this image.
    let (code, out, _) = dockwright(t.path(), &["image", "--ci", &img]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL: lowest-efficiency"), "{out}");
    std::fs::write(t.path().join(".dive-ci"), "rules:\n  lowestEfficiency: 0.5\n  highestWastedBytes: 1MB\n  highestUserWastedPercent: disabled\n").unwrap();
    let (code, out, err) = dockwright(t.path(), &["image", "--ci", &img]);
    assert_eq!(code, 0, "{out}");
    assert!(err.contains("camelCase"), "{err}");
    let cfg = t.path().join("strict.yaml");
    std::fs::write(&cfg, "rules:\n  lowest-efficiency: 0.5\n  highest-user-wasted-percent: off\n  max-reclaimable: 100kB\n").unwrap();
    let (code, out, _) = dockwright(
        t.path(),
        &[
            "image",
            "--ci",
            "--ci-config",
            cfg.to_str().unwrap(),
            "--format",
            "json",
            &img,
        ],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ci"]["passed"], false);
    let (code, _, _) = dockwright(
        t.path(),
        &[
            "image",
            "--ci",
            "--ci-config",
            cfg.to_str().unwrap(),
            "--max-reclaimable",
            "1MB",
            &img,
        ],
    );
    assert_eq!(code, 0, "flags override the file");
    let (code, _, err) = dockwright(
        t.path(),
        &["image", "--ci", "--lowest-efficiency", "2", &img],
    );
    assert_eq!(code, 2);
    assert!(err.contains("0-1"), "{err}");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("junk.tar");
    std::fs::write(&p, b"this is not a tar").unwrap();
    let (code, _, err) = dockwright(t.path(), &["image", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("junk.tar"), "{err}");
    let (code, _, err) = dockwright(t.path(), &["image", "oci:/nonexistent/layout"]);
    assert_eq!(code, 2);
    assert!(err.contains("index.json"), "{err}");
}

#[test]
fn diff_prints_a_reduction_table() {
    let t = tempfile::tempdir().unwrap();
    let a = small(t.path());
    let images = parity_images(1000);
    let (_, img, comps) = images.into_iter().find(|i| i.0 == "zstd").unwrap();
    let b = t.path().join("z.oci");
    img.write_oci_layout(&b, &comps);
    let (code, out, err) = dockwright(
        t.path(),
        &[
            "diff",
            "--format",
            "markdown",
            &a,
            &format!("oci:{}", b.display()),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("| | Before | After | Reduction |"), "{out}");
    assert!(
        out.contains("| Size | 1.3 MB | 850.0 kB | 434.0 kB (33.8 %) |"),
        "{out}"
    );
    let (code, out, _) = dockwright(t.path(), &["diff", "--format", "json", &a, &a]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files_changed"], 0);
    assert!(
        v["layers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["shared"] == true)
    );
}

#[test]
fn tty_and_markdown_output() {
    let t = tempfile::tempdir().unwrap();
    small(t.path());
    let (code, tty, err) = dockwright(t.path(), &["--color", "never", "image", "small.tar"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("image_tty", tty);
    let (_, md, _) = dockwright(
        t.path(),
        &[
            "image",
            "--format",
            "markdown",
            "--ci",
            "--lowest-efficiency",
            "0.5",
            "small.tar",
        ],
    );
    insta::assert_snapshot!("image_markdown", md);
}

#[test]
fn files_lists_every_change_per_layer() {
    let t = tempfile::tempdir().unwrap();
    let img = small(t.path());
    let (code, out, _) = dockwright(t.path(), &["image", "--files", "--format", "json", &img]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let last = &v["changes"][2]["files"];
    let removed: Vec<&str> = last
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["change"] == "removed")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        removed,
        vec!["/usr/share/doc/README", "/var/cache/big.cache"],
        "files under a deleted directory are listed"
    );
    let (_, plain, _) = dockwright(t.path(), &["image", "--format", "json", &img]);
    assert!(!plain.contains("\"changes\""), "only with --files");
}
