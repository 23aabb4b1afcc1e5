//! `dockwright optimize`: where it writes, --diff, --stdout, --in-place, the ignore file.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

const GO: &str = "FROM golang-base:1\nRUN apt-get update && apt-get install -y golang-go\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /usr/local/bin/app ./cmd/app\nENTRYPOINT [\"/usr/local/bin/app\"]\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), GO).unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        "module example.com/app\n\ngo 1.19\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("cmd/app")).unwrap();
    std::fs::write(
        dir.path().join("cmd/app/main.go"),
        "package main\nfunc main() {}\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    dir
}

#[test]
fn writes_the_optimized_file_and_an_ignore_file_beside_it() {
    let dir = project();
    let out = run_in(dir.path(), &["optimize", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let optimized = std::fs::read_to_string(dir.path().join("Dockerfile.optimized")).unwrap();
    assert!(optimized.contains("AS build\n"), "{optimized}");
    assert!(optimized.contains("COPY go.mod ./\n"), "{optimized}");
    assert!(optimized.contains("COPY --from=build /usr/local/bin/app /usr/local/bin/app\n"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        GO
    );
    let ignore =
        std::fs::read_to_string(dir.path().join("Dockerfile.optimized.dockerignore")).unwrap();
    assert!(ignore.contains(".git"), "{ignore}");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("split into a builder stage"), "{report}");

    let json = run_in(
        dir.path(),
        &["optimize", "--stdout", "--format", "json", "."],
    );
    assert_eq!(String::from_utf8_lossy(&json.stdout), optimized);
    let report: serde_json::Value = serde_json::from_slice(&json.stderr).unwrap();
    assert_eq!(report["changes"][0]["kind"], "multi-stage");
}

#[test]
fn diff_writes_nothing_and_in_place_keeps_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let path = dir.path().join("Dockerfile");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let diff = run_in(dir.path(), &["optimize", "--diff", "."]);
    assert_eq!(diff.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&diff.stdout).contains("+COPY go.mod ./"));
    assert!(!dir.path().join("Dockerfile.optimized").exists());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), GO);

    let out = run_in(
        dir.path(),
        &["optimize", "--in-place", "--no-ignore-file", "."],
    );
    assert_eq!(out.status.code(), Some(0));
    let rewritten = std::fs::read_to_string(&path).unwrap();
    assert_ne!(rewritten, GO);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // Optimizing the result again changes nothing.
    let again = run_in(dir.path(), &["optimize", "--diff", "."]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

#[test]
fn a_missing_dockerfile_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["optimize", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Dockerfile"));
}

/// A registry on loopback that serves one manifest for `app/base:1` and 404 for the rest.
fn tiny_registry(manifest: &'static str) -> u16 {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
            }
            let (status, body) = if request.starts_with("GET /v2/app/base/manifests/1 ") {
                ("200 OK", manifest)
            } else {
                (
                    "404 Not Found",
                    "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}",
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn pin_digests_pins_what_the_registry_serves_and_reports_the_rest() {
    use sha2::Digest as _;
    const MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;
    let port = tiny_registry(MANIFEST);
    let digest = format!("sha256:{:x}", sha2::Sha256::digest(MANIFEST.as_bytes()));
    let dir = tempfile::tempdir().unwrap();
    let source = format!(
        "FROM 127.0.0.1:{port}/app/base:1 AS build\nRUN echo built > /out\nFROM 127.0.0.1:{port}/app/missing:2\nCOPY --from=build /out /out\nCMD [\"cat\", \"/out\"]\n"
    );
    std::fs::write(dir.path().join("Dockerfile"), &source).unwrap();
    let out = run_in(dir.path(), &["optimize", "--pin-digests", "--stdout", "."]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "FROM 127.0.0.1:{port}/app/base:1@{digest} AS build\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("FROM 127.0.0.1:{port}/app/missing:2\n")),
        "{text}"
    );
    assert!(stderr.contains("pinned to"), "{stderr}");
    assert!(stderr.contains("app/missing:2"), "{stderr}");
    // Nothing is written with --stdout, and the original is untouched.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        source
    );
    assert!(!dir.path().join("Dockerfile.optimized").exists());
}
