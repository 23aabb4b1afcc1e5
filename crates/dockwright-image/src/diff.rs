//! Comparing two images: sizes per layer and per directory, files added, removed and changed,
//! and packages changed (dpkg, apk, Python dist-info, node_modules).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::layer::EntryKind;
use crate::load::LoadedImage;
use crate::merge::Merged;
use crate::paths::{PathId, ROOT};
use crate::report::{ImageReport, SizedPath};

/// The files whose contents the package comparison needs.
pub fn package_files(comps: &[&[u8]]) -> bool {
    match comps {
        [b"var", b"lib", b"dpkg", b"status"] | [b"lib", b"apk", b"db", b"installed"] => true,
        [.., b"node_modules", name, b"package.json"] => !name.starts_with(b"."),
        [.., b"node_modules", scope, _, b"package.json"] => scope.starts_with(b"@"),
        _ => false,
    }
}

/// Headline figures of one side.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The reference.
    pub image: String,
    /// Σ layer sizes.
    pub total_size: u64,
    /// Σ stored sizes.
    pub compressed_size: u64,
    /// Layers.
    pub layers: usize,
    /// Files in the final tree.
    pub files: u64,
    /// dive's wasted bytes.
    pub wasted_bytes: u64,
    /// dive's efficiency.
    pub efficiency: f64,
    /// Hidden bytes.
    pub reclaimable_bytes: u64,
    /// Visible waste (caches, docs, .git).
    pub removable_bytes: u64,
}

impl Side {
    fn of(r: &ImageReport) -> Side {
        Side {
            image: r.image.clone(),
            total_size: r.total_size,
            compressed_size: r.compressed_size,
            layers: r.layers.len(),
            files: r.files,
            wasted_bytes: r.wasted_bytes,
            efficiency: r.efficiency,
            reclaimable_bytes: r.reclaimable_bytes,
            removable_bytes: r.removable_bytes,
        }
    }
}

/// One layer position in both images.
#[derive(Debug, Clone, Serialize)]
pub struct LayerPair {
    /// Position.
    pub index: usize,
    /// Size before (`None`: no such layer).
    pub before: Option<u64>,
    /// Size after.
    pub after: Option<u64>,
    /// Whether both are the same blob.
    pub shared: bool,
    /// Build step before.
    pub before_created_by: Option<String>,
    /// Build step after.
    pub after_created_by: Option<String>,
}

/// A directory's size in both images.
#[derive(Debug, Clone, Serialize)]
pub struct DirectoryChange {
    /// The directory.
    pub path: String,
    /// Bytes before.
    pub before: u64,
    /// Bytes after.
    pub after: u64,
    /// after − before.
    pub delta: i64,
}

/// A file present in both with other content or metadata.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedFile {
    /// The path.
    pub path: String,
    /// Bytes before.
    pub before: u64,
    /// Bytes after.
    pub after: u64,
}

/// A package whose presence or version differs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PackageChange {
    /// `deb`, `apk`, `python`, `npm`.
    pub ecosystem: String,
    /// Package name.
    pub name: String,
    /// Version before (`None`: added).
    pub before: Option<String>,
    /// Version after (`None`: removed).
    pub after: Option<String>,
}

/// The comparison.
#[derive(Debug, Clone, Serialize)]
pub struct ImageDiff {
    /// The first image.
    pub before: Side,
    /// The second image.
    pub after: Side,
    /// Layers by position.
    pub layers: Vec<LayerPair>,
    /// Directories (two levels deep) whose size changed, largest change first.
    pub directories: Vec<DirectoryChange>,
    /// Paths only in the second image.
    pub files_added: u64,
    /// Paths only in the first image.
    pub files_removed: u64,
    /// Paths in both whose content or metadata differ.
    pub files_changed: u64,
    /// Bytes of added files.
    pub bytes_added: u64,
    /// Bytes of removed files.
    pub bytes_removed: u64,
    /// The largest added files.
    pub added: Vec<SizedPath>,
    /// The largest removed files.
    pub removed: Vec<SizedPath>,
    /// The largest changed files.
    pub changed: Vec<ChangedFile>,
    /// Package changes, by ecosystem and name.
    pub packages: Vec<PackageChange>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct FileKey {
    kind: EntryKind,
    size: u64,
    mode: u32,
    uid: u32,
    gid: u32,
    content: u64,
}

struct Snapshot {
    files: HashMap<String, FileKey>,
    dirs: BTreeMap<String, u64>,
    packages: BTreeMap<(String, String), String>,
}

fn snapshot(loaded: &LoadedImage, merged: &Merged) -> Snapshot {
    let table = &loaded.table;
    let mut files = HashMap::new();
    let mut dirs: BTreeMap<String, u64> = BTreeMap::new();
    let mut packages = BTreeMap::new();
    let info_of = |id: usize| {
        let p = merged.tree.get(id).copied().flatten()?;
        let layer = loaded.layers.get(p.layer as usize)?;
        let node = layer.nodes.get(p.node as usize)?;
        Some((p, layer, node))
    };
    for id in 1..merged.tree.len() {
        let Some((p, layer, node)) = info_of(id) else {
            continue;
        };
        let info = node.info;
        let pid = id as PathId;
        if info.kind.is_dir() {
            // Python packages are directories named NAME-VERSION.dist-info / .egg-info.
            let name = String::from_utf8_lossy(table.name(pid)).into_owned();
            let parent = String::from_utf8_lossy(table.name(table.parent(pid))).into_owned();
            if parent == "site-packages" || parent == "dist-packages" {
                let stem = name
                    .strip_suffix(".dist-info")
                    .or_else(|| name.strip_suffix(".egg-info"));
                if let Some((pkg, version)) = stem.and_then(|s| s.split_once('-')) {
                    packages.insert(
                        (
                            "python".to_string(),
                            pkg.to_ascii_lowercase().replace('_', "-"),
                        ),
                        version.to_string(),
                    );
                }
            }
            continue;
        }
        let path = table.display(pid);
        let size = if info.kind == EntryKind::File {
            info.size
        } else {
            0
        };
        files.insert(
            path.clone(),
            FileKey {
                kind: info.kind,
                size,
                mode: info.mode,
                uid: info.uid,
                gid: info.gid,
                content: info.content,
            },
        );
        let anc = table.ancestors(pid);
        for a in anc.iter().take(2) {
            *dirs.entry(table.display(*a)).or_default() += size;
        }
        if anc.is_empty() {
            *dirs.entry("/".to_string()).or_default() += size;
        }
        if let Some((_, data)) = layer.captured.iter().find(|(n, _)| *n == p.node) {
            read_packages(&path, data, &mut packages);
        }
    }
    let _ = ROOT;
    Snapshot {
        files,
        dirs,
        packages,
    }
}

fn read_packages(path: &str, data: &[u8], out: &mut BTreeMap<(String, String), String>) {
    let text = String::from_utf8_lossy(data);
    if path == "/var/lib/dpkg/status" {
        for para in text.split("\n\n") {
            let mut name = None;
            let mut version = None;
            let mut installed = false;
            for line in para.lines() {
                if let Some(v) = line.strip_prefix("Package: ") {
                    name = Some(v.trim().to_string());
                } else if let Some(v) = line.strip_prefix("Version: ") {
                    version = Some(v.trim().to_string());
                } else if let Some(v) = line.strip_prefix("Status: ") {
                    installed = v.trim().ends_with(" installed");
                }
            }
            if let (Some(n), Some(v), true) = (name, version, installed) {
                out.insert(("deb".to_string(), n), v);
            }
        }
    } else if path == "/lib/apk/db/installed" {
        for para in text.split("\n\n") {
            let mut name = None;
            let mut version = None;
            for line in para.lines() {
                if let Some(v) = line.strip_prefix("P:") {
                    name = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("V:") {
                    version = Some(v.to_string());
                }
            }
            if let (Some(n), Some(v)) = (name, version) {
                out.insert(("apk".to_string(), n), v);
            }
        }
    } else if path.ends_with("/package.json")
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(data)
        && let (Some(n), Some(ver)) = (
            v.get("name").and_then(|x| x.as_str()),
            v.get("version").and_then(|x| x.as_str()),
        )
    {
        out.insert(("npm".to_string(), n.to_string()), ver.to_string());
    }
}

/// How many paths each list shows.
pub const LISTED: usize = 25;

/// Compares two analyzed images.
pub fn compare(
    before: (&LoadedImage, &ImageReport, &Merged),
    after: (&LoadedImage, &ImageReport, &Merged),
) -> ImageDiff {
    let a = snapshot(before.0, before.2);
    let b = snapshot(after.0, after.2);
    let (ra, rb) = (before.1, after.1);
    let n = ra.layers.len().max(rb.layers.len());
    let layers = (0..n)
        .map(|i| {
            let la = ra.layers.get(i);
            let lb = rb.layers.get(i);
            LayerPair {
                index: i,
                before: la.map(|l| l.size),
                after: lb.map(|l| l.size),
                shared: matches!((la, lb), (Some(x), Some(y)) if x.digest == y.digest),
                before_created_by: la.map(|l| l.created_by.clone()),
                after_created_by: lb.map(|l| l.created_by.clone()),
            }
        })
        .collect();
    let mut directories: Vec<DirectoryChange> = a
        .dirs
        .keys()
        .chain(b.dirs.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter_map(|d| {
            let x = a.dirs.get(d).copied().unwrap_or(0);
            let y = b.dirs.get(d).copied().unwrap_or(0);
            (x != y).then(|| DirectoryChange {
                path: d.clone(),
                before: x,
                after: y,
                delta: i64::try_from(y).unwrap_or(i64::MAX) - i64::try_from(x).unwrap_or(i64::MAX),
            })
        })
        .collect();
    directories.sort_by(|p, q| {
        q.delta
            .unsigned_abs()
            .cmp(&p.delta.unsigned_abs())
            .then(p.path.cmp(&q.path))
    });
    directories.truncate(40);

    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut changed = Vec::new();
    for (path, kb) in &b.files {
        match a.files.get(path) {
            None => added.push((kb.size, path.clone())),
            Some(ka) => {
                let differs = ka.kind != kb.kind
                    || ka.size != kb.size
                    || ka.mode != kb.mode
                    || ka.uid != kb.uid
                    || ka.gid != kb.gid
                    || (ka.content != 0 && kb.content != 0 && ka.content != kb.content);
                if differs {
                    changed.push((ka.size, kb.size, path.clone()));
                }
            }
        }
    }
    for (path, ka) in &a.files {
        if !b.files.contains_key(path) {
            removed.push((ka.size, path.clone()));
        }
    }
    let bytes_added = added.iter().map(|x| x.0).sum();
    let bytes_removed = removed.iter().map(|x| x.0).sum();
    let (files_added, files_removed, files_changed) = (
        added.len() as u64,
        removed.len() as u64,
        changed.len() as u64,
    );
    let top = |mut v: Vec<(u64, String)>| -> Vec<SizedPath> {
        v.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
        v.into_iter()
            .take(LISTED)
            .map(|(bytes, path)| SizedPath {
                path,
                bytes,
                layer: None,
            })
            .collect()
    };
    changed.sort_by(|x, y| y.0.max(y.1).cmp(&x.0.max(x.1)).then_with(|| x.2.cmp(&y.2)));
    let changed = changed
        .into_iter()
        .take(LISTED)
        .map(|(before, after, path)| ChangedFile {
            path,
            before,
            after,
        })
        .collect();

    let mut packages = Vec::new();
    for (key, va) in &a.packages {
        match b.packages.get(key) {
            Some(vb) if vb == va => {}
            other => packages.push(PackageChange {
                ecosystem: key.0.clone(),
                name: key.1.clone(),
                before: Some(va.clone()),
                after: other.cloned(),
            }),
        }
    }
    for (key, vb) in &b.packages {
        if !a.packages.contains_key(key) {
            packages.push(PackageChange {
                ecosystem: key.0.clone(),
                name: key.1.clone(),
                before: None,
                after: Some(vb.clone()),
            });
        }
    }
    packages.sort();

    ImageDiff {
        before: Side::of(ra),
        after: Side::of(rb),
        layers,
        directories,
        files_added,
        files_removed,
        files_changed,
        bytes_added,
        bytes_removed,
        added: top(added),
        removed: top(removed),
        changed,
        packages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_databases() {
        let mut out = BTreeMap::new();
        read_packages(
            "/var/lib/dpkg/status",
            b"Package: curl\nStatus: install ok installed\nVersion: 7.88.1-10\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n",
            &mut out,
        );
        read_packages(
            "/lib/apk/db/installed",
            b"C:Q1\nP:musl\nV:1.2.4-r2\n\nP:busybox\nV:1.36.1-r5\n",
            &mut out,
        );
        read_packages(
            "/app/node_modules/left-pad/package.json",
            br#"{"name":"left-pad","version":"1.3.0"}"#,
            &mut out,
        );
        assert_eq!(
            out.get(&("deb".into(), "curl".into())).map(String::as_str),
            Some("7.88.1-10")
        );
        assert!(!out.contains_key(&("deb".into(), "gone".into())));
        assert_eq!(
            out.get(&("apk".into(), "busybox".into()))
                .map(String::as_str),
            Some("1.36.1-r5")
        );
        assert_eq!(
            out.get(&("npm".into(), "left-pad".into()))
                .map(String::as_str),
            Some("1.3.0")
        );
        let c = |s: &str| {
            s.split('/')
                .filter(|x| !x.is_empty())
                .map(|x| x.as_bytes().to_vec())
                .collect::<Vec<_>>()
        };
        let f = |s: &str| {
            let v = c(s);
            let r: Vec<&[u8]> = v.iter().map(|x| x.as_slice()).collect();
            package_files(&r)
        };
        assert!(f("/var/lib/dpkg/status"));
        assert!(f("/app/node_modules/@types/node/package.json"));
        assert!(f("/app/node_modules/left-pad/package.json"));
        assert!(!f("/app/node_modules/left-pad/lib/package.json"));
        assert!(!f("/app/package.json"));
    }
}
