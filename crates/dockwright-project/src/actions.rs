//! GitHub Actions workflows: steps using `docker/build-push-action`, expanded over the job's
//! `strategy.matrix`, and `docker build` command lines in `run:` steps.
//!
//! Paths in a workflow are relative to the repository root, the directory holding `.github`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::command_line::{command_build, find_build_commands};
use crate::model::{
    BuildContext, BuildDefinition, DefinitionKind, DockerfileSource, Location, NamedContext,
};
use crate::paths::{Tree, git_subdir, is_remote, parent_dir};
use crate::scan::{Found, YamlSource, dockerfile_at, parse_yaml, read_text};
use crate::yaml::Node;

/// GitHub's own limit on the jobs one matrix may produce.
const MAX_COMBINATIONS: usize = 256;

/// One matrix combination: key → value.
type Combination = BTreeMap<String, String>;

/// Reads one workflow file.
pub(crate) fn discover(tree: &Tree, file: &Path, found: &mut Found) {
    let Some(text) = read_text(tree, file, found) else {
        return;
    };
    let Some(yaml) = parse_yaml(file, &text, found) else {
        return;
    };
    // `.github/workflows/x.yml` → the repository root is the parent of `.github`.
    let repo = parent_dir(&parent_dir(&parent_dir(file)));
    let source = YamlSource {
        tree,
        file: file.to_path_buf(),
        yaml: &yaml,
        vars: None,
    };
    for root in yaml.roots() {
        let workflow_env = env_map(&source, root.get("env"), found);
        let workflow_dir = root
            .get("defaults")
            .and_then(|d| d.get("run"))
            .and_then(|r| r.get_str("working-directory"));
        let Some(jobs) = root.get("jobs") else {
            continue;
        };
        for (job_key, job) in jobs.entries() {
            let Some(job_id) = job_key.as_str() else {
                continue;
            };
            let mut env = workflow_env.clone();
            env.extend(env_map(&source, job.get("env"), found));
            let job_dir = job
                .get("defaults")
                .and_then(|d| d.get("run"))
                .and_then(|r| r.get_str("working-directory"))
                .or(workflow_dir);
            let combos = matrix(&source, &job, found);
            let Some(steps) = job.get("steps") else {
                continue;
            };
            for (index, step) in steps.items().iter().enumerate() {
                let mut step_env = env.clone();
                step_env.extend(env_map(&source, step.get("env"), found));
                let step_name = step
                    .get_str("name")
                    .map(String::from)
                    .or_else(|| step.get_str("id").map(String::from))
                    .unwrap_or_else(|| format!("step {}", index + 1));
                let ctx = StepContext {
                    source: &source,
                    repo: &repo,
                    job_id,
                    step,
                    step_env: &step_env,
                    combos: &combos,
                };
                let uses = step.get_str("uses").unwrap_or_default();
                if uses.starts_with("docker/build-push-action") {
                    build_push_action(&ctx, &step_name, found);
                } else if let Some(run) = step.get("run") {
                    let dir = step.get_str("working-directory").or(job_dir);
                    run_step(&ctx, &run, dir, &step_name, found);
                }
            }
        }
    }
}

struct StepContext<'a, 'f, 's> {
    source: &'a YamlSource<'a, 's>,
    repo: &'a Path,
    job_id: &'a str,
    step: &'a Node<'f, 's>,
    step_env: &'a BTreeMap<String, String>,
    combos: &'a [Combination],
}

impl StepContext<'_, '_, '_> {
    /// Substitutes `${{ matrix.X }}` and `${{ env.X }}`; other expressions stay.
    fn substitute(&self, text: &str, combo: &Combination) -> String {
        substitute(text, combo, self.step_env)
    }

    fn id_suffix(combo: &Combination) -> String {
        if combo.is_empty() {
            return String::new();
        }
        let parts: Vec<String> = combo.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("[{}]", parts.join(","))
    }
}

fn env_map(
    source: &YamlSource<'_, '_>,
    node: Option<Node<'_, '_>>,
    found: &mut Found,
) -> BTreeMap<String, String> {
    let Some(node) = node else {
        return BTreeMap::new();
    };
    node.entries()
        .into_iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), source.string(&v, found)?)))
        .collect()
}

/// Expands `strategy.matrix` the way GitHub does: the product of the list-valued keys,
/// minus `exclude`, then `include` entries added to matching combinations or appended.
fn matrix(source: &YamlSource<'_, '_>, job: &Node<'_, '_>, found: &mut Found) -> Vec<Combination> {
    let Some(matrix) = job.get("strategy").and_then(|s| s.get("matrix")) else {
        return vec![Combination::new()];
    };
    if !matrix.is_mapping() {
        found.warn(
            source.location(&matrix),
            "matrix computed by an expression is not expanded",
        );
        return vec![Combination::new()];
    }
    let mut combos = vec![Combination::new()];
    let mut includes = Vec::new();
    let mut excludes = Vec::new();
    for (key, value) in matrix.entries() {
        let Some(key) = key.as_str() else {
            continue;
        };
        match key {
            "include" => includes = value.items(),
            "exclude" => excludes = value.items(),
            _ => {
                let values: Vec<String> = value
                    .items()
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
                if values.is_empty() {
                    if value.as_str().is_some() {
                        found.warn(
                            source.location(&value),
                            format!("matrix key {key} is an expression and is not expanded"),
                        );
                    }
                    continue;
                }
                let mut next = Vec::new();
                for combo in &combos {
                    for v in &values {
                        let mut c = combo.clone();
                        c.insert(key.to_string(), v.clone());
                        next.push(c);
                        if next.len() > MAX_COMBINATIONS {
                            break;
                        }
                    }
                }
                combos = next;
            }
        }
    }
    let as_combo = |node: &Node<'_, '_>| -> Combination {
        node.entries()
            .into_iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
            .collect()
    };
    let excludes: Vec<Combination> = excludes.iter().map(as_combo).collect();
    combos.retain(|c| {
        !excludes
            .iter()
            .any(|e| !e.is_empty() && e.iter().all(|(k, v)| c.get(k) == Some(v)))
    });
    let original: Vec<String> = combos
        .first()
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    let base_count = combos.len();
    let only_empty = combos.len() == 1 && combos[0].is_empty();
    for include in includes.iter().map(as_combo) {
        let mut added = false;
        if !only_empty {
            for combo in combos.iter_mut().take(base_count) {
                let compatible = include
                    .iter()
                    .all(|(k, v)| !original.contains(k) || combo.get(k) == Some(v));
                if compatible {
                    for (k, v) in &include {
                        combo.insert(k.clone(), v.clone());
                    }
                    added = true;
                }
            }
        }
        if !added {
            if only_empty && combos.len() == 1 && combos[0].is_empty() {
                combos[0] = include;
            } else {
                combos.push(include);
            }
        }
    }
    combos.truncate(MAX_COMBINATIONS);
    combos
}

/// Replaces `${{ matrix.X }}` and `${{ env.X }}` (any spacing) with their values.
fn substitute(text: &str, combo: &Combination, env: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let expr = rest[start + 3..start + len].trim();
        let value = expr
            .strip_prefix("matrix.")
            .and_then(|k| combo.get(k))
            .or_else(|| expr.strip_prefix("env.").and_then(|k| env.get(k)));
        out.push_str(&rest[..start]);
        match value {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// A build-push-action list input: one item per line, and for `split_commas` inputs also
/// per comma (GitHub's toolkit `getInputList` rule).
fn input_list(text: &str, split_commas: bool) -> Vec<String> {
    text.lines()
        .flat_map(|line| {
            if split_commas {
                line.split(',').map(str::trim).collect::<Vec<_>>()
            } else {
                vec![line.trim()]
            }
        })
        .filter(|s| !s.is_empty() && !s.starts_with('#'))
        .map(String::from)
        .collect()
}

fn build_push_action(ctx: &StepContext<'_, '_, '_>, step_name: &str, found: &mut Found) {
    let with = ctx.step.get("with");
    let input = |key: &str, found: &mut Found| {
        with.as_ref()
            .and_then(|w| ctx.source.get_string(w, key, found))
    };
    let origin = ctx.source.location(ctx.step);
    let raw_context = input("context", found);
    let raw_file = input("file", found);
    let raw_target = input("target", found);
    let raw_args = input("build-args", found);
    let raw_platforms = input("platforms", found);
    let raw_cache = input("cache-from", found);
    let raw_tags = input("tags", found);
    let raw_contexts = input("build-contexts", found);
    for combo in ctx.combos {
        let sub = |s: &Option<String>| s.as_ref().map(|s| ctx.substitute(s, combo));
        // The default context is the Git context of the repository: its root.
        let context = sub(&raw_context)
            .map(|c| {
                c.strip_prefix("{{defaultContext}}")
                    .map(|rest| rest.strip_prefix(':').unwrap_or(rest).to_string())
                    .unwrap_or(c)
            })
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| ".".to_string());
        let (dockerfile, build_context) = if is_remote(&context) {
            let (url, subdir) = git_subdir(&context);
            let path = sub(&raw_file).unwrap_or_else(|| "Dockerfile".into());
            (
                DockerfileSource::Remote {
                    url: url.clone(),
                    path,
                },
                BuildContext::Remote {
                    url,
                    subdir,
                    local: None,
                },
            )
        } else {
            let dir = ctx.source.tree.resolve(ctx.repo, &context);
            // `file` is relative to the repository root; by default `Dockerfile` in the context.
            let dockerfile = match sub(&raw_file).filter(|f| !f.is_empty()) {
                Some(file) => dockerfile_at(ctx.source.tree, ctx.repo, &file),
                None => dockerfile_at(ctx.source.tree, &dir, "Dockerfile"),
            };
            (dockerfile, BuildContext::Directory { path: dir })
        };
        let mut def = BuildDefinition::new(
            DefinitionKind::GithubActions,
            origin.clone(),
            dockerfile,
            build_context,
        );
        def.name = Some(format!(
            "{}/{}",
            ctx.job_id,
            ctx.substitute(step_name, combo)
        ));
        def.id = format!(
            "{}#{}/{}{}",
            crate::paths::slash(&ctx.source.file),
            ctx.job_id,
            ctx.substitute(step_name, combo),
            StepContext::id_suffix(combo)
        );
        def.target = sub(&raw_target).filter(|t| !t.is_empty());
        for arg in input_list(&sub(&raw_args).unwrap_or_default(), false) {
            let (name, value) = match arg.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (arg, None),
            };
            def.set_arg(name, value);
        }
        def.platforms = input_list(&sub(&raw_platforms).unwrap_or_default(), true);
        def.cache_from = input_list(&sub(&raw_cache).unwrap_or_default(), false);
        def.tags = input_list(&sub(&raw_tags).unwrap_or_default(), true);
        def.additional_contexts = input_list(&sub(&raw_contexts).unwrap_or_default(), false)
            .into_iter()
            .filter_map(|c| {
                c.split_once('=').map(|(n, v)| NamedContext {
                    name: n.to_string(),
                    value: v.to_string(),
                })
            })
            .collect();
        def.matrix.clone_from(combo);
        found.builds.push(def);
    }
}

fn run_step(
    ctx: &StepContext<'_, '_, '_>,
    run: &Node<'_, '_>,
    working_dir: Option<&str>,
    step_name: &str,
    found: &mut Found,
) {
    let Some(script) = run.as_str() else {
        return;
    };
    if !script.contains("build") && !script.contains("bud") {
        return;
    }
    let commands = find_build_commands(script);
    if commands.is_empty() {
        return;
    }
    // Map command offsets in the script back to the workflow's lines.
    let mut ignored = Found::default();
    let map = ctx.source.inline_dockerfile(run, &mut ignored);
    let dir = working_dir.map_or_else(
        || ctx.repo.to_path_buf(),
        |d| ctx.source.tree.resolve(ctx.repo, d),
    );
    for (n, command) in commands.iter().enumerate() {
        let p = map.position(command.offset);
        let origin = Location {
            file: ctx.source.file.clone(),
            line: p.line,
            column: p.column,
        };
        for combo in ctx.combos {
            let sub = |s: &str| ctx.substitute(s, combo);
            let def = command_build(ctx.source.tree, &dir, command, origin.clone(), &sub);
            let Some(mut def) = def else {
                found.warn(
                    origin.clone(),
                    "build command reads its Dockerfile from standard input or has no context; skipped",
                );
                continue;
            };
            let label = if commands.len() > 1 {
                format!("{step_name} #{}", n + 1)
            } else {
                step_name.to_string()
            };
            def.matrix.clone_from(combo);
            def.name = Some(format!("{}/{}", ctx.job_id, ctx.substitute(&label, combo)));
            def.id = format!(
                "{}#{}/{}{}",
                crate::paths::slash(&ctx.source.file),
                ctx.job_id,
                ctx.substitute(&label, combo),
                StepContext::id_suffix(combo)
            );
            found.builds.push(def);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run(workflow: &str, files: &[&str]) -> Found {
        let tmp = tempfile::tempdir().unwrap();
        for f in files {
            let p = tmp.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "FROM x\n").unwrap();
        }
        let wf = tmp.path().join(".github/workflows/ci.yml");
        std::fs::create_dir_all(wf.parent().unwrap()).unwrap();
        std::fs::write(&wf, workflow).unwrap();
        let tree = Tree::new(tmp.path());
        let mut found = Found::default();
        discover(&tree, Path::new(".github/workflows/ci.yml"), &mut found);
        found
    }

    #[test]
    fn build_push_action_with_matrix() {
        let wf = "env:\n  REG: ghcr.io/x\njobs:\n  build:\n    strategy:\n      matrix:\n        tier: [a, b, c]\n        arch: [amd64]\n        exclude:\n          - tier: c\n        include:\n          - tier: a\n            extra: yes\n          - tier: d\n    steps:\n      - uses: actions/checkout@v4\n      - name: Build ${{ matrix.tier }}\n        uses: docker/build-push-action@v6\n        with:\n          context: app\n          file: app/Dockerfile\n          target: ${{ matrix.tier }}\n          build-args: |\n            BASE=alpine\n            ARCH=${{ matrix.arch }}\n          platforms: linux/amd64,linux/arm64\n          cache-from: type=gha\n          tags: ${{ env.REG }}/app:${{ matrix.tier }}\n";
        let found = run(wf, &["app/Dockerfile"]);
        let targets: Vec<_> = found
            .builds
            .iter()
            .map(|b| b.target.clone().unwrap())
            .collect();
        assert_eq!(targets, ["a", "b", "d"]);
        let a = &found.builds[0];
        assert_eq!(a.arg("ARCH"), Some("amd64"));
        assert_eq!(a.arg("BASE"), Some("alpine"));
        assert_eq!(a.matrix.get("extra").map(String::as_str), Some("yes"));
        assert_eq!(a.platforms, ["linux/amd64", "linux/arm64"]);
        assert_eq!(a.tags, ["ghcr.io/x/app:a"]);
        assert_eq!(a.origin.line, 17);
        assert_eq!(a.name.as_deref(), Some("build/Build a"));
        assert_eq!(
            a.dockerfile,
            DockerfileSource::Path {
                path: "app/Dockerfile".into(),
                exists: true
            }
        );
        let d = &found.builds[2];
        assert_eq!(d.arg("ARCH"), Some("${{ matrix.arch }}"));
        assert!(
            found
                .builds
                .iter()
                .all(|b| b.context == BuildContext::Directory { path: "app".into() })
        );
    }

    #[test]
    fn default_context_and_file() {
        let wf = "jobs:\n  j:\n    steps:\n      - uses: docker/build-push-action@v5\n      - uses: docker/build-push-action@v5\n        with:\n          context: sub\n";
        let found = run(wf, &["Dockerfile"]);
        assert_eq!(found.builds.len(), 2);
        assert_eq!(
            found.builds[0].dockerfile.path(),
            Some(Path::new("Dockerfile"))
        );
        assert_eq!(
            found.builds[1].dockerfile.path(),
            Some(Path::new("sub/Dockerfile"))
        );
    }

    #[test]
    fn run_steps_with_docker_build() {
        let wf = "jobs:\n  j:\n    defaults:\n      run:\n        working-directory: svc\n    steps:\n      - name: build\n        run: |\n          echo start\n          docker build -f docker/Dockerfile --target prod \\\n            --build-arg V=1 .\n          docker build -t x ../web\n";
        let found = run(wf, &["svc/docker/Dockerfile"]);
        assert_eq!(found.builds.len(), 2, "{found:?}");
        let a = &found.builds[0];
        assert_eq!(a.kind, DefinitionKind::CiCommand);
        assert_eq!(
            a.dockerfile.path(),
            Some(Path::new("svc/docker/Dockerfile"))
        );
        assert_eq!(a.context, BuildContext::Directory { path: "svc".into() });
        assert_eq!(a.target.as_deref(), Some("prod"));
        assert_eq!(a.arg("V"), Some("1"));
        assert_eq!((a.origin.line, a.origin.column), (10, 11));
        let b = &found.builds[1];
        assert_eq!(b.dockerfile.path(), Some(Path::new("web/Dockerfile")));
        assert_eq!(b.origin.line, 12);
    }

    #[test]
    fn substitution() {
        let combo: Combination = [("t".to_string(), "x".to_string())].into();
        let env = BTreeMap::new();
        assert_eq!(
            substitute("a-${{matrix.t}}-${{ github.sha }}", &combo, &env),
            "a-x-${{ github.sha }}"
        );
    }
}
