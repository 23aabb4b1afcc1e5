use crate::prelude::*;

crate::declare_rule! {
    /// Flags ARG defaults and ENV values that are credentials: access tokens with a known
    /// format (GitHub, GitLab, AWS, Slack, Stripe, npm, PyPI, Google, OpenAI), private keys,
    /// and URLs with a password in them.
    ///
    /// ## Why
    /// An ARG default and an ENV value are written into the image's history and config:
    /// `docker history` and `docker inspect` show them to anyone who can pull the image, and
    /// they stay in every registry and cache the image passes through. A token committed in
    /// the Dockerfile is also in the repository. Pass it at build time as a secret (`RUN
    /// --mount=type=secret,id=token,env=TOKEN ...`) and rotate the one that leaked.
    ///
    /// BuildKit's `SecretsUsedInArgOrEnv` (and dockwright's twin of it) judges the *name*
    /// (`ARG GITHUB_TOKEN`), with or without a value; this rule judges the *value*, so it
    /// finds `ARG PIP_INDEX_URL=https://user:s3cret@pypi.example.com/simple` or `ENV
    /// HF=hf_...` whose names say nothing, and does not fire on `ARG TOKEN` without a
    /// default. Placeholders (`changeme`, `${VAR}`, `<token>`, `xxx`) are not values.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG NPM_AUTH=npm_4f8Q2xZk9LmN3pR7sT1vW5yB0cD6eF8gH2jK
    /// RUN npm config set //registry.npmjs.org/:_authToken "$NPM_AUTH" && npm ci
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npm,env=NPM_AUTH \
    ///     npm config set //registry.npmjs.org/:_authToken "$NPM_AUTH" && npm ci
    /// ```
    pub struct SecretValueInArgOrEnv {
        code: "DW4408",
        name: "secret-value-in-arg-or-env",
        category: Security,
        severity: Error,
    }
}

impl Check for SecretValueInArgOrEnv {
    fn check(cx: &mut Checker<'_>) {
        let mut found = Vec::new();
        for inst in cx.instructions() {
            let values: Vec<(String, Span, String)> = if let Some(decls) = inst.syntax.as_arg() {
                decls
                    .iter()
                    .filter_map(|d| {
                        d.default.as_ref().map(|v| {
                            (
                                format!("ARG {}", d.name.as_str()),
                                v.span,
                                unquote(v.as_str()),
                            )
                        })
                    })
                    .collect()
            } else if let Some(pairs) = inst.syntax.as_env() {
                pairs
                    .iter()
                    .map(|p| {
                        (
                            format!("ENV {}", p.key.as_str()),
                            p.value.span,
                            unquote(p.value.as_str()),
                        )
                    })
                    .collect()
            } else {
                continue;
            };
            for (what, span, value) in values {
                if let Some(kind) = secret_kind(&value) {
                    found.push((
                        span,
                        format!(
                            "`{what}` holds {kind}: it is readable in the image's history and config by anyone who pulls it; pass it with `RUN --mount=type=secret` and rotate it"
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

fn unquote(value: &str) -> String {
    let v = value.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    v.to_string()
}

/// Token formats: a prefix, and the minimum length of the rest (letters, digits, `_`, `-`).
const TOKEN_PREFIXES: &[(&str, usize, &str)] = &[
    ("ghp_", 30, "a GitHub token"),
    ("gho_", 30, "a GitHub token"),
    ("ghs_", 30, "a GitHub token"),
    ("ghu_", 30, "a GitHub token"),
    ("github_pat_", 40, "a GitHub token"),
    ("glpat-", 20, "a GitLab token"),
    ("xoxb-", 20, "a Slack token"),
    ("xoxp-", 20, "a Slack token"),
    ("sk_live_", 20, "a Stripe secret key"),
    ("rk_live_", 20, "a Stripe key"),
    ("npm_", 30, "an npm token"),
    ("pypi-", 50, "a PyPI token"),
    ("hf_", 30, "a Hugging Face token"),
    ("sk-proj-", 30, "an OpenAI key"),
    ("AIza", 35, "a Google API key"),
    ("dop_v1_", 40, "a DigitalOcean token"),
];

/// What kind of credential `value` is, if it is one.
fn secret_kind(value: &str) -> Option<&'static str> {
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if value.contains('$') {
        // Built from other variables: the secret, if any, is elsewhere.
        return None;
    }
    for (prefix, min, kind) in TOKEN_PREFIXES {
        if let Some(rest) = value.strip_prefix(prefix)
            && rest.len() >= *min
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && rest.chars().any(|c| c.is_ascii_digit())
        {
            return Some(kind);
        }
    }
    if is_aws_access_key(value) {
        return Some("an AWS access key id");
    }
    if url_password(value).is_some_and(|p| !is_placeholder(p)) {
        return Some("a URL with a password");
    }
    None
}

fn is_aws_access_key(value: &str) -> bool {
    ["AKIA", "ASIA"].iter().any(|p| {
        value.strip_prefix(p).is_some_and(|rest| {
            rest.len() == 16
                && rest
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
    })
}

/// The password of `scheme://user:password@host...`.
fn url_password(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    (!password.is_empty()).then_some(password)
}

fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.starts_with('<')
        || lower.starts_with('{')
        || lower.starts_with('%')
        || lower.chars().all(|c| c == 'x' || c == '*')
        || matches!(
            lower.as_str(),
            "password" | "pass" | "changeme" | "secret" | "token" | "example" | "dummy" | "test"
        )
}

#[cfg(test)]
mod tests {
    use super::secret_kind;

    #[test]
    fn values() {
        assert!(secret_kind("ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8").is_some());
        assert!(secret_kind("AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(secret_kind("https://bob:s3cr3t@pypi.example.com/simple").is_some());
        assert!(secret_kind("https://bob:${PASS}@pypi.example.com/simple").is_none());
        assert!(secret_kind("https://user:<password>@host/").is_none());
        assert!(secret_kind("https://pypi.org/simple").is_none());
        assert!(secret_kind("npm_install").is_none());
        assert!(secret_kind("hf_home").is_none());
        assert!(secret_kind("production").is_none());
    }
}
