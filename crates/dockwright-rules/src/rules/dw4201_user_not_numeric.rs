use crate::prelude::*;

crate::declare_rule! {
    /// Flags a `USER` given as a name rather than a numeric uid.
    ///
    /// ## Why
    /// A user name only means something inside the image's `/etc/passwd`. The host, a
    /// volume's owner and Kubernetes' `runAsNonRoot` check see numbers: with `USER app`
    /// the kubelet cannot tell whether the container runs as root and refuses to start
    /// it, and files written to mounted volumes get whatever uid `app` happens to have in
    /// this image. `USER 10001` (or `10001:10001`) says what the process will be.
    ///
    /// Variables are resolved: `USER ${APP_UID}` with `ARG APP_UID=10001` is numeric and
    /// not flagged, `USER $APP_USER` with `ENV APP_USER=app` is a name and flagged. A value
    /// that depends on a variable without a value is not judged. The group after `:` is
    /// not judged.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN useradd --uid 10001 app
    /// USER app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN useradd --uid 10001 app
    /// USER 10001
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3066 (2.15.1) reads the value as written and skips any `USER` that
    /// mentions an ARG declared earlier, whatever its value: `USER $APP_USER` with
    /// `ARG APP_USER=app` is flagged here only (no hadolint equivalent is claimed), and
    /// `USER $UID` with `ENV UID=1000` only there. Like hadolint 2.15.1, every `USER` is
    /// judged, not only the one the image ends with.
    pub struct UserNotNumeric {
        code: "DW4201",
        name: "user-not-numeric",
        category: Security,
        severity: Info,
        hadolint: "DL3066",
    }
}

impl Check for UserNotNumeric {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let mut args_declared: Vec<String> = Vec::new();
        for inst in cx.instructions() {
            if let Some(decls) = inst.syntax.as_arg() {
                args_declared.extend(decls.iter().map(|d| d.name.text.to_string()));
                continue;
            }
            if inst.kind() != InstructionKind::User {
                continue;
            }
            let Some(word) = inst.syntax.as_value() else {
                continue;
            };
            let written = word.text.trim();
            let written_uid = written.split(':').next().unwrap_or("");
            if written_uid.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let Ok(expansion) = model.expand_at(inst.index, written_uid) else {
                continue;
            };
            if expansion.references.iter().any(|r| !r.set) {
                continue;
            }
            let uid = expansion.value.trim();
            if uid.is_empty() || uid.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            // hadolint skips every value that mentions an ARG declared before it.
            let hadolint_sees = !args_declared.iter().any(|arg| mentions(written_uid, arg));
            let via = if uid == written_uid {
                String::new()
            } else {
                format!(" (`{written_uid}` resolves to `{uid}`)")
            };
            let diagnostic = cx.report(
                word.span,
                format!(
                    "USER `{uid}` is a name{via}: the host and Kubernetes' `runAsNonRoot` only see uids; use the numeric uid"
                ),
            );
            if !hadolint_sees {
                diagnostic.equivalents.hadolint = None;
            }
        }
    }
}

/// Whether `text` mentions `$name` or `${name}`.
fn mentions(text: &str, name: &str) -> bool {
    text.contains(&format!("${{{name}}}")) || text.contains(&format!("${name}"))
}
