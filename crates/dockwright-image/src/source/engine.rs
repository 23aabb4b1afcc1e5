//! A local docker or podman engine, through its API socket: `GET /images/NAME/get` streams the
//! image as a `docker save` archive, which is read in one pass (layers are parsed as they go
//! by, nothing is written to disk).

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{BlobStore, LayerRef, ResolveOptions, ResolvedImage, SourceKind};
use crate::error::{ImageError, Result};
use crate::layer::{self, BlobStream, RawLayer, ReadOptions};
use crate::spec::{self, ArchiveManifestEntry, Digest, ImageConfig};

/// The engine sockets tried, in order: `$DOCKER_HOST` (unix://), docker's, podman's.
pub fn candidate_sockets() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(host) = std::env::var("DOCKER_HOST")
        && let Some(p) = host.strip_prefix("unix://")
    {
        out.push(PathBuf::from(p));
    }
    out.push(PathBuf::from("/var/run/docker.sock"));
    if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR") {
        out.push(PathBuf::from(dir).join("podman/podman.sock"));
    }
    out.push(PathBuf::from("/run/podman/podman.sock"));
    out
}

/// The first engine socket that accepts a connection.
pub fn find_socket() -> Option<PathBuf> {
    #[cfg(unix)]
    {
        candidate_sockets()
            .into_iter()
            .find(|p| std::os::unix::net::UnixStream::connect(p).is_ok())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Reads an HTTP/1.1 chunked body.
struct Chunked<R> {
    inner: R,
    left: u64,
    done: bool,
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut line = String::new();
            self.inner.read_line(&mut line)?;
            let size = line.trim().split(';').next().unwrap_or("");
            self.left = u64::from_str_radix(size, 16).map_err(|_| {
                io::Error::new(io::ErrorKind::InvalidData, "bad chunk size from the engine")
            })?;
            if self.left == 0 {
                self.done = true;
                return Ok(0);
            }
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(buf.get_mut(..want).unwrap_or_default())?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the engine closed the stream early",
            ));
        }
        self.left -= n as u64;
        if self.left == 0 {
            let mut crlf = String::new();
            self.inner.read_line(&mut crlf)?;
        }
        Ok(n)
    }
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

/// GETs `path` from the engine; returns the status and the body.
#[cfg(unix)]
fn get(socket: &Path, path: &str) -> Result<(u16, Box<dyn Read + Send>)> {
    let ctx = format!("{}: GET {path}", socket.display());
    let mut stream =
        std::os::unix::net::UnixStream::connect(socket).map_err(|e| ImageError::io(&ctx, e))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: engine\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| ImageError::io(&ctx, e))?;
    let mut reader = BufReader::with_capacity(256 * 1024, stream);
    let mut status_line = String::new();
    reader
        .read_line(&mut status_line)
        .map_err(|e| ImageError::io(&ctx, e))?;
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ImageError::Remote {
            context: ctx.clone(),
            message: "not an HTTP answer".into(),
        })?;
    let mut chunked = false;
    let mut length = None;
    let mut header_bytes = 0usize;
    loop {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| ImageError::io(&ctx, e))?;
        header_bytes += n;
        if n == 0 || line == "\r\n" || line == "\n" || header_bytes > 64 * 1024 {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        } else if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<u64>().ok();
        }
    }
    let body: Box<dyn Read + Send> = if chunked {
        Box::new(Chunked {
            inner: reader,
            left: 0,
            done: false,
        })
    } else if let Some(len) = length {
        Box::new(reader.take(len))
    } else {
        Box::new(reader)
    };
    Ok((status, body))
}

#[cfg(not(unix))]
fn get(socket: &Path, path: &str) -> Result<(u16, Box<dyn Read + Send>)> {
    Err(ImageError::invalid(
        socket.display().to_string(),
        format!("engine sockets need a unix system ({path})"),
    ))
}

/// Layers parsed while the archive streamed by.
struct Parsed {
    layers: Mutex<HashMap<String, RawLayer>>,
}

impl BlobStore for Parsed {
    fn open_layer(&self, layer: &LayerRef) -> Result<(BlobStream, Option<u64>)> {
        Err(ImageError::invalid(
            &layer.name,
            "the engine stream has no such layer",
        ))
    }
    fn take_parsed(&self, layer: &LayerRef) -> Option<RawLayer> {
        self.layers.lock().ok()?.remove(&layer.name)
    }
}

/// Reads a `docker save` stream in one pass.
pub fn read_archive_stream(stream: &mut dyn Read, context: &str) -> Result<ResolvedImage> {
    let mut archive = tar::Archive::new(stream);
    let mut json: HashMap<String, Vec<u8>> = HashMap::new();
    let mut layers: HashMap<String, RawLayer> = HashMap::new();
    let opts = ReadOptions::default();
    let entries = archive
        .entries()
        .map_err(|e| ImageError::invalid(context, format!("not a tar stream: {e}")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| ImageError::invalid(context, format!("broken tar stream: {e}")))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes())
            .trim_start_matches("./")
            .to_string();
        let size = entry.size();
        let mut peek = BufReader::new(&mut entry);
        let first = peek
            .fill_buf()
            .map_err(|e| ImageError::io(format!("{context}: {name}"), e))?
            .first()
            .copied();
        let is_json = name.ends_with(".json") || first == Some(b'{') || first == Some(b'[');
        if is_json {
            if size > spec::MAX_JSON_BYTES {
                return Err(ImageError::invalid(
                    format!("{context}: {name}"),
                    "metadata larger than the limit",
                ));
            }
            let mut data = Vec::new();
            peek.read_to_end(&mut data)
                .map_err(|e| ImageError::io(format!("{context}: {name}"), e))?;
            json.insert(name, data);
        } else if name.ends_with(".tar") || name.starts_with("blobs/") {
            let digest = name
                .strip_prefix("blobs/")
                .and_then(|r| r.split_once('/'))
                .and_then(|(a, h)| Digest::parse(&format!("{a}:{h}"), &name).ok());
            let ctx = format!("{context}: {name}");
            let raw = layer::read_layer_stream(&mut peek, digest.as_ref(), None, &ctx, &opts)?;
            layers.insert(name, raw);
        }
    }
    let manifest_bytes = json
        .get("manifest.json")
        .ok_or_else(|| ImageError::invalid(context, "the stream has no manifest.json"))?;
    let entries: Vec<ArchiveManifestEntry> =
        spec::parse_json(manifest_bytes, &format!("{context}: manifest.json"))?;
    let entry = entries
        .first()
        .ok_or_else(|| ImageError::invalid(context, "manifest.json lists no image"))?;
    let config_bytes = json
        .get(entry.config.trim_start_matches("./"))
        .ok_or_else(|| {
            ImageError::invalid(
                context,
                format!("config {} missing from the stream", entry.config),
            )
        })?;
    let config: ImageConfig = spec::parse_json(config_bytes, &format!("{context}: config"))?;
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.clone())
        .unwrap_or_default();
    let mut refs = Vec::new();
    for (i, l) in entry.layers.iter().enumerate() {
        let l = l.trim_start_matches("./").to_string();
        if !layers.contains_key(&l) {
            return Err(ImageError::invalid(
                context,
                format!("layer {l} missing from the stream"),
            ));
        }
        refs.push(LayerRef {
            digest: l
                .strip_prefix("blobs/")
                .and_then(|r| r.split_once('/'))
                .map(|(a, h)| format!("{a}:{h}")),
            name: l,
            diff_id: diff_ids.get(i).cloned(),
            size: None,
            media_type: None,
        });
    }
    Ok(ResolvedImage {
        kind: SourceKind::Engine,
        manifest_digest: None,
        config_digest: None,
        config,
        layers: refs,
        store: Box::new(Parsed {
            layers: Mutex::new(layers),
        }),
        warnings: Vec::new(),
    })
}

/// Reads an image from a local engine.
pub fn resolve(name: &str, socket: Option<&Path>, _opts: &ResolveOptions) -> Result<ResolvedImage> {
    let socket = match socket {
        Some(s) => s.to_path_buf(),
        None => find_socket().ok_or_else(|| {
            ImageError::invalid(
                name,
                "no docker or podman API socket found (set DOCKER_HOST=unix:///path/to.sock)",
            )
        })?,
    };
    let path = format!("/images/{}/get", percent_encode(name));
    let (status, mut body) = get(&socket, &path)?;
    let ctx = format!("{} {name}", socket.display());
    if status != 200 {
        let mut text = Vec::new();
        let _ = body.take(64 * 1024).read_to_end(&mut text);
        let message = serde_json::from_slice::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                v.get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| String::from_utf8_lossy(&text).trim().to_string());
        return Err(ImageError::Remote {
            context: ctx,
            message: format!("the engine answered {status}: {message}"),
        });
    }
    read_archive_stream(&mut body, &ctx)
}
