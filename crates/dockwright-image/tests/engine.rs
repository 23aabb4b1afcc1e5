//! The engine source against a stand-in engine on a unix socket that speaks the docker API's
//! `GET /images/NAME/get` (chunked, as docker and podman send it).
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;

use dockwright_image::ImageReference;
use dockwright_image::layer::ReadOptions;
use dockwright_image::source::{self, ResolveOptions};
use support::*;

#[test]
fn engine_socket_streams_docker_save() {
    let t = tempfile::tempdir().unwrap();
    let images = parity_images(1000);
    let (_, img, comps) = images.into_iter().find(|i| i.0 == "small").unwrap();
    let archive = t.path().join("small.tar");
    img.write_docker_archive(&archive, &comps);
    let zarchive = t.path().join("zstd.tar");
    let (_, zimg, zcomps) = parity_images(1000)
        .into_iter()
        .find(|i| i.0 == "zstd")
        .unwrap();
    zimg.write_docker_archive(&zarchive, &zcomps);
    let socket = t.path().join("engine.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let (a, z) = (
        std::fs::read(&archive).unwrap(),
        std::fs::read(&zarchive).unwrap(),
    );
    let server = std::thread::spawn(move || {
        for _ in 0..3 {
            let (mut conn, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            loop {
                let mut l = String::new();
                if reader.read_line(&mut l).unwrap() == 0 || l == "\r\n" {
                    break;
                }
            }
            let body = if request.starts_with("GET /images/test%2Fsmall%3Alatest/get ") {
                &a
            } else if request.starts_with("GET /images/zstd/get ") {
                &z
            } else {
                let msg = br#"{"message":"No such image: nope"}"#;
                write!(conn, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", msg.len()).unwrap();
                conn.write_all(msg).unwrap();
                continue;
            };
            write!(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
            // The reader may hang up after the tar's end blocks, before the padding.
            for chunk in body.chunks(10_007) {
                let _ = write!(conn, "{:x}\r\n", chunk.len());
                let _ = conn.write_all(chunk);
                let _ = conn.write_all(b"\r\n");
            }
            let _ = conn.write_all(b"0\r\n\r\n");
        }
    });
    let run = |name: &str| {
        let r = ImageReference::Engine {
            name: name.into(),
            socket: Some(socket.clone()),
        };
        let resolved = source::resolve(&r, &ResolveOptions::default())?;
        let loaded = dockwright_image::load::load(resolved, &ReadOptions::default())?;
        Ok::<_, dockwright_image::ImageError>(dockwright_image::report::analyze(&loaded, name))
    };
    let local = |p: &std::path::Path| {
        let r = ImageReference::parse(&p.display().to_string()).unwrap();
        let loaded = dockwright_image::load::load(
            source::resolve(&r, &ResolveOptions::default()).unwrap(),
            &ReadOptions::default(),
        )
        .unwrap();
        dockwright_image::report::analyze(&loaded, "local")
    };
    for (name, path) in [("test/small:latest", &archive), ("zstd", &zarchive)] {
        let remote = run(name).unwrap();
        let here = local(path);
        assert_eq!(remote.wasted_bytes, here.wasted_bytes, "{name}");
        assert_eq!(remote.efficiency, here.efficiency);
        assert_eq!(remote.reclaimable_bytes, here.reclaimable_bytes);
        assert_eq!(remote.files, here.files);
        assert_eq!(remote.findings.len(), here.findings.len());
    }
    let err = run("nope").unwrap_err().to_string();
    assert!(
        err.contains("404") && err.contains("No such image"),
        "{err}"
    );
    server.join().unwrap();
}

/// The same through a real podman API service, when podman is installed.
#[test]
fn podman_api_socket() {
    use std::process::{Command, Stdio};
    if !Command::new("sh")
        .args(["-c", "command -v podman"])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        eprintln!("note: podman engine test skipped (apt-get install podman)");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let podman = |args: &[&str]| {
        let mut c = Command::new("podman");
        c.arg("--root")
            .arg(root.join("storage"))
            .arg("--runroot")
            .arg(root.join("run"))
            .args(["--storage-driver", "vfs"])
            .args(args);
        c
    };
    let images = parity_images(1000);
    let (_, img, comps) = images.into_iter().find(|i| i.0 == "small").unwrap();
    let archive = root.join("small.tar");
    img.write_docker_archive(&archive, &comps);
    let load = podman(&["load", "-q", "-i", archive.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
    let socket = root.join("podman.sock");
    let mut service = podman(&[
        "system",
        "service",
        "--time=0",
        &format!("unix://{}", socket.display()),
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::os::unix::net::UnixStream::connect(&socket).is_err()
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let run = |name: &str| {
        let r = ImageReference::Engine {
            name: name.into(),
            socket: Some(socket.clone()),
        };
        let resolved = source::resolve(&r, &ResolveOptions::default())?;
        let loaded = dockwright_image::load::load(resolved, &ReadOptions::default())?;
        Ok::<_, dockwright_image::ImageError>(dockwright_image::report::analyze(&loaded, name))
    };
    let got = run("localhost/test:latest");
    let missing = run("nope");
    let _ = service.kill();
    let _ = service.wait();
    let got = got.unwrap();
    assert_eq!(got.wasted_bytes, 741_004);
    assert_eq!(got.reclaimable_bytes, 471_000);
    assert_eq!(got.files, 11);
    assert!(missing.unwrap_err().to_string().contains("404"));
}
