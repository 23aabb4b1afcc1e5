//! Language package managers and the builds they drive: pip (and `python -m pip`), uv,
//! poetry, pipenv, conda/mamba/micromamba, npm, yarn, pnpm, gem, bundler, go, cargo,
//! composer, maven, gradle, dotnet.

use super::{
    Action, Argument, Build, BuildTool, Invocation, OptionSpec, PackageArg, PackageArgKind,
    PackageCommand, PackageFlagKind as F, PackageManager as M, PackageOperation as Op, ParsedArgs,
    Setting, add_flag, classify_operand, flag_if, is_false_value, parse_args, plain_package,
    versioned_package,
};
use crate::ast::Word;
use crate::span::Span;

pub(super) fn recognize(inv: &Invocation<'_>) -> Option<Action> {
    let name = inv.program;
    if is_versioned_name(name, "pip") {
        return Some(Action::Package(pip(inv, inv.args(), M::Pip)));
    }
    if is_python(name) {
        return python(inv);
    }
    let action = match name {
        "uv" => uv(inv),
        "poetry" => Action::Package(poetry(inv)),
        "pipenv" => Action::Package(pipenv(inv)),
        "conda" | "mamba" | "micromamba" => Action::Package(conda(inv)),
        "npm" => npm(inv),
        "yarn" | "yarnpkg" => yarn(inv),
        "pnpm" => pnpm(inv),
        "gem" => Action::Package(gem(inv)),
        "bundle" | "bundler" => Action::Package(bundle(inv)),
        "go" => go(inv)?,
        "cargo" => cargo(inv)?,
        "composer" | "composer.phar" => Action::Package(composer(inv)),
        "mvn" | "mvnw" => maven(inv)?,
        "gradle" | "gradlew" => gradle(inv)?,
        "dotnet" => dotnet(inv)?,
        _ => return None,
    };
    Some(action)
}

/// `pip`, `pip3`, `pip3.11`: `base` followed by digits and dots only.
fn is_versioned_name(name: &str, base: &str) -> bool {
    name.strip_prefix(base)
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_python(name: &str) -> bool {
    is_versioned_name(name, "python") || is_versioned_name(name, "pypy")
}

fn package_command(
    manager: M,
    operation: Op,
    sub: Option<&Word>,
    args: &ParsedArgs<'_>,
) -> PackageCommand {
    PackageCommand {
        manager,
        operation,
        subcommand: sub.map(Argument::from_word),
        packages: Vec::new(),
        flags: Vec::new(),
        options: args.public_options(),
        operands: Vec::new(),
        setting: None,
    }
}

fn build(tool: BuildTool, target: Option<&Word>) -> Action {
    Action::Build(Build {
        tool,
        target: target.map(Argument::from_word),
    })
}

// ---- python ----------------------------------------------------------------------------

/// `python -m pip ...`, `python -m build`, `python setup.py bdist_wheel`.
fn python(inv: &Invocation<'_>) -> Option<Action> {
    let args = inv.args();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if t == "-m" {
            let module = args.get(i + 1)?;
            return python_module(inv, module, args.get(i + 2..).unwrap_or_default());
        }
        if let Some(module) = t.strip_prefix("-m")
            && !module.is_empty()
            && !t.starts_with("--")
        {
            return match module {
                "pip" | "pip3" => Some(Action::Package(pip(
                    inv,
                    args.get(i + 1..).unwrap_or_default(),
                    M::Pip,
                ))),
                "build" => Some(build(BuildTool::Python, Some(w))),
                _ => None,
            };
        }
        if t == "-c" || !t.starts_with('-') {
            // A script: `python setup.py <command>` is a build.
            if t.ends_with("setup.py") {
                let target = args
                    .get(i + 1..)
                    .unwrap_or_default()
                    .iter()
                    .find(|w| !w.text.starts_with('-'));
                return match target.map(|w| w.text.as_str()) {
                    Some(
                        "install" | "build" | "build_ext" | "bdist_wheel" | "bdist_egg" | "sdist"
                        | "develop",
                    ) => Some(build(BuildTool::Python, target)),
                    _ => None,
                };
            }
            return None;
        }
        i += if matches!(t, "-W" | "-X") { 2 } else { 1 };
    }
    None
}

fn python_module(inv: &Invocation<'_>, module: &Word, rest: &[Word]) -> Option<Action> {
    match module.text.as_str() {
        "pip" | "pip3" => Some(Action::Package(pip(inv, rest, M::Pip))),
        "build" => Some(build(BuildTool::Python, Some(module))),
        _ => None,
    }
}

const PIP_SPEC: OptionSpec = OptionSpec {
    short_values: "rcetifbC",
    long_values: &[
        "requirement",
        "constraint",
        "editable",
        "target",
        "prefix",
        "root",
        "index-url",
        "extra-index-url",
        "find-links",
        "trusted-host",
        "src",
        "platform",
        "python-version",
        "implementation",
        "abi",
        "cache-dir",
        "no-binary",
        "only-binary",
        "progress-bar",
        "upgrade-strategy",
        "log",
        "proxy",
        "retries",
        "timeout",
        "exists-action",
        "cert",
        "client-cert",
        "global-option",
        "install-option",
        "config-settings",
        "report",
        "root-user-action",
        "python",
        "build",
        "keyring-provider",
        "use-feature",
        "use-deprecated",
        "group",
        "dest",
        "wheel-dir",
        "index",
        "default-index",
        "extra-index",
    ],
    single_dash: &[],
    single_dash_values: &[],
    stop_at_operand: false,
    short_optional_values: "",
};

const PIP_FILE_SUFFIXES: &[&str] = &[".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz"];
const PIP_OPERATORS: &[&str] = &["===", "==", ">=", "<=", "~=", "!=", ">", "<"];

/// pip (also `uv pip`): `args` are the words after `pip`.
fn pip(inv: &Invocation<'_>, args_words: &[Word], manager: M) -> PackageCommand {
    let args = parse_args(args_words, &PIP_SPEC);
    let sub = args.operands.first().copied();
    let sub_text = sub.map(|w| w.text.as_str());
    let operation = match sub_text {
        Some("install") => Op::Install,
        Some("uninstall") => Op::Remove,
        Some("download") => Op::Fetch,
        Some("sync") => Op::Install,
        Some("cache") => match args.operands.get(1).map(|w| w.text.as_str()) {
            Some("purge" | "remove") => Op::CleanCache,
            _ => Op::Other,
        },
        Some("config") => Op::Configure,
        _ => Op::Other,
    };
    let mut cmd = package_command(manager, operation, sub, &args);
    if matches!(operation, Op::Install | Op::Remove | Op::Fetch) {
        for word in args.operands.iter().skip(1) {
            cmd.packages.push(pip_package(word));
        }
        for o in &args.options {
            let value_span = o.value_word.map_or(o.word.span, |w| w.span);
            let value = o.value.clone().unwrap_or_default();
            if o.is(&["-r", "--requirement", "-c", "--constraint"]) {
                cmd.packages.push(PackageArg {
                    span: value_span,
                    text: value.clone(),
                    name: value,
                    operator: None,
                    version: None,
                    version_span: None,
                    kind: PackageArgKind::Requirements,
                    editable: false,
                });
            } else if o.is(&["-e", "--editable"]) {
                let mut package = match o.value_word {
                    Some(w) => pip_package(w),
                    None => PackageArg {
                        span: value_span,
                        text: value.clone(),
                        name: value,
                        operator: None,
                        version: None,
                        version_span: None,
                        kind: PackageArgKind::Directory,
                        editable: false,
                    },
                };
                package.editable = true;
                cmd.packages.push(package);
            }
        }
        cmd.packages.sort_by_key(|p| p.span.start);
    } else if operation == Op::Configure {
        // `pip config set global.trusted-host example.org`
        let ops: Vec<&str> = args.operands.iter().map(|w| w.text.as_str()).collect();
        if let [_, "set", key, value, ..] = ops.as_slice() {
            let span = args.operands[2].span.cover(args.operands[3].span);
            cmd.setting = Some(Setting {
                key: (*key).to_string(),
                value: (*value).to_string(),
                span,
            });
            if key.ends_with("trusted-host") {
                add_flag(&mut cmd.flags, F::Insecure, span);
            }
        }
    } else {
        cmd.operands = args
            .operands
            .iter()
            .skip(1)
            .map(|w| Argument::from_word(w))
            .collect();
    }
    let flags = &mut cmd.flags;
    flag_if(&args, flags, &["--no-cache-dir", "--no-cache"], F::NoCache);
    for var in ["PIP_NO_CACHE_DIR", "UV_NO_CACHE"] {
        if let Some((value, span)) = inv.env_value(var)
            && (var == "PIP_NO_CACHE_DIR" || !is_false_value(value))
        {
            add_flag(flags, F::NoCache, span);
        }
    }
    flag_if(&args, flags, &["--trusted-host"], F::Insecure);
    if let Some((_, span)) = inv.env_value("PIP_TRUSTED_HOST") {
        add_flag(flags, F::Insecure, span);
    }
    flag_if(&args, flags, &["--user"], F::User);
    flag_if(&args, flags, &["-U", "--upgrade"], F::Upgrade);
    flag_if(&args, flags, &["-e", "--editable"], F::Editable);
    flag_if(
        &args,
        flags,
        &["--system", "--break-system-packages"],
        F::System,
    );
    flag_if(&args, flags, &["-y", "--yes"], F::AssumeYes);
    cmd
}

/// `pkg`, `pkg==1.0`, `pkg[extra]>=2`, `./dir`, `x.whl`, `git+https://...@v1#egg=x`.
fn pip_package(word: &Word) -> PackageArg {
    // The project in the current directory with extras: `.[dev]`, `'.[test,docs]'`.
    if word.text.starts_with(".[") {
        return plain_package(word, PackageArgKind::Directory);
    }
    match classify_operand(word, PIP_FILE_SUFFIXES) {
        Some(PackageArgKind::Vcs) => vcs_package(word, '@'),
        Some(kind) => plain_package(word, kind),
        None if word.text.contains('/') && !word.text.contains(['=', '<', '>', '~', '!']) => {
            plain_package(word, PackageArgKind::Directory)
        }
        None => versioned_package(word, PIP_OPERATORS),
    }
}

/// A VCS URL whose revision follows `marker` in its last path segment (`@v1.0` for pip,
/// `#v1.0` for npm).
fn vcs_package(word: &Word, marker: char) -> PackageArg {
    let text = word.text.as_str();
    let path_start = text.find("://").map_or(0, |i| i + 3);
    // The fragment (`#egg=x&subdirectory=a/b`) is not part of the path.
    let path_end = text[path_start..]
        .find('#')
        .map_or(text.len(), |i| path_start + i);
    let last_segment = text[path_start..path_end]
        .rfind('/')
        .map_or(path_start, |i| path_start + i + 1);
    let mut package = plain_package(word, PackageArgKind::Vcs);
    if let Some(at) = text[last_segment..].find(marker) {
        let start = last_segment + at + 1;
        let end = text[start..]
            .find(['#', '&'])
            .map_or(text.len(), |i| start + i);
        package.name = text[..last_segment + at].to_string();
        package.operator = Some(marker.to_string());
        package.version = Some(text[start..end].to_string());
        package.version_span = Some(word.text_span(start - 1, end));
    }
    package
}

fn uv(inv: &Invocation<'_>) -> Action {
    let args_words = inv.args();
    // Global options come before the subcommand.
    let spec = OptionSpec {
        long_values: &[
            "cache-dir",
            "directory",
            "project",
            "config-file",
            "color",
            "python",
        ],
        short_values: "p",
        stop_at_operand: true,
        ..OptionSpec::default()
    };
    let global = parse_args(args_words, &spec);
    let Some(sub) = global.operands.first().copied() else {
        return Action::Unknown;
    };
    let rest = args_words.get(global.rest..).unwrap_or_default();
    let mut cmd = match sub.text.as_str() {
        "pip" => pip(inv, rest, M::Uv),
        "sync" | "add" | "remove" | "lock" | "export" => {
            let spec = OptionSpec {
                short_values: "rpc",
                long_values: &[
                    "extra",
                    "group",
                    "only-group",
                    "no-group",
                    "python",
                    "package",
                    "index",
                    "index-url",
                    "extra-index-url",
                    "find-links",
                    "constraint",
                    "requirements",
                    "optional",
                    "dev-group",
                ],
                ..OptionSpec::default()
            };
            let args = parse_args(rest, &spec);
            let operation = match sub.text.as_str() {
                "sync" | "add" => Op::Install,
                "remove" => Op::Remove,
                _ => Op::Other,
            };
            let mut cmd = package_command(M::Uv, operation, Some(sub), &args);
            for word in &args.operands {
                cmd.packages.push(pip_package(word));
            }
            let flags = &mut cmd.flags;
            flag_if(&args, flags, &["--frozen", "--locked"], F::Frozen);
            flag_if(
                &args,
                flags,
                &["--no-dev", "--only-group", "--no-default-groups"],
                F::DevExcluded,
            );
            if let Some(o) = args
                .options
                .iter()
                .find(|o| o.is(&["--group"]) && o.value.as_deref() == Some("dev"))
            {
                add_flag(flags, F::DevIncluded, o.span());
            }
            flag_if(&args, flags, &["--no-cache", "-n"], F::NoCache);
            cmd
        }
        "tool" => {
            let args = parse_args(
                rest,
                &OptionSpec {
                    long_values: &["python", "with", "from"],
                    ..OptionSpec::default()
                },
            );
            let verb = args.operands.first().copied();
            let operation = match verb.map(|w| w.text.as_str()) {
                Some("install") => Op::Install,
                Some("uninstall") => Op::Remove,
                Some("upgrade") => Op::Upgrade,
                _ => Op::Other,
            };
            let mut cmd = package_command(M::Uv, operation, verb, &args);
            for word in args.operands.iter().skip(1) {
                cmd.packages.push(pip_package(word));
            }
            add_flag(&mut cmd.flags, F::Global, sub.span);
            cmd
        }
        "cache" => {
            let args = parse_args(rest, &OptionSpec::default());
            let operation = match args.operands.first().map(|w| w.text.as_str()) {
                Some("clean" | "prune") => Op::CleanCache,
                _ => Op::Other,
            };
            package_command(M::Uv, operation, Some(sub), &args)
        }
        _ => return Action::Unknown,
    };
    let flags = &mut cmd.flags;
    flag_if(&global, flags, &["--no-cache", "-n"], F::NoCache);
    if let Some((value, span)) = inv.env_value("UV_NO_CACHE")
        && !is_false_value(value)
    {
        add_flag(flags, F::NoCache, span);
    }
    cmd.options.splice(0..0, global.public_options());
    Action::Package(cmd)
}

fn poetry(inv: &Invocation<'_>) -> PackageCommand {
    let spec = OptionSpec {
        short_values: "CEG",
        long_values: &[
            "only",
            "without",
            "with",
            "extras",
            "directory",
            "project",
            "group",
            "source",
            "python",
        ],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let sub = args.operands.first().copied();
    let operation = match sub.map(|w| w.text.as_str()) {
        Some("install" | "add" | "sync") => Op::Install,
        Some("remove") => Op::Remove,
        Some("update") => Op::Upgrade,
        Some("config") => Op::Configure,
        Some("cache") => match args.operands.get(1).map(|w| w.text.as_str()) {
            Some("clear") => Op::CleanCache,
            _ => Op::Other,
        },
        _ => Op::Other,
    };
    let mut cmd = package_command(M::Poetry, operation, sub, &args);
    let sub_text = sub.map_or("", |w| w.text.as_str());
    if sub_text == "add" || sub_text == "remove" {
        for word in args.operands.iter().skip(1) {
            cmd.packages
                .push(match classify_operand(word, PIP_FILE_SUFFIXES) {
                    Some(kind) => plain_package(word, kind),
                    None => versioned_package(word, &["@", "==", ">=", "<=", "~=", "^"]),
                });
        }
    } else if operation == Op::Configure {
        if let [_, key, value, ..] = args.operands.as_slice() {
            cmd.setting = Some(Setting {
                key: key.text.clone(),
                value: value.text.clone(),
                span: key.span.cover(value.span),
            });
        }
    } else {
        cmd.operands = args
            .operands
            .iter()
            .skip(1)
            .map(|w| Argument::from_word(w))
            .collect();
    }
    let flags = &mut cmd.flags;
    flag_if(&args, flags, &["--no-dev"], F::DevExcluded);
    for o in &args.options {
        let groups = o.value.as_deref().unwrap_or_default();
        if o.is(&["--only"]) && !groups.split(',').any(|g| g.trim() == "dev")
            || o.is(&["--without"]) && groups.split(',').any(|g| g.trim() == "dev")
        {
            add_flag(flags, F::DevExcluded, o.span());
        }
        if o.is(&["--with", "--only"]) && groups.split(',').any(|g| g.trim() == "dev") {
            add_flag(flags, F::DevIncluded, o.span());
        }
    }
    flag_if(&args, flags, &["-n", "--no-interaction"], F::AssumeYes);
    cmd
}

fn pipenv(inv: &Invocation<'_>) -> PackageCommand {
    let spec = OptionSpec {
        long_values: &["python", "pypi-mirror", "categories", "extra-pip-args"],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let sub = args.operands.first().copied();
    let operation = match sub.map(|w| w.text.as_str()) {
        Some("install" | "sync") => Op::Install,
        Some("uninstall") => Op::Remove,
        Some("update" | "upgrade") => Op::Upgrade,
        _ => Op::Other,
    };
    let mut cmd = package_command(M::Pipenv, operation, sub, &args);
    if matches!(operation, Op::Install | Op::Remove) {
        for word in args.operands.iter().skip(1) {
            cmd.packages.push(pip_package(word));
        }
    }
    let flags = &mut cmd.flags;
    flag_if(&args, flags, &["--deploy"], F::Frozen);
    if sub.is_some_and(|w| w.text == "sync")
        && let Some(w) = sub
    {
        add_flag(flags, F::Frozen, w.span);
    }
    flag_if(&args, flags, &["--system"], F::System);
    flag_if(&args, flags, &["-d", "--dev"], F::DevIncluded);
    if let Some((_, span)) = inv.env_value("PIP_NO_CACHE_DIR") {
        add_flag(flags, F::NoCache, span);
    }
    cmd
}

fn conda(inv: &Invocation<'_>) -> PackageCommand {
    let args_words = inv.args();
    let sub_index = args_words.iter().position(|w| !w.text.starts_with('-'));
    let sub = sub_index.map(|i| &args_words[i]);
    let mut verb = sub;
    let mut rest = sub_index.map_or(&[][..], |i| &args_words[i + 1..]);
    // `conda env create -f environment.yml`
    if sub.is_some_and(|w| w.text == "env")
        && let Some(i) = rest.iter().position(|w| !w.text.starts_with('-'))
    {
        verb = Some(&rest[i]);
        rest = &rest[i + 1..];
    }
    let verb_text = verb.map_or("", |w| w.text.as_str());
    let spec = if sub.is_some_and(|w| w.text == "clean") {
        OptionSpec::default()
    } else {
        OptionSpec {
            short_values: "npcf",
            long_values: &[
                "name",
                "prefix",
                "channel",
                "file",
                "override-channels",
                "root-prefix",
                "platform",
                "solver",
            ],
            ..OptionSpec::default()
        }
    };
    let args = parse_args(rest, &spec);
    let operation = match verb_text {
        "install" | "create" | "update" if sub.is_some_and(|w| w.text == "env") => Op::Install,
        "install" | "create" => Op::Install,
        "remove" | "uninstall" => Op::Remove,
        "update" | "upgrade" => Op::Upgrade,
        "clean" => Op::CleanCache,
        "config" => Op::Configure,
        _ => Op::Other,
    };
    let mut cmd = package_command(M::Conda, operation, verb, &args);
    if matches!(operation, Op::Install | Op::Remove | Op::Upgrade) {
        for word in &args.operands {
            cmd.packages
                .push(match classify_operand(word, &[".tar.bz2", ".conda"]) {
                    Some(kind) => plain_package(word, kind),
                    None => versioned_package(word, &["==", ">=", "<=", "=", ">", "<", "~="]),
                });
        }
        for o in &args.options {
            if o.is(&["-f", "--file"]) {
                let span = o.value_word.map_or(o.word.span, |w| w.span);
                let value = o.value.clone().unwrap_or_default();
                cmd.packages.push(PackageArg {
                    span,
                    text: value.clone(),
                    name: value,
                    operator: None,
                    version: None,
                    version_span: None,
                    kind: PackageArgKind::Requirements,
                    editable: false,
                });
            }
        }
    } else {
        cmd.operands = args
            .operands
            .iter()
            .map(|w| Argument::from_word(w))
            .collect();
    }
    let flags = &mut cmd.flags;
    flag_if(&args, flags, &["-y", "--yes"], F::AssumeYes);
    flag_if(&args, flags, &["--insecure", "-k"], F::Insecure);
    cmd
}

// ---- javascript ------------------------------------------------------------------------

const NPM_SPEC: OptionSpec = OptionSpec {
    short_values: "wC",
    long_values: &[
        "prefix",
        "registry",
        "cache",
        "omit",
        "include",
        "only",
        "tag",
        "workspace",
        "userconfig",
        "globalconfig",
        "loglevel",
        "location",
        "install-strategy",
    ],
    single_dash: &[],
    single_dash_values: &[],
    stop_at_operand: false,
    short_optional_values: "",
};

fn npm(inv: &Invocation<'_>) -> Action {
    let args = parse_args(inv.args(), &NPM_SPEC);
    let sub = args.operands.first().copied();
    let sub_text = sub.map_or("", |w| w.text.as_str());
    let operation = match sub_text {
        "install" | "i" | "in" | "ins" | "inst" | "insta" | "instal" | "isnt" | "isnta"
        | "isntal" | "isntall" | "add" => Op::Install,
        "ci" | "clean-install" | "ic" | "install-clean" | "isntall-clean" => Op::Install,
        "uninstall" | "remove" | "rm" | "r" | "un" | "unlink" => Op::Remove,
        "update" | "up" | "upgrade" | "udpate" => Op::Upgrade,
        "cache" => match args.operands.get(1).map(|w| w.text.as_str()) {
            Some("clean" | "clear" | "rm") => Op::CleanCache,
            _ => Op::Other,
        },
        "config" | "c" | "set" => Op::Configure,
        "prune" => Op::Remove,
        "run" | "run-script" | "rum" | "urn" => {
            return node_script(BuildTool::Npm, args.operands.get(1).copied());
        }
        _ => Op::Other,
    };
    let mut cmd = package_command(M::Npm, operation, sub, &args);
    if matches!(operation, Op::Install | Op::Remove | Op::Upgrade) && sub_text != "prune" {
        for word in args.operands.iter().skip(1) {
            cmd.packages.push(npm_package(word));
        }
    }
    if operation == Op::Configure {
        config_setting(&mut cmd, &args, sub_text == "set");
    }
    if matches!(
        sub_text,
        "ci" | "clean-install" | "ic" | "install-clean" | "isntall-clean"
    ) && let Some(w) = sub
    {
        add_flag(&mut cmd.flags, F::Frozen, w.span);
    }
    js_flags(&mut cmd, &args, inv);
    Action::Package(cmd)
}

/// `npm config set strict-ssl false`, `npm config set strict-ssl=false`, `npm set ...`.
fn config_setting(cmd: &mut PackageCommand, args: &ParsedArgs<'_>, bare_set: bool) {
    let skip = if bare_set { 1 } else { 2 };
    let verb_ok = bare_set || args.operands.get(1).is_some_and(|w| w.text == "set");
    if !verb_ok {
        return;
    }
    let rest: Vec<&Word> = args.operands.iter().skip(skip).copied().collect();
    let (key, value, span) = match rest.as_slice() {
        [kv] if kv.text.contains('=') => {
            let (k, v) = kv.text.split_once('=').unwrap_or_default();
            (k.to_string(), v.to_string(), kv.span)
        }
        [k, v, ..] => (k.text.clone(), v.text.clone(), k.span.cover(v.span)),
        _ => return,
    };
    if key == "strict-ssl" && is_false_value(&value) {
        add_flag(&mut cmd.flags, F::Insecure, span);
    }
    cmd.setting = Some(Setting { key, value, span });
}

fn js_flags(cmd: &mut PackageCommand, args: &ParsedArgs<'_>, inv: &Invocation<'_>) {
    let flags = &mut cmd.flags;
    flag_if(args, flags, &["-g", "--global"], F::Global);
    for o in &args.options {
        let value = o.value.as_deref().unwrap_or_default();
        let excluded = match o.name.as_str() {
            "--production" | "--prod" | "-P" => !is_false_value(value) || value.is_empty(),
            "--omit" => value.split(',').any(|v| v == "dev"),
            "--only" => matches!(value, "prod" | "production"),
            _ => false,
        };
        if excluded {
            add_flag(flags, F::DevExcluded, o.span());
        }
        let included = match o.name.as_str() {
            "--include" => value.split(',').any(|v| v == "dev"),
            "--production" | "--prod" => is_false_value(value) && !value.is_empty(),
            "--dev" | "-D" => true,
            _ => false,
        };
        if included {
            add_flag(flags, F::DevIncluded, o.span());
        }
        if o.name == "--strict-ssl" && is_false_value(value) && !value.is_empty() {
            add_flag(flags, F::Insecure, o.span());
        }
    }
    flag_if(
        args,
        flags,
        &["--frozen-lockfile", "--immutable"],
        F::Frozen,
    );
    if let Some((value, span)) = inv.env_value("NODE_ENV")
        && value == "production"
    {
        add_flag(flags, F::DevExcluded, span);
    }
    if let Some((value, span)) = inv.env_value("NODE_TLS_REJECT_UNAUTHORIZED")
        && value == "0"
    {
        add_flag(flags, F::Insecure, span);
    }
}

/// `pkg`, `pkg@1.2`, `@scope/pkg@^1`, `git+https://...#v1`, `./dir`, `x.tgz`.
fn npm_package(word: &Word) -> PackageArg {
    match classify_operand(word, &[".tgz", ".tar.gz", ".tar"]) {
        Some(PackageArgKind::Vcs) => vcs_package(word, '#'),
        Some(kind) => plain_package(word, kind),
        None => versioned_package(word, &["@"]),
    }
}

/// `npm run build` and the like: a build when the script's name says it builds.
fn node_script(tool: BuildTool, script: Option<&Word>) -> Action {
    match script {
        Some(w) if is_build_script(&w.text) => build(tool, Some(w)),
        _ => Action::Unknown,
    }
}

fn is_build_script(name: &str) -> bool {
    [
        "build", "compile", "bundle", "dist", "prod", "webpack", "tsc",
    ]
    .iter()
    .any(|k| name.contains(k))
}

fn yarn(inv: &Invocation<'_>) -> Action {
    let spec = OptionSpec {
        long_values: &[
            "cwd",
            "modules-folder",
            "cache-folder",
            "registry",
            "network-timeout",
            "mutex",
            "global-folder",
        ],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let mut operands = args.operands.iter().copied();
    let mut sub = operands.next();
    let mut global = None;
    if let Some(w) = sub
        && w.text == "global"
    {
        global = Some(w.span);
        sub = operands.next();
    }
    // Bare `yarn` installs, but `yarn --version` / `yarn --help` only print.
    let informational = sub.is_none()
        && args
            .options
            .iter()
            .any(|o| o.is(&["-v", "--version", "-h", "--help"]));
    let sub_text = sub.map_or(if informational { "" } else { "install" }, |w| {
        w.text.as_str()
    });
    let operation = match sub_text {
        "install" | "add" => Op::Install,
        "remove" => Op::Remove,
        "upgrade" | "up" => Op::Upgrade,
        "cache" => match operands.clone().next().map(|w| w.text.as_str()) {
            Some("clean" | "clear") => Op::CleanCache,
            _ => Op::Other,
        },
        "config" => Op::Configure,
        "workspaces" => match operands.clone().next().map(|w| w.text.as_str()) {
            Some("focus") => Op::Install,
            _ => Op::Other,
        },
        "run" => return node_script(BuildTool::Yarn, operands.next()),
        other if is_build_script(other) => return build(BuildTool::Yarn, sub),
        _ => Op::Other,
    };
    let mut cmd = package_command(M::Yarn, operation, sub, &args);
    if sub_text == "add" || sub_text == "remove" || sub_text == "upgrade" {
        for word in operands {
            cmd.packages.push(npm_package(word));
        }
    } else if operation == Op::Configure {
        config_setting(&mut cmd, &args, false);
    }
    if let Some(span) = global {
        add_flag(&mut cmd.flags, F::Global, span);
    }
    js_flags(&mut cmd, &args, inv);
    Action::Package(cmd)
}

fn pnpm(inv: &Invocation<'_>) -> Action {
    let spec = OptionSpec {
        short_values: "C",
        long_values: &[
            "dir",
            "filter",
            "store-dir",
            "registry",
            "reporter",
            "workspace-root",
        ],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let sub = args.operands.first().copied();
    let sub_text = sub.map_or("", |w| w.text.as_str());
    let operation = match sub_text {
        "install" | "i" | "add" => Op::Install,
        "remove" | "rm" | "un" | "uninstall" => Op::Remove,
        "update" | "up" | "upgrade" => Op::Upgrade,
        "fetch" => Op::Fetch,
        "store" => match args.operands.get(1).map(|w| w.text.as_str()) {
            Some("prune") => Op::CleanCache,
            _ => Op::Other,
        },
        "config" => Op::Configure,
        "run" => return node_script(BuildTool::Pnpm, args.operands.get(1).copied()),
        other if is_build_script(other) => return build(BuildTool::Pnpm, sub),
        _ => Op::Other,
    };
    let mut cmd = package_command(M::Pnpm, operation, sub, &args);
    if matches!(
        sub_text,
        "add" | "remove" | "rm" | "un" | "uninstall" | "update" | "up" | "upgrade"
    ) {
        for word in args.operands.iter().skip(1) {
            cmd.packages.push(npm_package(word));
        }
    }
    js_flags(&mut cmd, &args, inv);
    Action::Package(cmd)
}

// ---- ruby ------------------------------------------------------------------------------

fn gem(inv: &Invocation<'_>) -> PackageCommand {
    let spec = OptionSpec {
        short_values: "vinsp",
        long_values: &[
            "version",
            "install-dir",
            "bindir",
            "source",
            "platform",
            "document",
            "build-root",
        ],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let sub = args.operands.first().copied();
    let operation = match sub.map(|w| w.text.as_str()) {
        Some("install" | "i") => Op::Install,
        Some("uninstall") => Op::Remove,
        Some("update") => Op::Upgrade,
        Some("sources") => Op::Configure,
        Some("fetch") => Op::Fetch,
        _ => Op::Other,
    };
    let mut cmd = package_command(M::Gem, operation, sub, &args);
    let version = args.find(&["-v", "--version"]);
    if matches!(
        operation,
        Op::Install | Op::Remove | Op::Upgrade | Op::Fetch
    ) {
        for word in args.operands.iter().skip(1) {
            let mut package = match classify_operand(word, &[".gem"]) {
                Some(kind) => plain_package(word, kind),
                None => versioned_package(word, &[":"]),
            };
            if package.version.is_none()
                && package.kind == PackageArgKind::Name
                && let Some(v) = version
            {
                package.operator = Some(v.name.clone());
                package.version = v.value.clone();
                package.version_span = Some(v.span());
            }
            cmd.packages.push(package);
        }
    }
    let flags = &mut cmd.flags;
    flag_if(
        &args,
        flags,
        &["--no-document", "-N", "--no-ri", "--no-rdoc"],
        F::NoDocument,
    );
    if let Some(o) = args
        .options
        .iter()
        .find(|o| o.is(&["--document"]) && o.value.as_deref() == Some(""))
    {
        add_flag(flags, F::NoDocument, o.span());
    }
    flag_if(&args, flags, &["--user-install"], F::User);
    if args.has(&["--system"]) && operation == Op::Upgrade {
        add_flag(
            flags,
            F::System,
            args.find(&["--system"])
                .map_or(Span::default(), |o| o.span()),
        );
    }
    cmd
}

fn bundle(inv: &Invocation<'_>) -> PackageCommand {
    let spec = OptionSpec {
        short_values: "j",
        long_values: &[
            "jobs",
            "retry",
            "path",
            "gemfile",
            "without",
            "with",
            "binstubs",
            "standalone",
        ],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let sub = args.operands.first().copied();
    let operation = match sub.map_or("install", |w| w.text.as_str()) {
        "install" => Op::Install,
        "update" => Op::Upgrade,
        "config" => Op::Configure,
        "package" | "cache" => Op::Fetch,
        _ => Op::Other,
    };
    let mut cmd = package_command(M::Bundler, operation, sub, &args);
    let flags = &mut cmd.flags;
    flag_if(&args, flags, &["--deployment", "--frozen"], F::Frozen);
    if let Some(o) = args.find(&["--without"])
        && o.value.as_deref().is_some_and(mentions_development)
    {
        add_flag(flags, F::DevExcluded, o.span());
    }
    if operation == Op::Configure {
        // `bundle config set --local without 'development test'`, `bundle config without dev`
        let ops: Vec<&Word> = args
            .operands
            .iter()
            .skip(1)
            .copied()
            .filter(|w| w.text != "set")
            .collect();
        if let [key, value, ..] = ops.as_slice() {
            cmd.setting = Some(Setting {
                key: key.text.clone(),
                value: value.text.clone(),
                span: key.span.cover(value.span),
            });
            if key.text == "without" && mentions_development(&value.text) {
                add_flag(&mut cmd.flags, F::DevExcluded, key.span.cover(value.span));
            }
            if matches!(key.text.as_str(), "frozen" | "deployment") && !is_false_value(&value.text)
            {
                add_flag(&mut cmd.flags, F::Frozen, key.span.cover(value.span));
            }
        }
    }
    if let Some((value, span)) = inv.env_value("BUNDLE_WITHOUT")
        && mentions_development(value)
    {
        add_flag(&mut cmd.flags, F::DevExcluded, span);
    }
    for var in ["BUNDLE_FROZEN", "BUNDLE_DEPLOYMENT"] {
        if let Some((value, span)) = inv.env_value(var)
            && !is_false_value(value)
        {
            add_flag(&mut cmd.flags, F::Frozen, span);
        }
    }
    cmd
}

fn mentions_development(groups: &str) -> bool {
    groups
        .split([' ', ':', ','])
        .any(|g| g == "development" || g == "dev")
}

// ---- go, rust, php, jvm, .net ------------------------------------------------------------

const GO_SPEC: OptionSpec = OptionSpec {
    short_values: "",
    long_values: &[],
    single_dash: &[
        "-trimpath",
        "-race",
        "-msan",
        "-asan",
        "-cover",
        "-modcacherw",
        "-linkshared",
        "-buildvcs",
        "-cache",
        "-modcache",
        "-testcache",
        "-fuzzcache",
        "-json",
        "-work",
        "-mod=mod",
        "-mod=readonly",
        "-mod=vendor",
        "-a",
        "-n",
        "-v",
        "-x",
        "-i",
        "-u",
        "-t",
        "-d",
    ],
    single_dash_values: &[
        "-ldflags",
        "-gcflags",
        "-asmflags",
        "-gccgoflags",
        "-tags",
        "-o",
        "-mod",
        "-C",
        "-p",
        "-buildmode",
        "-modfile",
        "-pkgdir",
        "-installsuffix",
        "-overlay",
        "-pgo",
        "-toolexec",
        "-exec",
        "-compiler",
        "-covermode",
        "-coverpkg",
        "-debug-actiongraph",
        "-x",
    ],
    stop_at_operand: false,
    short_optional_values: "",
};

fn go(inv: &Invocation<'_>) -> Option<Action> {
    let args = parse_args(inv.args(), &GO_SPEC);
    let sub = args.operands.first().copied()?;
    let rest: Vec<&Word> = args.operands.iter().skip(1).copied().collect();
    let is_local = |w: &Word| {
        let t = w.text.as_str();
        t == "."
            || t.starts_with("./")
            || t.starts_with("../")
            || t.starts_with('/')
            || t.ends_with(".go")
    };
    let action = match sub.text.as_str() {
        "build" => build(BuildTool::Go, Some(sub)),
        "install" | "get" if rest.iter().all(|w| is_local(w)) => {
            if sub.text == "install" {
                build(BuildTool::Go, Some(sub))
            } else {
                let mut cmd = package_command(M::Go, Op::Install, Some(sub), &args);
                cmd.operands = rest.iter().map(|w| Argument::from_word(w)).collect();
                Action::Package(cmd)
            }
        }
        "install" | "get" => {
            let mut cmd = package_command(M::Go, Op::Install, Some(sub), &args);
            for word in rest {
                cmd.packages.push(if is_local(word) {
                    plain_package(word, PackageArgKind::Directory)
                } else if word.is_single_expansion() {
                    plain_package(word, PackageArgKind::Variable)
                } else {
                    versioned_package(word, &["@"])
                });
            }
            Action::Package(cmd)
        }
        "mod" => match rest.first().map(|w| w.text.as_str()) {
            Some("download") => {
                Action::Package(package_command(M::Go, Op::Fetch, Some(sub), &args))
            }
            _ => return None,
        },
        "clean" => {
            let op = if args.has(&["-cache", "-modcache"]) {
                Op::CleanCache
            } else {
                Op::Other
            };
            Action::Package(package_command(M::Go, op, Some(sub), &args))
        }
        _ => return None,
    };
    Some(action)
}

fn cargo(inv: &Invocation<'_>) -> Option<Action> {
    let spec = OptionSpec {
        short_values: "jpF",
        long_values: &[
            "version",
            "vers",
            "git",
            "branch",
            "tag",
            "rev",
            "path",
            "root",
            "index",
            "registry",
            "target",
            "features",
            "jobs",
            "profile",
            "bin",
            "example",
            "package",
            "manifest-path",
            "target-dir",
            "config",
            "color",
        ],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let sub = args
        .operands
        .iter()
        .copied()
        .find(|w| !w.text.starts_with('+'))?;
    let action = match sub.text.as_str() {
        "build" | "b" => build(BuildTool::Cargo, Some(sub)),
        "install" if args.has(&["--path"]) => build(BuildTool::Cargo, Some(sub)),
        "install" => {
            let mut cmd = package_command(M::Cargo, Op::Install, Some(sub), &args);
            let version = args.find(&["--version", "--vers"]);
            let git = args.find(&["--git"]);
            for word in args
                .operands
                .iter()
                .skip_while(|w| !std::ptr::eq(**w, sub))
                .skip(1)
            {
                let mut package = versioned_package(word, &["@"]);
                if package.version.is_none()
                    && let Some(v) = version
                {
                    package.operator = Some(v.name.clone());
                    package.version = v.value.clone();
                    package.version_span = Some(v.span());
                }
                cmd.packages.push(package);
            }
            if let Some(g) = git {
                let value = g.value.clone().unwrap_or_default();
                let rev = args.value(&["--rev", "--tag", "--branch"]);
                cmd.packages.push(PackageArg {
                    span: g.span(),
                    text: value.clone(),
                    name: value,
                    operator: rev.map(|_| "#".to_string()),
                    version: rev.map(str::to_string),
                    version_span: None,
                    kind: PackageArgKind::Vcs,
                    editable: false,
                });
            }
            flag_if(&args, &mut cmd.flags, &["--locked"], F::Frozen);
            Action::Package(cmd)
        }
        "fetch" | "vendor" => {
            let mut cmd = package_command(M::Cargo, Op::Fetch, Some(sub), &args);
            flag_if(&args, &mut cmd.flags, &["--locked"], F::Frozen);
            Action::Package(cmd)
        }
        _ => return None,
    };
    Some(action)
}

fn composer(inv: &Invocation<'_>) -> PackageCommand {
    let spec = OptionSpec {
        short_values: "d",
        long_values: &["working-dir", "ignore-platform-req"],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let mut operands = args.operands.iter().copied();
    let mut sub = operands.next();
    let mut global = None;
    if let Some(w) = sub
        && w.text == "global"
    {
        global = Some(w.span);
        sub = operands.next();
    }
    let sub_text = sub.map_or("", |w| w.text.as_str());
    let operation = match sub_text {
        "install" | "i" | "require" | "r" => Op::Install,
        "remove" | "rm" => Op::Remove,
        "update" | "u" | "upgrade" => Op::Upgrade,
        "clear-cache" | "clearcache" | "cc" => Op::CleanCache,
        "config" => Op::Configure,
        _ => Op::Other,
    };
    let mut cmd = package_command(M::Composer, operation, sub, &args);
    if matches!(sub_text, "require" | "r" | "remove" | "rm") {
        let words: Vec<&Word> = operands.collect();
        let mut i = 0;
        while let Some(word) = words.get(i) {
            let mut package = versioned_package(word, &[":", "="]);
            // `composer require vendor/pkg ^1.0`: a version as its own word.
            if package.version.is_none()
                && let Some(next) = words.get(i + 1)
                && !next.text.contains('/')
            {
                package.operator = Some(" ".to_string());
                package.version = Some(next.text.clone());
                package.version_span = Some(next.span);
                package.span = word.span.cover(next.span);
                i += 1;
            }
            cmd.packages.push(package);
            i += 1;
        }
    }
    if matches!(sub_text, "install" | "i")
        && let Some(w) = sub
    {
        add_flag(&mut cmd.flags, F::Frozen, w.span);
    }
    flag_if(
        &args,
        &mut cmd.flags,
        &["--no-dev", "--update-no-dev"],
        F::DevExcluded,
    );
    flag_if(
        &args,
        &mut cmd.flags,
        &["-n", "--no-interaction"],
        F::AssumeYes,
    );
    if let Some(span) = global {
        add_flag(&mut cmd.flags, F::Global, span);
    }
    cmd
}

fn maven(inv: &Invocation<'_>) -> Option<Action> {
    let spec = OptionSpec {
        short_values: "fsPTlbDt",
        long_values: &[
            "file",
            "settings",
            "global-settings",
            "projects",
            "activate-profiles",
            "threads",
            "log-file",
            "resume-from",
            "define",
            "builder",
            "toolchains",
        ],
        single_dash: &[
            "-am", "-amd", "-ntp", "-fae", "-ff", "-fn", "-cpu", "-npu", "-nsu", "-npr", "-up",
        ],
        single_dash_values: &["-pl", "-rf", "-gs", "-gt"],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    const FETCH_GOALS: &[&str] = &[
        "dependency:go-offline",
        "dependency:resolve",
        "dependency:resolve-plugins",
        "dependency:copy-dependencies",
    ];
    const BUILD_GOALS: &[&str] = &[
        "package",
        "install",
        "verify",
        "compile",
        "deploy",
        "spring-boot:repackage",
        "jar:jar",
        "war:war",
        "assembly:single",
        "quarkus:build",
        "jib:build",
        "native:compile",
    ];
    if let Some(goal) = args.operands.iter().find(|w| {
        FETCH_GOALS.contains(&w.text.as_str()) || w.text.ends_with(":resolve-dependencies")
    }) {
        let mut cmd = package_command(M::Maven, Op::Fetch, Some(goal), &args);
        cmd.operands = args
            .operands
            .iter()
            .map(|w| Argument::from_word(w))
            .collect();
        return Some(Action::Package(cmd));
    }
    let goal = args
        .operands
        .iter()
        .rev()
        .find(|w| BUILD_GOALS.contains(&w.text.as_str()))?;
    Some(build(BuildTool::Maven, Some(goal)))
}

fn gradle(inv: &Invocation<'_>) -> Option<Action> {
    let spec = OptionSpec {
        short_values: "xpbcDPI",
        long_values: &[
            "exclude-task",
            "project-dir",
            "build-file",
            "settings-file",
            "init-script",
            "gradle-user-home",
            "console",
            "max-workers",
            "warning-mode",
            "priority",
        ],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    const BUILD_TASKS: &[&str] = &[
        "build",
        "assemble",
        "bootJar",
        "jar",
        "shadowJar",
        "installDist",
        "war",
        "bootWar",
        "distZip",
        "distTar",
        "nativeCompile",
        "installBootDist",
        "buildFatJar",
        "fatJar",
        "uberJar",
        "quarkusBuild",
    ];
    const FETCH_TASKS: &[&str] = &[
        "dependencies",
        "downloadDependencies",
        "resolveDependencies",
        "resolveAllDependencies",
        "androidDependencies",
    ];
    let task_name = |w: &Word| w.text.rsplit(':').next().unwrap_or_default().to_string();
    if let Some(task) = args
        .operands
        .iter()
        .find(|w| BUILD_TASKS.contains(&task_name(w).as_str()))
    {
        return Some(build(BuildTool::Gradle, Some(task)));
    }
    if let Some(task) = args
        .operands
        .iter()
        .find(|w| FETCH_TASKS.contains(&task_name(w).as_str()))
    {
        return Some(Action::Package(package_command(
            M::Gradle,
            Op::Fetch,
            Some(task),
            &args,
        )));
    }
    None
}

fn dotnet(inv: &Invocation<'_>) -> Option<Action> {
    let spec = OptionSpec {
        short_values: "covrfsa",
        long_values: &[
            "configuration",
            "output",
            "verbosity",
            "runtime",
            "framework",
            "source",
            "arch",
            "os",
            "version",
            "tool-path",
        ],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let sub = args.operands.first().copied()?;
    match sub.text.as_str() {
        "build" | "publish" | "pack" | "msbuild" => Some(build(BuildTool::Dotnet, Some(sub))),
        "restore" => Some(Action::Package(package_command(
            M::Dotnet,
            Op::Fetch,
            Some(sub),
            &args,
        ))),
        "tool" => {
            let verb = args.operands.get(1).copied();
            let operation = match verb.map(|w| w.text.as_str()) {
                Some("install") => Op::Install,
                Some("uninstall") => Op::Remove,
                Some("update") => Op::Upgrade,
                _ => Op::Other,
            };
            let mut cmd = package_command(M::Dotnet, operation, verb, &args);
            for word in args.operands.iter().skip(2) {
                let mut package = plain_package(word, PackageArgKind::Name);
                if let Some(v) = args.find(&["--version"]) {
                    package.operator = Some("--version".to_string());
                    package.version = v.value.clone();
                    package.version_span = Some(v.span());
                }
                cmd.packages.push(package);
            }
            flag_if(&args, &mut cmd.flags, &["-g", "--global"], F::Global);
            Some(Action::Package(cmd))
        }
        _ => None,
    }
}
