//! What the registry knows about a rule: the metadata shown by `dockwright rules`,
//! `dockwright explain`, SARIF's rule table and the docs.

use serde::Serialize;

use crate::diagnostic::{Applicability, Category, Severity};

/// Where each rule's documentation is published; `{code}` is replaced by the rule's code.
pub const DOCS_URL: &str =
    "https://github.com/dockwright/dockwright/blob/main/docs/rules.md#{code}";

/// A rule's identity and documentation.
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    /// Stable code, e.g. `DW2001`.
    pub code: &'static str,
    /// Stable kebab-case name, e.g. `apt-no-install-recommends`.
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// One line: what the rule flags.
    pub summary: &'static str,
    /// The full documentation in Markdown (the rule's doc comment).
    pub doc: &'static str,
    /// The hadolint rule with the same intent.
    pub hadolint: Option<&'static str>,
    /// The BuildKit build check with the same intent.
    pub buildkit: Option<&'static str>,
    /// The best fix the rule can offer, if any.
    pub fix: Option<Applicability>,
    /// Off unless selected (as hadolint's `ignore`-level rules).
    pub opt_in: bool,
}

impl RuleInfo {
    /// The documentation URL for this rule.
    pub fn url(&self) -> String {
        DOCS_URL.replace("{code}", &self.code.to_ascii_lowercase())
    }
}
