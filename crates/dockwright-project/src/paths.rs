//! Paths of the discovered tree: everything is kept relative to the discovery root and
//! cleaned lexically, the way the build tools resolve `context` and `dockerfile`.

use std::path::{Component, Path, PathBuf};

/// The tree being searched.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    /// The root as given (paths on disk are `root.join(relative)`).
    pub root: PathBuf,
    /// The root made absolute, to relativise absolute paths that point inside it.
    pub absolute_root: PathBuf,
}

impl Tree {
    pub fn new(root: &Path) -> Self {
        let absolute_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Tree {
            root: root.to_path_buf(),
            absolute_root,
        }
    }

    /// Resolves `path` as written in a file against `base` (a directory relative to the root).
    pub fn resolve(&self, base: &Path, path: &str) -> PathBuf {
        let written = Path::new(path);
        if written.is_absolute() {
            return match written.strip_prefix(&self.absolute_root) {
                Ok(inside) => clean(inside),
                Err(_) => clean(written),
            };
        }
        clean(&base.join(written))
    }

    /// The file on disk for a root-relative path.
    pub fn on_disk(&self, relative: &Path) -> PathBuf {
        if relative.is_absolute() {
            relative.to_path_buf()
        } else {
            self.root.join(relative)
        }
    }

    pub fn is_file(&self, relative: &Path) -> bool {
        self.on_disk(relative).is_file()
    }

    pub fn is_dir(&self, relative: &Path) -> bool {
        self.on_disk(relative).is_dir()
    }
}

/// Removes `.` components and folds `dir/..`; an empty result is `.`.
pub(crate) fn clean(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// The directory holding a root-relative file (`.` for files at the root).
pub(crate) fn parent_dir(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether a context or Dockerfile reference is a remote URL (Git repository or tarball)
/// rather than a local path, as BuildKit and compose decide it.
pub(crate) fn is_remote(reference: &str) -> bool {
    const PREFIXES: [&str; 6] = [
        "http://",
        "https://",
        "git://",
        "git@",
        "ssh://",
        "github.com/",
    ];
    PREFIXES.iter().any(|p| reference.starts_with(p))
}

/// Splits a Git URL's `#ref:subdir` fragment off: (url, subdir).
pub(crate) fn git_subdir(url: &str) -> (String, Option<String>) {
    match url.split_once('#') {
        Some((_, fragment)) => {
            let subdir = fragment
                .split_once(':')
                .map(|(_, dir)| dir.to_string())
                .filter(|d| !d.is_empty());
            (url.to_string(), subdir)
        }
        None => (url.to_string(), None),
    }
}

/// `path` as a `/`-separated string (for ids and display).
pub(crate) fn slash(path: &Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_lexically() {
        assert_eq!(clean(Path::new("./a/../b/./c")), PathBuf::from("b/c"));
        assert_eq!(clean(Path::new("a/..")), PathBuf::from("."));
        assert_eq!(clean(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(clean(Path::new("/../x")), PathBuf::from("/x"));
    }

    #[test]
    fn resolves_against_base() {
        let tree = Tree {
            root: PathBuf::from("r"),
            absolute_root: PathBuf::from("/abs/r"),
        };
        assert_eq!(
            tree.resolve(Path::new("api"), "./Dockerfile"),
            PathBuf::from("api/Dockerfile")
        );
        assert_eq!(
            tree.resolve(Path::new("."), "/abs/r/x/Dockerfile"),
            PathBuf::from("x/Dockerfile")
        );
        assert_eq!(
            tree.resolve(Path::new("."), "/etc/Dockerfile"),
            PathBuf::from("/etc/Dockerfile")
        );
    }

    #[test]
    fn remote_references() {
        assert!(is_remote("https://github.com/a/b.git#main:dir"));
        assert!(is_remote("git@github.com:a/b.git"));
        assert!(!is_remote("./app"));
        assert_eq!(
            git_subdir("https://x/y.git#main:sub"),
            (
                "https://x/y.git#main:sub".to_string(),
                Some("sub".to_string())
            )
        );
    }
}
