//! `dockwright debug expand`, through the binary, as the conformance runner calls it.

use std::process::{Command, Output};

fn dockwright(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockwright"))
        .args(args)
        .output()
        .expect("run dockwright")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {:?} / stderr {:?}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn process_word_prints_value() {
    let out = dockwright(&[
        "debug",
        "expand",
        "--env=PWD=/home",
        "--env=NULL=",
        "--",
        "he${PWD:-x}${NULL:-y}'$z'",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["value"], "he/homey$z");
    assert!(v.get("words").is_none());
}

#[test]
fn process_words_prints_fields() {
    let out = dockwright(&[
        "debug",
        "expand",
        "--env",
        "space=abc  def",
        "--words",
        "--",
        "hello${space}bye \"a  b\"",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(
        v["words"],
        serde_json::json!(["helloabc", "defbye", "a  b"])
    );
    assert!(v.get("value").is_none());
}

#[test]
fn lexer_errors_print_json_and_exit_1() {
    let out = dockwright(&["debug", "expand", "--", "he${PWD:-x"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(
        v["error"],
        "failed to process \"he${PWD:-x\": syntax error: missing '}'"
    );
    assert_eq!(v["offset"], 2);
    let out = dockwright(&["debug", "expand", "--words", "--", "hello\" there"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["ok"], false);
}

#[test]
fn variables_not_given_are_unset_and_bare_names_are_empty() {
    let out = dockwright(&[
        "debug",
        "expand",
        "--env",
        "E",
        "--",
        "${E-unset}|${U-unset}|${E:?}",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        json(&out)["error"]
            .as_str()
            .unwrap()
            .ends_with("E: is not allowed to be empty")
    );
    let out = dockwright(&[
        "debug",
        "expand",
        "--env",
        "E",
        "--",
        "${E-unset}|${U-unset}",
    ]);
    assert_eq!(json(&out)["value"], "|unset");
}

#[test]
fn escape_character_option() {
    let out = dockwright(&[
        "debug",
        "expand",
        "--escape",
        "`",
        "--env=V=v",
        "--",
        "C:\\dir\\$V`$V",
    ]);
    assert_eq!(json(&out)["value"], "C:\\dir\\v$V");
    let out = dockwright(&["debug", "expand", "--escape", "ab", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exactly one character"));
}

#[test]
fn words_starting_with_dashes_after_double_dash() {
    let out = dockwright(&["debug", "expand", "--", "--flag=$X"]);
    assert_eq!(json(&out)["value"], "--flag=");
}

#[test]
fn output_shape() {
    let out = dockwright(&[
        "debug",
        "expand",
        "--env=A=a b",
        "--words",
        "--",
        "x${A}\"${B:-$A}\"",
    ]);
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}
