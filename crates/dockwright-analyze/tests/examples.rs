//! `analyze` on the four examples of the repository: a markdown snapshot of each (stable: no
//! timings, no absolute paths), and the items of each example README's checklist that the
//! analysis finds today, asserted by rule code and fact.
//!
//! Every checklist item is asserted today. When a rule changes, re-accept the snapshots with
//! `INSTA_UPDATE=always cargo test -p dockwright-analyze --test examples`; an item no rule
//! reports yet goes in a `pending(...)` call until one does.

// Test helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use dockwright_analyze::{AnalysisReport, AnalyzeOptions, Finding, Priority, analyze, render};
use dockwright_rules::{Linter, Settings};

fn example(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples")).join(name)
}

fn report(name: &str) -> AnalysisReport {
    // As `dockwright analyze` builds it: the default selection plus the analyze-only rules.
    let settings =
        Settings::from_options(dockwright_analyze::with_analyze_rules(Default::default())).unwrap();
    let linter = Linter::new(settings).with_shellcheck(false);
    analyze(
        &example(name),
        &AnalyzeOptions {
            discover: Default::default(),
            linter: &linter,
            image: None,
            optimizer: None,
            progress: None,
        },
    )
    .unwrap()
}

/// The markdown with the absolute example path replaced by `examples/NAME`.
fn stable_markdown(name: &str, report: &AnalysisReport) -> String {
    let root = example(name).to_string_lossy().replace('\\', "/");
    render::markdown(report).replace(&root, &format!("examples/{name}"))
}

fn find<'a>(report: &'a AnalysisReport, code: &str, file: &str, line: usize) -> &'a Finding {
    report
        .findings
        .iter()
        .find(|f| {
            f.code == code
                && f.place
                    .as_ref()
                    .is_some_and(|p| p.file == file && p.line == line)
        })
        .unwrap_or_else(|| {
            let all: Vec<String> = report
                .findings
                .iter()
                .map(|f| format!("{} {:?}", f.code, f.place))
                .collect();
            panic!("no {code} at {file}:{line}; found:\n{}", all.join("\n"))
        })
}

fn lines_of(report: &AnalysisReport, code: &str) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = report
        .findings
        .iter()
        .filter(|f| f.code == code)
        .filter_map(|f| f.place.as_ref().map(|p| (p.file.clone(), p.line)))
        .collect();
    v.sort();
    v
}

/// Prints checklist items no rule reports yet (none today; kept for the next example).
#[allow(dead_code)]
fn pending(name: &str, items: &[&str]) {
    println!(
        "{name}: checklist items no rule reports yet (not asserted): {}",
        items.join("; ")
    );
}

#[test]
fn ml_transcriber() {
    let r = report("ml-transcriber");
    insta::assert_snapshot!("ml-transcriber", stable_markdown("ml-transcriber", &r));
    let f = "Dockerfile";
    // Size
    let tools = find(&r, "DW2003", f, 12);
    for tool in [
        "build-essential",
        "cmake",
        "python3-dev",
        "libsndfile1-dev",
        "git",
    ] {
        assert!(tools.message.contains(tool), "{}", tools.message);
    }
    assert_eq!(tools.priority, Priority::High);
    find(&r, "DW2002", f, 11); // apt lists left in the layer of line 11/12...
    let later = find(&r, "DW2402", f, 14); // ...and removed in a later layer
    assert!(later.message.contains("line 11"), "{}", later.message);
    find(&r, "DW2001", f, 12);
    let archive = find(&r, "DW2403", f, 29);
    assert!(archive.message.contains("/tmp/ffmpeg.tar.xz"));
    // The model file: the lint rule, with the context analysis' measured impact folded in.
    let model = find(&r, "DW2407", f, 26);
    assert!(
        model.message.contains("models/whisper-small.pt"),
        "{}",
        model.message
    );
    assert_eq!(model.impact.as_ref().and_then(|i| i.bytes), Some(3_145_728));
    assert!(
        !r.findings
            .iter()
            .any(|f| f.code == "context/unused-large-content")
    );
    let ignore = r
        .findings
        .iter()
        .find(|f| f.code == "context/no-dockerignore")
        .expect("no .dockerignore finding");
    for sent in ["tests/", "docs/", "notebooks/", "models/", ".env"] {
        assert!(
            ignore.evidence.iter().any(|e| e.contains(sent)),
            "{sent} not in {:?}",
            ignore.evidence
        );
    }
    let twice = find(&r, "context/copied-twice", f, 26);
    assert!(twice.message.contains("line 20"), "{}", twice.message);
    assert!(twice.evidence.iter().any(|e| e.starts_with("src/")));
    // Cache
    let order = find(&r, "DW3301", f, 22);
    assert!(order.message.contains("pip3 install ."));
    assert!(
        order
            .evidence
            .iter()
            .any(|e| e.contains("rebuilds 6 of 12 steps")),
        "{:?}",
        order.evidence
    );
    find(&r, "DW3302", f, 11); // apt-get update in a RUN of its own
    let early = lines_of(&r, "cache/volatile-arg-early");
    assert_eq!(early, [(f.into(), 5), (f.into(), 6)]);
    let bust = find(&r, "cache/volatile-arg-early", f, 5);
    assert_eq!(bust.impact.as_ref().and_then(|i| i.steps), Some(11));
    assert!(!lines_of(&r, "DW3001").is_empty()); // consecutive RUNs
    // Security
    find(&r, "DW4002", f, 1);
    let secret = find(&r, "DW4402", f, 26);
    assert!(secret.message.contains(".env"));
    assert_eq!(secret.priority, Priority::High);
    // Correctness and reproducibility
    find(&r, "DW1002", f, 33);
    find(&r, "DW4407", f, 32); // EXPOSE without HEALTHCHECK
    find(&r, "DW5003", f, 12);
    assert_eq!(lines_of(&r, "DW5101"), [(f.into(), 21), (f.into(), 23)]); // pip unpinned
    // pip without --no-cache-dir, three RUNs.
    assert_eq!(
        lines_of(&r, "DW2101"),
        [(f.into(), 21), (f.into(), 22), (f.into(), 23)]
    );
    // The report's other parts.
    let build = &r.builds[0];
    let context = build.context.as_ref().unwrap();
    assert_eq!(context.files, 13);
    assert!(context.suggested_ignore.is_some());
    assert!(
        r.verify
            .iter()
            .any(|v| v.command.starts_with("dockwright bench"))
    );
    // The CUDA -devel base ships nvcc and headers: the -runtime tag, as an unsafe fix.
    let devel = find(&r, "DW2409", f, 1);
    assert!(
        devel
            .message
            .contains("nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04"),
        "{}",
        devel.message
    );
    assert!(devel.fix.is_some());
    // The static ffmpeg build is unpacked without a checksum.
    let unverified = find(&r, "DW4501", f, 29);
    assert!(unverified.message.contains("/tmp/ffmpeg.tar.xz"));
    // The base image has no digest (analyze turns the opt-in rule on, low priority).
    assert_eq!(find(&r, "DW4401", f, 1).priority, Priority::Low);
}

#[test]
fn web_platform() {
    let r = report("web-platform");
    insta::assert_snapshot!("web-platform", stable_markdown("web-platform", &r));
    // Discovery: the compose services and their targets.
    let builds: Vec<(&str, Option<&str>)> = r
        .builds
        .iter()
        .map(|b| (b.id.as_str(), b.target.as_deref()))
        .collect();
    assert_eq!(
        builds,
        [
            ("compose.yaml#api", Some("production")),
            ("compose.yaml#api-dev", Some("development")),
            ("compose.yaml#web", None),
            ("compose.yaml#worker", None),
        ]
    );
    let worker = r.builds.iter().find(|b| b.id.ends_with("#worker")).unwrap();
    assert!(worker.dockerfile.starts_with("inline in compose.yaml:"));
    // The worker's inline Dockerfile: findings on compose.yaml's own lines.
    find(&r, "DW1002", "compose.yaml", 46);
    find(&r, "DW3301", "compose.yaml", 45);
    // The API's stages share nothing.
    let repeated = find(&r, "graph/repeated-steps", "api/Dockerfile", 10);
    assert!(repeated.message.contains("`development` and `production`"));
    // Size
    find(&r, "DW2410", "web/Dockerfile", 9); // builds in the image it ships
    find(&r, "DW2405", "web/Dockerfile", 8); // dev dependencies
    find(&r, "DW2405", "api/Dockerfile", 4);
    assert_eq!(
        lines_of(&r, "DW2409"), // full base images
        [
            ("api/Dockerfile".into(), 1),
            ("api/Dockerfile".into(), 8),
            ("compose.yaml".into(), 42),
            ("web/Dockerfile".into(), 1),
        ]
    );
    find(&r, "DW2001", "api/Dockerfile", 13);
    find(&r, "DW2002", "api/Dockerfile", 13);
    assert_eq!(
        lines_of(&r, "context/no-dockerignore"),
        [
            ("api/Dockerfile".into(), 3),
            ("api/Dockerfile".into(), 11),
            ("compose.yaml".into(), 44),
            ("web/Dockerfile".into(), 7),
        ]
    );
    // Cache: COPY . before the installs.
    find(&r, "DW3301", "web/Dockerfile", 8);
    find(&r, "DW3301", "api/Dockerfile", 4);
    find(&r, "DW3301", "api/Dockerfile", 12);
    // Security: no USER in any final stage.
    assert_eq!(
        lines_of(&r, "DW4002"),
        [
            ("api/Dockerfile".into(), 1),
            ("api/Dockerfile".into(), 8),
            ("compose.yaml".into(), 42),
            ("web/Dockerfile".into(), 1),
        ]
    );
    find(&r, "DW2101", "compose.yaml", 45); // the worker's pip cache
    // Correctness
    find(&r, "DW1002", "web/Dockerfile", 12);
    // `npm install` where the context's package-lock.json is copied in: `npm ci`.
    assert_eq!(
        lines_of(&r, "DW5501"),
        [
            ("api/Dockerfile".into(), 4),
            ("api/Dockerfile".into(), 12),
            ("web/Dockerfile".into(), 8),
        ]
    );
}

#[test]
fn notebook_tiers() {
    let r = report("notebook-tiers");
    insta::assert_snapshot!("notebook-tiers", stable_markdown("notebook-tiers", &r));
    // Discovery: three CI targets with the BASE_IMAGE override.
    let targets: Vec<Option<&str>> = r.builds.iter().map(|b| b.target.as_deref()).collect();
    assert_eq!(targets, [Some("tier1"), Some("tier2"), Some("tier3")]);
    for b in &r.builds {
        assert!(b.origin.starts_with(".github/workflows/images.yml:"));
        assert!(
            b.args
                .iter()
                .any(|a| a == "BASE_IMAGE=quay.io/modh/odh-pytorch-notebook:v2-2025a")
        );
    }
    // Stage graph.
    let g = &r.dockerfiles[0].graph;
    let label = |i: usize| g.stages[i].label.as_str();
    let stage_edges: Vec<(String, &str)> = g
        .edges
        .iter()
        .map(|e| (g.node_label(e.from), label(e.to)))
        .collect();
    assert_eq!(
        stage_edges,
        [
            ("quay.io/modh/odh-pytorch-notebook:v2-2025a".into(), "base"),
            ("base".into(), "tier1"),
            ("base".into(), "tier2"),
            ("tier2".into(), "tier3"),
            ("base".into(), "debug"),
        ]
    );
    assert_eq!(g.images[0].written, "${BASE_IMAGE}");
    assert_eq!(g.stages[3].builds, ["base", "tier2", "tier3"]);
    let debug = find(&r, "graph/stage-not-built", "Dockerfile", 24);
    assert!(debug.message.contains("`debug`") && debug.message.contains("last stage"));
    assert!(g.stages[4].default_target && g.stages[4].targeted_by.is_empty());
    // tier1 and tier2 both install prometheus-api-client openshift.
    let shared = find(&r, "graph/repeated-steps", "Dockerfile", 16);
    assert!(
        shared
            .evidence
            .iter()
            .any(|e| e.contains("pip install prometheus-api-client openshift"))
    );
    // chown -R after COPY notebooks/.
    find(&r, "DW2404", "Dockerfile", 9);
    // Editing a notebook re-runs every tier's installs.
    let edit = find(&r, "cache/copy-before-install", "Dockerfile", 8);
    assert!(
        edit.message.contains("lines 12, 16, 17, 21"),
        "{}",
        edit.message
    );
    assert_eq!(edit.builds.len(), 3);
    // pip without --no-cache-dir and unpinned, in every stage (one finding per place).
    let every = [
        ("Dockerfile".into(), 7),
        ("Dockerfile".into(), 12),
        ("Dockerfile".into(), 16),
        ("Dockerfile".into(), 17),
        ("Dockerfile".into(), 21),
    ];
    assert_eq!(lines_of(&r, "DW2101"), every);
    assert_eq!(lines_of(&r, "DW5101"), every);
    // `debug` is what a plain `docker build` produces (no CI build targets it): linted as
    // the default target, its findings say so.
    let yum = find(&r, "DW2103", "Dockerfile", 25);
    assert!(yum.evidence.iter().any(|e| e.contains("default target")));
    let tools = find(&r, "DW4502", "Dockerfile", 25);
    assert!(tools.message.contains("`vim`") && tools.message.contains("`strace`"));
}

#[test]
fn openshift_workbench() {
    let r = report("openshift-workbench");
    insta::assert_snapshot!(
        "openshift-workbench",
        stable_markdown("openshift-workbench", &r)
    );
    // Two inline Dockerfiles, lines in the YAML files.
    let names: Vec<&str> = r.dockerfiles.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "workbench-buildconfig-multistage.yaml:10 (inline)",
            "workbench-buildconfig-versioned.yaml:19 (inline)",
        ]
    );
    for b in &r.builds {
        assert!(b.context.is_none(), "no build context for {}", b.id);
    }
    // The multi-stage variant's graph: vendor image → parabricks-source → final stage.
    let g = &r.dockerfiles[0].graph;
    assert_eq!(
        g.images[0].expanded,
        "nvcr.io/nvidia/clara/clara-parabricks:4.6.0-1"
    );
    assert_eq!(
        g.images[0].written,
        "nvcr.io/nvidia/clara/clara-parabricks:${PARABRICKS_VERSION}"
    );
    assert_eq!(g.stages[0].label, "parabricks-source");
    assert!(g.edges.iter().any(|e| {
        e.from == dockwright_analyze::graph::Node::Stage(0)
            && e.to == 1
            && e.kind == dockwright_model::DependencyKind::CopyFrom
    }));
    // The typo in --from.
    let typo = find(&r, "DW1306", "workbench-buildconfig-multistage.yaml", 29);
    assert!(
        typo.message.contains("`parabricks-source`"),
        "{}",
        typo.message
    );
    assert_eq!(typo.priority, Priority::High);
    assert!(
        !r.findings
            .iter()
            .any(|f| f.code == "graph/from-unknown-stage")
    );
    find(&r, "DW2404", "workbench-buildconfig-multistage.yaml", 24); // chown -R
    // Versioned: build tools in the final image, consecutive RUNs, no USER finding.
    let tools = find(&r, "DW2003", "workbench-buildconfig-versioned.yaml", 28);
    for tool in ["gcc", "make", "zlib-devel", "git"] {
        assert!(tools.message.contains(tool));
    }
    find(&r, "DW2402", "workbench-buildconfig-versioned.yaml", 39); // dnf clean all later
    find(&r, "DW4406", "workbench-buildconfig-versioned.yaml", 34); // chmod 777
    assert!(
        lines_of(&r, "DW3001")
            .iter()
            .any(|(f, _)| f == "workbench-buildconfig-versioned.yaml")
    );
    assert!(lines_of(&r, "DW4002").is_empty(), "USER 1001 is non-root");
    find(&r, "DW2105", "workbench-buildconfig-versioned.yaml", 28); // dnf cache
    find(&r, "DW2101", "workbench-buildconfig-versioned.yaml", 37); // pip cache
    find(&r, "DW2101", "workbench-buildconfig-multistage.yaml", 27);
    let unpinned = find(&r, "DW5101", "workbench-buildconfig-versioned.yaml", 37);
    assert!(unpinned.message.contains("pyvcf3"), "{}", unpinned.message);
    // dnf without nodocs and with weak dependencies, in both variants.
    let docs = find(&r, "DW2501", "workbench-buildconfig-versioned.yaml", 28);
    assert!(
        docs.message
            .contains("--setopt=tsflags=nodocs --setopt=install_weak_deps=False")
    );
    find(&r, "DW2501", "workbench-buildconfig-multistage.yaml", 21);
    // `pip install ${PYTHON_PACKAGES}`: the cache is kept (DW2101 above); the packages are
    // the ARG's default, which pins both, so no unpinned-pip finding there.
    assert!(
        !lines_of(&r, "DW5101")
            .iter()
            .any(|(f, _)| f == "workbench-buildconfig-multistage.yaml")
    );
    // No base image is pinned by digest.
    let digests = lines_of(&r, "DW4401");
    assert_eq!(
        digests,
        [
            ("workbench-buildconfig-multistage.yaml".into(), 14),
            ("workbench-buildconfig-multistage.yaml".into(), 17),
            ("workbench-buildconfig-versioned.yaml".into(), 19),
        ]
    );
}

#[test]
fn json_is_the_report_struct_and_has_no_absolute_paths() {
    let r = report("ml-transcriber");
    let json = serde_json::to_value(&r).unwrap();
    for key in [
        "version",
        "counts",
        "findings",
        "builds",
        "dockerfiles",
        "verify",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    let text = serde_json::to_string(&json["findings"]).unwrap();
    assert!(!text.contains(env!("CARGO_MANIFEST_DIR")));
}

/// The optimizer hook: what an [`dockwright_analyze::Optimizer`] returns is the report's
/// "Optimized Dockerfile" section.
#[test]
fn optimizer_output_is_shown() {
    struct Rewrite;
    impl dockwright_analyze::Optimizer for Rewrite {
        fn optimize(
            &self,
            name: &str,
            text: &str,
            context: Option<&std::path::Path>,
            _dockerfile: Option<&std::path::Path>,
        ) -> Option<dockwright_analyze::OptimizedDockerfile> {
            assert!(context.is_some_and(|c| c.join("Dockerfile").is_file()));
            text.starts_with("FROM nvidia/cuda")
                .then(|| dockwright_analyze::OptimizedDockerfile {
                    original: name.to_owned(),
                    text: "FROM nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04\n".into(),
                    changes: vec!["runtime base for the final stage".into()],
                })
        }
    }
    let linter = Linter::new(Settings::default()).with_shellcheck(false);
    let r = analyze(
        &example("ml-transcriber"),
        &AnalyzeOptions {
            discover: Default::default(),
            linter: &linter,
            image: None,
            optimizer: Some(&Rewrite),
            progress: None,
        },
    )
    .unwrap();
    let optimized = r.dockerfiles[0].optimized.as_ref().unwrap();
    assert_eq!(optimized.original, "Dockerfile");
    let md = render::markdown(&r);
    assert!(md.contains(
        "## Optimized Dockerfile\n\n### Dockerfile\n\n- runtime base for the final stage"
    ));
    assert!(md.contains("```dockerfile\nFROM nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04\n```"));
    assert!(!md.contains("No optimizer ran"));
    assert!(render::html(&r).contains("cudnn8-runtime-ubuntu22.04"));
}
