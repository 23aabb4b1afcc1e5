//! dive's efficiency figures, computed exactly as dive 0.13 does, so CI thresholds written for
//! `dive --ci` mean the same here.
//!
//! dive visits the leaves of each layer's tree (children before parents, siblings by name) and
//! keeps, per path, the sum and the minimum of the sizes it sees. A whiteout counts 0, or, when
//! it deletes a directory, the sizes of everything below it in the layers underneath. Wasted
//! bytes are the sums over paths seen in two or more layers — the copy that is kept included.
//! Quirks kept on purpose: opaque whiteouts are ignored; a parent directory without its own tar
//! entry replaces the directory's metadata with an empty one (so a later deletion of it counts
//! 0); and a whiteout whose target is missing below ends the visit of that layer.

use serde::Serialize;

use crate::layer::{EntryKind, LayerTree};
use crate::paths::{NONE, PathId, PathTable};

/// dive's numbers for an image.
#[derive(Debug, Clone, Serialize)]
pub struct DiveFigures {
    /// Σ min size ÷ Σ cumulative size over all paths (1 when nothing was seen).
    pub efficiency: f64,
    /// Σ cumulative size over paths seen in ≥ 2 layers.
    pub wasted_bytes: u64,
    /// wasted ÷ user size, a ratio (dive's `WastedUserPercent`); `None` for a one-layer image.
    pub user_wasted_percent: Option<f64>,
    /// Σ of all layers' header sizes.
    pub size_bytes: u64,
    /// The same without layer 0.
    pub user_size_bytes: u64,
    /// Number of paths seen in ≥ 2 layers.
    pub inefficient_count: usize,
    /// The largest of them.
    pub inefficient_files: Vec<InefficientFile>,
}

/// A path seen in more than one layer.
#[derive(Debug, Clone, Serialize)]
pub struct InefficientFile {
    /// The path.
    pub path: String,
    /// Layers it appears in (dive's "Count").
    pub count: u32,
    /// Σ of the sizes seen (dive's "Wasted Space").
    pub size: u64,
}

#[derive(Clone, Copy, Default)]
struct PathStats {
    cumulative: u64,
    min: u64,
    count: u32,
}

#[derive(Clone, Copy)]
struct StackedInfo {
    size: u64,
    is_dir: bool,
}

/// dive's stacked tree: which paths exist after some layers, with the metadata last written.
struct Stacked {
    nodes: Vec<Option<StackedInfo>>,
}

impl Stacked {
    fn get(&self, id: PathId) -> Option<StackedInfo> {
        self.nodes.get(id as usize).copied().flatten()
    }

    fn set(&mut self, id: PathId, info: StackedInfo) {
        if let Some(slot) = self.nodes.get_mut(id as usize) {
            *slot = Some(info);
        }
    }

    fn add_path(&mut self, table: &PathTable, id: PathId, info: StackedInfo) {
        // Parents missing from the stacked tree are created with empty metadata.
        for a in table.ancestors(id) {
            if self.get(a).is_none() {
                self.set(
                    a,
                    StackedInfo {
                        size: 0,
                        is_dir: false,
                    },
                );
            }
        }
        self.set(id, info);
    }

    fn remove(&mut self, table: &PathTable, id: PathId) {
        if self.get(id).is_none() {
            return;
        }
        let mut stack = vec![id];
        while let Some(p) = stack.pop() {
            if let Some(slot) = self.nodes.get_mut(p as usize)
                && slot.take().is_some()
            {
                stack.extend(table.children(p));
            }
        }
    }

    fn subtree_size(&self, table: &PathTable, id: PathId) -> u64 {
        let mut total = 0u64;
        let mut stack = vec![id];
        while let Some(p) = stack.pop() {
            if let Some(info) = self.get(p) {
                total = total.saturating_add(info.size);
                stack.extend(table.children(p));
            }
        }
        total
    }

    fn stack(&mut self, table: &PathTable, layer: &LayerTree, order: &[u32]) {
        for &n in order {
            let Some(node) = layer.nodes.get(n as usize) else {
                continue;
            };
            if node.target != NONE {
                self.remove(table, node.target);
            } else {
                self.add_path(table, node.path, dive_info(node.info.kind, node.info.size));
            }
        }
    }
}

fn dive_info(kind: EntryKind, size: u64) -> StackedInfo {
    StackedInfo {
        size,
        // Implied parents carry dive's empty FileInfo, which is not a directory.
        is_dir: kind == EntryKind::Dir,
    }
}

/// How many inefficient files [`DiveFigures::inefficient_files`] lists.
pub const INEFFICIENT_LISTED: usize = 50;

/// Computes dive's figures over `layers` (bottom first, as the manifest lists them).
pub fn figures(layers: &[&LayerTree], table: &PathTable) -> DiveFigures {
    let mut stats = vec![PathStats::default(); table.len()];
    let mut seen_paths: Vec<PathId> = Vec::new();
    let mut stacked = Stacked {
        nodes: vec![None; table.len()],
    };
    if let Some(first) = layers.first() {
        // dive stacks onto a copy of layer 0 itself, whiteout names and all.
        for node in first.nodes.iter().skip(1) {
            stacked.set(node.path, dive_info(node.info.kind, node.info.size));
        }
    }
    for layer in layers {
        let order = layer.child_first_order();
        for &n in &order {
            if !layer.is_leaf(n) {
                continue;
            }
            let Some(node) = layer.nodes.get(n as usize) else {
                continue;
            };
            let (key, size) = if node.target != NONE {
                match stacked.get(node.target) {
                    // dive's visitor returns an error here and abandons the rest of the layer.
                    None => break,
                    Some(prev) if prev.is_dir => {
                        (node.target, stacked.subtree_size(table, node.target))
                    }
                    Some(_) => (node.target, 0),
                }
            } else {
                (node.path, node.info.size)
            };
            if let Some(s) = stats.get_mut(key as usize) {
                if s.count == 0 {
                    seen_paths.push(key);
                    s.min = size;
                } else {
                    s.min = s.min.min(size);
                }
                s.cumulative = s.cumulative.saturating_add(size);
                s.count += 1;
            }
        }
        stacked.stack(table, layer, &order);
    }

    let mut min_total: u64 = 0;
    let mut cumulative_total: u64 = 0;
    let mut wasted: u64 = 0;
    let mut inefficient: Vec<(u64, u32, PathId)> = Vec::new();
    for &p in &seen_paths {
        let Some(s) = stats.get(p as usize) else {
            continue;
        };
        min_total = min_total.saturating_add(s.min);
        cumulative_total = cumulative_total.saturating_add(s.cumulative);
        if s.count >= 2 {
            wasted = wasted.saturating_add(s.cumulative);
            inefficient.push((s.cumulative, s.count, p));
        }
    }
    let efficiency = if cumulative_total == 0 {
        1.0
    } else {
        min_total as f64 / cumulative_total as f64
    };
    let size_bytes: u64 = layers.iter().map(|l| l.size).sum();
    let user_size_bytes: u64 = layers.iter().skip(1).map(|l| l.size).sum();
    let user_wasted_percent = (user_size_bytes > 0).then(|| wasted as f64 / user_size_bytes as f64);
    let inefficient_count = inefficient.len();
    inefficient.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| table.display(a.2).cmp(&table.display(b.2)))
    });
    let inefficient_files = inefficient
        .into_iter()
        .take(INEFFICIENT_LISTED)
        .map(|(size, count, p)| InefficientFile {
            path: table.display(p),
            count,
            size,
        })
        .collect();
    DiveFigures {
        efficiency,
        wasted_bytes: wasted,
        user_wasted_percent,
        size_bytes,
        user_size_bytes,
        inefficient_count,
        inefficient_files,
    }
}
