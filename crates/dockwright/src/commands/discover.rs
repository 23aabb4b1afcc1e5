//! `dockwright discover [PATH] [--format tty|json] [--var NAME=VALUE]...`: every container
//! build found under a directory, where it is defined, and which Dockerfiles they share.

use std::io::Write;
use std::path::PathBuf;

use anstyle::{AnsiColor, Style};
use clap::{Args, ValueEnum};
use dockwright_project::{
    BuildContext, BuildDefinition, DiscoverOptions, Discovery, DockerfileSource, Severity,
};

use crate::exit::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable listing.
    Tty,
    /// The discovery result as JSON.
    Json,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// Directory to search (or a single definition file).
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Tty)]
    pub format: Format,

    /// Give a compose/bake variable a value (overrides `.env` files and variable defaults).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {s:?}")),
    }
}

/// Exit status: 1 when a definition file could not be read (its builds are missing from the
/// result), 0 otherwise.
pub fn run(args: &DiscoverArgs) -> anyhow::Result<Status> {
    let options = DiscoverOptions {
        variables: args.vars.iter().cloned().collect(),
        threads: 0,
    };
    let discovery = dockwright_project::discover(&args.path, &options)?;
    match args.format {
        Format::Json => {
            // JSON never carries colour: skip the escape-stripping stream.
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            serde_json::to_writer_pretty(&mut out, &discovery)?;
            writeln!(out)?;
            out.flush()?;
        }
        Format::Tty => {
            let stdout = anstream::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            write_tty(&mut out, &discovery)?;
            out.flush()?;
        }
    }
    if args.format == Format::Tty && crate::terminal::verbosity() >= 0 {
        let mut err = anstream::stderr();
        for problem in &discovery.problems {
            let (label, color) = match problem.severity {
                Severity::Error => ("error", AnsiColor::Red),
                Severity::Warning => ("warning", AnsiColor::Yellow),
            };
            let style = Style::new().bold().fg_color(Some(color.into()));
            writeln!(
                err,
                "{}: {style}{label}{style:#}: {}",
                problem.location, problem.message
            )?;
        }
    }
    Ok(if discovery.has_errors() {
        Status::Failure
    } else {
        Status::Success
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn dockerfile_text(b: &BuildDefinition) -> String {
    match &b.dockerfile {
        DockerfileSource::Path { path, exists } => {
            let missing = if *exists { "" } else { " (missing)" };
            format!("{}{missing}", path.display())
        }
        DockerfileSource::Inline(inline) => format!(
            "inline, {} at {}:{}:{}",
            plural(inline.text.lines().count(), "line", "lines"),
            inline.file.display(),
            inline.start.line,
            inline.start.column
        ),
        DockerfileSource::Remote { url, path } => format!("{path} in {url}"),
    }
}

fn context_text(b: &BuildDefinition) -> String {
    match &b.context {
        BuildContext::Directory { path } => path.display().to_string(),
        BuildContext::Remote { url, subdir, local } => {
            let mut s = url.clone();
            if let Some(dir) = subdir {
                s.push_str(&format!(" (directory {dir})"));
            }
            if let Some(local) = local {
                s.push_str(&format!(", here: {}", local.display()));
            }
            s
        }
        BuildContext::None => "none".to_string(),
    }
}

fn write_tty(out: &mut impl Write, d: &Discovery) -> std::io::Result<()> {
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let head = Style::new().bold().underline();
    writeln!(
        out,
        "{bold}{}{bold:#}: {}, {}, {}",
        d.root.display(),
        plural(d.builds.len(), "build", "builds"),
        plural(
            d.dockerfiles.iter().filter(|u| u.exists).count(),
            "Dockerfile",
            "Dockerfiles"
        ),
        plural(d.images.len(), "image-only service", "image-only services"),
    )?;
    if !d.builds.is_empty() {
        writeln!(out, "\n{head}Builds{head:#}")?;
    }
    for b in &d.builds {
        writeln!(
            out,
            "{bold}{}{bold:#}  {dim}{} at {}{dim:#}",
            b.id,
            b.kind.as_str(),
            b.origin
        )?;
        let mut field =
            |label: &str, value: String| writeln!(out, "    {dim}{label:<11}{dim:#} {value}");
        field("dockerfile", dockerfile_text(b))?;
        field("context", context_text(b))?;
        field(
            "target",
            b.target
                .clone()
                .unwrap_or_else(|| "(last stage)".to_string()),
        )?;
        if !b.args.is_empty() {
            let args: Vec<String> = b
                .args
                .iter()
                .map(|a| match &a.value {
                    Some(v) => format!("{}={v}", a.name),
                    None => a.name.clone(),
                })
                .collect();
            field("args", args.join(" "))?;
        }
        if !b.platforms.is_empty() {
            field("platforms", b.platforms.join(", "))?;
        }
        if !b.cache_from.is_empty() {
            field("cache from", b.cache_from.join(", "))?;
        }
        if !b.additional_contexts.is_empty() {
            let c: Vec<String> = b
                .additional_contexts
                .iter()
                .map(|c| format!("{}={}", c.name, c.value))
                .collect();
            field("contexts", c.join(" "))?;
        }
        if let Some(base) = &b.base_image {
            field("base image", base.clone())?;
        }
        if !b.tags.is_empty() {
            field("tags", b.tags.join(", "))?;
        }
        if !b.groups.is_empty() {
            field("groups", b.groups.join(", "))?;
        }
        for other in &b.also_defined_at {
            let name = other.name.as_deref().unwrap_or("");
            field(
                "also",
                format!("{} {name} at {}", other.kind.as_str(), other.origin),
            )?;
        }
    }
    if !d.dockerfiles.is_empty() {
        writeln!(out, "\n{head}Dockerfiles{head:#}")?;
    }
    for u in &d.dockerfiles {
        let status = if !u.exists {
            "missing".to_string()
        } else if u.referenced {
            plural(u.builds.len(), "build", "builds")
        } else {
            "not referenced: built on its own".to_string()
        };
        writeln!(
            out,
            "{bold}{}{bold:#}  {dim}{status}{dim:#}",
            u.path.display()
        )?;
        if u.exists {
            let stages: Vec<String> = u
                .stages
                .iter()
                .map(|s| {
                    s.name
                        .clone()
                        .unwrap_or_else(|| format!("(stage {}, unnamed)", s.index))
                })
                .collect();
            writeln!(
                out,
                "    {dim}{:<11}{dim:#} {}",
                "stages",
                stages.join(", ")
            )?;
        }
        if u.referenced {
            let targets: Vec<String> = u
                .targets
                .iter()
                .map(|t| t.clone().unwrap_or_else(|| "(last stage)".to_string()))
                .collect();
            writeln!(
                out,
                "    {dim}{:<11}{dim:#} {}",
                "targets",
                targets.join(", ")
            )?;
        }
    }
    if !d.images.is_empty() {
        writeln!(out, "\n{head}Image-only services{head:#}")?;
    }
    for i in &d.images {
        writeln!(
            out,
            "{bold}{}{bold:#}  {}  {dim}at {}{dim:#}",
            i.service, i.image, i.origin
        )?;
    }
    Ok(())
}
