//! Cluster build resources in YAML manifests (multi-document files, `List`s and OpenShift
//! `Template`s included): OpenShift `BuildConfig`s with the Docker strategy (inline
//! `spec.source.dockerfile` with its position map, `dockerfilePath`, `contextDir`, `buildArgs`,
//! `from`), Shipwright `Build`s, and Tekton pipelines and runs of buildah/kaniko-style tasks.
//!
//! Paths in a manifest are relative to the repository it builds; when that is this checkout
//! (the usual case for manifests kept beside the code) they are resolved against the
//! discovery root.

use std::collections::BTreeMap;
use std::path::Path;

use crate::command_line::{Word, parse_flags};
use crate::model::{BuildContext, BuildDefinition, DefinitionKind, DockerfileSource};
use crate::paths::{Tree, slash};
use crate::scan::{Found, YamlSource, parse_yaml, read_text};
use crate::yaml::Node;

/// How deep `List`/`Template` nesting is followed.
const NESTING: usize = 4;

/// Reads every build resource of a manifest file.
pub(crate) fn discover(tree: &Tree, file: &Path, found: &mut Found) {
    let Some(text) = read_text(tree, file, found) else {
        return;
    };
    let Some(yaml) = parse_yaml(file, &text, found) else {
        return;
    };
    let source = YamlSource {
        tree,
        file: file.to_path_buf(),
        yaml: &yaml,
        vars: None,
    };
    for root in yaml.roots() {
        resource(&source, &root, found, 0);
    }
}

fn resource(source: &YamlSource<'_, '_>, node: &Node<'_, '_>, found: &mut Found, depth: usize) {
    if !node.is_mapping() || depth > NESTING {
        return;
    }
    let kind = node.get_str("kind").unwrap_or_default();
    let api = node.get_str("apiVersion").unwrap_or_default();
    match kind {
        "List" | "BuildConfigList" => {
            for item in node.get("items").map(|i| i.items()).unwrap_or_default() {
                resource(source, &item, found, depth + 1);
            }
        }
        "Template" => {
            for item in node.get("objects").map(|i| i.items()).unwrap_or_default() {
                resource(source, &item, found, depth + 1);
            }
        }
        "BuildConfig" => build_config(source, node, found),
        "Build" if api.starts_with("shipwright.io/") => shipwright(source, node, found),
        "Config" if api.starts_with("skaffold/") => skaffold(source, node, found),
        "Pipeline" | "PipelineRun" | "TaskRun" if api.starts_with("tekton.dev/") => {
            tekton(source, node, kind, found);
        }
        _ => {}
    }
}

fn name_of(node: &Node<'_, '_>) -> Option<String> {
    node.get("metadata")
        .and_then(|m| m.get_str("name"))
        .map(String::from)
}

fn id_for(source: &YamlSource<'_, '_>, name: &str) -> String {
    format!("{}#{name}", slash(&source.file))
}

/// An OpenShift `BuildConfig` with a Docker strategy (or an inline Dockerfile, which implies
/// one).
fn build_config(source: &YamlSource<'_, '_>, node: &Node<'_, '_>, found: &mut Found) {
    let Some(spec) = node.get("spec") else {
        return;
    };
    let src = spec.get("source");
    let strategy = spec.get("strategy");
    let docker = strategy.as_ref().and_then(|s| s.get("dockerStrategy"));
    let strategy_type = strategy.as_ref().and_then(|s| s.get_str("type"));
    let inline = src
        .as_ref()
        .and_then(|s| s.get("dockerfile"))
        .filter(|d| d.as_str().is_some());
    let is_docker = docker.is_some() || strategy_type == Some("Docker") || inline.is_some();
    if !is_docker {
        return;
    }
    let context_dir = src
        .as_ref()
        .and_then(|s| s.get_str("contextDir"))
        .map(|d| d.trim_start_matches('/'))
        .filter(|d| !d.is_empty())
        .unwrap_or(".");
    let git = src.as_ref().and_then(|s| s.get("git"));
    let uri = git.as_ref().and_then(|g| g.get_str("uri"));
    let reference = git.as_ref().and_then(|g| g.get_str("ref"));
    let tree = source.tree;
    let local_dir = tree.resolve(Path::new("."), context_dir);
    let dockerfile_path = docker
        .as_ref()
        .and_then(|d| d.get_str("dockerfilePath"))
        .filter(|p| !p.is_empty())
        .unwrap_or("Dockerfile");

    let context = match uri {
        Some(uri) => BuildContext::Remote {
            url: match reference {
                Some(r) => format!("{uri}#{r}"),
                None => uri.to_string(),
            },
            subdir: (context_dir != ".").then(|| context_dir.to_string()),
            local: tree.is_dir(&local_dir).then(|| local_dir.clone()),
        },
        // `type: Dockerfile` (only the inline Dockerfile) and `type: Binary` (the directory
        // is uploaded by `oc start-build --from-dir`) have no context in the repository.
        None => BuildContext::None,
    };
    let dockerfile = match inline {
        Some(text) => DockerfileSource::Inline(source.inline_dockerfile(&text, found)),
        None => {
            let path = tree.resolve(&local_dir, dockerfile_path);
            match uri {
                Some(uri) if !tree.is_file(&path) => DockerfileSource::Remote {
                    url: uri.to_string(),
                    path: slash(&Path::new(context_dir).join(dockerfile_path)),
                },
                _ => DockerfileSource::Path {
                    exists: tree.is_file(&path),
                    path,
                },
            }
        }
    };
    let mut def = BuildDefinition::new(
        DefinitionKind::OpenshiftBuildConfig,
        source.location(node),
        dockerfile,
        context,
    );
    def.name = name_of(node);
    if let Some(name) = &def.name {
        def.id = id_for(source, name);
    }
    if let Some(docker) = &docker {
        for arg in docker
            .get("buildArgs")
            .map(|a| a.items())
            .unwrap_or_default()
        {
            if let Some(name) = arg.get_str("name") {
                def.set_arg(name, arg.get_str("value").map(String::from));
            }
        }
        if let Some(from) = docker.get("from") {
            def.base_image = image_ref(&from);
        }
    }
    if let Some(to) = spec.get("output").and_then(|o| o.get("to")) {
        def.tags.extend(image_ref(&to));
    }
    found.builds.push(def);
}

/// An OpenShift object reference to an image (`kind: ImageStreamTag|DockerImage`, `name`,
/// `namespace`).
fn image_ref(node: &Node<'_, '_>) -> Option<String> {
    let name = node.get_str("name")?;
    Some(match (node.get_str("kind"), node.get_str("namespace")) {
        (Some("ImageStreamTag" | "ImageStreamImage"), Some(ns)) => format!("{ns}/{name}"),
        _ => name.to_string(),
    })
}

/// A Shipwright `Build` (v1beta1 `paramValues`, v1alpha1 `spec.dockerfile`).
fn shipwright(source: &YamlSource<'_, '_>, node: &Node<'_, '_>, found: &mut Found) {
    let Some(spec) = node.get("spec") else {
        return;
    };
    let src = spec.get("source");
    let url = src.as_ref().and_then(|s| {
        s.get("git")
            .and_then(|g| g.get_str("url"))
            .or_else(|| s.get_str("url"))
    });
    let context_dir = src
        .as_ref()
        .and_then(|s| s.get_str("contextDir"))
        .filter(|d| !d.is_empty())
        .unwrap_or(".");
    let mut params: BTreeMap<String, Node<'_, '_>> = BTreeMap::new();
    for p in spec
        .get("paramValues")
        .map(|p| p.items())
        .unwrap_or_default()
    {
        if let Some(name) = p.get_str("name") {
            params.insert(name.to_string(), p);
        }
    }
    let param_value = |name: &str| params.get(name).and_then(|p| p.get_str("value"));
    let dockerfile = param_value("dockerfile")
        .or_else(|| spec.get_str("dockerfile"))
        .unwrap_or("Dockerfile");
    let tree = source.tree;
    let local_dir = tree.resolve(Path::new("."), context_dir);
    let path = tree.resolve(&local_dir, dockerfile);
    let context = match url {
        Some(url) => BuildContext::Remote {
            url: url.to_string(),
            subdir: (context_dir != ".").then(|| context_dir.to_string()),
            local: tree.is_dir(&local_dir).then(|| local_dir.clone()),
        },
        None => BuildContext::Directory {
            path: local_dir.clone(),
        },
    };
    let dockerfile = match url {
        Some(url) if !tree.is_file(&path) => DockerfileSource::Remote {
            url: url.to_string(),
            path: slash(&Path::new(context_dir).join(dockerfile)),
        },
        _ => DockerfileSource::Path {
            exists: tree.is_file(&path),
            path,
        },
    };
    let mut def = BuildDefinition::new(
        DefinitionKind::Shipwright,
        source.location(node),
        dockerfile,
        context,
    );
    def.name = name_of(node);
    if let Some(name) = &def.name {
        def.id = id_for(source, name);
    }
    def.target = param_value("target").map(String::from);
    if let Some(args) = params.get("build-args") {
        for v in args.get("values").map(|v| v.items()).unwrap_or_default() {
            if let Some(arg) = v.get_str("value") {
                match arg.split_once('=') {
                    Some((k, v)) => def.set_arg(k, Some(v.to_string())),
                    None => def.set_arg(arg, None),
                }
            }
        }
    }
    if let Some(image) = spec.get("output").and_then(|o| o.get_str("image")) {
        def.tags.push(image.to_string());
    }
    found.builds.push(def);
}

/// A Skaffold `Config`: every Docker artifact of `build` and of each profile's `build`.
/// Paths are relative to the directory of the Skaffold file.
fn skaffold(source: &YamlSource<'_, '_>, node: &Node<'_, '_>, found: &mut Found) {
    let dir = crate::paths::parent_dir(&source.file);
    let mut sections = vec![(None, node.get("build"))];
    for profile in node.get("profiles").map(|p| p.items()).unwrap_or_default() {
        sections.push((profile.get_str("name"), profile.get("build")));
    }
    for (profile, build) in sections {
        let Some(build) = build else {
            continue;
        };
        for artifact in build
            .get("artifacts")
            .map(|a| a.items())
            .unwrap_or_default()
        {
            let docker = artifact.get("docker");
            // Other builders (jib, ko, buildpacks, bazel, custom) build no Dockerfile.
            let other = ["jib", "ko", "buildpacks", "bazel", "custom"]
                .iter()
                .any(|k| artifact.get(k).is_some());
            if other && docker.is_none() {
                continue;
            }
            let context = artifact.get_str("context");
            let dockerfile = docker.as_ref().and_then(|d| d.get_str("dockerfile"));
            let (dockerfile, context) =
                crate::scan::resolve_build(source.tree, &dir, context, dockerfile, None);
            let mut def = BuildDefinition::new(
                DefinitionKind::Skaffold,
                source.location(&artifact),
                dockerfile,
                context,
            );
            let image = artifact.get_str("image").unwrap_or("artifact");
            let name = match profile {
                Some(p) => format!("{p}/{image}"),
                None => image.to_string(),
            };
            def.id = id_for(source, &name);
            def.name = Some(name);
            def.tags.push(image.to_string());
            if let Some(docker) = &docker {
                def.target = docker.get_str("target").map(String::from);
                for (k, v) in docker
                    .get("buildArgs")
                    .map(|a| a.entries())
                    .unwrap_or_default()
                {
                    if let Some(k) = k.as_str() {
                        def.set_arg(k, v.as_str().map(String::from));
                    }
                }
                def.cache_from = docker
                    .get("cacheFrom")
                    .map(|c| {
                        c.items()
                            .iter()
                            .filter_map(|i| i.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
            }
            def.platforms = artifact
                .get("platforms")
                .map(|c| {
                    c.items()
                        .iter()
                        .filter_map(|i| i.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            found.builds.push(def);
        }
    }
}

/// Whether a Tekton task reference names an image-build task of the catalog.
fn is_build_task(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["buildah", "kaniko", "docker-build", "buildkit", "img-build"]
        .iter()
        .any(|t| name.contains(t))
}

/// A Tekton `Pipeline` (each build task), `PipelineRun` with an inline `pipelineSpec`, or a
/// `TaskRun` of a build task.
fn tekton(source: &YamlSource<'_, '_>, node: &Node<'_, '_>, kind: &str, found: &mut Found) {
    let Some(spec) = node.get("spec") else {
        return;
    };
    let run_name = name_of(node).unwrap_or_else(|| kind.to_string());
    // Parameter values: the pipeline's defaults, overridden by the run's values.
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    let pipeline = match kind {
        "Pipeline" => Some(spec),
        "PipelineRun" => spec.get("pipelineSpec"),
        _ => None,
    };
    if let Some(p) = &pipeline {
        for param in p.get("params").map(|p| p.items()).unwrap_or_default() {
            if let (Some(name), Some(default)) = (param.get_str("name"), param.get_str("default")) {
                params.insert(name.to_string(), default.to_string());
            }
        }
    }
    if kind != "Pipeline" {
        for param in spec.get("params").map(|p| p.items()).unwrap_or_default() {
            if let (Some(name), Some(value)) = (param.get_str("name"), param.get_str("value")) {
                params.insert(name.to_string(), value.to_string());
            }
        }
    }
    let mut tasks = Vec::new();
    match &pipeline {
        Some(p) => {
            for list in ["tasks", "finally"] {
                tasks.extend(p.get(list).map(|t| t.items()).unwrap_or_default());
            }
        }
        None if kind == "TaskRun" => tasks.push(*node),
        None => {}
    }
    for task in tasks {
        let holder = if kind == "TaskRun" { spec } else { task };
        let task_ref = holder
            .get("taskRef")
            .and_then(|r| r.get_str("name").or_else(|| r.get_str("resolver")))
            .unwrap_or_default();
        if !is_build_task(task_ref) {
            continue;
        }
        let task_name = if kind == "TaskRun" {
            run_name.clone()
        } else {
            format!("{run_name}/{}", task.get_str("name").unwrap_or(task_ref))
        };
        tekton_task(source, &holder, &task_name, &params, found);
    }
}

/// Substitutes `$(params.NAME)` references.
fn tekton_params(text: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("$(params.") {
        let Some(len) = rest[start..].find(')') else {
            break;
        };
        let name = &rest[start + 9..start + len];
        out.push_str(&rest[..start]);
        match params.get(name) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[start..start + len + 1]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

fn tekton_task(
    source: &YamlSource<'_, '_>,
    task: &Node<'_, '_>,
    name: &str,
    params: &BTreeMap<String, String>,
    found: &mut Found,
) {
    let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for param in task.get("params").map(|p| p.items()).unwrap_or_default() {
        let Some(pname) = param.get_str("name") else {
            continue;
        };
        let value = param.get("value");
        let list = match value {
            Some(v) if v.as_str().is_some() => v.as_str().map(|s| vec![s.to_string()]),
            Some(v) => Some(
                v.items()
                    .iter()
                    .filter_map(|i| i.as_str().map(String::from))
                    .collect(),
            ),
            None => None,
        };
        if let Some(list) = list {
            values.insert(
                pname.to_ascii_uppercase(),
                list.iter().map(|v| tekton_params(v, params)).collect(),
            );
        }
    }
    let first = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| values.get(*k).and_then(|v| v.first()).cloned())
    };
    // The catalog tasks run in the source workspace: the repository root.
    let strip_workspace = |p: String| {
        p.strip_prefix("$(workspaces.source.path)")
            .map(|r| r.trim_start_matches('/').to_string())
            .map(|r| if r.is_empty() { ".".to_string() } else { r })
            .unwrap_or(p)
    };
    let context = first(&["CONTEXT", "PATH_CONTEXT", "CONTEXT_DIR"])
        .map(strip_workspace)
        .unwrap_or_else(|| ".".to_string());
    let dockerfile = first(&["DOCKERFILE", "DOCKERFILE_PATH"]).map(strip_workspace);
    let tree = source.tree;
    let context_dir = tree.resolve(Path::new("."), &context);
    // buildah's DOCKERFILE is relative to the workspace (like `-f`), default `./Dockerfile`.
    let dockerfile_path = tree.resolve(
        Path::new("."),
        dockerfile.as_deref().unwrap_or("./Dockerfile"),
    );
    let mut def = BuildDefinition::new(
        DefinitionKind::Tekton,
        source.location(task),
        DockerfileSource::Path {
            exists: tree.is_file(&dockerfile_path),
            path: dockerfile_path,
        },
        BuildContext::Directory { path: context_dir },
    );
    def.name = Some(name.to_string());
    def.id = id_for(source, name);
    if let Some(image) = first(&["IMAGE"]) {
        def.tags.push(image);
    }
    for arg in values.get("BUILD_ARGS").cloned().unwrap_or_default() {
        match arg.split_once('=') {
            Some((k, v)) => def.set_arg(k, Some(v.to_string())),
            None => def.set_arg(arg, None),
        }
    }
    // Extra flags (`--target x --build-arg K=V`) passed through to the builder.
    let extra: Vec<Word> = ["BUILD_EXTRA_ARGS", "EXTRA_ARGS"]
        .iter()
        .filter_map(|k| values.get(*k))
        .flatten()
        .flat_map(|v| {
            crate::command_line::commands(v)
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
        })
        .collect();
    if !extra.is_empty() {
        let flags = parse_flags(&extra);
        def.target = flags.target;
        for arg in flags.build_args {
            match arg.split_once('=') {
                Some((k, v)) => def.set_arg(k, Some(v.to_string())),
                None => def.set_arg(arg, None),
            }
        }
    }
    if let Some(target) = first(&["TARGET", "TARGET_STAGE"]) {
        def.target = Some(target);
    }
    found.builds.push(def);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use dockwright_syntax::Position;

    fn run(files: &[(&str, &str)], manifest: &str) -> Found {
        let tmp = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = tmp.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        std::fs::write(tmp.path().join("m.yaml"), manifest).unwrap();
        let tree = Tree::new(tmp.path());
        let mut found = Found::default();
        discover(&tree, Path::new("m.yaml"), &mut found);
        found
    }

    #[test]
    fn inline_build_config_in_a_list_maps_positions() {
        let manifest = "kind: ImageStream\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: build.openshift.io/v1\n  kind: BuildConfig\n  metadata: {name: bc}\n  spec:\n    source:\n      type: Dockerfile\n      dockerfile: |-\n        FROM ubi9\n        RUN dnf install -y git\n    strategy:\n      dockerStrategy:\n        from: {kind: ImageStreamTag, name: 'base:1', namespace: ns}\n        buildArgs:\n        - {name: A, value: '1'}\n        - name: B\n          valueFrom: {secretKeyRef: {name: s, key: k}}\n    output:\n      to: {kind: DockerImage, name: 'quay.io/x/y:2'}\n";
        let found = run(&[], manifest);
        assert_eq!(found.builds.len(), 1, "{found:?}");
        let b = &found.builds[0];
        assert_eq!(b.name.as_deref(), Some("bc"));
        assert_eq!(b.context, BuildContext::None);
        assert_eq!(b.base_image.as_deref(), Some("ns/base:1"));
        assert_eq!(b.arg("A"), Some("1"));
        assert_eq!(b.args[1].value, None);
        assert_eq!(b.tags, ["quay.io/x/y:2"]);
        assert_eq!(b.origin.line, 6);
        let inline = b.dockerfile.inline().unwrap();
        assert_eq!(inline.text, "FROM ubi9\nRUN dnf install -y git");
        let git = inline.text.find("git").unwrap();
        assert_eq!(
            inline.position(git),
            Position {
                line: 14,
                column: 28
            }
        );
    }

    #[test]
    fn git_build_config_resolves_locally() {
        let manifest = "kind: BuildConfig\nmetadata: {name: app}\nspec:\n  source:\n    git: {uri: 'https://example.com/r.git', ref: main}\n    contextDir: /svc\n  strategy:\n    type: Docker\n    dockerStrategy:\n      dockerfilePath: docker/Dockerfile\n---\nkind: BuildConfig\nmetadata: {name: s2i}\nspec:\n  strategy:\n    type: Source\n";
        let found = run(&[("svc/docker/Dockerfile", "FROM a\n")], manifest);
        assert_eq!(found.builds.len(), 1);
        let b = &found.builds[0];
        assert_eq!(
            b.dockerfile,
            DockerfileSource::Path {
                path: "svc/docker/Dockerfile".into(),
                exists: true
            }
        );
        assert_eq!(b.context.local_dir(), Some(Path::new("svc")));
    }

    #[test]
    fn skaffold_artifacts_and_profiles() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("k8s/app")).unwrap();
        std::fs::write(
            tmp.path().join("k8s/app/Dockerfile.prod"),
            "FROM a AS prod\n",
        )
        .unwrap();
        std::fs::write(
            tmp.path().join("k8s/skaffold.yaml"),
            "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n  - image: app\n    context: app\n    docker:\n      dockerfile: Dockerfile.prod\n      target: prod\n      buildArgs: {A: '1'}\n  - image: jvm\n    jib: {}\nprofiles:\n- name: dev\n  build:\n    artifacts:\n    - image: app\n      context: app\n      docker: {dockerfile: Dockerfile.prod, target: dev}\n",
        )
        .unwrap();
        let tree = Tree::new(tmp.path());
        let mut found = Found::default();
        discover(&tree, Path::new("k8s/skaffold.yaml"), &mut found);
        assert_eq!(found.builds.len(), 2, "{found:?}");
        let a = &found.builds[0];
        assert_eq!(a.kind, DefinitionKind::Skaffold);
        assert_eq!(
            a.dockerfile.path(),
            Some(Path::new("k8s/app/Dockerfile.prod"))
        );
        assert_eq!(
            a.context,
            BuildContext::Directory {
                path: "k8s/app".into()
            }
        );
        assert_eq!(a.arg("A"), Some("1"));
        assert_eq!(a.origin.line, 5);
        assert_eq!(found.builds[1].name.as_deref(), Some("dev/app"));
        assert_eq!(found.builds[1].target.as_deref(), Some("dev"));
    }

    #[test]
    fn shipwright_and_tekton() {
        let manifest = "apiVersion: shipwright.io/v1beta1\nkind: Build\nmetadata: {name: sw}\nspec:\n  source:\n    type: Git\n    git: {url: 'https://x/y'}\n    contextDir: app\n  strategy: {name: buildah, kind: ClusterBuildStrategy}\n  paramValues:\n  - {name: dockerfile, value: Containerfile}\n  - name: build-args\n    values: [{value: 'A=1'}]\n  output: {image: 'reg/sw:1'}\n---\napiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  params:\n  - {name: ctx, default: web}\n  tasks:\n  - name: fetch\n    taskRef: {name: git-clone}\n  - name: build\n    taskRef: {name: buildah}\n    params:\n    - {name: CONTEXT, value: $(params.ctx)}\n    - {name: DOCKERFILE, value: ./web/Dockerfile.prod}\n    - {name: BUILD_EXTRA_ARGS, value: '--target prod --build-arg X=2'}\n    - {name: IMAGE, value: 'reg/web'}\n";
        let found = run(
            &[
                ("app/Containerfile", "FROM a\n"),
                ("web/Dockerfile.prod", "FROM b\n"),
            ],
            manifest,
        );
        assert_eq!(found.builds.len(), 2, "{found:?}");
        let sw = &found.builds[0];
        assert_eq!(sw.kind, DefinitionKind::Shipwright);
        assert_eq!(sw.dockerfile.path(), Some(Path::new("app/Containerfile")));
        assert_eq!(sw.arg("A"), Some("1"));
        let tk = &found.builds[1];
        assert_eq!(tk.kind, DefinitionKind::Tekton);
        assert_eq!(tk.name.as_deref(), Some("p/build"));
        assert_eq!(tk.context, BuildContext::Directory { path: "web".into() });
        assert_eq!(tk.dockerfile.path(), Some(Path::new("web/Dockerfile.prod")));
        assert_eq!(tk.target.as_deref(), Some("prod"));
        assert_eq!(tk.arg("X"), Some("2"));
        assert_eq!(tk.tags, ["reg/web"]);
    }
}
