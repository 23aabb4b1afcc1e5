//! Registries over the OCI distribution API: anonymous, basic and bearer-token auth, with
//! credentials from the docker config file. Credentials are sent only to the registry (and
//! its token server) and never appear in messages.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use sha2::Digest as _;

use super::reference::RegistryRef;
use super::{BlobStore, LayerRef, ResolveOptions, ResolvedImage, SourceKind};
use crate::error::{ImageError, Result};
use crate::layer::BlobStream;
use crate::spec::{self, Digest, ImageConfig, Index, Manifest};

const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// Username and password for one registry.
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

fn docker_config_path(explicit: Option<&PathBuf>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.clone());
    }
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json"))
}

/// Reads the credentials for `registry` from a docker config file (`auths`).
pub fn credentials_for(registry: &str, config: Option<&PathBuf>) -> Result<Option<Credentials>> {
    let Some(path) = docker_config_path(config) else {
        return Ok(None);
    };
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && config.is_none() => return Ok(None),
        Err(e) => return Err(ImageError::io(path.display().to_string(), e)),
    };
    let ctx = path.display().to_string();
    let v: serde_json::Value = spec::parse_json(&text, &ctx)?;
    let Some(auths) = v.get("auths").and_then(|a| a.as_object()) else {
        return Ok(None);
    };
    let hub = registry == "registry-1.docker.io";
    let entry = auths.iter().find(|(k, _)| {
        let host = k
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let host = host.split('/').next().unwrap_or(host);
        host == registry || (hub && (host == "index.docker.io" || host == "docker.io"))
    });
    let Some((_, entry)) = entry else {
        return Ok(None);
    };
    if let Some(auth) = entry
        .get("auth")
        .and_then(|a| a.as_str())
        .filter(|a| !a.is_empty())
    {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|_| {
                ImageError::invalid(&ctx, format!("the auth entry for {registry} is not base64"))
            })?;
        let text = String::from_utf8_lossy(&decoded).into_owned();
        let (user, password) = text.split_once(':').ok_or_else(|| {
            ImageError::invalid(
                &ctx,
                format!("the auth entry for {registry} is not user:password"),
            )
        })?;
        return Ok(Some(Credentials {
            user: user.to_string(),
            password: password.to_string(),
        }));
    }
    match (
        entry.get("username").and_then(|u| u.as_str()),
        entry.get("password").and_then(|p| p.as_str()),
    ) {
        (Some(u), Some(p)) => Ok(Some(Credentials {
            user: u.to_string(),
            password: p.to_string(),
        })),
        _ => Ok(None),
    }
}

fn is_loopback(registry: &str) -> bool {
    let host = if let Some(rest) = registry.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        registry.split(':').next().unwrap_or(registry)
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

/// A client for one repository.
pub struct RegistryClient {
    agent: ureq::Agent,
    base: String,
    repository: String,
    credentials: Option<Credentials>,
    authorization: Mutex<Option<String>>,
}

/// Parses `Bearer realm="…",service="…",scope="…"` into its parameters.
fn challenge_params(header: &str) -> (String, Vec<(String, String)>) {
    let (scheme, rest) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    let mut params = Vec::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(q) = after.strip_prefix('"') {
            match q.find('"') {
                Some(end) => (q.get(..end).unwrap_or(""), q.get(end + 1..).unwrap_or("")),
                None => (q, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (
                    after.get(..end).unwrap_or(""),
                    after.get(end..).unwrap_or(""),
                ),
                None => (after, ""),
            }
        };
        params.push((key, value.to_string()));
        rest = remaining.trim_start_matches([',', ' ']);
    }
    (scheme.to_ascii_lowercase(), params)
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl RegistryClient {
    /// A client for `r`.
    pub fn new(r: &RegistryRef, opts: &ResolveOptions) -> Result<RegistryClient> {
        let loopback = is_loopback(&r.registry);
        let scheme = if loopback || opts.insecure {
            "http"
        } else {
            "https"
        };
        let mut builder = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .max_redirects(5);
        if loopback {
            builder = builder.proxy(None);
        }
        let agent: ureq::Agent = builder.build().into();
        Ok(RegistryClient {
            agent,
            base: format!("{scheme}://{}", r.registry),
            repository: r.repository.clone(),
            credentials: credentials_for(&r.registry, opts.docker_config.as_ref())?,
            authorization: Mutex::new(None),
        })
    }

    fn current_auth(&self) -> Option<String> {
        self.authorization.lock().ok().and_then(|a| a.clone())
    }

    fn basic(&self) -> Option<String> {
        self.credentials.as_ref().map(|c| {
            let raw = format!("{}:{}", c.user, c.password);
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )
        })
    }

    /// Answers a 401 challenge; returns whether a retry may succeed.
    fn authenticate(&self, challenge: &str, url: &str) -> Result<bool> {
        let (scheme, params) = challenge_params(challenge);
        let get = |k: &str| params.iter().find(|(p, _)| p == k).map(|(_, v)| v.clone());
        let auth = match scheme.as_str() {
            "basic" => match self.basic() {
                Some(b) => b,
                None => return Ok(false),
            },
            "bearer" => {
                let realm = get("realm").ok_or_else(|| ImageError::Remote {
                    context: url.to_string(),
                    message: "bearer challenge without a realm".into(),
                })?;
                let mut token_url = realm.clone();
                let mut sep = if realm.contains('?') { '&' } else { '?' };
                if let Some(service) = get("service") {
                    token_url.push_str(&format!("{sep}service={}", percent_encode(&service)));
                    sep = '&';
                }
                let scope =
                    get("scope").unwrap_or_else(|| format!("repository:{}:pull", self.repository));
                token_url.push_str(&format!("{sep}scope={}", percent_encode(&scope)));
                let mut req = self.agent.get(&token_url);
                if let Some(b) = self.basic() {
                    req = req.header("Authorization", &b);
                }
                let mut resp = req.call().map_err(|e| ImageError::Remote {
                    context: realm.clone(),
                    message: format!("token request failed: {e}"),
                })?;
                if !resp.status().is_success() {
                    return Err(ImageError::Remote {
                        context: realm,
                        message: format!("token server answered {}", resp.status()),
                    });
                }
                let body = resp
                    .body_mut()
                    .with_config()
                    .limit(1 << 20)
                    .read_to_vec()
                    .map_err(|e| ImageError::Remote {
                        context: realm.clone(),
                        message: format!("reading the token: {e}"),
                    })?;
                let v: serde_json::Value =
                    serde_json::from_slice(&body).map_err(|_| ImageError::Remote {
                        context: realm.clone(),
                        message: "the token answer is not JSON".into(),
                    })?;
                let token = v
                    .get("token")
                    .or_else(|| v.get("access_token"))
                    .and_then(|t| t.as_str())
                    .ok_or_else(|| ImageError::Remote {
                        context: realm,
                        message: "the token answer has no token".into(),
                    })?;
                format!("Bearer {token}")
            }
            _ => return Ok(false),
        };
        if self.current_auth().as_deref() == Some(auth.as_str()) {
            return Ok(false);
        }
        if let Ok(mut a) = self.authorization.lock() {
            *a = Some(auth);
        }
        Ok(true)
    }

    /// GETs a path under `/v2/<repo>/`, authenticating on 401.
    fn get(&self, path: &str, accept: Option<&str>) -> Result<ureq::http::Response<ureq::Body>> {
        let url = format!("{}/v2/{}/{path}", self.base, self.repository);
        for _ in 0..3 {
            let mut req = self.agent.get(&url);
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            if let Some(auth) = self.current_auth() {
                req = req.header("Authorization", &auth);
            }
            let resp = req.call().map_err(|e| ImageError::Remote {
                context: url.clone(),
                message: e.to_string(),
            })?;
            let status = resp.status();
            if status.as_u16() == 401 {
                let challenge = resp
                    .headers()
                    .get("www-authenticate")
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                if self.authenticate(&challenge, &url)? {
                    continue;
                }
                return Err(ImageError::Remote {
                    context: url,
                    message: if self.credentials.is_some() {
                        "401 unauthorized: the registry refused the credentials from the docker config".into()
                    } else {
                        "401 unauthorized: log in (docker login) or pass --docker-config".into()
                    },
                });
            }
            if !status.is_success() {
                return Err(ImageError::Remote {
                    context: url,
                    message: format!("the registry answered {status}"),
                });
            }
            return Ok(resp);
        }
        Err(ImageError::Remote {
            context: url,
            message: "authentication did not succeed".into(),
        })
    }

    fn get_small(&self, path: &str, accept: Option<&str>) -> Result<Vec<u8>> {
        let mut resp = self.get(path, accept)?;
        resp.body_mut()
            .with_config()
            .limit(spec::MAX_JSON_BYTES)
            .read_to_vec()
            .map_err(|e| ImageError::Remote {
                context: path.to_string(),
                message: format!("reading the answer: {e}"),
            })
    }

    fn get_verified(&self, path: &str, digest: &Digest, accept: Option<&str>) -> Result<Vec<u8>> {
        let bytes = self.get_small(path, accept)?;
        let actual = if digest.algorithm == "sha512" {
            format!("sha512:{:x}", sha2::Sha512::digest(&bytes))
        } else {
            format!("sha256:{:x}", sha2::Sha256::digest(&bytes))
        };
        crate::blob::check_digest(
            &format!("{}: {path}", self.repository),
            digest,
            Some(actual),
        )?;
        Ok(bytes)
    }
}

impl BlobStore for RegistryClient {
    fn open_layer(&self, layer: &LayerRef) -> Result<(BlobStream, Option<u64>)> {
        let resp = self.get(&format!("blobs/{}", layer.name), None)?;
        let reader: Box<dyn Read + Send> = Box::new(resp.into_body().into_reader());
        Ok((BlobStream::Stream(reader), layer.size))
    }

    fn must_verify(&self) -> bool {
        true
    }
}

/// The digest the registry serves for `r`'s tag: the index's when the image has several
/// platforms, so a `FROM image:tag@digest` pin keeps all of them.
pub fn tag_digest(r: &RegistryRef, opts: &ResolveOptions) -> Result<String> {
    let ctx = r.to_string();
    if let Ok(d) = Digest::parse(&r.reference, &ctx) {
        return Ok(d.to_string());
    }
    let client = RegistryClient::new(r, opts)?;
    let bytes = client.get_small(&format!("manifests/{}", r.reference), Some(ACCEPT))?;
    Ok(format!("sha256:{:x}", sha2::Sha256::digest(&bytes)))
}

/// Reads an image's metadata from a registry.
pub fn resolve(r: &RegistryRef, opts: &ResolveOptions) -> Result<ResolvedImage> {
    let client = RegistryClient::new(r, opts)?;
    let ctx = r.to_string();
    let mut reference = r.reference.clone();
    let mut warnings = Vec::new();
    let mut manifest_digest;
    let mut bytes;
    let mut depth = 0;
    loop {
        let path = format!("manifests/{reference}");
        if let Ok(d) = Digest::parse(&reference, &ctx) {
            bytes = client.get_verified(&path, &d, Some(ACCEPT))?;
            manifest_digest = d.to_string();
        } else {
            bytes = client.get_small(&path, Some(ACCEPT))?;
            manifest_digest = format!("sha256:{:x}", sha2::Sha256::digest(&bytes));
        }
        if !spec::is_index(&bytes) {
            break;
        }
        depth += 1;
        if depth > 4 {
            return Err(ImageError::invalid(&ctx, "indexes nested too deep"));
        }
        let index: Index = spec::parse_json(&bytes, &ctx)?;
        reference = spec::select_platform(&index, &opts.platform, &ctx)?
            .digest
            .clone();
    }
    let manifest: Manifest = spec::parse_json(&bytes, &ctx)?;
    if manifest.schema_version != 2 {
        return Err(ImageError::invalid(
            &ctx,
            "only schema 2 manifests are supported",
        ));
    }
    spec::check_manifest(&manifest, &ctx)?;
    let config_digest = Digest::parse(&manifest.config.digest, &ctx)?;
    let config_bytes =
        client.get_verified(&format!("blobs/{config_digest}"), &config_digest, None)?;
    let config: ImageConfig = spec::parse_json(&config_bytes, &format!("{ctx}: config"))?;
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.clone())
        .unwrap_or_default();
    if diff_ids.len() != manifest.layers.len() && !diff_ids.is_empty() {
        warnings.push(format!(
            "{ctx}: {} diff_ids for {} layers",
            diff_ids.len(),
            manifest.layers.len()
        ));
    }
    let layers = manifest
        .layers
        .iter()
        .enumerate()
        .map(|(i, d)| LayerRef {
            name: d.digest.clone(),
            digest: Some(d.digest.clone()),
            diff_id: diff_ids.get(i).cloned(),
            size: u64::try_from(d.size).ok(),
            media_type: Some(d.media_type.clone()),
        })
        .collect();
    Ok(ResolvedImage {
        kind: SourceKind::Registry,
        manifest_digest: Some(manifest_digest),
        config_digest: Some(config_digest.to_string()),
        config,
        layers,
        store: Box::new(client),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges() {
        let (s, p) = challenge_params(
            r#"Bearer realm="http://127.0.0.1:9/token",service="reg",scope="repository:a/b:pull""#,
        );
        assert_eq!(s, "bearer");
        assert_eq!(p[0], ("realm".into(), "http://127.0.0.1:9/token".into()));
        assert_eq!(p[1], ("service".into(), "reg".into()));
        assert_eq!(p[2], ("scope".into(), "repository:a/b:pull".into()));
        let (s, p) = challenge_params(r#"Basic realm="Registry Realm""#);
        assert_eq!((s.as_str(), p[0].1.as_str()), ("basic", "Registry Realm"));
    }

    #[test]
    fn reads_docker_config() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("config.json");
        let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret");
        std::fs::write(&p, format!(r#"{{"auths":{{"localhost:5000":{{"auth":"{auth}"}},"https://index.docker.io/v1/":{{"username":"bob","password":"pw"}}}}}}"#)).unwrap();
        let c = credentials_for("localhost:5000", Some(&p))
            .unwrap()
            .unwrap();
        assert_eq!((c.user.as_str(), c.password.as_str()), ("alice", "s3cret"));
        assert!(!format!("{c:?}").contains("s3cret"), "never printed");
        let c = credentials_for("registry-1.docker.io", Some(&p))
            .unwrap()
            .unwrap();
        assert_eq!(c.user, "bob");
        assert!(credentials_for("other:1", Some(&p)).unwrap().is_none());
        assert!(
            is_loopback("localhost:5000")
                && is_loopback("127.0.0.1:1")
                && is_loopback("[::1]:5000")
        );
        assert!(!is_loopback("ghcr.io"));
    }
}
