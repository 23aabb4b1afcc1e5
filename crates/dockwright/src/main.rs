//! `dockwright`: the command-line front end.
//!
//! Every command lives in its own module under `commands/`; this file only parses the
//! command line, sets up colour and verbosity, and turns the outcome into an exit status.
//! Analysis logic belongs in the library crates, never here.

mod cli;
mod commands;
mod exit;
mod terminal;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    terminal::init(&cli.global);
    match commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            terminal::error(&err);
            exit::Status::Error.into()
        }
    }
}
