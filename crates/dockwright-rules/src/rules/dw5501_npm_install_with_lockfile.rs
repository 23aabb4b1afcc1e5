use crate::prelude::*;

crate::declare_rule! {
    /// Flags `npm install` (without package arguments) in a stage that has a lock file
    /// (`package-lock.json` or `npm-shrinkwrap.json`): use `npm ci`.
    ///
    /// ## Why
    /// `npm install` treats the lock file as a hint: it resolves version ranges from
    /// `package.json` again and may install newer releases (and rewrite the lock file) when
    /// the two disagree, so two builds of the same commit can ship different dependencies.
    /// `npm ci` installs exactly what the lock file says, fails when it does not match
    /// `package.json`, and starts from an empty `node_modules`; it is also faster.
    ///
    /// The lock file is known to be there when a `COPY`/`ADD` earlier in the stage (or a
    /// stage it is built on) names it, or, with a build context, when a source it copies
    /// holds one at its top (`COPY . .` of a directory with `package-lock.json`). `npm
    /// install <package>` (adding a dependency), `npm install -g` and `npm ci` are not
    /// flagged. hadolint and BuildKit's checks do not look at lock files.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY package.json package-lock.json ./
    /// RUN npm install
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// ```
    ///
    /// ## Fix
    /// Unsafe: `install` becomes `ci`. `npm ci` fails when the lock file does not match
    /// `package.json` (where `npm install` would have updated it) and removes an existing
    /// `node_modules` first.
    pub struct NpmInstallWithLockfile {
        code: "DW5501",
        name: "npm-install-with-lockfile",
        category: Reproducibility,
        severity: Warning,
        fix: Unsafe,
    }
}

const LOCK_FILES: &[&str] = &["package-lock.json", "npm-shrinkwrap.json"];

fn is_lock_file(path: &str) -> bool {
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    LOCK_FILES.contains(&name)
}

impl Check for NpmInstallWithLockfile {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let mut found = Vec::new();
        for (command, package) in cx.package_commands() {
            if package.manager != PackageManager::Npm
                || package.operation != PackageOperation::Install
                || package.has(PackageFlagKind::Frozen)
                || package.has(PackageFlagKind::Global)
                || !package.packages.is_empty()
            {
                continue;
            }
            let Some(subcommand) = &package.subcommand else {
                continue;
            };
            let Some(stage) = command.inst.stage() else {
                continue;
            };
            let chain = stage_chain(model, stage);
            let before = command.inst.syntax.span().start;
            let Some(lock) = lock_file_copied(cx, model, &chain, before) else {
                continue;
            };
            let program = command.command.program_name().unwrap_or("npm");
            let at = command.file_span(subcommand.span);
            found.push((
                command.span(),
                format!(
                    "`{program} {}` with a lock file present (`{lock}`) may install other versions than it records; use `npm ci`",
                    subcommand.text
                ),
                Fix::unsafe_edits("use `npm ci`", vec![Edit::replace(at.start..at.end, "ci")]),
            ));
        }
        for (span, message, fix) in found {
            cx.report(span, message).set_fix(fix);
        }
    }
}

/// `stage` and the stages it is built on (`FROM stage`).
fn stage_chain(model: &Model, stage: usize) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut next = Some(stage);
    while let Some(s) = next {
        if chain.contains(&s) {
            break;
        }
        chain.push(s);
        next = model.stages.get(s).and_then(Stage::base_stage);
    }
    chain
}

/// The lock file a `COPY`/`ADD` of `chain` before offset `before` brings in, if any.
fn lock_file_copied(
    cx: &Checker<'_>,
    model: &Model,
    chain: &[usize],
    before: usize,
) -> Option<String> {
    for inst in cx.instructions() {
        if inst.syntax.span().start >= before || !inst.stage().is_some_and(|s| chain.contains(&s)) {
            continue;
        }
        let Some(copy) = inst.syntax.as_copy() else {
            continue;
        };
        for source in &copy.sources {
            let CopySource::Path(word) = source else {
                continue;
            };
            let text = model
                .expand_at(inst.index, &word.text)
                .map(|e| e.value)
                .unwrap_or_else(|_| word.text.to_string());
            if is_lock_file(&text) {
                return Some(text);
            }
        }
    }
    let facts = cx.context()?;
    for read in &facts.reads {
        if read.span.start >= before || !chain.contains(&read.stage) {
            continue;
        }
        let resolution = &read.resolution;
        // The directories (or files) the source names; the whole context is the root.
        let roots: Vec<&str> = if resolution.whole_context {
            vec![""]
        } else {
            resolution.matched.iter().map(String::as_str).collect()
        };
        for root in roots {
            let root = root.trim_end_matches('/');
            let at_top = |path: &str| {
                let rest = if root.is_empty() {
                    Some(path)
                } else if path == root {
                    Some(path.rsplit('/').next().unwrap_or(path))
                } else {
                    path.strip_prefix(root).and_then(|r| r.strip_prefix('/'))
                };
                rest.is_some_and(|r| LOCK_FILES.contains(&r))
            };
            if let Some(file) = resolution.files.iter().find(|f| at_top(&f.path)) {
                return Some(file.path.clone());
            }
        }
    }
    None
}
