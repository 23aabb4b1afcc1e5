//! `RUN --mount=...` values: BuildKit's comma-separated `key=value` list, as a typed mount.
//! Values are kept as written (variables unexpanded); checks that need expanded values are
//! left to the caller.

use serde::Serialize;

/// The kind of a RUN mount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    /// `type=bind` (the default): a read-only view of the context or a stage.
    Bind,
    /// `type=cache`: a persistent cache directory.
    Cache,
    /// `type=tmpfs`.
    Tmpfs,
    /// `type=secret`.
    Secret,
    /// `type=ssh`.
    Ssh,
    /// A type given by a variable (`type=$T`), known only after expansion.
    Unresolved(String),
}

/// A parsed `--mount` value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// The mount type.
    #[serde(rename = "type")]
    pub kind: MountType,
    /// `target`, `dst` or `destination`.
    pub target: Option<String>,
    /// `source` or `src`.
    pub source: Option<String>,
    /// `from`: a stage, image or build context.
    pub from: Option<String>,
    /// `id` (cache or secret id).
    pub id: Option<String>,
    /// `sharing` (`shared`, `private`, `locked`).
    pub sharing: Option<String>,
    /// `mode` (octal), as written.
    pub mode: Option<String>,
    /// `uid`, as written.
    pub uid: Option<String>,
    /// `gid`, as written.
    pub gid: Option<String>,
    /// `size` (tmpfs), as written.
    pub size: Option<String>,
    /// `env` (secret exposed as an environment variable).
    pub env: Option<String>,
    /// `readonly`/`ro`/`readwrite`/`rw` when given; `None` means the type's default
    /// (read-only for bind, secret and ssh; writable for cache and tmpfs).
    pub readonly: Option<bool>,
    /// `required` (secret and ssh).
    pub required: Option<bool>,
    /// Every `key[=value]` field as written, keys lower-cased.
    pub fields: Vec<(String, Option<String>)>,
}

impl Mount {
    /// Whether the mount is read-only once defaults apply.
    pub fn is_readonly(&self) -> bool {
        self.readonly
            .unwrap_or(!matches!(self.kind, MountType::Cache | MountType::Tmpfs))
    }
}

/// Why a `--mount` value is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct MountError {
    /// The message, worded as BuildKit words it where it has one.
    pub message: String,
}

fn err(message: String) -> MountError {
    MountError { message }
}

/// Splits a CSV record the way Go's CSV readers do: `"` quotes a whole field, `""` inside
/// quotes is a quote, anything else around quotes is an error.
pub fn csv_fields(value: &str) -> Result<Vec<String>, MountError> {
    let mut fields = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => {
                        return Err(err(
                            "failed to parse csv mounts: extraneous or missing \" in quoted-field"
                                .into(),
                        ));
                    }
                    Some('"') => {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            field.push('"');
                        } else {
                            break;
                        }
                    }
                    Some(c) => field.push(c),
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(_) => {
                    return Err(err(
                        "failed to parse csv mounts: extraneous or missing \" in quoted-field"
                            .into(),
                    ));
                }
            }
            continue;
        }
        loop {
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => break,
                Some('"') => {
                    return Err(err(
                        "failed to parse csv mounts: bare \" in non-quoted-field".into(),
                    ));
                }
                Some(c) => field.push(c),
            }
        }
        fields.push(field);
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    // Go's strconv.ParseBool.
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Parses a `--mount` value. Checks what BuildKit checks before expansion, plus the checks
/// on literal values (type, sharing, booleans, numbers) that cannot change by expansion.
pub fn parse_mount(value: &str) -> Result<Mount, MountError> {
    let mut m = Mount {
        kind: MountType::Bind,
        target: None,
        source: None,
        from: None,
        id: None,
        sharing: None,
        mode: None,
        uid: None,
        gid: None,
        size: None,
        env: None,
        readonly: None,
        required: None,
        fields: Vec::new(),
    };
    let literal = |v: &str| !v.contains('$');
    for field in csv_fields(value)? {
        let (key, val) = match field.split_once('=') {
            Some((k, v)) => (k.to_lowercase(), Some(v.to_string())),
            None => (field.to_lowercase(), None),
        };
        m.fields.push((key.clone(), val.clone()));
        let Some(val) = val else {
            match key.as_str() {
                "readonly" | "ro" => m.readonly = Some(true),
                "readwrite" | "rw" => m.readonly = Some(false),
                "required" => m.required = Some(true),
                _ => {
                    return Err(err(format!(
                        "invalid field '{field}' must be a key=value pair"
                    )));
                }
            }
            continue;
        };
        match key.as_str() {
            "type" => {
                m.kind = match val.to_lowercase().as_str() {
                    "bind" => MountType::Bind,
                    "cache" => MountType::Cache,
                    "tmpfs" => MountType::Tmpfs,
                    "secret" => MountType::Secret,
                    "ssh" => MountType::Ssh,
                    _ if !literal(&val) => MountType::Unresolved(val.clone()),
                    _ => return Err(err(format!("unsupported mount type \"{val}\""))),
                }
            }
            "from" => {
                if let Some(idx) = val.find('$')
                    && idx != val.len() - 1
                {
                    return Err(err(format!(
                        "'{key}' doesn't support variable expansion, define alias stage instead"
                    )));
                }
                m.from = Some(val);
            }
            "source" | "src" => m.source = Some(val),
            "target" | "dst" | "destination" => m.target = Some(val),
            "readonly" | "ro" | "readwrite" | "rw" => {
                let rw = key == "readwrite" || key == "rw";
                match parse_bool(&val) {
                    Some(b) => m.readonly = Some(if rw { !b } else { b }),
                    None if literal(&val) => {
                        return Err(err(format!("invalid value for {key}: {val}")));
                    }
                    None => {}
                }
            }
            "required" => match parse_bool(&val) {
                Some(b) => m.required = Some(b),
                None if literal(&val) => {
                    return Err(err(format!("invalid value for {key}: {val}")));
                }
                None => {}
            },
            "size" => m.size = Some(val),
            "id" => m.id = Some(val),
            "sharing" => {
                if literal(&val)
                    && !matches!(val.to_lowercase().as_str(), "shared" | "private" | "locked")
                {
                    return Err(err(format!("unsupported sharing value \"{val}\"")));
                }
                m.sharing = Some(val);
            }
            "mode" => {
                if literal(&val) && u32::from_str_radix(&val, 8).is_err() {
                    return Err(err(format!("invalid value {val} for mode")));
                }
                m.mode = Some(val);
            }
            "uid" | "gid" => {
                if literal(&val) && val.parse::<u32>().is_err() {
                    return Err(err(format!("invalid value {val} for {key}")));
                }
                if key == "uid" {
                    m.uid = Some(val);
                } else {
                    m.gid = Some(val);
                }
            }
            "env" => m.env = Some(val),
            _ => return Err(err(format!("unexpected key '{key}' in '{field}'"))),
        }
    }
    let requires_secret = |m: &Mount| matches!(m.kind, MountType::Secret | MountType::Ssh);
    if m.required.is_some() && !requires_secret(&m) && !matches!(m.kind, MountType::Unresolved(_)) {
        return Err(err(format!(
            "unexpected key 'required' for mount type '{}'",
            type_name(&m.kind)
        )));
    }
    if m.size.is_some() && !matches!(m.kind, MountType::Tmpfs | MountType::Unresolved(_)) {
        return Err(err(format!(
            "unexpected key 'size' for mount type '{}'",
            type_name(&m.kind)
        )));
    }
    if matches!(m.kind, MountType::Bind | MountType::Tmpfs) {
        for (name, set) in [("mode", &m.mode), ("uid", &m.uid), ("gid", &m.gid)] {
            if set.is_some() {
                return Err(err(format!(
                    "{name} not allowed for \"{}\" type mounts",
                    type_name(&m.kind)
                )));
            }
        }
    }
    if m.kind == MountType::Secret {
        if m.from.is_some() {
            return Err(err("secret mount should not have a from".into()));
        }
        if m.sharing.is_some() {
            return Err(err("secret mount should not define sharing".into()));
        }
        if m.source.is_none() && m.target.is_none() && m.id.is_none() {
            return Err(err(
                "invalid secret mount. one of source, target required".into()
            ));
        }
        if m.source.is_some() && m.id.is_some() {
            return Err(err("both source and id can't be set".into()));
        }
    }
    if m.sharing.is_some() && !matches!(m.kind, MountType::Cache | MountType::Unresolved(_)) {
        return Err(err(format!(
            "invalid cache sharing set for {} mount",
            type_name(&m.kind)
        )));
    }
    Ok(m)
}

fn type_name(kind: &MountType) -> &str {
    match kind {
        MountType::Bind => "bind",
        MountType::Cache => "cache",
        MountType::Tmpfs => "tmpfs",
        MountType::Secret => "secret",
        MountType::Ssh => "ssh",
        MountType::Unresolved(s) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cache_mount() {
        let m = parse_mount("type=cache,target=/root/.cache,sharing=locked,id=pip").unwrap();
        assert_eq!(m.kind, MountType::Cache);
        assert_eq!(m.target.as_deref(), Some("/root/.cache"));
        assert_eq!(m.sharing.as_deref(), Some("locked"));
        assert!(!m.is_readonly());
    }

    #[test]
    fn parses_flags_without_values() {
        let m = parse_mount("type=secret,id=tok,required,env=TOKEN").unwrap();
        assert_eq!(m.required, Some(true));
        assert_eq!(m.env.as_deref(), Some("TOKEN"));
        let m = parse_mount("type=bind,from=build,source=/out,target=/in,rw").unwrap();
        assert_eq!(m.readonly, Some(false));
        assert_eq!(parse_mount("ro").unwrap().readonly, Some(true));
    }

    #[test]
    fn rejects_what_buildkit_rejects() {
        for bad in [
            "type=nope",
            "type=cache,target=/x,foo=bar",
            "type=bind,mode=0755",
            "type=secret",
            "type=cache,sharing=sometimes",
            "target",
            "type=cache,required",
            "\"a,b",
            "type=cache,mode=9",
        ] {
            assert!(parse_mount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(
            csv_fields("\"target=/a,b\",type=bind").unwrap(),
            vec!["target=/a,b".to_string(), "type=bind".to_string()]
        );
        assert!(
            csv_fields("a=\"\"\"x")
                .unwrap_err()
                .message
                .contains("bare")
        );
    }
}
