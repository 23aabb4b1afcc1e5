use crate::prelude::*;

crate::declare_rule! {
    /// Flags `COPY` to a relative destination when no `WORKDIR` of the build sets the
    /// directory it is relative to.
    ///
    /// ## Why
    /// A relative destination is resolved against the working directory in effect. With
    /// no `WORKDIR` in this stage or the stages it is built on, that is the base image's,
    /// which the Dockerfile does not show and which changes when the base image does
    /// (`node` images start in `/`, `golang` in `/go`). The files land somewhere nobody
    /// reads. Set `WORKDIR` first, or copy to an absolute path.
    ///
    /// `FROM scratch` starts in `/` and is not flagged. ARGs and ENVs in the destination
    /// are resolved; one that depends on a variable without a value is not judged.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY requirements.txt .
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// COPY requirements.txt .
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3045 skips every destination that starts with `$`; one that resolves
    /// to a relative path is flagged here only (no hadolint equivalent is claimed).
    pub struct CopyRelativeDestination {
        code: "DW1204",
        name: "copy-relative-destination",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3045",
    }
}

impl Check for CopyRelativeDestination {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for inst in cx.instructions_of(InstructionKind::Copy) {
            if inst.stage().is_none() || inst.facts.workdir.is_some() {
                continue;
            }
            let Some(destination) = inst.syntax.as_copy().and_then(|c| c.destination) else {
                continue;
            };
            let written = destination.text.trim_matches(|c| c == '"' || c == '\'');
            let Ok(expansion) = model.expand_at(inst.index, written) else {
                continue;
            };
            if expansion.references.iter().any(|r| !r.set) {
                continue;
            }
            let value = expansion.value;
            if value.is_empty() || is_absolute(&value) {
                continue;
            }
            let diagnostic = cx.report(
                destination.span,
                format!(
                    "COPY to the relative destination `{value}` with no WORKDIR set: it lands in the base image's working directory; set WORKDIR or use an absolute path"
                ),
            );
            if written.starts_with('$') {
                diagnostic.equivalents.hadolint = None;
            }
        }
    }
}

/// `/path`, or a Windows path with a drive letter (`C:\app`, `c:/app`).
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}
