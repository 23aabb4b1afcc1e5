//! The HTML report rendered by headless Chromium: the DOM it builds shows the sections, the
//! findings, the charts and the stage graph. Skipped (with a note) when Chromium is not
//! installed (Debian package `chromium`).

// Test helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use dockwright_analyze::{
    AnalysisReport, AnalyzeOptions, ImageSummary, LayerSummary, analyze, render,
};
use dockwright_rules::{Linter, Settings};

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
}

fn report(name: &str) -> AnalysisReport {
    let linter = Linter::new(Settings::default()).with_shellcheck(false);
    analyze(
        &PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples")).join(name),
        &AnalyzeOptions {
            discover: Default::default(),
            linter: &linter,
            image: None,
            optimizer: None,
            progress: None,
        },
    )
    .unwrap()
}

/// The DOM Chromium builds from the page.
fn dump_dom(browser: &Path, html: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, html).unwrap();
    let profile = dir.path().join("profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn html_report_renders_in_chromium() {
    let Some(browser) = chromium() else {
        println!(
            "note: chromium is not installed (apt-get install -y chromium); HTML rendering test skipped"
        );
        return;
    };
    let mut r = report("ml-transcriber");
    // An image, so the layer chart is drawn too (sizes as a report would give them).
    r.image = Some(ImageSummary {
        image: "docker-archive:transcriber.tar".into(),
        total_size: 9_000_000,
        compressed_size: 4_000_000,
        wasted_bytes: 1_000_000,
        reclaimable_bytes: 800_000,
        efficiency: 0.9,
        files: 1200,
        layers: vec![
            LayerSummary {
                index: 0,
                size: 7_000_000,
                created_by: "FROM nvidia/cuda".into(),
            },
            LayerSummary {
                index: 1,
                size: 2_000_000,
                created_by: "RUN apt-get install <build tools>".into(),
            },
        ],
    });
    let html = render::html(&r);
    assert!(!html.contains("<script"), "the page needs no JavaScript");
    for external in ["src=\"http", "href=\"http", "<link", "@import"] {
        assert!(!html.contains(external), "external asset: {external}");
    }
    let dom = dump_dom(&browser, &html);

    for section in [
        "id=\"summary\"",
        "id=\"do-first\"",
        "id=\"findings\"",
        "id=\"group-size\"",
        "id=\"group-cache\"",
        "id=\"group-security\"",
        "id=\"image\"",
        "id=\"builds\"",
        "id=\"stage-graphs\"",
        "id=\"optimized\"",
        "id=\"verify\"",
    ] {
        assert!(dom.contains(section), "{section} missing from the DOM");
    }
    for code in [
        "data-code=\"DW2003\"",
        "data-code=\"DW4402\"",
        "data-code=\"DW3301\"",
        "data-code=\"cache/volatile-arg-early\"",
    ] {
        assert!(dom.contains(code), "{code} missing from the DOM");
    }
    // Both charts and the graph are SVG in the DOM, with their labels.
    assert!(dom.contains("id=\"layer-sizes\""));
    assert!(dom.contains("id=\"context-0\""));
    assert!(dom.contains("models/"), "the context chart names models/");
    assert!(dom.contains("class=\"chart graph\""));
    assert!(dom.contains("nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04"));
    // The suggested .dockerignore is shown as text.
    assert!(dom.contains("**/*.pt"));
    // Markup in messages is escaped, not interpreted: the backquoted code stays text.
    assert!(dom.contains("`pip3 install .`"));
}

#[test]
fn html_stage_graph_of_tiers_renders() {
    let Some(browser) = chromium() else {
        println!("note: chromium is not installed; HTML rendering test skipped");
        return;
    };
    let html = render::html(&report("notebook-tiers"));
    let dom = dump_dom(&browser, &html);
    for stage in ["base", "tier1", "tier2", "tier3", "debug"] {
        assert!(
            dom.contains(&format!(">{stage}</text>")),
            "stage {stage} not drawn"
        );
    }
    assert!(dom.contains("data-code=\"graph/stage-not-built\""));
}
