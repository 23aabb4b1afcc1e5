//! `dockwright lint PATH...`: lint Dockerfiles (files, directories, `-` for standard input)
//! in parallel, print the findings in the chosen format, optionally fix them.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, bail};
use clap::Args;
use dockwright_report::{FileResult, LintFormat, LintReport, RenderOptions, render_lint};
use dockwright_rules::config::{self, Loaded};
use dockwright_rules::settings::BuildSection;
use dockwright_rules::{
    Applicability, ContextCache, ContextRequest, FixMode, LintInput, Linter, Options, Settings,
    registry,
};
use rayon::prelude::*;

use crate::exit::Status;
use crate::terminal;

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Dockerfiles or directories to lint (`-` reads standard input). Directories are
    /// searched for Dockerfile, Dockerfile.*, *.Dockerfile, *.dockerfile, Containerfile and
    /// Containerfile.*, skipping what .gitignore ignores. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format: tty, json, hadolint-json, sarif, github, checkstyle, junit, gitlab,
    /// markdown.
    #[arg(long, default_value = "tty", value_parser = parse_format)]
    pub format: LintFormat,

    /// Rules to run, replacing the configured selection: codes (DW1001), names, prefixes
    /// (DW2), categories (size), ALL, hadolint codes (DL3008), BuildKit check names, SC codes.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,

    /// Rules to run in addition to the selection.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub extend_select: Vec<String>,

    /// Rules never to report (added to the configured ones).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,

    /// Lowest severity that makes the exit status 1: error, warning, info, style or none.
    #[arg(long, value_name = "LEVEL")]
    pub failure_threshold: Option<String>,

    /// Use this config file (.dockwright.toml, or a .hadolint.yaml) instead of looking for
    /// one next to each linted file and above it.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore all config files and hadolint's HADOLINT_* environment variables.
    #[arg(long)]
    pub isolated: bool,

    /// Exit 0 even when findings reach the failure threshold.
    #[arg(long)]
    pub no_fail: bool,

    /// Do not run ShellCheck on RUN scripts (it runs when `shellcheck` is installed).
    #[arg(long)]
    pub no_shellcheck: bool,

    /// Apply safe fixes to the files (standard input: print the fixed text).
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff, apply unsafe fixes too.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the changes fixes would make as a unified diff instead of writing them; exit 1
    /// when there are any.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    /// The file name to report for standard input (also where config is looked for).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// A build argument the Dockerfile is linted with (repeatable).
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,

    /// The stage the build targets (default: the last one).
    #[arg(long, value_name = "STAGE")]
    pub target: Option<String>,

    /// The platform the build targets (`linux/arm64`).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,

    /// A registry base images may come from (repeatable; globs like *.gcr.io).
    #[arg(long = "trusted-registry", value_name = "REGISTRY")]
    pub trusted_registries: Vec<String>,

    /// The build context (the directory `docker build` is given), for the rules that read it:
    /// sources the .dockerignore excludes or that do not exist, secrets and unused large
    /// files copied, files copied twice, the cache order of dependency installs. Default: the
    /// Dockerfile's directory when it looks like the context (it has a .dockerignore, or
    /// holds every source the Dockerfile names, or a project manifest next to `COPY . .`).
    #[arg(long, value_name = "DIR", conflicts_with = "no_context")]
    pub context: Option<PathBuf>,

    /// Lint without a build context (rules that need one do not run).
    #[arg(long)]
    pub no_context: bool,
}

fn parse_format(s: &str) -> Result<LintFormat, String> {
    s.parse()
}

/// One thing to lint.
#[derive(Debug, Clone)]
enum Target {
    File(PathBuf),
    Stdin,
}

impl LintArgs {
    /// The command line as a settings layer (it goes on top of any config file).
    fn options(&self) -> anyhow::Result<Options> {
        let mut args = std::collections::BTreeMap::new();
        for arg in &self.build_args {
            let (name, value) = arg
                .split_once('=')
                .with_context(|| format!("--build-arg {arg}: expected NAME=VALUE"))?;
            args.insert(name.to_string(), value.to_string());
        }
        let build =
            (!args.is_empty() || self.target.is_some() || self.platform.is_some()).then(|| {
                BuildSection {
                    args: (!args.is_empty()).then_some(args),
                    target: self.target.clone(),
                    platform: self.platform.clone(),
                }
            });
        let non_empty = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        Ok(Options {
            select: self.select.clone(),
            extend_select: non_empty(&self.extend_select),
            ignore: non_empty(&self.ignore),
            failure_threshold: self.failure_threshold.clone(),
            no_fail: self.no_fail.then_some(true),
            trusted_registries: non_empty(&self.trusted_registries),
            shellcheck: self.no_shellcheck.then_some(false),
            build,
            ..Options::default()
        })
    }

    fn fix_mode(&self) -> Option<FixMode> {
        (self.fix || self.diff).then_some(if self.unsafe_fixes {
            FixMode::Unsafe
        } else {
            FixMode::Safe
        })
    }
}

/// Whether a file name is a Dockerfile's.
pub fn is_dockerfile_name(name: &str) -> bool {
    if name.ends_with(".dockerignore") {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || name.starts_with("Dockerfile.")
        || name.starts_with("Containerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

/// The files to lint under `paths`, in a stable order.
fn collect_targets(paths: &[PathBuf]) -> anyhow::Result<Vec<Target>> {
    let mut targets = Vec::new();
    let defaults = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    for path in paths {
        if path.as_os_str() == "-" {
            targets.push(Target::Stdin);
            continue;
        }
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if !meta.is_dir() {
            targets.push(Target::File(path.clone()));
            continue;
        }
        let mut found = Vec::new();
        let walk = ignore::WalkBuilder::new(path)
            .hidden(false)
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        for entry in walk {
            let entry = entry.with_context(|| format!("cannot walk {}", path.display()))?;
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            if is_file && entry.file_name().to_str().is_some_and(is_dockerfile_name) {
                found.push(entry.into_path());
            }
        }
        found.sort();
        targets.extend(found.into_iter().map(Target::File));
    }
    Ok(targets)
}

/// How a path is shown: as given, without a leading `./`.
fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

/// Linters per configuration, built once and shared by every file that uses it.
struct Linters {
    /// hadolint's environment variables, then the command line: above any config file.
    cli: Options,
    shellcheck: bool,
    isolated: bool,
    explicit: Option<Options>,
    by_dir: Mutex<HashMap<PathBuf, std::sync::Arc<Linter>>>,
}

impl Linters {
    fn build(&self, file_options: Option<Options>) -> anyhow::Result<Linter> {
        let options = file_options.unwrap_or_default().merge(self.cli.clone());
        let settings = Settings::from_options(options)?;
        Ok(Linter::new(settings).with_shellcheck(self.shellcheck))
    }

    /// The linter for a file in `dir`.
    fn for_dir(&self, dir: &Path) -> anyhow::Result<std::sync::Arc<Linter>> {
        let key = if self.isolated || self.explicit.is_some() {
            PathBuf::new()
        } else {
            std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
        };
        if let Some(linter) = self.by_dir.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(linter);
        }
        let file_options = if self.isolated {
            None
        } else if let Some(options) = &self.explicit {
            Some(options.clone())
        } else {
            config::discover(&key)?.map(|Loaded { options, files }| {
                if terminal::verbosity() > 0 {
                    for f in &files {
                        terminal::info(format!("config: {}", f.display()));
                    }
                }
                options
            })
        };
        let linter = std::sync::Arc::new(
            self.build(file_options)
                .with_context(|| format!("invalid settings for files in {}", key.display()))?,
        );
        if let Ok(mut map) = self.by_dir.lock() {
            map.insert(key, linter.clone());
        }
        Ok(linter)
    }
}

/// What linting one target produced.
struct Outcome {
    result: FileResult,
    fails: bool,
    fixable: (usize, usize),
    /// For --fix/--diff: the fixed text, when it differs.
    fixed: Option<String>,
    fixes_applied: usize,
    /// The text as read (for --diff).
    original: String,
    /// The file is not UTF-8 (linted as lossy text, never fixed).
    lossy: bool,
    warnings: Vec<String>,
    path: Option<PathBuf>,
}

pub fn run(args: &LintArgs) -> anyhow::Result<Status> {
    let targets = collect_targets(&args.paths)?;
    if targets
        .iter()
        .filter(|t| matches!(t, Target::Stdin))
        .count()
        > 1
    {
        bail!("`-` (standard input) can be given only once");
    }
    let explicit = match &args.config {
        Some(path) => Some(config::load_file(path)?),
        None => None,
    };
    let hadolint_env = if args.isolated {
        Options::default()
    } else {
        config::hadolint_env(|name| std::env::var(name).ok())
            .map_err(|e| anyhow::anyhow!("environment: {e}"))?
    };
    let linters = Linters {
        cli: hadolint_env.merge(args.options()?),
        shellcheck: !args.no_shellcheck,
        isolated: args.isolated,
        explicit,
        by_dir: Mutex::new(HashMap::new()),
    };
    // Settings errors are usage errors: find them before any work.
    linters.build(None)?;
    if targets.is_empty() {
        terminal::warn("no Dockerfile found");
    }
    let mut stdin_text = None;
    if targets.iter().any(|t| matches!(t, Target::Stdin)) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        stdin_text = Some(bytes);
    }
    if let Some(dir) = &args.context
        && !dir.is_dir()
    {
        bail!("--context {}: not a directory", dir.display());
    }
    let contexts = std::sync::Arc::new(ContextCache::new());
    let context_for = |dockerfile: Option<&Path>| -> Option<ContextRequest> {
        match (&args.context, dockerfile) {
            (Some(dir), file) => Some(ContextRequest::given(
                dir.clone(),
                file.map(Path::to_path_buf),
                contexts.clone(),
            )),
            (None, Some(file)) if !args.no_context => {
                Some(ContextRequest::detect(file.to_path_buf(), contexts.clone()))
            }
            _ => None,
        }
    };
    let mode = args.fix_mode();
    // Read every file and find its configuration.
    let inputs: Vec<anyhow::Result<Input>> = targets
        .par_iter()
        .map(|target| {
            let (bytes, shown, dir, path) = match target {
                Target::File(path) => {
                    let bytes = std::fs::read(path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    let dir = path
                        .parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
                    (bytes, display_path(path), dir, Some(path.clone()))
                }
                Target::Stdin => {
                    let name = args.stdin_filename.clone();
                    let dir = name
                        .as_ref()
                        .and_then(|n| n.parent().map(Path::to_path_buf))
                        .filter(|d| !d.as_os_str().is_empty())
                        .unwrap_or_else(|| PathBuf::from("."));
                    let shown = name
                        .as_deref()
                        .map_or_else(|| "-".to_string(), display_path);
                    (stdin_text.clone().unwrap_or_default(), shown, dir, None)
                }
            };
            let linter = linters.for_dir(&dir)?;
            let (source, lossy) = match String::from_utf8(bytes) {
                Ok(s) => (s, false),
                Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
            };
            let context = match target {
                Target::File(file) => context_for(Some(file)),
                Target::Stdin => context_for(args.stdin_filename.as_deref()),
            };
            Ok(Input {
                shown,
                path,
                source,
                lossy,
                linter,
                context,
            })
        })
        .collect();
    let mut files = Vec::with_capacity(inputs.len());
    for input in inputs {
        files.push(input?);
    }
    let results = match mode {
        Some(mode) => files.into_par_iter().map(|f| fix_one(f, mode)).collect(),
        None => lint_all(files),
    };
    for outcome in &results {
        for warning in &outcome.warnings {
            terminal::warn(warning);
        }
        if outcome.lossy && mode.is_some() {
            terminal::warn(format!(
                "{}: not UTF-8, so it is not fixed",
                outcome.result.path
            ));
        }
    }
    if args.diff {
        return print_diffs(&results);
    }
    if args.fix {
        let mut fixed_total = 0;
        for outcome in &results {
            let Some(text) = &outcome.fixed else { continue };
            fixed_total += outcome.fixes_applied;
            match &outcome.path {
                Some(path) => dockwright_rules::write_atomic(path, text.as_bytes())
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => {
                    // Standard input: the fixed text is the output.
                    std::io::stdout().write_all(text.as_bytes())?;
                    return Ok(Status::Success);
                }
            }
        }
        if fixed_total > 0 && terminal::verbosity() >= 0 {
            terminal::info(format!(
                "fixed {fixed_total} finding{}",
                if fixed_total == 1 { "" } else { "s" }
            ));
        }
    }
    let fails = results.iter().any(|o| o.fails);
    let (fixable_safe, fixable_unsafe) = results
        .iter()
        .fold((0, 0), |(a, b), o| (a + o.fixable.0, b + o.fixable.1));
    let mut rules: Vec<_> = registry::infos().cloned().collect();
    rules.push(dockwright_rules::PARSE_ERROR);
    let report = LintReport {
        files: results.into_iter().map(|o| o.result).collect(),
        rules,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let options = RenderOptions {
        color: args.format == LintFormat::Tty && terminal::stdout_has_color(),
        fixable_safe,
        fixable_unsafe,
    };
    let text = render_lint(&report, args.format, options);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if fails {
        Status::Failure
    } else {
        Status::Success
    })
}

/// A file read and matched with its linter.
struct Input {
    shown: String,
    path: Option<PathBuf>,
    source: String,
    lossy: bool,
    linter: std::sync::Arc<Linter>,
    /// Where its build context is, if it has one.
    context: Option<ContextRequest>,
}

fn outcome(
    input: Input,
    report: dockwright_rules::FileReport,
    fixed: Option<String>,
    fixes_applied: usize,
) -> Outcome {
    let fails = report.fails(input.linter.settings());
    let count = |applicability: Applicability| {
        report
            .diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == applicability)
            })
            .count()
    };
    let fixable = (count(Applicability::Safe), count(Applicability::Unsafe));
    let original = if fixed.is_some() {
        input.source.clone()
    } else {
        String::new()
    };
    Outcome {
        result: FileResult {
            path: input.shown,
            source: fixed.clone().unwrap_or(input.source),
            diagnostics: report.diagnostics,
        },
        fails,
        fixable,
        fixed,
        fixes_applied,
        original,
        lossy: input.lossy,
        warnings: report.warnings,
        path: input.path,
    }
}

/// `--fix` / `--diff`: fix each file on its own (files that are not UTF-8 are only linted).
fn fix_one(input: Input, mode: FixMode) -> Outcome {
    if input.lossy {
        let report =
            input
                .linter
                .lint_in_context(&input.shown, &input.source, input.context.as_ref());
        return outcome(input, report, None, 0);
    }
    let result =
        input
            .linter
            .fix_in_context(&input.shown, &input.source, mode, input.context.as_ref());
    let fixed = (result.text != input.source).then(|| result.text.clone());
    outcome(input, result.report, fixed, result.fixed)
}

/// Lints every file, each group of files with the same linter together (so ShellCheck is
/// batched across them), keeping the input order.
fn lint_all(files: Vec<Input>) -> Vec<Outcome> {
    let mut groups: Vec<(std::sync::Arc<Linter>, Vec<usize>)> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|(l, _)| std::sync::Arc::ptr_eq(l, &file.linter))
        {
            Some((_, members)) => members.push(i),
            None => groups.push((file.linter.clone(), vec![i])),
        }
    }
    let mut reports: Vec<Option<dockwright_rules::FileReport>> = vec![None; files.len()];
    for (linter, members) in groups {
        let inputs: Vec<LintInput<'_>> = members
            .iter()
            .map(|&i| LintInput {
                path: files[i].shown.as_str(),
                source: files[i].source.as_str(),
                context: files[i].context.as_ref(),
            })
            .collect();
        for (i, report) in members.into_iter().zip(linter.lint_inputs(&inputs)) {
            reports[i] = Some(report);
        }
    }
    files
        .into_iter()
        .zip(reports)
        .map(|(input, report)| outcome(input, report.unwrap_or_default(), None, 0))
        .collect()
}

fn print_diffs(results: &[Outcome]) -> anyhow::Result<Status> {
    let mut out = std::io::stdout().lock();
    let mut changed = 0;
    for outcome in results {
        let Some(fixed) = &outcome.fixed else {
            continue;
        };
        changed += 1;
        let original = &outcome.original;
        let name = &outcome.result.path;
        let diff = similar::TextDiff::from_lines(original.as_str(), fixed.as_str());
        write!(
            out,
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name}"))
        )?;
    }
    out.flush()?;
    Ok(if changed > 0 {
        Status::Failure
    } else {
        Status::Success
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Dockerfile.prod",
            "app.Dockerfile",
            "app.dockerfile",
            "Containerfile",
            "Containerfile.dev",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "README.md",
            "docker-compose.yml",
            "Makefile",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
