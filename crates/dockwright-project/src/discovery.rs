//! Discovery of a whole tree: walk, read every definition in parallel, add the Dockerfiles
//! nothing references as builds of their own, check targets against the Dockerfiles' stages,
//! merge duplicates and work out which builds share a Dockerfile.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::interpolate::Variables;
use crate::model::{
    BuildContext, BuildDefinition, DefinitionKind, DefinitionRef, Discovery, DockerfileSource,
    DockerfileUsage, Location, Stage,
};
use crate::paths::{Tree, parent_dir, slash};
use crate::scan::{Found, read_text};
use crate::walk::{Candidate, Kind, walk};
use crate::{actions, bake, compose, gitlab, manifest};

/// Options of [`discover`].
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// Variable values that override compose `.env` files and bake variable defaults (the
    /// role the shell environment plays for the tools; discovery never reads the process
    /// environment itself, so its result depends on the tree alone).
    pub variables: BTreeMap<String, String>,
    /// Threads for the walk (0: one per CPU).
    pub threads: usize,
}

/// Why discovery could not start.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// The path to search cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Root {
        /// The path given.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Finds every build under `root` (a directory, or a single definition file).
///
/// Never fails because of one bad file: what cannot be read is reported in
/// [`Discovery::problems`] with its position, and the other files are still read.
pub fn discover(root: &Path, options: &DiscoverOptions) -> Result<Discovery, DiscoverError> {
    let meta = std::fs::metadata(root).map_err(|source| DiscoverError::Root {
        path: root.to_path_buf(),
        source,
    })?;
    let (tree_root, candidates) = if meta.is_file() {
        let dir = match root.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = PathBuf::from(root.file_name().unwrap_or_default());
        let candidate = crate::walk::candidate(&dir, &name).unwrap_or(Candidate {
            path: name,
            kind: Kind::Dockerfile,
        });
        (dir, vec![candidate])
    } else {
        (root.to_path_buf(), walk(root, options.threads))
    };
    let tree = Tree::new(&tree_root);
    let mut discovery = read_all(&tree, &candidates, &options.variables);
    discovery.root = root.to_path_buf();
    Ok(discovery)
}

/// One unit of parallel work.
enum Job {
    Compose { dir: PathBuf, files: Vec<PathBuf> },
    Bake { dir: PathBuf, files: Vec<PathBuf> },
    Workflow(PathBuf),
    GitlabCi(PathBuf),
    Manifest(PathBuf),
}

fn jobs(candidates: &[Candidate]) -> Vec<Job> {
    let mut compose: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut bake: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut jobs = Vec::new();
    for c in candidates {
        match c.kind {
            Kind::Dockerfile => {}
            Kind::Compose => compose
                .entry(parent_dir(&c.path))
                .or_default()
                .push(c.path.clone()),
            Kind::Bake => bake
                .entry(parent_dir(&c.path))
                .or_default()
                .push(c.path.clone()),
            Kind::Workflow => jobs.push(Job::Workflow(c.path.clone())),
            Kind::GitlabCi => jobs.push(Job::GitlabCi(c.path.clone())),
            Kind::Manifest => jobs.push(Job::Manifest(c.path.clone())),
        }
    }
    for (dir, files) in compose {
        jobs.push(Job::Compose { dir, files });
    }
    for (dir, mut files) in bake {
        // bake's merge order: JSON before HCL, main files before overrides.
        files.sort_by_key(|f| {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().to_ascii_lowercase());
            let name = name.unwrap_or_default();
            (name.contains(".override."), !name.ends_with(".json"), name)
        });
        jobs.push(Job::Bake { dir, files });
    }
    jobs
}

fn read_all(tree: &Tree, candidates: &[Candidate], variables: &Variables) -> Discovery {
    let found: Vec<Found> = jobs(candidates)
        .par_iter()
        .map(|job| {
            let mut found = Found::default();
            match job {
                Job::Compose { dir, files } => {
                    compose::discover(tree, dir, files, variables, &mut found);
                }
                Job::Bake { dir, files } => bake::discover(tree, dir, files, variables, &mut found),
                Job::Workflow(file) => actions::discover(tree, file, &mut found),
                Job::GitlabCi(file) => gitlab::discover(tree, file, &mut found),
                Job::Manifest(file) => manifest::discover(tree, file, &mut found),
            }
            found
        })
        .collect();
    let mut all = Found::default();
    for f in found {
        all.extend(f);
    }

    // Dockerfiles nothing references are builds of their own.
    let referenced: BTreeSet<PathBuf> = all
        .builds
        .iter()
        .filter_map(|b| b.dockerfile.path().map(Path::to_path_buf))
        .collect();
    let dockerfiles: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.kind == Kind::Dockerfile)
        .collect();
    for c in &dockerfiles {
        if referenced.contains(&c.path) {
            continue;
        }
        let mut def = BuildDefinition::new(
            DefinitionKind::Dockerfile,
            Location::file_start(&c.path),
            DockerfileSource::Path {
                path: c.path.clone(),
                exists: true,
            },
            BuildContext::Directory {
                path: parent_dir(&c.path),
            },
        );
        def.id = slash(&c.path);
        all.builds.push(def);
    }

    // Stages of every local Dockerfile (found or referenced and present).
    let mut paths: BTreeSet<PathBuf> = referenced.clone();
    paths.extend(dockerfiles.iter().map(|c| c.path.clone()));
    let stages: BTreeMap<PathBuf, Option<Vec<Stage>>> = paths
        .par_iter()
        .map(|path| {
            let stages = tree.is_file(path).then(|| {
                let mut ignored = Found::default();
                read_text(tree, path, &mut ignored)
                    .map(|text| stages_of(&text))
                    .unwrap_or_default()
            });
            (path.clone(), stages)
        })
        .collect();
    check_targets(&mut all, &stages);

    let mut builds = merge_duplicates(all.builds);
    assign_ids(&mut builds);
    let usage = usage(&builds, &stages, &referenced);
    let mut problems = all.problems;
    problems.sort();
    problems.dedup();
    let mut images = all.images;
    images.sort_by(|a, b| a.origin.cmp(&b.origin));
    Discovery {
        version: 1,
        root: tree.root.clone(),
        files_scanned: candidates.len(),
        builds,
        dockerfiles: usage,
        images,
        problems,
    }
}

/// The stages of a Dockerfile (empty if BuildKit would reject it).
pub(crate) fn stages_of(text: &str) -> Vec<Stage> {
    let Ok(doc) = dockwright_syntax::parse(text) else {
        return Vec::new();
    };
    doc.instructions()
        .iter()
        .filter_map(|i| i.as_from().map(|from| (i, from)))
        .enumerate()
        .map(|(index, (instruction, from))| Stage {
            index,
            name: from.alias.map(|a| a.text.into_owned()),
            line: instruction.start_line(),
        })
        .collect()
}

/// Warns about targets that name no stage of their Dockerfile (BuildKit matches stage names
/// case-insensitively; targets still holding unexpanded variables are not checked).
fn check_targets(all: &mut Found, stages: &BTreeMap<PathBuf, Option<Vec<Stage>>>) {
    let mut warnings = Vec::new();
    for build in &all.builds {
        let Some(target) = &build.target else {
            continue;
        };
        if target.contains('$') {
            continue;
        }
        let (list, what) = match &build.dockerfile {
            DockerfileSource::Path { path, .. } => match stages.get(path) {
                Some(Some(list)) => (list.clone(), slash(path)),
                _ => continue,
            },
            DockerfileSource::Inline(inline) => {
                (stages_of(&inline.text), "the inline Dockerfile".into())
            }
            DockerfileSource::Remote { .. } => continue,
        };
        if list.is_empty() {
            continue;
        }
        let exists = list.iter().any(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(target))
        });
        if !exists {
            let names: Vec<&str> = list.iter().filter_map(|s| s.name.as_deref()).collect();
            let known = if names.is_empty() {
                "it has no named stage".to_string()
            } else {
                format!("stages: {}", names.join(", "))
            };
            warnings.push((
                build.origin.clone(),
                format!("target {target} is not a stage of {what} ({known})"),
            ));
        }
    }
    for (location, message) in warnings {
        all.warn(location, message);
    }
    // A referenced Dockerfile that does not exist.
    let mut missing = Vec::new();
    for build in &all.builds {
        if let DockerfileSource::Path {
            path,
            exists: false,
        } = &build.dockerfile
        {
            missing.push((
                build.origin.clone(),
                format!("Dockerfile {} does not exist", slash(path)),
            ));
        }
    }
    for (location, message) in missing {
        all.warn(location, message);
    }
}

/// What makes two builds the same build, whoever defines them.
fn build_key(b: &BuildDefinition) -> String {
    let dockerfile = match &b.dockerfile {
        DockerfileSource::Path { path, .. } => format!("path:{}", slash(path)),
        DockerfileSource::Inline(inline) => format!("inline:{}", inline.text),
        DockerfileSource::Remote { url, path } => format!("remote:{url}:{path}"),
    };
    let context = match &b.context {
        BuildContext::Directory { path } => format!("dir:{}", slash(path)),
        BuildContext::Remote { url, subdir, .. } => format!("remote:{url}:{subdir:?}"),
        BuildContext::None => "none".into(),
    };
    let mut args = b.args.clone();
    args.sort();
    let mut contexts = b.additional_contexts.clone();
    contexts.sort();
    format!(
        "{dockerfile}\u{0}{context}\u{0}{:?}\u{0}{args:?}\u{0}{:?}\u{0}{:?}\u{0}{contexts:?}\u{0}{:?}",
        b.target, b.platforms, b.cache_from, b.base_image
    )
}

/// Merges builds that are the same build into the first (by origin), recording the others
/// in `also_defined_at`.
fn merge_duplicates(mut builds: Vec<BuildDefinition>) -> Vec<BuildDefinition> {
    builds.sort_by(|a, b| {
        (&a.origin, a.kind, &a.name, &a.id).cmp(&(&b.origin, b.kind, &b.name, &b.id))
    });
    let mut out: Vec<BuildDefinition> = Vec::with_capacity(builds.len());
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for build in builds {
        let key = build_key(&build);
        match seen.get(&key) {
            Some(&i) => {
                let first = &mut out[i];
                first.also_defined_at.push(DefinitionRef {
                    kind: build.kind,
                    name: build.name.clone(),
                    origin: build.origin.clone(),
                });
                for tag in build.tags {
                    if !first.tags.contains(&tag) {
                        first.tags.push(tag);
                    }
                }
            }
            None => {
                seen.insert(key, out.len());
                out.push(build);
            }
        }
    }
    out
}

/// Gives every build a unique id: `FILE#NAME` (or the id a reader set), `~2`, `~3`… on
/// collisions.
fn assign_ids(builds: &mut [BuildDefinition]) {
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    for b in builds.iter_mut() {
        if b.id.is_empty() {
            b.id = match &b.name {
                Some(name) => format!("{}#{name}", slash(&b.origin.file)),
                None => format!("{}:{}", slash(&b.origin.file), b.origin.line),
            };
        }
        let n = used.entry(b.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            b.id = format!("{}~{n}", b.id);
        }
    }
}

fn usage(
    builds: &[BuildDefinition],
    stages: &BTreeMap<PathBuf, Option<Vec<Stage>>>,
    referenced: &BTreeSet<PathBuf>,
) -> Vec<DockerfileUsage> {
    let mut by_path: BTreeMap<&Path, Vec<&BuildDefinition>> = BTreeMap::new();
    for b in builds {
        if let Some(path) = b.dockerfile.path() {
            by_path.entry(path).or_default().push(b);
        }
    }
    stages
        .iter()
        .map(|(path, stages)| {
            let users = by_path.remove(path.as_path()).unwrap_or_default();
            let mut targets: Vec<Option<String>> = Vec::new();
            for b in &users {
                if !targets.contains(&b.target) {
                    targets.push(b.target.clone());
                }
            }
            DockerfileUsage {
                path: path.clone(),
                exists: stages.is_some(),
                referenced: referenced.contains(path),
                builds: users.iter().map(|b| b.id.clone()).collect(),
                targets,
                stages: stages.clone().unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn standalone_referenced_duplicates_and_targets() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "api/Dockerfile",
            "FROM node AS base\nFROM base AS prod\nFROM base AS dev\n",
        );
        write(root, "tools/Dockerfile.lint", "FROM alpine\n");
        write(
            root,
            "compose.yaml",
            "services:\n  api:\n    build: {context: api, target: prod}\n  api2:\n    build: {context: api, target: prod}\n  dev:\n    build: {context: api, target: develop}\n  gone:\n    build: missing\n",
        );
        write(
            root,
            ".github/workflows/ci.yml",
            "jobs:\n  b:\n    steps:\n      - uses: docker/build-push-action@v6\n        with: {context: api, target: prod, tags: 'reg/api:1'}\n",
        );
        let d = discover(root, &DiscoverOptions::default()).unwrap();
        let ids: Vec<&str> = d.builds.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                ".github/workflows/ci.yml#b/step 1",
                "compose.yaml#dev",
                "compose.yaml#gone",
                "tools/Dockerfile.lint"
            ]
        );
        let ci = &d.builds[0];
        assert_eq!(ci.also_defined_at.len(), 2);
        assert_eq!(ci.also_defined_at[0].name.as_deref(), Some("api"));
        let api = d
            .dockerfiles
            .iter()
            .find(|u| u.path == Path::new("api/Dockerfile"))
            .unwrap();
        assert!(api.referenced);
        assert_eq!(api.builds.len(), 2);
        assert_eq!(
            api.targets,
            [Some("prod".to_string()), Some("develop".to_string())]
        );
        assert_eq!(api.stages.len(), 3);
        assert_eq!(api.stages[1].name.as_deref(), Some("prod"));
        let unreferenced: Vec<_> = d
            .unreferenced_dockerfiles()
            .map(|u| u.path.clone())
            .collect();
        assert_eq!(unreferenced, [PathBuf::from("tools/Dockerfile.lint")]);
        let messages: Vec<&str> = d.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "target develop is not a stage of api/Dockerfile (stages: base, prod, dev)",
                "Dockerfile missing/Dockerfile does not exist"
            ]
        );
        assert!(!d.has_errors());
    }

    #[test]
    fn one_bad_file_does_not_hide_the_others() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "a/compose.yaml", "services:\n  x: {build: .\n");
        write(root, "b/compose.yaml", "services:\n  y:\n    build: .\n");
        write(root, "b/Dockerfile", "FROM a\n");
        let d = discover(root, &DiscoverOptions::default()).unwrap();
        assert_eq!(d.builds.len(), 1);
        assert_eq!(d.builds[0].id, "b/compose.yaml#y");
        assert!(d.has_errors());
        assert_eq!(d.problems[0].location.file, PathBuf::from("a/compose.yaml"));
        assert!(discover(&root.join("nope"), &DiscoverOptions::default()).is_err());
    }

    #[test]
    fn single_file_root() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "x/Dockerfile.web", "FROM a AS b\n");
        let d = discover(
            &tmp.path().join("x/Dockerfile.web"),
            &DiscoverOptions::default(),
        )
        .unwrap();
        assert_eq!(d.builds.len(), 1);
        assert_eq!(
            d.builds[0].dockerfile.path(),
            Some(Path::new("Dockerfile.web"))
        );
        assert_eq!(d.dockerfiles[0].stages[0].name.as_deref(), Some("b"));
    }
}
