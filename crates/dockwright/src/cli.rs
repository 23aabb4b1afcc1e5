//! The command line: global options and the list of commands.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::exit::EXIT_STATUS_HELP;

/// Make container images small, fast to rebuild and safe.
///
/// dockwright reads Dockerfiles exactly as BuildKit does, lints them, rewrites them into
/// optimized multi-stage builds, analyzes build contexts, cache behaviour and built images,
/// and proves the result with real builds.
#[derive(Debug, Parser)]
#[command(name = "dockwright", version, about, long_about, after_help = EXIT_STATUS_HELP)]
#[command(propagate_version = true, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to use colours: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,

    /// Print only results and errors: no progress, no warnings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say more about what is being done (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyze a repository end to end: every build discovery finds, lint, build context,
    /// cache and stage graph, the image with --image; prioritized findings with evidence and
    /// impact, the suggested .dockerignore and the commands to verify (tty, markdown, json,
    /// html).
    Analyze(Box<commands::analyze::AnalyzeArgs>),

    /// Print the stage graph of Dockerfiles: stages, external images, FROM and COPY --from
    /// edges, which stages each target builds (text, mermaid, dot, json).
    Stages(commands::stages::StagesArgs),

    /// Lint Dockerfiles: hadolint's rules, BuildKit's checks and size, cache and security
    /// rules, with fixes; ShellCheck on RUN scripts when it is installed.
    Lint(commands::lint::LintArgs),

    /// Apply the lint fixes to the files (the same as `lint --fix`): safe fixes, and unsafe
    /// ones too with --unsafe-fixes; --diff prints them as a unified diff and writes nothing.
    Fix(commands::fix::FixArgs),

    /// Rewrite a Dockerfile for a smaller image and cheaper rebuilds (builder/runtime split,
    /// dependencies before source, package hygiene) and explain each change.
    Optimize(commands::optimize::OptimizeArgs),

    /// List the lint rules (code, name, category, severity, equivalents, fix).
    Rules(commands::rules::RulesArgs),

    /// Show a rule's documentation (by code, name, hadolint code or BuildKit check name).
    Explain(commands::explain::ExplainArgs),

    /// Prove an optimization with real builds: build a Dockerfile and its optimized version
    /// (buildah, podman or docker), from a cold cache and again after a source edit, and print
    /// first-build time, rebuild time, image size and layers side by side.
    Bench(Box<commands::bench::BenchArgs>),

    /// Report what a build sends as its context and what the .dockerignore keeps out.
    Context(commands::context::ContextArgs),

    /// Predict which steps a change rebuilds (BuildKit's cache rules): changed files, a git
    /// revision, changed build args or images.
    Cache(commands::cache::CacheArgs),

    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(commands::completions::CompletionsArgs),

    /// Find every container build in a repository: Dockerfiles, compose services, OpenShift
    /// BuildConfigs, Tekton/Shipwright builds, GitHub Actions steps and docker-bake targets.
    Discover(commands::discover::DiscoverArgs),

    /// Developer tools: BuildKit's view of a Dockerfile (parser dump, line table, syntax tree,
    /// word expansion, .dockerignore matching), for checks against BuildKit and bug reports.
    Debug(commands::debug::DebugArgs),
    /// Analyze an image: layers, wasted and reclaimable bytes, findings, CI gates.
    Image(Box<commands::image::ImageArgs>),
    /// Compare two images: sizes per layer and directory, files and packages changed.
    Diff(Box<commands::diff::DiffArgs>),
}
