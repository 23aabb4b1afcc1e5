//! `CopySource::selects` (which the cache model uses, and which works without a walk) agrees
//! with `ContextIndex::resolve` (what a COPY copies from a real context) on random trees and
//! sources.

use dockwright_context::walk::{WalkOptions, walk_context};
use dockwright_context::{ContextIndex, CopySource, Dockerignore};
use proptest::prelude::*;

fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("ab".to_owned()),
        Just("src".to_owned()),
        Just("x.js".to_owned()),
        Just("y.py".to_owned()),
    ]
}

fn tree() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
        proptest::collection::vec(component(), 1..4).prop_map(|c| c.join("/")),
        1..12,
    )
}

fn source_part() -> impl Strategy<Value = String> {
    prop_oneof![
        component(),
        Just("*".to_owned()),
        Just("?".to_owned()),
        Just("*.js".to_owned()),
        Just("a*".to_owned()),
        Just("[ab]".to_owned()),
        Just(".".to_owned()),
        Just("**".to_owned()),
    ]
}

fn source() -> impl Strategy<Value = CopySource> {
    (
        proptest::collection::vec(source_part(), 1..4),
        prop_oneof![Just(""), Just("./"), Just("/")],
        proptest::collection::vec(
            prop_oneof![
                Just("*.py".to_owned()),
                Just("a".to_owned()),
                Just("**/x.js".to_owned())
            ],
            0..2,
        ),
        any::<bool>(),
    )
        .prop_map(|(parts, prefix, excludes, parents)| {
            let mut text = format!("{prefix}{}", parts.join("/"));
            if parents && !text.contains("/./") && parts.len() > 1 {
                text = format!("{}/./{}", parts[0], parts[1..].join("/"));
            }
            CopySource {
                source: text,
                excludes,
                parents,
                line: None,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn selects_agrees_with_resolve(files in tree(), sources in proptest::collection::vec(source(), 1..4)) {
        let dir = tempfile::tempdir().unwrap();
        let mut written = Vec::new();
        for rel in &files {
            let path = dir.path().join(rel);
            // A path whose parent is already a file cannot be made: skip it.
            if path.parent().is_some_and(|p| std::fs::create_dir_all(p).is_err()) || path.is_dir() {
                continue;
            }
            if std::fs::write(&path, rel).is_ok() {
                written.push(rel.clone());
            }
        }
        let rules = Dockerignore::empty();
        let walk = walk_context(dir.path(), &rules, WalkOptions::default()).unwrap();
        let index = ContextIndex::new(&walk);
        for source in &sources {
            let Ok(resolution) = index.resolve(source, &rules) else { continue };
            for entry in walk.files() {
                let copied = resolution.files.iter().any(|f| f.path == entry.path);
                let selected = source.selects(&entry.path, false).unwrap();
                prop_assert_eq!(selected, copied, "source {:?} file {}", source, entry.path);
            }
        }
    }
}
