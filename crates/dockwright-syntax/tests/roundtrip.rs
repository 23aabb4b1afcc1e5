//! Property tests: Dockerfile-like inputs (random instructions in any letter case,
//! continuations, comments, blank and whitespace-only lines, heredocs, JSON forms, CRLF, a
//! BOM, directives, no final newline) never panic, and when accepted they print back byte
//! for byte, the lines tile the file, and the offset maps point at the right bytes.

// Tests may unwrap (helpers outside #[test] functions included).
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

fn keyword() -> impl Strategy<Value = String> {
    let words = prop_oneof![
        Just("FROM"),
        Just("RUN"),
        Just("CMD"),
        Just("LABEL"),
        Just("MAINTAINER"),
        Just("EXPOSE"),
        Just("ENV"),
        Just("ADD"),
        Just("COPY"),
        Just("ENTRYPOINT"),
        Just("VOLUME"),
        Just("USER"),
        Just("WORKDIR"),
        Just("ARG"),
        Just("ONBUILD"),
        Just("STOPSIGNAL"),
        Just("HEALTHCHECK"),
        Just("SHELL"),
        Just("FOO"),
    ];
    (words, any::<u8>()).prop_map(|(w, case)| match case % 3 {
        0 => w.to_string(),
        1 => w.to_lowercase(),
        _ => {
            let mut s = w.to_lowercase();
            s[..1].make_ascii_uppercase();
            s
        }
    })
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9/._:$=-]{1,8}",
        Just("\"a b\"".to_string()),
        Just("'c d'".to_string()),
        Just("--from=x".to_string()),
        Just("--mount=type=cache,target=/x".to_string()),
        Just("[\"a\", \"b\"]".to_string()),
        Just("[1]".to_string()),
        Just("<<EOF".to_string()),
        Just("<<-'X'".to_string()),
        Just("2<<EOF".to_string()),
        Just("\\\\".to_string()),
        Just("é".to_string()),
        Just("`".to_string()),
        Just("=".to_string()),
    ]
}

#[derive(Debug, Clone)]
enum Piece {
    Instruction(String, Vec<String>, bool),
    Comment(String),
    Blank(String),
    Body(String),
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        4 => (keyword(), prop::collection::vec(word(), 0..5), any::<bool>())
            .prop_map(|(k, w, cont)| Piece::Instruction(k, w, cont)),
        1 => "[ \t]{0,2}# [a-z =]{0,10}".prop_map(Piece::Comment),
        1 => "[ \t]{0,3}".prop_map(Piece::Blank),
        1 => prop_oneof![Just("EOF"), Just("\tX"), Just("X"), Just("echo hi"), Just("  \\")]
            .prop_map(|s| Piece::Body(s.to_string())),
    ]
}

fn dockerfile() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        prop_oneof![
            Just(""),
            Just("# escape=`\n"),
            Just("# syntax=x\n"),
            Just("# escape=\\\n")
        ],
        prop::collection::vec(piece(), 0..16),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(bom, directive, pieces, crlf, final_newline, backtick)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let escape = if backtick { "`" } else { "\\" };
            let mut out = String::new();
            if bom {
                out.push('\u{feff}');
            }
            out.push_str(directive);
            for piece in pieces {
                match piece {
                    Piece::Instruction(k, words, cont) => {
                        out.push_str(&k);
                        for w in words {
                            out.push(' ');
                            out.push_str(&w);
                        }
                        if cont {
                            out.push(' ');
                            out.push_str(escape);
                        }
                    }
                    Piece::Comment(c) => out.push_str(&c),
                    Piece::Blank(b) => out.push_str(&b),
                    Piece::Body(b) => out.push_str(&b),
                }
                out.push_str(eol);
            }
            if !final_newline {
                while out.ends_with('\n') || out.ends_with('\r') {
                    out.pop();
                }
            }
            out.into_bytes()
        })
}

fn check(input: &[u8]) {
    let Ok(doc) = dockwright_syntax::parse_bytes(input) else {
        return;
    };
    assert_eq!(doc.print(), input);
    // The lines tile the file after the BOM, in order, and each line's parts tile it.
    let mut at = if doc.has_bom() { 3 } else { 0 };
    for line in doc.lines() {
        assert_eq!(line.span.start, at);
        assert_eq!(line.indent.start, line.span.start);
        assert_eq!(line.indent.end, line.content.start);
        assert_eq!(line.content.end, line.continuation.start);
        assert_eq!(line.continuation.end, line.eol.start);
        assert_eq!(line.eol.end, line.span.end);
        at = line.span.end;
    }
    assert_eq!(at, input.len());
    let mut last_end = 0;
    for inst in doc.instructions() {
        assert!(inst.start_line() >= 1 && inst.start_line() <= inst.end_line());
        assert!(inst.start_line() > last_end);
        last_end = inst.end_line();
        for s in inst.offset_map().segments() {
            assert_eq!(
                &inst.text_bytes()[s.text_offset..s.text_offset + s.len],
                &input[s.file_offset..s.file_offset + s.len]
            );
        }
        assert_eq!(inst.offset_map().text_len(), inst.text_bytes().len());
        let _ = (
            inst.as_run(),
            inst.as_copy(),
            inst.as_from(),
            inst.arguments(),
        );
    }
    let _ = dockwright_syntax::buildkit_dump(&doc);
    assert!(serde_json::to_string(&doc.syntax_tree()).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn dockerfile_like_inputs_round_trip(input in dockerfile()) {
        check(&input);
    }

    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(
        prop_oneof![
            Just(b'\n'), Just(b'\r'), Just(b'\\'), Just(b'`'), Just(b'#'), Just(b' '),
            Just(b'<'), Just(b'"'), Just(b'\''), Just(b'['), Just(b'-'), Just(b'='),
            Just(0xEF), Just(0xBB), Just(0xBF), Just(0xA0), Just(0xC2), any::<u8>(),
            Just(b'R'), Just(b'U'), Just(b'N'),
        ],
        0..300,
    )) {
        check(&input);
    }
}

/// Inputs the fuzzer or the property tests once found problems with.
#[test]
fn regressions() {
    let cases: &[&[u8]] = &[
        b"",
        b"\\",
        b"\xef\xbb\xbf",
        b"\xef\xbb\xbf\\\n",
        b"RUN <<EOF\n",
        b"ONBUILD ONBUILD",
        b"HEALTHCHECK \xa0CMD x",
        b"COPY --x=\xe0\xa0\x80 a b",
        b"RUN [\"\\ud800\"]",
    ];
    for case in cases {
        check(case);
    }
}
