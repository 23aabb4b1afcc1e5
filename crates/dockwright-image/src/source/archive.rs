//! Image archives on disk: `docker save` tars (`manifest.json`, legacy `<id>/layer.tar` or
//! Docker 25's `blobs/`) and OCI archives (a tar of an OCI layout).
//!
//! The archive is indexed once by reading its tar headers and seeking past the members, so
//! opening a layer is a seek into the file and several layers can be read at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{FileRegion, LayerRef, LayoutFiles, LayoutStore, ResolvedImage, SourceKind};
use crate::error::{ImageError, Result};
use crate::spec::{self, ArchiveManifestEntry, Digest, ImageConfig, Platform};

/// The members of a tar file: name → (offset of the data, size), and symlinks.
pub struct TarIndex {
    path: PathBuf,
    files: HashMap<String, (u64, u64)>,
    links: HashMap<String, String>,
    /// Problems noticed while indexing.
    pub warnings: Vec<String>,
}

fn normalize(name: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in name.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(p),
        }
    }
    parts.join("/")
}

impl TarIndex {
    /// Indexes the tar at `path`.
    pub fn open(path: &Path) -> Result<TarIndex> {
        let ctx = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| ImageError::io(&ctx, e))?;
        let len = file.metadata().map_err(|e| ImageError::io(&ctx, e))?.len();
        let mut archive = tar::Archive::new(crate::layer::Windowed::new(file));
        let mut index = TarIndex {
            path: path.to_path_buf(),
            files: HashMap::new(),
            links: HashMap::new(),
            warnings: Vec::new(),
        };
        let entries = archive
            .entries_with_seek()
            .map_err(|e| ImageError::invalid(&ctx, format!("not a tar archive: {e}")))?;
        let mut count = 0usize;
        for entry in entries {
            let entry = entry
                .map_err(|e| ImageError::invalid(&ctx, format!("not a valid tar archive: {e}")))?;
            count += 1;
            if count > 1_000_000 {
                return Err(ImageError::invalid(
                    &ctx,
                    "more than a million members: not an image archive",
                ));
            }
            let name = normalize(&String::from_utf8_lossy(&entry.path_bytes()));
            let offset = entry.raw_file_position();
            let size = entry.size();
            match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    if offset.saturating_add(size) > len {
                        return Err(ImageError::invalid(
                            &ctx,
                            format!(
                                "truncated: member {name:?} claims {size} bytes at offset {offset} but the file has {len}"
                            ),
                        ));
                    }
                    if index.files.insert(name.clone(), (offset, size)).is_some() {
                        index.warnings.push(format!(
                            "{ctx}: duplicate member {name:?}; the last one is used"
                        ));
                    }
                }
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    let target = entry
                        .link_name_bytes()
                        .map(|t| String::from_utf8_lossy(&t).into_owned())
                        .unwrap_or_default();
                    let base = if entry.header().entry_type() == tar::EntryType::Symlink {
                        match name.rsplit_once('/') {
                            Some((dir, _)) => format!("{dir}/{target}"),
                            None => target,
                        }
                    } else {
                        target
                    };
                    index.links.insert(name, normalize(&base));
                }
                _ => {}
            }
        }
        Ok(index)
    }

    fn lookup(&self, name: &str) -> Option<(u64, u64)> {
        let mut name = normalize(name);
        for _ in 0..16 {
            if let Some(&f) = self.files.get(&name) {
                return Some(f);
            }
            name = self.links.get(&name)?.clone();
        }
        None
    }
}

impl LayoutFiles for TarIndex {
    fn read_small(&self, name: &str) -> Result<Vec<u8>> {
        use std::io::Read;
        let ctx = format!("{}: {name}", self.path.display());
        let (offset, size) = self
            .lookup(name)
            .ok_or_else(|| ImageError::invalid(&ctx, "missing from the archive"))?;
        if size > spec::MAX_JSON_BYTES {
            return Err(ImageError::invalid(
                &ctx,
                format!(
                    "{size} bytes is larger than the {} byte limit for image metadata",
                    spec::MAX_JSON_BYTES
                ),
            ));
        }
        let mut region =
            FileRegion::open(&self.path, offset, size).map_err(|e| ImageError::io(&ctx, e))?;
        let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        region
            .read_to_end(&mut out)
            .map_err(|e| ImageError::io(&ctx, e))?;
        Ok(out)
    }

    fn open(&self, name: &str) -> Result<(FileRegion, u64)> {
        let ctx = format!("{}: {name}", self.path.display());
        let (offset, size) = self
            .lookup(name)
            .ok_or_else(|| ImageError::invalid(&ctx, "missing from the archive"))?;
        let region =
            FileRegion::open(&self.path, offset, size).map_err(|e| ImageError::io(&ctx, e))?;
        Ok((region, size))
    }

    fn exists(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

/// Reads an OCI archive.
pub fn resolve_oci_archive(
    path: &Path,
    tag: Option<&str>,
    platform: &Platform,
) -> Result<ResolvedImage> {
    let index = TarIndex::open(path)?;
    if !index.exists("index.json") {
        return Err(ImageError::invalid(
            path.display().to_string(),
            "not an OCI archive: no index.json",
        ));
    }
    let warnings = index.warnings.clone();
    let mut img = super::resolve_layout(index, SourceKind::OciArchive, tag, platform)?;
    img.warnings.splice(0..0, warnings);
    Ok(img)
}

/// Reads a `docker save` archive, or, with no `hint`, whichever kind of archive `path` is.
pub fn resolve_archive(
    path: &Path,
    hint: Option<SourceKind>,
    platform: &Platform,
) -> Result<ResolvedImage> {
    let index = TarIndex::open(path)?;
    let ctx = path.display().to_string();
    if !index.exists("manifest.json") {
        if index.exists("index.json") {
            let warnings = index.warnings.clone();
            let mut img = super::resolve_layout(index, SourceKind::OciArchive, None, platform)?;
            img.warnings.splice(0..0, warnings);
            if hint == Some(SourceKind::DockerArchive) {
                img.warnings
                    .push(format!("{ctx}: no manifest.json; read as an OCI archive"));
            }
            return Ok(img);
        }
        return Err(ImageError::invalid(
            ctx,
            "neither a docker-archive (no manifest.json) nor an OCI archive (no index.json)",
        ));
    }
    let mut warnings = index.warnings.clone();
    let manifest_ctx = format!("{ctx}: manifest.json");
    let entries: Vec<ArchiveManifestEntry> =
        spec::parse_json(&index.read_small("manifest.json")?, &manifest_ctx)?;
    if entries.is_empty() {
        return Err(ImageError::invalid(&manifest_ctx, "lists no image"));
    }
    // Several images (a multi-platform save): take the one for the platform asked for.
    let mut chosen = 0usize;
    if entries.len() > 1 {
        let matching = entries.iter().position(|e| {
            index
                .read_small(&e.config)
                .ok()
                .and_then(|b| spec::parse_json::<ImageConfig>(&b, &manifest_ctx).ok())
                .is_some_and(|c| {
                    platform.matches(&spec::Platform {
                        os: c.os,
                        architecture: c.architecture,
                        variant: None,
                    })
                })
        });
        match matching {
            Some(i) => chosen = i,
            None => warnings.push(format!(
                "{manifest_ctx}: {} images, none for {platform}; reading the first",
                entries.len()
            )),
        }
    }
    let entry = entries
        .get(chosen)
        .ok_or_else(|| ImageError::invalid(&manifest_ctx, "lists no image"))?;
    if entry.layers.len() > spec::MAX_LAYERS {
        return Err(ImageError::invalid(
            &manifest_ctx,
            format!(
                "{} layers is more than the {} accepted",
                entry.layers.len(),
                spec::MAX_LAYERS
            ),
        ));
    }
    let config_ctx = format!("{ctx}: {}", entry.config);
    let config_bytes = index.read_small(&entry.config)?;
    let config_digest = digest_from_name(&entry.config);
    if let Some(d) = &config_digest {
        super::check_small_blob(&config_bytes, d, &config_ctx)?;
    }
    let config: ImageConfig = spec::parse_json(&config_bytes, &config_ctx)?;
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.clone())
        .unwrap_or_default();
    if !diff_ids.is_empty() && diff_ids.len() != entry.layers.len() {
        warnings.push(format!(
            "{config_ctx}: {} diff_ids for {} layers",
            diff_ids.len(),
            entry.layers.len()
        ));
    }
    let mut layers = Vec::with_capacity(entry.layers.len());
    for (i, name) in entry.layers.iter().enumerate() {
        if !index.exists(name) {
            return Err(ImageError::invalid(
                &manifest_ctx,
                format!("layer {name:?} is missing from the archive"),
            ));
        }
        layers.push(LayerRef {
            name: name.clone(),
            digest: digest_from_name(name).map(|d| d.to_string()),
            diff_id: diff_ids.get(i).cloned(),
            size: index.lookup(name).map(|(_, size)| size),
            media_type: None,
        });
    }
    Ok(ResolvedImage {
        kind: SourceKind::DockerArchive,
        manifest_digest: None,
        config_digest: config_digest.map(|d| d.to_string()),
        config,
        layers,
        store: Box::new(LayoutStore { files: index }),
        warnings,
    })
}

/// `blobs/sha256/HEX` or `HEX.json` name their digest.
fn digest_from_name(name: &str) -> Option<Digest> {
    let name = normalize(name);
    if let Some(rest) = name.strip_prefix("blobs/") {
        let (alg, hex) = rest.split_once('/')?;
        return Digest::parse(&format!("{alg}:{hex}"), name.as_str()).ok();
    }
    let hex = name.strip_suffix(".json")?;
    Digest::parse(&format!("sha256:{hex}"), name.as_str()).ok()
}
