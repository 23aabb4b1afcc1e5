//! `dockwright diff IMAGE_A IMAGE_B`: what changed between two images, and by how much.

use std::fmt::Write as _;
use std::io::Write;

use clap::Args;
use dockwright_image::diff::{self, ImageDiff};

use super::image::{Format, SourceArgs, human, load_image, short_command};
use crate::exit::Status;
use crate::terminal;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The image before (same reference forms as `dockwright image`).
    pub before: String,
    /// The image after.
    pub after: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Tty)]
    pub format: Format,

    #[command(flatten)]
    pub source: SourceArgs,
}

pub fn run(args: &DiffArgs) -> anyhow::Result<Status> {
    let capture = Some(diff::package_files as dockwright_image::layer::CaptureFilter);
    let a = load_image(&args.before, &args.source, capture)?;
    let (ra, ma) = dockwright_image::report::analyze_with_tree(&a, &args.before);
    let b = load_image(&args.after, &args.source, capture)?;
    let (rb, mb) = dockwright_image::report::analyze_with_tree(&b, &args.after);
    for w in ra.warnings.iter().chain(&rb.warnings) {
        terminal::warn(w);
    }
    let d = diff::compare((&a, &ra, &ma), (&b, &rb, &mb));
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&d)?;
            s.push('\n');
            s
        }
        Format::Markdown => markdown(&d),
        Format::Tty => tty(&d),
    };
    let mut out = anstream::stdout();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(Status::Success)
}

fn reduction(before: u64, after: u64) -> String {
    if before == 0 {
        return if after == 0 {
            "0".into()
        } else {
            format!("+{}", human(after))
        };
    }
    let pct = (before as f64 - after as f64) / before as f64 * 100.0;
    if after <= before {
        format!("{} ({pct:.1} %)", human(before - after))
    } else {
        format!("-{} ({pct:.1} %)", human(after - before))
    }
}

fn count_reduction(before: u64, after: u64) -> String {
    let delta = before as i64 - after as i64;
    if before == 0 {
        return format!("{delta}");
    }
    format!("{delta} ({:.1} %)", delta as f64 / before as f64 * 100.0)
}

fn signed(delta: i64) -> String {
    if delta < 0 {
        format!("-{}", human(delta.unsigned_abs()))
    } else {
        format!("+{}", human(delta.unsigned_abs()))
    }
}

fn summary_rows(d: &ImageDiff) -> Vec<(String, String, String, String)> {
    let (a, b) = (&d.before, &d.after);
    vec![
        (
            "Size".into(),
            human(a.total_size),
            human(b.total_size),
            reduction(a.total_size, b.total_size),
        ),
        (
            "Compressed".into(),
            human(a.compressed_size),
            human(b.compressed_size),
            reduction(a.compressed_size, b.compressed_size),
        ),
        (
            "Layers".into(),
            a.layers.to_string(),
            b.layers.to_string(),
            count_reduction(a.layers as u64, b.layers as u64),
        ),
        (
            "Files".into(),
            a.files.to_string(),
            b.files.to_string(),
            count_reduction(a.files, b.files),
        ),
        (
            "Wasted (dive)".into(),
            human(a.wasted_bytes),
            human(b.wasted_bytes),
            reduction(a.wasted_bytes, b.wasted_bytes),
        ),
        (
            "Reclaimable".into(),
            human(a.reclaimable_bytes),
            human(b.reclaimable_bytes),
            reduction(a.reclaimable_bytes, b.reclaimable_bytes),
        ),
        (
            "Removable (caches, docs, .git)".into(),
            human(a.removable_bytes),
            human(b.removable_bytes),
            reduction(a.removable_bytes, b.removable_bytes),
        ),
    ]
}

fn version(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("—")
}

fn tty(d: &ImageDiff) -> String {
    let bold = anstyle::Style::new().bold();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{bold}{}{bold:#} → {bold}{}{bold:#}\n",
        d.before.image, d.after.image
    );
    let _ = writeln!(
        s,
        "{bold}{:<32} {:>12} {:>12}  reduction{bold:#}",
        "", "before", "after"
    );
    for (k, a, b, r) in summary_rows(d) {
        let _ = writeln!(s, "{k:<32} {a:>12} {b:>12}  {r}");
    }
    let _ = writeln!(s, "\n{bold}layers{bold:#}");
    for l in &d.layers {
        let size = |x: Option<u64>| x.map_or("—".to_string(), human);
        let cmd = l
            .after_created_by
            .as_deref()
            .or(l.before_created_by.as_deref())
            .unwrap_or("");
        let _ = writeln!(
            s,
            "  {:>3} {:>10} {:>10} {}  {}",
            l.index,
            size(l.before),
            size(l.after),
            if l.shared { "=" } else { " " },
            short_command(cmd, 60)
        );
    }
    let _ = writeln!(
        s,
        "\n{bold}files{bold:#} +{} ({})  -{} ({})  ~{}",
        d.files_added,
        human(d.bytes_added),
        d.files_removed,
        human(d.bytes_removed),
        d.files_changed
    );
    if !d.directories.is_empty() {
        let _ = writeln!(s, "\n{bold}directories{bold:#}");
        for c in d.directories.iter().take(15) {
            let _ = writeln!(
                s,
                "  {:>10}  {:>10} → {:>10}  {}",
                signed(c.delta),
                human(c.before),
                human(c.after),
                c.path
            );
        }
    }
    for (title, list) in [("largest added", &d.added), ("largest removed", &d.removed)] {
        if !list.is_empty() {
            let _ = writeln!(s, "\n{bold}{title}{bold:#}");
            for f in list.iter().take(10) {
                let _ = writeln!(s, "  {:>10}  {}", human(f.bytes), f.path);
            }
        }
    }
    if !d.packages.is_empty() {
        let _ = writeln!(s, "\n{bold}packages{bold:#}");
        for p in &d.packages {
            let _ = writeln!(
                s,
                "  {:<6} {:<30} {} → {}",
                p.ecosystem,
                p.name,
                version(&p.before),
                version(&p.after)
            );
        }
    }
    s
}

fn md(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn markdown(d: &ImageDiff) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## `{}` → `{}`\n",
        md(&d.before.image),
        md(&d.after.image)
    );
    let _ = writeln!(s, "| | Before | After | Reduction |\n|---|---:|---:|---:|");
    for (k, a, b, r) in summary_rows(d) {
        let _ = writeln!(s, "| {k} | {a} | {b} | {r} |");
    }
    let _ = writeln!(
        s,
        "\n### Layers\n\n| # | Before | After | Same blob | Command (after) |\n|---:|---:|---:|:---:|---|"
    );
    for l in &d.layers {
        let size = |x: Option<u64>| x.map_or("—".to_string(), human);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | `{}` |",
            l.index,
            size(l.before),
            size(l.after),
            if l.shared { "yes" } else { "" },
            md(&short_command(
                l.after_created_by
                    .as_deref()
                    .or(l.before_created_by.as_deref())
                    .unwrap_or(""),
                80
            ))
        );
    }
    let _ = writeln!(
        s,
        "\nFiles: {} added ({}), {} removed ({}), {} changed.",
        d.files_added,
        human(d.bytes_added),
        d.files_removed,
        human(d.bytes_removed),
        d.files_changed
    );
    if !d.directories.is_empty() {
        let _ = writeln!(
            s,
            "\n### Directories\n\n| Directory | Before | After | Change |\n|---|---:|---:|---:|"
        );
        for c in d.directories.iter().take(20) {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} |",
                md(&c.path),
                human(c.before),
                human(c.after),
                signed(c.delta)
            );
        }
    }
    if !d.packages.is_empty() {
        let _ = writeln!(
            s,
            "\n### Packages\n\n| Ecosystem | Package | Before | After |\n|---|---|---|---|"
        );
        for p in &d.packages {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                p.ecosystem,
                md(&p.name),
                md(version(&p.before)),
                md(version(&p.after))
            );
        }
    }
    s
}
