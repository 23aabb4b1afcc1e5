//! Base images pinned by digest (`optimize --pin-digests`): every `FROM` that names an image
//! by tag gets the digest the registry serves for that tag, so the build cannot change under
//! the same Dockerfile. The registry lookup is the caller's (this crate does no I/O).

use std::collections::{BTreeMap, BTreeSet};

use crate::{Change, ChangeKind, Proposal};

/// What pinning did to a Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct Pinned {
    /// The text with digests added (the input when nothing was pinned).
    pub text: String,
    /// One change per pinned image reference.
    pub changes: Vec<Change>,
    /// References that could not be pinned, with why.
    pub proposals: Vec<Proposal>,
}

/// Adds `@DIGEST` to every `FROM` image reference of `source` that is a tag (not a stage of
/// the file, not `scratch`, not already pinned, without unexpanded variables), asking
/// `resolve` for the digest of each distinct reference once. A reference `resolve` fails on
/// is left as it is and reported as a proposal.
pub fn pin_digests(
    source: &str,
    resolve: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Pinned, String> {
    let doc = dockwright_syntax::parse(source).map_err(|e| e.to_string())?;
    let mut stages: BTreeSet<String> = BTreeSet::new();
    // (insert offset, reference, line)
    let mut places: Vec<(usize, String, usize)> = Vec::new();
    for inst in doc.instructions() {
        let Some(from) = inst.as_from() else {
            continue;
        };
        let Some(image) = &from.image else {
            continue;
        };
        let name = image.as_str();
        let pinnable = !stages.contains(&name.to_ascii_lowercase())
            && !name.eq_ignore_ascii_case("scratch")
            && !name.contains(['$', '@'])
            && !name.is_empty();
        if pinnable {
            let line = doc.position(image.span.start).line;
            places.push((image.span.end, name.to_string(), line));
        }
        if let Some(alias) = &from.alias {
            stages.insert(alias.as_str().to_ascii_lowercase());
        }
    }
    let mut digests: BTreeMap<String, Result<String, String>> = BTreeMap::new();
    for (_, reference, _) in &places {
        if !digests.contains_key(reference) {
            let found = resolve(reference).and_then(|d| {
                if valid_digest(&d) {
                    Ok(d)
                } else {
                    Err(format!(
                        "the registry answered `{d}`, which is not a digest"
                    ))
                }
            });
            digests.insert(reference.clone(), found);
        }
    }
    let mut out = Pinned {
        text: source.to_string(),
        ..Pinned::default()
    };
    // From the end, so earlier offsets stay valid.
    for (at, reference, line) in places.iter().rev() {
        match digests.get(reference) {
            Some(Ok(digest)) => {
                out.text.insert_str(*at, &format!("@{digest}"));
                out.changes.push(Change {
                    kind: ChangeKind::PinDigest,
                    summary: format!("`{reference}` pinned to {digest}"),
                    lines: vec![*line],
                    rules: Vec::new(),
                    effect: "the base image cannot change under the same Dockerfile: rebuilds \
                             are reproducible and the tag's moves are reviewed as edits"
                        .into(),
                });
            }
            Some(Err(why)) => out.proposals.push(Proposal {
                summary: format!("pin `{reference}` by digest"),
                reason: format!("its digest could not be read: {why}"),
                lines: vec![*line],
            }),
            None => {}
        }
    }
    out.changes.reverse();
    out.proposals.reverse();
    Ok(out)
}

/// `algorithm:hex` as the OCI image spec defines digests (sha256 and sha512 checked).
fn valid_digest(d: &str) -> bool {
    let Some((algorithm, hex)) = d.split_once(':') else {
        return false;
    };
    let len = match algorithm {
        "sha256" => 64,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == len && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn tags_get_digests_and_stages_scratch_variables_and_pins_do_not() {
        let src = "ARG BASE=alpine:3.20\nFROM golang:1.22 AS build\nFROM build AS test\nFROM ${BASE}\nFROM scratch\nFROM debian@sha256:aa\nFROM golang:1.22\nCOPY --from=build /x /x\n";
        let mut asked = Vec::new();
        let pinned = pin_digests(src, &mut |r| {
            asked.push(r.to_string());
            Ok(DIGEST.to_string())
        })
        .unwrap();
        assert_eq!(asked, ["golang:1.22"], "each reference once");
        assert_eq!(
            pinned.text,
            src.replace("golang:1.22", &format!("golang:1.22@{DIGEST}"))
        );
        assert_eq!(pinned.changes.len(), 2);
        assert_eq!(pinned.changes[0].lines, [2]);
        assert!(dockwright_syntax::parse(&pinned.text).is_ok());
        // Pinning again changes nothing.
        let again = pin_digests(&pinned.text, &mut |_| panic!("nothing to resolve")).unwrap();
        assert_eq!(again.text, pinned.text);
    }

    #[test]
    fn failures_and_non_digests_become_proposals() {
        let src = "FROM python:3.12-slim\nFROM node:20\n";
        let pinned = pin_digests(src, &mut |r| {
            if r.starts_with("python") {
                Err("connection refused".into())
            } else {
                Ok("latest".into())
            }
        })
        .unwrap();
        assert_eq!(pinned.text, src);
        assert!(pinned.changes.is_empty());
        assert_eq!(pinned.proposals.len(), 2);
        assert!(pinned.proposals[0].reason.contains("connection refused"));
        assert!(pinned.proposals[1].reason.contains("not a digest"));
    }

    #[test]
    fn digest_shapes() {
        assert!(valid_digest(DIGEST));
        assert!(!valid_digest("sha256:ABC"));
        assert!(!valid_digest("md5:0123"));
        assert!(!valid_digest(&DIGEST.replace('a', "A")));
    }
}
