use crate::prelude::*;

crate::declare_rule! {
    /// Flags a protocol in `EXPOSE` that is not lower case (`80/TCP`).
    ///
    /// ## Why
    /// Docker accepts `tcp` and `udp` in any case, but tools that read the image config
    /// (`docker run -P`, orchestrators matching `80/tcp`) compare the port key as a string,
    /// so `80/TCP` can fail to match. BuildKit's ExposeProtoCasing check asks for lower
    /// case. The port is looked at after variable expansion, as BuildKit does.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 8080/TCP 53/UDP
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 8080/tcp 53/udp
    /// ```
    ///
    /// ## Fix
    /// Safe when the protocol is written literally: it is rewritten in lower case.
    pub struct ExposeProtoCasing {
        code: "DW6303",
        name: "expose-proto-casing",
        category: Style,
        severity: Warning,
        buildkit: "ExposeProtoCasing",
        fix: Safe,
    }
}

impl Check for ExposeProtoCasing {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for inst in cx.instructions_of(InstructionKind::Expose) {
            let Some(ports) = inst.syntax.as_expose() else {
                continue;
            };
            for port in ports {
                let Ok(expansion) = model.expand_at(inst.index, &port.word.text) else {
                    continue;
                };
                for value in &expansion.words {
                    let Some((_, protocol)) = value.split_once('/') else {
                        continue;
                    };
                    if protocol == protocol.to_lowercase() {
                        continue;
                    }
                    let written = cx.text(port.word.span);
                    let fix = written
                        .rsplit_once('/')
                        .filter(|(_, p)| *p == protocol)
                        .map(|(head, p)| {
                            let at = port.word.span.start + head.len() + 1;
                            Fix::safe(
                                format!("write `{}`", p.to_lowercase()),
                                vec![Edit::replace(at..at + p.len(), p.to_lowercase())],
                            )
                        });
                    let diagnostic = cx.report(
                        port.word.span,
                        format!("protocol in `EXPOSE {value}` should be lower case"),
                    );
                    if let Some(fix) = fix {
                        diagnostic.set_fix(fix);
                    }
                }
            }
        }
    }
}
