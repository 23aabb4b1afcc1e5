//! Target and build platforms, for BuildKit's automatic platform ARGs.

use std::fmt;

use serde::Serialize;

/// An OCI platform: `os/architecture[/variant]`, with an optional OS version (Windows).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Platform {
    /// `linux`, `windows`, ...
    pub os: String,
    /// `amd64`, `arm64`, `arm`, ...
    pub architecture: String,
    /// `v7`, `v8`, or empty.
    pub variant: String,
    /// e.g. `10.0.17763.1234` on Windows; usually empty.
    pub os_version: String,
}

/// A platform string that is not `os/arch[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid platform {0:?}: expected os/arch[/variant]")]
pub struct PlatformError(pub String);

impl Platform {
    /// `os`/`architecture` with no variant.
    pub fn new(os: impl Into<String>, architecture: impl Into<String>) -> Self {
        Platform {
            os: os.into(),
            architecture: architecture.into(),
            ..Self::default()
        }
    }

    /// The same platform with `variant`.
    pub fn with_variant(mut self, variant: impl Into<String>) -> Self {
        self.variant = variant.into();
        self
    }

    /// Reads `os/arch`, `os/arch/variant`, or `os(version)/arch[/variant]` as written (no
    /// normalisation of aliases such as `x86_64`).
    pub fn parse(text: &str) -> Result<Self, PlatformError> {
        let invalid = || PlatformError(text.to_string());
        let mut parts = text.split('/');
        let (Some(os_part), Some(architecture)) = (parts.next(), parts.next()) else {
            return Err(invalid());
        };
        let variant = parts.next().unwrap_or("");
        if parts.next().is_some() || architecture.is_empty() {
            return Err(invalid());
        }
        let (os, os_version) = match os_part.split_once('(') {
            Some((os, rest)) => (os, rest.strip_suffix(')').ok_or_else(invalid)?),
            None => (os_part, ""),
        };
        if os.is_empty() {
            return Err(invalid());
        }
        Ok(Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant: variant.to_string(),
            os_version: os_version.to_string(),
        })
    }

    /// containerd's `platforms.Format`: `os/arch[/variant]`, or `unknown` without an OS.
    /// BuildKit uses it for `BUILDPLATFORM`.
    pub fn format(&self) -> String {
        self.join(&self.os)
    }

    /// containerd's `platforms.FormatAll`: like [`format`](Self::format) with the OS version
    /// in parentheses after the OS. BuildKit uses it for `TARGETPLATFORM`.
    pub fn format_all(&self) -> String {
        if self.os_version.is_empty() {
            self.format()
        } else {
            self.join(&format!("{}({})", self.os, self.os_version))
        }
    }

    fn join(&self, os: &str) -> String {
        if self.os.is_empty() {
            return "unknown".to_string();
        }
        [os, &self.architecture, &self.variant]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("/")
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_all())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        let p = Platform::parse("linux/arm/v7").unwrap();
        assert_eq!(p, Platform::new("linux", "arm").with_variant("v7"));
        assert_eq!(p.format(), "linux/arm/v7");
        let p = Platform::parse("windows(10.0.17763)/amd64").unwrap();
        assert_eq!(p.os_version, "10.0.17763");
        assert_eq!(p.format(), "windows/amd64");
        assert_eq!(p.format_all(), "windows(10.0.17763)/amd64");
        assert_eq!(Platform::default().format(), "unknown");
        for bad in [
            "linux",
            "",
            "/amd64",
            "linux/",
            "a/b/c/d",
            "windows(1/amd64",
        ] {
            assert!(Platform::parse(bad).is_err(), "{bad}");
        }
    }
}
