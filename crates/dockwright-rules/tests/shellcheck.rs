//! ShellCheck on RUN scripts: findings land on the right Dockerfile line and column through
//! continuations, heredocs and exec-form `sh -c`; ARG/ENV names are known to ShellCheck;
//! non-POSIX shells are skipped; SC codes are selected and suppressed like rule codes.
//! Skipped (with a note) when `shellcheck` is not installed.

#![allow(clippy::unwrap_used)]

use dockwright_rules::{Diagnostic, Linter, Options, Settings, config, shellcheck};

fn lint(source: &str, extra: &str) -> Option<Vec<Diagnostic>> {
    if shellcheck::version().is_none() {
        eprintln!("note: shellcheck not installed; test skipped");
        return None;
    }
    let options = Options {
        select: Some(vec!["SC".into()]),
        ..Options::default()
    }
    .merge(config::parse_dockwright(extra).unwrap());
    let linter = Linter::new(Settings::from_options(options).unwrap());
    assert_eq!(
        linter.runs_shellcheck(),
        !extra.contains("shellcheck = false")
    );
    let report = linter.lint("Dockerfile", source);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    Some(report.diagnostics)
}

fn at<'d>(ds: &'d [Diagnostic], code: &str) -> Vec<&'d Diagnostic> {
    ds.iter().filter(|d| d.code == code).collect()
}

#[test]
fn findings_map_back_through_continuations() {
    let src =
        "FROM debian:12\nRUN echo start \\\n    # a comment\n\t&& echo $missing \\\n    && true\n";
    let Some(ds) = lint(src, "") else { return };
    let sc2086 = at(&ds, "SC2086");
    assert_eq!(sc2086.len(), 1, "{ds:?}");
    let d = sc2086[0];
    assert_eq!((d.line, d.column), (4, 10));
    assert_eq!(&src[d.start..d.end], "$missing");
    assert_eq!(d.severity, dockwright_rules::Severity::Info);
    assert_eq!(d.equivalents.hadolint.as_deref(), Some("SC2086"));
    assert_eq!(at(&ds, "SC2154").len(), 1, "missing is not an ARG or ENV");
}

#[test]
fn arg_and_env_names_are_known() {
    let src = "FROM debian:12\nARG VERSION\nENV HOME_DIR=/h\nRUN echo \"$VERSION $HOME_DIR $http_proxy\"\n";
    let Some(ds) = lint(src, "") else { return };
    assert!(at(&ds, "SC2154").is_empty(), "{ds:?}");
}

#[test]
fn heredocs_and_exec_form_scripts_are_checked() {
    let src = "FROM debian:12\nRUN <<EOF\nset -e\necho $a\nEOF\nRUN [\"sh\", \"-c\", \"echo $b\"]\nRUN [\"echo\", \"$c\"]\n";
    let Some(ds) = lint(src, "") else { return };
    let found: Vec<(usize, usize)> = at(&ds, "SC2086")
        .iter()
        .map(|d| (d.line, d.column))
        .collect();
    assert_eq!(found, [(4, 6), (6, 24)], "{ds:?}");
}

#[test]
fn non_posix_shells_are_skipped() {
    let src = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN echo $env:PATH | Out-Null\n";
    let Some(ds) = lint(src, "") else { return };
    assert!(ds.is_empty(), "{ds:?}");
    let pragma = "# hadolint shell=powershell\nFROM x\nRUN echo $x\n";
    assert!(lint(pragma, "").unwrap().is_empty());
}

#[test]
fn sc_codes_are_selected_suppressed_and_relevelled() {
    let src = "FROM debian:12\n# hadolint ignore=SC2154\nRUN echo $x\n";
    let Some(ds) = lint(src, "") else { return };
    assert!(at(&ds, "SC2154").is_empty());
    assert_eq!(at(&ds, "SC2086").len(), 1);
    let ds = lint(
        src,
        "ignore = [\"SC2086\"]\n[severity]\nSC2154 = \"error\"\n",
    )
    .unwrap();
    assert!(ds.is_empty(), "{ds:?}");
    let ds = lint("FROM x\nRUN echo $y\n", "[severity]\nSC2154 = \"error\"\n").unwrap();
    assert_eq!(
        at(&ds, "SC2154")[0].severity,
        dockwright_rules::Severity::Error
    );
    let ds = lint("FROM x\nRUN echo $y\n", "shellcheck = false\n").unwrap();
    assert!(ds.is_empty());
}
