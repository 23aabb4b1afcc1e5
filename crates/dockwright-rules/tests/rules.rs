//! Every rule against its fixture: `tests/fixtures/<CODE>.Dockerfile` holds cases, each
//! linted as its own Dockerfile with only that rule selected; the diagnostics, fixes and
//! fixed text are compared with an insta snapshot (`INSTA_UPDATE=always cargo test -p
//! dockwright-rules --test rules` writes new ones; review them with `git diff` or
//! `cargo insta review`).
//!
//! Fixture format:
//!
//! ```text
//! ### bad: what the case shows        <- a case; "bad" cases must be flagged,
//! #| trusted-registries = ["x.io"]    <- optional settings lines (.dockwright.toml syntax)
//! FROM ...                            <- the Dockerfile
//! ### ok: what must not be flagged    <- "ok" cases must not be
//! ```
//!
//! A case that needs a build context lists its files in `#>` lines after the header (and any
//! `#|` lines): `#> path: content` (`\n` for a newline), `#> path: <N bytes>` for a file of
//! N zero bytes, `#> dir/` for an empty directory, `#> .` for an empty context. The case is
//! then linted with that directory as its context (`--context`); without `#>` lines, with
//! none.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::Path;

use dockwright_rules::{
    ContextCache, ContextRequest, FixMode, Linter, Options, Settings, apply_fixes, config, registry,
};

struct Case {
    title: String,
    options: String,
    /// Build context entries (`#>` lines), as written.
    files: Vec<String>,
    source: String,
}

fn cases(text: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(title) = line.strip_prefix("### ") {
            cases.push(Case {
                title: title.trim().to_string(),
                options: String::new(),
                files: Vec::new(),
                source: String::new(),
            });
            continue;
        }
        let Some(case) = cases.last_mut() else {
            continue;
        };
        if let Some(option) = line.strip_prefix("#|")
            && case.source.is_empty()
        {
            case.options.push_str(option.trim());
            case.options.push('\n');
            continue;
        }
        if let Some(file) = line.strip_prefix("#>")
            && case.source.is_empty()
        {
            case.files.push(file.trim().to_string());
            continue;
        }
        case.source.push_str(line);
    }
    cases
}

fn linter(code: &str, extra: &str) -> Linter {
    let base = Options {
        select: Some(vec![code.to_string()]),
        ..Options::default()
    };
    let extra = config::parse_dockwright(extra).unwrap_or_else(|e| panic!("case settings: {e}"));
    let settings = Settings::from_options(base.merge(extra)).unwrap();
    Linter::new(settings).with_shellcheck(false)
}

/// Writes a case's context entries into `dir`.
fn write_context(dir: &Path, files: &[String]) {
    for entry in files {
        if entry == "." {
            continue;
        }
        if let Some(sub) = entry.strip_suffix('/') {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
            continue;
        }
        let (path, content) = entry
            .split_once(": ")
            .unwrap_or_else(|| panic!("context entry `{entry}`: expected `path: content`"));
        let bytes = match content
            .strip_prefix('<')
            .and_then(|c| c.strip_suffix(" bytes>"))
        {
            Some(n) => vec![0u8; n.parse().unwrap()],
            None => content.replace("\\n", "\n").into_bytes(),
        };
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn render_case(code: &str, case: &Case) -> String {
    let linter = linter(code, &case.options);
    let dir = tempfile::tempdir().unwrap();
    let request = (!case.files.is_empty()).then(|| {
        write_context(dir.path(), &case.files);
        ContextRequest::given(
            dir.path().to_path_buf(),
            None,
            std::sync::Arc::new(ContextCache::new()),
        )
    });
    let report = linter.lint_in_context("Dockerfile", &case.source, request.as_ref());
    let mut out = format!("### {}\n", case.title);
    for option in case.options.lines() {
        let _ = writeln!(out, "#| {option}");
    }
    for file in &case.files {
        let _ = writeln!(out, "#> {file}");
    }
    for (i, line) in case.source.lines().enumerate() {
        let _ = writeln!(out, "{:>3} | {line}", i + 1);
    }
    for d in &report.diagnostics {
        let _ = writeln!(
            out,
            "{}:{}-{}:{} {} {} [{}]: {}",
            d.line, d.column, d.end_line, d.end_column, d.code, d.name, d.severity, d.message
        );
        if let Some(fix) = &d.fix {
            let applicability = match fix.applicability {
                dockwright_rules::Applicability::Safe => "safe",
                dockwright_rules::Applicability::Unsafe => "unsafe",
            };
            let _ = writeln!(out, "  fix ({applicability}): {}", fix.message);
        }
    }
    let is_bad = case.title.starts_with("bad");
    let is_ok = case.title.starts_with("ok");
    assert!(
        is_bad || is_ok,
        "{code}: case titles start with `bad` or `ok`: {}",
        case.title
    );
    assert!(
        !is_bad || !report.diagnostics.is_empty(),
        "{code}: `{}` is not flagged",
        case.title
    );
    assert!(
        !is_ok || report.diagnostics.is_empty(),
        "{code}: `{}` is flagged: {:?}",
        case.title,
        report
            .diagnostics
            .iter()
            .map(|d| &d.message)
            .collect::<Vec<_>>()
    );
    let safe = apply_fixes(&case.source, &report.diagnostics, FixMode::Safe);
    let all = apply_fixes(&case.source, &report.diagnostics, FixMode::Unsafe);
    for (label, fixed) in [("safe", &safe.text), ("unsafe", &all.text)] {
        if *fixed == case.source || (label == "unsafe" && all.text == safe.text) {
            continue;
        }
        assert!(
            dockwright_syntax::parse(fixed).is_ok(),
            "{code}: `{}`: the {label} fixes give a file that does not parse:\n{fixed}",
            case.title
        );
        let _ = writeln!(out, "--- after {label} fixes:");
        for line in fixed.lines() {
            let _ = writeln!(out, "    | {line}");
        }
    }
    out
}

#[test]
fn rule_fixtures() {
    insta::glob!("fixtures/*.Dockerfile", |path| {
        let code = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        assert!(
            !registry::lookup(&code).is_empty(),
            "{}: no rule has code {code}",
            path.display()
        );
        let text = std::fs::read_to_string(path).unwrap();
        let cases = cases(&text);
        assert!(
            cases.iter().any(|c| c.title.starts_with("bad"))
                && cases.iter().any(|c| c.title.starts_with("ok")),
            "{code}: a fixture needs at least one `bad` and one `ok` case"
        );
        let report: Vec<String> = cases.iter().map(|c| render_case(&code, c)).collect();
        insta::assert_snapshot!(report.join("\n"));
    });
}

#[test]
fn every_rule_has_a_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let missing: Vec<&str> = registry::infos()
        .map(|i| i.code)
        .filter(|code| !dir.join(format!("{code}.Dockerfile")).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "rules without tests/fixtures/CODE.Dockerfile: {missing:?}"
    );
}
