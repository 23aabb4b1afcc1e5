//! Running every analysis over what discovery found and turning the results into prioritized
//! findings.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dockwright_context::cache::{CacheChanges, CacheContext, CacheQuery, predict};
use dockwright_context::findings::{ContextFinding, DockerfileAnalysis, resolve_reads};
use dockwright_context::plan::{BuildOptions as PlanOptions, BuildPlan, ReadVia, StepOp};
use dockwright_context::{SuggestInput, ignore_file_for_build, suggest_dockerignore};
use dockwright_model::{DependencyKind, DependencySource, Model};
use dockwright_project::{BuildDefinition, DiscoverOptions, DockerfileSource};
use dockwright_rules::{
    Applicability, Category, ContextCache, ContextRequest, Diagnostic, Linter, Severity,
};
use rayon::prelude::*;

use crate::graph::StageGraph;
use crate::lines::LineMap;
use crate::report::*;

/// Produces an optimized Dockerfile (the hook for `dockwright-optimize`).
pub trait Optimizer: Sync {
    /// The rewrite of `text` (the Dockerfile named `name`, at `dockerfile` on disk when it is
    /// a file of its own, built in `context`), if the optimizer has one.
    fn optimize(
        &self,
        name: &str,
        text: &str,
        context: Option<&Path>,
        dockerfile: Option<&Path>,
    ) -> Option<OptimizedDockerfile>;
}

/// What a long analysis reports while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Discovery is done: this many Dockerfiles will be analysed.
    Discovered { dockerfiles: usize },
    /// One more Dockerfile is done.
    DockerfileDone,
}

/// How to analyse.
pub struct AnalyzeOptions<'a> {
    /// Options of the discovery.
    pub discover: DiscoverOptions,
    /// The configured linter (its build options are replaced per build).
    pub linter: &'a Linter,
    /// The analysis of the built image, when one was given.
    pub image: Option<&'a dockwright_image::report::ImageReport>,
    /// The optimizer, when one is available.
    pub optimizer: Option<&'a dyn Optimizer>,
    /// Called as work is done (from several threads).
    pub progress: Option<&'a (dyn Fn(Progress) + Sync)>,
}

/// Why no report could be made.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error(transparent)]
    Discover(#[from] dockwright_project::DiscoverError),
}

/// One Dockerfile (file or inline) and the builds that use it.
struct Unit<'a> {
    name: String,
    /// The file findings point into.
    file: String,
    /// The file on disk, for a Dockerfile of its own.
    path: Option<PathBuf>,
    text: Result<String, String>,
    lines: LineMap,
    builds: Vec<&'a BuildDefinition>,
}

/// What one unit produced.
struct UnitResult {
    findings: Vec<Finding>,
    builds: Vec<BuildSummary>,
    dockerfile: Option<DockerfileSummary>,
    problems: Vec<String>,
}

/// Analyses every build under `root`.
pub fn analyze(root: &Path, options: &AnalyzeOptions<'_>) -> Result<AnalysisReport, AnalyzeError> {
    let discovery = dockwright_project::discover(root, &options.discover)?;
    let mut problems: Vec<String> = discovery.problems.iter().map(|p| p.to_string()).collect();

    let units = collect_units(root, &discovery, &mut problems);

    if let Some(progress) = options.progress {
        progress(Progress::Discovered {
            dockerfiles: units.len(),
        });
    }
    // Each context is walked once, for the lint rules and the context analysis alike.
    let contexts = Arc::new(ContextCache::new());
    let results: Vec<UnitResult> = units
        .par_iter()
        .map(|unit| {
            let result = analyze_unit(root, unit, options, &contexts);
            if let Some(progress) = options.progress {
                progress(Progress::DockerfileDone);
            }
            result
        })
        .collect();

    let mut findings = Vec::new();
    let mut builds = Vec::new();
    let mut dockerfiles = Vec::new();
    for r in results {
        findings.extend(r.findings);
        builds.extend(r.builds);
        dockerfiles.extend(r.dockerfile);
        problems.extend(r.problems);
    }
    let image = options.image.map(|img| {
        findings.extend(image_findings(img));
        ImageSummary {
            image: img.image.clone(),
            total_size: img.total_size,
            compressed_size: img.compressed_size,
            wasted_bytes: img.wasted_bytes,
            reclaimable_bytes: img.reclaimable_bytes,
            efficiency: img.efficiency,
            files: img.files,
            layers: img
                .layers
                .iter()
                .map(|l| LayerSummary {
                    index: l.index,
                    size: l.size,
                    created_by: l.created_by.clone(),
                })
                .collect(),
        }
    });
    findings.sort_by(|a, b| {
        (a.priority, a.group, &a.place, &a.code, &a.message)
            .cmp(&(b.priority, b.group, &b.place, &b.code, &b.message))
    });
    builds.sort_by(|a, b| a.id.cmp(&b.id));
    dockerfiles.sort_by(|a, b| a.name.cmp(&b.name));
    let verify = verify_steps(root, &findings, &builds, &dockerfiles, image.as_ref());
    Ok(AnalysisReport {
        version: REPORT_VERSION,
        root: slash(root),
        counts: Counts::of(&findings),
        findings,
        builds,
        dockerfiles,
        image,
        verify,
        problems,
    })
}

/// Groups the builds by the Dockerfile they use.
fn collect_units<'a>(
    root: &Path,
    discovery: &'a dockwright_project::Discovery,
    problems: &mut Vec<String>,
) -> Vec<Unit<'a>> {
    let mut units: Vec<Unit<'_>> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for build in &discovery.builds {
        let key = match &build.dockerfile {
            DockerfileSource::Path { path, .. } => path.display().to_string(),
            DockerfileSource::Inline(inline) => {
                format!("{}:{}", slash(&inline.file), inline.start.line)
            }
            DockerfileSource::Remote { url, path } => {
                problems.push(format!(
                    "{}: the Dockerfile {path} is in the remote context {url}, not analysed",
                    build.id
                ));
                continue;
            }
        };
        if let Some(&at) = by_key.get(&key) {
            units[at].builds.push(build);
            continue;
        }
        let unit = match &build.dockerfile {
            DockerfileSource::Path { path, .. } => {
                let on_disk = if path.is_absolute() {
                    path.clone()
                } else {
                    root.join(path)
                };
                Unit {
                    name: slash(path),
                    file: slash(path),
                    text: std::fs::read(&on_disk)
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .map_err(|e| format!("{}: cannot read: {e}", slash(path))),
                    path: Some(on_disk),
                    lines: LineMap::Identity,
                    builds: vec![build],
                }
            }
            DockerfileSource::Inline(inline) => Unit {
                name: format!("{} (inline)", key),
                file: slash(&inline.file),
                path: None,
                text: Ok(inline.text.clone()),
                lines: LineMap::inline(inline),
                builds: vec![build],
            },
            DockerfileSource::Remote { .. } => continue,
        };
        by_key.insert(key, units.len());
        units.push(unit);
    }

    units
}

/// The stage graph of every Dockerfile under `root` (files and inline ones), with the
/// targets the discovered builds use; `model_options` gives build args applied to all.
pub fn stage_graphs(
    root: &Path,
    discover: &DiscoverOptions,
    model_options: &dockwright_model::BuildOptions,
) -> Result<(Vec<DockerfileSummary>, Vec<String>), AnalyzeError> {
    let discovery = dockwright_project::discover(root, discover)?;
    let mut problems: Vec<String> = discovery.problems.iter().map(|p| p.to_string()).collect();
    let units = collect_units(root, &discovery, &mut problems);
    let mut out = Vec::new();
    for unit in &units {
        let text = match &unit.text {
            Ok(t) => t,
            Err(e) => {
                problems.push(e.clone());
                continue;
            }
        };
        let doc = match dockwright_syntax::parse(text) {
            Ok(d) => d,
            Err(e) => {
                problems.push(format!(
                    "{}:{}: {}",
                    unit.file,
                    unit.lines.file_line(e.line),
                    e.message
                ));
                continue;
            }
        };
        let mut options = model_options.clone();
        if let Some(b) = unit.builds.first() {
            for (k, v) in build_args(b) {
                options.build_args.entry(k).or_insert(v);
            }
        }
        options.target = None;
        let model = Model::build(&doc, &options);
        let targets: Vec<(Option<String>, String)> = unit
            .builds
            .iter()
            .map(|b| (b.target.clone(), b.id.clone()))
            .collect();
        out.push(DockerfileSummary {
            name: unit.name.clone(),
            builds: unit.builds.iter().map(|b| b.id.clone()).collect(),
            instructions: doc.instructions().len(),
            graph: StageGraph::new(&model, &doc, &unit.lines, &targets),
            optimized: None,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((out, problems))
}

fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

fn plan_options(build: &BuildDefinition) -> PlanOptions {
    PlanOptions {
        build_args: build_args(build),
        target: build.target.clone(),
    }
}

fn build_args(build: &BuildDefinition) -> BTreeMap<String, String> {
    build
        .args
        .iter()
        .filter_map(|a| a.value.clone().map(|v| (a.name.clone(), v)))
        .collect()
}

/// Evidence on a finding only the default target's lint run makes.
const DEFAULT_TARGET_EVIDENCE: &str = "in the default target (`docker build` without `--target` builds the last stage), which no discovered build uses";

/// The lint run for the default target when every discovered build of `unit` targets a
/// stage other than the last one: the first build's args, its context, no target.
fn default_target_run(
    root: &Path,
    doc: &dockwright_syntax::Dockerfile,
    options: &AnalyzeOptions<'_>,
    unit: &Unit<'_>,
) -> Option<LintRun> {
    let first = unit.builds.first()?;
    let mut model_options = options.linter.settings().build.clone();
    model_options.build_args.extend(build_args(first));
    model_options.target = None;
    let last = Model::build(doc, &model_options).target?;
    let covered = unit.builds.iter().any(|b| {
        let mut o = model_options.clone();
        o.build_args.extend(build_args(b));
        o.target = b.target.clone();
        Model::build(doc, &o).target.is_none_or(|t| t == last)
    });
    (!covered).then(|| {
        (
            PlanOptions {
                build_args: build_args(first),
                target: None,
            },
            context_dir(root, first),
        )
    })
}

fn analyze_unit(
    root: &Path,
    unit: &Unit<'_>,
    options: &AnalyzeOptions<'_>,
    contexts: &Arc<ContextCache>,
) -> UnitResult {
    let mut out = UnitResult {
        findings: Vec::new(),
        builds: Vec::new(),
        dockerfile: None,
        problems: Vec::new(),
    };
    let build_ids: Vec<String> = unit.builds.iter().map(|b| b.id.clone()).collect();
    let text = match &unit.text {
        Ok(t) => t,
        Err(e) => {
            out.problems.push(e.clone());
            return out;
        }
    };
    let doc = match dockwright_syntax::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            out.findings.push(Finding {
                priority: Priority::High,
                group: Group::Correctness,
                origin: Origin::Lint,
                code: "parse-error".into(),
                name: "parse-error".into(),
                severity: Some("error".into()),
                message: format!("the Dockerfile does not parse: {}", e.message),
                place: Some(Place {
                    file: unit.file.clone(),
                    line: unit.lines.file_line(e.line),
                    end_line: unit.lines.file_line(e.line),
                }),
                builds: build_ids.clone(),
                evidence: Vec::new(),
                impact: None,
                hadolint: Some("DL1000".into()),
                fix: None,
            });
            return out;
        }
    };

    // Lint once per distinct build (target and args decide which stage is final).
    // ... and per build context, for the rules that read it.
    let mut lint_runs: Vec<(LintRun, Vec<String>)> = Vec::new();
    for b in &unit.builds {
        let key = (plan_options(b), context_dir(root, b));
        match lint_runs.iter_mut().find(|(k, _)| *k == key) {
            Some((_, ids)) => ids.push(b.id.clone()),
            None => lint_runs.push((key, vec![b.id.clone()])),
        }
    }
    // The default target (`docker build` without `--target`: the last stage) ships too when
    // someone builds the directory by hand; when no discovered build produces that stage,
    // lint it as well, after the discovered builds, and say so on what only it finds.
    let default_run = default_target_run(root, &doc, options, unit);
    let discovered_runs = lint_runs.len();
    if let Some(run) = default_run {
        lint_runs.push((run, Vec::new()));
    }
    let mut lint_findings: Vec<Finding> = Vec::new();
    for (run_index, ((o, dir), ids)) in lint_runs.iter().enumerate() {
        let mut settings = options.linter.settings().clone();
        settings.build.build_args.extend(o.build_args.clone());
        settings.build.target = o.target.clone();
        let linter = Linter::new(settings).with_shellcheck(options.linter.runs_shellcheck());
        let model = Model::build(&doc, &linter.settings().build);
        if o.target.is_some() && model.target.is_none() {
            out.problems.push(format!(
                "{}: target stage {:?} not found (builds {})",
                unit.name,
                o.target.as_deref().unwrap_or_default(),
                ids.join(", ")
            ));
            continue;
        }
        let request = dir
            .as_ref()
            .map(|d| ContextRequest::given(d.clone(), unit.path.clone(), contexts.clone()));
        let report = linter.lint_in_context(&unit.file, text, request.as_ref());
        for w in &report.warnings {
            if !out.problems.contains(w) {
                out.problems.push(w.clone());
            }
        }
        for d in &report.diagnostics {
            let mut f = lint_finding(d, unit, ids);
            if run_index >= discovered_runs {
                f.evidence.push(DEFAULT_TARGET_EVIDENCE.to_owned());
            }
            merge_finding(&mut lint_findings, f);
        }
    }
    out.findings.extend(lint_findings);

    // The stage graph, under the first build's args (the targets of all builds marked).
    let first = unit.builds.first();
    let mut model_options = options.linter.settings().build.clone();
    if let Some(b) = first {
        model_options.build_args.extend(build_args(b));
    }
    model_options.target = None;
    let model = Model::build(&doc, &model_options);
    let targets: Vec<(Option<String>, String)> = unit
        .builds
        .iter()
        .map(|b| (b.target.clone(), b.id.clone()))
        .collect();
    let graph = StageGraph::new(&model, &doc, &unit.lines, &targets);
    out.findings
        .extend(graph_findings(&model, &graph, unit, &build_ids));
    let plan = BuildPlan::new(
        &doc,
        &PlanOptions {
            build_args: model_options.build_args.clone(),
            target: None,
        },
    );
    out.findings
        .extend(shared_prefix_findings(&plan, unit, &build_ids));
    out.dockerfile = Some(DockerfileSummary {
        name: unit.name.clone(),
        builds: build_ids.clone(),
        instructions: doc.instructions().len(),
        graph: graph.clone(),
        optimized: options.optimizer.and_then(|opt| {
            let context = unit.builds.first().and_then(|b| context_dir(root, b));
            opt.optimize(&unit.name, text, context.as_deref(), unit.path.as_deref())
        }),
    });

    // Context and cache, per build.
    let mut context_findings: Vec<Finding> = Vec::new();
    for b in &unit.builds {
        let (summary, found) = analyze_build(contexts, root, unit, b, &doc, &graph);
        out.builds.push(summary);
        for f in found {
            merge_finding(&mut context_findings, f);
        }
    }
    out.findings.extend(context_findings);
    let installs: Vec<usize> = install_lines(&plan)
        .into_iter()
        .map(|l| unit.lines.file_line(l))
        .collect();
    let found = copy_before_install(&out.builds, &out.findings, &installs, unit);
    out.findings.extend(found);
    fold_into_lint(&mut out.findings);
    if let Some(img) = options.image {
        attach_layers(&mut out.findings, &plan, unit, img);
    }
    out
}

/// What a lint run depends on: the build options and the context directory.
type LintRun = (PlanOptions, Option<PathBuf>);

/// The lint rule (by name) that reports the same problem as an analysis finding (by code).
const SAME_PROBLEM: &[(&str, &str)] = &[
    ("context/secret-copied", "secret-file-copied"),
    ("context/copied-twice", "duplicate-copy"),
    ("context/duplicate-copy", "duplicate-copy"),
    ("context/unused-large-content", "model-files-copied"),
    ("context/no-dockerignore", "context-copied-unfiltered"),
    ("graph/from-unknown-stage", "copy-from-unknown-stage"),
    (
        "cache/dependencies-after-sources",
        "source-copied-before-dependencies",
    ),
];

/// One finding per problem: an analysis finding that a lint rule reports at the same place
/// gives the lint finding its evidence, impact and (if higher) priority, and goes.
fn fold_into_lint(findings: &mut Vec<Finding>) {
    let mut i = 0;
    while i < findings.len() {
        let Some(&(_, rule)) = SAME_PROBLEM.iter().find(|(c, _)| *c == findings[i].code) else {
            i += 1;
            continue;
        };
        let file = findings[i].place.as_ref().map(|p| p.file.clone());
        let line = findings[i].place.as_ref().map(|p| p.line);
        let twin = findings.iter().position(|g| {
            g.origin == Origin::Lint
                && g.name == rule
                && g.place.as_ref().map(|p| p.file.clone()) == file
                && (line.is_none() || g.place.as_ref().map(|p| p.line) == line)
        });
        let Some(t) = twin else {
            i += 1;
            continue;
        };
        let ours = findings.remove(i);
        let t = if t > i { t - 1 } else { t };
        let lint = &mut findings[t];
        lint.priority = lint.priority.min(ours.priority);
        for e in ours.evidence {
            if !lint.evidence.contains(&e) {
                lint.evidence.push(e);
            }
        }
        if lint.impact.is_none() {
            lint.impact = ours.impact;
        }
        if lint.fix.is_none() {
            lint.fix = ours.fix;
        }
        for b in ours.builds {
            if !lint.builds.contains(&b) {
                lint.builds.push(b);
            }
        }
    }
}

/// Whitespace collapsed to single spaces.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Adds to each finding on a RUN/COPY/ADD the size of the image layer that step made, found
/// by its command in the layer history.
fn attach_layers(
    findings: &mut [Finding],
    plan: &BuildPlan,
    unit: &Unit<'_>,
    img: &dockwright_image::report::ImageReport,
) {
    let layers: Vec<(usize, String, u64)> = img
        .layers
        .iter()
        .map(|l| (l.index, collapse(&l.created_by), l.size))
        .collect();
    for (_, step) in plan.steps() {
        if !matches!(step.op, StepOp::Exec | StepOp::File) {
            continue;
        }
        let text = collapse(&step.text);
        let body = text.split_once(' ').map_or("", |(_, rest)| rest);
        if body.len() < 4 {
            continue;
        }
        let matching: Vec<&(usize, String, u64)> =
            layers.iter().filter(|(_, c, _)| c.contains(body)).collect();
        // Ambiguous when the same command made several layers.
        let [(index, _, size)] = matching.as_slice() else {
            continue;
        };
        let line = unit.lines.file_line(step.line);
        for f in findings.iter_mut() {
            if f.place
                .as_ref()
                .is_some_and(|p| p.file == unit.file && p.line == line)
            {
                f.evidence.push(format!(
                    "image layer {index}, made by this step: {}",
                    human_bytes(*size)
                ));
            }
        }
    }
}

/// Per COPY line: the edited file, the install lines re-run, the builds, the evidence.
type EditedCopy = (String, Vec<usize>, Vec<String>, Vec<String>);

/// Package installs an ordinary edit re-runs, that the cache-order check does not already
/// report: one finding per COPY, over every build of the Dockerfile.
fn copy_before_install(
    builds: &[BuildSummary],
    findings: &[Finding],
    installs: &[usize],
    unit: &Unit<'_>,
) -> Vec<Finding> {
    let ordered: Vec<usize> = findings
        .iter()
        .filter(|f| f.code == "cache/dependencies-after-sources")
        .filter_map(|f| f.place.as_ref().map(|p| p.line))
        .collect();
    // COPY line -> (edited file, install lines, builds, evidence)
    let mut by_copy: BTreeMap<usize, EditedCopy> = BTreeMap::new();
    for b in builds {
        let Some(cache) = &b.cache else { continue };
        for e in &cache.edits {
            let hit: Vec<usize> = e
                .runs
                .iter()
                .copied()
                .filter(|l| installs.contains(l) && !ordered.contains(l))
                .collect();
            if hit.is_empty() {
                continue;
            }
            let entry = by_copy
                .entry(e.copy_line)
                .or_insert_with(|| (e.edited.clone(), Vec::new(), Vec::new(), Vec::new()));
            for l in hit {
                if !entry.1.contains(&l) {
                    entry.1.push(l);
                }
            }
            entry.1.sort_unstable();
            entry.2.push(b.id.clone());
            entry.3.push(format!(
                "{}: an edit to {} rebuilds {} of {} steps; RUN steps re-run: lines {}",
                b.id,
                e.edited,
                e.rebuilt,
                e.steps,
                join_lines(&e.runs)
            ));
        }
    }
    by_copy
        .into_iter()
        .map(|(copy_line, (edited, lines, builds, evidence))| {
            let n = lines.len();
            let s = if n == 1 { "" } else { "s" };
            Finding {
                priority: Priority::High,
                group: Group::Cache,
                origin: Origin::Cache,
                code: "cache/copy-before-install".into(),
                name: "copy-before-install".into(),
                severity: None,
                message: format!(
                    "an edit to {edited} (copied at line {copy_line}) re-runs the package install{s} at line{s} {}: run installs that do not read these files before this COPY",
                    join_lines(&lines)
                ),
                place: Some(Place {
                    file: unit.file.clone(),
                    line: copy_line,
                    end_line: copy_line,
                }),
                builds,
                evidence,
                impact: Some(Impact {
                    summary: format!("a source edit no longer re-runs {n} package install{s}"),
                    bytes: None,
                    steps: Some(n),
                }),
                hadolint: None,
                fix: None,
            }
        })
        .collect()
}

/// Adds `f` to `into`, or merges its builds into the same finding already there.
///
/// Lint findings are one per rule and place: a stage that is the final one for one build and
/// a builder for another gets the finding once, with the higher priority and its message.
fn merge_finding(into: &mut Vec<Finding>, f: Finding) {
    match into.iter_mut().find(|g| {
        g.code == f.code
            && g.place == f.place
            && (g.message == f.message || (g.origin == Origin::Lint && f.origin == Origin::Lint))
    }) {
        Some(g) => {
            if f.priority < g.priority {
                g.priority = f.priority;
                g.message = f.message;
                g.severity = f.severity;
                g.evidence = f.evidence;
                g.fix = f.fix;
            }
            for id in f.builds {
                if !g.builds.contains(&id) {
                    g.builds.push(id);
                }
            }
        }
        None => into.push(f),
    }
}

/// Priority of a lint finding: errors first; warnings about size and security are high
/// (they cost every pull and every deployment), other warnings medium, the rest low.
fn lint_priority(d: &Diagnostic) -> Priority {
    match d.severity {
        Severity::Error => Priority::High,
        Severity::Warning if matches!(d.category, Category::Size | Category::Security) => {
            Priority::High
        }
        Severity::Warning => Priority::Medium,
        Severity::Info | Severity::Style => Priority::Low,
    }
}

fn lint_finding(d: &Diagnostic, unit: &Unit<'_>, builds: &[String]) -> Finding {
    let fix = d.fix.as_ref().map(|f| {
        let how = match f.applicability {
            Applicability::Safe => "dockwright lint --fix",
            Applicability::Unsafe => "dockwright lint --fix --unsafe-fixes",
        };
        if f.message.is_empty() {
            how.to_owned()
        } else {
            format!("{how} ({})", f.message)
        }
    });
    let evidence = d.evidence.clone();
    Finding {
        priority: lint_priority(d),
        group: d.category.into(),
        origin: Origin::Lint,
        code: d.code.clone(),
        name: d.name.clone(),
        severity: Some(d.severity.as_str().to_owned()),
        message: d.message.clone(),
        place: Some(Place {
            file: unit.file.clone(),
            line: unit.lines.file_line(d.line),
            end_line: unit.lines.file_line(d.end_line.max(d.line)),
        }),
        builds: builds.to_vec(),
        evidence,
        impact: None,
        hadolint: d.equivalents.hadolint.clone(),
        fix,
    }
}

/// Edit distance, for names that look like a typo of a stage name.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Findings the stage graph shows: a `--from` image whose name is a near-miss of a stage
/// name (BuildKit would try to pull it), stages no build targets.
fn graph_findings(
    model: &Model,
    graph: &StageGraph,
    unit: &Unit<'_>,
    builds: &[String],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for dep in &model.dependencies {
        if !matches!(
            dep.kind,
            DependencyKind::CopyFrom | DependencyKind::MountFrom
        ) {
            continue;
        }
        let DependencySource::Image(_) = dep.source else {
            continue;
        };
        let name = dep.expanded.to_lowercase();
        // A name with a registry, path, tag or digest is meant as an image.
        if name.contains(['/', ':', '@', '.']) {
            continue;
        }
        let Some(stage) = model
            .stages
            .iter()
            .filter_map(|s| s.lowercase_name())
            .find(|s| {
                let d = edit_distance(s, &name);
                d > 0 && d <= 2.max(s.len() / 6)
            })
        else {
            continue;
        };
        let line = graph
            .edges
            .iter()
            .find(|e| e.written == dep.written && e.kind == dep.kind)
            .map_or(0, |e| e.line);
        out.push(Finding {
            priority: Priority::High,
            group: Group::Correctness,
            origin: Origin::Lint,
            code: "graph/from-unknown-stage".into(),
            name: "from-unknown-stage".into(),
            severity: Some("error".into()),
            message: format!(
                "`--from={}` names no stage of this Dockerfile, so BuildKit pulls an image of that name (the build fails when there is none); did you mean the stage `{stage}`?",
                dep.written
            ),
            place: Some(Place {
                file: unit.file.clone(),
                line,
                end_line: line,
            }),
            builds: builds.to_vec(),
            evidence: vec![format!(
                "stages: {}",
                graph
                    .stages
                    .iter()
                    .map(|s| s.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
            impact: None,
            hadolint: None,
            fix: Some(format!("write `--from={stage}`")),
        });
    }
    for s in graph.unbuilt_stages() {
        out.push(Finding {
            priority: Priority::Low,
            group: Group::Correctness,
            origin: Origin::Lint,
            code: "graph/stage-not-built".into(),
            name: "stage-not-built".into(),
            severity: None,
            message: format!(
                "stage `{}` is built by no build defined in the repository{}",
                s.label,
                if s.default_target {
                    " but it is the last stage, what a plain `docker build` produces; put the stage users should get last"
                } else {
                    ""
                }
            ),
            place: Some(Place {
                file: unit.file.clone(),
                line: s.line,
                end_line: s.line,
            }),
            builds: builds.to_vec(),
            evidence: vec![format!(
                "targets built: {}",
                graph
                    .stages
                    .iter()
                    .filter(|t| !t.targeted_by.is_empty())
                    .map(|t| t.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
            impact: None,
            hadolint: None,
            fix: None,
        });
    }
    out
}

/// Lines of the `RUN` steps that install packages (any package manager, from manifests or
/// by name): the slow steps an edit should not re-run.
fn install_lines(plan: &BuildPlan) -> Vec<usize> {
    use dockwright_model::dockwright_shell::{self, Action, PackageOperation};
    let mut out = Vec::new();
    for (_, step) in plan.steps() {
        if step.op != StepOp::Exec {
            continue;
        }
        let Some(script) = &step.script else { continue };
        let parsed = dockwright_shell::parse(script, &dockwright_shell::ParseOptions::default());
        if parsed.commands().iter().any(
            |c| matches!(&c.action, Action::Package(p) if p.operation == PackageOperation::Install),
        ) {
            out.push(step.line);
        }
    }
    out
}

/// Stages built on the same base that start with the same steps: the work is done (and
/// stored) once per stage instead of once in a stage both build on.
fn shared_prefix_findings(plan: &BuildPlan, unit: &Unit<'_>, builds: &[String]) -> Vec<Finding> {
    let steps_of = |s: &dockwright_context::plan::PlannedStage| -> Vec<(String, usize, StepOp)> {
        s.steps
            .iter()
            .skip(1)
            .filter(|st| matches!(st.op, StepOp::Exec | StepOp::File))
            .map(|st| (st.display.clone(), st.line, st.op))
            .collect()
    };
    let mut out = Vec::new();
    for (i, a) in plan.stages.iter().enumerate() {
        for b in plan.stages.iter().skip(i + 1) {
            if a.base != b.base {
                continue;
            }
            let (sa, sb) = (steps_of(a), steps_of(b));
            let common = sa.iter().zip(&sb).take_while(|(x, y)| x.0 == y.0).count();
            if common == 0 || !sa[..common].iter().any(|s| s.2 == StepOp::Exec) {
                continue;
            }
            let label = |s: &dockwright_context::plan::PlannedStage| {
                s.name
                    .clone()
                    .unwrap_or_else(|| format!("stage-{}", s.index))
            };
            let lines = |v: &[(String, usize, StepOp)]| {
                join_lines(
                    &v[..common]
                        .iter()
                        .map(|s| unit.lines.file_line(s.1))
                        .collect::<Vec<_>>(),
                )
            };
            let line = unit.lines.file_line(sb[0].1);
            out.push(Finding {
                priority: Priority::Medium,
                group: Group::Cache,
                origin: Origin::Lint,
                code: "graph/repeated-steps".into(),
                name: "repeated-steps".into(),
                severity: None,
                message: format!(
                    "stages `{}` and `{}` are built on the same base and both start with the same {}: build {} once in a shared stage and start both from it",
                    label(a),
                    label(b),
                    if common == 1 { "step".to_owned() } else { format!("{common} steps") },
                    if common == 1 { "it" } else { "them" }
                ),
                place: Some(Place {
                    file: unit.file.clone(),
                    line,
                    end_line: line,
                }),
                builds: builds.to_vec(),
                evidence: vec![
                    format!("`{}`: lines {}", label(a), lines(&sa)),
                    format!("`{}`: lines {}", label(b), lines(&sb)),
                ]
                .into_iter()
                .chain(sa[..common].iter().map(|s| format!("`{}`", s.0)))
                .collect(),
                impact: Some(Impact {
                    summary: format!(
                        "{common} step{} built and stored once instead of twice",
                        if common == 1 { "" } else { "s" }
                    ),
                    bytes: None,
                    steps: Some(common),
                }),
                hadolint: None,
                fix: None,
            });
        }
    }
    out
}

/// Extensions of files people edit all day, preferred as the "source edit" example.
const SOURCE_EXTENSIONS: &[&str] = &[
    ".py", ".js", ".ts", ".tsx", ".jsx", ".mjs", ".go", ".rs", ".java", ".kt", ".rb", ".php", ".c",
    ".cc", ".cpp", ".h", ".cs", ".ipynb", ".html", ".css",
];

/// Build args whose value changes on every build by convention.
fn is_volatile_arg(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "DATE",
        "TIME",
        "SHA",
        "COMMIT",
        "REVISION",
        "BUILD_ID",
        "BUILD_NUMBER",
        "TIMESTAMP",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

fn human_bytes(bytes: u64) -> String {
    crate::render::human_bytes(bytes)
}

/// The local context directory of a build, if it has one that exists.
fn context_dir(root: &Path, build: &BuildDefinition) -> Option<PathBuf> {
    let dir = build.context.local_dir()?;
    let dir = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        root.join(dir)
    };
    dir.is_dir().then_some(dir)
}

fn analyze_build(
    contexts: &Arc<ContextCache>,
    root: &Path,
    unit: &Unit<'_>,
    build: &BuildDefinition,
    doc: &dockwright_syntax::Dockerfile<'_>,
    graph: &StageGraph,
) -> (BuildSummary, Vec<Finding>) {
    let dockerfile = match &build.dockerfile {
        DockerfileSource::Inline(i) => format!("inline in {}:{}", slash(&i.file), i.start.line),
        DockerfileSource::Path { path, .. } => slash(path),
        DockerfileSource::Remote { url, path } => format!("{path} in {url}"),
    };
    let plan_opts = plan_options(build);
    let plan = BuildPlan::new(doc, &plan_opts);
    let stages_built = match plan.target {
        Some(t) => graph
            .stages
            .get(t)
            .map(|s| s.builds.clone())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut summary = BuildSummary {
        id: build.id.clone(),
        kind: build.kind.as_str().to_owned(),
        origin: format!("{}:{}", slash(&build.origin.file), build.origin.line),
        dockerfile,
        target: build.target.clone(),
        args: build
            .args
            .iter()
            .map(|a| match &a.value {
                Some(v) => format!("{}={v}", a.name),
                None => a.name.clone(),
            })
            .collect(),
        stages_built,
        context: None,
        cache: None,
        notes: Vec::new(),
    };
    let mut findings = Vec::new();
    let Some(dir) = build.context.local_dir() else {
        summary
            .notes
            .push("no local build context: context and cache analysis skipped".into());
        return (summary, findings);
    };
    let context_dir = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        root.join(dir)
    };
    if !context_dir.is_dir() {
        summary.notes.push(format!(
            "the context directory {} does not exist",
            slash(dir)
        ));
        return (summary, findings);
    }
    let ids = vec![build.id.clone()];
    let loaded = match contexts.load(&context_dir, unit.path.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            summary.notes.push(format!("build context: {e}"));
            return (summary, findings);
        }
    };
    let (rules, walk) = (&loaded.ignore, &loaded.walk);
    let analysis = match DockerfileAnalysis::new(&plan, walk, rules) {
        Ok(a) => a,
        Err(e) => {
            summary.notes.push(format!("context analysis: {e}"));
            return (summary, findings);
        }
    };
    let rel = |p: &Path| -> String {
        match p.strip_prefix(root) {
            Ok(r) if r.as_os_str().is_empty() => ".".to_owned(),
            Ok(r) => slash(r),
            Err(_) => slash(p),
        }
    };
    let ignore_path = ignore_file_for_build(&context_dir, unit.path.as_deref());
    let (mut files, mut bytes) = (0u64, 0u64);
    let mut top: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for e in walk.files() {
        files += 1;
        bytes += e.size;
        let head = e.path.split('/').next().unwrap_or(&e.path);
        let name = if head.len() < e.path.len() {
            format!("{head}/")
        } else {
            head.to_owned()
        };
        let t = top.entry(name).or_default();
        t.0 += 1;
        t.1 += e.size;
    }
    let mut breakdown: Vec<SizedEntry> = top
        .into_iter()
        .map(|(path, (files, bytes))| SizedEntry { path, files, bytes })
        .collect();
    breakdown.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));

    let copies: Vec<CopyEntry> = analysis
        .copies
        .iter()
        .map(|c| CopyEntry {
            stage: c.stage.clone(),
            line: unit.lines.file_line(c.line),
            instruction: c.instruction.clone(),
            source: c.source.clone(),
            files: c.files,
            bytes: c.bytes,
            whole_context: c.whole_context,
        })
        .collect();

    // The proposed ignore file.
    let existing = ignore_path.as_ref().and_then(|p| std::fs::read(p).ok());
    let sources = DockerfileAnalysis::sources(&plan);
    let suggested = suggest_dockerignore(&SuggestInput {
        walk,
        rules,
        existing: existing.as_deref(),
        sources: &sources,
        installs: analysis.installs,
    })
    .ok()
    .filter(|s| !s.rules.is_empty())
    .map(|s| IgnoreProposal {
        path: rel(&ignore_path
            .clone()
            .unwrap_or_else(|| context_dir.join(".dockerignore"))),
        exists: existing.is_some(),
        patterns: s.rules.iter().map(|r| r.pattern.clone()).collect(),
        files: s.files,
        bytes: s.bytes,
        text: s.text.clone(),
    });
    if let Some(s) = &suggested {
        let whole = analysis.copies.iter().any(|c| c.whole_context);
        let share = (s.bytes * 100).checked_div(bytes).unwrap_or(0);
        findings.push(Finding {
            priority: if share >= 50 || (whole && s.files > 0 && ignore_path.is_none()) {
                Priority::High
            } else {
                Priority::Medium
            },
            group: Group::Size,
            origin: Origin::Context,
            code: if s.exists {
                "context/dockerignore-incomplete".into()
            } else {
                "context/no-dockerignore".into()
            },
            name: if s.exists {
                "dockerignore-incomplete".into()
            } else {
                "no-dockerignore".into()
            },
            severity: None,
            message: format!(
                "{}: the build sends {} files ({}) it does not need; {}",
                if s.exists {
                    format!("{} leaves things out of the build context", s.path)
                } else {
                    format!(
                        "the build context {} has no .dockerignore",
                        rel(&context_dir)
                    )
                },
                s.files,
                human_bytes(s.bytes),
                if s.exists {
                    "extend it with the suggested patterns"
                } else {
                    "add the suggested one"
                }
            ),
            place: None,
            builds: ids.clone(),
            evidence: std::iter::once(format!(
                "context: {files} files, {}: {}",
                human_bytes(bytes),
                breakdown
                    .iter()
                    .take(20)
                    .map(|e| format!("{} {}", e.path, human_bytes(e.bytes)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .chain(
                s.patterns
                    .iter()
                    .take(12)
                    .map(|p| format!("new pattern: {p}")),
            )
            .collect(),
            impact: Some(Impact {
                summary: format!(
                    "the context shrinks by {} ({share}% of {}){}",
                    human_bytes(s.bytes),
                    human_bytes(bytes),
                    if whole {
                        "; `COPY .` stops copying it into the image"
                    } else {
                        ""
                    }
                ),
                bytes: Some(s.bytes),
                steps: None,
            }),
            hadolint: None,
            fix: Some("dockwright context --write-dockerignore".into()),
        });
    }

    let whole_copy = analysis
        .copies
        .iter()
        .find(|c| c.whole_context && summary.stages_built.contains(&c.stage));
    if let (None, None, Some(copy)) = (&suggested, &ignore_path, whole_copy) {
        let line = unit.lines.file_line(copy.line);
        findings.push(Finding {
            priority: Priority::Medium,
            group: Group::Size,
            origin: Origin::Context,
            code: "context/no-dockerignore".into(),
            name: "no-dockerignore".into(),
            severity: None,
            message: format!(
                "the build context {} has no .dockerignore and `{}` copies all of it: whatever lands in the directory (node_modules, build output, .git, .env) goes into the context and the image",
                rel(&context_dir),
                copy.instruction
            ),
            place: Some(Place {
                file: unit.file.clone(),
                line,
                end_line: line,
            }),
            builds: ids.clone(),
            evidence: vec![format!(
                "context today: {files} files, {}: {}",
                human_bytes(bytes),
                breakdown
                    .iter()
                    .take(20)
                    .map(|e| format!("{} {}", e.path, human_bytes(e.bytes)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
            impact: None,
            hadolint: None,
            fix: Some("add a .dockerignore (dockwright context --suggest-dockerignore)".into()),
        });
    }
    for f in &analysis.findings {
        findings.push(context_finding(f, unit, &ids, bytes));
    }

    let reads = resolve_reads(&plan, walk, rules).unwrap_or_default();
    let needed = plan.target.map(|t| plan.needed_by(t)).unwrap_or_default();

    // Files a later COPY of the same stage copies again: the layers hold both copies.
    let mut first_copy: HashMap<(usize, &str), usize> = HashMap::new();
    for read in &reads {
        if !matches!(read.via, ReadVia::Copy | ReadVia::Add)
            || !needed.get(read.stage).copied().unwrap_or(false)
        {
            continue;
        }
        let mut again: BTreeMap<usize, (u64, u64, Vec<&str>)> = BTreeMap::new();
        for f in &read.resolution.files {
            match first_copy.get(&(read.stage, f.path.as_str())) {
                Some(&earlier) if earlier != read.line => {
                    let e = again.entry(earlier).or_default();
                    e.0 += 1;
                    e.1 += f.bytes;
                    if e.2.len() < 5 {
                        e.2.push(&f.path);
                    }
                }
                Some(_) => {}
                None => {
                    first_copy.insert((read.stage, f.path.as_str()), read.line);
                }
            }
        }
        let reported = analysis
            .findings
            .iter()
            .any(|f| matches!(f, ContextFinding::DuplicateCopy(d) if d.line == read.line));
        if reported {
            continue;
        }
        for (earlier, (count, dup_bytes, examples)) in again {
            let line = unit.lines.file_line(read.line);
            let earlier = unit.lines.file_line(earlier);
            findings.push(Finding {
                priority: Priority::Medium,
                group: Group::Size,
                origin: Origin::Context,
                code: "context/copied-twice".into(),
                name: "copied-twice".into(),
                severity: None,
                message: format!(
                    "`{}` copies {count} files ({}) that line {earlier} copied already; the image keeps both copies in its layers",
                    read.instruction,
                    human_bytes(dup_bytes)
                ),
                place: Some(Place {
                    file: unit.file.clone(),
                    line,
                    end_line: line,
                }),
                builds: ids.clone(),
                evidence: examples.iter().map(|p| (*p).to_owned()).collect(),
                impact: Some(Impact {
                    summary: format!("{} fewer in the image layers", human_bytes(dup_bytes)),
                    bytes: Some(dup_bytes),
                    steps: None,
                }),
                hadolint: None,
                fix: None,
            });
        }
    }

    // Cache: what an edit to what each copy takes rebuilds.
    let total_steps = plan
        .stages
        .iter()
        .filter(|s| needed.get(s.index).copied().unwrap_or(false))
        .map(|s| s.steps.iter().filter(|st| has_cache_record(st.op)).count())
        .sum();
    let mut edits: Vec<EditImpact> = Vec::new();
    for read in &reads {
        if !needed.get(read.stage).copied().unwrap_or(false)
            || edits
                .iter()
                .any(|e| e.copy_line == unit.lines.file_line(read.line))
        {
            continue;
        }
        // A file this COPY is the first to copy (an edit to one an earlier COPY takes
        // rebuilds from there), the most common kind of source first (`.py` before `.ipynb`).
        let files: Vec<&dockwright_context::CopiedFile> = read
            .resolution
            .files
            .iter()
            .filter(|f| first_copy.get(&(read.stage, f.path.as_str())) == Some(&read.line))
            .collect();
        let Some(edited) = SOURCE_EXTENSIONS
            .iter()
            .find_map(|x| files.iter().find(|f| f.path.ends_with(x)))
            .or(files.first())
        else {
            continue;
        };
        let changed = [edited.path.clone()];
        let Ok(p) = predict(&CacheQuery {
            after: &plan,
            before: &plan,
            dockerfile_changed: false,
            changes: CacheChanges {
                paths: &changed,
                no_longer_sent: &[],
                images: &[],
            },
            context: Some(CacheContext { walk, rules }),
        }) else {
            continue;
        };
        let rebuilt: Vec<_> = p
            .steps
            .iter()
            .filter(|s| s.needed && s.rebuilt && has_cache_record(s.op))
            .collect();
        edits.push(EditImpact {
            copy_line: unit.lines.file_line(read.line),
            edited: edited.path.clone(),
            rebuilt: rebuilt.len(),
            steps: total_steps,
            first_line: rebuilt.first().map(|s| unit.lines.file_line(s.line)),
            runs: rebuilt
                .iter()
                .filter(|s| s.op == StepOp::Exec)
                .map(|s| unit.lines.file_line(s.line))
                .collect(),
        });
    }
    for f in &analysis.cache_order {
        let line = unit.lines.file_line(f.line);
        let copy_line = unit.lines.file_line(f.copy_line);
        let edit = edits.iter().find(|e| e.copy_line == copy_line);
        findings.push(Finding {
            priority: Priority::High,
            group: Group::Cache,
            origin: Origin::Cache,
            code: "cache/dependencies-after-sources".into(),
            name: "dependencies-after-sources".into(),
            severity: None,
            message: format!(
                "`{}` re-runs on {} (line {copy_line} copies more than the dependency manifests): {}",
                f.command,
                if f.example_is_file {
                    format!("an edit to {}", f.example)
                } else {
                    format!("any edit to a file {} copies", f.example)
                },
                f.fix
            ),
            place: Some(Place {
                file: unit.file.clone(),
                line,
                end_line: line,
            }),
            builds: ids.clone(),
            evidence: edit
                .map(|e| {
                    vec![format!(
                        "an edit to {} rebuilds {} of {} steps from line {}; RUN steps re-run: lines {}",
                        e.edited,
                        e.rebuilt,
                        e.steps,
                        e.first_line.unwrap_or(0),
                        join_lines(&e.runs)
                    )]
                })
                .unwrap_or_default(),
            impact: edit.map(|_| Impact {
                summary: format!(
                    "a source edit stops re-running the dependency install at line {line}"
                ),
                bytes: None,
                steps: None,
            }),
            hadolint: None,
            fix: Some(f.fix.clone()),
        });
    }

    // Build args that change on every build and bust the cache of everything after them.
    let mut volatile_args = Vec::new();
    for stage in plan
        .stages
        .iter()
        .filter(|s| needed.get(s.index).copied().unwrap_or(false))
    {
        for step in &stage.steps {
            if step.kind != dockwright_syntax::InstructionKind::Arg {
                continue;
            }
            for name in arg_names(&step.text) {
                if !is_volatile_arg(&name)
                    || volatile_args.iter().any(|a: &ArgImpact| a.name == name)
                {
                    continue;
                }
                let mut after_opts = plan_opts.clone();
                after_opts
                    .build_args
                    .insert(name.clone(), "dockwright-analyze-new-value".into());
                let after = BuildPlan::new(doc, &after_opts);
                let Ok(p) = predict(&CacheQuery {
                    after: &after,
                    before: &plan,
                    dockerfile_changed: false,
                    changes: CacheChanges {
                        paths: &[],
                        no_longer_sent: &[],
                        images: &[],
                    },
                    context: Some(CacheContext { walk, rules }),
                }) else {
                    continue;
                };
                let rebuilt: Vec<_> = p
                    .steps
                    .iter()
                    .filter(|s| s.needed && s.rebuilt && has_cache_record(s.op))
                    .collect();
                let impact = ArgImpact {
                    name: name.clone(),
                    rebuilt: rebuilt.len(),
                    steps: total_steps,
                    first_line: rebuilt.first().map(|s| unit.lines.file_line(s.line)),
                };
                if impact.rebuilt > 0 {
                    let line = unit.lines.file_line(step.line);
                    findings.push(Finding {
                        priority: if impact.rebuilt * 2 >= total_steps.max(1) {
                            Priority::High
                        } else {
                            Priority::Medium
                        },
                        group: Group::Cache,
                        origin: Origin::Cache,
                        code: "cache/volatile-arg-early".into(),
                        name: "volatile-arg-early".into(),
                        severity: None,
                        message: format!(
                            "`ARG {name}` changes on every build and every RUN after line {line} sees it, so each new value rebuilds {} of {} steps; declare it (and the LABEL using it) at the end of the stage",
                            impact.rebuilt, impact.steps
                        ),
                        place: Some(Place {
                            file: unit.file.clone(),
                            line,
                            end_line: line,
                        }),
                        builds: ids.clone(),
                        evidence: vec![format!(
                            "a new {name} rebuilds {} steps from line {}",
                            impact.rebuilt,
                            impact.first_line.unwrap_or(line)
                        )],
                        impact: Some(Impact {
                            summary: format!(
                                "builds with a new {name} reuse the cache for {} steps",
                                impact.rebuilt
                            ),
                            bytes: None,
                            steps: Some(impact.rebuilt),
                        }),
                        hadolint: None,
                        fix: None,
                    });
                }
                volatile_args.push(impact);
            }
        }
    }

    summary.context = Some(ContextSummary {
        dir: rel(&context_dir),
        ignore_file: ignore_path.as_deref().map(rel),
        files,
        bytes,
        breakdown,
        copies,
        suggested_ignore: suggested,
    });
    summary.cache = Some(CacheSummary {
        steps: total_steps,
        edits,
        volatile_args,
    });
    (summary, findings)
}

/// A path relative to the analysed root as the user names it from where they ran the command.
fn under_root(root: &str, rel: &str) -> String {
    match (root, rel) {
        (".", _) => rel.to_owned(),
        (_, ".") => root.to_owned(),
        _ => format!("{}/{rel}", root.trim_end_matches('/')),
    }
}

fn join_lines(lines: &[usize]) -> String {
    lines
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Steps BuildKit keeps a cache record for (config steps only change the image config).
fn has_cache_record(op: StepOp) -> bool {
    matches!(op, StepOp::Base | StepOp::Exec | StepOp::File)
}

/// The names an `ARG` instruction declares (`ARG A B=1`).
fn arg_names(instruction: &str) -> Vec<String> {
    let mut words = instruction.split_whitespace();
    let _keyword = words.next();
    words
        .map(|w| w.split('=').next().unwrap_or(w).to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

fn context_finding(f: &ContextFinding, unit: &Unit<'_>, builds: &[String], sent: u64) -> Finding {
    let line = unit.lines.file_line(f.line());
    let place = Some(Place {
        file: unit.file.clone(),
        line,
        end_line: line,
    });
    let (priority, group, name, evidence, impact) = match f {
        ContextFinding::SecretCopied(s) => (
            if s.final_stage {
                Priority::High
            } else {
                Priority::Medium
            },
            Group::Security,
            "secret-copied",
            s.files
                .iter()
                .take(10)
                .map(|c| format!("{} ({})", c.path, human_bytes(c.bytes)))
                .collect(),
            None,
        ),
        ContextFinding::UnusedLargeContent(u) => (
            if sent > 0 && u.bytes * 2 >= sent {
                Priority::High
            } else {
                Priority::Medium
            },
            Group::Size,
            "unused-large-content",
            u.items
                .iter()
                .map(|i| format!("{}: {} files, {}", i.pattern, i.files, human_bytes(i.bytes)))
                .collect(),
            Some(Impact {
                summary: format!(
                    "the image and the context shrink by {}",
                    human_bytes(u.bytes)
                ),
                bytes: Some(u.bytes),
                steps: None,
            }),
        ),
        ContextFinding::CopyIgnoredFile(c) => (
            if c.missing {
                Priority::High
            } else {
                Priority::Medium
            },
            Group::Correctness,
            "copy-ignored-file",
            c.ignored
                .iter()
                .map(|i| format!("{} excluded by `{}`", i.path, i.pattern))
                .take(5)
                .collect(),
            None,
        ),
        ContextFinding::DuplicateCopy(d) => (
            Priority::Medium,
            Group::Size,
            "duplicate-copy",
            std::iter::once(format!(
                "line {} copies {} files ({}) that line {} copied already",
                line,
                d.files,
                human_bytes(d.bytes),
                unit.lines.file_line(d.earlier_line)
            ))
            .chain(d.examples.iter().take(5).cloned())
            .collect(),
            Some(Impact {
                summary: format!("one copy of {} fewer in the image", human_bytes(d.bytes)),
                bytes: Some(d.bytes),
                steps: None,
            }),
        ),
    };
    Finding {
        priority,
        group,
        origin: Origin::Context,
        code: format!("context/{name}"),
        name: name.to_owned(),
        severity: None,
        message: f.message(),
        place,
        builds: builds.to_vec(),
        evidence,
        impact,
        hadolint: None,
        fix: None,
    }
}

fn image_findings(img: &dockwright_image::report::ImageReport) -> Vec<Finding> {
    use dockwright_image::findings::{Category as ICat, Severity as ISev};
    img.findings
        .iter()
        .map(|f| {
            let share = (f.bytes * 100).checked_div(img.total_size).unwrap_or(0);
            let priority = if f.bytes > 0 {
                if share >= 10 {
                    Priority::High
                } else if share >= 1 {
                    Priority::Medium
                } else {
                    Priority::Low
                }
            } else {
                match f.severity {
                    ISev::Error => Priority::High,
                    ISev::Warning => Priority::Medium,
                    ISev::Info => Priority::Low,
                }
            };
            let group = match f.category {
                ICat::Size => Group::Size,
                ICat::Security => Group::Security,
                ICat::Config => Group::Correctness,
            };
            let mut evidence: Vec<String> = f.paths.iter().take(5).cloned().collect();
            if let (Some(layer), Some(by)) = (f.layer, &f.created_by) {
                evidence.push(format!("layer {layer}: {by}"));
            }
            Finding {
                priority,
                group,
                origin: Origin::Image,
                code: f.code.to_owned(),
                name: f.name.to_owned(),
                severity: Some(
                    match f.severity {
                        ISev::Error => "error",
                        ISev::Warning => "warning",
                        ISev::Info => "info",
                    }
                    .to_owned(),
                ),
                message: f.message.clone(),
                place: None,
                builds: Vec::new(),
                evidence,
                impact: (f.bytes > 0).then(|| Impact {
                    summary: format!(
                        "the image shrinks by up to {} ({share}% of {})",
                        human_bytes(f.bytes),
                        human_bytes(img.total_size)
                    ),
                    bytes: Some(f.bytes),
                    steps: None,
                }),
                hadolint: None,
                fix: None,
            }
        })
        .collect()
}

fn verify_steps(
    root: &Path,
    findings: &[Finding],
    builds: &[BuildSummary],
    dockerfiles: &[DockerfileSummary],
    image: Option<&ImageSummary>,
) -> Vec<VerifyStep> {
    let root = slash(root);
    let mut out = Vec::new();
    if findings.iter().any(|f| {
        f.fix
            .as_deref()
            .is_some_and(|x| x.starts_with("dockwright lint --fix") && !x.contains("unsafe"))
    }) {
        out.push(VerifyStep {
            command: format!("dockwright lint --fix {root}"),
            why: "apply the safe fixes of the lint findings".into(),
        });
    }
    if findings.iter().any(|f| {
        f.fix
            .as_deref()
            .is_some_and(|x| x.contains("--unsafe-fixes"))
    }) {
        out.push(VerifyStep {
            command: format!("dockwright lint --diff --unsafe-fixes {root}"),
            why: "review the fixes that change the build (layers merged, cleanups added)".into(),
        });
    }
    for b in builds {
        if let Some(ignore) = b.context.as_ref().and_then(|c| c.suggested_ignore.as_ref()) {
            let dir = under_root(&root, b.context.as_ref().map_or(".", |c| c.dir.as_str()));
            let command = format!("dockwright context --write-dockerignore {dir}");
            if !out.iter().any(|v: &VerifyStep| v.command == command) {
                out.push(VerifyStep {
                    command,
                    why: format!(
                        "write the suggested {} and check what it keeps out",
                        ignore.path
                    ),
                });
            }
        }
    }
    for b in builds {
        if let Some(e) = b
            .cache
            .as_ref()
            .and_then(|c| c.edits.iter().find(|e| e.rebuilt > 1))
        {
            let dir = under_root(&root, b.context.as_ref().map_or(".", |c| c.dir.as_str()));
            let file = if b.dockerfile.starts_with("inline") {
                String::new()
            } else {
                format!(" -f {}", under_root(&root, &b.dockerfile))
            };
            let command = format!(
                "dockwright cache{file} --context {dir} --changed {}",
                e.edited
            );
            if !out.iter().any(|v: &VerifyStep| v.command == command) {
                out.push(VerifyStep {
                    command,
                    why: format!(
                        "after reordering: an edit to {} should rebuild fewer than {} steps",
                        e.edited, e.rebuilt
                    ),
                });
            }
        }
    }
    for d in dockerfiles.iter().filter(|d| !d.name.ends_with("(inline)")) {
        let dir = Path::new(&d.name)
            .parent()
            .map(slash)
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ".".into());
        let project = under_root(&root, &dir);
        out.push(VerifyStep {
            command: format!("dockwright bench {project}"),
            why: "build the original and the optimized Dockerfile and compare size, build and rebuild time".into(),
        });
    }
    match image {
        Some(img) => out.push(VerifyStep {
            command: format!("dockwright diff {} NEW_IMAGE", img.image),
            why: "compare the image before and after, layer by layer".into(),
        }),
        None => out.push(VerifyStep {
            command: format!("dockwright analyze {root} --image IMAGE"),
            why: "add the built image's layers, wasted bytes and findings to this report".into(),
        }),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &str, name: &str, origin: Origin, line: usize) -> Finding {
        Finding {
            priority: Priority::Low,
            group: Group::Size,
            origin,
            code: code.into(),
            name: name.into(),
            severity: None,
            message: String::new(),
            place: Some(Place {
                file: "Dockerfile".into(),
                line,
                end_line: line,
            }),
            builds: vec!["b".into()],
            evidence: Vec::new(),
            impact: None,
            hadolint: None,
            fix: None,
        }
    }

    #[test]
    fn an_analysis_finding_folds_into_the_lint_finding_of_the_same_problem() {
        let mut ours = finding("context/secret-copied", "secret-copied", Origin::Context, 7);
        ours.priority = Priority::High;
        ours.evidence = vec![".env (174 B)".into()];
        ours.impact = Some(Impact {
            summary: "x".into(),
            bytes: Some(174),
            steps: None,
        });
        let mut findings = vec![
            ours,
            finding("DW4402", "secret-file-copied", Origin::Lint, 7),
            finding("DW4402", "secret-file-copied", Origin::Lint, 9),
            finding("context/copied-twice", "copied-twice", Origin::Context, 3),
        ];
        fold_into_lint(&mut findings);
        let codes: Vec<(&str, usize)> = findings
            .iter()
            .map(|f| (f.code.as_str(), f.place.as_ref().unwrap().line))
            .collect();
        assert_eq!(
            codes,
            [("DW4402", 7), ("DW4402", 9), ("context/copied-twice", 3)]
        );
        assert_eq!(findings[0].priority, Priority::High);
        assert_eq!(findings[0].evidence, [".env (174 B)"]);
        assert_eq!(findings[0].impact.as_ref().unwrap().bytes, Some(174));
        assert_eq!(findings[1].priority, Priority::Low);
    }

    #[test]
    fn small_helpers() {
        assert_eq!(edit_distance("parabricks-source", "parabricks-sources"), 1);
        assert_eq!(edit_distance("build", "build"), 0);
        assert_eq!(arg_names("ARG A B=1 C"), ["A", "B", "C"]);
        assert!(is_volatile_arg("BUILD_DATE") && is_volatile_arg("git_sha"));
        assert!(!is_volatile_arg("PYTHON_VERSION"));
        assert_eq!(under_root(".", "api"), "api");
        assert_eq!(under_root("examples/x", "."), "examples/x");
        assert_eq!(under_root("examples/x/", "api"), "examples/x/api");
    }

    #[test]
    fn steps_repeated_by_sibling_stages() {
        let doc = dockwright_syntax::parse(
            "FROM node:20 AS dev\nWORKDIR /a\nCOPY . .\nRUN npm install\nFROM node:20 AS prod\nENV NODE_ENV=production\nWORKDIR /a\nCOPY . .\nRUN npm install\nRUN npm run build\nFROM alpine AS other\nRUN npm install\n",
        )
        .unwrap();
        let plan = BuildPlan::new(&doc, &PlanOptions::default());
        let unit = Unit {
            name: "Dockerfile".into(),
            file: "Dockerfile".into(),
            path: None,
            text: Ok(String::new()),
            lines: LineMap::Identity,
            builds: Vec::new(),
        };
        let found = shared_prefix_findings(&plan, &unit, &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("`dev` and `prod`"));
        assert!(found[0].message.contains("3 steps"));
        assert_eq!(found[0].place.as_ref().unwrap().line, 7);
        assert_eq!(install_lines(&plan), [4, 9, 12]);
    }
}
