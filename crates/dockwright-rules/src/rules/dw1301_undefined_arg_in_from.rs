use dockwright_syntax::expand::VarRef;

use crate::global_scope::{did_you_mean, global_scope};
use crate::prelude::*;

crate::declare_rule! {
    /// Flags a variable in a `FROM` line (image or `--platform`) that no ARG before the
    /// first `FROM` declares.
    ///
    /// ## Why
    /// `FROM` lines see only the global scope: the automatic platform ARGs
    /// (`TARGETPLATFORM`, `BUILDARCH`, ...) and the ARGs declared before the first `FROM`.
    /// An ARG declared inside a stage, or a misspelt name, expands to the empty string, so
    /// `FROM node:${NODE_VERSON}-slim` silently pulls `node:-slim` (an error) or, worse,
    /// `FROM ${REGISTRY}/app` pulls `/app`. As in BuildKit's UndefinedArgInFrom check, an
    /// ARG declared without a default counts as declared (it may come from `--build-arg`),
    /// and the message suggests a declared name that is close.
    ///
    /// Unlike BuildKit, which reports the whole `FROM` line, the finding points at the
    /// variable.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG NODE_VERSION=22
    /// FROM node:${NODE_VERSON}-slim
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ARG NODE_VERSION=22
    /// FROM node:${NODE_VERSION}-slim
    /// ```
    pub struct UndefinedArgInFrom {
        code: "DW1301",
        name: "undefined-arg-in-from",
        category: Correctness,
        severity: Warning,
        buildkit: "UndefinedArgInFrom",
    }
}

impl Check for UndefinedArgInFrom {
    fn check(cx: &mut Checker<'_>) {
        let global = global_scope(cx, true);
        let scope = &global.scope;
        let known: Vec<String> = scope
            .global_env()
            .iter()
            .map(|(name, _)| name.to_string())
            .chain(global.names.iter().cloned())
            .collect();
        for inst in cx.instructions_of(InstructionKind::From) {
            let Some(from) = inst.syntax.as_from() else {
                continue;
            };
            let mut reported: Vec<String> = Vec::new();
            for word in [from.image.as_ref(), from.platform.as_ref()]
                .into_iter()
                .flatten()
            {
                let value_text = word.text.as_ref();
                let Ok(expansion) = scope.expand_in_from(value_text) else {
                    continue;
                };
                // Where the value starts in the file (a `--platform` word spans the flag).
                let raw = cx.text(word.span);
                let value_start = raw
                    .ends_with(value_text)
                    .then(|| word.span.end - value_text.len());
                for r in &expansion.references {
                    if r.set || known.contains(&r.name) || reported.contains(&r.name) {
                        continue;
                    }
                    reported.push(r.name.clone());
                    let span = reference_span(value_start, word.span, r);
                    let message = match did_you_mean(&r.name, known.iter().map(String::as_str)) {
                        Some(close) => format!(
                            "`FROM` uses ARG `{}`, which is not declared before the first `FROM` (did you mean `{close}`?)",
                            r.name
                        ),
                        None => format!(
                            "`FROM` uses ARG `{}`, which is not declared before the first `FROM`; declare it there",
                            r.name
                        ),
                    };
                    cx.report(span, message);
                }
            }
        }
    }
}

/// The reference's span in the file, or the whole word when the value is not written
/// byte for byte.
fn reference_span(value_start: Option<usize>, word: Span, r: &VarRef) -> Span {
    match value_start {
        Some(start) => Span::new(start + r.span.start, start + r.span.end),
        None => word,
    }
}
