//! Image references on the command line: `docker-archive:PATH`, `oci-archive:PATH[:TAG]`,
//! `oci:DIR[:TAG]`, `docker-daemon:NAME`/`engine:NAME`, `docker://REF`, a bare path, or a
//! registry reference such as `alpine:3.20` or `registry.example:5000/team/app@sha256:…`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{ImageError, Result};

/// Where an image is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageReference {
    /// `docker-archive:PATH`.
    DockerArchive(PathBuf),
    /// `oci-archive:PATH[:TAG]`.
    OciArchive {
        /// The tar file.
        path: PathBuf,
        /// The `org.opencontainers.image.ref.name` to pick.
        tag: Option<String>,
    },
    /// `oci:DIR[:TAG]`.
    OciLayout {
        /// The layout directory.
        dir: PathBuf,
        /// The `org.opencontainers.image.ref.name` to pick.
        tag: Option<String>,
    },
    /// A path whose kind is found by looking at it.
    Path(PathBuf),
    /// A registry reference.
    Registry(RegistryRef),
    /// An image in a local docker or podman engine.
    Engine {
        /// The image name or id as the engine knows it.
        name: String,
        /// The API socket, if not the default.
        socket: Option<PathBuf>,
    },
}

/// A parsed registry reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryRef {
    /// `registry-1.docker.io`, `localhost:5000`, ...
    pub registry: String,
    /// `library/alpine`, `team/app`, ...
    pub repository: String,
    /// A tag or a digest.
    pub reference: String,
}

impl std::fmt::Display for RegistryRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sep = if self.reference.contains(':') {
            "@"
        } else {
            ":"
        };
        write!(
            f,
            "{}/{}{sep}{}",
            self.registry, self.repository, self.reference
        )
    }
}

/// Splits `PATH[:TAG]` where the path itself may contain `:`: the whole text wins when it
/// names an existing file.
fn split_tag(text: &str) -> (PathBuf, Option<String>) {
    if Path::new(text).exists() {
        return (PathBuf::from(text), None);
    }
    match text.rsplit_once(':') {
        Some((path, tag)) if !tag.contains('/') && !path.is_empty() => {
            (PathBuf::from(path), Some(tag.to_string()))
        }
        _ => (PathBuf::from(text), None),
    }
}

impl ImageReference {
    /// Parses what the user typed.
    pub fn parse(text: &str) -> Result<ImageReference> {
        if text.is_empty() {
            return Err(ImageError::invalid("image reference", "empty"));
        }
        if let Some(p) = text.strip_prefix("docker-archive:") {
            return Ok(ImageReference::DockerArchive(PathBuf::from(p)));
        }
        if let Some(p) = text.strip_prefix("oci-archive:") {
            let (path, tag) = split_tag(p);
            return Ok(ImageReference::OciArchive { path, tag });
        }
        if let Some(p) = text.strip_prefix("oci:") {
            let (dir, tag) = split_tag(p);
            return Ok(ImageReference::OciLayout { dir, tag });
        }
        for prefix in ["docker-daemon:", "engine:", "podman:"] {
            if let Some(name) = text.strip_prefix(prefix) {
                return Ok(ImageReference::Engine {
                    name: name.to_string(),
                    socket: None,
                });
            }
        }
        if let Some(r) = text.strip_prefix("docker://") {
            return Ok(ImageReference::Registry(RegistryRef::parse(r)?));
        }
        if Path::new(text).exists()
            || text.starts_with('/')
            || text.starts_with("./")
            || text.starts_with("../")
        {
            return Ok(ImageReference::Path(PathBuf::from(text)));
        }
        Ok(ImageReference::Registry(RegistryRef::parse(text)?))
    }
}

impl RegistryRef {
    /// Parses a docker-style reference, filling in Docker Hub defaults.
    pub fn parse(text: &str) -> Result<RegistryRef> {
        let bad =
            |why: &str| ImageError::invalid(format!("image reference {text:?}"), why.to_string());
        let (name, digest) = match text.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (text, None),
        };
        let (first, rest) = match name.split_once('/') {
            Some((f, r)) if f.contains('.') || f.contains(':') || f == "localhost" => (Some(f), r),
            _ => (None, name),
        };
        let (repo, tag) = match rest.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, Some(t)),
            _ => (rest, None),
        };
        if repo.is_empty() {
            return Err(bad("no repository name"));
        }
        let valid_repo = repo.split('/').all(|c| {
            !c.is_empty()
                && c.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
        });
        if !valid_repo {
            return Err(bad(
                "repository names are lower-case letters, digits, `.`, `_`, `-` and `/`",
            ));
        }
        let registry = match first {
            None | Some("docker.io") | Some("index.docker.io") => {
                "registry-1.docker.io".to_string()
            }
            Some(r) => r.to_string(),
        };
        let repository = if registry == "registry-1.docker.io" && !repo.contains('/') {
            format!("library/{repo}")
        } else {
            repo.to_string()
        };
        let reference = match (digest, tag) {
            (Some(d), _) => {
                crate::spec::Digest::parse(d, text)?;
                d.to_string()
            }
            (None, Some(t)) => {
                if t.is_empty()
                    || t.len() > 128
                    || !t
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
                {
                    return Err(bad("invalid tag"));
                }
                t.to_string()
            }
            (None, None) => "latest".to_string(),
        };
        Ok(RegistryRef {
            registry,
            repository,
            reference,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_transports() {
        assert_eq!(
            ImageReference::parse("docker-archive:/tmp/a.tar").unwrap(),
            ImageReference::DockerArchive("/tmp/a.tar".into())
        );
        assert_eq!(
            ImageReference::parse("oci:/nonexistent/dir:v1").unwrap(),
            ImageReference::OciLayout {
                dir: "/nonexistent/dir".into(),
                tag: Some("v1".into())
            }
        );
        assert!(matches!(
            ImageReference::parse("./x.tar").unwrap(),
            ImageReference::Path(_)
        ));
        assert!(matches!(
            ImageReference::parse("engine:myapp:1").unwrap(),
            ImageReference::Engine { .. }
        ));
    }

    #[test]
    fn parses_registry_references() {
        let r = RegistryRef::parse("alpine").unwrap();
        assert_eq!(r.registry, "registry-1.docker.io");
        assert_eq!(r.repository, "library/alpine");
        assert_eq!(r.reference, "latest");
        let r = RegistryRef::parse("localhost:5000/team/app:1.2").unwrap();
        assert_eq!(
            (
                r.registry.as_str(),
                r.repository.as_str(),
                r.reference.as_str()
            ),
            ("localhost:5000", "team/app", "1.2")
        );
        let d = format!("sha256:{}", "a".repeat(64));
        let r = RegistryRef::parse(&format!("ghcr.io/o/r@{d}")).unwrap();
        assert_eq!(r.reference, d);
        assert!(RegistryRef::parse("UPPER/case").is_err());
        assert!(RegistryRef::parse("x@sha256:zz").is_err());
        assert_eq!(r.to_string(), format!("ghcr.io/o/r@{d}"));
    }
}
