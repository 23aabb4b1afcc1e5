//! `dockwright fix PATH...`: apply the lint fixes, the same as `dockwright lint --fix` (and,
//! with `--diff`, `lint --diff`): safe fixes by default, unsafe ones too with
//! `--unsafe-fixes`; files are written atomically and keep their mode.

use clap::Args;

use crate::commands::lint::{self, LintArgs};
use crate::exit::Status;

#[derive(Debug, Args)]
#[command(mut_arg("fix", |a| a.hide(true)))]
pub struct FixArgs {
    #[command(flatten)]
    pub lint: LintArgs,
}

pub fn run(args: FixArgs) -> anyhow::Result<Status> {
    let mut lint = args.lint;
    // `--diff` prints what would change and writes nothing; otherwise fixing is the point.
    lint.fix = !lint.diff;
    lint::run(&lint)
}
