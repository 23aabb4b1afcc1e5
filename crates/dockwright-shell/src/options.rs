//! Shell options that change how a script fails: `set -e`, `set -o pipefail` and friends.

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use crate::ast::Word;
use crate::span::Span;

/// The options that matter to a build: whether a failing command (or a failing command
/// inside a pipeline) stops the RUN, whether unset variables are errors, and tracing.
///
/// A RUN in shell form runs `/bin/sh -c` with none of them on. A `SHELL` instruction can
/// start the shell with some on ([`ShellOptions::from_shell_arguments`]); `set` changes them
/// from that point on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ShellOptions {
    /// `set -e` / `set -o errexit`.
    pub errexit: bool,
    /// `set -o pipefail`.
    pub pipefail: bool,
    /// `set -u` / `set -o nounset`.
    pub nounset: bool,
    /// `set -x` / `set -o xtrace`.
    pub xtrace: bool,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
pub(crate) fn is_default_options(options: &ShellOptions) -> bool {
    *options == ShellOptions::default()
}

/// One of the options tracked by [`ShellOptions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShellOption {
    /// `-e`
    Errexit,
    /// `-o pipefail`
    Pipefail,
    /// `-u`
    Nounset,
    /// `-x`
    Xtrace,
}

impl ShellOption {
    fn from_short(c: char) -> Option<Self> {
        match c {
            'e' => Some(Self::Errexit),
            'u' => Some(Self::Nounset),
            'x' => Some(Self::Xtrace),
            _ => None,
        }
    }

    fn from_long(name: &str) -> Option<Self> {
        match name {
            "errexit" => Some(Self::Errexit),
            "pipefail" => Some(Self::Pipefail),
            "nounset" => Some(Self::Nounset),
            "xtrace" => Some(Self::Xtrace),
            _ => None,
        }
    }
}

/// A change made by `set` (or by a shell's command-line flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OptionChange {
    /// Which option.
    pub option: ShellOption,
    /// Turned on (`-`) or off (`+`).
    pub enabled: bool,
    /// The word that made the change.
    pub span: Span,
}

impl ShellOptions {
    /// Whether `option` is on.
    #[must_use]
    pub fn get(self, option: ShellOption) -> bool {
        match option {
            ShellOption::Errexit => self.errexit,
            ShellOption::Pipefail => self.pipefail,
            ShellOption::Nounset => self.nounset,
            ShellOption::Xtrace => self.xtrace,
        }
    }

    /// Turns `option` on or off.
    pub fn set(&mut self, option: ShellOption, enabled: bool) {
        match option {
            ShellOption::Errexit => self.errexit = enabled,
            ShellOption::Pipefail => self.pipefail = enabled,
            ShellOption::Nounset => self.nounset = enabled,
            ShellOption::Xtrace => self.xtrace = enabled,
        }
    }

    /// Applies changes in order.
    pub fn apply(&mut self, changes: &[OptionChange]) {
        for c in changes {
            self.set(c.option, c.enabled);
        }
    }

    /// The options a shell starts with, given its command line after the program name, as
    /// in `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` → `["-o", "pipefail", "-c"]`.
    /// Reading stops at `-c` (or the first operand); combined flags (`-euxo pipefail`) work.
    #[must_use]
    pub fn from_shell_arguments<S: AsRef<str>>(arguments: &[S]) -> Self {
        let mut options = Self::default();
        let args: Vec<(&str, Span)> = arguments
            .iter()
            .map(|a| (a.as_ref(), Span::default()))
            .collect();
        let (changes, _) = option_changes(&args, true);
        options.apply(&changes);
        options
    }
}

impl Serialize for ShellOptions {
    /// Serialised as the list of options that are on: `["errexit", "pipefail"]`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let on = [
            (self.errexit, "errexit"),
            (self.pipefail, "pipefail"),
            (self.nounset, "nounset"),
            (self.xtrace, "xtrace"),
        ];
        let mut seq = serializer.serialize_seq(None)?;
        for (enabled, name) in on {
            if enabled {
                seq.serialize_element(name)?;
            }
        }
        seq.end()
    }
}

/// Reads `set`-style flags from `args` (each with the span to report): `-e`, `+e`, `-eux`,
/// `-o pipefail`, `-euo pipefail`, `-o errexit`. Stops at `--`, a lone `-`, an operand, and
/// (for a shell's own command line, `stop_at_c`) after the flag word containing `c`.
/// Returns the changes and how many arguments were read.
pub(crate) fn option_changes(args: &[(&str, Span)], stop_at_c: bool) -> (Vec<OptionChange>, usize) {
    let mut changes = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let (arg, span) = args[i];
        let Some(sign) = arg.chars().next().filter(|c| *c == '-' || *c == '+') else {
            break;
        };
        let flags = &arg[1..];
        if flags.is_empty() || flags == "-" {
            i += 1;
            break;
        }
        if flags.starts_with('-') {
            // Long options of bash's own command line (`--login`, `--norc`): no effect here.
            i += 1;
            continue;
        }
        let enabled = sign == '-';
        let mut pending_long = 0usize;
        let mut saw_c = false;
        for c in flags.chars() {
            if c == 'o' {
                pending_long += 1;
            } else if c == 'c' {
                saw_c = true;
            } else if let Some(option) = ShellOption::from_short(c) {
                changes.push(OptionChange {
                    option,
                    enabled,
                    span,
                });
            }
        }
        i += 1;
        for _ in 0..pending_long {
            let Some(&(name, name_span)) = args.get(i) else {
                break;
            };
            if let Some(option) = ShellOption::from_long(name) {
                changes.push(OptionChange {
                    option,
                    enabled,
                    span: span.cover(name_span),
                });
            }
            i += 1;
        }
        if saw_c && stop_at_c {
            break;
        }
    }
    (changes, i)
}

/// The changes made by `set ARGS` (the words after `set`).
pub(crate) fn set_command_changes(words: &[Word]) -> Vec<OptionChange> {
    let args: Vec<(&str, Span)> = words
        .iter()
        .map_while(|w| w.value().map(|v| (v, w.span)))
        .collect();
    option_changes(&args, false).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_instruction_arguments() {
        let o = ShellOptions::from_shell_arguments(&["-o", "pipefail", "-c"]);
        assert!(o.pipefail && !o.errexit);
        let o = ShellOptions::from_shell_arguments(&["-euxo", "pipefail", "-c"]);
        assert!(o.pipefail && o.errexit && o.nounset && o.xtrace);
        let o = ShellOptions::from_shell_arguments(&["-ec"]);
        assert!(o.errexit && !o.pipefail);
        let o = ShellOptions::from_shell_arguments(&["-c"]);
        assert_eq!(o, ShellOptions::default());
        let o = ShellOptions::from_shell_arguments(&["--login", "-e", "-o", "pipefail", "-c"]);
        assert!(o.errexit && o.pipefail);
    }

    #[test]
    fn plus_turns_off() {
        let args = [("-eu", Span::new(0, 3)), ("+e", Span::new(4, 6))];
        let (changes, read) = option_changes(&args, false);
        assert_eq!(read, 2);
        let mut o = ShellOptions::default();
        o.apply(&changes);
        assert!(!o.errexit && o.nounset);
    }

    #[test]
    fn unknown_long_names_are_ignored() {
        let args = [("-o", Span::new(0, 2)), ("vi", Span::new(3, 5))];
        let (changes, read) = option_changes(&args, false);
        assert!(changes.is_empty());
        assert_eq!(read, 2);
    }

    #[test]
    fn serialises_as_the_list_of_enabled_options() {
        let o = ShellOptions {
            errexit: true,
            pipefail: true,
            ..ShellOptions::default()
        };
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"["errexit","pipefail"]"#
        );
    }
}
