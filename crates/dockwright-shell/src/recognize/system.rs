//! Operating-system package managers: apt-get, apt, aptitude, dpkg, apk, dnf, yum,
//! microdnf, tdnf, zypper, rpm.

use super::{
    Action, Argument, Invocation, OptionSpec, PackageArg, PackageArgKind, PackageCommand,
    PackageFlagKind as F, PackageManager, PackageOperation as Op, ParsedArgs, add_flag,
    classify_operand, flag_if, is_false_value, parse_args, plain_package, versioned_package,
};
use crate::ast::Word;

pub(super) fn recognize(inv: &Invocation<'_>) -> Option<Action> {
    let command = match inv.program {
        "apt-get" => apt(inv, PackageManager::AptGet),
        "apt" => apt(inv, PackageManager::Apt),
        "aptitude" => apt(inv, PackageManager::Aptitude),
        "dpkg" => dpkg(inv),
        "apk" => apk(inv),
        "dnf" | "dnf5" | "dnf-3" => rpm_family(inv, PackageManager::Dnf),
        "yum" => rpm_family(inv, PackageManager::Yum),
        "microdnf" => rpm_family(inv, PackageManager::Microdnf),
        "tdnf" => rpm_family(inv, PackageManager::Tdnf),
        "zypper" => zypper(inv),
        "rpm" => rpm(inv),
        _ => return None,
    };
    Some(Action::Package(command))
}

/// A package command from its parsed arguments, before manager-specific facts.
fn base(
    manager: PackageManager,
    operation: super::PackageOperation,
    subcommand: Option<&Word>,
    args: &ParsedArgs<'_>,
) -> PackageCommand {
    PackageCommand {
        manager,
        operation,
        subcommand: subcommand.map(Argument::from_word),
        packages: Vec::new(),
        flags: Vec::new(),
        options: args.public_options(),
        operands: Vec::new(),
        setting: None,
    }
}

/// Operands after the subcommand, for operations that take no packages (`clean all`).
fn rest_operands(cmd: &mut PackageCommand, operands: &[&Word]) {
    cmd.operands = operands.iter().map(|w| Argument::from_word(w)).collect();
}

const APT_SPEC: OptionSpec = OptionSpec {
    short_values: "octa",
    long_values: &[
        "option",
        "config-file",
        "target-release",
        "default-release",
        "host-architecture",
    ],
    single_dash: &[],
    single_dash_values: &[],
    stop_at_operand: false,
    short_optional_values: "",
};

fn apt(inv: &Invocation<'_>, manager: PackageManager) -> PackageCommand {
    let args = parse_args(inv.args(), &APT_SPEC);
    let sub = args.operands.first().copied();
    let operation = match sub.map(|w| w.text.as_str()) {
        Some("install" | "reinstall" | "build-dep") => Op::Install,
        Some("remove" | "purge") => Op::Remove,
        Some("update") => Op::UpdateIndex,
        Some("upgrade" | "safe-upgrade") => Op::Upgrade,
        Some("dist-upgrade" | "full-upgrade") => Op::DistUpgrade,
        Some("clean" | "autoclean") => Op::CleanCache,
        Some("autoremove" | "autopurge") => Op::Autoremove,
        Some("download" | "source") => Op::Fetch,
        _ => Op::Other,
    };
    let mut cmd = base(manager, operation, sub, &args);
    if matches!(operation, Op::Install | Op::Remove | Op::Fetch) {
        for word in args.operands.iter().skip(1) {
            cmd.packages.push(apt_package(word));
        }
    } else {
        rest_operands(&mut cmd, args.operands.get(1..).unwrap_or_default());
    }
    let flags = &mut cmd.flags;
    flag_if(
        &args,
        flags,
        &["-y", "--yes", "--assume-yes", "--force-yes"],
        F::AssumeYes,
    );
    // Quiet level 2 implies -y for apt-get.
    let q_count = args.options.iter().filter(|o| o.name == "-q").count();
    if q_count >= 2
        && let Some(o) = args.find(&["-q"])
    {
        add_flag(flags, F::AssumeYes, o.span());
    }
    for word in inv.args() {
        if let Some(level) = word
            .text
            .strip_prefix("-q=")
            .or_else(|| word.text.strip_prefix("--quiet="))
            && level.parse::<u32>().is_ok_and(|l| l >= 2)
        {
            add_flag(flags, F::AssumeYes, word.span);
        }
    }
    flag_if(
        &args,
        flags,
        &["--no-install-recommends", "--without-recommends"],
        F::NoInstallRecommends,
    );
    flag_if(
        &args,
        flags,
        &[
            "--allow-unauthenticated",
            "--allow-insecure-repositories",
            "--allow-downgrades",
        ],
        F::Insecure,
    );
    for o in &args.options {
        if !o.is(&["-o", "--option"]) {
            continue;
        }
        let Some((key, value)) = o.value.as_deref().and_then(|v| v.split_once('=')) else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        let on = !is_false_value(value);
        if key == "apt::get::assume-yes" && on {
            add_flag(flags, F::AssumeYes, o.span());
        } else if key == "apt::install-recommends" && !on {
            add_flag(flags, F::NoInstallRecommends, o.span());
        } else if (key == "acquire::allowinsecurerepositories"
            || key == "apt::get::allowunauthenticated")
            && on
            || (key.ends_with("::verify-peer") || key.ends_with("::verify-host")) && !on
        {
            add_flag(flags, F::Insecure, o.span());
        }
    }
    cmd
}

/// `pkg`, `pkg=1.2-1`, `pkg/bookworm-backports`, `./local.deb`.
fn apt_package(word: &Word) -> PackageArg {
    if let Some(kind) = classify_operand(word, &[".deb"]) {
        return plain_package(word, kind);
    }
    versioned_package(word, &["=", "/"])
}

fn dpkg(inv: &Invocation<'_>) -> PackageCommand {
    let spec = OptionSpec {
        long_values: &["root", "admindir", "instdir", "log"],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let operation = if args.has(&["-i", "--install", "--unpack"]) {
        Op::Install
    } else if args.has(&["-r", "--remove", "-P", "--purge"]) {
        Op::Remove
    } else {
        Op::Other
    };
    let mut cmd = base(PackageManager::Dpkg, operation, None, &args);
    if matches!(operation, Op::Install | Op::Remove) {
        for word in &args.operands {
            let kind = classify_operand(word, &[".deb"]).unwrap_or(PackageArgKind::Name);
            cmd.packages.push(plain_package(word, kind));
        }
    }
    flag_if(
        &args,
        &mut cmd.flags,
        &["--force-bad-verify", "--no-debsig"],
        F::Insecure,
    );
    cmd
}

fn apk(inv: &Invocation<'_>) -> PackageCommand {
    let spec = OptionSpec {
        short_values: "XptQ",
        long_values: &[
            "virtual",
            "repository",
            "root",
            "keys-dir",
            "arch",
            "cache-dir",
            "repositories-file",
            "progress-fd",
            "timeout",
            "cache-max-age",
        ],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let sub = args.operands.first().copied();
    let sub_text = sub.map(|w| w.text.as_str());
    let operation = match sub_text {
        Some("add") => Op::Install,
        Some("del") => Op::Remove,
        Some("update") => Op::UpdateIndex,
        Some("upgrade") => Op::Upgrade,
        Some("cache") => match args.operands.get(1).map(|w| w.text.as_str()) {
            Some("clean" | "purge") => Op::CleanCache,
            _ => Op::Other,
        },
        Some("fetch") => Op::Fetch,
        _ => Op::Other,
    };
    let mut cmd = base(PackageManager::Apk, operation, sub, &args);
    if matches!(operation, Op::Install | Op::Remove | Op::Fetch) {
        for word in args.operands.iter().skip(1) {
            let package = match classify_operand(word, &[".apk"]) {
                Some(kind) => plain_package(word, kind),
                None => versioned_package(word, &["=", "~", ">=", "<=", ">", "<", "~="]),
            };
            cmd.packages.push(package);
        }
    } else {
        rest_operands(&mut cmd, args.operands.get(1..).unwrap_or_default());
    }
    let flags = &mut cmd.flags;
    // `--no-network` downloads nothing, so it leaves no index or package cache either.
    flag_if(&args, flags, &["--no-cache", "--no-network"], F::NoCache);
    flag_if(
        &args,
        flags,
        &["-U", "--update", "--update-cache"],
        F::RefreshIndex,
    );
    flag_if(&args, flags, &["-t", "--virtual"], F::Virtual);
    flag_if(&args, flags, &["--allow-untrusted"], F::Insecure);
    cmd
}

const RPM_FAMILY_SPEC: OptionSpec = OptionSpec {
    short_values: "cdexR",
    long_values: &[
        "exclude",
        "excludepkgs",
        "enablerepo",
        "disablerepo",
        "repo",
        "repoid",
        "releasever",
        "installroot",
        "setopt",
        "config",
        "downloaddir",
        "destdir",
        "color",
        "forcearch",
        "repofrompath",
        "nodocs-exclude",
    ],
    single_dash: &[],
    single_dash_values: &[],
    stop_at_operand: false,
    short_optional_values: "",
};

fn rpm_family(inv: &Invocation<'_>, manager: PackageManager) -> PackageCommand {
    let args = parse_args(inv.args(), &RPM_FAMILY_SPEC);
    let mut operands = args.operands.iter().copied();
    let mut sub = operands.next();
    let mut module = false;
    // `yum group install`, `dnf module install`: the verb is the second word.
    if let Some(w) = sub
        && matches!(w.text.as_str(), "group" | "groups" | "module")
    {
        module = w.text == "module";
        sub = operands.next();
    }
    let operation = match sub.map(|w| w.text.as_str()) {
        Some("install" | "localinstall" | "reinstall" | "groupinstall" | "in" | "builddep") => {
            Op::Install
        }
        Some("remove" | "erase" | "rm") => Op::Remove,
        Some("autoremove") => Op::Autoremove,
        Some("update" | "upgrade" | "update-minimal" | "upgrade-minimal" | "up") => Op::Upgrade,
        Some("distro-sync" | "distribution-synchronization" | "dsync") => Op::DistUpgrade,
        Some("makecache") => Op::UpdateIndex,
        Some("clean") => Op::CleanCache,
        Some("download") => Op::Fetch,
        Some("config-manager") => Op::Configure,
        _ => Op::Other,
    };
    let mut cmd = base(manager, operation, sub, &args);
    if matches!(
        operation,
        Op::Install | Op::Remove | Op::Upgrade | Op::Fetch
    ) {
        for word in operands {
            cmd.packages.push(rpm_package(word, module));
        }
    } else {
        let rest: Vec<&Word> = operands.collect();
        rest_operands(&mut cmd, &rest);
    }
    let flags = &mut cmd.flags;
    flag_if(
        &args,
        flags,
        &["-y", "--assumeyes", "--assume-yes"],
        F::AssumeYes,
    );
    flag_if(&args, flags, &["--nodocs"], F::NoDocument);
    flag_if(
        &args,
        flags,
        &["--nogpgcheck", "--no-gpgchecks"],
        F::Insecure,
    );
    flag_if(&args, flags, &["--refresh"], F::RefreshIndex);
    for o in &args.options {
        if o.name != "--setopt" {
            continue;
        }
        let Some((key, value)) = o.value.as_deref().and_then(|v| v.split_once('=')) else {
            continue;
        };
        match key {
            "tsflags" if value.split(',').any(|f| f == "nodocs") => {
                add_flag(flags, F::NoDocument, o.span());
            }
            "install_weak_deps" if is_false_value(value) => {
                add_flag(flags, F::NoInstallRecommends, o.span());
            }
            "keepcache" if is_false_value(value) => add_flag(flags, F::NoCache, o.span()),
            "sslverify" | "gpgcheck" if is_false_value(value) => {
                add_flag(flags, F::Insecure, o.span());
            }
            _ => {}
        }
    }
    cmd
}

/// `pkg`, `pkg-1.2.3`, `pkg-1.2-3.el8`, `./x.rpm`, module streams `nodejs:18`.
fn rpm_package(word: &Word, module: bool) -> PackageArg {
    if let Some(kind) = classify_operand(word, &[".rpm"]) {
        return plain_package(word, kind);
    }
    if module {
        return versioned_package(word, &[":"]);
    }
    let text = word.text.as_str();
    let bytes = text.as_bytes();
    let split = (1..bytes.len())
        .find(|&i| bytes[i] == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
    match split {
        Some(i) => PackageArg {
            span: word.span,
            text: text.to_string(),
            name: text[..i].to_string(),
            operator: Some("-".to_string()),
            version: Some(text[i + 1..].to_string()),
            version_span: Some(word.text_span(i, text.len())),
            kind: PackageArgKind::Name,
            editable: false,
        },
        None => versioned_package(word, &["=", ">=", "<="]),
    }
}

fn zypper(inv: &Invocation<'_>) -> PackageCommand {
    let spec = OptionSpec {
        short_values: "RrtDc",
        long_values: &[
            "root",
            "releasever",
            "repo",
            "from",
            "type",
            "config",
            "reposd-dir",
            "cache-dir",
            "raw-cache-dir",
            "solv-cache-dir",
            "pkg-cache-dir",
        ],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let sub = args.operands.first().copied();
    let operation = match sub.map(|w| w.text.as_str()) {
        Some("install" | "in" | "source-install" | "si") => Op::Install,
        Some("remove" | "rm") => Op::Remove,
        Some("update" | "up" | "patch") => Op::Upgrade,
        Some("dist-upgrade" | "dup") => Op::DistUpgrade,
        Some("refresh" | "ref") => Op::UpdateIndex,
        Some("clean" | "cc") => Op::CleanCache,
        Some("addrepo" | "ar" | "modifyrepo" | "mr") => Op::Configure,
        Some("download") => Op::Fetch,
        _ => Op::Other,
    };
    let mut cmd = base(PackageManager::Zypper, operation, sub, &args);
    if matches!(
        operation,
        Op::Install | Op::Remove | Op::Upgrade | Op::Fetch
    ) {
        for word in args.operands.iter().skip(1) {
            let package = match classify_operand(word, &[".rpm"]) {
                Some(kind) => plain_package(word, kind),
                None => versioned_package(word, &["=", ">=", "<=", ">", "<"]),
            };
            cmd.packages.push(package);
        }
    } else {
        rest_operands(&mut cmd, args.operands.get(1..).unwrap_or_default());
    }
    let flags = &mut cmd.flags;
    flag_if(
        &args,
        flags,
        &["-n", "--non-interactive", "-y", "--no-confirm"],
        F::AssumeYes,
    );
    flag_if(&args, flags, &["--no-recommends"], F::NoInstallRecommends);
    flag_if(
        &args,
        flags,
        &["--no-gpg-checks", "--gpg-auto-import-keys"],
        F::Insecure,
    );
    flag_if(&args, flags, &["--refresh"], F::RefreshIndex);
    cmd
}

fn rpm(inv: &Invocation<'_>) -> PackageCommand {
    let spec = OptionSpec {
        long_values: &["root", "dbpath", "define", "macros", "rcfile"],
        short_values: "D",
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let operation = if args.has(&["-i", "-U", "-F", "--install", "--upgrade", "--freshen"]) {
        Op::Install
    } else if args.has(&["-e", "--erase"]) {
        Op::Remove
    } else if args.has(&["--import"]) {
        Op::Configure
    } else {
        Op::Other
    };
    let mut cmd = base(PackageManager::Rpm, operation, None, &args);
    if matches!(operation, Op::Install | Op::Remove) {
        for word in &args.operands {
            let kind = classify_operand(word, &[".rpm"]).unwrap_or(PackageArgKind::Name);
            cmd.packages.push(plain_package(word, kind));
        }
    }
    flag_if(
        &args,
        &mut cmd.flags,
        &["--nosignature", "--nodigest"],
        F::Insecure,
    );
    flag_if(&args, &mut cmd.flags, &["--excludedocs"], F::NoDocument);
    cmd
}
