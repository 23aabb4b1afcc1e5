//! `docker build` / `docker buildx build` / `podman build` / `buildah bud` command lines in
//! shell scripts (CI `run:` steps), split into words the way a POSIX shell would for the
//! simple cases: quotes, backslash escapes and line continuations, `;`, `&&`, `||`, `|`.
//! Variables are not expanded; a word that uses one is kept as written.

use std::path::Path;

use crate::model::{
    BuildContext, BuildDefinition, DefinitionKind, DockerfileSource, Location, NamedContext,
};
use crate::paths::{Tree, git_subdir, is_remote};
use crate::scan::dockerfile_at;

/// A shell word, its unquoted text and where it starts in the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub text: String,
    pub offset: usize,
}

/// A build command found in a script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BuildCommand {
    /// Offset of the command's first word (the tool) in the script.
    pub offset: usize,
    /// `-f`/`--file`.
    pub file: Option<String>,
    /// The context argument.
    pub context: Option<String>,
    pub target: Option<String>,
    /// `--build-arg` values, `K=V` or `K`.
    pub build_args: Vec<String>,
    pub platforms: Vec<String>,
    pub cache_from: Vec<String>,
    pub tags: Vec<String>,
    /// `--build-context` values, `NAME=VALUE`.
    pub build_contexts: Vec<String>,
}

/// Flags of `docker buildx build`, `podman build` and `buildah bud` that take a value as the
/// next word. Any other flag is taken to be a switch (or to carry its value after `=`).
const VALUE_FLAGS: &[&str] = &[
    "-f",
    "--file",
    "-t",
    "--tag",
    "--target",
    "--build-arg",
    "--build-arg-file",
    "--platform",
    "--cache-from",
    "--cache-to",
    "--build-context",
    "--label",
    "--network",
    "-o",
    "--output",
    "--progress",
    "--secret",
    "--ssh",
    "--iidfile",
    "--metadata-file",
    "--add-host",
    "--allow",
    "--attest",
    "--annotation",
    "--builder",
    "--cgroup-parent",
    "--shm-size",
    "--ulimit",
    "-m",
    "--memory",
    "--memory-swap",
    "--cpu-period",
    "--cpu-quota",
    "--cpu-shares",
    "--cpuset-cpus",
    "--cpuset-mems",
    "--isolation",
    "--security-opt",
    "--arch",
    "--os",
    "--variant",
    "--authfile",
    "--creds",
    "--format",
    "--jobs",
    "--runtime",
    "--signature-policy",
    "--timestamp",
    "-v",
    "--volume",
    "--env",
    "--unsetenv",
    "--logfile",
    "--manifest",
    "--retry",
    "--retry-delay",
    "--device",
    "--dns",
    "--dns-option",
    "--dns-search",
    "--ignorefile",
    "--userns",
    "--userns-uid-map",
    "--userns-gid-map",
    "--from",
    "--hooks-dir",
    "--cache-ttl",
    "--decryption-key",
    "--cert-dir",
    "--cni-config-dir",
    "--cni-plugin-path",
    "--layer-label",
    "--os-feature",
    "--os-version",
    "--sign-by",
    "--stdin",
    "--cw",
    "--group-add",
    "--identity-label",
    "--ipc",
    "--pid",
    "--uts",
    "--cgroupns",
    "--runtime-flag",
];

/// Splits `script` into commands of words.
pub(crate) fn commands(script: &str) -> Vec<Vec<Word>> {
    let bytes = script.as_bytes();
    let mut out = Vec::new();
    let mut command: Vec<Word> = Vec::new();
    let mut word: Option<Word> = None;
    let mut i = 0;
    let end_word = |word: &mut Option<Word>, command: &mut Vec<Word>| {
        if let Some(w) = word.take() {
            command.push(w);
        }
    };
    let end_command = |command: &mut Vec<Word>, out: &mut Vec<Vec<Word>>| {
        if !command.is_empty() {
            out.push(std::mem::take(command));
        }
    };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\\' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => {
                i += 3;
            }
            b' ' | b'\t' | b'\r' => {
                end_word(&mut word, &mut command);
                i += 1;
            }
            b'\n' | b';' | b'&' | b'|' | b'(' | b')' => {
                end_word(&mut word, &mut command);
                end_command(&mut command, &mut out);
                i += 1;
            }
            b'#' if word.is_none() => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' => {
                let w = word.get_or_insert(Word {
                    text: String::new(),
                    offset: i,
                });
                let close = script[i + 1..]
                    .find('\'')
                    .map_or(bytes.len(), |j| i + 1 + j);
                w.text.push_str(&script[i + 1..close]);
                i = close + 1;
            }
            b'"' => {
                let w = word.get_or_insert(Word {
                    text: String::new(),
                    offset: i,
                });
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\'
                        && matches!(bytes.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`' | b'\n'))
                    {
                        if bytes[i + 1] != b'\n' {
                            w.text.push(char::from(bytes[i + 1]));
                        }
                        i += 2;
                        continue;
                    }
                    let len = char_len(script, i);
                    w.text.push_str(&script[i..i + len]);
                    i += len;
                }
                i += 1;
            }
            b'$' if script[i..].starts_with("${{") => {
                // A GitHub Actions expression is one piece of a word, spaces included.
                let w = word.get_or_insert(Word {
                    text: String::new(),
                    offset: i,
                });
                let close = script[i..].find("}}").map_or(bytes.len(), |j| i + j + 2);
                w.text.push_str(&script[i..close]);
                i = close;
            }
            b'\\' => {
                let w = word.get_or_insert(Word {
                    text: String::new(),
                    offset: i,
                });
                if i + 1 < bytes.len() {
                    let len = char_len(script, i + 1);
                    w.text.push_str(&script[i + 1..i + 1 + len]);
                    i += 1 + len;
                } else {
                    i += 1;
                }
            }
            _ => {
                let w = word.get_or_insert(Word {
                    text: String::new(),
                    offset: i,
                });
                let len = char_len(script, i);
                w.text.push_str(&script[i..i + len]);
                i += len;
            }
        }
    }
    end_word(&mut word, &mut command);
    end_command(&mut command, &mut out);
    out
}

fn char_len(s: &str, i: usize) -> usize {
    s[i..].chars().next().map_or(1, char::len_utf8)
}

/// The build commands of `script`.
pub(crate) fn find_build_commands(script: &str) -> Vec<BuildCommand> {
    commands(script)
        .iter()
        .filter_map(|words| build_command(words))
        .collect()
}

/// Reads one command: a build command if its tool words say so.
fn build_command(words: &[Word]) -> Option<BuildCommand> {
    let mut rest = words;
    // Leading assignments and wrappers: `DOCKER_BUILDKIT=1 sudo docker build …`.
    while let Some(first) = rest.first() {
        let is_assignment = first.text.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if is_assignment
            || matches!(
                first.text.as_str(),
                "sudo" | "time" | "exec" | "env" | "command"
            )
        {
            rest = &rest[1..];
        } else {
            break;
        }
    }
    let tool = rest.first()?;
    let names: Vec<&str> = rest.iter().take(3).map(|w| w.text.as_str()).collect();
    let skip = match names.as_slice() {
        [
            "docker" | "nerdctl",
            "buildx" | "image" | "builder",
            "build" | "b",
            ..,
        ] => 3,
        ["podman", "image", "build", ..] => 3,
        ["docker" | "podman" | "nerdctl", "build", ..] => 2,
        ["buildah", "bud" | "build" | "build-using-dockerfile", ..] => 2,
        _ => return None,
    };
    let mut cmd = parse_flags(&rest[skip..]);
    cmd.offset = tool.offset;
    Some(cmd)
}

/// Reads build flags and the context argument from `words`.
pub(crate) fn parse_flags(words: &[Word]) -> BuildCommand {
    let mut cmd = BuildCommand::default();
    let mut i = 0;
    let mut positional_only = false;
    while i < words.len() {
        let word = &words[i].text;
        i += 1;
        if positional_only || !word.starts_with('-') || word == "-" {
            if cmd.context.is_none() {
                cmd.context = Some(word.clone());
            }
            continue;
        }
        if word == "--" {
            positional_only = true;
            continue;
        }
        let (flag, inline_value) = match word.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => {
                // `-fDockerfile`, `-tname`: short flags glued to their value.
                if !word.starts_with("--") && word.len() > 2 && VALUE_FLAGS.contains(&&word[..2]) {
                    (word[..2].to_string(), Some(word[2..].to_string()))
                } else {
                    (word.clone(), None)
                }
            }
        };
        let takes_value = VALUE_FLAGS.contains(&flag.as_str());
        let value = match inline_value {
            Some(v) => Some(v),
            None if takes_value => {
                let v = words.get(i).map(|w| w.text.clone());
                i += 1;
                v
            }
            None => None,
        };
        let Some(value) = value else {
            continue;
        };
        match flag.as_str() {
            "-f" | "--file" => cmd.file = Some(value),
            "-t" | "--tag" => cmd.tags.push(value),
            "--target" => cmd.target = Some(value),
            "--build-arg" => cmd.build_args.push(value),
            "--platform" => cmd.platforms.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            ),
            "--cache-from" => cmd.cache_from.push(value),
            "--build-context" => cmd.build_contexts.push(value),
            _ => {}
        }
    }
    cmd
}

/// The build a command run in `dir` (root-relative) performs, its words passed through
/// `sub` (expression substitution); `None` when it reads its Dockerfile or context from
/// standard input.
pub(crate) fn command_build(
    tree: &Tree,
    dir: &Path,
    command: &BuildCommand,
    origin: Location,
    sub: &dyn Fn(&str) -> String,
) -> Option<BuildDefinition> {
    let context = sub(command.context.as_deref()?);
    if context == "-" || command.file.as_deref() == Some("-") {
        return None;
    }
    let (dockerfile, build_context) = if is_remote(&context) {
        let (url, subdir) = git_subdir(&context);
        (
            DockerfileSource::Remote {
                url: url.clone(),
                path: command
                    .file
                    .as_deref()
                    .map_or_else(|| "Dockerfile".into(), sub),
            },
            BuildContext::Remote {
                url,
                subdir,
                local: None,
            },
        )
    } else {
        let context_dir = tree.resolve(dir, &context);
        // `-f` is relative to the working directory; without it, `Dockerfile` in the context.
        let dockerfile = match &command.file {
            Some(f) => dockerfile_at(tree, dir, &sub(f)),
            None => dockerfile_at(tree, &context_dir, "Dockerfile"),
        };
        (dockerfile, BuildContext::Directory { path: context_dir })
    };
    let mut def =
        BuildDefinition::new(DefinitionKind::CiCommand, origin, dockerfile, build_context);
    def.target = command.target.as_deref().map(sub);
    for arg in &command.build_args {
        let arg = sub(arg);
        match arg.split_once('=') {
            Some((k, v)) => def.set_arg(k, Some(v.to_string())),
            None => def.set_arg(arg, None),
        }
    }
    def.platforms = command.platforms.iter().map(|p| sub(p)).collect();
    def.cache_from = command.cache_from.iter().map(|p| sub(p)).collect();
    def.tags = command.tags.iter().map(|p| sub(p)).collect();
    def.additional_contexts = command
        .build_contexts
        .iter()
        .filter_map(|c| {
            let c = sub(c);
            c.split_once('=').map(|(n, v)| NamedContext {
                name: n.to_string(),
                value: v.to_string(),
            })
        })
        .collect();
    Some(def)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_and_commands() {
        let script = "echo 'a b' \"c\\\"d\" e\\ f && x ${{ matrix.t }}-y # c\nz";
        let cmds = commands(script);
        let texts: Vec<Vec<&str>> = cmds
            .iter()
            .map(|c| c.iter().map(|w| w.text.as_str()).collect())
            .collect();
        assert_eq!(
            texts,
            vec![
                vec!["echo", "a b", "c\"d", "e f"],
                vec!["x", "${{ matrix.t }}-y"],
                vec!["z"]
            ]
        );
        assert_eq!(cmds[1][1].offset, script.find("${{").unwrap_or(0));
    }

    #[test]
    fn reads_docker_build() {
        let script = "set -e\nDOCKER_BUILDKIT=1 docker build \\\n  -f docker/Dockerfile.api --target prod \\\n  --build-arg A=1 --build-arg=B -t app:1 --platform linux/amd64,linux/arm64 \\\n  --cache-from type=registry,ref=x --no-cache --pull .\n";
        let found = find_build_commands(script);
        assert_eq!(found.len(), 1);
        let c = &found[0];
        assert_eq!(c.offset, script.find("docker build").unwrap_or(0));
        assert_eq!(c.file.as_deref(), Some("docker/Dockerfile.api"));
        assert_eq!(c.target.as_deref(), Some("prod"));
        assert_eq!(c.build_args, ["A=1", "B"]);
        assert_eq!(c.tags, ["app:1"]);
        assert_eq!(c.platforms, ["linux/amd64", "linux/arm64"]);
        assert_eq!(c.cache_from, ["type=registry,ref=x"]);
        assert_eq!(c.context.as_deref(), Some("."));
    }

    #[test]
    fn other_tools() {
        let found = find_build_commands(
            "docker buildx build --push -t a web/ ; buildah bud -fContainerfile ctx\npodman build .\necho docker build",
        );
        let contexts: Vec<_> = found.iter().map(|c| c.context.as_deref()).collect();
        assert_eq!(contexts, [Some("web/"), Some("ctx"), Some(".")]);
        assert_eq!(found[1].file.as_deref(), Some("Containerfile"));
    }
}
