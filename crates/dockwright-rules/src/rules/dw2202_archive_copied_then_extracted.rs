use dockwright_model::dockwright_shell::ExtractTool;
use dockwright_syntax::CopySource;

use crate::prelude::*;

crate::declare_rule! {
    /// Flags a tar archive that is `COPY`ed into the image and then unpacked by a later
    /// `RUN` of the same stage.
    ///
    /// ## Why
    /// The `COPY` layer keeps the archive for good, even when the `RUN` deletes it after
    /// unpacking: the image carries the files twice, once compressed. `ADD archive.tar.gz
    /// /dest/` unpacks a local tar archive in one layer, and
    /// `RUN --mount=type=bind,source=archive.tar.gz,target=/tmp/archive.tar.gz tar -xzf ...`
    /// keeps full control of the `tar` options without adding the archive to any layer.
    ///
    /// Only tar archives (plain or compressed) are flagged, as those are what `ADD`
    /// unpacks; the archive is matched by its file name.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY app.tar.gz /tmp/
    /// RUN tar -xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ADD app.tar.gz /opt/
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3010 also flags zip archives unpacked with `unzip`, which `ADD` would
    /// copy without unpacking.
    pub struct ArchiveCopiedThenExtracted {
        code: "DW2202",
        name: "archive-copied-then-extracted",
        category: Size,
        severity: Info,
        hadolint: "DL3010",
    }
}

/// Names of tar archives, compressed or not.
const TAR_EXTENSIONS: &[&str] = &[
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tbz2",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tzst",
    ".tar.lz",
    ".tar.lzma",
    ".tlz",
    ".tar.z",
];

fn basename(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

impl Check for ArchiveCopiedThenExtracted {
    fn check(cx: &mut Checker<'_>) {
        // (stage, COPY index, archive file name)
        let mut copies: Vec<(usize, usize, String)> = Vec::new();
        for inst in cx.instructions_of(InstructionKind::Copy) {
            let (Some(stage), Some(copy)) = (inst.stage(), inst.syntax.as_copy()) else {
                continue;
            };
            if copy.from.is_some() {
                continue;
            }
            for source in &copy.sources {
                let CopySource::Path(word) = source else {
                    continue;
                };
                let name = basename(word.text.trim_matches(|c| c == '"' || c == '\''));
                let lower = name.to_ascii_lowercase();
                if TAR_EXTENSIONS.iter().any(|e| lower.ends_with(e)) {
                    copies.push((stage, inst.index, name.to_string()));
                }
            }
        }
        if copies.is_empty() {
            return;
        }
        let mut extracted: Vec<usize> = Vec::new();
        for command in cx.commands() {
            if command.inst.facts.onbuild {
                continue;
            }
            let Action::Extract(extract) = &command.command.action else {
                continue;
            };
            if extract.tool != ExtractTool::Tar {
                continue;
            }
            let Some(archive) = &extract.archive else {
                continue;
            };
            let name = basename(&archive.text);
            for (stage, index, copied) in &copies {
                if Some(*stage) == command.inst.stage()
                    && *index < command.inst.index
                    && copied == name
                    && !extracted.contains(index)
                {
                    extracted.push(*index);
                }
            }
        }
        extracted.sort_unstable();
        for index in extracted {
            let Some(inst) = cx.instruction(index) else {
                continue;
            };
            cx.report_instruction(
                &inst,
                "this archive is copied and then unpacked by a later RUN, so the image keeps it too; `ADD` it (ADD unpacks local tar archives) or bind-mount it into the RUN",
            );
        }
    }
}
