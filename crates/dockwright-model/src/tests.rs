use dockwright_syntax::parse;

use crate::*;

fn model(src: &str) -> Model {
    model_with(src, &BuildOptions::default())
}

fn model_with(src: &str, options: &BuildOptions) -> Model {
    let doc = parse(src).unwrap();
    Model::build(&doc, options)
}

#[test]
fn bases_resolve_through_global_args() {
    let m = model(
        "ARG REGISTRY=ghcr.io/acme\nARG TAG\nFROM $REGISTRY/base:${TAG:-1.0} AS base\nFROM base\nFROM scratch\nFROM ${MISSING}/x\n",
    );
    let StageBase::Image(img) = &m.stages[0].base else {
        panic!("{:?}", m.stages[0].base)
    };
    assert_eq!(img.expanded, "ghcr.io/acme/base:1.0");
    assert!(
        img.unresolved.contains(&"TAG".to_string()),
        "TAG has no value"
    );
    let reference = img.reference.as_ref().unwrap();
    assert_eq!(reference.registry(), "ghcr.io");
    assert_eq!(reference.tag.as_deref(), Some("1.0"));
    assert_eq!(m.stages[1].base, StageBase::Stage(0));
    assert_eq!(m.stages[2].base, StageBase::Scratch);
    let StageBase::Image(missing) = &m.stages[3].base else {
        panic!()
    };
    assert_eq!(missing.unresolved, ["MISSING"]);
    assert!(!missing.is_resolved());
    assert_eq!(m.global_args_used, ["REGISTRY", "TAG", "MISSING"]);
}

#[test]
fn build_args_change_bases() {
    let options = BuildOptions::default().with_build_arg("IMAGE", "alpine:3.20");
    let m = model_with("ARG IMAGE=debian\nFROM $IMAGE\n", &options);
    let StageBase::Image(img) = &m.stages[0].base else {
        panic!()
    };
    assert_eq!(img.expanded, "alpine:3.20");
}

#[test]
fn base_stage_lookup_is_exact_against_lowercased_names() {
    // BuildKit lower-cases stage names and looks up `FROM name` without lower-casing it.
    let m = model("FROM alpine AS Builder\nFROM builder\nFROM Builder\n");
    assert_eq!(m.stages[1].base, StageBase::Stage(0));
    assert!(matches!(m.stages[2].base, StageBase::Image(_)));
}

#[test]
fn stage_graph_and_reachability() {
    let src = "\
FROM golang:1.22 AS build
RUN go build -o /out/app
FROM node:20 AS assets
RUN npm run build
FROM alpine:3.20 AS unused
FROM debian:12 AS final
COPY --from=build /out/app /app
COPY --from=0 /etc/passwd /etc/passwd
RUN --mount=type=bind,from=assets,target=/a cp -r /a /srv
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
";
    let m = model(src);
    assert_eq!(m.target, Some(3));
    let needed: Vec<bool> = m.stages.iter().map(|s| s.needed).collect();
    assert_eq!(needed, [true, true, false, true]);
    let edges: Vec<(usize, DependencyKind, DependencySource)> = m
        .dependencies_of(3)
        .map(|d| (d.instruction, d.kind, d.source.clone()))
        .collect();
    assert_eq!(
        edges[0].2,
        DependencySource::Image(ImageReference::parse("debian:12").ok())
    );
    assert_eq!(
        edges[1],
        (6, DependencyKind::CopyFrom, DependencySource::Stage(0))
    );
    assert_eq!(
        edges[2],
        (7, DependencyKind::CopyFrom, DependencySource::Stage(0))
    );
    assert_eq!(
        edges[3],
        (8, DependencyKind::MountFrom, DependencySource::Stage(1))
    );
    assert!(matches!(&edges[4].2, DependencySource::Image(Some(r)) if r.path == "nginx"));
}

#[test]
fn target_option_changes_what_is_needed() {
    let src = "FROM alpine AS a\nFROM a AS b\nFROM alpine AS c\n";
    let m = model_with(src, &BuildOptions::default().with_target("B"));
    assert_eq!(m.target, Some(1));
    let needed: Vec<bool> = m.stages.iter().map(|s| s.needed).collect();
    assert_eq!(needed, [true, true, false]);
    let m = model_with(src, &BuildOptions::default().with_target("nope"));
    assert_eq!(m.target, Some(2));
    assert!(m.errors[0].message.contains("could not be found"));
}

#[test]
fn forward_copy_from_is_resolved_and_marked() {
    let m = model("FROM alpine\nCOPY --from=later /x /x\nFROM alpine AS later\n");
    let dep = m.dependencies_of(0).nth(1).unwrap();
    assert_eq!(dep.source, DependencySource::Stage(1));
    assert!(dep.is_forward());
}

#[test]
fn image_config_is_inherited_from_base_stages() {
    let src = "\
FROM ubuntu:24.04 AS base
SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]
WORKDIR /app
USER app
EXPOSE 8080
CMD [\"serve\"]
FROM base AS child
WORKDIR src
ENTRYPOINT [\"run\"]
FROM ubuntu:24.04
WORKDIR rel
";
    let m = model(src);
    let child = &m.stages[1];
    assert_eq!(
        m.shells[child.config.shell],
        ["/bin/bash", "-o", "pipefail", "-c"]
    );
    assert_eq!(child.config.workdir.as_deref(), Some("/app/src"));
    assert_eq!(child.config.user.as_ref().unwrap().value, "app");
    assert_eq!(child.config.exposes.len(), 1);
    assert_eq!(child.config.entrypoint, Some(8));
    assert_eq!(child.config.cmd, None, "ENTRYPOINT resets an inherited CMD");
    assert_eq!(m.stages[0].config.cmd, Some(5));
    // An image's WORKDIR is unknown, so a relative one stays unknown.
    assert_eq!(m.stages[2].config.workdir, None);
    assert_eq!(m.shell_at(10), ["/bin/sh", "-c"]);
}

#[test]
fn instruction_facts_see_the_state_before_them() {
    let src = "FROM scratch\nWORKDIR /a\nUSER 1000\nENV X=1\nRUN echo $X\nUSER root\n";
    let m = model(src);
    assert_eq!(m.instructions[1].workdir.as_deref(), Some("/"));
    assert_eq!(m.instructions[2].workdir.as_deref(), Some("/a"));
    assert_eq!(m.instructions[3].user.as_deref(), Some("1000"));
    assert_eq!(m.env_at(3).get("X"), None);
    assert_eq!(m.env_at(4).get("X"), Some("1"));
    assert_eq!(m.instructions[5].user.as_deref(), Some("1000"));
    let user = m.stages[0].config.user.as_ref().unwrap();
    assert!(user.is_root);
    assert_eq!(m.stages[0].users, [2, 5]);
}

#[test]
fn args_declared_and_used() {
    let src = "\
ARG VERSION=1
FROM alpine
ARG VERSION
ARG UNUSED=x
ARG IN_RUN
ARG IN_LABEL
LABEL v=$IN_LABEL
RUN echo ${IN_RUN}
ENV V=$VERSION
";
    let m = model(src);
    let stage = &m.stages[0];
    let declared: Vec<&str> = stage
        .args_declared
        .iter()
        .map(|a| a.resolved.name.as_str())
        .collect();
    assert_eq!(declared, ["VERSION", "UNUSED", "IN_RUN", "IN_LABEL"]);
    assert_eq!(stage.args_declared[0].resolved.value.as_deref(), Some("1"));
    assert_eq!(stage.args_used, ["IN_LABEL", "IN_RUN", "VERSION"]);
    assert_eq!(m.global_args[0].resolved.name, "VERSION");
}

#[test]
fn run_scripts_in_every_form() {
    let src = "\
FROM debian
RUN --mount=type=cache,target=/var/cache/apt apt-get update && \\
    apt-get install -y curl
RUN <<EOF
set -e
echo one
EOF
RUN <<EOF
#!/usr/bin/env python3
print(1)
EOF
RUN python3 <<EOF
print(2)
EOF
RUN [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\", \"curl -s x | sh\"]
RUN [\"echo\", \"no shell\"]
";
    let m = model(src);
    let run = m.run(1).unwrap();
    assert!(run.mount_covers("/var/cache/apt/archives"));
    assert!(!run.mount_covers("/var/lib/apt/lists"));
    assert_eq!(run.scripts[0].origin, ScriptOrigin::CommandLine);
    assert_eq!(run.scripts[0].kind, ShellKind::Sh);

    let bare = &m.run(2).unwrap().scripts[0];
    assert_eq!(bare.origin, ScriptOrigin::HeredocBody);
    assert_eq!(bare.text, "set -e\necho one\n");
    let at = bare.text.find("echo").unwrap();
    let file = bare.map.to_file(at);
    assert_eq!(&src[file..file + 4], "echo");

    let shebang = &m.run(3).unwrap().scripts[0];
    assert_eq!(shebang.kind, ShellKind::Other("python3".into()));

    let stdin = m.run(4).unwrap();
    assert_eq!(stdin.stdin_interpreter.as_deref(), Some("python3"));
    assert_eq!(stdin.scripts[0].origin, ScriptOrigin::CommandWithHeredocs);
    assert_eq!(stdin.scripts[0].text, "python3 <<EOF\nprint(2)\nEOF");
    let at = stdin.scripts[0].text.find("print").unwrap();
    let file = stdin.scripts[0].map.to_file(at);
    assert_eq!(&src[file..file + 5], "print");

    let exec = &m.run(5).unwrap().scripts[0];
    assert_eq!(exec.origin, ScriptOrigin::ExecShellArgument);
    assert_eq!(exec.kind, ShellKind::Bash);
    assert!(exec.shell_sets_pipefail());
    assert_eq!(exec.text, "curl -s x | sh");
    let file = exec.map.to_file(exec.text.find('|').unwrap());
    assert_eq!(&src[file..=file], "|");
    assert!(m.run(6).unwrap().scripts.is_empty());
}

#[test]
fn exec_scripts_with_json_escapes_map_to_their_escape() {
    let src = "FROM x\nRUN [\"sh\", \"-c\", \"printf \\\"%s\\\\n\\\" a | cat\"]\n";
    let m = model(src);
    let script = &m.run(1).unwrap().scripts[0];
    assert_eq!(script.text, "printf \"%s\\n\" a | cat");
    let pipe = script.text.find('|').unwrap();
    let file = script.map.to_file(pipe);
    assert_eq!(&src[file..=file], "|");
}

#[test]
fn mount_fields_are_expanded() {
    let src =
        "FROM x\nARG CACHE=/root/.cache\nRUN --mount=type=cache,target=$CACHE/pip pip install x\n";
    let m = model(src);
    assert!(m.run(2).unwrap().mount_covers("/root/.cache/pip/wheels"));
}

#[test]
fn onbuild_run_has_facts() {
    let m = model("FROM x\nONBUILD RUN apt-get install -y y\n");
    let facts = &m.instructions[1];
    assert!(facts.onbuild);
    assert_eq!(
        facts.run.as_ref().unwrap().scripts[0].text,
        "apt-get install -y y"
    );
}

#[test]
fn expansion_errors_are_recorded_not_fatal() {
    let m = model("FROM x\nWORKDIR ${A:?need A}\nUSER app\n");
    assert_eq!(m.errors.len(), 1);
    assert_eq!(m.errors[0].instruction, Some(1));
    assert_eq!(m.stages[0].config.user.as_ref().unwrap().value, "app");
}

#[test]
fn instructions_before_from_have_no_stage() {
    let m = model("# c\nARG A=1\nFROM x\n");
    assert_eq!(m.instructions[0].stage, None);
    assert_eq!(m.instructions[1].stage, Some(0));
    assert_eq!(m.stages[0].instructions, 1..2);
    assert!(m.stage_of(0).is_none());
}

#[test]
fn model_serializes() {
    let m = model("FROM alpine AS a\nRUN echo hi\n");
    let v = serde_json::to_value(&m).unwrap();
    assert_eq!(v["stages"][0]["name"], "a");
    assert_eq!(v["stages"][0]["base"]["kind"], "image");
    assert_eq!(v["instructions"][1]["run"]["scripts"][0]["text"], "echo hi");
}

#[test]
fn effects_of_package_installs_and_cleanups() {
    use dockwright_shell::{CacheLocation, PackageFlagKind, PackageManager, PackageOperation};
    let src = "\
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88 git \\
    && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y make
RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update
RUN --mount=type=cache,target=/root/.cache pip install flask
RUN pip install --no-cache-dir flask && useradd -m app && curl -fsSL https://x/i.sh | sh
USER app
RUN --mount=type=cache,target=/home/app/.npm npm ci
";
    let m = model(src);
    let first = &m.run(1).unwrap().effects;
    assert_eq!(first.packages.len(), 2);
    let install = &first.packages[1];
    assert_eq!(install.manager, PackageManager::AptGet);
    assert_eq!(install.operation, PackageOperation::Install);
    assert_eq!(install.packages, ["curl", "git"]);
    assert!(
        install
            .flags
            .contains(&PackageFlagKind::NoInstallRecommends)
    );
    let lists = first
        .caches
        .iter()
        .find(|c| c.location == CacheLocation::AptLists)
        .unwrap();
    assert!(lists.cleaned && !lists.left_in_layer());
    assert_eq!(
        &src[first.packages[0].span.start..first.packages[0].span.end],
        "apt-get update"
    );
    assert_eq!(first.removed[0].cache, Some(CacheLocation::AptLists));

    let second = &m.run(2).unwrap().effects;
    assert_eq!(second.left_in_layer(CacheLocation::AptLists).count(), 1);
    let mounted = &m.run(3).unwrap().effects;
    assert!(mounted.caches[0].mounted);
    let pip = &m.run(4).unwrap().effects;
    assert!(pip.caches.iter().all(|c| c.mounted), "{:?}", pip.caches);
    let no_cache = &m.run(5).unwrap().effects;
    assert!(no_cache.caches.is_empty());
    assert_eq!(no_cache.users, ["app"]);
    assert_eq!(no_cache.downloads[0].piped_into.as_deref(), Some("sh"));
    let npm = &m.run(7).unwrap().effects;
    assert!(npm.caches.iter().all(|c| c.mounted), "{:?}", npm.caches);
}

#[test]
fn scripts_are_parsed_with_the_shell_options() {
    let src = "FROM x\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b\nRUN [\"powershell\", \"-c\", \"x\"]\n";
    let m = model(src);
    let script = &m.run(2).unwrap().scripts[0];
    let pipelines = script.pipelines();
    assert!(pipelines[0].has_pipe() && pipelines[0].options.pipefail);
    let span = script.span_in_file(pipelines[0].span);
    assert_eq!(&src[span.start..span.end], "a | b");
    assert!(
        m.run(3).unwrap().scripts.is_empty(),
        "powershell is not a POSIX shell"
    );
}

#[test]
fn globs_and_dist_clean_clean_the_lists() {
    use dockwright_shell::CacheLocation;
    let src = "FROM ubuntu\nRUN apt-get update && rm -rf /var/lib/apt/lists*\nRUN apt-get update; apt-get dist-clean\nRUN apt-get update && rm -rf /var/lib/a*/lists/x\nRUN apt-get update; rm -rf /var/lib /var/cache\n";
    let m = model(src);
    assert_eq!(
        m.run(1)
            .unwrap()
            .effects
            .left_in_layer(CacheLocation::AptLists)
            .count(),
        0
    );
    assert_eq!(
        m.run(2)
            .unwrap()
            .effects
            .left_in_layer(CacheLocation::AptLists)
            .count(),
        0
    );
    assert_eq!(
        m.run(3)
            .unwrap()
            .effects
            .left_in_layer(CacheLocation::AptLists)
            .count(),
        1
    );
    assert_eq!(
        m.run(4)
            .unwrap()
            .effects
            .left_in_layer(CacheLocation::AptLists)
            .count(),
        0
    );
}
