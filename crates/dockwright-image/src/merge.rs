//! Applying layers the way a container runtime does (OCI image spec: whiteouts and opaque
//! whiteouts delete what lower layers hold, later entries replace earlier ones) to get each
//! layer's changes, the bytes hidden by later layers, and the final file tree.

use std::collections::HashMap;

use serde::Serialize;

use crate::layer::{EntryInfo, EntryKind, LayerTree, OPAQUE};
use crate::paths::{self, NONE, PathId, PathTable, ROOT};

/// Which layer's entry provides a path in the merged tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    /// Layer index (bottom = 0).
    pub layer: u32,
    /// Node in that layer's tree.
    pub node: u32,
}

/// What one layer changes, counted over everything but directories.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerChanges {
    /// Paths that did not exist below.
    pub files_added: u64,
    /// Paths that replace an entry from below.
    pub files_modified: u64,
    /// Paths deleted (every file below a deleted directory counts).
    pub files_removed: u64,
    /// Bytes of added files.
    pub bytes_added: u64,
    /// Bytes of the new versions of modified files.
    pub bytes_modified: u64,
    /// Bytes of the deleted files (as the lower layers hold them).
    pub bytes_removed: u64,
}

/// What a layer did to one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// New path.
    Added,
    /// Replaces an entry from below.
    Modified,
    /// Deleted.
    Removed,
}

/// Why bytes in a lower layer cannot be seen in the final image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WasteReason {
    /// A later layer wrote the same content again with other owner or mode (`chown -R`,
    /// `chmod -R`, or `COPY` then `RUN chown`).
    MetadataOnlyCopy,
    /// A later layer wrote a different version of the file.
    Overwritten,
    /// A later layer deleted the file.
    DeletedLater,
}

/// A group of hidden bytes: one reason, one pair of layers, one directory.
#[derive(Debug, Clone)]
pub struct WasteGroup {
    /// Why the bytes are hidden.
    pub reason: WasteReason,
    /// The layer that holds the hidden bytes.
    pub layer: u32,
    /// The layer that hides them.
    pub by_layer: u32,
    /// The deleted path, or the directory of the overwritten files.
    pub path: PathId,
    /// Files in the group.
    pub files: u64,
    /// Bytes in the group.
    pub bytes: u64,
    /// A few of the paths, largest first.
    pub examples: Vec<(u64, PathId)>,
}

/// Whether two files (of equal size) hold the same bytes, for layers read without contents.
pub trait ContentOracle {
    /// `Some(true)` if the contents are equal, `None` if it cannot tell.
    fn same_content(&self, a: Provider, b: Provider) -> Option<bool>;
}

/// An oracle that never knows.
pub struct NoOracle;
impl ContentOracle for NoOracle {
    fn same_content(&self, _a: Provider, _b: Provider) -> Option<bool> {
        None
    }
}

/// The result of applying every layer.
pub struct Merged {
    /// The final tree: which layer provides each path (`None`: absent).
    pub tree: Vec<Option<Provider>>,
    /// Per layer.
    pub changes: Vec<LayerChanges>,
    /// Hidden bytes by group.
    pub waste: Vec<WasteGroup>,
    /// Problems found while applying layers (per layer index).
    pub warnings: Vec<(u32, String)>,
    /// Every change to a non-directory path, when asked for: (layer, path, change, bytes).
    pub log: Option<Vec<(u32, PathId, Change, u64)>>,
}

const EXAMPLES: usize = 5;

struct Merger<'a> {
    table: &'a PathTable,
    layers: &'a [&'a LayerTree],
    tree: Vec<Option<Provider>>,
    changes: Vec<LayerChanges>,
    groups: HashMap<(WasteReason, u32, u32, PathId), WasteGroup>,
    warnings: Vec<(u32, String)>,
    log: Option<Vec<(u32, PathId, Change, u64)>>,
}

impl Merger<'_> {
    fn note(&mut self, layer: u32, path: PathId, change: Change, bytes: u64) {
        if let Some(log) = &mut self.log {
            log.push((layer, path, change, bytes));
        }
    }

    fn info(&self, p: Provider) -> Option<&EntryInfo> {
        if p.node == NONE {
            return None;
        }
        self.layers
            .get(p.layer as usize)
            .and_then(|l| l.nodes.get(p.node as usize))
            .map(|n| &n.info)
    }

    fn is_dir(&self, p: Provider) -> bool {
        self.info(p).is_none_or(|i| i.kind.is_dir())
    }

    fn record(
        &mut self,
        reason: WasteReason,
        lower: Provider,
        by_layer: u32,
        group: PathId,
        path: PathId,
        bytes: u64,
    ) {
        let entry = self
            .groups
            .entry((reason, lower.layer, by_layer, group))
            .or_insert_with(|| WasteGroup {
                reason,
                layer: lower.layer,
                by_layer,
                path: group,
                files: 0,
                bytes: 0,
                examples: Vec::new(),
            });
        entry.files += 1;
        entry.bytes = entry.bytes.saturating_add(bytes);
        if entry.examples.len() < EXAMPLES {
            entry.examples.push((bytes, path));
        } else if let Some(min) = entry.examples.iter_mut().min_by_key(|e| e.0)
            && min.0 < bytes
        {
            *min = (bytes, path);
        }
    }

    /// Deletes `id` and everything below it, crediting the deletion to `layer`.
    fn remove(&mut self, id: PathId, layer: u32, group: PathId) {
        let mut stack = vec![id];
        while let Some(p) = stack.pop() {
            let Some(provider) = self.tree.get_mut(p as usize).and_then(Option::take) else {
                continue;
            };
            stack.extend(self.table.children(p));
            if self.is_dir(provider) {
                continue;
            }
            let size = self.info(provider).map_or(0, file_bytes);
            if let Some(c) = self.changes.get_mut(layer as usize) {
                c.files_removed += 1;
                c.bytes_removed = c.bytes_removed.saturating_add(size);
            }
            self.note(layer, p, Change::Removed, size);
            if size > 0 {
                self.record(WasteReason::DeletedLater, provider, layer, group, p, size);
            }
        }
    }

    fn get(&self, id: PathId) -> Option<Provider> {
        self.tree.get(id as usize).copied().flatten()
    }

    fn set(&mut self, id: PathId, p: Provider) {
        if let Some(slot) = self.tree.get_mut(id as usize) {
            *slot = Some(p);
        }
    }

    fn apply(&mut self, index: u32, oracle: &dyn ContentOracle) {
        let Some(layer) = self.layers.get(index as usize) else {
            return;
        };
        // Deletions first: they apply to the layers below, never to this layer's own entries.
        for node in layer.nodes.iter().skip(1) {
            if node.info.flags & OPAQUE != 0 && self.get(node.path).is_some() {
                let kids: Vec<PathId> = self.table.children(node.path).collect();
                for k in kids {
                    self.remove(k, index, node.path);
                }
            }
            if node.target != NONE {
                self.remove(node.target, index, node.target);
            }
        }
        if layer
            .nodes
            .first()
            .is_some_and(|root| root.info.flags & OPAQUE != 0)
        {
            let kids: Vec<PathId> = self.table.children(ROOT).collect();
            for k in kids {
                self.remove(k, index, ROOT);
            }
        }
        for (n, node) in layer.nodes.iter().enumerate().skip(1) {
            if node.target != NONE {
                continue;
            }
            let here = Provider {
                layer: index,
                node: n as u32,
            };
            let info = node.info;
            if info.kind == EntryKind::Implicit {
                if self.get(node.path).is_none() {
                    self.set(node.path, here);
                }
                continue;
            }
            match self.get(node.path) {
                None => {
                    if !info.kind.is_dir()
                        && let Some(c) = self.changes.get_mut(index as usize)
                    {
                        c.files_added += 1;
                        c.bytes_added = c.bytes_added.saturating_add(file_bytes(&info));
                    }
                    if !info.kind.is_dir() {
                        self.note(index, node.path, Change::Added, file_bytes(&info));
                    }
                }
                Some(old) => {
                    let old_is_dir = self.is_dir(old);
                    if old_is_dir && !info.kind.is_dir() {
                        // A directory replaced by a file: its contents go.
                        let kids: Vec<PathId> = self.table.children(node.path).collect();
                        for k in kids {
                            self.remove(k, index, node.path);
                        }
                    }
                    if !old_is_dir {
                        let old_info = self.info(old).copied();
                        let old_bytes = old_info.as_ref().map_or(0, file_bytes);
                        if !info.kind.is_dir() {
                            if let Some(c) = self.changes.get_mut(index as usize) {
                                c.files_modified += 1;
                                c.bytes_modified =
                                    c.bytes_modified.saturating_add(file_bytes(&info));
                            }
                            self.note(index, node.path, Change::Modified, file_bytes(&info));
                        } else {
                            if let Some(c) = self.changes.get_mut(index as usize) {
                                c.files_removed += 1;
                                c.bytes_removed = c.bytes_removed.saturating_add(old_bytes);
                            }
                            self.note(index, node.path, Change::Removed, old_bytes);
                        }
                        if old_bytes > 0 {
                            let same = old_info
                                .is_some_and(|o| same_content(&o, &info, old, here, oracle));
                            let reason = if same {
                                WasteReason::MetadataOnlyCopy
                            } else {
                                WasteReason::Overwritten
                            };
                            let group = self.table.parent(node.path);
                            self.record(reason, old, index, group, node.path, old_bytes);
                        }
                    }
                }
            }
            self.set(node.path, here);
        }
        // Hard links must point at something that exists once the layer is applied.
        let mut missing = 0u64;
        let mut first_missing = None;
        for node in layer.nodes.iter().skip(1) {
            if node.info.kind != EntryKind::HardLink {
                continue;
            }
            let target = layer.link(node).and_then(|l| {
                let comps = paths::clean_components(l).ok()?;
                let mut id = ROOT;
                for c in comps {
                    id = self.table.find_child(id, c)?;
                }
                Some(id)
            });
            if target.is_none_or(|t| self.get(t).is_none()) {
                missing += 1;
                if first_missing.is_none() {
                    first_missing = Some(self.table.display(node.path));
                }
            }
        }
        if let Some(first) = first_missing {
            self.warnings.push((
                index,
                format!("{missing} hard link(s) to missing targets (first: {first})"),
            ));
        }
    }
}

/// Bytes a file occupies (hard links share their target's bytes).
fn file_bytes(info: &EntryInfo) -> u64 {
    match info.kind {
        EntryKind::File => info.size,
        _ => 0,
    }
}

fn same_content(
    old: &EntryInfo,
    new: &EntryInfo,
    a: Provider,
    b: Provider,
    oracle: &dyn ContentOracle,
) -> bool {
    if old.kind != EntryKind::File || new.kind != EntryKind::File || old.size != new.size {
        return false;
    }
    if old.content != 0 && new.content != 0 {
        return old.content == new.content;
    }
    oracle.same_content(a, b).unwrap_or(false)
}

/// Applies `layers` bottom first.
pub fn merge(layers: &[&LayerTree], table: &PathTable, oracle: &dyn ContentOracle) -> Merged {
    merge_logged(layers, table, oracle, false)
}

/// Applies `layers` bottom first, also listing every file change when `log` is set.
pub fn merge_logged(
    layers: &[&LayerTree],
    table: &PathTable,
    oracle: &dyn ContentOracle,
    log: bool,
) -> Merged {
    let mut m = Merger {
        table,
        layers,
        tree: vec![None; table.len()],
        changes: vec![LayerChanges::default(); layers.len()],
        groups: HashMap::new(),
        warnings: Vec::new(),
        log: log.then(Vec::new),
    };
    for i in 0..layers.len() {
        m.apply(i as u32, oracle);
    }
    let mut waste: Vec<WasteGroup> = m.groups.into_values().collect();
    merge_overwrite_groups(&mut waste, table);
    waste.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then(a.layer.cmp(&b.layer))
            .then(a.path.cmp(&b.path))
    });
    for g in &mut waste {
        g.examples.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    Merged {
        tree: m.tree,
        changes: m.changes,
        waste,
        warnings: m.warnings,
        log: m.log,
    }
}

/// Folds overwrite groups into the group of an ancestor directory with the same reason and
/// layers, so a `chown -R /app` shows as one group at `/app`, not one per subdirectory.
fn merge_overwrite_groups(waste: &mut Vec<WasteGroup>, table: &PathTable) {
    waste.sort_by_key(|g| (table.depth(g.path), g.reason, g.layer, g.by_layer, g.path));
    let mut out: Vec<WasteGroup> = Vec::with_capacity(waste.len());
    let mut index: HashMap<(WasteReason, u32, u32, PathId), usize> = HashMap::new();
    for g in waste.drain(..) {
        if g.reason != WasteReason::DeletedLater {
            let home = table
                .ancestors(g.path)
                .into_iter()
                .find_map(|a| index.get(&(g.reason, g.layer, g.by_layer, a)).copied());
            if let Some(kept) = home.and_then(|i| out.get_mut(i)) {
                kept.files += g.files;
                kept.bytes = kept.bytes.saturating_add(g.bytes);
                kept.examples.extend(g.examples);
                kept.examples.sort_by_key(|e| std::cmp::Reverse(e.0));
                kept.examples.truncate(EXAMPLES);
                continue;
            }
            if g.path != ROOT {
                index.insert((g.reason, g.layer, g.by_layer, g.path), out.len());
            }
        }
        out.push(g);
    }
    *waste = out;
}
