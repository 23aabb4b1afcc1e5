//! A self-contained HTML page: inline CSS and SVG, no scripts, no external assets.

use std::fmt::Write as _;

use super::markdown::shorten;
use super::{first_priority, headline, human_bytes, place_text};
use crate::graph::{Node, StageGraph};
use crate::report::{AnalysisReport, Group};

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#222;line-height:1.45}\
h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left;font-size:.9rem}\
th{background:#f4f4f4}code,pre{font-family:ui-monospace,monospace;font-size:.85rem}pre{background:#f7f7f7;padding:.6rem;overflow-x:auto}\
.high{color:#fff;background:#c0392b}.medium{background:#f1c40f}.low{background:#ecf0f1}\
.prio{font-weight:bold;border-radius:3px;padding:0 .35rem;font-size:.8rem}ul.ev{margin:0;padding-left:1rem}\
.chart text{font-size:12px;font-family:ui-monospace,monospace}.muted{color:#777}";

/// A horizontal bar chart of `(label, bytes)`.
fn bar_chart(id: &str, title: &str, rows: &[(String, u64)]) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let row_h = 22;
    let label_w = 330;
    let bar_w = 420;
    let height = row_h * rows.len() + 10;
    let mut out = format!(
        "<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-label=\"{}\" width=\"{}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        esc(title),
        label_w + bar_w + 110,
        esc(title)
    );
    for (i, (label, bytes)) in rows.iter().enumerate() {
        let y = i * row_h + 5;
        let w = ((*bytes as f64 / max as f64) * bar_w as f64)
            .round()
            .max(1.0) as usize;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{}\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"#3498db\"><title>{}: {}</title></rect><text x=\"{}\" y=\"{}\">{}</text>",
            label_w - 6,
            y + 15,
            esc(&shorten(label, 45)),
            label_w,
            row_h - 6,
            esc(label),
            human_bytes(*bytes),
            label_w + w + 6,
            y + 15,
            human_bytes(*bytes)
        );
    }
    out.push_str("</svg>");
    out
}

/// The stage graph as boxes in columns by depth, external images in the first column.
fn graph_svg(graph: &StageGraph) -> String {
    let depths = graph.depths();
    let has_images =
        !graph.images.is_empty() || graph.edges.iter().any(|e| e.from == Node::Scratch);
    let offset = usize::from(has_images);
    let (bw, bh, gx, gy) = (210usize, 30usize, 60usize, 16usize);
    let mut columns: Vec<Vec<Node>> = Vec::new();
    let put = |col: usize, node: Node, columns: &mut Vec<Vec<Node>>| {
        while columns.len() <= col {
            columns.push(Vec::new());
        }
        columns[col].push(node);
    };
    for i in 0..graph.images.len() {
        put(0, Node::Image(i), &mut columns);
    }
    if graph.edges.iter().any(|e| e.from == Node::Scratch) {
        put(0, Node::Scratch, &mut columns);
    }
    for s in &graph.stages {
        put(
            depths.get(s.index).copied().unwrap_or(0) + offset,
            Node::Stage(s.index),
            &mut columns,
        );
    }
    let pos = |node: Node| -> Option<(usize, usize)> {
        columns.iter().enumerate().find_map(|(c, nodes)| {
            nodes
                .iter()
                .position(|n| *n == node)
                .map(|r| (10 + c * (bw + gx), 10 + r * (bh + gy)))
        })
    };
    let width = columns.len() * (bw + gx) + 20;
    let height = columns.iter().map(Vec::len).max().unwrap_or(1) * (bh + gy) + 20;
    let mut out = format!(
        "<svg class=\"chart graph\" role=\"img\" aria-label=\"stage graph\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>"
    );
    for e in &graph.edges {
        let (Some((x1, y1)), Some((x2, y2))) = (pos(e.from), pos(Node::Stage(e.to))) else {
            continue;
        };
        let dash = match e.kind {
            dockwright_model::DependencyKind::Base => "",
            _ => " stroke-dasharray=\"5,4\"",
        };
        let (sx, ex) = if x2 > x1 {
            (x1 + bw, x2)
        } else {
            (x1, x2 + bw)
        };
        let _ = write!(
            out,
            "<line x1=\"{sx}\" y1=\"{}\" x2=\"{ex}\" y2=\"{}\" stroke=\"#555\"{dash} marker-end=\"url(#arrow)\"><title>line {}: {}</title></line>",
            y1 + bh / 2,
            y2 + bh / 2,
            e.line,
            esc(&e.written)
        );
    }
    for (c, nodes) in columns.iter().enumerate() {
        for (r, node) in nodes.iter().enumerate() {
            let (x, y) = (10 + c * (bw + gx), 10 + r * (bh + gy));
            let (fill, label) = match node {
                Node::Stage(i) => {
                    let s = graph.stages.get(*i);
                    let target = s.is_some_and(|s| s.default_target || !s.targeted_by.is_empty());
                    (
                        if target { "#d5f5e3" } else { "#fdfefe" },
                        graph.node_label(*node),
                    )
                }
                _ => ("#eaecee", graph.node_label(*node)),
            };
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{bw}\" height=\"{bh}\" rx=\"5\" fill=\"{fill}\" stroke=\"#555\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x + bw / 2,
                y + 19,
                esc(&shorten(&label, 30))
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// The report as one HTML page.
pub fn html(report: &AnalysisReport) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>dockwright analyze {}</title><style>{CSS}</style></head><body>\n",
        esc(&report.root)
    );
    let _ = writeln!(
        out,
        "<h1>Container build analysis: <code>{}</code></h1>\n<p id=\"summary\">{}.</p>",
        esc(&report.root),
        esc(&headline(report))
    );
    let first = first_priority(report);
    if !first.is_empty() {
        out.push_str("<section id=\"do-first\"><h2>Do first</h2><ol>");
        for (f, places) in first {
            let _ = write!(
                out,
                "<li><b>{}</b> — {} <span class=\"muted\">({})</span>",
                f.group.as_str(),
                esc(&f.message),
                esc(&places.join(", "))
            );
            if let Some(i) = &f.impact {
                let _ = write!(out, " <i>Expected: {}</i>", esc(&i.summary));
            }
            out.push_str("</li>");
        }
        out.push_str("</ol></section>\n");
    }

    out.push_str("<section id=\"findings\"><h2>Findings</h2>");
    for group in Group::ALL {
        let found: Vec<_> = report.in_group(group).collect();
        if found.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<h3 id=\"group-{}\">{} ({})</h3><table><tr><th>Priority</th><th>Where</th><th>Finding</th><th>Evidence</th><th>Impact</th></tr>",
            group.as_str(),
            esc(group.title()),
            found.len()
        );
        for f in found {
            let evidence: String = f
                .evidence
                .iter()
                .map(|e| format!("<li>{}</li>", esc(e)))
                .collect();
            let impact = f
                .impact
                .as_ref()
                .map(|i| esc(&i.summary))
                .or_else(|| {
                    f.fix
                        .as_ref()
                        .map(|x| format!("fix: <code>{}</code>", esc(x)))
                })
                .unwrap_or_default();
            let _ = write!(
                out,
                "<tr class=\"finding\" data-code=\"{}\"><td><span class=\"prio {p}\">{p}</span></td><td><code>{}</code></td><td><code>{}</code> {}</td><td><ul class=\"ev\">{evidence}</ul></td><td>{impact}</td></tr>",
                esc(&f.code),
                esc(&place_text(f)),
                esc(&f.code),
                esc(&f.message),
                p = f.priority.as_str(),
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</section>\n");

    if let Some(img) = &report.image {
        let _ = write!(
            out,
            "<section id=\"image\"><h2>Image <code>{}</code></h2><p>{} in {} layers, wasted {}, reclaimable {}, efficiency {:.1} %.</p>",
            esc(&img.image),
            human_bytes(img.total_size),
            img.layers.len(),
            human_bytes(img.wasted_bytes),
            human_bytes(img.reclaimable_bytes),
            img.efficiency * 100.0
        );
        let rows: Vec<(String, u64)> = img
            .layers
            .iter()
            .map(|l| (format!("{} {}", l.index, l.created_by), l.size))
            .collect();
        out.push_str(&bar_chart("layer-sizes", "Layer sizes", &rows));
        out.push_str("</section>\n");
    }

    out.push_str("<section id=\"builds\"><h2>Builds</h2>");
    for (n, b) in report.builds.iter().enumerate() {
        let _ = write!(
            out,
            "<h3>{}</h3><p>{} at <code>{}</code>; Dockerfile <code>{}</code>; target <code>{}</code>{}</p>",
            esc(&b.id),
            esc(&b.kind),
            esc(&b.origin),
            esc(&b.dockerfile),
            esc(b.target.as_deref().unwrap_or("(last stage)")),
            if b.stages_built.is_empty() {
                String::new()
            } else {
                format!("; stages built: {}", esc(&b.stages_built.join(", ")))
            }
        );
        for note in &b.notes {
            let _ = write!(out, "<p class=\"muted\">{}</p>", esc(note));
        }
        if let Some(c) = &b.context {
            let _ = write!(
                out,
                "<p>Build context <code>{}</code>: {} files, {}; ignore file: {}.</p>",
                esc(&c.dir),
                c.files,
                human_bytes(c.bytes),
                esc(c.ignore_file.as_deref().unwrap_or("none"))
            );
            let rows: Vec<(String, u64)> = c
                .breakdown
                .iter()
                .take(15)
                .map(|e| (e.path.clone(), e.bytes))
                .collect();
            if !rows.is_empty() {
                out.push_str(&bar_chart(
                    &format!("context-{n}"),
                    "Build context by top-level path",
                    &rows,
                ));
            }
            if !c.copies.is_empty() {
                out.push_str(
                    "<table><tr><th>Line</th><th>Instruction</th><th>Files</th><th>Size</th></tr>",
                );
                for cp in &c.copies {
                    let _ = write!(
                        out,
                        "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                        cp.line,
                        esc(&cp.instruction),
                        cp.files,
                        human_bytes(cp.bytes)
                    );
                }
                out.push_str("</table>");
            }
            if let Some(s) = &c.suggested_ignore {
                let _ = write!(
                    out,
                    "<p>Suggested <code>{}</code> (keeps out {} files, {}):</p><pre class=\"dockerignore\">{}</pre>",
                    esc(&s.path),
                    s.files,
                    human_bytes(s.bytes),
                    esc(&s.text)
                );
            }
        }
        if let Some(cache) = &b.cache
            && !cache.edits.is_empty()
        {
            out.push_str("<table class=\"cache\"><tr><th>COPY line</th><th>Edited file</th><th>Steps rebuilt</th><th>RUN lines re-run</th></tr>");
            for e in &cache.edits {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td><code>{}</code></td><td>{} of {}</td><td>{}</td></tr>",
                    e.copy_line,
                    esc(&e.edited),
                    e.rebuilt,
                    e.steps,
                    e.runs
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            out.push_str("</table>");
        }
    }
    out.push_str("</section>\n");

    out.push_str("<section id=\"stage-graphs\"><h2>Stage graphs</h2>");
    for d in &report.dockerfiles {
        let _ = write!(
            out,
            "<h3>{}</h3><p class=\"muted\">built by {}</p>{}",
            esc(&d.name),
            esc(&d.builds.join(", ")),
            graph_svg(&d.graph)
        );
        out.push_str(
            "<table><tr><th>Stage</th><th>Line</th><th>Builds</th><th>Target of</th></tr>",
        );
        for s in &d.graph.stages {
            let _ = write!(
                out,
                "<tr class=\"stage\"><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&s.label),
                if s.default_target { " (last)" } else { "" },
                s.line,
                esc(&s.builds.join(", ")),
                esc(&s.targeted_by.join(", "))
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</section>\n");

    out.push_str("<section id=\"optimized\"><h2>Optimized Dockerfile</h2>");
    let mut any = false;
    for d in &report.dockerfiles {
        if let Some(o) = &d.optimized {
            any = true;
            let _ = write!(
                out,
                "<h3>{}</h3><ul>{}</ul><pre>{}</pre>",
                esc(&o.original),
                o.changes
                    .iter()
                    .map(|c| format!("<li>{}</li>", esc(c)))
                    .collect::<String>(),
                esc(&o.text)
            );
        }
    }
    if !any {
        out.push_str("<p class=\"muted\">No optimizer ran for this report.</p>");
    }
    out.push_str("</section>\n<section id=\"verify\"><h2>Verify</h2><pre>");
    for v in &report.verify {
        let _ = writeln!(out, "{}    # {}", esc(&v.command), esc(&v.why));
    }
    out.push_str("</pre></section>\n");
    if !report.problems.is_empty() {
        out.push_str("<section id=\"problems\"><h2>Problems</h2><ul>");
        for p in &report.problems {
            let _ = write!(out, "<li>{}</li>", esc(p));
        }
        out.push_str("</ul></section>\n");
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn bar_chart_scales_to_the_largest() {
        let svg = bar_chart("c", "t", &[("big".into(), 1000), ("small".into(), 10)]);
        assert!(svg.contains("width=\"420\""), "{svg}");
        assert!(svg.contains("width=\"4\""), "{svg}");
        assert!(!svg.contains("<script"));
    }
}
