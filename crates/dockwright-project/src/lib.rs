//! Finds every container build in a repository: Dockerfiles and Containerfiles of every
//! naming, compose files, OpenShift `BuildConfig`s (inline Dockerfiles with a position map back
//! to the YAML), Tekton and Shipwright builds, Skaffold artifacts, GitHub Actions
//! (`docker/build-push-action` and `docker build` run steps, matrices expanded), GitLab CI
//! `docker build` script lines, and docker-bake files.
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
mod gitlab;
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

/// Extracts the text of YAML scalars with their position maps, the path inline Dockerfiles
/// take (for fuzzing and property tests): every scalar value, in every mapping of every
/// document, whose key is `key` (any key when `None`). A YAML syntax error is returned as
/// `(line, column, message)`.
pub fn inline_scalars(
    source: &str,
    key: Option<&str>,
) -> Result<Vec<InlineDockerfile>, (usize, usize, String)> {
    let yaml = yaml::YamlFile::parse(source)
        .map_err(|e| (e.position.line, e.position.column, e.message))?;
    let mut out = Vec::new();
    for data in &yaml.nodes {
        let yaml::NodeKind::Mapping(entries) = &data.kind else {
            continue;
        };
        for &(k, v) in entries {
            if key.is_some() && yaml.node(k).as_str() != key {
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
