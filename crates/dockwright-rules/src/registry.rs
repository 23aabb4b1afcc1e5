//! Every rule, and lookups by code, name or another tool's code.

use crate::info::RuleInfo;
use crate::rule::Rule;

include!(concat!(env!("OUT_DIR"), "/registry.rs"));

/// BuildKit's build check names (`frontend/dockerfile/linter/ruleset.go`), accepted
/// wherever a code is, whether or not a dockwright rule has the same intent yet.
pub const BUILDKIT_CHECKS: [&str; 22] = [
    "StageNameCasing",
    "FromAsCasing",
    "NoEmptyContinuation",
    "ConsistentInstructionCasing",
    "DuplicateStageName",
    "ReservedStageName",
    "JSONArgsRecommended",
    "MaintainerDeprecated",
    "UndefinedArgInFrom",
    "WorkdirRelativePath",
    "UndefinedVar",
    "MultipleInstructionsDisallowed",
    "LegacyKeyValueFormat",
    "InvalidBaseImagePlatform",
    "RedundantTargetPlatform",
    "SecretsUsedInArgOrEnv",
    "InvalidDefaultArgInFrom",
    "FromPlatformFlagConstDisallowed",
    "CopyIgnoredFile",
    "InvalidDefinitionDescription",
    "ExposeProtoCasing",
    "ExposeInvalidFormat",
];

/// Every rule, sorted by code.
pub fn rules() -> &'static [&'static dyn Rule] {
    RULES
}

/// Every rule's metadata, sorted by code.
pub fn infos() -> impl Iterator<Item = &'static RuleInfo> {
    RULES.iter().map(|r| r.info())
}

/// The rules `code` names: a dockwright code or name, a hadolint DL code, or a BuildKit
/// check name (several rules may share another tool's code). Case-insensitive.
pub fn lookup(code: &str) -> Vec<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .filter(|r| {
            let i = r.info();
            i.code.eq_ignore_ascii_case(code)
                || i.name.eq_ignore_ascii_case(code)
                || i.hadolint.is_some_and(|h| h.eq_ignore_ascii_case(code))
                || i.buildkit.is_some_and(|b| b.eq_ignore_ascii_case(code))
        })
        .collect()
}

/// Whether `code` looks like a hadolint rule code (`DL3008`).
pub fn is_hadolint_code(code: &str) -> bool {
    is_prefixed_number(code, "DL")
}

/// Whether `code` is a ShellCheck code (`SC2086`).
pub fn is_shellcheck_code(code: &str) -> bool {
    is_prefixed_number(code, "SC")
}

/// Whether `code` names a BuildKit check.
pub fn is_buildkit_check(code: &str) -> bool {
    BUILDKIT_CHECKS.iter().any(|b| b.eq_ignore_ascii_case(code))
}

fn is_prefixed_number(code: &str, prefix: &str) -> bool {
    code.len() == prefix.len() + 4
        && code[..prefix.len()].eq_ignore_ascii_case(prefix)
        && code.as_bytes()[prefix.len()..]
            .iter()
            .all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_match_their_files() {
        let mut seen = std::collections::HashSet::new();
        for (rule, module) in RULES.iter().zip(MODULES) {
            let info = rule.info();
            assert!(seen.insert(info.code), "{} is declared twice", info.code);
            assert!(seen.insert(info.name), "{} is used twice", info.name);
            assert_eq!(
                module[..6].to_ascii_uppercase(),
                info.code,
                "src/rules/{module}.rs declares {}",
                info.code
            );
            assert_eq!(
                module[7..].replace('_', "-"),
                info.name,
                "src/rules/{module}.rs: the file name is the code plus the rule name"
            );
            let category_digit = match info.category {
                crate::Category::Correctness => '1',
                crate::Category::Size => '2',
                crate::Category::Cache => '3',
                crate::Category::Security => '4',
                crate::Category::Reproducibility => '5',
                crate::Category::Style => '6',
            };
            assert_eq!(
                info.code.as_bytes()[2] as char,
                category_digit,
                "{}: the first digit is the category",
                info.code
            );
            assert!(
                !info.summary.is_empty() && info.doc.len() > info.summary.len(),
                "{}: document the rule (summary line, then why and an example)",
                info.code
            );
            if let Some(h) = info.hadolint {
                assert!(is_hadolint_code(h), "{}: {h} is no DL code", info.code);
            }
            if let Some(b) = info.buildkit {
                assert!(
                    is_buildkit_check(b),
                    "{}: {b} is no BuildKit check",
                    info.code
                );
            }
        }
    }

    #[test]
    fn lookup_accepts_every_alias() {
        for info in infos() {
            for alias in [
                Some(info.code),
                Some(info.name),
                info.hadolint,
                info.buildkit,
            ]
            .into_iter()
            .flatten()
            {
                assert!(
                    lookup(&alias.to_ascii_lowercase())
                        .iter()
                        .any(|r| r.info().code == info.code),
                    "{alias}"
                );
            }
        }
        assert!(is_hadolint_code("dl3008") && !is_hadolint_code("DL30"));
        assert!(is_shellcheck_code("SC2086"));
    }
}
