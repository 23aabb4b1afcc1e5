use crate::prelude::*;

crate::declare_rule! {
    /// Flags `ENV key value` and `LABEL key value`, the legacy whitespace-separated form.
    ///
    /// ## Why
    /// The legacy form sets one variable to the whole rest of the line, spaces included,
    /// while `key=value` splits at spaces: `ENV PATH /opt/bin $PATH` and
    /// `ENV PATH=/opt/bin $PATH` mean different things, and the legacy form cannot set two
    /// variables in one instruction. Docker's documentation calls it deprecated and BuildKit's
    /// LegacyKeyValueFormat check warns about it.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV APP_HOME /srv/app
    /// LABEL maintainer Jane Doe
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ENV APP_HOME=/srv/app
    /// LABEL maintainer="Jane Doe"
    /// ```
    ///
    /// ## Fix
    /// Safe: the space after the key becomes `=`, and a value with spaces is put in double
    /// quotes, which keep spaces and still expand `$VAR` as the legacy form does. No fix when
    /// the value already holds quotes, the escape character or a line break.
    pub struct LegacyKeyValueFormat {
        code: "DW6302",
        name: "legacy-key-value-format",
        category: Style,
        severity: Warning,
        buildkit: "LegacyKeyValueFormat",
        fix: Safe,
    }
}

impl Check for LegacyKeyValueFormat {
    fn check(cx: &mut Checker<'_>) {
        let escape = cx.doc().escape_token();
        for inst in cx.instructions() {
            let Some(pairs) = inst.syntax.as_key_values() else {
                continue;
            };
            let keyword = inst.syntax.keyword().text.to_uppercase();
            for pair in pairs.iter().filter(|p| p.legacy) {
                let value = cx.text(pair.value.span);
                let fixable = !value.is_empty()
                    && !value.contains(['"', '\'', '\n', '\r', escape])
                    && pair.key.span.end <= pair.value.span.start;
                let fix = fixable.then(|| {
                    let replacement = if value.contains(char::is_whitespace) {
                        format!("=\"{value}\"")
                    } else {
                        format!("={value}")
                    };
                    Fix::safe(
                        "use `key=value`",
                        vec![Edit::replace(
                            pair.key.span.end..pair.value.span.end,
                            replacement,
                        )],
                    )
                });
                let diagnostic = cx.report(
                    Span::new(pair.key.span.start, pair.value.span.end),
                    format!(
                        "`{keyword} {} value` is the legacy form; write `{keyword} {}=value`",
                        pair.key.text, pair.key.text
                    ),
                );
                if let Some(fix) = fix {
                    diagnostic.set_fix(fix);
                }
            }
        }
    }
}
