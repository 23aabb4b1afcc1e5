use crate::prelude::*;

crate::declare_rule! {
    /// Flags `useradd` with a high uid and without `-l` (`--no-log-init`).
    ///
    /// ## Why
    /// `useradd` reserves the new user's entry in `/var/log/lastlog` and
    /// `/var/log/faillog`, files indexed by uid. For uid 1000 that is nothing; for uid
    /// 1000000 lastlog becomes a sparse file of about 290 MB, and image layers do not keep
    /// files sparse, so the layer grows by that much (moby issue #5419). `-l` skips both
    /// logs, which a container does not use.
    ///
    /// Flagged when the uid is 100000 or more (a literal, or the value of an ARG/ENV).
    ///
    /// ## Differences from hadolint (DL3046)
    /// hadolint counts the characters of the `-u` word, so `-u ${UID}` is flagged whatever
    /// the value and `-u 99999` is not; here the uid's value decides, and a uid given by a
    /// variable without a value is not judged.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN useradd -u 1000000 app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN useradd -l -u 1000000 app
    /// ```
    ///
    /// ## Fix
    /// Safe: `-l` is added after `useradd`; only the two log files change.
    pub struct UseraddWithoutNoLogInit {
        code: "DW2104",
        name: "useradd-without-no-log-init",
        category: Size,
        severity: Warning,
        hadolint: "DL3046",
        fix: Safe,
    }
}

/// From this uid on, the log files grow past tens of megabytes.
const HIGH_UID: u64 = 100_000;

impl Check for UseraddWithoutNoLogInit {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let mut found: Vec<(Span, usize, u64, bool)> = Vec::new();
        for command in cx.commands() {
            let Action::AddUser(user) = &command.command.action else {
                continue;
            };
            if user.tool != "useradd" || user.no_log_init {
                continue;
            }
            let Some(uid) = &user.uid else {
                continue;
            };
            let literal = uid.text.parse::<u64>().ok();
            let value = literal.or_else(|| {
                model
                    .expand_at(command.inst.index, &uid.text)
                    .ok()
                    .and_then(|e| e.value.parse::<u64>().ok())
            });
            let Some(value) = value.filter(|v| *v >= HIGH_UID) else {
                continue;
            };
            let Some(program) = &command.command.program else {
                continue;
            };
            let sees = hadolint_sees(&command) && uid.text.chars().count() > 5;
            found.push((
                command.span(),
                command.file_span(program.span).end,
                value,
                sees,
            ));
        }
        for (span, at, uid, sees) in found {
            let diagnostic = cx.report(
                span,
                format!("`useradd` of uid {uid} without `-l` writes a lastlog entry that grows the layer by about {} MB; add `-l`", uid * 292 / 1_000_000),
            );
            diagnostic.set_fix(Fix::safe("add `-l`", vec![Edit::insert(at, " -l")]));
            hadolint_if(diagnostic, sees);
        }
    }
}
