//! `dockwright debug expand [--env K=V]... [--escape C] [--words] WORD`: BuildKit word
//! expansion of WORD, printed as one JSON object (the contract in CONTRACTS.md):
//! `{"ok": true, "value": ...}`, `{"ok": true, "words": [...]}` with `--words`, or
//! `{"ok": false, "error": ...}` and exit status 1 when BuildKit's lexer would fail.
//! Successful results also carry `references` (every variable looked up, with its byte span
//! in WORD and whether it was set).

use std::ffi::OsString;

use anyhow::bail;
use clap::Args;
use dockwright_syntax::expand::{Lexer, VarRef, Variables};
use serde::Serialize;

use crate::exit::Status;

#[derive(Debug, Args)]
pub struct ExpandArgs {
    /// Set a variable: `NAME=value`, or `NAME` alone for set-but-empty. Variables not given
    /// are unset. Repeatable; a later one wins.
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<OsString>,

    /// The escape character (`\` by default; `` ` `` as after `# escape=``).
    #[arg(long, value_name = "C", default_value = "\\")]
    pub escape: String,

    /// Split the result into fields (BuildKit's ProcessWords) instead of returning one
    /// string (ProcessWord).
    #[arg(long)]
    pub words: bool,

    /// The word to expand, as it appears in the Dockerfile (quotes and escapes included).
    #[arg(value_name = "WORD", allow_hyphen_values = true)]
    pub word: OsString,
}

#[derive(Serialize)]
struct Expanded<'a> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    words: Option<&'a [String]>,
    references: &'a [VarRef],
}

#[derive(Serialize)]
struct Failed {
    ok: bool,
    error: String,
    /// Byte offset in WORD where the problem was found.
    offset: usize,
}

pub fn run(args: &ExpandArgs) -> anyhow::Result<Status> {
    let mut chars = args.escape.chars();
    let (Some(escape), None) = (chars.next(), chars.next()) else {
        bail!(
            "--escape takes exactly one character, got {:?}",
            args.escape
        );
    };
    let env = Variables::from_assignments(args.env.iter().map(lossy_like_go));
    let word = lossy_like_go(&args.word);
    let json = match Lexer::new(escape).expand(&word, &env) {
        Ok(expansion) => {
            let out = Expanded {
                ok: true,
                value: (!args.words).then_some(expansion.value.as_str()),
                words: args.words.then_some(expansion.words.as_slice()),
                references: &expansion.references,
            };
            print_json(&out)?;
            return Ok(Status::Success);
        }
        Err(err) => Failed {
            ok: false,
            error: err.to_string(),
            offset: err.offset,
        },
    };
    print_json(&json)?;
    Ok(Status::Failure)
}

fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, value)?;
    writeln!(stdout)?;
    Ok(())
}

/// Command-line text as BuildKit (Go) would see it: each byte that is not part of valid
/// UTF-8 becomes one U+FFFD, as Go's decoder reads invalid input one byte at a time.
fn lossy_like_go(arg: &OsString) -> String {
    let bytes = arg.as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(std::iter::repeat_n('\u{FFFD}', chunk.invalid().len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn invalid_utf8_becomes_one_replacement_per_byte() {
        use std::os::unix::ffi::OsStringExt;
        let arg = OsString::from_vec(vec![b'a', 0xE2, 0x82, b'b', 0xFF]);
        assert_eq!(lossy_like_go(&arg), "a\u{FFFD}\u{FFFD}b\u{FFFD}");
    }
}
