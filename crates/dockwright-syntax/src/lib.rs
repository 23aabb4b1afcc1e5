//! Lossless Dockerfile parser that agrees with BuildKit: a concrete syntax tree with byte
//! spans, parser directives, heredocs, BuildKit word expansion, and a printer that gives back
//! the input byte for byte.
//!
//! ```
//! let doc = dockwright_syntax::parse("FROM alpine AS base\nRUN echo hi \\\n  && echo there\n")?;
//! let run = doc.instructions()[1].as_run().unwrap();
//! let dockwright_syntax::CommandForm::Shell(script) = run.form else { unreachable!() };
//! assert_eq!(script.text, "echo hi   && echo there");
//! assert_eq!(doc.print(), doc.source());
//! # Ok::<(), dockwright_syntax::ParseError>(())
//! ```

mod command;
mod dump;
mod error;
mod gotext;
mod heredoc;
mod json;
pub mod mount;
mod parser;
mod span;
mod syntax_tree;
mod tree;
mod typed;

pub use command::InstructionKind;
pub use dump::{buildkit_dump, line_table};
pub use error::ParseError;
pub use parser::{parse, parse_bytes};
pub use span::{LineIndex, OffsetMap, Position, Segment, Span};
pub use syntax_tree::{
    CommandNode, DirectiveNode, FlagNode, HeredocNode, InstructionNode, ItemNode, LineNode,
    Located, SyntaxTree, TextNode,
};
pub use tree::{
    BOM, CommandRef, Directive, DirectiveKind, Dockerfile, Flag, Heredoc, Instruction, Item, Line,
    LineKind, Warning,
};
pub use typed::{
    ArgDecl, CommandForm, Copy, CopySource, ExposedPort, From, Healthcheck, KeyValue, MountFlag,
    Run, ShellScript, Word,
};

pub mod expand;
pub mod scope;
