//! What a built image is: its size, its layers and the configuration a container starts with.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::BuildError;

/// The run-time configuration of an image: what `docker run` would start, where and as whom.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// `CMD`, exec form.
    pub cmd: Option<Vec<String>>,
    /// `ENTRYPOINT`, exec form.
    pub entrypoint: Option<Vec<String>>,
    /// `WORKDIR` (empty when unset).
    pub workdir: String,
    /// `EXPOSE`d ports, `8080/tcp` form, sorted.
    pub exposed_ports: Vec<String>,
    /// `ENV`, `NAME=value`, in the image's order.
    pub env: Vec<String>,
    /// `USER` (empty: root).
    pub user: String,
}

impl ImageConfig {
    /// Whether the image runs as root: no USER, or USER root / 0 (with any group).
    pub fn runs_as_root(&self) -> bool {
        let user = self.user.split(':').next().unwrap_or("");
        user.is_empty() || user == "root" || user == "0"
    }

    /// The environment as a map (a later duplicate wins, as in a container).
    pub fn env_map(&self) -> BTreeMap<String, String> {
        self.env
            .iter()
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (kv.clone(), String::new()),
            })
            .collect()
    }

    /// The settings that differ from `other`, by name (`cmd`, `entrypoint`, `workdir`,
    /// `exposed_ports`, `env`, `user`). ENV is compared as a map: order does not matter.
    pub fn differences(&self, other: &ImageConfig) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.cmd != other.cmd {
            out.push("cmd");
        }
        if self.entrypoint != other.entrypoint {
            out.push("entrypoint");
        }
        if self.workdir != other.workdir {
            out.push("workdir");
        }
        if self.exposed_ports != other.exposed_ports {
            out.push("exposed_ports");
        }
        if self.env_map() != other.env_map() {
            out.push("env");
        }
        if self.user != other.user {
            out.push("user");
        }
        out
    }
}

/// Size, layers and configuration of a built image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageFacts {
    /// The image id (full).
    pub id: String,
    /// Σ of the uncompressed layer sizes, in bytes.
    pub size: u64,
    /// How many filesystem layers it has.
    pub layers: usize,
    /// Its run-time configuration.
    pub config: ImageConfig,
}

/// The config object shared by the OCI image config (`config`) and docker's (`Config`).
#[derive(Debug, Default, Deserialize)]
struct RawConfig {
    #[serde(rename = "Cmd", default)]
    cmd: Option<Vec<String>>,
    #[serde(rename = "Entrypoint", default)]
    entrypoint: Option<Vec<String>>,
    #[serde(rename = "WorkingDir", default)]
    workdir: Option<String>,
    #[serde(rename = "ExposedPorts", default)]
    exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(rename = "Env", default)]
    env: Option<Vec<String>>,
    #[serde(rename = "User", default)]
    user: Option<String>,
}

impl RawConfig {
    fn into_config(self) -> ImageConfig {
        ImageConfig {
            cmd: self.cmd,
            entrypoint: self.entrypoint,
            workdir: self.workdir.unwrap_or_default(),
            exposed_ports: self
                .exposed_ports
                .map(|m| m.into_keys().collect())
                .unwrap_or_default(),
            env: self.env.unwrap_or_default(),
            user: self.user.unwrap_or_default(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct OciConfig {
    #[serde(default)]
    config: Option<RawConfig>,
}

#[derive(Debug, Deserialize)]
struct ManifestLayer {
    size: u64,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    #[serde(default)]
    layers: Vec<ManifestLayer>,
}

#[derive(Debug, Deserialize)]
struct BuildahInspect {
    #[serde(rename = "FromImageID", default)]
    image_id: String,
    #[serde(rename = "OCIv1")]
    oci: OciConfig,
    /// The manifest as a JSON string.
    #[serde(rename = "Manifest")]
    manifest: String,
}

/// Reads `buildah inspect --type image NAME`.
pub fn parse_buildah_inspect(json: &str) -> Result<ImageFacts, BuildError> {
    let raw: BuildahInspect =
        serde_json::from_str(json).map_err(|e| BuildError::Inspect(e.to_string()))?;
    let manifest: Manifest = serde_json::from_str(&raw.manifest)
        .map_err(|e| BuildError::Inspect(format!("manifest: {e}")))?;
    Ok(ImageFacts {
        id: raw.image_id,
        size: manifest.layers.iter().map(|l| l.size).sum(),
        layers: manifest.layers.len(),
        config: raw.oci.config.unwrap_or_default().into_config(),
    })
}

#[derive(Debug, Deserialize)]
struct RootFs {
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct EngineInspect {
    #[serde(rename = "Id")]
    id: String,
    #[serde(rename = "Size")]
    size: u64,
    #[serde(rename = "RootFS")]
    rootfs: RootFs,
    #[serde(rename = "Config", default)]
    config: Option<RawConfig>,
}

/// Reads `docker image inspect NAME` or `podman image inspect NAME` (a one-element array).
pub fn parse_engine_inspect(json: &str) -> Result<ImageFacts, BuildError> {
    let mut all: Vec<EngineInspect> =
        serde_json::from_str(json).map_err(|e| BuildError::Inspect(e.to_string()))?;
    if all.is_empty() {
        return Err(BuildError::Inspect("no image in the inspect output".into()));
    }
    let raw = all.swap_remove(0);
    Ok(ImageFacts {
        id: raw
            .id
            .strip_prefix("sha256:")
            .unwrap_or(&raw.id)
            .to_string(),
        size: raw.size,
        layers: raw.rootfs.layers.len(),
        config: raw.config.unwrap_or_default().into_config(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buildah_inspect_gives_size_layers_and_config() {
        let manifest = r#"{"schemaVersion":2,"layers":[{"size":2124800},{"size":10240}]}"#;
        let json = serde_json::json!({
            "FromImageID": "c71b61f36038",
            "OCIv1": {"config": {
                "Env": ["PATH=/bin", "A=1"],
                "Cmd": ["cat", "/size.txt"],
                "WorkingDir": "/app",
                "ExposedPorts": {"9090/tcp": {}, "8080/tcp": {}},
                "User": "nobody"
            }},
            "Manifest": manifest,
        })
        .to_string();
        let facts = parse_buildah_inspect(&json).unwrap();
        assert_eq!(facts.size, 2_135_040);
        assert_eq!(facts.layers, 2);
        assert_eq!(facts.config.exposed_ports, ["8080/tcp", "9090/tcp"]);
        assert_eq!(facts.config.workdir, "/app");
        assert!(!facts.config.runs_as_root());
        assert_eq!(facts.config.entrypoint, None);
    }

    #[test]
    fn engine_inspect_reads_the_first_image() {
        let json = r#"[{"Id":"sha256:abc123","Size":5000,"RootFS":{"Type":"layers","Layers":["sha256:1","sha256:2","sha256:3"]},"Config":{"Cmd":null,"Entrypoint":["/app"],"User":"","Env":null}}]"#;
        let facts = parse_engine_inspect(json).unwrap();
        assert_eq!(facts.id, "abc123");
        assert_eq!(facts.layers, 3);
        assert_eq!(facts.config.entrypoint, Some(vec!["/app".to_string()]));
        assert!(facts.config.runs_as_root());
        assert!(parse_engine_inspect("[]").is_err());
        assert!(parse_engine_inspect("{").is_err());
    }

    #[test]
    fn differences_compare_env_as_a_map() {
        let a = ImageConfig {
            env: vec!["A=1".into(), "B=2".into()],
            user: String::new(),
            ..ImageConfig::default()
        };
        let mut b = a.clone();
        b.env = vec!["B=2".into(), "A=1".into()];
        b.user = "app".into();
        assert_eq!(a.differences(&b), ["user"]);
        b.env.push("C=3".into());
        assert_eq!(a.differences(&b), ["env", "user"]);
    }
}
