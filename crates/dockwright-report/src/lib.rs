//! dockwright's output formats. Every function here turns a finished result into text; none
//! of them computes a finding.

pub mod lint;

pub use lint::{FileResult, LintFormat, LintReport, RenderOptions, render_lint};
