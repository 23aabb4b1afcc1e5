use crate::prelude::*;

crate::declare_rule! {
    /// Flags `apt-get install` of packages without a version.
    ///
    /// ## Why
    /// Without `package=version`, each build installs whatever version the archive has that
    /// day, so two builds of the same Dockerfile differ and a package update can break the
    /// image without any change to the Dockerfile.
    ///
    /// Pinning has a cost on Debian and Ubuntu: the archive drops superseded versions, so a
    /// pin breaks the build when the version is gone (hadolint issue #999). Pin where
    /// reproducibility matters more than that, or ignore this rule (`ignore = ["DW5003"]`).
    /// Local `.deb` files and paths are not flagged; a target release
    /// (`package/bookworm-backports`) is not a version. Packages given by a variable are
    /// judged by the variable's value when the script assigns it
    /// (`buildDeps='gcc make'; apt-get install $buildDeps`) or an ARG/ENV sets it; otherwise
    /// they are not judged.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
    /// ```
    pub struct AptUnpinned {
        code: "DW5003",
        name: "apt-unpinned",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3008",
    }
}

impl Check for AptUnpinned {
    fn check(cx: &mut Checker<'_>) {
        for (command, package) in cx.package_commands() {
            if !matches!(
                package.manager,
                PackageManager::AptGet | PackageManager::Apt
            ) || package.operation != PackageOperation::Install
            {
                continue;
            }
            let mut unpinned: Vec<String> = Vec::new();
            for arg in &package.packages {
                if arg.kind == PackageArgKind::Variable {
                    let values = variable_value(cx, &command, &arg.text).unwrap_or_default();
                    unpinned.extend(
                        values
                            .split_whitespace()
                            .filter(|w| !word_is_pinned(w))
                            .map(str::to_string),
                    );
                } else if !arg.is_pinned() {
                    unpinned.push(arg.name.clone());
                }
            }
            if unpinned.is_empty() {
                continue;
            }
            let shown: Vec<String> = unpinned.iter().take(5).map(|p| format!("`{p}`")).collect();
            let more = match unpinned.len() {
                n if n > 5 => format!(" and {} more", n - 5),
                _ => String::new(),
            };
            cx.report(
                command.span(),
                format!(
                    "packages installed without a version: {}{more}; pin them as `package=version`",
                    shown.join(", ")
                ),
            );
        }
    }
}

/// Whether an apt package word fixes what is installed: `name=version`, or a local file.
fn word_is_pinned(word: &str) -> bool {
    word.contains('=')
        || word.ends_with(".deb")
        || word.starts_with('/')
        || word.starts_with("./")
        || word.starts_with("../")
        || word.starts_with('-')
        || word.contains('$')
}

/// The value of `$NAME` / `${NAME}` where `command` runs: the last assignment to it in the
/// script before the command, or else the instruction's ARG/ENV environment.
pub(crate) fn variable_value(
    cx: &Checker<'_>,
    command: &ScriptCommand<'_>,
    text: &str,
) -> Option<String> {
    let name = text.strip_prefix('$')?;
    let name = name
        .strip_prefix('{')
        .and_then(|n| n.strip_suffix('}'))
        .unwrap_or(name);
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let assigned = command
        .script
        .commands()
        .into_iter()
        .filter(|c| c.span.end <= command.command.span.start)
        .flat_map(|c| c.assignments.iter())
        .rfind(|a| a.name == name)
        .map(|a| {
            a.value
                .as_scalar()
                .and_then(|w| w.value().map(str::to_string))
        });
    match assigned {
        // Assigned in the script: its value, or unknown when it is computed.
        Some(value) => value,
        None => cx
            .model()
            .env_at(command.inst.index)
            .get(name)
            .map(str::to_string),
    }
}
