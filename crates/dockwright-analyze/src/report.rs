//! The report of `dockwright analyze`: plain serde structs. The JSON output *is* this shape;
//! fields are only ever added, never renamed.

use serde::Serialize;

use crate::graph::StageGraph;

/// Version of the JSON shape.
pub const REPORT_VERSION: u32 = 1;

/// How urgent a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    High,
    Medium,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Medium, Priority::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }

    /// Parses `high`, `medium` or `low`.
    pub fn parse(s: &str) -> Option<Priority> {
        match s.to_ascii_lowercase().as_str() {
            "high" => Some(Priority::High),
            "medium" => Some(Priority::Medium),
            "low" => Some(Priority::Low),
            _ => None,
        }
    }
}

/// What a finding is about; the report groups findings by it, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// Bytes in the image (and in the context).
    Size,
    /// Rebuild time.
    Cache,
    Security,
    /// The build fails or the container misbehaves.
    Correctness,
    /// The same Dockerfile builds the same image tomorrow.
    Reproducibility,
    Style,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::Size,
        Group::Cache,
        Group::Security,
        Group::Correctness,
        Group::Reproducibility,
        Group::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Size => "size",
            Group::Cache => "cache",
            Group::Security => "security",
            Group::Correctness => "correctness",
            Group::Reproducibility => "reproducibility",
            Group::Style => "style",
        }
    }

    /// The heading of the group in reports.
    pub fn title(self) -> &'static str {
        match self {
            Group::Size => "Size",
            Group::Cache => "Cache and rebuild time",
            Group::Security => "Security",
            Group::Correctness => "Correctness",
            Group::Reproducibility => "Reproducibility",
            Group::Style => "Style",
        }
    }
}

impl From<dockwright_rules::Category> for Group {
    fn from(c: dockwright_rules::Category) -> Self {
        use dockwright_rules::Category;
        match c {
            Category::Size => Group::Size,
            Category::Cache => Group::Cache,
            Category::Security => Group::Security,
            Category::Correctness => Group::Correctness,
            Category::Reproducibility => Group::Reproducibility,
            Category::Style => Group::Style,
        }
    }
}

/// Which analysis found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A lint rule.
    Lint,
    /// The build-context analysis.
    Context,
    /// The cache model.
    Cache,
    /// The built image.
    Image,
}

/// A place in a file of the repository.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Place {
    /// Relative to the analysed root, `/`-separated.
    pub file: String,
    /// 1-based first line.
    pub line: usize,
    /// 1-based last line.
    pub end_line: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.end_line > self.line {
            write!(f, "{}:{}-{}", self.file, self.line, self.end_line)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}

/// What following a recommendation is expected to change, from measured facts only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Impact {
    /// In words.
    pub summary: String,
    /// Bytes saved (in the image or the context, as the summary says).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Build steps that no longer re-run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<usize>,
}

/// One recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub priority: Priority,
    pub group: Group,
    pub origin: Origin,
    /// Rule code (`DW2001`, `SC2086`) or the analysis' own code (`context/secret-copied`).
    pub code: String,
    /// Stable kebab-case name.
    pub name: String,
    /// The rule's severity, for lint and image findings (`error`, `warning`, `info`, `style`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
    /// Where (absent for image findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    /// Ids of the builds it concerns.
    pub builds: Vec<String>,
    /// The facts behind it: lines, bytes, steps, files.
    pub evidence: Vec<String>,
    /// What fixing it changes, when a fact measures it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<Impact>,
    /// The hadolint rule reporting the same problem, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hadolint: Option<String>,
    /// `dockwright lint --fix` (safe) or `--fix --unsafe-fixes` (unsafe) repairs it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// Findings counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub size: usize,
    pub cache: usize,
    pub security: usize,
    pub correctness: usize,
    pub reproducibility: usize,
    pub style: usize,
}

impl Counts {
    /// Counts `findings`.
    pub fn of(findings: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            match f.priority {
                Priority::High => c.high += 1,
                Priority::Medium => c.medium += 1,
                Priority::Low => c.low += 1,
            }
            match f.group {
                Group::Size => c.size += 1,
                Group::Cache => c.cache += 1,
                Group::Security => c.security += 1,
                Group::Correctness => c.correctness += 1,
                Group::Reproducibility => c.reproducibility += 1,
                Group::Style => c.style += 1,
            }
        }
        c
    }
}

/// A path of the context and the bytes sent under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SizedEntry {
    pub path: String,
    pub files: u64,
    pub bytes: u64,
}

/// What one context source of a step copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyEntry {
    /// Stage label.
    pub stage: String,
    /// Line in the defining file.
    pub line: usize,
    pub instruction: String,
    pub source: String,
    pub files: u64,
    pub bytes: u64,
    pub whole_context: bool,
}

/// The suggested `.dockerignore` and what it keeps out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoreProposal {
    /// Where it goes, relative to the root.
    pub path: String,
    /// Whether an ignore file exists there already (the text keeps it at its top).
    pub exists: bool,
    /// New patterns.
    pub patterns: Vec<String>,
    /// Files and bytes the new patterns keep out.
    pub files: u64,
    pub bytes: u64,
    /// The whole file.
    pub text: String,
}

/// The build context of one build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextSummary {
    /// The context directory, relative to the root.
    pub dir: String,
    /// The ignore file in effect, relative to the root.
    pub ignore_file: Option<String>,
    pub files: u64,
    pub bytes: u64,
    /// Sent bytes per top-level entry, largest first.
    pub breakdown: Vec<SizedEntry>,
    /// What each COPY/ADD source pulls in.
    pub copies: Vec<CopyEntry>,
    /// A proposed ignore file, when it would keep something out.
    pub suggested_ignore: Option<IgnoreProposal>,
}

/// What editing the files one COPY takes rebuilds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EditImpact {
    /// The COPY/ADD line.
    pub copy_line: usize,
    /// The file edited (one the step copies).
    pub edited: String,
    /// Steps rebuilt in the stages the target needs.
    pub rebuilt: usize,
    /// Steps (with a cache record) in those stages.
    pub steps: usize,
    /// Line of the first rebuilt step.
    pub first_line: Option<usize>,
    /// Lines of the rebuilt RUN steps.
    pub runs: Vec<usize>,
}

/// What changing a build argument rebuilds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgImpact {
    pub name: String,
    pub rebuilt: usize,
    pub steps: usize,
    pub first_line: Option<usize>,
}

/// The cache behaviour of one build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheSummary {
    /// Steps with a cache record in the stages the target needs.
    pub steps: usize,
    /// Per context copy: what an edit to a file it copies rebuilds.
    pub edits: Vec<EditImpact>,
    /// Build args without a default that change on every build (dates, revisions): what a
    /// new value rebuilds.
    pub volatile_args: Vec<ArgImpact>,
}

/// One build the repository defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildSummary {
    pub id: String,
    /// `compose`, `dockerfile`, `openshift-build-config`, ...
    pub kind: String,
    /// Where it is defined, `file:line`.
    pub origin: String,
    /// The Dockerfile path, or `inline in FILE:LINE`.
    pub dockerfile: String,
    /// The target stage (`None`: the last one).
    pub target: Option<String>,
    /// Build args as `NAME=VALUE`.
    pub args: Vec<String>,
    /// Stages the build runs, in file order.
    pub stages_built: Vec<String>,
    /// The context, when there is a local one.
    pub context: Option<ContextSummary>,
    /// Cache behaviour, when the context is known.
    pub cache: Option<CacheSummary>,
    /// Why a part of the analysis was skipped.
    pub notes: Vec<String>,
}

/// One Dockerfile (a file or an inline one) with its stage graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DockerfileSummary {
    /// The file, or `FILE:LINE` of an inline Dockerfile.
    pub name: String,
    /// The builds that use it.
    pub builds: Vec<String>,
    /// Number of instructions.
    pub instructions: usize,
    pub graph: StageGraph,
    /// The optimized rewrite, when an [`crate::Optimizer`] was given and produced one.
    pub optimized: Option<OptimizedDockerfile>,
}

/// One image layer, for the layer chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerSummary {
    pub index: usize,
    pub size: u64,
    pub created_by: String,
}

/// The built image, when `--image` was given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageSummary {
    pub image: String,
    pub total_size: u64,
    pub compressed_size: u64,
    pub wasted_bytes: u64,
    pub reclaimable_bytes: u64,
    pub efficiency: f64,
    pub files: u64,
    pub layers: Vec<LayerSummary>,
}

/// The optimized Dockerfile, when an optimizer produced one (filled by the caller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptimizedDockerfile {
    /// The Dockerfile it rewrites.
    pub original: String,
    /// The new text.
    pub text: String,
    /// What changed, in words.
    pub changes: Vec<String>,
}

/// A command that checks a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyStep {
    pub command: String,
    pub why: String,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysisReport {
    pub version: u32,
    /// The analysed directory, as given.
    pub root: String,
    pub counts: Counts,
    /// Every finding, high priority first, then by group and place.
    pub findings: Vec<Finding>,
    pub builds: Vec<BuildSummary>,
    pub dockerfiles: Vec<DockerfileSummary>,
    pub image: Option<ImageSummary>,
    pub verify: Vec<VerifyStep>,
    /// Discovery problems and analyses that could not run.
    pub problems: Vec<String>,
}

impl AnalysisReport {
    /// Whether a finding has `priority` or higher.
    pub fn reaches(&self, priority: Priority) -> bool {
        self.findings.iter().any(|f| f.priority <= priority)
    }

    /// Findings of one group, in report order.
    pub fn in_group(&self, group: Group) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.group == group)
    }
}
