use crate::prelude::*;

crate::declare_rule! {
    /// Flags `yum install` (or remove, upgrade) without `-y`, which stops at a prompt.
    ///
    /// ## Why
    /// yum asks "Is this ok [y/N]" before changing packages. A build has no terminal, so
    /// yum reads end of input, answers no and exits with an error: the build fails.
    ///
    /// `-y`, `--assumeyes` and `--assume-yes` count.
    ///
    /// ## Differences from hadolint (DL3030)
    /// hadolint checks `install`, `groupinstall` and `localinstall` only, and misses `yum`
    /// called through `sudo`, by path or inside `sh -c`; those findings carry no hadolint
    /// equivalent.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yum install httpd-2.4.6 && yum clean all
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN yum install -y httpd-2.4.6 && yum clean all
    /// ```
    ///
    /// ## Fix
    /// Safe: `-y` is added after the subcommand.
    pub struct YumWithoutYes {
        code: "DW1105",
        name: "yum-without-yes",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3030",
        fix: Safe,
    }
}

impl Check for YumWithoutYes {
    fn check(cx: &mut Checker<'_>) {
        report_without_yes(
            cx,
            &[PackageManager::Yum],
            &["install", "groupinstall", "localinstall"],
        );
    }
}

/// Reports package-changing commands of `managers` that would ask for confirmation.
/// `hadolint_subcommands` are those hadolint checks.
pub(crate) fn report_without_yes(
    cx: &mut Checker<'_>,
    managers: &[PackageManager],
    hadolint_subcommands: &[&str],
) {
    let mut found: Vec<(Span, String, Edit, bool)> = Vec::new();
    for (command, package) in cx.package_commands() {
        if !managers.contains(&package.manager)
            || !matches!(
                package.operation,
                PackageOperation::Install
                    | PackageOperation::Remove
                    | PackageOperation::Upgrade
                    | PackageOperation::DistUpgrade
                    | PackageOperation::Autoremove
            )
            || package.has(PackageFlagKind::AssumeYes)
        {
            continue;
        }
        let Some(subcommand) = &package.subcommand else {
            continue;
        };
        let program = command
            .command
            .program_name()
            .unwrap_or_default()
            .to_string();
        let (edit, option) = if package.manager == PackageManager::Zypper {
            // A global option, valid before every subcommand.
            let Some(word) = &command.command.program else {
                continue;
            };
            (
                Edit::insert(command.file_span(word.span).end, " --non-interactive"),
                "--non-interactive",
            )
        } else {
            (
                Edit::insert(command.file_span(subcommand.span).end, " -y"),
                "-y",
            )
        };
        let message = format!(
            "`{program} {}` without `{option}` stops at a confirmation prompt; add `{option}`",
            subcommand.text
        );
        let sees = hadolint_sees(&command)
            && command
                .command
                .arguments()
                .iter()
                .any(|w| hadolint_subcommands.contains(&w.text.as_str()));
        found.push((command.span(), message, edit, sees));
    }
    for (span, message, edit, sees) in found {
        let diagnostic = cx.report(span, message);
        let option = if edit.replacement.contains("non-interactive") {
            "add `--non-interactive`"
        } else {
            "add `-y`"
        };
        diagnostic.set_fix(Fix::safe(option, vec![edit]));
        hadolint_if(diagnostic, sees);
    }
}
