//! Lossless Dockerfile parser that agrees with BuildKit: a concrete syntax tree with byte
//! spans, parser directives, heredocs, BuildKit word expansion, and a printer that gives back
//! the input byte for byte.

pub mod expand;
pub mod scope;
