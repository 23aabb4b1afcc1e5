use crate::prelude::*;

crate::declare_rule! {
    /// Flags interactive and debugging tools (`vim`, `nano`, `emacs`, `strace`, `gdb`,
    /// `ltrace`, `tcpdump`, `nmap`, `telnet`, `netcat`, ...) that a system package manager
    /// installs in a stage that becomes the image (info).
    ///
    /// ## Why
    /// An editor, a debugger or a packet sniffer in a running container is what an
    /// attacker who gets a shell wants most: `strace`/`gdb` read other processes' memory,
    /// `tcpdump` and `nmap` watch and map the network, `netcat`/`telnet` open connections
    /// out. They also add megabytes and CVE-scanner findings (`vim` pulls in a Python or
    /// Perl runtime on some distributions). Debug a running container with `kubectl debug`
    /// / `docker debug` (an ephemeral container with the tools) or build a separate
    /// `debug` target, not in the image that ships.
    ///
    /// Only packages installed by `apt-get`/`apt`, `apk`, `dnf`, `microdnf`, `yum`,
    /// `tdnf` and `zypper` in the stage that becomes the image are judged (a builder stage
    /// may have them); a package removed again in the same `RUN` is not flagged. hadolint's
    /// DL3001 flags *running* `vim`, `ssh`, ... in a `RUN`, not installing them; dockle and
    /// BuildKit's checks do not look at installed packages.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM registry.access.redhat.com/ubi9/ubi
    /// RUN yum install -y python3 vim strace && yum clean all
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM registry.access.redhat.com/ubi9/ubi
    /// RUN yum install -y python3 && yum clean all
    /// ```
    pub struct DebugToolsInImage {
        code: "DW4502",
        name: "debug-tools-in-image",
        category: Security,
        severity: Info,
    }
}

/// Whether a system package is an interactive editor or a debugging / network probing tool.
pub(crate) fn is_debug_tool(name: &str) -> bool {
    const TOOLS: &[&str] = &[
        "vim",
        "vim-tiny",
        "vim-nox",
        "vim-minimal",
        "vim-enhanced",
        "vim-common",
        "neovim",
        "nano",
        "emacs",
        "emacs-nox",
        "joe",
        "strace",
        "ltrace",
        "gdb",
        "gdbserver",
        "valgrind",
        "tcpdump",
        "tshark",
        "wireshark",
        "nmap",
        "nmap-ncat",
        "ncat",
        "netcat",
        "netcat-openbsd",
        "netcat-traditional",
        "telnet",
        "bpftrace",
        "perf",
    ];
    TOOLS.contains(&name.trim())
}

impl Check for DebugToolsInImage {
    fn check(cx: &mut Checker<'_>) {
        let mut found = Vec::new();
        for (inst, run) in cx.runs() {
            if inst.facts.onbuild || !inst.stage().is_some_and(|s| cx.in_final_image(s)) {
                continue;
            }
            for (i, install) in run.effects.packages.iter().enumerate() {
                if !install.manager.is_system()
                    || matches!(install.manager, PackageManager::Dpkg | PackageManager::Rpm)
                    || install.operation != PackageOperation::Install
                {
                    continue;
                }
                let later = &run.effects.packages[i + 1..];
                let removed = |name: &str| {
                    later.iter().any(|p| {
                        p.operation == PackageOperation::Remove
                            && p.packages.iter().any(|r| r == name)
                    })
                };
                let tools: Vec<String> = install
                    .packages
                    .iter()
                    .filter(|p| is_debug_tool(p) && !removed(p))
                    .map(|t| format!("`{t}`"))
                    .collect();
                if tools.is_empty() {
                    continue;
                }
                found.push((
                    install.span,
                    format!(
                        "debugging and interactive tools installed in the image the build produces: {}; leave them out (debug with an ephemeral container, `kubectl debug`) or install them only in a separate debug target",
                        tools.join(", ")
                    ),
                ));
            }
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_tools() {
        for tool in ["vim", "strace", "gdb", "netcat-openbsd", "tcpdump"] {
            assert!(super::is_debug_tool(tool), "{tool}");
        }
        for other in ["curl", "python3", "vim-runtime-x", "ca-certificates"] {
            assert!(!super::is_debug_tool(other), "{other}");
        }
    }
}
