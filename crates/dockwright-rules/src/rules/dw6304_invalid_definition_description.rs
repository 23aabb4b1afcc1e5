use dockwright_syntax::{Item, LineKind};

use crate::prelude::*;

crate::declare_rule! {
    /// Flags a comment directly above a named stage or an `ARG` that does not start with
    /// the stage's or the ARG's name (opt-in, as BuildKit's experimental check).
    ///
    /// ## Why
    /// BuildKit and editor tooling read the comment right above `FROM ... AS name` and
    /// `ARG NAME` as its description when it has the form `# name description`; build
    /// front ends (`docker buildx build --call=outline`, bake) show it as the help text of
    /// the stage or build argument. A comment in any other form there is shown as nothing.
    /// As in BuildKit's InvalidDefinitionDescription check, only the last comment line of the
    /// block directly above counts, an ARG instruction with several names accepts any of
    /// them, and a blank line or an empty `#` line in between detaches the comment.
    ///
    /// ## Example
    /// ```dockerfile
    /// # Go version to build with
    /// ARG GO_VERSION=1.22
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// # GO_VERSION Go version to build with
    /// ARG GO_VERSION=1.22
    /// ```
    /// or, when the comment is not a description, put a blank line between them.
    pub struct InvalidDefinitionDescription {
        code: "DW6304",
        name: "invalid-definition-description",
        category: Style,
        severity: Info,
        buildkit: "InvalidDefinitionDescription",
        opt_in: true,
    }
}

impl Check for InvalidDefinitionDescription {
    fn check(cx: &mut Checker<'_>) {
        let doc = cx.doc();
        let mut block: Vec<(Span, String)> = Vec::new();
        for item in doc.items() {
            let index = match item {
                Item::Line(line) => {
                    match line.kind {
                        LineKind::Comment => {
                            let text = cx.text(line.content);
                            let text = text.trim_start().trim_start_matches('#').trim();
                            if text.is_empty() {
                                block.clear();
                            } else {
                                block.push((line.content, text.to_string()));
                            }
                        }
                        _ => block.clear(),
                    }
                    continue;
                }
                Item::Instruction(index) => *index,
            };
            let last = block.pop();
            block.clear();
            let Some((span, comment)) = last else {
                continue;
            };
            let Some(inst) = cx.instruction(index) else {
                continue;
            };
            let (what, names): (&str, Vec<String>) = match inst.kind() {
                InstructionKind::From => match inst.syntax.as_from().and_then(|f| f.alias) {
                    Some(alias) => ("`FROM ... AS`", vec![alias.text.to_string()]),
                    None => continue,
                },
                InstructionKind::Arg => (
                    "`ARG`",
                    inst.syntax
                        .as_arg()
                        .unwrap_or_default()
                        .iter()
                        .map(|d| d.name.text.to_string())
                        .collect(),
                ),
                _ => continue,
            };
            let first_word = comment.split(' ').next().unwrap_or_default();
            if names.is_empty() || names.iter().any(|n| n == first_word) {
                continue;
            }
            let example = if names.len() == 1 {
                names[0].as_str()
            } else {
                "<name>"
            };
            cx.report(
                span,
                format!(
                    "the comment above this {what} is read as its description only in the form `# {example} <description>`; start it with the name, or put a blank line between them"
                ),
            );
        }
    }
}
