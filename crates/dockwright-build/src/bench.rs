//! Proving an optimization with real builds: build the original and the optimized Dockerfile
//! from a cold cache, edit a source file, rebuild both, and compare time, size and layers.
//!
//! Each side runs on its own, in this order: a cold build (`--no-cache`: nothing reused, but
//! its layers fill the cache), inspection and optional export of that image, the source edit,
//! the rebuild (which may reuse the layers the cold build made), the undoing of the edit, and
//! the removal of every image the side made (unless asked to keep them). Running the sides one
//! after the other keeps the storage small, which matters with the vfs driver.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::builder::{BuildRequest, BuildRun, Builder, BuilderInfo, ExportFormat};
use crate::copied::copied_files;
use crate::error::BuildError;
use crate::inspect::ImageConfig;
use crate::log::{BuildStep, StepOutcome};
use crate::touch::{TouchChoice, choose_file, touch};

/// Which Dockerfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The Dockerfile as it is.
    Original,
    /// The rewritten one.
    Optimized,
}

impl Side {
    /// `original` / `optimized`.
    pub fn name(self) -> &'static str {
        match self {
            Side::Original => "original",
            Side::Optimized => "optimized",
        }
    }
}

/// What a bench run is doing, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The build from a cold cache.
    FirstBuild,
    /// Reading size, layers and configuration.
    Inspect,
    /// Writing the image for analysis.
    Export,
    /// The build after the source edit.
    Rebuild,
    /// Removing the images the run made.
    Cleanup,
}

impl Phase {
    /// A short description.
    pub fn describe(self) -> &'static str {
        match self {
            Phase::FirstBuild => "first build (cold cache)",
            Phase::Inspect => "inspecting the image",
            Phase::Export => "exporting the image",
            Phase::Rebuild => "rebuild after the source edit",
            Phase::Cleanup => "removing the images it made",
        }
    }
}

/// Receives progress while a bench runs (the library never prints).
pub trait BenchObserver {
    /// A phase begins.
    fn phase(&mut self, side: Side, phase: Phase);
    /// A line of builder output; `step` when it starts a Dockerfile step.
    fn build_line(&mut self, side: Side, line: &str, step: Option<&BuildStep>);
    /// Something the report will also carry as a warning.
    fn warning(&mut self, message: &str);
}

/// An observer that ignores everything.
pub struct Silent;

impl BenchObserver for Silent {
    fn phase(&mut self, _: Side, _: Phase) {}
    fn build_line(&mut self, _: Side, _: &str, _: Option<&BuildStep>) {}
    fn warning(&mut self, _: &str) {}
}

/// What to compare.
#[derive(Debug, Clone)]
pub struct BenchPlan {
    /// The build context.
    pub context: PathBuf,
    /// The Dockerfile as it is.
    pub original: PathBuf,
    /// The optimized Dockerfile.
    pub optimized: PathBuf,
    /// The file to edit before the rebuild (relative to the context, or absolute inside it);
    /// chosen among the files the original Dockerfile copies when not given.
    pub touch: Option<PathBuf>,
    /// Keep the two images from the cold builds (tagged `dockwright-bench-RUN-original` /
    /// `-optimized`); every other image the run made is removed all the same.
    pub keep: bool,
    /// Write both images into this directory (`original.tar`/`optimized.tar` for docker
    /// archives, `original/`/`optimized/` for OCI layouts).
    pub export: Option<(PathBuf, ExportFormat)>,
    /// `--build-arg`s for both builds.
    pub build_args: Vec<(String, String)>,
}

/// One build's time and steps.
#[derive(Debug, Clone, Serialize)]
pub struct Measured {
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Steps, with what the builder did for each.
    pub steps: Vec<BuildStep>,
    /// How many steps (FROMs aside) came from cache.
    pub cached_steps: usize,
    /// How many steps were built.
    pub built_steps: usize,
}

impl Measured {
    fn of(run: &BuildRun) -> Measured {
        let steps = run.log.steps.clone();
        let count = |o| steps.iter().filter(|s| s.outcome == o).count();
        Measured {
            seconds: run.seconds,
            cached_steps: count(StepOutcome::Cached),
            built_steps: count(StepOutcome::Built),
            steps,
        }
    }
}

/// Everything measured for one Dockerfile.
#[derive(Debug, Clone, Serialize)]
pub struct SideReport {
    /// The Dockerfile.
    pub dockerfile: String,
    /// The image name, when the images were kept.
    pub image: Option<String>,
    /// The id of the image from the cold build.
    pub image_id: String,
    /// The cold build.
    pub first_build: Measured,
    /// The build after the source edit.
    pub rebuild: Measured,
    /// Uncompressed bytes of all layers.
    pub size: u64,
    /// Filesystem layers.
    pub layers: usize,
    /// What a container starts with.
    pub config: ImageConfig,
    /// Where the image was exported (`docker-archive:PATH`, `oci:DIR`).
    pub export: Option<String>,
}

/// Optimized compared with original: positive numbers are improvements.
#[derive(Debug, Clone, Serialize)]
pub struct Improvement {
    /// Seconds saved on the cold build.
    pub first_build_seconds: f64,
    /// … as a percentage of the original's.
    pub first_build_percent: f64,
    /// Seconds saved on the rebuild.
    pub rebuild_seconds: f64,
    /// … as a percentage.
    pub rebuild_percent: f64,
    /// Bytes saved.
    pub size_bytes: i64,
    /// … as a percentage.
    pub size_percent: f64,
    /// Layers fewer.
    pub layers: i64,
    /// Run-time settings that differ (`cmd`, `entrypoint`, `workdir`, `exposed_ports`, `env`,
    /// `user`): an optimization should change none of them except perhaps `user`.
    pub config_differences: Vec<String>,
}

impl Improvement {
    fn between(a: &SideReport, b: &SideReport) -> Improvement {
        let pct = |before: f64, after: f64| {
            if before > 0.0 {
                (before - after) / before * 100.0
            } else {
                0.0
            }
        };
        let to_i64 = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
        Improvement {
            first_build_seconds: a.first_build.seconds - b.first_build.seconds,
            first_build_percent: pct(a.first_build.seconds, b.first_build.seconds),
            rebuild_seconds: a.rebuild.seconds - b.rebuild.seconds,
            rebuild_percent: pct(a.rebuild.seconds, b.rebuild.seconds),
            size_bytes: to_i64(a.size) - to_i64(b.size),
            size_percent: pct(a.size as f64, b.size as f64),
            layers: a.layers as i64 - b.layers as i64,
            config_differences: a
                .config
                .differences(&b.config)
                .into_iter()
                .map(str::to_string)
                .collect(),
        }
    }
}

/// The result of a bench run: what `dockwright bench --format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Format version of this report.
    pub version: u32,
    /// The builder used.
    pub builder: BuilderInfo,
    /// The build context.
    pub context: String,
    /// The file edited before the rebuilds.
    pub touched: TouchChoice,
    /// The Dockerfile as it is.
    pub original: SideReport,
    /// The optimized Dockerfile.
    pub optimized: SideReport,
    /// How much better the optimized one is.
    pub improvement: Improvement,
    /// Things that make the figures less meaningful, or cleanup that failed.
    pub warnings: Vec<String>,
}

/// Resolves which file to edit: the given one (which must be inside the context and exist),
/// or one chosen among the files the original Dockerfile copies.
pub fn resolve_touch(plan: &BenchPlan) -> Result<TouchChoice, BuildError> {
    if let Some(given) = &plan.touch {
        let absolute = if given.is_absolute() {
            given.clone()
        } else {
            plan.context.join(given)
        };
        let canonical = absolute
            .canonicalize()
            .map_err(|e| BuildError::io(&absolute, e))?;
        let context = plan
            .context
            .canonicalize()
            .map_err(|e| BuildError::io(&plan.context, e))?;
        let relative = canonical.strip_prefix(&context).map_err(|_| {
            BuildError::NothingToTouch(format!(
                "{} is outside the build context {}",
                given.display(),
                plan.context.display()
            ))
        })?;
        if !canonical.is_file() {
            return Err(BuildError::NothingToTouch(format!(
                "{} is not a regular file",
                given.display()
            )));
        }
        let path = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        return Ok(TouchChoice {
            path,
            reason: "given with --touch".to_string(),
        });
    }
    let copied = copied_files(&plan.original, &plan.context)?;
    choose_file(&copied).ok_or_else(|| {
        BuildError::NothingToTouch(format!(
            "{} copies no ordinary source file from {} ({} files copied, none a source file that \
             is not a manifest, lockfile, config or test); name one with --touch",
            plan.original.display(),
            plan.context.display(),
            copied.len()
        ))
    })
}

/// `path` made absolute through its nearest existing ancestor (which is canonicalized), without
/// creating anything.
fn resolved(path: &Path) -> PathBuf {
    let joined = std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    // `..` and `.` resolved lexically first, so that `ctx/../elsewhere` is not inside `ctx`.
    let mut absolute = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::ParentDir => {
                absolute.pop();
            }
            std::path::Component::CurDir => {}
            other => absolute.push(other),
        }
    }
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut out = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    out.extend(rest.iter().rev());
    out
}

/// A name unique to this run: process id and time.
fn run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}-{:x}", std::process::id(), nanos & 0xffff_ffff)
}

/// Runs the bench.
pub fn run_bench(
    builder: &Builder,
    plan: &BenchPlan,
    observer: &mut dyn BenchObserver,
) -> Result<BenchReport, BuildError> {
    for dockerfile in [&plan.original, &plan.optimized] {
        if !dockerfile.is_file() {
            return Err(BuildError::io(
                dockerfile,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such Dockerfile"),
            ));
        }
    }
    if let Some((dir, _)) = &plan.export {
        let context = plan
            .context
            .canonicalize()
            .map_err(|e| BuildError::io(&plan.context, e))?;
        if resolved(dir).starts_with(&context) {
            return Err(BuildError::Plan(format!(
                "the export directory {} is inside the build context {}: the second build would \
                 copy the first image; choose a directory outside it",
                dir.display(),
                plan.context.display()
            )));
        }
    }
    let touched = resolve_touch(plan)?;
    let run = run_id();
    let mut warnings = Vec::new();
    let mut sides = Vec::new();
    for (side, dockerfile) in [
        (Side::Original, &plan.original),
        (Side::Optimized, &plan.optimized),
    ] {
        let report = bench_side(
            builder,
            plan,
            side,
            dockerfile,
            &touched,
            &run,
            observer,
            &mut warnings,
        )?;
        sides.push(report);
    }
    let optimized = sides.pop();
    let original = sides.pop();
    let (Some(original), Some(optimized)) = (original, optimized) else {
        unreachable!("two sides were measured");
    };
    let improvement = Improvement::between(&original, &optimized);
    Ok(BenchReport {
        version: 1,
        builder: builder.info(),
        context: plan.context.display().to_string(),
        touched,
        original,
        optimized,
        improvement,
        warnings,
    })
}

#[allow(clippy::too_many_arguments)]
fn bench_side(
    builder: &Builder,
    plan: &BenchPlan,
    side: Side,
    dockerfile: &Path,
    touched: &TouchChoice,
    run: &str,
    observer: &mut dyn BenchObserver,
    warnings: &mut Vec<String>,
) -> Result<SideReport, BuildError> {
    let tag = builder.image_name(&format!("dockwright-bench-{run}-{}", side.name()));
    let request = BuildRequest {
        dockerfile: dockerfile.to_path_buf(),
        context: plan.context.clone(),
        tag: tag.clone(),
        no_cache: true,
        build_args: plan.build_args.clone(),
        cache_ttl: None,
    };
    // Every image this side makes, newest first, so that removal goes from children to parents.
    let mut made: Vec<String> = Vec::new();
    let build = |request: &BuildRequest,
                 made: &mut Vec<String>,
                 observer: &mut dyn BenchObserver|
     -> Result<BuildRun, BuildError> {
        let result = builder.build(request, &mut |line, step| {
            observer.build_line(side, line, step);
        });
        let mut newer = match &result {
            Ok(run) => run.log.made_images(),
            Err(BuildError::BuildFailed { made_images, .. }) => made_images.clone(),
            Err(_) => Vec::new(),
        };
        newer.append(made);
        *made = newer;
        result
    };
    let outcome = (|| -> Result<SideReport, BuildError> {
        observer.phase(side, Phase::FirstBuild);
        let cold_started = std::time::Instant::now();
        let first = build(&request, &mut made, observer)?;

        observer.phase(side, Phase::Inspect);
        let facts = builder.inspect(&tag)?;

        let export = match &plan.export {
            Some((dir, format)) => {
                observer.phase(side, Phase::Export);
                std::fs::create_dir_all(dir).map_err(|e| BuildError::io(dir, e))?;
                let dest = match format {
                    ExportFormat::DockerArchive => dir.join(format!("{}.tar", side.name())),
                    ExportFormat::OciLayout => dir.join(side.name()),
                };
                Some(builder.export(&tag, format, &dest)?)
            }
            None => None,
        };

        let edited = touch(&plan.context.join(&touched.path))?;
        observer.phase(side, Phase::Rebuild);
        let rebuild_request = BuildRequest {
            no_cache: false,
            // The cold build's layers and nothing older (a margin for clock granularity).
            cache_ttl: Some(cold_started.elapsed() + std::time::Duration::from_secs(5)),
            ..request.clone()
        };
        let rebuilt = build(&rebuild_request, &mut made, observer);
        edited.restore()?;
        let rebuilt = rebuilt?;
        if plan.keep {
            // The image to keep is the one built from the sources as they are.
            builder.tag(&facts.id, &tag)?;
            made.retain(|id| !crate::log::same_image(id, &facts.id));
        }

        let first_build = Measured::of(&first);
        let rebuild = Measured::of(&rebuilt);
        if rebuild.built_steps == 0 {
            let message = format!(
                "{}: the rebuild took every step from cache: the edit of {} did not reach the \
                 build (is it ignored, or not copied?)",
                side.name(),
                touched.path
            );
            observer.warning(&message);
            warnings.push(message);
        }
        Ok(SideReport {
            dockerfile: dockerfile.display().to_string(),
            image: plan.keep.then(|| tag.clone()),
            image_id: facts.id.clone(),
            first_build,
            rebuild,
            size: facts.size,
            layers: facts.layers,
            config: facts.config,
            export,
        })
    })();
    let mut images = if plan.keep && outcome.is_ok() {
        Vec::new()
    } else {
        vec![tag.clone()]
    };
    images.extend(made);
    if !images.is_empty() {
        observer.phase(side, Phase::Cleanup);
        for failure in builder.remove_images(&images) {
            let message = format!("{}: could not remove image {failure}", side.name());
            observer.warning(&message);
            warnings.push(message);
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::BuilderKind;

    fn side(seconds: f64, rebuild: f64, size: u64, layers: usize) -> SideReport {
        let m = |s| Measured {
            seconds: s,
            steps: vec![],
            cached_steps: 0,
            built_steps: 0,
        };
        SideReport {
            dockerfile: "Dockerfile".into(),
            image: None,
            image_id: "x".into(),
            first_build: m(seconds),
            rebuild: m(rebuild),
            size,
            layers,
            config: ImageConfig::default(),
            export: None,
        }
    }

    #[test]
    fn improvement_is_positive_when_better() {
        let a = side(200.0, 100.0, 1_000, 7);
        let mut b = side(150.0, 10.0, 400, 4);
        b.config.user = "app".into();
        let i = Improvement::between(&a, &b);
        assert_eq!(i.first_build_seconds, 50.0);
        assert_eq!(i.first_build_percent, 25.0);
        assert_eq!(i.rebuild_percent, 90.0);
        assert_eq!(i.size_bytes, 600);
        assert_eq!(i.size_percent, 60.0);
        assert_eq!(i.layers, 3);
        assert_eq!(i.config_differences, ["user"]);
        let worse = Improvement::between(&b, &a);
        assert!(worse.size_bytes < 0 && worse.size_percent < 0.0);
    }

    #[test]
    fn resolved_goes_through_existing_ancestors_without_creating() {
        let dir = tempfile::tempdir().unwrap();
        let canonical = dir.path().canonicalize().unwrap();
        let wanted = dir.path().join("a/../b/./c");
        let r = resolved(&wanted);
        assert_eq!(r, canonical.join("b/c"));
        let outside = resolved(&dir.path().join("ctx/../../elsewhere"));
        assert!(
            !outside.starts_with(canonical.join("ctx")),
            "{}",
            outside.display()
        );
        assert!(!dir.path().join("b").exists());
    }

    #[test]
    fn touch_must_be_inside_the_context() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = dir.path().join("ctx");
        std::fs::create_dir_all(&ctx).unwrap();
        std::fs::write(dir.path().join("outside.py"), "x").unwrap();
        std::fs::write(ctx.join("inside.py"), "x").unwrap();
        let mut plan = BenchPlan {
            context: ctx.clone(),
            original: ctx.join("Dockerfile"),
            optimized: ctx.join("Dockerfile.optimized"),
            touch: Some(PathBuf::from("../outside.py")),
            keep: false,
            export: None,
            build_args: vec![],
        };
        let err = resolve_touch(&plan).unwrap_err().to_string();
        assert!(err.contains("outside the build context"), "{err}");
        plan.touch = Some(PathBuf::from("inside.py"));
        assert_eq!(resolve_touch(&plan).unwrap().path, "inside.py");
        plan.touch = Some(PathBuf::from("missing.py"));
        assert!(
            resolve_touch(&plan)
                .unwrap_err()
                .to_string()
                .contains("missing.py")
        );
    }

    #[test]
    fn missing_dockerfile_is_reported_before_any_build() {
        let dir = tempfile::tempdir().unwrap();
        let plan = BenchPlan {
            context: dir.path().to_path_buf(),
            original: dir.path().join("Dockerfile"),
            optimized: dir.path().join("Dockerfile.optimized"),
            touch: None,
            keep: false,
            export: None,
            build_args: vec![],
        };
        // No builder is needed to fail here; any detected one would do, so use whatever is
        // installed, or skip when none is.
        let Ok(builder) = Builder::detect(
            crate::builder::BuilderChoice::Only(BuilderKind::Buildah),
            None,
        ) else {
            eprintln!("note: buildah not available; checked only that the plan fails to resolve");
            assert!(resolve_touch(&plan).is_err());
            return;
        };
        let err = run_bench(&builder, &plan, &mut Silent)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Dockerfile") && err.contains("no such Dockerfile"),
            "{err}"
        );
    }
}
