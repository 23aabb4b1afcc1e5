//! BuildKit's AST dump (`Node.Dump`, the format of its parser test `result` files) and the
//! per-instruction line table.

use crate::command::{self, Arguments, Command};
use crate::gotext;
use crate::json;
use crate::tree::{Dockerfile, Instruction};

/// The dump BuildKit's parser tests compare against: one `(keyword ["flags"] "args")` line per
/// instruction, each ending in `\n`.
pub fn buildkit_dump(doc: &Dockerfile<'_>) -> String {
    let mut out = String::with_capacity(doc.source().len() + 64);
    for instruction in doc.instructions() {
        out.push('(');
        dump_command(instruction, 0, &mut out);
        out.push_str(")\n");
    }
    out
}

/// `START<TAB>END<TAB>KEYWORD` per instruction, lines 1-based and inclusive as BuildKit
/// counts them.
pub fn line_table(doc: &Dockerfile<'_>) -> String {
    let mut out = String::new();
    for instruction in doc.instructions() {
        out.push_str(&format!(
            "{}\t{}\t{}\n",
            instruction.start_line(),
            instruction.end_line(),
            instruction.keyword().text
        ));
    }
    out
}

fn dump_command(instruction: &Instruction<'_>, index: usize, out: &mut String) {
    // Triggers nest; build the chain iteratively so deep ONBUILD chains cannot overflow the
    // stack.
    let mut closers = 0;
    let mut index = index;
    while let Some(command) = instruction.command_at(index) {
        let mut one = String::new();
        dump_one(instruction, command, index, &mut one);
        let (a, b) = gotext::trim_space(one.as_bytes());
        let trimmed = one.get(a..b).unwrap_or_default();
        out.push_str(trimmed);
        if command.arguments.is_trigger() && instruction.command_at(index + 1).is_some() {
            if trimmed.is_empty() {
                out.push('(');
            } else {
                out.push_str(" (");
            }
            closers += 1;
            index += 1;
        } else {
            break;
        }
    }
    for _ in 0..closers {
        out.push(')');
    }
}

fn dump_one(instruction: &Instruction<'_>, command: &Command, index: usize, out: &mut String) {
    let text = instruction.text_bytes();
    out.push_str(&gotext::to_lower(&text[command.keyword.clone()]));
    let flags = instruction.command_flags_bytes(index);
    if !flags.is_empty() {
        out.push_str(" [");
        for (i, flag) in flags.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            // BuildKit builds flag words byte by byte as runes (Latin-1).
            gotext::quote_str_into(out, &gotext::latin1_runes(flag));
        }
        out.push(']');
    }
    dump_arguments(text, &command.arguments, instruction.escape, out);
}

fn dump_arguments(text: &[u8], arguments: &Arguments, escape: u8, out: &mut String) {
    let raw = |out: &mut String, r: &std::ops::Range<usize>| {
        out.push(' ');
        gotext::quote_into(out, &text[r.clone()]);
    };
    let runes = |out: &mut String, r: &std::ops::Range<usize>| {
        out.push(' ');
        gotext::quote_str_into(out, &gotext::lossy_runes(&text[r.clone()]));
    };
    match arguments {
        Arguments::None | Arguments::Trigger => {}
        Arguments::Json(range) => {
            for r in command::json_items(text, range) {
                out.push(' ');
                gotext::quote_str_into(out, &json::decode_string(&text[r]));
            }
        }
        Arguments::Text(r) => raw(out, r),
        Arguments::Words(range) => command::split_words(text, range)
            .iter()
            .for_each(|r| raw(out, r)),
        Arguments::Names(range) => command::parse_words(text, range.clone(), escape)
            .iter()
            .for_each(|r| runes(out, r)),
        Arguments::Pairs { legacy, range } => {
            for pair in command::pairs(text, range, *legacy, escape) {
                if *legacy {
                    raw(out, &pair.key);
                    raw(out, &pair.value);
                    out.push_str(" \"\"");
                } else {
                    runes(out, &pair.key);
                    runes(out, &pair.value);
                    out.push_str(" \"=\"");
                }
            }
        }
        Arguments::Healthcheck { kind, command } => {
            raw(out, kind);
            dump_arguments(text, command, escape, out);
        }
        Arguments::Ignored => out.push_str(" \"\""),
    }
}

impl Instruction<'_> {
    /// The flag words of command `index` as BuildKit sees them.
    pub(crate) fn command_flags_bytes(&self, index: usize) -> Vec<&[u8]> {
        self.command_flags(index)
            .iter()
            .map(|f| f.bytes())
            .collect()
    }

    fn command_flags(&self, index: usize) -> &[crate::tree::Flag<'_>] {
        self.flag_words(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn dump(src: &str) -> String {
        buildkit_dump(&parse(src).unwrap())
    }

    #[test]
    fn dumps_like_buildkit() {
        assert_eq!(dump("FROM a AS b\n"), "(from \"a\" \"AS\" \"b\")\n");
        assert_eq!(
            dump("ONBUILD RUN [\"echo\", \"test\"]\n"),
            "(onbuild (run \"echo\" \"test\"))\n"
        );
        assert_eq!(dump("CMD --doit -- [ ]\n"), "(cmd [\"--doit\"])\n");
        assert_eq!(
            dump("ENV a=b c=\"d e\"\n"),
            "(env \"a\" \"b\" \"=\" \"c\" \"\\\"d e\\\"\" \"=\")\n"
        );
        assert_eq!(dump("FOO bar\n"), "(foo \"\")\n");
        assert_eq!(dump("\\\n"), "(\"\")\n");
        assert_eq!(dump("ONBUILD\n"), "(onbuild)\n");
        assert_eq!(
            dump("ONBUILD ONBUILD RUN x\n"),
            "(onbuild (onbuild (run \"x\")))\n"
        );
        assert_eq!(
            dump("COPY --chown=ü x y\n"),
            "(copy [\"--chown=Ã¼\"] \"x\" \"y\")\n"
        );
    }

    #[test]
    fn line_table_counts_like_buildkit() {
        let doc = parse("FROM a\n\nRUN x \\\n  # c\n\n  y\nRUN <<EOF\nhi\nEOF\n").unwrap();
        assert_eq!(line_table(&doc), "1\t1\tFROM\n3\t6\tRUN\n7\t9\tRUN\n");
    }
}
