//! The stage graph of a Dockerfile: stages, the external images they start from or copy
//! from, `FROM`/`COPY --from`/`RUN --mount=from=` edges, and which stages each target builds,
//! rendered as text, mermaid or Graphviz dot.

use std::fmt::Write as _;

use dockwright_model::{DependencyKind, DependencySource, Model};
use serde::Serialize;

use crate::lines::LineMap;

/// A stage of the graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphStage {
    /// Position in the file, from 0.
    pub index: usize,
    /// The name after `AS`, as written.
    pub name: Option<String>,
    /// The name, or `stage-N`.
    pub label: String,
    /// Line of its `FROM` in the defining file.
    pub line: usize,
    /// Labels of the stages building it as the target runs (itself included), file order.
    pub builds: Vec<String>,
    /// Ids of the builds that target it.
    pub targeted_by: Vec<String>,
    /// It is the last stage: what a build without `--target` produces.
    pub default_target: bool,
}

/// An image (or named context) a stage starts from or copies from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalImage {
    /// As written (`${BASE}`, `python:3.12`).
    pub written: String,
    /// After ARG expansion (build args of the builds included).
    pub expanded: String,
    /// The name is not fully known: a variable without a value.
    pub unresolved: bool,
}

/// One end of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "index", rename_all = "kebab-case")]
pub enum Node {
    /// A stage, by index.
    Stage(usize),
    /// An external image, by index into [`StageGraph::images`].
    Image(usize),
    /// `scratch`.
    Scratch,
}

/// `from` is needed to build `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphEdge {
    pub from: Node,
    /// The stage that depends.
    pub to: usize,
    /// `base`, `copy-from` or `mount-from`.
    pub kind: DependencyKind,
    /// Line of the instruction in the defining file.
    pub line: usize,
    /// The name as written.
    pub written: String,
}

/// Stages, images and edges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageGraph {
    pub stages: Vec<GraphStage>,
    pub images: Vec<ExternalImage>,
    pub edges: Vec<GraphEdge>,
    /// What BuildKit would reject in the graph (a `--from` naming no stage or image...).
    pub errors: Vec<String>,
}

impl StageGraph {
    /// The graph of a model; `targets` lists `(stage label or None for the default, build id)`
    /// of the builds using the Dockerfile.
    pub fn new(
        model: &Model,
        doc: &dockwright_syntax::Dockerfile<'_>,
        lines: &LineMap,
        targets: &[(Option<String>, String)],
    ) -> StageGraph {
        let line_of = |instruction: usize| {
            doc.instructions()
                .get(instruction)
                .map_or(0, |i| lines.file_line(i.start_line()))
        };
        let mut images: Vec<ExternalImage> = Vec::new();
        let mut edges = Vec::new();
        for dep in &model.dependencies {
            let from = match &dep.source {
                DependencySource::Stage(s) => Node::Stage(*s),
                DependencySource::Scratch => Node::Scratch,
                DependencySource::Image(_) | DependencySource::Unresolved => {
                    let unresolved = matches!(dep.source, DependencySource::Unresolved);
                    let at = match images.iter().position(|i| i.expanded == dep.expanded) {
                        Some(at) => at,
                        None => {
                            images.push(ExternalImage {
                                written: dep.written.clone(),
                                expanded: dep.expanded.clone(),
                                unresolved,
                            });
                            images.len() - 1
                        }
                    };
                    Node::Image(at)
                }
            };
            edges.push(GraphEdge {
                from,
                to: dep.stage,
                kind: dep.kind,
                line: line_of(dep.instruction),
                written: dep.written.clone(),
            });
        }
        let label = |i: usize| {
            model
                .stages
                .get(i)
                .and_then(|s| s.name.clone())
                .unwrap_or_else(|| format!("stage-{i}"))
        };
        let last = model.stages.len().checked_sub(1);
        let stages = model
            .stages
            .iter()
            .map(|s| {
                let reach = reachable(model, s.index);
                let lower = s.lowercase_name();
                let targeted_by = targets
                    .iter()
                    .filter(|(t, _)| match t {
                        Some(t) => lower.as_deref() == Some(t.to_lowercase().as_str()),
                        None => Some(s.index) == last,
                    })
                    .map(|(_, id)| id.clone())
                    .collect();
                GraphStage {
                    index: s.index,
                    name: s.name.clone(),
                    label: label(s.index),
                    line: line_of(s.from_instruction),
                    builds: (0..model.stages.len())
                        .filter(|i| reach[*i])
                        .map(label)
                        .collect(),
                    targeted_by,
                    default_target: Some(s.index) == last,
                }
            })
            .collect();
        StageGraph {
            stages,
            images,
            edges,
            errors: model.errors.iter().map(|e| e.message.clone()).collect(),
        }
    }

    /// The graph of one Dockerfile's text under `build_args`; the default target is marked
    /// as built by `name`.
    pub fn of_dockerfile(
        text: &str,
        name: &str,
        build_args: &std::collections::BTreeMap<String, String>,
    ) -> Result<StageGraph, dockwright_syntax::ParseError> {
        let doc = dockwright_syntax::parse(text)?;
        let options = dockwright_model::BuildOptions {
            build_args: build_args.clone(),
            ..Default::default()
        };
        let model = Model::build(&doc, &options);
        Ok(StageGraph::new(
            &model,
            &doc,
            &LineMap::Identity,
            &[(None, name.to_owned())],
        ))
    }

    /// The label of a node.
    pub fn node_label(&self, node: Node) -> String {
        match node {
            Node::Stage(i) => self
                .stages
                .get(i)
                .map_or_else(|| format!("stage-{i}"), |s| s.label.clone()),
            Node::Image(i) => self
                .images
                .get(i)
                .map_or_else(String::new, |i| i.expanded.clone()),
            Node::Scratch => "scratch".to_owned(),
        }
    }

    /// Stages that no build of the repository targets and no targeted stage needs.
    pub fn unbuilt_stages(&self) -> Vec<&GraphStage> {
        let targeted: Vec<&GraphStage> = self
            .stages
            .iter()
            .filter(|s| !s.targeted_by.is_empty())
            .collect();
        if targeted.is_empty() {
            return Vec::new();
        }
        self.stages
            .iter()
            .filter(|s| !targeted.iter().any(|t| t.builds.contains(&s.label)))
            .collect()
    }

    /// Depth of each stage: the longest chain of stage edges leading to it.
    pub fn depths(&self) -> Vec<usize> {
        let mut depth = vec![0usize; self.stages.len()];
        // Edges between stages point backwards in file order except for forward `--from`;
        // a few passes settle the longest path without recursion.
        for _ in 0..self.stages.len() {
            let mut changed = false;
            for e in &self.edges {
                if let Node::Stage(from) = e.from
                    && from != e.to
                    && from < depth.len()
                    && e.to < depth.len()
                    && depth[e.to] < depth[from] + 1
                    && depth[from] < self.stages.len()
                {
                    depth[e.to] = depth[from] + 1;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        depth
    }

    /// A readable listing.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for s in &self.stages {
            let _ = write!(out, "stage {} {} (line {})", s.index, s.label, s.line);
            if s.default_target {
                out.push_str(" [default target]");
            }
            out.push('\n');
            for e in self.edges.iter().filter(|e| e.to == s.index) {
                let _ = writeln!(
                    out,
                    "  {:<10} {} (line {})",
                    kind_word(e.kind),
                    self.node_label(e.from),
                    e.line
                );
            }
            let _ = writeln!(out, "  builds     {}", s.builds.join(", "));
            if !s.targeted_by.is_empty() {
                let _ = writeln!(out, "  target of  {}", s.targeted_by.join(", "));
            }
        }
        let unbuilt = self.unbuilt_stages();
        if !unbuilt.is_empty() {
            let names: Vec<&str> = unbuilt.iter().map(|s| s.label.as_str()).collect();
            let _ = writeln!(out, "not built by any target: {}", names.join(", "));
        }
        for e in &self.errors {
            let _ = writeln!(out, "error: {e}");
        }
        out
    }

    /// A mermaid `flowchart` (dependencies point at what depends on them).
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for (i, img) in self.images.iter().enumerate() {
            let _ = writeln!(out, "  img{i}[(\"{}\")]", mermaid_text(&img.expanded));
        }
        if self.edges.iter().any(|e| e.from == Node::Scratch) {
            out.push_str("  scratch[(\"scratch\")]\n");
        }
        for s in &self.stages {
            let mut text = mermaid_text(&s.label);
            if !s.targeted_by.is_empty() || s.default_target {
                text.push_str(" 🎯");
            }
            let _ = writeln!(out, "  s{}[\"{}\"]", s.index, text);
        }
        for e in &self.edges {
            let arrow = match e.kind {
                DependencyKind::Base => "-->",
                DependencyKind::CopyFrom => "-. COPY --from .->",
                DependencyKind::MountFrom => "-. mount .->",
            };
            let _ = writeln!(out, "  {} {arrow} s{}", mermaid_id(e.from), e.to);
        }
        out
    }

    /// A Graphviz digraph.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph stages {\n  rankdir=LR;\n  node [shape=box];\n");
        for (i, img) in self.images.iter().enumerate() {
            let _ = writeln!(
                out,
                "  img{i} [label=\"{}\", shape=cylinder];",
                dot_text(&img.expanded)
            );
        }
        if self.edges.iter().any(|e| e.from == Node::Scratch) {
            out.push_str("  scratch [label=\"scratch\", shape=cylinder];\n");
        }
        for s in &self.stages {
            let style = if s.default_target || !s.targeted_by.is_empty() {
                ", style=bold"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  s{} [label=\"{}\"{style}];",
                s.index,
                dot_text(&s.label)
            );
        }
        for e in &self.edges {
            let style = match e.kind {
                DependencyKind::Base => String::new(),
                DependencyKind::CopyFrom => " [style=dashed, label=\"COPY --from\"]".to_owned(),
                DependencyKind::MountFrom => " [style=dotted, label=\"mount\"]".to_owned(),
            };
            let _ = writeln!(out, "  {} -> s{}{style};", mermaid_id(e.from), e.to);
        }
        out.push_str("}\n");
        out
    }
}

fn kind_word(kind: DependencyKind) -> &'static str {
    match kind {
        DependencyKind::Base => "FROM",
        DependencyKind::CopyFrom => "COPY --from",
        DependencyKind::MountFrom => "mount from",
    }
}

fn mermaid_id(node: Node) -> String {
    match node {
        Node::Stage(i) => format!("s{i}"),
        Node::Image(i) => format!("img{i}"),
        Node::Scratch => "scratch".to_owned(),
    }
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Which stages building `target` runs: it and every stage reachable over stage edges.
fn reachable(model: &Model, target: usize) -> Vec<bool> {
    let mut seen = vec![false; model.stages.len()];
    let mut stack = vec![target];
    while let Some(s) = stack.pop() {
        if s >= seen.len() || seen[s] {
            continue;
        }
        seen[s] = true;
        for dep in model.dependencies_of(s) {
            if let DependencySource::Stage(from) = dep.source {
                stack.push(from);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(text: &str, targets: &[(Option<&str>, &str)]) -> StageGraph {
        let doc = dockwright_syntax::parse(text).unwrap();
        let model = Model::build(&doc, &dockwright_model::BuildOptions::default());
        let targets: Vec<(Option<String>, String)> = targets
            .iter()
            .map(|(t, id)| (t.map(str::to_owned), (*id).to_owned()))
            .collect();
        StageGraph::new(&model, &doc, &LineMap::Identity, &targets)
    }

    #[test]
    fn tiers_share_a_base_and_debug_is_unbuilt() {
        let g = graph(
            "ARG BASE=python:3.12\nFROM ${BASE} AS base\nFROM base AS tier1\nFROM base AS tier2\nFROM tier2 AS tier3\nCOPY --from=tier1 /a /a\nFROM base AS debug\n",
            &[(Some("tier1"), "ci#1"), (Some("tier3"), "ci#3")],
        );
        assert_eq!(g.images.len(), 1);
        assert_eq!(g.images[0].expanded, "python:3.12");
        assert_eq!(g.stages[3].builds, ["base", "tier1", "tier2", "tier3"]);
        assert_eq!(g.stages[1].targeted_by, ["ci#1"]);
        let unbuilt: Vec<&str> = g
            .unbuilt_stages()
            .iter()
            .map(|s| s.label.as_str())
            .collect();
        assert_eq!(unbuilt, ["debug"]);
        assert!(g.stages[4].default_target);
        assert_eq!(g.depths(), [0, 1, 1, 2, 1]);
        insta::assert_snapshot!(g.to_mermaid());
        insta::assert_snapshot!(g.to_dot());
        insta::assert_snapshot!(g.to_text());
    }

    #[test]
    fn copy_from_an_image_is_an_external_node() {
        let g = graph(
            "FROM alpine\nCOPY --from=nginx:1.25 /etc/nginx /etc/nginx\n",
            &[(None, "Dockerfile")],
        );
        let labels: Vec<String> = g.edges.iter().map(|e| g.node_label(e.from)).collect();
        assert_eq!(labels, ["alpine", "nginx:1.25"]);
        assert_eq!(g.edges[1].kind, DependencyKind::CopyFrom);
        assert_eq!(g.edges[1].line, 2);
        assert_eq!(g.stages[0].targeted_by, ["Dockerfile"]);
    }
}
