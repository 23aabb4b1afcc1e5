//! `dockwright debug ...`: the internals (parser, word expansion, ignore matching) exposed for
//! checking them against BuildKit's own reference data.

pub mod parse;

use clap::{Args, Subcommand};

use crate::exit::Status;

#[derive(Debug, Args)]
pub struct DebugArgs {
    #[command(subcommand)]
    pub command: Debug,
}

#[derive(Debug, Subcommand)]
pub enum Debug {
    /// Parse Dockerfiles as BuildKit does: print its AST dump, the instruction line table, or
    /// the full syntax tree as JSON.
    Parse(parse::ParseArgs),
}

pub fn run(args: &DebugArgs) -> anyhow::Result<Status> {
    match &args.command {
        Debug::Parse(args) => parse::run(args),
    }
}
