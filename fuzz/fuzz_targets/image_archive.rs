//! Whole image archives (docker-archive or OCI archive) on arbitrary bytes: index the outer
//! tar, resolve manifest and config, read the layers, analyze. The input is written to a
//! temporary file because archives are read by seeking.
#![no_main]

use std::io::Write;

use dockwright_image::blob::BombLimit;
use dockwright_image::layer::ReadOptions;
use dockwright_image::source::{self, ResolveOptions};
use dockwright_image::ImageReference;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = tempfile::NamedTempFile::new() else { return };
    if file.write_all(data).is_err() {
        return;
    }
    let reference = ImageReference::Path(file.path().to_path_buf());
    let Ok(resolved) = source::resolve(&reference, &ResolveOptions::default()) else { return };
    let read = ReadOptions {
        bomb: BombLimit { ratio: 50, floor: 1 << 20 },
        ..ReadOptions::default()
    };
    for verify in [false, true] {
        let read = ReadOptions { verify, ..read.clone() };
        let Ok(resolved) = source::resolve(&reference, &ResolveOptions::default()) else { return };
        if let Ok(loaded) = dockwright_image::load::load(resolved, &read) {
            let _ = dockwright_image::report::analyze(&loaded, "fuzz");
        }
    }
    drop(resolved);
});
