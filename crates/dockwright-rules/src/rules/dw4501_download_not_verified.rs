use super::dw2403_downloaded_archive_kept::{resolve, url_file_name};
use crate::prelude::*;

use dockwright_model::dockwright_shell::DownloadOutput;

crate::declare_rule! {
    /// Flags a file that a `RUN` downloads with `curl`/`wget` and then unpacks, installs,
    /// makes executable or runs without checking its checksum or signature.
    ///
    /// ## Why
    /// Whatever the server (or anyone between it and the build) sends becomes part of the
    /// image: a compromised mirror, a re-tagged release or a hijacked domain ships its own
    /// binary in your next build, and nothing in the build fails. A checksum written in the
    /// Dockerfile pins the exact bytes, a signature check pins the publisher; both make a
    /// changed download fail the build instead of reaching production.
    ///
    /// The downloaded file is followed by path through the `RUN` (`curl -o`/`-O`, wget's
    /// URL-named file, `-O`/`-P`, `cd`): it is *used* when `tar`/`unzip` unpacks it, a
    /// package manager installs it (`dpkg -i`, `rpm -i`, `apt-get install ./x.deb`, `pip
    /// install x.whl`), `chmod` changes its mode, a shell or interpreter runs it (`sh
    /// x.sh`, `python3 get-pip.py`) or it is run by path. Any checksum or signature check in
    /// the same `RUN` counts as verification: `sha256sum -c` (and the other `sha*sum`,
    /// `shasum`, `md5sum`, `b2sum` with `-c`/`--check`, including `echo "<hash>  f" |
    /// sha256sum -c -`), `gpg --verify`, `gpgv`, `cosign verify-blob`, `minisign -V`,
    /// `openssl dgst -verify`, `rpm --checksig`. Downloads streamed into a shell are
    /// DW4404's, `ADD <url>` without `--checksum` is DW4405's. hadolint, dockle and
    /// BuildKit's checks do not look at this.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSLo /tmp/go.tgz https://go.dev/dl/go1.22.5.linux-amd64.tar.gz \
    ///     && tar -C /usr/local -xzf /tmp/go.tgz && rm /tmp/go.tgz
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN curl -fsSLo /tmp/go.tgz https://go.dev/dl/go1.22.5.linux-amd64.tar.gz \
    ///     && echo "904b924d435eaea086515bc63235b192ea441bd8c9b198c507e85009e6e4c7f0  /tmp/go.tgz" | sha256sum -c - \
    ///     && tar -C /usr/local -xzf /tmp/go.tgz && rm /tmp/go.tgz
    /// ```
    pub struct DownloadNotVerified {
        code: "DW4501",
        name: "download-not-verified",
        category: Security,
        severity: Warning,
    }
}

impl Check for DownloadNotVerified {
    fn check(cx: &mut Checker<'_>) {
        let mut found = Vec::new();
        for (inst, _run) in cx.runs() {
            let workdir = inst
                .facts
                .workdir
                .clone()
                .unwrap_or_else(|| "/".to_string());
            let commands: Vec<ScriptCommand<'_>> = cx
                .commands()
                .filter(|c| c.inst.index == inst.index)
                .collect();
            if commands.iter().any(|c| verifies(c.command)) {
                continue;
            }
            let mut cwd = Some(workdir);
            // (path, tool, download span, how it is used)
            let mut downloads: Vec<(String, String, Span, Option<&'static str>)> = Vec::new();
            for command in &commands {
                let mut used: Vec<(String, &'static str)> = Vec::new();
                match &command.command.action {
                    Action::ChangeDirectory(cd) => {
                        cwd = match (&cwd, cd.target.as_ref()) {
                            (Some(cwd), Some(dir)) if !dir.text.contains(['$', '`', '~']) => {
                                Some(dockwright_model::path::resolve_workdir(cwd, &dir.text))
                            }
                            _ => None,
                        };
                    }
                    Action::Download(download) => {
                        let remote = download.urls.first().filter(|u| {
                            let url = u.text.to_ascii_lowercase();
                            !url.starts_with("file:")
                        });
                        let Some(url) = remote else {
                            continue;
                        };
                        let name = match &download.output {
                            DownloadOutput::File(file) => Some(file.text.clone()),
                            DownloadOutput::RemoteName => url_file_name(&url.text),
                            DownloadOutput::Directory(dir) => {
                                url_file_name(&url.text).map(|n| format!("{}/{n}", dir.text))
                            }
                            DownloadOutput::Stdout => None,
                        };
                        if let Some(path) = name
                            .filter(|n| !n.contains(['$', '~', '`']) && n != "-")
                            .and_then(|n| resolve(cwd.as_deref(), &n))
                        {
                            let tool = command.command.program_name().unwrap_or("curl").to_string();
                            downloads.push((path, tool, command.span(), None));
                        }
                    }
                    Action::Extract(extract) => {
                        if let Some(archive) = &extract.archive {
                            used.push((archive.text.clone(), "unpacks it"));
                        }
                    }
                    Action::Package(package) => {
                        for arg in package
                            .packages
                            .iter()
                            .filter(|a| a.kind == PackageArgKind::File)
                        {
                            used.push((arg.text.clone(), "installs it"));
                        }
                    }
                    Action::ChangeMode(mode)
                        if mode.mode.as_ref().is_some_and(|m| adds_execute(&m.text)) =>
                    {
                        for path in &mode.paths {
                            used.push((path.text.clone(), "makes it executable"));
                        }
                    }
                    Action::Shell(shell) => {
                        if let Some(file) = &shell.file {
                            used.push((file.text.clone(), "runs it"));
                        }
                    }
                    _ => {
                        if let Some(file) = interpreted_file(command.command) {
                            used.push((file, "runs it"));
                        }
                    }
                }
                // Run by path (`/tmp/install.sh`, `./installer`).
                if let Some(program) = &command.command.program
                    && let Some(word) = command.command.words.get(program.index)
                    && word.text.contains('/')
                {
                    used.push((word.text.clone(), "runs it"));
                }
                for (name, how) in used {
                    let Some(path) = resolve(cwd.as_deref(), &name) else {
                        continue;
                    };
                    for download in downloads.iter_mut() {
                        if download.0 == path && download.3.is_none() {
                            download.3 = Some(how);
                        }
                    }
                }
            }
            for (path, tool, span, how) in downloads {
                if let Some(how) = how {
                    found.push((
                        span,
                        format!(
                            "`{tool}` downloads `{path}` and the RUN {how} without checking a checksum or signature; verify it first (`echo \"<sha256>  {path}\" | sha256sum -c -`, or `gpg --verify`)"
                        ),
                    ));
                }
            }
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}

/// Whether a command checks a checksum or a signature.
fn verifies(command: &SimpleCommand) -> bool {
    let Some(program) = command.program_name() else {
        return false;
    };
    let args = command.arguments();
    let has = |names: &[&str]| args.iter().any(|w| names.contains(&w.text.as_str()));
    // A short-option cluster holding `letter` (`-c`, `-sc`).
    let short = |letter: char| {
        args.iter().any(|w| {
            w.text.len() > 1
                && w.text.starts_with('-')
                && !w.text.starts_with("--")
                && w.text[1..].chars().all(|c| c.is_ascii_alphanumeric())
                && w.text[1..].contains(letter)
        })
    };
    match program {
        "sha1sum" | "sha224sum" | "sha256sum" | "sha384sum" | "sha512sum" | "md5sum" | "b2sum"
        | "shasum" | "cksum" => short('c') || has(&["--check"]),
        "gpg" | "gpg2" => has(&["--verify"]),
        "gpgv" | "gpgv2" => true,
        "cosign" => has(&["verify-blob", "verify-blob-attestation", "verify"]),
        "minisign" => short('V'),
        "signify" | "signify-openbsd" => short('C') || short('V'),
        "openssl" => has(&["-verify", "-prverify"]),
        "rpm" => short('K') || has(&["--checksig"]),
        "dpkg-sig" => has(&["--verify"]),
        _ => false,
    }
}

/// Whether a `chmod` mode sets an execute bit (`+x`, `755`, `u=rwx`).
fn adds_execute(mode: &str) -> bool {
    if mode.chars().all(|c| c.is_ascii_digit()) {
        return mode.chars().any(|c| matches!(c, '1' | '3' | '5' | '7'));
    }
    mode.split(',')
        .any(|clause| !clause.contains('-') && clause.contains('x'))
}

/// The script file an interpreter runs (`python3 get-pip.py`, `perl install.pl`).
fn interpreted_file(command: &SimpleCommand) -> Option<String> {
    let program = command.program_name()?;
    let interpreter = [
        "python", "python2", "python3", "perl", "ruby", "node", "php",
    ]
    .contains(&program)
        || program.starts_with("python3.");
    if !interpreter {
        return None;
    }
    let first = command.arguments().first()?;
    (!first.text.starts_with('-')).then(|| first.text.clone())
}
