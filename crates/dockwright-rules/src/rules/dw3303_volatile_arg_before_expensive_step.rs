use crate::prelude::*;

crate::declare_rule! {
    /// Flags an `ARG` or `ENV` whose value changes on every build (build date, commit SHA,
    /// build number) declared before an expensive `RUN` (package or dependency install,
    /// compilation) of the same stage.
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
    /// Volatile values are recognised by name: a `_`-separated word `COMMIT`, `SHA`,
    /// `REVISION`, `TIMESTAMP`, `DATE`, `TIME` or `EPOCH`, `VCS_REF`/`GIT_REF`, or
    /// `BUILD_NUMBER`/`BUILD_ID`/`RUN_ID`/`PIPELINE_ID`, or an `ENV` whose value references
    /// such an ARG. Neither hadolint nor BuildKit has this check.
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
    [
        "COMMIT",
        "SHA",
        "REVISION",
        "TIMESTAMP",
        "DATE",
        "TIME",
        "EPOCH",
    ]
    .iter()
    .any(|w| has(w))
        || pair("VCS", "REF")
        || pair("GIT", "REF")
        || pair("BUILD", "NUMBER")
        || pair("BUILD", "ID")
        || pair("RUN", "ID")
        || pair("PIPELINE", "ID")
        || has("BUILDNUMBER")
        || has("GITSHA")
}

/// Whether a RUN does expensive work: installs or fetches packages or dependencies, or
/// compiles.
fn is_expensive(run: &RunFacts) -> bool {
    run.scripts.iter().any(|s| {
        s.commands().iter().any(|c| match &c.action {
            Action::Package(p) => matches!(
                p.operation,
                PackageOperation::Install
                    | PackageOperation::Fetch
                    | PackageOperation::Upgrade
                    | PackageOperation::DistUpgrade
            ),
            Action::Build(_) => true,
            _ => false,
        })
    })
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
                            if is_volatile_name(&decl.name.text) {
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
                let expensive = (at + 1..stage.instructions.end).find_map(|i| {
                    let run = model.run(i)?;
                    let inst = cx.instruction(i)?;
                    (!inst.facts.onbuild && is_expensive(run)).then_some(i)
                });
                let Some(expensive) = expensive else {
                    continue;
                };
                let line = cx
                    .instruction(expensive)
                    .map_or(0, |i| cx.position(i.syntax.span().start).line);
                cx.report(
                    span,
                    format!(
                        "`{keyword} {name}` changes on every build and makes every later RUN of the stage miss the cache, including the expensive one on line {line}; declare it after the expensive steps, just before its first use"
                    ),
                );
            }
        }
    }
}
