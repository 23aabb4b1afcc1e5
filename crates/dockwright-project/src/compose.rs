//! Compose files: every service's `build:` (string or map), `${VAR}` interpolation from the
//! `.env` beside the file, override files merged onto the main file of their directory, and
//! services that only run an `image:`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::inline::InlineDockerfile;
use crate::interpolate::{Variables, parse_env_file};
use crate::model::{
    BuildArg, BuildDefinition, DefinitionKind, ImageReference, Location, NamedContext,
};
use crate::paths::Tree;
use crate::scan::{Found, YamlSource, parse_yaml, read_text, resolve_build};
use crate::yaml::Node;

/// The names `docker compose` reads without `-f`, in its order of preference.
pub(crate) const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// How deep `extends` chains are followed.
const EXTENDS_DEPTH: usize = 8;

/// A service's build section, read and interpolated, before it is resolved against the tree.
#[derive(Debug, Clone, Default, PartialEq)]
struct ServiceBuild {
    context: Option<String>,
    dockerfile: Option<String>,
    inline: Option<InlineDockerfile>,
    target: Option<String>,
    args: Vec<BuildArg>,
    cache_from: Vec<String>,
    platforms: Vec<String>,
    additional_contexts: Vec<NamedContext>,
    tags: Vec<String>,
}

impl ServiceBuild {
    /// `self` with `over` applied on top (the compose merge rules for `build`).
    fn merged(&self, over: &ServiceBuild) -> ServiceBuild {
        let mut out = self.clone();
        if over.context.is_some() {
            out.context.clone_from(&over.context);
        }
        if over.dockerfile.is_some() {
            out.dockerfile.clone_from(&over.dockerfile);
            out.inline = None;
        }
        if over.inline.is_some() {
            out.inline.clone_from(&over.inline);
            out.dockerfile = None;
        }
        if over.target.is_some() {
            out.target.clone_from(&over.target);
        }
        for arg in &over.args {
            match out.args.iter_mut().find(|a| a.name == arg.name) {
                Some(a) => a.value.clone_from(&arg.value),
                None => out.args.push(arg.clone()),
            }
        }
        for (list, add) in [
            (&mut out.cache_from, &over.cache_from),
            (&mut out.platforms, &over.platforms),
            (&mut out.tags, &over.tags),
        ] {
            for item in add {
                if !list.contains(item) {
                    list.push(item.clone());
                }
            }
        }
        for ctx in &over.additional_contexts {
            match out
                .additional_contexts
                .iter_mut()
                .find(|c| c.name == ctx.name)
            {
                Some(c) => c.value.clone_from(&ctx.value),
                None => out.additional_contexts.push(ctx.clone()),
            }
        }
        out
    }
}

/// One service of one compose file.
#[derive(Debug, Clone)]
struct Service {
    name: String,
    origin: Location,
    build: Option<ServiceBuild>,
    image: Option<String>,
}

/// Reads the compose files of one directory: the first of [`DEFAULT_FILES`] present is the
/// main file; every other file there is read as an override of it (`compose.override.yaml`,
/// `docker-compose.prod.yml`, …), so a service it redefines is a variant of the main one.
pub(crate) fn discover(
    tree: &Tree,
    dir: &Path,
    files: &[PathBuf],
    env: &Variables,
    found: &mut Found,
) {
    let mut vars = Variables::new();
    let env_file = dir.join(".env");
    if tree.is_file(&env_file)
        && let Some(text) = read_text(tree, &env_file, found)
    {
        vars = parse_env_file(&text, env);
    }
    // Explicit variables win over `.env`, as the shell environment does for compose.
    vars.extend(env.iter().map(|(k, v)| (k.clone(), v.clone())));

    let main = DEFAULT_FILES.iter().find_map(|name| {
        files
            .iter()
            .find(|f| f.file_name().is_some_and(|n| n == *name))
    });
    let mut main_services: BTreeMap<String, Service> = BTreeMap::new();
    if let Some(main) = main {
        for service in read_services(tree, main, &vars, found) {
            emit(tree, dir, &service, service.build.as_ref(), found);
            main_services.insert(service.name.clone(), service);
        }
    }
    for file in files {
        if Some(file) == main {
            continue;
        }
        for service in read_services(tree, file, &vars, found) {
            let base = main_services.get(&service.name);
            match (base.and_then(|b| b.build.as_ref()), service.build.as_ref()) {
                (Some(base_build), Some(over)) => {
                    let merged = base_build.merged(over);
                    // An override that changes nothing about the build is the same build.
                    if &merged != base_build {
                        emit(tree, dir, &service, Some(&merged), found);
                    }
                }
                (Some(_), None) => {}
                (None, build) => {
                    if base.is_none() || build.is_some() {
                        emit(tree, dir, &service, build, found);
                    }
                }
            }
        }
    }
}

fn emit(
    tree: &Tree,
    dir: &Path,
    service: &Service,
    build: Option<&ServiceBuild>,
    found: &mut Found,
) {
    let Some(build) = build else {
        if let Some(image) = &service.image {
            found.images.push(ImageReference {
                origin: service.origin.clone(),
                service: service.name.clone(),
                image: image.clone(),
            });
        }
        return;
    };
    let (dockerfile, context) = resolve_build(
        tree,
        dir,
        build.context.as_deref(),
        build.dockerfile.as_deref(),
        build.inline.clone(),
    );
    let mut def = BuildDefinition::new(
        DefinitionKind::Compose,
        service.origin.clone(),
        dockerfile,
        context,
    );
    def.name = Some(service.name.clone());
    def.target.clone_from(&build.target);
    def.args.clone_from(&build.args);
    def.cache_from.clone_from(&build.cache_from);
    def.platforms.clone_from(&build.platforms);
    def.additional_contexts
        .clone_from(&build.additional_contexts);
    def.tags.clone_from(&build.tags);
    if let Some(image) = &service.image
        && !def.tags.contains(image)
    {
        def.tags.insert(0, image.clone());
    }
    found.builds.push(def);
}

fn read_services(tree: &Tree, file: &Path, vars: &Variables, found: &mut Found) -> Vec<Service> {
    let Some(text) = read_text(tree, file, found) else {
        return Vec::new();
    };
    let Some(yaml) = parse_yaml(file, &text, found) else {
        return Vec::new();
    };
    let source = YamlSource {
        tree,
        file: file.to_path_buf(),
        yaml: &yaml,
        vars: Some(vars),
    };
    let mut out = Vec::new();
    for root in yaml.roots() {
        let Some(services) = root.get("services") else {
            continue;
        };
        for (key, service) in services.entries() {
            let Some(name) = key.as_str() else {
                continue;
            };
            if !service.is_mapping() {
                continue;
            }
            let build = service_build(&source, &services, &service, found, 0);
            out.push(Service {
                name: name.to_string(),
                origin: source.location(&key),
                build,
                image: source.get_string(&service, "image", found),
            });
        }
    }
    out
}

/// The build of `service`, following `extends` within the same file.
fn service_build(
    source: &YamlSource<'_, '_>,
    services: &Node<'_, '_>,
    service: &Node<'_, '_>,
    found: &mut Found,
    depth: usize,
) -> Option<ServiceBuild> {
    let own = service.get("build").map(|b| read_build(source, &b, found));
    let Some(extends) = service.get("extends") else {
        return own;
    };
    let (base_name, other_file) = match extends.as_str() {
        Some(name) => (Some(name.to_string()), None),
        None => (
            source.get_string(&extends, "service", found),
            source.get_string(&extends, "file", found),
        ),
    };
    if let Some(other) = other_file {
        found.warn(
            source.location(&extends),
            format!("`extends` from another file ({other}) is not followed"),
        );
        return own;
    }
    let base = match base_name.as_deref().and_then(|n| services.get(n)) {
        Some(base) if depth < EXTENDS_DEPTH => {
            service_build(source, services, &base, found, depth + 1)
        }
        Some(_) => {
            found.warn(source.location(&extends), "`extends` chain is too deep");
            None
        }
        None => {
            found.warn(
                source.location(&extends),
                format!(
                    "`extends` names service {} which this file does not define",
                    base_name.unwrap_or_default()
                ),
            );
            None
        }
    };
    match (base, own) {
        (Some(base), Some(own)) => Some(base.merged(&own)),
        (base, own) => own.or(base),
    }
}

fn read_build(
    source: &YamlSource<'_, '_>,
    build: &Node<'_, '_>,
    found: &mut Found,
) -> ServiceBuild {
    let mut out = ServiceBuild::default();
    if !build.is_mapping() {
        out.context = source.string(build, found);
        return out;
    }
    out.context = source.get_string(build, "context", found);
    out.dockerfile = source.get_string(build, "dockerfile", found);
    if let Some(inline) = build
        .get("dockerfile_inline")
        .filter(|n| n.as_str().is_some())
    {
        out.inline = Some(source.inline_dockerfile(&inline, found));
        out.dockerfile = None;
    }
    out.target = source.get_string(build, "target", found);
    if let Some(args) = build.get("args") {
        out.args = key_values(source, &args, found)
            .into_iter()
            .map(|(name, value)| BuildArg { name, value })
            .collect();
    }
    if let Some(list) = build.get("cache_from") {
        out.cache_from = source.strings(&list, found);
    }
    if let Some(list) = build.get("platforms") {
        out.platforms = source.strings(&list, found);
    }
    if let Some(list) = build.get("tags") {
        out.tags = source.strings(&list, found);
    }
    if let Some(contexts) = build.get("additional_contexts") {
        out.additional_contexts = key_values(source, &contexts, found)
            .into_iter()
            .filter_map(|(name, value)| value.map(|value| NamedContext { name, value }))
            .collect();
    }
    out
}

/// A compose "map or list": `KEY: value` entries or `- KEY=value` / `- KEY` items.
fn key_values(
    source: &YamlSource<'_, '_>,
    node: &Node<'_, '_>,
    found: &mut Found,
) -> Vec<(String, Option<String>)> {
    if node.is_mapping() {
        return node
            .entries()
            .into_iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), source.string(&v, found))))
            .collect();
    }
    node.items()
        .iter()
        .filter_map(|item| source.string(item, found))
        .map(|item| match item.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (item, None),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::{BuildContext, DockerfileSource};

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn run(dir: &Path, files: &[&str]) -> Found {
        let tree = Tree::new(dir);
        let mut found = Found::default();
        let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
        discover(&tree, Path::new("."), &files, &Variables::new(), &mut found);
        found
    }

    #[test]
    fn string_and_map_builds_with_env_interpolation() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), ".env", "TAG=1.2\nAPP_DIR=./app\n");
        write(tmp.path(), "app/Dockerfile.prod", "FROM x\n");
        write(
            tmp.path(),
            "compose.yaml",
            "services:\n  a:\n    build: ./a\n  b:\n    image: b:${TAG}\n    build:\n      context: ${APP_DIR}\n      dockerfile: Dockerfile.prod\n      target: ${TARGET:-prod}\n      args:\n        - X=1\n        - Y\n      cache_from: [b:cache]\n      platforms: [linux/amd64, linux/arm64]\n      additional_contexts:\n        src: ../src\n  db:\n    image: postgres:${PG:-16}\n",
        );
        let found = run(tmp.path(), &["compose.yaml"]);
        assert_eq!(found.builds.len(), 2, "{found:?}");
        let a = &found.builds[0];
        assert_eq!(a.name.as_deref(), Some("a"));
        assert_eq!(
            a.dockerfile,
            DockerfileSource::Path {
                path: "a/Dockerfile".into(),
                exists: false
            }
        );
        assert_eq!(a.origin.line, 2);
        let b = &found.builds[1];
        assert_eq!(b.context, BuildContext::Directory { path: "app".into() });
        assert_eq!(
            b.dockerfile,
            DockerfileSource::Path {
                path: "app/Dockerfile.prod".into(),
                exists: true
            }
        );
        assert_eq!(b.target.as_deref(), Some("prod"));
        assert_eq!(b.arg("X"), Some("1"));
        assert_eq!(
            b.args[1],
            BuildArg {
                name: "Y".into(),
                value: None
            }
        );
        assert_eq!(b.platforms, ["linux/amd64", "linux/arm64"]);
        assert_eq!(b.cache_from, ["b:cache"]);
        assert_eq!(b.tags, ["b:1.2"]);
        assert_eq!(b.additional_contexts[0].value, "../src");
        assert_eq!(found.images.len(), 1);
        assert_eq!(found.images[0].image, "postgres:16");
        assert!(found.problems.is_empty(), "{:?}", found.problems);
    }

    #[test]
    fn overrides_merge_onto_the_main_file() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "docker-compose.yml",
            "services:\n  api:\n    build:\n      context: api\n      args: {A: '1'}\n  web:\n    build: web\n",
        );
        write(
            tmp.path(),
            "docker-compose.dev.yml",
            "services:\n  api:\n    build:\n      target: dev\n      args: {B: '2'}\n  web:\n    ports: ['80:80']\n  tool:\n    build: tool\n",
        );
        let found = run(
            tmp.path(),
            &["docker-compose.yml", "docker-compose.dev.yml"],
        );
        let names: Vec<_> = found
            .builds
            .iter()
            .map(|b| {
                (
                    b.name.clone().unwrap(),
                    b.origin.file.clone(),
                    b.target.clone(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("api".into(), "docker-compose.yml".into(), None),
                ("web".into(), "docker-compose.yml".into(), None),
                (
                    "api".into(),
                    "docker-compose.dev.yml".into(),
                    Some("dev".into())
                ),
                ("tool".into(), "docker-compose.dev.yml".into(), None),
            ]
        );
        let dev = &found.builds[2];
        assert_eq!(dev.context, BuildContext::Directory { path: "api".into() });
        assert_eq!(dev.arg("A"), Some("1"));
        assert_eq!(dev.arg("B"), Some("2"));
    }

    #[test]
    fn inline_dockerfile_extends_and_anchors() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "compose.yml",
            "x-build: &b\n  context: .\n  args: {V: '1'}\nservices:\n  base:\n    build:\n      <<: *b\n      dockerfile_inline: |\n        FROM alpine\n        RUN echo $${V}\n  child:\n    extends: base\n    build:\n      target: t\n  remote:\n    build: https://github.com/a/b.git#main:sub\n",
        );
        let found = run(tmp.path(), &["compose.yml"]);
        assert_eq!(found.builds.len(), 3, "{found:?}");
        let base = &found.builds[0];
        let inline = base.dockerfile.inline().unwrap();
        assert_eq!(inline.text, "FROM alpine\nRUN echo ${V}\n");
        assert_eq!(inline.position(inline.text.find("RUN").unwrap()).line, 10);
        assert_eq!(base.arg("V"), Some("1"));
        let child = &found.builds[1];
        assert_eq!(child.target.as_deref(), Some("t"));
        assert!(child.dockerfile.inline().is_some());
        let remote = &found.builds[2];
        assert!(matches!(
            &remote.context,
            BuildContext::Remote { subdir: Some(s), .. } if s == "sub"
        ));
    }

    #[test]
    fn bad_yaml_is_reported_with_position() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "compose.yaml",
            "services:\n  a:\n    build: [\n",
        );
        let found = run(tmp.path(), &["compose.yaml"]);
        assert!(found.builds.is_empty());
        assert_eq!(found.problems.len(), 1);
        let p = &found.problems[0];
        assert_eq!(p.location.file, PathBuf::from("compose.yaml"));
        assert!(p.location.line >= 3, "{p:?}");
        assert!(p.message.starts_with("invalid YAML"));
    }

    #[test]
    fn unset_variables_are_warned() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "compose.yaml",
            "services:\n  a:\n    build:\n      context: ${NOPE}/x\n",
        );
        let found = run(tmp.path(), &["compose.yaml"]);
        assert_eq!(found.problems.len(), 1);
        assert!(found.problems[0].message.contains("NOPE"));
        assert_eq!(found.problems[0].location.line, 4);
    }
}
