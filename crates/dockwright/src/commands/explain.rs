//! `dockwright explain CODE`: a rule's documentation, found by code, name, hadolint code or
//! BuildKit check name.

use std::io::Write as _;

use anyhow::bail;
use clap::Args;
use dockwright_rules::registry;

use crate::commands::rules::explain_text;
use crate::exit::Status;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (DW1001), name (workdir-relative-path), hadolint code (DL3000) or
    /// BuildKit check name (WorkdirRelativePath).
    #[arg(value_name = "CODE")]
    pub code: String,
}

pub fn run(args: &ExplainArgs) -> anyhow::Result<Status> {
    let code = args.code.trim();
    let rules = registry::lookup(code);
    let mut text = String::new();
    if rules.is_empty() {
        if code.eq_ignore_ascii_case(dockwright_rules::PARSE_ERROR.code) {
            text = format!(
                "# parse-error\n\n{}",
                explain_text(&dockwright_rules::PARSE_ERROR)
            );
        } else if registry::is_shellcheck_code(code) {
            let code = code.to_ascii_uppercase();
            text = format!(
                "# {code}\n\n{code} is a ShellCheck finding on a RUN script (dockwright runs ShellCheck when it is installed).\nSee https://www.shellcheck.net/wiki/{code}\n"
            );
        } else if registry::is_hadolint_code(code) || registry::is_buildkit_check(code) {
            bail!("no dockwright rule has the intent of {code} yet (see `dockwright rules`)");
        } else {
            bail!("unknown rule `{code}` (see `dockwright rules`)");
        }
    }
    for rule in rules {
        let info = rule.info();
        if !text.is_empty() {
            text.push_str("\n---\n\n");
        }
        text.push_str(&format!("# {}\n\n{}", info.code, explain_text(info)));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(Status::Success)
}
