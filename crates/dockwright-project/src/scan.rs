//! What every definition reader shares: the findings it adds to, locations in YAML files,
//! inline Dockerfiles cut out of YAML scalars, and interpolated strings with a position map.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::inline::{InlineDockerfile, TextMap, map_yaml_scalar};
use crate::interpolate::{self, Variables};
use crate::model::{
    BuildContext, BuildDefinition, DockerfileSource, ImageReference, Location, Problem, Severity,
};
use crate::paths::{Tree, git_subdir, is_remote};
use crate::yaml::{Node, YamlError, YamlFile};

/// Findings of one reader.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub builds: Vec<BuildDefinition>,
    pub images: Vec<ImageReference>,
    pub problems: Vec<Problem>,
}

impl Found {
    pub fn warn(&mut self, location: Location, message: impl Into<String>) {
        self.problems.push(Problem {
            location,
            severity: Severity::Warning,
            message: message.into(),
        });
    }

    pub fn error(&mut self, location: Location, message: impl Into<String>) {
        self.problems.push(Problem {
            location,
            severity: Severity::Error,
            message: message.into(),
        });
    }

    pub fn extend(&mut self, other: Found) {
        self.builds.extend(other.builds);
        self.images.extend(other.images);
        self.problems.extend(other.problems);
    }
}

/// Largest definition file read (bigger ones are reported and skipped).
pub(crate) const MAX_FILE_SIZE: u64 = 8 << 20;

/// Reads a root-relative file as UTF-8, reporting why not.
pub(crate) fn read_text(tree: &Tree, file: &Path, found: &mut Found) -> Option<String> {
    let path = tree.on_disk(file);
    let read = std::fs::metadata(&path).and_then(|meta| {
        if meta.len() > MAX_FILE_SIZE {
            Err(std::io::Error::other(format!(
                "file is larger than {} MiB",
                MAX_FILE_SIZE >> 20
            )))
        } else {
            std::fs::read(&path)
        }
    });
    match read {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(err) => {
                let offset = err.utf8_error().valid_up_to();
                let bytes = err.into_bytes();
                let index = dockwright_syntax::LineIndex::new(&bytes);
                let p = index.position(&bytes, offset);
                found.error(
                    Location {
                        file: file.to_path_buf(),
                        line: p.line,
                        column: p.column,
                    },
                    "not valid UTF-8",
                );
                None
            }
        },
        Err(err) => {
            found.error(Location::file_start(file), format!("cannot read: {err}"));
            None
        }
    }
}

/// Parses a YAML file, reporting a syntax error at its position.
pub(crate) fn parse_yaml<'s>(
    file: &Path,
    text: &'s str,
    found: &mut Found,
) -> Option<YamlFile<'s>> {
    match YamlFile::parse(text) {
        Ok(yaml) => Some(yaml),
        Err(YamlError { message, position }) => {
            found.error(
                Location {
                    file: file.to_path_buf(),
                    line: position.line,
                    column: position.column,
                },
                format!("invalid YAML: {message}"),
            );
            None
        }
    }
}

/// A YAML file being read, with the variables its strings are interpolated with.
pub(crate) struct YamlSource<'a, 's> {
    pub tree: &'a Tree,
    /// The file, relative to the root.
    pub file: PathBuf,
    pub yaml: &'a YamlFile<'s>,
    /// Compose-style `${VAR}` interpolation of string values, when the format has it.
    pub vars: Option<&'a Variables>,
}

impl<'a, 's> YamlSource<'a, 's> {
    /// The location of a node.
    pub fn location(&self, node: &Node<'_, '_>) -> Location {
        let p = node.position();
        Location {
            file: self.file.clone(),
            line: p.line,
            column: p.column,
        }
    }

    /// A scalar's value as a string, interpolated when the format interpolates (unset
    /// variables and errors reported at the node).
    pub fn string(&self, node: &Node<'_, '_>, found: &mut Found) -> Option<String> {
        let value = node.as_str()?;
        Some(match self.vars {
            Some(vars) if value.contains('$') => {
                let result = interpolate::interpolate(value, vars);
                self.report_interpolation(node, &result.unset, &result.errors, found);
                result.value
            }
            _ => value.to_string(),
        })
    }

    /// `key`'s value as a string.
    pub fn get_string(&self, node: &Node<'_, '_>, key: &str, found: &mut Found) -> Option<String> {
        node.get(key).and_then(|n| self.string(&n, found))
    }

    /// A sequence of strings (a lone scalar counts as a one-item list).
    pub fn strings(&self, node: &Node<'_, '_>, found: &mut Found) -> Vec<String> {
        if node.is_null() {
            return Vec::new();
        }
        let items = node.items();
        if items.is_empty() {
            return self.string(node, found).into_iter().collect();
        }
        items
            .iter()
            .filter_map(|item| self.string(item, found))
            .collect()
    }

    fn report_interpolation(
        &self,
        node: &Node<'_, '_>,
        unset: &[String],
        errors: &[String],
        found: &mut Found,
    ) {
        for name in unset {
            found.warn(
                self.location(node),
                format!("variable {name} is not set; it is replaced by an empty string"),
            );
        }
        for error in errors {
            found.warn(self.location(node), error.clone());
        }
    }

    /// The inline Dockerfile held by scalar `node`, with its position map (interpolated when
    /// the format interpolates: substituted text maps to the `$` that produced it).
    pub fn inline_dockerfile(&self, node: &Node<'_, '_>, found: &mut Found) -> InlineDockerfile {
        let data = node.data();
        let (value, style) = node
            .scalar()
            .unwrap_or(("", saphyr_parser::ScalarStyle::Plain));
        let mut map = map_yaml_scalar(self.yaml.source, data.start, data.end, style, value);
        if let Some(vars) = self.vars
            && map.text.contains('$')
        {
            let (replacements, unset, errors) = interpolation_ranges(&map.text, vars);
            self.report_interpolation(node, &unset, &errors, found);
            map = apply_replacements(&map, &replacements);
        }
        map.finish(
            self.file.clone(),
            self.yaml.source,
            &self.yaml.lines,
            data.start,
        )
    }
}

/// Substitutions to make in a text: each range and what replaces it.
type Replacements = Vec<(Range<usize>, String)>;

/// The top-level variable references of `text` and what each becomes, with the unset
/// variables and the errors met.
fn interpolation_ranges(text: &str, vars: &Variables) -> (Replacements, Vec<String>, Vec<String>) {
    let mut out = Vec::new();
    let mut unset = Vec::new();
    let mut errors = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let end = match bytes.get(i + 1) {
            Some(b'$') => i + 2,
            Some(b'{') => {
                let mut depth = 0usize;
                let mut j = i + 1;
                let mut close = None;
                while j < bytes.len() {
                    match bytes[j] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                close = Some(j + 1);
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                match close {
                    Some(c) => c,
                    None => {
                        i += 1;
                        continue;
                    }
                }
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                j
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let piece = &text[i..end];
        let result = interpolate::interpolate(piece, vars);
        unset.extend(result.unset);
        errors.extend(result.errors);
        if result.value != piece {
            out.push((i..end, result.value));
        }
        i = end;
    }
    (out, unset, errors)
}

/// Rebuilds a text map with `replacements` (sorted, disjoint ranges of `map.text`) applied.
fn apply_replacements(map: &TextMap, replacements: &[(Range<usize>, String)]) -> TextMap {
    let mut out = TextMap::default();
    let mut at = 0;
    for (range, value) in replacements {
        out.append(&map.slice(at, range.start));
        out.synthetic(value, map.file_offset(range.start));
        at = range.end;
    }
    out.append(&map.slice(at, map.text.len()));
    out
}

/// The Dockerfile and context of a build whose context is `context` (as written, relative to
/// `base`) and whose Dockerfile is `dockerfile` relative to the context (the compose, bake
/// and BuildKit rule), or inline.
pub(crate) fn resolve_build(
    tree: &Tree,
    base: &Path,
    context: Option<&str>,
    dockerfile: Option<&str>,
    inline: Option<InlineDockerfile>,
) -> (DockerfileSource, BuildContext) {
    let context = context.filter(|c| !c.is_empty()).unwrap_or(".");
    let name = dockerfile.filter(|d| !d.is_empty()).unwrap_or("Dockerfile");
    if is_remote(context) {
        let (url, subdir) = git_subdir(context);
        let source = match inline {
            Some(inline) => DockerfileSource::Inline(inline),
            None => DockerfileSource::Remote {
                url: url.clone(),
                path: name.to_string(),
            },
        };
        return (
            source,
            BuildContext::Remote {
                url,
                subdir,
                local: None,
            },
        );
    }
    let dir = tree.resolve(base, context);
    let source = match inline {
        Some(inline) => DockerfileSource::Inline(inline),
        None => {
            let path = tree.resolve(&dir, name);
            DockerfileSource::Path {
                exists: tree.is_file(&path),
                path,
            }
        }
    };
    (source, BuildContext::Directory { path: dir })
}

/// A Dockerfile given relative to the working directory rather than the context (the
/// `docker build -f` and build-push-action `file` rule).
pub(crate) fn dockerfile_at(tree: &Tree, base: &Path, file: &str) -> DockerfileSource {
    let path = tree.resolve(base, file);
    DockerfileSource::Path {
        exists: tree.is_file(&path),
        path,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn interpolated_inline_text_keeps_positions() {
        let src = "k: |\n  FROM ${BASE:-alpine}\n  RUN echo $$HOME\n";
        let yaml = YamlFile::parse(src).unwrap();
        let tree = Tree::new(Path::new("."));
        let vars = Variables::new();
        let source = YamlSource {
            tree: &tree,
            file: "compose.yaml".into(),
            yaml: &yaml,
            vars: Some(&vars),
        };
        let node = yaml.roots().next().unwrap().get("k").unwrap();
        let mut found = Found::default();
        let inline = source.inline_dockerfile(&node, &mut found);
        assert_eq!(inline.text, "FROM alpine\nRUN echo $HOME\n");
        assert!(found.problems.is_empty());
        let run = inline.text.find("RUN").unwrap();
        assert_eq!(inline.position(run).line, 3);
        assert_eq!(inline.position(run).column, 3);
        let alpine = inline.text.find("alpine").unwrap();
        // The substituted text maps to the `$` of `${BASE:-alpine}`.
        assert_eq!(inline.position(alpine).column, 8);
        let home = inline.text.find("$HOME").unwrap();
        assert_eq!(inline.position(home).column, 12);
        assert_eq!(inline.position(home + 1).column, 14);
    }
}
