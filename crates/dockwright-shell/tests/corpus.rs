//! Parses every shell-form RUN of the dev corpus and checks the parser against `bash -n`:
//! a script is rejected exactly when bash rejects it.
//!
//! The scripts come from the corpus's BuildKit oracle (`oracle-buildkit.jsonl`), which holds
//! each RUN's command with continuation lines joined, as BuildKit hands it to the shell.
//! Run with `--nocapture` to see the figures.

use std::path::{Path, PathBuf};
use std::process::Command;

use dockwright_shell::{Action, ParseOptions, Script, Span, Visit, parse, walk_word};

/// The shared data directory: `../shared` from the workspace root, or the nearest
/// `shared/` above it (worktrees live one level deeper than the main checkout).
fn shared_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("DOCKWRIGHT_SHARED") {
        return Some(PathBuf::from(dir));
    }
    let primary = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"));
    if primary.join("corpus").is_dir() {
        return Some(primary.to_path_buf());
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared"))
        .find(|d| d.join("corpus").is_dir())
}

struct RunScript {
    id: String,
    line: u64,
    text: String,
}

fn corpus_scripts(shared: &Path) -> Vec<RunScript> {
    let oracle = shared.join("corpus/dev/oracle-buildkit.jsonl");
    let content = std::fs::read_to_string(&oracle).expect("read oracle");
    let mut scripts = Vec::new();
    for line in content.lines() {
        let file: serde_json::Value = serde_json::from_str(line).expect("oracle line");
        let id = file["id"].as_str().unwrap_or_default().to_string();
        for ins in file["instructions"].as_array().into_iter().flatten() {
            let cmd = ins["cmd"].as_str().unwrap_or_default();
            if !cmd.eq_ignore_ascii_case("run") || ins["json"].as_bool() == Some(true) {
                continue;
            }
            let value = ins["value"][0].as_str().unwrap_or_default();
            let heredocs = ins["heredocs"].as_array().cloned().unwrap_or_default();
            let first_word = value.split_whitespace().next().unwrap_or_default();
            let text = match heredocs.as_slice() {
                // `RUN <<EOF` with nothing else: the body is the script.
                [doc]
                    if first_word.starts_with("<<")
                        && first_word
                            .trim_start_matches(['<', '-'])
                            .trim_matches(['"', '\''])
                            == doc["name"].as_str().unwrap_or_default() =>
                {
                    doc["content"].as_str().unwrap_or_default().to_string()
                }
                [] => value.to_string(),
                // Here-documents feeding commands: the shell sees them after the line.
                docs => {
                    let mut text = format!("{value}\n");
                    for doc in docs {
                        text.push_str(doc["content"].as_str().unwrap_or_default());
                        text.push_str(doc["name"].as_str().unwrap_or_default());
                        text.push('\n');
                    }
                    text
                }
            };
            scripts.push(RunScript {
                id: id.clone(),
                line: ins["start_line"].as_u64().unwrap_or_default(),
                text,
            });
        }
    }
    scripts
}

fn bash_accepts(script: &str) -> Option<bool> {
    Command::new("bash")
        .args(["-n", "-c", script])
        .output()
        .ok()
        .map(|o| o.status.success())
}

/// Every span in the tree lies inside the text, and words' raw text matches their span
/// when they come from the top-level text.
struct SpanCheck<'t> {
    text: &'t str,
    bad: Vec<Span>,
}

impl<'a> Visit<'a> for SpanCheck<'_> {
    fn visit_simple_command(&mut self, command: &'a dockwright_shell::SimpleCommand) {
        if command.span.end > self.text.len() || command.span.start > command.span.end {
            self.bad.push(command.span);
        }
        dockwright_shell::walk_simple_command(self, command);
    }
    fn visit_word(&mut self, word: &'a dockwright_shell::Word) {
        if word.span.end > self.text.len() || word.span.start > word.span.end {
            self.bad.push(word.span);
        }
        walk_word(self, word);
    }
}

fn check_spans(text: &str, script: &Script) -> Vec<Span> {
    let mut check = SpanCheck {
        text,
        bad: Vec::new(),
    };
    check.visit_list(&script.body);
    check.bad
}

#[test]
fn every_corpus_run_parses_as_bash_does() {
    let Some(shared) = shared_dir() else {
        println!("note: shared data not found; corpus test skipped");
        return;
    };
    let scripts = corpus_scripts(&shared);
    assert!(
        scripts.len() > 2000,
        "corpus has {} RUN scripts",
        scripts.len()
    );
    let have_bash = bash_accepts("true") == Some(true);
    // bash's verdicts, in parallel: one process per script is the slow part.
    let bash_verdicts: Vec<bool> = if have_bash {
        let workers = std::thread::available_parallelism().map_or(2, usize::from);
        let chunk = scripts.len().div_ceil(workers);
        std::thread::scope(|scope| {
            let handles: Vec<_> = scripts
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|s| bash_accepts(&s.text).unwrap_or(true))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("bash worker"))
                .collect()
        })
    } else {
        Vec::new()
    };
    let mut rejected = 0usize;
    let mut false_rejects = Vec::new();
    let mut false_accepts = Vec::new();
    let mut commands = 0usize;
    let mut recognised = 0usize;
    for (i, s) in scripts.iter().enumerate() {
        let script = parse(&s.text, &ParseOptions::default());
        let bad = check_spans(&s.text, &script);
        assert!(
            bad.is_empty(),
            "{}:{}: spans outside the text: {bad:?}",
            s.id,
            s.line
        );
        let all = script.commands();
        commands += all.len();
        recognised += all.iter().filter(|c| c.action != Action::Unknown).count();
        let ours = script.errors.is_empty();
        if !ours {
            rejected += 1;
        }
        let Some(&bash) = bash_verdicts.get(i) else {
            continue;
        };
        if bash && !ours {
            false_rejects.push(format!("{}:{}: {:?}", s.id, s.line, script.errors[0]));
        } else if !bash && ours {
            false_accepts.push(format!("{}:{}", s.id, s.line));
        }
    }
    println!(
        "corpus: {} RUN scripts, {} parse without error, {} rejected; {} simple commands, {} recognised",
        scripts.len(),
        scripts.len() - rejected,
        rejected,
        commands,
        recognised
    );
    if have_bash {
        println!(
            "against bash -n: {} accepted by bash but rejected here, {} rejected by bash but accepted here",
            false_rejects.len(),
            false_accepts.len()
        );
    } else {
        println!("note: bash not found; agreement with bash -n not checked");
    }
    assert!(
        false_rejects.is_empty(),
        "rejected scripts bash accepts:\n{}",
        false_rejects.join("\n")
    );
    assert!(
        false_accepts.is_empty(),
        "accepted scripts bash rejects:\n{}",
        false_accepts.join("\n")
    );
}

/// A broken construct does not hide the commands after it: the PowerShell RUNs of the corpus
/// (Windows images) are rejected, yet their later commands are still found.
#[test]
fn broken_scripts_keep_their_other_commands() {
    let script = parse(
        "Write-Host ('Downloading {0} ...' -f $env:URL); Invoke-WebRequest -Uri $env:URL -OutFile x.zip; apt-get install -y curl",
        &ParseOptions::default(),
    );
    assert!(!script.errors.is_empty());
    let names: Vec<_> = script
        .commands()
        .iter()
        .filter_map(|c| c.program_name())
        .collect();
    assert_eq!(names, ["Write-Host", "Invoke-WebRequest", "apt-get"]);
}
