//! `dockwright completions SHELL`: completion scripts generated from the clap definition.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit::Status;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs) -> anyhow::Result<Status> {
    let mut command = Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "dockwright",
        &mut std::io::stdout(),
    );
    Ok(Status::Success)
}
