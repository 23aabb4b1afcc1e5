//! CI gates: dive's `.dive-ci` rules with dive's keys, values and comparisons, plus
//! `max-size` and `max-reclaimable`.
//!
//! ```yaml
//! rules:
//!   lowest-efficiency: 0.95            # or lowestEfficiency
//!   highest-wasted-bytes: 20MB         # or highestWastedBytes; humanize units (MB = 10^6)
//!   highest-user-wasted-percent: 0.20  # or highestUserWastedPercent; a ratio 0..1
//!   max-size: 500MB
//!   max-reclaimable: 10MB
//! ```

use serde::Serialize;

use crate::error::{ImageError, Result};
use crate::report::ImageReport;

/// The configured thresholds, as text (dive keeps the configured string for its output).
#[derive(Debug, Clone, PartialEq)]
pub struct CiConfig {
    /// `lowest-efficiency` (default `0.9`).
    pub lowest_efficiency: String,
    /// `highest-wasted-bytes` (default `disabled`).
    pub highest_wasted_bytes: String,
    /// `highest-user-wasted-percent` (default `0.1`).
    pub highest_user_wasted_percent: String,
    /// `max-size` (default `disabled`).
    pub max_size: String,
    /// `max-reclaimable` (default `disabled`).
    pub max_reclaimable: String,
    /// Notes such as the camelCase deprecation.
    pub warnings: Vec<String>,
}

impl Default for CiConfig {
    fn default() -> Self {
        CiConfig {
            lowest_efficiency: "0.9".into(),
            highest_wasted_bytes: "disabled".into(),
            highest_user_wasted_percent: "0.1".into(),
            max_size: "disabled".into(),
            max_reclaimable: "disabled".into(),
            warnings: Vec::new(),
        }
    }
}

/// Which rule a key names, accepting snake, kebab and camel case in any letter case.
fn canonical_key(key: &str) -> Option<(&'static str, bool)> {
    let flat: String = key
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    let legacy =
        !key.contains('-') && !key.contains('_') && key.chars().any(|c| c.is_ascii_uppercase());
    let canonical = match flat.as_str() {
        "lowestefficiency" => "lowest-efficiency",
        "highestwastedbytes" => "highest-wasted-bytes",
        "highestuserwastedpercent" => "highest-user-wasted-percent",
        "maxsize" => "max-size",
        "maxreclaimable" | "maxreclaimablebytes" => "max-reclaimable",
        _ => return None,
    };
    Some((canonical, legacy))
}

impl CiConfig {
    /// Parses a `.dive-ci` file's text.
    pub fn parse(text: &str, context: &str) -> Result<CiConfig> {
        use yaml_rust2::{Yaml, YamlLoader};
        let docs = YamlLoader::load_from_str(text)
            .map_err(|e| ImageError::invalid(context, format!("invalid YAML: {e}")))?;
        let mut config = CiConfig::default();
        let Some(doc) = docs.first() else {
            return Ok(config);
        };
        let rules = match doc {
            Yaml::Hash(h) => h
                .get(&Yaml::String("rules".into()))
                .cloned()
                .unwrap_or(Yaml::Null),
            Yaml::Null => Yaml::Null,
            _ => {
                return Err(ImageError::invalid(
                    context,
                    "expected a mapping with a `rules:` key",
                ));
            }
        };
        let Yaml::Hash(rules) = rules else {
            if rules.is_null() {
                return Ok(config);
            }
            return Err(ImageError::invalid(context, "`rules` must be a mapping"));
        };
        for (k, v) in rules {
            let Some(key) = k.as_str() else { continue };
            let Some((canonical, legacy)) = canonical_key(key) else {
                config
                    .warnings
                    .push(format!("{context}: unknown rule {key:?} ignored"));
                continue;
            };
            if legacy {
                config.warnings.push(format!(
                    "{context}: {key} is dive's deprecated camelCase spelling; {canonical} is preferred"
                ));
            }
            let value = match v {
                Yaml::Real(s) | Yaml::String(s) => s.clone(),
                Yaml::Integer(i) => i.to_string(),
                Yaml::Boolean(b) => b.to_string(),
                Yaml::Null => String::new(),
                _ => {
                    return Err(ImageError::invalid(
                        context,
                        format!("{key}: expected a number or a string"),
                    ));
                }
            };
            config.set(canonical, value);
        }
        Ok(config)
    }

    /// Sets a rule by its canonical (kebab-case) key.
    pub fn set(&mut self, canonical: &str, value: String) {
        match canonical {
            "lowest-efficiency" => self.lowest_efficiency = value,
            "highest-wasted-bytes" => self.highest_wasted_bytes = value,
            "highest-user-wasted-percent" => self.highest_user_wasted_percent = value,
            "max-size" => self.max_size = value,
            "max-reclaimable" => self.max_reclaimable = value,
            _ => {}
        }
    }
}

/// Whether a value turns a rule off (dive: empty, `disabled`, `off`, `false`).
pub fn is_disabled(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    v.is_empty() || v == "disabled" || v == "off" || v == "false"
}

/// Parses a byte count the way go-humanize's `ParseBytes` does (`20MB` = 20·10⁶, `20MiB` =
/// 20·2²⁰, `1.5 GB`, `1,000 kB`).
pub fn parse_bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: String = num.chars().filter(|c| *c != ',').collect();
    let value: f64 = num.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let mult: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "ki" | "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mi" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gi" | "gib" => 1024f64.powi(3),
        "t" | "tb" => 1e12,
        "ti" | "tib" => 1024f64.powi(4),
        "p" | "pb" => 1e15,
        "pi" | "pib" => 1024f64.powi(5),
        "e" | "eb" => 1e18,
        "ei" | "eib" => 1024f64.powi(6),
        _ => return None,
    };
    let bytes = value * mult;
    if !bytes.is_finite() || bytes < 0.0 || bytes >= u64::MAX as f64 {
        return None;
    }
    Some(bytes as u64)
}

/// A rule's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    /// Within the threshold.
    Pass,
    /// Breached.
    Fail,
    /// Turned off.
    Disabled,
}

/// One evaluated rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleResult {
    /// The canonical key.
    pub key: &'static str,
    /// The configured value.
    pub threshold: String,
    /// Pass, fail or disabled.
    pub status: RuleStatus,
    /// Why it failed (dive's wording for dive's rules).
    pub message: Option<String>,
}

/// The outcome of the gates.
#[derive(Debug, Clone, Serialize)]
pub struct CiResult {
    /// Whether every enabled rule passed.
    pub passed: bool,
    /// Each rule.
    pub rules: Vec<RuleResult>,
}

fn ratio(key: &str, value: &str) -> Result<f64> {
    let v: f64 = value
        .trim()
        .parse()
        .map_err(|_| ImageError::invalid("CI rules", format!("invalid {key} value {value:?}")))?;
    if !(0.0..=1.0).contains(&v) {
        return Err(ImageError::invalid(
            "CI rules",
            format!("{key} value is outside the allowed range (0-1), given {value:?}"),
        ));
    }
    Ok(v)
}

fn bytes(key: &str, value: &str) -> Result<u64> {
    parse_bytes(value).ok_or_else(|| {
        ImageError::invalid(
            "CI rules",
            format!("invalid {key} value {value:?} (e.g. 20MB, 1.5GiB)"),
        )
    })
}

impl CiConfig {
    /// Checks every threshold is well formed (before reading the image).
    pub fn validate(&self) -> Result<()> {
        let dummy = dummy_report();
        self.evaluate(&dummy).map(|_| ())
    }

    /// Evaluates the rules on a report, with dive's comparisons.
    pub fn evaluate(&self, report: &ImageReport) -> Result<CiResult> {
        let mut rules = Vec::new();
        let mut push = |key: &'static str, value: &String, outcome: Option<Option<String>>| {
            let status = match &outcome {
                None => RuleStatus::Disabled,
                Some(None) => RuleStatus::Pass,
                Some(Some(_)) => RuleStatus::Fail,
            };
            rules.push(RuleResult {
                key,
                threshold: value.clone(),
                status,
                message: outcome.flatten(),
            });
        };
        let v = &self.lowest_efficiency;
        let outcome = if is_disabled(v) {
            None
        } else {
            let t = ratio("lowest-efficiency", v)?;
            Some((t > report.efficiency).then(|| {
                format!(
                    "image efficiency is too low (efficiency={:.2} < threshold={v})",
                    report.efficiency
                )
            }))
        };
        push("lowest-efficiency", v, outcome);
        let v = &self.highest_wasted_bytes;
        let outcome = if is_disabled(v) {
            None
        } else {
            let t = bytes("highest-wasted-bytes", v)?;
            Some((report.wasted_bytes > t).then(|| {
                format!(
                    "too many bytes wasted (wasted-bytes={} > threshold={v})",
                    report.wasted_bytes
                )
            }))
        };
        push("highest-wasted-bytes", v, outcome);
        let v = &self.highest_user_wasted_percent;
        let outcome = if is_disabled(v) {
            None
        } else {
            let t = ratio("highest-user-wasted-percent", v)?;
            // dive divides by zero for a one-layer image: NaN never exceeds a threshold, +Inf
            // always does.
            let value = report
                .user_wasted_percent
                .unwrap_or(if report.wasted_bytes > 0 {
                    f64::INFINITY
                } else {
                    f64::NAN
                });
            Some((value > t).then(|| {
                format!(
                    "too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes={value:.2} > threshold={v})"
                )
            }))
        };
        push("highest-user-wasted-percent", v, outcome);
        let v = &self.max_size;
        let outcome = if is_disabled(v) {
            None
        } else {
            let t = bytes("max-size", v)?;
            Some((report.total_size > t).then(|| {
                format!(
                    "image too large (size={} > threshold={v})",
                    report.total_size
                )
            }))
        };
        push("max-size", v, outcome);
        let v = &self.max_reclaimable;
        let outcome = if is_disabled(v) {
            None
        } else {
            let t = bytes("max-reclaimable", v)?;
            Some((report.reclaimable_bytes > t).then(|| {
                format!(
                    "too many reclaimable bytes (reclaimable={} > threshold={v})",
                    report.reclaimable_bytes
                )
            }))
        };
        push("max-reclaimable", v, outcome);
        let passed = rules.iter().all(|r| r.status != RuleStatus::Fail);
        Ok(CiResult { passed, rules })
    }
}

fn dummy_report() -> ImageReport {
    ImageReport {
        version: crate::report::REPORT_VERSION,
        image: String::new(),
        source: crate::source::SourceKind::DockerArchive,
        manifest_digest: None,
        config_digest: None,
        platform: String::new(),
        total_size: 0,
        compressed_size: 0,
        final_size: 0,
        files: 0,
        directories: 0,
        layers: Vec::new(),
        wasted_bytes: 0,
        efficiency: 1.0,
        user_wasted_percent: None,
        user_size: 0,
        inefficient_files: 0,
        inefficient: Vec::new(),
        reclaimable_bytes: 0,
        reclaimable_metadata_only: 0,
        reclaimable_overwritten: 0,
        reclaimable_deleted: 0,
        removable_bytes: 0,
        waste: Vec::new(),
        findings: Vec::new(),
        largest_files: Vec::new(),
        largest_directories: Vec::new(),
        warnings: Vec::new(),
        changes: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humanize_bytes() {
        assert_eq!(parse_bytes("20MB"), Some(20_000_000));
        assert_eq!(parse_bytes("20MiB"), Some(20 * 1024 * 1024));
        assert_eq!(parse_bytes("1.5 GB"), Some(1_500_000_000));
        assert_eq!(parse_bytes("1,000 kB"), Some(1_000_000));
        assert_eq!(parse_bytes("42"), Some(42));
        assert_eq!(parse_bytes("12 parsecs"), None);
    }

    #[test]
    fn reads_both_spellings() {
        let c = CiConfig::parse(
            "rules:\n  lowest-efficiency: 0.95\n  highestWastedBytes: 20MB\n  highest_user_wasted_percent: disabled\n  max-size: 1GB\n",
            ".dive-ci",
        )
        .unwrap();
        assert_eq!(c.lowest_efficiency, "0.95");
        assert_eq!(c.highest_wasted_bytes, "20MB");
        assert_eq!(c.highest_user_wasted_percent, "disabled");
        assert_eq!(c.max_size, "1GB");
        assert!(c.warnings.iter().any(|w| w.contains("camelCase")));
    }

    #[test]
    fn dive_comparisons() {
        let mut r = dummy_report();
        r.efficiency = 0.85;
        r.wasted_bytes = 30_000_000;
        r.user_wasted_percent = Some(0.15);
        let c = CiConfig::default();
        let res = c.evaluate(&r).unwrap();
        assert!(!res.passed);
        assert_eq!(res.rules[0].status, RuleStatus::Fail);
        assert_eq!(res.rules[1].status, RuleStatus::Disabled);
        assert_eq!(res.rules[2].status, RuleStatus::Fail);
        let mut c = CiConfig {
            lowest_efficiency: "0.85".into(),
            highest_user_wasted_percent: "0.15".into(),
            ..CiConfig::default()
        };
        assert!(
            c.evaluate(&r).unwrap().passed,
            "equal to the threshold passes, as in dive"
        );
        c.lowest_efficiency = "1.5".into();
        assert!(c.validate().is_err());
    }
}
