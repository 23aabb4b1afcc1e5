//! The shell itself: wrappers in front of a program, `set`, and commands that run another
//! script (`sh -c`, `bash -c`, `su -c`, `runuser -c`, `eval`), whose script is parsed too.

use serde::Serialize;

use super::{Action, Argument, Invocation, RecognizeContext, Wrapper, program_basename};
use crate::ast::{AssignmentValue, Script, SimpleCommand, Word, is_false};
use crate::options::{OptionChange, ShellOptions, is_default_options, set_command_changes};
use crate::parser::name_len;
use crate::span::{Segment, Span};

/// A command that runs another shell script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShellInvocation {
    /// The word holding the script (`-c` string, `eval` arguments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_span: Option<Span>,
    /// The script, parsed, with spans in the outer script's coordinates. `None` when there
    /// is no inline script, when the string is built by command substitution (its text is
    /// only known at run time), or when nesting is too deep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<Box<Script>>,
    /// A script file run instead (`bash install.sh`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<Argument>,
    /// The shell reads its script from standard input (`... | sh`, `sh -s`).
    #[serde(skip_serializing_if = "is_false")]
    pub reads_stdin: bool,
    /// Options the shell's flags turn on (`bash -eo pipefail -c`); the nested script starts
    /// with these, not with the outer script's.
    #[serde(skip_serializing_if = "is_default_options")]
    pub options: ShellOptions,
}

/// `set` with the option changes it makes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SetOptions {
    /// The changes, in order.
    pub changes: Vec<OptionChange>,
}

/// Shells whose `-c` string we parse.
pub(crate) fn is_shell(name: &str) -> bool {
    matches!(
        name,
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "busybox"
    )
}

/// Programs that run what they read as code (targets of `curl ... | X`).
pub(crate) fn is_interpreter(name: &str) -> bool {
    is_shell(name)
        || matches!(
            name,
            "eval" | "source" | "." | "perl" | "ruby" | "node" | "php" | "pwsh" | "fish"
        )
        || ["python", "pypy"].iter().any(|p| {
            name.strip_prefix(p)
                .is_some_and(|r| r.chars().all(|c| c.is_ascii_digit() || c == '.'))
        })
}

pub(super) struct Resolved<'c> {
    pub name: &'c str,
    pub index: usize,
    pub wrappers: Vec<Wrapper>,
    pub env: Vec<(&'c str, &'c str, Span)>,
}

/// Option letters (short, taking a value) and long options taking a value, per wrapper;
/// `operands` is how many operands the wrapper takes before the command (`timeout 10s`).
struct WrapperSpec {
    short_values: &'static str,
    long_values: &'static [&'static str],
    operands: usize,
    assignments: bool,
}

fn wrapper_spec(name: &str, next: Option<&Word>) -> Option<WrapperSpec> {
    let spec = |short_values, long_values, operands, assignments| WrapperSpec {
        short_values,
        long_values,
        operands,
        assignments,
    };
    Some(match name {
        "sudo" | "doas" => spec(
            "ugCDhpRrtTU",
            &[
                "user",
                "group",
                "close-from",
                "chdir",
                "host",
                "prompt",
                "role",
                "type",
                "command-timeout",
                "other-user",
            ][..],
            0,
            true,
        ),
        "env" => spec("uCS", &["unset", "chdir", "split-string"][..], 0, true),
        "nice" => spec("n", &["adjustment"][..], 0, false),
        "time" => spec("fo", &["format", "output"][..], 0, false),
        "timeout" => spec("sk", &["signal", "kill-after"][..], 1, false),
        "stdbuf" => spec("ioe", &["input", "output", "error"][..], 0, false),
        "exec" => spec("a", &[][..], 0, false),
        "command" if next.is_some_and(|w| matches!(w.text.as_str(), "-v" | "-V")) => return None,
        "command" | "builtin" | "nohup" | "eatmydata" | "fakeroot" | "chronic" | "unbuffer" => {
            spec("", &[][..], 0, false)
        }
        "xargs" => spec(
            "nILPdEsa",
            &[
                "max-args",
                "max-lines",
                "max-procs",
                "delimiter",
                "eof",
                "max-chars",
                "arg-file",
                "process-slot-var",
            ][..],
            0,
            false,
        ),
        "gosu" | "su-exec" => spec("", &[][..], 1, false),
        "ionice" => spec("cnp", &["class", "classdata", "pid"][..], 0, false),
        _ => return None,
    })
}

/// Index of the first word after a wrapper's options, operands and assignments.
fn skip_wrapper_arguments<'c>(
    words: &'c [Word],
    mut i: usize,
    spec: &WrapperSpec,
    env: &mut Vec<(&'c str, &'c str, Span)>,
) -> usize {
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            i += 1;
            break;
        }
        if t == "-" || !t.starts_with('-') || t.len() < 2 {
            break;
        }
        i += 1;
        if let Some(long) = t.strip_prefix("--") {
            if !long.contains('=') && spec.long_values.contains(&long) {
                i += 1;
            }
            continue;
        }
        // The last letter takes the next word as value only if it is a value letter and
        // nothing follows it in the same word.
        for (at, c) in t[1..].char_indices() {
            if spec.short_values.contains(c) {
                if at + c.len_utf8() == t.len() - 1 {
                    i += 1;
                }
                break;
            }
        }
    }
    i += spec.operands;
    if spec.assignments {
        while let Some(w) = words.get(i) {
            let n = name_len(w.text.as_bytes());
            if n > 0 && w.text.as_bytes().get(n) == Some(&b'=') && !w.quoted {
                env.push((&w.text[..n], &w.text[n + 1..], w.span));
                i += 1;
            } else {
                break;
            }
        }
    }
    i
}

pub(super) fn resolve_program(command: &SimpleCommand) -> Option<Resolved<'_>> {
    let words = &command.words;
    let mut env: Vec<(&str, &str, Span)> = command
        .assignments
        .iter()
        .filter_map(|a| match &a.value {
            AssignmentValue::Scalar(w) => Some((a.name.as_str(), w.text.as_str(), a.span)),
            AssignmentValue::Array(_) => None,
        })
        .collect();
    let mut wrappers = Vec::new();
    let mut i = 0;
    loop {
        let word = words.get(i)?;
        let name = program_basename(word)?;
        let Some(spec) = wrapper_spec(name, words.get(i + 1)) else {
            return Some(Resolved {
                name,
                index: i,
                wrappers,
                env,
            });
        };
        let next = skip_wrapper_arguments(words, i + 1, &spec, &mut env);
        if next >= words.len() || program_basename(&words[next]).is_none() {
            // The wrapper alone (`env`, `sudo -i`), or in front of a computed name.
            return Some(Resolved {
                name,
                index: i,
                wrappers,
                env,
            });
        }
        wrappers.push(Wrapper {
            name: name.to_string(),
            span: word.span,
        });
        i = next;
    }
}

pub(super) fn recognize_set(inv: &Invocation<'_>) -> Action {
    Action::SetOptions(SetOptions {
        changes: set_command_changes(inv.args()),
    })
}

pub(super) fn recognize_shell(
    inv: &Invocation<'_>,
    context: &mut RecognizeContext,
) -> Option<Action> {
    let name = inv.program;
    let args = inv.args();
    let (script_word, file, reads_stdin, options) = if is_shell(name) {
        let args = if name == "busybox" {
            match args.first() {
                Some(w) if is_shell(&w.text) => &args[1..],
                _ => return None,
            }
        } else {
            args
        };
        let mut i = 0;
        let mut command_string = false;
        let mut stdin = false;
        while let Some(w) = args.get(i) {
            let t = w.text.as_str();
            if t == "--" || t == "-" {
                i += 1;
                break;
            }
            if !(t.starts_with('-') || t.starts_with('+')) || t.len() < 2 {
                break;
            }
            i += 1;
            if t.starts_with("--") {
                continue;
            }
            command_string |= t.contains('c');
            stdin |= t.contains('s');
            // Each `o` takes the next word as an option name.
            i += t.matches('o').count();
        }
        let flag_words = &args[..i.min(args.len())];
        let options = crate::recognize::shell_flag_options(flag_words);
        let operand = args.get(i);
        if command_string {
            (operand, None, false, options)
        } else {
            let file = (!stdin).then(|| operand.map(Argument::from_word)).flatten();
            if file.is_none()
                && let Some(action) = script_on_stdin(inv, options, context)
            {
                return Some(action);
            }
            (None, file.clone(), file.is_none(), options)
        }
    } else if matches!(name, "su" | "runuser") {
        let spec = super::OptionSpec {
            short_values: "csgGuw",
            long_values: &[
                "command",
                "shell",
                "group",
                "supp-group",
                "user",
                "whitelist-environment",
            ],
            ..super::OptionSpec::default()
        };
        let parsed = super::parse_args(args, &spec);
        let option = parsed
            .options
            .iter()
            .rev()
            .find(|o| o.is(&["-c", "--command"]))?;
        (option.value_word, None, false, ShellOptions::default())
    } else if name == "eval" {
        return Some(eval(inv, context));
    } else {
        return None;
    };
    let script = script_word.and_then(|w| nested_script(&w.text, &w.text_map, w, options, context));
    Some(Action::Shell(ShellInvocation {
        script_span: script_word.map(|w| w.span),
        script,
        file,
        reads_stdin,
        options,
    }))
}

/// `bash <<'EOF' ... EOF` or `sh <<< "cmd"`: the script comes from standard input.
fn script_on_stdin(
    inv: &Invocation<'_>,
    options: ShellOptions,
    context: &mut RecognizeContext,
) -> Option<Action> {
    use crate::ast::RedirectOperator as R;
    let redirection = inv.redirections.iter().rev().find(|r| {
        r.fd.is_none_or(|fd| fd == 0)
            && matches!(
                r.operator,
                R::HereDoc | R::HereDocStripTabs | R::HereString | R::Input
            )
    })?;
    let (span, script) = match (&redirection.heredoc, redirection.operator) {
        // The outer shell expands an unquoted body before the inner one reads it; the
        // text is still the script, so it is parsed as written.
        (Some(doc), _) => (
            doc.body_span,
            nested_script_from(&doc.body, doc.text_map.clone(), options, context),
        ),
        (None, R::HereString) => {
            let word = &redirection.target;
            (
                word.span,
                nested_script(&word.text, &word.text_map, word, options, context),
            )
        }
        // `sh < install.sh`: a script file on stdin.
        _ => {
            return Some(Action::Shell(ShellInvocation {
                script_span: None,
                script: None,
                file: Some(Argument::from_word(&redirection.target)),
                reads_stdin: true,
                options,
            }));
        }
    };
    Some(Action::Shell(ShellInvocation {
        script_span: Some(span),
        script,
        file: None,
        reads_stdin: true,
        options,
    }))
}

/// `eval ARGS`: the arguments joined by spaces are the script.
fn eval(inv: &Invocation<'_>, context: &mut RecognizeContext) -> Action {
    let args = inv.args();
    let script_span = args
        .first()
        .map(|f| f.span.cover(args.last().map_or(f.span, |l| l.span)));
    let mut text = String::new();
    let mut map: Vec<Segment> = Vec::new();
    for (i, w) in args.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        let base = text.len();
        text.push_str(&w.text);
        map.extend(w.text_map.iter().map(|s| Segment {
            text: s.text + base,
            ..*s
        }));
    }
    let substituted = args.iter().any(has_command_substitution);
    let script = if args.is_empty() || substituted {
        None
    } else {
        nested_script_from(&text, map, ShellOptions::default(), context)
    };
    Action::Shell(ShellInvocation {
        script_span,
        script,
        file: None,
        reads_stdin: false,
        options: ShellOptions::default(),
    })
}

fn has_command_substitution(word: &Word) -> bool {
    word.expansions.iter().any(|e| e.kind.body().is_some())
}

fn nested_script(
    text: &str,
    map: &[Segment],
    word: &Word,
    options: ShellOptions,
    context: &mut RecognizeContext,
) -> Option<Box<Script>> {
    if has_command_substitution(word) {
        return None;
    }
    nested_script_from(text, map.to_vec(), options, context)
}

fn nested_script_from(
    text: &str,
    map: Vec<Segment>,
    options: ShellOptions,
    context: &mut RecognizeContext,
) -> Option<Box<Script>> {
    if context.nesting >= context.max_nesting {
        return None;
    }
    let script =
        crate::analyze::parse_nested(text, map, options, context.nesting + 1, context.max_nesting);
    Some(Box::new(script))
}
