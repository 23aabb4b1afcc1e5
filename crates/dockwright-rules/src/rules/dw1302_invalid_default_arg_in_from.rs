use dockwright_model::ImageReference;

use crate::global_scope::global_scope;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags a `FROM` whose image name, built from ARG defaults alone, is empty or not a
    /// valid image reference.
    ///
    /// ## Why
    /// `ARG BASE` then `FROM ${BASE}` builds only when every caller remembers
    /// `--build-arg BASE=...`; without it the build fails with "base name should not be
    /// blank" (or pulls a half-formed name such as `:3.12`). A default that makes a valid
    /// name documents the expected value and keeps a plain `docker build .` working. As in
    /// BuildKit's InvalidDefaultArgInFrom check, the name is expanded with the defaults
    /// only, configured build args ignored.
    ///
    /// BuildKit also reports `FROM` lines without any variable whose name is invalid; those
    /// fail the build outright and are left to the parser's errors here.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG PYTHON_VERSION
    /// FROM python:${PYTHON_VERSION}-slim
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ARG PYTHON_VERSION=3.12
    /// FROM python:${PYTHON_VERSION}-slim
    /// ```
    pub struct InvalidDefaultArgInFrom {
        code: "DW1302",
        name: "invalid-default-arg-in-from",
        category: Correctness,
        severity: Warning,
        buildkit: "InvalidDefaultArgInFrom",
    }
}

impl Check for InvalidDefaultArgInFrom {
    fn check(cx: &mut Checker<'_>) {
        let global = global_scope(cx, false);
        if global.failed {
            return;
        }
        let scope = &global.scope;
        for inst in cx.instructions_of(InstructionKind::From) {
            let Some(image) = inst.syntax.as_from().and_then(|f| f.image) else {
                continue;
            };
            let Ok(expansion) = scope.expand_in_from(&image.text) else {
                continue;
            };
            if expansion.references.is_empty() || ImageReference::parse(&expansion.value).is_ok() {
                continue;
            }
            let empty: Vec<&str> = expansion
                .references
                .iter()
                .filter(|r| !r.set)
                .map(|r| r.name.as_str())
                .collect();
            let shown = if expansion.value.is_empty() {
                "an empty name".to_string()
            } else {
                format!("`{}`", expansion.value)
            };
            let hint = if empty.is_empty() {
                "give the ARGs defaults that make a valid image name".to_string()
            } else {
                format!("give `{}` a default", empty.join("`, `"))
            };
            cx.report(
                image.span,
                format!(
                    "with the ARG defaults, `{}` is {shown}, not a valid image reference; {hint}",
                    image.text
                ),
            );
        }
    }
}
