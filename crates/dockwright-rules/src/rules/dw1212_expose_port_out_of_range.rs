use crate::prelude::*;

crate::declare_rule! {
    /// Flags an `EXPOSE` port outside 0–65535.
    ///
    /// ## Why
    /// TCP and UDP ports are 16-bit numbers; a larger number is a typo (often a missing
    /// separator, `EXPOSE 80443`) and BuildKit rejects it. Variables are resolved; a port
    /// that depends on a variable without a value is not judged.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 80443
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 80 443
    /// ```
    pub struct ExposePortOutOfRange {
        code: "DW1212",
        name: "expose-port-out-of-range",
        category: Correctness,
        severity: Error,
        hadolint: "DL3011",
    }
}

impl Check for ExposePortOutOfRange {
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
                if expansion.references.iter().any(|r| !r.set) {
                    continue;
                }
                let number = expansion.value.split('/').next().unwrap_or("");
                let too_big = number
                    .split('-')
                    .filter_map(|p| p.trim().parse::<u64>().ok())
                    .find(|p| *p > 65535);
                let Some(value) = too_big else {
                    continue;
                };
                let via_variable = expansion.value != port.word.text;
                let diagnostic = cx.report(
                    port.word.span,
                    format!("port {value} is out of range: ports run from 0 to 65535"),
                );
                if via_variable {
                    diagnostic.equivalents.hadolint = None;
                }
            }
        }
    }
}
