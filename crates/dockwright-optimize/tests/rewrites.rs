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
