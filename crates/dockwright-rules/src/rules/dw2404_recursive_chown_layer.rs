use crate::prelude::*;

crate::declare_rule! {
    /// Flags `chown -R` / `chmod -R` over files an earlier `COPY` or `ADD` put in the
    /// image.
    ///
    /// ## Why
    /// Changing a file's owner or mode changes its metadata, and a layer records a changed
    /// file whole: `COPY . /app` then `RUN chown -R app:app /app` stores every file of
    /// `/app` twice, once in each layer. For a `node_modules` or a virtualenv that is
    /// hundreds of megabytes, and the `RUN` is slow on large trees. `COPY --chown=app:app`
    /// and `COPY --chmod=...` set owner and mode as the files are copied, in one layer.
    ///
    /// Flagged when the changed path is an earlier copy's destination, inside it, or holds
    /// it (destinations resolved against `WORKDIR` and ARG/ENV), in a stage whose layers
    /// are in the image. A `chown -R` of a directory the same `RUN` creates costs nothing
    /// and is not flagged. dive shows the duplicated bytes after a build; hadolint does not
    /// see it.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY . /app
    /// RUN chown -R node:node /app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY --chown=node:node . /app
    /// ```
    pub struct RecursiveChownLayer {
        code: "DW2404",
        name: "recursive-chown-layer",
        category: Size,
        severity: Warning,
    }
}

impl Check for RecursiveChownLayer {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        // Destinations of copies into the image so far, with the line of the copy.
        let mut copied: Vec<(String, usize)> = Vec::new();
        let mut found = Vec::new();
        for inst in cx.instructions() {
            let Some(stage) = inst.stage() else {
                continue;
            };
            if !cx.in_final_image(stage) || inst.facts.onbuild {
                continue;
            }
            let workdir = inst
                .facts
                .workdir
                .clone()
                .unwrap_or_else(|| "/".to_string());
            if let Some(copy) = inst.syntax.as_copy() {
                if let Some(dest) = &copy.destination {
                    let dest = model
                        .expand_at(inst.index, dest.as_str())
                        .map(|e| e.value)
                        .unwrap_or_else(|_| dest.as_str().to_string());
                    if !dest.contains('$') {
                        let line = cx.position(inst.syntax.span().start).line;
                        copied.push((
                            dockwright_model::path::resolve_workdir(&workdir, &dest),
                            line,
                        ));
                    }
                }
                continue;
            }
            if inst.run().is_none() {
                continue;
            }
            // Directories this RUN creates: changing them rewrites nothing copied.
            let made: Vec<String> = cx
                .commands()
                .filter(|c| c.inst.index == inst.index && c.command.program_name() == Some("mkdir"))
                .flat_map(|c| {
                    c.command
                        .arguments()
                        .iter()
                        .filter(|w| !w.text.starts_with('-'))
                })
                .map(|w| dockwright_model::path::resolve_workdir(&workdir, &w.text))
                .collect();
            for command in cx.commands().filter(|c| c.inst.index == inst.index) {
                let (verb, paths, flag) = match &command.command.action {
                    Action::ChangeOwner(change) if change.recursive => {
                        ("chown", &change.paths, "--chown")
                    }
                    Action::ChangeMode(change) if change.recursive => {
                        ("chmod", &change.paths, "--chmod")
                    }
                    _ => continue,
                };
                for path in paths {
                    if path.text.contains(['$', '*']) {
                        continue;
                    }
                    let target = dockwright_model::path::resolve_workdir(&workdir, &path.text);
                    if made.contains(&target) {
                        continue;
                    }
                    let hit = copied.iter().rev().find(|(dest, _)| {
                        dest != "/"
                            && (dockwright_model::path::is_within(dest, &target)
                                || dockwright_model::path::is_within(&target, dest))
                    });
                    if let Some((dest, line)) = hit {
                        found.push((command.span(), format!(
                            "`{verb} -R {}` rewrites the files copied to `{dest}` at line {line} into a new layer: the image stores them twice; use `COPY {flag}=...` instead",
                            path.text
                        )));
                        break;
                    }
                }
            }
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}
