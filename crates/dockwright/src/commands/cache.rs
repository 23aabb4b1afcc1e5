//! `dockwright cache`: which steps a change rebuilds, with BuildKit's cache rules (see
//! `dockwright_context::cache`): changed context paths (`--changed`, or everything git reports
//! since a revision with `--since`), changed build args and changed images.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use dockwright_context::cache::{
    CacheChanges, CacheContext, CachePrediction, CacheQuery, StepPrediction, build_arg_changes,
    git_changed_paths, predict,
};
use dockwright_context::plan::{BuildOptions, BuildPlan, StepOp};
use dockwright_context::{Dockerignore, ExcludedScan, WalkOptions, walk_context};

use crate::exit::Status;
use crate::terminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CacheFormat {
    /// The Dockerfile with rebuilt steps marked.
    Tty,
    /// The prediction as one JSON object.
    Json,
}

#[derive(Debug, Args)]
pub struct CacheArgs {
    /// The Dockerfile (default: CONTEXT/Dockerfile).
    #[arg(short = 'f', long = "file", value_name = "DOCKERFILE")]
    pub dockerfile: Option<PathBuf>,

    /// The build context directory.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub context: PathBuf,

    /// Changed, added or deleted paths (files or directories), relative to the context.
    #[arg(long, value_name = "PATH", num_args = 1.., action = clap::ArgAction::Append)]
    pub changed: Vec<String>,

    /// Take the changes from git: `git diff --name-only REV` plus untracked files, in the
    /// context; a Dockerfile or .dockerignore that changed since REV is compared with its
    /// version at REV.
    #[arg(long, value_name = "GIT_REV")]
    pub since: Option<String>,

    /// Build args of the build the cache holds (and of the new one, unless changed).
    #[arg(long = "build-arg", value_name = "K=V")]
    pub build_args: Vec<String>,

    /// A build arg whose value the new build changes.
    #[arg(long = "changed-arg", value_name = "K=V")]
    pub changed_args: Vec<String>,

    /// An image (as the Dockerfile names it after expansion) whose content changed: a base
    /// image or a `--from` image.
    #[arg(long = "changed-image", value_name = "REF")]
    pub changed_images: Vec<String>,

    /// The stage to build (default: the last).
    #[arg(long)]
    pub target: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CacheFormat::Tty)]
    pub format: CacheFormat,
}

/// `K=V`, or `K` alone for the value of the environment variable `K` (as `docker build`
/// does; left out when the variable is unset).
pub fn parse_build_args(args: &[String], flag: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for arg in args {
        match arg.split_once('=') {
            Some(("", _)) => {
                anyhow::bail!("{flag} {arg:?}: the name before '=' is empty")
            }
            Some((k, v)) => {
                out.insert(k.to_owned(), v.to_owned());
            }
            None => {
                if let Ok(v) = std::env::var(arg) {
                    out.insert(arg.clone(), v);
                }
            }
        }
    }
    Ok(out)
}

/// The content of `file` at git revision `rev`, or `None` when it did not exist there.
fn git_show(file: &Path, rev: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", &format!("{rev}:./{name}")])
        .output()
        .context("running git")?;
    Ok(out.status.success().then_some(out.stdout))
}

fn parse_dockerfile<'s>(
    path: &Path,
    source: &'s [u8],
) -> anyhow::Result<dockwright_syntax::Dockerfile<'s>> {
    dockwright_syntax::parse_bytes(source).map_err(|e| anyhow::anyhow!("{}:{e}", path.display()))
}

pub fn run(args: &CacheArgs) -> anyhow::Result<Status> {
    let dockerfile_path = args
        .dockerfile
        .clone()
        .unwrap_or_else(|| args.context.join("Dockerfile"));
    let source = std::fs::read(&dockerfile_path)
        .with_context(|| format!("{}: cannot read the Dockerfile", dockerfile_path.display()))?;
    if !args.context.is_dir() {
        anyhow::bail!("{}: no such context directory", args.context.display());
    }
    let doc = parse_dockerfile(&dockerfile_path, &source)?;

    let build_args = parse_build_args(&args.build_args, "--build-arg")?;
    let changed_args = parse_build_args(&args.changed_args, "--changed-arg")?;
    let before_options = BuildOptions {
        build_args: build_args.clone(),
        target: args.target.clone(),
    };
    let mut after_options = before_options.clone();
    after_options.build_args.extend(changed_args.clone());

    let rules = Dockerignore::load_for_build(&args.context, args.dockerfile.as_deref())?;
    let walk = walk_context(
        &args.context,
        &rules,
        WalkOptions {
            hash: false,
            excluded: ExcludedScan::Skip,
        },
    )?;

    let mut changed = args.changed.clone();
    let mut no_longer_sent = Vec::new();
    let mut old_source: Option<Vec<u8>> = None;
    let mut dockerfile_changed = false;
    if let Some(rev) = &args.since {
        changed.extend(git_changed_paths(&args.context, rev)?);
        match git_show(&dockerfile_path, rev)? {
            Some(old) if old != source => {
                dockerfile_changed = true;
                old_source = Some(old);
            }
            Some(_) => {}
            None => {
                dockerfile_changed = true;
                old_source = Some(Vec::new());
            }
        }
        if let Some(ignore_file) =
            dockwright_context::ignore_file_for_build(&args.context, args.dockerfile.as_deref())
        {
            let old = git_show(&ignore_file, rev)?.unwrap_or_default();
            let now = std::fs::read(&ignore_file).unwrap_or_default();
            if old != now {
                let old_rules = Dockerignore::parse(&old, Some(&ignore_file))?;
                let flipped = ignore_flips(&args.context, &old_rules, &rules)?;
                changed.extend(flipped.now_sent);
                no_longer_sent = flipped.no_longer_sent;
            }
        }
    }

    let after = BuildPlan::new(&doc, &after_options);
    let old_doc = match &old_source {
        Some(old) => Some(parse_dockerfile(&dockerfile_path, old).with_context(|| {
            format!(
                "the Dockerfile at {}",
                args.since.as_deref().unwrap_or_default()
            )
        })?),
        None => None,
    };
    let before = match &old_doc {
        Some(old) => BuildPlan::new(old, &before_options),
        None => BuildPlan::new(&doc, &before_options),
    };
    if let Some(target) = &args.target
        && after.target.is_none()
    {
        anyhow::bail!(
            "{}: target stage \"{target}\" could not be found",
            dockerfile_path.display()
        );
    }

    let mut prediction = predict(&CacheQuery {
        after: &after,
        before: &before,
        dockerfile_changed,
        changes: CacheChanges {
            paths: &changed,
            no_longer_sent: &no_longer_sent,
            images: &args.changed_images,
        },
        context: Some(CacheContext {
            walk: &walk,
            rules: &rules,
        }),
    })
    .with_context(|| format!("{}", dockerfile_path.display()))?;
    prediction.changed_args = build_arg_changes(&build_args, &changed_args);

    let text = match args.format {
        CacheFormat::Json => {
            let mut json = serde_json::to_string_pretty(&prediction)?;
            json.push('\n');
            json
        }
        CacheFormat::Tty => render_tty(
            &prediction,
            &source,
            &dockerfile_path.display().to_string(),
            terminal::stdout_has_color(),
        ),
    };
    let mut stdout = anstream::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(Status::Success)
}

/// Files whose ignore status differs between two rule sets.
struct IgnoreFlips {
    now_sent: Vec<String>,
    no_longer_sent: Vec<String>,
}

fn ignore_flips(
    context: &Path,
    old: &Dockerignore,
    new: &Dockerignore,
) -> anyhow::Result<IgnoreFlips> {
    let all = walk_context(
        context,
        &Dockerignore::empty(),
        WalkOptions {
            hash: false,
            excluded: ExcludedScan::Skip,
        },
    )?;
    let mut flips = IgnoreFlips {
        now_sent: Vec::new(),
        no_longer_sent: Vec::new(),
    };
    for entry in all.files() {
        let before = old.decide_in_walk(entry.path_bytes())?.excluded;
        let after = new.decide_in_walk(entry.path_bytes())?.excluded;
        match (before, after) {
            (true, false) => flips.now_sent.push(entry.path.clone()),
            (false, true) => flips.no_longer_sent.push(entry.path.clone()),
            _ => {}
        }
    }
    Ok(flips)
}

fn marker(step: &StepPrediction) -> &'static str {
    match (step.rebuilt, step.certain) {
        (true, true) => "●",
        (true, false) => "◐",
        _ if step.config_changed => "~",
        _ => " ",
    }
}

/// The terminal rendering: the Dockerfile with each rebuilt step marked and explained.
pub fn render_tty(
    prediction: &CachePrediction,
    source: &[u8],
    dockerfile: &str,
    color: bool,
) -> String {
    let text = String::from_utf8_lossy(source);
    let lines: Vec<&str> = text.lines().collect();
    let width = lines.len().to_string().len().max(2);
    let paint = |style: anstyle::Style, s: &str| -> String {
        if color {
            format!("{style}{s}{style:#}")
        } else {
            s.to_owned()
        }
    };
    let red = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let yellow = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Yellow.into()));
    let dim = anstyle::Style::new().dimmed();
    let bold = anstyle::Style::new().bold();

    let mut out = String::new();
    let _ = writeln!(out, "{}", paint(bold, &format!("Cache: {dockerfile}")));
    for change in &prediction.changed {
        let what = if !change.sent {
            match &change.ignored_by {
                Some(p) => format!(
                    "not sent: .dockerignore line {} ({}) excludes it",
                    p.line.map_or_else(|| "?".to_owned(), |l| l.to_string()),
                    p.pattern
                ),
                None => "not sent: the ignore file excludes it".to_owned(),
            }
        } else if change.used_by.is_empty() {
            "no step reads it".to_owned()
        } else {
            let lines: Vec<String> = change.used_by.iter().map(|l| l.to_string()).collect();
            format!("read by line {}", lines.join(", "))
        };
        let deleted = if change.deleted { " (deleted)" } else { "" };
        let path = if change.path.is_empty() {
            "."
        } else {
            &change.path
        };
        let _ = writeln!(out, "  changed  {path}{deleted}: {what}");
    }
    for arg in &prediction.changed_args {
        let _ = writeln!(
            out,
            "  build arg  {}: {} -> {}",
            arg.name,
            arg.before.as_deref().unwrap_or("(not passed)"),
            arg.after.as_deref().unwrap_or("(not passed)")
        );
    }
    for image in &prediction.changed_images {
        let _ = writeln!(out, "  image    {image}");
    }
    let _ = writeln!(out);

    let mut by_line: BTreeMap<usize, &StepPrediction> = BTreeMap::new();
    for step in &prediction.steps {
        by_line.insert(step.line, step);
    }
    let mut current: Option<&StepPrediction> = None;
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        if let Some(step) = by_line.get(&n) {
            current = Some(step);
            if step.index == 0 {
                let stage = prediction.stages.get(step.stage_index);
                let note = match stage {
                    Some(s) if !s.needed => " (not built for the target)",
                    _ => "",
                };
                let _ = writeln!(
                    out,
                    "{}",
                    paint(
                        dim,
                        &format!("{:>width$}   ── stage {}{note}", "", step.stage)
                    )
                );
            }
        }
        let step = current.filter(|s| n >= s.line && n <= s.end_line);
        let mark = match step {
            Some(s) if n == s.line => marker(s),
            _ => " ",
        };
        let content = match step {
            Some(s) if s.rebuilt && s.certain => paint(red, line),
            Some(s) if s.rebuilt => paint(yellow, line),
            _ => (*line).to_owned(),
        };
        let _ = writeln!(out, "{n:>width$} {mark} {content}");
        if let Some(s) = step
            && n == s.end_line
            && (s.rebuilt || s.config_changed)
        {
            let _ = writeln!(
                out,
                "{:>width$}   {}",
                "",
                paint(dim, &format!("└ {}", s.reason))
            );
        }
    }
    let _ = writeln!(out);
    let ops = prediction
        .steps
        .iter()
        .filter(|s| s.needed && s.op != StepOp::Config)
        .count();
    let rebuilt = prediction
        .steps
        .iter()
        .filter(|s| s.needed && s.rebuilt)
        .count();
    match &prediction.first_rebuilt {
        Some(first) => {
            let _ = writeln!(
                out,
                "First rebuilt: line {} ({}) in stage {}; {rebuilt} of {ops} steps rebuilt.",
                first.line, first.instruction, first.stage
            );
        }
        None => {
            let _ = writeln!(
                out,
                "Nothing is rebuilt: all {ops} steps come from the cache."
            );
        }
    }
    let maybe = prediction
        .steps
        .iter()
        .filter(|s| s.needed && s.rebuilt && !s.certain)
        .count();
    if maybe > 0 {
        let _ = writeln!(
            out,
            "◐ {maybe} of them only if a re-run RUN writes different files."
        );
    }
    for stage in prediction.stages.iter().filter(|s| s.needed) {
        if let Some(first) = &stage.first_rebuilt {
            let _ = writeln!(
                out,
                "  stage {}: rebuilds from line {} ({} of {} steps)",
                stage.stage, first.line, stage.rebuilt, stage.steps
            );
        }
    }
    if !prediction.affected_targets.is_empty() {
        let _ = writeln!(
            out,
            "Targets affected: {}",
            prediction.affected_targets.join(", ")
        );
    }
    for error in &prediction.errors {
        let _ = writeln!(out, "warning: line {}: {}", error.line, error.message);
    }
    out
}
