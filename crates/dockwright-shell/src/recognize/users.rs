//! Users and groups: useradd/adduser (shadow, Debian and busybox flavours),
//! groupadd/addgroup.

use serde::Serialize;

use super::{Action, Argument, CommandOption, Invocation, OptionSpec, ParsedArgs, parse_args};
use crate::ast::is_false;

/// `useradd` or `adduser`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddUser {
    /// `useradd` or `adduser`.
    pub tool: String,
    /// The user name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Argument>,
    /// The uid (`-u`, `--uid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<Argument>,
    /// `useradd -l`/`--no-log-init` (no lastlog/faillog entry, which for a high uid is a
    /// huge sparse file).
    #[serde(skip_serializing_if = "is_false")]
    pub no_log_init: bool,
    /// A system account (`-r`, `--system`, busybox `-S`).
    #[serde(skip_serializing_if = "is_false")]
    pub system: bool,
    /// Every option as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<CommandOption>,
}

/// `groupadd` or `addgroup`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddGroup {
    /// `groupadd` or `addgroup`.
    pub tool: String,
    /// The group name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Argument>,
    /// The gid (`-g`, `--gid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<Argument>,
    /// A system group (`-r`, `--system`, busybox `-S`).
    #[serde(skip_serializing_if = "is_false")]
    pub system: bool,
}

fn option_argument(args: &ParsedArgs<'_>, names: &[&str]) -> Option<Argument> {
    args.options
        .iter()
        .rev()
        .find(|o| o.is(names))
        .map(|o| Argument {
            text: o.value.clone().unwrap_or_default(),
            span: o.value_word.map_or(o.word.span, |w| w.span),
        })
}

pub(super) fn recognize_user(inv: &Invocation<'_>) -> Action {
    let useradd = inv.program == "useradd";
    let spec = if useradd {
        OptionSpec {
            short_values: "ugGdsckefKpRPZb",
            long_values: &[
                "uid",
                "gid",
                "groups",
                "home-dir",
                "home",
                "shell",
                "comment",
                "skel",
                "expiredate",
                "inactive",
                "key",
                "password",
                "root",
                "prefix",
                "selinux-user",
                "base-dir",
            ],
            ..OptionSpec::default()
        }
    } else {
        OptionSpec {
            short_values: "hgsGuk",
            long_values: &[
                "uid",
                "gid",
                "home",
                "shell",
                "gecos",
                "ingroup",
                "comment",
                "firstuid",
                "lastuid",
                "conf",
                "extrausers",
                "add-extra-groups",
            ],
            ..OptionSpec::default()
        }
    };
    let args = parse_args(inv.args(), &spec);
    let system = if useradd {
        args.has(&["-r", "--system"])
    } else {
        args.has(&["-S", "--system"])
    };
    Action::AddUser(AddUser {
        tool: inv.program.to_string(),
        name: args.operands.first().map(|w| Argument::from_word(w)),
        uid: option_argument(&args, &["-u", "--uid"]),
        no_log_init: useradd && args.has(&["-l", "--no-log-init"]),
        system,
        options: args.public_options(),
    })
}

pub(super) fn recognize_group(inv: &Invocation<'_>) -> Action {
    let groupadd = inv.program == "groupadd";
    let spec = OptionSpec {
        short_values: if groupadd { "gKpR" } else { "g" },
        long_values: &["gid", "key", "password", "root", "prefix", "conf"],
        ..OptionSpec::default()
    };
    let args = parse_args(inv.args(), &spec);
    let system = if groupadd {
        args.has(&["-r", "--system"])
    } else {
        args.has(&["-S", "--system"])
    };
    Action::AddGroup(AddGroup {
        tool: inv.program.to_string(),
        name: args.operands.first().map(|w| Argument::from_word(w)),
        gid: option_argument(&args, &["-g", "--gid"]),
        system,
    })
}
