//! Walking the tree: [`Visit`] for consumers, and a mutable walker used inside the crate.
//!
//! The walk goes everywhere commands can hide: compound bodies, function bodies, command and
//! process substitutions in words, assignments and redirection targets, and the scripts of
//! recognised `sh -c '...'` commands.

use crate::ast::{
    Assignment, AssignmentValue, Command, CommandList, CompoundKind, Expansion, Pipeline,
    Redirection, Script, SimpleCommand, Word,
};
use crate::recognize::Action;
use crate::span::{OffsetMap, Segment, Span};

/// A read-only walk over a script. Override the methods you care about and call the
/// matching `walk_*` function to keep descending.
pub trait Visit<'a> {
    /// A list (the script body, a compound body, a substitution body).
    fn visit_list(&mut self, list: &'a CommandList) {
        walk_list(self, list);
    }
    /// A pipeline.
    fn visit_pipeline(&mut self, pipeline: &'a Pipeline) {
        walk_pipeline(self, pipeline);
    }
    /// Any command.
    fn visit_command(&mut self, command: &'a Command) {
        walk_command(self, command);
    }
    /// A simple command.
    fn visit_simple_command(&mut self, command: &'a SimpleCommand) {
        walk_simple_command(self, command);
    }
    /// A word (arguments, assignment values, redirection targets, loop items, patterns).
    fn visit_word(&mut self, word: &'a Word) {
        walk_word(self, word);
    }
    /// The script run by `sh -c`, `bash -c`, `su -c` or `eval`.
    fn visit_nested_script(&mut self, script: &'a Script) {
        self.visit_list(&script.body);
    }
}

/// Visits each item's pipelines.
pub fn walk_list<'a, V: Visit<'a> + ?Sized>(v: &mut V, list: &'a CommandList) {
    for item in &list.items {
        for pipeline in &item.and_or.pipelines {
            v.visit_pipeline(pipeline);
        }
    }
}

/// Visits the pipeline's commands.
pub fn walk_pipeline<'a, V: Visit<'a> + ?Sized>(v: &mut V, pipeline: &'a Pipeline) {
    for command in &pipeline.commands {
        v.visit_command(command);
    }
}

/// Visits what a command contains.
pub fn walk_command<'a, V: Visit<'a> + ?Sized>(v: &mut V, command: &'a Command) {
    match command {
        Command::Simple(c) => v.visit_simple_command(c),
        Command::Compound(c) => {
            match &c.kind {
                CompoundKind::BraceGroup { body } | CompoundKind::Subshell { body } => {
                    v.visit_list(body);
                }
                CompoundKind::If {
                    branches,
                    else_body,
                } => {
                    for branch in branches {
                        v.visit_list(&branch.condition);
                        v.visit_list(&branch.body);
                    }
                    if let Some(body) = else_body {
                        v.visit_list(body);
                    }
                }
                CompoundKind::While { condition, body }
                | CompoundKind::Until { condition, body } => {
                    v.visit_list(condition);
                    v.visit_list(body);
                }
                CompoundKind::For {
                    variable,
                    items,
                    body,
                    ..
                } => {
                    v.visit_word(variable);
                    for w in items.iter().flatten() {
                        v.visit_word(w);
                    }
                    v.visit_list(body);
                }
                CompoundKind::ArithmeticFor { body, .. } => v.visit_list(body),
                CompoundKind::Case { subject, arms } => {
                    v.visit_word(subject);
                    for arm in arms {
                        for p in &arm.patterns {
                            v.visit_word(p);
                        }
                        v.visit_list(&arm.body);
                    }
                }
                CompoundKind::Conditional { words } => {
                    for w in words {
                        v.visit_word(w);
                    }
                }
                CompoundKind::Arithmetic { .. } => {}
            }
            for r in &c.redirections {
                v.visit_word(&r.target);
            }
        }
        Command::Function(f) => v.visit_command(&f.body),
    }
}

/// Visits assignment values, words, redirection targets, then a nested shell's script.
pub fn walk_simple_command<'a, V: Visit<'a> + ?Sized>(v: &mut V, command: &'a SimpleCommand) {
    for a in &command.assignments {
        match &a.value {
            AssignmentValue::Scalar(w) => v.visit_word(w),
            AssignmentValue::Array(ws) => {
                for w in ws {
                    v.visit_word(w);
                }
            }
        }
    }
    for w in &command.words {
        v.visit_word(w);
    }
    for r in &command.redirections {
        v.visit_word(&r.target);
    }
    if let Action::Shell(shell) = &command.action
        && let Some(script) = &shell.script
    {
        v.visit_nested_script(script);
    }
}

/// Visits the bodies of command and process substitutions in the word.
pub fn walk_word<'a, V: Visit<'a> + ?Sized>(v: &mut V, word: &'a Word) {
    for e in &word.expansions {
        if let Some(body) = e.kind.body() {
            v.visit_list(body);
        }
    }
}

/// Mutable walk over the syntax (not over recognised actions), for passes run while parsing.
pub(crate) trait VisitMut {
    fn visit_script(&mut self, script: &mut Script) {
        self.visit_span(&mut script.span);
        for e in &mut script.errors {
            self.visit_span(&mut e.span);
        }
        self.visit_list(&mut script.body);
    }
    fn visit_list(&mut self, list: &mut CommandList) {
        for item in &mut list.items {
            self.visit_span(&mut item.and_or.span);
            for p in &mut item.and_or.pipelines {
                self.visit_pipeline(p);
            }
        }
    }
    fn visit_pipeline(&mut self, pipeline: &mut Pipeline) {
        self.visit_span(&mut pipeline.span);
        for c in &mut pipeline.commands {
            self.visit_command(c);
        }
    }
    fn visit_command(&mut self, command: &mut Command) {
        walk_command_mut(self, command);
    }
    fn visit_redirection(&mut self, redirection: &mut Redirection) {
        walk_redirection_mut(self, redirection);
    }
    fn visit_word(&mut self, word: &mut Word) {
        walk_word_mut(self, word);
    }
    fn visit_span(&mut self, _span: &mut Span) {}
    fn visit_segments(&mut self, _segments: &mut Vec<Segment>) {}
}

pub(crate) fn walk_command_mut<V: VisitMut + ?Sized>(v: &mut V, command: &mut Command) {
    match command {
        Command::Simple(c) => {
            v.visit_span(&mut c.span);
            for a in &mut c.assignments {
                walk_assignment_mut(v, a);
            }
            for w in &mut c.words {
                v.visit_word(w);
            }
            for r in &mut c.redirections {
                v.visit_redirection(r);
            }
        }
        Command::Compound(c) => {
            v.visit_span(&mut c.span);
            match &mut c.kind {
                CompoundKind::BraceGroup { body } | CompoundKind::Subshell { body } => {
                    v.visit_list(body);
                }
                CompoundKind::If {
                    branches,
                    else_body,
                } => {
                    for branch in branches {
                        v.visit_list(&mut branch.condition);
                        v.visit_list(&mut branch.body);
                    }
                    if let Some(body) = else_body {
                        v.visit_list(body);
                    }
                }
                CompoundKind::While { condition, body }
                | CompoundKind::Until { condition, body } => {
                    v.visit_list(condition);
                    v.visit_list(body);
                }
                CompoundKind::For {
                    variable,
                    items,
                    body,
                    ..
                } => {
                    v.visit_word(variable);
                    for w in items.iter_mut().flatten() {
                        v.visit_word(w);
                    }
                    v.visit_list(body);
                }
                CompoundKind::ArithmeticFor { body, .. } => v.visit_list(body),
                CompoundKind::Case { subject, arms } => {
                    v.visit_word(subject);
                    for arm in arms {
                        for p in &mut arm.patterns {
                            v.visit_word(p);
                        }
                        v.visit_list(&mut arm.body);
                    }
                }
                CompoundKind::Conditional { words } => {
                    for w in words {
                        v.visit_word(w);
                    }
                }
                CompoundKind::Arithmetic { .. } => {}
            }
            for r in &mut c.redirections {
                v.visit_redirection(r);
            }
        }
        Command::Function(f) => {
            v.visit_span(&mut f.span);
            v.visit_command(&mut f.body);
        }
    }
}

fn walk_assignment_mut<V: VisitMut + ?Sized>(v: &mut V, a: &mut Assignment) {
    v.visit_span(&mut a.span);
    match &mut a.value {
        AssignmentValue::Scalar(w) => v.visit_word(w),
        AssignmentValue::Array(ws) => {
            for w in ws {
                v.visit_word(w);
            }
        }
    }
}

pub(crate) fn walk_redirection_mut<V: VisitMut + ?Sized>(v: &mut V, r: &mut Redirection) {
    v.visit_span(&mut r.span);
    v.visit_word(&mut r.target);
    if let Some(doc) = &mut r.heredoc {
        v.visit_span(&mut doc.body_span);
        v.visit_segments(&mut doc.text_map);
    }
}

pub(crate) fn walk_word_mut<V: VisitMut + ?Sized>(v: &mut V, word: &mut Word) {
    v.visit_span(&mut word.span);
    for e in &mut word.expansions {
        walk_expansion_mut(v, e);
    }
}

fn walk_expansion_mut<V: VisitMut + ?Sized>(v: &mut V, e: &mut Expansion) {
    v.visit_span(&mut e.span);
    use crate::ast::ExpansionKind;
    match &mut e.kind {
        ExpansionKind::Command { body }
        | ExpansionKind::Backquote { body }
        | ExpansionKind::Process { body } => v.visit_list(body),
        ExpansionKind::Parameter { .. } | ExpansionKind::Arithmetic | ExpansionKind::Tilde => {}
    }
}

/// Moves every span of a script parsed from a derived text (a backquote body, the string of
/// `sh -c`) to the coordinates of the text it was derived from.
pub(crate) struct RemapSpans {
    map: OffsetMap,
}

impl RemapSpans {
    pub(crate) fn new(segments: Vec<Segment>) -> Self {
        Self {
            map: OffsetMap::from_segments(segments),
        }
    }
}

impl VisitMut for RemapSpans {
    fn visit_span(&mut self, span: &mut Span) {
        *span = self.map.map_span(*span);
    }

    fn visit_word(&mut self, word: &mut Word) {
        self.visit_segments(&mut word.text_map);
        walk_word_mut(self, word);
    }

    fn visit_segments(&mut self, segments: &mut Vec<Segment>) {
        *segments = remap_segments(segments, &self.map);
    }
}

/// Re-expresses segments whose sources are in a derived text in terms of the original.
fn remap_segments(segments: &[Segment], map: &OffsetMap) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::with_capacity(segments.len());
    let outer = map.segments();
    for seg in segments {
        let mut text = seg.text;
        let mut source = seg.source;
        let mut remaining = seg.len;
        while remaining > 0 {
            let idx = outer.partition_point(|o| o.text <= source);
            let (mapped, take) = match idx.checked_sub(1).map(|i| outer[i]) {
                Some(o) if source - o.text < o.len => {
                    let within = source - o.text;
                    (o.source + within, remaining.min(o.len - within))
                }
                _ => (map.file_offset(source), remaining),
            };
            push_segment(
                &mut out,
                Segment {
                    text,
                    source: mapped,
                    len: take,
                },
            );
            text += take;
            source += take;
            remaining -= take;
        }
    }
    out
}

fn push_segment(out: &mut Vec<Segment>, seg: Segment) {
    if let Some(last) = out.last_mut()
        && last.text + last.len == seg.text
        && last.source + last.len == seg.source
    {
        last.len += seg.len;
        return;
    }
    out.push(seg);
}
