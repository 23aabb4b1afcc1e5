use dockwright_syntax::scope::NON_ENV_ARGS;

use crate::expanded_words::{base_env_known, checked_words, declared_args, misplaced_arg};
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
    /// reference is reported. A name that is an ARG declared later in the stage, or only
    /// before the first `FROM`, is left to `arg-used-before-declared` (DW1308), which says
    /// so.
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
                        || misplaced_arg(model, stage, inst.index, &r.name).is_some()
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
