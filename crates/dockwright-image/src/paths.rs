//! Interned path components and the table of every path seen in an image.
//!
//! An image with 200,000 files repeats the same directory names in every layer; storing each
//! name once and each path as `(parent, name)` keeps the trees a few tens of bytes per file.

use std::sync::Arc;

use foldhash::HashMap;

/// An interned path component (a file or directory name, as raw bytes).
pub type Sym = u32;

/// A path in the image, as an index into [`PathTable`]. `ROOT` is `/`.
pub type PathId = u32;

/// The root directory `/`.
pub const ROOT: PathId = 0;

/// Marks "no node" in the compact links below.
pub const NONE: u32 = u32::MAX;

/// Stores each distinct name once.
#[derive(Debug, Default)]
pub struct Interner {
    // One allocation per name, shared by the map and the list.
    ids: HashMap<Arc<[u8]>, Sym>,
    names: Vec<Arc<[u8]>>,
}

impl Interner {
    /// Returns the id of `name`, adding it if new.
    pub fn intern(&mut self, name: &[u8]) -> Sym {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = Sym::try_from(self.names.len()).unwrap_or(NONE - 1);
        let shared: Arc<[u8]> = Arc::from(name);
        self.names.push(Arc::clone(&shared));
        self.ids.insert(shared, id);
        id
    }

    /// The bytes of a name.
    pub fn name(&self, sym: Sym) -> &[u8] {
        self.names.get(sym as usize).map_or(&[], |n| n)
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name was interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[derive(Debug, Clone, Copy)]
struct PathEntry {
    parent: PathId,
    name: Sym,
    first_child: PathId,
    next_sibling: PathId,
}

/// Every path that appears in any layer (or is the target of a whiteout), created once and
/// never removed. Layers and stacked trees refer to paths by [`PathId`].
#[derive(Debug)]
pub struct PathTable {
    names: Interner,
    entries: Vec<PathEntry>,
    lookup: HashMap<(PathId, Sym), PathId>,
}

impl Default for PathTable {
    fn default() -> Self {
        Self::new()
    }
}

impl PathTable {
    /// A table holding only `/`.
    pub fn new() -> Self {
        PathTable {
            names: Interner::default(),
            entries: vec![PathEntry {
                parent: NONE,
                name: NONE,
                first_child: NONE,
                next_sibling: NONE,
            }],
            lookup: HashMap::default(),
        }
    }

    /// The id of `parent/name`, created if new.
    pub fn child(&mut self, parent: PathId, name: &[u8]) -> PathId {
        let sym = self.names.intern(name);
        if let Some(&id) = self.lookup.get(&(parent, sym)) {
            return id;
        }
        let id = PathId::try_from(self.entries.len()).unwrap_or(NONE - 1);
        let next_sibling = self
            .entries
            .get(parent as usize)
            .map_or(NONE, |p| p.first_child);
        self.entries.push(PathEntry {
            parent,
            name: sym,
            first_child: NONE,
            next_sibling,
        });
        if let Some(p) = self.entries.get_mut(parent as usize) {
            p.first_child = id;
        }
        self.lookup.insert((parent, sym), id);
        id
    }

    /// The id of `parent/name` if that path was ever seen.
    pub fn find_child(&self, parent: PathId, name: &[u8]) -> Option<PathId> {
        let sym = self.names.ids.get(name)?;
        self.lookup.get(&(parent, *sym)).copied()
    }

    /// The id of an absolute or relative `/`-separated path, if known.
    pub fn find(&self, path: &str) -> Option<PathId> {
        let mut id = ROOT;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            id = self.find_child(id, part.as_bytes())?;
        }
        Some(id)
    }

    /// The parent of a path (`NONE` for the root).
    pub fn parent(&self, id: PathId) -> PathId {
        self.entries.get(id as usize).map_or(NONE, |e| e.parent)
    }

    /// The last component of a path (empty for the root).
    pub fn name(&self, id: PathId) -> &[u8] {
        match self.entries.get(id as usize) {
            Some(e) if e.name != NONE => self.names.name(e.name),
            _ => &[],
        }
    }

    /// The paths directly below `id`, in no particular order.
    pub fn children(&self, id: PathId) -> ChildIter<'_> {
        ChildIter {
            table: self,
            next: self
                .entries
                .get(id as usize)
                .map_or(NONE, |e| e.first_child),
        }
    }

    /// Number of paths, the root included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table holds only the root.
    pub fn is_empty(&self) -> bool {
        self.entries.len() <= 1
    }

    /// Number of path components (0 for the root).
    pub fn depth(&self, mut id: PathId) -> usize {
        let mut depth = 0;
        while id != ROOT && id != NONE {
            depth += 1;
            id = self.parent(id);
        }
        depth
    }

    /// Whether `id` is `ancestor` or lies below it.
    pub fn is_within(&self, mut id: PathId, ancestor: PathId) -> bool {
        loop {
            if id == ancestor {
                return true;
            }
            if id == ROOT || id == NONE {
                return false;
            }
            id = self.parent(id);
        }
    }

    /// The absolute path as text (`/usr/bin/env`); non-UTF-8 bytes are replaced.
    pub fn display(&self, id: PathId) -> String {
        if id == ROOT {
            return "/".to_string();
        }
        let mut parts = Vec::new();
        let mut cur = id;
        while cur != ROOT && cur != NONE {
            parts.push(self.name(cur));
            cur = self.parent(cur);
        }
        let mut out = String::new();
        for part in parts.iter().rev() {
            out.push('/');
            out.push_str(&String::from_utf8_lossy(part));
        }
        out
    }

    /// Ancestors of `id` from the top (`/usr`, `/usr/lib`, ...) excluding the root and `id`.
    pub fn ancestors(&self, id: PathId) -> Vec<PathId> {
        let mut out = Vec::new();
        let mut cur = self.parent(id);
        while cur != ROOT && cur != NONE {
            out.push(cur);
            cur = self.parent(cur);
        }
        out.reverse();
        out
    }
}

/// Iterates the children of one path.
pub struct ChildIter<'a> {
    table: &'a PathTable,
    next: PathId,
}

impl Iterator for ChildIter<'_> {
    type Item = PathId;
    fn next(&mut self) -> Option<PathId> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self
            .table
            .entries
            .get(id as usize)
            .map_or(NONE, |e| e.next_sibling);
        Some(id)
    }
}

/// Cleans a tar entry name the way Go's `path.Clean` does, without the leading `/`.
///
/// Returns the components, or `Err` with the reason when the name escapes the root (`..` above
/// the top), which a layer must never do.
pub fn clean_components(name: &[u8]) -> Result<Vec<&[u8]>, &'static str> {
    let rooted = name.first() == Some(&b'/');
    let mut out: Vec<&[u8]> = Vec::new();
    for part in name.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                if out.pop().is_none() && !rooted {
                    return Err("the path climbs above the root with `..`");
                }
            }
            _ => out.push(part),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_round_trips_paths() {
        let mut t = PathTable::new();
        let usr = t.child(ROOT, b"usr");
        let bin = t.child(usr, b"bin");
        let env = t.child(bin, b"env");
        assert_eq!(t.child(usr, b"bin"), bin);
        assert_eq!(t.display(env), "/usr/bin/env");
        assert_eq!(t.find("/usr/bin/env"), Some(env));
        assert_eq!(t.find("usr/bin"), Some(bin));
        assert_eq!(t.find("/usr/lib"), None);
        assert!(t.is_within(env, usr));
        assert!(!t.is_within(usr, env));
        assert_eq!(t.depth(env), 3);
        assert_eq!(t.children(usr).collect::<Vec<_>>(), vec![bin]);
    }

    #[test]
    fn clean_matches_go_path_clean() {
        let c = |s: &str| {
            clean_components(s.as_bytes()).map(|v| {
                v.iter()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            })
        };
        assert_eq!(c("./usr/bin/").unwrap(), "usr/bin");
        assert_eq!(c("/a//b/./c").unwrap(), "a/b/c");
        assert_eq!(c("a/../b").unwrap(), "b");
        assert_eq!(c("/../etc").unwrap(), "etc");
        assert!(c("../etc/passwd").is_err());
        assert!(c("a/../../x").is_err());
        assert_eq!(c(".").unwrap(), "");
    }
}
