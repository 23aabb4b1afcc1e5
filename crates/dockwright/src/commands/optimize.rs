//! `dockwright optimize [-f DOCKERFILE] [DIR]`: writes an optimized Dockerfile (builder and
//! runtime stages, dependencies before source, package hygiene) beside the original, and an
//! ignore file when the context has none, and explains each change.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use dockwright_optimize::{OptimizeInput, OptimizeOptions, Optimized, optimize, pin_digests};

use crate::exit::Status;
use crate::terminal;

/// Report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people (on standard error when the Dockerfile goes to standard output).
    Tty,
    /// The report as one JSON object (the optimized text included).
    Json,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  dockwright optimize                      writes ./Dockerfile.optimized (+ its .dockerignore)
  dockwright optimize --diff examples/bench/go-service
  dockwright optimize --in-place -f build/Dockerfile .
  dockwright optimize --buildkit --stdout . > Dockerfile.fast")]
pub struct OptimizeArgs {
    /// The build context.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// The Dockerfile (default: DIR/Dockerfile).
    #[arg(short = 'f', long = "file", value_name = "DOCKERFILE")]
    pub file: Option<PathBuf>,

    /// Where to write the optimized Dockerfile (default: DOCKERFILE.optimized).
    #[arg(short = 'o', long, value_name = "FILE", conflicts_with_all = ["stdout", "diff", "in_place"])]
    pub output: Option<PathBuf>,

    /// Print the optimized Dockerfile instead of writing it (the report goes to standard
    /// error).
    #[arg(long, conflicts_with_all = ["diff", "in_place"])]
    pub stdout: bool,

    /// Print the changes as a unified diff and write nothing.
    #[arg(long, conflicts_with = "in_place")]
    pub diff: bool,

    /// Replace the Dockerfile itself (atomically, keeping its mode).
    #[arg(long)]
    pub in_place: bool,

    /// Use BuildKit cache mounts for package managers (adds `# syntax=docker/dockerfile:1`).
    #[arg(long)]
    pub buildkit: bool,

    /// Pin every base image given by tag to the digest its registry serves now
    /// (`FROM python:3.12-slim@sha256:...`); needs the registries to be reachable (credentials
    /// from ~/.docker/config.json). Images whose digest cannot be read are reported, not
    /// changed.
    #[arg(long)]
    pub pin_digests: bool,

    /// With --pin-digests: plain HTTP to registries that are not on loopback.
    #[arg(long, requires = "pin_digests")]
    pub insecure_registry: bool,

    /// Do not write an ignore file, even when the context has none.
    #[arg(long)]
    pub no_ignore_file: bool,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Tty)]
    pub format: Format,
}

pub fn run(args: &OptimizeArgs) -> anyhow::Result<Status> {
    let dockerfile = args
        .file
        .clone()
        .unwrap_or_else(|| args.dir.join("Dockerfile"));
    let bytes = std::fs::read(&dockerfile)
        .with_context(|| format!("{}: cannot read the Dockerfile", dockerfile.display()))?;
    let source = std::str::from_utf8(&bytes)
        .with_context(|| format!("{}: not UTF-8", dockerfile.display()))?;
    let result = optimize(
        &OptimizeInput {
            source,
            context: Some(&args.dir),
            dockerfile: Some(&dockerfile),
        },
        &OptimizeOptions {
            buildkit: args.buildkit,
        },
    )
    .with_context(|| format!("{}", dockerfile.display()))?;
    let mut result = result;
    if args.pin_digests {
        pin(&mut result, args.insecure_registry)
            .with_context(|| format!("{}: pinning base images", dockerfile.display()))?;
    }

    if args.diff {
        let diff = similar::TextDiff::from_lines(source, result.dockerfile.as_str());
        let name = dockerfile.display().to_string();
        let mut out = std::io::stdout().lock();
        write!(
            out,
            "{}",
            diff.unified_diff()
                .header(&name, &format!("{name} (optimized)"))
        )?;
        report(&result, args.format, true)?;
        return Ok(if result.changed {
            Status::Failure
        } else {
            Status::Success
        });
    }
    if args.stdout {
        std::io::stdout()
            .lock()
            .write_all(result.dockerfile.as_bytes())?;
        report(&result, args.format, true)?;
        return Ok(Status::Success);
    }
    let target = if args.in_place {
        dockerfile.clone()
    } else {
        args.output.clone().unwrap_or_else(|| {
            let mut name = dockerfile.as_os_str().to_os_string();
            name.push(".optimized");
            PathBuf::from(name)
        })
    };
    if args.in_place {
        if result.changed {
            dockwright_rules::write_atomic(&target, result.dockerfile.as_bytes())
                .with_context(|| format!("cannot write {}", target.display()))?;
        }
    } else {
        write_new(&target, result.dockerfile.as_bytes())?;
    }
    if let Some(ignore) = &result.ignore_file
        && !args.no_ignore_file
    {
        // BuildKit reads DOCKERFILE.dockerignore before .dockerignore; beside a new file it
        // affects only the optimized build, so the original's build is unchanged.
        let path = if args.in_place {
            args.dir.join(".dockerignore")
        } else {
            let mut name = target.as_os_str().to_os_string();
            name.push(".dockerignore");
            PathBuf::from(name)
        };
        write_new(&path, ignore.text.as_bytes())?;
        if terminal::verbosity() >= 0 {
            terminal::info(format!("wrote {}", path.display()));
        }
    }
    if terminal::verbosity() >= 0 && args.format == Format::Tty {
        terminal::info(format!("wrote {}", target.display()));
    }
    report(&result, args.format, false)?;
    Ok(Status::Success)
}

fn write_new(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    dockwright_rules::write_atomic(path, contents)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn report(result: &Optimized, format: Format, to_stderr: bool) -> anyhow::Result<()> {
    let mut text = String::new();
    match format {
        Format::Json => {
            text = serde_json::to_string_pretty(result)?;
            text.push('\n');
        }
        Format::Tty => {
            use std::fmt::Write as _;
            if result.changes.is_empty() {
                text.push_str("no change: nothing the optimizer can prove safe to improve\n");
            }
            for change in &result.changes {
                let lines = if change.lines.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (line {})",
                        change
                            .lines
                            .iter()
                            .map(|l| l.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                writeln!(text, "changed{lines}: {}", change.summary)?;
                for rule in &change.rules {
                    writeln!(
                        text,
                        "  resolves {} {} (line {})",
                        rule.code, rule.name, rule.line
                    )?;
                }
                if !change.effect.is_empty() {
                    writeln!(text, "  effect: {}", change.effect)?;
                }
            }
            if let Some(r) = &result.rebuild {
                writeln!(
                    text,
                    "rebuild after editing {}: {} step(s) ({} RUN) before, {} ({} RUN) after",
                    r.edited,
                    r.original_rebuilt,
                    r.original_rebuilt_runs.len(),
                    r.optimized_rebuilt,
                    r.optimized_rebuilt_runs.len()
                )?;
            }
            for p in &result.proposals {
                writeln!(text, "proposed: {}", p.summary)?;
                writeln!(text, "  not applied: {}", p.reason)?;
            }
        }
    }
    if to_stderr || format == Format::Tty {
        std::io::stderr().lock().write_all(text.as_bytes())?;
    } else {
        std::io::stdout().lock().write_all(text.as_bytes())?;
    }
    Ok(())
}

/// Adds registry digests to the optimized Dockerfile's base images (`--pin-digests`).
fn pin(result: &mut Optimized, insecure: bool) -> anyhow::Result<()> {
    use dockwright_image::source::ResolveOptions;
    use dockwright_image::source::reference::RegistryRef;
    use dockwright_image::source::registry::tag_digest;

    let options = ResolveOptions {
        insecure,
        ..ResolveOptions::default()
    };
    let pinned = pin_digests(&result.dockerfile, &mut |reference| {
        let r = RegistryRef::parse(reference).map_err(|e| e.to_string())?;
        tag_digest(&r, &options).map_err(|e| e.to_string())
    })
    .map_err(anyhow::Error::msg)?;
    if !pinned.changes.is_empty() {
        result.changed = true;
    }
    result.dockerfile = pinned.text;
    result.changes.extend(pinned.changes);
    result.proposals.extend(pinned.proposals);
    Ok(())
}
