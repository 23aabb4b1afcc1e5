//! Snapshots of what the log reader makes of recorded builder output (buildah 1.28, real
//! builds): a two-stage build from a cold cache and its rebuild after a source edit, and a
//! single-stage Next.js build whose RUN steps print hundreds of lines (recorded with each line
//! cut at 150 characters).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use dockwright_build::{LogDialect, parse_log};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn buildah_multistage_cold() {
    let parsed = parse_log(LogDialect::Buildah, &fixture("buildah-multistage-cold.txt"));
    insta::assert_json_snapshot!(parsed);
}

#[test]
fn buildah_multistage_rebuild() {
    let parsed = parse_log(
        LogDialect::Buildah,
        &fixture("buildah-multistage-rebuild.txt"),
    );
    insta::assert_json_snapshot!(parsed);
}

#[test]
fn buildah_node_next_cold() {
    let parsed = parse_log(LogDialect::Buildah, &fixture("buildah-node-next-cold.txt"));
    insta::assert_json_snapshot!(parsed);
}
