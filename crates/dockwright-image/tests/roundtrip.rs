//! Property: whatever files a layer holds, reading it back (skimmed or streamed, any format)
//! gives the same paths and sizes, and a second layer that deletes some of them makes exactly
//! those bytes reclaimable.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeMap;

use dockwright_image::layer::ReadOptions;
use dockwright_image::source::{self, ResolveOptions};
use dockwright_image::{ImageReference, ImageReport};
use proptest::prelude::*;
use support::*;

fn analyze(reference: &str) -> ImageReport {
    let r = ImageReference::parse(reference).unwrap();
    let loaded = dockwright_image::load::load(
        source::resolve(&r, &ResolveOptions::default()).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap();
    dockwright_image::report::analyze(&loaded, reference)
}

fn files() -> impl Strategy<Value = BTreeMap<String, usize>> {
    prop::collection::btree_map(
        prop::collection::vec("[a-c]{1,2}", 1..4).prop_map(|v| v.join("/")),
        0usize..3000,
        1..25,
    )
    .prop_map(|m| {
        // A path cannot be both a file and a directory.
        let keys: Vec<String> = m.keys().cloned().collect();
        m.into_iter()
            .filter(|(k, _)| !keys.iter().any(|o| o.starts_with(&format!("{k}/"))))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn layers_read_back(files in files(), delete_mask in any::<u32>(), comp in 0usize..3) {
        let comp = [Comp::None, Comp::Gzip, Comp::Zstd][comp];
        let base: Vec<E> = files.iter().enumerate().map(|(i, (p, n))| file(p, &bytes(i as u64, *n))).collect();
        let deleted: Vec<(&String, &usize)> = files.iter().enumerate().filter(|(i, _)| delete_mask & (1 << (i % 32)) != 0).map(|(_, f)| f).collect();
        let img = TestImage::new(vec![
            layer("base", base),
            layer("delete", deleted.iter().map(|(p, _)| E::Whiteout((*p).clone())).collect()),
        ]);
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a.tar");
        img.write_docker_archive(&a, &[comp, comp]);
        let l = t.path().join("l");
        img.write_oci_layout(&l, &[comp, Comp::None]);
        let ra = analyze(&a.display().to_string());
        let rl = analyze(&l.display().to_string());
        let total: u64 = files.values().map(|n| *n as u64).sum();
        let gone: u64 = deleted.iter().map(|(_, n)| **n as u64).sum();
        for r in [&ra, &rl] {
            prop_assert_eq!(r.layers[0].files_added, files.len() as u64);
            prop_assert_eq!(r.layers[0].bytes_added, total);
            prop_assert_eq!(r.files, (files.len() - deleted.len()) as u64);
            prop_assert_eq!(r.final_size, total - gone);
            prop_assert_eq!(r.reclaimable_deleted, gone);
            prop_assert_eq!(r.layers[1].files_removed, deleted.len() as u64);
            prop_assert_eq!(r.total_size, total);
        }
        prop_assert_eq!(ra.efficiency, rl.efficiency);
        prop_assert_eq!(ra.wasted_bytes, rl.wasted_bytes);
    }
}
