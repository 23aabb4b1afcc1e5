//! End-to-end analysis of images written by the tests themselves.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;

use dockwright_image::layer::ReadOptions;
use dockwright_image::merge::WasteReason;
use dockwright_image::source::{self, ResolveOptions};
use dockwright_image::{ImageReference, ImageReport};
use support::*;

fn analyze(reference: &str) -> ImageReport {
    analyze_with(reference, &ReadOptions::default())
}

fn analyze_with(reference: &str, read: &ReadOptions) -> ImageReport {
    let r = ImageReference::parse(reference).unwrap();
    let resolved = source::resolve(&r, &ResolveOptions::default()).unwrap();
    let loaded = dockwright_image::load::load(resolved, read).unwrap();
    dockwright_image::report::analyze(&loaded, reference)
}

fn docker(dir: &Path, name: &str, img: &TestImage, comps: &[Comp]) -> String {
    let p = dir.join(format!("{name}.tar"));
    img.write_docker_archive(&p, comps);
    p.display().to_string()
}

/// The figures every format of one image must agree on.
fn figures(r: &ImageReport) -> serde_json::Value {
    serde_json::json!({
        "total_size": r.total_size,
        "wasted_bytes": r.wasted_bytes,
        "efficiency": r.efficiency,
        "user_wasted_percent": r.user_wasted_percent,
        "reclaimable_bytes": r.reclaimable_bytes,
        "reclaimable_metadata_only": r.reclaimable_metadata_only,
        "removable_bytes": r.removable_bytes,
        "files": r.files,
        "final_size": r.final_size,
        "layers": r.layers.iter().map(|l| (l.size, l.files_added, l.files_modified, l.files_removed, l.bytes_removed, l.created_by.clone())).collect::<Vec<_>>(),
        "findings": r.findings.iter().map(|f| (f.code, f.bytes, f.paths.clone(), f.layer)).collect::<Vec<_>>(),
        "waste": r.waste.iter().map(|w| (w.reason, w.path.clone(), w.files, w.bytes, w.layer, w.by_layer)).collect::<Vec<_>>(),
    })
}

#[test]
fn dive_figures_match_a_hand_computation() {
    let t = tempfile::tempdir().unwrap();
    let img = TestImage::new(vec![
        layer(
            "base",
            vec![
                file("a", &[1; 100]),
                dir("d"),
                file("d/x", &[2; 10]),
                file("d/y", &[3; 20]),
            ],
        ),
        layer(
            "change",
            vec![
                file("a", &[4; 50]),
                E::Whiteout("d".into()),
                file("b", &[5; 5]),
            ],
        ),
    ]);
    let r = analyze(&docker(t.path(), "img", &img, &[Comp::None; 2]));
    // Paths: a 100+50 (min 50), d/x 10, d/y 20, d deleted (whiteout counts the 30 below), b 5.
    assert_eq!(r.total_size, 185);
    assert_eq!(r.wasted_bytes, 150);
    assert!(
        (r.efficiency - 115.0 / 215.0).abs() < 1e-12,
        "{}",
        r.efficiency
    );
    assert!((r.user_wasted_percent.unwrap() - 150.0 / 55.0).abs() < 1e-12);
    assert_eq!(r.inefficient_files, 1);
    // What can really be reclaimed: the old `a` and both files of the deleted directory.
    assert_eq!(r.reclaimable_bytes, 130);
    assert_eq!(r.reclaimable_overwritten, 100);
    assert_eq!(r.reclaimable_deleted, 30);
    assert_eq!(
        r.layers[1].files_removed, 2,
        "every file under a deleted directory counts"
    );
    assert_eq!(r.layers[1].files_added, 1);
    assert_eq!(r.layers[1].files_modified, 1);
    assert_eq!(r.files, 2);
}

#[test]
fn dive_quirk_missing_whiteout_target_ends_the_layer() {
    // dive stops visiting a layer at a whiteout whose target does not exist below; `.wh.zzz`
    // sorts before `b`, so dive never counts `b`. The CI figures must do the same.
    let t = tempfile::tempdir().unwrap();
    let img = TestImage::new(vec![
        layer("base", vec![file("a", &[1; 10])]),
        layer("odd", vec![file("b", &[2; 5]), E::Whiteout("zzz".into())]),
    ]);
    let r = analyze(&docker(t.path(), "img", &img, &[Comp::None; 2]));
    assert_eq!(r.efficiency, 1.0);
    assert_eq!(r.wasted_bytes, 0);
    assert_eq!(r.files, 2, "the real tree still has b");
}

#[test]
fn opaque_whiteouts_hide_lower_contents() {
    let t = tempfile::tempdir().unwrap();
    let img = TestImage::new(vec![
        layer(
            "base",
            vec![
                dir("etc"),
                dir("etc/conf.d"),
                file("etc/conf.d/a", &[1; 1000]),
                file("etc/conf.d/b", &[1; 500]),
            ],
        ),
        layer(
            "replace",
            vec![
                dir("etc"),
                dir("etc/conf.d"),
                E::Opaque("etc/conf.d".into()),
                file("etc/conf.d/c", &[2; 10]),
            ],
        ),
    ]);
    let r = analyze(&docker(t.path(), "img", &img, &[Comp::None; 2]));
    assert_eq!(r.reclaimable_deleted, 1500);
    assert_eq!(r.layers[1].files_removed, 2);
    assert_eq!(r.files, 1);
    // dive ignores opaque whiteouts: nothing is inefficient for it.
    assert_eq!(r.wasted_bytes, 0);
}

#[test]
fn chown_duplicates_are_metadata_only() {
    let t = tempfile::tempdir().unwrap();
    let images = parity_images(1000);
    let (_, img, comps) = images.iter().find(|i| i.0 == "chown").unwrap();
    let r = analyze(&docker(t.path(), "chown", img, comps));
    let app: u64 = r.layers[1].bytes_added;
    assert!(app > 0);
    assert_eq!(
        r.reclaimable_metadata_only, app,
        "the whole first copy is reclaimable"
    );
    assert_eq!(r.reclaimable_bytes, app);
    let top = &r.waste[0];
    assert_eq!(top.reason, WasteReason::MetadataOnlyCopy);
    assert_eq!(top.path, "/srv/app");
    assert_eq!(top.files, 300);
    assert!(top.created_by.contains("COPY"));
    assert!(top.by_created_by.contains("chown -R"));
    // dive counts both copies.
    assert_eq!(r.wasted_bytes, 2 * app);
}

#[test]
fn chown_is_detected_in_compressed_layers_too() {
    let t = tempfile::tempdir().unwrap();
    let images = parity_images(1000);
    let (_, img, _) = images.iter().find(|i| i.0 == "chown").unwrap();
    let r = analyze(&docker(
        t.path(),
        "chown",
        img,
        &[Comp::Gzip, Comp::Zstd, Comp::Gzip],
    ));
    assert_eq!(r.reclaimable_metadata_only, r.layers[1].bytes_added);
}

#[test]
fn visible_waste_is_found() {
    let t = tempfile::tempdir().unwrap();
    let images = parity_images(1000);
    let (_, img, comps) = images.iter().find(|i| i.0 == "small").unwrap();
    let r = analyze(&docker(t.path(), "small", img, comps));
    let find = |code: &str| {
        r.findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("{code} missing: {:#?}", r.findings))
    };
    let pip = find("DWI005");
    assert_eq!(pip.bytes, 80_000);
    assert_eq!(pip.paths, vec!["/root/.cache/pip"]);
    assert_eq!(pip.layer, Some(1));
    let git = find("DWI010");
    assert_eq!(git.bytes, 60_000);
    assert_eq!(git.paths, vec!["/app/.git"]);
    assert_eq!(find("DWI001").bytes, 250_000);
    let secret = find("DWI203");
    assert!(
        !secret.message.contains("hunter2"),
        "secret values are never printed"
    );
    assert!(find("DWI201").message.contains("unset"));
    assert_eq!(r.removable_bytes, 250_000 + 80_000 + 60_000);
}

#[test]
fn every_format_gives_the_same_figures() {
    let t = tempfile::tempdir().unwrap();
    for (name, img, comps) in parity_images(2000) {
        let base = t.path().join(name);
        std::fs::create_dir_all(&base).unwrap();
        let mut refs = Vec::new();
        for (tag, c) in [
            ("plain", vec![Comp::None; 3]),
            ("orig", comps.clone()),
            ("gzip", vec![Comp::Gzip; 3]),
            ("zstd", vec![Comp::Zstd; 3]),
        ] {
            let d = base.join(format!("{tag}.docker.tar"));
            img.write_docker_archive(&d, &c);
            refs.push(format!("docker-archive:{}", d.display()));
            let o = base.join(format!("{tag}.oci.tar"));
            img.write_oci_archive(&o, &c);
            refs.push(format!("oci-archive:{}", o.display()));
            let l = base.join(format!("{tag}.oci"));
            img.write_oci_layout(&l, &c);
            refs.push(format!("oci:{}", l.display()));
            refs.push(l.display().to_string());
        }
        let expected = figures(&analyze(&refs[0]));
        for r in &refs {
            for verify in [false, true] {
                let read = ReadOptions {
                    verify,
                    ..ReadOptions::default()
                };
                let got = figures(&analyze_with(r, &read));
                assert_eq!(got, expected, "{name}: {r} (verify {verify}) differs");
            }
        }
    }
}

#[test]
fn repeated_runs_are_identical() {
    let t = tempfile::tempdir().unwrap();
    let images = parity_images(3000);
    let (_, img, comps) = images.iter().find(|i| i.0 == "many").unwrap();
    let p = t.path().join("many.oci.tar");
    img.write_oci_archive(&p, comps);
    let first = serde_json::to_string(&analyze(&p.display().to_string())).unwrap();
    for _ in 0..3 {
        assert_eq!(
            serde_json::to_string(&analyze(&p.display().to_string())).unwrap(),
            first
        );
    }
}

#[test]
fn many_files_are_counted() {
    let t = tempfile::tempdir().unwrap();
    let images = parity_images(20_000);
    let (_, img, comps) = images.iter().find(|i| i.0 == "many").unwrap();
    let r = analyze(&docker(t.path(), "many", img, comps));
    // 20,000 data files + /bin/sh, minus /data/d30 (500) and one more file.
    assert_eq!(r.files, 20_001 - 500 - 1);
    assert_eq!(r.layers[2].files_removed, 501);
    assert_eq!(r.layers[2].files_modified, 1000);
}

#[test]
fn every_finding_kind_is_recognised() {
    let t = tempfile::tempdir().unwrap();
    let d = |p: &str| dir(p);
    let mut img = TestImage::new(vec![
        layer(
            "base",
            vec![
                d("var"),
                d("var/cache"),
                d("var/cache/apk"),
                file("var/cache/apk/APKINDEX.tar.gz", &[1; 100]),
                d("var/cache/apt"),
                d("var/cache/apt/archives"),
                file("var/cache/apt/archives/x.deb", &[1; 200]),
                d("var/cache/dnf"),
                file("var/cache/dnf/repo.solv", &[1; 300]),
                d("usr"),
                d("usr/share"),
                d("usr/share/man"),
                file("usr/share/man/ls.1.gz", &[1; 50]),
                d("usr/bin"),
                file_owned("usr/bin/sudo", &[1; 400], 0o4755, 0),
                file("usr/bin/gcc-12", &[1; 500]),
                file("usr/bin/make", &[1; 60]),
                d("usr/include"),
                file("usr/include/stdio.h", &[1; 70]),
                E::Dir("scratch".into(), 0o777),
                E::Dir("tmp".into(), 0o1777),
            ],
        ),
        layer(
            "build",
            vec![
                d("root"),
                d("root/.cache"),
                d("root/.cache/go-build"),
                file("root/.cache/go-build/ab", &[2; 800]),
                d("root/.cargo"),
                d("root/.cargo/registry"),
                file("root/.cargo/registry/crate.crate", &[2; 900]),
                d("root/.npm"),
                file("root/.npm/_cacache", &[2; 1000]),
                d("root/.ssh"),
                file("root/.ssh/id_rsa", b"-----BEGIN OPENSSH PRIVATE KEY-----"),
                d("app"),
                file("app/.env", b"X=1"),
            ],
        ),
    ]);
    img.user = Some("root".into());
    img.healthcheck = true;
    img.ports = vec!["22/tcp".into()];
    img.env = vec!["API_TOKEN=abc".into(), "TOKEN_FILE=/run/secrets/t".into()];
    let r = analyze(&docker(t.path(), "f", &img, &[Comp::None, Comp::Gzip]));
    let get = |code: &str| {
        r.findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("{code} missing: {:#?}", r.findings))
    };
    assert_eq!(get("DWI002").bytes, 200);
    assert_eq!(get("DWI003").bytes, 100);
    assert_eq!(get("DWI004").bytes, 300);
    assert_eq!(get("DWI006").bytes, 1000);
    assert_eq!(get("DWI007").bytes, 800);
    assert_eq!(get("DWI008").bytes, 900);
    assert_eq!(get("DWI009").bytes, 50);
    let tools = get("DWI011");
    assert_eq!(tools.bytes, 500 + 60 + 70);
    assert!(tools.paths.contains(&"/usr/bin/gcc-12".to_string()));
    assert_eq!(get("DWI101").paths, vec!["/usr/bin/sudo"]);
    assert_eq!(get("DWI102").paths, vec!["/scratch"], "sticky /tmp is fine");
    let keys = get("DWI103");
    assert_eq!(keys.path_count, 2);
    assert_eq!(keys.layer, Some(1));
    assert!(get("DWI201").message.contains("\"root\""));
    assert!(
        r.findings.iter().all(|f| f.code != "DWI202"),
        "a health check is set"
    );
    let env = get("DWI203");
    assert_eq!(env.paths, vec!["Env API_TOKEN"]);
    assert!(!env.message.contains("abc"));
    assert_eq!(
        get("DWI204").severity,
        dockwright_image::findings::Severity::Warning,
        "ssh exposed"
    );
    assert_eq!(r.largest_files[0].path, "/root/.npm/_cacache");
    assert_eq!(r.largest_directories[0].path, "/root");
}

#[test]
fn multi_image_archives_pick_the_platform() {
    let t = tempfile::tempdir().unwrap();
    let a = TestImage::new(vec![layer("a", vec![file("only-arm", b"1")])]).build(&[Comp::None]);
    let b = TestImage::new(vec![layer("b", vec![file("only-amd", b"22")])]).build(&[Comp::None]);
    let mut cfg: serde_json::Value = serde_json::from_slice(&a.config).unwrap();
    cfg["architecture"] = "arm64".into();
    let cfg_a = serde_json::to_vec(&cfg).unwrap();
    let da = sha(&cfg_a);
    let manifest = serde_json::json!([
        {"Config": format!("{da}.json"), "Layers": [format!("{}/layer.tar", a.blobs[0].1)]},
        {"Config": format!("{}.json", b.config_digest), "Layers": [format!("{}/layer.tar", b.blobs[0].1)]},
    ]);
    let p = t.path().join("multi.tar");
    write_tar(
        &p,
        &[
            (format!("{da}.json"), cfg_a),
            (format!("{}/layer.tar", a.blobs[0].1), a.blobs[0].0.clone()),
            (format!("{}.json", b.config_digest), b.config.clone()),
            (format!("{}/layer.tar", b.blobs[0].1), b.blobs[0].0.clone()),
            (
                "manifest.json".into(),
                serde_json::to_vec(&manifest).unwrap(),
            ),
        ],
    );
    for (platform, expect) in [("linux/amd64", "/only-amd"), ("linux/arm64", "/only-arm")] {
        let r = ImageReference::parse(&p.display().to_string()).unwrap();
        let opts = ResolveOptions {
            platform: dockwright_image::spec::Platform::parse(platform).unwrap(),
            ..ResolveOptions::default()
        };
        let loaded = dockwright_image::load::load(
            source::resolve(&r, &opts).unwrap(),
            &ReadOptions::default(),
        )
        .unwrap();
        let report = dockwright_image::report::analyze(&loaded, "multi");
        assert_eq!(report.largest_files[0].path, expect, "{platform}");
    }
}
