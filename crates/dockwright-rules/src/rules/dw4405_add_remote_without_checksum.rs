use crate::prelude::*;

crate::declare_rule! {
    /// Flags `ADD https://...` without `--checksum`.
    ///
    /// ## Why
    /// `ADD` of a URL puts whatever the server returns into the image, with no check: a
    /// replaced release asset or a compromised host is built in silently, and the build is
    /// not reproducible. `ADD --checksum=sha256:...` (Dockerfile syntax 1.6+) makes the
    /// build fail when the content changes. Git sources (`ADD https://host/repo.git#ref`,
    /// `git@...`) are not judged here: they are pinned by a commit in the fragment.
    ///
    /// The URL is read after ARG/ENV expansion, so `ADD ${BASE_URL}/tool.tar.gz` is seen.
    /// hadolint has no such check (DL3020 only says to prefer COPY for local files); Checkov
    /// flags every `ADD`, checksum or not.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD https://github.com/tini/releases/download/v0.19.0/tini /tini
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ADD --checksum=sha256:93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c \
    ///     https://github.com/tini/releases/download/v0.19.0/tini /tini
    /// ```
    pub struct AddRemoteWithoutChecksum {
        code: "DW4405",
        name: "add-remote-without-checksum",
        category: Security,
        severity: Warning,
    }
}

impl Check for AddRemoteWithoutChecksum {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let mut found = Vec::new();
        for inst in cx.instructions_of(InstructionKind::Add) {
            let Some(add) = inst.syntax.as_copy() else {
                continue;
            };
            if add.checksum.is_some() || add.from.is_some() {
                continue;
            }
            for source in &add.sources {
                let CopySource::Path(word) = source else {
                    continue;
                };
                let url = model
                    .expand_at(inst.index, word.as_str())
                    .map(|e| e.value)
                    .unwrap_or_else(|_| word.as_str().to_string());
                if is_plain_http_url(&url) {
                    found.push((
                        word.span,
                        format!(
                            "`ADD {url}` builds in whatever the server returns; add `--checksum=sha256:...` so a changed file fails the build"
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

/// An http(s) URL of a file (not a git repository, which BuildKit clones and pins by ref).
fn is_plain_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return false;
    }
    let path = lower.split(['#', '?']).next().unwrap_or(&lower);
    !path.ends_with(".git") && !lower.contains(".git#")
}

#[cfg(test)]
mod tests {
    use super::is_plain_http_url;

    #[test]
    fn urls() {
        assert!(is_plain_http_url("https://example.com/a.tar.gz"));
        assert!(is_plain_http_url("HTTP://example.com/x?y=1"));
        assert!(!is_plain_http_url(
            "https://github.com/moby/buildkit.git#v0.12"
        ));
        assert!(!is_plain_http_url("git@github.com:moby/buildkit.git"));
        assert!(!is_plain_http_url("app.tar.gz"));
    }
}
