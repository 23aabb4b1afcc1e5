//! Findings about the final image: caches and package lists left behind, docs, `.git`
//! directories, build tools, setuid files, world-writable directories, private keys, and the
//! image config (user, health check, secrets in `Env`, exposed ports).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::layer::{EntryInfo, EntryKind, LayerTree};
use crate::merge::Provider;
use crate::paths::{PathId, PathTable, ROOT};
use crate::spec::ImageConfig;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Bytes in the final image.
    Size,
    /// Security.
    Security,
    /// How the container runs.
    Config,
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Should be fixed.
    Warning,
    /// Must be fixed.
    Error,
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable code (`DWI001`).
    pub code: &'static str,
    /// Stable kebab-case name.
    pub name: &'static str,
    /// Category.
    pub category: Category,
    /// Severity.
    pub severity: Severity,
    /// What was found and what to do.
    pub message: String,
    /// Bytes at stake in the final image (0 for config findings).
    pub bytes: u64,
    /// Files involved.
    pub files: u64,
    /// Up to 10 of the paths (or config keys).
    pub paths: Vec<String>,
    /// How many paths in all.
    pub path_count: u64,
    /// The layer that added most of the bytes (index, bottom = 0).
    pub layer: Option<u32>,
    /// That layer's `created_by`.
    pub created_by: Option<String>,
}

struct Rule {
    code: &'static str,
    name: &'static str,
    category: Category,
    severity: Severity,
    what: &'static str,
    fix: &'static str,
}

const APT_LISTS: Rule = Rule {
    code: "DWI001",
    name: "apt-lists-left",
    category: Category::Size,
    severity: Severity::Warning,
    what: "apt package lists left in the image",
    fix: "run `rm -rf /var/lib/apt/lists/*` in the same RUN as `apt-get install`",
};
const APT_CACHE: Rule = Rule {
    code: "DWI002",
    name: "apt-cache-left",
    category: Category::Size,
    severity: Severity::Warning,
    what: "apt package cache (downloaded .deb files, pkgcache.bin) left in the image",
    fix: "run `apt-get clean` in the same RUN, or use a cache mount for /var/cache/apt",
};
const APK_CACHE: Rule = Rule {
    code: "DWI003",
    name: "apk-cache-left",
    category: Category::Size,
    severity: Severity::Warning,
    what: "apk cache left in the image",
    fix: "use `apk add --no-cache`",
};
const DNF_CACHE: Rule = Rule {
    code: "DWI004",
    name: "dnf-yum-cache-left",
    category: Category::Size,
    severity: Severity::Warning,
    what: "dnf/yum cache left in the image",
    fix: "run `dnf clean all` (or `yum clean all`) in the same RUN",
};
const PIP_CACHE: Rule = Rule {
    code: "DWI005",
    name: "pip-cache-left",
    category: Category::Size,
    severity: Severity::Warning,
    what: "pip cache left in the image",
    fix: "use `pip install --no-cache-dir`, or a cache mount for ~/.cache/pip",
};
const NPM_CACHE: Rule = Rule {
    code: "DWI006",
    name: "npm-yarn-cache-left",
    category: Category::Size,
    severity: Severity::Warning,
    what: "npm/yarn cache left in the image",
    fix: "run `npm cache clean --force` / `yarn cache clean` in the same RUN, or use a cache mount",
};
const GO_CACHE: Rule = Rule {
    code: "DWI007",
    name: "go-cache-left",
    category: Category::Size,
    severity: Severity::Warning,
    what: "Go build or module cache left in the image",
    fix: "build in a builder stage and copy only the binary, or use cache mounts",
};
const CARGO_CACHE: Rule = Rule {
    code: "DWI008",
    name: "cargo-registry-left",
    category: Category::Size,
    severity: Severity::Warning,
    what: "Cargo registry or git checkouts left in the image",
    fix: "build in a builder stage and copy only the binary, or use cache mounts",
};
const DOCS: Rule = Rule {
    code: "DWI009",
    name: "docs-and-man-pages",
    category: Category::Size,
    severity: Severity::Info,
    what: "documentation and man pages",
    fix: "exclude them (dpkg `path-exclude` for /usr/share/doc and /usr/share/man) or delete them in the installing RUN",
};
const GIT_DIR: Rule = Rule {
    code: "DWI010",
    name: "git-directory",
    category: Category::Size,
    severity: Severity::Warning,
    what: "`.git` directories (history, and possibly secrets, shipped in the image)",
    fix: "add `.git` to .dockerignore, or copy only what the build needs",
};
const BUILD_TOOLS: Rule = Rule {
    code: "DWI011",
    name: "build-tools-in-final-image",
    category: Category::Size,
    severity: Severity::Warning,
    what: "compilers, build systems and headers in the final image",
    fix: "build in a builder stage and copy the artifacts into a runtime-only stage",
};
const SETUID: Rule = Rule {
    code: "DWI101",
    name: "setuid-setgid-file",
    category: Category::Security,
    severity: Severity::Info,
    what: "setuid/setgid files",
    fix: "remove the bits where not needed: `chmod a-s FILE` (dockle CIS-DI-0008)",
};
const WORLD_WRITABLE: Rule = Rule {
    code: "DWI102",
    name: "world-writable-directory",
    category: Category::Security,
    severity: Severity::Warning,
    what: "world-writable directories without the sticky bit",
    fix: "`chmod o-w DIR`, or add the sticky bit (`chmod +t`) for shared scratch directories",
};
const PRIVATE_KEY: Rule = Rule {
    code: "DWI103",
    name: "private-key-or-credentials",
    category: Category::Security,
    severity: Severity::Error,
    what: "private keys or credential files",
    fix: "never COPY them in; use build secrets (`RUN --mount=type=secret`) and rotate the exposed ones",
};
const USER_ROOT: Rule = Rule {
    code: "DWI201",
    name: "runs-as-root",
    category: Category::Config,
    severity: Severity::Warning,
    what: "the container runs as root",
    fix: "add a non-root user and `USER` it (dockle CIS-DI-0001)",
};
const NO_HEALTHCHECK: Rule = Rule {
    code: "DWI202",
    name: "no-healthcheck",
    category: Category::Config,
    severity: Severity::Info,
    what: "no HEALTHCHECK",
    fix: "add a HEALTHCHECK so orchestrators can tell a hung container (dockle CIS-DI-0006)",
};
const SECRET_ENV: Rule = Rule {
    code: "DWI203",
    name: "secret-in-env",
    category: Category::Security,
    severity: Severity::Error,
    what: "secrets in the image's Env (anyone who pulls the image can read them)",
    fix: "pass secrets at run time or through build secrets, never through ENV/ARG",
};
const EXPOSED: Rule = Rule {
    code: "DWI204",
    name: "exposed-ports",
    category: Category::Config,
    severity: Severity::Info,
    what: "exposed ports",
    fix: "check each port is needed; prefer unprivileged ports (≥ 1024)",
};

/// Every finding this module can report: (code, name, category, severity, what).
pub fn catalog() -> Vec<(&'static str, &'static str, Category, Severity, &'static str)> {
    [
        &APT_LISTS,
        &APT_CACHE,
        &APK_CACHE,
        &DNF_CACHE,
        &PIP_CACHE,
        &NPM_CACHE,
        &GO_CACHE,
        &CARGO_CACHE,
        &DOCS,
        &GIT_DIR,
        &BUILD_TOOLS,
        &SETUID,
        &WORLD_WRITABLE,
        &PRIVATE_KEY,
        &USER_ROOT,
        &NO_HEALTHCHECK,
        &SECRET_ENV,
        &EXPOSED,
    ]
    .iter()
    .map(|r| (r.code, r.name, r.category, r.severity, r.what))
    .collect()
}

/// Directories whose whole content is a finding, matched on the path's last components
/// (`None` = the path must match from the root).
fn directory_rule(comps: &[&[u8]]) -> Option<&'static Rule> {
    let ends = |suffix: &[&[u8]]| comps.ends_with(suffix);
    let is = |full: &[&[u8]]| comps == full;
    if is(&[b"var", b"lib", b"apt", b"lists"]) {
        return Some(&APT_LISTS);
    }
    if is(&[b"var", b"cache", b"apt"]) {
        return Some(&APT_CACHE);
    }
    if is(&[b"var", b"cache", b"apk"]) || is(&[b"etc", b"apk", b"cache"]) {
        return Some(&APK_CACHE);
    }
    if is(&[b"var", b"cache", b"dnf"]) || is(&[b"var", b"cache", b"yum"]) {
        return Some(&DNF_CACHE);
    }
    if ends(&[b".cache", b"pip"]) {
        return Some(&PIP_CACHE);
    }
    if ends(&[b".npm"]) || ends(&[b".cache", b"yarn"]) || ends(&[b".yarn-cache"]) {
        return Some(&NPM_CACHE);
    }
    if ends(&[b".cache", b"go-build"]) || ends(&[b"go", b"pkg", b"mod"]) {
        return Some(&GO_CACHE);
    }
    if ends(&[b".cargo", b"registry"]) || ends(&[b".cargo", b"git"]) {
        return Some(&CARGO_CACHE);
    }
    if is(&[b"usr", b"share", b"doc"])
        || is(&[b"usr", b"share", b"man"])
        || is(&[b"usr", b"share", b"info"])
    {
        return Some(&DOCS);
    }
    if ends(&[b".git"]) {
        return Some(&GIT_DIR);
    }
    if is(&[b"usr", b"lib", b"gcc"])
        || is(&[b"usr", b"libexec", b"gcc"])
        || is(&[b"usr", b"include"])
        || is(&[b"usr", b"local", b"include"])
        || is(&[b"usr", b"lib", b"llvm"])
    {
        return Some(&BUILD_TOOLS);
    }
    None
}

fn is_build_tool(comps: &[&[u8]]) -> bool {
    let [.., dir, name] = comps else { return false };
    if *dir != b"bin" {
        return false;
    }
    let name = String::from_utf8_lossy(name);
    // `gcc-12`, `x86_64-linux-gnu-gcc-12`: drop version suffixes, keep the last word.
    let mut parts: Vec<&str> = name.split('-').collect();
    while parts.len() > 1
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit() || c == '.'))
    {
        parts.pop();
    }
    let prog = parts.last().copied().unwrap_or_default();
    matches!(
        prog,
        "gcc"
            | "g++"
            | "cc"
            | "c++"
            | "clang"
            | "clang++"
            | "make"
            | "cmake"
            | "gfortran"
            | "rustc"
            | "cargo"
            | "ninja"
    )
}

fn is_private_key(comps: &[&[u8]]) -> bool {
    let Some(name) = comps.last() else {
        return false;
    };
    let name = String::from_utf8_lossy(name);
    let under = |prefix: &[&[u8]]| comps.starts_with(prefix);
    if under(&[b"usr", b"share"]) || under(&[b"etc", b"ssl", b"certs"]) || under(&[b"usr", b"lib"])
    {
        return false;
    }
    let parent_is =
        |d: &[u8]| comps.len() >= 2 && comps.get(comps.len() - 2).is_some_and(|p| *p == d);
    matches!(
        name.as_ref(),
        "id_rsa"
            | "id_dsa"
            | "id_ecdsa"
            | "id_ed25519"
            | ".netrc"
            | ".git-credentials"
            | ".pypirc"
            | ".npmrc"
            | "credentials.json"
            | ".env"
    ) || (name == "credentials" && parent_is(b".aws"))
        || (name == "config.json" && parent_is(b".docker"))
        || (name.ends_with(".key") && !parent_is(b"trusted.gpg.d") && !under(&[b"etc", b"apt"]))
        || name.ends_with(".p12")
        || name.ends_with(".pfx")
        || (name.starts_with("ssh_host_") && name.ends_with("_key"))
}

#[derive(Default)]
struct Acc {
    bytes: u64,
    files: u64,
    paths: Vec<(u64, String)>,
    path_count: u64,
    by_layer: BTreeMap<u32, u64>,
}

impl Acc {
    fn add_path(&mut self, path: String, bytes: u64) {
        self.path_count += 1;
        self.paths.push((bytes, path));
        if self.paths.len() > 64 {
            self.paths
                .sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            self.paths.truncate(10);
        }
    }
}

/// The final tree as the findings see it.
pub struct FinalTree<'a> {
    /// Paths.
    pub table: &'a PathTable,
    /// Layers.
    pub layers: &'a [&'a LayerTree],
    /// Which layer provides each path.
    pub tree: &'a [Option<Provider>],
}

impl FinalTree<'_> {
    /// The metadata of a path in the final tree (`None` for absent or implied directories).
    pub fn info(&self, id: PathId) -> Option<&EntryInfo> {
        let p = self.tree.get(id as usize).copied().flatten()?;
        self.layers
            .get(p.layer as usize)?
            .nodes
            .get(p.node as usize)
            .map(|n| &n.info)
    }

    /// The provider of a path.
    pub fn provider(&self, id: PathId) -> Option<Provider> {
        self.tree.get(id as usize).copied().flatten()
    }

    /// Visits every present path depth first with its components.
    pub fn walk(&self, mut visit: impl FnMut(PathId, &[&[u8]]) -> bool) {
        let mut comps: Vec<&[u8]> = Vec::new();
        // (path, depth)
        let mut stack: Vec<(PathId, usize)> = self.table.children(ROOT).map(|c| (c, 0)).collect();
        while let Some((id, depth)) = stack.pop() {
            if self.provider(id).is_none() {
                continue;
            }
            comps.truncate(depth);
            comps.push(self.table.name(id));
            if visit(id, &comps) {
                stack.extend(self.table.children(id).map(|c| (c, depth + 1)));
            }
        }
    }

    /// Σ of the file bytes below (and at) `id`, the files counted, and bytes per layer.
    fn subtree(&self, id: PathId, acc: &mut Acc) {
        let mut stack = vec![id];
        while let Some(p) = stack.pop() {
            let Some(prov) = self.provider(p) else {
                continue;
            };
            stack.extend(self.table.children(p));
            if let Some(info) = self.info(p)
                && !info.kind.is_dir()
            {
                acc.files += 1;
                let b = if info.kind == EntryKind::File {
                    info.size
                } else {
                    0
                };
                acc.bytes += b;
                *acc.by_layer.entry(prov.layer).or_default() += b;
            }
        }
    }
}

fn finish(rule: &Rule, acc: Acc, message: String, created_by: &[String]) -> Finding {
    let mut paths = acc.paths;
    paths.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    paths.truncate(10);
    let layer = acc
        .by_layer
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(l, _)| *l);
    Finding {
        code: rule.code,
        name: rule.name,
        category: rule.category,
        severity: rule.severity,
        message,
        bytes: acc.bytes,
        files: acc.files,
        paths: paths.into_iter().map(|p| p.1).collect(),
        path_count: acc.path_count,
        layer,
        created_by: layer.and_then(|l| created_by.get(l as usize).cloned()),
    }
}

/// Everything found in the final tree and the config.
pub fn find(tree: &FinalTree<'_>, config: &ImageConfig, created_by: &[String]) -> Vec<Finding> {
    let mut accs: BTreeMap<&'static str, (&'static Rule, Acc)> = BTreeMap::new();
    tree.walk(|id, comps| {
        let Some(info) = tree.info(id) else {
            return true;
        };
        if info.kind.is_dir() {
            if let Some(rule) = directory_rule(comps) {
                let mut sub = Acc::default();
                tree.subtree(id, &mut sub);
                if sub.bytes > 0 || rule.code == GIT_DIR.code {
                    let (_, acc) = accs
                        .entry(rule.code)
                        .or_insert_with(|| (rule, Acc::default()));
                    acc.bytes += sub.bytes;
                    acc.files += sub.files;
                    for (l, b) in sub.by_layer {
                        *acc.by_layer.entry(l).or_default() += b;
                    }
                    acc.add_path(tree.table.display(id), sub.bytes);
                }
                // Nothing inside a cache is reported again, but security checks still run.
                if rule.category == Category::Size && rule.code != BUILD_TOOLS.code {
                    security_in_subtree(tree, id, comps, &mut accs);
                    return false;
                }
            }
            if info.mode & 0o002 != 0 && info.mode & 0o1000 == 0 && info.kind == EntryKind::Dir {
                let (_, acc) = accs
                    .entry(WORLD_WRITABLE.code)
                    .or_insert_with(|| (&WORLD_WRITABLE, Acc::default()));
                if let Some(p) = tree.provider(id) {
                    acc.by_layer.entry(p.layer).or_default();
                }
                acc.add_path(tree.table.display(id), 0);
            }
            return true;
        }
        file_checks(tree, id, comps, info, &mut accs);
        true
    });
    let mut out: Vec<Finding> = Vec::new();
    for (_, (rule, acc)) in accs {
        let message = match rule.code {
            "DWI101" | "DWI102" | "DWI103" => {
                format!("{} {}: {}", acc.path_count, rule.what, rule.fix)
            }
            "DWI010" => format!("{} {}: {}", acc.path_count, rule.what, rule.fix),
            _ => format!("{} ({} files): {}", rule.what, acc.files, rule.fix),
        };
        out.push(finish(rule, acc, message, created_by));
    }
    out.extend(config_findings(config));
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.bytes.cmp(&a.bytes))
            .then(a.code.cmp(b.code))
    });
    out
}

fn file_checks(
    tree: &FinalTree<'_>,
    id: PathId,
    comps: &[&[u8]],
    info: &EntryInfo,
    accs: &mut BTreeMap<&'static str, (&'static Rule, Acc)>,
) {
    let layer = tree.provider(id).map(|p| p.layer);
    let mut hit = |rule: &'static Rule, bytes: u64| {
        let (_, acc) = accs
            .entry(rule.code)
            .or_insert_with(|| (rule, Acc::default()));
        acc.bytes += bytes;
        acc.files += 1;
        if let Some(l) = layer {
            *acc.by_layer.entry(l).or_default() += bytes;
        }
        acc.add_path(tree.table.display(id), bytes);
    };
    let bytes = if info.kind == EntryKind::File {
        info.size
    } else {
        0
    };
    if info.mode & 0o6000 != 0 && matches!(info.kind, EntryKind::File | EntryKind::HardLink) {
        hit(&SETUID, bytes);
    }
    if is_private_key(comps) && matches!(info.kind, EntryKind::File | EntryKind::HardLink) {
        hit(&PRIVATE_KEY, bytes);
    }
    if is_build_tool(comps) {
        hit(&BUILD_TOOLS, bytes);
    }
}

fn security_in_subtree(
    tree: &FinalTree<'_>,
    root: PathId,
    root_comps: &[&[u8]],
    accs: &mut BTreeMap<&'static str, (&'static Rule, Acc)>,
) {
    // Only setuid and key checks apply inside caches and docs; walk with full components.
    let base: Vec<Vec<u8>> = root_comps.iter().map(|c| c.to_vec()).collect();
    let mut stack: Vec<(PathId, Vec<Vec<u8>>)> = vec![(root, base)];
    while let Some((id, comps)) = stack.pop() {
        for c in tree.table.children(id) {
            let Some(info) = tree.info(c).copied() else {
                if tree.provider(c).is_some() {
                    let mut next = comps.clone();
                    next.push(tree.table.name(c).to_vec());
                    stack.push((c, next));
                }
                continue;
            };
            let mut next = comps.clone();
            next.push(tree.table.name(c).to_vec());
            if info.kind.is_dir() {
                stack.push((c, next));
            } else {
                let refs: Vec<&[u8]> = next.iter().map(|v| v.as_slice()).collect();
                if info.mode & 0o6000 != 0 || is_private_key(&refs) {
                    file_checks(tree, c, &refs, &info, accs);
                }
            }
        }
    }
}

const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
    "AUTH",
];

/// Whether an `Env` entry looks like it holds a secret (the value is never reported).
pub fn is_secret_env(name: &str, value: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if value.is_empty() {
        return false;
    }
    // Names that point at a secret rather than hold one.
    for benign in [
        "_FILE", "_PATH", "_DIR", "_URL", "_URI", "_HOST", "_PORT", "_VERSION", "_ENABLED",
    ] {
        if upper.ends_with(benign) {
            return false;
        }
    }
    if upper.starts_with("GPG_KEY") || upper == "AUTHOR" {
        return false;
    }
    SECRET_WORDS.iter().any(|w| upper.contains(w))
}

fn config_finding(rule: &Rule, message: String, paths: Vec<String>) -> Finding {
    Finding {
        code: rule.code,
        name: rule.name,
        category: rule.category,
        severity: rule.severity,
        message,
        bytes: 0,
        files: 0,
        path_count: paths.len() as u64,
        paths,
        layer: None,
        created_by: None,
    }
}

fn config_findings(config: &ImageConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let c = config.config.clone().unwrap_or_default();
    let user = c.user.clone().unwrap_or_default();
    let user_name = user.split(':').next().unwrap_or("");
    if user_name.is_empty() || user_name == "root" || user_name == "0" {
        let what = if user.is_empty() {
            "User is unset".to_string()
        } else {
            format!("User is {user:?}")
        };
        out.push(config_finding(
            &USER_ROOT,
            format!("{what}: {}: {}", USER_ROOT.what, USER_ROOT.fix),
            vec!["User".to_string()],
        ));
    }
    let has_health = c
        .healthcheck
        .as_ref()
        .and_then(|h| h.test.as_ref())
        .is_some_and(|t| !t.is_empty() && t.first().is_none_or(|x| x != "NONE"));
    if !has_health {
        out.push(config_finding(
            &NO_HEALTHCHECK,
            format!("{}: {}", NO_HEALTHCHECK.what, NO_HEALTHCHECK.fix),
            vec!["Healthcheck".to_string()],
        ));
    }
    let secrets: Vec<String> = c
        .env
        .iter()
        .flatten()
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
            is_secret_env(k, v).then(|| format!("Env {k}"))
        })
        .collect();
    if !secrets.is_empty() {
        let names: Vec<&str> = secrets
            .iter()
            .map(|s| s.trim_start_matches("Env "))
            .collect();
        out.push(config_finding(
            &SECRET_ENV,
            format!(
                "{} ({}; values not shown): {}",
                SECRET_ENV.what,
                names.join(", "),
                SECRET_ENV.fix
            ),
            secrets,
        ));
    }
    let ports: Vec<String> = c
        .exposed_ports
        .iter()
        .flat_map(|m| m.keys().cloned())
        .collect();
    if !ports.is_empty() {
        let privileged: Vec<&String> = ports
            .iter()
            .filter(|p| {
                p.split('/')
                    .next()
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|n| n < 1024)
            })
            .collect();
        let mut f = config_finding(
            &EXPOSED,
            format!(
                "{}: {}{}",
                EXPOSED.what,
                ports.join(", "),
                if privileged.is_empty() {
                    String::new()
                } else {
                    format!(" ({} privileged; {})", privileged.len(), EXPOSED.fix)
                }
            ),
            ports.iter().map(|p| format!("ExposedPorts {p}")).collect(),
        );
        if privileged.iter().any(|p| p.starts_with("22/")) {
            f.severity = Severity::Warning;
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_env_names() {
        assert!(is_secret_env("DB_PASSWORD", "hunter2"));
        assert!(is_secret_env("GITHUB_TOKEN", "ghp_x"));
        assert!(!is_secret_env("DB_PASSWORD_FILE", "/run/secrets/db"));
        assert!(!is_secret_env("DB_PASSWORD", ""));
        assert!(!is_secret_env("PATH", "/usr/bin"));
        assert!(!is_secret_env("GPG_KEY", "ABCDEF"));
    }

    #[test]
    fn build_tools_and_keys() {
        let c = |s: &str| {
            s.split('/')
                .filter(|p| !p.is_empty())
                .map(|p| p.as_bytes().to_vec())
                .collect::<Vec<_>>()
        };
        let t = |s: &str| {
            let v = c(s);
            let r: Vec<&[u8]> = v.iter().map(|x| x.as_slice()).collect();
            (is_build_tool(&r), is_private_key(&r))
        };
        assert_eq!(t("/usr/bin/gcc-12"), (true, false));
        assert_eq!(t("/usr/bin/x86_64-linux-gnu-gcc-12"), (true, false));
        assert_eq!(t("/usr/bin/make"), (true, false));
        assert_eq!(t("/usr/bin/python3"), (false, false));
        assert_eq!(t("/root/.ssh/id_rsa"), (false, true));
        assert_eq!(t("/app/server.key"), (false, true));
        assert_eq!(t("/etc/ssl/certs/x.key"), (false, false));
        assert_eq!(t("/home/u/.aws/credentials"), (false, true));
    }
}
