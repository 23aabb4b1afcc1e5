//! GitLab CI (`.gitlab-ci.yml`): `docker build`/`buildah bud`/`podman build` command lines in
//! the `script`, `before_script` and `after_script` of every job. Paths are relative to the
//! repository root, the directory holding the file.

use std::path::Path;

use crate::command_line::{command_build, find_build_commands};
use crate::model::Location;
use crate::paths::{Tree, parent_dir, slash};
use crate::scan::{Found, YamlSource, parse_yaml, read_text};

/// Keys at the top of a GitLab CI file that are not jobs.
const GLOBAL_KEYS: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// Reads one GitLab CI file.
pub(crate) fn discover(tree: &Tree, file: &Path, found: &mut Found) {
    let Some(text) = read_text(tree, file, found) else {
        return;
    };
    let Some(yaml) = parse_yaml(file, &text, found) else {
        return;
    };
    let repo = parent_dir(file);
    let source = YamlSource {
        tree,
        file: file.to_path_buf(),
        yaml: &yaml,
        vars: None,
    };
    for root in yaml.roots() {
        for (key, job) in root.entries() {
            let Some(job_name) = key.as_str() else {
                continue;
            };
            if GLOBAL_KEYS.contains(&job_name) || !job.is_mapping() {
                continue;
            }
            let mut n = 0;
            for section in ["before_script", "script", "after_script"] {
                let Some(script) = job.get(section) else {
                    continue;
                };
                let lines = if script.as_str().is_some() {
                    vec![script]
                } else {
                    script.items()
                };
                for line in lines {
                    let Some(text) = line.as_str() else {
                        continue;
                    };
                    let commands = find_build_commands(text);
                    if commands.is_empty() {
                        continue;
                    }
                    let mut ignored = Found::default();
                    let map = source.inline_dockerfile(&line, &mut ignored);
                    for command in &commands {
                        n += 1;
                        let p = map.position(command.offset);
                        let origin = Location {
                            file: file.to_path_buf(),
                            line: p.line,
                            column: p.column,
                        };
                        let same = |s: &str| s.to_string();
                        let Some(mut def) =
                            command_build(tree, &repo, command, origin.clone(), &same)
                        else {
                            found.warn(
                                origin,
                                "build command reads its Dockerfile from standard input or has no context; skipped",
                            );
                            continue;
                        };
                        let name = if n == 1 {
                            job_name.to_string()
                        } else {
                            format!("{job_name} #{n}")
                        };
                        def.id = format!("{}#{name}", slash(file));
                        def.name = Some(name);
                        found.builds.push(def);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::BuildContext;

    #[test]
    fn script_lines() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("app")).unwrap();
        std::fs::write(tmp.path().join("app/Dockerfile"), "FROM a\n").unwrap();
        std::fs::write(
            tmp.path().join(".gitlab-ci.yml"),
            "stages: [build]\nvariables: {X: 1}\nbuild-app:\n  stage: build\n  script:\n    - echo hi\n    - docker build --target prod -t $CI_REGISTRY_IMAGE app\n    - |\n      docker build \\\n        -f app/Dockerfile --build-arg A=1 .\n",
        )
        .unwrap();
        let tree = Tree::new(tmp.path());
        let mut found = Found::default();
        discover(&tree, Path::new(".gitlab-ci.yml"), &mut found);
        assert_eq!(found.builds.len(), 2, "{found:?}");
        let a = &found.builds[0];
        assert_eq!(a.dockerfile.path(), Some(Path::new("app/Dockerfile")));
        assert_eq!(a.target.as_deref(), Some("prod"));
        assert_eq!(a.tags, ["$CI_REGISTRY_IMAGE"]);
        assert_eq!((a.origin.line, a.origin.column), (7, 7));
        let b = &found.builds[1];
        assert_eq!(b.context, BuildContext::Directory { path: ".".into() });
        assert_eq!(b.arg("A"), Some("1"));
        assert_eq!(b.origin.line, 9);
        assert_eq!(b.id, ".gitlab-ci.yml#build-app #2");
    }
}
