//! The rewrites of the bench projects (examples/bench) as snapshots, and the rewrite's
//! stability: its output parses and optimizing it again changes nothing.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use dockwright_optimize::{OptimizeInput, OptimizeOptions, optimize};
use proptest::prelude::*;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/bench")
}

fn run(dir: &Path, source: &str, buildkit: bool) -> dockwright_optimize::Optimized {
    optimize(
        &OptimizeInput {
            source,
            context: Some(dir),
            dockerfile: Some(&dir.join("Dockerfile")),
        },
        &OptimizeOptions { buildkit },
    )
    .unwrap()
}

fn snapshot(project: &str) {
    let dir = examples().join(project);
    let source = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    let result = run(&dir, &source, false);
    insta::assert_snapshot!(format!("{project}-dockerfile"), result.dockerfile);
    let changes: Vec<String> = result
        .changes
        .iter()
        .map(|c| format!("{:?}: {} | {}", c.kind, c.summary, c.effect))
        .chain(
            result
                .proposals
                .iter()
                .map(|p| format!("proposed: {} | {}", p.summary, p.reason)),
        )
        .collect();
    insta::assert_snapshot!(format!("{project}-changes"), changes.join("\n"));
    // Stable: the output, optimized again, is unchanged.
    let again = run(&dir, &result.dockerfile, false);
    assert_eq!(again.dockerfile, result.dockerfile, "{project}: not stable");
}

#[test]
fn go_service() {
    snapshot("go-service");
}

#[test]
fn python_cext() {
    snapshot("python-cext");
}

#[test]
fn node_next() {
    snapshot("node-next");
}

#[test]
fn rust_service() {
    snapshot("rust-service");
}

#[test]
fn java_maven() {
    snapshot("java-maven");
}

#[test]
fn ml_cuda() {
    snapshot("ml-cuda");
}

#[test]
fn buildkit_cache_mounts() {
    let dir = examples().join("python-cext");
    let source = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    let result = run(&dir, &source, true);
    insta::assert_snapshot!(result.dockerfile);
    assert!(
        result
            .dockerfile
            .starts_with("# syntax=docker/dockerfile:1\n")
    );
    assert_eq!(
        run(&dir, &result.dockerfile, true).dockerfile,
        result.dockerfile
    );
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The rewrite of a fixture project (other distributions and package managers), its changes
/// with the lint rules they answer, and its stability.
fn fixture_snapshot(project: &str, buildkit: bool) -> dockwright_optimize::Optimized {
    let dir = fixtures().join(project);
    let source = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    let result = run(&dir, &source, buildkit);
    let name = if buildkit {
        format!("{project}-buildkit")
    } else {
        project.to_string()
    };
    let changes: Vec<String> = result
        .changes
        .iter()
        .map(|c| {
            let rules: Vec<String> = c.rules.iter().map(|r| r.code.clone()).collect();
            format!(
                "{:?} {:?} [{}]: {} | {}",
                c.kind,
                c.lines,
                rules.join(" "),
                c.summary,
                c.effect
            )
        })
        .chain(
            result
                .proposals
                .iter()
                .map(|p| format!("proposed: {} | {}", p.summary, p.reason)),
        )
        .collect();
    insta::assert_snapshot!(
        format!("{name}-fixture"),
        format!("{}\n---\n{}", result.dockerfile, changes.join("\n"))
    );
    dockwright_syntax::parse(&result.dockerfile).unwrap();
    let again = run(&dir, &result.dockerfile, buildkit);
    assert_eq!(again.dockerfile, result.dockerfile, "{name}: not stable");
    if buildkit {
        assert_eq!(
            result
                .dockerfile
                .matches("# syntax=docker/dockerfile:1")
                .count(),
            1
        );
    }
    result
}

#[test]
fn alpine_apk_no_cache() {
    for buildkit in [false, true] {
        let r = fixture_snapshot("alpine", buildkit);
        assert!(
            r.dockerfile.contains("apk add --no-cache"),
            "{}",
            r.dockerfile
        );
        let hygiene = r
            .changes
            .iter()
            .find(|c| c.kind == dockwright_optimize::ChangeKind::PackageHygiene)
            .unwrap();
        assert_eq!(hygiene.lines, vec![3]);
        assert!(hygiene.rules.iter().any(|r| r.code == "DW2102"));
    }
}

#[test]
fn fedora_dnf_yes_and_clean() {
    for buildkit in [false, true] {
        let r = fixture_snapshot("fedora", buildkit);
        assert!(r.dockerfile.contains("dnf install -y"), "{}", r.dockerfile);
        assert!(
            r.dockerfile.contains("&& dnf clean all"),
            "{}",
            r.dockerfile
        );
    }
}

#[test]
fn ubi_microdnf_clean() {
    for buildkit in [false, true] {
        let r = fixture_snapshot("ubi", buildkit);
        assert!(
            r.dockerfile.contains("&& microdnf clean all"),
            "{}",
            r.dockerfile
        );
    }
}

#[test]
fn centos_yum_yes_and_clean() {
    for buildkit in [false, true] {
        let r = fixture_snapshot("centos", buildkit);
        assert!(
            r.dockerfile.contains("yum install -y httpd"),
            "{}",
            r.dockerfile
        );
        assert_eq!(r.dockerfile.matches("yum clean all").count(), 1);
    }
}

#[test]
fn opensuse_zypper_non_interactive_and_clean() {
    for buildkit in [false, true] {
        let r = fixture_snapshot("opensuse", buildkit);
        assert!(
            r.dockerfile.contains("zypper clean --all"),
            "{}",
            r.dockerfile
        );
    }
}

#[test]
fn node_npm_cache() {
    let plain = fixture_snapshot("node", false);
    assert!(plain.dockerfile.contains("&& npm cache clean --force"));
    let buildkit = fixture_snapshot("node", true);
    assert!(
        buildkit
            .dockerfile
            .contains("RUN --mount=type=cache,target=/root/.npm npm ci"),
        "{}",
        buildkit.dockerfile
    );
    assert!(!buildkit.dockerfile.contains("npm cache clean"));
}

#[test]
fn python_pip_cache() {
    let plain = fixture_snapshot("python", false);
    assert!(plain.dockerfile.contains("pip install --no-cache-dir"));
    let buildkit = fixture_snapshot("python", true);
    assert!(
        buildkit
            .dockerfile
            .contains("RUN --mount=type=cache,target=/root/.cache/pip pip install -r"),
        "{}",
        buildkit.dockerfile
    );
    assert!(!buildkit.dockerfile.contains("--no-cache-dir"));
}

#[test]
fn pip_no_cache_dir_variable_is_respected() {
    let source = "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n";
    for buildkit in [false, true] {
        let result = optimize(
            &OptimizeInput {
                source,
                context: None,
                dockerfile: None,
            },
            &OptimizeOptions { buildkit },
        )
        .unwrap();
        assert!(!result.dockerfile.contains("--no-cache-dir"));
        assert!(!result.dockerfile.contains("--mount"));
    }
}

#[test]
fn builder_stage_caches_are_left_alone() {
    // Only the image's layers matter: a builder stage's pip cache stays (bench projects
    // rely on it being untouched).
    let source = "FROM python:3.12 AS build\nRUN pip install flask\nFROM python:3.12-slim\nCOPY --from=build /usr/local/lib /usr/local/lib\n";
    let result = optimize(
        &OptimizeInput {
            source,
            context: None,
            dockerfile: None,
        },
        &OptimizeOptions::default(),
    )
    .unwrap();
    assert!(
        !result.dockerfile.contains("--no-cache-dir"),
        "{}",
        result.dockerfile
    );
}

#[test]
fn single_stage_hygiene_and_exec_form() {
    let source = "FROM debian:12\n# tools\nRUN apt-get update\nRUN apt-get install -y curl\nLABEL a=b\nCMD python3 app.py\n";
    let result = optimize(
        &OptimizeInput {
            source,
            context: None,
            dockerfile: None,
        },
        &OptimizeOptions::default(),
    )
    .unwrap();
    insta::assert_snapshot!(result.dockerfile);
    assert!(!result.proposals.is_empty(), "non-root user is proposed");
}

/// Instructions a single-stage Dockerfile is made of, in random order and number.
const PIECES: &[&str] = &[
    "RUN apt-get update\n",
    "RUN apt-get install -y python3 python3-dev gcc\n",
    "RUN apt-get update && apt-get install -y curl\n",
    "WORKDIR /app\n",
    "COPY requirements.txt .\n",
    "COPY . .\n",
    "RUN pip install -r requirements.txt\n",
    "RUN npm ci\n",
    "RUN go mod download\n",
    "RUN go build -o /usr/local/bin/app ./cmd/app\n",
    "RUN make\n",
    "ENV A=1\n",
    "# a comment\n",
    "LABEL org.example=x\n",
    "USER 1000\n",
    "EXPOSE 80\n",
    "CMD python3 app.py\n",
    "ENTRYPOINT [\"/usr/local/bin/app\"]\n",
];

proptest! {
    #[test]
    fn output_parses_and_is_stable(picks in proptest::collection::vec(0..PIECES.len(), 1..10), buildkit: bool) {
        let mut source = String::from("FROM debian:12\n");
        for i in picks {
            source.push_str(PIECES[i]);
        }
        let options = OptimizeOptions { buildkit };
        let input = OptimizeInput { source: &source, context: None, dockerfile: None };
        let first = optimize(&input, &options).unwrap();
        prop_assert!(dockwright_syntax::parse(&first.dockerfile).is_ok());
        let again = optimize(
            &OptimizeInput { source: &first.dockerfile, context: None, dockerfile: None },
            &options,
        ).unwrap();
        prop_assert_eq!(&again.dockerfile, &first.dockerfile, "input:\n{}", source);
    }
}

/// Bases and instructions of other distributions and package managers.
const OTHER_BASES: &[&str] = &[
    "FROM alpine:3.20\n",
    "FROM fedora:40\n",
    "FROM registry.access.redhat.com/ubi9/ubi-minimal\n",
    "FROM centos:7\n",
    "FROM opensuse/leap:15.6\n",
    "FROM node:20\n",
    "FROM python:3.12\n",
];

const OTHER_PIECES: &[&str] = &[
    "RUN apk update\n",
    "RUN apk add curl\n",
    "RUN apk update && apk add --virtual .b gcc && rm -rf /var/cache/apk/*\n",
    "RUN dnf install python3\n",
    "RUN dnf -y install gcc && dnf clean all\n",
    "RUN microdnf install -y tar\n",
    "RUN yum install -y httpd\n",
    "RUN zypper install curl\n",
    "RUN zypper -n in tar && zypper clean -a\n",
    "RUN pip install flask\n",
    "RUN pip install --no-cache-dir -r requirements.txt\n",
    "RUN npm ci\n",
    "RUN npm install -g pnpm\n",
    "RUN yarn install --frozen-lockfile\n",
    "RUN go build ./...\n",
    "WORKDIR /app\n",
    "COPY . .\n",
    "USER 1000\n",
    "ENV PIP_NO_CACHE_DIR=1\n",
    "CMD python3 app.py\n",
    "FROM alpine:3.20\n",
];

proptest! {
    #[test]
    fn other_managers_output_parses_and_is_stable(
        base in 0..OTHER_BASES.len(),
        picks in proptest::collection::vec(0..OTHER_PIECES.len(), 1..10),
        buildkit: bool,
    ) {
        let mut source = String::from(OTHER_BASES[base]);
        for i in picks {
            source.push_str(OTHER_PIECES[i]);
        }
        let options = OptimizeOptions { buildkit };
        let input = OptimizeInput { source: &source, context: None, dockerfile: None };
        let first = optimize(&input, &options).unwrap();
        prop_assert!(dockwright_syntax::parse(&first.dockerfile).is_ok());
        let again = optimize(
            &OptimizeInput { source: &first.dockerfile, context: None, dockerfile: None },
            &options,
        ).unwrap();
        prop_assert_eq!(&again.dockerfile, &first.dockerfile, "input:\n{}", source);
    }
}

#[test]
fn chown_after_copy_is_proposed() {
    let source = "FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN chown -R app:app /app\nUSER app\nCMD [\"./run\"]\n";
    let result = optimize(
        &OptimizeInput {
            source,
            context: None,
            dockerfile: None,
        },
        &OptimizeOptions::default(),
    )
    .unwrap();
    assert_eq!(result.dockerfile, source);
    assert!(
        result
            .proposals
            .iter()
            .any(|p| p.summary.starts_with("COPY --chown=app:app on line 3")),
        "{:?}",
        result.proposals
    );
}

#[test]
fn no_split_when_the_runtime_program_would_be_missing() {
    // The build installs the program the image runs; nothing shows where it all went.
    let source = "FROM debian:12\nENV APP_HOME=/opt/app\nWORKDIR /opt/app\nRUN apt-get update && apt-get install -y gcc make curl\nRUN curl -fsSL https://example.com/app.tgz | tar -xz && ./configure --prefix=/opt/app && make install\nCMD [\"app.sh\", \"run\"]\n";
    let result = optimize(
        &OptimizeInput {
            source,
            context: None,
            dockerfile: None,
        },
        &OptimizeOptions::default(),
    )
    .unwrap();
    assert!(
        !result.dockerfile.contains("AS build"),
        "{}",
        result.dockerfile
    );
    assert!(
        result
            .proposals
            .iter()
            .any(|p| p.summary.starts_with("split the final stage")),
        "{:?}",
        result.proposals
    );
}

#[test]
fn cache_mounts_only_for_roots_caches() {
    // Another user, or a home or cache directory moved by a variable: the cache is not
    // under /root, so a mount there would not catch it.
    for source in [
        "FROM python:3.12-slim\nUSER 1000\nRUN pip install flask\n",
        "FROM python:3.12-slim\nENV HOME=/home/app\nRUN pip install flask\n",
        "FROM node:20\nENV XDG_CACHE_HOME=/cache\nRUN go build ./...\n",
    ] {
        let result = optimize(
            &OptimizeInput {
                source,
                context: None,
                dockerfile: None,
            },
            &OptimizeOptions { buildkit: true },
        )
        .unwrap();
        assert!(
            !result.dockerfile.contains("--mount"),
            "{}",
            result.dockerfile
        );
    }
}

#[test]
fn apk_no_cache_in_a_builder_stage_too() {
    let source = "FROM alpine:3.20 AS build\nRUN apk update && apk add gcc musl-dev\nRUN gcc -o /hello hello.c\nFROM alpine:3.20\nCOPY --from=build /hello /hello\nCMD [\"/hello\"]\n";
    let result = optimize(
        &OptimizeInput {
            source,
            context: None,
            dockerfile: None,
        },
        &OptimizeOptions::default(),
    )
    .unwrap();
    assert!(
        result
            .dockerfile
            .contains("RUN apk add --no-cache gcc musl-dev\n"),
        "{}",
        result.dockerfile
    );
    let change = result
        .changes
        .iter()
        .find(|c| c.kind == dockwright_optimize::ChangeKind::PackageHygiene)
        .unwrap();
    assert_eq!(change.lines, vec![2]);
    assert!(change.effect.contains("build stage"), "{}", change.effect);
}

#[test]
fn a_change_of_a_continued_run_lists_its_lines_and_findings() {
    let source = "FROM alpine:3.20\nRUN apk update \\\n && apk add curl\nCMD [\"curl\"]\n";
    let result = optimize(
        &OptimizeInput {
            source,
            context: None,
            dockerfile: None,
        },
        &OptimizeOptions::default(),
    )
    .unwrap();
    assert!(
        result.dockerfile.contains("RUN apk add --no-cache curl\n"),
        "{}",
        result.dockerfile
    );
    let change = result
        .changes
        .iter()
        .find(|c| c.kind == dockwright_optimize::ChangeKind::PackageHygiene)
        .unwrap();
    assert_eq!(change.lines, vec![2, 3]);
    assert!(
        change
            .rules
            .iter()
            .any(|r| r.code == "DW2102" && r.line == 3)
    );
}

#[test]
fn go_modules_and_cargo_registry_are_mounted_on_every_run_of_a_build_stage() {
    let source = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go vet ./...\nRUN go build -o /app .\nFROM rust:1.80 AS rust\nRUN cargo install ripgrep\nRUN cargo --version\nFROM debian:12\nCOPY --from=build /app /app\nCOPY --from=rust /usr/local/cargo/bin/rg /usr/local/bin/rg\nCMD [\"/app\"]\n";
    let result = optimize(
        &OptimizeInput {
            source,
            context: None,
            dockerfile: None,
        },
        &OptimizeOptions { buildkit: true },
    )
    .unwrap();
    let text = &result.dockerfile;
    // The golang images set GOPATH=/go, the rust images CARGO_HOME=/usr/local/cargo.
    let go_runs: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("RUN") && l.contains(" go "))
        .collect();
    assert_eq!(go_runs.len(), 3, "{text}");
    let target = |l: &str| {
        l.split_whitespace()
            .find(|w| w.contains("pkg/mod"))
            .map(str::to_string)
    };
    let first = target(go_runs[0]);
    assert_eq!(
        first.as_deref(),
        Some("--mount=type=cache,target=/go/pkg/mod"),
        "{text}"
    );
    assert!(go_runs.iter().all(|l| target(l) == first), "{text}");
    let cargo_runs: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("RUN") && l.contains("cargo "))
        .collect();
    assert!(
        cargo_runs
            .iter()
            .all(|l| l.contains("--mount=type=cache,target=/usr/local/cargo/registry ")),
        "{text}"
    );
    assert_eq!(
        run_again(text, true),
        *text,
        "optimizing again changes nothing"
    );
}

fn run_again(source: &str, buildkit: bool) -> String {
    optimize(
        &OptimizeInput {
            source,
            context: None,
            dockerfile: None,
        },
        &OptimizeOptions { buildkit },
    )
    .unwrap()
    .dockerfile
}

#[test]
fn mounts_go_after_the_run_keyword_however_it_is_written() {
    for (source, expected) in [
        (
            "FROM python:3.12\n  run pip install flask\n",
            "  run --mount=type=cache,target=/root/.cache/pip pip install flask\n",
        ),
        (
            "FROM python:3.12\nRUN <<EOT\npip install flask\nEOT\n",
            "RUN --mount=type=cache,target=/root/.cache/pip <<EOT\npip install flask\nEOT\n",
        ),
    ] {
        let text = run_again(source, true);
        assert!(text.contains(expected), "{text}");
        assert_eq!(run_again(&text, true), text);
    }
}
