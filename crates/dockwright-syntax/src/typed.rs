//! Typed views of commands: `FROM`, `RUN`, `COPY`, ... with their parts located in the file.
//! Views are computed on demand from the tree and borrow from it.

use std::borrow::Cow;
use std::ops::Range;

use serde::Serialize;

use crate::command::{self, Arguments, Command, InstructionKind};
use crate::heredoc;
use crate::json;
use crate::mount::{Mount, MountError, parse_mount};
use crate::span::{OffsetMap, Span};
use crate::tree::{CommandRef, Flag, Heredoc};

/// A piece of text and where it is in the file. For a value that spans continuation lines,
/// the span runs from its first to its last byte in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Word<'i> {
    /// The text (JSON escapes decoded for exec-form elements; otherwise as written).
    pub text: Cow<'i, str>,
    /// Where it is in the file.
    pub span: Span,
}

impl Word<'_> {
    /// The text as a `&str`.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// A shell-form command line as BuildKit sees it, with the map back to the file: the shell
/// crate parses `text` and reports positions through `map`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShellScript<'i> {
    /// The script: continuation lines joined (escape + newline removed, comment and blank
    /// lines dropped).
    pub text: Cow<'i, str>,
    /// From the first to the last byte of the script in the file.
    pub span: Span,
    /// Every byte of `text` back to its file offset.
    pub map: OffsetMap,
}

/// How a RUN/CMD/ENTRYPOINT/HEALTHCHECK command is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "form", content = "value")]
pub enum CommandForm<'i> {
    /// Shell form: run with the stage's shell (`/bin/sh -c` by default).
    Shell(ShellScript<'i>),
    /// Exec (JSON) form: the argument vector, JSON escapes decoded.
    Exec(Vec<Word<'i>>),
}

impl CommandForm<'_> {
    /// Whether this is the exec (JSON) form.
    pub fn is_exec(&self) -> bool {
        matches!(self, CommandForm::Exec(_))
    }
}

/// `FROM [--platform=P] image [AS name]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct From<'i> {
    /// The image reference (or stage name), if any argument was given.
    pub image: Option<Word<'i>>,
    /// The `AS` keyword, when written.
    pub as_keyword: Option<Word<'i>>,
    /// The stage name after `AS`.
    pub alias: Option<Word<'i>>,
    /// The `--platform` value (span: the whole flag).
    pub platform: Option<Word<'i>>,
    /// Whether the arguments have the shape BuildKit accepts (`image` or `image AS name`).
    pub well_formed: bool,
}

/// A `--mount` flag of a RUN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MountFlag<'i> {
    /// The flag value as BuildKit sees it.
    pub value: Cow<'i, str>,
    /// The whole flag in the file.
    pub span: Span,
    /// The parsed mount, or why it is invalid.
    pub mount: Result<Mount, MountError>,
}

/// `RUN [--mount=...] [--network=...] [--security=...] command`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run<'i> {
    /// Every `--mount`, in order.
    pub mounts: Vec<MountFlag<'i>>,
    /// `--network` (`default`, `none`, `host`).
    pub network: Option<Word<'i>>,
    /// `--security` (`sandbox`, `insecure`).
    pub security: Option<Word<'i>>,
    /// The command.
    pub form: CommandForm<'i>,
    /// Heredocs (their bodies are scripts or files, see [`crate::Instruction::heredoc_content`]).
    pub heredocs: &'i [Heredoc],
}

/// One source of a COPY/ADD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum CopySource<'i> {
    /// A path, URL or pattern (as written, variables unexpanded).
    Path(Word<'i>),
    /// A heredoc used as a file (`COPY <<EOF /dst`).
    Heredoc {
        /// The `<<EOF` word.
        word: Word<'i>,
        /// Index into the instruction's heredocs.
        index: usize,
    },
}

/// `COPY`/`ADD` with its sources, destination and flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Copy<'i> {
    /// ADD rather than COPY.
    pub is_add: bool,
    /// Sources (all arguments but the last).
    pub sources: Vec<CopySource<'i>>,
    /// Destination (the last argument), when there are at least two arguments.
    pub destination: Option<Word<'i>>,
    /// Written as a JSON array.
    pub json: bool,
    /// `--from`
    pub from: Option<Word<'i>>,
    /// `--chown`
    pub chown: Option<Word<'i>>,
    /// `--chmod`
    pub chmod: Option<Word<'i>>,
    /// `--link` (true unless `--link=false`)
    pub link: bool,
    /// `--parents`
    pub parents: bool,
    /// Every `--exclude`.
    pub exclude: Vec<Word<'i>>,
    /// `--checksum` (ADD)
    pub checksum: Option<Word<'i>>,
    /// `--keep-git-dir` (ADD)
    pub keep_git_dir: bool,
    /// `--unpack` (ADD)
    pub unpack: Option<Word<'i>>,
}

/// One ENV or LABEL key/value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue<'i> {
    /// The key as written (quotes kept).
    pub key: Word<'i>,
    /// The value as written (quotes and escapes kept; the shell lexer removes them).
    pub value: Word<'i>,
    /// Written in the legacy `KEY value` form (one pair, value is the rest of the line).
    pub legacy: bool,
}

/// One ARG declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgDecl<'i> {
    /// The name.
    pub name: Word<'i>,
    /// The default after `=`, as written, if any.
    pub default: Option<Word<'i>>,
}

/// One EXPOSE entry: `80`, `80/tcp`, `8000-8010/udp`, or a variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExposedPort<'i> {
    /// As written.
    pub word: Word<'i>,
    /// The first port, when the entry is a literal number or range.
    pub start: Option<u16>,
    /// The last port of a range (same as `start` for one port).
    pub end: Option<u16>,
    /// The protocol after `/`, lower-cased (`tcp` when not written).
    pub protocol: String,
}

/// `HEALTHCHECK [flags] CMD command` or `HEALTHCHECK NONE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Healthcheck<'i> {
    /// `CMD`, `NONE`, or whatever word was written first.
    pub kind: Option<Word<'i>>,
    /// The command after CMD.
    pub command: Option<CommandForm<'i>>,
    /// `--interval`
    pub interval: Option<Word<'i>>,
    /// `--timeout`
    pub timeout: Option<Word<'i>>,
    /// `--start-period`
    pub start_period: Option<Word<'i>>,
    /// `--start-interval`
    pub start_interval: Option<Word<'i>>,
    /// `--retries`
    pub retries: Option<Word<'i>>,
}

impl<'i, 'a> CommandRef<'i, 'a> {
    fn cmd(&self) -> &'i Command {
        // Every CommandRef is made with a valid index; fall back to the top command.
        match self.instruction.command_at(self.index) {
            Some(c) => c,
            None => &self.instruction.command,
        }
    }

    fn word(&self, range: &Range<usize>) -> Word<'i> {
        let text: &'i [u8] = &self.instruction.text;
        Word {
            text: String::from_utf8_lossy(text.get(range.clone()).unwrap_or_default()),
            span: self.instruction.file_span(range),
        }
    }

    fn json_word(&self, range: &Range<usize>) -> Word<'i> {
        let text: &'i [u8] = &self.instruction.text;
        Word {
            text: json::decode_string(text.get(range.clone()).unwrap_or_default()),
            span: self.instruction.file_span(range),
        }
    }

    /// The instruction kind.
    pub fn kind(&self) -> InstructionKind {
        self.cmd().kind
    }

    /// The keyword as written.
    pub fn keyword(&self) -> Word<'i> {
        self.word(&self.cmd().keyword)
    }

    /// The flags, in order.
    pub fn flags(&self) -> &'i [Flag<'a>] {
        self.instruction.flag_words(self.index)
    }

    /// The first flag named `name` (without `--`).
    pub fn flag(&self, name: &str) -> Option<&'i Flag<'a>> {
        self.flags().iter().find(|f| f.name() == name)
    }

    /// The value of the first flag named `name`, with the flag's span.
    pub fn flag_value(&self, name: &str) -> Option<Word<'i>> {
        let flag = self.flag(name)?;
        Some(Word {
            text: flag.value().unwrap_or_default(),
            span: flag.span(),
        })
    }

    /// Whether a boolean flag (`--link`, `--parents`) is on: present without a value or
    /// with a true value.
    pub fn flag_is_set(&self, name: &str) -> bool {
        self.flag(name).is_some_and(|f| {
            f.value()
                .is_none_or(|v| v.is_empty() || v.eq_ignore_ascii_case("true"))
        })
    }

    /// The argument text after the flags, trimmed, as BuildKit's line parsers receive it.
    pub fn args_text(&self) -> Cow<'i, str> {
        self.word(&self.cmd().args).text
    }

    /// Where the argument text is in the file.
    pub fn args_span(&self) -> Span {
        self.instruction.file_span(&self.cmd().args)
    }

    /// Whether the arguments are a JSON array (exec form).
    pub fn is_json(&self) -> bool {
        self.cmd().json
    }

    /// The ONBUILD trigger of this command.
    pub fn trigger(&self) -> Option<CommandRef<'i, 'a>> {
        if !self.cmd().arguments.is_trigger() {
            return None;
        }
        self.instruction
            .command_at(self.index + 1)
            .map(|_| CommandRef {
                instruction: self.instruction,
                index: self.index + 1,
            })
    }

    /// The heredocs of the instruction.
    pub fn heredocs(&self) -> &'i [Heredoc] {
        &self.instruction.heredocs
    }

    /// The arguments as BuildKit's parser lists them (its node values after the keyword and
    /// flags): JSON elements decoded; ENV/LABEL as key, value, separator triples; nothing for
    /// ONBUILD (see [`CommandRef::trigger`]).
    pub fn arguments(&self) -> Vec<Word<'i>> {
        let mut out = Vec::new();
        self.push_arguments(&self.cmd().arguments, &mut out);
        out
    }

    fn push_arguments(&self, arguments: &Arguments, out: &mut Vec<Word<'i>>) {
        match arguments {
            Arguments::None | Arguments::Trigger => {}
            Arguments::Json(r) => out.extend(self.json_items(r)),
            Arguments::Text(r) => out.push(self.word(r)),
            Arguments::Words(r) => out.extend(self.split_words(r)),
            Arguments::Names(r) => out.extend(self.names(r)),
            Arguments::Pairs { legacy, range } => {
                for pair in self.pairs(range, *legacy) {
                    out.push(self.word(&pair.key));
                    out.push(self.word(&pair.value));
                    out.push(match pair.equals {
                        Some(eq) => self.word(&(eq..eq + 1)),
                        None => Word {
                            text: Cow::Borrowed(""),
                            span: self
                                .instruction
                                .file_span(&(pair.value.end..pair.value.end)),
                        },
                    });
                }
            }
            Arguments::Healthcheck { kind, command } => {
                out.push(self.word(kind));
                self.push_arguments(command, out);
            }
            Arguments::Ignored => out.push(Word {
                text: Cow::Borrowed(""),
                span: self.args_span(),
            }),
        }
    }

    fn json_items(&self, range: &Range<usize>) -> Vec<Word<'i>> {
        command::json_items(&self.instruction.text, range)
            .iter()
            .map(|r| self.json_word(r))
            .collect()
    }

    fn split_words(&self, range: &Range<usize>) -> Vec<Word<'i>> {
        command::split_words(&self.instruction.text, range)
            .iter()
            .map(|r| self.word(r))
            .collect()
    }

    fn names(&self, range: &Range<usize>) -> Vec<Word<'i>> {
        command::parse_words(
            &self.instruction.text,
            range.clone(),
            self.instruction.escape,
        )
        .iter()
        .map(|r| self.word(r))
        .collect()
    }

    fn pairs(&self, range: &Range<usize>, legacy: bool) -> Vec<command::Pair> {
        command::pairs(
            &self.instruction.text,
            range,
            legacy,
            self.instruction.escape,
        )
    }

    fn command_form(&self, arguments: &Arguments, args: &Range<usize>) -> CommandForm<'i> {
        match arguments {
            Arguments::Json(r) => CommandForm::Exec(self.json_items(r)),
            Arguments::Text(r) => CommandForm::Shell(self.script(r)),
            _ => CommandForm::Shell(self.script(&(args.end..args.end))),
        }
    }

    /// The shell script in text range `r`, with its offset map.
    fn script(&self, r: &Range<usize>) -> ShellScript<'i> {
        let word = self.word(r);
        ShellScript {
            text: word.text,
            span: word.span,
            map: self.instruction.map.slice(r.start, r.end),
        }
    }

    /// The words of the arguments: JSON elements or white-space separated words.
    fn list(&self) -> Vec<Word<'i>> {
        match &self.cmd().arguments {
            Arguments::Json(r) => self.json_items(r),
            Arguments::Words(r) => self.split_words(r),
            Arguments::Names(r) => self.names(r),
            Arguments::Text(r) => vec![self.word(r)],
            _ => Vec::new(),
        }
    }

    /// `FROM`.
    pub fn as_from(&self) -> Option<From<'i>> {
        if self.kind() != InstructionKind::From {
            return None;
        }
        let mut words = self.list().into_iter();
        let image = words.next();
        let second = words.next();
        let third = words.next();
        let rest = words.next();
        let well_formed = match (&image, &second, &third, &rest) {
            (Some(_), None, None, None) => true,
            (Some(_), Some(k), Some(_), None) => k.text.eq_ignore_ascii_case("as"),
            _ => false,
        };
        let (as_keyword, alias) = match (second, third) {
            (Some(k), Some(a)) if k.text.eq_ignore_ascii_case("as") => (Some(k), Some(a)),
            _ => (None, None),
        };
        Some(From {
            image,
            as_keyword,
            alias,
            platform: self.flag_value("platform"),
            well_formed,
        })
    }

    /// `RUN`.
    pub fn as_run(&self) -> Option<Run<'i>> {
        if self.kind() != InstructionKind::Run {
            return None;
        }
        let cmd = self.cmd();
        let mounts = self
            .flags()
            .iter()
            .filter(|f| f.name() == "mount")
            .map(|f| {
                let value = f.value().unwrap_or_default();
                let mount = parse_mount(&value);
                MountFlag {
                    value: match value {
                        Cow::Borrowed(s) => Cow::Borrowed(s),
                        Cow::Owned(s) => Cow::Owned(s),
                    },
                    span: f.span(),
                    mount,
                }
            })
            .collect();
        Some(Run {
            mounts,
            network: self.flag_value("network"),
            security: self.flag_value("security"),
            form: self.command_form(&cmd.arguments, &cmd.args),
            heredocs: self.heredocs(),
        })
    }

    /// `CMD`, `ENTRYPOINT` or `RUN`: the command form.
    pub fn command_form_of(&self) -> Option<CommandForm<'i>> {
        if !matches!(
            self.kind(),
            InstructionKind::Cmd | InstructionKind::Entrypoint | InstructionKind::Run
        ) {
            return None;
        }
        let cmd = self.cmd();
        Some(self.command_form(&cmd.arguments, &cmd.args))
    }

    /// `CMD`.
    pub fn as_cmd(&self) -> Option<CommandForm<'i>> {
        (self.kind() == InstructionKind::Cmd)
            .then(|| self.command_form_of())
            .flatten()
    }

    /// `ENTRYPOINT`.
    pub fn as_entrypoint(&self) -> Option<CommandForm<'i>> {
        (self.kind() == InstructionKind::Entrypoint)
            .then(|| self.command_form_of())
            .flatten()
    }

    /// `SHELL`: the JSON array (empty when not written as one).
    pub fn as_shell(&self) -> Option<Vec<Word<'i>>> {
        (self.kind() == InstructionKind::Shell).then(|| match &self.cmd().arguments {
            Arguments::Json(r) => self.json_items(r),
            _ => Vec::new(),
        })
    }

    /// `COPY` or `ADD`.
    pub fn as_copy(&self) -> Option<Copy<'i>> {
        let is_add = match self.kind() {
            InstructionKind::Copy => false,
            InstructionKind::Add => true,
            _ => return None,
        };
        let mut words = self.list();
        let destination = if words.len() >= 2 { words.pop() } else { None };
        let heredocs = self.heredocs();
        let mut next_heredoc = 0;
        let sources = words
            .into_iter()
            .map(|word| {
                let is_heredoc =
                    !self.is_json() && heredoc::parse_heredoc(&word.text).ok().flatten().is_some();
                if is_heredoc && next_heredoc < heredocs.len() {
                    next_heredoc += 1;
                    CopySource::Heredoc {
                        word,
                        index: next_heredoc - 1,
                    }
                } else {
                    CopySource::Path(word)
                }
            })
            .collect();
        Some(Copy {
            is_add,
            sources,
            destination,
            json: self.is_json(),
            from: self.flag_value("from"),
            chown: self.flag_value("chown"),
            chmod: self.flag_value("chmod"),
            link: self.flag_is_set("link"),
            parents: self.flag_is_set("parents"),
            exclude: self
                .flags()
                .iter()
                .filter(|f| f.name() == "exclude")
                .map(|f| Word {
                    text: f.value().unwrap_or_default(),
                    span: f.span(),
                })
                .collect(),
            checksum: self.flag_value("checksum"),
            keep_git_dir: self.flag_is_set("keep-git-dir"),
            unpack: self.flag_value("unpack"),
        })
    }

    /// `ENV` or `LABEL`: the key/value pairs.
    pub fn as_key_values(&self) -> Option<Vec<KeyValue<'i>>> {
        if !matches!(self.kind(), InstructionKind::Env | InstructionKind::Label) {
            return None;
        }
        Some(match &self.cmd().arguments {
            Arguments::Pairs { legacy, range } => self
                .pairs(range, *legacy)
                .iter()
                .map(|p| KeyValue {
                    key: self.word(&p.key),
                    value: self.word(&p.value),
                    legacy: *legacy,
                })
                .collect(),
            _ => Vec::new(),
        })
    }

    /// `ENV`.
    pub fn as_env(&self) -> Option<Vec<KeyValue<'i>>> {
        (self.kind() == InstructionKind::Env)
            .then(|| self.as_key_values())
            .flatten()
    }

    /// `LABEL`.
    pub fn as_label(&self) -> Option<Vec<KeyValue<'i>>> {
        (self.kind() == InstructionKind::Label)
            .then(|| self.as_key_values())
            .flatten()
    }

    /// `ARG`: one declaration per word.
    pub fn as_arg(&self) -> Option<Vec<ArgDecl<'i>>> {
        if self.kind() != InstructionKind::Arg {
            return None;
        }
        let Arguments::Names(range) = &self.cmd().arguments else {
            return Some(Vec::new());
        };
        let text: &[u8] = &self.instruction.text;
        let words = command::parse_words(text, range.clone(), self.instruction.escape);
        Some(
            words
                .iter()
                .map(|r| match memchr::memchr(b'=', &text[r.clone()]) {
                    Some(eq) => ArgDecl {
                        name: self.word(&(r.start..r.start + eq)),
                        default: Some(self.word(&(r.start + eq + 1..r.end))),
                    },
                    None => ArgDecl {
                        name: self.word(r),
                        default: None,
                    },
                })
                .collect(),
        )
    }

    /// `EXPOSE`.
    pub fn as_expose(&self) -> Option<Vec<ExposedPort<'i>>> {
        if self.kind() != InstructionKind::Expose {
            return None;
        }
        Some(
            self.list()
                .into_iter()
                .map(|word| {
                    let (ports, protocol) = match word.text.split_once('/') {
                        Some((p, proto)) => (p.to_string(), proto.to_ascii_lowercase()),
                        None => (word.text.to_string(), "tcp".to_string()),
                    };
                    let (start, end) = match ports.split_once('-') {
                        Some((a, b)) => (a.parse().ok(), b.parse().ok()),
                        None => {
                            let p = ports.parse().ok();
                            (p, p)
                        }
                    };
                    ExposedPort {
                        word,
                        start,
                        end,
                        protocol,
                    }
                })
                .collect(),
        )
    }

    /// `VOLUME`: the paths (JSON elements or words).
    pub fn as_volume(&self) -> Option<Vec<Word<'i>>> {
        (self.kind() == InstructionKind::Volume).then(|| self.list())
    }

    /// `USER`, `WORKDIR`, `STOPSIGNAL` or `MAINTAINER`: the whole argument.
    pub fn as_value(&self) -> Option<Word<'i>> {
        if !matches!(
            self.kind(),
            InstructionKind::User
                | InstructionKind::Workdir
                | InstructionKind::Stopsignal
                | InstructionKind::Maintainer
        ) {
            return None;
        }
        Some(self.word(&self.cmd().args))
    }

    /// `HEALTHCHECK`.
    pub fn as_healthcheck(&self) -> Option<Healthcheck<'i>> {
        if self.kind() != InstructionKind::Healthcheck {
            return None;
        }
        let (kind, command) = match &self.cmd().arguments {
            Arguments::Healthcheck { kind, command } => {
                let word = self.word(kind);
                let form = word.text.eq_ignore_ascii_case("cmd").then(|| {
                    let end = self.cmd().args.end;
                    let args = match command.as_ref() {
                        Arguments::Text(r) => r.clone(),
                        _ => end..end,
                    };
                    self.command_form(command, &args)
                });
                (Some(word), form)
            }
            _ => (None, None),
        };
        Some(Healthcheck {
            kind,
            command,
            interval: self.flag_value("interval"),
            timeout: self.flag_value("timeout"),
            start_period: self.flag_value("start-period"),
            start_interval: self.flag_value("start-interval"),
            retries: self.flag_value("retries"),
        })
    }
}

/// Forwards typed accessors from [`crate::Instruction`] to its own command.
macro_rules! forward {
    ($($(#[$doc:meta])* $name:ident -> $ret:ty;)*) => {
        impl<'a> crate::tree::Instruction<'a> {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> $ret {
                    self.command().$name()
                }
            )*
        }
    };
}

forward! {
    /// `FROM` (see [`CommandRef::as_from`]).
    as_from -> Option<From<'_>>;
    /// `RUN` (see [`CommandRef::as_run`]).
    as_run -> Option<Run<'_>>;
    /// `CMD` (see [`CommandRef::as_cmd`]).
    as_cmd -> Option<CommandForm<'_>>;
    /// `ENTRYPOINT` (see [`CommandRef::as_entrypoint`]).
    as_entrypoint -> Option<CommandForm<'_>>;
    /// `SHELL` (see [`CommandRef::as_shell`]).
    as_shell -> Option<Vec<Word<'_>>>;
    /// `COPY`/`ADD` (see [`CommandRef::as_copy`]).
    as_copy -> Option<Copy<'_>>;
    /// `ENV`/`LABEL` (see [`CommandRef::as_key_values`]).
    as_key_values -> Option<Vec<KeyValue<'_>>>;
    /// `ENV` (see [`CommandRef::as_env`]).
    as_env -> Option<Vec<KeyValue<'_>>>;
    /// `LABEL` (see [`CommandRef::as_label`]).
    as_label -> Option<Vec<KeyValue<'_>>>;
    /// `ARG` (see [`CommandRef::as_arg`]).
    as_arg -> Option<Vec<ArgDecl<'_>>>;
    /// `EXPOSE` (see [`CommandRef::as_expose`]).
    as_expose -> Option<Vec<ExposedPort<'_>>>;
    /// `VOLUME` (see [`CommandRef::as_volume`]).
    as_volume -> Option<Vec<Word<'_>>>;
    /// `USER`/`WORKDIR`/`STOPSIGNAL`/`MAINTAINER` (see [`CommandRef::as_value`]).
    as_value -> Option<Word<'_>>;
    /// `HEALTHCHECK` (see [`CommandRef::as_healthcheck`]).
    as_healthcheck -> Option<Healthcheck<'_>>;
    /// RUN/CMD/ENTRYPOINT command form (see [`CommandRef::command_form_of`]).
    command_form_of -> Option<CommandForm<'_>>;
}

impl crate::tree::Instruction<'_> {
    /// The value of the first flag named `name` (see [`CommandRef::flag_value`]).
    pub fn flag_value(&self, name: &str) -> Option<Word<'_>> {
        self.command().flag_value(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mount::MountType;
    use crate::parse;

    #[test]
    fn from_with_platform_and_alias() {
        let src = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM scratch\nfrom a b\n";
        let doc = parse(src).unwrap();
        let from = doc.instructions()[0].as_from().unwrap();
        assert_eq!(from.image.as_ref().unwrap().text, "golang:1.22");
        assert_eq!(from.alias.as_ref().unwrap().text, "build");
        assert_eq!(from.platform.as_ref().unwrap().text, "$BUILDPLATFORM");
        assert_eq!(
            from.platform.unwrap().span.slice(src.as_bytes()),
            b"--platform=$BUILDPLATFORM"
        );
        assert!(from.well_formed);
        let image = from.image.unwrap();
        assert_eq!(image.span.slice(src.as_bytes()), b"golang:1.22");
        assert!(doc.instructions()[1].as_from().unwrap().alias.is_none());
        assert!(!doc.instructions()[2].as_from().unwrap().well_formed);
        assert!(doc.instructions()[0].as_run().is_none());
    }

    #[test]
    fn run_script_maps_back_to_the_file() {
        let src = "RUN --mount=type=cache,target=/root/.cache \\\n    --network=none \\\n  apt-get update \\\n  # note\n  && apt-get install -y curl\n";
        let doc = parse(src).unwrap();
        let run = doc.instructions()[0].as_run().unwrap();
        assert_eq!(run.mounts.len(), 1);
        let mount = run.mounts[0].mount.as_ref().unwrap();
        assert_eq!(mount.kind, MountType::Cache);
        assert_eq!(mount.target.as_deref(), Some("/root/.cache"));
        assert_eq!(run.network.unwrap().text, "none");
        let CommandForm::Shell(script) = run.form else {
            panic!("shell form")
        };
        assert_eq!(script.text, "apt-get update   && apt-get install -y curl");
        let at = script.text.find("&&").unwrap();
        let file = script.map.to_file(at);
        assert_eq!(&src[file..file + 2], "&&");
        for s in script.map.segments() {
            assert_eq!(
                &script.text.as_bytes()[s.text_offset..s.text_offset + s.len],
                &src.as_bytes()[s.file_offset..s.file_offset + s.len]
            );
        }
        assert_eq!(script.span.slice(src.as_bytes()).first(), Some(&b'a'));
    }

    #[test]
    fn exec_form_decodes_json() {
        let src = "CMD [\"echo\", \"a\\tb\"]\nENTRYPOINT echo hi\nSHELL [\"/bin/bash\", \"-c\"]\n";
        let doc = parse(src).unwrap();
        let CommandForm::Exec(args) = doc.instructions()[0].as_cmd().unwrap() else {
            panic!()
        };
        assert_eq!(args[1].text, "a\tb");
        assert_eq!(args[1].span.slice(src.as_bytes()), b"\"a\\tb\"");
        assert!(!doc.instructions()[1].as_entrypoint().unwrap().is_exec());
        assert_eq!(
            doc.instructions()[2].as_shell().unwrap()[0].text,
            "/bin/bash"
        );
    }

    #[test]
    fn copy_sources_destination_and_flags() {
        let src = "COPY --from=build --chown=app:app --link a b /dst/\nADD --checksum=sha256:x https://x/y /z\nCOPY <<EOF /etc/conf\nhello\nEOF\nCOPY [\"a b\", \"/c\"]\n";
        let doc = parse(src).unwrap();
        let copy = doc.instructions()[0].as_copy().unwrap();
        assert_eq!(copy.from.unwrap().text, "build");
        assert_eq!(copy.chown.unwrap().text, "app:app");
        assert!(copy.link && !copy.is_add);
        assert_eq!(copy.sources.len(), 2);
        assert_eq!(copy.destination.unwrap().text, "/dst/");
        let add = doc.instructions()[1].as_copy().unwrap();
        assert!(add.is_add);
        assert_eq!(add.checksum.unwrap().text, "sha256:x");
        let heredoc = doc.instructions()[2].as_copy().unwrap();
        assert!(matches!(
            heredoc.sources[0],
            CopySource::Heredoc { index: 0, .. }
        ));
        let json = doc.instructions()[3].as_copy().unwrap();
        assert!(json.json);
        assert!(matches!(&json.sources[0], CopySource::Path(w) if w.text == "a b"));
    }

    #[test]
    fn env_label_arg_forms() {
        let src =
            "ENV PATH /usr/bin:$PATH\nENV A=1 B=\"two words\"\nLABEL version=1\nARG V=1.0 W\n";
        let doc = parse(src).unwrap();
        let legacy = doc.instructions()[0].as_env().unwrap();
        assert!(legacy[0].legacy);
        assert_eq!(
            (&*legacy[0].key.text, &*legacy[0].value.text),
            ("PATH", "/usr/bin:$PATH")
        );
        let env = doc.instructions()[1].as_env().unwrap();
        assert!(!env[1].legacy);
        assert_eq!(env[1].value.text, "\"two words\"");
        assert_eq!(
            doc.instructions()[2].as_label().unwrap()[0].key.text,
            "version"
        );
        let args = doc.instructions()[3].as_arg().unwrap();
        assert_eq!(args[0].name.text, "V");
        assert_eq!(args[0].default.as_ref().unwrap().text, "1.0");
        assert!(args[1].default.is_none());
    }

    #[test]
    fn expose_healthcheck_and_values() {
        let src = "EXPOSE 80 443/udp 8000-8010 $PORT\nHEALTHCHECK --interval=5s --retries=3 CMD curl -f http://x/ || exit 1\nHEALTHCHECK NONE\nUSER app:app\nONBUILD COPY . /app\n";
        let doc = parse(src).unwrap();
        let ports = doc.instructions()[0].as_expose().unwrap();
        assert_eq!(
            (ports[0].start, ports[0].protocol.as_str()),
            (Some(80), "tcp")
        );
        assert_eq!(ports[1].protocol, "udp");
        assert_eq!((ports[2].start, ports[2].end), (Some(8000), Some(8010)));
        assert_eq!(ports[3].start, None);
        let hc = doc.instructions()[1].as_healthcheck().unwrap();
        assert_eq!(hc.interval.unwrap().text, "5s");
        assert_eq!(hc.retries.unwrap().text, "3");
        let Some(CommandForm::Shell(script)) = hc.command else {
            panic!()
        };
        assert_eq!(script.text, "curl -f http://x/ || exit 1");
        let none = doc.instructions()[2].as_healthcheck().unwrap();
        assert_eq!(none.kind.unwrap().text, "NONE");
        assert!(none.command.is_none());
        assert_eq!(doc.instructions()[3].as_value().unwrap().text, "app:app");
        let trigger = doc.instructions()[4].trigger().unwrap();
        assert_eq!(trigger.kind(), InstructionKind::Copy);
        assert_eq!(trigger.as_copy().unwrap().destination.unwrap().text, "/app");
    }

    #[test]
    fn flags_span_continuations() {
        let src = "RUN --mount=type=bind,\\\ntarget=/x echo\n";
        let doc = parse(src).unwrap();
        let flag = &doc.instructions()[0].flags()[0];
        assert_eq!(flag.value().unwrap(), "type=bind,target=/x");
        assert_eq!(flag.span(), Span::new(4, 33));
    }
}
