//! `dockwright stages [PATH|-f FILE] --format text|mermaid|dot|json`: the stage graph of each
//! Dockerfile — stages, the images they start from or copy from, `FROM`/`COPY --from`/
//! `RUN --mount=from=` edges, and which stages each target builds.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use dockwright_analyze::DockerfileSummary;
use dockwright_analyze::graph::StageGraph;
use dockwright_project::DiscoverOptions;
use serde::Serialize;

use crate::exit::Status;
use crate::terminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable listing.
    Text,
    /// Mermaid flowcharts (one per Dockerfile).
    Mermaid,
    /// Graphviz digraphs (one per Dockerfile).
    Dot,
    /// The graphs as JSON.
    Json,
}

#[derive(Debug, Args)]
pub struct StagesArgs {
    /// A directory (every Dockerfile found by `dockwright discover`, with the targets its
    /// builds use) or one Dockerfile.
    #[arg(value_name = "PATH", default_value = ".", conflicts_with = "file")]
    pub path: PathBuf,

    /// One Dockerfile.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// A build argument for expanding `FROM` and `--from` names (`K=V`, repeatable).
    #[arg(long = "build-arg", value_name = "K=V")]
    pub build_args: Vec<String>,
}

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    dockerfiles: &'a [DockerfileSummary],
    problems: &'a [String],
}

pub fn run(args: &StagesArgs) -> anyhow::Result<Status> {
    let build_args = super::cache::parse_build_args(&args.build_args, "--build-arg")?;
    let single = args
        .file
        .clone()
        .or_else(|| args.path.is_file().then(|| args.path.clone()));
    let (dockerfiles, problems) = match single {
        Some(file) => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("{}: cannot read", file.display()))?;
            let text = String::from_utf8_lossy(&bytes);
            let name = file.display().to_string();
            let graph = StageGraph::of_dockerfile(&text, &name, &build_args)
                .map_err(|e| anyhow::anyhow!("{name}:{}:{}: {}", e.line, e.column, e.message))?;
            let doc = dockwright_syntax::parse(&text)
                .map_err(|e| anyhow::anyhow!("{name}:{}:{}: {}", e.line, e.column, e.message))?;
            (
                vec![DockerfileSummary {
                    name: name.clone(),
                    builds: vec![name],
                    instructions: doc.instructions().len(),
                    graph,
                    optimized: None,
                }],
                Vec::new(),
            )
        }
        None => {
            if !args.path.is_dir() {
                anyhow::bail!("{}: no such file or directory", args.path.display());
            }
            let mut options = dockwright_model_options();
            options.build_args = build_args;
            dockwright_analyze::stage_graphs(&args.path, &DiscoverOptions::default(), &options)?
        }
    };
    let many = dockerfiles.len() > 1;
    let mut text = String::new();
    match args.format {
        Format::Json => {
            text = serde_json::to_string_pretty(&Output {
                version: 1,
                dockerfiles: &dockerfiles,
                problems: &problems,
            })?;
            text.push('\n');
        }
        Format::Text => {
            for d in &dockerfiles {
                if many {
                    text.push_str(&format!("{}\n", d.name));
                    for line in d.graph.to_text().lines() {
                        text.push_str(&format!("  {line}\n"));
                    }
                } else {
                    text.push_str(&d.graph.to_text());
                }
            }
        }
        Format::Mermaid => {
            for (i, d) in dockerfiles.iter().enumerate() {
                if i > 0 {
                    text.push('\n');
                }
                if many {
                    text.push_str(&format!("%% {}\n", d.name));
                }
                text.push_str(&d.graph.to_mermaid());
            }
        }
        Format::Dot => {
            for d in &dockerfiles {
                if many {
                    text.push_str(&format!("// {}\n", d.name));
                }
                text.push_str(&d.graph.to_dot());
            }
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    if args.format != Format::Json {
        for p in &problems {
            terminal::warn(p);
        }
    }
    Ok(Status::Success)
}

fn dockwright_model_options() -> dockwright_analyze::ModelOptions {
    dockwright_analyze::ModelOptions::default()
}
