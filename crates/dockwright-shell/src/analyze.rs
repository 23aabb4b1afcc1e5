//! The pass after parsing: walks the tree in execution order, records the shell options in
//! effect at each command, recognises what each simple command does (parsing nested `sh -c`
//! scripts on the way), and connects downloads to the interpreters that run them.

use crate::ast::{
    Command, CommandList, CompoundKind, Pipeline, Script, Separator, SimpleCommand, Word,
};
use crate::options::ShellOptions;
use crate::parser::parse_syntax;
use crate::recognize::{Action, Argument, RecognizeContext, recognize};
use crate::visit::{RemapSpans, VisitMut};

/// Recognises commands and tracks options over a freshly parsed script.
pub(crate) fn analyze(
    script: &mut Script,
    options: ShellOptions,
    nesting: usize,
    max_nesting: usize,
) {
    let mut analyzer = Analyzer {
        context: RecognizeContext {
            nesting,
            max_nesting,
        },
    };
    let mut state = options;
    analyzer.list(&mut script.body, &mut state);
}

/// Parses the script of a nested shell: `text` is the string the inner shell runs and `map`
/// says where each of its bytes sits in the outer script.
pub(crate) fn parse_nested(
    text: &str,
    map: Vec<crate::span::Segment>,
    options: ShellOptions,
    nesting: usize,
    max_nesting: usize,
) -> Script {
    let mut script = parse_syntax(text);
    RemapSpans::new(map).visit_script(&mut script);
    analyze(&mut script, options, nesting, max_nesting);
    script
}

struct Analyzer {
    context: RecognizeContext,
}

impl Analyzer {
    fn list(&mut self, list: &mut CommandList, state: &mut ShellOptions) {
        for item in &mut list.items {
            // A background job runs in a subshell: its `set` does not reach the caller.
            let mut background = *state;
            let state = if item.separator == Separator::Ampersand {
                &mut background
            } else {
                &mut *state
            };
            for pipeline in &mut item.and_or.pipelines {
                self.pipeline(pipeline, state);
            }
        }
    }

    fn pipeline(&mut self, pipeline: &mut Pipeline, state: &mut ShellOptions) {
        pipeline.options = *state;
        if let [only] = pipeline.commands.as_mut_slice() {
            self.command(only, state);
            return;
        }
        // Each element of a multi-command pipeline runs in a subshell.
        for command in &mut pipeline.commands {
            let mut local = *state;
            self.command(command, &mut local);
        }
        link_piped_downloads(pipeline);
    }

    fn command(&mut self, command: &mut Command, state: &mut ShellOptions) {
        match command {
            Command::Simple(c) => self.simple(c, state),
            Command::Compound(c) => {
                match &mut c.kind {
                    CompoundKind::Subshell { body } => {
                        let mut local = *state;
                        self.list(body, &mut local);
                    }
                    CompoundKind::BraceGroup { body } => self.list(body, state),
                    CompoundKind::If {
                        branches,
                        else_body,
                    } => {
                        for branch in branches {
                            self.list(&mut branch.condition, state);
                            self.list(&mut branch.body, state);
                        }
                        if let Some(body) = else_body {
                            self.list(body, state);
                        }
                    }
                    CompoundKind::While { condition, body }
                    | CompoundKind::Until { condition, body } => {
                        self.list(condition, state);
                        self.list(body, state);
                    }
                    CompoundKind::For {
                        variable,
                        items,
                        body,
                        ..
                    } => {
                        self.word(variable, state);
                        for w in items.iter_mut().flatten() {
                            self.word(w, state);
                        }
                        self.list(body, state);
                    }
                    CompoundKind::ArithmeticFor { body, .. } => self.list(body, state),
                    CompoundKind::Case { subject, arms } => {
                        self.word(subject, state);
                        for arm in arms {
                            for p in &mut arm.patterns {
                                self.word(p, state);
                            }
                            self.list(&mut arm.body, state);
                        }
                    }
                    CompoundKind::Conditional { words } => {
                        for w in words {
                            self.word(w, state);
                        }
                    }
                    CompoundKind::Arithmetic { .. } => {}
                }
                for r in &mut c.redirections {
                    self.word(&mut r.target, state);
                }
            }
            Command::Function(f) => {
                let mut local = *state;
                self.command(&mut f.body, &mut local);
            }
        }
    }

    /// Command and process substitutions run in subshells.
    fn word(&mut self, word: &mut Word, state: &ShellOptions) {
        for e in &mut word.expansions {
            if let Some(body) = body_mut(&mut e.kind) {
                let mut local = *state;
                self.list(body, &mut local);
            }
        }
    }

    fn simple(&mut self, command: &mut SimpleCommand, state: &mut ShellOptions) {
        for a in &mut command.assignments {
            match &mut a.value {
                crate::ast::AssignmentValue::Scalar(w) => self.word(w, state),
                crate::ast::AssignmentValue::Array(ws) => {
                    for w in ws {
                        self.word(w, state);
                    }
                }
            }
        }
        for w in &mut command.words {
            self.word(w, state);
        }
        for r in &mut command.redirections {
            self.word(&mut r.target, state);
        }
        command.options = *state;
        let (program, action) = recognize(command, &mut self.context);
        command.program = program;
        command.action = action;
        if let Action::SetOptions(set) = &command.action {
            state.apply(&set.changes);
        }
        // `sh -c "$(curl ...)"`, `bash <(curl ...)`, `eval "$(wget -O- ...)"`.
        if let Some(program) = &command.program
            && crate::recognize::is_interpreter(&program.name)
        {
            let interpreter = Argument {
                text: program.name.clone(),
                span: program.span,
            };
            let start = program.index + 1;
            for w in command.words.iter_mut().skip(start) {
                if !w.is_single_expansion() {
                    continue;
                }
                for e in &mut w.expansions {
                    if let Some(body) = body_mut(&mut e.kind) {
                        mark_downloads(body, &interpreter);
                    }
                }
            }
        }
    }
}

fn body_mut(kind: &mut crate::ast::ExpansionKind) -> Option<&mut CommandList> {
    use crate::ast::ExpansionKind as K;
    match kind {
        K::Command { body } | K::Backquote { body } | K::Process { body } => Some(body),
        K::Parameter { .. } | K::Arithmetic | K::Tilde => None,
    }
}

fn mark_downloads(list: &mut CommandList, interpreter: &Argument) {
    for item in &mut list.items {
        for pipeline in &mut item.and_or.pipelines {
            for command in &mut pipeline.commands {
                if let Command::Simple(c) = command
                    && let Action::Download(d) = &mut c.action
                {
                    d.piped_into = Some(interpreter.clone());
                }
            }
        }
    }
}

/// `curl ... | sh`: a download whose next pipeline element is an interpreter.
fn link_piped_downloads(pipeline: &mut Pipeline) {
    for i in 1..pipeline.commands.len() {
        let interpreter = match &pipeline.commands[i] {
            Command::Simple(c) => c.program.as_ref().and_then(|p| {
                crate::recognize::is_interpreter(&p.name).then(|| Argument {
                    text: p.name.clone(),
                    span: p.span,
                })
            }),
            _ => None,
        };
        let Some(interpreter) = interpreter else {
            continue;
        };
        if let Command::Simple(c) = &mut pipeline.commands[i - 1]
            && let Action::Download(d) = &mut c.action
        {
            d.piped_into = Some(interpreter);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{ParseOptions, ShellOptions, parse};

    /// The options in effect for each command whose program is `probe`, in order.
    fn probes(src: &str, start: ShellOptions) -> Vec<(bool, bool)> {
        let script = parse(
            src,
            &ParseOptions {
                shell_options: start,
                ..ParseOptions::default()
            },
        );
        assert!(script.errors.is_empty(), "{:?}", script.errors);
        script
            .commands()
            .iter()
            .filter(|c| c.program_name() == Some("probe"))
            .map(|c| (c.options.errexit, c.options.pipefail))
            .collect()
    }

    fn off() -> ShellOptions {
        ShellOptions::default()
    }

    #[test]
    fn set_takes_effect_from_the_next_command() {
        assert_eq!(
            probes(
                "probe; set -e; probe; set -o pipefail; probe; set +e; probe",
                off()
            ),
            [(false, false), (true, false), (true, true), (false, true)]
        );
        assert_eq!(probes("set -euxo pipefail && probe", off()), [(true, true)]);
        assert_eq!(probes("set -eo pipefail; probe", off()), [(true, true)]);
        assert_eq!(probes("set -o errexit; probe", off()), [(true, false)]);
    }

    #[test]
    fn subshells_do_not_leak() {
        assert_eq!(
            probes("(set -e; probe); probe; x=$(set -e; probe); probe", off()),
            [(true, false), (false, false), (true, false), (false, false)]
        );
        assert_eq!(
            probes("set -e | probe; probe; set -e & probe", off()),
            [(false, false), (false, false), (false, false)]
        );
        assert_eq!(probes("f() { set -e; }; probe", off()), [(false, false)]);
    }

    #[test]
    fn groups_and_conditionals_carry_over() {
        assert_eq!(
            probes(
                "{ set -e; }; probe; if true; then set -o pipefail; fi; probe",
                off()
            ),
            [(true, false), (true, true)]
        );
    }

    #[test]
    fn shell_instruction_and_nested_shells() {
        let pipefail = ShellOptions::from_shell_arguments(&["-o", "pipefail", "-c"]);
        assert_eq!(
            probes("probe | probe", pipefail),
            [(false, true), (false, true)]
        );
        // A nested shell starts from its own flags, not from the outer options.
        assert_eq!(
            probes("set -e; sh -c 'probe'; bash -eo pipefail -c 'probe'", off()),
            [(false, false), (true, true)]
        );
    }

    #[test]
    fn pipelines_record_their_options() {
        let script = parse("a | b; set -o pipefail; c | d", &ParseOptions::default());
        let piped: Vec<bool> = script
            .pipelines()
            .iter()
            .filter(|p| p.has_pipe())
            .map(|p| p.options.pipefail)
            .collect();
        assert_eq!(piped, [false, true]);
    }
}
