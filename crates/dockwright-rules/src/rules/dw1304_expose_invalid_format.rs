use crate::prelude::*;

crate::declare_rule! {
    /// Flags `EXPOSE` with an IP address or a host-port mapping (`8080:80`,
    /// `127.0.0.1:80:80`).
    ///
    /// ## Why
    /// `EXPOSE` only records the container's port in the image config; which host port and
    /// address to publish on is decided by `docker run -p` or the orchestrator. BuildKit
    /// accepts the `[ip:]host:container` form, silently keeps only the container port (the
    /// host part and the address are dropped) and warns with its ExposeInvalidFormat check;
    /// support may be removed. The port is looked at after variable expansion.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 8080:80
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 80
    /// ```
    /// and publish with `docker run -p 8080:80`.
    ///
    /// ## Fix
    /// Safe when the port is written literally: it is replaced by the container port (and
    /// protocol), which is all BuildKit records anyway.
    pub struct ExposeInvalidFormat {
        code: "DW1304",
        name: "expose-invalid-format",
        category: Correctness,
        severity: Warning,
        buildkit: "ExposeInvalidFormat",
        fix: Safe,
    }
}

impl Check for ExposeInvalidFormat {
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
                    let Some((_, container)) = value.rsplit_once(':') else {
                        continue;
                    };
                    let written = cx.text(port.word.span);
                    let literal = written == value.as_str();
                    let fix = (literal && !container.is_empty()).then(|| {
                        Fix::safe(
                            format!("keep the container port `{container}`"),
                            vec![Edit::replace(
                                port.word.span.start..port.word.span.end,
                                container,
                            )],
                        )
                    });
                    let diagnostic = cx.report(
                        port.word.span,
                        format!(
                            "`EXPOSE {value}` defines an IP address or host port, which BuildKit drops; expose `{container}` and publish with `docker run -p`"
                        ),
                    );
                    if let Some(fix) = fix {
                        diagnostic.set_fix(fix);
                    }
                }
            }
        }
    }
}
