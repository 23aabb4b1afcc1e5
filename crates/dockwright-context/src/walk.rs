//! Walking the build context the way BuildKit's file sync (fsutil) does: entries in name
//! order, symlinks never followed (they are sent as links), `.dockerignore` decisions carried
//! from each directory to its children, and an excluded directory skipped without being read
//! when no exception could re-include anything under it.
//!
//! The walk runs in parallel over directories (rayon). Besides what is sent, it can measure
//! what the ignore file saves by counting the excluded subtrees too, and it can hash the
//! content of every sent file (SHA-256, parallel).

use std::ffi::{CStr, CString};
use std::fs;
use std::io::Read;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};
use serde::Serialize;

use crate::ignore_file::{Dockerignore, IgnoreFileError};
use crate::pattern::{Decision, MatchInfo};

/// How far a walk looks into excluded directories that BuildKit skips without reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExcludedScan {
    /// Not at all (what BuildKit does).
    #[default]
    Skip,
    /// Count the files in them (directory listings only, no per-file system call).
    Count,
    /// Count the files and add up their bytes (one `stat` per file).
    Measure,
}

/// What a walk should do besides listing what is sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct WalkOptions {
    /// Hash the content of every sent regular file (SHA-256).
    pub hash: bool,
    /// What to learn about excluded directories BuildKit skips, to show what the ignore file
    /// keeps out. Excluded files outside them are always counted and measured.
    pub excluded: ExcludedScan,
}

/// The kind of a context entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    /// A socket, FIFO or device node.
    Other,
}

/// One entry of the build context, as it would be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    /// Relative to the context root, `/`-separated (non-UTF-8 bytes shown as U+FFFD).
    pub path: String,
    pub kind: EntryKind,
    /// Bytes of content (files), of the target text (symlinks), 0 otherwise.
    pub size: u64,
    /// The full `st_mode` (type and permission bits).
    pub mode: u32,
    /// Modification time, seconds since the epoch.
    pub mtime: i64,
    /// The link target, for symlinks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_target: Option<String>,
    /// For symlinks: the target is absolute or climbs out of the context, so a `COPY` of the
    /// link gives a link to something the context does not contain.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub link_escapes_context: bool,
    /// `sha256:<hex>` of the content, when hashing was asked for (regular files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// When an exception (`!pattern`) is what kept this entry in the context: its index in
    /// the matcher's patterns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept_by_exception: Option<usize>,
    /// The exact path bytes when they are not valid UTF-8.
    #[serde(skip)]
    pub raw_path: Option<Box<[u8]>>,
}

impl ContextEntry {
    /// The path bytes exactly as on disk (relative, `/`-separated).
    pub fn path_bytes(&self) -> &[u8] {
        self.raw_path.as_deref().unwrap_or(self.path.as_bytes())
    }
}

/// Something the ignore file keeps out of the context: an excluded file, or an excluded
/// directory BuildKit skips as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedItem {
    pub path: String,
    pub kind: EntryKind,
    /// Files (non-directories) it holds: 1 for a file; for a skipped directory, the count
    /// when the walk counted inside excluded directories, else 0.
    pub files: u64,
    /// Bytes of those files, when `bytes_measured`.
    pub bytes: u64,
    /// `files` is the real count (false: a skipped directory the walk did not look into).
    pub files_counted: bool,
    /// `bytes` is the real size (false: a skipped directory whose files were not measured).
    pub bytes_measured: bool,
    /// The deciding pattern: index into the matcher's patterns.
    pub pattern: usize,
}

/// Sent totals of one directory's subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirTotals {
    /// Relative path (`.` for the context root).
    pub path: String,
    /// Sent non-directory entries below it.
    pub files: u64,
    /// Sent bytes below it.
    pub bytes: u64,
}

/// A problem met during the walk that does not stop it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WalkWarning {
    pub path: String,
    pub message: String,
}

/// What hashing cost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HashStats {
    pub files: u64,
    pub bytes: u64,
    pub seconds: f64,
}

/// The result of walking a build context.
#[derive(Debug, Clone, Default)]
pub struct ContextWalk {
    /// The context directory, symlinks resolved.
    pub root: PathBuf,
    /// Everything sent, directories included, in walk order (names sorted per directory,
    /// a directory's contents right after it).
    pub entries: Vec<ContextEntry>,
    /// Sent totals per sent directory, the root first.
    pub dirs: Vec<DirTotals>,
    /// What the ignore file kept out, in walk order.
    pub excluded: Vec<ExcludedItem>,
    pub warnings: Vec<WalkWarning>,
    pub hash_stats: Option<HashStats>,
    /// Wall time of the walk itself (without hashing).
    pub walk_seconds: f64,
}

impl ContextWalk {
    /// The sent entries that are not directories.
    pub fn files(&self) -> impl Iterator<Item = &ContextEntry> {
        self.entries.iter().filter(|e| e.kind != EntryKind::Dir)
    }
}

/// Why a walk could not be done.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// A pattern of the ignore file fails on a path (BuildKit fails the build the same way).
    #[error(transparent)]
    Pattern(#[from] IgnoreFileError),
}

/// Walks the context at `root` with the ignore rules `rules`.
pub fn walk_context(
    root: &Path,
    rules: &Dockerignore,
    options: WalkOptions,
) -> Result<ContextWalk, WalkError> {
    let io = |source| WalkError::Io {
        path: root.to_path_buf(),
        source,
    };
    let root = fs::canonicalize(root).map_err(io)?;
    if !fs::metadata(&root).map_err(io)?.is_dir() {
        return Err(WalkError::NotADirectory(root));
    }
    let started = Instant::now();
    let walker = Walker { rules, options };
    let fd = rustix::fs::open(
        &root,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| io(e.into()))?;
    let listing = walker.walk_dir(fd, b"", &MatchInfo::default(), false)?;
    let mut walk = ContextWalk {
        root,
        ..ContextWalk::default()
    };
    walk.dirs.push(DirTotals {
        path: ".".to_owned(),
        files: listing.files,
        bytes: listing.bytes,
    });
    flatten(listing, &mut walk);
    walk.walk_seconds = started.elapsed().as_secs_f64();
    if options.hash {
        hash_entries(&mut walk);
    }
    Ok(walk)
}

struct Walker<'a> {
    rules: &'a Dockerignore,
    options: WalkOptions,
}

/// One directory's results, children in name order.
#[derive(Default)]
struct Listing {
    items: Vec<Item>,
    excluded: Vec<ExcludedItem>,
    warnings: Vec<WalkWarning>,
    /// Sent non-directories below.
    files: u64,
    bytes: u64,
    /// Anything below is sent (so an excluded directory is still sent as a parent).
    any_sent: bool,
}

enum Item {
    Leaf(ContextEntry),
    Dir {
        entry: ContextEntry,
        excluded: bool,
        listing: Listing,
    },
}

fn display(bytes: &[u8]) -> (String, Option<Box<[u8]>>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), None),
        Err(_) => (
            String::from_utf8_lossy(bytes).into_owned(),
            Some(bytes.into()),
        ),
    }
}

fn join(rel: &[u8], name: &[u8]) -> Vec<u8> {
    if rel.is_empty() {
        return name.to_vec();
    }
    let mut out = Vec::with_capacity(rel.len() + 1 + name.len());
    out.extend_from_slice(rel);
    out.push(b'/');
    out.extend_from_slice(name);
    out
}

fn kind_of(file_type: FileType) -> EntryKind {
    match file_type {
        FileType::Directory => EntryKind::Dir,
        FileType::Symlink => EntryKind::Symlink,
        FileType::RegularFile => EntryKind::File,
        _ => EntryKind::Other,
    }
}

/// A directory entry: its name and type (from the listing; `Unknown` on file systems that do
/// not report types there).
struct Child {
    name: CString,
    file_type: FileType,
}

fn open_subdir(parent: BorrowedFd<'_>, name: &CStr) -> std::io::Result<OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    Ok(rustix::fs::openat(parent, name, flags, Mode::empty())?)
}

fn stat_at(dir: BorrowedFd<'_>, name: &CStr) -> std::io::Result<Stat> {
    Ok(rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)?)
}

thread_local! {
    /// One `getdents` buffer per walking thread.
    static DIRENT_BUFFER: std::cell::RefCell<Vec<u8>> =
        std::cell::RefCell::new(Vec::with_capacity(32 * 1024));
}

/// Calls `each(name, type)` for every entry of the open directory `fd` but `.` and `..`.
fn for_each_entry(fd: &OwnedFd, mut each: impl FnMut(&CStr, FileType)) -> std::io::Result<()> {
    DIRENT_BUFFER.with_borrow_mut(|buf| {
        let mut raw = rustix::fs::RawDir::new(fd, buf.spare_capacity_mut());
        while let Some(entry) = raw.next() {
            let entry = entry?;
            let name = entry.file_name();
            if name != c"." && name != c".." {
                each(name, entry.file_type());
            }
        }
        Ok(())
    })
}

/// Reads a directory's entries, sorted by name (Go's `os.ReadDir` order); the descriptor stays
/// open for `*at` calls on the entries.
fn read_children(fd: OwnedFd) -> std::io::Result<(OwnedFd, Vec<Child>)> {
    let mut children = Vec::new();
    for_each_entry(&fd, |name, file_type| {
        children.push(Child {
            name: name.to_owned(),
            file_type,
        });
    })?;
    children.sort_unstable_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    Ok((fd, children))
}

/// Whether a link target, resolved lexically from the link's directory, leaves the context.
fn escapes_context(link_rel: &[u8], target: &[u8]) -> bool {
    if target.first() == Some(&b'/') {
        return true;
    }
    let depth = link_rel.iter().filter(|&&b| b == b'/').count();
    let mut level = depth as i64;
    for part in target.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                level -= 1;
                if level < 0 {
                    return true;
                }
            }
            _ => level += 1,
        }
    }
    false
}

impl Walker<'_> {
    fn decide(
        &self,
        path: &[u8],
        parent: &MatchInfo,
        dir: bool,
    ) -> Result<(Decision, MatchInfo), WalkError> {
        let matcher = self.rules.matcher();
        if matcher.patterns().is_empty() {
            return Ok((Decision::default(), MatchInfo::default()));
        }
        let located = |e| WalkError::Pattern(self.rules.locate(&e));
        if dir {
            matcher
                .matches_using_parent_results(path, parent)
                .map_err(located)
        } else {
            let decision = matcher
                .decide_using_parent_results(path, parent)
                .map_err(located)?;
            Ok((decision, MatchInfo::default()))
        }
    }

    fn entry(
        &self,
        dir: BorrowedFd<'_>,
        name: &CStr,
        rel: &[u8],
        kind: EntryKind,
        stat: &Stat,
    ) -> ContextEntry {
        let (path, raw_path) = display(rel);
        let mut entry = ContextEntry {
            path,
            kind,
            size: if kind == EntryKind::Dir {
                0
            } else {
                u64::try_from(stat.st_size).unwrap_or(0)
            },
            mode: stat.st_mode,
            mtime: stat.st_mtime,
            link_target: None,
            link_escapes_context: false,
            digest: None,
            kept_by_exception: None,
            raw_path,
        };
        if kind == EntryKind::Symlink
            && let Ok(target) = rustix::fs::readlinkat(dir, name, Vec::new())
        {
            let target = target.as_bytes();
            entry.link_escapes_context = escapes_context(rel, target);
            entry.link_target = Some(String::from_utf8_lossy(target).into_owned());
        }
        entry
    }

    /// Reads one directory and walks its subdirectories in parallel. `excluded` tells whether
    /// the directory itself is excluded (then only exceptions below it are sent).
    fn walk_dir(
        &self,
        fd: OwnedFd,
        rel: &[u8],
        info: &MatchInfo,
        excluded: bool,
    ) -> Result<Listing, WalkError> {
        let mut listing = Listing::default();
        let (dir, children) = match read_children(fd) {
            Ok(read) => read,
            Err(err) => {
                listing.warnings.push(unreadable_dir(rel, &err, excluded));
                return Ok(listing);
            }
        };
        let dir_fd = dir.as_fd();
        let mut subdirs: Vec<(usize, Child, Vec<u8>, MatchInfo, Decision)> = Vec::new();
        for mut child in children {
            let child_rel = join(rel, child.name.as_bytes());
            let mut stat = None;
            if child.file_type == FileType::Unknown {
                match stat_at(dir_fd, &child.name) {
                    Ok(st) => {
                        child.file_type = FileType::from_raw_mode(st.st_mode);
                        stat = Some(st);
                    }
                    Err(err) => {
                        listing.warnings.push(WalkWarning {
                            path: display(&child_rel).0,
                            message: format!("cannot stat: {err}"),
                        });
                        continue;
                    }
                }
            }
            let kind = kind_of(child.file_type);
            let is_dir = kind == EntryKind::Dir;
            let (decision, child_info) = self.decide(&child_rel, info, is_dir)?;
            if decision.excluded {
                let pattern = decision.decided_by.unwrap_or(0);
                if is_dir && self.rules.matcher().can_skip_excluded_dir(&child_rel) {
                    let scan = self.options.excluded;
                    let (files, bytes) = match scan {
                        ExcludedScan::Skip => (0, 0),
                        ExcludedScan::Count | ExcludedScan::Measure => {
                            open_subdir(dir_fd, &child.name).map_or((0, 0), |fd| {
                                measure_tree(fd, scan == ExcludedScan::Measure)
                            })
                        }
                    };
                    listing.excluded.push(ExcludedItem {
                        path: display(&child_rel).0,
                        kind,
                        files,
                        bytes,
                        files_counted: scan != ExcludedScan::Skip,
                        bytes_measured: scan == ExcludedScan::Measure,
                        pattern,
                    });
                    continue;
                }
                if !is_dir {
                    let bytes = stat
                        .map_or_else(|| stat_at(dir_fd, &child.name).ok(), Some)
                        .map_or(0, |st| u64::try_from(st.st_size).unwrap_or(0));
                    listing.excluded.push(ExcludedItem {
                        path: display(&child_rel).0,
                        kind,
                        files: 1,
                        bytes,
                        files_counted: true,
                        bytes_measured: true,
                        pattern,
                    });
                    continue;
                }
            }
            if is_dir {
                // The directory's own entry is made after its contents are known.
                listing.items.push(Item::Leaf(placeholder()));
                subdirs.push((
                    listing.items.len() - 1,
                    child,
                    child_rel,
                    child_info,
                    decision,
                ));
                continue;
            }
            let stat = match stat.map_or_else(|| stat_at(dir_fd, &child.name), Ok) {
                Ok(stat) => stat,
                Err(err) => {
                    listing.warnings.push(WalkWarning {
                        path: display(&child_rel).0,
                        message: format!("cannot stat: {err}"),
                    });
                    continue;
                }
            };
            let mut entry = self.entry(dir_fd, &child.name, &child_rel, kind, &stat);
            entry.kept_by_exception = decision.decided_by;
            if kind == EntryKind::File && stat.st_mode & 0o444 == 0 {
                listing.warnings.push(WalkWarning {
                    path: entry.path.clone(),
                    message: "no read permission: BuildKit would fail to send it".to_owned(),
                });
            }
            listing.files += 1;
            listing.bytes += entry.size;
            listing.any_sent = true;
            listing.items.push(Item::Leaf(entry));
        }

        let walked: Vec<Result<(usize, Item), WalkError>> = subdirs
            .into_par_iter()
            .map(|(slot, child, child_rel, child_info, decision)| {
                let child_excluded = decision.excluded;
                let opened = open_subdir(dir_fd, &child.name);
                // fstat on the descriptor we need anyway spares a name lookup.
                let stat = match &opened {
                    Ok(fd) => rustix::fs::fstat(fd).ok(),
                    Err(_) => stat_at(dir_fd, &child.name).ok(),
                };
                let mut entry = match stat {
                    Some(stat) => {
                        self.entry(dir_fd, &child.name, &child_rel, EntryKind::Dir, &stat)
                    }
                    None => {
                        let (path, raw_path) = display(&child_rel);
                        ContextEntry {
                            path,
                            raw_path,
                            ..placeholder()
                        }
                    }
                };
                if !child_excluded {
                    entry.kept_by_exception = decision.decided_by;
                }
                let sub = match opened {
                    Ok(fd) => self.walk_dir(fd, &child_rel, &child_info, child_excluded)?,
                    Err(err) => {
                        let mut sub = Listing::default();
                        sub.warnings
                            .push(unreadable_dir(&child_rel, &err, child_excluded));
                        sub
                    }
                };
                Ok((
                    slot,
                    Item::Dir {
                        entry,
                        excluded: child_excluded,
                        listing: sub,
                    },
                ))
            })
            .collect();
        for result in walked {
            let (slot, item) = result?;
            if let Item::Dir {
                excluded,
                listing: sub,
                ..
            } = &item
            {
                listing.files += sub.files;
                listing.bytes += sub.bytes;
                listing.any_sent |= !excluded || sub.any_sent;
            }
            listing.items[slot] = item;
        }
        Ok(listing)
    }
}

fn unreadable_dir(rel: &[u8], err: &std::io::Error, excluded: bool) -> WalkWarning {
    let consequence = if excluded {
        "skipped; it is excluded, so BuildKit skips it too"
    } else {
        "BuildKit would fail to send the context"
    };
    WalkWarning {
        path: if rel.is_empty() {
            ".".to_owned()
        } else {
            display(rel).0
        },
        message: format!("cannot read directory: {err} ({consequence})"),
    }
}

fn placeholder() -> ContextEntry {
    ContextEntry {
        path: String::new(),
        kind: EntryKind::Dir,
        size: 0,
        mode: 0,
        mtime: 0,
        link_target: None,
        link_escapes_context: false,
        digest: None,
        kept_by_exception: None,
        raw_path: None,
    }
}

/// Files (non-directories) under the open directory `fd` and, when `with_bytes`, their bytes;
/// counted in parallel, unreadable parts left out.
fn measure_tree(fd: OwnedFd, with_bytes: bool) -> (u64, u64) {
    let mut files = 0;
    let mut bytes = 0;
    let mut subdirs: Vec<CString> = Vec::new();
    let size_of = |name: &CStr| {
        stat_at(fd.as_fd(), name).map_or(0, |st| u64::try_from(st.st_size).unwrap_or(0))
    };
    let _ = for_each_entry(&fd, |name, file_type| match file_type {
        FileType::Directory => subdirs.push(name.to_owned()),
        FileType::Unknown => match stat_at(fd.as_fd(), name) {
            Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::Directory => {
                subdirs.push(name.to_owned());
            }
            Ok(st) => {
                files += 1;
                bytes += u64::try_from(st.st_size).unwrap_or(0);
            }
            Err(_) => {}
        },
        _ => {
            files += 1;
            if with_bytes {
                bytes += size_of(name);
            }
        }
    });
    let (sub_files, sub_bytes) = subdirs
        .par_iter()
        .map(|name| open_subdir(fd.as_fd(), name).map_or((0, 0), |fd| measure_tree(fd, with_bytes)))
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    (files + sub_files, bytes + sub_bytes)
}

fn flatten(listing: Listing, walk: &mut ContextWalk) {
    walk.excluded.extend(listing.excluded);
    walk.warnings.extend(listing.warnings);
    for item in listing.items {
        match item {
            Item::Leaf(entry) => walk.entries.push(entry),
            Item::Dir {
                entry,
                excluded,
                listing,
            } => {
                if !excluded || listing.any_sent {
                    walk.dirs.push(DirTotals {
                        path: entry.path.clone(),
                        files: listing.files,
                        bytes: listing.bytes,
                    });
                    walk.entries.push(entry);
                }
                flatten(listing, walk);
            }
        }
    }
}

thread_local! {
    /// One read buffer per hashing thread, so files are not each given a fresh buffer.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn hash_entries(walk: &mut ContextWalk) {
    use sha2::Digest as _;
    let started = Instant::now();
    let root = walk.root.clone();
    let results: Vec<Option<WalkWarning>> = walk
        .entries
        .par_iter_mut()
        .filter(|e| e.kind == EntryKind::File)
        .map(|entry| {
            let abs = root.join(std::ffi::OsStr::from_bytes(entry.path_bytes()));
            let mut hasher = sha2::Sha256::new();
            let outcome = fs::File::open(&abs).and_then(|mut file| {
                READ_BUFFER.with_borrow_mut(|buf| {
                    if buf.is_empty() {
                        buf.resize(256 * 1024, 0);
                    }
                    loop {
                        let n = file.read(buf)?;
                        if n == 0 {
                            return Ok(());
                        }
                        hasher.update(&buf[..n]);
                    }
                })
            });
            match outcome {
                Ok(()) => {
                    entry.digest = Some(format!("sha256:{}", hex(&hasher.finalize())));
                    None
                }
                Err(err) => Some(WalkWarning {
                    path: entry.path.clone(),
                    message: format!("cannot read: {err} (BuildKit would fail to send it)"),
                }),
            }
        })
        .collect();
    let files = walk.files().filter(|e| e.digest.is_some()).count() as u64;
    let bytes = walk
        .files()
        .filter(|e| e.digest.is_some())
        .map(|e| e.size)
        .sum();
    walk.warnings.extend(results.into_iter().flatten());
    walk.hash_stats = Some(HashStats {
        files,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
    });
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn write(root: &Path, rel: &str, content: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }

    fn sent(walk: &ContextWalk) -> Vec<String> {
        walk.files().map(|e| e.path.clone()).collect()
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "Dockerfile", "FROM scratch\n");
        write(root, "src/main.rs", "fn main() {}\n");
        write(root, "src/lib.rs", "");
        write(root, "node_modules/a/index.js", "module.exports = 1;\n");
        write(root, "node_modules/b/package.json", "{}\n");
        write(root, "docs/guide.md", "# guide\n");
        write(root, "docs/keep/notes.md", "notes\n");
        write(root, "a.txt", "a");
        dir
    }

    #[test]
    fn walk_order_is_fsutil_order() {
        let dir = tree();
        let walk =
            walk_context(dir.path(), &Dockerignore::empty(), WalkOptions::default()).unwrap();
        let all: Vec<&str> = walk.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            all,
            [
                "Dockerfile",
                "a.txt",
                "docs",
                "docs/guide.md",
                "docs/keep",
                "docs/keep/notes.md",
                "node_modules",
                "node_modules/a",
                "node_modules/a/index.js",
                "node_modules/b",
                "node_modules/b/package.json",
                "src",
                "src/lib.rs",
                "src/main.rs",
            ]
        );
        assert_eq!(walk.dirs[0].files, 8);
    }

    #[test]
    fn excluded_dirs_with_and_without_exceptions() {
        let dir = tree();
        let rules = Dockerignore::parse(b"node_modules\ndocs\n!docs/keep\n", None).unwrap();
        let options = WalkOptions {
            excluded: ExcludedScan::Measure,
            ..WalkOptions::default()
        };
        let walk = walk_context(dir.path(), &rules, options).unwrap();
        assert_eq!(
            sent(&walk),
            [
                "Dockerfile",
                "a.txt",
                "docs/keep/notes.md",
                "src/lib.rs",
                "src/main.rs"
            ]
        );
        // docs is excluded but walked (an exception lies below); it is still sent as a parent.
        assert!(walk.entries.iter().any(|e| e.path == "docs"));
        let node_modules = walk
            .excluded
            .iter()
            .find(|x| x.path == "node_modules")
            .unwrap();
        assert_eq!((node_modules.files, node_modules.bytes), (2, 23));
        assert_eq!(node_modules.pattern, 0);
        let guide = walk
            .excluded
            .iter()
            .find(|x| x.path == "docs/guide.md")
            .unwrap();
        assert_eq!((guide.files, guide.pattern), (1, 1));
    }

    #[test]
    fn symlinks_are_sent_as_links_and_never_followed() {
        let dir = tree();
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "secret/key", "do not send");
        symlink(outside.path().join("secret"), dir.path().join("escape")).unwrap();
        symlink("../../etc/passwd", dir.path().join("src/up")).unwrap();
        symlink("main.rs", dir.path().join("src/inside")).unwrap();
        let walk =
            walk_context(dir.path(), &Dockerignore::empty(), WalkOptions::default()).unwrap();
        let escape = walk.entries.iter().find(|e| e.path == "escape").unwrap();
        assert_eq!(escape.kind, EntryKind::Symlink);
        assert!(escape.link_escapes_context);
        assert!(!walk.entries.iter().any(|e| e.path.starts_with("escape/")));
        let up = walk.entries.iter().find(|e| e.path == "src/up").unwrap();
        assert!(up.link_escapes_context);
        let inside = walk
            .entries
            .iter()
            .find(|e| e.path == "src/inside")
            .unwrap();
        assert_eq!(inside.link_target.as_deref(), Some("main.rs"));
        assert!(!inside.link_escapes_context);
    }

    #[test]
    fn unreadable_entries_warn_without_failing() {
        let dir = tree();
        let locked = dir.path().join("locked");
        fs::create_dir(&locked).unwrap();
        write(dir.path(), "locked/x", "x");
        write(dir.path(), "private.key", "k");
        fs::set_permissions(
            dir.path().join("private.key"),
            fs::Permissions::from_mode(0o000),
        )
        .unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        let root_can_read = fs::read_dir(&locked).is_ok();
        let options = WalkOptions {
            hash: true,
            ..WalkOptions::default()
        };
        let walk = walk_context(dir.path(), &Dockerignore::empty(), options).unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        assert!(
            walk.warnings
                .iter()
                .any(|w| w.path == "private.key" && w.message.contains("no read permission"))
        );
        if !root_can_read {
            assert!(walk.warnings.iter().any(|w| w.path == "locked"));
        }
        assert!(walk.hash_stats.is_some());
    }

    #[test]
    fn hashing_gives_sha256_of_content() {
        let dir = tree();
        let options = WalkOptions {
            hash: true,
            ..WalkOptions::default()
        };
        let walk = walk_context(dir.path(), &Dockerignore::empty(), options).unwrap();
        let a = walk.entries.iter().find(|e| e.path == "a.txt").unwrap();
        assert_eq!(
            a.digest.as_deref(),
            Some("sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb")
        );
        let stats = walk.hash_stats.unwrap();
        assert_eq!(stats.files, 8);
    }

    #[test]
    fn invalid_pattern_fails_the_walk_naming_the_line() {
        let dir = tree();
        let rules =
            Dockerignore::parse(b"# x\n[Local-Only]\n", Some(Path::new(".dockerignore"))).unwrap();
        let err = walk_context(dir.path(), &rules, WalkOptions::default()).unwrap_err();
        assert!(err.to_string().starts_with(".dockerignore:2: "), "{err}");
    }

    #[test]
    fn link_escape_is_lexical() {
        assert!(escapes_context(b"a", b"/etc"));
        assert!(escapes_context(b"a", b"../x"));
        assert!(!escapes_context(b"d/a", b"../x"));
        assert!(escapes_context(b"d/a", b"../../x"));
        assert!(!escapes_context(b"d/a", b"./x/../y"));
    }
}
