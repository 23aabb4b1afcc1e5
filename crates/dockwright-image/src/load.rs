//! Reading every layer of a resolved image, in parallel, into trees over one path table.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

use crate::error::{ImageError, Result};
use crate::layer::{self, BlobStream, LayerInput, LayerTree, ReadOptions};
use crate::merge::{ContentOracle, Provider};
use crate::paths::PathTable;
use crate::source::{BlobStore, LayerRef, ResolvedImage, SourceKind};
use crate::spec::{Digest, ImageConfig};

/// An image with all its layers read.
pub struct LoadedImage {
    /// The source kind.
    pub kind: SourceKind,
    /// Manifest digest, when there is a manifest.
    pub manifest_digest: Option<String>,
    /// Config digest, when known.
    pub config_digest: Option<String>,
    /// The image config.
    pub config: ImageConfig,
    /// The layer blobs, bottom first.
    pub layer_refs: Vec<LayerRef>,
    /// Every path in the image.
    pub table: PathTable,
    /// One tree per layer, bottom first.
    pub layers: Vec<LayerTree>,
    /// Problems that did not stop reading.
    pub warnings: Vec<String>,
    store: Box<dyn BlobStore>,
}

impl std::fmt::Debug for LoadedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedImage")
            .field("kind", &self.kind)
            .field("layers", &self.layers.len())
            .finish_non_exhaustive()
    }
}

fn parse_digest(text: Option<&String>, context: &str) -> Result<Option<Digest>> {
    text.map(|t| Digest::parse(t, context)).transpose()
}

/// Reads all layers of `image`.
pub fn load(image: ResolvedImage, opts: &ReadOptions) -> Result<LoadedImage> {
    let ResolvedImage {
        kind,
        manifest_digest,
        config_digest,
        config,
        layers: layer_refs,
        store,
        mut warnings,
    } = image;
    // The same blob may appear twice (two identical empty layers); read it once.
    let mut unique: Vec<usize> = Vec::new();
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    let mut slot_of = Vec::with_capacity(layer_refs.len());
    for (i, l) in layer_refs.iter().enumerate() {
        let slot = *first_of.entry(l.name.as_str()).or_insert_with(|| {
            unique.push(i);
            unique.len() - 1
        });
        slot_of.push(slot);
    }
    let total: u64 = unique
        .iter()
        .filter_map(|&i| layer_refs.get(i))
        .filter_map(|l| l.size)
        .sum();
    opts.progress.start(total);
    let must_verify = store.must_verify();
    let raws: Vec<Result<layer::RawLayer>> = unique
        .par_iter()
        .map(|&i| {
            let l = layer_refs
                .get(i)
                .ok_or_else(|| ImageError::invalid("layers", "index out of range"))?;
            if let Some(raw) = store.take_parsed(l) {
                return Ok(raw);
            }
            let context = format!(
                "layer {} ({})",
                i + 1,
                l.digest.as_deref().unwrap_or(&l.name)
            );
            let (stream, len) = store.open_layer(l)?;
            let input = LayerInput {
                stream,
                len,
                digest: parse_digest(l.digest.as_ref(), &context)?,
                diff_id: parse_digest(l.diff_id.as_ref(), &context)?,
                context,
                must_verify,
            };
            layer::read_layer(input, opts)
        })
        .collect();
    let mut table = PathTable::new();
    let mut trees: Vec<LayerTree> = Vec::with_capacity(raws.len());
    for raw in raws {
        trees.push(LayerTree::from_raw(raw?, &mut table));
    }
    let mut layers = Vec::with_capacity(layer_refs.len());
    for (i, &slot) in slot_of.iter().enumerate() {
        let tree = trees
            .get(slot)
            .ok_or_else(|| ImageError::invalid("layers", "index out of range"))?;
        for w in &tree.warnings {
            warnings.push(format!("layer {}: {w}", i + 1));
        }
        layers.push(tree.clone());
    }
    Ok(LoadedImage {
        kind,
        manifest_digest,
        config_digest,
        config,
        layer_refs,
        table,
        layers,
        warnings,
        store,
    })
}

impl LoadedImage {
    fn content_hash(&self, p: Provider) -> Option<u64> {
        let layer = self.layers.get(p.layer as usize)?;
        let node = layer.nodes.get(p.node as usize)?;
        if node.info.content != 0 {
            return Some(node.info.content);
        }
        let r = self.layer_refs.get(p.layer as usize)?;
        let (stream, _) = self.store.open_layer(r).ok()?;
        let BlobStream::Seekable(mut file) = stream else {
            return None;
        };
        file.seek(SeekFrom::Start(node.info.data_offset)).ok()?;
        let mut region = file.take(node.info.size);
        let mut hasher = Xxh3::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = region.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            hasher.update(buf.get(..n)?);
            total += n as u64;
        }
        (total == node.info.size).then(|| hasher.digest())
    }
}

impl ContentOracle for LoadedImage {
    fn same_content(&self, a: Provider, b: Provider) -> Option<bool> {
        Some(self.content_hash(a)? == self.content_hash(b)?)
    }
}
