//! What a Dockerfile copies from the build context, and what is wrong with it. Each finding
//! is a plain struct with the span to report, so a lint rule is a thin wrapper:
//!
//! - [`CopyIgnoredFile`]: a `COPY`/`ADD` source the ignore file excludes (BuildKit's
//!   `CopyIgnoredFile` check): the build fails, or copies less than the Dockerfile says.
//! - [`SecretCopied`]: credentials copied into an image layer (`.env`, private keys,
//!   `.npmrc` with a token, `.aws/credentials`, ...).
//! - [`UnusedLargeContent`]: a copy of the whole context (or of a directory) that takes along
//!   version-control data or large data/model files that no other instruction mentions.
//! - [`DuplicateCopy`]: the same files copied twice in a stage with no step using the first
//!   copy in between (the manifests-first pattern, with an install in between, is not one).

use std::collections::HashMap;

use dockwright_syntax::Span;
use serde::Serialize;

use crate::copy_source::{ContextIndex, CopiedFile, IgnoredBy, SourceResolution};
use crate::ignore_file::Dockerignore;
use crate::pattern::PatternMatcher;
use crate::plan::{BuildPlan, ReadVia, StepOp};
use crate::suggest::{self, BuildInstalls, RuleCategory};
use crate::walk::ContextWalk;

/// One context source of one step, resolved against the context.
#[derive(Debug, Clone, Serialize)]
pub struct ResolvedRead {
    /// Stage index and label.
    pub stage: usize,
    pub stage_name: String,
    /// Whether the stage is the target (what users run).
    pub final_stage: bool,
    /// Step index in the stage.
    pub step: usize,
    /// The instruction's first line.
    pub line: usize,
    /// The source word in the file.
    pub span: Span,
    /// The instruction in the file.
    pub instruction_span: Span,
    /// The instruction after expansion.
    pub instruction: String,
    pub via: ReadVia,
    /// What it copies.
    pub resolution: SourceResolution,
}

/// Every context source of a plan resolved against a walk (in file order).
pub fn resolve_reads(
    plan: &BuildPlan,
    walk: &ContextWalk,
    rules: &Dockerignore,
) -> Result<Vec<ResolvedRead>, crate::cache::CacheError> {
    let index = ContextIndex::new(walk);
    let mut out = Vec::new();
    for (stage, step) in plan.steps() {
        for read in &step.context_reads {
            let resolution = index.resolve(&read.source, rules).map_err(|source| {
                crate::cache::CacheError::Copy {
                    line: step.line,
                    source,
                }
            })?;
            out.push(ResolvedRead {
                stage: stage.index,
                stage_name: stage.label(),
                final_stage: plan.target == Some(stage.index),
                step: step.index,
                line: step.line,
                span: read.span,
                instruction_span: step.span,
                instruction: step.display.clone(),
                via: read.via,
                resolution,
            });
        }
    }
    Ok(out)
}

/// A source the ignore file excludes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyIgnoredFile {
    pub line: usize,
    /// The source word.
    pub span: Span,
    pub source: String,
    /// What it names and the pattern that excludes it.
    pub ignored: Vec<IgnoredBy>,
    /// Nothing else matches: the build fails (for a source without wildcards).
    pub missing: bool,
}

/// Credentials copied into an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretCopied {
    pub line: usize,
    pub span: Span,
    pub source: String,
    pub stage: String,
    /// The stage is the image the build produces (otherwise the secret is in a builder
    /// stage's layers and the build cache).
    pub final_stage: bool,
    pub files: Vec<CopiedFile>,
}

/// One kind of large content nothing uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnusedItem {
    /// The pattern that stands for it (`.git`, `**/*.safetensors`, `data`).
    pub pattern: String,
    pub category: RuleCategory,
    pub files: u64,
    pub bytes: u64,
}

/// Content a broad copy takes along that nothing uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnusedLargeContent {
    pub line: usize,
    pub span: Span,
    pub source: String,
    pub items: Vec<UnusedItem>,
    pub files: u64,
    pub bytes: u64,
}

/// Files copied twice in one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateCopy {
    /// The later copy.
    pub line: usize,
    pub span: Span,
    pub source: String,
    /// The earlier copy of the same files.
    pub earlier_line: usize,
    pub earlier_source: String,
    pub stage: String,
    /// The files copied by both (first ten).
    pub examples: Vec<String>,
    pub files: u64,
    pub bytes: u64,
}

/// A finding about the context a Dockerfile copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ContextFinding {
    CopyIgnoredFile(CopyIgnoredFile),
    SecretCopied(SecretCopied),
    UnusedLargeContent(UnusedLargeContent),
    DuplicateCopy(DuplicateCopy),
}

impl ContextFinding {
    /// The line to report.
    pub fn line(&self) -> usize {
        match self {
            ContextFinding::CopyIgnoredFile(f) => f.line,
            ContextFinding::SecretCopied(f) => f.line,
            ContextFinding::UnusedLargeContent(f) => f.line,
            ContextFinding::DuplicateCopy(f) => f.line,
        }
    }

    /// The span to report.
    pub fn span(&self) -> Span {
        match self {
            ContextFinding::CopyIgnoredFile(f) => f.span,
            ContextFinding::SecretCopied(f) => f.span,
            ContextFinding::UnusedLargeContent(f) => f.span,
            ContextFinding::DuplicateCopy(f) => f.span,
        }
    }

    /// The message, in words.
    pub fn message(&self) -> String {
        match self {
            ContextFinding::CopyIgnoredFile(f) => {
                let what: Vec<String> = f
                    .ignored
                    .iter()
                    .take(3)
                    .map(|i| match i.line {
                        Some(l) => format!("{} (pattern {:?}, line {l})", i.path, i.pattern),
                        None => format!("{} (pattern {:?})", i.path, i.pattern),
                    })
                    .collect();
                format!(
                    "{} names {} that the .dockerignore excludes{}",
                    f.source,
                    what.join(", "),
                    if f.missing {
                        ": the build fails to find it"
                    } else {
                        ""
                    }
                )
            }
            ContextFinding::SecretCopied(f) => {
                let names: Vec<&str> = f.files.iter().take(3).map(|c| c.path.as_str()).collect();
                format!(
                    "{} copies credentials into {}: {}{}",
                    f.source,
                    if f.final_stage {
                        "the image".to_owned()
                    } else {
                        format!("stage {} (its layers and the build cache)", f.stage)
                    },
                    names.join(", "),
                    more(f.files.len(), 3)
                )
            }
            ContextFinding::UnusedLargeContent(f) => {
                let items: Vec<String> = f
                    .items
                    .iter()
                    .map(|i| format!("{} ({})", i.pattern, size(i.bytes)))
                    .collect();
                format!(
                    "{} copies {} that no instruction uses: {}",
                    f.source,
                    size(f.bytes),
                    items.join(", ")
                )
            }
            ContextFinding::DuplicateCopy(f) => format!(
                "{} copies {} ({}) that line {} ({}) already copied, and no step used in between",
                f.source,
                if f.files == 1 {
                    "1 file".to_owned()
                } else {
                    format!("{} files", f.files)
                },
                size(f.bytes),
                f.earlier_line,
                f.earlier_source
            ),
        }
    }
}

fn more(total: usize, shown: usize) -> String {
    if total > shown {
        format!(" (+{} more)", total - shown)
    } else {
        String::new()
    }
}

fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Sources the ignore file excludes (COPY/ADD only, as BuildKit checks).
pub fn copy_ignored_files(reads: &[ResolvedRead]) -> Vec<CopyIgnoredFile> {
    reads
        .iter()
        .filter(|r| {
            matches!(r.via, ReadVia::Copy | ReadVia::Add) && !r.resolution.ignored.is_empty()
        })
        .map(|r| CopyIgnoredFile {
            line: r.line,
            span: r.span,
            source: r.resolution.source.clone(),
            ignored: r.resolution.ignored.clone(),
            missing: r.resolution.missing && !r.resolution.wildcard,
        })
        .collect()
}

/// Credentials copied into an image (COPY/ADD; a bind mount leaves nothing in a layer).
pub fn secrets_copied(reads: &[ResolvedRead], walk: &ContextWalk) -> Vec<SecretCopied> {
    let by_path: HashMap<&str, usize> = walk
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.path.as_str(), i))
        .collect();
    let mut out = Vec::new();
    for read in reads {
        if !matches!(read.via, ReadVia::Copy | ReadVia::Add) {
            continue;
        }
        let files: Vec<CopiedFile> = read
            .resolution
            .files
            .iter()
            .filter(|f| {
                by_path
                    .get(f.path.as_str())
                    .is_some_and(|&i| suggest::is_secret_file(&walk.root, &walk.entries[i]))
            })
            .cloned()
            .collect();
        if !files.is_empty() {
            out.push(SecretCopied {
                line: read.line,
                span: read.span,
                source: read.resolution.source.clone(),
                stage: read.stage_name.clone(),
                final_stage: read.final_stage,
                files,
            });
        }
    }
    out
}

/// Large content broad copies take along that no instruction mentions.
pub fn unused_large_content(
    reads: &[ResolvedRead],
    plan: &BuildPlan,
    walk: &ContextWalk,
) -> Vec<UnusedLargeContent> {
    let candidates: Vec<(suggest::Candidate, PatternMatcher)> =
        suggest::candidates(walk, BuildInstalls::default())
            .into_iter()
            .filter(|c| {
                matches!(
                    c.category,
                    RuleCategory::VersionControl | RuleCategory::DataOrModel
                )
            })
            .filter_map(|c| {
                let m = PatternMatcher::new([c.pattern.as_str()]).ok()?;
                Some((c, m))
            })
            .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let texts: Vec<(usize, String)> = plan
        .steps()
        .map(|(_, step)| (step.line, step.text.clone()))
        .collect();
    let uses_git = plan.steps().any(|(_, step)| {
        step.script.as_deref().is_some_and(|s| {
            dockwright_shell::parse(s, &dockwright_shell::ParseOptions::default())
                .commands()
                .iter()
                .any(|c| c.program.as_ref().is_some_and(|p| p.name == "git"))
        })
    });
    let mut out = Vec::new();
    for read in reads {
        if !matches!(read.via, ReadVia::Copy | ReadVia::Add) || read.resolution.wildcard {
            continue;
        }
        // Only a copy of a whole tree takes things along; a file named by path is wanted.
        let broad = read.resolution.whole_context
            || read
                .resolution
                .files
                .first()
                .is_some_and(|f| !read.resolution.matched.contains(&f.path));
        if !broad {
            continue;
        }
        let mut items = Vec::new();
        for (candidate, matcher) in &candidates {
            let mut files = 0;
            let mut bytes = 0;
            for f in &read.resolution.files {
                if matcher
                    .matches_or_parent_matches(f.path.as_bytes())
                    .is_ok_and(|d| d.excluded)
                {
                    files += 1;
                    bytes += f.bytes;
                }
            }
            if files == 0 {
                continue;
            }
            let names = mention_names(&candidate.pattern);
            let mentioned = texts
                .iter()
                .any(|(line, text)| *line != read.line && names.iter().any(|n| mentions(text, n)));
            let used =
                mentioned || (candidate.category == RuleCategory::VersionControl && uses_git);
            if !used {
                items.push(UnusedItem {
                    pattern: candidate.pattern.clone(),
                    category: candidate.category,
                    files,
                    bytes,
                });
            }
        }
        if !items.is_empty() {
            out.push(UnusedLargeContent {
                line: read.line,
                span: read.span,
                source: read.resolution.source.clone(),
                files: items.iter().map(|i| i.files).sum(),
                bytes: items.iter().map(|i| i.bytes).sum(),
                items,
            });
        }
    }
    out
}

/// The names under which an instruction would refer to what a pattern stands for: the path,
/// each ancestor directory, the file name (`data/train.parquet`: `data`,
/// `data/train.parquet`, `train.parquet`), or the extension of a `**/*.ext` rule.
fn mention_names(pattern: &str) -> Vec<String> {
    let bare = pattern.trim_start_matches("**/");
    if let Some(ext) = bare.strip_prefix('*') {
        return vec![ext.to_owned()];
    }
    let mut names = Vec::new();
    let parts: Vec<&str> = bare.split('/').collect();
    for i in 1..=parts.len() {
        names.push(parts[..i].join("/"));
    }
    if parts.len() > 1
        && let Some(last) = parts.last()
    {
        names.push((*last).to_owned());
    }
    names
}

/// Whether `text` mentions `name` as a whole path word (not inside a longer name).
fn mentions(text: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        // An extension (`.safetensors`) may follow a file name; a path word may not.
        let starts = name.starts_with('.') || before.is_none_or(|c| !word(c) && c != '.');
        starts && after.is_none_or(|c| !word(c))
    })
}

/// Files copied twice in a stage with no `RUN` between the copies.
pub fn duplicate_copies(reads: &[ResolvedRead], plan: &BuildPlan) -> Vec<DuplicateCopy> {
    let mut out = Vec::new();
    for (i, later) in reads.iter().enumerate() {
        if !matches!(later.via, ReadVia::Copy | ReadVia::Add) {
            continue;
        }
        for earlier in reads[..i].iter().rev() {
            if earlier.stage != later.stage
                || earlier.step == later.step
                || !matches!(earlier.via, ReadVia::Copy | ReadVia::Add)
            {
                continue;
            }
            let stage = &plan.stages[later.stage];
            let run_between = stage.steps[earlier.step + 1..later.step]
                .iter()
                .any(|s| s.op == StepOp::Exec);
            if run_between {
                continue;
            }
            let first: std::collections::HashSet<&str> = earlier
                .resolution
                .files
                .iter()
                .map(|f| f.path.as_str())
                .collect();
            let both: Vec<&CopiedFile> = later
                .resolution
                .files
                .iter()
                .filter(|f| first.contains(f.path.as_str()))
                .collect();
            if both.is_empty() {
                continue;
            }
            out.push(DuplicateCopy {
                line: later.line,
                span: later.span,
                source: later.resolution.source.clone(),
                earlier_line: earlier.line,
                earlier_source: earlier.resolution.source.clone(),
                stage: later.stage_name.clone(),
                examples: both.iter().take(10).map(|f| f.path.clone()).collect(),
                files: both.len() as u64,
                bytes: both.iter().map(|f| f.bytes).sum(),
            });
            break;
        }
    }
    out
}

/// What one context source of a step copies, in short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopySummary {
    /// The stage (name or `stage-N`).
    pub stage: String,
    pub line: usize,
    /// The instruction after expansion.
    pub instruction: String,
    /// The source after expansion.
    pub source: String,
    pub via: ReadVia,
    /// Files it copies (or mounts) and their bytes.
    pub files: u64,
    pub bytes: u64,
    /// It is the whole context (`.`).
    pub whole_context: bool,
    /// Nothing matches.
    pub missing: bool,
    /// Paths it names that the ignore file excludes.
    pub ignored: usize,
}

impl From<&ResolvedRead> for CopySummary {
    fn from(read: &ResolvedRead) -> Self {
        CopySummary {
            stage: read.stage_name.clone(),
            line: read.line,
            instruction: read.instruction.clone(),
            source: read.resolution.source.clone(),
            via: read.via,
            files: read.resolution.files.len() as u64,
            bytes: read.resolution.bytes,
            whole_context: read.resolution.whole_context,
            missing: read.resolution.missing,
            ignored: read.resolution.ignored.len(),
        }
    }
}

/// The Dockerfile's side of a context report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DockerfileAnalysis {
    /// Every context source of every step, in file order.
    pub copies: Vec<CopySummary>,
    /// Findings about what is copied.
    pub findings: Vec<ContextFinding>,
    /// Dependency steps that ordinary source edits rebuild.
    pub cache_order: Vec<crate::cache_order::CacheOrderFinding>,
    /// Dependency installs the build runs itself.
    pub installs: BuildInstalls,
    /// What BuildKit would reject in the Dockerfile.
    pub errors: Vec<crate::plan::PlanError>,
}

impl DockerfileAnalysis {
    /// Analyses what `plan` copies from the context `walk` (sent under `rules`).
    pub fn new(
        plan: &BuildPlan,
        walk: &ContextWalk,
        rules: &Dockerignore,
    ) -> Result<Self, crate::cache::CacheError> {
        let reads = resolve_reads(plan, walk, rules)?;
        let findings = context_findings(&reads, plan, walk);
        let cache_order = crate::cache_order::check_cache_order(
            plan,
            Some(crate::cache::CacheContext { walk, rules }),
        )?;
        let installs =
            crate::dependencies::build_installs(&crate::dependencies::dependency_steps(plan));
        Ok(DockerfileAnalysis {
            copies: reads.iter().map(CopySummary::from).collect(),
            findings,
            cache_order,
            installs,
            errors: plan.errors.clone(),
        })
    }

    /// Every context source, for the ignore-file generator.
    pub fn sources(plan: &BuildPlan) -> Vec<crate::copy_source::CopySource> {
        plan.steps()
            .flat_map(|(_, step)| step.context_reads.iter().map(|r| r.source.clone()))
            .collect()
    }
}

/// Every context finding, in line order.
pub fn context_findings(
    reads: &[ResolvedRead],
    plan: &BuildPlan,
    walk: &ContextWalk,
) -> Vec<ContextFinding> {
    let mut out: Vec<ContextFinding> = Vec::new();
    out.extend(
        copy_ignored_files(reads)
            .into_iter()
            .map(ContextFinding::CopyIgnoredFile),
    );
    out.extend(
        secrets_copied(reads, walk)
            .into_iter()
            .map(ContextFinding::SecretCopied),
    );
    out.extend(
        unused_large_content(reads, plan, walk)
            .into_iter()
            .map(ContextFinding::UnusedLargeContent),
    );
    out.extend(
        duplicate_copies(reads, plan)
            .into_iter()
            .map(ContextFinding::DuplicateCopy),
    );
    out.sort_by_key(|f| (f.line(), f.span().start));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::BuildOptions;
    use crate::walk::{WalkOptions, walk_context};

    fn analyse(dockerfile: &str, files: &[(&str, Vec<u8>)]) -> Vec<ContextFinding> {
        let dir = tempfile::tempdir().unwrap();
        for (rel, content) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        let rules = Dockerignore::load_for_build(dir.path(), None).unwrap();
        let walk = walk_context(dir.path(), &rules, WalkOptions::default()).unwrap();
        let doc = dockwright_syntax::parse(dockerfile).unwrap();
        let plan = BuildPlan::new(&doc, &BuildOptions::default());
        let reads = resolve_reads(&plan, &walk, &rules).unwrap();
        context_findings(&reads, &plan, &walk)
    }

    #[test]
    fn ignored_sources_and_secrets() {
        let found = analyse(
            "FROM alpine AS build\nCOPY .env.production /x\nCOPY config/ /config/\nFROM alpine\nCOPY . /app\nCOPY secret.key /k\n",
            &[
                (".dockerignore", b"secret.key\n".to_vec()),
                (".env.production", b"TOKEN=1".to_vec()),
                ("config/app.yml", b"a: 1".to_vec()),
                ("config/.aws/credentials", b"[default]".to_vec()),
                ("config/.ssh/known_hosts", b"host".to_vec()),
                ("id_rsa", b"-----BEGIN OPENSSH PRIVATE KEY-----".to_vec()),
                ("cert.pem", b"-----BEGIN CERTIFICATE-----".to_vec()),
                ("secret.key", b"-----BEGIN PRIVATE KEY-----".to_vec()),
            ],
        );
        let lines: Vec<(usize, &str)> = found
            .iter()
            .map(|f| {
                (
                    f.line(),
                    match f {
                        ContextFinding::CopyIgnoredFile(_) => "ignored",
                        ContextFinding::SecretCopied(_) => "secret",
                        ContextFinding::UnusedLargeContent(_) => "unused",
                        ContextFinding::DuplicateCopy(_) => "duplicate",
                    },
                )
            })
            .collect();
        assert_eq!(
            lines,
            [(2, "secret"), (3, "secret"), (5, "secret"), (6, "ignored")]
        );
        let ContextFinding::SecretCopied(s) = &found[0] else {
            panic!()
        };
        assert!(!s.final_stage);
        let ContextFinding::SecretCopied(s) = &found[2] else {
            panic!()
        };
        let paths: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [".env.production", "config/.aws/credentials", "id_rsa"]
        );
        assert!(s.final_stage);
        insta::assert_snapshot!(
            found
                .iter()
                .map(|f| format!("{}: {}", f.line(), f.message()))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[test]
    fn mentions_are_whole_words() {
        assert!(mentions("CMD python app.py --data data/", "data"));
        assert!(!mentions("RUN cp metadata.json /x", "data"));
        assert!(mentions("RUN load models/w.safetensors", ".safetensors"));
        assert!(mentions("RUN git describe > /v && ls .git", ".git"));
        assert!(!mentions("RUN echo x.gitignore", ".git"));
        assert_eq!(
            mention_names("data/train.parquet"),
            ["data", "data/train.parquet", "train.parquet"]
        );
        assert_eq!(mention_names("**/*.pt"), [".pt"]);
    }

    #[test]
    fn unused_large_content_and_duplicates() {
        let found = analyse(
            "FROM python:3\nCOPY app.py /app/\nCOPY . /app/\nRUN pip install -r requirements.txt\nCOPY requirements.txt /app/\nCMD python /app/app.py --data data/\n",
            &[
                ("app.py", b"print()".to_vec()),
                ("requirements.txt", b"flask".to_vec()),
                (".git/HEAD", b"ref".to_vec()),
                (".git/objects/ab/cd", vec![0; 5000]),
                ("models/big.safetensors", vec![0; 2_000_000]),
                ("data/train.parquet", vec![0; 11_000_000]),
            ],
        );
        let summary: Vec<String> = found
            .iter()
            .map(|f| format!("{}: {}", f.line(), f.message()))
            .collect();
        insta::assert_snapshot!(summary.join("\n"));
        let ContextFinding::UnusedLargeContent(u) = &found
            .iter()
            .find(|f| matches!(f, ContextFinding::UnusedLargeContent(_)))
            .unwrap()
        else {
            panic!()
        };
        let patterns: Vec<&str> = u.items.iter().map(|i| i.pattern.as_str()).collect();
        // `data/` is mentioned by the CMD: used.
        assert_eq!(patterns, [".git", "**/*.safetensors"]);
        // The copy of requirements.txt after the install is not a duplicate of line 3's
        // (a RUN came between); the app.py copy at line 3 duplicates line 2's.
        let dups: Vec<(usize, usize)> = found
            .iter()
            .filter_map(|f| match f {
                ContextFinding::DuplicateCopy(d) => Some((d.line, d.earlier_line)),
                _ => None,
            })
            .collect();
        assert_eq!(dups, [(3, 2)]);
    }
}
