//! `dockwright debug parse [--dump buildkit|lines | --format json | --check] FILE...`

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::exit::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Dump {
    /// BuildKit's AST dump (the format of its parser test `result` files).
    Buildkit,
    /// `START<TAB>END<TAB>KEYWORD` per instruction (1-based, inclusive, BuildKit's count).
    Lines,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The full syntax tree with spans, lines and columns.
    Json,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Print BuildKit's AST dump (the default) or the instruction line table.
    #[arg(long, value_enum, conflicts_with_all = ["format", "check"])]
    pub dump: Option<Dump>,

    /// Print the syntax tree in this format.
    #[arg(long, value_enum, conflicts_with = "check")]
    pub format: Option<Format>,

    /// Only check that the files parse: print nothing but errors.
    #[arg(long)]
    pub check: bool,

    /// Dockerfiles to parse (`-` reads standard input). With several files, each output is
    /// preceded by `==> FILE <==`.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

fn read(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// `--check`: parses the files on every core and reports the rejected ones in the order
/// given (a file that cannot be read is an error, as without `--check`).
fn check(files: &[PathBuf]) -> anyhow::Result<Status> {
    use rayon::prelude::*;
    let verdicts: Vec<anyhow::Result<Option<String>>> = files
        .par_iter()
        .map(|path| {
            let source = read(path)?;
            Ok(dockwright_syntax::parse_bytes(&source)
                .err()
                .map(|err| format!("{}:{err}", path.display())))
        })
        .collect();
    let mut rejected = false;
    for verdict in verdicts {
        if let Some(message) = verdict? {
            rejected = true;
            eprintln!("{message}");
        }
    }
    Ok(if rejected {
        Status::Failure
    } else {
        Status::Success
    })
}

pub fn run(args: &ParseArgs) -> anyhow::Result<Status> {
    if args.check {
        return check(&args.files);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut rejected = false;
    let headers = args.files.len() > 1 && !args.check;
    for path in &args.files {
        let source = read(path)?;
        if headers {
            writeln!(out, "==> {} <==", path.display())?;
        }
        let doc = match dockwright_syntax::parse_bytes(&source) {
            Ok(doc) => doc,
            Err(err) => {
                rejected = true;
                out.flush()?;
                eprintln!("{}:{err}", path.display());
                continue;
            }
        };
        if args.check {
            continue;
        }
        match (args.format, args.dump) {
            (Some(Format::Json), _) => {
                serde_json::to_writer_pretty(&mut out, &doc.syntax_tree())?;
                writeln!(out)?;
            }
            (None, Some(Dump::Lines)) => {
                out.write_all(dockwright_syntax::line_table(&doc).as_bytes())?
            }
            (None, Some(Dump::Buildkit) | None) => {
                out.write_all(dockwright_syntax::buildkit_dump(&doc).as_bytes())?;
            }
        }
    }
    out.flush()?;
    Ok(if rejected {
        Status::Failure
    } else {
        Status::Success
    })
}
