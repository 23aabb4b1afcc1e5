use crate::prelude::*;

crate::declare_rule! {
    /// Flags an `ARG` or `ENV` whose value changes on every build (build date, commit SHA,
    /// build number) declared before a package or dependency install of the same stage
    /// that does not use it.
    ///
    /// ## Why
    /// BuildKit gives every `RUN` the stage's ARG values and ENV in its environment, and
    /// the environment is part of the step's cache key. Once `ARG GIT_SHA` (passed with
    /// `--build-arg GIT_SHA=$(git rev-parse HEAD)`) is declared, every later `RUN` of the
    /// stage misses the cache on every commit — including the `apt-get install` or
    /// `npm ci` that takes minutes and does not use it. An `ENV` with such a value does the
    /// same to every later step. Declared right before its first use (usually a `LABEL` or
    /// the last step), it costs nothing. `LABEL`s themselves do not invalidate BuildKit's
    /// cache and are not flagged; `CACHEBUST`-style ARGs are deliberate and not flagged.
    /// Volatile values are recognised by name: a `_`-separated word `COMMIT`, `REVISION`,
    /// `TIMESTAMP` or `EPOCH`; `SHA`, `DATE` or `TIME` next to `GIT`, `VCS`, `SOURCE`,
    /// `BUILD`, `COMMIT` or `CREATED`; `VCS_REF`/`GIT_REF`; `BUILD_NUMBER`/`BUILD_ID`/
    /// `RUN_ID`/`PIPELINE_ID`; or an `ENV` whose value references such an ARG. An ARG whose
    /// default is a full hex commit or checksum pins a value and is not volatile. Only installs (`apt-get install`, `npm ci`, `pip install`,
    /// `go mod download`, ...) between the declaration and the value's first use count:
    /// they never read a commit or a date, while a compiler may embed them (vergen,
    /// `-ldflags -X`), so a build step after the ARG is left alone. Neither hadolint nor
    /// BuildKit has this check.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// ARG GIT_SHA
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// COPY . .
    /// LABEL org.opencontainers.image.revision=$GIT_SHA
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// COPY . .
    /// ARG GIT_SHA
    /// LABEL org.opencontainers.image.revision=$GIT_SHA
    /// ```
    pub struct VolatileArgBeforeExpensiveStep {
        code: "DW3303",
        name: "volatile-arg-before-expensive-step",
        category: Cache,
        severity: Warning,
    }
}

/// Whether a variable name says its value changes on every build.
pub(crate) fn is_volatile_name(name: &str) -> bool {
    let upper = name.to_uppercase();
    let words: Vec<&str> = upper.split(['_', '-']).filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(&w);
    let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    if words
        .iter()
        .any(|w| w.contains("CACHEBUST") || *w == "BUST")
    {
        return false;
    }
    let source = has("GIT") || has("COMMIT") || has("VCS") || has("SOURCE") || has("BUILD");
    [
        "COMMIT",
        "REVISION",
        "TIMESTAMP",
        "EPOCH",
        "GITSHA",
        "BUILDNUMBER",
    ]
    .iter()
    .any(|w| has(w))
        || (has("SHA") && source)
        || ((has("DATE") || has("TIME")) && (source || has("CREATED")))
        || pair("VCS", "REF")
        || pair("GIT", "REF")
        || pair("BUILD", "NUMBER")
        || pair("BUILD", "ID")
        || pair("RUN", "ID")
        || pair("PIPELINE", "ID")
}

/// Whether an ARG default pins a value (a full commit or checksum in hex), so the value
/// does not change from build to build unless the file does.
fn pins_value(default: Option<&str>) -> bool {
    default.is_some_and(|d| {
        let d = d.trim_matches(['"', '\'']);
        d.len() >= 40 && d.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Whether a RUN installs or fetches packages or dependencies (work that never reads a
/// build's commit or date, unlike a compiler that may embed them).
fn installs_packages(run: &RunFacts) -> bool {
    run.scripts.iter().any(|s| {
        s.commands().iter().any(|c| {
            c.action.as_package().is_some_and(|p| {
                matches!(
                    p.operation,
                    PackageOperation::Install
                        | PackageOperation::Fetch
                        | PackageOperation::Upgrade
                        | PackageOperation::DistUpgrade
                )
            })
        })
    })
}

/// Whether instruction `index` references variable `name` (in a RUN: its scripts).
fn references(cx: &Checker<'_>, index: usize, name: &str) -> bool {
    let lexer = cx.model().lexer();
    let uses = |text: &str| {
        text.contains(name)
            && lexer
                .analyze(text)
                .is_ok_and(|info| info.names().contains(&name))
    };
    match cx.model().run(index) {
        Some(run) => run.scripts.iter().any(|s| uses(&s.text)),
        None => cx
            .instruction(index)
            .is_some_and(|inst| uses(&inst.syntax.args_text())),
    }
}

impl Check for VolatileArgBeforeExpensiveStep {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let lexer = model.lexer();
        for stage in &model.stages {
            // (name, span, instruction) of each volatile declaration.
            let mut declarations: Vec<(String, Span, usize, &str)> = Vec::new();
            let mut volatile_names: Vec<String> = Vec::new();
            for index in stage.instructions.clone() {
                let Some(inst) = cx.instruction(index) else {
                    continue;
                };
                match inst.kind() {
                    InstructionKind::Arg => {
                        for decl in inst.syntax.as_arg().unwrap_or_default() {
                            let default = decl.default.as_ref().map(|d| d.text.as_ref());
                            if is_volatile_name(&decl.name.text) && !pins_value(default) {
                                volatile_names.push(decl.name.text.to_string());
                                declarations.push((
                                    decl.name.text.to_string(),
                                    decl.name.span,
                                    index,
                                    "ARG",
                                ));
                            }
                        }
                    }
                    InstructionKind::Env => {
                        for pair in inst.syntax.as_env().unwrap_or_default() {
                            let from_volatile = lexer.analyze(&pair.value.text).is_ok_and(|info| {
                                info.names()
                                    .iter()
                                    .any(|n| volatile_names.iter().any(|v| v == n))
                            });
                            let named =
                                is_volatile_name(&pair.key.text) && pair.value.text.contains('$');
                            if from_volatile || named {
                                declarations.push((
                                    pair.key.text.to_string(),
                                    pair.key.span,
                                    index,
                                    "ENV",
                                ));
                            }
                        }
                    }
                    _ => {}
                }
            }
            for (name, span, at, keyword) in declarations {
                // The first package install before the value's first use: moving the
                // declaration below it keeps the install cached.
                let mut expensive = None;
                for i in at + 1..stage.instructions.end {
                    if references(cx, i, &name) {
                        break;
                    }
                    let onbuild = cx.instruction(i).is_some_and(|inst| inst.facts.onbuild);
                    if !onbuild && model.run(i).is_some_and(installs_packages) {
                        expensive = Some(i);
                        break;
                    }
                }
                let Some(expensive) = expensive else {
                    continue;
                };
                let line = cx
                    .instruction(expensive)
                    .map_or(0, |i| cx.position(i.syntax.span().start).line);
                cx.report(
                    span,
                    format!(
                        "`{keyword} {name}` changes on every build and makes every later RUN of the stage miss the cache, including the package install on line {line}, which does not use it; declare it below the installs, just before its first use"
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_volatile_name, pins_value};

    #[test]
    fn volatile_names() {
        for name in [
            "GIT_SHA",
            "COMMIT_SHA",
            "GIT_COMMIT",
            "VCS_REF",
            "BUILD_DATE",
            "BUILD_TIMESTAMP",
            "SOURCE_DATE_EPOCH",
            "REVISION",
            "BUILD_NUMBER",
            "CI_PIPELINE_ID",
            "GITHUB_RUN_ID",
        ] {
            assert!(is_volatile_name(name), "{name}");
        }
        for name in [
            "SHA",
            "SHA256",
            "NODE_VERSION",
            "CACHEBUST",
            "DATE_FORMAT",
            "TZ",
        ] {
            assert!(!is_volatile_name(name), "{name}");
        }
        assert!(pins_value(Some("0123456789abcdef0123456789abcdef01234567")));
        assert!(!pins_value(Some("HEAD")));
        assert!(!pins_value(None));
    }
}
