use crate::prelude::*;

use dockwright_model::dockwright_shell::DownloadOutput;

crate::declare_rule! {
    /// Flags an archive or package file that a `RUN` downloads and unpacks (or installs)
    /// but does not delete.
    ///
    /// ## Why
    /// `curl -o /tmp/node.tar.xz ... && tar -xJf /tmp/node.tar.xz -C /usr/local` keeps both
    /// the archive and its contents: the archive is pure waste, often tens of megabytes,
    /// and once the `RUN` ends it is in the layer for good (deleting it in a later `RUN`
    /// does not help). Delete it in the same `RUN`, or stream it (`curl ... | tar -xJ`), or
    /// download it under a tmpfs mount.
    ///
    /// The archive is followed by path through the `RUN`'s commands (`curl -o`, `curl -O`
    /// and wget's URL-named files, `-O`/`-P`; `tar -f`, `unzip`, `dpkg -i`, `rpm -i`, `apt-get
    /// install ./x.deb`, `pip install x.whl`); an `rm` of the file, of a directory holding it
    /// or of a glob matching it counts as deletion. Stages whose layers are not in the
    /// image, and downloads under a cache or tmpfs mount, are not flagged. hadolint and
    /// dockle do not follow files through a script; dive shows the wasted bytes only after
    /// a build.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSLo /tmp/go.tgz https://go.dev/dl/go1.22.5.linux-amd64.tar.gz \
    ///     && tar -C /usr/local -xzf /tmp/go.tgz
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN curl -fsSLo /tmp/go.tgz https://go.dev/dl/go1.22.5.linux-amd64.tar.gz \
    ///     && tar -C /usr/local -xzf /tmp/go.tgz && rm /tmp/go.tgz
    /// ```
    pub struct DownloadedArchiveKept {
        code: "DW2403",
        name: "downloaded-archive-kept",
        category: Size,
        severity: Warning,
    }
}

impl Check for DownloadedArchiveKept {
    fn check(cx: &mut Checker<'_>) {
        let mut found = Vec::new();
        for (inst, run) in cx.runs() {
            if !inst.stage().is_some_and(|s| cx.in_final_image(s)) {
                continue;
            }
            let workdir = inst
                .facts
                .workdir
                .clone()
                .unwrap_or_else(|| "/".to_string());
            let commands: Vec<ScriptCommand<'_>> = cx
                .commands()
                .filter(|c| c.inst.index == inst.index)
                .collect();
            // Tracks `cd` so relative names resolve as the shell does.
            let mut cwd = Some(workdir.clone());
            let mut downloads: Vec<(String, Span, bool)> = Vec::new();
            for command in &commands {
                match &command.command.action {
                    Action::ChangeDirectory(cd) => {
                        // `cd $DIR` (or `cd` home): relative names are no longer known.
                        cwd = match (&cwd, cd.target.as_ref()) {
                            (Some(cwd), Some(dir)) if !dir.text.contains(['$', '`', '~']) => {
                                Some(dockwright_model::path::resolve_workdir(cwd, &dir.text))
                            }
                            _ => None,
                        };
                    }
                    Action::Download(download) => {
                        let name = match &download.output {
                            DownloadOutput::File(file) => Some(file.text.clone()),
                            DownloadOutput::RemoteName => {
                                download.urls.first().and_then(|u| url_file_name(&u.text))
                            }
                            DownloadOutput::Directory(dir) => download
                                .urls
                                .first()
                                .and_then(|u| url_file_name(&u.text))
                                .map(|n| format!("{}/{n}", dir.text)),
                            DownloadOutput::Stdout => None,
                        };
                        if let Some(path) = name
                            .filter(|n| is_archive(n) && !n.contains('$') && n != "-")
                            .and_then(|n| resolve(cwd.as_deref(), &n))
                            .filter(|path| !run.mount_covers(path))
                        {
                            downloads.push((path, command.span(), false));
                        }
                    }
                    Action::Extract(extract) => {
                        if let Some(archive) = &extract.archive {
                            mark_used(&mut downloads, cwd.as_deref(), &archive.text);
                        }
                    }
                    Action::Package(package) => {
                        for arg in package
                            .packages
                            .iter()
                            .filter(|a| a.kind == PackageArgKind::File)
                        {
                            mark_used(&mut downloads, cwd.as_deref(), &arg.text);
                        }
                    }
                    Action::Remove(remove) => {
                        for removed in &remove.paths {
                            match resolve(cwd.as_deref(), &removed.text) {
                                Some(pattern) => {
                                    downloads.retain(|(path, _, _)| !removes(&pattern, path))
                                }
                                // A removal we cannot place may delete any of them.
                                None => downloads.clear(),
                            }
                        }
                    }
                    _ => {}
                }
            }
            for (path, span, used) in downloads {
                if used {
                    found.push((span, format!("the archive `{path}` is unpacked or installed but not deleted: it stays in the layer next to its contents; `rm` it in the same RUN or stream the download into `tar`")));
                }
            }
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}

/// `name` as an absolute path, when the directory it is relative to is known.
pub(crate) fn resolve(cwd: Option<&str>, name: &str) -> Option<String> {
    if name.starts_with('/') {
        return Some(dockwright_model::path::clean(name));
    }
    cwd.map(|cwd| dockwright_model::path::resolve_workdir(cwd, name))
}

fn mark_used(downloads: &mut [(String, Span, bool)], cwd: Option<&str>, name: &str) {
    let Some(path) = resolve(cwd, name) else {
        return;
    };
    for download in downloads.iter_mut() {
        if download.0 == path {
            download.2 = true;
        }
    }
}

/// The file name curl `-O` and wget give a URL's download.
pub(crate) fn url_file_name(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let name = path.rsplit('/').next()?;
    (!name.is_empty() && !path.ends_with("//")).then(|| name.to_string())
}

fn is_archive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar.zst", ".zip",
        ".deb", ".rpm", ".apk", ".whl", ".gz", ".xz", ".bz2", ".zst", ".7z",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// Whether `rm PATTERN` removes `path`: the same path, a directory holding it, or a glob
/// matching it or a directory holding it.
fn removes(pattern: &str, path: &str) -> bool {
    if dockwright_model::path::is_within(path, pattern) {
        return true;
    }
    if !pattern.contains(['*', '?']) {
        return false;
    }
    let pattern: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    pattern.len() <= path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| glob_segment(p.as_bytes(), s.as_bytes()))
}

fn glob_segment(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob_segment(rest, &text[i..])),
        Some((b'?', rest)) => !text.is_empty() && glob_segment(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && glob_segment(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal() {
        assert!(removes("/tmp/go.tgz", "/tmp/go.tgz"));
        assert!(removes("/tmp", "/tmp/go.tgz"));
        assert!(removes("/tmp/*", "/tmp/go.tgz"));
        assert!(removes("/tmp/*.tgz", "/tmp/go.tgz"));
        assert!(!removes("/tmp/*.zip", "/tmp/go.tgz"));
        assert!(!removes("/opt", "/tmp/go.tgz"));
        assert_eq!(
            url_file_name("https://x/y/go.tgz?x=1").as_deref(),
            Some("go.tgz")
        );
    }
}
