//! Snapshots of the model for realistic RUN scripts (`tests/fixtures/*.sh`).
//!
//! Each snapshot lists every simple command (nested ones included) with the options in
//! effect, the program, its wrappers and the recognised action; every span is shown with the
//! text it covers, so a wrong span is visible in review. Raw option lists are left out to
//! keep the snapshots readable (they are covered by unit tests).

use dockwright_shell::{ParseOptions, Script, ShellOptions, parse};
use serde_json::{Value, json};

fn annotate(text: &str, value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("options");
            if let Some(Value::Object(script)) = map.get_mut("script") {
                let n = script
                    .get("body")
                    .map_or(0, |b| b.as_array().map_or(0, Vec::len));
                map.insert(
                    "script".into(),
                    json!(format!("<nested script, {n} items>")),
                );
            }
            for v in map.values_mut() {
                annotate(text, v);
            }
        }
        Value::Array(items) => {
            for v in items {
                annotate(text, v);
            }
        }
        // Spans are serialised as "start..end": show the text they cover.
        Value::String(s) if is_span(s) => *s = show_span(text, s),
        _ => {}
    }
}

fn is_span(s: &str) -> bool {
    s.split_once("..").is_some_and(|(a, b)| {
        !a.is_empty() && !b.is_empty() && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
    })
}

fn show_span(text: &str, span: &str) -> String {
    let Some((a, b)) = span.split_once("..") else {
        return span.to_string();
    };
    let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) else {
        return span.to_string();
    };
    format!("{span} {:?}", text.get(a..b).unwrap_or("<out of range>"))
}

fn outline(text: &str, script: &Script) -> Value {
    let commands: Vec<Value> = script
        .commands()
        .iter()
        .map(|c| {
            let mut action = serde_json::to_value(&c.action).expect("serialise");
            annotate(text, &mut action);
            let mut entry = json!({
                "command": show_span(text, &c.span.to_string()),
            });
            if c.options != ShellOptions::default() {
                entry["options"] = serde_json::to_value(c.options).expect("serialise");
            }
            if let Some(p) = &c.program {
                entry["program"] = json!(p.name);
                if !p.wrappers.is_empty() {
                    entry["wrappers"] =
                        json!(p.wrappers.iter().map(|w| &w.name).collect::<Vec<_>>());
                }
            }
            if action != json!({"action": "unknown"}) {
                entry["action"] = action;
            }
            let heredocs: Vec<Value> = c
                .redirections
                .iter()
                .filter_map(|r| r.heredoc.as_ref())
                .map(|h| {
                    json!({
                        "delimiter": h.delimiter,
                        "quoted": h.quoted,
                        "body": show_span(text, &h.body_span.to_string()),
                        "terminated": h.terminated,
                    })
                })
                .collect();
            if !heredocs.is_empty() {
                entry["heredocs"] = json!(heredocs);
            }
            entry
        })
        .collect();
    let pipes: Vec<Value> = script
        .pipelines()
        .iter()
        .filter(|p| p.has_pipe())
        .map(|p| {
            json!({
                "pipeline": show_span(text, &p.span.to_string()),
                "options": serde_json::to_value(p.options).expect("serialise"),
            })
        })
        .collect();
    let errors: Vec<Value> = script
        .errors
        .iter()
        .map(|e| json!({"message": e.message, "at": show_span(text, &e.span.to_string())}))
        .collect();
    let mut out = json!({ "commands": commands });
    if !pipes.is_empty() {
        out["pipes"] = json!(pipes);
    }
    if !errors.is_empty() {
        out["errors"] = json!(errors);
    }
    out
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}.sh", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

macro_rules! fixture_snapshot {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let text = fixture(stringify!($name));
            let script = parse(&text, &ParseOptions::default());
            insta::assert_yaml_snapshot!(stringify!($name), outline(&text, &script));
        }
    )*};
}

fixture_snapshot!(
    debian_apt,
    alpine_virtual,
    node_install,
    download_verify,
    remote_scripts,
    nested_shells,
    users_permissions,
    rpm_family,
    python_tools,
    compiled,
    control_flow,
    heredocs,
    broken,
);

/// `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`: pipelines start with pipefail on, and a
/// nested `sh -c` starts without it.
#[test]
fn shell_instruction_options() {
    let text = "curl -fsSL https://example.org/key | gpg --dearmor > /k.gpg && sh -c 'a | b'";
    let options = ParseOptions {
        shell_options: ShellOptions::from_shell_arguments(&["-o", "pipefail", "-c"]),
        ..ParseOptions::default()
    };
    let script = parse(text, &options);
    insta::assert_yaml_snapshot!("shell_instruction_options", outline(text, &script));
}

/// The whole model, serialised as the JSON output will show it.
#[test]
fn full_model_json() {
    let text =
        "set -e; DEBIAN_FRONTEND=noninteractive apt-get install -y \"curl\" 2>/dev/null | tee log";
    let script = parse(text, &ParseOptions::default());
    insta::assert_json_snapshot!("full_model_json", script);
}
