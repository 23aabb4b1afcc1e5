use crate::prelude::*;

crate::declare_rule! {
    /// Flags `apt-get update` in a `RUN` that installs nothing, and `apt-get install` in a
    /// `RUN` that does not update the package lists first.
    ///
    /// ## Why
    /// The build cache keeps a `RUN apt-get update` layer for as long as its line is
    /// unchanged — weeks or months. A later `RUN apt-get install curl` then resolves
    /// packages against those stale lists: when the mirror has moved on, the download fails
    /// with 404s, and when it does not, the image gets old package versions without security
    /// fixes, depending on whose cache the build ran in. Updating and installing in one
    /// `RUN` makes the lists exactly as fresh as the install (Docker's best-practice guide
    /// asks for this; neither hadolint nor BuildKit checks it). An install with no update
    /// at all fails on official Debian and Ubuntu images, which ship without lists.
    ///
    /// Installs of local `.deb` files only, and `RUN`s whose package lists live in a cache
    /// mount (`--mount=type=cache,target=/var/lib/apt/lists`), are not flagged; neither is
    /// an update in a `RUN` that also runs something that may install (a script,
    /// `curl ... | sh`).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    pub struct AptUpdateNotWithInstall {
        code: "DW3302",
        name: "apt-update-not-with-install",
        category: Cache,
        severity: Warning,
    }
}

fn is_apt(manager: PackageManager) -> bool {
    program(manager).is_some()
}

/// The command name of an apt-family manager.
fn program(manager: PackageManager) -> Option<&'static str> {
    match manager {
        PackageManager::AptGet => Some("apt-get"),
        PackageManager::Apt => Some("apt"),
        PackageManager::Aptitude => Some("aptitude"),
        _ => None,
    }
}

/// Whether every command of the RUN is package bookkeeping or harmless (cleanups, shell
/// options, `export`, `echo`), so nothing in it (a script, `curl | sh`) may install.
fn only_bookkeeping(run: &RunFacts) -> bool {
    !run.scripts.is_empty()
        && run.scripts.iter().all(|s| {
            s.parsed.is_some()
                && s.commands().iter().all(|c| match &c.action {
                    Action::Package(_) | Action::Remove(_) | Action::SetOptions(_) => true,
                    _ => matches!(
                        c.program_name(),
                        Some("export" | "echo" | "true" | ":" | "printf")
                    ),
                })
        })
}

impl Check for AptUpdateNotWithInstall {
    fn check(cx: &mut Checker<'_>) {
        let runs: Vec<&RunFacts> = cx.runs().map(|(_, run)| run).collect();
        for run in runs {
            if run.mount_covers("/var/lib/apt/lists") {
                continue;
            }
            let packages: Vec<(Span, &PackageCommand)> = run
                .scripts
                .iter()
                .flat_map(|s| {
                    s.commands().into_iter().filter_map(move |c| {
                        c.action
                            .as_package()
                            .filter(|p| is_apt(p.manager))
                            .map(|p| (s.span_in_file(c.span), p))
                    })
                })
                .collect();
            let update = packages
                .iter()
                .find(|(_, p)| p.operation == PackageOperation::UpdateIndex);
            let installs = |p: &PackageCommand| {
                matches!(
                    p.operation,
                    PackageOperation::Install
                        | PackageOperation::Upgrade
                        | PackageOperation::DistUpgrade
                )
            };
            match update {
                Some((span, update)) => {
                    if !packages.iter().any(|(_, p)| installs(p)) && only_bookkeeping(run) {
                        let apt = program(update.manager).unwrap_or("apt-get");
                        cx.report(
                            *span,
                            format!("`{apt} update` in a RUN that installs nothing: the cache keeps these lists while later installs go stale; update in the RUN that installs"),
                        );
                    }
                }
                None => {
                    let install = packages.iter().find(|(_, p)| {
                        p.operation == PackageOperation::Install
                            && p.packages.iter().any(|a| {
                                !matches!(a.kind, PackageArgKind::File | PackageArgKind::Directory)
                            })
                    });
                    if let Some((span, install)) = install {
                        let apt = program(install.manager).unwrap_or("apt-get");
                        cx.report(
                            *span,
                            format!("`{apt} install` without `{apt} update` in the same RUN: it uses lists from an earlier, cached layer (stale) or none at all; run `{apt} update &&` first"),
                        );
                    }
                }
            }
        }
    }
}
