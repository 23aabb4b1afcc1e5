//! The markdown report: what an expert would hand over after a day with the repository.

use std::fmt::Write as _;

use super::{first_priority, headline, human_bytes, place_text};
use crate::report::{AnalysisReport, Finding, Group};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn finding_row(out: &mut String, f: &Finding) {
    let mut what = format!("`{}` {}", f.code, cell(&f.message));
    if let Some(h) = &f.hadolint {
        let _ = write!(what, " (hadolint {h})");
    }
    let evidence = f
        .evidence
        .iter()
        .map(|e| cell(e))
        .collect::<Vec<_>>()
        .join("<br>");
    let impact = f
        .impact
        .as_ref()
        .map(|i| cell(&i.summary))
        .or_else(|| f.fix.as_deref().map(|x| format!("fix: {}", cell(x))))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} |",
        f.priority.as_str(),
        cell(&place_text(f)),
        what,
        evidence,
        impact
    );
}

/// The report as markdown.
pub fn markdown(report: &AnalysisReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Container build analysis: {}\n", report.root);
    let _ = writeln!(out, "{}.\n", headline(report));

    let first = first_priority(report);
    if !first.is_empty() {
        out.push_str("## Do first\n\n");
        for (i, (f, places)) in first.iter().enumerate() {
            let _ = write!(
                out,
                "{}. **{}** — {} ({})",
                i + 1,
                f.group.as_str(),
                f.message,
                places.join(", ")
            );
            if let Some(impact) = &f.impact {
                let _ = write!(out, ". Expected: {}", impact.summary);
            }
            out.push('\n');
        }
        out.push('\n');
    }

    out.push_str("## Findings\n\n");
    if report.findings.is_empty() {
        out.push_str("No findings.\n\n");
    }
    for group in Group::ALL {
        let found: Vec<&Finding> = report.in_group(group).collect();
        if found.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {} ({})\n", group.title(), found.len());
        out.push_str("| Priority | Where | Finding | Evidence | Impact |\n");
        out.push_str("| --- | --- | --- | --- | --- |\n");
        for f in found {
            finding_row(&mut out, f);
        }
        out.push('\n');
    }

    if let Some(img) = &report.image {
        let _ = writeln!(out, "## Image `{}`\n", img.image);
        let _ = writeln!(
            out,
            "{} in {} layers ({} compressed), {} files; wasted {} (efficiency {:.1} %), reclaimable {}.\n",
            human_bytes(img.total_size),
            img.layers.len(),
            human_bytes(img.compressed_size),
            img.files,
            human_bytes(img.wasted_bytes),
            img.efficiency * 100.0,
            human_bytes(img.reclaimable_bytes)
        );
        out.push_str("| Layer | Size | Created by |\n| ---: | ---: | --- |\n");
        for l in &img.layers {
            let _ = writeln!(
                out,
                "| {} | {} | `{}` |",
                l.index,
                human_bytes(l.size),
                cell(&shorten(&l.created_by, 100))
            );
        }
        out.push('\n');
    }

    out.push_str("## Builds\n\n");
    for b in &report.builds {
        let _ = writeln!(out, "### `{}`\n", b.id);
        let _ = writeln!(out, "- defined at {} ({})", b.origin, b.kind);
        let _ = writeln!(out, "- Dockerfile: {}", b.dockerfile);
        let _ = writeln!(
            out,
            "- target: {}",
            b.target.as_deref().unwrap_or("(last stage)")
        );
        if !b.args.is_empty() {
            let _ = writeln!(out, "- build args: `{}`", b.args.join("` `"));
        }
        if !b.stages_built.is_empty() {
            let _ = writeln!(out, "- stages built: {}", b.stages_built.join(", "));
        }
        for n in &b.notes {
            let _ = writeln!(out, "- note: {n}");
        }
        out.push('\n');
        if let Some(c) = &b.context {
            let _ = writeln!(
                out,
                "**Build context** `{}`: {} files, {}; ignore file: {}.\n",
                c.dir,
                c.files,
                human_bytes(c.bytes),
                c.ignore_file.as_deref().unwrap_or("none")
            );
            if !c.breakdown.is_empty() {
                out.push_str("| Path | Files | Size |\n| --- | ---: | ---: |\n");
                for e in c.breakdown.iter().take(12) {
                    let _ = writeln!(
                        out,
                        "| `{}` | {} | {} |",
                        cell(&e.path),
                        e.files,
                        human_bytes(e.bytes)
                    );
                }
                out.push('\n');
            }
            if !c.copies.is_empty() {
                out.push_str("What each COPY pulls in:\n\n| Line | Stage | Instruction | Source | Files | Size |\n| ---: | --- | --- | --- | ---: | ---: |\n");
                for cp in &c.copies {
                    let _ = writeln!(
                        out,
                        "| {} | {} | `{}` | `{}` | {} | {} |",
                        cp.line,
                        cell(&cp.stage),
                        cell(&cp.instruction),
                        cell(&cp.source),
                        cp.files,
                        human_bytes(cp.bytes)
                    );
                }
                out.push('\n');
            }
            if let Some(s) = &c.suggested_ignore {
                let _ = writeln!(
                    out,
                    "Suggested `{}` (keeps out {} files, {}):\n\n```gitignore\n{}```\n",
                    s.path,
                    s.files,
                    human_bytes(s.bytes),
                    s.text
                );
            }
        }
        if let Some(cache) = &b.cache {
            if !cache.edits.is_empty() {
                let _ = writeln!(
                    out,
                    "**Cache**: what a source edit rebuilds ({} steps with a cache record):\n",
                    cache.steps
                );
                out.push_str("| COPY line | Edited file | Steps rebuilt | From line | RUN lines re-run |\n| ---: | --- | ---: | ---: | --- |\n");
                for e in &cache.edits {
                    let _ = writeln!(
                        out,
                        "| {} | `{}` | {} of {} | {} | {} |",
                        e.copy_line,
                        cell(&e.edited),
                        e.rebuilt,
                        e.steps,
                        e.first_line
                            .map_or_else(|| "-".to_owned(), |l| l.to_string()),
                        e.runs
                            .iter()
                            .map(usize::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                out.push('\n');
            }
            for a in &cache.volatile_args {
                let _ = writeln!(
                    out,
                    "A new value of build arg `{}` rebuilds {} of {} steps{}.\n",
                    a.name,
                    a.rebuilt,
                    a.steps,
                    a.first_line
                        .map(|l| format!(" from line {l}"))
                        .unwrap_or_default()
                );
            }
        }
    }

    out.push_str("## Stage graphs\n\n");
    for d in &report.dockerfiles {
        let _ = writeln!(
            out,
            "### {}\n\nBuilt by: {}.\n\n```mermaid\n{}```\n",
            d.name,
            d.builds.join(", "),
            d.graph.to_mermaid()
        );
        out.push_str("| Stage | Line | Builds | Target of |\n| --- | ---: | --- | --- |\n");
        for s in &d.graph.stages {
            let _ = writeln!(
                out,
                "| `{}`{} | {} | {} | {} |",
                s.label,
                if s.default_target { " (last)" } else { "" },
                s.line,
                s.builds.join(", "),
                cell(&s.targeted_by.join(", "))
            );
        }
        out.push('\n');
    }

    out.push_str("## Optimized Dockerfile\n\n");
    let optimized: Vec<_> = report
        .dockerfiles
        .iter()
        .filter_map(|d| d.optimized.as_ref())
        .collect();
    if optimized.is_empty() {
        out.push_str("No optimizer ran for this report.\n\n");
    }
    for o in optimized {
        let _ = writeln!(out, "### {}\n", o.original);
        for c in &o.changes {
            let _ = writeln!(out, "- {c}");
        }
        let _ = writeln!(out, "\n```dockerfile\n{}```\n", o.text);
    }

    out.push_str("## Verify\n\n```sh\n");
    for v in &report.verify {
        let _ = writeln!(out, "{}    # {}", v.command, v.why);
    }
    out.push_str("```\n");
    if !report.problems.is_empty() {
        out.push_str("\n## Problems\n\n");
        for p in &report.problems {
            let _ = writeln!(out, "- {}", cell(p));
        }
    }
    out
}

pub(crate) fn shorten(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        return s;
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
