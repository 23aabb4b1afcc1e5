//! Reading one layer blob into a compact file tree.
//!
//! The blob is streamed: gzip and zstd are decoded on the fly, file contents are hashed as they
//! pass (never held), and an uncompressed layer that need not be verified is read by seeking
//! from tar header to tar header without touching file contents at all.

use foldhash::HashMap;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::sync::Arc;

use xxhash_rust::xxh3::Xxh3;

use crate::blob::{self, BombGuard, BombLimit, Compression, HashingReader, NoProgress, Progress};
use crate::error::{ImageError, Result};
use crate::paths::{self, Interner, NONE, PathId, PathTable, ROOT, Sym};
use crate::spec::Digest;

/// What kind of filesystem object a tar entry (or an implied parent directory) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A directory that has no entry of its own in this layer, only entries below it.
    Implicit,
    /// A directory.
    Dir,
    /// A regular file.
    File,
    /// A symbolic link.
    Symlink,
    /// A hard link to another entry.
    HardLink,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A named pipe.
    Fifo,
}

impl EntryKind {
    /// Directories, explicit or implied.
    pub fn is_dir(self) -> bool {
        matches!(self, EntryKind::Dir | EntryKind::Implicit)
    }
}

/// Everything kept about one entry: about 48 bytes.
#[derive(Debug, Clone, Copy)]
pub struct EntryInfo {
    /// The kind of object.
    pub kind: EntryKind,
    /// Permission and special bits (`0o4755`).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// The size the tar header gives (0 for links and directories).
    pub size: u64,
    /// Index into [`LayerTree::links`] for links, else `NONE`.
    pub link: u32,
    /// xxh3 of the contents when they were read, else 0.
    pub content: u64,
    /// Where the contents start in the uncompressed tar (to compare contents later).
    pub data_offset: u64,
    /// Bit flags (`OPAQUE`).
    pub flags: u8,
}

/// The directory carries an opaque whiteout: lower layers' contents are hidden.
pub const OPAQUE: u8 = 1;

impl EntryInfo {
    fn implicit() -> EntryInfo {
        EntryInfo {
            kind: EntryKind::Implicit,
            mode: 0,
            uid: 0,
            gid: 0,
            size: 0,
            link: NONE,
            content: 0,
            data_offset: 0,
            flags: 0,
        }
    }
}

/// A node while a layer is parsed (names local to the layer).
#[derive(Debug)]
struct RawNode {
    parent: u32,
    name: Sym,
    info: EntryInfo,
}

/// Options for reading layers.
#[derive(Clone)]
pub struct ReadOptions {
    /// Hash every blob and compare with its digest (always on for registry blobs).
    pub verify: bool,
    /// Limits on decompression.
    pub bomb: BombLimit,
    /// Receives byte counts.
    pub progress: Arc<dyn Progress>,
    /// Files whose contents to keep (package databases), chosen by path components.
    pub capture: Option<CaptureFilter>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            verify: false,
            bomb: BombLimit::default(),
            progress: Arc::new(NoProgress),
            capture: None,
        }
    }
}

impl std::fmt::Debug for ReadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOptions")
            .field("verify", &self.verify)
            .field("bomb", &self.bomb)
            .finish_non_exhaustive()
    }
}

/// Chooses files whose contents to keep, by path components.
pub type CaptureFilter = fn(&[&[u8]]) -> bool;

/// Largest file whose contents [`ReadOptions::capture`] keeps.
pub const MAX_CAPTURE: u64 = 64 << 20;

/// Something to read from the start, seekable or not.
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// An opened blob.
pub enum BlobStream {
    /// A file region: an uncompressed layer can be skimmed by seeking.
    Seekable(Box<dyn ReadSeek>),
    /// A network or pipe stream.
    Stream(Box<dyn Read + Send>),
}

/// A layer blob to read, and what it should hash to.
pub struct LayerInput {
    /// The bytes.
    pub stream: BlobStream,
    /// The blob's length when known.
    pub len: Option<u64>,
    /// Names the blob in messages.
    pub context: String,
    /// Digest of the blob as stored (checked when verifying).
    pub digest: Option<Digest>,
    /// Digest of the uncompressed tar (checked when verifying).
    pub diff_id: Option<Digest>,
    /// Verify even without `--verify` (registry blobs).
    pub must_verify: bool,
}

/// A layer as read, before its paths join the image's path table.
pub struct RawLayer {
    names: Interner,
    nodes: Vec<RawNode>,
    links: Vec<Box<[u8]>>,
    captured: Vec<(u32, Vec<u8>)>,
    /// Σ of the sizes in the tar headers: dive's layer size.
    pub size: u64,
    /// Tar entries read.
    pub entries: u64,
    /// Bytes of the blob as stored.
    pub compressed_size: u64,
    /// Bytes of the uncompressed tar stream (0 when skimmed by seeking).
    pub tar_size: u64,
    /// The compression found.
    pub compression: Compression,
    /// Whether the digests were checked.
    pub verified: bool,
    /// Things wrong with the layer that did not stop reading it.
    pub warnings: Vec<String>,
    child_map: HashMap<(u32, Sym), u32>,
    duplicates: u64,
}

impl RawLayer {
    fn new() -> RawLayer {
        RawLayer {
            names: Interner::default(),
            nodes: vec![RawNode {
                parent: NONE,
                name: NONE,
                info: EntryInfo {
                    kind: EntryKind::Dir,
                    ..EntryInfo::implicit()
                },
            }],
            links: Vec::new(),
            captured: Vec::new(),
            size: 0,
            entries: 0,
            compressed_size: 0,
            tar_size: 0,
            compression: Compression::None,
            verified: false,
            warnings: Vec::new(),
            child_map: HashMap::default(),
            duplicates: 0,
        }
    }

    fn warn(&mut self, message: String) {
        // Enough to show what is wrong without a hostile layer flooding memory.
        if self.warnings.len() < 20 {
            self.warnings.push(message);
        } else if self.warnings.len() == 20 {
            self.warnings
                .push("more warnings for this layer omitted".to_string());
        }
    }

    /// Adds an entry the way dive's `AddPath` does: missing parents are created empty, an
    /// existing node keeps its children and takes the new metadata, and names starting with
    /// `.wh..wh..` (the opaque marker) are not added.
    fn add(&mut self, comps: &[&[u8]], info: EntryInfo) -> Option<u32> {
        let mut node = 0u32;
        let last = comps.len().saturating_sub(1);
        for (i, comp) in comps.iter().enumerate() {
            let sym = self.names.intern(comp);
            if let Some(&child) = self.child_map.get(&(node, sym)) {
                node = child;
            } else {
                if comp.starts_with(b".wh..wh..") {
                    if i == last
                        && *comp == b".wh..wh..opq"
                        && let Some(n) = self.nodes.get_mut(node as usize)
                    {
                        n.info.flags |= OPAQUE;
                    }
                    return None;
                }
                let id = u32::try_from(self.nodes.len()).unwrap_or(NONE - 1);
                self.nodes.push(RawNode {
                    parent: node,
                    name: sym,
                    info: EntryInfo::implicit(),
                });
                self.child_map.insert((node, sym), id);
                node = id;
            }
            if i == last {
                let n = self.nodes.get_mut(node as usize)?;
                if n.info.kind != EntryKind::Implicit
                    && !(n.info.kind.is_dir() && info.kind.is_dir())
                {
                    self.duplicates += 1;
                }
                let flags = n.info.flags;
                n.info = info;
                n.info.flags |= flags;
                return Some(node);
            }
        }
        None
    }
}

fn kind_of(t: tar::EntryType) -> Option<EntryKind> {
    use tar::EntryType as T;
    Some(match t {
        T::Regular | T::Continuous | T::GNUSparse => EntryKind::File,
        T::Directory => EntryKind::Dir,
        T::Symlink => EntryKind::Symlink,
        T::Link => EntryKind::HardLink,
        T::Char => EntryKind::CharDevice,
        T::Block => EntryKind::BlockDevice,
        T::Fifo => EntryKind::Fifo,
        _ => return None,
    })
}

/// Reads one layer blob.
pub fn read_layer(input: LayerInput, opts: &ReadOptions) -> Result<RawLayer> {
    let context = input.context.clone();
    let verify = opts.verify || input.must_verify;
    match input.stream {
        BlobStream::Seekable(mut file) if !verify => {
            let mut prefix = [0u8; 4];
            let n = read_prefix(&mut file, &mut prefix).map_err(|e| ImageError::io(&context, e))?;
            file.seek(io::SeekFrom::Start(0))
                .map_err(|e| ImageError::io(&context, e))?;
            let compression = Compression::sniff(prefix.get(..n).unwrap_or_default());
            if compression == Compression::None {
                return read_skimming(file, input.len, &context, opts);
            }
            read_streaming(Box::new(file), input.len, None, None, &context, opts)
        }
        BlobStream::Seekable(file) => read_streaming(
            Box::new(file),
            input.len,
            input.digest.as_ref(),
            input.diff_id.as_ref(),
            &context,
            opts,
        ),
        BlobStream::Stream(stream) => {
            let (digest, diff_id) = if verify {
                (input.digest.as_ref(), input.diff_id.as_ref())
            } else {
                (None, None)
            };
            read_streaming(stream, input.len, digest, diff_id, &context, opts)
        }
    }
}

fn read_prefix(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let Some(rest) = buf.get_mut(filled..) else {
            break;
        };
        match r.read(rest)? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Reads a layer from any stream (a member of an outer tar being streamed), checking the
/// digests when given.
pub fn read_layer_stream(
    stream: &mut dyn Read,
    digest: Option<&Digest>,
    diff_id: Option<&Digest>,
    context: &str,
    opts: &ReadOptions,
) -> Result<RawLayer> {
    read_streaming(Box::new(stream), None, digest, diff_id, context, opts)
}

/// A read buffer that seeks inside its window without a system call: skimming a tar of small
/// files is then one read per 64 KiB instead of a read and a seek per entry.
pub struct Windowed<R> {
    inner: R,
    buf: Vec<u8>,
    start: u64,
    len: usize,
    cursor: usize,
}

impl<R: Read + Seek> Windowed<R> {
    /// Wraps `inner`, positioned at its start.
    pub fn new(inner: R) -> Windowed<R> {
        Windowed {
            inner,
            buf: vec![0; 64 * 1024],
            start: 0,
            len: 0,
            cursor: 0,
        }
    }
}

impl<R: Read + Seek> Read for Windowed<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.cursor >= self.len {
            self.start += self.len as u64;
            self.cursor = 0;
            self.len = 0;
            if out.len() >= self.buf.len() {
                let n = self.inner.read(out)?;
                self.start += n as u64;
                return Ok(n);
            }
            self.len = self.inner.read(&mut self.buf)?;
            if self.len == 0 {
                return Ok(0);
            }
        }
        let avail = self.buf.get(self.cursor..self.len).unwrap_or_default();
        let n = avail.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.cursor += n;
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for Windowed<R> {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        let here = self.start + self.cursor as u64;
        let target = match to {
            io::SeekFrom::Start(n) => n,
            io::SeekFrom::Current(d) => here
                .checked_add_signed(d)
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek out of range"))?,
            io::SeekFrom::End(_) => {
                let pos = self.inner.seek(to)?;
                self.start = pos;
                self.len = 0;
                self.cursor = 0;
                return Ok(pos);
            }
        };
        if target >= self.start && target <= self.start + self.len as u64 {
            self.cursor = usize::try_from(target - self.start).unwrap_or(self.len);
        } else {
            self.inner.seek(io::SeekFrom::Start(target))?;
            self.start = target;
            self.len = 0;
            self.cursor = 0;
        }
        Ok(target)
    }
}

/// Reads an uncompressed tar by seeking past file contents (tar headers give the sizes).
fn read_skimming(
    file: Box<dyn ReadSeek>,
    len: Option<u64>,
    context: &str,
    opts: &ReadOptions,
) -> Result<RawLayer> {
    let mut layer = RawLayer::new();
    layer.compression = Compression::None;
    layer.compressed_size = len.unwrap_or(0);
    layer.tar_size = len.unwrap_or(0);
    let mut archive = tar::Archive::new(Windowed::new(file));
    let entries = archive
        .entries_with_seek()
        .map_err(|e| blob::io_error(context, e))?;
    let mut last_reported = 0u64;
    for entry in entries {
        let mut entry = entry.map_err(|e| tar_error(context, e))?;
        let offset = entry.raw_file_position();
        let size = entry.size();
        if let Some(len) = len
            && offset.saturating_add(size) > len
        {
            return Err(ImageError::invalid(
                context,
                format!(
                    "truncated: entry {:?} claims {size} bytes at offset {offset} but the blob has {len}",
                    String::from_utf8_lossy(&entry.path_bytes())
                ),
            ));
        }
        let pos = offset.saturating_add(size);
        opts.progress.advance(pos.saturating_sub(last_reported));
        last_reported = pos;
        add_entry(&mut layer, &mut entry, context, opts, false)?;
    }
    if let Some(len) = len {
        opts.progress.advance(len.saturating_sub(last_reported));
    }
    finish_warnings(&mut layer);
    Ok(layer)
}

/// Reads a tar stream, decompressing and hashing as it goes.
fn read_streaming(
    stream: Box<dyn Read + '_>,
    len: Option<u64>,
    digest: Option<&Digest>,
    diff_id: Option<&Digest>,
    context: &str,
    opts: &ReadOptions,
) -> Result<RawLayer> {
    let mut layer = RawLayer::new();
    let hashing = HashingReader::new(stream, digest, Some(Arc::clone(&opts.progress)));
    let compressed = hashing.counter();
    let mut buffered = BufReader::with_capacity(256 * 1024, hashing);
    let prefix = buffered
        .fill_buf()
        .map_err(|e| blob::io_error(context, e))?;
    layer.compression = Compression::sniff(prefix);
    let decoded = blob::decoder(layer.compression, &mut buffered, context)?;
    let guarded: Box<dyn Read + '_> = if layer.compression == Compression::None {
        decoded
    } else {
        Box::new(BombGuard::new(
            decoded,
            Arc::clone(&compressed),
            opts.bomb,
            context.to_string(),
        ))
    };
    // The uncompressed tar needs its own hash unless it is the blob and the blob's digest is
    // the diff ID (then the blob hash already covers it).
    let blob_is_tar = layer.compression == Compression::None;
    let hash_tar = diff_id.filter(|d| !(blob_is_tar && digest == Some(*d)));
    let tar_hashing = HashingReader::new(guarded, hash_tar, None);
    let tar_count = tar_hashing.counter();
    let mut archive = tar::Archive::new(tar_hashing);
    {
        let entries = archive.entries().map_err(|e| blob::io_error(context, e))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| tar_error(context, e))?;
            add_entry(&mut layer, &mut entry, context, opts, true)?;
        }
    }
    // Drain the end-of-archive blocks and padding so the digests cover every byte.
    let tar_hashing = archive.into_inner();
    let tar_digest = tar_hashing
        .finish()
        .map_err(|e| blob::io_error(context, e))?;
    layer.tar_size = tar_count.load(std::sync::atomic::Ordering::Relaxed);
    drop(buffered.fill_buf());
    let hashing = buffered.into_inner();
    let blob_digest = hashing.finish().map_err(|e| blob::io_error(context, e))?;
    layer.compressed_size = compressed.load(std::sync::atomic::Ordering::Relaxed);
    if let Some(len) = len
        && layer.compressed_size != len
    {
        return Err(ImageError::invalid(
            context,
            format!(
                "the blob has {} bytes but its descriptor says {len}",
                layer.compressed_size
            ),
        ));
    }
    if let Some(d) = diff_id {
        let actual = if hash_tar.is_some() {
            tar_digest
        } else {
            blob_digest.clone()
        };
        if actual.is_none() {
            return Err(ImageError::invalid(
                context,
                "internal: no digest computed for the diff ID",
            ));
        }
        blob::check_digest(&format!("{context} (uncompressed)"), d, actual)?;
        layer.verified = true;
    }
    if let Some(d) = digest {
        blob::check_digest(context, d, blob_digest)?;
        layer.verified = true;
    }
    finish_warnings(&mut layer);
    Ok(layer)
}

fn finish_warnings(layer: &mut RawLayer) {
    if layer.duplicates > 0 {
        let n = layer.duplicates;
        layer.warn(format!(
            "{n} duplicate entries (the last one of each path wins)"
        ));
    }
    layer.child_map = HashMap::default();
}

fn tar_error(context: &str, err: io::Error) -> ImageError {
    match blob::io_error(context, err) {
        ImageError::Invalid { context, message } => ImageError::Invalid {
            context,
            message: format!("not a valid tar layer: {message}"),
        },
        other => other,
    }
}

fn add_entry<R: Read>(
    layer: &mut RawLayer,
    entry: &mut tar::Entry<'_, R>,
    context: &str,
    opts: &ReadOptions,
    reading: bool,
) -> Result<()> {
    let header = entry.header();
    let entry_type = header.entry_type();
    let size = entry.size();
    let path = entry.path_bytes().into_owned();
    let Some(kind) = kind_of(entry_type) else {
        if !matches!(
            entry_type,
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader
        ) {
            layer.warn(format!(
                "entry {:?}: unsupported tar type {:?}, skipped",
                String::from_utf8_lossy(&path),
                entry_type.as_byte() as char
            ));
        }
        return Ok(());
    };
    let comps = match paths::clean_components(&path) {
        Ok(c) => c,
        Err(why) => {
            layer.size = layer.size.saturating_add(size);
            layer.entries += 1;
            layer.warn(format!(
                "entry {:?}: {why}; skipped",
                String::from_utf8_lossy(&path)
            ));
            return Ok(());
        }
    };
    if comps.is_empty() {
        // `.` or `/`: dive skips these too.
        return Ok(());
    }
    layer.entries += 1;
    layer.size = layer.size.saturating_add(size);
    // Empty or garbled numeric fields read as 0, as Go's archive/tar (and so dive) reads
    // empty ones; garbled ones are noted.
    let (mode, uid, gid) = match (header.mode(), header.uid(), header.gid()) {
        (Ok(m), Ok(u), Ok(g)) => (
            m,
            u32::try_from(u).unwrap_or(u32::MAX),
            u32::try_from(g).unwrap_or(u32::MAX),
        ),
        (m, u, g) => {
            let raw = header.as_old();
            let empty = |f: &[u8]| f.iter().all(|b| *b == 0 || *b == b' ');
            if !(empty(&raw.mode) && empty(&raw.uid) && empty(&raw.gid)) {
                layer.warn(format!(
                    "entry {:?}: unreadable mode, uid or gid in the tar header; read as 0",
                    String::from_utf8_lossy(&path)
                ));
            }
            (
                m.unwrap_or(0),
                u.ok().and_then(|v| u32::try_from(v).ok()).unwrap_or(0),
                g.ok().and_then(|v| u32::try_from(v).ok()).unwrap_or(0),
            )
        }
    };
    let link = if matches!(kind, EntryKind::Symlink | EntryKind::HardLink) {
        let target = entry
            .link_name_bytes()
            .map(|c| c.into_owned())
            .unwrap_or_default();
        let id = u32::try_from(layer.links.len()).unwrap_or(NONE - 1);
        layer.links.push(target.into_boxed_slice());
        id
    } else {
        NONE
    };
    let mut info = EntryInfo {
        kind,
        mode: mode & 0o7777,
        uid,
        gid,
        size,
        link,
        content: 0,
        data_offset: entry.raw_file_position(),
        flags: 0,
    };
    let capture =
        kind == EntryKind::File && size <= MAX_CAPTURE && opts.capture.is_some_and(|f| f(&comps));
    let mut captured = None;
    if kind == EntryKind::File && size > 0 && (reading || capture) {
        let mut hasher = Xxh3::new();
        let mut kept = capture.then(Vec::new);
        let mut buf = [0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = entry.read(&mut buf).map_err(|e| tar_error(context, e))?;
            if n == 0 {
                break;
            }
            let chunk = buf.get(..n).unwrap_or_default();
            hasher.update(chunk);
            if let Some(k) = &mut kept {
                k.extend_from_slice(chunk);
            }
            total += n as u64;
        }
        if total != size {
            return Err(ImageError::invalid(
                context,
                format!(
                    "truncated: entry {:?} claims {size} bytes but only {total} follow",
                    String::from_utf8_lossy(&path)
                ),
            ));
        }
        info.content = hasher.digest().max(1);
        captured = kept;
    }
    let comps_owned: Vec<&[u8]> = comps;
    if let Some(node) = layer.add(&comps_owned, info)
        && let Some(data) = captured
    {
        layer.captured.push((node, data));
    }
    Ok(())
}

/// A layer's file tree, its paths in the image's [`PathTable`].
#[derive(Debug, Clone)]
pub struct LayerTree {
    /// Node 0 is the root.
    pub nodes: Vec<LayerNode>,
    child_start: Vec<u32>,
    children: Vec<u32>,
    /// Link targets, as written in the tar.
    pub links: Vec<Box<[u8]>>,
    /// Files whose contents were kept, by node.
    pub captured: Vec<(u32, Vec<u8>)>,
    /// Σ of the header sizes (dive's layer size).
    pub size: u64,
    /// Tar entries.
    pub entries: u64,
    /// Stored (compressed) size.
    pub compressed_size: u64,
    /// Uncompressed tar bytes (0 if skimmed).
    pub tar_size: u64,
    /// Compression.
    pub compression: Compression,
    /// Digests checked.
    pub verified: bool,
    /// Problems that did not stop reading.
    pub warnings: Vec<String>,
}

/// One node of a [`LayerTree`].
#[derive(Debug, Clone, Copy)]
pub struct LayerNode {
    /// The node's path (for a whiteout, the `.wh.` name itself).
    pub path: PathId,
    /// For a whiteout `.wh.NAME`, the path of `NAME`; else `NONE`.
    pub target: PathId,
    /// Parent node (`NONE` for the root).
    pub parent: u32,
    /// Metadata.
    pub info: EntryInfo,
}

impl LayerTree {
    /// Gives a parsed layer's paths ids in `table` and sorts children by name (dive's order).
    pub fn from_raw(raw: RawLayer, table: &mut PathTable) -> LayerTree {
        let RawLayer {
            names,
            nodes: raw_nodes,
            links,
            captured,
            size,
            entries,
            compressed_size,
            tar_size,
            compression,
            verified,
            warnings,
            ..
        } = raw;
        let count = raw_nodes.len();
        let mut nodes = Vec::with_capacity(count);
        let mut child_count = vec![0u32; count + 1];
        for (i, n) in raw_nodes.iter().enumerate() {
            let (path, target) = if i == 0 {
                (ROOT, NONE)
            } else {
                let parent_path = nodes
                    .get(n.parent as usize)
                    .map_or(ROOT, |p: &LayerNode| p.path);
                let name = names.name(n.name);
                let path = table.child(parent_path, name);
                let target = match name.strip_prefix(b".wh.") {
                    Some(rest) if !rest.is_empty() => table.child(parent_path, rest),
                    _ => NONE,
                };
                if let Some(c) = child_count.get_mut(n.parent as usize) {
                    *c += 1;
                }
                (path, target)
            };
            nodes.push(LayerNode {
                path,
                target,
                parent: n.parent,
                info: n.info,
            });
        }
        let mut child_start = Vec::with_capacity(count + 1);
        let mut acc = 0u32;
        for c in &child_count {
            child_start.push(acc);
            acc += c;
        }
        let mut fill = child_start.clone();
        let mut children = vec![0u32; acc as usize];
        for (i, n) in raw_nodes.iter().enumerate().skip(1) {
            if let Some(slot) = fill.get_mut(n.parent as usize) {
                if let Some(c) = children.get_mut(*slot as usize) {
                    *c = i as u32;
                }
                *slot += 1;
            }
        }
        for p in 0..count {
            let (s, e) = (child_start[p] as usize, child_start[p + 1] as usize);
            if let Some(slice) = children.get_mut(s..e) {
                slice.sort_unstable_by(|a, b| {
                    let na = raw_nodes
                        .get(*a as usize)
                        .map_or(&[][..], |n| names.name(n.name));
                    let nb = raw_nodes
                        .get(*b as usize)
                        .map_or(&[][..], |n| names.name(n.name));
                    na.cmp(nb)
                });
            }
        }
        LayerTree {
            nodes,
            child_start,
            children,
            links,
            captured,
            size,
            entries,
            compressed_size,
            tar_size,
            compression,
            verified,
            warnings,
        }
    }

    /// Children of a node, sorted by name.
    pub fn children(&self, node: u32) -> &[u32] {
        let s = self.child_start.get(node as usize).copied().unwrap_or(0) as usize;
        let e = self
            .child_start
            .get(node as usize + 1)
            .copied()
            .unwrap_or(0) as usize;
        self.children.get(s..e).unwrap_or_default()
    }

    /// Whether a node has no children in this layer.
    pub fn is_leaf(&self, node: u32) -> bool {
        self.children(node).is_empty()
    }

    /// Every node except the root in dive's visiting order: depth first, children before
    /// their parent, siblings by name.
    pub fn child_first_order(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.nodes.len());
        // (node, next child index)
        let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
        while let Some((node, next)) = stack.pop() {
            let kids = self.children(node);
            if let Some(&child) = kids.get(next) {
                stack.push((node, next + 1));
                stack.push((child, 0));
            } else if node != 0 {
                out.push(node);
            }
        }
        out
    }

    /// The link target of a node, if it is a link.
    pub fn link(&self, node: &LayerNode) -> Option<&[u8]> {
        if node.info.link == NONE {
            None
        } else {
            self.links.get(node.info.link as usize).map(|l| &l[..])
        }
    }
}
