use dockwright_syntax::CopySource;

use crate::prelude::*;

crate::declare_rule! {
    /// Flags `ADD` of local files or directories, which `COPY` does without surprises.
    ///
    /// ## Why
    /// `ADD` does more than copy: a local tar archive is unpacked, a URL is downloaded, a
    /// git repository is cloned. Used for plain files it hides which of these happens
    /// (a file that turns out to be a tarball is silently extracted) and readers must
    /// check. `COPY` only copies. Keep `ADD` for what only it does.
    ///
    /// Not flagged when every source is an archive (by its extension), an `http(s)://`
    /// URL or a git repository, nor when `ADD`-only flags (`--checksum`, `--keep-git-dir`,
    /// `--unpack`) are given. ARGs in sources are resolved; a source that depends on an
    /// ARG without a value is not judged.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD requirements.txt /app/
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY requirements.txt /app/
    /// ```
    ///
    /// ## Fix
    /// Replaces `ADD` by `COPY` when every source is a local path that is no archive, URL
    /// or git repository. Safe: `ADD` copies such sources exactly as `COPY` does. Unsafe
    /// when a source is a glob, which may also match archives `ADD` would have unpacked.
    /// (`ADD` also recognises a tarball by its content; a tar archive named without an
    /// archive extension is the one case the safe fix changes.)
    ///
    /// ## Differences from hadolint
    /// hadolint DL3020 reads sources as written: it flags `ADD ${URL} /x` even when the
    /// ARG is a URL and flags git sources (`git@host:repo.git`); neither is flagged here.
    pub struct AddInsteadOfCopy {
        code: "DW1201",
        name: "add-instead-of-copy",
        category: Correctness,
        severity: Error,
        hadolint: "DL3020",
        fix: Safe,
    }
}

/// Extensions of the archives `ADD` unpacks: tar, plain or compressed (a `.gz` that is
/// no tarball is copied as is, but the name does not tell). A `.zip`, `.jar` or `.deb`
/// is copied like any file, so `ADD` of one is flagged.
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".tar", ".tgz", ".gz", ".tbz", ".tbz2", ".tb2", ".bz2", ".txz", ".xz", ".tzst", ".zst", ".lz",
    ".lzma", ".tlz", ".z", ".tz",
];

/// What an `ADD` source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    /// A local path that is no archive.
    Plain { glob: bool },
    /// An archive, URL or git repository: what `ADD` is for.
    AddOnly,
    /// Depends on a variable without a value.
    Unknown,
}

fn classify(value: &str) -> SourceKind {
    let value = value.trim_matches(|c| c == '"' || c == '\'');
    let lower = value.to_ascii_lowercase();
    let remote = ["http://", "https://", "git://", "git@", "ssh://"]
        .iter()
        .any(|p| lower.starts_with(p));
    if remote || ARCHIVE_EXTENSIONS.iter().any(|e| lower.ends_with(e)) {
        return SourceKind::AddOnly;
    }
    SourceKind::Plain {
        glob: value.contains(['*', '?', '[']),
    }
}

impl Check for AddInsteadOfCopy {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for inst in cx.instructions_of(InstructionKind::Add) {
            let Some(copy) = inst.syntax.as_copy() else {
                continue;
            };
            if copy.checksum.is_some() || copy.keep_git_dir || copy.unpack.is_some() {
                continue;
            }
            let mut kinds = Vec::new();
            for source in &copy.sources {
                let CopySource::Path(word) = source else {
                    continue;
                };
                let kind = match model.expand_at(inst.index, &word.text) {
                    Ok(e) if e.references.iter().all(|r| r.set) => classify(&e.value),
                    Ok(_) => SourceKind::Unknown,
                    Err(_) => classify(&word.text),
                };
                kinds.push(kind);
            }
            if kinds.contains(&SourceKind::Unknown)
                || !kinds.iter().any(|k| matches!(k, SourceKind::Plain { .. }))
            {
                continue;
            }
            let all_plain = kinds.iter().all(|k| matches!(k, SourceKind::Plain { .. }));
            let any_glob = kinds.contains(&SourceKind::Plain { glob: true });
            let keyword = inst.syntax.keyword();
            let replacement = if keyword.text.chars().all(|c| c.is_ascii_lowercase()) {
                "copy"
            } else {
                "COPY"
            };
            let diagnostic = cx.report_instruction(
                &inst,
                "ADD of local files: use `COPY`, which only copies (ADD also unpacks archives and fetches URLs)",
            );
            if !all_plain {
                continue;
            }
            let edit = vec![Edit::replace(
                keyword.span.start..keyword.span.end,
                replacement,
            )];
            diagnostic.set_fix(if any_glob {
                Fix::unsafe_edits(
                    "use COPY (the glob may match archives ADD would unpack)",
                    edit,
                )
            } else {
                Fix::safe("use COPY", edit)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{SourceKind, classify};

    #[test]
    fn classifies_sources() {
        assert_eq!(classify("app.py"), SourceKind::Plain { glob: false });
        assert_eq!(classify("src/*.py"), SourceKind::Plain { glob: true });
        for add_only in [
            "rootfs.tar.xz",
            "\"a.tgz\"",
            "https://example.com/x",
            "git@github.com:o/r.git",
        ] {
            assert_eq!(classify(add_only), SourceKind::AddOnly, "{add_only}");
        }
    }
}
