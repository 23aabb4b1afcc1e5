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
//! Floors: each compared code's precision and recall must stay at or above its line in
//! `tests/parity-floors.txt` (raise them as rules improve; a code without a line must reach
//! `DEFAULT_FLOOR`).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dockwright_rules::{Linter, Settings, registry};
use rayon::prelude::*;

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

/// `tests/parity-floors.txt`: code → (minimum precision, minimum recall).
fn floors() -> BTreeMap<String, (f64, f64)> {
    let text = include_str!("parity-floors.txt");
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(parts.len(), 3, "parity-floors.txt: `{l}`");
            (
                parts[0].to_string(),
                (parts[1].parse().unwrap(), parts[2].parse().unwrap()),
            )
        })
        .collect()
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
    let floors = floors();
    let mut below = Vec::new();
    for code in &compared {
        let t = tallies.get(code);
        let (p, r) = t.map_or((1.0, 1.0), |t| (t.precision(), t.recall()));
        let (min_p, min_r) = floors.get(code.as_str()).copied().unwrap_or(DEFAULT_FLOOR);
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
    // Issue #3's acceptance over all DL rules together; never lowered.
    let (all_p, all_r) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
    assert!(
        all_p >= OVERALL_FLOOR && all_r >= OVERALL_FLOOR,
        "all DL rules together: precision {all_p:.4}, recall {all_r:.4}, floor {OVERALL_FLOOR}"
    );
}

/// Precision and recall that all DL rules together must reach on the dev corpus.
const OVERALL_FLOOR: f64 = 0.97;
