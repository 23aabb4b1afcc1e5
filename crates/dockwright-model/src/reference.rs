//! Image references as the distribution library reads them: `[domain/]path[:tag][@digest]`.

use serde::Serialize;

/// The registry an image without a domain comes from.
pub const DEFAULT_DOMAIN: &str = "docker.io";

/// A parsed image reference, parts as written (not normalised).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageReference {
    /// The registry host (with port) when the reference names one.
    pub domain: Option<String>,
    /// The repository path after the domain (`library/python` is written `python`).
    pub path: String,
    /// The tag after `:`.
    pub tag: Option<String>,
    /// The digest after `@` (`sha256:...`).
    pub digest: Option<String>,
}

/// Why a string is not an image reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("invalid image reference {reference:?}: {reason}")]
pub struct ReferenceError {
    /// The text that was read.
    pub reference: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl ImageReference {
    /// Reads a reference. The first `/`-separated component is a registry domain when it
    /// holds a `.` or a `:` or is `localhost` (the distribution library's rule).
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        let err = |reason| ReferenceError {
            reference: text.to_string(),
            reason,
        };
        if text.is_empty() {
            return Err(err("empty"));
        }
        let (name_tag, digest) = match text.split_once('@') {
            Some((n, d)) => {
                if !d.contains(':') || d.ends_with(':') {
                    return Err(err("digest is not ALGORITHM:HEX"));
                }
                (n, Some(d.to_string()))
            }
            None => (text, None),
        };
        let (name, tag) = match name_tag.rfind(':') {
            Some(colon) if !name_tag[colon..].contains('/') => {
                (&name_tag[..colon], Some(name_tag[colon + 1..].to_string()))
            }
            _ => (name_tag, None),
        };
        if let Some(tag) = &tag
            && !valid_tag(tag)
        {
            return Err(err("invalid tag"));
        }
        let (domain, path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), rest)
            }
            _ => (None, name),
        };
        if path.is_empty() || !path.split('/').all(valid_component) {
            return Err(err("invalid repository name"));
        }
        Ok(ImageReference {
            domain,
            path: path.to_string(),
            tag,
            digest,
        })
    }

    /// The registry the image is pulled from (`docker.io` when none is written).
    pub fn registry(&self) -> &str {
        self.domain.as_deref().unwrap_or(DEFAULT_DOMAIN)
    }

    /// The repository as the Docker CLI shows it: no `docker.io/`, no `library/`.
    pub fn familiar_name(&self) -> String {
        match self.domain.as_deref() {
            None | Some(DEFAULT_DOMAIN) | Some("index.docker.io") => self
                .path
                .strip_prefix("library/")
                .unwrap_or(&self.path)
                .to_string(),
            Some(domain) => format!("{domain}/{}", self.path),
        }
    }

    /// The last path component (`python` for `docker.io/library/python:3`).
    pub fn image_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

fn valid_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && (bytes[0].is_ascii_alphanumeric() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A path component: lower-case alphanumerics separated by `.`, `_`, `__` or runs of `-`.
fn valid_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    alnum(first)
        && alnum(last)
        && bytes
            .iter()
            .all(|b| alnum(b) || matches!(b, b'.' | b'_' | b'-'))
        && !component.contains("..")
        && !component.contains("___")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (Option<String>, String, Option<String>, Option<String>) {
        let r = ImageReference::parse(text).unwrap();
        (r.domain, r.path, r.tag, r.digest)
    }

    #[test]
    fn splits_domain_path_tag_digest() {
        assert_eq!(
            parts("python:3.12-slim"),
            (None, "python".into(), Some("3.12-slim".into()), None)
        );
        assert_eq!(
            parts("localhost:5000/team/app:1@sha256:abc"),
            (
                Some("localhost:5000".into()),
                "team/app".into(),
                Some("1".into()),
                Some("sha256:abc".into())
            )
        );
        assert_eq!(
            parts("ghcr.io/owner/img"),
            (Some("ghcr.io".into()), "owner/img".into(), None, None)
        );
        assert_eq!(parts("owner/img").0, None);
    }

    #[test]
    fn names_registry_and_familiar_name() {
        let r = ImageReference::parse("docker.io/library/node:20").unwrap();
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.familiar_name(), "node");
        assert_eq!(r.image_name(), "node");
        let r = ImageReference::parse("nvidia/cuda:12.4").unwrap();
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.familiar_name(), "nvidia/cuda");
    }

    #[test]
    fn rejects_what_docker_rejects() {
        for bad in [
            "",
            "Python:3",
            "img:",
            "img:-x",
            "a//b",
            "img@sha256",
            "${X}",
        ] {
            assert!(ImageReference::parse(bad).is_err(), "{bad}");
        }
    }
}
