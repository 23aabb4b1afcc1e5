//! `dockwright analyze` and `dockwright stages`: formats, output file, exit statuses.

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

#[test]
fn analyze_json_and_fail_on() {
    let out = run(&[
        "analyze",
        "--isolated",
        "--no-shellcheck",
        "--format",
        "json",
        "examples/ml-transcriber",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["root"], "examples/ml-transcriber");
    assert!(v["counts"]["high"].as_u64().unwrap() > 0);
    let verify: Vec<&str> = v["verify"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["command"].as_str().unwrap())
        .collect();
    assert!(verify.contains(&"dockwright bench examples/ml-transcriber"));
    assert!(verify.contains(&"dockwright context --write-dockerignore examples/ml-transcriber"));

    let out = run(&[
        "analyze",
        "--isolated",
        "--no-shellcheck",
        "--fail-on",
        "high",
        "examples/ml-transcriber",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Cache and rebuild time"));
    assert!(
        text.contains("Suggested examples/ml-transcriber/.dockerignore")
            || text.contains("Suggested .dockerignore")
    );
}

#[test]
fn analyze_writes_html_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let out = run(&[
        "analyze",
        "--isolated",
        "--no-shellcheck",
        "-q",
        "--output",
        page.to_str().unwrap(),
        "examples/web-platform",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("compose.yaml#worker"));
}

#[test]
fn analyze_errors_exit_2() {
    let out = run(&["analyze", "examples/does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["analyze", "--fail-on", "urgent", "examples/web-platform"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn stages_formats() {
    let out = run(&["stages", "examples/notebook-tiers"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("not built by any target: debug"), "{text}");
    assert!(text.contains("FROM       quay.io/modh/odh-pytorch-notebook:v2-2025a"));

    let out = run(&[
        "stages",
        "--format",
        "mermaid",
        "-f",
        "examples/web-platform/api/Dockerfile",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("flowchart LR\n"), "{text}");
    assert!(
        text.contains("img0 --> s0") && text.contains("img0 --> s1"),
        "{text}"
    );

    let out = run(&["stages", "--format", "dot", "examples/openshift-workbench"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("digraph stages").count(), 2, "{text}");
    assert!(text.contains("s0 -> s1 [style=dashed, label=\"COPY --from\"]"));

    let out = run(&["stages", "--format", "json", "examples/openshift-workbench"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &v["dockerfiles"][0]["graph"];
    assert_eq!(
        first["images"][0]["expanded"],
        "nvcr.io/nvidia/clara/clara-parabricks:4.6.0-1"
    );
    assert_eq!(first["stages"][0]["label"], "parabricks-source");

    let out = run(&["stages", "-f", "examples/no-such-Dockerfile"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A `docker save` archive (legacy layout) of two layers with the given history.
fn docker_archive(path: &Path, layers: &[(&str, Vec<(&str, usize)>)]) {
    use sha2::Digest;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut diff_ids = Vec::new();
    let mut history = Vec::new();
    let mut names = Vec::new();
    for (created_by, entries) in layers {
        let mut b = tar::Builder::new(Vec::new());
        for (name, size) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(*size as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, vec![7u8; *size].as_slice())
                .unwrap();
        }
        let blob = b.into_inner().unwrap();
        let digest = format!("{:x}", sha2::Sha256::digest(&blob));
        diff_ids.push(format!("sha256:{digest}"));
        history.push(serde_json::json!({"created_by": created_by}));
        names.push(format!("{digest}/layer.tar"));
        files.push((format!("{digest}/layer.tar"), blob));
    }
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap();
    let config_name = format!("{:x}.json", sha2::Sha256::digest(&config));
    files.push((config_name.clone(), config));
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": config_name, "RepoTags": ["transcriber:latest"], "Layers": names,
    }]))
    .unwrap();
    files.push(("manifest.json".into(), manifest));
    let mut b = tar::Builder::new(std::fs::File::create(path).unwrap());
    for (name, data) in &files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    b.finish().unwrap();
}

#[test]
fn analyze_with_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("transcriber.tar");
    docker_archive(
        &archive,
        &[
            (
                "FROM nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04",
                vec![("usr/lib/libcuda.so", 300_000)],
            ),
            (
                "RUN /bin/sh -c apt-get install -y python3 python3-pip python3-dev build-essential cmake git     ffmpeg libsndfile1-dev curl # buildkit",
                vec![
                    ("usr/bin/cmake", 120_000),
                    ("var/lib/apt/lists/archive_Packages", 40_000),
                ],
            ),
        ],
    );
    let image = format!("docker-archive:{}", archive.display());
    let out = run(&[
        "analyze",
        "--isolated",
        "--no-shellcheck",
        "--format",
        "json",
        "--image",
        &image,
        "examples/ml-transcriber",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["image"]["layers"].as_array().unwrap().len(), 2);
    assert_eq!(v["image"]["layers"][1]["size"], 160_000);
    let tools = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "DW2003")
        .unwrap();
    let evidence: Vec<&str> = tools["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        evidence.contains(&"image layer 1, made by this step: 160 kB"),
        "{evidence:?}"
    );
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["origin"] == "image"),
        "the image's own findings join the report"
    );
}

/// `analyze` runs the opt-in base-image-digest rule unless the project's config ignores it.
#[test]
fn analyze_adds_digest_rule_unless_ignored() {
    let codes = |out: &Output| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let out = run(&[
        "analyze",
        "--isolated",
        "--no-shellcheck",
        "--format",
        "json",
        "examples/ml-transcriber",
    ]);
    assert!(codes(&out).iter().any(|c| c == "DW4401"), "{out:?}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM python:3.12-slim\n").unwrap();
    let with = |config: Option<&str>| {
        if let Some(text) = config {
            std::fs::write(dir.path().join(".dockwright.toml"), text).unwrap();
        }
        run(&[
            "analyze",
            "--no-shellcheck",
            "--format",
            "json",
            dir.path().to_str().unwrap(),
        ])
    };
    assert!(codes(&with(None)).iter().any(|c| c == "DW4401"));
    let ignored = with(Some("ignore = [\"base-image-no-digest\"]\n"));
    assert!(
        !codes(&ignored).iter().any(|c| c == "DW4401"),
        "{ignored:?}"
    );
}
