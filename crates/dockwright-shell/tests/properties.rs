//! Properties: the parser never panics, every span lies inside the input on character
//! boundaries, top-level words' spans hold exactly their raw text, and quoting round-trips.

use dockwright_shell::{
    Command, ExpansionKind, ParseOptions, Script, SimpleCommand, Span, Visit, Word, parse,
    walk_simple_command,
};
use proptest::prelude::*;

/// Checks every span reachable through the public walk, plus errors and here-documents.
struct Spans<'t> {
    text: &'t str,
    bad: Vec<(Span, &'static str)>,
    /// Inside a backquote body or nested shell, raw text is not a slice of the input.
    derived_depth: usize,
}

impl Spans<'_> {
    fn check(&mut self, span: Span, what: &'static str) {
        let ok = span.start <= span.end
            && span.end <= self.text.len()
            && self.text.is_char_boundary(span.start)
            && self.text.is_char_boundary(span.end);
        if !ok {
            self.bad.push((span, what));
        }
    }
}

impl<'a> Visit<'a> for Spans<'_> {
    fn visit_pipeline(&mut self, pipeline: &'a dockwright_shell::Pipeline) {
        self.check(pipeline.span, "pipeline");
        dockwright_shell::walk_pipeline(self, pipeline);
    }
    fn visit_command(&mut self, command: &'a Command) {
        self.check(command.span(), "command");
        dockwright_shell::walk_command(self, command);
    }
    fn visit_simple_command(&mut self, command: &'a SimpleCommand) {
        for r in &command.redirections {
            self.check(r.span, "redirection");
            if let Some(doc) = &r.heredoc {
                self.check(doc.body_span, "heredoc body");
            }
        }
        if let Some(p) = &command.program {
            self.check(p.span, "program");
        }
        walk_simple_command(self, command);
    }
    fn visit_word(&mut self, word: &'a Word) {
        self.check(word.span, "word");
        if self.derived_depth == 0
            && word.span.end <= self.text.len()
            && self.text.get(word.span.range()) != Some(word.raw.as_str())
        {
            self.bad
                .push((word.span, "raw text differs from the span's text"));
        }
        for e in &word.expansions {
            self.check(e.span, "expansion");
            if let Some(body) = e.kind.body() {
                let derived = matches!(e.kind, ExpansionKind::Backquote { .. });
                self.derived_depth += usize::from(derived);
                self.visit_list(body);
                self.derived_depth -= usize::from(derived);
            }
        }
    }
    fn visit_nested_script(&mut self, script: &'a Script) {
        self.derived_depth += 1;
        for e in &script.errors {
            self.check(e.span, "nested error");
        }
        self.visit_list(&script.body);
        self.derived_depth -= 1;
    }
}

fn check_script(text: &str) -> Result<(), TestCaseError> {
    let script = parse(text, &ParseOptions::default());
    let mut spans = Spans {
        text,
        bad: Vec::new(),
        derived_depth: 0,
    };
    spans.check(script.span, "script");
    for e in &script.errors {
        spans.check(e.span, "error");
    }
    spans.visit_list(&script.body);
    prop_assert!(spans.bad.is_empty(), "{text:?}: {:?}", spans.bad);
    Ok(())
}

/// Shell-flavoured text: fragments that open and close constructs, in any order.
fn shellish() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("if ".to_string()),
        Just("then ".to_string()),
        Just("fi".to_string()),
        Just("case $x in ".to_string()),
        Just("a) ".to_string()),
        Just(";;".to_string()),
        Just("esac".to_string()),
        Just("for i in 1 2; do ".to_string()),
        Just("done".to_string()),
        Just("$(".to_string()),
        Just("${x:-".to_string()),
        Just("$((".to_string()),
        Just("`".to_string()),
        Just("\\`".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("$'\\x41".to_string()),
        Just("<<EOF\n".to_string()),
        Just("<<-'E'\n".to_string()),
        Just("EOF\n".to_string()),
        Just("\tE\n".to_string()),
        Just(" && ".to_string()),
        Just(" || ".to_string()),
        Just(" | ".to_string()),
        Just("; ".to_string()),
        Just("\n".to_string()),
        Just("\\\n".to_string()),
        Just("( ".to_string()),
        Just(" )".to_string()),
        Just("{ ".to_string()),
        Just(" }".to_string()),
        Just("[[ ".to_string()),
        Just(" =~ (a|b) ]]".to_string()),
        Just("# c\n".to_string()),
        Just("2>&1 ".to_string()),
        Just("x=(a b) ".to_string()),
        Just("sh -c '".to_string()),
        Just("bash -c \"".to_string()),
        Just("su -c ".to_string()),
        Just("eval ".to_string()),
        Just("apt-get install -y ".to_string()),
        Just("curl -fsSL https://x | sh ".to_string()),
        Just("tar xzf a -C /b ".to_string()),
        Just("pip install -r r.txt ".to_string()),
        Just("é✘ ".to_string()),
        "[a-z=./~*-]{1,6}".prop_map(|s| format!("{s} ")),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(fragment, 0..40).prop_map(|v| v.concat())
}

/// A word and a way to quote it.
fn quoted_word() -> impl Strategy<Value = (String, String)> {
    ("[ -~é\t]{1,12}", 0..3u8).prop_map(|(word, style)| {
        let quoted = match style {
            0 => format!("'{}'", word.replace('\'', "'\\''")),
            1 => {
                let mut q = String::from("\"");
                for c in word.chars() {
                    if matches!(c, '"' | '$' | '`' | '\\') {
                        q.push('\\');
                    }
                    q.push(c);
                }
                q.push('"');
                q
            }
            _ => {
                let mut q = String::new();
                for c in word.chars() {
                    if !c.is_ascii_alphanumeric() && !matches!(c, '-' | '_' | '.' | '/' | ',') {
                        q.push('\\');
                    }
                    q.push(c);
                }
                q
            }
        };
        (word, quoted)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics_and_spans_stay_inside(text in any::<String>()) {
        check_script(&text)?;
    }

    #[test]
    fn shell_like_text_never_panics_and_spans_stay_inside(text in shellish()) {
        check_script(&text)?;
    }

    #[test]
    fn quoted_words_round_trip(words in prop::collection::vec(quoted_word(), 1..8)) {
        let line = format!(
            "cmd {}",
            words.iter().map(|(_, q)| q.as_str()).collect::<Vec<_>>().join(" ")
        );
        let script = parse(&line, &ParseOptions::default());
        prop_assert!(script.errors.is_empty(), "{line:?}: {:?}", script.errors);
        let commands = script.commands();
        prop_assert_eq!(commands.len(), 1);
        let got: Vec<Option<&str>> = commands[0].words[1..].iter().map(Word::value).collect();
        let want: Vec<Option<&str>> = words.iter().map(|(w, _)| Some(w.as_str())).collect();
        prop_assert_eq!(got, want, "{:?}", line);
        check_script(&line)?;
    }

    /// The same words inside `sh -c '...'` are found again, each span covering the quoted
    /// form in the outer text.
    #[test]
    fn nested_shell_words_map_back(words in prop::collection::vec("[a-z0-9=.-]{1,8}", 1..6)) {
        let inner = format!("cmd {}", words.join(" "));
        let line = format!("sh -c '{inner}'");
        let script = parse(&line, &ParseOptions::default());
        let commands = script.commands();
        let nested = commands.iter().find(|c| c.program_name() == Some("cmd"));
        prop_assert!(nested.is_some());
        for (word, expected) in nested.unwrap().words[1..].iter().zip(&words) {
            prop_assert_eq!(&line[word.span.range()], expected.as_str());
        }
    }
}
