//! hadolint parity: lints every file of the dev corpus and compares the findings that
//! carry `equivalents.hadolint` with hadolint 2.15.1's own output
//! (`../shared/corpus/dev/oracle-hadolint.jsonl`), by file, code and line.
//!
//! hadolint reports a finding at the first line of its instruction, so a dockwright
//! finding counts at the first line of the instruction that holds it. Files hadolint could
//! not parse (DL1000) are left out. Only codes some dockwright rule maps to are compared.
//!
//! Run `cargo test -p dockwright-rules --test hadolint_parity -- --nocapture` for the
//! table; the full list of disagreements per rule is written to
//! `target/tmp/hadolint-parity.md`. With `PARITY_SHELLCHECK=1` and `shellcheck` installed,
//! SC codes are compared too (reported, not asserted: the ShellCheck versions differ).
//!
//! Floors: each rule's precision and recall must stay at or above its entry in `FLOORS`
//! (raise them as rules improve; a rule without an entry must reach `DEFAULT_FLOOR`).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dockwright_rules::{Linter, Settings, registry};
use rayon::prelude::*;

/// (hadolint code, minimum precision, minimum recall), measured and rounded down. Each
/// entry's comment says why the figure is not 1.0.
const FLOORS: &[(&str, f64, f64)] = &[
    // Relative WORKDIR after an absolute one is well defined and not flagged.
    ("DL3000", 0.0, 0.0),
    // Only the image the build produces is judged, not build stages.
    ("DL3002", 0.0, 0.0),
    // ARGs are resolved: `FROM $BASE` with an untagged default is flagged (hadolint skips
    // names starting with `$`), `FROM base-$TARGETARCH` naming a stage is not.
    ("DL3006", 0.85, 0.85),
    // ARGs are resolved: `FROM img:${VERSION}` with VERSION=latest is flagged.
    ("DL3007", 0.8, 1.0),
    // `apt install` and `sudo apt-get install` are judged too; script variables resolved.
    ("DL3008", 0.95, 0.99),
    // `apt-get dist-clean` removes the lists (Debian trixie images use it); the removal
    // must come after the last `apt-get update`.
    ("DL3009", 0.95, 0.75),
    // `apt install` and `sudo apt-get install` are judged too.
    ("DL3015", 0.9, 1.0),
    // Shell form is accepted with an explicit SHELL and for HEALTHCHECK.
    ("DL3025", 1.0, 0.45),
    // RUNs whose commands cannot be counted (PowerShell under /bin/sh) are not judged.
    ("DL3059", 0.99, 0.95),
    ("DL4000", 1.0, 1.0),
    // `set -o pipefail` inside the RUN counts here, not in hadolint.
    ("DL4006", 0.99, 1.0),
];

const DEFAULT_FLOOR: (f64, f64) = (0.8, 0.8);

/// `../shared/corpus/dev` next to the workspace, or under `$DOCKWRIGHT_SHARED` (for
/// worktrees that live elsewhere).
fn corpus() -> Option<PathBuf> {
    let shared = match std::env::var_os("DOCKWRIGHT_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let dir = shared.join("corpus/dev");
    dir.join("oracle-hadolint.jsonl").is_file().then_some(dir)
}

/// (file id, code, line) with the message.
type Finding = ((String, String, usize), String);

#[derive(Default)]
struct Tally {
    tp: usize,
    fp: Vec<Finding>,
    fn_: Vec<Finding>,
}

impl Tally {
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp.len())
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_.len())
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn ours(linter: &Linter, id: &str, source: &str) -> Vec<Finding> {
    let report = linter.lint(id, source);
    let doc = dockwright_syntax::parse(source).ok();
    let starts: Vec<(usize, usize, usize)> = doc
        .as_ref()
        .map(|d| {
            d.instructions()
                .iter()
                .map(|i| (i.span().start, i.span().end, i.start_line()))
                .collect()
        })
        .unwrap_or_default();
    report
        .diagnostics
        .iter()
        .filter_map(|d| {
            let code = d.equivalents.hadolint.clone()?;
            let line = starts
                .iter()
                .find(|(s, e, _)| *s <= d.start && d.start < *e)
                .map_or(d.line, |(_, _, l)| *l);
            Some(((id.to_string(), code, line), d.message.clone()))
        })
        .collect()
}

#[test]
fn hadolint_parity() {
    let Some(dir) = corpus() else {
        eprintln!(
            "note: ../shared/corpus/dev not found (set DOCKWRIGHT_SHARED); hadolint parity skipped"
        );
        return;
    };
    let with_shellcheck = std::env::var("PARITY_SHELLCHECK").is_ok_and(|v| v == "1")
        && dockwright_rules::shellcheck::version().is_some();
    let linter = Linter::new(Settings::default()).with_shellcheck(with_shellcheck);
    let compared: BTreeSet<String> = registry::infos()
        .filter_map(|i| i.hadolint.map(str::to_string))
        .collect();
    let oracle = std::fs::read_to_string(dir.join("oracle-hadolint.jsonl")).unwrap();
    let entries: Vec<serde_json::Value> = oracle
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let results: Vec<(Vec<Finding>, Vec<Finding>)> = entries
        .par_iter()
        .filter_map(|entry| {
            let id = entry["id"].as_str().unwrap().to_string();
            let findings = entry["findings"].as_array().cloned().unwrap_or_default();
            if findings.iter().any(|f| f["code"] == "DL1000") {
                return None;
            }
            let theirs: Vec<Finding> = findings
                .iter()
                .map(|f| {
                    (
                        (
                            id.clone(),
                            f["code"].as_str().unwrap().to_string(),
                            f["line"].as_u64().unwrap() as usize,
                        ),
                        f["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            let bytes = std::fs::read(dir.join("files").join(format!("{id}.Dockerfile"))).unwrap();
            let source = String::from_utf8_lossy(&bytes);
            Some((ours(&linter, &id, &source), theirs))
        })
        .collect();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let files = results.len();
    for (ours, theirs) in results {
        let is_compared =
            |code: &str| compared.contains(code) || (with_shellcheck && code.starts_with("SC"));
        let ours: BTreeMap<_, _> = ours
            .into_iter()
            .filter(|(k, _)| is_compared(&k.1))
            .collect();
        let theirs: BTreeMap<_, _> = theirs
            .into_iter()
            .filter(|(k, _)| is_compared(&k.1))
            .collect();
        let keys: HashSet<_> = ours.keys().chain(theirs.keys()).cloned().collect();
        for key in keys {
            let tally = tallies.entry(key.1.clone()).or_default();
            match (ours.get(&key), theirs.get(&key)) {
                (Some(_), Some(_)) => tally.tp += 1,
                (Some(m), None) => tally.fp.push((key, m.clone())),
                (None, Some(m)) => tally.fn_.push((key, m.clone())),
                (None, None) => {}
            }
        }
    }
    let mut table = format!(
        "hadolint parity over {files} files (shellcheck: {with_shellcheck})\n\n| code | TP | FP | FN | precision | recall |\n|---|---:|---:|---:|---:|---:|\n"
    );
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (code, t) in &tallies {
        let _ = writeln!(
            table,
            "| {code} | {} | {} | {} | {:.3} | {:.3} |",
            t.tp,
            t.fp.len(),
            t.fn_.len(),
            t.precision(),
            t.recall()
        );
        if code.starts_with("DL") {
            tp += t.tp;
            fp += t.fp.len();
            fn_ += t.fn_.len();
        }
    }
    let _ = writeln!(
        table,
        "| all DL | {tp} | {fp} | {fn_} | {:.3} | {:.3} |",
        ratio(tp, tp + fp),
        ratio(tp, tp + fn_)
    );
    println!("{table}");
    let mut details = table.clone();
    for (code, t) in &tallies {
        let mut fps = t.fp.clone();
        fps.sort();
        let mut fns = t.fn_.clone();
        fns.sort();
        let _ = writeln!(
            details,
            "\n## {code}\n\n### only dockwright ({})\n",
            fps.len()
        );
        for ((id, _, line), message) in fps {
            let _ = writeln!(details, "- {id}.Dockerfile:{line}: {message}");
        }
        let _ = writeln!(details, "\n### only hadolint ({})\n", fns.len());
        for ((id, _, line), message) in fns {
            let _ = writeln!(details, "- {id}.Dockerfile:{line}: {message}");
        }
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hadolint-parity.md");
    if std::fs::write(&out, details).is_ok() {
        println!("disagreements: {}", out.display());
    }
    let mut below = Vec::new();
    for code in &compared {
        let t = tallies.get(code);
        let (p, r) = t.map_or((1.0, 1.0), |t| (t.precision(), t.recall()));
        let (min_p, min_r) = FLOORS
            .iter()
            .find(|(c, _, _)| c == code)
            .map_or(DEFAULT_FLOOR, |(_, p, r)| (*p, *r));
        if p + 1e-9 < min_p || r + 1e-9 < min_r {
            below.push(format!(
                "{code}: precision {p:.3} (floor {min_p}), recall {r:.3} (floor {min_r})"
            ));
        }
    }
    assert!(
        below.is_empty(),
        "below the parity floors:\n{}",
        below.join("\n")
    );
}
