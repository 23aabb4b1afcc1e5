use dockwright_model::dockwright_shell::{
    self, ExpansionKind, Visit, walk_simple_command, walk_word,
};

use dockwright_syntax::scope::PROXY_ARGS;

use crate::expanded_words::{MisplacedArg, checked_words, declared_args, misplaced_arg};
use crate::prelude::*;

crate::declare_rule! {
    /// Flags a variable used in a stage before the stage's `ARG` of that name, one that
    /// only a global `ARG` (before the first `FROM`) declares, or one of BuildKit's
    /// automatic platform ARGs (`TARGETARCH`, `BUILDPLATFORM`, ...) not declared in the
    /// stage — in `RUN` scripts too.
    ///
    /// ## Why
    /// An ARG takes effect from its declaration on, and a stage sees none of the global
    /// ARGs — the automatic platform ARGs included — unless it declares them again with
    /// `ARG NAME`: `RUN curl -o tool https://.../tool-linux-${TARGETARCH}` without
    /// `ARG TARGETARCH` downloads `tool-linux-`. Both mistakes expand the variable
    /// to the empty string without an error: `RUN curl -fsSL .../v${VERSION}/tool.tgz`
    /// downloads the wrong URL, `RUN ./configure --prefix=$PREFIX` installs to `/`. The
    /// usual fix is one line: move the `ARG` up, or add `ARG NAME` (no value needed: it
    /// takes the global value) at the top of the stage.
    ///
    /// BuildKit's UndefinedVar check catches these outside `RUN` only, and only when it can
    /// see the base image's environment; hadolint does not check ARG scope at all. `RUN`
    /// scripts are read with the shell parser: a script that assigns the variable itself
    /// (`NAME=...`, `for NAME in`, `read NAME`) is not flagged. In a stage on an image, a
    /// name the image conventionally defines (`NODE_VERSION` in `FROM node:...`: the
    /// image's repository name as a prefix) is not flagged either, nor are the proxy
    /// variables (`HTTP_PROXY`, ...) in `RUN`, which BuildKit passes without an ARG.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG VERSION=1.4.2
    /// FROM debian:bookworm-slim
    /// RUN curl -fsSLO https://example.com/tool-${VERSION}.tar.gz
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ARG VERSION=1.4.2
    /// FROM debian:bookworm-slim
    /// ARG VERSION
    /// RUN curl -fsSLO https://example.com/tool-${VERSION}.tar.gz
    /// ```
    ///
    /// ## Fix
    /// Unsafe (the variable gets a value where it had none, which is the intent but changes
    /// the build): for a global or automatic ARG, `ARG NAME` is inserted on the line after
    /// the stage's `FROM`. An ARG declared too late is not moved.
    pub struct ArgUsedBeforeDeclared {
        code: "DW1308",
        name: "arg-used-before-declared",
        category: Correctness,
        severity: Warning,
        fix: Unsafe,
    }
}

/// A variable reference: its name and where it is in the file.
struct Reference {
    name: String,
    span: Span,
}

impl Check for ArgUsedBeforeDeclared {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for inst in cx.instructions() {
            let Some(stage) = inst.facts.stage else {
                continue;
            };
            if inst.facts.onbuild || inst.kind() == InstructionKind::From {
                continue;
            }
            let references = if inst.kind() == InstructionKind::Run {
                // Proxy build args reach RUN commands without an ARG.
                let mut refs = run_references(&inst);
                refs.retain(|r| !PROXY_ARGS.iter().any(|p| p.eq_ignore_ascii_case(&r.name)));
                refs
            } else {
                word_references(cx, &inst)
            };
            if references.is_empty() {
                continue;
            }
            let env = model.env_at(inst.index);
            let declared = declared_args(model, stage, inst.index);
            let conventional = conventional_prefix(model, stage);
            let mut reported: Vec<String> = Vec::new();
            for r in references {
                if env.contains(&r.name)
                    || declared.contains(&r.name)
                    || reported.contains(&r.name)
                    || conventional
                        .as_deref()
                        .is_some_and(|p| r.name.starts_with(p))
                {
                    continue;
                }
                let Some(misplaced) = misplaced_arg(model, stage, inst.index, &r.name) else {
                    continue;
                };
                reported.push(r.name.clone());
                let message = match misplaced {
                    MisplacedArg::DeclaredLater(at) => {
                        let line = cx
                            .instruction(at)
                            .map_or(0, |i| cx.position(i.syntax.span().start).line);
                        format!(
                            "`${}` is used before `ARG {}` (line {line}) and expands to nothing here; move the ARG above its first use",
                            r.name, r.name
                        )
                    }
                    MisplacedArg::GlobalOnly(_) => format!(
                        "`${}` is a global ARG, which a stage does not see; add `ARG {}` in this stage before using it",
                        r.name, r.name
                    ),
                    MisplacedArg::Automatic => format!(
                        "`${}` is one of BuildKit's automatic platform ARGs, which a stage sees only after `ARG {}`; add it in this stage before using it",
                        r.name, r.name
                    ),
                };
                let fix = match misplaced {
                    MisplacedArg::DeclaredLater(_) => None,
                    MisplacedArg::GlobalOnly(_) | MisplacedArg::Automatic => {
                        declare_after_from(cx, stage, &r.name)
                    }
                };
                let diagnostic = cx.report(r.span, message);
                if let Some(fix) = fix {
                    diagnostic.set_fix(fix);
                }
            }
        }
    }
}

/// `ARG NAME` on the line after the stage's `FROM`: the stage then gets the global (or
/// automatic) value. Unsafe, since that is the point: the variable stops being empty.
fn declare_after_from(cx: &Checker<'_>, stage: usize, name: &str) -> Option<Fix> {
    let from = cx.stages().get(stage)?.from_instruction;
    // The span may or may not include the line end.
    let last = cx.instruction(from)?.syntax.span().end.checked_sub(1)?;
    let source = cx.source();
    let newline = last + source.get(last..)?.find('\n')?;
    let eol = if source[..newline].ends_with('\r') {
        "\r\n"
    } else {
        "\n"
    };
    Some(Fix::unsafe_edits(
        format!("declare `ARG {name}` at the top of the stage"),
        vec![Edit::insert(newline + 1, format!("ARG {name}{eol}"))],
    ))
}

/// References in the words BuildKit expands.
fn word_references(cx: &Checker<'_>, inst: &Inst<'_>) -> Vec<Reference> {
    let lexer = cx.model().lexer();
    let mut out = Vec::new();
    for word in checked_words(inst) {
        if !word.text.contains('$') {
            continue;
        }
        let Ok(info) = lexer.analyze(&word.text) else {
            continue;
        };
        let raw = cx.text(word.span);
        let value_start = raw
            .ends_with(word.text.as_ref())
            .then(|| word.span.end - word.text.len());
        for r in info.references {
            let span = match value_start {
                Some(start) => Span::new(start + r.span.start, start + r.span.end),
                None => word.span,
            };
            out.push(Reference { name: r.name, span });
        }
    }
    out
}

/// Parameter expansions of a RUN's scripts, unless the script sets the name itself.
fn run_references(inst: &Inst<'_>) -> Vec<Reference> {
    let Some(run) = inst.run() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for script in &run.scripts {
        let Some(parsed) = &script.parsed else {
            continue;
        };
        let mut collect = Collect::default();
        collect.visit_list(&parsed.body);
        for (name, span) in collect.parameters {
            if collect.assigned.contains(&name) {
                continue;
            }
            out.push(Reference {
                name,
                span: script.span_in_file(span),
            });
        }
    }
    out
}

/// Parameter expansions, and names a script may assign (assignments, and plain words that
/// could be a `for`/`read`/`export` target).
#[derive(Default)]
struct Collect {
    parameters: Vec<(String, dockwright_shell::Span)>,
    assigned: Vec<String>,
}

impl<'a> Visit<'a> for Collect {
    fn visit_simple_command(&mut self, command: &'a SimpleCommand) {
        for a in &command.assignments {
            self.assigned.push(a.name.clone());
        }
        walk_simple_command(self, command);
    }

    fn visit_word(&mut self, word: &'a dockwright_shell::Word) {
        if word.expansions.is_empty() {
            let text = word.text.split('=').next().unwrap_or_default();
            self.assigned.push(text.to_string());
        }
        for e in &word.expansions {
            if let ExpansionKind::Parameter { name } = &e.kind {
                self.parameters.push((name.clone(), e.span));
            }
        }
        walk_word(self, word);
    }
}

/// For a stage on an image: the prefix of the variables such images conventionally set
/// (`NODE_` for `node`, `PYTHON_` for `python`, `GOLANG_` for `golang`).
fn conventional_prefix(model: &Model, stage: usize) -> Option<String> {
    let mut current = model.stages.get(stage);
    let mut steps = 0;
    while let Some(s) = current {
        match &s.base {
            StageBase::Image(image) => {
                let path = image
                    .reference
                    .as_ref()
                    .map_or(image.expanded.as_str(), |r| r.path.as_str());
                let repository = path.rsplit('/').next().unwrap_or(path);
                let repository = repository.split(':').next().unwrap_or(repository);
                return (!repository.is_empty())
                    .then(|| format!("{}_", repository.to_uppercase().replace('-', "_")));
            }
            StageBase::Scratch => return None,
            StageBase::Stage(b) => current = model.stages.get(*b),
        }
        steps += 1;
        if steps > model.stages.len() {
            return None;
        }
    }
    None
}
