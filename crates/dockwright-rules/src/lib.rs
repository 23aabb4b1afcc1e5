//! dockwright's lint rules: the registry of rules with stable codes, the engine that runs
//! them over a parsed Dockerfile and its model, the diagnostics they report, the fixes they
//! offer (text edits with safe/unsafe applicability), suppression (inline pragmas, BuildKit's
//! `check` directive) and configuration (`.dockwright.toml`, `.hadolint.yaml`).
//!
//! ```
//! use dockwright_rules::{Linter, Settings};
//!
//! let linter = Linter::new(Settings::default()).with_shellcheck(false);
//! let report = linter.lint("Dockerfile", "FROM ubuntu\nWORKDIR app\n");
//! let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
//! assert!(codes.contains(&"DW1001")); // relative WORKDIR (hadolint DL3000)
//! ```
//!
//! See `README.md` in this crate for how to add a rule.

pub mod build_context;
pub mod checker;
pub mod config;
pub mod diagnostic;
mod expanded_words;
pub mod fix;
mod global_scope;
mod hadolint_scope;
pub mod info;
pub mod lint;
pub mod registry;
pub mod rule;
mod rules;
pub mod settings;
pub mod shellcheck;
pub mod suppression;

pub use build_context::{BuildContext, ContextCache, ContextFacts, ContextMode, ContextRequest};
pub use checker::{Checker, Inst, ScriptCommand};
pub use diagnostic::{
    Applicability, Category, Diagnostic, Edit, Equivalents, Fix, Location, Severity, Threshold,
};
pub use fix::{FixMode, FixOutcome, apply_fixes, write_atomic};
pub use info::RuleInfo;
pub use lint::{FileReport, LintInput, Linter, PARSE_ERROR};
pub use rule::{Check, Rule};
pub use settings::{Options, Settings, SettingsError};

/// What a rule file needs: `use crate::prelude::*;`.
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use crate::checker::{Checker, Inst, ScriptCommand, instruction_head};
    pub use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
    pub(crate) use crate::hadolint_scope::{hadolint_if, hadolint_sees, is_nested};
    pub use crate::rule::Check;
    pub use dockwright_model::dockwright_shell::{
        Action, CacheLocation, PackageArgKind, PackageCommand, PackageFlagKind, PackageManager,
        PackageOperation, SimpleCommand,
    };
    pub use dockwright_model::{
        BaseImage, DependencyKind, DependencySource, Model, RunFacts, RunScript, ScriptOrigin,
        ShellKind, Stage, StageBase,
    };
    pub use dockwright_syntax::mount::MountType;
    pub use dockwright_syntax::{CommandForm, CopySource, InstructionKind, Span, Word};
}
