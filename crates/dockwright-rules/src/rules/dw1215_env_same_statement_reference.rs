use crate::prelude::*;

crate::declare_rule! {
    /// Flags an `ENV` value that refers to a variable set earlier in the same `ENV`.
    ///
    /// ## Why
    /// BuildKit expands every value of an `ENV` instruction with the environment as it
    /// was *before* the instruction. In `ENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin`,
    /// `APP_BIN` becomes `/bin` (or uses an older `APP_HOME`), not `/opt/app/bin`. Split
    /// the definitions into two `ENV` instructions.
    ///
    /// A value referring to its own variable (`ENV PATH=/opt/bin:$PATH`) reads the old
    /// value on purpose and is not flagged, nor is a reference to a variable the statement
    /// sets to the value it already has (`ENV PLATFORM=$PLATFORM OS=$PLATFORM-9`, which
    /// re-exports an ARG).
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ENV APP_HOME=/opt/app
    /// ENV APP_BIN=$APP_HOME/bin
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3044 skips a variable declared anywhere earlier in the file (ARG or
    /// ENV), although the value read is then that older one, not the one this statement
    /// sets: such findings claim no hadolint equivalent. It also flags a reference to a variable
    /// defined *later* in the statement, which reads the old value as written order
    /// suggests; that is not flagged here.
    pub struct EnvSameStatementReference {
        code: "DW1215",
        name: "env-same-statement-reference",
        category: Correctness,
        severity: Error,
        hadolint: "DL3044",
    }
}

impl Check for EnvSameStatementReference {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let mut declared: Vec<String> = Vec::new();
        for inst in cx.instructions() {
            if let Some(decls) = inst.syntax.as_arg() {
                declared.extend(decls.iter().map(|d| d.name.text.to_string()));
                continue;
            }
            let Some(pairs) = inst.syntax.as_env() else {
                continue;
            };
            let keys: Vec<String> = pairs
                .iter()
                .map(|p| {
                    p.key
                        .text
                        .trim_matches(|c| c == '"' || c == '\'')
                        .to_string()
                })
                .collect();
            for (j, pair) in pairs.iter().enumerate() {
                let Ok(expansion) = model.expand_at(inst.index, &pair.value.text) else {
                    continue;
                };
                let Some(name) =
                    expansion
                        .references
                        .iter()
                        .map(|r| r.name.as_str())
                        .find(|name| {
                            keys[..j].iter().position(|k| k == name).is_some_and(|i| {
                                reads_other_value(model, inst.index, name, &pairs[i].value.text)
                            })
                        })
                else {
                    continue;
                };
                let known_before = declared.iter().any(|d| d == name);
                let diagnostic = cx.report(
                    pair.value.span,
                    format!(
                        "`${name}` here is the value from before this ENV, not the one set in it; define `{name}` in an earlier ENV"
                    ),
                );
                if known_before {
                    diagnostic.equivalents.hadolint = None;
                }
            }
            declared.extend(keys);
        }
    }
}

/// Whether `$name` before instruction `index` differs from the value `ENV name=value` sets
/// (`ENV V=$V W=$V/x` re-exporting an ARG reads the same value either way).
fn reads_other_value(model: &Model, index: usize, name: &str, value: &str) -> bool {
    let (Ok(before), Ok(set)) = (
        model.expand_at(index, &format!("${{{name}}}")),
        model.expand_at(index, value),
    ) else {
        return true;
    };
    let known = |e: &dockwright_syntax::expand::Expansion| e.references.iter().all(|r| r.set);
    !(known(&before) && known(&set) && before.value == set.value)
}
