//! Running a real builder: buildah (the default: no daemon, works unprivileged with the vfs
//! storage driver and chroot isolation), podman, or docker.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

use serde::Serialize;

use crate::error::BuildError;
use crate::inspect::{ImageFacts, parse_buildah_inspect, parse_engine_inspect};
use crate::log::{BuildStep, LogDialect, LogReader, ParsedLog};

/// The builder programs dockwright can drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BuilderKind {
    /// buildah (`bud --layers`).
    Buildah,
    /// podman (`build --layers`), same output as buildah.
    Podman,
    /// docker (BuildKit with `--progress=plain`, or the legacy builder).
    Docker,
}

impl BuilderKind {
    /// The program name.
    pub fn program(self) -> &'static str {
        match self {
            BuilderKind::Buildah => "buildah",
            BuilderKind::Podman => "podman",
            BuilderKind::Docker => "docker",
        }
    }

    fn dialect(self) -> LogDialect {
        match self {
            BuilderKind::Buildah | BuilderKind::Podman => LogDialect::Buildah,
            BuilderKind::Docker => LogDialect::BuildKit,
        }
    }
}

/// Which builder to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuilderChoice {
    /// buildah when it is installed, else podman, else docker, each only when it works.
    Auto,
    /// This one, or an error saying why not.
    Only(BuilderKind),
}

/// Where a built image is written for analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportFormat {
    /// A `docker save` tarball (`docker-archive:PATH`).
    DockerArchive,
    /// An OCI image layout directory (`oci:DIR`).
    OciLayout,
}

/// A build to run.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// The Dockerfile.
    pub dockerfile: PathBuf,
    /// The build context directory.
    pub context: PathBuf,
    /// The name to tag the result with.
    pub tag: String,
    /// Ignore the layer cache (a cold build); the layers it makes still fill the cache.
    pub no_cache: bool,
    /// `--build-arg NAME=VALUE`s.
    pub build_args: Vec<(String, String)>,
    /// Consider only cached images younger than this (buildah and podman `--cache-ttl`). When
    /// several images hold the same step, buildah reuses the first it finds, often an older
    /// one from another build whose later steps differ; limiting the age to this run keeps the
    /// rebuild on the layers the cold build made. Docker's BuildKit has no such ambiguity and
    /// ignores it.
    pub cache_ttl: Option<std::time::Duration>,
}

/// A finished build.
#[derive(Debug, Clone, Serialize)]
pub struct BuildRun {
    /// Wall-clock seconds from start to exit.
    pub seconds: f64,
    /// What the builder's output said.
    pub log: ParsedLog,
}

/// A builder that was found and works.
#[derive(Debug, Clone)]
pub struct Builder {
    kind: BuilderKind,
    program: OsString,
    version: String,
    storage_driver: Option<String>,
    isolation: String,
}

/// What the builder is, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuilderInfo {
    /// buildah, podman or docker.
    pub kind: BuilderKind,
    /// Its version line.
    pub version: String,
    /// The storage driver passed to it (buildah, podman), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_driver: Option<String>,
}

/// The storage driver dockwright gives buildah unless told otherwise: vfs works everywhere,
/// without fuse or overlay mounts.
pub const DEFAULT_BUILDAH_STORAGE_DRIVER: &str = "vfs";

impl Builder {
    /// Finds a working builder.
    ///
    /// `storage_driver` is passed to buildah and podman; for buildah it defaults to
    /// `$STORAGE_DRIVER`, else [`DEFAULT_BUILDAH_STORAGE_DRIVER`]. buildah runs with
    /// `--isolation $BUILDAH_ISOLATION` (default `chroot`, which needs no user namespaces).
    pub fn detect(
        choice: BuilderChoice,
        storage_driver: Option<String>,
    ) -> Result<Builder, BuildError> {
        let candidates: Vec<BuilderKind> = match choice {
            BuilderChoice::Auto => vec![
                BuilderKind::Buildah,
                BuilderKind::Podman,
                BuilderKind::Docker,
            ],
            BuilderChoice::Only(kind) => vec![kind],
        };
        let mut tried = Vec::new();
        for kind in candidates {
            match Builder::probe(kind, storage_driver.clone()) {
                Ok(builder) => return Ok(builder),
                Err(reason) => tried.push(format!("{} ({reason})", kind.program())),
            }
        }
        match choice {
            BuilderChoice::Only(kind) => Err(BuildError::Unusable {
                builder: kind.program().to_string(),
                reason: tried.join("; "),
            }),
            BuilderChoice::Auto => Err(BuildError::NoBuilder {
                tried: tried.join("; "),
            }),
        }
    }

    fn probe(kind: BuilderKind, storage_driver: Option<String>) -> Result<Builder, String> {
        let program = OsString::from(kind.program());
        let storage_driver = match kind {
            BuilderKind::Buildah => Some(
                storage_driver
                    .or_else(|| {
                        std::env::var("STORAGE_DRIVER")
                            .ok()
                            .filter(|s| !s.is_empty())
                    })
                    .unwrap_or_else(|| DEFAULT_BUILDAH_STORAGE_DRIVER.to_string()),
            ),
            BuilderKind::Podman => storage_driver,
            BuilderKind::Docker => None,
        };
        let version = run_capture(Command::new(&program).arg("--version"))
            .map_err(|e| match e {
                BuildError::Spawn { source, .. }
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    "not installed".to_string()
                }
                other => other.to_string(),
            })?
            .trim()
            .to_string();
        let builder = Builder {
            kind,
            program,
            version,
            storage_driver,
            isolation: std::env::var("BUILDAH_ISOLATION")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "chroot".to_string()),
        };
        // A client without its daemon (docker) or without working storage answers --version
        // but cannot build: ask it something that needs the engine.
        let mut check = builder.command();
        match kind {
            BuilderKind::Buildah => check.args(["images", "--quiet"]),
            BuilderKind::Podman | BuilderKind::Docker => {
                check.args(["info", "--format", "{{json .}}"])
            }
        };
        run_capture(&mut check).map_err(|e| first_line(&e.to_string()))?;
        Ok(builder)
    }

    /// Which builder this is.
    pub fn kind(&self) -> BuilderKind {
        self.kind
    }

    /// What the builder is, for reports.
    pub fn info(&self) -> BuilderInfo {
        BuilderInfo {
            kind: self.kind,
            version: self.version.clone(),
            storage_driver: self.storage_driver.clone(),
        }
    }

    /// The name to give an image so that it is unique to one run: buildah and podman put
    /// unqualified names under `localhost/`; docker would read `localhost/` as a registry.
    pub fn image_name(&self, name: &str) -> String {
        match self.kind {
            BuilderKind::Buildah | BuilderKind::Podman => format!("localhost/{name}:latest"),
            BuilderKind::Docker => format!("{name}:latest"),
        }
    }

    /// The program with its global options.
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        if let Some(driver) = &self.storage_driver {
            cmd.arg("--storage-driver").arg(driver);
        }
        cmd
    }

    /// Builds, passing every output line (and the step it starts, if any) to `on_line` as it
    /// comes, and times the build.
    pub fn build(
        &self,
        request: &BuildRequest,
        on_line: &mut dyn FnMut(&str, Option<&BuildStep>),
    ) -> Result<BuildRun, BuildError> {
        let mut cmd = self.command();
        match self.kind {
            BuilderKind::Buildah => {
                cmd.args(["bud", "--isolation", &self.isolation, "--layers"]);
            }
            BuilderKind::Podman => {
                cmd.args(["build", "--layers"]);
            }
            BuilderKind::Docker => {
                cmd.env("DOCKER_BUILDKIT", "1");
                cmd.args(["build", "--progress=plain"]);
            }
        }
        // A failed step leaves its container behind unless told otherwise, and that container
        // holds the images the cleanup must remove.
        cmd.arg("--force-rm");
        if request.no_cache {
            cmd.arg("--no-cache");
        }
        if let (Some(ttl), BuilderKind::Buildah | BuilderKind::Podman) =
            (request.cache_ttl, self.kind)
        {
            cmd.arg(format!("--cache-ttl={}s", ttl.as_secs().max(1)));
        }
        for (name, value) in &request.build_args {
            cmd.arg("--build-arg").arg(format!("{name}={value}"));
        }
        cmd.arg("-f")
            .arg(&request.dockerfile)
            .arg("-t")
            .arg(&request.tag)
            .arg(&request.context);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = cmd.spawn().map_err(|source| BuildError::Spawn {
            program: self.kind.program().to_string(),
            source,
        })?;
        let (tx, rx) = mpsc::channel::<String>();
        let readers: Vec<_> = [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        .map(|stream| {
            let tx = tx.clone();
            thread::spawn(move || forward_lines(stream, &tx))
        })
        .collect();
        drop(tx);
        let mut reader = LogReader::new(self.kind.dialect());
        for line in rx {
            let step = reader.push_line(&line).cloned();
            on_line(&line, step.as_ref());
        }
        for r in readers {
            let _ = r.join();
        }
        let status = child.wait().map_err(|source| BuildError::Spawn {
            program: self.kind.program().to_string(),
            source,
        })?;
        let seconds = started.elapsed().as_secs_f64();
        if !status.success() {
            let tail = reader.tail().join("\n");
            return Err(BuildError::BuildFailed {
                dockerfile: request.dockerfile.clone(),
                status: status
                    .code()
                    .map_or_else(|| "killed".to_string(), |c| c.to_string()),
                tail,
                made_images: reader.finish().made_images(),
            });
        }
        Ok(BuildRun {
            seconds,
            log: reader.finish(),
        })
    }

    /// Size, layers and configuration of an image.
    pub fn inspect(&self, image: &str) -> Result<ImageFacts, BuildError> {
        let mut cmd = self.command();
        match self.kind {
            BuilderKind::Buildah => cmd.args(["inspect", "--type", "image", image]),
            BuilderKind::Podman | BuilderKind::Docker => cmd.args(["image", "inspect", image]),
        };
        let json = run_capture(&mut cmd)?;
        match self.kind {
            BuilderKind::Buildah => parse_buildah_inspect(&json),
            BuilderKind::Podman | BuilderKind::Docker => parse_engine_inspect(&json),
        }
    }

    /// Writes an image where dockwright's image analysis can read it, and returns the
    /// reference to give `dockwright image` (`docker-archive:PATH`, `oci:DIR`).
    pub fn export(
        &self,
        image: &str,
        format: &ExportFormat,
        dest: &Path,
    ) -> Result<String, BuildError> {
        let dest_text = dest.display().to_string();
        if dest.exists() {
            let removed = if dest.is_dir() {
                std::fs::remove_dir_all(dest)
            } else {
                std::fs::remove_file(dest)
            };
            removed.map_err(|e| BuildError::io(dest, e))?;
        }
        let (scheme, podman_format) = match format {
            ExportFormat::DockerArchive => ("docker-archive", "docker-archive"),
            ExportFormat::OciLayout => ("oci", "oci-dir"),
        };
        let mut cmd = self.command();
        match (self.kind, format) {
            (BuilderKind::Buildah, ExportFormat::DockerArchive) => {
                // A docker archive records the image's name; give it the one it has.
                cmd.args(["push", "--quiet", image])
                    .arg(format!("docker-archive:{dest_text}:{image}"));
            }
            (BuilderKind::Buildah, ExportFormat::OciLayout) => {
                cmd.args(["push", "--quiet", image])
                    .arg(format!("oci:{dest_text}"));
            }
            (BuilderKind::Podman, _) => {
                cmd.args(["save", "--format", podman_format, "-o"])
                    .arg(dest)
                    .arg(image);
            }
            (BuilderKind::Docker, ExportFormat::DockerArchive) => {
                cmd.args(["save", "-o"]).arg(dest).arg(image);
            }
            (BuilderKind::Docker, ExportFormat::OciLayout) => {
                return Err(BuildError::Unusable {
                    builder: "docker".into(),
                    reason: "`docker save` writes docker archives only; export as docker-archive"
                        .into(),
                });
            }
        }
        run_capture(&mut cmd)?;
        Ok(format!("{scheme}:{dest_text}"))
    }

    /// Removes images (names or ids). Images already gone are not an error; the other
    /// failures are returned as messages, one per image.
    pub fn remove_images(&self, images: &[String]) -> Vec<String> {
        let mut failures = Vec::new();
        for image in images {
            let mut cmd = self.command();
            cmd.args(["rmi", image.as_str()]);
            if let Err(e) = run_capture(&mut cmd) {
                let text = e.to_string();
                let gone = [
                    "image not known",
                    "No such image",
                    "not found",
                    "no such image",
                ]
                .iter()
                .any(|m| text.contains(m));
                if !gone {
                    failures.push(format!("{image}: {}", first_line(&text)));
                }
            }
        }
        failures
    }

    /// Gives `image` (a name or id) the name `name`, taking it from any image that had it.
    pub fn tag(&self, image: &str, name: &str) -> Result<(), BuildError> {
        let mut cmd = self.command();
        cmd.args(["tag", image, name]);
        run_capture(&mut cmd).map(|_| ())
    }

    /// Whether an image of that name or id exists.
    pub fn image_exists(&self, image: &str) -> bool {
        let mut cmd = self.command();
        match self.kind {
            BuilderKind::Buildah => cmd.args(["inspect", "--type", "image", image]),
            BuilderKind::Podman | BuilderKind::Docker => cmd.args(["image", "inspect", image]),
        };
        run_capture(&mut cmd).is_ok()
    }
}

/// Sends every line of `stream` (decoded leniently) down `tx`.
fn forward_lines(stream: Box<dyn Read + Send>, tx: &mpsc::Sender<String>) {
    let mut reader = BufReader::new(stream);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    buf.pop();
                }
                if tx.send(String::from_utf8_lossy(&buf).into_owned()).is_err() {
                    return;
                }
            }
        }
    }
}

/// Runs a command to completion; its standard output on success, an error with its
/// standard error otherwise.
fn run_capture(cmd: &mut Command) -> Result<String, BuildError> {
    let line = format!(
        "{} {}",
        cmd.get_program().to_string_lossy(),
        cmd.get_args()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|source| BuildError::Spawn {
            program: cmd.get_program().to_string_lossy().into_owned(),
            source,
        })?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message = if stderr.trim().is_empty() {
            format!("exit status {}", output.status)
        } else {
            stderr.trim().to_string()
        };
        Err(BuildError::Command {
            command: line,
            message,
        })
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}
