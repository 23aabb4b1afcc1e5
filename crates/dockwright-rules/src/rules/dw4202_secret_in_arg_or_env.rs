use crate::prelude::*;

crate::declare_rule! {
    /// Flags an `ARG` or `ENV` whose name says it holds a secret.
    ///
    /// ## Why
    /// `ENV` values are stored in the image configuration, and `ARG` values in the
    /// build history and provenance of every image built with them: anyone who can pull
    /// the image can read `GITHUB_TOKEN` or `DB_PASSWORD`. Pass secrets with
    /// `RUN --mount=type=secret,id=...` (or `env=` on the mount), which leaves nothing in
    /// the image.
    ///
    /// A name is flagged when it is one of the well-known secret variables
    /// (`AWS_SECRET_ACCESS_KEY`, `NPM_TOKEN`, ...) or contains `password`, `secret`,
    /// `token`, `api_key`, `client_key`, `private` or `username` (hadolint's test), or when
    /// one of its `_`-separated words is `apikey`, `auth`, `credential(s)`, `key`,
    /// `password`, `pword`, `passwd`, `secret` or `token` and none is `public`, `file` or
    /// `version` (BuildKit's test). ONBUILD `ARG`/`ENV` triggers are checked too. A name
    /// matched only as a user name (`ARG USERNAME=vscode`, hadolint's `username` test) is
    /// reported at Info level: an account name is no secret by itself, only half of a
    /// credential.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \
    ///     echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    /// ```
    ///
    /// ## Differences from hadolint and BuildKit
    /// Each finding claims only the tool whose test matches the name: `ARG SSH_KEY`
    /// matches BuildKit's (`key` is a word), not hadolint's; `ENV DB_USERNAME` and
    /// `ARG NPM_TOKEN_FILE` match hadolint's only. Names whose only secret word is `key` and that say the key is
    /// public are not flagged, though BuildKit flags them: `GPG_KEY`,
    /// `SWIFT_SIGNING_KEY`, `GHC_RELEASE_KEY` hold fingerprints used to verify downloads
    /// (and `Filters__0__Key`-style .NET configuration paths name a key, not a secret);
    /// nor are such names set to a switch (`USE_GKE_GCLOUD_AUTH_PLUGIN=True`).
    pub struct SecretInArgOrEnv {
        code: "DW4202",
        name: "secret-in-arg-or-env",
        category: Security,
        severity: Warning,
        hadolint: "DL3064",
        buildkit: "SecretsUsedInArgOrEnv",
    }
}

/// Variables well known to carry credentials (hadolint's list of names).
const KNOWN_SECRET_NAMES: &[&str] = &[
    "ACCESS_TOKEN",
    "APPLICATION_KEY",
    "APP_SECRET",
    "AUTH_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "BITTREX_API_KEY",
    "BITTREX_API_SECRET",
    "CF_PASSWORD",
    "CF_USERNAME",
    "CIRCLE_TOKEN",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER",
    "DOCKERHUB_PASSWORD",
    "DOCKER_EMAIL",
    "DOCKER_PASSWORD",
    "DOCKER_USERNAME",
    "FACEBOOK_ACCESS_TOKEN",
    "FACEBOOK_APP_ID",
    "FACEBOOK_APP_SECRET",
    "FIREBASE_API_TOKEN",
    "FIREBASE_TOKEN",
    "FOSSA_API_KEY",
    "GH_ENTERPRISE_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_TOKEN",
    "HEROKU_API_KEY",
    "HEROKU_API_USER",
    "NPM_AUTH_TOKEN",
    "NPM_TOKEN",
    "OKTA_AUTHN_GROUPID",
    "OKTA_CLIENT_ORGURL",
    "OKTA_CLIENT_TOKEN",
    "OKTA_OAUTH2_CLIENTID",
    "OKTA_OAUTH2_CLIENTSECRET",
    "OPENAI_API_KEY",
    "OS_PASSWORD",
    "OS_USERNAME",
    "POSTGRES_PASSWORD",
    "SLACK_TOKEN",
    "STRIPE_API_KEY",
    "STRIPE_DEVICE_NAME",
    "TRAVIS_OS_NAME",
    "TRAVIS_SECURE_ENV_VARS",
    "TRAVIS_SUDO",
    "VAULT_CLIENT_KEY",
    "VAULT_TOKEN",
];

/// hadolint's test: a known name, or one of these anywhere in the lower-cased name.
fn hadolint_flags(name: &str) -> bool {
    const PARTS: &[&str] = &[
        "api_key",
        "client_key",
        "password",
        "private",
        "secret",
        "token",
        "username",
    ];
    let upper = name.to_ascii_uppercase();
    let lower = name.to_ascii_lowercase();
    KNOWN_SECRET_NAMES.contains(&upper.as_str()) || PARTS.iter().any(|p| lower.contains(p))
}

/// Whether hadolint's test matches the name only through `username` (`ARG USERNAME=vscode`,
/// the dev-container convention): a user name is an identity, not a secret.
fn account_name_only(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("username")
        && !KNOWN_SECRET_NAMES.contains(&name.to_ascii_uppercase().as_str())
        && ![
            "api_key",
            "client_key",
            "password",
            "private",
            "secret",
            "token",
        ]
        .iter()
        .any(|p| lower.contains(p))
}

/// BuildKit's test: one of the `_`-separated words of the name is a secret word, and
/// none is `public`, `file` or `version`.
fn buildkit_flags(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "password",
        "pword",
        "passwd",
        "secret",
        "token",
    ];
    let lower = name.to_ascii_lowercase();
    let at_boundary = |word: &str| {
        lower == word
            || lower.starts_with(&format!("{word}_"))
            || lower.ends_with(&format!("_{word}"))
            || lower.contains(&format!("_{word}_"))
    };
    WORDS.iter().any(|w| at_boundary(w))
        && !["public", "file", "version"].iter().any(|w| at_boundary(w))
}

/// Whether the only secret word of the name is `key` and the name says the key is a
/// public one (a GPG fingerprint to verify downloads: `GPG_KEY`, `SWIFT_SIGNING_KEY`,
/// `GHC_RELEASE_KEY`), or the name is a `__`-separated configuration path whose last
/// part is `Key` (`Filters__0__Key`, .NET configuration).
fn public_key_name(name: &str) -> bool {
    const PUBLIC: &[&str] = &[
        "gpg",
        "pgp",
        "gnupg",
        "signing",
        "sign",
        "signature",
        "release",
        "pub",
        "fingerprint",
        "keyring",
        "keyserver",
        "keyid",
        "verify",
        "verification",
    ];
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split('_').filter(|w| !w.is_empty()).collect();
    let strong = [
        "apikey",
        "auth",
        "credential",
        "credentials",
        "password",
        "pword",
        "passwd",
        "secret",
        "token",
        "private",
    ];
    if !words.contains(&"key") || words.iter().any(|w| strong.contains(w)) {
        return false;
    }
    words.iter().any(|w| PUBLIC.contains(w)) || (lower.contains("__") && lower.ends_with("__key"))
}

impl Check for SecretInArgOrEnv {
    fn check(cx: &mut Checker<'_>) {
        for inst in cx.instructions() {
            let command = match inst.kind() {
                InstructionKind::Onbuild => match inst.syntax.trigger() {
                    Some(trigger) => trigger,
                    None => continue,
                },
                _ => inst.syntax.command(),
            };
            type Named<'w> = (Word<'w>, Option<String>);
            let (keyword, names): (&str, Vec<Named<'_>>) = if let Some(decls) = command.as_arg() {
                let names = decls
                    .into_iter()
                    .map(|d| (d.name, d.default.map(|v| v.text.to_string())))
                    .collect();
                ("ARG", names)
            } else if let Some(pairs) = command.as_env() {
                let names = pairs
                    .into_iter()
                    .map(|p| (p.key, Some(p.value.text.to_string())))
                    .collect();
                ("ENV", names)
            } else {
                continue;
            };
            let mut findings = Vec::new();
            for (name, value) in names {
                let text = name.text.trim_matches(|c| c == '"' || c == '\'');
                let (h, b) = (hadolint_flags(text), buildkit_flags(text));
                // A switch (`USE_GKE_GCLOUD_AUTH_PLUGIN=True`) is no secret.
                let switch = value.as_deref().is_some_and(|v| {
                    let v = v
                        .trim_matches(|c| c == '"' || c == '\'')
                        .to_ascii_lowercase();
                    matches!(
                        v.as_str(),
                        "true" | "false" | "yes" | "no" | "on" | "off" | "0" | "1"
                    )
                });
                if !h && (public_key_name(text) || switch) {
                    continue;
                }
                if h || b {
                    findings.push((name.span, text.to_string(), h, b));
                }
            }
            // hadolint reports an instruction once: its first name that hadolint's test
            // matches carries the equivalent.
            let first_hadolint = findings.iter().position(|f| f.2);
            for (i, (span, name, _, buildkit)) in findings.into_iter().enumerate() {
                let account = account_name_only(&name) && !buildkit;
                let message = if account {
                    format!(
                        "{keyword} `{name}` names an account: not a secret alone, but if it pairs with a password, pass both with `RUN --mount=type=secret`"
                    )
                } else {
                    format!(
                        "{keyword} `{name}` looks like a secret, and {keyword} values stay readable in the image; pass it with `RUN --mount=type=secret`"
                    )
                };
                let diagnostic = cx.report(span, message);
                if account {
                    diagnostic.set_severity(Severity::Info);
                }
                if first_hadolint != Some(i) {
                    diagnostic.equivalents.hadolint = None;
                }
                if !buildkit {
                    diagnostic.equivalents.buildkit = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{buildkit_flags, hadolint_flags};

    #[test]
    fn the_two_tests() {
        assert!(hadolint_flags("github_token") && buildkit_flags("GITHUB_TOKEN"));
        assert!(hadolint_flags("DB_USERNAME") && !buildkit_flags("DB_USERNAME"));
        assert!(!hadolint_flags("SSH_KEY") && buildkit_flags("SSH_KEY"));
        assert!(!buildkit_flags("PUBLIC_KEY") && !buildkit_flags("KEYBOARD"));
        assert!(hadolint_flags("NPM_TOKEN_FILE") && !buildkit_flags("NPM_TOKEN_FILE"));
        assert!(
            hadolint_flags("TOKENIZERS_PARALLELISM") && !buildkit_flags("TOKENIZERS_PARALLELISM")
        );
    }
}
