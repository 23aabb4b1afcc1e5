use crate::prelude::*;

use dockwright_model::cleans;

crate::declare_rule! {
    /// Flags a `RUN` that deletes what an earlier layer wrote: caches (`RUN rm -rf
    /// /var/lib/apt/lists/*` after the `RUN apt-get update`), downloaded files, copied
    /// files.
    ///
    /// ## Why
    /// Every `RUN` is a layer, and a layer can only add: deleting a file written by an
    /// earlier layer records a "whiteout" that hides it, while the bytes stay in the earlier
    /// layer, are pulled by every host and count in the image size. The cleanup costs a
    /// layer and saves nothing. Move the deletion into the `RUN` that writes the files (or
    /// keep them out of the layer with a cache/tmpfs mount, or download and use them in one
    /// `RUN`); for copied files, do not copy them (`.dockerignore`, narrower `COPY`), or
    /// copy them in a builder stage.
    ///
    /// Read from the model's per-`RUN` effects: the caches each `RUN` leaves in its layer
    /// (package indexes and caches, build caches), the files it downloads, and the
    /// destinations of earlier `COPY`/`ADD`, matched against later `rm` paths (globs and
    /// parent directories included) and clean commands (`apt-get clean`, `yum clean all`,
    /// `npm cache clean`...). Only layers of the image the build produces count. dive
    /// reports this waste only after a build; hadolint cannot see across instructions.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// RUN rm -rf /var/lib/apt/lists/*
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    pub struct CleanupInLaterLayer {
        code: "DW2402",
        name: "cleanup-in-later-layer",
        category: Size,
        severity: Warning,
    }
}

/// Something an earlier layer wrote.
struct Written {
    /// A cache location, or a path.
    cache: Option<CacheLocation>,
    path: Option<String>,
    /// The instruction that wrote it.
    line: usize,
    what: String,
}

impl Check for CleanupInLaterLayer {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let mut written: Vec<Written> = Vec::new();
        let mut found = Vec::new();
        for inst in cx.instructions() {
            let Some(stage) = inst.stage() else {
                continue;
            };
            if !cx.in_final_image(stage) || inst.facts.onbuild {
                continue;
            }
            let line = cx.position(inst.syntax.span().start).line;
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
                        let what = format!("copied by `{}`", inst.syntax.keyword().text);
                        for path in copied_paths(&workdir, &dest, &copy.sources) {
                            written.push(Written {
                                cache: None,
                                path: Some(path),
                                line,
                                what: what.clone(),
                            });
                        }
                    }
                }
                continue;
            }
            let Some(run) = inst.run() else {
                continue;
            };
            // What this RUN removes, checked against what earlier layers wrote.
            let own_caches: Vec<CacheLocation> =
                run.effects.caches.iter().map(|c| c.location).collect();
            for command in cx.commands().filter(|c| c.inst.index == inst.index) {
                let cleaned = command.command.action.cleaned_locations();
                let removed: Vec<(String, Span)> = match &command.command.action {
                    Action::Remove(remove) => remove
                        .paths
                        .iter()
                        .filter(|p| !p.text.contains('$'))
                        .map(|p| {
                            (
                                dockwright_model::path::resolve_workdir(&workdir, &p.text),
                                command.file_span(p.span),
                            )
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                for location in cleaned {
                    if own_caches.iter().any(|own| cleans(location, *own)) {
                        // It cleans its own cache (and perhaps an earlier one, which that
                        // RUN's own rule reports).
                        continue;
                    }
                    if let Some(earlier) = written
                        .iter()
                        .find(|w| w.cache.is_some_and(|c| cleans(location, c)))
                    {
                        found.push((command.span(), format!(
                            "this deletes {} at line {}, but that layer keeps it: the image does not shrink; delete it in the RUN that writes it, or use a cache mount",
                            earlier.what, earlier.line
                        )));
                        break;
                    }
                }
                for (path, span) in removed {
                    if let Some(earlier) = written.iter().find(|w| {
                        w.path.as_deref().is_some_and(|p| {
                            dockwright_model::path::is_within(p, &path) || p == path
                        })
                    }) {
                        found.push((span, format!(
                            "`{path}` was {} at line {}: deleting it in a later layer does not shrink the image; do not put it there, or delete it in the same step",
                            earlier.what, earlier.line
                        )));
                    }
                }
            }
            for cache in run.effects.caches.iter().filter(|c| c.left_in_layer()) {
                written.push(Written {
                    cache: Some(cache.location),
                    path: None,
                    line,
                    what: format!("the {} written", cache_name(cache.location)),
                });
            }
            for download in &run.effects.downloads {
                if let Some(output) = download.output.as_ref().filter(|o| !o.contains('$')) {
                    let path = dockwright_model::path::resolve_workdir(&workdir, output);
                    if !run.mount_covers(&path) {
                        written.push(Written {
                            cache: None,
                            path: Some(path),
                            line,
                            what: "downloaded".to_string(),
                        });
                    }
                }
            }
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}

fn cache_name(location: CacheLocation) -> &'static str {
    use CacheLocation as C;
    match location {
        C::AptLists => "apt package lists",
        C::AptArchives => "apt archives",
        C::ApkCache => "apk cache",
        C::DnfCache => "dnf cache",
        C::YumCache => "yum cache",
        C::ZypperCache => "zypper cache",
        C::PipCache => "pip cache",
        C::UvCache => "uv cache",
        C::PoetryCache => "poetry cache",
        C::CondaPackages => "conda package cache",
        C::NpmCache => "npm cache",
        C::YarnCache => "yarn cache",
        C::PnpmStore => "pnpm store",
        C::GemCache => "gem cache",
        C::GoBuildCache => "Go build cache",
        C::GoModuleCache => "Go module cache",
        C::CargoRegistry => "Cargo registry",
        C::ComposerCache => "composer cache",
        C::MavenRepository => "Maven repository",
        C::GradleCache => "Gradle cache",
        _ => "cache",
    }
}

/// The paths a copy writes that a later `rm` could name: the destination when it is a file,
/// or each named source's name inside a destination directory (`COPY a.run ./`; a source
/// written as a directory, `src/`, copies its contents, which are not known here).
fn copied_paths(workdir: &str, dest: &str, sources: &[CopySource<'_>]) -> Vec<String> {
    let dir = dockwright_model::path::resolve_workdir(workdir, dest);
    let into_dir = dest.ends_with('/') || dest == "." || sources.len() > 1;
    if !into_dir {
        return if dir == "/" { Vec::new() } else { vec![dir] };
    }
    sources
        .iter()
        .filter_map(|s| match s {
            CopySource::Path(word) => Some(word.as_str()),
            CopySource::Heredoc { .. } => None,
        })
        .filter(|s| !s.contains(['*', '?', '[', '$']) && !s.contains("://") && !s.ends_with('/'))
        .filter_map(|s| s.trim_end_matches('/').rsplit('/').next())
        .filter(|name| !name.is_empty() && *name != "." && *name != "..")
        .map(|name| dockwright_model::path::resolve_workdir(&dir, name))
        .collect()
}
