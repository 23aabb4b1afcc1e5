//! `dockwright debug ...`: low-level views of what dockwright computes, used by the
//! conformance checks and for investigating a surprising result.

pub mod ignore;

use clap::Subcommand;

use crate::exit::Status;

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Test paths against .dockerignore patterns exactly as BuildKit does.
    Ignore(ignore::IgnoreArgs),
}

pub fn run(command: &DebugCommand) -> anyhow::Result<Status> {
    match command {
        DebugCommand::Ignore(args) => ignore::run(args),
    }
}
