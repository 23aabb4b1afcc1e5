//! The words of an instruction that BuildKit expands (outside RUN scripts) and what a
//! stage knows about its variables, for the variable checks.

use dockwright_model::{Model, StageBase};
use dockwright_syntax::{CopySource, InstructionKind, Word};

use crate::checker::Inst;

/// The words BuildKit expands in an instruction (with their spans; a flag's word spans the
/// whole flag).
pub(crate) fn checked_words<'a>(inst: &Inst<'a>) -> Vec<Word<'a>> {
    let syntax = inst.syntax;
    let mut words = Vec::new();
    match inst.kind() {
        InstructionKind::Env | InstructionKind::Label => {
            for pair in syntax.as_key_values().unwrap_or_default() {
                words.push(pair.key);
                words.push(pair.value);
            }
        }
        InstructionKind::Copy | InstructionKind::Add => {
            if let Some(copy) = syntax.as_copy() {
                for source in copy.sources {
                    if let CopySource::Path(word) = source {
                        words.push(word);
                    }
                }
                words.extend(copy.destination);
                words.extend(copy.from);
                words.extend(copy.chown);
                words.extend(copy.chmod);
                words.extend(copy.exclude);
                words.extend(copy.checksum);
            }
        }
        InstructionKind::Workdir | InstructionKind::User | InstructionKind::Stopsignal => {
            words.extend(syntax.as_value());
        }
        InstructionKind::Volume => words.extend(syntax.as_volume().unwrap_or_default()),
        InstructionKind::Expose => words.extend(
            syntax
                .as_expose()
                .unwrap_or_default()
                .into_iter()
                .map(|p| p.word),
        ),
        InstructionKind::Arg => {
            // One entry per declaration keeps the index matching the names.
            for decl in syntax.as_arg().unwrap_or_default() {
                words.push(decl.default.unwrap_or(Word {
                    text: "".into(),
                    span: decl.name.span,
                }));
            }
        }
        _ => {}
    }
    words
}

/// Whether every variable a stage starts with is known: it is built on `scratch`, or on
/// stages that are.
pub(crate) fn base_env_known(model: &Model, stage: usize) -> bool {
    let mut current = model.stages.get(stage);
    let mut steps = 0;
    while let Some(s) = current {
        match s.base {
            StageBase::Scratch => return true,
            StageBase::Image(_) => return false,
            StageBase::Stage(b) => current = model.stages.get(b),
        }
        steps += 1;
        if steps > model.stages.len() {
            return false;
        }
    }
    false
}

/// ARGs declared before instruction `index` in its stage and in the stages it is built on.
pub(crate) fn declared_args(model: &Model, stage: usize, index: usize) -> Vec<String> {
    let mut names = Vec::new();
    let mut current = model.stages.get(stage);
    let mut steps = 0;
    while let Some(s) = current {
        names.extend(
            s.args_declared
                .iter()
                .filter(|a| a.instruction < index)
                .map(|a| a.resolved.name.clone()),
        );
        current = s.base_stage().and_then(|b| model.stages.get(b));
        steps += 1;
        if steps > model.stages.len() {
            break;
        }
    }
    names
}

/// Why a variable that is undefined at an instruction was probably meant to be an ARG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MisplacedArg {
    /// The stage declares the ARG, but at this later instruction.
    DeclaredLater(usize),
    /// Only a global ARG (before the first `FROM`) has the name, and stages do not see
    /// global ARGs unless they declare them again.
    GlobalOnly(usize),
    /// One of BuildKit's automatic platform ARGs (`TARGETARCH`, ...), which live in the
    /// global scope: a stage sees them only after `ARG NAME`.
    Automatic,
}

/// BuildKit's automatic ARGs, set in the global scope only.
pub(crate) const AUTOMATIC_ARGS: [&str; 11] = [
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

/// Whether `name`, undefined at instruction `index` of `stage`, is an ARG declared later in
/// the stage, only globally, or an automatic platform ARG.
pub(crate) fn misplaced_arg(
    model: &Model,
    stage: usize,
    index: usize,
    name: &str,
) -> Option<MisplacedArg> {
    let own = model.stages.get(stage)?;
    if let Some(later) = own
        .args_declared
        .iter()
        .find(|a| a.instruction > index && a.resolved.name == name)
    {
        return Some(MisplacedArg::DeclaredLater(later.instruction));
    }
    if let Some(global) = model.global_args.iter().find(|a| a.resolved.name == name) {
        return Some(MisplacedArg::GlobalOnly(global.instruction));
    }
    AUTOMATIC_ARGS
        .contains(&name)
        .then_some(MisplacedArg::Automatic)
}
