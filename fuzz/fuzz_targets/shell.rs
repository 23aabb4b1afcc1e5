//! Parses arbitrary text as a RUN script: no panic, no hang, and every span of every
//! command, word and error lies inside the text on character boundaries.
#![no_main]

use dockwright_shell::{ParseOptions, Span, parse};
use libfuzzer_sys::fuzz_target;

fn check(text: &str, span: Span) {
    assert!(span.start <= span.end && span.end <= text.len(), "{span} outside {}", text.len());
    assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "{span} splits a character");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let script = parse(&text, &ParseOptions::default());
    for e in &script.errors {
        check(&text, e.span);
    }
    for p in script.pipelines() {
        check(&text, p.span);
    }
    for c in script.commands() {
        check(&text, c.span);
        for w in &c.words {
            check(&text, w.span);
            for e in &w.expansions {
                check(&text, e.span);
            }
        }
        for r in &c.redirections {
            check(&text, r.span);
            if let Some(doc) = &r.heredoc {
                check(&text, doc.body_span);
            }
        }
    }
});
