use super::dw5102_apk_unpinned::{summary, variable_packages};
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `pip install` of packages without a version.
    ///
    /// ## Why
    /// Without `package==version` (or a constraint such as `>=`, `~=`), each build
    /// installs the newest release on PyPI that day: two builds of the same Dockerfile
    /// differ, and a new release (or a new release of a dependency) can break the image
    /// with no change to the Dockerfile. A requirements file with pinned versions, or a
    /// constraints file (`-c constraints.txt`), fixes them in one place.
    ///
    /// Not flagged: requirement files (`-r`), commands with a constraints file (`-c`), the
    /// project itself (`.`, `.[dev]`), local files, directories and URLs, VCS references
    /// with a revision (`git+https://...@v1.2`), editable installs (`-e`). Packages given
    /// by a variable are judged by the variable's value when the script assigns it or an
    /// ARG/ENV sets it; otherwise they are not judged.
    ///
    /// ## Differences from hadolint (DL3013)
    /// hadolint flags every `$VARIABLE` package whatever its value, and `.[dev]`; it skips
    /// a whole command that also names a requirements file or `.`, even when it installs
    /// more unpinned packages. It misses `pip` called through `sudo`, by path or inside
    /// `sh -c` (those findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install --no-cache-dir flask gunicorn
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN pip install --no-cache-dir flask==3.0.3 gunicorn==22.0.0
    /// ```
    pub struct PipUnpinned {
        code: "DW5101",
        name: "pip-unpinned",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3013",
    }
}

impl Check for PipUnpinned {
    fn check(cx: &mut Checker<'_>) {
        for (command, package) in cx.package_commands() {
            if package.manager != PackageManager::Pip
                || package.operation != PackageOperation::Install
            {
                continue;
            }
            let constrained = package
                .options
                .iter()
                .any(|o| o.is(&["-c", "--constraint"]));
            if constrained {
                continue;
            }
            let mut unpinned: Vec<String> = Vec::new();
            for arg in package.packages.iter().filter(|a| !a.editable) {
                if arg.kind == PackageArgKind::Variable {
                    let values = variable_packages(cx, &command, &arg.text).unwrap_or_default();
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
            // hadolint leaves out a command that also installs a requirements file or `.`.
            let whole_tree = package
                .packages
                .iter()
                .any(|a| a.kind == PackageArgKind::Requirements || (a.text == "." && !a.editable));
            let sees = hadolint_sees_pip_install(&command) && !whole_tree;
            let message = format!(
                "`pip install` without versions: {}; pin them as `package==version` or use a requirements file",
                summary(&unpinned)
            );
            let diagnostic = cx.report(command.span(), message);
            hadolint_if(diagnostic, sees);
        }
    }
}

/// Whether a pip requirement word fixes what is installed.
fn word_is_pinned(word: &str) -> bool {
    word.contains(['=', '<', '>', '~', '!', '@', '/'])
        || word.ends_with(".whl")
        || word.ends_with(".tar.gz")
        || word.starts_with('-')
}

/// Whether hadolint recognises this pip install: `pip* ... install ...`, or
/// `python* ... -m pip install ...` with those three words together.
pub(crate) fn hadolint_sees_pip_install(command: &ScriptCommand<'_>) -> bool {
    if !hadolint_sees(command) {
        return false;
    }
    let words: Vec<&str> = command
        .command
        .words
        .iter()
        .skip(1)
        .map(|w| w.text.as_str())
        .collect();
    let name = command.command.program_name().unwrap_or_default();
    if name.starts_with("python") {
        words.windows(3).any(|w| w == ["-m", "pip", "install"])
    } else {
        name.starts_with("pip") && words.contains(&"install")
    }
}
