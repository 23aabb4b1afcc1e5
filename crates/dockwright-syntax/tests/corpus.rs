//! The development corpus (`../shared/corpus/dev`): every file must print back byte for
//! byte, and our parse must agree with BuildKit's (the oracle) on whether the file parses
//! and on each instruction's keyword and line range, for at least 99.5% of the files.
//! Skipped with a note when the shared data is not next to the workspace.

// Tests may unwrap (helpers outside #[test] functions included).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// `../shared` next to the workspace, or `$DOCKWRIGHT_SHARED` when set (for worktrees that
/// live elsewhere).
fn shared_dir() -> PathBuf {
    match std::env::var_os("DOCKWRIGHT_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

fn corpus_dir() -> Option<PathBuf> {
    let dir = shared_dir().join("corpus/dev");
    if dir.join("oracle-buildkit.jsonl").is_file() {
        Some(dir)
    } else {
        eprintln!("note: {} not found, corpus tests skipped", dir.display());
        None
    }
}

#[derive(Debug, PartialEq, Eq, Clone)]
struct Entry {
    keyword: String,
    trigger: Option<String>,
    start: usize,
    end: usize,
}

fn oracle_entries(value: &serde_json::Value) -> Vec<Entry> {
    value["instructions"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|i| Entry {
                    keyword: i["cmd"].as_str().unwrap_or_default().to_uppercase(),
                    trigger: i["sub_cmd"].as_str().map(str::to_uppercase),
                    start: i["start_line"].as_u64().unwrap_or(0) as usize,
                    end: i["end_line"].as_u64().unwrap_or(0) as usize,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn our_entries(doc: &dockwright_syntax::Dockerfile<'_>) -> Vec<Entry> {
    doc.instructions()
        .iter()
        .map(|i| Entry {
            keyword: i.keyword().text.to_uppercase(),
            trigger: i.trigger().map(|t| t.keyword().text.to_uppercase()),
            start: i.start_line(),
            end: i.end_line(),
        })
        .collect()
}

#[test]
fn corpus_agrees_with_buildkit() {
    let Some(dir) = corpus_dir() else { return };
    let oracle = std::fs::read_to_string(dir.join("oracle-buildkit.jsonl")).unwrap();
    let mut total = 0;
    let mut disagreements = Vec::new();
    for line in oracle.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = value["id"].as_str().unwrap().to_string();
        let path = dir.join("files").join(format!("{id}.Dockerfile"));
        let source = std::fs::read(&path).unwrap();
        total += 1;
        let want_ok = value["ok"].as_bool().unwrap_or(false);
        let got = dockwright_syntax::parse_bytes(&source);
        let problem = match (&got, want_ok) {
            (Ok(doc), true) => {
                let (ours, theirs) = (our_entries(doc), oracle_entries(&value));
                if ours == theirs {
                    None
                } else {
                    let first = ours
                        .iter()
                        .zip(&theirs)
                        .position(|(a, b)| a != b)
                        .unwrap_or(ours.len().min(theirs.len()));
                    Some(format!(
                        "instructions differ ({} ours, {} BuildKit's); first difference at #{first}: ours {:?}, BuildKit {:?}",
                        ours.len(),
                        theirs.len(),
                        ours.get(first),
                        theirs.get(first)
                    ))
                }
            }
            (Err(e), true) => Some(format!("we reject it ({e}), BuildKit accepts it")),
            (Ok(_), false) => Some(format!(
                "we accept it, BuildKit rejects it ({})",
                value["error"].as_str().unwrap_or_default()
            )),
            (Err(_), false) => None,
        };
        if let Some(problem) = problem {
            disagreements.push(format!("{id}: {problem}"));
        }
    }
    for d in &disagreements {
        println!("disagreement: {d}");
    }
    let agree = total - disagreements.len();
    let share = agree as f64 / total as f64;
    println!(
        "corpus parity: {agree}/{total} files agree ({:.2}%)",
        share * 100.0
    );
    assert!(total > 0, "empty oracle");
    assert!(
        share >= 0.995,
        "parity {:.2}% is below 99.5%",
        share * 100.0
    );
}

#[test]
fn corpus_round_trips() {
    let Some(dir) = corpus_dir() else { return };
    let mut count = 0;
    for entry in std::fs::read_dir(dir.join("files")).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read(&path).unwrap();
        if let Ok(doc) = dockwright_syntax::parse_bytes(&source) {
            assert!(
                doc.print() == source,
                "{} does not print back",
                path.display()
            );
            count += 1;
        }
    }
    println!("{count} corpus files print back byte for byte");
    assert!(count > 0);
}

/// Our arguments in the shape the oracle (BuildKit v0.12.5 through its Python binding)
/// reports them: ENV/LABEL as key/value pairs (v0.12.5 had no separator node).
fn our_values(command: dockwright_syntax::CommandRef<'_, '_>) -> Vec<String> {
    let words: Vec<String> = command
        .arguments()
        .into_iter()
        .map(|w| w.text.into_owned())
        .collect();
    match command.kind() {
        dockwright_syntax::InstructionKind::Env | dockwright_syntax::InstructionKind::Label => {
            words
                .chunks(3)
                .flat_map(|c| c.iter().take(2).cloned())
                .collect()
        }
        _ => words,
    }
}

#[test]
fn corpus_values_agree_with_buildkit() {
    let Some(dir) = corpus_dir() else { return };
    let oracle = std::fs::read_to_string(dir.join("oracle-buildkit.jsonl")).unwrap();
    let (mut total, mut differ) = (0, Vec::new());
    for line in oracle.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = value["id"].as_str().unwrap();
        let source = std::fs::read(dir.join("files").join(format!("{id}.Dockerfile"))).unwrap();
        let Ok(doc) = dockwright_syntax::parse_bytes(&source) else {
            continue;
        };
        let theirs = value["instructions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for (inst, want) in doc.instructions().iter().zip(&theirs) {
            total += 1;
            let command = inst.trigger().unwrap_or(inst.command());
            let got_values = our_values(command);
            let want_values: Vec<String> = want["value"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .map(|s| s.as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default();
            let got_flags: Vec<String> = command
                .flags()
                .iter()
                .map(|f| f.text().into_owned())
                .collect();
            let want_flags: Vec<String> = want["flags"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .map(|s| s.as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default();
            let json_ok = want["json"].as_bool() == Some(command.is_json());
            let want_heredocs: Vec<(String, u64, String)> = want["heredocs"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .map(|h| {
                            (
                                h["name"].as_str().unwrap_or_default().to_string(),
                                h["file_descriptor"].as_u64().unwrap_or(0),
                                h["content"].as_str().unwrap_or_default().to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let got_heredocs: Vec<(String, u64, String)> = inst
                .heredocs()
                .iter()
                .map(|h| (h.name.clone(), h.fd, inst.heredoc_body(h).into_owned()))
                .collect();
            let heredocs_ok = want_heredocs == got_heredocs;
            if got_values != want_values || got_flags != want_flags || !json_ok || !heredocs_ok {
                differ.push(format!(
                    "{id}:{}: ours {got_flags:?} {got_values:?} json={}, BuildKit {want_flags:?} {want_values:?} json={}",
                    inst.start_line(),
                    command.is_json(),
                    want["json"]
                ));
            }
        }
    }
    for d in &differ {
        println!("value disagreement: {d}");
    }
    println!(
        "corpus values: {}/{total} instructions agree",
        total - differ.len()
    );
    assert!(differ.is_empty(), "{} instructions differ", differ.len());
}
