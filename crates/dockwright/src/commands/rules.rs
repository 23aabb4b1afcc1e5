//! `dockwright rules`: the rule catalog as a table, JSON or Markdown.

use std::fmt::Write as _;
use std::io::Write as _;

use clap::{Args, ValueEnum};
use dockwright_rules::{Applicability, RuleInfo, registry};

use crate::exit::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// One rule per line.
    Table,
    /// Every rule's metadata and documentation.
    Json,
    /// A catalog page: a table, then every rule's documentation.
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

fn fix_label(info: &RuleInfo) -> &'static str {
    match info.fix {
        Some(Applicability::Safe) => "safe",
        Some(Applicability::Unsafe) => "unsafe",
        None => "",
    }
}

/// The catalog as a plain table.
pub fn table() -> String {
    let rows: Vec<[String; 7]> = registry::infos()
        .map(|i| {
            [
                i.code.to_string(),
                i.name.to_string(),
                i.category.to_string(),
                i.severity.to_string(),
                i.hadolint.unwrap_or("").to_string(),
                i.buildkit.unwrap_or("").to_string(),
                format!(
                    "{}{}",
                    fix_label(i),
                    if i.opt_in { " (opt-in)" } else { "" }
                ),
            ]
        })
        .collect();
    let header = [
        "CODE", "NAME", "CATEGORY", "SEVERITY", "HADOLINT", "BUILDKIT", "FIX",
    ];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    let line = |cells: &[&str], out: &mut String| {
        let text: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", text.join("  ").trim_end());
    };
    line(&header, &mut out);
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        line(&cells, &mut out);
    }
    out
}

/// The catalog as a Markdown page.
pub fn markdown() -> String {
    let mut out = String::from(
        "# dockwright rules\n\n| Code | Name | Category | Severity | hadolint | BuildKit | Fix |\n|---|---|---|---|---|---|---|\n",
    );
    for i in registry::infos() {
        let _ = writeln!(
            out,
            "| [{}](#{}) | {} | {} | {} | {} | {} | {} |",
            i.code,
            i.code.to_ascii_lowercase(),
            i.name,
            i.category,
            i.severity,
            i.hadolint.unwrap_or(""),
            i.buildkit.unwrap_or(""),
            fix_label(i)
        );
    }
    for i in registry::infos() {
        let _ = write!(out, "\n## {}\n\n{}", i.code, explain_text(i));
    }
    out
}

/// One rule's documentation with its metadata, as `explain` prints it.
pub fn explain_text(info: &RuleInfo) -> String {
    let mut out = format!("`{}` {}\n\n", info.name, info.summary);
    let _ = writeln!(out, "- Category: {}", info.category);
    let _ = writeln!(out, "- Default severity: {}", info.severity);
    if let Some(h) = info.hadolint {
        let _ = writeln!(out, "- hadolint: {h}");
    }
    if let Some(b) = info.buildkit {
        let _ = writeln!(out, "- BuildKit check: {b}");
    }
    if info.fix.is_some() {
        let _ = writeln!(out, "- Fix: {}", fix_label(info));
    }
    if info.opt_in {
        let _ = writeln!(out, "- Off unless selected");
    }
    let body = info
        .doc
        .strip_prefix(info.summary)
        .unwrap_or(info.doc)
        .trim_start_matches('\n');
    let _ = write!(out, "\n{body}");
    out
}

pub fn run(args: &RulesArgs) -> anyhow::Result<Status> {
    let text = match args.format {
        RulesFormat::Table => table(),
        RulesFormat::Markdown => markdown(),
        RulesFormat::Json => {
            let rules: Vec<serde_json::Value> = registry::infos()
                .map(|i| {
                    let mut v = serde_json::to_value(i).unwrap_or_default();
                    v["url"] = serde_json::Value::String(i.url());
                    v
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&rules)?;
            text.push('\n');
            text
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(Status::Success)
}
