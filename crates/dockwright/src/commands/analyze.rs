//! `dockwright analyze [PATH]`: the whole report for a repository — every build discovery
//! finds, lint, build context, cache and stage graph per build, the image with `--image`;
//! prioritized findings with evidence and impact, the suggested `.dockerignore`, the commands
//! to verify.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use dockwright_analyze::{
    AnalyzeOptions, OptimizedDockerfile, Optimizer, Priority, Progress, analyze, render,
};
use dockwright_project::DiscoverOptions;
use dockwright_rules::config::{self, Loaded};
use dockwright_rules::{Linter, Settings};

use crate::exit::Status;
use crate::terminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text for a terminal.
    Tty,
    /// Markdown, for pull requests, wikis and CI summaries.
    Markdown,
    /// The report as one JSON object.
    Json,
    /// A self-contained HTML page (inline CSS and SVG charts, no scripts).
    Html,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The repository (or directory) to analyse.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Also analyse this built image (docker-archive:PATH, oci-archive:PATH, oci:DIR, a path,
    /// or a registry reference): layers, wasted bytes, image findings.
    #[arg(long, value_name = "REF")]
    pub image: Option<String>,

    /// Output format (default: from the --output extension .md/.json/.html, else tty).
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when a finding has this priority or a higher one (high, medium, low).
    #[arg(long, value_name = "PRIORITY", value_parser = parse_priority)]
    pub fail_on: Option<Priority>,

    /// Do not run ShellCheck on RUN scripts.
    #[arg(long)]
    pub no_shellcheck: bool,

    /// Ignore .dockwright.toml/.hadolint.yaml files.
    #[arg(long)]
    pub isolated: bool,

    /// Give a compose/bake variable a value (overrides `.env` files and defaults).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    #[command(flatten)]
    pub source: super::image::SourceArgs,
}

fn parse_priority(s: &str) -> Result<Priority, String> {
    Priority::parse(s).ok_or_else(|| format!("expected high, medium or low, got {s:?}"))
}

fn format_for(args: &AnalyzeArgs) -> Format {
    if let Some(f) = args.format {
        return f;
    }
    match args
        .output
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
    {
        Some("md" | "markdown") => Format::Markdown,
        Some("json") => Format::Json,
        Some("html" | "htm") => Format::Html,
        _ => Format::Tty,
    }
}

pub fn run(args: &AnalyzeArgs) -> anyhow::Result<Status> {
    if !args.path.is_dir() {
        anyhow::bail!("{}: not a directory", args.path.display());
    }
    let mut variables = std::collections::BTreeMap::new();
    for v in &args.vars {
        match v.split_once('=') {
            Some((k, value)) if !k.is_empty() => {
                variables.insert(k.to_owned(), value.to_owned());
            }
            _ => anyhow::bail!("--var {v:?}: expected NAME=VALUE"),
        }
    }
    // `analyze` adds a few opt-in rules (see `ANALYZE_RULES`) unless the config ignores them.
    let settings = if args.isolated {
        Settings::from_options(dockwright_analyze::with_analyze_rules(Default::default()))?
    } else {
        let dir = std::fs::canonicalize(&args.path).unwrap_or_else(|_| args.path.clone());
        match config::discover(&dir)? {
            Some(Loaded { options, files }) => {
                if terminal::verbosity() > 0 {
                    for f in &files {
                        terminal::info(format!("config: {}", f.display()));
                    }
                }
                Settings::from_options(dockwright_analyze::with_analyze_rules(options))
                    .with_context(|| format!("invalid settings for {}", dir.display()))?
            }
            None => {
                Settings::from_options(dockwright_analyze::with_analyze_rules(Default::default()))?
            }
        }
    };
    let linter = Linter::new(settings).with_shellcheck(!args.no_shellcheck);

    let image = match &args.image {
        Some(reference) => {
            let loaded = super::image::load_image(reference, &args.source, None)?;
            let report = dockwright_image::report::analyze(&loaded, reference);
            for w in &report.warnings {
                terminal::warn(w);
            }
            Some(report)
        }
        None => None,
    };

    let bar = if terminal::verbosity() >= 0 && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(0),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("analyzing {pos}/{len} Dockerfiles {wide_bar}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let progress = |p: Progress| match p {
        Progress::Discovered { dockerfiles } => bar.set_length(dockerfiles as u64),
        Progress::DockerfileDone => bar.inc(1),
    };
    let report = analyze(
        &args.path,
        &AnalyzeOptions {
            discover: DiscoverOptions {
                variables,
                threads: 0,
            },
            linter: &linter,
            image: image.as_ref(),
            optimizer: Some(&DockwrightOptimizer),
            progress: Some(&progress),
        },
    );
    bar.finish_and_clear();
    let report = report?;

    let format = format_for(args);
    let text = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report)?;
            s.push('\n');
            s
        }
        Format::Markdown => render::markdown(&report),
        Format::Html => render::html(&report),
        Format::Tty => render::tty(
            &report,
            args.output.is_none() && terminal::stdout_has_color(),
        ),
    };
    match &args.output {
        Some(path) => {
            dockwright_rules::write_atomic(path, text.as_bytes())
                .with_context(|| format!("{}: cannot write", path.display()))?;
            if terminal::verbosity() >= 0 {
                terminal::info(format!(
                    "wrote {} ({} findings: {} high, {} medium, {} low)",
                    path.display(),
                    report.findings.len(),
                    report.counts.high,
                    report.counts.medium,
                    report.counts.low
                ));
            }
        }
        None => {
            let mut out = anstream::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(match args.fail_on {
        Some(p) if report.reaches(p) => Status::Failure,
        _ => Status::Success,
    })
}

/// `dockwright optimize` as the report's "Optimized Dockerfile" section: the rewrite when it
/// changes something, each change with its measured effect, and the proposals it did not
/// apply.
struct DockwrightOptimizer;

impl Optimizer for DockwrightOptimizer {
    fn optimize(
        &self,
        name: &str,
        text: &str,
        context: Option<&Path>,
        dockerfile: Option<&Path>,
    ) -> Option<OptimizedDockerfile> {
        let input = dockwright_optimize::OptimizeInput {
            source: text,
            context,
            dockerfile,
        };
        let optimized =
            dockwright_optimize::optimize(&input, &dockwright_optimize::OptimizeOptions::default())
                .ok()?;
        if !optimized.changed && optimized.proposals.is_empty() {
            return None;
        }
        let mut changes: Vec<String> = optimized
            .changes
            .iter()
            .map(|c| {
                if c.effect.is_empty() {
                    c.summary.clone()
                } else {
                    format!("{}: {}", c.summary, c.effect)
                }
            })
            .collect();
        changes.extend(
            optimized
                .proposals
                .iter()
                .map(|p| format!("proposed, not applied: {} ({})", p.summary, p.reason)),
        );
        Some(OptimizedDockerfile {
            original: name.to_owned(),
            text: optimized.dockerfile,
            changes,
        })
    }
}
