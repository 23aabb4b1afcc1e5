//! What a rule sees while it checks one file: the text, the parsed Dockerfile, the model,
//! the settings, and the way to report.

use dockwright_model::dockwright_shell::{self, PackageCommand, SimpleCommand};
use dockwright_model::{InstructionFacts, Model, RunFacts, RunScript, Stage};
use dockwright_syntax::{Dockerfile, Instruction, InstructionKind, Position, Span};

use crate::build_context::{ContextFacts, LazyContext};
use crate::diagnostic::{Diagnostic, Equivalents};
use crate::info::RuleInfo;
use crate::settings::Settings;
use crate::suppression::Pragmas;

/// The file being linted, as a rule sees it. One checker per rule per file; reports go to
/// the rule's list of diagnostics, and the engine then applies suppressions and severity
/// overrides.
pub struct Checker<'a> {
    path: &'a str,
    source: &'a str,
    doc: &'a Dockerfile<'a>,
    model: &'a Model,
    settings: &'a Settings,
    pragmas: &'a Pragmas,
    rule: &'static RuleInfo,
    diagnostics: &'a mut Vec<Diagnostic>,
    context: &'a LazyContext<'a>,
}

/// An instruction with its facts from the model.
#[derive(Clone, Copy)]
pub struct Inst<'a> {
    /// Index in the Dockerfile's instructions.
    pub index: usize,
    /// The instruction as parsed.
    pub syntax: &'a Instruction<'a>,
    /// What the model knows about it.
    pub facts: &'a InstructionFacts,
}

impl<'a> Inst<'a> {
    /// The instruction kind.
    pub fn kind(&self) -> InstructionKind {
        self.syntax.kind()
    }

    /// The instruction's stage index (`None` before the first `FROM`).
    pub fn stage(&self) -> Option<usize> {
        self.facts.stage
    }

    /// The RUN facts (RUN, or ONBUILD RUN).
    pub fn run(&self) -> Option<&'a RunFacts> {
        self.facts.run.as_ref()
    }

    /// The span of the keyword through the end of the first line: where hadolint-style
    /// findings about the whole instruction are shown.
    pub fn head_span(&self) -> Span {
        instruction_head(self.syntax)
    }
}

/// One simple command of a RUN script, with where it is.
#[derive(Clone, Copy)]
pub struct ScriptCommand<'a> {
    /// The RUN (or ONBUILD RUN).
    pub inst: Inst<'a>,
    /// The RUN's facts.
    pub run: &'a RunFacts,
    /// The script the command is in.
    pub script: &'a RunScript,
    /// The command.
    pub command: &'a SimpleCommand,
}

impl ScriptCommand<'_> {
    /// The command's span in the file.
    pub fn span(&self) -> Span {
        self.script.span_in_file(self.command.span)
    }

    /// A span of the script (a word, an option) in the file.
    pub fn file_span(&self, span: dockwright_shell::Span) -> Span {
        self.script.span_in_file(span)
    }
}

/// The keyword through the end of the instruction's first line (continuation excluded).
pub fn instruction_head(instruction: &Instruction<'_>) -> Span {
    let keyword = instruction.keyword().span;
    let end = instruction
        .lines()
        .first()
        .map_or(keyword.end, |line| line.content.end.max(keyword.end));
    Span::new(keyword.start, end)
}

impl<'a> Checker<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        path: &'a str,
        source: &'a str,
        doc: &'a Dockerfile<'a>,
        model: &'a Model,
        settings: &'a Settings,
        pragmas: &'a Pragmas,
        rule: &'static RuleInfo,
        diagnostics: &'a mut Vec<Diagnostic>,
        context: &'a LazyContext<'a>,
    ) -> Self {
        Checker {
            path,
            source,
            doc,
            model,
            settings,
            pragmas,
            rule,
            diagnostics,
            context,
        }
    }

    /// The build context and the Dockerfile's copies resolved against it, when the file is
    /// linted with one (see [`crate::build_context`]); `None` otherwise, and a rule that
    /// needs the context then reports nothing. The context is walked on the first call.
    pub fn context(&self) -> Option<&'a ContextFacts> {
        self.context.get()
    }

    /// The file's text.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The file's path as the user named it.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The parsed Dockerfile.
    pub fn doc(&self) -> &'a Dockerfile<'a> {
        self.doc
    }

    /// The model: stages, graph, environments, RUN facts.
    pub fn model(&self) -> &'a Model {
        self.model
    }

    /// The settings (trusted registries, label schema, ...).
    pub fn settings(&self) -> &'a Settings {
        self.settings
    }

    /// Pragmas in the file (`# hadolint shell=...` and the rest).
    pub fn pragmas(&self) -> &'a Pragmas {
        self.pragmas
    }

    /// The rule being checked.
    pub fn rule(&self) -> &'static RuleInfo {
        self.rule
    }

    /// The text of a span of the file.
    pub fn text(&self, span: Span) -> &'a str {
        self.source.get(span.start..span.end).unwrap_or("")
    }

    /// Line and column of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        self.doc.position(offset)
    }

    /// Every instruction with its facts, in file order.
    pub fn instructions(&self) -> impl Iterator<Item = Inst<'a>> + 'a {
        let model = self.model;
        self.doc
            .instructions()
            .iter()
            .enumerate()
            .filter_map(move |(index, syntax)| {
                model.instructions.get(index).map(|facts| Inst {
                    index,
                    syntax,
                    facts,
                })
            })
    }

    /// The instructions of one kind (ONBUILD triggers are not included: see
    /// [`Checker::runs`] for ONBUILD RUN).
    pub fn instructions_of(&self, kind: InstructionKind) -> impl Iterator<Item = Inst<'a>> + 'a {
        self.instructions().filter(move |i| i.kind() == kind)
    }

    /// Instruction `index` with its facts.
    pub fn instruction(&self, index: usize) -> Option<Inst<'a>> {
        Some(Inst {
            index,
            syntax: self.doc.instructions().get(index)?,
            facts: self.model.instructions.get(index)?,
        })
    }

    /// Every RUN and ONBUILD RUN with its facts (check [`InstructionFacts::onbuild`]).
    pub fn runs(&self) -> impl Iterator<Item = (Inst<'a>, &'a RunFacts)> + 'a {
        self.instructions()
            .filter_map(|inst| inst.facts.run.as_ref().map(|run| (inst, run)))
    }

    /// Every shell script of every RUN, with the instruction and RUN facts.
    pub fn scripts(&self) -> impl Iterator<Item = (Inst<'a>, &'a RunFacts, &'a RunScript)> + 'a {
        self.runs()
            .flat_map(|(inst, run)| run.scripts.iter().map(move |s| (inst, run, s)))
    }

    /// Every simple command of every RUN script (nested `sh -c` commands included), in
    /// file order.
    pub fn commands(&self) -> impl Iterator<Item = ScriptCommand<'a>> + 'a {
        self.scripts().flat_map(|(inst, run, script)| {
            script
                .commands()
                .into_iter()
                .map(move |command| ScriptCommand {
                    inst,
                    run,
                    script,
                    command,
                })
        })
    }

    /// Every package manager command of every RUN script.
    pub fn package_commands(
        &self,
    ) -> impl Iterator<Item = (ScriptCommand<'a>, &'a PackageCommand)> + 'a {
        self.commands()
            .filter_map(|c| c.command.action.as_package().map(|p| (c, p)))
    }

    /// Whether `stage`'s layers end up in the image the build produces (it is the target
    /// or a stage the target is built on).
    pub fn in_final_image(&self, stage: usize) -> bool {
        self.model.in_final_image(stage)
    }

    /// The stages.
    pub fn stages(&self) -> &'a [Stage] {
        &self.model.stages
    }

    /// Whether `stage` becomes the image (the target stage).
    pub fn is_final(&self, stage: usize) -> bool {
        self.model.is_final(stage)
    }

    /// Reports a finding of the current rule at `span`, with the rule's severity. Returns
    /// the diagnostic so a fix or evidence can be attached:
    ///
    /// ```ignore
    /// checker.report(span, "message").set_fix(Fix::safe("do this", vec![edit]));
    /// ```
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let diagnostic = make_diagnostic(self.path, self.doc, self.rule, span, message.into());
        self.diagnostics.push(diagnostic);
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    /// Reports a finding about a whole instruction, shown at its first line (where hadolint
    /// reports).
    pub fn report_instruction(
        &mut self,
        instruction: &Inst<'_>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.report(instruction.head_span(), message)
    }

    /// Reports at a byte range of a RUN script.
    pub fn report_in_script(
        &mut self,
        script: &RunScript,
        range: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let span = script.file_span(range.start, range.end);
        self.report(span, message)
    }
}

/// A diagnostic of `rule` at `span` of the file.
pub(crate) fn make_diagnostic(
    path: &str,
    doc: &Dockerfile<'_>,
    rule: &RuleInfo,
    span: Span,
    message: String,
) -> Diagnostic {
    let start = doc.position(span.start);
    let end = doc.position(span.end);
    Diagnostic {
        file: path.to_string(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        start: span.start,
        end: span.end,
        code: rule.code.to_string(),
        name: rule.name.to_string(),
        category: rule.category,
        severity: rule.severity,
        message,
        equivalents: Equivalents {
            hadolint: rule.hadolint.map(str::to_string),
            buildkit: rule.buildkit.map(str::to_string),
        },
        fix: None,
        evidence: Vec::new(),
    }
}
