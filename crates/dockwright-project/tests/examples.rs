//! Discovery over the example projects: every inline Dockerfile instruction maps to the line
//! and column of the defining YAML file where that instruction is written.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use dockwright_project::{DiscoverOptions, DockerfileSource, discover};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

/// Checks that each instruction keyword of each inline Dockerfile is found, in the defining
/// file, at the position the map gives.
fn check_inline_positions(name: &str, expected_inline: usize) {
    let root = example(name);
    let found = discover(&root, &DiscoverOptions::default()).unwrap();
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    let mut checked = 0;
    for build in &found.builds {
        let DockerfileSource::Inline(inline) = &build.dockerfile else {
            continue;
        };
        checked += 1;
        let source = std::fs::read_to_string(root.join(&inline.file)).unwrap();
        inline.validate(&source).unwrap();
        let lines: Vec<&str> = source.split('\n').collect();
        let doc = dockwright_syntax::parse(&inline.text).unwrap();
        assert!(!doc.instructions().is_empty());
        for instruction in doc.instructions() {
            let keyword = instruction.keyword();
            let p = inline.position(keyword.span.start);
            let line = lines[p.line - 1];
            let at: String = line.chars().skip(p.column - 1).collect();
            assert!(
                at.starts_with(keyword.as_str()),
                "{name}: {} maps to {}:{}: {line:?}",
                keyword.as_str(),
                p.line,
                p.column
            );
            let offset = inline.file_offset(keyword.span.start);
            assert!(source[offset..].starts_with(keyword.as_str()));
        }
    }
    assert_eq!(checked, expected_inline, "{name}");
}

#[test]
fn openshift_inline_dockerfiles_map_to_the_yaml() {
    check_inline_positions("openshift-workbench", 2);
    let found = discover(&example("openshift-workbench"), &DiscoverOptions::default()).unwrap();
    let versioned = found
        .builds
        .iter()
        .find(|b| b.name.as_deref() == Some("parabricks-workbench-build"))
        .unwrap();
    // The BuildConfig is the second document of the file.
    assert_eq!(versioned.origin.line, 7);
    let inline = versioned.dockerfile.inline().unwrap();
    let clean = inline.text.find("RUN dnf clean all").unwrap();
    let p = inline.position(clean);
    assert_eq!((p.line, p.column), (39, 7));
}

#[test]
fn compose_inline_dockerfile_maps_to_the_yaml() {
    check_inline_positions("web-platform", 1);
}

#[test]
fn web_platform_relationships() {
    let found = discover(&example("web-platform"), &DiscoverOptions::default()).unwrap();
    let api: Vec<_> = found
        .builds_of(Path::new("api/Dockerfile"))
        .map(|b| b.target.clone().unwrap())
        .collect();
    assert_eq!(api, ["production", "development"]);
    assert_eq!(found.images.len(), 1);
    assert_eq!(found.unreferenced_dockerfiles().count(), 0);
}

#[test]
fn notebook_tiers_targets_and_default_stage() {
    let found = discover(&example("notebook-tiers"), &DiscoverOptions::default()).unwrap();
    let usage = &found.dockerfiles[0];
    assert_eq!(usage.path, Path::new("Dockerfile"));
    let targets: Vec<_> = usage.targets.iter().map(|t| t.clone().unwrap()).collect();
    assert_eq!(targets, ["tier1", "tier2", "tier3"]);
    // `debug`, the last stage, is what a plain `docker build` builds; CI never builds it.
    assert_eq!(usage.stages.last().unwrap().name.as_deref(), Some("debug"));
    for b in &found.builds {
        assert_eq!(
            b.arg("BASE_IMAGE"),
            Some("quay.io/modh/odh-pytorch-notebook:v2-2025a")
        );
    }
}
