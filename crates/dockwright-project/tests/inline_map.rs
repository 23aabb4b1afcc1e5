//! Properties of the inline Dockerfile position map: for every block-scalar style,
//! indentation and chomping, and for quoted scalars, the text is what YAML says, the map is
//! monotonic and in range, verbatim bytes are the file's, and each line of the Dockerfile
//! maps to the line and column where it is written.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

/// A Dockerfile-ish line without leading or trailing spaces.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "(FROM|RUN|COPY|ENV|ARG|LABEL) [a-z0-9=$:./{}\\\\-]{1,12}( [a-zA-Z0-9'\"#:é-]{1,8}){0,3}",
        1 => Just(String::new()),
    ]
}

#[derive(Debug, Clone)]
struct Block {
    indicator: char,
    chomp: &'static str,
    explicit_indent: bool,
    nesting: usize,
    extra: usize,
    lines: Vec<String>,
    /// Spaces at the start of the first non-empty line (needs an indentation indicator).
    lead: usize,
    crlf: bool,
}

fn block() -> impl Strategy<Value = Block> {
    (
        prop_oneof![Just('|'), Just('>')],
        prop_oneof![Just(""), Just("-"), Just("+")],
        any::<bool>(),
        0usize..4,
        1usize..6,
        prop::collection::vec(line(), 1..8),
        0usize..3,
        any::<bool>(),
    )
        .prop_map(
            |(indicator, chomp, explicit_indent, nesting, extra, mut lines, lead, crlf)| {
                // A block scalar needs one non-empty line to fix its indentation.
                if lines.iter().all(String::is_empty) {
                    lines.push("FROM x".into());
                }
                let lead = if explicit_indent { lead } else { 0 };
                Block {
                    indicator,
                    chomp,
                    explicit_indent,
                    nesting,
                    extra,
                    lines,
                    lead,
                    crlf,
                }
            },
        )
}

/// The YAML text, and for each Dockerfile line its (line, column) in the YAML (1-based).
fn render(b: &Block) -> (String, Vec<(usize, usize)>) {
    let nl = if b.crlf { "\r\n" } else { "\n" };
    let mut yaml = String::new();
    for level in 0..b.nesting {
        yaml.push_str(&format!("{}k{level}:{nl}", "  ".repeat(level)));
    }
    let key_indent = 2 * b.nesting;
    let content_indent = key_indent + b.extra;
    let indicator_digits = if b.explicit_indent {
        b.extra.to_string()
    } else {
        String::new()
    };
    yaml.push_str(&format!(
        "{}before: 1{nl}{}dockerfile: {}{}{} # c{nl}",
        " ".repeat(key_indent),
        " ".repeat(key_indent),
        b.indicator,
        indicator_digits,
        b.chomp
    ));
    let mut positions = Vec::new();
    let first = first_content(b);
    for (yaml_line, (i, l)) in (b.nesting + 3..).zip(b.lines.iter().enumerate()) {
        let lead = if i == first { b.lead } else { 0 };
        if l.is_empty() {
            yaml.push_str(nl);
        } else {
            yaml.push_str(&" ".repeat(content_indent + lead));
            yaml.push_str(l);
            yaml.push_str(nl);
        }
        positions.push((yaml_line, content_indent + lead + 1));
    }
    yaml.push_str(&format!("{}after: 2{nl}", " ".repeat(key_indent)));
    (yaml, positions)
}

fn first_content(b: &Block) -> usize {
    b.lines.iter().position(|l| !l.is_empty()).unwrap_or(0)
}

fn literal_text(b: &Block) -> String {
    let mut lines = b.lines.clone();
    let first = first_content(b);
    lines[first] = format!("{}{}", " ".repeat(b.lead), lines[first]);
    let mut text = lines.join("\n");
    text.push('\n');
    match b.chomp {
        "-" => text.trim_end_matches('\n').to_string(),
        "+" => text,
        _ => format!("{}\n", text.trim_end_matches('\n')),
    }
}

fn extract(yaml: &str) -> dockwright_project::InlineDockerfile {
    let mut all = dockwright_project::inline_scalars(yaml, Some("dockerfile")).unwrap();
    assert_eq!(all.len(), 1);
    all.remove(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn block_scalars_map_every_line(b in block()) {
        let (yaml, positions) = render(&b);
        let inline = extract(&yaml);
        prop_assert_eq!(inline.validate(&yaml), Ok(()));
        if b.indicator == '|' {
            prop_assert_eq!(&inline.text, &literal_text(&b));
            // Each non-empty line starts where it is written.
            let mut offset = 0;
            for (i, l) in inline.text.split('\n').enumerate() {
                if i < b.lines.len() && !b.lines[i].is_empty() {
                    let p = inline.position(offset);
                    let (line, column) = positions[i];
                    let lead = if i == first_content(&b) { b.lead } else { 0 };
                    prop_assert_eq!((p.line, p.column), (line, column - lead));
                }
                offset += l.len() + 1;
            }
        }
        // Every segment is exact: no decoding fell back to alignment.
        prop_assert!(inline.segments.iter().all(|s| s.verbatim || inline.text[s.text_offset..].starts_with(['\n', ' '])));
    }

    #[test]
    fn double_quoted_with_escapes(lines in prop::collection::vec(line(), 1..6), fold in any::<bool>()) {
        // A folded empty line is one more line break, so folding is tried on content lines.
        let mut lines: Vec<String> = lines.into_iter().filter(|l| !fold || !l.is_empty()).collect();
        if lines.is_empty() {
            lines.push("FROM x".into());
        }
        let value = lines.join("\n");
        let mut body = String::new();
        for (i, l) in lines.iter().enumerate() {
            if i > 0 {
                // Either an escaped newline or a folded empty line.
                body.push_str(if fold { "\n\n    " } else { "\\n" });
            }
            body.push_str(&l.replace('\\', "\\\\").replace('"', "\\\""));
        }
        let yaml = format!("a:\n  dockerfile: \"{body}\"\n");
        let inline = extract(&yaml);
        prop_assert_eq!(&inline.text, &value);
        prop_assert_eq!(inline.validate(&yaml), Ok(()));
    }

    #[test]
    fn single_quoted_folding(lines in prop::collection::vec(line().prop_filter("non-empty", |l| !l.is_empty()), 1..6)) {
        let value = lines.join("\n");
        let body: Vec<String> = lines.iter().map(|l| l.replace('\'', "''")).collect();
        let yaml = format!("dockerfile: '{}'\n", body.join("\n\n  "));
        let inline = extract(&yaml);
        prop_assert_eq!(&inline.text, &value);
        prop_assert_eq!(inline.validate(&yaml), Ok(()));
    }

    /// Whatever the YAML, every extracted scalar has a valid map.
    #[test]
    fn any_yaml_gives_valid_maps(text in "([a-z]{1,3}: ?|- |  |[|>][-+1-3]{0,2}\n|'|\"|\\\\|#|é|\n|\r\n|[A-Z ]{1,5}){0,40}") {
        if let Ok(all) = dockwright_project::inline_scalars(&text, None) {
            for inline in all {
                prop_assert_eq!(inline.validate(&text), Ok(()));
            }
        }
    }
}

/// Inputs the fuzzer (`cargo +nightly fuzz run inline_yaml`) found; each must give a valid map.
#[test]
fn fuzz_regressions() {
    let inputs: &[&str] = &[
        // A clipped block scalar at the end of a file without a final line break: the `\n`
        // YAML adds mapped back inside the last line.
        "k  x: |2\n  b\n\n  c*",
    ];
    for input in inputs {
        for inline in dockwright_project::inline_scalars(input, None).unwrap_or_default() {
            assert_eq!(inline.validate(input), Ok(()), "{input:?}");
        }
    }
}
