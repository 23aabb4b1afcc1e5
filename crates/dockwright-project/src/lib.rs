//! Finds every container build in a repository: Dockerfiles and Containerfiles of every
//! naming, compose files, OpenShift `BuildConfig`s (inline Dockerfiles with a position map back
//! to the YAML), Tekton and Shipwright builds, GitHub Actions (`docker/build-push-action` and
//! `docker build` run steps, matrices expanded) and docker-bake files.
//!
//! ```no_run
//! use dockwright_project::{discover, DiscoverOptions};
//!
//! let found = discover("examples/web-platform".as_ref(), &DiscoverOptions::default())?;
//! for build in &found.builds {
//!     println!("{} {:?} {:?}", build.origin, build.dockerfile.path(), build.target);
//!     if let Some(inline) = build.dockerfile.inline() {
//!         // Byte 0 of the inline Dockerfile is here in the defining file:
//!         let at = inline.position(0);
//!         println!("inline Dockerfile at {}:{}", at.line, at.column);
//!     }
//! }
//! # Ok::<(), dockwright_project::DiscoverError>(())
//! ```

mod actions;
mod bake;
mod command_line;
mod compose;
mod discovery;
mod inline;
mod interpolate;
mod manifest;
mod model;
mod paths;
mod scan;
mod walk;
mod yaml;

pub use discovery::{DiscoverError, DiscoverOptions, discover};
pub use inline::{InlineDockerfile, InlineSegment};
pub use model::*;
pub use walk::SKIPPED_DIRS;

/// Extracts the inline Dockerfile text of a YAML scalar and its position map, the path used
/// for OpenShift and compose inline Dockerfiles (for fuzzing and property tests): every
/// scalar of every document whose key is `key`. A YAML syntax error is returned with its
/// 1-based line and column.
pub fn inline_scalars(
    source: &str,
    key: &str,
) -> Result<Vec<InlineDockerfile>, (usize, usize, String)> {
    let yaml = yaml::YamlFile::parse(source)
        .map_err(|e| (e.position.line, e.position.column, e.message))?;
    let mut out = Vec::new();
    for (id, data) in yaml.nodes.iter().enumerate() {
        let yaml::NodeKind::Mapping(entries) = &data.kind else {
            continue;
        };
        let _ = id;
        for &(k, v) in entries {
            if yaml.node(k).as_str() != Some(key) {
                continue;
            }
            let node = yaml.node(v);
            let Some((value, style)) = node.scalar() else {
                continue;
            };
            let d = node.data();
            let map = inline::map_yaml_scalar(source, d.start, d.end, style, value);
            out.push(map.finish("inline.yaml".into(), source, &yaml.lines, d.start));
        }
    }
    Ok(out)
}
