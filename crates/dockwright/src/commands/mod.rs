//! One module per command. Each exposes an `Args` struct (clap) and a `run` function that
//! returns the exit status; errors bubble up as `anyhow::Error` and exit with status 2.

pub mod analyze;
pub mod bench;
pub mod cache;
pub mod completions;
pub mod context;
pub mod debug;
pub mod diff;
pub mod discover;
pub mod explain;
pub mod fix;
pub mod image;
pub mod lint;
pub mod optimize;
pub mod rules;
pub mod stages;

use crate::cli::{Cli, Command};
use crate::exit::Status;

/// Runs the chosen command.
pub fn run(cli: Cli) -> anyhow::Result<Status> {
    match cli.command {
        Command::Analyze(args) => analyze::run(&args),
        Command::Stages(args) => stages::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Cache(args) => cache::run(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Context(args) => context::run(&args),
        Command::Debug(args) => debug::run(&args),
        Command::Lint(args) => lint::run(&args),
        Command::Fix(args) => fix::run(args),
        Command::Optimize(args) => optimize::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Image(args) => image::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Discover(args) => discover::run(&args),
    }
}
