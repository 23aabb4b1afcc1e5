use crate::prelude::*;

crate::declare_rule! {
    /// Flags a downloaded script run straight from the network: `curl ... | sh`, `wget -O-
    /// ... | bash`, `sh -c "$(curl ...)"`, `bash <(curl ...)`.
    ///
    /// ## Why
    /// Whatever the server returns at build time is executed as root, with no chance to
    /// check it: a compromised host, a changed installer or a truncated transfer (the shell
    /// runs the half it received) all end up in the image, and the build is not
    /// reproducible. Download to a file, verify it against a known checksum, then run it:
    /// the checksum pins the exact script that was reviewed.
    ///
    /// The pipe is found in the parsed script (any pipeline element that is an interpreter:
    /// `sh`, `bash`, `python`, `perl`, ...; command and process substitutions included),
    /// in every stage, since a builder stage's output is copied into the image.
    ///
    /// hadolint only asks for `set -o pipefail` on such pipes (DL4006); Checkov's
    /// CKV2_DOCKER checks match the RUN text and miss `sh -c "$(curl ...)"`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://get.example.com/install.sh | sh
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN curl -fsSLo /tmp/install.sh https://get.example.com/install.sh \
    ///     && echo "3f1c...  /tmp/install.sh" | sha256sum -c - \
    ///     && sh /tmp/install.sh && rm /tmp/install.sh
    /// ```
    pub struct RemoteScriptPipedToShell {
        code: "DW4404",
        name: "remote-script-piped-to-shell",
        category: Security,
        severity: Warning,
    }
}

impl Check for RemoteScriptPipedToShell {
    fn check(cx: &mut Checker<'_>) {
        let mut found = Vec::new();
        for command in cx.commands() {
            let Action::Download(download) = &command.command.action else {
                continue;
            };
            let Some(interpreter) = &download.piped_into else {
                continue;
            };
            let tool = command.command.program_name().unwrap_or("curl");
            let url = download
                .urls
                .first()
                .map(|u| format!(" {}", u.text))
                .unwrap_or_default();
            found.push((
                command.span(),
                format!(
                    "`{tool}{url}` is run by `{}` as downloaded, unverified; save it, check its sha256, then run it",
                    interpreter.text
                ),
            ));
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}
