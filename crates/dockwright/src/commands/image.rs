//! `dockwright image IMAGE`: layers, dive's figures, reclaimable bytes, findings, CI gates.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, ValueEnum};
use dockwright_image::blob::Progress;
use dockwright_image::ci::{CiConfig, CiResult, RuleStatus};
use dockwright_image::layer::ReadOptions;
use dockwright_image::source::{self, ResolveOptions};
use dockwright_image::spec::Platform;
use dockwright_image::{ImageReference, ImageReport, LoadedImage};
use serde::Serialize;

use crate::exit::Status;
use crate::terminal;

/// Output formats for image reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    Tty,
    /// One JSON object.
    Json,
    /// GitHub-flavoured markdown.
    Markdown,
}

/// Where to read an image from and how.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// The platform to pick from a multi-platform image (OS/ARCH[/VARIANT]; default: this host).
    #[arg(long)]
    pub platform: Option<String>,

    /// Verify every blob's digest (always done for registry blobs).
    #[arg(long)]
    pub verify: bool,

    /// Docker config file with registry credentials (default: $DOCKER_CONFIG/config.json or
    /// ~/.docker/config.json).
    #[arg(long, value_name = "PATH")]
    pub docker_config: Option<PathBuf>,

    /// Allow plain HTTP to a registry that is not on loopback.
    #[arg(long)]
    pub insecure: bool,
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image: docker-archive:PATH, oci-archive:PATH[:TAG], oci:DIR[:TAG], engine:NAME, a
    /// path to an archive or layout, or a registry reference (alpine:3.20).
    pub image: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Tty)]
    pub format: Format,

    #[command(flatten)]
    pub source: SourceArgs,

    /// Evaluate the CI gates (dive's `.dive-ci` rules plus max-size and max-reclaimable) and
    /// exit 1 when one is breached.
    #[arg(long)]
    pub ci: bool,

    /// The CI rules file (default: `.dive-ci` in the current directory, if present).
    #[arg(long, value_name = "PATH")]
    pub ci_config: Option<PathBuf>,

    /// Lowest allowed efficiency, 0..1 (dive's lowestEfficiency).
    #[arg(long, alias = "lowestEfficiency", value_name = "RATIO")]
    pub lowest_efficiency: Option<String>,

    /// Highest allowed dive wasted bytes (20MB, 1GiB; dive's highestWastedBytes).
    #[arg(long, alias = "highestWastedBytes", value_name = "BYTES")]
    pub highest_wasted_bytes: Option<String>,

    /// Highest allowed wasted ÷ user bytes, 0..1 (dive's highestUserWastedPercent).
    #[arg(long, alias = "highestUserWastedPercent", value_name = "RATIO")]
    pub highest_user_wasted_percent: Option<String>,

    /// Largest allowed image size (Σ layer sizes).
    #[arg(long, value_name = "BYTES")]
    pub max_size: Option<String>,

    /// Most reclaimable bytes allowed (hidden copies and deleted files).
    #[arg(long, value_name = "BYTES")]
    pub max_reclaimable: Option<String>,

    /// List every file each layer adds, modifies or removes (JSON `changes`; in the table,
    /// the first 20 per layer).
    #[arg(long)]
    pub files: bool,
}

/// A progress bar on standard error, shown only on a terminal and without `-q`.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64) {
        if total > 0 {
            self.0.set_length(total);
        }
    }
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
}

fn progress_bar(label: &str) -> indicatif::ProgressBar {
    if terminal::verbosity() < 0 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar =
        indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    bar.set_message(label.to_string());
    bar
}

/// Resolves and reads an image, with a progress bar.
pub fn load_image(
    reference: &str,
    args: &SourceArgs,
    capture: Option<dockwright_image::layer::CaptureFilter>,
) -> anyhow::Result<LoadedImage> {
    let parsed = ImageReference::parse(reference)?;
    let platform = match &args.platform {
        Some(p) => Platform::parse(p)?,
        None => Platform::host(),
    };
    let opts = ResolveOptions {
        platform,
        docker_config: args.docker_config.clone(),
        insecure: args.insecure,
    };
    let resolved =
        source::resolve(&parsed, &opts).with_context(|| format!("reading {reference}"))?;
    let bar = progress_bar(reference);
    let read = ReadOptions {
        verify: args.verify,
        progress: Arc::new(Bar(bar.clone())),
        capture,
        ..ReadOptions::default()
    };
    let loaded = dockwright_image::load::load(resolved, &read)
        .with_context(|| format!("reading {reference}"));
    bar.finish_and_clear();
    loaded
}

fn ci_config(args: &ImageArgs) -> anyhow::Result<CiConfig> {
    let mut config = match &args.ci_config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            CiConfig::parse(&text, &path.display().to_string())?
        }
        None => {
            let path = PathBuf::from(".dive-ci");
            if path.is_file() {
                let text = std::fs::read_to_string(&path).context("reading .dive-ci")?;
                CiConfig::parse(&text, ".dive-ci")?
            } else {
                CiConfig::default()
            }
        }
    };
    let flags = [
        ("lowest-efficiency", &args.lowest_efficiency),
        ("highest-wasted-bytes", &args.highest_wasted_bytes),
        (
            "highest-user-wasted-percent",
            &args.highest_user_wasted_percent,
        ),
        ("max-size", &args.max_size),
        ("max-reclaimable", &args.max_reclaimable),
    ];
    for (key, value) in flags {
        if let Some(v) = value {
            config.set(key, v.clone());
        }
    }
    config.validate()?;
    Ok(config)
}

#[derive(Serialize)]
struct JsonOut<'a> {
    #[serde(flatten)]
    report: &'a ImageReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    ci: Option<&'a CiResult>,
}

pub fn run(args: &ImageArgs) -> anyhow::Result<Status> {
    let ci = if args.ci {
        Some(ci_config(args)?)
    } else {
        None
    };
    let loaded = load_image(&args.image, &args.source, None)?;
    let report = dockwright_image::report::analyze_full(&loaded, &args.image, args.files).0;
    drop(loaded);
    if let Some(c) = &ci {
        for w in &c.warnings {
            terminal::warn(w);
        }
    }
    for w in &report.warnings {
        terminal::warn(w);
    }
    let result = ci.as_ref().map(|c| c.evaluate(&report)).transpose()?;
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&JsonOut {
                report: &report,
                ci: result.as_ref(),
            })?;
            s.push('\n');
            s
        }
        Format::Markdown => markdown(&report, result.as_ref()),
        Format::Tty => tty(&report, result.as_ref()),
    };
    let mut out = anstream::stdout();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(match result {
        Some(r) if !r.passed => Status::Failure,
        _ => Status::Success,
    })
}

/// Bytes with SI units, as dive prints them.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS.get(unit).copied().unwrap_or("B"))
    }
}

/// `created_by` shortened for a table.
pub fn short_command(created_by: &str, width: usize) -> String {
    let mut s = created_by.trim();
    for prefix in ["/bin/sh -c #(nop) ", "/bin/sh -c "] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim();
        }
    }
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > width {
        let cut: String = s.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn pct(v: f64) -> String {
    format!("{:.2} %", v * 100.0)
}

fn tty(r: &ImageReport, ci: Option<&CiResult>) -> String {
    let bold = anstyle::Style::new().bold();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{bold}{}{bold:#}  ({:?}, {}, {} layers)",
        r.image,
        r.source,
        r.platform,
        r.layers.len()
    );
    let _ = writeln!(
        s,
        "size {}  compressed {}  files {}  final {}\n",
        human(r.total_size),
        human(r.compressed_size),
        r.files,
        human(r.final_size)
    );
    let _ = writeln!(
        s,
        "{bold}  #      size  +files  ~files  -files  command{bold:#}"
    );
    for l in &r.layers {
        let _ = writeln!(
            s,
            "{:>3} {:>9} {:>7} {:>7} {:>7}  {}",
            l.index,
            human(l.size),
            l.files_added,
            l.files_modified,
            l.files_removed,
            short_command(&l.created_by, 70)
        );
    }
    let _ = writeln!(s, "\n{bold}dive figures{bold:#}");
    let _ = writeln!(s, "  efficiency:          {}", pct(r.efficiency));
    let _ = writeln!(
        s,
        "  wasted bytes:        {} bytes ({})",
        r.wasted_bytes,
        human(r.wasted_bytes)
    );
    let _ = writeln!(
        s,
        "  user wasted percent: {}",
        r.user_wasted_percent
            .map_or("n/a (one layer)".to_string(), pct)
    );
    let _ = writeln!(
        s,
        "\n{bold}reclaimable{bold:#} {} ({} bytes) hidden in lower layers",
        human(r.reclaimable_bytes),
        r.reclaimable_bytes
    );
    for w in r.waste.iter().take(10) {
        let _ = writeln!(s, "  {:>9}  {}", human(w.bytes), w.explanation);
        let _ = writeln!(s, "             in:  {}", short_command(&w.created_by, 80));
        let _ = writeln!(
            s,
            "             by:  {}",
            short_command(&w.by_created_by, 80)
        );
    }
    if r.removable_bytes > 0 {
        let _ = writeln!(
            s,
            "\n{bold}removable{bold:#} {} visible in the final image (caches, lists, docs, .git)",
            human(r.removable_bytes)
        );
    }
    if !r.findings.is_empty() {
        let _ = writeln!(s, "\n{bold}findings{bold:#}");
        for f in &r.findings {
            let sev = match f.severity {
                dockwright_image::findings::Severity::Error => "error",
                dockwright_image::findings::Severity::Warning => "warning",
                dockwright_image::findings::Severity::Info => "info",
            };
            let size = if f.bytes > 0 {
                format!(" {}", human(f.bytes))
            } else {
                String::new()
            };
            let _ = writeln!(s, "  {} {:<7}{size}  {}", f.code, sev, f.message);
            for p in f.paths.iter().take(3) {
                let _ = writeln!(s, "      {p}");
            }
            if let Some(l) = f.layer {
                let _ = writeln!(
                    s,
                    "      added by layer {l}: {}",
                    short_command(f.created_by.as_deref().unwrap_or(""), 70)
                );
            }
        }
    }
    if !r.largest_files.is_empty() {
        let _ = writeln!(s, "\n{bold}largest files{bold:#}");
        for f in r.largest_files.iter().take(5) {
            let _ = writeln!(s, "  {:>9}  {}", human(f.bytes), f.path);
        }
    }
    if let Some(changes) = &r.changes {
        for layer in changes {
            let _ = writeln!(
                s,
                "\n{bold}layer {} changes{bold:#} ({} files)",
                layer.index,
                layer.files.len()
            );
            for f in layer.files.iter().take(20) {
                let mark = match f.change {
                    dockwright_image::merge::Change::Added => '+',
                    dockwright_image::merge::Change::Modified => '~',
                    dockwright_image::merge::Change::Removed => '-',
                };
                let _ = writeln!(s, "  {mark} {:>9}  {}", human(f.bytes), f.path);
            }
            if layer.files.len() > 20 {
                let _ = writeln!(
                    s,
                    "  … {} more (--format json lists all)",
                    layer.files.len() - 20
                );
            }
        }
    }
    if let Some(ci) = ci {
        let _ = writeln!(s, "\n{bold}CI gates{bold:#}");
        for rule in &ci.rules {
            let status = match rule.status {
                RuleStatus::Pass => "PASS",
                RuleStatus::Fail => "FAIL",
                RuleStatus::Disabled => "SKIP",
            };
            let msg = rule.message.as_deref().unwrap_or("");
            let _ = writeln!(s, "  {status}: {} ({}) {msg}", rule.key, rule.threshold);
        }
        let _ = writeln!(s, "  result: {}", if ci.passed { "PASS" } else { "FAIL" });
    }
    s
}

fn md_escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn markdown(r: &ImageReport, ci: Option<&CiResult>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Image `{}`\n", md_escape(&r.image));
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| Size | {} |", human(r.total_size));
    let _ = writeln!(s, "| Compressed | {} |", human(r.compressed_size));
    let _ = writeln!(s, "| Files | {} |", r.files);
    let _ = writeln!(s, "| Efficiency (dive) | {} |", pct(r.efficiency));
    let _ = writeln!(s, "| Wasted bytes (dive) | {} |", human(r.wasted_bytes));
    let _ = writeln!(s, "| Reclaimable | {} |", human(r.reclaimable_bytes));
    let _ = writeln!(
        s,
        "| Removable (caches, docs, .git) | {} |\n",
        human(r.removable_bytes)
    );
    let _ = writeln!(
        s,
        "### Layers\n\n| # | Size | Added | Modified | Removed | Command |\n|---:|---:|---:|---:|---:|---|"
    );
    for l in &r.layers {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | `{}` |",
            l.index,
            human(l.size),
            l.files_added,
            l.files_modified,
            l.files_removed,
            md_escape(&short_command(&l.created_by, 100))
        );
    }
    if !r.waste.is_empty() {
        let _ = writeln!(s, "\n### Reclaimable bytes\n\n| Bytes | Why |\n|---:|---|");
        for w in r.waste.iter().take(10) {
            let _ = writeln!(s, "| {} | {} |", human(w.bytes), md_escape(&w.explanation));
        }
    }
    if !r.findings.is_empty() {
        let _ = writeln!(
            s,
            "\n### Findings\n\n| Code | Severity | Bytes | Finding |\n|---|---|---:|---|"
        );
        for f in &r.findings {
            let _ = writeln!(
                s,
                "| {} | {:?} | {} | {} |",
                f.code,
                f.severity,
                human(f.bytes),
                md_escape(&f.message)
            );
        }
    }
    if let Some(ci) = ci {
        let _ = writeln!(
            s,
            "\n### CI gates: {}\n\n| Rule | Threshold | Status |\n|---|---|---|",
            if ci.passed { "pass" } else { "FAIL" }
        );
        for rule in &ci.rules {
            let _ = writeln!(
                s,
                "| {} | {} | {:?} |",
                rule.key,
                md_escape(&rule.threshold),
                rule.status
            );
        }
    }
    s
}
