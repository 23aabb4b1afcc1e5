//! The JSON documents that describe an image: OCI index and manifest (and their Docker v2
//! equivalents), the image config, and `docker save`'s `manifest.json`.
//!
//! These are small serde structs of our own rather than `oci-spec`'s, because real images
//! break the spec in ways a reader must tolerate (Docker configs without `rootfs`, history
//! without `created_by`, mixed-case Docker fields) while hostile ones must fail cleanly.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{ImageError, Result};

/// Largest manifest, index, config or `manifest.json` read (a "huge manifest" is refused).
pub const MAX_JSON_BYTES: u64 = 8 * 1024 * 1024;

/// Most layers accepted in one image (Docker itself stops at 127).
pub const MAX_LAYERS: usize = 4096;

/// OCI image index / Docker manifest list.
pub const MEDIA_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image manifest.
pub const MEDIA_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker manifest list.
pub const MEDIA_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image manifest.
pub const MEDIA_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// A content descriptor.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// What the blob is.
    #[serde(default)]
    pub media_type: String,
    /// `algorithm:hex`.
    pub digest: String,
    /// Blob size in bytes, as claimed.
    #[serde(default)]
    pub size: i64,
    /// For index entries: the platform the manifest is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Free-form annotations (`org.opencontainers.image.ref.name` names a tag in a layout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// An operating system and CPU architecture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    /// `amd64`, `arm64`, ...
    #[serde(default)]
    pub architecture: String,
    /// `linux`, `windows`, ...
    #[serde(default)]
    pub os: String,
    /// `v7`, `v8`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// The platform this program runs on, in OCI names.
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            "loongarch64" => "loong64",
            other => other,
        };
        Platform {
            architecture: architecture.to_string(),
            os: std::env::consts::OS.to_string(),
            variant: None,
        }
    }

    /// Parses `os/arch[/variant]`.
    pub fn parse(text: &str) -> Result<Platform> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: (*os).to_string(),
                architecture: (*arch).to_string(),
                variant: None,
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: (*os).to_string(),
                architecture: (*arch).to_string(),
                variant: Some((*variant).to_string()),
            }),
            _ => Err(ImageError::invalid(
                format!("--platform {text}"),
                "expected OS/ARCH or OS/ARCH/VARIANT, e.g. linux/amd64",
            )),
        }
    }

    /// Whether an index entry for `other` serves this platform (a missing variant matches any).
    pub fn matches(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.architecture == other.architecture
            && match (&self.variant, &other.variant) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// An image index or manifest list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    /// Always 2.
    #[serde(default)]
    pub schema_version: i64,
    /// Present in registries, optional in layouts.
    #[serde(default)]
    pub media_type: String,
    /// The manifests (or nested indexes).
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
}

/// An image manifest.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always 2.
    #[serde(default)]
    pub schema_version: i64,
    /// OCI or Docker manifest media type.
    #[serde(default)]
    pub media_type: String,
    /// The image config blob.
    pub config: Descriptor,
    /// The layer blobs, bottom first.
    #[serde(default)]
    pub layers: Vec<Descriptor>,
}

/// One image in `docker save`'s `manifest.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ArchiveManifestEntry {
    /// Path of the config JSON in the archive.
    #[serde(rename = "Config")]
    pub config: String,
    /// Tags the image was saved under.
    #[serde(rename = "RepoTags", default)]
    pub repo_tags: Option<Vec<String>>,
    /// Paths of the layer tars in the archive, bottom first.
    #[serde(rename = "Layers", default)]
    pub layers: Vec<String>,
}

/// The image configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImageConfig {
    /// CPU architecture.
    #[serde(default)]
    pub architecture: String,
    /// Operating system.
    #[serde(default)]
    pub os: String,
    /// The runtime configuration.
    #[serde(default)]
    pub config: Option<ContainerConfig>,
    /// Digests of the uncompressed layers.
    #[serde(default)]
    pub rootfs: Option<RootFs>,
    /// One entry per build step, including steps that made no layer.
    #[serde(default)]
    pub history: Vec<History>,
}

/// `config` inside the image config.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    /// The user the container runs as.
    #[serde(default)]
    pub user: Option<String>,
    /// `KEY=value` strings.
    #[serde(default)]
    pub env: Option<Vec<String>>,
    /// `80/tcp` → `{}`.
    #[serde(default)]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    /// The health check, when set.
    #[serde(default)]
    pub healthcheck: Option<Healthcheck>,
    /// Entrypoint.
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    /// Command.
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    /// Working directory.
    #[serde(default)]
    pub working_dir: Option<String>,
    /// Labels.
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    /// Volumes.
    #[serde(default)]
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
}

/// A health check.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// `["NONE"]` disables an inherited check.
    #[serde(default)]
    pub test: Option<Vec<String>>,
}

/// `rootfs` inside the image config.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RootFs {
    /// `layers`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Uncompressed layer digests, bottom first.
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// One build step in the config history.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct History {
    /// The instruction that made the step.
    #[serde(default)]
    pub created_by: Option<String>,
    /// Set when the step made no layer (ENV, CMD, ...).
    #[serde(default)]
    pub empty_layer: bool,
    /// A comment (`buildkit.dockerfile.v0`, ...).
    #[serde(default)]
    pub comment: Option<String>,
}

/// Parses one JSON document, refusing oversized ones.
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8], context: &str) -> Result<T> {
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(ImageError::invalid(
            context,
            format!(
                "{} bytes is larger than the {} byte limit for image metadata",
                bytes.len(),
                MAX_JSON_BYTES
            ),
        ));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ImageError::invalid(context, format!("invalid JSON: {e}")))
}

/// Whether a JSON document is an index (rather than a manifest).
pub fn is_index(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        #[serde(default)]
        media_type: String,
        #[serde(default)]
        manifests: Option<serde_json::Value>,
    }
    match serde_json::from_slice::<Probe>(bytes) {
        Ok(p) => {
            p.media_type == MEDIA_OCI_INDEX
                || p.media_type == MEDIA_DOCKER_LIST
                || p.manifests.is_some()
        }
        Err(_) => false,
    }
}

/// A validated `algorithm:hex` digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    /// `sha256` or `sha512`.
    pub algorithm: String,
    /// Lower-case hex.
    pub hex: String,
}

impl Digest {
    /// Parses a digest, refusing anything that could not be a file name in `blobs/`.
    pub fn parse(text: &str, context: &str) -> Result<Digest> {
        let bad =
            |why: &str| ImageError::invalid(context, format!("invalid digest {text:?}: {why}"));
        let (algorithm, hex) = text.split_once(':').ok_or_else(|| bad("no `algorithm:`"))?;
        let want = match algorithm {
            "sha256" => 64,
            "sha512" => 128,
            _ => return Err(bad("unsupported algorithm")),
        };
        if hex.len() != want
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(bad("not lower-case hex of the right length"));
        }
        Ok(Digest {
            algorithm: algorithm.to_string(),
            hex: hex.to_string(),
        })
    }

    /// The path of this blob inside an OCI layout.
    pub fn blob_path(&self) -> String {
        format!("blobs/{}/{}", self.algorithm, self.hex)
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

/// Checks a manifest's layer count and descriptor fields.
pub fn check_manifest(manifest: &Manifest, context: &str) -> Result<()> {
    if manifest.layers.len() > MAX_LAYERS {
        return Err(ImageError::invalid(
            context,
            format!(
                "{} layers is more than the {MAX_LAYERS} accepted",
                manifest.layers.len()
            ),
        ));
    }
    Digest::parse(&manifest.config.digest, context)?;
    for layer in &manifest.layers {
        Digest::parse(&layer.digest, context)?;
        if layer.size < 0 {
            return Err(ImageError::invalid(
                context,
                format!("layer {} has a negative size", layer.digest),
            ));
        }
    }
    Ok(())
}

/// Picks the manifest for `platform` from an index.
pub fn select_platform<'a>(
    index: &'a Index,
    platform: &Platform,
    context: &str,
) -> Result<&'a Descriptor> {
    let candidates: Vec<&Descriptor> = index
        .manifests
        .iter()
        // Attestation manifests (BuildKit provenance) carry platform unknown/unknown.
        .filter(|d| d.platform.as_ref().is_none_or(|p| p.os != "unknown"))
        .collect();
    if let Some(d) = candidates
        .iter()
        .find(|d| d.platform.as_ref().is_some_and(|p| platform.matches(p)))
    {
        return Ok(d);
    }
    // An index with one image and no platform annotations (an OCI layout written by a tool).
    if candidates.len() == 1
        && candidates.first().is_some_and(|d| d.platform.is_none())
        && let Some(d) = candidates.first()
    {
        return Ok(d);
    }
    let available: Vec<String> = candidates
        .iter()
        .filter_map(|d| d.platform.as_ref().map(|p| p.to_string()))
        .collect();
    Err(ImageError::invalid(
        context,
        if available.is_empty() {
            format!("no manifest for platform {platform}")
        } else {
            format!(
                "no manifest for platform {platform}; available: {} (choose one with --platform)",
                available.join(", ")
            )
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_refuses_path_tricks() {
        assert!(Digest::parse("sha256:../../etc/passwd", "t").is_err());
        assert!(Digest::parse("md5:abcd", "t").is_err());
        assert!(Digest::parse(&format!("sha256:{}", "A".repeat(64)), "t").is_err());
        let d = Digest::parse(&format!("sha256:{}", "a".repeat(64)), "t").unwrap();
        assert_eq!(d.blob_path(), format!("blobs/sha256/{}", "a".repeat(64)));
    }

    #[test]
    fn huge_json_is_refused() {
        let big = vec![b' '; (MAX_JSON_BYTES + 1) as usize];
        let err = parse_json::<Index>(&big, "index.json").unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
    }

    #[test]
    fn platform_selection() {
        let index: Index = serde_json::from_str(
            r#"{"manifests":[
            {"digest":"sha256:1","platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
            {"digest":"sha256:2","platform":{"os":"linux","architecture":"amd64"}},
            {"digest":"sha256:3","platform":{"os":"unknown","architecture":"unknown"}}]}"#,
        )
        .unwrap();
        let amd = Platform::parse("linux/amd64").unwrap();
        assert_eq!(
            select_platform(&index, &amd, "t").unwrap().digest,
            "sha256:2"
        );
        let arm = Platform::parse("linux/arm64").unwrap();
        assert_eq!(
            select_platform(&index, &arm, "t").unwrap().digest,
            "sha256:1"
        );
        let err =
            select_platform(&index, &Platform::parse("linux/s390x").unwrap(), "t").unwrap_err();
        assert!(err.to_string().contains("linux/amd64"), "{err}");
        assert!(Platform::parse("linux").is_err());
    }
}
