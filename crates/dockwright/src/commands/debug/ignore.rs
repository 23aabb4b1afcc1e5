//! `dockwright debug ignore`: prints `match<TAB>PATH` (excluded from the build context) or
//! `nomatch<TAB>PATH` for each path.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use dockwright_context::Dockerignore;

use crate::exit::Status;

#[derive(Debug, Args)]
#[command(after_help = "\
By default a pattern hits a path when it matches the path or any of its ancestors, and the \
last hit decides (BuildKit's MatchesOrParentMatches); paths are cleaned first and `.` is never \
excluded. With --walk the answer is the one a real context transfer gives, which can differ \
when an exception precedes a pattern that excludes something inside it.")]
pub struct IgnoreArgs {
    /// Read the patterns from FILE as a .dockerignore (comments, blank lines, `!`, cleaning).
    #[arg(long, value_name = "FILE", conflicts_with = "patterns")]
    pub patterns_file: Option<PathBuf>,

    /// A pattern given directly, as the matcher receives it (repeatable).
    #[arg(long = "patterns", value_name = "PATTERN", allow_hyphen_values = true)]
    pub patterns: Vec<OsString>,

    /// Decide as BuildKit's context walk does (parent directories first, skipped directories).
    #[arg(long)]
    pub walk: bool,

    /// Add the deciding pattern and its line: `match<TAB>PATH<TAB>LINE<TAB>PATTERN`.
    #[arg(long)]
    pub explain: bool,

    /// Paths relative to the context root, `/`-separated.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<OsString>,
}

pub fn run(args: &IgnoreArgs) -> anyhow::Result<Status> {
    let rules = match &args.patterns_file {
        Some(file) => {
            let content =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            Dockerignore::parse(&content, Some(file))?
        }
        None => Dockerignore::from_patterns(args.patterns.iter().map(|p| p.as_bytes()))?,
    };
    let mut out = Vec::new();
    for path in &args.paths {
        let bytes = path.as_bytes();
        let decision = if args.walk {
            rules.decide_in_walk(bytes)?
        } else {
            rules.decide(bytes)?
        };
        out.extend_from_slice(if decision.excluded {
            b"match\t"
        } else {
            b"nomatch\t"
        });
        out.extend_from_slice(bytes);
        if args.explain {
            match decision.decided_by {
                Some(i) => {
                    let line = rules.line_of(i).map(|l| l.to_string()).unwrap_or_default();
                    out.extend_from_slice(
                        format!("\t{line}\t{}", rules.pattern_text(i)).as_bytes(),
                    );
                }
                None => out.extend_from_slice(b"\t\t"),
            }
        }
        out.push(b'\n');
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(Status::Success)
}
