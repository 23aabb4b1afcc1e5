use crate::prelude::*;

crate::declare_rule! {
    /// Flags `COPY --from=<stage> / /` onto a base image: the other stage's whole
    /// filesystem copied over this one.
    ///
    /// ## Why
    /// Copying `/` duplicates every file of the source stage, its base image's included,
    /// into one new layer on top of a base that already has most of them: the image pays
    /// for both copies, and files of this stage's base are overwritten by whatever the
    /// other stage had. Copy the directories the image needs.
    ///
    /// Not flagged in a stage built `FROM scratch`, where `COPY --from=build / /` is the
    /// usual way to flatten an image into one layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// COPY --from=build / /
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// COPY --from=build /usr/local/bin/app /usr/local/bin/app
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3067 flags the `FROM scratch` flattening idiom too.
    pub struct CopyWholeFilesystem {
        code: "DW2201",
        name: "copy-whole-filesystem",
        category: Size,
        severity: Warning,
        hadolint: "DL3067",
    }
}

impl Check for CopyWholeFilesystem {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for inst in cx.instructions_of(InstructionKind::Copy) {
            let Some(copy) = inst.syntax.as_copy() else {
                continue;
            };
            if copy.from.is_none() {
                continue;
            }
            let unquote = |t: &str| t.trim_matches(|c| c == '"' || c == '\'').to_string();
            let root_source = copy.sources.iter().any(|s| match s {
                dockwright_syntax::CopySource::Path(w) => unquote(&w.text) == "/",
                dockwright_syntax::CopySource::Heredoc { .. } => false,
            });
            let root_destination = copy
                .destination
                .as_ref()
                .is_some_and(|d| unquote(&d.text) == "/");
            if !root_source || !root_destination {
                continue;
            }
            let on_scratch = inst
                .stage()
                .and_then(|s| model.stages.get(s))
                .is_some_and(|s| builds_on_scratch(model, s));
            if on_scratch {
                continue;
            }
            cx.report_instruction(
                &inst,
                "COPY of a whole filesystem (`/` to `/`) duplicates the other stage's files over this base image; copy only what the image needs",
            );
        }
    }
}

/// Whether the stage's chain of base stages starts from `scratch`.
fn builds_on_scratch(model: &Model, stage: &Stage) -> bool {
    let mut current = Some(stage);
    while let Some(s) = current {
        match s.base {
            StageBase::Scratch => return true,
            StageBase::Image(_) => return false,
            StageBase::Stage(parent) => current = model.stages.get(parent),
        }
    }
    false
}
