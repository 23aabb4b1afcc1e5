//! Settings: which rules run, at which severity, and what some rules need to know (trusted
//! registries, the label schema). [`Options`] is one layer as a config file or the command
//! line gives it; layers merge into [`Settings`], which compiles into a [`Selection`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use dockwright_model::BuildOptions;
use dockwright_syntax::scope::Platform;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{Category, Severity, Threshold};
use crate::info::RuleInfo;
use crate::registry;

/// One layer of settings (a config file, the command line). Every field is optional; a
/// later layer overrides an earlier one field by field, and list fields that add up
/// (`extend-select`, `ignore`, `trusted-registries`) are joined.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Options {
    /// Rules to run (codes, names, prefixes such as `DW2`, categories, `ALL`, hadolint
    /// codes, BuildKit check names, `SC` codes). Replaces the default: every rule that is
    /// not opt-in, plus ShellCheck.
    pub select: Option<Vec<String>>,
    /// Rules to run in addition to `select`.
    pub extend_select: Option<Vec<String>>,
    /// Rules never to report.
    pub ignore: Option<Vec<String>>,
    /// Severity per rule (`DL3008 = "info"`).
    pub severity: Option<BTreeMap<String, String>>,
    /// The lowest severity that makes `lint` exit 1 (`error`, `warning`, `info`, `style`,
    /// `none`).
    pub failure_threshold: Option<String>,
    /// Always exit 0 on findings.
    pub no_fail: Option<bool>,
    /// Registries base images may come from (globs like `*.gcr.io`); hadolint DL3026.
    pub trusted_registries: Option<Vec<String>>,
    /// Labels every image must have, with their value type (hadolint's `label-schema`).
    pub label_schema: Option<BTreeMap<String, String>>,
    /// Report labels that are not in the schema.
    pub strict_labels: Option<bool>,
    /// Ignore `# hadolint ignore=` / `# dockwright ignore=` pragmas.
    pub disable_ignore_pragma: Option<bool>,
    /// Run ShellCheck on RUN scripts when it is installed.
    pub shellcheck: Option<bool>,
    /// How the Dockerfile is built.
    pub build: Option<BuildSection>,
}

/// `[build]`: the build options the Dockerfile is linted under.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BuildSection {
    /// `--build-arg` values.
    pub args: Option<BTreeMap<String, String>>,
    /// `--target`.
    pub target: Option<String>,
    /// `--platform` (`linux/arm64`).
    pub platform: Option<String>,
}

impl Options {
    /// This layer with `over` on top.
    pub fn merge(self, over: Options) -> Options {
        fn join(a: Option<Vec<String>>, b: Option<Vec<String>>) -> Option<Vec<String>> {
            match (a, b) {
                (Some(mut a), Some(b)) => {
                    a.extend(b);
                    Some(a)
                }
                (a, b) => a.or(b),
            }
        }
        fn union<K: Ord, V>(
            a: Option<BTreeMap<K, V>>,
            b: Option<BTreeMap<K, V>>,
        ) -> Option<BTreeMap<K, V>> {
            match (a, b) {
                (Some(mut a), Some(b)) => {
                    a.extend(b);
                    Some(a)
                }
                (a, b) => a.or(b),
            }
        }
        let build = match (self.build, over.build) {
            (Some(a), Some(b)) => Some(BuildSection {
                args: union(a.args, b.args),
                target: b.target.or(a.target),
                platform: b.platform.or(a.platform),
            }),
            (a, b) => b.or(a),
        };
        Options {
            select: over.select.or(self.select),
            extend_select: join(self.extend_select, over.extend_select),
            ignore: join(self.ignore, over.ignore),
            severity: union(self.severity, over.severity),
            failure_threshold: over.failure_threshold.or(self.failure_threshold),
            no_fail: over.no_fail.or(self.no_fail),
            trusted_registries: join(self.trusted_registries, over.trusted_registries),
            label_schema: union(self.label_schema, over.label_schema),
            strict_labels: over.strict_labels.or(self.strict_labels),
            disable_ignore_pragma: over.disable_ignore_pragma.or(self.disable_ignore_pragma),
            shellcheck: over.shellcheck.or(self.shellcheck),
            build,
        }
    }
}

/// A value type of hadolint's `label-schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelType {
    /// Any text.
    Text,
    /// An RFC 3339 time.
    Rfc3339,
    /// A semantic version.
    Semver,
    /// A URL.
    Url,
    /// A git hash.
    Hash,
    /// An SPDX license identifier.
    Spdx,
    /// An RFC 5322 e-mail address.
    Email,
}

impl FromStr for LabelType {
    type Err = SettingsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "text" => LabelType::Text,
            "rfc3339" => LabelType::Rfc3339,
            "semver" => LabelType::Semver,
            "url" => LabelType::Url,
            "hash" => LabelType::Hash,
            "spdx" => LabelType::Spdx,
            "email" => LabelType::Email,
            other => {
                return Err(SettingsError::Invalid(format!(
                    "unknown label type `{other}` (expected text, rfc3339, semver, url, hash, spdx or email)"
                )));
            }
        })
    }
}

/// Invalid settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A selector that names no rule, category or known code.
    #[error(
        "unknown rule selector `{0}` (expected a rule code or name, a code prefix such as DW2, a category, ALL, a hadolint DL code, a BuildKit check name or an SC code)"
    )]
    UnknownSelector(String),
    /// Any other invalid value.
    #[error("{0}")]
    Invalid(String),
}

/// Resolved settings with defaults applied.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Selection of rules and severities.
    pub selection: Selection,
    /// Exit threshold.
    pub failure_threshold: Threshold,
    /// Never fail on findings.
    pub no_fail: bool,
    /// Trusted registries (empty: every registry is trusted).
    pub trusted_registries: Vec<String>,
    /// Required labels and their types.
    pub label_schema: BTreeMap<String, LabelType>,
    /// Report labels outside the schema.
    pub strict_labels: bool,
    /// Ignore inline ignore pragmas.
    pub disable_ignore_pragma: bool,
    /// Build options the model is built with.
    pub build: BuildOptions,
}

impl Default for Settings {
    fn default() -> Self {
        // The defaults compile without error.
        Settings::from_options(Options::default()).unwrap_or_else(|_| Settings {
            selection: Selection::default(),
            failure_threshold: Threshold::DEFAULT,
            no_fail: false,
            trusted_registries: Vec::new(),
            label_schema: BTreeMap::new(),
            strict_labels: false,
            disable_ignore_pragma: false,
            build: BuildOptions::default(),
        })
    }
}

impl Settings {
    /// Resolves merged options.
    pub fn from_options(options: Options) -> Result<Settings, SettingsError> {
        let failure_threshold = match &options.failure_threshold {
            Some(t) => t.parse().map_err(|e: crate::diagnostic::UnknownSeverity| {
                SettingsError::Invalid(e.to_string())
            })?,
            None => Threshold::DEFAULT,
        };
        let mut label_schema = BTreeMap::new();
        for (label, kind) in options.label_schema.clone().unwrap_or_default() {
            label_schema.insert(label, kind.parse()?);
        }
        let mut build = BuildOptions::default();
        if let Some(section) = &options.build {
            build.build_args = section.args.clone().unwrap_or_default();
            build.target = section.target.clone();
            if let Some(p) = &section.platform {
                build.platform =
                    Platform::parse(p).map_err(|e| SettingsError::Invalid(e.to_string()))?;
            }
        }
        Ok(Settings {
            selection: Selection::compile(&options)?,
            failure_threshold,
            no_fail: options.no_fail.unwrap_or(false),
            trusted_registries: options.trusted_registries.unwrap_or_default(),
            label_schema,
            strict_labels: options.strict_labels.unwrap_or(false),
            disable_ignore_pragma: options.disable_ignore_pragma.unwrap_or(false),
            build,
        })
    }

    /// Whether a registry is trusted (`trusted-registries` empty: all are). Globs: `*`
    /// matches any run of characters.
    pub fn is_trusted_registry(&self, registry: &str) -> bool {
        self.trusted_registries.is_empty()
            || self
                .trusted_registries
                .iter()
                .any(|pattern| glob_match(pattern, registry))
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn glob_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// How a selector matches a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Match {
    No,
    /// `ALL`, a category or a prefix: selects rules that are not opt-in.
    Broad,
    /// The rule's code, name or an equivalent code.
    Exact,
}

fn match_rule(selector: &str, info: &RuleInfo) -> Match {
    let s = selector.trim();
    if s.eq_ignore_ascii_case(info.code)
        || s.eq_ignore_ascii_case(info.name)
        || info.hadolint.is_some_and(|h| h.eq_ignore_ascii_case(s))
        || info.buildkit.is_some_and(|b| b.eq_ignore_ascii_case(s))
    {
        return Match::Exact;
    }
    if s.eq_ignore_ascii_case("ALL") || s.eq_ignore_ascii_case(info.category.as_str()) {
        return Match::Broad;
    }
    let prefix_of = |code: &str| {
        s.len() >= 2
            && s.len() < code.len()
            && code
                .get(..s.len())
                .is_some_and(|c| c.eq_ignore_ascii_case(s))
    };
    if prefix_of(info.code) || info.hadolint.is_some_and(prefix_of) {
        return Match::Broad;
    }
    Match::No
}

/// Whether a selector is meaningful even if no rule matches it now.
fn is_known_selector(s: &str) -> bool {
    let upper = s.trim().to_ascii_uppercase();
    let digits = |p: &str| {
        upper
            .strip_prefix(p)
            .is_some_and(|d| d.len() <= 4 && d.bytes().all(|b| b.is_ascii_digit()))
    };
    upper == "ALL"
        || Category::ALL
            .iter()
            .any(|c| c.as_str().eq_ignore_ascii_case(s))
        || digits("DW")
        || digits("DL")
        || digits("SC")
        || registry::is_buildkit_check(s)
        || !registry::lookup(s).is_empty()
}

/// Which rules run and which ShellCheck codes are reported, with severity overrides.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Per rule of [`registry::rules`], whether it runs.
    enabled: Vec<bool>,
    /// Per rule, a severity override.
    severity: Vec<Option<Severity>>,
    /// ShellCheck.
    pub shellcheck: ShellcheckSelection,
}

/// Which ShellCheck findings are reported.
#[derive(Debug, Clone, Default)]
pub struct ShellcheckSelection {
    /// Whether ShellCheck runs at all.
    pub run: bool,
    /// `None`: every code; else only these (upper case).
    only: Option<HashSet<String>>,
    ignored: HashSet<String>,
    severity: HashMap<String, Severity>,
}

impl ShellcheckSelection {
    /// Whether a code (`SC2086`) is reported.
    pub fn reports(&self, code: &str) -> bool {
        let code = code.to_ascii_uppercase();
        self.run
            && !self.ignored.contains(&code)
            && self.only.as_ref().is_none_or(|only| only.contains(&code))
    }

    /// The severity override for a code.
    pub fn severity(&self, code: &str) -> Option<Severity> {
        self.severity.get(&code.to_ascii_uppercase()).copied()
    }
}

impl Selection {
    /// Compiles the selection of one layer stack.
    pub fn compile(options: &Options) -> Result<Selection, SettingsError> {
        let lists = [&options.select, &options.extend_select, &options.ignore];
        for selector in lists.iter().filter_map(|l| l.as_ref()).flatten() {
            if !is_known_selector(selector) {
                return Err(SettingsError::UnknownSelector(selector.clone()));
            }
        }
        let selects = |list: &Option<Vec<String>>, info: &RuleInfo| {
            list.iter().flatten().any(|s| match match_rule(s, info) {
                Match::Exact => true,
                Match::Broad => !info.opt_in,
                Match::No => false,
            })
        };
        let mut overrides: Vec<(&String, Severity)> = Vec::new();
        for (selector, level) in options.severity.iter().flatten() {
            if !is_known_selector(selector) {
                return Err(SettingsError::UnknownSelector(selector.clone()));
            }
            let level: Severity =
                level
                    .parse()
                    .map_err(|e: crate::diagnostic::UnknownSeverity| {
                        SettingsError::Invalid(e.to_string())
                    })?;
            overrides.push((selector, level));
        }
        let mut enabled = Vec::new();
        let mut severity = Vec::new();
        for rule in registry::rules() {
            let info = rule.info();
            let selected = match &options.select {
                Some(_) => selects(&options.select, info),
                None => !info.opt_in,
            } || selects(&options.extend_select, info);
            let ignored = options
                .ignore
                .iter()
                .flatten()
                .any(|s| match_rule(s, info) != Match::No);
            enabled.push(selected && !ignored);
            // The most specific override wins: an exact code over a prefix or category.
            let level = overrides
                .iter()
                .map(|(s, level)| (match_rule(s, info), *level))
                .filter(|(m, _)| *m != Match::No)
                .max_by_key(|(m, _)| *m)
                .map(|(_, level)| level);
            severity.push(level);
        }
        Ok(Selection {
            enabled,
            severity,
            shellcheck: ShellcheckSelection::compile(options, &overrides),
        })
    }

    /// Whether rule `index` (of [`registry::rules`]) runs.
    pub fn is_enabled(&self, index: usize) -> bool {
        self.enabled.get(index).copied().unwrap_or(false)
    }

    /// The severity override of rule `index`.
    pub fn severity_override(&self, index: usize) -> Option<Severity> {
        self.severity.get(index).copied().flatten()
    }

    /// The severity override for a diagnostic's code.
    pub fn severity_for_code(&self, code: &str) -> Option<Severity> {
        if registry::is_shellcheck_code(code) {
            return self.shellcheck.severity(code);
        }
        registry::rules()
            .iter()
            .position(|r| r.info().code == code)
            .and_then(|i| self.severity_override(i))
    }

    /// How many rules run.
    pub fn enabled_count(&self) -> usize {
        self.enabled.iter().filter(|e| **e).count()
    }
}

impl ShellcheckSelection {
    fn compile(options: &Options, overrides: &[(&String, Severity)]) -> Self {
        let is_all = |s: &str| {
            let s = s.trim();
            s.eq_ignore_ascii_case("ALL") || s.eq_ignore_ascii_case("SC")
        };
        let codes = |list: &Option<Vec<String>>| -> Vec<String> {
            list.iter()
                .flatten()
                .filter(|s| registry::is_shellcheck_code(s.trim()))
                .map(|s| s.trim().to_ascii_uppercase())
                .collect()
        };
        let all_selected = match &options.select {
            None => true,
            Some(list) => list.iter().any(|s| is_all(s)),
        } || options.extend_select.iter().flatten().any(|s| is_all(s));
        let mut picked: HashSet<String> = codes(&options.select).into_iter().collect();
        picked.extend(codes(&options.extend_select));
        let only = (!all_selected).then_some(picked);
        let ignore_all = options.ignore.iter().flatten().any(|s| is_all(s));
        ShellcheckSelection {
            run: options.shellcheck.unwrap_or(true)
                && !ignore_all
                && only.as_ref().is_none_or(|o| !o.is_empty()),
            only,
            ignored: codes(&options.ignore).into_iter().collect(),
            severity: overrides
                .iter()
                .filter(|(s, _)| registry::is_shellcheck_code(s.trim()))
                .map(|(s, level)| (s.trim().to_ascii_uppercase(), *level))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(toml: &str) -> Options {
        toml::from_str(toml).unwrap()
    }

    fn enabled(settings: &Settings, code: &str) -> bool {
        let index = registry::rules()
            .iter()
            .position(|r| r.info().code == code)
            .unwrap();
        settings.selection.is_enabled(index)
    }

    #[test]
    fn default_runs_every_rule_that_is_not_opt_in() {
        let s = Settings::default();
        for (i, rule) in registry::rules().iter().enumerate() {
            assert_eq!(s.selection.is_enabled(i), !rule.info().opt_in);
        }
        assert!(s.selection.shellcheck.reports("SC2086"));
    }

    #[test]
    fn select_and_ignore_by_every_kind_of_selector() {
        let s = Settings::from_options(options(r#"select = ["DL3000"]"#)).unwrap();
        assert!(enabled(&s, "DW1001"));
        assert!(!enabled(&s, "DW6001"));
        assert!(!s.selection.shellcheck.run);
        let s = Settings::from_options(options(
            r#"select = ["style", "SC2086"]
               ignore = ["FromAsCasing"]"#,
        ))
        .unwrap();
        assert!(!enabled(&s, "DW6001"));
        assert!(enabled(&s, "DW6003"));
        assert!(s.selection.shellcheck.reports("SC2086"));
        assert!(!s.selection.shellcheck.reports("SC2046"));
        let s = Settings::from_options(options(r#"ignore = ["dw1", "SC2046"]"#)).unwrap();
        assert!(!enabled(&s, "DW1001"));
        assert!(enabled(&s, "DW6001"));
        assert!(s.selection.shellcheck.reports("SC2086"));
        assert!(!s.selection.shellcheck.reports("sc2046"));
    }

    #[test]
    fn unknown_selectors_are_errors_but_other_tools_codes_are_not() {
        for ok in ["DL3047", "SC1000", "UndefinedVar", "DW9", "security"] {
            Settings::from_options(options(&format!("ignore = [{ok:?}]"))).unwrap();
        }
        let err = Settings::from_options(options(r#"select = ["DW99999", "nope"]"#)).unwrap_err();
        assert!(matches!(err, SettingsError::UnknownSelector(_)));
    }

    #[test]
    fn exact_severity_overrides_beat_broad_ones() {
        let s = Settings::from_options(options(
            r#"[severity]
               DW1 = "style"
               DL3000 = "info"
               SC2086 = "error""#,
        ))
        .unwrap();
        assert_eq!(
            s.selection.severity_for_code("DW1001"),
            Some(Severity::Info)
        );
        assert_eq!(
            s.selection.severity_for_code("DW1002"),
            Some(Severity::Style)
        );
        assert_eq!(
            s.selection.severity_for_code("SC2086"),
            Some(Severity::Error)
        );
        assert_eq!(s.selection.severity_for_code("DW6001"), None);
    }

    #[test]
    fn layers_merge() {
        let base = options(
            r#"ignore = ["DL3008"]
               failure-threshold = "warning"
               trusted-registries = ["docker.io"]"#,
        );
        let over = options(
            r#"ignore = ["DL3009"]
               select = ["ALL"]
               trusted-registries = ["*.gcr.io"]"#,
        );
        let merged = base.merge(over);
        assert_eq!(merged.ignore.as_deref().unwrap(), ["DL3008", "DL3009"]);
        assert_eq!(merged.failure_threshold.as_deref(), Some("warning"));
        let s = Settings::from_options(merged).unwrap();
        assert!(s.is_trusted_registry("eu.gcr.io"));
        assert!(s.is_trusted_registry("docker.io"));
        assert!(!s.is_trusted_registry("quay.io"));
        assert_eq!(s.failure_threshold, Threshold(Some(Severity::Warning)));
    }

    #[test]
    fn globs() {
        assert!(glob_match("*.gcr.io", "eu.gcr.io"));
        assert!(!glob_match("*.gcr.io", "gcr.io.evil"));
        assert!(glob_match("a*b*c", "abxxc"));
        assert!(glob_match("docker.io", "docker.io"));
    }
}
