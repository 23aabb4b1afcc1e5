//! `diff`: files, directories and packages between two images.
#![allow(clippy::unwrap_used)]

mod support;

use dockwright_image::layer::ReadOptions;
use dockwright_image::source::{self, ResolveOptions};
use dockwright_image::{ImageReference, diff};
use support::*;

fn load(path: &std::path::Path) -> dockwright_image::LoadedImage {
    let r = ImageReference::parse(&path.display().to_string()).unwrap();
    let resolved = source::resolve(&r, &ResolveOptions::default()).unwrap();
    let read = ReadOptions {
        capture: Some(diff::package_files),
        ..ReadOptions::default()
    };
    dockwright_image::load::load(resolved, &read).unwrap()
}

fn image(curl: &str, extra_pkg: bool, big: usize) -> TestImage {
    let mut status = format!(
        "Package: curl\nStatus: install ok installed\nVersion: {curl}\n\nPackage: libc6\nStatus: install ok installed\nVersion: 2.36\n"
    );
    if extra_pkg {
        status.push_str("\nPackage: gcc\nStatus: install ok installed\nVersion: 12.2\n");
    }
    TestImage::new(vec![
        layer(
            "base",
            vec![
                dir("var"),
                dir("var/lib"),
                dir("var/lib/dpkg"),
                file("var/lib/dpkg/status", status.as_bytes()),
                dir("lib"),
                dir("lib/apk"),
                dir("lib/apk/db"),
                file("lib/apk/db/installed", b"P:musl\nV:1.2.4\n\n"),
            ],
        ),
        layer(
            "app",
            vec![
                dir("app"),
                file("app/big.bin", &bytes(1, big)),
                dir("app/node_modules"),
                dir("app/node_modules/left-pad"),
                file(
                    "app/node_modules/left-pad/package.json",
                    br#"{"name":"left-pad","version":"1.3.0"}"#,
                ),
                dir("usr"),
                dir("usr/lib"),
                dir("usr/lib/python3"),
                dir("usr/lib/python3/site-packages"),
                dir(&format!(
                    "usr/lib/python3/site-packages/requests-{}.dist-info",
                    if extra_pkg { "2.31.0" } else { "2.32.3" }
                )),
                file(
                    &format!(
                        "usr/lib/python3/site-packages/requests-{}.dist-info/METADATA",
                        if extra_pkg { "2.31.0" } else { "2.32.3" }
                    ),
                    b"x",
                ),
            ],
        ),
    ])
}

#[test]
fn diff_reports_files_dirs_and_packages() {
    let t = tempfile::tempdir().unwrap();
    let (pa, pb) = (t.path().join("a.tar"), t.path().join("b.tar"));
    image("7.88", true, 50_000).write_docker_archive(&pa, &[Comp::None, Comp::None]);
    image("8.0", false, 20_000).write_oci_archive(&pb, &[Comp::Gzip, Comp::Zstd]);
    let (a, b) = (load(&pa), load(&pb));
    let (ra, ma) = dockwright_image::report::analyze_with_tree(&a, "a");
    let (rb, mb) = dockwright_image::report::analyze_with_tree(&b, "b");
    let d = diff::compare((&a, &ra, &ma), (&b, &rb, &mb));
    let pk = |eco: &str, name: &str| {
        d.packages
            .iter()
            .find(|p| p.ecosystem == eco && p.name == name)
            .cloned()
    };
    let curl = pk("deb", "curl").unwrap();
    assert_eq!(
        (curl.before.as_deref(), curl.after.as_deref()),
        (Some("7.88"), Some("8.0"))
    );
    let gcc = pk("deb", "gcc").unwrap();
    assert_eq!(gcc.after, None, "removed");
    assert!(
        pk("deb", "libc6").is_none(),
        "unchanged packages are not listed"
    );
    assert!(pk("npm", "left-pad").is_none());
    assert!(pk("apk", "musl").is_none());
    let req = pk("python", "requests").unwrap();
    assert_eq!(
        (req.before.as_deref(), req.after.as_deref()),
        (Some("2.31.0"), Some("2.32.3"))
    );
    assert_eq!(d.files_changed, 2, "status and big.bin");
    assert_eq!(d.files_added, 1);
    assert_eq!(d.files_removed, 1);
    let app = d.directories.iter().find(|c| c.path == "/app").unwrap();
    assert_eq!(app.delta, 20_000 - 50_000);
    assert!(d.layers.iter().all(|l| !l.shared));
}
