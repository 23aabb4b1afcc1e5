use crate::prelude::*;

crate::declare_rule! {
    /// Flags downloads and package installs with TLS certificate or signature checks
    /// turned off.
    ///
    /// ## Why
    /// `curl -k`, `wget --no-check-certificate`, `pip --trusted-host`, `npm config set
    /// strict-ssl false`, `apt-get --allow-unauthenticated`, `yum --nogpgcheck`, `apk
    /// --allow-untrusted` and `git -c http.sslVerify=false` accept whatever a network
    /// attacker, a hijacked mirror or a misconfigured proxy serves, and bake it into the
    /// image. The usual reason, a corporate proxy with its own CA, is fixed by adding the CA
    /// (`COPY corp-ca.crt /usr/local/share/ca-certificates/ && update-ca-certificates`, or a
    /// `--mount=type=secret` for the build), not by turning verification off. The setting
    /// also stays in the image when it is written to a config file (`npm config set`, `git
    /// config --global`), where every later install inherits it. `ENV
    /// NODE_TLS_REJECT_UNAUTHORIZED=0`, `GIT_SSL_NO_VERIFY`, `PYTHONHTTPSVERIFY=0` and
    /// `NPM_CONFIG_STRICT_SSL=false` do the same for everything the image runs.
    ///
    /// Every stage is checked: a builder stage that fetches unverified code passes it on
    /// through `COPY --from`. Options are recognised in any spelling and order, through
    /// `sudo`/`env` and `sh -c`.
    ///
    /// hadolint has no such check (it only pins versions); Checkov flags `curl -k`/`wget
    /// --no-check-certificate` and `--allow-unauthenticated`/`--nogpgcheck` by regular
    /// expression over the RUN text, which misses `-sSkL`-style combined flags and `sh -c`
    /// scripts and flags the words inside comments and echo strings.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSLk https://example.com/tool.tar.gz | tar -xz
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY corp-ca.crt /usr/local/share/ca-certificates/
    /// RUN update-ca-certificates && curl -fsSL https://example.com/tool.tar.gz | tar -xz
    /// ```
    pub struct VerificationDisabled {
        code: "DW4403",
        name: "verification-disabled",
        category: Security,
        severity: Warning,
    }
}

impl Check for VerificationDisabled {
    fn check(cx: &mut Checker<'_>) {
        let mut found: Vec<(Span, String)> = Vec::new();
        for command in cx.commands() {
            let program = command.command.program_name().unwrap_or_default();
            match &command.command.action {
                Action::Download(download) => {
                    if let Some(span) = download.insecure {
                        let span = command.file_span(span);
                        found.push((
                            span,
                            format!(
                                "`{program}` with `{}` accepts any certificate: whatever a proxy or attacker serves is built in; trust the CA instead",
                                cx.text(span)
                            ),
                        ));
                    }
                }
                Action::Package(package) => {
                    // `apk index --allow-untrusted` indexes local packages; nothing is fetched.
                    let fetches = matches!(
                        package.operation,
                        PackageOperation::Install
                            | PackageOperation::Fetch
                            | PackageOperation::UpdateIndex
                            | PackageOperation::Upgrade
                            | PackageOperation::DistUpgrade
                            | PackageOperation::Configure
                    );
                    let flag = package.flags.iter().find(|f| {
                        f.kind == PackageFlagKind::Insecure
                            && !is_downgrade_permission(cx.text(command.file_span(f.span)))
                    });
                    if fetches && let Some(flag) = flag {
                        let span = command.file_span(flag.span);
                        found.push((
                            span,
                            format!(
                                "`{program}` with `{}` turns off certificate or signature checks: unverified packages reach the image",
                                cx.text(span).trim()
                            ),
                        ));
                    }
                }
                _ if command.command.assignments.iter().any(|a| {
                    a.value
                        .as_scalar()
                        .is_some_and(|v| env_turns_off_verification(&a.name, &v.text))
                }) =>
                {
                    let assignment = command.command.assignments.iter().find(|a| {
                        a.value
                            .as_scalar()
                            .is_some_and(|v| env_turns_off_verification(&a.name, &v.text))
                    });
                    if let Some(assignment) = assignment {
                        let span = command.file_span(assignment.span);
                        found.push((
                            span,
                            format!(
                                "`{}` turns off certificate checks for `{program}`",
                                cx.text(span)
                            ),
                        ));
                    }
                }
                _ if program == "git" => {
                    if let Some(span) = git_ssl_verify_off(command.command) {
                        let span = command.file_span(span);
                        found.push((
                            span,
                            "`git` with `http.sslVerify` off accepts any certificate: the code cloned is unverified".to_string(),
                        ));
                    }
                }
                _ => {}
            }
        }
        let model = cx.model();
        for inst in cx.instructions_of(InstructionKind::Env) {
            let Some(pairs) = inst.syntax.as_env() else {
                continue;
            };
            for pair in pairs {
                let name = pair.key.as_str().trim_matches(['"', '\'']);
                let value = model
                    .expand_at(inst.index, pair.value.as_str())
                    .map(|e| e.value)
                    .unwrap_or_else(|_| pair.value.as_str().to_string());
                if env_turns_off_verification(name, &value) {
                    found.push((
                        Span::new(pair.key.span.start, pair.value.span.end.max(pair.key.span.end)),
                        format!(
                            "`{name}={value}` turns off certificate checks for everything the image runs"
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

/// The argument that turns `http.sslVerify` off in a git command: `git -c
/// http.sslVerify=false ...` or `git config [--global] http.sslVerify false`.
fn git_ssl_verify_off(command: &SimpleCommand) -> Option<dockwright_model::dockwright_shell::Span> {
    let args = command.arguments();
    let is_key = |key: &str| {
        let key = key.to_ascii_lowercase();
        key.starts_with("http.") && key.ends_with(".sslverify")
    };
    let off = |value: &str| {
        matches!(
            value.to_ascii_lowercase().as_str(),
            "false" | "0" | "no" | "off"
        )
    };
    let mut words = args.iter().peekable();
    let mut config = false;
    while let Some(word) = words.next() {
        let text = word.text.as_str();
        if text == "-c" {
            if let Some(setting) = words.next()
                && let Some((key, value)) = setting.text.split_once('=')
                && is_key(key)
                && off(value)
            {
                return Some(setting.span);
            }
            continue;
        }
        if text == "config" {
            config = true;
            continue;
        }
        if config && is_key(text) {
            return words.next().filter(|value| off(&value.text)).map(|value| {
                dockwright_model::dockwright_shell::Span::new(word.span.start, value.span.end)
            });
        }
    }
    None
}

/// apt's `--allow-downgrades`, `--allow-remove-essential` and `--allow-change-held-packages`
/// permit package changes, not unverified packages.
fn is_downgrade_permission(option: &str) -> bool {
    let option = option.trim();
    option.starts_with("--allow-")
        && !option.contains("unauthenticated")
        && !option.contains("untrusted")
        && !option.contains("insecure")
}

/// Whether an environment variable turns TLS verification off for the programs that read it.
fn env_turns_off_verification(name: &str, value: &str) -> bool {
    let value = value.trim_matches(['"', '\'']).to_ascii_lowercase();
    match name {
        "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => value == "0",
        "GIT_SSL_NO_VERIFY" => !value.is_empty() && !matches!(value.as_str(), "0" | "false"),
        "NPM_CONFIG_STRICT_SSL" | "npm_config_strict_ssl" | "YARN_STRICT_SSL" => {
            matches!(value.as_str(), "false" | "0")
        }
        _ => false,
    }
}
