use super::dw5102_apk_unpinned::{summary, variable_packages};
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `yum install` of packages without a version.
    ///
    /// ## Why
    /// Without `package-version` each build installs the newest package in the enabled
    /// repositories that day: two builds of the same Dockerfile differ, and an update can
    /// break the image with no change to the Dockerfile.
    ///
    /// A version is a `-` followed by a digit (`httpd-2.4.57`, `java-17-openjdk`); local
    /// and remote `.rpm` files are pinned; group installs (`yum group install`,
    /// `groupinstall`) name groups, not packages. Packages given by a variable are judged
    /// by the variable's value when the script assigns it or an ARG/ENV sets it; otherwise
    /// they are not judged.
    ///
    /// ## Differences from hadolint (DL3033)
    /// hadolint takes every `$VARIABLE` package whose variable the file declares as
    /// pinned, whatever its value, and flags group names. It misses `yum` called through
    /// `sudo`, by path or inside `sh -c` (those findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yum install -y httpd && yum clean all
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN yum install -y httpd-2.4.57 && yum clean all
    /// ```
    pub struct YumUnpinned {
        code: "DW5103",
        name: "yum-unpinned",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3033",
    }
}

impl Check for YumUnpinned {
    fn check(cx: &mut Checker<'_>) {
        report_rpm_unpinned(cx, &[PackageManager::Yum], "yum");
    }
}

/// Reports install commands of `managers` (rpm package names) with unpinned packages.
pub(crate) fn report_rpm_unpinned(cx: &mut Checker<'_>, managers: &[PackageManager], tool: &str) {
    let mut found: Vec<(Span, String, bool)> = Vec::new();
    for (command, package) in cx.package_commands() {
        if !managers.contains(&package.manager) || package.operation != PackageOperation::Install {
            continue;
        }
        let Some(subcommand) = &package.subcommand else {
            continue;
        };
        if is_group_install(&command, subcommand.span) || subcommand.text == "groupinstall" {
            continue;
        }
        let mut unpinned: Vec<String> = Vec::new();
        for arg in &package.packages {
            if arg.kind == PackageArgKind::Variable {
                let values = variable_packages(cx, &command, &arg.text).unwrap_or_default();
                unpinned.extend(
                    values
                        .split_whitespace()
                        .filter(|w| !rpm_word_is_pinned(w))
                        .map(str::to_string),
                );
            } else if !arg.is_pinned() {
                unpinned.push(arg.name.clone());
            }
        }
        if unpinned.is_empty() {
            continue;
        }
        let program = command.command.program_name().unwrap_or(tool).to_string();
        let message = format!(
            "`{program} install` without versions: {}; pin them as `package-version`",
            summary(&unpinned)
        );
        found.push((command.span(), message, hadolint_sees(&command)));
    }
    for (span, message, sees) in found {
        let diagnostic = cx.report(span, message);
        hadolint_if(diagnostic, sees);
    }
}

/// `yum group install`, `dnf groups install`: the word before the verb is `group(s)`.
fn is_group_install(
    command: &ScriptCommand<'_>,
    subcommand: dockwright_model::dockwright_shell::Span,
) -> bool {
    let words = &command.command.words;
    words
        .iter()
        .position(|w| w.span == subcommand)
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| words.get(i))
        .is_some_and(|w| matches!(w.text.as_str(), "group" | "groups"))
}

/// Whether an rpm package word names a version (`name-1.2`) or a file.
fn rpm_word_is_pinned(word: &str) -> bool {
    let bytes = word.as_bytes();
    word.ends_with(".rpm")
        || word.starts_with('-')
        || (1..bytes.len())
            .any(|i| bytes[i] == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
}
