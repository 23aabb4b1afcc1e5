use crate::prelude::*;

use dockwright_context::findings::secrets_copied;

crate::declare_rule! {
    /// Flags credentials copied into an image: `.env` files, private keys, `.npmrc` with a
    /// token, cloud credentials.
    ///
    /// ## Why
    /// A file a `COPY` or `ADD` takes in is stored in that layer for good: deleting it in a
    /// later step hides it but leaves it in the image, in every registry it is pushed to and
    /// in the build cache. Anyone who can pull the image can read the key. Use a build
    /// secret for what the build needs (`RUN --mount=type=secret,id=npmrc,target=/root/.npmrc
    /// npm ci`), and keep such files out of the context with `.dockerignore`.
    ///
    /// With the build context (`dockwright lint --context DIR`, or a Dockerfile in its
    /// context directory) the rule sees the files each source really copies, so a
    /// `COPY . .` that takes along `.env` or `config/.aws/credentials` is caught, and the
    /// content decides for keys and tokens (a `.pem` holding only a certificate, or a
    /// `.npmrc` without a token, is not a secret). Without a context it judges the source
    /// names: `.env` and `.env.*` (not `.example`, `.sample`, `.template`, `.dist`,
    /// `.defaults`), `id_rsa`/`id_ed25519`/..., `*.key`, `*.p12`, `*.pfx`, `*.pem` named as
    /// a key (`privkey.pem`, `server-key.pem`), `.npmrc`, `.pypirc`, `.netrc`,
    /// `.git-credentials`, `.aws/credentials`, `.ssh/`, `.gnupg/`, `credentials.json`,
    /// `.docker/config.json` and Terraform state. A copy in a stage that does not become the
    /// image is still reported: the secret is in that stage's layers and in the build cache.
    ///
    /// hadolint does not look at `COPY` sources; dockle and Trivy find such files only in a
    /// built image; BuildKit's `SecretsUsedInArgOrEnv` looks at ARG and ENV names only.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY .npmrc /root/.npmrc
    /// RUN npm ci
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    pub struct SecretFileCopied {
        code: "DW4402",
        name: "secret-file-copied",
        category: Security,
        severity: Warning,
    }
}

impl Check for SecretFileCopied {
    fn check(cx: &mut Checker<'_>) {
        if let Some(facts) = cx.context() {
            for found in secrets_copied(&facts.reads, &facts.context.walk) {
                let names: Vec<&str> = found
                    .files
                    .iter()
                    .take(3)
                    .map(|f| f.path.as_str())
                    .collect();
                let more = found.files.len().saturating_sub(names.len());
                let more = if more > 0 {
                    format!(" (+{more} more)")
                } else {
                    String::new()
                };
                let place = if found.final_stage {
                    "the image".to_string()
                } else {
                    format!("stage `{}` (its layers and the build cache)", found.stage)
                };
                cx.report(
                    found.span,
                    format!(
                        "`{}` copies credentials into {place}: {}{more}; keep them out of the context (.dockerignore) and pass what the build needs with `RUN --mount=type=secret`",
                        found.source,
                        names.join(", ")
                    ),
                );
            }
            return;
        }
        let model = cx.model();
        let mut found = Vec::new();
        for inst in cx.instructions() {
            let Some(copy) = inst.syntax.as_copy() else {
                continue;
            };
            if copy.from.is_some() {
                continue;
            }
            // A key copied to `*.pub`/`*.asc`/`*.gpg` is a public (signing) key.
            let public_destination = copy.destination.as_ref().is_some_and(|d| {
                let d = d.as_str().to_ascii_lowercase();
                d.ends_with(".pub") || d.ends_with(".asc") || d.ends_with(".gpg")
            });
            if public_destination {
                continue;
            }
            for source in &copy.sources {
                let CopySource::Path(word) = source else {
                    continue;
                };
                let text = model
                    .expand_at(inst.index, &word.text)
                    .map(|e| e.value)
                    .unwrap_or_else(|_| word.text.to_string());
                if text.contains("://") {
                    continue;
                }
                if let Some(what) = secret_name(&text) {
                    let final_image = inst.stage().is_some_and(|s| cx.in_final_image(s));
                    found.push((word.span, text, what, final_image, inst.stage()));
                }
            }
        }
        for (span, text, what, final_image, stage) in found {
            let place = if final_image {
                "the image".to_string()
            } else {
                let label = stage
                    .and_then(|s| cx.stages().get(s))
                    .map(|s| {
                        s.name
                            .clone()
                            .unwrap_or_else(|| format!("stage-{}", s.index))
                    })
                    .unwrap_or_default();
                format!("stage `{label}` (its layers and the build cache)")
            };
            cx.report(
                span,
                format!(
                    "`{text}` looks like {what} and is copied into {place}; pass it with `RUN --mount=type=secret` instead"
                ),
            );
        }
    }
}

/// What a source path looks like, when its name is that of a credentials file.
fn secret_name(source: &str) -> Option<&'static str> {
    let path = source.trim_end_matches('/');
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or(path);
    let parent = parts.next();
    if path.split('/').any(|p| p == ".gnupg") {
        return Some("a GnuPG keyring");
    }
    if name == ".ssh" {
        return Some("an SSH directory with private keys");
    }
    if parent == Some(".ssh") && !matches!(name, "known_hosts" | "config" | "authorized_keys") {
        if name.ends_with(".pub") {
            return None;
        }
        return Some("an SSH private key");
    }
    if parent == Some(".aws") && name == "credentials" {
        return Some("AWS credentials");
    }
    if parent == Some(".docker") && name == "config.json" {
        return Some("registry credentials");
    }
    let lower = name.to_ascii_lowercase();
    if lower == ".env" {
        return Some("an environment file with secrets");
    }
    if let Some(variant) = lower.strip_prefix(".env.") {
        return (!matches!(
            variant,
            "example" | "sample" | "template" | "dist" | "defaults" | "schema" | "tpl" | "in"
        ))
        .then_some("an environment file with secrets");
    }
    match lower.as_str() {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            return Some("an SSH private key");
        }
        ".npmrc" | ".yarnrc.yml" => return Some("a package registry config with a token"),
        ".pypirc" => return Some("a package index config with a password"),
        ".netrc" | ".git-credentials" | ".dockercfg" => return Some("stored credentials"),
        "credentials.json" => return Some("cloud credentials"),
        _ => {}
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e);
    match ext {
        Some("key") if !lower.ends_with(".pub.key") => Some("a private key"),
        Some("p12" | "pfx") => Some("a certificate with its private key"),
        Some("tfstate") => Some("Terraform state (it holds secrets)"),
        Some("pem")
            if lower.contains("key") || lower.contains("private") || lower.contains("secret") =>
        {
            Some("a private key")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::secret_name;

    #[test]
    fn names() {
        for yes in [
            ".env",
            "./.env.production",
            "config/.aws/credentials",
            "id_ed25519",
            "certs/server.key",
            "privkey.pem",
            "keys/jwt-private.pem",
            ".ssh/",
            "home/.ssh/id_rsa",
            ".npmrc",
            "gcp/credentials.json",
            "cert.p12",
        ] {
            assert!(secret_name(yes).is_some(), "{yes}");
        }
        for no in [
            ".env.example",
            "cert.pem",
            "ca.pem",
            "id_rsa.pub",
            ".ssh/known_hosts",
            "app.py",
            "keys/",
            "environment.yml",
            "monkey.js",
        ] {
            assert!(secret_name(no).is_none(), "{no}");
        }
    }
}
