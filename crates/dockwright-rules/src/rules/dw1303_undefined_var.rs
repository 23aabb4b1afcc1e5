use dockwright_syntax::scope::NON_ENV_ARGS;

use crate::global_scope::did_you_mean;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags a variable used outside `RUN` (in `COPY`, `ADD`, `ENV`, `LABEL`, `WORKDIR`,
    /// `USER`, `VOLUME`, `EXPOSE`, `STOPSIGNAL`, ARG defaults) that nothing defines at that
    /// point.
    ///
    /// ## Why
    /// An undefined variable expands to the empty string without an error:
    /// `COPY dist/ $APP_DIR/` copies into `/`, `WORKDIR $HOME/app` works in `/app`. BuildKit's
    /// UndefinedVar check reports such references; as there, a variable counts as defined
    /// when an `ENV` or an ARG with a value set it in this stage or a stage it is built on,
    /// or when the stage declared an ARG of that name (even without a value: it may come
    /// from `--build-arg`). `RUN` scripts are not analysed (the shell may define the
    /// variable), and ONBUILD triggers run in another build.
    ///
    /// BuildKit also knows the base image's environment; a linter does not. In a stage
    /// built on an image, where the image may define the variable (`JAVA_HOME`, `GOPATH`),
    /// a reference is reported only when it is one edit or two away from a defined name,
    /// that is when it is most likely a typo; in stages built on `scratch` every undefined
    /// reference is reported.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ENV APP_DIR=/srv/app
    /// COPY . $APP_DRI/
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ENV APP_DIR=/srv/app
    /// COPY . $APP_DIR/
    /// ```
    pub struct UndefinedVar {
        code: "DW1303",
        name: "undefined-var",
        category: Correctness,
        severity: Warning,
        buildkit: "UndefinedVar",
    }
}

impl Check for UndefinedVar {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for inst in cx.instructions() {
            let Some(stage) = inst.facts.stage else {
                continue;
            };
            let words = checked_words(&inst);
            if !words.iter().any(|w| w.text.contains('$')) {
                continue;
            }
            let env_known = base_env_known(model, stage);
            let env = model.env_at(inst.index);
            let mut declared = declared_args(model, stage, inst.index);
            let is_arg = inst.kind() == InstructionKind::Arg;
            let arg_names: Vec<String> = if is_arg {
                inst.syntax
                    .as_arg()
                    .unwrap_or_default()
                    .iter()
                    .map(|d| d.name.text.to_string())
                    .collect()
            } else {
                Vec::new()
            };
            let mut reported: Vec<String> = Vec::new();
            for (n, word) in words.iter().enumerate() {
                if is_arg {
                    // `ARG A=1 B=$A`: B's default sees A.
                    declared.extend(arg_names.iter().take(n).cloned());
                }
                if !word.text.contains('$') {
                    continue;
                }
                let Ok(expansion) = model.expand_at(inst.index, &word.text) else {
                    continue;
                };
                let raw = cx.text(word.span);
                let value_start = raw
                    .ends_with(word.text.as_ref())
                    .then(|| word.span.end - word.text.len());
                for r in &expansion.references {
                    if r.set
                        || r.name.is_empty()
                        || declared.contains(&r.name)
                        || NON_ENV_ARGS.contains(&r.name.as_str())
                        || reported.contains(&r.name)
                    {
                        continue;
                    }
                    let defined = env.names().chain(declared.iter().map(String::as_str));
                    let close = did_you_mean(&r.name, defined);
                    if !env_known && close.is_none() {
                        continue;
                    }
                    reported.push(r.name.clone());
                    let span = match value_start {
                        Some(start) => Span::new(start + r.span.start, start + r.span.end),
                        None => word.span,
                    };
                    let mut message =
                        format!("`${}` is not defined here and expands to nothing", r.name);
                    if let Some(close) = close {
                        message.push_str(&format!(" (did you mean `${close}`?)"));
                    } else {
                        message.push_str("; define it with ARG or ENV first");
                    }
                    cx.report(span, message);
                }
            }
        }
    }
}

/// The words BuildKit expands in an instruction (with their spans; a flag's word spans the
/// whole flag).
fn checked_words<'a>(inst: &Inst<'a>) -> Vec<Word<'a>> {
    let syntax = inst.syntax;
    let mut words = Vec::new();
    match inst.kind() {
        InstructionKind::Env | InstructionKind::Label => {
            for pair in syntax.as_key_values().unwrap_or_default() {
                words.push(pair.key);
                words.push(pair.value);
            }
        }
        InstructionKind::Copy | InstructionKind::Add => {
            if let Some(copy) = syntax.as_copy() {
                for source in copy.sources {
                    if let dockwright_syntax::CopySource::Path(word) = source {
                        words.push(word);
                    }
                }
                words.extend(copy.destination);
                words.extend(copy.from);
                words.extend(copy.chown);
                words.extend(copy.chmod);
                words.extend(copy.exclude);
                words.extend(copy.checksum);
            }
        }
        InstructionKind::Workdir | InstructionKind::User | InstructionKind::Stopsignal => {
            words.extend(syntax.as_value());
        }
        InstructionKind::Volume => words.extend(syntax.as_volume().unwrap_or_default()),
        InstructionKind::Expose => words.extend(
            syntax
                .as_expose()
                .unwrap_or_default()
                .into_iter()
                .map(|p| p.word),
        ),
        InstructionKind::Arg => {
            // One entry per declaration keeps the index matching the names.
            for decl in syntax.as_arg().unwrap_or_default() {
                words.push(decl.default.unwrap_or(Word {
                    text: "".into(),
                    span: decl.name.span,
                }));
            }
        }
        _ => {}
    }
    words
}

/// Whether every variable a stage starts with is known: it is built on `scratch`, or on
/// stages that are.
fn base_env_known(model: &Model, stage: usize) -> bool {
    let mut current = model.stages.get(stage);
    let mut steps = 0;
    while let Some(s) = current {
        match s.base {
            StageBase::Scratch => return true,
            StageBase::Image(_) => return false,
            StageBase::Stage(b) => current = model.stages.get(b),
        }
        steps += 1;
        if steps > model.stages.len() {
            return false;
        }
    }
    false
}

/// ARGs declared before instruction `index` in its stage and in the stages it is built on.
fn declared_args(model: &Model, stage: usize, index: usize) -> Vec<String> {
    let mut names = Vec::new();
    let mut current = model.stages.get(stage);
    let mut steps = 0;
    while let Some(s) = current {
        names.extend(
            s.args_declared
                .iter()
                .filter(|a| a.instruction < index)
                .map(|a| a.resolved.name.clone()),
        );
        current = s.base_stage().and_then(|b| model.stages.get(b));
        steps += 1;
        if steps > model.stages.len() {
            break;
        }
    }
    names
}
