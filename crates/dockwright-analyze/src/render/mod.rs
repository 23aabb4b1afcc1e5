//! Renderings of an [`AnalysisReport`]: terminal text, markdown and HTML. JSON is the serde
//! form of the report itself.

mod html;
mod markdown;
mod tty;

pub use html::html;
pub use markdown::markdown;
pub use tty::tty;

use crate::report::{AnalysisReport, Finding, Priority};

/// Bytes in decimal units, as `docker build` prints sizes.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    let decimals = if value >= 99.95 {
        0
    } else if value >= 9.995 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {}", UNITS[unit])
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "3 builds, 2 Dockerfiles; findings: 4 high, 6 medium, 9 low".
fn headline(report: &AnalysisReport) -> String {
    format!(
        "{}, {}; findings: {} high, {} medium, {} low",
        plural(report.builds.len(), "build", "builds"),
        plural(report.dockerfiles.len(), "Dockerfile", "Dockerfiles"),
        report.counts.high,
        report.counts.medium,
        report.counts.low
    )
}

fn place_text(f: &Finding) -> String {
    match (&f.place, f.origin) {
        (Some(p), _) => p.to_string(),
        (None, crate::report::Origin::Image) => "image".to_owned(),
        (None, _) => "build context".to_owned(),
    }
}

/// The high-priority findings, one item per problem: the same rule with the same message in
/// several places is one item with all its places.
fn first_priority(report: &AnalysisReport) -> Vec<(&Finding, Vec<String>)> {
    let mut out: Vec<(&Finding, Vec<String>)> = Vec::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.priority == Priority::High)
    {
        match out
            .iter_mut()
            .find(|(g, _)| g.code == f.code && g.message == f.message)
        {
            Some((_, places)) => places.push(place_text(f)),
            None => out.push((f, vec![place_text(f)])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(3_150_000), "3.15 MB");
        assert_eq!(human_bytes(12_345_678_901), "12.3 GB");
    }
}
