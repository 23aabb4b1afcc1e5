use super::dw5003_apt_unpinned::variable_value;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `apk add` of packages without a version.
    ///
    /// ## Why
    /// Without `package=version` (or a constraint such as `package~1.2`, `package>=1.2`),
    /// each build installs whatever the Alpine repository has that day: two builds of the
    /// same Dockerfile differ, and an update can break the image with no change to the
    /// Dockerfile. Alpine keeps only the current version of a package in each release
    /// branch, so pin with `~` (`curl~8`) when an exact pin would break on the next
    /// security update.
    ///
    /// Local `.apk` files are not flagged; the name given to `--virtual`/`-t` is a group,
    /// not a package. Packages given by a variable are judged by the variable's value when
    /// the script assigns it or an ARG/ENV sets it; otherwise they are not judged.
    ///
    /// ## Differences from hadolint (DL3018)
    /// hadolint flags every `$VARIABLE` package, whatever its value, and misses `apk`
    /// called through `sudo`, by path (`/sbin/apk`) or inside `sh -c`; those findings carry
    /// no hadolint equivalent.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk add --no-cache curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apk add --no-cache curl~8.5
    /// ```
    pub struct ApkUnpinned {
        code: "DW5102",
        name: "apk-unpinned",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3018",
    }
}

impl Check for ApkUnpinned {
    fn check(cx: &mut Checker<'_>) {
        for (command, package) in cx.package_commands() {
            if package.manager != PackageManager::Apk
                || package.operation != PackageOperation::Install
            {
                continue;
            }
            let mut unpinned: Vec<String> = Vec::new();
            for arg in &package.packages {
                if arg.kind == PackageArgKind::Variable {
                    let values = variable_packages(cx, &command, &arg.text).unwrap_or_default();
                    unpinned.extend(
                        values
                            .split_whitespace()
                            .filter(|w| !word_is_pinned(w))
                            .map(str::to_string),
                    );
                } else if !word_is_pinned(&arg.text) {
                    unpinned.push(arg.name.clone());
                }
            }
            if unpinned.is_empty() {
                continue;
            }
            let sees = hadolint_sees(&command);
            let message = format!(
                "`apk add` without versions: {}; pin them as `package=version` or `package~version`",
                summary(&unpinned)
            );
            let diagnostic = cx.report(command.span(), message);
            hadolint_if(diagnostic, sees);
        }
    }
}

/// Whether an apk package word fixes what is installed: a version constraint, or a file.
fn word_is_pinned(word: &str) -> bool {
    word.contains(['=', '~', '>', '<']) || word.ends_with(".apk") || word.starts_with('-')
}

/// The first five names in backticks, and how many more.
pub(crate) fn summary(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(5).map(|p| format!("`{p}`")).collect();
    match names.len() {
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}

/// The packages a `$VARIABLE` argument stands for: the value the script assigns or an
/// ARG/ENV sets, also through a BuildKit-style modifier (`${PACKAGES//,/ }`); `None` when
/// it is not known.
pub(crate) fn variable_packages(
    cx: &Checker<'_>,
    command: &ScriptCommand<'_>,
    text: &str,
) -> Option<String> {
    if let Some(value) = variable_value(cx, command, text) {
        return Some(value);
    }
    // A modifier on a variable the script does not assign: expand it as BuildKit would
    // with the instruction's ARG/ENV values.
    let assigned_in_script = command
        .script
        .commands()
        .into_iter()
        .flat_map(|c| c.assignments.iter())
        .any(|a| text.contains(a.name.as_str()));
    if assigned_in_script {
        return None;
    }
    let expansion = cx.model().expand_at(command.inst.index, text).ok()?;
    (!expansion.references.is_empty() && expansion.unmatched().is_empty())
        .then_some(expansion.value)
}
