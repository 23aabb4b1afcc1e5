//! Pulling from a registry on loopback: Debian's `docker-registry` (distribution), pushed to
//! with skopeo, anonymous, with htpasswd basic auth, and with bearer tokens from a token server
//! the test runs itself. Skipped with a note when docker-registry, skopeo or openssl is missing.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use dockwright_image::layer::ReadOptions;
use dockwright_image::source::{self, ResolveOptions};
use dockwright_image::{ImageReference, ImageReport};
use support::*;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn tools() -> bool {
    let ok = have("docker-registry") && have("skopeo") && have("openssl") && have("htpasswd");
    if !ok {
        eprintln!(
            "note: registry tests skipped (need docker-registry, skopeo, openssl, htpasswd: apt-get install docker-registry skopeo apache2-utils)"
        );
    }
    ok
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Registry {
    child: Child,
    port: u16,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_registry(dir: &Path, auth: &str) -> Registry {
    let port = free_port();
    let cfg = dir.join("config.yml");
    std::fs::write(
        &cfg,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}",
            dir.join("storage").display()
        ),
    )
    .unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&cfg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "registry did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Registry { child, port }
}

fn push(layout: &Path, dest: &str, creds: Option<&str>, token_auth: bool) {
    let mut cmd = Command::new("skopeo");
    cmd.args(["copy", "--quiet", "--dest-tls-verify=false"]);
    if let Some(c) = creds {
        cmd.arg(format!("--dest-creds={c}"));
    }
    let _ = token_auth;
    cmd.arg(format!("oci:{}:latest", layout.display()))
        .arg(format!("docker://{dest}"));
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "skopeo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn analyze(reference: &str, docker_config: Option<PathBuf>) -> Result<ImageReport, String> {
    let r = ImageReference::parse(reference).map_err(|e| e.to_string())?;
    let opts = ResolveOptions {
        docker_config,
        ..ResolveOptions::default()
    };
    let resolved = source::resolve(&r, &opts).map_err(|e| e.to_string())?;
    let loaded = dockwright_image::load::load(resolved, &ReadOptions::default())
        .map_err(|e| e.to_string())?;
    Ok(dockwright_image::report::analyze(&loaded, reference))
}

fn test_image(dir: &Path) -> (PathBuf, ImageReport) {
    let images = parity_images(1000);
    let (_, img, _) = images.into_iter().find(|i| i.0 == "small").unwrap();
    let layout = dir.join("layout");
    img.write_oci_layout(&layout, &[Comp::Gzip, Comp::Zstd, Comp::Gzip]);
    let local = analyze(&format!("oci:{}", layout.display()), None).unwrap();
    (layout, local)
}

fn docker_config(dir: &Path, port: u16, user: &str, password: &str) -> PathBuf {
    let p = dir.join("docker-config.json");
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    std::fs::write(
        &p,
        format!(r#"{{"auths":{{"127.0.0.1:{port}":{{"auth":"{auth}"}}}}}}"#),
    )
    .unwrap();
    p
}

fn same(a: &ImageReport, b: &ImageReport) {
    assert_eq!(a.total_size, b.total_size);
    assert_eq!(a.wasted_bytes, b.wasted_bytes);
    assert_eq!(a.efficiency, b.efficiency);
    assert_eq!(a.reclaimable_bytes, b.reclaimable_bytes);
    assert_eq!(a.files, b.files);
    assert!(
        b.layers.iter().all(|l| l.verified),
        "registry blobs are always verified"
    );
}

#[test]
fn anonymous_registry() {
    if !tools() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let (layout, local) = test_image(t.path());
    let reg = start_registry(t.path(), "");
    let name = format!("127.0.0.1:{}/test/img:v1", reg.port);
    push(&layout, &name, None, false);
    let remote = analyze(&name, None).unwrap();
    same(&local, &remote);
    let by_digest = format!(
        "127.0.0.1:{}/test/img@{}",
        reg.port,
        remote.manifest_digest.clone().unwrap()
    );
    same(&local, &analyze(&by_digest, None).unwrap());
    let missing = analyze(&format!("127.0.0.1:{}/test/none:v1", reg.port), None).unwrap_err();
    assert!(missing.contains("404"), "{missing}");

    // The digest a `FROM name:v1@digest` pin takes (`optimize --pin-digests`): the manifest
    // the registry serves for the tag, as skopeo reads it too.
    let r = source::reference::RegistryRef::parse(&name).unwrap();
    let digest = source::registry::tag_digest(&r, &ResolveOptions::default()).unwrap();
    let skopeo = Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", "--format", "{{.Digest}}"])
        .arg(format!("docker://{name}"))
        .output()
        .unwrap();
    assert!(
        skopeo.status.success(),
        "{}",
        String::from_utf8_lossy(&skopeo.stderr)
    );
    assert_eq!(digest, String::from_utf8_lossy(&skopeo.stdout).trim());
    assert_eq!(Some(digest), remote.manifest_digest);
}

#[test]
fn basic_auth_registry() {
    if !tools() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let (layout, local) = test_image(t.path());
    let htpasswd = t.path().join("htpasswd");
    let out = Command::new("htpasswd")
        .args(["-Bbn", "alice", "s3cret-pw"])
        .output()
        .unwrap();
    std::fs::write(&htpasswd, out.stdout).unwrap();
    let reg = start_registry(
        t.path(),
        &format!(
            "auth:\n  htpasswd:\n    realm: test-realm\n    path: {}\n",
            htpasswd.display()
        ),
    );
    let name = format!("127.0.0.1:{}/test/img:v1", reg.port);
    push(&layout, &name, Some("alice:s3cret-pw"), false);
    let denied = analyze(&name, Some(t.path().join("absent.json"))).unwrap_err();
    assert!(
        denied.contains("absent.json"),
        "a named config that is missing is an error: {denied}"
    );
    let empty = t.path().join("empty.json");
    std::fs::write(&empty, "{}").unwrap();
    let denied = analyze(&name, Some(empty)).unwrap_err();
    assert!(denied.contains("401"), "{denied}");
    let wrong = docker_config(t.path(), reg.port, "alice", "wrong-pw");
    let denied = analyze(&name, Some(wrong)).unwrap_err();
    assert!(
        denied.contains("401") && !denied.contains("wrong-pw"),
        "{denied}"
    );
    let cfg = docker_config(t.path(), reg.port, "alice", "s3cret-pw");
    same(&local, &analyze(&name, Some(cfg)).unwrap());
}

/// A token server: answers `GET /token?...` for alice with a JWT signed by `key.pem`, whose
/// certificate the registry trusts.
fn token_server(dir: &Path, port: u16) {
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(300);
        for stream in listener.incoming() {
            if Instant::now() > deadline {
                break;
            }
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut authorized = false;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let expected = base64::engine::general_purpose::STANDARD.encode("alice:tok-pw");
                if line.to_ascii_lowercase().starts_with("authorization:")
                    && line.contains(&expected)
                {
                    authorized = true;
                }
            }
            let scope = request
                .split(['?', '&', ' '])
                .find_map(|p| p.strip_prefix("scope="))
                .map(|s| {
                    s.replace("%3A", ":")
                        .replace("%2F", "/")
                        .replace("%2C", ",")
                })
                .unwrap_or_default();
            let response = if authorized {
                let jwt = sign_jwt(&dir, &scope);
                let body =
                    format!(r#"{{"token":"{jwt}","access_token":"{jwt}","expires_in":3600}}"#);
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            } else {
                "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string()
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
}

fn b64url(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

fn sign_jwt(dir: &Path, scope: &str) -> String {
    let der = std::fs::read(dir.join("cert.der")).unwrap();
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [base64::engine::general_purpose::STANDARD.encode(&der)]});
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let access: Vec<serde_json::Value> = scope
        .split(' ')
        .filter_map(|s| {
            let mut parts = s.splitn(3, ':');
            let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
            Some(serde_json::json!({"type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}))
        })
        .collect();
    let claims = serde_json::json!({"iss": "test-issuer", "sub": "alice", "aud": "test-service", "exp": now + 600, "nbf": now - 60, "iat": now, "jti": format!("{now}-{}", scope.len()), "access": access});
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(dir.join("key.pem"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let mut sig = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut sig).unwrap();
    child.wait().unwrap();
    format!("{input}.{}", b64url(&sig))
}

#[test]
fn bearer_token_registry() {
    if !tools() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let (layout, local) = test_image(t.path());
    let d = t.path();
    let keygen = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=token",
        ])
        .arg("-keyout")
        .arg(d.join("key.pem"))
        .arg("-out")
        .arg(d.join("cert.pem"))
        .output()
        .unwrap();
    assert!(
        keygen.status.success(),
        "{}",
        String::from_utf8_lossy(&keygen.stderr)
    );
    let der = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(d.join("cert.pem"))
        .output()
        .unwrap();
    std::fs::write(d.join("cert.der"), der.stdout).unwrap();
    let token_port = free_port();
    token_server(d, token_port);
    let reg = start_registry(
        d,
        &format!(
            "auth:\n  token:\n    realm: http://127.0.0.1:{token_port}/token\n    service: test-service\n    issuer: test-issuer\n    rootcertbundle: {}\n",
            d.join("cert.pem").display()
        ),
    );
    let name = format!("127.0.0.1:{}/test/img:v1", reg.port);
    push(&layout, &name, Some("alice:tok-pw"), true);
    let empty = d.join("empty.json");
    std::fs::write(&empty, "{}").unwrap();
    let denied = analyze(&name, Some(empty)).unwrap_err();
    assert!(denied.contains("token server answered 401"), "{denied}");
    let cfg = docker_config(d, reg.port, "alice", "tok-pw");
    same(&local, &analyze(&name, Some(cfg)).unwrap());
}
