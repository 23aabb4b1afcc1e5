//! The layer reader on arbitrary bytes: streamed and skimmed, then trees, dive figures and
//! the merged tree. Any input must give a report or an error, never a panic or a hang.
#![no_main]

use std::io::Cursor;

use dockwright_image::blob::BombLimit;
use dockwright_image::layer::{self, BlobStream, LayerInput, LayerTree, ReadOptions};
use dockwright_image::merge::{self, NoOracle};
use dockwright_image::paths::PathTable;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        bomb: BombLimit { ratio: 50, floor: 1 << 20 },
        ..ReadOptions::default()
    };
    let mut table = PathTable::new();
    let mut trees = Vec::new();
    for seekable in [false, true] {
        let bytes = data.to_vec();
        let stream = if seekable {
            BlobStream::Seekable(Box::new(Cursor::new(bytes)))
        } else {
            BlobStream::Stream(Box::new(Cursor::new(bytes)))
        };
        let input = LayerInput {
            stream,
            len: Some(data.len() as u64),
            context: "fuzz".into(),
            digest: None,
            diff_id: None,
            must_verify: false,
        };
        if let Ok(raw) = layer::read_layer(input, &opts) {
            trees.push(LayerTree::from_raw(raw, &mut table));
        }
    }
    let refs: Vec<&LayerTree> = trees.iter().collect();
    let _ = dockwright_image::dive::figures(&refs, &table);
    let _ = merge::merge(&refs, &table, &NoOracle);
});
