use crate::prelude::*;

crate::declare_rule! {
    /// Flags a `label-schema` label missing from the image.
    ///
    /// ## Why
    /// The schema lists the labels every image of the organisation must carry (source,
    /// revision, owner, ...): registries, scanners and inventories read them. Checked
    /// only when `label-schema` is configured. The image the build produces must set
    /// each label in its stage or a stage it is built on; labels of an external base
    /// image cannot be seen and must be repeated.
    ///
    /// ## Example
    /// With `label-schema = { "org.opencontainers.image.source" = "url" }`:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app"
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3049 flags every stage lacking the label (except stages only copied
    /// from); only the produced image is judged here.
    pub struct LabelMissing {
        code: "DW6204",
        name: "label-missing",
        category: Style,
        severity: Info,
        hadolint: "DL3049",
    }
}

impl Check for LabelMissing {
    fn check(cx: &mut Checker<'_>) {
        let schema = &cx.settings().label_schema;
        if schema.is_empty() {
            return;
        }
        let model = cx.model();
        let Some(target) = model.target_stage() else {
            return;
        };
        let mut set: Vec<String> = Vec::new();
        let mut current = Some(target);
        while let Some(stage) = current {
            for index in stage.instructions.clone() {
                let Some(pairs) = cx.instruction(index).and_then(|i| i.syntax.as_label()) else {
                    continue;
                };
                set.extend(pairs.iter().map(|p| {
                    p.key
                        .text
                        .trim_matches(|c| c == '"' || c == '\'')
                        .to_string()
                }));
            }
            current = stage.base_stage().and_then(|b| model.stages.get(b));
        }
        let Some(from) = cx.instruction(target.from_instruction) else {
            return;
        };
        for label in schema.keys() {
            if set.iter().any(|s| s == label) {
                continue;
            }
            cx.report_instruction(
                &from,
                format!("the image has no label `{label}`, which the label schema requires"),
            );
        }
    }
}
