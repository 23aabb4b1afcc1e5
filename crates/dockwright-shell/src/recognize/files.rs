//! Files: archive extraction, removal (and which caches it cleans), ownership and mode
//! changes, links, changing directory.

use serde::Serialize;

use super::{Action, Argument, CommandOption, Invocation, OptionSpec, parse_args};
use crate::ast::{Word, is_false};
use crate::span::Span;

/// Unpacking an archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Extract {
    /// The tool.
    pub tool: ExtractTool,
    /// The archive; `None` when it is read from standard input (`curl ... | tar -xz`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<Argument>,
    /// Where it is unpacked (`tar -C`, `unzip -d`), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<Argument>,
    /// Every option as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<CommandOption>,
}

/// Extraction tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExtractTool {
    /// `tar x`
    Tar,
    /// `unzip`
    Unzip,
    /// `gunzip`, `gzip -d`
    Gunzip,
    /// `bunzip2`, `bzip2 -d`
    Bunzip2,
    /// `unxz`, `xz -d`
    Unxz,
    /// `zstd -d`, `unzstd`
    Unzstd,
    /// `7z x`
    SevenZip,
}

/// `rm` (or `find ... -delete` / `-exec rm`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Remove {
    /// `-r`/`-R`/`--recursive` (always for `find`).
    #[serde(skip_serializing_if = "is_false")]
    pub recursive: bool,
    /// `-f`/`--force`.
    #[serde(skip_serializing_if = "is_false")]
    pub force: bool,
    /// The paths removed (for `find`, its starting points).
    pub paths: Vec<RemovedPath>,
    /// Done by `find`, which may remove only the files its expression matches.
    #[serde(skip_serializing_if = "is_false")]
    pub by_find: bool,
}

/// A path given to `rm`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RemovedPath {
    /// The path after quote removal (globs and expansions as written).
    pub text: String,
    /// Where it is.
    pub span: Span,
    /// The cache or temporary location it cleans, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheLocation>,
}

/// Well-known caches and leftovers that cost image bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CacheLocation {
    /// `/var/lib/apt/lists`
    AptLists,
    /// `/var/cache/apt` (downloaded .deb files, pkgcache.bin)
    AptArchives,
    /// `/var/cache/apk`
    ApkCache,
    /// `/var/cache/dnf`
    DnfCache,
    /// `/var/cache/yum`
    YumCache,
    /// `/var/cache/zypp`
    ZypperCache,
    /// All of `/var/cache`
    VarCache,
    /// `~/.cache/pip`
    PipCache,
    /// `~/.cache/uv`
    UvCache,
    /// `~/.cache/pypoetry`
    PoetryCache,
    /// `/opt/conda/pkgs`
    CondaPackages,
    /// `~/.npm`
    NpmCache,
    /// `~/.cache/yarn`, `/usr/local/share/.cache/yarn`
    YarnCache,
    /// pnpm's store
    PnpmStore,
    /// `~/.gem`, `$GEM_HOME/cache`
    GemCache,
    /// `~/.cache/go-build`
    GoBuildCache,
    /// `/go/pkg/mod`, `$GOPATH/pkg/mod`
    GoModuleCache,
    /// `~/.cargo/registry`, `$CARGO_HOME/registry`
    CargoRegistry,
    /// `~/.composer/cache`
    ComposerCache,
    /// `~/.m2/repository`
    MavenRepository,
    /// `~/.gradle/caches`
    GradleCache,
    /// All of `~/.cache` (pip, go-build, yarn, ... together)
    UserCache,
    /// `/tmp`, `/var/tmp`
    Tmp,
    /// `/usr/share/doc`, `/usr/share/man`, `/usr/share/info`
    Documentation,
    /// `/var/log`
    Logs,
}

/// Classifies a removed path. `$HOME`, `${HOME}`, `~` and `/root` count as the home
/// directory; a trailing `/*` or `/` is ignored.
#[must_use]
pub fn classify_cache_path(path: &str) -> Option<CacheLocation> {
    use CacheLocation as C;
    let mut p = path
        .trim_end_matches("/*")
        .trim_end_matches("/**")
        .trim_end_matches('/');
    let owned;
    for home in ["${HOME}", "$HOME", "/root"] {
        if let Some(rest) = p.strip_prefix(home)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            owned = format!("~{rest}");
            p = &owned;
            break;
        }
    }
    let under =
        |prefix: &str| p == prefix || p.strip_prefix(prefix).is_some_and(|r| r.starts_with('/'));
    const TABLE: &[(&str, CacheLocation)] = &[
        ("/var/lib/apt/lists", C::AptLists),
        ("/var/cache/apt", C::AptArchives),
        ("/var/cache/apk", C::ApkCache),
        ("/etc/apk/cache", C::ApkCache),
        ("/var/cache/dnf", C::DnfCache),
        ("/var/cache/yum", C::YumCache),
        ("/var/cache/zypp", C::ZypperCache),
        ("/var/cache", C::VarCache),
        ("~/.cache/pip", C::PipCache),
        ("~/.cache/uv", C::UvCache),
        ("~/.cache/pypoetry", C::PoetryCache),
        ("~/.cache/go-build", C::GoBuildCache),
        ("~/.cache/yarn", C::YarnCache),
        ("/usr/local/share/.cache/yarn", C::YarnCache),
        ("~/.cache/composer", C::ComposerCache),
        ("~/.cache", C::UserCache),
        ("~/.npm", C::NpmCache),
        ("~/.pnpm-store", C::PnpmStore),
        ("~/.local/share/pnpm/store", C::PnpmStore),
        ("~/.gem", C::GemCache),
        ("/usr/local/bundle/cache", C::GemCache),
        ("$GEM_HOME/cache", C::GemCache),
        ("~/go/pkg/mod", C::GoModuleCache),
        ("/go/pkg/mod", C::GoModuleCache),
        ("$GOPATH/pkg/mod", C::GoModuleCache),
        ("${GOPATH}/pkg/mod", C::GoModuleCache),
        ("~/.cargo/registry", C::CargoRegistry),
        ("/usr/local/cargo/registry", C::CargoRegistry),
        ("$CARGO_HOME/registry", C::CargoRegistry),
        ("${CARGO_HOME}/registry", C::CargoRegistry),
        ("~/.composer/cache", C::ComposerCache),
        ("~/.m2/repository", C::MavenRepository),
        ("~/.gradle/caches", C::GradleCache),
        ("/opt/conda/pkgs", C::CondaPackages),
        ("$CONDA_DIR/pkgs", C::CondaPackages),
        ("/tmp", C::Tmp),
        ("/var/tmp", C::Tmp),
        ("/usr/share/doc", C::Documentation),
        ("/usr/share/man", C::Documentation),
        ("/usr/share/info", C::Documentation),
        ("/var/log", C::Logs),
    ];
    TABLE
        .iter()
        .find(|(prefix, _)| under(prefix))
        .map(|(_, c)| *c)
}

fn removed_path(word: &Word) -> RemovedPath {
    RemovedPath {
        text: word.text.clone(),
        span: word.span,
        cache: classify_cache_path(&word.text),
    }
}

pub(super) fn recognize_rm(inv: &Invocation<'_>) -> Action {
    let args = parse_args(inv.args(), &OptionSpec::default());
    Action::Remove(Remove {
        recursive: args.has(&["-r", "-R", "--recursive"]),
        force: args.has(&["-f", "--force"]),
        paths: args.operands.iter().map(|w| removed_path(w)).collect(),
        by_find: false,
    })
}

/// `find PATH... EXPR` that deletes (`-delete`, `-exec rm ...`).
pub(super) fn recognize_find(inv: &Invocation<'_>) -> Action {
    let args = inv.args();
    let deletes = args.iter().enumerate().any(|(i, w)| {
        w.text == "-delete"
            || (matches!(w.text.as_str(), "-exec" | "-execdir")
                && args
                    .get(i + 1)
                    .is_some_and(|c| c.text == "rm" || c.text.ends_with("/rm")))
    });
    if !deletes {
        return Action::Unknown;
    }
    let paths = args
        .iter()
        .take_while(|w| !(w.text.starts_with('-') || w.text == "(" || w.text == "!"))
        .filter(|w| !matches!(w.text.as_str(), "-H" | "-L" | "-P"))
        .map(removed_path)
        .collect();
    Action::Remove(Remove {
        recursive: true,
        force: true,
        paths,
        by_find: true,
    })
}

const TAR_VALUE_LETTERS: &str = "fCbTXKgLNVIH";

pub(super) fn recognize_extract(inv: &Invocation<'_>) -> Action {
    let args_words = inv.args();
    let (tool, archive, destination, options) = match inv.program {
        "tar" | "bsdtar" | "gtar" => {
            let Some((archive, destination, options)) = tar(args_words) else {
                return Action::Unknown;
            };
            (ExtractTool::Tar, archive, destination, options)
        }
        "unzip" => {
            let spec = OptionSpec {
                short_values: "dP",
                ..OptionSpec::default()
            };
            let args = parse_args(args_words, &spec);
            let destination = args
                .options
                .iter()
                .rev()
                .find(|o| o.is(&["-d"]))
                .map(|o| Argument {
                    text: o.value.clone().unwrap_or_default(),
                    span: o.value_word.map_or(o.word.span, |w| w.span),
                });
            let archive = args.operands.first().map(|w| Argument::from_word(w));
            (
                ExtractTool::Unzip,
                archive,
                destination,
                args.public_options(),
            )
        }
        "7z" | "7za" => {
            let args = parse_args(args_words, &OptionSpec::default());
            if args
                .operands
                .first()
                .is_none_or(|w| w.text != "x" && w.text != "e")
            {
                return Action::Unknown;
            }
            let destination = args_words.iter().find_map(|w| {
                w.text.strip_prefix("-o").map(|d| Argument {
                    text: d.to_string(),
                    span: w.span,
                })
            });
            let archive = args.operands.get(1).map(|w| Argument::from_word(w));
            (
                ExtractTool::SevenZip,
                archive,
                destination,
                args.public_options(),
            )
        }
        name => {
            let args = parse_args(args_words, &OptionSpec::default());
            let decompress = args.has(&["-d", "--decompress", "--uncompress"]);
            let tool = match name {
                "gunzip" => ExtractTool::Gunzip,
                "gzip" if decompress => ExtractTool::Gunzip,
                "bunzip2" => ExtractTool::Bunzip2,
                "bzip2" if decompress => ExtractTool::Bunzip2,
                "unxz" => ExtractTool::Unxz,
                "xz" if decompress => ExtractTool::Unxz,
                "unzstd" => ExtractTool::Unzstd,
                "zstd" if decompress => ExtractTool::Unzstd,
                _ => return Action::Unknown,
            };
            let archive = args.operands.first().map(|w| Argument::from_word(w));
            (tool, archive, None, args.public_options())
        }
    };
    Action::Extract(Extract {
        tool,
        archive,
        destination,
        options,
    })
}

type TarParts = (Option<Argument>, Option<Argument>, Vec<CommandOption>);

/// `tar` in extract mode: archive (`None` for stdin) and destination. Handles the old
/// bundled form (`tar xzf file.tgz`), short (`-xzf`) and long (`--extract --file=`) forms.
fn tar(words: &[Word]) -> Option<TarParts> {
    let spec = OptionSpec {
        short_values: TAR_VALUE_LETTERS,
        long_values: &[
            "file",
            "directory",
            "blocking-factor",
            "files-from",
            "exclude-from",
            "exclude",
            "starting-file",
            "listed-incremental",
            "tape-length",
            "newer",
            "label",
            "use-compress-program",
            "format",
            "strip-components",
            "transform",
            "owner",
            "group",
            "mode",
            "wildcards",
            "xform",
            "checkpoint-action",
            "warning",
        ],
        ..OptionSpec::default()
    };
    let mut options: Vec<CommandOption> = Vec::new();
    let mut extract = false;
    let mut archive: Option<Argument> = None;
    let mut destination: Option<Argument> = None;
    let mut rest_start = 0;
    // Old style: the first word is bundled letters without a dash; values follow in order.
    if let Some(first) = words.first()
        && !first.text.starts_with('-')
        && !first.text.is_empty()
        && first.text.chars().all(|c| c.is_ascii_alphabetic())
        && first.text.chars().any(|c| "xtcru".contains(c))
    {
        let mut next = 1;
        for c in first.text.chars() {
            let mut option = CommandOption {
                name: format!("-{c}"),
                value: None,
                span: first.span,
            };
            if TAR_VALUE_LETTERS.contains(c)
                && let Some(v) = words.get(next)
            {
                option.value = Some(v.text.clone());
                option.span = first.span.cover(v.span);
                let argument = Argument::from_word(v);
                if c == 'f' {
                    archive = Some(argument);
                } else if c == 'C' {
                    destination = Some(argument);
                }
                next += 1;
            }
            extract |= c == 'x';
            options.push(option);
        }
        rest_start = next;
    }
    let args = parse_args(words.get(rest_start..).unwrap_or_default(), &spec);
    extract |= args.has(&["-x", "--extract", "--get"]);
    for o in &args.options {
        let argument = || Argument {
            text: o.value.clone().unwrap_or_default(),
            span: o.value_word.map_or(o.word.span, |w| w.span),
        };
        if o.is(&["-f", "--file"]) {
            archive = Some(argument());
        } else if o.is(&["-C", "--directory"]) {
            destination = Some(argument());
        }
    }
    if !extract {
        return None;
    }
    options.extend(args.public_options());
    let archive = archive.filter(|a| a.text != "-");
    Some((archive, destination, options))
}

/// `chown`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeOwner {
    /// `-R`/`--recursive`.
    #[serde(skip_serializing_if = "is_false")]
    pub recursive: bool,
    /// `user[:group]` (absent with `--reference`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Argument>,
    /// The paths changed.
    pub paths: Vec<Argument>,
}

/// `chmod`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeMode {
    /// `-R`/`--recursive`.
    #[serde(skip_serializing_if = "is_false")]
    pub recursive: bool,
    /// The mode (`755`, `u+x`, `-w`), absent with `--reference`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Argument>,
    /// Whether the mode gives others write permission (`777`, `o+w`, `a=rwx`).
    #[serde(skip_serializing_if = "is_false")]
    pub world_writable: bool,
    /// The paths changed.
    pub paths: Vec<Argument>,
}

/// `ln`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    /// `-s`.
    #[serde(skip_serializing_if = "is_false")]
    pub symbolic: bool,
    /// `-f`.
    #[serde(skip_serializing_if = "is_false")]
    pub force: bool,
    /// What the link points to (the first operand).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Argument>,
    /// The link made (the last operand, or the `-t` directory).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<Argument>,
}

/// `cd` (or `pushd`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeDirectory {
    /// The directory; `None` means the home directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Argument>,
}

pub(super) fn recognize_chown(inv: &Invocation<'_>) -> Action {
    let spec = OptionSpec {
        long_values: &["from"],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let by_reference = args.options.iter().any(|o| o.name == "--reference");
    let mut operands = args.operands.iter().map(|w| Argument::from_word(w));
    let owner = if by_reference { None } else { operands.next() };
    Action::ChangeOwner(ChangeOwner {
        recursive: args.has(&["-R", "--recursive"]),
        owner,
        paths: operands.collect(),
    })
}

pub(super) fn recognize_chmod(inv: &Invocation<'_>) -> Action {
    let mut recursive = false;
    let mut by_reference = false;
    let mut mode: Option<Argument> = None;
    let mut paths = Vec::new();
    let mut options_done = false;
    for word in inv.args() {
        let t = word.text.as_str();
        if !options_done && t == "--" {
            options_done = true;
        } else if !options_done && t.starts_with("--") {
            recursive |= t == "--recursive";
            by_reference |= t.starts_with("--reference");
        } else if !options_done
            && mode.is_none()
            && t.len() > 1
            && t.starts_with('-')
            && t[1..].chars().all(|c| "RcfvHLP".contains(c))
        {
            recursive |= t.contains('R');
        } else if mode.is_none() && !by_reference {
            mode = Some(Argument::from_word(word));
        } else {
            paths.push(Argument::from_word(word));
        }
    }
    let world_writable = mode
        .as_ref()
        .is_some_and(|m| mode_is_world_writable(&m.text));
    Action::ChangeMode(ChangeMode {
        recursive,
        mode,
        world_writable,
        paths,
    })
}

/// Whether a chmod mode gives others write permission: octal with the others digit
/// including 2, or a symbolic clause for `o` or `a` adding or setting `w`.
#[must_use]
pub fn mode_is_world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) {
        return mode
            .chars()
            .last()
            .and_then(|c| c.to_digit(8))
            .is_some_and(|others| others & 2 != 0);
    }
    mode.split(',').any(|clause| {
        let who_len = clause.chars().take_while(|c| "ugoa".contains(*c)).count();
        let who = &clause[..who_len];
        if !(who.contains('o') || who.contains('a')) {
            return false;
        }
        let mut op = None;
        for c in clause[who_len..].chars() {
            if "+-=".contains(c) {
                op = Some(c);
            } else if c == 'w' && matches!(op, Some('+' | '=')) {
                return true;
            }
        }
        false
    })
}

pub(super) fn recognize_ln(inv: &Invocation<'_>) -> Action {
    let spec = OptionSpec {
        short_values: "tS",
        long_values: &["target-directory", "suffix"],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let directory = args
        .options
        .iter()
        .rev()
        .find(|o| o.is(&["-t", "--target-directory"]))
        .map(|o| Argument {
            text: o.value.clone().unwrap_or_default(),
            span: o.value_word.map_or(o.word.span, |w| w.span),
        });
    let target = args.operands.first().map(|w| Argument::from_word(w));
    let link = directory.or_else(|| {
        (args.operands.len() >= 2)
            .then(|| args.operands.last().map(|w| Argument::from_word(w)))
            .flatten()
    });
    Action::Link(Link {
        symbolic: args.has(&["-s", "--symbolic"]),
        force: args.has(&["-f", "--force"]),
        target,
        link,
    })
}

pub(super) fn recognize_cd(inv: &Invocation<'_>) -> Action {
    let target = inv
        .args()
        .iter()
        .find(|w| !matches!(w.text.as_str(), "-L" | "-P" | "-e" | "-@" | "--"))
        .map(Argument::from_word);
    Action::ChangeDirectory(ChangeDirectory { target })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_paths() {
        assert_eq!(
            classify_cache_path("/var/lib/apt/lists/*"),
            Some(CacheLocation::AptLists)
        );
        assert_eq!(
            classify_cache_path("/var/lib/apt/lists"),
            Some(CacheLocation::AptLists)
        );
        assert_eq!(
            classify_cache_path("/var/cache/apt/archives/*.deb"),
            Some(CacheLocation::AptArchives)
        );
        assert_eq!(
            classify_cache_path("$HOME/.cache/pip"),
            Some(CacheLocation::PipCache)
        );
        assert_eq!(
            classify_cache_path("/root/.cache"),
            Some(CacheLocation::UserCache)
        );
        assert_eq!(classify_cache_path("~/.npm"), Some(CacheLocation::NpmCache));
        assert_eq!(classify_cache_path("/tmp/*"), Some(CacheLocation::Tmp));
        assert_eq!(
            classify_cache_path("/var/cache/*"),
            Some(CacheLocation::VarCache)
        );
        assert_eq!(classify_cache_path("/var/lib/apt"), None);
        assert_eq!(classify_cache_path("/tmpfoo"), None);
        assert_eq!(classify_cache_path("/app"), None);
    }

    #[test]
    fn world_writable_modes() {
        for m in [
            "777", "0777", "1777", "666", "o+w", "a+rwx", "a=rwx", "u+x,o+w", "go+w",
        ] {
            assert!(mode_is_world_writable(m), "{m}");
        }
        for m in [
            "755", "0644", "u+w", "+w", "o-w", "a-w", "g+w", "+x", "o+r", "o=rx",
        ] {
            assert!(!mode_is_world_writable(m), "{m}");
        }
    }
}
