//! Positions back in the Dockerfile: a RUN whose lines the Dockerfile parser joined (and
//! whose comment lines it dropped) is parsed from the joined text, and every word is found at
//! its line and column in the file through the `(text_offset, file_offset, len)` triples.

use dockwright_shell::{Action, LineColumn, LineIndex, OffsetMap, ParseOptions, Span, parse};

/// A stand-in for the Dockerfile parser: joins the continuation lines of the instruction
/// starting at `start` (the byte after `RUN `), drops comment lines inside it, and returns
/// the text with its triples.
fn join_continuations(file: &str, start: usize) -> (String, Vec<(usize, usize, usize)>) {
    let mut text = String::new();
    let mut triples = Vec::new();
    let mut pos = start;
    let mut first = true;
    loop {
        let line_end = file[pos..].find('\n').map_or(file.len(), |i| pos + i);
        let line = &file[pos..line_end];
        if !first && line.trim_start().starts_with('#') {
            pos = line_end + 1;
            continue;
        }
        first = false;
        let (content, continues) = match line.strip_suffix('\\') {
            Some(c) => (c, true),
            None => (line, false),
        };
        triples.push((text.len(), pos, content.len()));
        text.push_str(content);
        if !continues || line_end >= file.len() {
            break;
        }
        pos = line_end + 1;
    }
    (text, triples)
}

#[test]
fn words_map_to_dockerfile_lines_and_columns() {
    let file = "FROM debian\nRUN apt-get update && \\\n    # a comment BuildKit drops\n    apt-get install -y \\\n      curl=7.88 wget \\\n && rm -rf /var/lib/apt/lists/*\n";
    let start = file.find("RUN ").unwrap() + 4;
    let (text, triples) = join_continuations(file, start);
    assert_eq!(
        text,
        "apt-get update &&     apt-get install -y       curl=7.88 wget  && rm -rf /var/lib/apt/lists/*"
    );
    let script = parse(&text, &ParseOptions::default());
    assert!(script.errors.is_empty());
    let map = OffsetMap::new(triples);
    let lines = LineIndex::new(file);
    let position = |span: Span| lines.line_column(map.file_offset(span.start));
    let slice = |span: Span| &file[map.file_range(span)];

    let commands = script.commands();
    let Action::Package(install) = &commands[1].action else {
        panic!("not a package command")
    };
    let curl = &install.packages[0];
    assert_eq!(position(curl.span), LineColumn { line: 5, column: 7 });
    assert_eq!(slice(curl.span), "curl=7.88");
    assert_eq!(slice(curl.version_span.unwrap()), "=7.88");
    assert_eq!(
        position(install.packages[1].span),
        LineColumn {
            line: 5,
            column: 17
        }
    );
    // A span across joined lines covers the continuation in the file.
    assert_eq!(
        slice(commands[1].span),
        "apt-get install -y \\\n      curl=7.88 wget"
    );
    let Action::Remove(rm) = &commands[2].action else {
        panic!("not rm")
    };
    assert_eq!(
        position(rm.paths[0].span),
        LineColumn {
            line: 6,
            column: 12
        }
    );
}

#[test]
fn heredoc_bodies_use_a_base_offset() {
    let file = "FROM alpine\nRUN <<EOF\nset -e\napk add --no-cache git\nEOF\n";
    let body_start = file.find("set -e").unwrap();
    let body_end = file.rfind("EOF").unwrap();
    let script = parse(&file[body_start..body_end], &ParseOptions::default());
    let map = OffsetMap::contiguous(body_start);
    let lines = LineIndex::new(file);
    let apk = script.commands()[1];
    assert!(apk.options.errexit);
    let Action::Package(p) = &apk.action else {
        panic!("not apk")
    };
    assert_eq!(
        lines.line_column(map.file_offset(p.packages[0].span.start)),
        LineColumn {
            line: 4,
            column: 20
        }
    );
}
