//! Compose variable interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
//! `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, `$$`) and `.env` files.

use std::collections::BTreeMap;

/// The result of interpolating one string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Interpolated {
    /// The value with every variable substituted (unset ones as empty).
    pub value: String,
    /// Variables used without a default that are not set.
    pub unset: Vec<String>,
    /// `${VAR:?message}`-style errors and malformed references.
    pub errors: Vec<String>,
}

/// Variables available to interpolation.
pub(crate) type Variables = BTreeMap<String, String>;

/// Interpolates `input` with `vars`.
pub(crate) fn interpolate(input: &str, vars: &Variables) -> Interpolated {
    let mut out = Interpolated::default();
    out.value = expand(input, vars, &mut out.unset, &mut out.errors, 0);
    out
}

const MAX_DEPTH: usize = 16;

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn expand(
    input: &str,
    vars: &Variables,
    unset: &mut Vec<String>,
    errors: &mut Vec<String>,
    depth: usize,
) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let mut chars = after.chars();
        match chars.next() {
            Some('$') => {
                out.push('$');
                rest = &after[1..];
            }
            Some('{') => {
                let body_start = 1;
                match matching_brace(after) {
                    Some(close) => {
                        let body = &after[body_start..close];
                        out.push_str(&braced(body, vars, unset, errors, depth));
                        rest = &after[close + 1..];
                    }
                    None => {
                        errors.push(format!("unterminated variable reference in {input:?}"));
                        out.push('$');
                        rest = after;
                    }
                }
            }
            Some(c) if is_name_start(c) => {
                let len = after
                    .find(|c: char| !is_name_char(c))
                    .unwrap_or(after.len());
                let name = &after[..len];
                match vars.get(name) {
                    Some(v) => out.push_str(v),
                    None => unset.push(name.to_string()),
                }
                rest = &after[len..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Index in `s` (which starts with `{`) of the `}` that closes it, nested `${…}` skipped.
fn matching_brace(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 2;
                continue;
            }
            b'{' if i == 0 => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn braced(
    body: &str,
    vars: &Variables,
    unset: &mut Vec<String>,
    errors: &mut Vec<String>,
    depth: usize,
) -> String {
    let len = body.find(|c: char| !is_name_char(c)).unwrap_or(body.len());
    let (name, op) = body.split_at(len);
    if name.is_empty() {
        errors.push(format!("invalid variable reference ${{{body}}}"));
        return String::new();
    }
    let value = vars.get(name);
    let mut word = |w: &str| {
        if depth >= MAX_DEPTH {
            return w.to_string();
        }
        expand(w, vars, unset, errors, depth + 1)
    };
    let set = value.is_some();
    let non_empty = value.is_some_and(|v| !v.is_empty());
    if op.is_empty() {
        return match value {
            Some(v) => v.clone(),
            None => {
                unset.push(name.to_string());
                String::new()
            }
        };
    }
    let (operator, rest) = if let Some(r) = op.strip_prefix(":-") {
        (":-", r)
    } else if let Some(r) = op.strip_prefix(":?") {
        (":?", r)
    } else if let Some(r) = op.strip_prefix(":+") {
        (":+", r)
    } else if let Some(r) = op.strip_prefix('-') {
        ("-", r)
    } else if let Some(r) = op.strip_prefix('?') {
        ("?", r)
    } else if let Some(r) = op.strip_prefix('+') {
        ("+", r)
    } else {
        errors.push(format!("invalid variable reference ${{{body}}}"));
        return String::new();
    };
    match operator {
        ":-" if !non_empty => word(rest),
        "-" if !set => word(rest),
        ":?" | "?" if (operator == ":?" && !non_empty) || (operator == "?" && !set) => {
            let message = word(rest);
            errors.push(if message.is_empty() {
                format!("required variable {name} is missing a value")
            } else {
                format!("required variable {name} is missing a value: {message}")
            });
            String::new()
        }
        ":+" => {
            if non_empty {
                word(rest)
            } else {
                String::new()
            }
        }
        "+" => {
            if set {
                word(rest)
            } else {
                String::new()
            }
        }
        _ => value.cloned().unwrap_or_default(),
    }
}

/// Reads a `.env` file the way compose does: `KEY=VALUE` lines, `export ` prefixes, `#`
/// comments, single quotes (literal), double quotes (escapes `\n`, `\t`, `\\`, `\"`, and
/// interpolation), unquoted values (trimmed, ` #` starts a comment, interpolation). Earlier
/// keys are visible to later values.
pub(crate) fn parse_env_file(text: &str, base: &Variables) -> Variables {
    let mut vars = Variables::new();
    let mut pos = 0;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let mut next = (line_end + 1).min(text.len());
        let line = text[pos..line_end].trim_start();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let entry = (!line.starts_with('#'))
            .then(|| line.split_once('='))
            .flatten();
        let Some((key, raw)) = entry else {
            pos = next;
            continue;
        };
        let key = key.trim().to_string();
        let raw = raw.trim_start();
        // Where the value starts in `text`: quoted values may run over several lines.
        // `raw` is a suffix of the line.
        let raw_at = line_end - raw.len();
        let mut scope = base.clone();
        scope.extend(
            vars.iter()
                .map(|(k, v): (&String, &String)| (k.clone(), v.clone())),
        );
        let value = if let Some(unclosed) = raw.strip_prefix('\'') {
            let all = &text[raw_at + 1..];
            match all.find('\'') {
                Some(close) => {
                    next = next_line(text, raw_at + 1 + close + 1);
                    all[..close].to_string()
                }
                None => unclosed.to_string(),
            }
        } else if raw.starts_with('"') {
            let all = &text[raw_at + 1..];
            let mut value = String::new();
            let mut chars = all.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        next = next_line(text, raw_at + 1 + i + 1);
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, 't')) => value.push('\t'),
                        Some((_, 'r')) => value.push('\r'),
                        Some((_, other)) => value.push(other),
                        None => value.push('\\'),
                    },
                    c => value.push(c),
                }
            }
            interpolate(&value, &scope).value
        } else {
            let value = raw.find(" #").map_or(raw, |i| &raw[..i]);
            interpolate(value.trim(), &scope).value
        };
        if !key.is_empty() {
            vars.insert(key, value);
        }
        pos = next.max(pos + 1);
    }
    vars
}

/// The offset just past the line break at or after `from` (or the end).
fn next_line(text: &str, from: usize) -> usize {
    match text.get(from..).and_then(|r| r.find('\n')) {
        Some(i) => from + i + 1,
        None => text.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Variables {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn compose_forms() {
        let v = vars(&[("A", "a"), ("E", "")]);
        assert_eq!(interpolate("x$A-${A}", &v).value, "xa-a");
        assert_eq!(interpolate("${E:-d}|${E-d}|${U-d}", &v).value, "d||d");
        assert_eq!(interpolate("${A:+y}|${E:+y}|${E+y}", &v).value, "y||y");
        assert_eq!(interpolate("$$A ${U:-${A}x}", &v).value, "$A ax");
        let r = interpolate("${U}", &v);
        assert_eq!(r.unset, ["U"]);
        let r = interpolate("${U:?need it}", &v);
        assert_eq!(r.errors.len(), 1);
        assert!(r.errors[0].contains("need it"));
        assert_eq!(interpolate("cost $5", &v).value, "cost $5");
        assert!(!interpolate("${A", &v).errors.is_empty());
    }

    #[test]
    fn env_file() {
        let text = "# c\nexport A=1\nB = two # note\nC='x $A'\nD=\"l1\\nl2 $A\"\nE=\"multi\nline\"\nF=${A}f\n";
        let v = parse_env_file(text, &Variables::new());
        assert_eq!(v["A"], "1");
        assert_eq!(v["B"], "two");
        assert_eq!(v["C"], "x $A");
        assert_eq!(v["D"], "l1\nl2 1");
        assert_eq!(v["E"], "multi\nline");
        assert_eq!(v["F"], "1f");
    }
}
