//! `dockwright context [DIR] [-f DOCKERFILE]`: what a build of DIR sends as its context, what
//! is largest in it, and what the `.dockerignore` keeps out; `--list` prints every sent file.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use dockwright_context::findings::{ContextFinding, DockerfileAnalysis};
use dockwright_context::plan::{BuildOptions, BuildPlan, ReadVia};
use dockwright_context::{
    ContextReport, Dockerignore, ExcludedScan, ReportSources, SuggestInput, WalkOptions,
    ignore_file_for_build, suggest_dockerignore, walk_context, write_atomically,
};

use crate::exit::Status;
use crate::terminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ContextFormat {
    /// Readable summary for a terminal.
    Tty,
    /// The report as one JSON object.
    Json,
    /// Markdown tables, for pull requests and CI summaries.
    Markdown,
}

#[derive(Debug, Args)]
pub struct ContextArgs {
    /// The build context directory.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// The Dockerfile of the build (default: DIR/Dockerfile); a `<its name>.dockerignore`
    /// beside it takes precedence over DIR/.dockerignore.
    #[arg(short = 'f', long = "file", value_name = "DOCKERFILE")]
    pub dockerfile: Option<PathBuf>,

    /// Print every file the build sends, one path per line relative to DIR, and nothing else.
    #[arg(long)]
    pub list: bool,

    /// Output format of the report.
    #[arg(long, value_enum, default_value_t = ContextFormat::Tty)]
    pub format: ContextFormat,

    /// Hash the content of every sent file (SHA-256) and report the hashing speed.
    #[arg(long)]
    pub hash: bool,

    /// Also add up the bytes inside excluded directories BuildKit skips (node_modules, .git):
    /// one stat per file there. By default their files are only counted.
    #[arg(long)]
    pub measure_excluded: bool,

    /// How many entries each "largest" list shows.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// Print a .dockerignore that leaves out what the build does not need (version control,
    /// secrets, dependencies the build installs, caches, outputs, large data) while keeping
    /// everything the Dockerfile copies, and nothing else. An existing ignore file is kept at
    /// its top.
    #[arg(long, conflicts_with_all = ["list", "write_dockerignore"])]
    pub suggest_dockerignore: bool,

    /// Write that .dockerignore (atomically, beside the Dockerfile's own ignore file if it has
    /// one, else DIR/.dockerignore). An existing file is only extended with --force.
    #[arg(long, conflicts_with = "list")]
    pub write_dockerignore: bool,

    /// Let --write-dockerignore extend an existing ignore file.
    #[arg(long, requires = "write_dockerignore")]
    pub force: bool,

    /// A build arg, for expanding the Dockerfile's sources (`K=V`, or `K` for the environment
    /// variable's value).
    #[arg(long = "build-arg", value_name = "K=V")]
    pub build_args: Vec<String>,

    /// The stage the build produces (default: the last); decides the final image for the
    /// findings.
    #[arg(long)]
    pub target: Option<String>,
}

pub fn run(args: &ContextArgs) -> anyhow::Result<Status> {
    let dockerfile = args.dockerfile.as_deref();
    if let Some(file) = dockerfile
        && !file.is_file()
    {
        anyhow::bail!("{}: no such Dockerfile", file.display());
    }
    let rules = Dockerignore::load_for_build(&args.dir, dockerfile)?;
    let options = WalkOptions {
        hash: args.hash,
        excluded: if args.list {
            ExcludedScan::Skip
        } else if args.measure_excluded {
            ExcludedScan::Measure
        } else {
            ExcludedScan::Count
        },
    };
    let walk = walk_context(&args.dir, &rules, options)?;

    if args.list {
        for warning in &walk.warnings {
            terminal::warn(format_args!("{}: {}", warning.path, warning.message));
        }
        let mut out = Vec::with_capacity(walk.entries.len() * 32);
        for entry in walk.files() {
            out.extend_from_slice(entry.path_bytes());
            out.push(b'\n');
        }
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&out)?;
        stdout.flush()?;
        return Ok(Status::Success);
    }

    let default_dockerfile = args.dir.join("Dockerfile");
    let dockerfile_path = dockerfile.unwrap_or(&default_dockerfile).to_path_buf();
    let dockerfile_source = if dockerfile_path.is_file() {
        Some(std::fs::read(&dockerfile_path).with_context(|| {
            format!("{}: cannot read the Dockerfile", dockerfile_path.display())
        })?)
    } else {
        None
    };
    let wants_ignore_file = args.suggest_dockerignore || args.write_dockerignore;
    let parsed = match &dockerfile_source {
        Some(source) => match dockwright_syntax::parse_bytes(source) {
            Ok(doc) => Some(doc),
            // The report stands without the Dockerfile; a suggested ignore file does not.
            Err(e) if !wants_ignore_file => {
                terminal::warn(format_args!(
                    "{}:{e} (the Dockerfile's part of the report is left out)",
                    dockerfile_path.display()
                ));
                None
            }
            Err(e) => anyhow::bail!("{}:{e}", dockerfile_path.display()),
        },
        None => None,
    };
    let analysis = match &parsed {
        Some(doc) => {
            let options = BuildOptions {
                build_args: super::cache::parse_build_args(&args.build_args, "--build-arg")?,
                target: args.target.clone(),
            };
            let plan = BuildPlan::new(doc, &options);
            if let Some(target) = &args.target
                && plan.target.is_none()
            {
                anyhow::bail!(
                    "{}: target stage \"{target}\" could not be found",
                    dockerfile_path.display()
                );
            }
            let analysis = DockerfileAnalysis::new(&plan, &walk, &rules)
                .with_context(|| dockerfile_path.display().to_string())?;
            Some((plan, analysis))
        }
        None => None,
    };

    if wants_ignore_file {
        let Some((plan, analysis)) = &analysis else {
            anyhow::bail!(
                "{}: no Dockerfile: the ignore file is made from what it copies",
                dockerfile_path.display()
            );
        };
        let ignore_path = ignore_file_for_build(&args.dir, dockerfile)
            .unwrap_or_else(|| args.dir.join(".dockerignore"));
        let existing = std::fs::read(&ignore_path).ok();
        let sources = DockerfileAnalysis::sources(plan);
        let suggestion = suggest_dockerignore(&SuggestInput {
            walk: &walk,
            rules: &rules,
            existing: existing.as_deref(),
            sources: &sources,
            installs: analysis.installs,
        })?;
        let mut stdout = anstream::stdout().lock();
        if args.suggest_dockerignore {
            stdout.write_all(suggestion.text.as_bytes())?;
        } else {
            if existing.is_some() && !args.force {
                anyhow::bail!(
                    "{}: exists; --force extends it with the suggested patterns (kept at its top)",
                    ignore_path.display()
                );
            }
            if suggestion.rules.is_empty() {
                writeln!(
                    stdout,
                    "{}: nothing to add; left as it is",
                    ignore_path.display()
                )?;
            } else {
                write_atomically(&ignore_path, suggestion.text.as_bytes())
                    .with_context(|| format!("{}: cannot write", ignore_path.display()))?;
                writeln!(
                    stdout,
                    "Wrote {}: {} new {} keep out {} ({}).",
                    ignore_path.display(),
                    suggestion.rules.len(),
                    if suggestion.rules.len() == 1 {
                        "pattern"
                    } else {
                        "patterns"
                    },
                    plural(suggestion.files, "file", "files"),
                    human_bytes(suggestion.bytes)
                )?;
            }
        }
        stdout.flush()?;
        return Ok(Status::Success);
    }

    let sources = ReportSources {
        context: args.dir.display().to_string(),
        dockerfile: Some(dockerfile.unwrap_or(&default_dockerfile))
            .filter(|f| f.is_file())
            .map(|f| f.display().to_string()),
        ignore_file: ignore_file_for_build(&args.dir, dockerfile).map(|p| display_path(&p)),
    };
    let mut report = ContextReport::new(&walk, &rules, sources, args.top);
    report.dockerfile_analysis = analysis.map(|(_, a)| a);
    let text = match args.format {
        ContextFormat::Json => {
            let mut json = serde_json::to_string_pretty(&report)?;
            json.push('\n');
            json
        }
        ContextFormat::Markdown => render_markdown(&report),
        ContextFormat::Tty => render_tty(&report, terminal::stdout_has_color()),
    };
    let mut stdout = anstream::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(Status::Success)
}

fn display_path(path: &Path) -> String {
    path.display().to_string()
}

/// Bytes in decimal units, as `docker build` prints the context size.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    value /= 1000.0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    let decimals = if value >= 99.95 {
        0
    } else if value >= 9.995 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {}", UNITS[unit])
}

/// A count with thousands separators.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".to_owned();
    }
    format!("{:.0}%", part as f64 * 100.0 / whole as f64)
}

fn line_label(line: Option<usize>) -> String {
    line.map(|l| l.to_string())
        .unwrap_or_else(|| "-".to_owned())
}

/// The terminal rendering; `color` adds bold headings.
pub fn render_tty(report: &ContextReport, color: bool) -> String {
    let bold = anstyle::Style::new().bold();
    let heading = |out: &mut String, title: &str| {
        if color {
            let _ = writeln!(out, "\n{bold}{title}{bold:#}");
        } else {
            let _ = writeln!(out, "\n{title}");
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "Build context  {}", report.context);
    if let Some(dockerfile) = &report.dockerfile {
        let _ = writeln!(out, "Dockerfile     {dockerfile}");
    }
    match &report.ignore_file {
        Some(file) => {
            let _ = writeln!(
                out,
                "Ignore file    {file} ({})",
                plural(report.patterns.len() as u64, "pattern", "patterns")
            );
        }
        None => {
            let _ = writeln!(out, "Ignore file    none");
        }
    }
    let sent = &report.sent;
    let _ = writeln!(
        out,
        "\nSent           {}, {}, {}{}",
        plural(sent.files, "file", "files"),
        plural(sent.dirs, "directory", "directories"),
        human_bytes(sent.bytes),
        if sent.symlinks > 0 {
            format!(" ({})", plural(sent.symlinks, "symlink", "symlinks"))
        } else {
            String::new()
        }
    );
    let excluded = &report.excluded;
    if excluded.bytes_measured {
        let total = sent.bytes + excluded.bytes;
        let _ = writeln!(
            out,
            "Kept out       {}, {} ({} of the bytes)",
            plural(excluded.files, "file", "files"),
            human_bytes(excluded.bytes),
            percent(excluded.bytes, total)
        );
    } else {
        let _ = writeln!(
            out,
            "Kept out       {} (sizes inside skipped directories not measured: --measure-excluded)",
            plural(excluded.files, "file", "files"),
        );
    }

    if !report.largest_files.is_empty() {
        heading(&mut out, "Largest files sent");
        for f in &report.largest_files {
            let _ = writeln!(out, "  {:>9}  {}", human_bytes(f.bytes), f.path);
        }
    }
    if !report.largest_dirs.is_empty() {
        heading(&mut out, "Largest directories sent");
        for d in &report.largest_dirs {
            let _ = writeln!(
                out,
                "  {:>9}  {}  ({})",
                human_bytes(d.bytes),
                d.path,
                plural(d.files, "file", "files")
            );
        }
    }
    if !report.largest_excluded.is_empty() {
        heading(&mut out, "Largest kept out");
        for x in &report.largest_excluded {
            let _ = writeln!(
                out,
                "  {:>9}  {}  ({}; line {}: {})",
                if x.bytes_measured {
                    human_bytes(x.bytes)
                } else {
                    "?".to_owned()
                },
                x.path,
                plural(x.files, "file", "files"),
                line_label(x.line),
                x.pattern
            );
        }
    }
    if !report.patterns.is_empty() {
        heading(&mut out, "Ignore patterns");
        let width = report
            .patterns
            .iter()
            .map(|p| p.pattern.chars().count())
            .max()
            .unwrap_or(0);
        for p in &report.patterns {
            let effect = if p.paths == 0 {
                "matched nothing".to_owned()
            } else if p.exception {
                format!(
                    "kept {} ({})",
                    plural(p.files, "file", "files"),
                    human_bytes(p.bytes)
                )
            } else if p.complete {
                format!(
                    "kept out {} ({})",
                    plural(p.files, "file", "files"),
                    human_bytes(p.bytes)
                )
            } else {
                format!("kept out {}", plural(p.files, "file", "files"))
            };
            let _ = writeln!(
                out,
                "  line {:>3}  {:<width$}  {effect}",
                line_label(p.line),
                p.pattern
            );
        }
    }
    if let Some(analysis) = &report.dockerfile_analysis {
        render_analysis_tty(&mut out, analysis, &heading);
    }
    if !report.escaping_links.is_empty() {
        heading(
            &mut out,
            "Symlinks pointing outside the context (sent as links)",
        );
        for l in &report.escaping_links {
            let _ = writeln!(out, "  {} -> {}", l.path, l.target);
        }
    }
    if !report.warnings.is_empty() {
        heading(&mut out, "Warnings");
        for w in &report.warnings {
            let _ = writeln!(out, "  {}: {}", w.path, w.message);
        }
    }
    if let Some(h) = &report.hashing {
        heading(&mut out, "Hashing");
        let _ = writeln!(
            out,
            "  {} ({}) in {:.2} s: {}/s",
            plural(h.files, "file", "files"),
            human_bytes(h.bytes),
            h.seconds,
            human_bytes(h.bytes_per_second as u64)
        );
    }
    out
}

fn via_label(via: ReadVia) -> &'static str {
    match via {
        ReadVia::Copy => "copy",
        ReadVia::Add => "add",
        ReadVia::BindMount => "bind mount",
        ReadVia::CacheMount => "cache mount",
    }
}

/// A finding's kebab-case name (the future lint rule's).
pub fn finding_name(finding: &ContextFinding) -> &'static str {
    match finding {
        ContextFinding::CopyIgnoredFile(_) => "copy-ignored-file",
        ContextFinding::SecretCopied(_) => "secret-copied",
        ContextFinding::UnusedLargeContent(_) => "unused-large-content",
        ContextFinding::DuplicateCopy(_) => "duplicate-copy",
    }
}

fn render_analysis_tty(
    out: &mut String,
    analysis: &DockerfileAnalysis,
    heading: &dyn Fn(&mut String, &str),
) {
    if !analysis.copies.is_empty() {
        heading(out, "What the Dockerfile copies from the context");
        let clip = |text: &str, max: usize| -> String {
            if text.chars().count() <= max {
                return text.to_owned();
            }
            let mut t: String = text.chars().take(max - 1).collect();
            t.push('…');
            t
        };
        let note = |c: &dockwright_context::findings::CopySummary| {
            let mut note = String::new();
            if !matches!(c.via, ReadVia::Copy | ReadVia::Add) {
                note.push_str(&format!("  ({})", via_label(c.via)));
            }
            if c.missing {
                note.push_str("  nothing matches");
            }
            if c.ignored > 0 {
                note.push_str(&format!(
                    "  names {} the ignore file excludes",
                    plural(c.ignored as u64, "path", "paths")
                ));
            }
            note
        };
        let mut i = 0;
        while i < analysis.copies.len() {
            let c = &analysis.copies[i];
            let same: Vec<_> = analysis.copies[i..]
                .iter()
                .take_while(|o| o.line == c.line && o.instruction == c.instruction)
                .collect();
            if same.len() == 1 {
                let _ = writeln!(
                    out,
                    "  line {:>3}  {:<48}  {:>9}  {}{}",
                    c.line,
                    clip(&c.instruction, 48),
                    human_bytes(c.bytes),
                    plural(c.files, "file", "files"),
                    note(c)
                );
            } else {
                let _ = writeln!(out, "  line {:>3}  {}", c.line, clip(&c.instruction, 70));
                for s in &same {
                    let _ = writeln!(
                        out,
                        "              {:<46}  {:>9}  {}{}",
                        clip(&s.source, 46),
                        human_bytes(s.bytes),
                        plural(s.files, "file", "files"),
                        note(s)
                    );
                }
            }
            i += same.len();
        }
    }
    if !analysis.findings.is_empty() {
        heading(out, "Findings");
        for f in &analysis.findings {
            let _ = writeln!(
                out,
                "  line {:>3}  {}: {}",
                f.line(),
                finding_name(f),
                f.message()
            );
        }
    }
    if !analysis.cache_order.is_empty() {
        heading(out, "Cache order");
        for f in &analysis.cache_order {
            let _ = writeln!(out, "  line {:>3}  {}", f.line, f.message());
        }
    }
}

fn md_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('*', "\\*")
        .replace('_', "\\_")
        .replace('`', "\\`")
}

fn md_code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {} ``", text.replace('|', "\\|"))
    } else {
        format!("`{}`", text.replace('|', "\\|"))
    }
}

/// The Markdown rendering.
pub fn render_markdown(report: &ContextReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Build context: {}\n", md_code(&report.context));
    let sent = &report.sent;
    let excluded = &report.excluded;
    let _ = writeln!(out, "| | files | bytes |");
    let _ = writeln!(out, "| --- | ---: | ---: |");
    let _ = writeln!(
        out,
        "| sent | {} | {} |",
        count(sent.files + sent.symlinks + sent.other),
        human_bytes(sent.bytes)
    );
    let _ = writeln!(
        out,
        "| kept out by the ignore file | {} | {} |",
        count(excluded.files),
        if excluded.bytes_measured {
            human_bytes(excluded.bytes)
        } else {
            "not measured".to_owned()
        }
    );
    let _ = writeln!(out);
    if let Some(dockerfile) = &report.dockerfile {
        let _ = writeln!(out, "- Dockerfile: {}", md_code(dockerfile));
    }
    let _ = writeln!(
        out,
        "- Ignore file: {}",
        report
            .ignore_file
            .as_deref()
            .map(md_code)
            .unwrap_or_else(|| "none".to_owned())
    );
    if !report.largest_files.is_empty() {
        let _ = writeln!(out, "\n### Largest files sent\n");
        let _ = writeln!(out, "| bytes | path |");
        let _ = writeln!(out, "| ---: | --- |");
        for f in &report.largest_files {
            let _ = writeln!(out, "| {} | {} |", human_bytes(f.bytes), md_code(&f.path));
        }
    }
    if !report.largest_dirs.is_empty() {
        let _ = writeln!(out, "\n### Largest directories sent\n");
        let _ = writeln!(out, "| bytes | files | path |");
        let _ = writeln!(out, "| ---: | ---: | --- |");
        for d in &report.largest_dirs {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                human_bytes(d.bytes),
                count(d.files),
                md_code(&d.path)
            );
        }
    }
    if !report.largest_excluded.is_empty() {
        let _ = writeln!(out, "\n### Largest kept out\n");
        let _ = writeln!(out, "| bytes | files | path | pattern (line) |");
        let _ = writeln!(out, "| ---: | ---: | --- | --- |");
        for x in &report.largest_excluded {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} ({}) |",
                if x.bytes_measured {
                    human_bytes(x.bytes)
                } else {
                    "?".to_owned()
                },
                count(x.files),
                md_code(&x.path),
                md_code(&x.pattern),
                line_label(x.line)
            );
        }
    }
    if !report.patterns.is_empty() {
        let _ = writeln!(out, "\n### Ignore patterns\n");
        let _ = writeln!(out, "| line | pattern | effect | files | bytes |");
        let _ = writeln!(out, "| ---: | --- | --- | ---: | ---: |");
        for p in &report.patterns {
            let effect = match (p.paths, p.exception) {
                (0, _) => "matched nothing",
                (_, true) => "kept in",
                (_, false) => "kept out",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {effect} | {} | {} |",
                line_label(p.line),
                md_code(&p.pattern),
                count(p.files),
                if p.complete {
                    human_bytes(p.bytes)
                } else {
                    "?".to_owned()
                }
            );
        }
    }
    if let Some(analysis) = &report.dockerfile_analysis {
        if !analysis.copies.is_empty() {
            let _ = writeln!(out, "\n### What the Dockerfile copies\n");
            let _ = writeln!(out, "| line | instruction | files | bytes |");
            let _ = writeln!(out, "| ---: | --- | ---: | ---: |");
            for c in &analysis.copies {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    c.line,
                    md_code(&c.instruction),
                    count(c.files),
                    human_bytes(c.bytes)
                );
            }
        }
        if !analysis.findings.is_empty() || !analysis.cache_order.is_empty() {
            let _ = writeln!(out, "\n### Findings\n");
            for f in &analysis.findings {
                let _ = writeln!(
                    out,
                    "- line {} `{}`: {}",
                    f.line(),
                    finding_name(f),
                    md_escape(&f.message())
                );
            }
            for f in &analysis.cache_order {
                let _ = writeln!(
                    out,
                    "- line {} `cache-order`: {}",
                    f.line,
                    md_escape(&f.message())
                );
            }
        }
    }
    if !report.escaping_links.is_empty() {
        let _ = writeln!(out, "\n### Symlinks pointing outside the context\n");
        for l in &report.escaping_links {
            let _ = writeln!(out, "- {} → {}", md_code(&l.path), md_code(&l.target));
        }
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(out, "\n### Warnings\n");
        for w in &report.warnings {
            let _ = writeln!(out, "- {}: {}", md_code(&w.path), md_escape(&w.message));
        }
    }
    if let Some(h) = &report.hashing {
        let _ = writeln!(
            out,
            "\nHashed {} ({}) in {:.2} s: {}/s.",
            plural(h.files, "file", "files"),
            human_bytes(h.bytes),
            h.seconds,
            human_bytes(h.bytes_per_second as u64)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_report() -> ContextReport {
        report_with(ExcludedScan::Measure)
    }

    fn report_with(excluded: ExcludedScan) -> ContextReport {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let files: &[(&str, usize)] = &[
            ("Dockerfile", 40),
            ("package.json", 300),
            ("src/index.js", 12_000),
            ("src/lib/util.js", 3_500),
            ("assets/logo.png", 250_000),
            ("node_modules/react/index.js", 90_000),
            ("node_modules/react/package.json", 1_200),
            (".git/HEAD", 23),
            ("logs/app.log", 4_000),
            ("logs/keep.log", 10),
        ];
        for (rel, size) in files {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, vec![b'x'; *size]).unwrap();
        }
        std::fs::write(
            root.join(".dockerignore"),
            "# deps\nnode_modules\n.git\nlogs\n!logs/keep.log\n*.tmp\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("passwd")).unwrap();
        let rules = Dockerignore::load_for_build(root, None).unwrap();
        let options = WalkOptions {
            excluded,
            ..WalkOptions::default()
        };
        let walk = walk_context(root, &rules, options).unwrap();
        let sources = ReportSources {
            context: "app".to_owned(),
            dockerfile: Some("app/Dockerfile".to_owned()),
            ignore_file: Some("app/.dockerignore".to_owned()),
        };
        let mut report = ContextReport::new(&walk, &rules, sources, 3);
        report.walk_seconds = 0.0;
        report
    }

    #[test]
    fn tty_report() {
        insta::assert_snapshot!(render_tty(&sample_report(), false));
    }

    #[test]
    fn tty_report_with_skipped_directories_only_counted() {
        insta::assert_snapshot!(render_tty(&report_with(ExcludedScan::Count), false));
    }

    #[test]
    fn markdown_report() {
        insta::assert_snapshot!(render_markdown(&sample_report()));
    }

    #[test]
    fn json_report() {
        insta::assert_json_snapshot!(sample_report());
    }

    #[test]
    fn human_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1000), "1.00 kB");
        assert_eq!(human_bytes(1234), "1.23 kB");
        assert_eq!(human_bytes(12_345), "12.3 kB");
        assert_eq!(human_bytes(999_999), "1.00 MB");
        assert_eq!(human_bytes(123_456_789), "123 MB");
        assert_eq!(human_bytes(5_000_000_000), "5.00 GB");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
    }
}
