//! Builds a tiny busybox-based project with the real builder, twice, and checks what the
//! builder crate reads from it: the steps and their cache outcomes, the image's size, layers and
//! configuration, the export, and the cleanup.
//!
//! Needs buildah and the local base image `localhost/busybox` (made by
//! `tests/support/base-images.sh busybox`); skips with a note when either is missing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use std::path::Path;

use dockwright_build::touch::touch;
use dockwright_build::{
    BuildRequest, Builder, BuilderChoice, BuilderKind, ExportFormat, StepOutcome,
};

const BASE: &str = "localhost/busybox:latest";

fn builder_or_skip() -> Option<Builder> {
    let builder = match Builder::detect(BuilderChoice::Only(BuilderKind::Buildah), None) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("note: skipping the buildah integration test: {e}");
            return None;
        }
    };
    if !builder.image_exists(BASE) {
        eprintln!(
            "note: skipping the buildah integration test: no {BASE} image \
             (make it with tests/support/base-images.sh busybox)"
        );
        return None;
    }
    Some(builder)
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn outcomes(run: &dockwright_build::BuildRun) -> Vec<(String, StepOutcome)> {
    run.log
        .steps
        .iter()
        .map(|s| (s.keyword(), s.outcome))
        .collect()
}

#[test]
fn builds_twice_and_sees_what_the_cache_reused() {
    let Some(builder) = builder_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path();
    write(ctx, "deps.txt", "dependency list\n");
    write(ctx, "app.txt", "application source\n");
    write(
        ctx,
        "Dockerfile",
        &format!(
            "FROM {BASE}\nWORKDIR /app\nCOPY deps.txt .\nRUN cat deps.txt > installed.txt\n\
             COPY . .\nRUN wc -c app.txt > size.txt\nENV GREETING=\"hello there\"\n\
             EXPOSE 8080/tcp\nUSER nobody\nCMD [\"cat\", \"/app/size.txt\"]\n"
        ),
    );
    let tag = builder.image_name(&format!("dockwright-build-test-{}", std::process::id()));
    let request = BuildRequest {
        dockerfile: ctx.join("Dockerfile"),
        context: ctx.to_path_buf(),
        tag: tag.clone(),
        no_cache: true,
        build_args: vec![],
        cache_ttl: None,
    };
    let mut made = Vec::new();
    let mut lines = 0;
    let cold = builder
        .build(&request, &mut |_, _| lines += 1)
        .expect("cold build");
    made.extend(cold.log.made_images());
    assert!(lines > 10, "the output was streamed ({lines} lines)");
    assert!(cold.seconds > 0.0);
    let built = StepOutcome::Built;
    assert_eq!(
        outcomes(&cold),
        [
            ("FROM".to_string(), StepOutcome::Base),
            ("WORKDIR".to_string(), built),
            ("COPY".to_string(), built),
            ("RUN".to_string(), built),
            ("COPY".to_string(), built),
            ("RUN".to_string(), built),
            ("ENV".to_string(), built),
            ("EXPOSE".to_string(), built),
            ("USER".to_string(), built),
            ("CMD".to_string(), built),
        ],
        "a --no-cache build runs every step"
    );
    let image_id = cold.log.image_id.clone().expect("the final image id");

    let facts = builder.inspect(&tag).expect("inspect");
    assert!(
        facts.id.starts_with(&image_id[..12]),
        "{} vs {image_id}",
        facts.id
    );
    let base = builder.inspect(BASE).expect("inspect the base");
    assert_eq!(
        facts.layers,
        base.layers + 4,
        "one layer per COPY and RUN on top of the base"
    );
    assert!(facts.size > base.size);
    assert_eq!(
        facts.config.cmd,
        Some(vec!["cat".to_string(), "/app/size.txt".to_string()])
    );
    assert_eq!(facts.config.workdir, "/app");
    assert_eq!(facts.config.exposed_ports, ["8080/tcp"]);
    assert_eq!(facts.config.user, "nobody");
    assert_eq!(
        facts.config.env_map().get("GREETING").map(String::as_str),
        Some("hello there")
    );

    // Editing the application source: everything up to `COPY . .` comes from cache.
    let edited = touch(&ctx.join("app.txt")).unwrap();
    let warm = BuildRequest {
        no_cache: false,
        ..request.clone()
    };
    let rebuilt = builder.build(&warm, &mut |_, _| {}).expect("rebuild");
    edited.restore().unwrap();
    made.splice(0..0, rebuilt.log.made_images());
    let cached = StepOutcome::Cached;
    assert_eq!(
        outcomes(&rebuilt)
            .into_iter()
            .map(|(_, o)| o)
            .collect::<Vec<_>>(),
        [
            StepOutcome::Base,
            cached,
            cached,
            cached,
            built,
            built,
            built,
            built,
            built,
            built
        ],
        "the edit invalidates `COPY . .` and what follows, nothing before"
    );

    // With the edit undone (content and mtime), the first build's layers match again.
    let again = builder.build(&warm, &mut |_, _| {}).expect("third build");
    made.splice(0..0, again.log.made_images());
    assert!(
        again
            .log
            .steps
            .iter()
            .all(|s| s.outcome != StepOutcome::Built),
        "restored sources rebuild nothing: {:?}",
        outcomes(&again)
    );

    // The export is a docker archive that dockwright's image analysis can read.
    let archive = ctx.join("image.tar");
    let reference = builder
        .export(&tag, &ExportFormat::DockerArchive, &archive)
        .expect("export");
    assert_eq!(reference, format!("docker-archive:{}", archive.display()));
    let listing = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&archive)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(listing.lines().any(|l| l == "manifest.json"), "{listing}");
    let layout = ctx.join("layout");
    builder
        .export(&tag, &ExportFormat::OciLayout, &layout)
        .expect("export as an OCI layout");
    assert!(layout.join("index.json").is_file());

    // Cleanup removes the tag and every image the builds made, and nothing else.
    let mut all = vec![tag.clone()];
    all.extend(made.iter().cloned());
    let failures = builder.remove_images(&all);
    assert!(failures.is_empty(), "{failures:?}");
    assert!(!builder.image_exists(&tag));
    for id in &made {
        assert!(!builder.image_exists(id), "{id} is left");
    }
    assert!(builder.image_exists(BASE), "the base image stays");
}

#[test]
fn a_failing_build_reports_the_builder_output() {
    let Some(builder) = builder_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path();
    write(
        ctx,
        "Dockerfile",
        &format!("FROM {BASE}\nRUN echo preparing > /step1\nRUN echo about to fail && exit 3\n"),
    );
    let tag = builder.image_name(&format!("dockwright-build-fail-{}", std::process::id()));
    let request = BuildRequest {
        dockerfile: ctx.join("Dockerfile"),
        context: ctx.to_path_buf(),
        tag: tag.clone(),
        no_cache: true,
        build_args: vec![],
        cache_ttl: None,
    };
    let err = builder.build(&request, &mut |_, _| {}).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("Dockerfile"), "{message}");
    assert!(message.contains("about to fail"), "{message}");
    if let dockwright_build::BuildError::BuildFailed { made_images, .. } = &err {
        assert_eq!(
            made_images.len(),
            1,
            "the first RUN's image: {made_images:?}"
        );
        assert!(builder.remove_images(made_images).is_empty());
    } else {
        panic!("expected BuildFailed, got {err:?}");
    }
    assert!(!builder.image_exists(&tag));
}
