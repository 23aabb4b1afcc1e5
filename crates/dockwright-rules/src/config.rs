//! Configuration files: dockwright's `.dockwright.toml` and hadolint's `.hadolint.yaml`, read
//! into [`Options`] layers, and discovery upward from a linted file.
//!
//! `.dockwright.toml` holds the keys of [`Options`] (kebab-case), e.g.
//!
//! ```toml
//! select = ["ALL"]
//! ignore = ["DL3008", "apt-no-install-recommends"]
//! failure-threshold = "warning"
//! trusted-registries = ["docker.io", "*.gcr.io"]
//! [severity]
//! DL3059 = "style"
//! [label-schema]
//! maintainer = "email"
//! [build]
//! args = { BASE = "debian:12" }
//! ```
//!
//! `.hadolint.yaml` / `.hadolint.yml` is read as hadolint reads it: `ignored`,
//! `override.{error,warning,info,style}`, `trustedRegistries`, `failure-threshold`,
//! `strict-labels`, `label-schema`, `disable-ignore-pragma`, `no-fail`; `format`,
//! `no-color` and `verbose` are accepted and have no effect on linting.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

use crate::settings::Options;

/// Names of dockwright's config file, in order of preference within a directory.
pub const DOCKWRIGHT_FILES: [&str; 2] = [".dockwright.toml", "dockwright.toml"];

/// Names of hadolint's config file.
pub const HADOLINT_FILES: [&str; 2] = [".hadolint.yaml", ".hadolint.yml"];

/// A config file that could not be read or is invalid.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

fn error(path: &Path, message: impl Into<String>) -> ConfigError {
    ConfigError {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Configuration found for a file: the options and the files they came from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The merged options (hadolint's file below dockwright's).
    pub options: Options,
    /// The files read, in the order merged.
    pub files: Vec<PathBuf>,
}

/// Reads one config file; `.yaml`/`.yml` files are hadolint's, anything else dockwright's.
pub fn load_file(path: &Path) -> Result<Options, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| error(path, e.to_string()))?;
    let is_yaml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    if is_yaml {
        parse_hadolint(&text).map_err(|m| error(path, m))
    } else {
        parse_dockwright(&text).map_err(|m| error(path, m))
    }
}

/// Reads `.dockwright.toml` text.
pub fn parse_dockwright(text: &str) -> Result<Options, String> {
    toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
}

/// Looks for configuration in `dir` and its ancestors; the nearest directory that has a
/// dockwright or hadolint config file wins. When it has both, dockwright's is merged over
/// hadolint's.
pub fn discover(dir: &Path) -> Result<Option<Loaded>, ConfigError> {
    for dir in dir.ancestors() {
        let hadolint = HADOLINT_FILES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file());
        let dockwright = DOCKWRIGHT_FILES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file());
        if hadolint.is_none() && dockwright.is_none() {
            continue;
        }
        let mut loaded = Loaded::default();
        for path in [hadolint, dockwright].into_iter().flatten() {
            let options = load_file(&path)?;
            loaded.options = std::mem::take(&mut loaded.options).merge(options);
            loaded.files.push(path);
        }
        return Ok(Some(loaded));
    }
    Ok(None)
}

/// Reads hadolint's YAML config into options.
pub fn parse_hadolint(text: &str) -> Result<Options, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    let mut options = Options::default();
    let Some(doc) = docs.into_iter().next() else {
        return Ok(options);
    };
    let map = match doc {
        Yaml::Hash(map) => map,
        Yaml::Null => return Ok(options),
        _ => return Err("expected a mapping at the top level".to_string()),
    };
    for (key, value) in map {
        let Some(key) = key.as_str() else {
            return Err("keys must be strings".to_string());
        };
        match key {
            "ignored" => options.ignore = Some(strings(key, &value)?),
            "trustedRegistries" => options.trusted_registries = Some(strings(key, &value)?),
            "failure-threshold" => options.failure_threshold = Some(string(key, &value)?),
            "strict-labels" => options.strict_labels = Some(boolean(key, &value)?),
            "disable-ignore-pragma" => options.disable_ignore_pragma = Some(boolean(key, &value)?),
            "no-fail" => options.no_fail = Some(boolean(key, &value)?),
            "label-schema" => {
                let Yaml::Hash(schema) = value else {
                    return Err("label-schema: expected a mapping of label to type".to_string());
                };
                let mut labels = BTreeMap::new();
                for (label, kind) in schema {
                    let label = scalar(&label).ok_or("label-schema: labels must be strings")?;
                    labels.insert(label, string("label-schema", &kind)?);
                }
                options.label_schema = Some(labels);
            }
            "override" => {
                let Yaml::Hash(levels) = value else {
                    return Err("override: expected a mapping of level to codes".to_string());
                };
                let mut severity = BTreeMap::new();
                for (level, codes) in levels {
                    let level = level.as_str().ok_or("override: levels must be strings")?;
                    if !matches!(level, "error" | "warning" | "info" | "style") {
                        return Err(format!(
                            "override: unknown level `{level}` (expected error, warning, info or style)"
                        ));
                    }
                    for code in strings("override", &codes)? {
                        severity.insert(code, level.to_string());
                    }
                }
                options.severity = Some(severity);
            }
            // Output options: they change nothing about what is found.
            "format" | "no-color" | "verbose" => {}
            other => return Err(format!("unknown key `{other}`")),
        }
    }
    Ok(options)
}

/// hadolint's environment variables (`HADOLINT_IGNORE`, `HADOLINT_FAILURE_THRESHOLD`,
/// `HADOLINT_NOFAIL`, `HADOLINT_OVERRIDE_{ERROR,WARNING,INFO,STYLE}`,
/// `HADOLINT_TRUSTED_REGISTRIES`, `HADOLINT_REQUIRE_LABELS`, `HADOLINT_STRICT_LABELS`,
/// `HADOLINT_DISABLE_IGNORE_PRAGMA`) as a layer, read through `var` (normally
/// `std::env::var`). They go above config files and below the command line, as in hadolint.
pub fn hadolint_env(var: impl Fn(&str) -> Option<String>) -> Result<Options, String> {
    let list = |name: &str| -> Option<Vec<String>> {
        var(name).map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
    };
    let truthy = |name: &str| {
        var(name).map(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        })
    };
    let mut options = Options {
        ignore: list("HADOLINT_IGNORE"),
        failure_threshold: var("HADOLINT_FAILURE_THRESHOLD"),
        no_fail: truthy("HADOLINT_NOFAIL"),
        trusted_registries: list("HADOLINT_TRUSTED_REGISTRIES"),
        strict_labels: truthy("HADOLINT_STRICT_LABELS"),
        disable_ignore_pragma: truthy("HADOLINT_DISABLE_IGNORE_PRAGMA"),
        ..Options::default()
    };
    let mut severity = BTreeMap::new();
    for level in ["error", "warning", "info", "style"] {
        for code in
            list(&format!("HADOLINT_OVERRIDE_{}", level.to_ascii_uppercase())).unwrap_or_default()
        {
            severity.insert(code, level.to_string());
        }
    }
    if !severity.is_empty() {
        options.severity = Some(severity);
    }
    if let Some(items) = list("HADOLINT_REQUIRE_LABELS") {
        let mut labels = BTreeMap::new();
        for item in items {
            let (label, kind) = item
                .split_once(':')
                .ok_or_else(|| format!("HADOLINT_REQUIRE_LABELS: `{item}` is not LABEL:TYPE"))?;
            labels.insert(label.to_string(), kind.to_string());
        }
        options.label_schema = Some(labels);
    }
    Ok(options)
}

fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn string(key: &str, value: &Yaml) -> Result<String, String> {
    scalar(value).ok_or_else(|| format!("{key}: expected a string"))
}

/// A list of strings, or one string (hadolint accepts both for `trustedRegistries`).
fn strings(key: &str, value: &Yaml) -> Result<Vec<String>, String> {
    match value {
        Yaml::Array(items) => items
            .iter()
            .map(|i| scalar(i).ok_or_else(|| format!("{key}: expected a list of strings")))
            .collect(),
        Yaml::Null => Ok(Vec::new()),
        other => Ok(vec![string(key, other)?]),
    }
}

fn boolean(key: &str, value: &Yaml) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| format!("{key}: expected true or false"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hadolint_yaml() {
        let text = "\
failure-threshold: warning
ignored:
  - DL3008
  - SC2086
override:
  error: [DL3015]
  info:
    - DL3059
trustedRegistries: docker.io
label-schema:
  author: text
  version: semver
strict-labels: true
disable-ignore-pragma: false
no-fail: true
format: json
";
        let o = parse_hadolint(text).unwrap();
        assert_eq!(o.ignore.as_deref().unwrap(), ["DL3008", "SC2086"]);
        assert_eq!(o.failure_threshold.as_deref(), Some("warning"));
        let sev = o.severity.unwrap();
        assert_eq!(sev["DL3015"], "error");
        assert_eq!(sev["DL3059"], "info");
        assert_eq!(o.trusted_registries.unwrap(), ["docker.io"]);
        assert_eq!(o.label_schema.unwrap()["version"], "semver");
        assert_eq!(o.strict_labels, Some(true));
        assert_eq!(o.no_fail, Some(true));
        assert!(parse_hadolint("ignored: DL3008\nbogus: 1\n").is_err());
        assert!(parse_hadolint("override:\n  fatal: [DL1]\n").is_err());
        assert_eq!(parse_hadolint("").unwrap(), Options::default());
    }

    #[test]
    fn reads_hadolint_environment_variables() {
        let env = |name: &str| {
            match name {
                "HADOLINT_IGNORE" => Some("DL3008, DL3009"),
                "HADOLINT_NOFAIL" => Some("yes"),
                "HADOLINT_OVERRIDE_STYLE" => Some("DL3059"),
                "HADOLINT_REQUIRE_LABELS" => Some("maintainer:text,version:semver"),
                _ => None,
            }
            .map(str::to_string)
        };
        let o = hadolint_env(env).unwrap();
        assert_eq!(o.ignore.unwrap(), ["DL3008", "DL3009"]);
        assert_eq!(o.no_fail, Some(true));
        assert_eq!(o.severity.unwrap()["DL3059"], "style");
        assert_eq!(o.label_schema.unwrap()["version"], "semver");
        assert_eq!(o.failure_threshold, None);
        assert!(hadolint_env(|n| (n == "HADOLINT_REQUIRE_LABELS").then(|| "x".into())).is_err());
    }

    #[test]
    fn reads_dockwright_toml_and_rejects_typos() {
        let o = parse_dockwright(
            "select = [\"ALL\"]\nignore = [\"DL3008\"]\n[severity]\nDW1001 = \"info\"\n[build]\nargs = { A = \"1\" }\n",
        )
        .unwrap();
        assert_eq!(o.select.unwrap(), ["ALL"]);
        assert_eq!(o.build.unwrap().args.unwrap()["A"], "1");
        let err = parse_dockwright("selct = []\n").unwrap_err();
        assert!(err.contains("selct"), "{err}");
    }

    #[test]
    fn discovery_walks_up_and_merges_both_files_of_a_directory() {
        let root = tempfile::tempdir().unwrap();
        let deep = root.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        assert!(discover(&deep).unwrap().is_none() || root.path().ancestors().count() > 1);
        std::fs::write(
            root.path().join(".hadolint.yaml"),
            "ignored: [DL3008]\nfailure-threshold: error\n",
        )
        .unwrap();
        std::fs::write(
            root.path().join(".dockwright.toml"),
            "ignore = [\"DL3009\"]\n",
        )
        .unwrap();
        let loaded = discover(&deep).unwrap().unwrap();
        assert_eq!(loaded.files.len(), 2);
        assert_eq!(loaded.options.ignore.unwrap(), ["DL3008", "DL3009"]);
        assert_eq!(loaded.options.failure_threshold.as_deref(), Some("error"));
        std::fs::write(deep.join(".hadolint.yml"), "ignored: [DL3000]\n").unwrap();
        let nearer = discover(&deep).unwrap().unwrap();
        assert_eq!(nearer.options.ignore.unwrap(), ["DL3000"]);
        std::fs::write(deep.join(".hadolint.yml"), "ignored: {\n").unwrap();
        let err = discover(&deep).unwrap_err();
        assert!(err.to_string().contains(".hadolint.yml"));
    }
}
