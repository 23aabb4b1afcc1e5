//! What a RUN does to the image, read from its parsed scripts: packages installed (per
//! manager, with the facts its flags establish), caches written and whether the same RUN
//! cleans them or a cache/tmpfs mount keeps them out of the layer, paths removed, downloads
//! and users created.

use dockwright_shell::{
    Action, CacheLocation, DownloadOutput, DownloadTool, PackageFlagKind, PackageManager,
    PackageOperation, SimpleCommand,
};
use dockwright_syntax::Span;
use serde::Serialize;

use crate::path;
use crate::run::{RunFacts, RunScript};

/// Everything a RUN's scripts are known to do, in script order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunEffects {
    /// Package manager commands.
    pub packages: Vec<PackageUse>,
    /// Caches written by package managers and builds.
    pub caches: Vec<CacheUse>,
    /// Paths removed (`rm`, `find -delete`).
    pub removed: Vec<RemovedFact>,
    /// `curl` / `wget` calls.
    pub downloads: Vec<DownloadFact>,
    /// Users created (`useradd`, `adduser`), by name.
    pub users: Vec<String>,
}

/// One package manager command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageUse {
    /// Index of the script in [`RunFacts::scripts`].
    pub script: usize,
    /// The manager.
    pub manager: PackageManager,
    /// What it does.
    pub operation: PackageOperation,
    /// Package names (without versions).
    pub packages: Vec<String>,
    /// Facts its options establish (`-y`, `--no-install-recommends`, `--no-cache`, ...).
    pub flags: Vec<PackageFlagKind>,
    /// The command in the file.
    pub span: Span,
}

/// A cache a command writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheUse {
    /// Which cache.
    pub location: CacheLocation,
    /// The command that writes it, in the file.
    pub span: Span,
    /// Whether a later command of the same RUN removes it (or a directory holding it).
    pub cleaned: bool,
    /// Whether a cache or tmpfs mount of the RUN covers it, so it never reaches the layer.
    pub mounted: bool,
}

impl CacheUse {
    /// Whether the cache ends up in the image layer.
    pub fn left_in_layer(&self) -> bool {
        !self.cleaned && !self.mounted
    }
}

/// A removed path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedFact {
    /// The path as written (globs kept).
    pub path: String,
    /// The cache it is, if it is one.
    pub cache: Option<CacheLocation>,
    /// Where it is written in the file.
    pub span: Span,
}

/// A download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DownloadFact {
    /// curl or wget.
    pub tool: DownloadTool,
    /// The URLs.
    pub urls: Vec<String>,
    /// The file written, when named.
    pub output: Option<String>,
    /// The program the data is piped into (`sh` in `curl ... | sh`).
    pub piped_into: Option<String>,
    /// The command in the file.
    pub span: Span,
}

/// Directories each cache lives in; `~` is the home directory of the user running the RUN.
pub fn cache_paths(location: CacheLocation) -> &'static [&'static str] {
    use CacheLocation as C;
    match location {
        C::AptLists => &["/var/lib/apt/lists"],
        C::AptArchives => &["/var/cache/apt"],
        C::ApkCache => &["/var/cache/apk", "/etc/apk/cache"],
        C::DnfCache => &["/var/cache/dnf"],
        C::YumCache => &["/var/cache/yum"],
        C::ZypperCache => &["/var/cache/zypp"],
        C::VarCache => &["/var/cache"],
        C::PipCache => &["~/.cache/pip"],
        C::UvCache => &["~/.cache/uv"],
        C::PoetryCache => &["~/.cache/pypoetry"],
        C::CondaPackages => &["/opt/conda/pkgs"],
        C::NpmCache => &["~/.npm"],
        C::YarnCache => &["~/.cache/yarn", "/usr/local/share/.cache/yarn"],
        C::PnpmStore => &["~/.local/share/pnpm/store", "~/.pnpm-store"],
        C::GemCache => &["~/.gem", "/usr/local/bundle/cache"],
        C::GoBuildCache => &["~/.cache/go-build"],
        C::GoModuleCache => &["/go/pkg/mod", "~/go/pkg/mod"],
        C::CargoRegistry => &["/usr/local/cargo/registry", "~/.cargo/registry"],
        C::ComposerCache => &["~/.composer/cache", "~/.cache/composer"],
        C::MavenRepository => &["~/.m2/repository"],
        C::GradleCache => &["~/.gradle/caches"],
        C::UserCache => &["~/.cache"],
        C::Tmp => &["/tmp", "/var/tmp"],
        C::Documentation => &["/usr/share/doc", "/usr/share/man", "/usr/share/info"],
        C::Logs => &["/var/log"],
    }
}

/// Whether cleaning `cleaned` also cleans `location` (it is the same or holds it).
pub fn cleans(cleaned: CacheLocation, location: CacheLocation) -> bool {
    use CacheLocation as C;
    cleaned == location
        || match cleaned {
            C::VarCache => matches!(
                location,
                C::AptArchives | C::ApkCache | C::DnfCache | C::YumCache | C::ZypperCache
            ),
            C::UserCache => matches!(
                location,
                C::PipCache | C::UvCache | C::PoetryCache | C::GoBuildCache | C::YarnCache
            ),
            _ => false,
        }
}

/// Every cache location, for matching removed paths against them.
const ALL_LOCATIONS: [CacheLocation; 25] = {
    use CacheLocation as C;
    [
        C::AptLists,
        C::AptArchives,
        C::ApkCache,
        C::DnfCache,
        C::YumCache,
        C::ZypperCache,
        C::VarCache,
        C::PipCache,
        C::UvCache,
        C::PoetryCache,
        C::CondaPackages,
        C::NpmCache,
        C::YarnCache,
        C::PnpmStore,
        C::GemCache,
        C::GoBuildCache,
        C::GoModuleCache,
        C::CargoRegistry,
        C::ComposerCache,
        C::MavenRepository,
        C::GradleCache,
        C::UserCache,
        C::Tmp,
        C::Documentation,
        C::Logs,
    ]
};

/// The caches a command cleans: what the shell crate recognises, plus removals it does not
/// classify (globs such as `rm -rf /var/lib/apt/lists*`, directories above a cache such as
/// `rm -rf /var/lib`) and apt's `dist-clean`, which also removes the package lists.
pub fn cleaned_by(command: &SimpleCommand) -> Vec<CacheLocation> {
    let mut cleaned = command.action.cleaned_locations();
    match &command.action {
        Action::Remove(remove) => {
            for removed in remove.paths.iter().filter(|p| p.cache.is_none()) {
                // An absolute directory above a cache removes it too (`rm -rf /var/lib`).
                let parent = removed.text.starts_with('/')
                    && removed.text.trim_end_matches('/').len() > 1
                    && !removed.text.contains(['*', '?', '[', '$']);
                for location in ALL_LOCATIONS {
                    let hit = cache_paths(location)
                        .iter()
                        .filter(|p| !p.starts_with('~'))
                        .any(|p| {
                            glob_covers(&removed.text, p)
                                || (parent && path::is_within(p, &removed.text))
                        });
                    if hit && !cleaned.contains(&location) {
                        cleaned.push(location);
                    }
                }
            }
        }
        Action::Package(p)
            if matches!(p.manager, PackageManager::AptGet | PackageManager::Apt)
                && p.subcommand
                    .as_ref()
                    .is_some_and(|s| s.text == "dist-clean") =>
        {
            cleaned.extend([CacheLocation::AptLists, CacheLocation::AptArchives]);
        }
        _ => {}
    }
    cleaned
}

/// Whether removing the paths `pattern` matches (a shell glob with `*` and `?`) removes
/// `dir`: the pattern matches `dir` or one of its parents.
fn glob_covers(pattern: &str, dir: &str) -> bool {
    if !pattern.contains(['*', '?']) || !pattern.starts_with('/') {
        return false;
    }
    let pattern: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let dir: Vec<&str> = dir.split('/').collect();
    pattern.len() <= dir.len()
        && pattern
            .iter()
            .zip(&dir)
            .all(|(p, d)| segment_matches(p.as_bytes(), d.as_bytes()))
}

fn segment_matches(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| segment_matches(rest, &text[i..])),
        Some((b'?', rest)) => !text.is_empty() && segment_matches(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && segment_matches(rest, &text[1..]),
    }
}

/// The caches a command writes.
fn written(command: &SimpleCommand) -> Vec<CacheLocation> {
    use CacheLocation as C;
    match &command.action {
        Action::Package(p) => {
            if p.has(PackageFlagKind::NoCache) {
                return Vec::new();
            }
            match (p.manager, p.operation) {
                (
                    PackageManager::AptGet | PackageManager::Apt | PackageManager::Aptitude,
                    PackageOperation::UpdateIndex,
                ) => vec![C::AptLists],
                (
                    PackageManager::AptGet | PackageManager::Apt | PackageManager::Aptitude,
                    PackageOperation::Install
                    | PackageOperation::Upgrade
                    | PackageOperation::DistUpgrade,
                ) => vec![C::AptArchives],
                (
                    _,
                    PackageOperation::Install
                    | PackageOperation::Fetch
                    | PackageOperation::UpdateIndex
                    | PackageOperation::Upgrade
                    | PackageOperation::DistUpgrade,
                ) => p.manager.cache_locations().to_vec(),
                _ => Vec::new(),
            }
        }
        Action::Build(build) => match build.tool {
            dockwright_shell::BuildTool::Go => vec![C::GoBuildCache, C::GoModuleCache],
            dockwright_shell::BuildTool::Cargo => vec![C::CargoRegistry],
            dockwright_shell::BuildTool::Maven => vec![C::MavenRepository],
            dockwright_shell::BuildTool::Gradle => vec![C::GradleCache],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

impl RunEffects {
    /// Reads the effects of a RUN's parsed scripts. `home` is the home directory of the
    /// user the RUN runs as (for `~/.cache/...`).
    pub(crate) fn of(run: &RunFacts, home: &str) -> RunEffects {
        let mut effects = RunEffects::default();
        // Commands of every script in order, with where each cleans.
        let mut order: Vec<(usize, &RunScript, &SimpleCommand)> = Vec::new();
        for (index, script) in run.scripts.iter().enumerate() {
            for command in script.commands() {
                order.push((index, script, command));
            }
        }
        for (position, (index, script, command)) in order.iter().enumerate() {
            let span = script.span_in_file(command.span);
            match &command.action {
                Action::Package(p) => effects.packages.push(PackageUse {
                    script: *index,
                    manager: p.manager,
                    operation: p.operation,
                    packages: p.packages.iter().map(|a| a.name.clone()).collect(),
                    flags: p.flags.iter().map(|f| f.kind).collect(),
                    span,
                }),
                Action::Remove(r) => effects.removed.extend(r.paths.iter().map(|p| RemovedFact {
                    path: p.text.clone(),
                    cache: p.cache,
                    span: script.span_in_file(p.span),
                })),
                Action::Download(d) => effects.downloads.push(DownloadFact {
                    tool: d.tool,
                    urls: d.urls.iter().map(|u| u.text.clone()).collect(),
                    output: match &d.output {
                        DownloadOutput::File(a) | DownloadOutput::Directory(a) => {
                            Some(a.text.clone())
                        }
                        _ => None,
                    },
                    piped_into: d.piped_into.as_ref().map(|a| a.text.clone()),
                    span,
                }),
                Action::AddUser(u) => {
                    if let Some(name) = &u.name {
                        effects.users.push(name.text.clone());
                    }
                }
                _ => {}
            }
            for location in written(command) {
                let cleaned = order[position + 1..]
                    .iter()
                    .any(|(_, _, later)| cleaned_by(later).iter().any(|c| cleans(*c, location)));
                let mounted = cache_paths(location)
                    .iter()
                    .any(|p| mount_covers_home_path(run, p, home));
                effects.caches.push(CacheUse {
                    location,
                    span,
                    cleaned,
                    mounted,
                });
            }
        }
        effects
    }

    /// The caches of `location` that stay in the layer.
    pub fn left_in_layer(&self, location: CacheLocation) -> impl Iterator<Item = &CacheUse> {
        self.caches
            .iter()
            .filter(move |c| c.location == location && c.left_in_layer())
    }
}

/// Whether a cache/tmpfs mount covers `path`, where a leading `~` is `home` (or any home:
/// a mount on `/home/app/.cache` covers `~/.cache/pip` too).
fn mount_covers_home_path(run: &RunFacts, path: &str, home: &str) -> bool {
    let Some(relative) = path.strip_prefix("~/") else {
        return run.mount_covers(path);
    };
    if run.mount_covers(&format!("{}/{relative}", home.trim_end_matches('/'))) {
        return true;
    }
    // A mount given as `$HOME/...` or for another user's home: match the part under home.
    run.mounts.iter().any(|m| {
        matches!(
            m.mount.kind,
            dockwright_syntax::mount::MountType::Cache | dockwright_syntax::mount::MountType::Tmpfs
        ) && m.mount.target.as_deref().is_some_and(|t| {
            let t = t.trim_end_matches('/');
            let under_home = t
                .strip_prefix("/home/")
                .and_then(|r| r.split_once('/'))
                .map(|(_, r)| r)
                .or_else(|| t.strip_prefix("/root/"))
                .or_else(|| t.strip_prefix("$HOME/"))
                .or_else(|| t.strip_prefix("${HOME}/"))
                .or_else(|| t.strip_prefix("~/"));
            under_home.is_some_and(|r| path::is_within(&format!("/{relative}"), &format!("/{r}")))
        })
    })
}
