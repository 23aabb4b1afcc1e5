//! docker-bake files (`docker-bake.hcl`, `docker-bake.json`, `docker-bake.override.hcl`, …):
//! targets with `context`, `dockerfile`, `dockerfile-inline`, `target`, `args`, `platforms`,
//! `cache-from`, `tags`, `contexts`, `inherits` and `matrix`; groups; variables with their
//! defaults. The files of one directory are merged in name order, as `docker buildx bake`
//! merges its default files, later attributes winning.
//!
//! Expressions are evaluated with hcl-rs against the variables' defaults (or the values given
//! in the options) and a few of bake's string functions; an expression that cannot be
//! evaluated is kept as written and reported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use hcl::Value;
use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use hcl_edit::Span as _;
use hcl_edit::expr::Expression as EditExpression;
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::Element;

use crate::inline::{InlineDockerfile, TextMap, align, map_yaml_scalar};
use crate::interpolate::Variables;
use crate::model::{
    BuildContext, BuildDefinition, DefinitionKind, DockerfileSource, Location, NamedContext,
};
use crate::paths::{Tree, git_subdir, is_remote, slash};
use crate::scan::{Found, parse_yaml, read_text};
use crate::yaml::Node;

/// Most matrix combinations expanded for one target.
const MAX_COMBINATIONS: usize = 256;
/// How deep `inherits` and nested groups are followed.
const MAX_DEPTH: usize = 16;

/// Part of an inline Dockerfile template: decoded literal text with its map, or an
/// interpolation to evaluate (mapped to where it starts).
#[derive(Debug, Clone)]
enum Piece {
    Literal(TextMap),
    Interpolation(hcl::Expression, usize),
}

/// A `dockerfile-inline` value and what is needed to map it back to its file.
#[derive(Debug, Clone)]
struct InlineSource {
    file: PathBuf,
    /// The defining file's text (for positions and the fallback alignment).
    text: std::sync::Arc<str>,
    /// The template pieces, when the expression is a plain template.
    pieces: Option<Vec<Piece>>,
    /// Byte range of the whole expression.
    start: usize,
    end: usize,
}

/// An attribute value as written.
#[derive(Debug, Clone)]
struct Attr {
    expr: hcl::Expression,
    /// The expression's source text (kept when it cannot be evaluated).
    raw: String,
    location: Location,
    inline: Option<InlineSource>,
}

/// One `target` block (or JSON object) of one file.
#[derive(Debug, Clone)]
struct TargetBlock {
    name: String,
    origin: Location,
    attrs: BTreeMap<String, Attr>,
}

#[derive(Debug, Default)]
struct BakeFiles {
    variables: Vec<(String, Option<Attr>)>,
    targets: Vec<TargetBlock>,
    groups: BTreeMap<String, Vec<Attr>>,
}

/// A target's attributes after evaluation.
#[derive(Debug, Clone, Default)]
struct Evaluated {
    context: Option<String>,
    dockerfile: Option<String>,
    inline: Option<InlineDockerfile>,
    target: Option<String>,
    args: Option<Vec<(String, Option<String>)>>,
    platforms: Option<Vec<String>>,
    cache_from: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    contexts: Option<Vec<(String, String)>>,
    inherits: Vec<String>,
}

impl Evaluated {
    /// `self` with `over` on top: scalars and lists replaced, maps merged by key.
    fn merged(&self, over: &Evaluated) -> Evaluated {
        let mut out = self.clone();
        if over.context.is_some() {
            out.context.clone_from(&over.context);
        }
        if over.dockerfile.is_some() {
            out.dockerfile.clone_from(&over.dockerfile);
            out.inline = None;
        }
        if over.inline.is_some() {
            out.inline.clone_from(&over.inline);
        }
        if over.target.is_some() {
            out.target.clone_from(&over.target);
        }
        for (list, add) in [
            (&mut out.platforms, &over.platforms),
            (&mut out.cache_from, &over.cache_from),
            (&mut out.tags, &over.tags),
        ] {
            if add.is_some() {
                list.clone_from(add);
            }
        }
        if let Some(args) = &over.args {
            let merged = out.args.get_or_insert_with(Vec::new);
            for (k, v) in args {
                match merged.iter_mut().find(|(n, _)| n == k) {
                    Some(slot) => slot.1.clone_from(v),
                    None => merged.push((k.clone(), v.clone())),
                }
            }
        }
        if let Some(contexts) = &over.contexts {
            let merged = out.contexts.get_or_insert_with(Vec::new);
            for (k, v) in contexts {
                match merged.iter_mut().find(|(n, _)| n == k) {
                    Some(slot) => slot.1.clone_from(v),
                    None => merged.push((k.clone(), v.clone())),
                }
            }
        }
        if !over.inherits.is_empty() {
            out.inherits.clone_from(&over.inherits);
        }
        out
    }
}

/// Reads the bake files of one directory (already in merge order).
pub(crate) fn discover(
    tree: &Tree,
    dir: &Path,
    files: &[PathBuf],
    env: &Variables,
    found: &mut Found,
) {
    let mut bake = BakeFiles::default();
    for file in files {
        let Some(text) = read_text(tree, file, found) else {
            continue;
        };
        let is_json = file.extension().is_some_and(|e| e == "json");
        if is_json {
            read_json(file, &text, &mut bake, found);
        } else {
            read_hcl(file, &text, &mut bake, found);
        }
    }
    if bake.targets.is_empty() {
        return;
    }
    let ctx = variables(&bake, env, found);
    let groups = group_members(&bake, &ctx, found);

    // Evaluate every definition of every target (matrix targets expand here).
    let mut by_name: BTreeMap<String, (Location, Evaluated, BTreeMap<String, String>)> =
        BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for block in &bake.targets {
        for (name, combo) in expand_matrix(block, &ctx, found) {
            let mut scope = ctx.clone();
            for (k, v) in &combo {
                scope.declare_var(k.as_str(), v.as_str());
            }
            let evaluated = evaluate_target(block, &scope, found);
            match by_name.get_mut(&name) {
                Some((_, existing, _)) => *existing = existing.merged(&evaluated),
                None => {
                    order.push(name.clone());
                    by_name.insert(name, (block.origin.clone(), evaluated, combo));
                }
            }
        }
    }
    let inherited: BTreeSet<&str> = by_name
        .values()
        .flat_map(|(_, e, _)| e.inherits.iter().map(String::as_str))
        .collect();
    for name in &order {
        let Some((origin, _, combo)) = by_name.get(name) else {
            continue;
        };
        let member_of: Vec<String> = groups
            .iter()
            .filter(|(_, members)| members.contains(name))
            .map(|(g, _)| g.clone())
            .collect();
        // A target only other targets inherit from, and no group builds, is a base, not a
        // build of its own.
        if inherited.contains(name.as_str()) && member_of.is_empty() {
            continue;
        }
        let resolved = resolve_inherits(name, &by_name, origin, found, 0);
        found.builds.push(to_build(
            tree, dir, name, origin, &resolved, combo, member_of,
        ));
    }
}

fn to_build(
    tree: &Tree,
    dir: &Path,
    name: &str,
    origin: &Location,
    e: &Evaluated,
    combo: &BTreeMap<String, String>,
    groups: Vec<String>,
) -> BuildDefinition {
    let context = e
        .context
        .as_deref()
        .map(|c| c.strip_prefix("cwd://").unwrap_or(c))
        .unwrap_or(".");
    let (dockerfile, build_context) = if is_remote(context) {
        let (url, subdir) = git_subdir(context);
        let source = match &e.inline {
            Some(inline) => DockerfileSource::Inline(inline.clone()),
            None => DockerfileSource::Remote {
                url: url.clone(),
                path: e.dockerfile.clone().unwrap_or_else(|| "Dockerfile".into()),
            },
        };
        (
            source,
            BuildContext::Remote {
                url,
                subdir,
                local: None,
            },
        )
    } else {
        let context_dir = tree.resolve(dir, context);
        let source = match &e.inline {
            Some(inline) => DockerfileSource::Inline(inline.clone()),
            None => {
                let file = e.dockerfile.as_deref().unwrap_or("Dockerfile");
                let file = file.strip_prefix("cwd://").unwrap_or(file);
                let path = tree.resolve(&context_dir, file);
                DockerfileSource::Path {
                    exists: tree.is_file(&path),
                    path,
                }
            }
        };
        (source, BuildContext::Directory { path: context_dir })
    };
    let mut def = BuildDefinition::new(
        DefinitionKind::Bake,
        origin.clone(),
        dockerfile,
        build_context,
    );
    def.id = format!("{}#{name}", slash(&origin.file));
    def.name = Some(name.to_string());
    def.target.clone_from(&e.target);
    for (k, v) in e.args.iter().flatten() {
        def.set_arg(k.clone(), v.clone());
    }
    def.platforms = e.platforms.clone().unwrap_or_default();
    def.cache_from = e.cache_from.clone().unwrap_or_default();
    def.tags = e.tags.clone().unwrap_or_default();
    def.additional_contexts = e
        .contexts
        .iter()
        .flatten()
        .map(|(n, v)| NamedContext {
            name: n.clone(),
            value: v.clone(),
        })
        .collect();
    def.matrix.clone_from(combo);
    def.groups = groups;
    def
}

fn resolve_inherits(
    name: &str,
    targets: &BTreeMap<String, (Location, Evaluated, BTreeMap<String, String>)>,
    origin: &Location,
    found: &mut Found,
    depth: usize,
) -> Evaluated {
    let Some((_, own, _)) = targets.get(name) else {
        return Evaluated::default();
    };
    if depth > MAX_DEPTH {
        found.warn(
            origin.clone(),
            format!("`inherits` of target {name} is cyclic or too deep"),
        );
        return own.clone();
    }
    let mut out = Evaluated::default();
    for parent in &own.inherits {
        if targets.contains_key(parent) {
            out = out.merged(&resolve_inherits(parent, targets, origin, found, depth + 1));
        } else {
            found.warn(
                origin.clone(),
                format!("target {name} inherits from {parent}, which is not defined"),
            );
        }
    }
    let mut merged = out.merged(own);
    merged.inherits.clone_from(&own.inherits);
    merged
}

// --- reading -------------------------------------------------------------------------------

fn location(
    file: &Path,
    text: &str,
    lines: &dockwright_syntax::LineIndex,
    offset: usize,
) -> Location {
    let p = lines.position(text.as_bytes(), offset);
    Location {
        file: file.to_path_buf(),
        line: p.line,
        column: p.column,
    }
}

fn read_hcl(file: &Path, text: &str, bake: &mut BakeFiles, found: &mut Found) {
    let body: Body = match hcl_edit::parser::parse_body(text) {
        Ok(body) => body,
        Err(err) => {
            let loc = err.location();
            found.error(
                Location {
                    file: file.to_path_buf(),
                    line: loc.line(),
                    column: loc.column(),
                },
                format!("invalid HCL: {}", err.message()),
            );
            return;
        }
    };
    let lines = dockwright_syntax::LineIndex::new(text.as_bytes());
    let shared: std::sync::Arc<str> = std::sync::Arc::from(text);
    let attr_of = |key: &str, value: &EditExpression| -> Attr {
        let span = value.span().unwrap_or(0..0);
        let raw = text
            .get(span.clone())
            .unwrap_or_default()
            .trim()
            .to_string();
        let inline = (key == "dockerfile-inline").then(|| InlineSource {
            file: file.to_path_buf(),
            text: shared.clone(),
            pieces: template_pieces(text, value),
            start: span.start,
            end: span.end,
        });
        Attr {
            expr: value.clone().into(),
            raw,
            location: location(file, text, &lines, span.start),
            inline,
        }
    };
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                // Top-level attributes are variables too.
                let name = attr.key.as_str().to_string();
                bake.variables
                    .push((name.clone(), Some(attr_of(&name, &attr.value))));
            }
            Structure::Block(block) => {
                let label = block.labels.first().map(|l| l.as_str().to_string());
                let attrs: BTreeMap<String, Attr> = block
                    .body
                    .attributes()
                    .map(|a| {
                        (
                            a.key.as_str().to_string(),
                            attr_of(a.key.as_str(), &a.value),
                        )
                    })
                    .collect();
                let origin = location(file, text, &lines, block.span().map_or(0, |s| s.start));
                let Some(label) = label else {
                    continue;
                };
                match block.ident.as_str() {
                    "variable" => bake.variables.push((label, attrs.get("default").cloned())),
                    "target" => bake.targets.push(TargetBlock {
                        name: label,
                        origin,
                        attrs,
                    }),
                    "group" => {
                        if let Some(targets) = attrs.get("targets") {
                            bake.groups.entry(label).or_default().push(targets.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The pieces of a plain string or template expression with their source map.
fn template_pieces(text: &str, value: &EditExpression) -> Option<Vec<Piece>> {
    match value {
        EditExpression::String(s) => {
            let span = s.span()?;
            let map = decode_literal(
                text,
                span.start + 1,
                span.end.saturating_sub(1),
                true,
                None,
                s.value(),
            )?;
            Some(vec![Piece::Literal(map)])
        }
        EditExpression::StringTemplate(t) => elements(text, t.iter(), true, None),
        EditExpression::HeredocTemplate(h) => elements(text, h.template.iter(), false, h.indent()),
        _ => None,
    }
}

fn elements<'e>(
    text: &str,
    elements: impl Iterator<Item = &'e Element>,
    quoted: bool,
    indent: Option<usize>,
) -> Option<Vec<Piece>> {
    let mut out = Vec::new();
    for element in elements {
        match element {
            Element::Literal(lit) => {
                let span = lit.span()?;
                let map = decode_literal(text, span.start, span.end, quoted, indent, lit.value())
                    .unwrap_or_else(|| align(text, span.start, span.end, lit.value()));
                out.push(Piece::Literal(map));
            }
            Element::Interpolation(interp) => {
                let start = interp.span()?.start;
                out.push(Piece::Interpolation(interp.expr.clone().into(), start));
            }
            Element::Directive(_) => return None,
        }
    }
    Some(out)
}

/// Decodes the source of a template literal (escapes in quoted strings, `$${`/`%%{` in both,
/// the indentation `<<-` heredocs strip); `None` if the result is not `expected`.
fn decode_literal(
    text: &str,
    start: usize,
    end: usize,
    quoted: bool,
    indent: Option<usize>,
    expected: &str,
) -> Option<TextMap> {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    let mut map = TextMap::default();
    let mut p = start;
    let mut at_line_start = !quoted && (start == 0 || bytes.get(start - 1) == Some(&b'\n'));
    while p < end {
        if at_line_start {
            at_line_start = false;
            let mut stripped = 0;
            while stripped < indent.unwrap_or(0) && p < end && matches!(bytes[p], b' ' | b'\t') {
                p += 1;
                stripped += 1;
            }
            continue;
        }
        let rest = &text[p..end];
        if rest.starts_with("$${") || rest.starts_with("%%{") {
            map.copy(text, p + 1, p + 3);
            p += 3;
            continue;
        }
        if quoted && bytes[p] == b'\\' {
            let (decoded, len) = hcl_escape(text, p)?;
            let mut buf = [0u8; 4];
            map.decoded(text, decoded.encode_utf8(&mut buf), p);
            p += len;
            continue;
        }
        let len = text[p..].chars().next().map_or(1, char::len_utf8);
        map.copy(text, p, p + len);
        if bytes[p] == b'\n' {
            at_line_start = true;
        }
        p += len;
    }
    (map.text == expected).then_some(map)
}

fn hcl_escape(text: &str, p: usize) -> Option<(char, usize)> {
    let c = *text.as_bytes().get(p + 1)?;
    let simple = match c {
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Some((ch, 2));
    }
    let digits = match c {
        b'u' => 4,
        b'U' => 8,
        _ => return None,
    };
    let hex = text.get(p + 2..p + 2 + digits)?;
    let code = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(code)?, 2 + digits))
}

fn read_json(file: &Path, text: &str, bake: &mut BakeFiles, found: &mut Found) {
    let Some(yaml) = parse_yaml(file, text, found) else {
        return;
    };
    let shared: std::sync::Arc<str> = std::sync::Arc::from(text);
    let loc = |node: &Node<'_, '_>| {
        let p = node.position();
        Location {
            file: file.to_path_buf(),
            line: p.line,
            column: p.column,
        }
    };
    let attr_of = |key: &str, node: &Node<'_, '_>| -> Attr {
        let inline = (key == "dockerfile-inline").then(|| {
            let data = node.data();
            let pieces = node.scalar().map(|(value, style)| {
                vec![Piece::Literal(map_yaml_scalar(
                    text, data.start, data.end, style, value,
                ))]
            });
            InlineSource {
                file: file.to_path_buf(),
                text: shared.clone(),
                pieces,
                start: data.start,
                end: data.end,
            }
        });
        Attr {
            expr: json_expression(node, 0),
            raw: node.as_str().unwrap_or_default().to_string(),
            location: loc(node),
            inline,
        }
    };
    let Some(root) = yaml.roots().next() else {
        return;
    };
    for (key, var) in root
        .get("variable")
        .map(|v| v.entries())
        .unwrap_or_default()
    {
        if let Some(name) = key.as_str() {
            bake.variables.push((
                name.to_string(),
                var.get("default").map(|d| attr_of("default", &d)),
            ));
        }
    }
    for (key, group) in root.get("group").map(|v| v.entries()).unwrap_or_default() {
        if let (Some(name), Some(targets)) = (key.as_str(), group.get("targets")) {
            bake.groups
                .entry(name.to_string())
                .or_default()
                .push(attr_of("targets", &targets));
        }
    }
    for (key, target) in root.get("target").map(|v| v.entries()).unwrap_or_default() {
        let Some(name) = key.as_str() else {
            continue;
        };
        let attrs = target
            .entries()
            .into_iter()
            .filter_map(|(k, v)| {
                let k = k.as_str()?;
                Some((k.to_string(), attr_of(k, &v)))
            })
            .collect();
        bake.targets.push(TargetBlock {
            name: name.to_string(),
            origin: loc(&key),
            attrs,
        });
    }
}

/// A JSON value as an HCL expression: strings are templates (`${VAR}` is interpolated in
/// bake JSON too).
fn json_expression(node: &Node<'_, '_>, depth: usize) -> hcl::Expression {
    if depth > MAX_DEPTH {
        return hcl::Expression::Null;
    }
    if node.is_mapping() {
        let object: hcl::Object<hcl::ObjectKey, hcl::Expression> = node
            .entries()
            .into_iter()
            .filter_map(|(k, v)| {
                Some((
                    hcl::ObjectKey::from(k.as_str()?.to_string()),
                    json_expression(&v, depth + 1),
                ))
            })
            .collect();
        return hcl::Expression::Object(object);
    }
    let items = node.items();
    if !items.is_empty() {
        return hcl::Expression::Array(
            items
                .iter()
                .map(|i| json_expression(i, depth + 1))
                .collect(),
        );
    }
    match node.scalar() {
        Some((value, saphyr_parser::ScalarStyle::Plain)) if node.is_null() => {
            let _ = value;
            hcl::Expression::Null
        }
        Some((value, saphyr_parser::ScalarStyle::Plain)) => match value {
            "true" => hcl::Expression::Bool(true),
            "false" => hcl::Expression::Bool(false),
            _ => match value.parse::<i64>() {
                Ok(n) => hcl::Expression::Number(n.into()),
                Err(_) => template(value),
            },
        },
        Some((value, _)) => template(value),
        None => hcl::Expression::Array(Vec::new()),
    }
}

fn template(value: &str) -> hcl::Expression {
    hcl::Expression::TemplateExpr(Box::new(hcl::TemplateExpr::QuotedString(value.to_string())))
}

// --- evaluation ----------------------------------------------------------------------------

/// The evaluation context: variables (explicit values first, then defaults, in dependency
/// order) and bake's common string functions.
fn variables(bake: &BakeFiles, env: &Variables, found: &mut Found) -> Context<'static> {
    let mut ctx = Context::new();
    declare_functions(&mut ctx);
    ctx.declare_var("BAKE_CMD_CONTEXT", ".");
    let mut pending: Vec<&(String, Option<Attr>)> = Vec::new();
    // A later definition of the same variable (an override file) wins.
    let mut latest: BTreeMap<&str, &(String, Option<Attr>)> = BTreeMap::new();
    for var in &bake.variables {
        latest.insert(var.0.as_str(), var);
    }
    for (name, var) in &latest {
        match env.get(*name) {
            Some(value) => ctx.declare_var(name.to_string(), value.as_str()),
            None => pending.push(var),
        }
    }
    // Defaults may use other variables: evaluate in passes until nothing more resolves.
    loop {
        let before = pending.len();
        pending.retain(|(name, default)| match default {
            None => {
                ctx.declare_var(name.clone(), "");
                false
            }
            Some(attr) => match attr.expr.evaluate(&ctx) {
                Ok(value) => {
                    ctx.declare_var(name.clone(), value);
                    false
                }
                Err(_) => true,
            },
        });
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    for (name, default) in pending {
        if let Some(attr) = default {
            found.warn(
                attr.location.clone(),
                format!("default of variable {name} cannot be evaluated; it is left unset"),
            );
        }
    }
    ctx
}

fn declare_functions(ctx: &mut Context<'static>) {
    fn string_arg(args: &FuncArgs, i: usize) -> String {
        args.get(i)
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or_default()
    }
    fn lower(args: FuncArgs) -> Result<Value, String> {
        Ok(Value::from(string_arg(&args, 0).to_lowercase()))
    }
    fn upper(args: FuncArgs) -> Result<Value, String> {
        Ok(Value::from(string_arg(&args, 0).to_uppercase()))
    }
    fn join(args: FuncArgs) -> Result<Value, String> {
        let sep = string_arg(&args, 0);
        let parts: Vec<String> = args
            .get(1)
            .and_then(Value::as_array)
            .map(|a| a.iter().map(value_string).collect())
            .unwrap_or_default();
        Ok(Value::from(parts.join(&sep)))
    }
    fn split(args: FuncArgs) -> Result<Value, String> {
        let sep = string_arg(&args, 0);
        let s = string_arg(&args, 1);
        if sep.is_empty() {
            return Ok(Value::Array(vec![Value::from(s)]));
        }
        Ok(Value::Array(
            s.split(sep.as_str()).map(Value::from).collect(),
        ))
    }
    fn replace(args: FuncArgs) -> Result<Value, String> {
        let (s, from, to) = (
            string_arg(&args, 0),
            string_arg(&args, 1),
            string_arg(&args, 2),
        );
        if from.is_empty() {
            return Ok(Value::from(s));
        }
        Ok(Value::from(s.replace(&from, &to)))
    }
    fn trimprefix(args: FuncArgs) -> Result<Value, String> {
        let (s, p) = (string_arg(&args, 0), string_arg(&args, 1));
        Ok(Value::from(s.strip_prefix(&p).unwrap_or(&s).to_string()))
    }
    fn trimsuffix(args: FuncArgs) -> Result<Value, String> {
        let (s, p) = (string_arg(&args, 0), string_arg(&args, 1));
        Ok(Value::from(s.strip_suffix(&p).unwrap_or(&s).to_string()))
    }
    fn equal(args: FuncArgs) -> Result<Value, String> {
        Ok(Value::Bool(args.first() == args.get(1)))
    }
    fn notequal(args: FuncArgs) -> Result<Value, String> {
        Ok(Value::Bool(args.first() != args.get(1)))
    }
    fn coalesce(args: FuncArgs) -> Result<Value, String> {
        Ok(args
            .iter()
            .find(|v| !v.is_null() && v.as_str() != Some(""))
            .cloned()
            .unwrap_or(Value::Null))
    }
    let s = || ParamType::String;
    ctx.declare_func("lower", FuncDef::new(lower, [s()]));
    ctx.declare_func("upper", FuncDef::new(upper, [s()]));
    ctx.declare_func(
        "join",
        FuncDef::new(join, [s(), ParamType::array_of(ParamType::Any)]),
    );
    ctx.declare_func("split", FuncDef::new(split, [s(), s()]));
    ctx.declare_func("replace", FuncDef::new(replace, [s(), s(), s()]));
    ctx.declare_func("trimprefix", FuncDef::new(trimprefix, [s(), s()]));
    ctx.declare_func("trimsuffix", FuncDef::new(trimsuffix, [s(), s()]));
    ctx.declare_func(
        "equal",
        FuncDef::new(equal, [ParamType::Any, ParamType::Any]),
    );
    ctx.declare_func(
        "notequal",
        FuncDef::new(notequal, [ParamType::Any, ParamType::Any]),
    );
    ctx.declare_func(
        "coalesce",
        FuncDef::builder()
            .variadic_param(ParamType::Any)
            .build(coalesce),
    );
}

/// A value as a string the way bake renders it into a build option.
fn value_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

/// Evaluates an attribute, or reports it and falls back to its text.
fn eval(attr: &Attr, ctx: &Context<'_>, found: &mut Found) -> Value {
    match attr.expr.evaluate(ctx) {
        Ok(value) => value,
        Err(err) => {
            let first = err.to_string();
            let first = first.lines().next().unwrap_or_default();
            found.warn(
                attr.location.clone(),
                format!("expression cannot be evaluated ({first}); it is kept as written"),
            );
            Value::from(attr.raw.clone())
        }
    }
}

fn string_list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(cache_entry).collect(),
        Value::Null => Vec::new(),
        other => vec![value_string(other)],
    }
}

/// A cache entry: a string, or an object (`{type = "registry", ref = "…"}`) rendered in the
/// CSV form of `--cache-from`.
fn cache_entry(value: &Value) -> String {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", value_string(v)))
            .collect::<Vec<_>>()
            .join(","),
        other => value_string(other),
    }
}

fn string_map(value: &Value) -> Vec<(String, Option<String>)> {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), (!v.is_null()).then(|| value_string(v))))
            .collect(),
        _ => Vec::new(),
    }
}

fn evaluate_target(block: &TargetBlock, ctx: &Context<'_>, found: &mut Found) -> Evaluated {
    let mut out = Evaluated::default();
    let string = |key: &str, found: &mut Found| {
        block
            .attrs
            .get(key)
            .map(|a| eval(a, ctx, found))
            .filter(|v| !v.is_null())
            .map(|v| value_string(&v))
    };
    out.context = string("context", found);
    out.dockerfile = string("dockerfile", found);
    out.target = string("target", found);
    if let Some(attr) = block.attrs.get("dockerfile-inline") {
        let value = eval(attr, ctx, found);
        if !value.is_null() {
            out.inline = attr
                .inline
                .as_ref()
                .map(|source| inline_dockerfile(source, &value_string(&value), ctx));
        }
    }
    let value = |key: &str, found: &mut Found| block.attrs.get(key).map(|a| eval(a, ctx, found));
    out.args = value("args", found).map(|v| string_map(&v));
    out.platforms = value("platforms", found).map(|v| string_list(&v));
    out.cache_from = value("cache-from", found).map(|v| string_list(&v));
    out.tags = value("tags", found).map(|v| string_list(&v));
    out.contexts = value("contexts", found).map(|v| {
        string_map(&v)
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .collect()
    });
    out.inherits = value("inherits", found)
        .map(|v| string_list(&v))
        .unwrap_or_default();
    out
}

/// The inline Dockerfile `value` with its map: literal pieces keep their exact map,
/// interpolations map to where they start; if the pieces do not add up to `value` (a
/// directive, an expression evaluated differently) it is aligned with the source instead.
fn inline_dockerfile(source: &InlineSource, value: &str, ctx: &Context<'_>) -> InlineDockerfile {
    let text = &*source.text;
    let mut map = TextMap::default();
    let mut exact = source.pieces.is_some();
    for piece in source.pieces.iter().flatten() {
        match piece {
            Piece::Literal(m) => map.append(m),
            Piece::Interpolation(expr, at) => match expr.evaluate(ctx) {
                Ok(v) => map.synthetic(&value_string(&v), *at),
                Err(_) => exact = false,
            },
        }
    }
    if !exact || map.text != value {
        map = align(text, source.start, source.end, value);
    }
    let lines = dockwright_syntax::LineIndex::new(text.as_bytes());
    map.finish(source.file.clone(), text, &lines, source.start)
}

/// The names (and matrix values) a target block expands to.
fn expand_matrix(
    block: &TargetBlock,
    ctx: &Context<'_>,
    found: &mut Found,
) -> Vec<(String, BTreeMap<String, String>)> {
    let Some(matrix) = block.attrs.get("matrix") else {
        return vec![(block.name.clone(), BTreeMap::new())];
    };
    let Value::Object(axes) = eval(matrix, ctx, found) else {
        found.warn(
            matrix.location.clone(),
            "matrix is not an object; not expanded",
        );
        return vec![(block.name.clone(), BTreeMap::new())];
    };
    let mut combos = vec![BTreeMap::new()];
    for (key, values) in &axes {
        let values = string_list(values);
        let mut next = Vec::new();
        for combo in &combos {
            for v in &values {
                let mut c: BTreeMap<String, String> = combo.clone();
                c.insert(key.clone(), v.clone());
                next.push(c);
            }
        }
        next.truncate(MAX_COMBINATIONS);
        combos = next;
    }
    combos
        .into_iter()
        .map(|combo| {
            let mut scope = ctx.clone();
            for (k, v) in &combo {
                scope.declare_var(k.as_str(), v.as_str());
            }
            let name = block
                .attrs
                .get("name")
                .and_then(|a| a.expr.evaluate(&scope).ok())
                .map(|v| value_string(&v))
                .unwrap_or_else(|| {
                    let values: Vec<&str> = combo.values().map(String::as_str).collect();
                    format!("{}-{}", block.name, values.join("-"))
                });
            (name, combo)
        })
        .collect()
}

/// Each group's targets, nested groups expanded.
fn group_members(
    bake: &BakeFiles,
    ctx: &Context<'_>,
    found: &mut Found,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut direct: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, defs) in &bake.groups {
        // The last definition of a group wins.
        if let Some(attr) = defs.last() {
            direct.insert(name.clone(), string_list(&eval(attr, ctx, found)));
        }
    }
    fn expand(
        name: &str,
        direct: &BTreeMap<String, Vec<String>>,
        out: &mut BTreeSet<String>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        for member in direct.get(name).into_iter().flatten() {
            if direct.contains_key(member) && member != name {
                expand(member, direct, out, depth + 1);
            } else {
                out.insert(member.clone());
            }
        }
    }
    direct
        .keys()
        .map(|g| {
            let mut members = BTreeSet::new();
            expand(g, &direct, &mut members, 0);
            (g.clone(), members)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use dockwright_syntax::Position;

    fn run(files: &[(&str, &str)], env: &[(&str, &str)]) -> Found {
        let tmp = tempfile::tempdir().unwrap();
        let mut names = Vec::new();
        for (name, text) in files {
            std::fs::write(tmp.path().join(name), text).unwrap();
            if name.starts_with("docker-bake") {
                names.push(PathBuf::from(name));
            }
        }
        let tree = Tree::new(tmp.path());
        let mut found = Found::default();
        let env: Variables = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        discover(&tree, Path::new("."), &names, &env, &mut found);
        found
    }

    #[test]
    fn targets_groups_variables_inherits() {
        let hcl = r#"
variable "TAG" { default = "latest" }
variable "REPO" { default = "reg/${lower("APP")}" }
group "default" { targets = ["app", "all"] }
group "all" { targets = ["worker"] }
target "_common" {
  args = { BASE = "alpine", X = null }
  platforms = ["linux/amd64"]
}
target "app" {
  inherits = ["_common"]
  context = "app"
  dockerfile = "Dockerfile.prod"
  target = "runtime"
  args = { VERSION = "${TAG}" }
  tags = ["${REPO}:${TAG}"]
  cache-from = [{ type = "registry", ref = "reg/app:cache" }]
  contexts = { src = "../src" }
}
target "worker" {
  context = "."
  dockerfile-inline = <<-EOT
    FROM ${REPO}:base
    RUN echo $${HOME}
    EOT
}
"#;
        let found = run(
            &[("docker-bake.hcl", hcl), ("Dockerfile", "FROM x\n")],
            &[("TAG", "1.0")],
        );
        assert!(found.problems.is_empty(), "{:?}", found.problems);
        let names: Vec<_> = found
            .builds
            .iter()
            .map(|b| b.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["app", "worker"]);
        let app = &found.builds[0];
        assert_eq!(
            app.dockerfile.path(),
            Some(Path::new("app/Dockerfile.prod"))
        );
        assert_eq!(app.target.as_deref(), Some("runtime"));
        assert_eq!(app.arg("BASE"), Some("alpine"));
        assert_eq!(app.arg("VERSION"), Some("1.0"));
        assert!(app.args.iter().any(|a| a.name == "X" && a.value.is_none()));
        assert_eq!(app.platforms, ["linux/amd64"]);
        assert_eq!(app.tags, ["reg/app:1.0"]);
        assert_eq!(app.cache_from, ["type=registry,ref=reg/app:cache"]);
        assert_eq!(app.additional_contexts[0].name, "src");
        assert_eq!(app.groups, ["default"]);
        assert_eq!(app.origin.line, 10);
        let worker = &found.builds[1];
        assert_eq!(worker.groups, ["all", "default"]);
        let inline = worker.dockerfile.inline().unwrap();
        assert_eq!(inline.text, "FROM reg/app:base\nRUN echo ${HOME}\n");
        let run = inline.text.find("RUN").unwrap();
        assert_eq!(
            inline.position(run),
            Position {
                line: 24,
                column: 5
            }
        );
        // The interpolated image maps to its `${`.
        assert_eq!(
            inline.position(5),
            Position {
                line: 23,
                column: 10
            }
        );
        let home = inline.text.find("${HOME}").unwrap();
        assert_eq!(
            inline.position(home + 2),
            Position {
                line: 24,
                column: 17
            }
        );
    }

    #[test]
    fn override_file_and_matrix() {
        let base = "target \"app\" {\n  context = \".\"\n  args = { A = \"1\" }\n}\ntarget \"svc\" {\n  name = \"svc-${s}\"\n  matrix = { s = [\"a\", \"b\"] }\n  dockerfile = \"${s}/Dockerfile\"\n  dockerfile-inline = \"FROM x\\nRUN \\\"y\\\"\"\n}\n";
        let over = "target \"app\" {\n  args = { B = \"2\" }\n  target = \"dev\"\n}\n";
        let found = run(
            &[
                ("docker-bake.hcl", base),
                ("docker-bake.override.hcl", over),
            ],
            &[],
        );
        let names: Vec<_> = found
            .builds
            .iter()
            .map(|b| b.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["app", "svc-a", "svc-b"]);
        let app = &found.builds[0];
        assert_eq!((app.arg("A"), app.arg("B")), (Some("1"), Some("2")));
        assert_eq!(app.target.as_deref(), Some("dev"));
        let svc = &found.builds[1];
        assert_eq!(svc.matrix.get("s").map(String::as_str), Some("a"));
        let inline = svc.dockerfile.inline().unwrap();
        assert_eq!(inline.text, "FROM x\nRUN \"y\"");
        assert_eq!(
            inline.position(inline.text.find("RUN").unwrap()),
            Position {
                line: 9,
                column: 32
            }
        );
    }

    #[test]
    fn json_bake_and_errors() {
        let json = "{\n  \"variable\": {\"TAG\": {\"default\": \"v1\"}},\n  \"target\": {\n    \"api\": {\"context\": \"api\", \"tags\": [\"api:${TAG}\"], \"args\": {\"N\": 3}}\n  }\n}\n";
        let found = run(
            &[
                ("docker-bake.json", json),
                ("docker-bake.hcl", "target \"x\" {\n  context = [\n"),
            ],
            &[],
        );
        assert_eq!(found.builds.len(), 1, "{found:?}");
        let api = &found.builds[0];
        assert_eq!(api.tags, ["api:v1"]);
        assert_eq!(api.arg("N"), Some("3"));
        assert_eq!(api.origin.line, 4);
        assert_eq!(found.problems.len(), 1);
        assert_eq!(
            found.problems[0].location.file,
            PathBuf::from("docker-bake.hcl")
        );
        assert!(found.problems[0].message.starts_with("invalid HCL"));
    }

    #[test]
    fn unevaluable_expressions_are_kept_and_reported() {
        let found = run(
            &[(
                "docker-bake.hcl",
                "target \"a\" {\n  tags = [\"x:${timestamp()}\"]\n}\n",
            )],
            &[],
        );
        assert_eq!(found.builds.len(), 1);
        assert_eq!(found.builds[0].tags, ["[\"x:${timestamp()}\"]"]);
        assert_eq!(found.problems.len(), 1);
        assert_eq!(found.problems[0].location.line, 2);
    }
}
