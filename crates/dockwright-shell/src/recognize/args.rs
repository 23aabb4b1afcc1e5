//! Command-line argument splitting in the getopt/GNU style most tools follow: options in any
//! order among operands, combined short flags (`-yq`), attached values (`-ofile`,
//! `--out=file`), separate values (`-o file`, `--out file`), `--` ending the options.

use serde::Serialize;

use crate::ast::Word;
use crate::span::Span;

/// Which options take a value, per tool.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OptionSpec {
    /// Short options (letters) that take a value.
    pub short_values: &'static str,
    /// Long options (without `--`) that take a value.
    pub long_values: &'static [&'static str],
    /// Words that are whole options despite one dash (`-nv` for wget, `-name` for find);
    /// listed with their dash. Those in `single_dash_values` take a value.
    pub single_dash: &'static [&'static str],
    /// Single-dash whole options that take a value.
    pub single_dash_values: &'static [&'static str],
    /// Stop reading options at the first operand (wrappers, whose command follows).
    pub stop_at_operand: bool,
    /// Options whose value is optional and must be attached (`-i[R]` of xargs).
    pub short_optional_values: &'static str,
}

/// One option as written: `-y`, `--yes`, `-o file`, `--output=file`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommandOption {
    /// The option with its dashes (`-y`, `--no-install-recommends`); a combined `-yq`
    /// gives `-y` and `-q`.
    pub name: String,
    /// Its value, when it takes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The word(s) holding the option and its value.
    pub span: Span,
}

impl CommandOption {
    /// Whether this is any of `names` (written with dashes).
    #[must_use]
    pub fn is(&self, names: &[&str]) -> bool {
        names.contains(&self.name.as_str())
    }
}

/// Options and operands of one command line.
#[derive(Debug, Default)]
pub(crate) struct ParsedArgs<'w> {
    pub options: Vec<ParsedOption<'w>>,
    /// Operands, in order.
    pub operands: Vec<&'w Word>,
    /// Index (into the words given) of the first word not read, when reading stopped early.
    pub rest: usize,
}

#[derive(Debug)]
pub(crate) struct ParsedOption<'w> {
    pub name: String,
    pub value: Option<String>,
    /// The word holding the option.
    pub word: &'w Word,
    /// The word holding the value, when separate.
    pub value_word: Option<&'w Word>,
}

impl ParsedOption<'_> {
    /// Whether this is any of `names` (written with dashes).
    pub(crate) fn is(&self, names: &[&str]) -> bool {
        names.contains(&self.name.as_str())
    }

    pub(crate) fn span(&self) -> Span {
        match self.value_word {
            Some(v) => self.word.span.cover(v.span),
            None => self.word.span,
        }
    }

    pub(crate) fn to_public(&self) -> CommandOption {
        CommandOption {
            name: self.name.clone(),
            value: self.value.clone(),
            span: self.span(),
        }
    }
}

impl<'w> ParsedArgs<'w> {
    /// Whether any option is one of `names`.
    pub(crate) fn has(&self, names: &[&str]) -> bool {
        self.options
            .iter()
            .any(|o| names.contains(&o.name.as_str()))
    }

    /// The first option that is one of `names`.
    pub(crate) fn find(&self, names: &[&str]) -> Option<&ParsedOption<'w>> {
        self.options
            .iter()
            .find(|o| names.contains(&o.name.as_str()))
    }

    /// The last value given to any of `names`.
    pub(crate) fn value(&self, names: &[&str]) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|o| names.contains(&o.name.as_str()))
            .and_then(|o| o.value.as_deref())
    }

    pub(crate) fn public_options(&self) -> Vec<CommandOption> {
        self.options.iter().map(ParsedOption::to_public).collect()
    }
}

/// Splits `words` (the arguments, without the program) according to `spec`.
pub(crate) fn parse_args<'w>(words: &'w [Word], spec: &OptionSpec) -> ParsedArgs<'w> {
    let mut out = ParsedArgs {
        rest: words.len(),
        ..ParsedArgs::default()
    };
    let mut i = 0;
    let mut options_done = false;
    while i < words.len() {
        let word = &words[i];
        let text = word.text.as_str();
        i += 1;
        // A word that is entirely an expansion (`$FLAGS`) is an operand whatever it holds.
        let is_option =
            !options_done && text.len() > 1 && text.starts_with('-') && !word.is_single_expansion();
        if !is_option {
            if !options_done && text == "--" {
                options_done = true;
                continue;
            }
            out.operands.push(word);
            if spec.stop_at_operand {
                out.rest = i;
                return out;
            }
            continue;
        }
        if text == "--" {
            options_done = true;
            if spec.stop_at_operand {
                out.rest = i;
                return out;
            }
            continue;
        }
        if let Some(long) = text.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let mut option = ParsedOption {
                name: format!("--{name}"),
                value: attached,
                word,
                value_word: None,
            };
            if option.value.is_none()
                && spec.long_values.contains(&name)
                && let Some(next) = words.get(i)
            {
                option.value = Some(next.text.clone());
                option.value_word = Some(next);
                i += 1;
            }
            out.options.push(option);
            continue;
        }
        if let Some(whole) = spec
            .single_dash
            .iter()
            .chain(spec.single_dash_values)
            .find(|o| text == **o || text.strip_prefix(**o).is_some_and(|r| r.starts_with('=')))
        {
            let mut option = ParsedOption {
                name: (*whole).to_string(),
                value: text
                    .strip_prefix(*whole)
                    .and_then(|r| r.strip_prefix('='))
                    .map(str::to_string),
                word,
                value_word: None,
            };
            if option.value.is_none()
                && spec.single_dash_values.contains(whole)
                && let Some(next) = words.get(i)
            {
                option.value = Some(next.text.clone());
                option.value_word = Some(next);
                i += 1;
            }
            out.options.push(option);
            continue;
        }
        // Combined short options: each letter is an option until one takes a value.
        let letters = &text[1..];
        for (at, c) in letters.char_indices() {
            let rest = &letters[at + c.len_utf8()..];
            if spec.short_values.contains(c) {
                let mut option = ParsedOption {
                    name: format!("-{c}"),
                    value: None,
                    word,
                    value_word: None,
                };
                if !rest.is_empty() {
                    option.value = Some(rest.to_string());
                } else if let Some(next) = words.get(i) {
                    option.value = Some(next.text.clone());
                    option.value_word = Some(next);
                    i += 1;
                }
                out.options.push(option);
                break;
            }
            if spec.short_optional_values.contains(c) {
                out.options.push(ParsedOption {
                    name: format!("-{c}"),
                    value: (!rest.is_empty()).then(|| rest.to_string()),
                    word,
                    value_word: None,
                });
                break;
            }
            out.options.push(ParsedOption {
                name: format!("-{c}"),
                value: None,
                word,
                value_word: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Command;
    use crate::parser::parse_syntax;

    fn words(src: &str) -> Vec<Word> {
        let script = parse_syntax(src);
        match &script.body.items[0].and_or.pipelines[0].commands[0] {
            Command::Simple(c) => c.words[1..].to_vec(),
            _ => panic!("not simple"),
        }
    }

    #[test]
    fn combined_and_attached() {
        let w = words("curl -fsSLo out.tgz --retry=3 --header X https://x");
        let spec = OptionSpec {
            short_values: "oH",
            long_values: &["header", "retry"],
            ..OptionSpec::default()
        };
        let a = parse_args(&w, &spec);
        let names: Vec<_> = a.options.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["-f", "-s", "-S", "-L", "-o", "--retry", "--header"]);
        assert_eq!(a.value(&["-o"]), Some("out.tgz"));
        assert_eq!(a.value(&["--retry"]), Some("3"));
        assert_eq!(a.value(&["--header"]), Some("X"));
        assert_eq!(a.operands.len(), 1);
        assert_eq!(a.operands[0].text, "https://x");
    }

    #[test]
    fn separate_values_and_double_dash() {
        let w = words("tool -o file a -- -b");
        let spec = OptionSpec {
            short_values: "o",
            ..OptionSpec::default()
        };
        let a = parse_args(&w, &spec);
        assert_eq!(a.value(&["-o"]), Some("file"));
        let ops: Vec<_> = a.operands.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(ops, ["a", "-b"]);
    }

    #[test]
    fn stop_at_operand_leaves_the_rest() {
        let w = words("sudo -u app -E apt-get -y install x");
        let spec = OptionSpec {
            short_values: "u",
            stop_at_operand: true,
            ..OptionSpec::default()
        };
        let a = parse_args(&w, &spec);
        assert_eq!(a.operands[0].text, "apt-get");
        assert_eq!(a.rest, 4);
    }

    #[test]
    fn single_dash_long_options() {
        let w = words("wget -nv -qO- https://x");
        let spec = OptionSpec {
            short_values: "O",
            single_dash: &["-nv"],
            ..OptionSpec::default()
        };
        let a = parse_args(&w, &spec);
        let names: Vec<_> = a.options.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["-nv", "-q", "-O"]);
        assert_eq!(a.value(&["-O"]), Some("-"));
    }

    #[test]
    fn an_expansion_is_an_operand() {
        let w = words("apt-get install $PKGS \"-y\"");
        let a = parse_args(&w, &OptionSpec::default());
        assert_eq!(a.operands.len(), 2);
        assert!(a.has(&["-y"]));
    }
}
