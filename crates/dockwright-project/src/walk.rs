//! The gitignore-aware parallel walk, and which files are build definitions by their name
//! (and, for YAML files with other names, by a look at their content).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

/// Directories never searched: version control, dependency trees and vendored code.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "vendor",
    "third_party",
    "third-party",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".terraform",
];

/// What a candidate file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    /// A Dockerfile or Containerfile by its name.
    Dockerfile,
    /// A compose file by its name or content.
    Compose,
    /// A docker-bake file.
    Bake,
    /// A GitHub Actions workflow.
    Workflow,
    /// A GitLab CI file.
    GitlabCi,
    /// A YAML manifest holding cluster build resources (BuildConfig, Shipwright, Tekton).
    Manifest,
}

/// A file to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Candidate {
    /// Relative to the root.
    pub path: PathBuf,
    pub kind: Kind,
}

/// Extensions that mark a `Dockerfile.*` as something else: documentation, scripts, data,
/// templates, editor and merge leftovers, and the per-Dockerfile ignore file.
const NOT_DOCKERFILE_EXTENSIONS: &[&str] = &[
    "dockerignore",
    "md",
    "markdown",
    "rst",
    "txt",
    "adoc",
    "html",
    "orig",
    "rej",
    "bak",
    "swp",
    "swo",
    "tmp",
    "patch",
    "diff",
    "sh",
    "bash",
    "ps1",
    "py",
    "js",
    "ts",
    "go",
    "rs",
    "json",
    "yml",
    "yaml",
    "toml",
    "lock",
    "sum",
    "j2",
    "jinja",
    "jinja2",
    "tmpl",
    "tpl",
    "template",
    "in",
    "erb",
    "mustache",
    "hbs",
    "gotmpl",
    "m4",
];

/// Whether a file name is a Dockerfile's: `Dockerfile`, `Containerfile`, `Dockerfile.x`,
/// `Dockerfile-x`, `x.Dockerfile`, `x.dockerfile`, `x.Containerfile` (any case), unless the
/// extension says it is something else.
pub(crate) fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile" || lower == "containerfile" {
        return true;
    }
    let extension = lower.rsplit_once('.').map(|(_, e)| e);
    if extension.is_some_and(|e| NOT_DOCKERFILE_EXTENSIONS.contains(&e)) {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower.ends_with(&format!(".{base}"))
            || [".", "-", "_"]
                .iter()
                .any(|sep| lower.starts_with(&format!("{base}{sep}")))
    })
}

fn is_yaml(lower: &str) -> bool {
    lower.ends_with(".yml") || lower.ends_with(".yaml")
}

/// Whether a file name is a compose file's: `compose.yaml`, `docker-compose.yml`,
/// `compose.override.yaml`, `docker-compose.prod.yml`, `docker-compose-dev.yml`, ….
pub(crate) fn is_compose_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if !is_yaml(&lower) {
        return false;
    }
    ["docker-compose", "compose"].iter().any(|base| {
        lower.strip_prefix(base).is_some_and(|rest| {
            rest.starts_with('.') || rest.starts_with('-') || rest.starts_with('_')
        })
    })
}

/// Whether a file name is a docker-bake file's.
pub(crate) fn is_bake_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("docker-bake") && (lower.ends_with(".hcl") || lower.ends_with(".json"))
}

/// The kind of a file, from its root-relative path alone; `None` also for YAML files that need
/// a look at their content ([`sniff_yaml`]).
pub(crate) fn classify(path: &Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());
    let grandparent = path
        .parent()
        .and_then(Path::parent)
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());
    if is_yaml(&lower) && parent == Some("workflows") && grandparent == Some(".github") {
        return Some(Kind::Workflow);
    }
    if lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml" {
        return Some(Kind::GitlabCi);
    }
    if is_dockerfile_name(name) {
        return Some(Kind::Dockerfile);
    }
    if is_compose_name(name) {
        return Some(Kind::Compose);
    }
    if is_bake_name(name) {
        return Some(Kind::Bake);
    }
    None
}

/// Whether a file in a `dockerfiles/` (or `containerfiles/`, `docker/`) directory, whatever
/// its name, is a Dockerfile: no extension that says otherwise, and content that starts like
/// one (its first instruction is `FROM`, `ARG` or a parser directive).
fn is_conventional_dockerfile(path: &Path, root: &Path) -> bool {
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(
        parent.as_deref(),
        Some("dockerfiles" | "containerfiles" | "docker")
    ) {
        return false;
    }
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    if lower.starts_with('.') {
        return false;
    }
    if let Some((_, ext)) = lower.rsplit_once('.')
        && (NOT_DOCKERFILE_EXTENSIONS.contains(&ext) || ext == "hcl" || ext == "conf")
    {
        return false;
    }
    let Ok(text) = read_prefix(&root.join(path), 4096) else {
        return false;
    };
    starts_like_dockerfile(&text)
}

fn read_prefix(path: &Path, limit: usize) -> std::io::Result<String> {
    use std::io::Read;
    let mut buf = Vec::with_capacity(limit);
    std::fs::File::open(path)?
        .take(limit as u64)
        .read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Whether the first line that is not blank or a comment starts with `FROM` or `ARG`.
pub(crate) fn starts_like_dockerfile(text: &str) -> bool {
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let word = line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        return word == "FROM" || word == "ARG";
    }
    false
}

/// What a YAML file of another name holds, by a look at its content: cluster build
/// resources or a Skaffold configuration, or a compose file (a top-level `services:` key).
pub(crate) fn sniff_yaml(text: &str) -> Option<Kind> {
    let cluster = text.contains("BuildConfig")
        || text.contains("apiVersion: skaffold/")
        || text.contains("shipwright.io/")
        || (text.contains("tekton.dev/")
            && ["buildah", "kaniko", "docker-build", "buildkit"]
                .iter()
                .any(|t| text.contains(t)));
    if cluster {
        return Some(Kind::Manifest);
    }
    let services = text
        .lines()
        .any(|l| l.starts_with("services:") && l[9..].trim().is_empty());
    if services && (text.contains("build:") || text.contains("image:")) {
        return Some(Kind::Compose);
    }
    None
}

/// Walks `root` in parallel (respecting `.gitignore`, `.ignore` and [`SKIPPED_DIRS`]) and
/// returns every candidate, sorted by path.
pub(crate) fn walk(root: &Path, threads: usize) -> Vec<Candidate> {
    let found = Mutex::new(Vec::new());
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .threads(threads)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && entry.depth() > 0
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n)))
        });
    builder.build_parallel().run(|| {
        let found = &found;
        Box::new(move |entry| {
            let Ok(entry) = entry else {
                return WalkState::Continue;
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let Ok(relative) = entry.path().strip_prefix(root) else {
                return WalkState::Continue;
            };
            if let Some(candidate) = candidate(root, relative)
                && let Ok(mut list) = found.lock()
            {
                list.push(candidate);
            }
            WalkState::Continue
        })
    });
    let mut list = found.into_inner().unwrap_or_default();
    list.sort();
    list
}

/// The candidate a root-relative file is, if any (reads YAML files of other names).
pub(crate) fn candidate(root: &Path, relative: &Path) -> Option<Candidate> {
    let kind = match classify(relative) {
        Some(kind) => kind,
        None => {
            let name = relative.file_name()?.to_str()?.to_ascii_lowercase();
            if is_yaml(&name) {
                let text =
                    read_prefix(&root.join(relative), crate::scan::MAX_FILE_SIZE as usize).ok()?;
                sniff_yaml(&text)?
            } else if is_conventional_dockerfile(relative, root) {
                Kind::Dockerfile
            } else {
                return None;
            }
        }
    };
    Some(Candidate {
        path: relative.to_path_buf(),
        kind,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "Dockerfile.dev",
            "Dockerfile-alpine",
            "Dockerfile_ci",
            "api.Dockerfile",
            "web.dockerfile",
            "x.Containerfile",
            "Containerfile.fedora",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "app.Dockerfile.dockerignore",
            "Dockerfile.md",
            "Dockerfile.j2",
            "Dockerfile.template",
            "dockerfiles",
            "mydockerfile",
            "Dockerfile.yml",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }

    #[test]
    fn compose_and_bake_names() {
        for yes in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.override.yml",
            "docker-compose.prod.yaml",
            "docker-compose-dev.yml",
            "compose.override.yaml",
        ] {
            assert!(is_compose_name(yes), "{yes}");
        }
        assert!(!is_compose_name("composer.yml"));
        assert!(!is_compose_name("docker-compose.md"));
        assert!(is_bake_name("docker-bake.hcl"));
        assert!(is_bake_name("docker-bake.override.hcl"));
        assert!(is_bake_name("docker-bake.json"));
        assert!(!is_bake_name("bake.hcl"));
    }

    #[test]
    fn classifies_paths() {
        assert_eq!(
            classify(Path::new(".github/workflows/ci.yml")),
            Some(Kind::Workflow)
        );
        assert_eq!(classify(Path::new("ci/workflows/ci.yml")), None);
        assert_eq!(classify(Path::new("a/Dockerfile")), Some(Kind::Dockerfile));
        assert_eq!(classify(Path::new("deploy/bc.yaml")), None);
    }

    #[test]
    fn sniffs_yaml() {
        assert_eq!(
            sniff_yaml("apiVersion: build.openshift.io/v1\nkind: BuildConfig\n"),
            Some(Kind::Manifest)
        );
        assert_eq!(
            sniff_yaml("version: '3'\nservices:\n  a:\n    build: .\n"),
            Some(Kind::Compose)
        );
        assert_eq!(sniff_yaml("kind: Deployment\nspec: {}\n"), None);
        assert_eq!(sniff_yaml("x:\n  services:\n    build: .\n"), None);
    }

    #[test]
    fn walks_respecting_ignores() {
        let tmp = tempfile::tempdir().unwrap();
        let files = [
            "Dockerfile",
            "app/Dockerfile.dev",
            "node_modules/x/Dockerfile",
            "vendor/y/Dockerfile",
            "ignored/Dockerfile",
            "dockerfiles/base",
            "dockerfiles/README",
            ".github/workflows/ci.yml",
            "deploy/bc.yaml",
            "deploy/other.yaml",
        ];
        for f in files {
            let p = tmp.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            let text = match f {
                "dockerfiles/base" => "# base image\nFROM alpine\n",
                "dockerfiles/README" => "Images live here\n",
                "deploy/bc.yaml" => "kind: BuildConfig\n",
                _ => "x: 1\n",
            };
            std::fs::write(p, text).unwrap();
        }
        std::fs::write(tmp.path().join(".gitignore"), "ignored/\n").unwrap();
        let found: Vec<(String, Kind)> = walk(tmp.path(), 2)
            .into_iter()
            .map(|c| (c.path.to_string_lossy().into_owned(), c.kind))
            .collect();
        assert_eq!(
            found,
            [
                (".github/workflows/ci.yml".to_string(), Kind::Workflow),
                ("Dockerfile".to_string(), Kind::Dockerfile),
                ("app/Dockerfile.dev".to_string(), Kind::Dockerfile),
                ("deploy/bc.yaml".to_string(), Kind::Manifest),
                ("dockerfiles/base".to_string(), Kind::Dockerfile),
            ]
        );
    }
}
