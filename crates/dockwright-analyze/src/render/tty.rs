//! The terminal report: findings by group, most urgent first, then the per-build facts.

use std::fmt::Write as _;

use super::markdown::shorten;
use super::{headline, human_bytes, place_text};
use crate::report::{AnalysisReport, Group, Priority};

/// The report for a terminal; `color` adds ANSI styles.
pub fn tty(report: &AnalysisReport, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint("1", &format!("dockwright analyze {}", report.root))
    );
    let _ = writeln!(out, "{}", headline(report));
    for group in Group::ALL {
        let found: Vec<_> = report.in_group(group).collect();
        if found.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{}",
            paint("1;4", &format!("{} ({})", group.title(), found.len()))
        );
        for f in found {
            let tag = match f.priority {
                Priority::High => paint("1;31", "HIGH  "),
                Priority::Medium => paint("33", "MEDIUM"),
                Priority::Low => paint("2", "LOW   "),
            };
            let _ = writeln!(
                out,
                "  {tag} {} {} {}",
                place_text(f),
                paint("1", &f.code),
                f.message
            );
            for e in &f.evidence {
                let _ = writeln!(out, "         · {e}");
            }
            if let Some(i) = &f.impact {
                let _ = writeln!(out, "         → {}", i.summary);
            }
            if let Some(fix) = &f.fix {
                let _ = writeln!(out, "         fix: {fix}");
            }
        }
    }
    if let Some(img) = &report.image {
        let _ = writeln!(out, "\n{}", paint("1;4", &format!("Image {}", img.image)));
        let _ = writeln!(
            out,
            "  {} in {} layers, wasted {}, reclaimable {}, efficiency {:.1} %",
            human_bytes(img.total_size),
            img.layers.len(),
            human_bytes(img.wasted_bytes),
            human_bytes(img.reclaimable_bytes),
            img.efficiency * 100.0
        );
        for l in &img.layers {
            let _ = writeln!(
                out,
                "  {:>3} {:>9}  {}",
                l.index,
                human_bytes(l.size),
                shorten(&l.created_by, 80)
            );
        }
    }
    let _ = writeln!(out, "\n{}", paint("1;4", "Builds"));
    for b in &report.builds {
        let _ = writeln!(
            out,
            "  {}  {} at {}, target {}",
            paint("1", &b.id),
            b.kind,
            b.origin,
            b.target.as_deref().unwrap_or("(last stage)")
        );
        if !b.stages_built.is_empty() {
            let _ = writeln!(out, "      stages   {}", b.stages_built.join(" → "));
        }
        if let Some(c) = &b.context {
            let _ = writeln!(
                out,
                "      context  {}: {} files, {} (ignore file: {})",
                c.dir,
                c.files,
                human_bytes(c.bytes),
                c.ignore_file.as_deref().unwrap_or("none")
            );
        }
        if let Some(cache) = &b.cache {
            for e in &cache.edits {
                let _ = writeln!(
                    out,
                    "      edit     {} (line {}) rebuilds {} of {} steps",
                    e.edited, e.copy_line, e.rebuilt, e.steps
                );
            }
        }
        for n in &b.notes {
            let _ = writeln!(out, "      note     {n}");
        }
    }
    let _ = writeln!(out, "\n{}", paint("1;4", "Stage graphs"));
    for d in &report.dockerfiles {
        let _ = writeln!(out, "  {}", paint("1", &d.name));
        for line in d.graph.to_text().lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    let optimized: Vec<_> = report
        .dockerfiles
        .iter()
        .filter_map(|d| d.optimized.as_ref())
        .collect();
    if !optimized.is_empty() {
        let _ = writeln!(out, "\n{}", paint("1;4", "Optimized Dockerfile"));
        for o in optimized {
            let _ = writeln!(out, "  {}", paint("1", &o.original));
            for change in &o.changes {
                let _ = writeln!(out, "    · {change}");
            }
            let _ = writeln!(out, "\n{}", o.text);
        }
    }
    for b in &report.builds {
        if let Some(s) = b.context.as_ref().and_then(|c| c.suggested_ignore.as_ref()) {
            let _ = writeln!(
                out,
                "\n{}",
                paint("1;4", &format!("Suggested {} ({})", s.path, b.id))
            );
            out.push_str(&s.text);
        }
    }
    let _ = writeln!(out, "\n{}", paint("1;4", "Verify"));
    for v in &report.verify {
        let _ = writeln!(out, "  {}\n      {}", v.command, v.why);
    }
    for p in &report.problems {
        let _ = writeln!(out, "{}: {p}", paint("33", "problem"));
    }
    out
}
