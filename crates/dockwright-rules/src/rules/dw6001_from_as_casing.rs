use crate::prelude::*;

crate::declare_rule! {
    /// Flags `AS` written in a different case from `FROM`.
    ///
    /// ## Why
    /// `FROM image as build` next to `FROM` in upper case reads as a typo and makes the
    /// keyword harder to spot. BuildKit's FromAsCasing check asks for the two to match: both
    /// upper case or both lower case. A `FROM` in mixed case is left to the instruction
    /// casing rule.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 as build
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// ```
    ///
    /// ## Fix
    /// Safe: `AS` is rewritten in the case of `FROM`.
    pub struct FromAsCasing {
        code: "DW6001",
        name: "from-as-casing",
        category: Style,
        severity: Warning,
        buildkit: "FromAsCasing",
        fix: Safe,
    }
}

impl Check for FromAsCasing {
    fn check(cx: &mut Checker<'_>) {
        for inst in cx.instructions_of(InstructionKind::From) {
            let Some(from) = inst.syntax.as_from() else {
                continue;
            };
            let Some(as_keyword) = from.as_keyword else {
                continue;
            };
            let keyword = inst.syntax.keyword();
            let (lower, upper) = (
                keyword.text == keyword.text.to_lowercase(),
                keyword.text == keyword.text.to_uppercase(),
            );
            let wanted = if lower {
                "as"
            } else if upper {
                "AS"
            } else {
                continue;
            };
            if as_keyword.text == wanted {
                continue;
            }
            cx.report(
                as_keyword.span,
                format!(
                    "`{}` and `{}` keywords' casing do not match",
                    as_keyword.text, keyword.text
                ),
            )
            .set_fix(Fix::safe(
                format!("write `{wanted}`"),
                vec![Edit::replace(
                    as_keyword.span.start..as_keyword.span.end,
                    wanted,
                )],
            ));
        }
    }
}
