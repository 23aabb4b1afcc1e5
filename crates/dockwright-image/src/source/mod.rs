//! Where images come from: `docker save` archives, OCI archives and layout directories, a
//! registry, or a local engine. Each resolves to a config and an ordered list of layer blobs.

pub mod archive;
pub mod engine;
pub mod reference;
pub mod registry;

use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{ImageError, Result};
use crate::layer::BlobStream;
use crate::spec::{self, Descriptor, Digest, ImageConfig, Index, Manifest, Platform};

/// The kind of source an image was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// `docker save` output.
    DockerArchive,
    /// A tar of an OCI layout.
    OciArchive,
    /// An OCI layout directory.
    OciLayout,
    /// A registry, over the OCI distribution API.
    Registry,
    /// A docker or podman engine, over its API socket.
    Engine,
}

/// One layer blob to read.
#[derive(Debug, Clone, Serialize)]
pub struct LayerRef {
    /// Where the blob is (archive member, blob path or digest).
    pub name: String,
    /// The blob's digest, when known.
    pub digest: Option<String>,
    /// The digest of the uncompressed tar (from the config's `rootfs.diff_ids`).
    pub diff_id: Option<String>,
    /// The blob's size as the manifest claims it.
    pub size: Option<u64>,
    /// The media type, if any.
    pub media_type: Option<String>,
}

/// Reads blobs of one image.
pub trait BlobStore: Send + Sync {
    /// Opens a layer blob.
    fn open_layer(&self, layer: &LayerRef) -> Result<(BlobStream, Option<u64>)>;
    /// Whether blobs from here are always verified (network sources).
    fn must_verify(&self) -> bool {
        false
    }
    /// A layer already read while the source was streamed (engines), if any.
    fn take_parsed(&self, _layer: &LayerRef) -> Option<crate::layer::RawLayer> {
        None
    }
}

/// An image whose metadata is read and whose layers are ready to be opened.
pub struct ResolvedImage {
    /// Source kind.
    pub kind: SourceKind,
    /// Manifest digest, when there is a manifest.
    pub manifest_digest: Option<String>,
    /// Config digest, when known.
    pub config_digest: Option<String>,
    /// The image config.
    pub config: ImageConfig,
    /// Layers, bottom first.
    pub layers: Vec<LayerRef>,
    /// Reads the blobs.
    pub store: Box<dyn BlobStore>,
    /// Notes about the resolution (several images in an archive, ...).
    pub warnings: Vec<String>,
}

/// A region of a file, readable and seekable as if it were the whole file.
pub struct FileRegion {
    file: std::fs::File,
    start: u64,
    len: u64,
    pos: u64,
}

impl FileRegion {
    /// Opens `len` bytes of `path` from `start`.
    pub fn open(path: &Path, start: u64, len: u64) -> io::Result<FileRegion> {
        let mut file = std::fs::File::open(path)?;
        file.seek(SeekFrom::Start(start))?;
        Ok(FileRegion {
            file,
            start,
            len,
            pos: 0,
        })
    }
}

impl Read for FileRegion {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        if left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.file.read(buf.get_mut(..want).unwrap_or_default())?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for FileRegion {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => i128::from(n),
            SeekFrom::Current(d) => i128::from(self.pos) + i128::from(d),
            SeekFrom::End(d) => i128::from(self.len) + i128::from(d),
        };
        if target < 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start",
            ));
        }
        let target = u64::try_from(target).unwrap_or(u64::MAX);
        self.file
            .seek(SeekFrom::Start(self.start.saturating_add(target)))?;
        self.pos = target;
        Ok(target)
    }
}

/// Read access to the files of an OCI layout (a directory, or a tar of one).
pub trait LayoutFiles: Send + Sync {
    /// Reads a small file (JSON), refusing large ones.
    fn read_small(&self, name: &str) -> Result<Vec<u8>>;
    /// Opens a file as a region.
    fn open(&self, name: &str) -> Result<(FileRegion, u64)>;
    /// Whether the file exists.
    fn exists(&self, name: &str) -> bool;
    /// Names the container in messages.
    fn describe(&self) -> String;
}

/// An OCI layout directory.
pub struct LayoutDir {
    root: PathBuf,
}

impl LayoutDir {
    /// Reads a layout at `root`.
    pub fn new(root: &Path) -> LayoutDir {
        LayoutDir {
            root: root.to_path_buf(),
        }
    }

    fn path(&self, name: &str) -> Result<PathBuf> {
        if name.split('/').any(|c| c == ".." || c.is_empty()) || name.starts_with('/') {
            return Err(ImageError::invalid(
                self.describe(),
                format!("refusing path {name:?}"),
            ));
        }
        Ok(self.root.join(name))
    }
}

impl LayoutFiles for LayoutDir {
    fn read_small(&self, name: &str) -> Result<Vec<u8>> {
        let path = self.path(name)?;
        let ctx = path.display().to_string();
        let meta = std::fs::metadata(&path).map_err(|e| ImageError::io(&ctx, e))?;
        if meta.len() > spec::MAX_JSON_BYTES {
            return Err(ImageError::invalid(
                &ctx,
                format!(
                    "{} bytes is larger than the {} byte limit for image metadata",
                    meta.len(),
                    spec::MAX_JSON_BYTES
                ),
            ));
        }
        std::fs::read(&path).map_err(|e| ImageError::io(&ctx, e))
    }

    fn open(&self, name: &str) -> Result<(FileRegion, u64)> {
        let path = self.path(name)?;
        let ctx = path.display().to_string();
        let len = std::fs::metadata(&path)
            .map_err(|e| ImageError::io(&ctx, e))?
            .len();
        let region = FileRegion::open(&path, 0, len).map_err(|e| ImageError::io(&ctx, e))?;
        Ok((region, len))
    }

    fn exists(&self, name: &str) -> bool {
        self.path(name).is_ok_and(|p| p.is_file())
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

/// Reads layers from an OCI layout.
pub struct LayoutStore<F: LayoutFiles> {
    /// The layout's files.
    pub files: F,
}

impl<F: LayoutFiles> BlobStore for LayoutStore<F> {
    fn open_layer(&self, layer: &LayerRef) -> Result<(BlobStream, Option<u64>)> {
        let (region, len) = self.files.open(&layer.name)?;
        if let Some(claimed) = layer.size
            && claimed != len
        {
            return Err(ImageError::invalid(
                format!("{}: {}", self.files.describe(), layer.name),
                format!("the blob has {len} bytes but the manifest says {claimed}"),
            ));
        }
        Ok((BlobStream::Seekable(Box::new(region)), Some(len)))
    }
}

/// Resolves an OCI layout (index.json → manifest → config and layers).
pub fn resolve_layout<F: LayoutFiles + 'static>(
    files: F,
    kind: SourceKind,
    tag: Option<&str>,
    platform: &Platform,
) -> Result<ResolvedImage> {
    let ctx = format!("{}: index.json", files.describe());
    let index: Index = spec::parse_json(&files.read_small("index.json")?, &ctx)?;
    let mut warnings = Vec::new();
    let top = match tag {
        Some(tag) => index
            .manifests
            .iter()
            .find(|d| {
                d.annotations.as_ref().is_some_and(|a| {
                    a.get("org.opencontainers.image.ref.name")
                        .is_some_and(|n| n == tag)
                        || a.get("io.containerd.image.name")
                            .is_some_and(|n| n.ends_with(&format!(":{tag}")))
                })
            })
            .cloned()
            .ok_or_else(|| ImageError::invalid(&ctx, format!("no image tagged {tag:?}")))?,
        None => {
            if index.manifests.len() > 1 && index.manifests.iter().all(|d| d.platform.is_none()) {
                warnings.push(format!(
                    "{ctx}: {} images; reading the first (name one with oci:DIR:TAG)",
                    index.manifests.len()
                ));
            }
            if index.manifests.iter().all(|d| d.platform.is_none()) {
                index
                    .manifests
                    .first()
                    .cloned()
                    .ok_or_else(|| ImageError::invalid(&ctx, "the index lists no image"))?
            } else {
                spec::select_platform(&index, platform, &ctx)?.clone()
            }
        }
    };
    let (manifest, manifest_digest) = resolve_manifest(&files, &top, platform, 0)?;
    let config_digest = Digest::parse(&manifest.config.digest, &ctx)?;
    let config_ctx = format!("{}: config {}", files.describe(), config_digest);
    let config_bytes = files.read_small(&config_digest.blob_path())?;
    check_small_blob(&config_bytes, &config_digest, &config_ctx)?;
    let config: ImageConfig = spec::parse_json(&config_bytes, &config_ctx)?;
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.clone())
        .unwrap_or_default();
    let layers = manifest
        .layers
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let digest = Digest::parse(&d.digest, &ctx)?;
            Ok(LayerRef {
                name: digest.blob_path(),
                digest: Some(d.digest.clone()),
                diff_id: diff_ids.get(i).cloned(),
                size: u64::try_from(d.size).ok(),
                media_type: Some(d.media_type.clone()),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ResolvedImage {
        kind,
        manifest_digest: Some(manifest_digest),
        config_digest: Some(manifest.config.digest.clone()),
        config,
        layers,
        store: Box::new(LayoutStore { files }),
        warnings,
    })
}

fn check_small_blob(bytes: &[u8], digest: &Digest, ctx: &str) -> Result<()> {
    use sha2::Digest as _;
    let actual = if digest.algorithm == "sha512" {
        format!("sha512:{:x}", sha2::Sha512::digest(bytes))
    } else {
        format!("sha256:{:x}", sha2::Sha256::digest(bytes))
    };
    crate::blob::check_digest(ctx, digest, Some(actual))
}

fn resolve_manifest<F: LayoutFiles>(
    files: &F,
    desc: &Descriptor,
    platform: &Platform,
    depth: u32,
) -> Result<(Manifest, String)> {
    let digest = Digest::parse(&desc.digest, &files.describe())?;
    let ctx = format!("{}: manifest {}", files.describe(), digest);
    if depth > 4 {
        return Err(ImageError::invalid(ctx, "indexes nested too deep"));
    }
    let bytes = files.read_small(&digest.blob_path())?;
    check_small_blob(&bytes, &digest, &ctx)?;
    if spec::is_index(&bytes) {
        let index: Index = spec::parse_json(&bytes, &ctx)?;
        let next = spec::select_platform(&index, platform, &ctx)?.clone();
        return resolve_manifest(files, &next, platform, depth + 1);
    }
    let manifest: Manifest = spec::parse_json(&bytes, &ctx)?;
    spec::check_manifest(&manifest, &ctx)?;
    Ok((manifest, digest.to_string()))
}

/// How to read an image.
#[derive(Debug, Clone)]
pub struct ResolveOptions {
    /// The platform to pick from an index.
    pub platform: Platform,
    /// Path of the docker config with registry credentials (default `~/.docker/config.json`).
    pub docker_config: Option<PathBuf>,
    /// Allow plain HTTP to registries (always allowed for loopback).
    pub insecure: bool,
}

impl Default for ResolveOptions {
    fn default() -> Self {
        ResolveOptions {
            platform: Platform::host(),
            docker_config: None,
            insecure: false,
        }
    }
}

/// Reads an image's metadata from wherever `reference` points.
pub fn resolve(
    reference: &reference::ImageReference,
    opts: &ResolveOptions,
) -> Result<ResolvedImage> {
    use reference::ImageReference as R;
    match reference {
        R::DockerArchive(path) => {
            archive::resolve_archive(path, Some(SourceKind::DockerArchive), &opts.platform)
        }
        R::OciArchive { path, tag } => {
            archive::resolve_oci_archive(path, tag.as_deref(), &opts.platform)
        }
        R::OciLayout { dir, tag } => {
            if !dir.join("index.json").is_file() {
                return Err(ImageError::invalid(
                    dir.display().to_string(),
                    "not an OCI layout: no index.json",
                ));
            }
            resolve_layout(
                LayoutDir::new(dir),
                SourceKind::OciLayout,
                tag.as_deref(),
                &opts.platform,
            )
        }
        R::Path(path) => {
            if path.is_dir() {
                if !path.join("index.json").is_file() {
                    return Err(ImageError::invalid(
                        path.display().to_string(),
                        "a directory that is not an OCI layout (no index.json)",
                    ));
                }
                resolve_layout(
                    LayoutDir::new(path),
                    SourceKind::OciLayout,
                    None,
                    &opts.platform,
                )
            } else {
                archive::resolve_archive(path, None, &opts.platform)
            }
        }
        R::Registry(r) => {
            // A local engine that has the image answers first, as `docker run` would.
            if let Some(socket) = engine::find_socket() {
                let name = if r.registry == "registry-1.docker.io" {
                    format!("docker.io/{}", r.repository)
                } else {
                    format!("{}/{}", r.registry, r.repository)
                };
                let sep = if r.reference.contains(':') { '@' } else { ':' };
                match engine::resolve(&format!("{name}{sep}{}", r.reference), Some(&socket), opts) {
                    Ok(img) => return Ok(img),
                    Err(ImageError::Remote { message, .. }) if message.contains(" 404") => {}
                    Err(e) => return Err(e),
                }
            }
            registry::resolve(r, opts)
        }
        R::Engine { name, socket } => engine::resolve(name, socket.as_deref(), opts),
    }
}
