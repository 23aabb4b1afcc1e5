//! `dockwright debug ...`: looks inside dockwright's readers, for checking them against
//! BuildKit's reference behaviour (the conformance suites call these) and for bug reports.

pub mod expand;

use clap::{Args, Subcommand};

use crate::exit::Status;

#[derive(Debug, Args)]
pub struct DebugArgs {
    #[command(subcommand)]
    pub command: DebugCommand,
}

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Expand a word the way BuildKit's Dockerfile shell lexer does; prints JSON.
    Expand(expand::ExpandArgs),
}

pub fn run(args: &DebugArgs) -> anyhow::Result<Status> {
    match &args.command {
        DebugCommand::Expand(args) => expand::run(args),
    }
}
