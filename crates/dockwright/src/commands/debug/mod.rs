//! `dockwright debug ...`: the internals (parser, word expansion, ignore matching) exposed for
//! checking them against BuildKit's own reference data (the conformance suites call these) and
//! for investigating a surprising result.

pub mod expand;
pub mod ignore;
pub mod parse;

use clap::{Args, Subcommand};

use crate::exit::Status;

#[derive(Debug, Args)]
pub struct DebugArgs {
    #[command(subcommand)]
    pub command: DebugCommand,
}

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Parse Dockerfiles as BuildKit does: print its AST dump, the instruction line table, or
    /// the full syntax tree as JSON.
    Parse(parse::ParseArgs),
    /// Expand a word the way BuildKit's Dockerfile shell lexer does; prints JSON.
    Expand(expand::ExpandArgs),
    /// Test paths against .dockerignore patterns exactly as BuildKit does.
    Ignore(ignore::IgnoreArgs),
}

pub fn run(args: &DebugArgs) -> anyhow::Result<Status> {
    match &args.command {
        DebugCommand::Parse(args) => parse::run(args),
        DebugCommand::Expand(args) => expand::run(args),
        DebugCommand::Ignore(args) => ignore::run(args),
    }
}
