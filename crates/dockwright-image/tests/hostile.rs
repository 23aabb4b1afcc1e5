//! Hostile input: each case ends in a clear error or a warning, never a panic, and nothing is
//! written to disk (the reader only ever opens files for reading).
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;

use dockwright_image::blob::BombLimit;
use dockwright_image::layer::ReadOptions;
use dockwright_image::source::{self, ResolveOptions};
use dockwright_image::{ImageError, ImageReference, ImageReport};
use support::*;

fn run(reference: &str, read: &ReadOptions) -> Result<ImageReport, ImageError> {
    let r = ImageReference::parse(reference)?;
    let resolved = source::resolve(&r, &ResolveOptions::default())?;
    let loaded = dockwright_image::load::load(resolved, read)?;
    Ok(dockwright_image::report::analyze(&loaded, reference))
}

fn ok(reference: &str) -> ImageReport {
    run(reference, &ReadOptions::default()).unwrap()
}

fn err(reference: &str, read: &ReadOptions) -> String {
    match run(reference, read) {
        Ok(r) => panic!(
            "expected an error for {reference}, got a report with warnings {:?}",
            r.warnings
        ),
        Err(e) => e.to_string(),
    }
}

fn one_layer(dir: &Path, entries: Vec<E>, comp: Comp) -> String {
    let img = TestImage::new(vec![
        layer("base", vec![file("ok", b"fine")]),
        layer("hostile", entries),
    ]);
    let p = dir.join("img.tar");
    img.write_docker_archive(&p, &[Comp::None, comp]);
    p.display().to_string()
}

fn raw(name: &str, kind: u8, size: u64, data: &[u8]) -> E {
    E::Raw {
        name: name.as_bytes().to_vec(),
        kind,
        size,
        data: data.to_vec(),
    }
}

#[test]
fn dotdot_paths_are_skipped_with_a_warning() {
    let t = tempfile::tempdir().unwrap();
    let r = ok(&one_layer(
        t.path(),
        vec![raw("../../etc/evil", b'0', 4, b"evil"), file("good", b"x")],
        Comp::None,
    ));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("climbs above the root")),
        "{:?}",
        r.warnings
    );
    assert_eq!(r.files, 2, "ok and good only");
}

#[test]
fn absolute_paths_are_taken_from_the_root() {
    let t = tempfile::tempdir().unwrap();
    let r = ok(&one_layer(
        t.path(),
        vec![
            raw("/etc/abs", b'0', 3, b"abs"),
            raw("/../../x", b'0', 1, b"x"),
        ],
        Comp::Gzip,
    ));
    assert_eq!(r.files, 3);
    assert!(r.largest_files.iter().any(|f| f.path == "/etc/abs"));
    assert!(r.largest_files.iter().any(|f| f.path == "/x"));
}

#[test]
fn symlink_loops_are_reported() {
    let t = tempfile::tempdir().unwrap();
    let r = ok(&one_layer(
        t.path(),
        vec![
            E::Symlink("a".into(), "b".into()),
            E::Symlink("b".into(), "a".into()),
            E::Symlink("self".into(), "./self/x".into()),
            E::Symlink("fine".into(), "ok".into()),
        ],
        Comp::None,
    ));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("3 symbolic link(s) that never resolve")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn hard_links_to_missing_targets_are_reported() {
    let t = tempfile::tempdir().unwrap();
    let r = ok(&one_layer(
        t.path(),
        vec![
            E::HardLink("link".into(), "nowhere".into()),
            E::HardLink("link2".into(), "ok".into()),
        ],
        Comp::Zstd,
    ));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("1 hard link(s) to missing targets (first: /link)")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn sizes_that_lie_are_errors() {
    for comp in [Comp::None, Comp::Gzip, Comp::Zstd] {
        let t = tempfile::tempdir().unwrap();
        // A header claiming 1 MB with 100 bytes after it, at the end of the layer.
        let r = one_layer(
            t.path(),
            vec![file("a", b"x"), raw("liar", b'0', 1 << 20, &[7; 100])],
            comp,
        );
        let e = err(&r, &ReadOptions::default());
        assert!(
            e.contains("truncated") || e.contains("ends early"),
            "{comp:?}: {e}"
        );
        assert!(e.contains("layer 2"), "names the layer: {e}");
    }
}

#[test]
fn truncated_and_corrupt_blobs_are_errors() {
    let t = tempfile::tempdir().unwrap();
    let img = TestImage::new(vec![layer(
        "base",
        (0..50)
            .map(|i| file(&format!("f{i}"), &bytes(i, 5_000)))
            .collect(),
    )]);
    for comp in [Comp::Gzip, Comp::Zstd] {
        let dir = t.path().join(format!("{comp:?}"));
        img.write_oci_layout(&dir, &[comp]);
        let built = img.build(&[comp]);
        let blob = dir.join(format!("blobs/sha256/{}", built.blobs[0].1));
        let good = std::fs::read(&blob).unwrap();
        // Corrupt: flip bytes in the middle (same length, so only the content is wrong).
        let mut bad = good.clone();
        let mid = bad.len() / 2;
        for b in &mut bad[mid..mid + 64] {
            *b ^= 0x5a;
        }
        std::fs::write(&blob, &bad).unwrap();
        let e = err(&format!("oci:{}", dir.display()), &ReadOptions::default());
        assert!(
            e.contains("corrupt") || e.contains("truncated") || e.contains("not a valid tar"),
            "{comp:?}: {e}"
        );
        // Truncated: half the blob (the manifest's size no longer matches either).
        std::fs::write(&blob, &good[..good.len() / 2]).unwrap();
        let e = err(&format!("oci:{}", dir.display()), &ReadOptions::default());
        assert!(e.contains("bytes but the manifest says"), "{comp:?}: {e}");
    }
}

#[test]
fn digest_mismatches_are_errors_when_verifying() {
    let t = tempfile::tempdir().unwrap();
    let img = TestImage::new(vec![layer("base", vec![file("a", &bytes(1, 1000))])]);
    let other = TestImage::new(vec![layer("base", vec![file("a", &bytes(2, 1000))])]);
    img.write_oci_layout(t.path(), &[Comp::None]);
    let built = img.build(&[Comp::None]);
    let swapped = other.build(&[Comp::None]);
    assert_eq!(built.blobs[0].0.len(), swapped.blobs[0].0.len());
    std::fs::write(
        t.path().join(format!("blobs/sha256/{}", built.blobs[0].1)),
        &swapped.blobs[0].0,
    )
    .unwrap();
    let reference = format!("oci:{}", t.path().display());
    let verify = ReadOptions {
        verify: true,
        ..ReadOptions::default()
    };
    let e = err(&reference, &verify);
    assert!(e.contains("digest mismatch"), "{e}");
    // Without --verify an uncompressed local layer is skimmed, as the issue allows.
    assert!(run(&reference, &ReadOptions::default()).is_ok());
    // The config is always checked: it is small.
    let cfg = t
        .path()
        .join(format!("blobs/sha256/{}", built.config_digest));
    let mut c = std::fs::read(&cfg).unwrap();
    c.push(b' ');
    std::fs::write(&cfg, c).unwrap();
    let e = err(&reference, &ReadOptions::default());
    assert!(e.contains("digest mismatch") && e.contains("config"), "{e}");
}

#[test]
fn decompression_bombs_are_stopped() {
    let t = tempfile::tempdir().unwrap();
    let zeros = vec![0u8; 32 << 20];
    for comp in [Comp::Gzip, Comp::Zstd] {
        let img = TestImage::new(vec![layer("bomb", vec![file("zeros", &zeros)])]);
        let p = t.path().join(format!("{comp:?}.tar"));
        img.write_oci_archive(&p, &[comp]);
        let read = ReadOptions {
            bomb: BombLimit {
                ratio: 100,
                floor: 1 << 20,
            },
            ..ReadOptions::default()
        };
        let e = err(&format!("oci-archive:{}", p.display()), &read);
        assert!(e.contains("decompression bomb"), "{comp:?}: {e}");
        // The default limits accept an honest layer of zeros.
        assert!(
            run(
                &format!("oci-archive:{}", p.display()),
                &ReadOptions::default()
            )
            .is_ok()
        );
    }
}

#[test]
fn duplicate_entries_are_reported() {
    let t = tempfile::tempdir().unwrap();
    let r = ok(&one_layer(
        t.path(),
        vec![file("dup", b"one"), file("dup", b"second")],
        Comp::Gzip,
    ));
    assert!(
        r.warnings.iter().any(|w| w.contains("1 duplicate entries")),
        "{:?}",
        r.warnings
    );
    assert!(
        r.largest_files
            .iter()
            .any(|f| f.path == "/dup" && f.bytes == 6),
        "the last one wins"
    );
}

#[test]
fn huge_manifests_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("huge.tar");
    let mut big = vec![b' '; 9 << 20];
    big.extend_from_slice(b"[]");
    write_tar(&p, &[("manifest.json".into(), big)]);
    let e = err(&p.display().to_string(), &ReadOptions::default());
    assert!(
        e.contains("larger than") && e.contains("manifest.json"),
        "{e}"
    );
    // Too many layers.
    let layers: Vec<String> = (0..5000).map(|i| format!("l{i}/layer.tar")).collect();
    let manifest =
        serde_json::to_vec(&serde_json::json!([{"Config": "c.json", "Layers": layers}])).unwrap();
    let p = t.path().join("many.tar");
    write_tar(
        &p,
        &[
            ("manifest.json".into(), manifest),
            ("c.json".into(), b"{}".to_vec()),
        ],
    );
    let e = err(&p.display().to_string(), &ReadOptions::default());
    assert!(e.contains("more than the 4096"), "{e}");
}

#[test]
fn missing_and_malformed_metadata_are_errors() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("m.tar");
    write_tar(&p, &[("manifest.json".into(), b"{not json".to_vec())]);
    let e = err(&p.display().to_string(), &ReadOptions::default());
    assert!(e.contains("invalid JSON"), "{e}");
    write_tar(
        &p,
        &[
            (
                "manifest.json".into(),
                br#"[{"Config":"c.json","Layers":["gone.tar"]}]"#.to_vec(),
            ),
            ("c.json".into(), b"{}".to_vec()),
        ],
    );
    let e = err(&p.display().to_string(), &ReadOptions::default());
    assert!(e.contains("gone.tar") && e.contains("missing"), "{e}");
    // An index whose manifest digest is a path trick.
    let dir = t.path().join("layout");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.json"),
        br#"{"manifests":[{"digest":"sha256:../../../../etc/passwd","size":1}]}"#,
    )
    .unwrap();
    let e = err(&format!("oci:{}", dir.display()), &ReadOptions::default());
    assert!(e.contains("invalid digest"), "{e}");
}

#[test]
fn garbage_layers_are_errors() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("g.tar");
    let cfg = br#"{"rootfs":{"diff_ids":[]}}"#.to_vec();
    let mut junk = vec![0x1f, 0x8b];
    junk.extend(bytes(9, 3000));
    write_tar(
        &p,
        &[
            (
                "manifest.json".into(),
                br#"[{"Config":"c.json","Layers":["l.tar"]}]"#.to_vec(),
            ),
            ("c.json".into(), cfg),
            ("l.tar".into(), junk),
        ],
    );
    let e = err(&p.display().to_string(), &ReadOptions::default());
    assert!(e.contains("l.tar"), "{e}");
}

#[test]
fn truncated_archives_are_errors() {
    let t = tempfile::tempdir().unwrap();
    let images = parity_images(1000);
    let (_, img, comps) = images.into_iter().find(|i| i.0 == "small").unwrap();
    let p = t.path().join("cut.tar");
    img.write_docker_archive(&p, &comps);
    let data = std::fs::read(&p).unwrap();
    std::fs::write(&p, &data[..data.len() / 3]).unwrap();
    let e = err(&p.display().to_string(), &ReadOptions::default());
    assert!(e.contains("truncated") || e.contains("missing"), "{e}");
    let e = err("missing-file.tar", &ReadOptions::default());
    assert!(e.contains("missing-file.tar"), "{e}");
}

#[test]
fn verify_checks_diff_ids_of_legacy_docker_archives() {
    // `<id>/layer.tar` members have no digest in their name: only the config's diff_ids can
    // vouch for them.
    let t = tempfile::tempdir().unwrap();
    let img = TestImage::new(vec![layer("base", vec![file("a", &bytes(1, 1000))])]);
    let other = TestImage::new(vec![layer("base", vec![file("a", &bytes(2, 1000))])]);
    let b = img.build(&[Comp::None]);
    let swapped = other.build(&[Comp::None]);
    let p = t.path().join("legacy.tar");
    let manifest = serde_json::json!([{"Config": format!("{}.json", b.config_digest), "Layers": ["x/layer.tar"]}]);
    write_tar(
        &p,
        &[
            (format!("{}.json", b.config_digest), b.config.clone()),
            ("x/layer.tar".into(), swapped.blobs[0].0.clone()),
            (
                "manifest.json".into(),
                serde_json::to_vec(&manifest).unwrap(),
            ),
        ],
    );
    let verify = ReadOptions {
        verify: true,
        ..ReadOptions::default()
    };
    let e = err(&p.display().to_string(), &verify);
    assert!(
        e.contains("digest mismatch") && e.contains("uncompressed"),
        "{e}"
    );
    let good = t.path().join("good.tar");
    img.write_docker_archive(&good, &[Comp::None]);
    let r = run(&good.display().to_string(), &verify).unwrap();
    assert!(r.layers.iter().all(|l| l.verified));
}
