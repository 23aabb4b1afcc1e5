//! dockwright's lint rules: the registry of rules with stable codes, the diagnostics they
//! report, the fixes they offer (text edits with safe/unsafe applicability), and suppression.

pub mod diagnostic;

pub use diagnostic::{
    Applicability, Category, Diagnostic, Edit, Equivalents, Fix, Location, Severity, Threshold,
};

pub mod info;

pub use info::RuleInfo;
