//! YAML documents as a tree that remembers where every node is: compose files, OpenShift and
//! Kubernetes manifests, GitHub Actions workflows and docker-bake JSON are all read through it.
//!
//! The tree is built from saphyr's marked events. Aliases point at the anchored node (no
//! copying, so alias bombs cost nothing) and merge keys (`<<: *base`) are applied on lookup.

use std::collections::{HashMap, HashSet};

use dockwright_syntax::{LineIndex, Position};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

/// Index of a node in [`YamlFile::nodes`].
pub(crate) type NodeId = usize;

/// How deep merge keys may nest before we stop following them.
const MERGE_DEPTH: usize = 16;

/// What a node holds.
#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    /// A scalar with its decoded value and how it was written.
    Scalar { value: String, style: ScalarStyle },
    /// A sequence of nodes.
    Sequence(Vec<NodeId>),
    /// Key/value pairs in document order (merge keys not yet applied).
    Mapping(Vec<(NodeId, NodeId)>),
}

/// A node and the byte range it was read from.
#[derive(Debug, Clone)]
pub(crate) struct NodeData {
    pub kind: NodeKind,
    /// Byte offset where the node starts (for a block scalar: its first content character).
    pub start: usize,
    /// Byte offset where the node ends (scalars only; collections record their start).
    pub end: usize,
}

/// A YAML syntax error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub message: String,
    pub position: Position,
}

/// A parsed YAML stream: every document's root node, the nodes, and the source.
#[derive(Debug)]
pub(crate) struct YamlFile<'s> {
    pub source: &'s str,
    pub nodes: Vec<NodeData>,
    pub documents: Vec<NodeId>,
    pub lines: LineIndex,
}

/// Turns saphyr's character indices into byte offsets.
struct CharOffsets {
    /// Byte offset of every character, present only when the source is not ASCII.
    table: Option<Vec<usize>>,
    len: usize,
}

impl CharOffsets {
    fn new(source: &str) -> Self {
        let table = (!source.is_ascii()).then(|| source.char_indices().map(|(i, _)| i).collect());
        CharOffsets {
            table,
            len: source.len(),
        }
    }

    fn byte(&self, marker: &Marker) -> usize {
        let index = marker.index();
        match &self.table {
            None => index.min(self.len),
            Some(table) => table.get(index).copied().unwrap_or(self.len),
        }
    }
}

enum Frame {
    Sequence {
        anchor: usize,
        start: usize,
        items: Vec<NodeId>,
    },
    Mapping {
        anchor: usize,
        start: usize,
        entries: Vec<(NodeId, NodeId)>,
        key: Option<NodeId>,
    },
}

impl<'s> YamlFile<'s> {
    /// Parses every document of `source`.
    pub fn parse(source: &'s str) -> Result<Self, YamlError> {
        let lines = LineIndex::new(source.as_bytes());
        let offsets = CharOffsets::new(source);
        let mut file = YamlFile {
            source,
            nodes: Vec::new(),
            documents: Vec::new(),
            lines,
        };
        let mut anchors: HashMap<usize, NodeId> = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut parser = Parser::new_from_str(source);
        while let Some(event) = parser.next_event() {
            let (event, span) = event.map_err(|err| {
                let offset = offsets.byte(err.marker());
                YamlError {
                    message: err.info().to_string(),
                    position: file.position(offset),
                }
            })?;
            let start = offsets.byte(&span.start);
            let complete = match event {
                Event::StreamStart
                | Event::StreamEnd
                | Event::DocumentStart(_)
                | Event::DocumentEnd
                | Event::Nothing => None,
                Event::Alias(id) => match anchors.get(&id) {
                    Some(&node) => Some((node, 0)),
                    None => {
                        return Err(YamlError {
                            message: "alias to an unknown anchor".into(),
                            position: file.position(start),
                        });
                    }
                },
                Event::Scalar(value, style, anchor, _) => {
                    let end = offsets.byte(&span.end).max(start);
                    file.nodes.push(NodeData {
                        kind: NodeKind::Scalar {
                            value: value.into_owned(),
                            style,
                        },
                        start,
                        end,
                    });
                    Some((file.nodes.len() - 1, anchor))
                }
                Event::SequenceStart(anchor, _) => {
                    stack.push(Frame::Sequence {
                        anchor,
                        start,
                        items: Vec::new(),
                    });
                    None
                }
                Event::MappingStart(anchor, _) => {
                    stack.push(Frame::Mapping {
                        anchor,
                        start,
                        entries: Vec::new(),
                        key: None,
                    });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                    Some(Frame::Sequence {
                        anchor,
                        start,
                        items,
                    }) => {
                        file.nodes.push(NodeData {
                            kind: NodeKind::Sequence(items),
                            start,
                            end: start,
                        });
                        Some((file.nodes.len() - 1, anchor))
                    }
                    Some(Frame::Mapping {
                        anchor,
                        start,
                        entries,
                        ..
                    }) => {
                        file.nodes.push(NodeData {
                            kind: NodeKind::Mapping(entries),
                            start,
                            end: start,
                        });
                        Some((file.nodes.len() - 1, anchor))
                    }
                    None => None,
                },
            };
            let Some((node, anchor)) = complete else {
                continue;
            };
            // Registering the anchor only once the node is complete makes cycles impossible.
            if anchor != 0 {
                anchors.insert(anchor, node);
            }
            match stack.last_mut() {
                None => file.documents.push(node),
                Some(Frame::Sequence { items, .. }) => items.push(node),
                Some(Frame::Mapping { entries, key, .. }) => match key.take() {
                    None => *key = Some(node),
                    Some(k) => entries.push((k, node)),
                },
            }
        }
        Ok(file)
    }

    /// Line and column of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(self.source.as_bytes(), offset)
    }

    /// The root node of each document.
    pub fn roots(&self) -> impl Iterator<Item = Node<'_, 's>> + '_ {
        self.documents
            .iter()
            .map(move |&id| Node { file: self, id })
    }

    /// A handle on node `id`.
    pub fn node(&self, id: NodeId) -> Node<'_, 's> {
        Node { file: self, id }
    }
}

/// A node of a [`YamlFile`], with lookups.
#[derive(Clone, Copy)]
pub(crate) struct Node<'f, 's> {
    pub file: &'f YamlFile<'s>,
    pub id: NodeId,
}

impl std::fmt::Debug for Node<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({:?})", self.data().kind)
    }
}

impl<'f, 's> Node<'f, 's> {
    pub fn data(&self) -> &'f NodeData {
        // Ids only ever come from the same file's arena.
        &self.file.nodes[self.id]
    }

    /// Byte offset where the node starts.
    pub fn start(&self) -> usize {
        self.data().start
    }

    /// Line and column where the node starts.
    pub fn position(&self) -> Position {
        self.file.position(self.start())
    }

    /// The scalar's value, if this is a scalar that is not null.
    pub fn as_str(&self) -> Option<&'f str> {
        match &self.data().kind {
            NodeKind::Scalar { value, style } if !is_null(value, *style) => Some(value),
            _ => None,
        }
    }

    /// The scalar's value and style, null included.
    pub fn scalar(&self) -> Option<(&'f str, ScalarStyle)> {
        match &self.data().kind {
            NodeKind::Scalar { value, style } => Some((value, *style)),
            _ => None,
        }
    }

    /// Whether this is a null scalar (`~`, `null`, or nothing at all).
    pub fn is_null(&self) -> bool {
        matches!(&self.data().kind, NodeKind::Scalar { value, style } if is_null(value, *style))
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.data().kind, NodeKind::Mapping(_))
    }

    /// The items of a sequence (nothing for other nodes).
    pub fn items(&self) -> Vec<Node<'f, 's>> {
        match &self.data().kind {
            NodeKind::Sequence(items) => items
                .iter()
                .map(|&id| Node {
                    file: self.file,
                    id,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The entries of a mapping with merge keys applied: own keys first, then merged keys
    /// that the mapping does not set itself (nothing for other nodes). Each merged mapping is
    /// read once, however many aliases name it, so alias fan-out cannot blow up.
    pub fn entries(&self) -> Vec<(Node<'f, 's>, Node<'f, 's>)> {
        let mut out = Vec::new();
        let mut keys: HashSet<&'f str> = HashSet::new();
        let mut visited: HashSet<NodeId> = HashSet::new();
        self.collect_entries(&mut out, &mut keys, &mut visited, 0);
        out
    }

    fn collect_entries(
        &self,
        out: &mut Vec<(Node<'f, 's>, Node<'f, 's>)>,
        keys: &mut HashSet<&'f str>,
        visited: &mut HashSet<NodeId>,
        depth: usize,
    ) {
        if !visited.insert(self.id) {
            return;
        }
        let NodeKind::Mapping(entries) = &self.data().kind else {
            return;
        };
        let mut merged = Vec::new();
        for &(k, v) in entries {
            let key = self.file.node(k);
            let value = self.file.node(v);
            if is_merge_key(&key) {
                merged.push(value);
                continue;
            }
            let fresh = match key.scalar() {
                Some((name, _)) => keys.insert(name),
                // Complex keys are never merge targets; keep them all.
                None => true,
            };
            if fresh {
                out.push((key, value));
            }
        }
        if depth >= MERGE_DEPTH {
            return;
        }
        for value in merged {
            let sources = if value.is_mapping() {
                vec![value]
            } else {
                value.items()
            };
            for source in sources {
                source.collect_entries(out, keys, visited, depth + 1);
            }
        }
    }

    /// The value of `key` in a mapping (merge keys applied).
    pub fn get(&self, key: &str) -> Option<Node<'f, 's>> {
        self.get_entry(key).map(|(_, v)| v)
    }

    /// The key node and value of `key` in a mapping (merge keys applied).
    pub fn get_entry(&self, key: &str) -> Option<(Node<'f, 's>, Node<'f, 's>)> {
        if !self.is_mapping() {
            return None;
        }
        // Direct keys win over merged ones; look there first without building the merged list.
        if let NodeKind::Mapping(entries) = &self.data().kind {
            for &(k, v) in entries {
                let node = self.file.node(k);
                if node.scalar().map(|(s, _)| s) == Some(key) && !is_merge_key(&node) {
                    return Some((node, self.file.node(v)));
                }
            }
        }
        self.entries()
            .into_iter()
            .find(|(k, _)| k.scalar().map(|(s, _)| s) == Some(key))
    }

    /// The value of `key` as a non-null string.
    pub fn get_str(&self, key: &str) -> Option<&'f str> {
        self.get(key).and_then(|n| n.as_str())
    }
}

fn is_merge_key(node: &Node<'_, '_>) -> bool {
    matches!(node.scalar(), Some(("<<", ScalarStyle::Plain)))
}

/// YAML 1.2 core schema nulls: only plain scalars can be null.
fn is_null(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn builds_tree_with_positions() {
        let src = "a:\n  b: x\n  c: [1, 2]\n";
        let file = YamlFile::parse(src).unwrap();
        let root = file.roots().next().unwrap();
        let a = root.get("a").unwrap();
        assert_eq!(a.get_str("b"), Some("x"));
        let (key, _) = a.get_entry("c").unwrap();
        assert_eq!(key.position(), Position { line: 3, column: 3 });
        let items: Vec<_> = a
            .get("c")
            .unwrap()
            .items()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(items, ["1", "2"]);
    }

    #[test]
    fn merge_keys_and_aliases() {
        let src = "base: &b\n  x: 1\n  y: 2\nsvc:\n  <<: *b\n  y: 3\nlist: [*b]\n";
        let file = YamlFile::parse(src).unwrap();
        let root = file.roots().next().unwrap();
        let svc = root.get("svc").unwrap();
        assert_eq!(svc.get_str("x"), Some("1"));
        assert_eq!(svc.get_str("y"), Some("3"));
        assert_eq!(svc.entries().len(), 2);
        let list = root.get("list").unwrap().items();
        assert_eq!(list[0].get_str("y"), Some("2"));
    }

    #[test]
    fn merge_fan_out_is_linear() {
        let mut src = String::from("a0: &a0 {x: 1}\n");
        for i in 1..40 {
            let refs: Vec<String> = (0..10).map(|_| format!("*a{}", i - 1)).collect();
            src.push_str(&format!(
                "a{i}: &a{i}\n  <<: [{}]\n  k{i}: v\n",
                refs.join(", ")
            ));
        }
        let file = YamlFile::parse(&src).unwrap();
        let last = file.roots().next().unwrap().get("a39").unwrap();
        // k39 plus up to MERGE_DEPTH inherited levels, each read once.
        let entries = last.entries();
        assert!(entries.len() <= MERGE_DEPTH + 2, "{}", entries.len());
        assert_eq!(last.get_str("k39"), Some("v"));
    }

    #[test]
    fn multi_document_and_errors() {
        let file = YamlFile::parse("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(file.documents.len(), 2);
        let err = YamlFile::parse("a: 1\nb: [\n").unwrap_err();
        assert!(err.position.line >= 2, "{err:?}");
        let err = YamlFile::parse("a: *nope\n").unwrap_err();
        assert_eq!(err.position.line, 1);
    }

    #[test]
    fn non_ascii_offsets() {
        let src = "é: x\nb: |\n  ü\n";
        let file = YamlFile::parse(src).unwrap();
        let root = file.roots().next().unwrap();
        let b = root.get("b").unwrap();
        assert_eq!(&src[b.start()..b.start() + 2], "ü");
        assert_eq!(b.position(), Position { line: 3, column: 3 });
    }

    #[test]
    fn nulls() {
        let file = YamlFile::parse("a:\nb: ~\nc: ''\n").unwrap();
        let root = file.roots().next().unwrap();
        assert!(root.get("a").unwrap().is_null());
        assert!(root.get("b").unwrap().is_null());
        assert_eq!(root.get_str("c"), Some(""));
    }
}
