//! The build-context report: what a build sends, what is largest, and what each
//! `.dockerignore` pattern keeps out.

use serde::Serialize;

use crate::ignore_file::Dockerignore;
use crate::walk::{ContextWalk, DirTotals, EntryKind, WalkWarning};

/// Totals of what the build sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SentTotals {
    /// Regular files.
    pub files: u64,
    /// Directories, the root not counted.
    pub dirs: u64,
    pub symlinks: u64,
    /// Sockets, FIFOs, devices.
    pub other: u64,
    /// Bytes of regular-file content and symlink targets.
    pub bytes: u64,
}

/// Totals of what the ignore file keeps out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExcludedTotals {
    /// Non-directories kept out.
    pub files: u64,
    pub bytes: u64,
    /// `files` includes the content of skipped directories.
    pub files_counted: bool,
    /// `bytes` includes the content of skipped directories.
    pub bytes_measured: bool,
}

/// A path and its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SizedPath {
    pub path: String,
    pub bytes: u64,
}

/// Something kept out of the context, with the pattern that kept it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedPath {
    pub path: String,
    pub kind: EntryKind,
    pub files: u64,
    pub bytes: u64,
    /// `bytes` is measured (false: a skipped directory whose files were only counted).
    pub bytes_measured: bool,
    /// The pattern as written in the ignore file.
    pub pattern: String,
    /// Its line in the ignore file.
    pub line: Option<usize>,
}

/// What one pattern of the ignore file did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatternEffect {
    /// As written (with `!` for an exception).
    pub pattern: String,
    pub line: Option<usize>,
    pub exception: bool,
    /// For a normal pattern: the excluded entries it decided (a skipped directory counts once).
    /// For an exception: the sent entries it re-included.
    pub paths: u64,
    /// Non-directories behind those entries.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// `files` and `bytes` include the content of skipped directories.
    pub complete: bool,
}

/// A symlink whose target lies outside the context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscapingLink {
    pub path: String,
    pub target: String,
}

/// What hashing the sent files cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HashingReport {
    pub files: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub bytes_per_second: f64,
}

/// The report of `dockwright context`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextReport {
    /// The context directory as given.
    pub context: String,
    /// The Dockerfile the build uses, as given or defaulted.
    pub dockerfile: Option<String>,
    /// The ignore file in effect, if any.
    pub ignore_file: Option<String>,
    pub sent: SentTotals,
    pub excluded: ExcludedTotals,
    pub largest_files: Vec<SizedPath>,
    /// Directories by sent bytes below them (the root left out).
    pub largest_dirs: Vec<DirTotals>,
    /// The biggest things kept out.
    pub largest_excluded: Vec<ExcludedPath>,
    /// Every pattern of the ignore file, in order, with what it did.
    pub patterns: Vec<PatternEffect>,
    pub escaping_links: Vec<EscapingLink>,
    pub warnings: Vec<WalkWarning>,
    pub hashing: Option<HashingReport>,
    /// Wall time of the walk, in seconds.
    pub walk_seconds: f64,
    /// What the Dockerfile copies from the context and the findings about it, when a
    /// Dockerfile was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile_analysis: Option<crate::findings::DockerfileAnalysis>,
}

/// Where the report's paths come from, as the user named them.
#[derive(Debug, Clone, Default)]
pub struct ReportSources {
    pub context: String,
    pub dockerfile: Option<String>,
    pub ignore_file: Option<String>,
}

impl ContextReport {
    /// Summarises a walk; `top` bounds each "largest" list.
    pub fn new(
        walk: &ContextWalk,
        rules: &Dockerignore,
        sources: ReportSources,
        top: usize,
    ) -> Self {
        let mut sent = SentTotals::default();
        for entry in &walk.entries {
            match entry.kind {
                EntryKind::File => sent.files += 1,
                EntryKind::Dir => sent.dirs += 1,
                EntryKind::Symlink => sent.symlinks += 1,
                EntryKind::Other => sent.other += 1,
            }
            if entry.kind != EntryKind::Dir {
                sent.bytes += entry.size;
            }
        }

        let largest_files = top_n(walk.files().collect(), top, |a, b| {
            b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path))
        })
        .into_iter()
        .map(|e| SizedPath {
            path: e.path.clone(),
            bytes: e.size,
        })
        .collect();

        let largest_dirs = top_n(
            walk.dirs.iter().filter(|d| d.path != ".").collect(),
            top,
            |a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)),
        )
        .into_iter()
        .cloned()
        .collect();

        let mut excluded = ExcludedTotals {
            files_counted: true,
            bytes_measured: true,
            ..ExcludedTotals::default()
        };
        let pattern_count = rules.matcher().patterns().len();
        let mut patterns: Vec<PatternEffect> = (0..pattern_count)
            .map(|i| PatternEffect {
                pattern: rules.pattern_text(i),
                line: rules.line_of(i),
                exception: rules.matcher().patterns()[i].is_exclusion(),
                paths: 0,
                files: 0,
                bytes: 0,
                complete: true,
            })
            .collect();
        for item in &walk.excluded {
            excluded.files += item.files;
            excluded.bytes += item.bytes;
            excluded.files_counted &= item.files_counted;
            excluded.bytes_measured &= item.bytes_measured;
            if let Some(effect) = patterns.get_mut(item.pattern) {
                effect.paths += 1;
                effect.files += item.files;
                effect.bytes += item.bytes;
                effect.complete &= item.bytes_measured;
            }
        }
        for entry in &walk.entries {
            if let Some(effect) = entry.kept_by_exception.and_then(|i| patterns.get_mut(i)) {
                effect.paths += 1;
                if entry.kind != EntryKind::Dir {
                    effect.files += 1;
                    effect.bytes += entry.size;
                }
            }
        }

        // Without measured bytes for skipped directories, file counts are the fair order.
        let by_bytes = walk.excluded.iter().all(|item| item.bytes_measured);
        let largest_excluded = top_n(walk.excluded.iter().collect(), top, |a, b| {
            let (a_key, b_key) = if by_bytes {
                ((a.bytes, a.files), (b.bytes, b.files))
            } else {
                ((a.files, a.bytes), (b.files, b.bytes))
            };
            b_key.cmp(&a_key).then_with(|| a.path.cmp(&b.path))
        })
        .into_iter()
        .map(|item| ExcludedPath {
            path: item.path.clone(),
            kind: item.kind,
            files: item.files,
            bytes: item.bytes,
            bytes_measured: item.bytes_measured,
            pattern: rules.pattern_text(item.pattern),
            line: rules.line_of(item.pattern),
        })
        .collect();

        let escaping_links = walk
            .entries
            .iter()
            .filter(|e| e.link_escapes_context)
            .map(|e| EscapingLink {
                path: e.path.clone(),
                target: e.link_target.clone().unwrap_or_default(),
            })
            .collect();

        let hashing = walk.hash_stats.map(|h| HashingReport {
            files: h.files,
            bytes: h.bytes,
            seconds: h.seconds,
            bytes_per_second: if h.seconds > 0.0 {
                h.bytes as f64 / h.seconds
            } else {
                0.0
            },
        });

        ContextReport {
            context: sources.context,
            dockerfile: sources.dockerfile,
            ignore_file: sources.ignore_file,
            sent,
            excluded,
            largest_files,
            largest_dirs,
            largest_excluded,
            patterns,
            escaping_links,
            warnings: walk.warnings.clone(),
            hashing,
            walk_seconds: walk.walk_seconds,
            dockerfile_analysis: None,
        }
    }
}

/// The first `n` of `items` in `order`, without sorting all of them.
fn top_n<T>(mut items: Vec<&T>, n: usize, order: impl Fn(&T, &T) -> std::cmp::Ordering) -> Vec<&T> {
    if n == 0 {
        return Vec::new();
    }
    if items.len() > n {
        items.select_nth_unstable_by(n - 1, |a, b| order(a, b));
        items.truncate(n);
    }
    items.sort_by(|a, b| order(a, b));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::{WalkOptions, walk_context};

    #[test]
    fn pattern_effects_and_totals() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (rel, content) in [
            ("app.py", "print(1)\n"),
            ("logs/a.log", "aaaa"),
            ("logs/keep.log", "kk"),
            (".git/HEAD", "ref: x\n"),
            ("big.bin", "0123456789"),
        ] {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        let rules =
            Dockerignore::parse(b".git\nlogs\n!logs/keep.log\n*.bin\n*.tmp\n", None).unwrap();
        let options = WalkOptions {
            excluded: crate::walk::ExcludedScan::Measure,
            ..WalkOptions::default()
        };
        let walk = walk_context(root, &rules, options).unwrap();
        let report = ContextReport::new(&walk, &rules, ReportSources::default(), 5);
        assert_eq!(report.sent.files, 2);
        assert_eq!(report.sent.bytes, 11);
        assert_eq!(report.excluded.files, 3);
        assert_eq!(report.excluded.bytes, 21);
        let by: Vec<(&str, u64, u64)> = report
            .patterns
            .iter()
            .map(|p| (p.pattern.as_str(), p.files, p.bytes))
            .collect();
        assert_eq!(
            by,
            [
                (".git", 1, 7),
                ("logs", 1, 4),
                ("!logs/keep.log", 1, 2),
                ("*.bin", 1, 10),
                ("*.tmp", 0, 0)
            ]
        );
        assert_eq!(report.largest_excluded[0].path, "big.bin");
        assert_eq!(report.largest_dirs[0].path, "logs");
    }
}
