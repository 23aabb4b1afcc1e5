//! `dockwright bench`: builds a Dockerfile and its optimized version with a real builder and
//! prints the before/after table (first build, rebuild after a source edit, size, layers).

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use dockwright_build::bench::Measured;
use dockwright_build::{
    BenchObserver, BenchPlan, BenchReport, BuildStep, Builder, BuilderChoice, BuilderKind,
    ExportFormat, Phase, Side, StepOutcome, run_bench,
};
use indicatif::{ProgressBar, ProgressStyle};

use crate::exit::Status;
use crate::terminal;

/// Build both Dockerfiles and compare them.
#[derive(Debug, Args)]
#[command(after_help = "\
Each Dockerfile is built from a cold cache (--no-cache), then rebuilt after a source edit; the \
edit appends a newline to one file (restored afterwards, modification time included). Images \
are tagged dockwright-bench-RUN-original/-optimized and removed at the end, with every \
intermediate image the builds made; --keep keeps the two tagged ones.

Examples:
  dockwright bench examples/bench/python-cext
  dockwright bench -f Dockerfile --against Dockerfile.slim --format markdown .
  dockwright bench --export /tmp/images . && dockwright diff /tmp/images/original.tar /tmp/images/optimized.tar")]
pub struct BenchArgs {
    /// The build context.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// The Dockerfile (default: DIR/Dockerfile).
    #[arg(short = 'f', long = "file", value_name = "DOCKERFILE")]
    pub file: Option<PathBuf>,

    /// The Dockerfile to compare it with (default: Dockerfile.optimized beside it, as written
    /// by `dockwright optimize`).
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,

    /// The file to edit before the rebuild (default: an ordinary source file the Dockerfile
    /// copies; never a manifest, lockfile, config or test).
    #[arg(long, value_name = "PATH")]
    pub touch: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Tty)]
    pub format: Format,

    /// The builder (auto: buildah, else podman, else docker, whichever works).
    #[arg(long, value_enum, default_value_t = BuilderArg::Auto)]
    pub builder: BuilderArg,

    /// Storage driver for buildah/podman (default for buildah: $STORAGE_DRIVER, else vfs).
    #[arg(long, value_name = "DRIVER")]
    pub storage_driver: Option<String>,

    /// Keep the two images from the cold builds (the rebuilds' and intermediate images are
    /// removed all the same).
    #[arg(long)]
    pub keep: bool,

    /// Write both images into DIR for `dockwright image` / `dockwright diff`.
    #[arg(long, value_name = "DIR")]
    pub export: Option<PathBuf>,

    /// The export format: original.tar/optimized.tar or original/ and optimized/ layouts.
    #[arg(long, value_enum, default_value_t = ExportArg::DockerArchive)]
    pub export_format: ExportArg,

    /// A build argument for both builds.
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Tty,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuilderArg {
    Auto,
    Buildah,
    Podman,
    Docker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportArg {
    DockerArchive,
    Oci,
}

/// The Dockerfile to compare against when none is given: beside the Dockerfile.
fn default_against(dockerfile: &Path) -> PathBuf {
    dockerfile.with_file_name("Dockerfile.optimized")
}

pub fn run(args: &BenchArgs) -> anyhow::Result<Status> {
    if !args.dir.is_dir() {
        bail!(
            "{}: not a directory (the build context)",
            args.dir.display()
        );
    }
    let original = args
        .file
        .clone()
        .unwrap_or_else(|| args.dir.join("Dockerfile"));
    if !original.is_file() {
        bail!("{}: no such Dockerfile", original.display());
    }
    let optimized = args
        .against
        .clone()
        .unwrap_or_else(|| default_against(&original));
    if !optimized.is_file() {
        if args.against.is_some() {
            bail!("{}: no such Dockerfile", optimized.display());
        }
        bail!(
            "{}: no optimized Dockerfile to compare with; write one with `dockwright optimize`, or \
             name another with --against FILE",
            optimized.display()
        );
    }
    let mut build_args = Vec::new();
    for arg in &args.build_args {
        let Some((name, value)) = arg.split_once('=') else {
            bail!("--build-arg {arg}: expected NAME=VALUE");
        };
        build_args.push((name.to_string(), value.to_string()));
    }
    let choice = match args.builder {
        BuilderArg::Auto => BuilderChoice::Auto,
        BuilderArg::Buildah => BuilderChoice::Only(BuilderKind::Buildah),
        BuilderArg::Podman => BuilderChoice::Only(BuilderKind::Podman),
        BuilderArg::Docker => BuilderChoice::Only(BuilderKind::Docker),
    };
    let builder = Builder::detect(choice, args.storage_driver.clone())?;
    let plan = BenchPlan {
        context: args.dir.clone(),
        original,
        optimized,
        touch: args.touch.clone(),
        keep: args.keep,
        export: args.export.clone().map(|dir| {
            let format = match args.export_format {
                ExportArg::DockerArchive => ExportFormat::DockerArchive,
                ExportArg::Oci => ExportFormat::OciLayout,
            };
            (dir, format)
        }),
        build_args,
    };
    let touched = dockwright_build::bench::resolve_touch(&plan)?;
    let mut progress = Progress::new();
    progress.note(&format!(
        "benchmarking {} against {} with {}; the rebuild edits {}",
        plan.original.display(),
        plan.optimized.display(),
        builder.info().version,
        touched.path
    ));
    let report = run_bench(&builder, &plan, &mut progress);
    progress.finish();
    let report = report.context("bench")?;
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report)?;
            s.push('\n');
            s
        }
        Format::Markdown => markdown(&report),
        Format::Tty => tty(&report),
    };
    let mut out = anstream::stdout();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(Status::Success)
}

/// Progress on standard error: a spinner on a terminal, one line per phase otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    side: Side,
    phase: Option<Phase>,
    phase_started: std::time::Instant,
}

impl Progress {
    fn new() -> Progress {
        let quiet = terminal::verbosity() < 0;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {prefix}: {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            side: Side::Original,
            phase: None,
            phase_started: std::time::Instant::now(),
        }
    }

    fn note(&self, message: &str) {
        if terminal::verbosity() < 0 {
            return;
        }
        match &self.bar {
            Some(bar) => bar.println(message),
            None => eprintln!("{message}"),
        }
    }

    fn end_phase(&mut self) {
        if let Some(phase) = self.phase.take() {
            let took = format_seconds(self.phase_started.elapsed().as_secs_f64());
            self.note(&format!(
                "{}: {} done in {took}",
                self.side.name(),
                phase.describe()
            ));
        }
    }

    fn finish(&mut self) {
        self.end_phase();
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl BenchObserver for Progress {
    fn phase(&mut self, side: Side, phase: Phase) {
        self.end_phase();
        self.side = side;
        self.phase = Some(phase);
        self.phase_started = std::time::Instant::now();
        match &self.bar {
            Some(bar) => {
                bar.set_prefix(side.name());
                bar.set_message(phase.describe());
            }
            None => self.note(&format!("{}: {}…", side.name(), phase.describe())),
        }
    }

    fn build_line(&mut self, side: Side, line: &str, step: Option<&BuildStep>) {
        if terminal::verbosity() > 0 {
            self.note(&format!("  {} | {line}", side.name()));
        }
        if let (Some(bar), Some(step)) = (&self.bar, step) {
            let phase = self.phase.map_or("", Phase::describe);
            bar.set_message(format!(
                "{phase} · step {}/{}: {}",
                step.index, step.total, step.instruction
            ));
        }
    }

    fn warning(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| terminal::warn(message)),
            None => terminal::warn(message),
        }
    }
}

/// Bytes in SI units, as docker and buildah print image sizes.
fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn format_seconds(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else {
        let whole = seconds.round() as u64;
        format!("{}m {:02}s", whole / 60, whole % 60)
    }
}

/// "1m 11s faster (37.0 %)" / "4.0 s slower (12.5 %)".
fn time_change(saved: f64, percent: f64) -> String {
    if saved.abs() < 0.05 {
        return "same".to_string();
    }
    // The word carries the direction; the percentage is of the original's time.
    let word = if saved > 0.0 { "faster" } else { "slower" };
    format!(
        "{} {word} ({:.1} %)",
        format_seconds(saved.abs()),
        percent.abs()
    )
}

fn size_change(saved: i64, percent: f64) -> String {
    if saved == 0 {
        return "same".to_string();
    }
    let word = if saved > 0 { "smaller" } else { "larger" };
    format!(
        "{} {word} ({:.1} %)",
        format_bytes(saved.unsigned_abs()),
        percent.abs()
    )
}

fn layer_change(fewer: i64) -> String {
    match fewer {
        0 => "same".to_string(),
        n if n > 0 => format!("{n} fewer"),
        n => format!("{} more", -n),
    }
}

fn rows(report: &BenchReport) -> Vec<[String; 4]> {
    let (a, b, i) = (&report.original, &report.optimized, &report.improvement);
    vec![
        [
            "First build (cold cache)".into(),
            format_seconds(a.first_build.seconds),
            format_seconds(b.first_build.seconds),
            time_change(i.first_build_seconds, i.first_build_percent),
        ],
        [
            "Rebuild after a source edit".into(),
            format_seconds(a.rebuild.seconds),
            format_seconds(b.rebuild.seconds),
            time_change(i.rebuild_seconds, i.rebuild_percent),
        ],
        [
            "Image size".into(),
            format_bytes(a.size),
            format_bytes(b.size),
            size_change(i.size_bytes, i.size_percent),
        ],
        [
            "Layers".into(),
            a.layers.to_string(),
            b.layers.to_string(),
            layer_change(i.layers),
        ],
    ]
}

/// "5 of 9 steps from cache"
fn cache_summary(m: &Measured) -> String {
    let total = m.cached_steps + m.built_steps;
    format!("{} of {total} steps from cache", m.cached_steps)
}

fn rebuilt_steps(m: &Measured) -> Vec<String> {
    m.steps
        .iter()
        .filter(|s| s.outcome == StepOutcome::Built)
        .map(|s| shorten(&s.instruction, 70))
        .collect()
}

fn shorten(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

fn step_label(s: &BuildStep) -> String {
    match (s.stage, &s.stage_name) {
        (_, Some(name)) => format!("[{name} {}/{}]", s.index, s.total),
        (Some(stage), None) => format!("[stage {stage}, {}/{}]", s.index, s.total),
        (None, None) => format!("[{}/{}]", s.index, s.total),
    }
}

fn outcome_word(o: StepOutcome) -> &'static str {
    match o {
        StepOutcome::Base => "base",
        StepOutcome::Cached => "cached",
        StepOutcome::Built => "rebuilt",
    }
}

fn config_line(report: &BenchReport) -> String {
    const SETTINGS: [(&str, &str); 6] = [
        ("cmd", "CMD"),
        ("entrypoint", "ENTRYPOINT"),
        ("workdir", "WORKDIR"),
        ("exposed_ports", "EXPOSE"),
        ("env", "ENV"),
        ("user", "USER"),
    ];
    let diffs = &report.improvement.config_differences;
    let (differ, same): (Vec<_>, Vec<_>) = SETTINGS
        .iter()
        .partition(|(key, _)| diffs.iter().any(|d| d == key));
    let names = |v: &[&(&str, &str)]| v.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", ");
    if differ.is_empty() {
        return format!("same {}", names(&same));
    }
    let mut line = format!(
        "{} {}",
        names(&differ),
        if differ.len() == 1 {
            "differs"
        } else {
            "differ"
        }
    );
    if diffs.iter().any(|d| d == "user") {
        let user = |u: &str| {
            if u.is_empty() {
                "root".to_string()
            } else {
                u.to_string()
            }
        };
        let _ = write!(
            line,
            " ({} → {})",
            user(&report.original.config.user),
            user(&report.optimized.config.user)
        );
    }
    if !same.is_empty() {
        let _ = write!(line, "; same {}", names(&same));
    }
    line
}

/// The terminal table.
pub fn tty(report: &BenchReport) -> String {
    let mut out = String::new();
    let builder = &report.builder;
    let _ = writeln!(
        out,
        "{} — {}{}",
        report.context,
        builder.version,
        builder
            .storage_driver
            .as_deref()
            .map(|d| format!(", {d} storage"))
            .unwrap_or_default()
    );
    let mut table = vec![[
        String::new(),
        "Original".to_string(),
        "Optimized".to_string(),
        "Improvement".to_string(),
    ]];
    table.extend(rows(report));
    let widths: Vec<usize> = (0..4)
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &table {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        let _ = writeln!(out, "  {}", line.join("   ").trim_end());
    }
    let _ = writeln!(
        out,
        "\nRebuild after editing {} ({}):",
        report.touched.path, report.touched.reason
    );
    for (name, side) in [
        ("original", &report.original),
        ("optimized", &report.optimized),
    ] {
        let rebuilt = rebuilt_steps(&side.rebuild);
        let _ = writeln!(
            out,
            "  {name:<9}  {}; rebuilt: {}",
            cache_summary(&side.rebuild),
            if rebuilt.is_empty() {
                "nothing".to_string()
            } else {
                rebuilt.join(" · ")
            }
        );
    }
    let _ = writeln!(out, "\nRun-time settings: {}", config_line(report));
    for w in &report.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The markdown report: the table of the seeds' write-ups, then each rebuild step by step.
pub fn markdown(report: &BenchReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| Metric | Original | Optimized | Improvement |\n| --- | ---: | ---: | --- |"
    );
    for row in rows(report) {
        let _ = writeln!(out, "| {} | {} | {} | {} |", row[0], row[1], row[2], row[3]);
    }
    let _ = writeln!(
        out,
        "\nBuilt with {}{}. Run-time settings: {}.",
        report.builder.version,
        report
            .builder
            .storage_driver
            .as_deref()
            .map(|d| format!(" ({d} storage)"))
            .unwrap_or_default(),
        config_line(report)
    );
    let _ = writeln!(
        out,
        "\n### Rebuild after editing `{}`\n\n_{}._",
        report.touched.path, report.touched.reason
    );
    for (name, side) in [
        ("Original", &report.original),
        ("Optimized", &report.optimized),
    ] {
        let _ = writeln!(
            out,
            "\n**{name}** (`{}`): {}\n\n| Step | Instruction | Rebuild |\n| --- | --- | --- |",
            side.dockerfile,
            cache_summary(&side.rebuild)
        );
        for step in &side.rebuild.steps {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} |",
                step_label(step),
                md_cell(&shorten(&step.instruction, 80)),
                outcome_word(step.outcome)
            );
        }
    }
    for w in &report.warnings {
        let _ = writeln!(out, "\n> warning: {}", md_cell(w));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dockwright_build::bench::{Improvement, SideReport};
    use dockwright_build::{BuilderInfo, ImageConfig, TouchChoice};

    fn step(index: u32, total: u32, instruction: &str, outcome: StepOutcome) -> BuildStep {
        BuildStep {
            stage: None,
            stage_name: None,
            index,
            total,
            instruction: instruction.into(),
            outcome,
        }
    }

    fn measured(seconds: f64, steps: Vec<BuildStep>) -> Measured {
        let count = |o| steps.iter().filter(|s| s.outcome == o).count();
        Measured {
            seconds,
            cached_steps: count(StepOutcome::Cached),
            built_steps: count(StepOutcome::Built),
            steps,
        }
    }

    fn report() -> BenchReport {
        use StepOutcome::*;
        let config = ImageConfig {
            cmd: Some(vec![
                "python3".into(),
                "-m".into(),
                "textstats.server".into(),
            ]),
            workdir: "/app".into(),
            exposed_ports: vec!["8000/tcp".into()],
            env: vec!["PYTHONUNBUFFERED=1".into()],
            ..ImageConfig::default()
        };
        let original = SideReport {
            dockerfile: "examples/bench/python-cext/Dockerfile".into(),
            image: None,
            image_id: "069748e7265b".into(),
            first_build: measured(192.7, vec![]),
            rebuild: measured(
                81.4,
                vec![
                    step(1, 6, "FROM localhost/debian:bookworm", Base),
                    step(
                        2,
                        6,
                        "RUN apt-get update && apt-get install -y python3",
                        Cached,
                    ),
                    step(3, 6, "WORKDIR /app", Cached),
                    step(4, 6, "COPY . .", Built),
                    step(
                        5,
                        6,
                        "RUN pip3 install --break-system-packages -r requirements.txt | tee log",
                        Built,
                    ),
                    step(
                        6,
                        6,
                        "CMD [\"python3\", \"-m\", \"textstats.server\"]",
                        Built,
                    ),
                ],
            ),
            size: 955_311_104,
            layers: 7,
            config: config.clone(),
            export: None,
        };
        let mut optimized_config = config;
        optimized_config.user = "app".into();
        let optimized = SideReport {
            dockerfile: "examples/bench/python-cext/Dockerfile.optimized".into(),
            image: None,
            image_id: "1e2f3a4b5c6d".into(),
            first_build: measured(150.2, vec![]),
            rebuild: measured(
                9.8,
                vec![
                    BuildStep {
                        stage: Some(1),
                        ..step(1, 3, "FROM localhost/debian:bookworm AS build", Base)
                    },
                    BuildStep {
                        stage: Some(1),
                        ..step(2, 3, "RUN pip3 install -r requirements.txt", Cached)
                    },
                    BuildStep {
                        stage: Some(1),
                        ..step(3, 3, "COPY . .", Built)
                    },
                    BuildStep {
                        stage: Some(2),
                        ..step(1, 2, "FROM localhost/debian:bookworm", Base)
                    },
                    BuildStep {
                        stage: Some(2),
                        ..step(2, 2, "COPY --from=build /app /app", Built)
                    },
                ],
            ),
            size: 310_200_000,
            layers: 5,
            config: optimized_config,
            export: Some("docker-archive:/tmp/x/optimized.tar".into()),
        };
        BenchReport {
            version: 1,
            builder: BuilderInfo {
                kind: BuilderKind::Buildah,
                version: "buildah version 1.28.2 (image-spec 1.1.0-rc2, runtime-spec 1.0.2-dev)"
                    .into(),
                storage_driver: Some("vfs".into()),
            },
            context: "examples/bench/python-cext".into(),
            touched: TouchChoice {
                path: "textstats/server.py".into(),
                reason: "a .py source file the Dockerfile copies, chosen among 2 such files; never a manifest, lockfile, config or test".into(),
            },
            improvement: {
                // Computed the way the library does, through a round trip of the public fields.
                let pct = |a: f64, b: f64| (a - b) / a * 100.0;
                Improvement {
                    first_build_seconds: 192.7 - 150.2,
                    first_build_percent: pct(192.7, 150.2),
                    rebuild_seconds: 81.4 - 9.8,
                    rebuild_percent: pct(81.4, 9.8),
                    size_bytes: 955_311_104 - 310_200_000,
                    size_percent: pct(955_311_104.0, 310_200_000.0),
                    layers: 2,
                    config_differences: vec!["user".into()],
                }
            },
            original,
            optimized,
            warnings: vec![],
        }
    }

    #[test]
    fn tty_table() {
        insta::assert_snapshot!(tty(&report()));
    }

    #[test]
    fn markdown_table() {
        insta::assert_snapshot!(markdown(&report()));
    }

    #[test]
    fn json_is_the_report_struct() {
        let value = serde_json::to_value(report()).unwrap();
        assert_eq!(value["touched"]["path"], "textstats/server.py");
        assert_eq!(value["original"]["rebuild"]["steps"][3]["outcome"], "built");
        assert_eq!(value["improvement"]["layers"], 2);
        assert_eq!(value["builder"]["kind"], "buildah");
    }

    #[test]
    fn formats() {
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(955_311_104), "955.3 MB");
        assert_eq!(format_seconds(9.84), "9.8 s");
        assert_eq!(format_seconds(192.7), "3m 13s");
        assert_eq!(time_change(-4.0, -12.5), "4.0 s slower (12.5 %)");
        assert_eq!(time_change(0.01, 0.0), "same");
        assert_eq!(size_change(-1000, -1.0), "1.0 kB larger (1.0 %)");
        assert_eq!(layer_change(-2), "2 more");
        assert_eq!(shorten("RUN  a \\\n   b", 70), "RUN a \\ b");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }

    #[test]
    fn against_defaults_to_beside_the_dockerfile() {
        assert_eq!(
            default_against(Path::new("proj/docker/Dockerfile.prod")),
            Path::new("proj/docker/Dockerfile.optimized")
        );
    }
}
