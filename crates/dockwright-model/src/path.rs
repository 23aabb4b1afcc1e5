//! Container paths: cleaning and joining the way BuildKit resolves `WORKDIR` (Go's
//! `path.Clean` / `path.Join`, always `/`-separated).

/// Go's `path.Clean`: the shortest path naming the same file, lexically.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// `WORKDIR path` after `WORKDIR current`: an absolute path replaces it, a relative one is
/// joined to it.
pub fn resolve_workdir(current: &str, path: &str) -> String {
    if path.starts_with('/') {
        clean(path)
    } else {
        clean(&format!("{current}/{path}"))
    }
}

/// Whether a path is absolute in the image: starts with `/`, or with a Windows drive letter
/// (`C:\`, `c:/`) as hadolint also accepts.
pub fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

/// Whether `path` is `dir` or inside it (both cleaned, absolute).
pub fn is_within(path: &str, dir: &str) -> bool {
    let path = clean(path);
    let dir = clean(dir);
    dir == "/"
        || path == dir
        || (path.starts_with(&dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_like_go() {
        assert_eq!(clean("/a/b/../c/./d/"), "/a/c/d");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(clean("a/../../b"), "../b");
        assert_eq!(clean(""), ".");
        assert_eq!(clean("//"), "/");
    }

    #[test]
    fn resolves_relative_workdirs() {
        assert_eq!(resolve_workdir("/app", "src"), "/app/src");
        assert_eq!(resolve_workdir("/app", "/srv/"), "/srv");
        assert_eq!(resolve_workdir("/", "../x"), "/x");
    }

    #[test]
    fn containment() {
        assert!(is_within("/var/lib/apt/lists/partial", "/var/lib/apt"));
        assert!(is_within("/var/lib/apt", "/var/lib/apt/"));
        assert!(!is_within("/var/lib/aptitude", "/var/lib/apt"));
        assert!(is_within("/anything", "/"));
        assert!(is_absolute("C:\\app") && is_absolute("/x") && !is_absolute("app"));
    }
}
