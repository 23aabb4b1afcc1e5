//! Reading a builder's progress output: which Dockerfile steps ran, which came from cache, and
//! which images the build committed.
//!
//! Three dialects are understood:
//! - **buildah and podman** (`bud --layers`): `[2/3] STEP 4/9: RUN make` starts a step,
//!   `--> Using cache FULLID` marks it cached, `--> SHORTID` names the image committed for it,
//!   `COMMIT name` then a 64-hex line close the build;
//! - **BuildKit** (`docker build --progress=plain`): `#7 [build 3/5] RUN make` opens vertex 7,
//!   `#7 CACHED` marks it cached, `#7 DONE 1.2s` marks it run, `writing image sha256:…` names the
//!   result; vertices may interleave;
//! - **the legacy docker builder** (`DOCKER_BUILDKIT=0`): `Step 3/9 : RUN make`,
//!   ` ---> Using cache`, ` ---> 3f2a1b`, `Successfully built 3f2a1b`.
//!
//! The reader is fed one line at a time while the build runs, so a progress display can show
//! the current step.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

/// Which output format a builder writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogDialect {
    /// buildah and podman.
    Buildah,
    /// docker with BuildKit, `--progress=plain`.
    BuildKit,
    /// docker's classic builder.
    DockerLegacy,
}

/// What the builder did for one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepOutcome {
    /// A `FROM`: the base is used as it is.
    Base,
    /// Taken from the layer cache.
    Cached,
    /// Executed (or, for metadata instructions, committed anew).
    Built,
}

/// One Dockerfile step as the builder reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildStep {
    /// The stage (1-based) when the builder numbers stages (buildah with several stages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<u32>,
    /// The stage's name as BuildKit prints it (`build`, `stage-1`), when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_name: Option<String>,
    /// The step number (1-based) within its stage, or within the build for the legacy builder.
    pub index: u32,
    /// How many steps the stage (or build) has.
    pub total: u32,
    /// The instruction as the builder printed it (variables may be expanded).
    pub instruction: String,
    /// Whether it was cached, built, or a base.
    pub outcome: StepOutcome,
}

impl BuildStep {
    /// The instruction keyword, upper-case (`RUN`, `COPY`).
    pub fn keyword(&self) -> String {
        self.instruction
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase()
    }

    /// Whether the step touches the filesystem (its result is a layer): RUN, COPY, ADD.
    pub fn makes_layer(&self) -> bool {
        matches!(self.keyword().as_str(), "RUN" | "COPY" | "ADD")
    }
}

/// What a whole build log said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParsedLog {
    /// Every step, in the order the builder started them.
    pub steps: Vec<BuildStep>,
    /// Images the build committed along the way (buildah/podman intermediate images, short
    /// ids), oldest first, without duplicates. Images reused from cache and the final image are
    /// not among them: removing these undoes exactly what the build added.
    pub intermediate_images: Vec<String>,
    /// The id of the final image, when the builder printed it.
    pub image_id: Option<String>,
}

impl ParsedLog {
    /// Every image the build made (the final one, then the intermediate ones), newest first:
    /// the order in which to remove them.
    pub fn made_images(&self) -> Vec<String> {
        self.image_id
            .iter()
            .cloned()
            .chain(self.intermediate_images.iter().rev().cloned())
            .collect()
    }
}

/// Reads a build log line by line.
#[derive(Debug)]
pub struct LogReader {
    dialect: LogDialect,
    parsed: ParsedLog,
    /// BuildKit vertex number → index into `steps`.
    vertices: BTreeMap<u32, usize>,
    /// The last lines seen, for error messages.
    tail: VecDeque<String>,
    /// The image the current step reused from cache: the id line after it is not a new image.
    reused: Option<String>,
}

/// How many lines of output an error message keeps.
const TAIL_LINES: usize = 30;

impl LogReader {
    /// A reader for one build's output.
    pub fn new(dialect: LogDialect) -> LogReader {
        LogReader {
            dialect,
            parsed: ParsedLog::default(),
            vertices: BTreeMap::new(),
            tail: VecDeque::with_capacity(TAIL_LINES),
            reused: None,
        }
    }

    /// Reads one line (without its newline). Returns the step it starts, if it starts one.
    pub fn push_line(&mut self, line: &str) -> Option<&BuildStep> {
        let line = line.trim_end_matches('\r');
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
        }
        self.tail.push_back(line.to_string());
        // docker falls back to its legacy builder when BuildKit is off; its output says which.
        if self.dialect == LogDialect::BuildKit
            && self.parsed.steps.is_empty()
            && line.starts_with("Step ")
            && line.contains(" : ")
        {
            self.dialect = LogDialect::DockerLegacy;
        }
        let started = match self.dialect {
            LogDialect::Buildah => self.buildah_line(line),
            LogDialect::BuildKit => self.buildkit_line(line),
            LogDialect::DockerLegacy => self.legacy_line(line),
        };
        if started {
            self.parsed.steps.last()
        } else {
            None
        }
    }

    /// The last lines of output seen.
    pub fn tail(&self) -> Vec<String> {
        self.tail.iter().cloned().collect()
    }

    /// The steps read so far.
    pub fn steps(&self) -> &[BuildStep] {
        &self.parsed.steps
    }

    /// Ends the log.
    pub fn finish(mut self) -> ParsedLog {
        if let Some(id) = &self.parsed.image_id {
            self.parsed
                .intermediate_images
                .retain(|i| !same_image(i, id));
        }
        self.parsed
    }

    fn start_step(&mut self, step: BuildStep) {
        self.parsed.steps.push(step);
    }

    fn current_mut(&mut self) -> Option<&mut BuildStep> {
        self.parsed.steps.last_mut()
    }

    fn remember_image(&mut self, id: &str) {
        if self.reused.take().is_some_and(|r| same_image(&r, id)) {
            return;
        }
        if self
            .current_mut()
            .is_some_and(|s| s.outcome == StepOutcome::Base)
        {
            // The id printed after a FROM is the base image's (legacy builder): not ours.
            return;
        }
        if !self
            .parsed
            .intermediate_images
            .iter()
            .any(|i| same_image(i, id))
        {
            self.parsed.intermediate_images.push(id.to_string());
        }
    }

    fn buildah_line(&mut self, line: &str) -> bool {
        // `[2/3] STEP 4/9: RUN make` or `STEP 4/9: RUN make`.
        let (stage, rest) = match split_bracketed_fraction(line) {
            Some((k, n, rest)) => (Some((k, n)), rest.trim_start()),
            None => (None, line),
        };
        if let Some(after) = rest.strip_prefix("STEP ")
            && let Some((fraction, instruction)) = after.split_once(": ")
            && let Some((index, total)) = parse_fraction(fraction)
        {
            let outcome = if keyword_is(instruction, "FROM") {
                StepOutcome::Base
            } else {
                StepOutcome::Built
            };
            self.start_step(BuildStep {
                stage: stage.map(|(k, _)| k),
                stage_name: None,
                index,
                total,
                instruction: instruction.to_string(),
                outcome,
            });
            return true;
        }
        if let Some(marker) = line.strip_prefix("--> ") {
            let marker = marker.trim();
            if let Some(id) = marker.strip_prefix("Using cache ") {
                let id = id.trim();
                if is_hex(id) {
                    if let Some(step) = self.current_mut() {
                        step.outcome = StepOutcome::Cached;
                    }
                    self.reused = Some(id.to_string());
                }
            } else if is_hex(marker) {
                self.remember_image(marker);
            }
            return false;
        }
        // The last line of a successful build is the full id of the image.
        if line.len() == 64 && is_hex(line) {
            self.parsed.image_id = Some(line.to_string());
        }
        false
    }

    fn buildkit_line(&mut self, line: &str) -> bool {
        let Some(rest) = line.strip_prefix('#') else {
            return false;
        };
        let Some((number, rest)) = rest.split_once(' ') else {
            return false;
        };
        let Ok(vertex) = number.parse::<u32>() else {
            return false;
        };
        if let Some(inner) = rest.strip_prefix('[')
            && let Some((label, instruction)) = inner.split_once("] ")
        {
            // `[build 3/5]`, `[2/4]`; `[internal] ...` and `[auth] ...` are not steps.
            let (name, fraction) = match label.rsplit_once(' ') {
                Some((name, fraction)) => (Some(name), fraction),
                None => (None, label),
            };
            if let Some((index, total)) = parse_fraction(fraction) {
                if self.vertices.contains_key(&vertex) {
                    return false;
                }
                let outcome = if keyword_is(instruction, "FROM") {
                    StepOutcome::Base
                } else {
                    StepOutcome::Built
                };
                self.vertices.insert(vertex, self.parsed.steps.len());
                self.start_step(BuildStep {
                    stage: None,
                    stage_name: name.map(str::to_string),
                    index,
                    total,
                    instruction: instruction.to_string(),
                    outcome,
                });
                return true;
            }
            return false;
        }
        let rest = rest.trim();
        if rest == "CACHED" {
            if let Some(&i) = self.vertices.get(&vertex)
                && let Some(step) = self.parsed.steps.get_mut(i)
                && step.outcome != StepOutcome::Base
            {
                step.outcome = StepOutcome::Cached;
            }
        } else if let Some(image) = rest.strip_prefix("writing image ") {
            let id = image.split_whitespace().next().unwrap_or("");
            let id = id.strip_prefix("sha256:").unwrap_or(id);
            if is_hex(id) {
                self.parsed.image_id = Some(id.to_string());
            }
        }
        false
    }

    fn legacy_line(&mut self, line: &str) -> bool {
        if let Some(after) = line.strip_prefix("Step ")
            && let Some((fraction, instruction)) = after.split_once(" : ")
            && let Some((index, total)) = parse_fraction(fraction.trim())
        {
            let outcome = if keyword_is(instruction, "FROM") {
                StepOutcome::Base
            } else {
                StepOutcome::Built
            };
            self.start_step(BuildStep {
                stage: None,
                stage_name: None,
                index,
                total,
                instruction: instruction.to_string(),
                outcome,
            });
            return true;
        }
        let trimmed = line.trim();
        if let Some(marker) = trimmed.strip_prefix("---> ") {
            let marker = marker.trim();
            if marker == "Using cache" {
                if let Some(step) = self.current_mut()
                    && step.outcome != StepOutcome::Base
                {
                    step.outcome = StepOutcome::Cached;
                    // The id line that follows names the reused image.
                    self.reused = Some(String::new());
                }
            } else if self.reused.as_deref() == Some("") {
                self.reused = None;
            } else if is_hex(marker) {
                self.remember_image(marker);
            }
        } else if let Some(id) = trimmed.strip_prefix("Successfully built ")
            && is_hex(id.trim())
        {
            self.parsed.image_id = Some(id.trim().to_string());
        }
        false
    }
}

/// Reads a whole log at once.
pub fn parse_log(dialect: LogDialect, text: &str) -> ParsedLog {
    let mut reader = LogReader::new(dialect);
    for line in text.lines() {
        reader.push_line(line);
    }
    reader.finish()
}

/// Whether two ids (short or full) name the same image.
pub fn same_image(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    !short.is_empty() && long.starts_with(short)
}

fn keyword_is(instruction: &str, keyword: &str) -> bool {
    instruction
        .split_whitespace()
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case(keyword))
}

fn is_hex(s: &str) -> bool {
    s.len() >= 6 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn parse_fraction(s: &str) -> Option<(u32, u32)> {
    let (k, n) = s.split_once('/')?;
    let k = k.parse().ok()?;
    let n = n.parse().ok()?;
    (k >= 1 && k <= n).then_some((k, n))
}

/// `[2/3] rest` → (2, 3, rest).
fn split_bracketed_fraction(line: &str) -> Option<(u32, u32, &str)> {
    let inner = line.strip_prefix('[')?;
    let (fraction, rest) = inner.split_once(']')?;
    let (k, n) = parse_fraction(fraction)?;
    Some((k, n, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buildah_single_stage_marks_cached_steps() {
        let log = "STEP 1/3: FROM localhost/busybox\n\
                   STEP 2/3: COPY a.txt .\n\
                   --> Using cache 578a8ade7a734ef627cf6de46e9064eddd99dbc3382f0b229a8f13717148e31a\n\
                   --> 578a8ade7a7\n\
                   STEP 3/3: RUN wc -c a.txt\n\
                   5 a.txt\n\
                   COMMIT x\n\
                   --> 0619b7c2748\n\
                   Successfully tagged localhost/x:latest\n\
                   0619b7c27486104d4203c0b09e62c657eb625ef770efb67aaf769d33d926614c\n";
        let parsed = parse_log(LogDialect::Buildah, log);
        let outcomes: Vec<_> = parsed.steps.iter().map(|s| s.outcome).collect();
        assert_eq!(
            outcomes,
            [StepOutcome::Base, StepOutcome::Cached, StepOutcome::Built]
        );
        assert_eq!(parsed.steps[2].stage, None);
        assert_eq!(
            parsed.image_id.as_deref(),
            Some("0619b7c27486104d4203c0b09e62c657eb625ef770efb67aaf769d33d926614c")
        );
        // Neither the reused image nor the final one is an image this build added.
        assert!(parsed.intermediate_images.is_empty());
    }

    #[test]
    fn run_output_that_looks_like_a_marker_is_not_one() {
        let log = "STEP 1/2: FROM b\nSTEP 2/2: RUN echo '--> Using cache nothex'\n--> Using cache nothex\n";
        let parsed = parse_log(LogDialect::Buildah, log);
        assert_eq!(parsed.steps[1].outcome, StepOutcome::Built);
    }

    #[test]
    fn buildkit_vertices_may_interleave() {
        let log = "#1 [internal] load build definition from Dockerfile\n\
                   #1 DONE 0.0s\n\
                   #4 [build 1/3] FROM docker.io/library/golang:1.22\n\
                   #5 [stage-1 2/2] COPY --from=build /out /out\n\
                   #6 [build 2/3] COPY go.mod .\n\
                   #6 CACHED\n\
                   #7 [build 3/3] RUN go build -o /out/app .\n\
                   #7 0.512 compiling\n\
                   #7 DONE 3.2s\n\
                   #5 DONE 0.1s\n\
                   #8 exporting to image\n\
                   #8 writing image sha256:3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70 done\n";
        let parsed = parse_log(LogDialect::BuildKit, log);
        let summary: Vec<_> = parsed
            .steps
            .iter()
            .map(|s| (s.stage_name.as_deref().unwrap_or(""), s.index, s.outcome))
            .collect();
        assert_eq!(
            summary,
            [
                ("build", 1, StepOutcome::Base),
                ("stage-1", 2, StepOutcome::Built),
                ("build", 2, StepOutcome::Cached),
                ("build", 3, StepOutcome::Built),
            ]
        );
        assert!(
            parsed
                .image_id
                .as_deref()
                .is_some_and(|id| id.starts_with("3f2a1b"))
        );
    }

    #[test]
    fn legacy_docker_builder() {
        let log = "Step 1/3 : FROM busybox\n ---> 9211bbaa0dbd\nStep 2/3 : COPY a .\n ---> Using cache\n ---> 5e1f0b2c3d4a\nStep 3/3 : RUN true\n ---> Running in 0a1b2c3d4e5f\nRemoving intermediate container 0a1b2c3d4e5f\n ---> 77aa88bb99cc\nSuccessfully built 77aa88bb99cc\n";
        let parsed = parse_log(LogDialect::DockerLegacy, log);
        let outcomes: Vec<_> = parsed.steps.iter().map(|s| s.outcome).collect();
        assert_eq!(
            outcomes,
            [StepOutcome::Base, StepOutcome::Cached, StepOutcome::Built]
        );
        assert_eq!(parsed.image_id.as_deref(), Some("77aa88bb99cc"));
        // Not the base (after FROM), not the reused one (after Using cache).
        assert_eq!(parsed.intermediate_images, Vec::<String>::new());
    }

    #[test]
    fn same_image_compares_prefixes() {
        assert!(same_image("578a8ade7a7", "578a8ade7a734ef6"));
        assert!(!same_image("578a8ade7a8", "578a8ade7a734ef6"));
        assert!(!same_image("", "578a"));
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        let mut r = LogReader::new(LogDialect::Buildah);
        for i in 0..100 {
            r.push_line(&format!("line {i}"));
        }
        let tail = r.tail();
        assert_eq!(tail.len(), TAIL_LINES);
        assert_eq!(tail.last().map(String::as_str), Some("line 99"));
    }
}
