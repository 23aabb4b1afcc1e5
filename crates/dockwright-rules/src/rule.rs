//! What a rule is: metadata ([`RuleInfo`], written once in [`declare_rule!`] with the doc
//! comment as its documentation) plus a check ([`Check`]) that reads a file through a
//! [`Checker`] and reports diagnostics.

use crate::checker::Checker;
use crate::info::RuleInfo;

/// A lint rule, as the registry holds it. Implemented for every type that
/// [`declare_rule!`] declares and that implements [`Check`].
pub trait Rule: Send + Sync + 'static {
    /// The rule's code, name, category, severity, equivalents and documentation.
    fn info(&self) -> &'static RuleInfo;

    /// Reports the rule's findings in one file.
    fn check(&self, checker: &mut Checker<'_>);
}

/// The check of a rule: read the file, the model and the settings through `checker`,
/// report with [`Checker::report`].
pub trait Check {
    /// Reports the rule's findings in one file.
    fn check(checker: &mut Checker<'_>);
}

/// Metadata [`declare_rule!`] attaches to a rule type.
pub trait Declared {
    /// The rule's metadata.
    const INFO: RuleInfo;
}

impl<T: Declared + Check + Send + Sync + 'static> Rule for T {
    fn info(&self) -> &'static RuleInfo {
        // `T::INFO` is a constant, so a reference to it is promoted to `'static`.
        &const { T::INFO }
    }

    fn check(&self, checker: &mut Checker<'_>) {
        <T as Check>::check(checker);
    }
}

/// Length of `raw` once [`strip_doc`] has removed the space rustdoc leaves at the start of
/// every doc-comment line.
pub const fn stripped_len(raw: &str) -> usize {
    let bytes = raw.as_bytes();
    let mut len = 0;
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        if !(line_start && bytes[i] == b' ') {
            len += 1;
        }
        line_start = bytes[i] == b'\n';
        i += 1;
    }
    len
}

/// `raw` (doc-comment lines joined with `\n`) without the one leading space of each line.
pub const fn strip_doc<const N: usize>(raw: &str) -> [u8; N] {
    let bytes = raw.as_bytes();
    let mut out = [0u8; N];
    let mut o = 0;
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        if !(line_start && bytes[i] == b' ') {
            out[o] = bytes[i];
            o += 1;
        }
        line_start = bytes[i] == b'\n';
        i += 1;
    }
    out
}

/// Length of the summary: the first paragraph of stripped doc bytes (up to the first blank
/// line), so a summary may wrap over several doc lines.
pub const fn summary_len(doc: &[u8]) -> usize {
    let mut i = 0;
    while i < doc.len() {
        if doc[i] == b'\n' && (i + 1 >= doc.len() || doc[i + 1] == b'\n') {
            return i;
        }
        i += 1;
    }
    doc.len()
}

/// The first `N` bytes of stripped doc bytes with the line breaks of a wrapped summary turned
/// into spaces.
pub const fn summary_bytes<const N: usize>(doc: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = if doc[i] == b'\n' { b' ' } else { doc[i] };
        i += 1;
    }
    out
}

/// Turns stripped doc bytes back into text; the bytes came from a `&str` with only ASCII
/// spaces removed, so they are always UTF-8.
pub const fn doc_text(bytes: &'static [u8]) -> &'static str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => panic!("rule documentation is not UTF-8"),
    }
}

/// Declares a rule: a unit struct whose doc comment is the rule's documentation, with its
/// metadata. The first doc paragraph is the summary (it may wrap over several lines); the
/// rest is Markdown shown by `dockwright explain`. Fields come in this order; those marked
/// optional may be left out:
///
/// ```ignore
/// declare_rule! {
///     /// Flags `WORKDIR` with a relative path.
///     ///
///     /// ## Why
///     /// ...
///     pub struct WorkdirRelativePath {
///         code: "DW1001",
///         name: "workdir-relative-path",
///         category: Correctness,          // Size, Cache, Security, Correctness, Reproducibility, Style
///         severity: Error,                // Error, Warning, Info, Style
///         hadolint: "DL3000",             // optional
///         buildkit: "WorkdirRelativePath",// optional
///         fix: Safe,                      // optional: Safe or Unsafe, the best fix it offers
///         opt_in: true,                   // optional: off unless selected by code
///     }
/// }
/// ```
///
/// It also defines `RULE`, the registry's handle on the rule, so a file declares one rule.
#[macro_export]
macro_rules! declare_rule {
    (
        #[doc = $summary:literal]
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            code: $code:literal,
            name: $rule_name:literal,
            category: $category:ident,
            severity: $severity:ident,
            $(hadolint: $hadolint:literal,)?
            $(buildkit: $buildkit:literal,)?
            $(fix: $fix:ident,)?
            $(opt_in: $opt_in:literal,)?
        }
    ) => {
        #[doc = $summary]
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $crate::rule::Declared for $name {
            const INFO: $crate::RuleInfo = {
                const RAW: &str = concat!($summary, "\n", $($doc, "\n",)*);
                const LEN: usize = $crate::rule::stripped_len(RAW);
                const DOC: [u8; LEN] = $crate::rule::strip_doc::<LEN>(RAW);
                const SUMMARY_LEN: usize = $crate::rule::summary_len(&DOC);
                const SUMMARY: [u8; SUMMARY_LEN] =
                    $crate::rule::summary_bytes::<SUMMARY_LEN>(&DOC);
                $crate::RuleInfo {
                    code: $code,
                    name: $rule_name,
                    category: $crate::Category::$category,
                    severity: $crate::Severity::$severity,
                    summary: $crate::rule::doc_text(&SUMMARY).trim_ascii(),
                    doc: $crate::rule::doc_text(&DOC),
                    hadolint: $crate::__optional!($($hadolint)?),
                    buildkit: $crate::__optional!($($buildkit)?),
                    fix: $crate::__optional!($($crate::Applicability::$fix)?),
                    opt_in: $crate::__or_false!($($opt_in)?),
                }
            };
        }

        /// The registry's handle on this file's rule.
        pub(crate) const RULE: &dyn $crate::rule::Rule = &$name;
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __optional {
    () => {
        None
    };
    ($value:expr) => {
        Some($value)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __or_false {
    () => {
        false
    };
    ($value:expr) => {
        $value
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_one_leading_space_per_line() {
        const RAW: &str = " Summary.\n\n ## Why\n   indented\n";
        const LEN: usize = stripped_len(RAW);
        const DOC: [u8; LEN] = strip_doc::<LEN>(RAW);
        assert_eq!(doc_text(&DOC), "Summary.\n\n## Why\n  indented\n");
    }
}
