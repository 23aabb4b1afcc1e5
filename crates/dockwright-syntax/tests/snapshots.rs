//! Snapshots of the JSON syntax tree (`dockwright debug parse --format json`) for inputs that
//! exercise the tricky parts: directives, continuations with comments and blank lines,
//! heredocs, ONBUILD, CRLF and a byte-order mark.

// Tests may unwrap (helpers outside #[test] functions included).
#![allow(clippy::unwrap_used)]

fn tree(source: &str) -> serde_json::Value {
    let doc = dockwright_syntax::parse(source).unwrap();
    assert_eq!(doc.print(), source.as_bytes());
    serde_json::to_value(doc.syntax_tree()).unwrap()
}

#[test]
fn continuation_with_comment_and_empty_line() {
    insta::assert_json_snapshot!(tree(
        "FROM alpine AS base\nRUN apk add \\\n    # the tools\n    curl \\\n\n    git\n"
    ));
}

#[test]
fn heredocs_and_onbuild() {
    insta::assert_json_snapshot!(tree(
        "# syntax=docker/dockerfile:1\nFROM x\nRUN <<-'EOF' bash\n\techo $HOME\n\tEOF\nONBUILD COPY --chown=a <<A /a\nhi\nA\n"
    ));
}

#[test]
fn backtick_escape_crlf_and_bom() {
    insta::assert_json_snapshot!(tree(
        "\u{feff}# escape=`\r\nFROM mcr.microsoft.com/windows\r\nENV P C:\\tools `\r\n  X=1\r\nCMD [\"cmd\", \"/c\", \"dir\"]"
    ));
}
