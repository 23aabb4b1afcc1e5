//! The analysis of one image: the struct `dockwright image --format json` prints.

use serde::Serialize;

use crate::blob::Compression;
use crate::dive::{self, InefficientFile};
use crate::findings::{self, FinalTree, Finding};
use crate::layer::{EntryKind, LayerTree};
use crate::load::LoadedImage;
use crate::merge::{self, WasteReason};
use crate::paths::PathId;
use crate::source::SourceKind;

/// Version of the JSON shape.
pub const REPORT_VERSION: u32 = 1;

/// Everything known about an image.
#[derive(Debug, Clone, Serialize)]
pub struct ImageReport {
    /// Version of this JSON shape.
    pub version: u32,
    /// The reference as given.
    pub image: String,
    /// Where it was read from.
    pub source: SourceKind,
    /// Manifest digest, if any.
    pub manifest_digest: Option<String>,
    /// Config digest, if known.
    pub config_digest: Option<String>,
    /// `os/arch`.
    pub platform: String,
    /// Σ of the layers' sizes (file bytes as the tar headers give them; dive's image size).
    pub total_size: u64,
    /// Σ of the layers' stored (compressed) sizes.
    pub compressed_size: u64,
    /// Bytes of files visible in the final image.
    pub final_size: u64,
    /// Non-directory entries in the final tree.
    pub files: u64,
    /// Directories in the final tree.
    pub directories: u64,
    /// Layers, bottom first.
    pub layers: Vec<LayerReport>,
    /// dive's wasted bytes (every copy of a path seen in ≥ 2 layers, the kept one included).
    pub wasted_bytes: u64,
    /// dive's efficiency (0..1).
    pub efficiency: f64,
    /// dive's user-wasted ratio (wasted ÷ bytes of all layers but the first); null for one layer.
    pub user_wasted_percent: Option<f64>,
    /// dive's user size (bytes of all layers but the first).
    pub user_size: u64,
    /// Number of paths dive counts as inefficient.
    pub inefficient_files: usize,
    /// dive's largest inefficient paths.
    pub inefficient: Vec<InefficientFile>,
    /// Bytes in lower layers that the final image cannot see (copies beyond the one kept,
    /// files deleted later): what a rebuild that avoids them saves.
    pub reclaimable_bytes: u64,
    /// Of those, bytes duplicated by metadata-only rewrites (`chown -R`, `chmod -R`).
    pub reclaimable_metadata_only: u64,
    /// Of those, bytes of files overwritten with other content.
    pub reclaimable_overwritten: u64,
    /// Of those, bytes of files deleted by a later layer.
    pub reclaimable_deleted: u64,
    /// Bytes of visible waste the size findings point at (caches, lists, `.git`, docs).
    pub removable_bytes: u64,
    /// The largest groups of hidden bytes, explained.
    pub waste: Vec<WasteItem>,
    /// Findings, most severe and largest first.
    pub findings: Vec<Finding>,
    /// The largest files in the final image.
    pub largest_files: Vec<SizedPath>,
    /// The largest directories in the final image.
    pub largest_directories: Vec<SizedPath>,
    /// Problems that did not stop the analysis.
    pub warnings: Vec<String>,
    /// Every file each layer adds, modifies or removes (only when asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<LayerFiles>>,
}

/// The file changes of one layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerFiles {
    /// Layer index.
    pub index: usize,
    /// Changes, by path.
    pub files: Vec<FileChange>,
}

/// One file change.
#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    /// The path.
    pub path: String,
    /// Added, modified or removed.
    pub change: merge::Change,
    /// Bytes (of the new version; of the deleted one for removals).
    pub bytes: u64,
}

/// One layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// Position, bottom = 0.
    pub index: usize,
    /// Blob digest (or archive member name when no digest is known).
    pub digest: String,
    /// Uncompressed-tar digest from the config.
    pub diff_id: Option<String>,
    /// Σ of file sizes in the tar headers (dive's layer size).
    pub size: u64,
    /// Stored size.
    pub compressed_size: u64,
    /// Compression of the blob.
    pub compression: Compression,
    /// The build step.
    pub created_by: String,
    /// Tar entries.
    pub entries: u64,
    /// New paths (directories not counted).
    pub files_added: u64,
    /// Paths that replace a lower layer's.
    pub files_modified: u64,
    /// Paths deleted, every file under a deleted directory included.
    pub files_removed: u64,
    /// Bytes of added files.
    pub bytes_added: u64,
    /// Bytes of the new versions of modified files.
    pub bytes_modified: u64,
    /// Bytes deleted.
    pub bytes_removed: u64,
    /// Whether the digests were checked.
    pub verified: bool,
}

/// A group of hidden bytes with its explanation.
#[derive(Debug, Clone, Serialize)]
pub struct WasteItem {
    /// Why the bytes are hidden.
    pub reason: WasteReason,
    /// The deleted path, or the directory of the overwritten files.
    pub path: String,
    /// Files in the group.
    pub files: u64,
    /// Bytes.
    pub bytes: u64,
    /// The layer holding the hidden bytes.
    pub layer: u32,
    /// Its build step.
    pub created_by: String,
    /// The layer hiding them.
    pub by_layer: u32,
    /// Its build step.
    pub by_created_by: String,
    /// A sentence for people.
    pub explanation: String,
    /// The largest files in the group.
    pub examples: Vec<SizedPath>,
}

/// A path and its size.
#[derive(Debug, Clone, Serialize)]
pub struct SizedPath {
    /// The path.
    pub path: String,
    /// Bytes.
    pub bytes: u64,
    /// The layer that provides it, where one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<u32>,
}

/// How many waste groups the report lists.
pub const WASTE_LISTED: usize = 20;

/// The `created_by` of each layer, matched to history as dive does: history entries marked
/// `empty_layer` are skipped; missing ones read `(missing)`.
pub fn layer_commands(loaded: &LoadedImage) -> Vec<String> {
    let history = &loaded.config.history;
    let mut out = Vec::with_capacity(loaded.layers.len());
    let mut h = 0usize;
    for _ in &loaded.layers {
        while history.get(h).is_some_and(|e| e.empty_layer) {
            h += 1;
        }
        match history.get(h) {
            Some(e) => {
                out.push(e.created_by.clone().unwrap_or_default());
                h += 1;
            }
            None => out.push("(missing)".to_string()),
        }
    }
    out
}

/// Analyzes a loaded image.
pub fn analyze(loaded: &LoadedImage, image: &str) -> ImageReport {
    analyze_with_tree(loaded, image).0
}

/// Analyzes a loaded image and also returns the merged final tree.
pub fn analyze_with_tree(loaded: &LoadedImage, image: &str) -> (ImageReport, merge::Merged) {
    analyze_full(loaded, image, false)
}

/// Analyzes a loaded image; with `file_lists`, the report lists every file change per layer.
pub fn analyze_full(
    loaded: &LoadedImage,
    image: &str,
    file_lists: bool,
) -> (ImageReport, merge::Merged) {
    let layers: Vec<&LayerTree> = loaded.layers.iter().collect();
    let table = &loaded.table;
    let figures = dive::figures(&layers, table);
    let mut merged = merge::merge_logged(&layers, table, loaded, file_lists);
    let changes = merged.log.take().map(|log| {
        let mut per: Vec<Vec<FileChange>> = vec![Vec::new(); layers.len()];
        for (layer, path, change, bytes) in log {
            if let Some(v) = per.get_mut(layer as usize) {
                v.push(FileChange {
                    path: table.display(path),
                    change,
                    bytes,
                });
            }
        }
        per.into_iter()
            .enumerate()
            .map(|(index, mut files)| {
                files.sort_by(|a, b| a.path.cmp(&b.path).then(a.change.cmp(&b.change)));
                LayerFiles { index, files }
            })
            .collect()
    });
    let commands = layer_commands(loaded);
    let command = |i: u32| commands.get(i as usize).cloned().unwrap_or_default();

    let final_tree = FinalTree {
        table,
        layers: &layers,
        tree: &merged.tree,
    };
    let mut files = 0u64;
    let mut directories = 0u64;
    let mut final_size = 0u64;
    let mut largest: Vec<(u64, PathId, u32)> = Vec::new();
    let mut dir_sizes: Vec<u64> = vec![0; table.len()];
    for (id, slot) in merged.tree.iter().enumerate() {
        let Some(p) = slot else { continue };
        let id = id as PathId;
        if id == 0 {
            continue;
        }
        let info = final_tree.info(id);
        if info.is_none_or(|i| i.kind.is_dir()) {
            directories += 1;
            continue;
        }
        files += 1;
        let bytes = info
            .filter(|i| i.kind == EntryKind::File)
            .map_or(0, |i| i.size);
        final_size += bytes;
        if bytes > 0 {
            largest.push((bytes, id, p.layer));
            for a in table.ancestors(id) {
                if let Some(s) = dir_sizes.get_mut(a as usize) {
                    *s += bytes;
                }
            }
        }
    }
    largest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let largest_files = largest
        .iter()
        .take(10)
        .map(|(b, id, l)| SizedPath {
            path: table.display(*id),
            bytes: *b,
            layer: Some(*l),
        })
        .collect();
    let mut dirs: Vec<(u64, PathId)> = dir_sizes
        .iter()
        .enumerate()
        .filter(|(_, s)| **s > 0)
        .map(|(i, s)| (*s, i as PathId))
        .collect();
    dirs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let largest_directories = dirs
        .iter()
        .take(10)
        .map(|(b, id)| SizedPath {
            path: table.display(*id),
            bytes: *b,
            layer: None,
        })
        .collect();

    let mut reclaimable = [0u64; 3];
    for g in &merged.waste {
        let slot = match g.reason {
            WasteReason::MetadataOnlyCopy => 0,
            WasteReason::Overwritten => 1,
            WasteReason::DeletedLater => 2,
        };
        if let Some(s) = reclaimable.get_mut(slot) {
            *s += g.bytes;
        }
    }
    let waste = merged
        .waste
        .iter()
        .take(WASTE_LISTED)
        .map(|g| {
            let path = table.display(g.path);
            let explanation = match g.reason {
                WasteReason::MetadataOnlyCopy => format!(
                    "{} file(s) under {path} copied again by layer {} with only owner/mode changed (a recursive chown/chmod, or COPY then RUN chown): set ownership in the step that creates them (`COPY --chown`, `COPY --chmod`)",
                    g.files, g.by_layer
                ),
                WasteReason::Overwritten => format!(
                    "{} file(s) under {path} from layer {} overwritten by layer {}: the old versions still ship",
                    g.files, g.layer, g.by_layer
                ),
                WasteReason::DeletedLater => format!(
                    "{path} ({} file(s)) added by layer {} and deleted by layer {}: deleting in a later layer frees nothing; delete in the same RUN",
                    g.files, g.layer, g.by_layer
                ),
            };
            WasteItem {
                reason: g.reason,
                path,
                files: g.files,
                bytes: g.bytes,
                layer: g.layer,
                created_by: command(g.layer),
                by_layer: g.by_layer,
                by_created_by: command(g.by_layer),
                explanation,
                examples: g
                    .examples
                    .iter()
                    .map(|(b, p)| SizedPath {
                        path: table.display(*p),
                        bytes: *b,
                        layer: None,
                    })
                    .collect(),
            }
        })
        .collect();

    let findings = findings::find(&final_tree, &loaded.config, &commands);
    let removable_bytes = findings
        .iter()
        .filter(|f| f.category == findings::Category::Size && f.code != "DWI011")
        .map(|f| f.bytes)
        .sum();

    let layer_reports = loaded
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let r = loaded.layer_refs.get(i);
            let c = merged.changes.get(i).cloned().unwrap_or_default();
            LayerReport {
                index: i,
                digest: r
                    .and_then(|r| r.digest.clone())
                    .or_else(|| r.map(|r| r.name.clone()))
                    .unwrap_or_default(),
                diff_id: r.and_then(|r| r.diff_id.clone()),
                size: l.size,
                compressed_size: l.compressed_size,
                compression: l.compression,
                created_by: command(i as u32),
                entries: l.entries,
                files_added: c.files_added,
                files_modified: c.files_modified,
                files_removed: c.files_removed,
                bytes_added: c.bytes_added,
                bytes_modified: c.bytes_modified,
                bytes_removed: c.bytes_removed,
                verified: l.verified,
            }
        })
        .collect();
    let mut warnings = loaded.warnings.clone();
    warnings.extend(
        merged
            .warnings
            .iter()
            .map(|(l, w)| format!("layer {}: {w}", l + 1)),
    );
    let (loops, first_loop) = symlink_loops(&final_tree);
    if let Some(first) = first_loop {
        warnings.push(format!(
            "{loops} symbolic link(s) that never resolve (a loop, or more than {MAX_SYMLINK_HOPS} hops; first: {first})"
        ));
    }

    let report = ImageReport {
        version: REPORT_VERSION,
        image: image.to_string(),
        source: loaded.kind,
        manifest_digest: loaded.manifest_digest.clone(),
        config_digest: loaded.config_digest.clone(),
        platform: format!("{}/{}", loaded.config.os, loaded.config.architecture),
        total_size: figures.size_bytes,
        compressed_size: loaded.layers.iter().map(|l| l.compressed_size).sum(),
        final_size,
        files,
        directories,
        layers: layer_reports,
        wasted_bytes: figures.wasted_bytes,
        efficiency: figures.efficiency,
        user_wasted_percent: figures.user_wasted_percent,
        user_size: figures.user_size_bytes,
        inefficient_files: figures.inefficient_count,
        inefficient: figures.inefficient_files,
        reclaimable_bytes: reclaimable.iter().sum(),
        reclaimable_metadata_only: reclaimable[0],
        reclaimable_overwritten: reclaimable[1],
        reclaimable_deleted: reclaimable[2],
        removable_bytes,
        waste,
        findings,
        largest_files,
        largest_directories,
        warnings,
        changes,
    };
    (report, merged)
}

/// Links followed before a path is called a loop (Linux's limit).
pub const MAX_SYMLINK_HOPS: u32 = 40;

/// Counts final-tree symlinks that loop, and names the first.
fn symlink_loops(tree: &FinalTree<'_>) -> (u64, Option<String>) {
    let mut count = 0u64;
    let mut first = None;
    for (id, slot) in tree.tree.iter().enumerate() {
        let Some(p) = slot else { continue };
        let Some(layer) = tree.layers.get(p.layer as usize) else {
            continue;
        };
        let Some(node) = layer.nodes.get(p.node as usize) else {
            continue;
        };
        if node.info.kind != EntryKind::Symlink {
            continue;
        }
        let id = id as PathId;
        let mut hops = 0u32;
        if resolve_link(tree, tree.table.parent(id), id, &mut hops).is_err() {
            count += 1;
            if first.is_none() {
                first = Some(tree.table.display(id));
            }
        }
    }
    (count, first)
}

/// Follows the symlink at `link` (in directory `dir`); `Ok(None)` when it dangles, `Err` when
/// it loops.
fn resolve_link(
    tree: &FinalTree<'_>,
    dir: PathId,
    link: PathId,
    hops: &mut u32,
) -> Result<Option<PathId>, ()> {
    *hops += 1;
    if *hops > MAX_SYMLINK_HOPS {
        return Err(());
    }
    let Some(p) = tree.provider(link) else {
        return Ok(None);
    };
    let Some(layer) = tree.layers.get(p.layer as usize) else {
        return Ok(None);
    };
    let Some(node) = layer.nodes.get(p.node as usize) else {
        return Ok(None);
    };
    let Some(target) = layer.link(node) else {
        return Ok(None);
    };
    let mut cur = if target.first() == Some(&b'/') {
        crate::paths::ROOT
    } else {
        dir
    };
    for comp in target.split(|b| *b == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => {
                if cur != crate::paths::ROOT {
                    cur = tree.table.parent(cur);
                }
            }
            name => {
                let Some(child) = tree.table.find_child(cur, name) else {
                    return Ok(None);
                };
                if tree.provider(child).is_none() {
                    return Ok(None);
                }
                if tree
                    .info(child)
                    .is_some_and(|i| i.kind == EntryKind::Symlink)
                {
                    match resolve_link(tree, cur, child, hops)? {
                        Some(next) => cur = next,
                        None => return Ok(None),
                    }
                } else {
                    cur = child;
                }
            }
        }
    }
    Ok(Some(cur))
}
