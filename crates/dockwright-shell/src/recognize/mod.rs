//! What a simple command does: the program behind wrappers, and typed facts about package
//! managers, downloads, archives, cleanups, permissions, users, builds and nested shells.
//!
//! Recognition reads the parsed words, never the raw text, so spelling does not matter:
//! options in any order, combined short flags, `--opt=value` or `--opt value`, absolute
//! program paths, quoting, and wrappers (`sudo`, `env X=1`, `nice`, `time`, `xargs`, ...).

mod args;
mod build;
mod download;
mod files;
mod language;
mod shell;
mod system;
mod users;

use serde::Serialize;

pub use args::CommandOption;
pub(crate) use args::{OptionSpec, ParsedArgs, parse_args};
pub use build::{Build, BuildTool};
pub use download::{Download, DownloadOutput, DownloadTool};
pub use files::{
    CacheLocation, ChangeDirectory, ChangeMode, ChangeOwner, Extract, ExtractTool, Link, Remove,
    RemovedPath, classify_cache_path, mode_is_world_writable,
};
pub(crate) use shell::is_interpreter;
pub use shell::{SetOptions, ShellInvocation};
pub use users::{AddGroup, AddUser};

use crate::ast::{SimpleCommand, Word, is_false};
use crate::options::ShellOptions;
use crate::span::Span;

/// A word picked out by a recogniser: its text after quote removal and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Argument {
    /// The text after quote removal (expansions kept as written).
    pub text: String,
    /// Where it is.
    pub span: Span,
}

impl Argument {
    pub(crate) fn from_word(word: &Word) -> Self {
        Self {
            text: word.text.clone(),
            span: word.span,
        }
    }
}

/// The program a simple command runs, once wrappers are looked through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Program {
    /// Base name of the program word (`apt-get` for `/usr/bin/apt-get`).
    pub name: String,
    /// Index of the program word in [`SimpleCommand::words`].
    pub index: usize,
    /// The program word's span.
    pub span: Span,
    /// Wrappers in front of it, outermost first (`sudo`, `env`, `nice`, `xargs`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wrappers: Vec<Wrapper>,
}

impl Program {
    /// Whether the command runs under `sudo`.
    #[must_use]
    pub fn uses_sudo(&self) -> bool {
        self.name == "sudo" || self.wrappers.iter().any(|w| w.name == "sudo")
    }
}

/// A command that runs another command (`sudo`, `env`, `nice`, `time`, `xargs`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Wrapper {
    /// Base name of the wrapper.
    pub name: String,
    /// The wrapper word.
    pub span: Span,
}

/// What a simple command does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Not recognised (or not interesting).
    #[default]
    Unknown,
    /// A package manager operation.
    Package(PackageCommand),
    /// `curl` or `wget`.
    Download(Download),
    /// Unpacking an archive.
    Extract(Extract),
    /// `rm` (or `find -delete`).
    Remove(Remove),
    /// `chown`.
    ChangeOwner(ChangeOwner),
    /// `chmod`.
    ChangeMode(ChangeMode),
    /// `useradd` / `adduser`.
    AddUser(AddUser),
    /// `groupadd` / `addgroup`.
    AddGroup(AddGroup),
    /// `cd`.
    ChangeDirectory(ChangeDirectory),
    /// `ln`.
    Link(Link),
    /// Compiling or bundling.
    Build(Build),
    /// `sh -c`, `bash -c`, `su -c`, `eval`: another shell script.
    Shell(ShellInvocation),
    /// `set -e`, `set -o pipefail`, ...
    SetOptions(SetOptions),
    /// A tool that makes no sense in an image build (hadolint DL3001's list: `free`,
    /// `kill`, `mount`, `ps`, `service`, `shutdown`, `ssh`, `top`, `vim`, plus `ifconfig`,
    /// which its message names).
    OutOfPlace,
}

impl Action {
    pub(crate) fn is_unknown(&self) -> bool {
        *self == Self::Unknown
    }

    /// The package command, if this is one.
    #[must_use]
    pub fn as_package(&self) -> Option<&PackageCommand> {
        match self {
            Self::Package(p) => Some(p),
            _ => None,
        }
    }

    /// Cache and temporary locations this command cleans: paths removed by `rm`, and the
    /// caches of `apt-get clean`, `yum clean all`, `npm cache clean`, `pip cache purge`, ...
    #[must_use]
    pub fn cleaned_locations(&self) -> Vec<CacheLocation> {
        match self {
            Self::Remove(r) => r.paths.iter().filter_map(|p| p.cache).collect(),
            Self::Package(p) if p.operation == PackageOperation::CleanCache => {
                p.manager.cache_locations().to_vec()
            }
            _ => Vec::new(),
        }
    }
}

/// Package managers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageManager {
    /// `apt-get`
    AptGet,
    /// `apt`
    Apt,
    /// `aptitude`
    Aptitude,
    /// `dpkg`
    Dpkg,
    /// `apk`
    Apk,
    /// `dnf`
    Dnf,
    /// `yum`
    Yum,
    /// `microdnf`
    Microdnf,
    /// `tdnf`
    Tdnf,
    /// `zypper`
    Zypper,
    /// `rpm`
    Rpm,
    /// `pip`, `pip3`, `python -m pip`
    Pip,
    /// `uv` (`uv pip ...`, `uv sync`, `uv add`)
    Uv,
    /// `poetry`
    Poetry,
    /// `pipenv`
    Pipenv,
    /// `conda`, `mamba`, `micromamba`
    Conda,
    /// `npm`
    Npm,
    /// `yarn`
    Yarn,
    /// `pnpm`
    Pnpm,
    /// `gem`
    Gem,
    /// `bundle` / `bundler`
    Bundler,
    /// `go`
    Go,
    /// `cargo`
    Cargo,
    /// `composer`
    Composer,
    /// `mvn` / `mvnw` (dependency goals)
    Maven,
    /// `gradle` / `gradlew` (dependency tasks)
    Gradle,
    /// `dotnet restore`
    Dotnet,
}

impl PackageManager {
    /// Whether it installs operating-system packages (as opposed to a language's).
    #[must_use]
    pub fn is_system(self) -> bool {
        matches!(
            self,
            Self::AptGet
                | Self::Apt
                | Self::Aptitude
                | Self::Dpkg
                | Self::Apk
                | Self::Dnf
                | Self::Yum
                | Self::Microdnf
                | Self::Tdnf
                | Self::Zypper
                | Self::Rpm
        )
    }

    /// Where the manager keeps the caches its clean command removes.
    #[must_use]
    pub fn cache_locations(self) -> &'static [CacheLocation] {
        use CacheLocation as C;
        match self {
            Self::AptGet | Self::Apt | Self::Aptitude => &[C::AptArchives],
            Self::Apk => &[C::ApkCache],
            Self::Dnf | Self::Microdnf | Self::Tdnf => &[C::DnfCache],
            Self::Yum => &[C::YumCache],
            Self::Zypper => &[C::ZypperCache],
            Self::Pip | Self::Pipenv => &[C::PipCache],
            Self::Uv => &[C::UvCache],
            Self::Poetry => &[C::PoetryCache],
            Self::Conda => &[C::CondaPackages],
            Self::Npm => &[C::NpmCache],
            Self::Yarn => &[C::YarnCache],
            Self::Pnpm => &[C::PnpmStore],
            Self::Gem | Self::Bundler => &[C::GemCache],
            Self::Go => &[C::GoBuildCache, C::GoModuleCache],
            Self::Cargo => &[C::CargoRegistry],
            Self::Composer => &[C::ComposerCache],
            Self::Dpkg | Self::Rpm | Self::Maven | Self::Gradle | Self::Dotnet => &[],
        }
    }
}

/// What a package command does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageOperation {
    /// Installs packages (named, or from a manifest/lock file: `npm ci`, `pip install -r`,
    /// `bundle install`, `poetry install`, `uv sync`).
    Install,
    /// Downloads dependencies without installing (`go mod download`, `cargo fetch`,
    /// `mvn dependency:go-offline`, `pip download`).
    Fetch,
    /// Removes packages.
    Remove,
    /// Refreshes the package index (`apt-get update`, `apk update`, `yum makecache`).
    UpdateIndex,
    /// Upgrades installed packages (`apt-get upgrade`, `apk upgrade`, `yum update`).
    Upgrade,
    /// `apt-get dist-upgrade`, `zypper dist-upgrade`, `dnf distro-sync`.
    DistUpgrade,
    /// Cleans the manager's cache (`apt-get clean`, `yum clean all`, `npm cache clean`).
    CleanCache,
    /// `apt-get autoremove`, `dnf autoremove`.
    Autoremove,
    /// Changes the manager's configuration (`npm config set`, `poetry config`).
    Configure,
    /// Anything else.
    Other,
}

/// A package manager command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageCommand {
    /// The manager.
    pub manager: PackageManager,
    /// What it does.
    pub operation: PackageOperation,
    /// The subcommand word (`install`, `add`, `ci`, `clean`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subcommand: Option<Argument>,
    /// Packages, files, directories and requirement files named.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<PackageArg>,
    /// Facts read from options and environment, each with the span that established it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<PackageFlag>,
    /// Every option as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<CommandOption>,
    /// Operands after the subcommand that are not packages (`all` in `yum clean all`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operands: Vec<Argument>,
    /// For `configure`: the setting changed (`npm config set strict-ssl false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<Setting>,
}

/// A configuration setting changed by a package command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// The key (`strict-ssl`, `virtualenvs.create`, `without`).
    pub key: String,
    /// The value.
    pub value: String,
    /// The words holding key and value.
    pub span: Span,
}

impl PackageCommand {
    /// Whether a fact is established.
    #[must_use]
    pub fn has(&self, kind: PackageFlagKind) -> bool {
        self.flags.iter().any(|f| f.kind == kind)
    }

    /// The fact's flag, to point at it.
    #[must_use]
    pub fn flag(&self, kind: PackageFlagKind) -> Option<&PackageFlag> {
        self.flags.iter().find(|f| f.kind == kind)
    }
}

/// A fact about a package command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PackageFlag {
    /// What is established.
    pub kind: PackageFlagKind,
    /// The option, assignment or word that establishes it.
    pub span: Span,
}

/// Facts about a package command that rules look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageFlagKind {
    /// Never asks for confirmation (`-y`, `--yes`, `--assume-yes`, apt's `-qq`, zypper's
    /// `-n`/`--non-interactive`, conda's `-y`).
    AssumeYes,
    /// Skips recommended packages (`--no-install-recommends`, zypper `--no-recommends`, dnf
    /// `--setopt=install_weak_deps=False`).
    NoInstallRecommends,
    /// Keeps no download cache (`apk --no-cache` or `--no-network`, `pip --no-cache-dir` or
    /// `PIP_NO_CACHE_DIR`, `uv --no-cache`, `conda --no-cache`... ).
    NoCache,
    /// Refreshes the index first (`apk add --update`, `zypper --refresh`, `dnf --refresh`).
    RefreshIndex,
    /// Development dependencies left out (`npm --omit=dev`/`--production`, `yarn
    /// --production`, `pnpm --prod`, `poetry --no-dev`/`--only main`/`--without dev`,
    /// `composer --no-dev`, `bundle --without development`, `uv sync --no-dev`).
    DevExcluded,
    /// Development dependencies asked for (`pipenv --dev`, `poetry --with dev`,
    /// `npm --include=dev`).
    DevIncluded,
    /// The lock file is enforced (`npm ci`, `yarn --frozen-lockfile`/`--immutable`,
    /// `pnpm --frozen-lockfile`, `pipenv --deploy`, `uv sync --frozen`/`--locked`, `bundle
    /// --frozen`/`--deployment`, `composer install`).
    Frozen,
    /// Installs globally (`npm -g`, `yarn global`, `pnpm -g`).
    Global,
    /// `pip --user`.
    User,
    /// `pip install -U`/`--upgrade`.
    Upgrade,
    /// `pip install -e` / `--editable` (development install of a source tree).
    Editable,
    /// `pipenv --system`, `uv pip --system`, `pip --break-system-packages`.
    System,
    /// Documentation skipped (`gem --no-document`/`-N`, dnf/yum `--nodocs` or
    /// `tsflags=nodocs`).
    NoDocument,
    /// Signature or TLS checks weakened (`--allow-unauthenticated`, `--trusted-host`,
    /// `--nogpgcheck`, `apk --allow-untrusted`, `zypper --no-gpg-checks`, `npm config set
    /// strict-ssl false`, `--insecure`...).
    Insecure,
    /// `apk add --virtual NAME` (the packages can be deleted as a group later).
    Virtual,
}

/// A package (or file, directory, URL, requirements file) named on a package command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageArg {
    /// Where it is (the whole word).
    pub span: Span,
    /// The word's text after quote removal.
    pub text: String,
    /// The package name (the text without the version part).
    pub name: String,
    /// The version constraint's operator: `=` (apt, apk), `==`/`>=`/`~=`... (pip), `~`
    /// (apk), `@` (npm, go, cargo), `-` (rpm names), `:` (gem, composer), `/` (apt
    /// release), `-v` (gem/cargo option).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// The version (or release) after the operator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Where the operator and version are, when they are part of the word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_span: Option<Span>,
    /// What the argument names.
    pub kind: PackageArgKind,
    /// `pip install -e` of this argument.
    #[serde(skip_serializing_if = "is_false")]
    pub editable: bool,
}

impl PackageArg {
    /// Whether a version (or exact artifact) is fixed: a version constraint, or a local
    /// file, directory, URL, or a VCS reference with a revision.
    #[must_use]
    pub fn is_pinned(&self) -> bool {
        match self.kind {
            PackageArgKind::Name => self.version.is_some() && self.operator.as_deref() != Some("/"),
            PackageArgKind::Vcs => self.version.is_some(),
            PackageArgKind::File
            | PackageArgKind::Directory
            | PackageArgKind::Url
            | PackageArgKind::Requirements
            | PackageArgKind::Variable => true,
        }
    }
}

/// What a package argument names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageArgKind {
    /// A package from the registry.
    Name,
    /// A local package file (`.deb`, `.rpm`, `.whl`, `.tar.gz`, `.gem`, `.tgz`, `.apk`).
    File,
    /// A local directory (`.`, `./pkg`, `/src`).
    Directory,
    /// A download URL.
    Url,
    /// A VCS URL (`git+https://...`); `version` holds the revision, if any.
    Vcs,
    /// A requirements/constraints/environment file (`pip -r`, `conda env create -f`).
    Requirements,
    /// A variable standing for any number of packages (`$PACKAGES`).
    Variable,
}

/// The context a recogniser needs: the words from the program on, and the environment the
/// command sets for itself.
pub(crate) struct Invocation<'c> {
    /// The program word and its arguments.
    pub words: &'c [Word],
    /// The program's base name.
    pub program: &'c str,
    /// `NAME=value` set for this command (prefix assignments and `env` wrappers).
    pub env: Vec<(&'c str, &'c str, Span)>,
    /// The command's redirections (a shell may read its script from a here-document).
    pub redirections: &'c [crate::ast::Redirection],
}

impl<'c> Invocation<'c> {
    pub(crate) fn args(&self) -> &'c [Word] {
        self.words.get(1..).unwrap_or_default()
    }

    pub(crate) fn env_value(&self, name: &str) -> Option<(&'c str, Span)> {
        self.env
            .iter()
            .rev()
            .find(|(n, _, _)| *n == name)
            .map(|(_, v, s)| (*v, *s))
    }
}

/// Base name of a word used as a program, when its last path component is literal.
pub(crate) fn program_basename(word: &Word) -> Option<&str> {
    let text = word.text.as_str();
    let base = text.rsplit('/').next().unwrap_or(text);
    if base.is_empty() || base.contains(['$', '`']) {
        return None;
    }
    // `\rm` is `rm` after quote removal already; a trailing `.exe` is a Windows program.
    Some(base)
}

/// Finds the program behind wrappers and says what the command does.
pub(crate) fn recognize(
    command: &SimpleCommand,
    context: &mut RecognizeContext,
) -> (Option<Program>, Action) {
    let Some(resolved) = shell::resolve_program(command) else {
        return (None, Action::Unknown);
    };
    let program = Program {
        name: resolved.name.to_string(),
        index: resolved.index,
        span: command.words[resolved.index].span,
        wrappers: resolved.wrappers,
    };
    let invocation = Invocation {
        words: &command.words[resolved.index..],
        program: resolved.name,
        env: resolved.env,
        redirections: &command.redirections,
    };
    let action = dispatch(&invocation, context);
    (Some(program), action)
}

/// Settings for nested scripts found while recognising.
pub(crate) struct RecognizeContext {
    /// How many `sh -c` levels deep we are.
    pub nesting: usize,
    /// How deep nested scripts are parsed.
    pub max_nesting: usize,
}

fn dispatch(inv: &Invocation<'_>, context: &mut RecognizeContext) -> Action {
    let name = inv.program;
    if let Some(action) = system::recognize(inv) {
        return action;
    }
    if let Some(action) = language::recognize(inv) {
        return action;
    }
    if let Some(action) = build::recognize(inv) {
        return action;
    }
    match name {
        "curl" | "wget" => download::recognize(inv),
        "tar" | "bsdtar" | "gtar" | "unzip" | "gunzip" | "bunzip2" | "unxz" | "xz" | "gzip"
        | "bzip2" | "zstd" | "unzstd" | "7z" | "7za" => files::recognize_extract(inv),
        "rm" => files::recognize_rm(inv),
        "find" => files::recognize_find(inv),
        "chown" => files::recognize_chown(inv),
        "chmod" => files::recognize_chmod(inv),
        "ln" => files::recognize_ln(inv),
        "cd" | "pushd" => files::recognize_cd(inv),
        "useradd" | "adduser" => users::recognize_user(inv),
        "groupadd" | "addgroup" => users::recognize_group(inv),
        "set" => shell::recognize_set(inv),
        "free" | "kill" | "mount" | "ps" | "service" | "shutdown" | "ssh" | "top" | "vim"
        | "ifconfig" => Action::OutOfPlace,
        _ => shell::recognize_shell(inv, context).unwrap_or_default(),
    }
}

/// Splits a package word at the first of `operators` found after the first character
/// (so scoped npm names `@scope/x` keep their `@`).
pub(crate) fn split_version<'t>(
    text: &'t str,
    operators: &[&'static str],
) -> (&'t str, Option<(&'static str, &'t str)>) {
    let mut best: Option<(usize, &'static str)> = None;
    for op in operators {
        if let Some(pos) = text.get(1..).and_then(|t| t.find(op)).map(|p| p + 1)
            && best
                .is_none_or(|(b, bop): (usize, &str)| pos < b || (pos == b && op.len() > bop.len()))
        {
            best = Some((pos, op));
        }
    }
    match best {
        Some((pos, op)) => (&text[..pos], Some((op, &text[pos + op.len()..]))),
        None => (text, None),
    }
}

/// Classifies an operand of an install command that is not a plain package name.
pub(crate) fn classify_operand(word: &Word, file_suffixes: &[&str]) -> Option<PackageArgKind> {
    let text = word.text.as_str();
    if word.is_single_expansion() {
        return Some(PackageArgKind::Variable);
    }
    if text.contains("://") {
        let vcs = ["git+", "hg+", "svn+", "bzr+", "git://"]
            .iter()
            .any(|p| text.starts_with(p));
        return Some(if vcs {
            PackageArgKind::Vcs
        } else {
            PackageArgKind::Url
        });
    }
    if file_suffixes.iter().any(|s| text.ends_with(s)) {
        return Some(PackageArgKind::File);
    }
    if text == "."
        || text == ".."
        || text.starts_with("./")
        || text.starts_with("../")
        || text.starts_with('/')
        || text.starts_with("~/")
    {
        return Some(PackageArgKind::Directory);
    }
    None
}

/// A package argument with no version.
pub(crate) fn plain_package(word: &Word, kind: PackageArgKind) -> PackageArg {
    PackageArg {
        span: word.span,
        text: word.text.clone(),
        name: word.text.clone(),
        operator: None,
        version: None,
        version_span: None,
        kind,
        editable: false,
    }
}

/// A package argument split at a version operator.
pub(crate) fn versioned_package(word: &Word, operators: &[&'static str]) -> PackageArg {
    let (name, version) = split_version(&word.text, operators);
    PackageArg {
        span: word.span,
        text: word.text.clone(),
        name: name.to_string(),
        operator: version.map(|(op, _)| op.to_string()),
        version: version.map(|(_, v)| v.to_string()),
        version_span: version.map(|_| word.text_span(name.len(), word.text.len())),
        kind: PackageArgKind::Name,
        editable: false,
    }
}

/// Adds a flag (once per kind).
pub(crate) fn add_flag(flags: &mut Vec<PackageFlag>, kind: PackageFlagKind, span: Span) {
    if !flags.iter().any(|f| f.kind == kind) {
        flags.push(PackageFlag { kind, span });
    }
}

/// A flag for every option in `args` named in `names`.
pub(crate) fn flag_if(
    args: &ParsedArgs<'_>,
    flags: &mut Vec<PackageFlag>,
    names: &[&str],
    kind: PackageFlagKind,
) {
    if let Some(o) = args.find(names) {
        add_flag(flags, kind, o.span());
    }
}

/// Whether a value reads as false (`false`, `0`, `no`, `off`).
pub(crate) fn is_false_value(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "false" | "0" | "no" | "off"
    )
}

/// The options a nested shell's flags turn on (`bash -eo pipefail -c`).
pub(crate) fn shell_flag_options(words: &[Word]) -> ShellOptions {
    let args: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    ShellOptions::from_shell_arguments(&args)
}

#[cfg(test)]
mod tests;
