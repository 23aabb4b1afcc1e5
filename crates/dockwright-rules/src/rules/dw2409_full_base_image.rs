use crate::prelude::*;

crate::declare_rule! {
    /// Suggests a slim runtime base where the image uses a full one: `python`, `node`,
    /// `ruby` and `debian` without `-slim`, a JDK where a JRE runs the program, `golang`,
    /// `rust`, `maven` or `gradle` as the image that ships, a CUDA `-devel` image where the
    /// `-runtime` one runs the program (info).
    ///
    /// ## Why
    /// The full Debian-based language images carry compilers, headers and hundreds of
    /// packages for building native extensions: `python:3.12` is ~1 GB, `python:3.12-slim`
    /// ~130 MB; `node:20` ~1.1 GB, `node:20-slim` ~200 MB; a JDK is twice a JRE. Every
    /// extra package is also CVE-scanner noise and attack surface. When nothing in the image
    /// compiles at run time, the slim variant runs the same program; when the build needs a
    /// compiler, build in the full image and copy the result into the slim one. Toolchain
    /// images (`golang`, `rust`, `maven`, `gradle`) are for building: ship the binary on
    /// `distroless`/`scratch` or the JAR on a JRE. `nvidia/cuda:*-devel-*` adds nvcc, the
    /// CUDA headers and static libraries (several GB) to the `-runtime-*` variant, which has
    /// every library a compiled CUDA program (or PyTorch wheel) loads.
    ///
    /// Only the stage that becomes the image is judged (through `FROM stage` chains and
    /// ARG-resolved names); builder stages should use full images. `ubuntu` has no slim
    /// variant and is not flagged, nor are `alpine`, `-slim`, distroless and Windows
    /// images. hadolint, dockle and Checkov do not judge base-image size.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    ///
    /// ## Fix
    /// Unsafe, for `python`, `node`, `ruby` and `debian` tags it can rewrite (`3.12` →
    /// `3.12-slim`, `3.12-bookworm` → `3.12-slim-bookworm`, `20-bookworm` →
    /// `20-bookworm-slim`): a slim image lacks compilers and some libraries a `RUN` may
    /// need. For `nvidia/cuda` (and `nvcr.io/nvidia/cuda`) tags with a `devel` component it
    /// writes `runtime` (`12.1.0-cudnn8-devel-ubuntu22.04` → `12.1.0-cudnn8-runtime-ubuntu22.04`):
    /// unsafe, a `RUN` that compiles CUDA code (or a `pip install` building an extension
    /// against CUDA) then fails; build it in a `-devel` stage and copy the result.
    pub struct FullBaseImage {
        code: "DW2409",
        name: "full-base-image",
        category: Size,
        severity: Info,
        fix: Unsafe,
    }
}

impl Check for FullBaseImage {
    fn check(cx: &mut Checker<'_>) {
        let mut found = Vec::new();
        for stage in cx.stages() {
            if !cx.in_final_image(stage.index) {
                continue;
            }
            let StageBase::Image(image) = &stage.base else {
                continue;
            };
            let Some(reference) = image.reference.as_ref().filter(|_| image.is_resolved()) else {
                continue;
            };
            let name = reference.familiar_name();
            let tag = reference
                .tag
                .clone()
                .unwrap_or_else(|| "latest".to_string());
            let lower = tag.to_ascii_lowercase();
            if [
                "slim",
                "alpine",
                "windows",
                "nanoserver",
                "servercore",
                "distroless",
            ]
            .iter()
            .any(|v| lower.contains(v))
            {
                continue;
            }
            let (message, slim) = match name.as_str() {
                "python" | "node" | "ruby" | "debian" => {
                    let slim = slim_tag(&name, &tag);
                    let suggestion = slim.as_ref().map_or_else(
                        || format!("a `-slim` tag of `{name}`"),
                        |s| format!("`{name}:{s}`"),
                    );
                    let message = if name == "debian" {
                        format!(
                            "`{name}:{tag}` keeps documentation, man pages and locales the slim variant leaves out (about 40 MB); use {suggestion}"
                        )
                    } else {
                        format!(
                            "`{name}:{tag}` is the full image, with compilers and hundreds of packages the program does not run; use {suggestion} (build native extensions in a builder stage if needed)"
                        )
                    };
                    (message, slim)
                }
                "golang" | "rust" => (
                    format!(
                        "the image ships the whole `{name}` toolchain (~1 GB); build in a `{name}` stage and copy the binary onto `gcr.io/distroless/static` or `scratch`"
                    ),
                    None,
                ),
                "maven" | "gradle" => (
                    format!(
                        "the image ships `{name}` and a JDK; build the JAR in a `{name}` stage and copy it onto a JRE image (`eclipse-temurin:<version>-jre`)"
                    ),
                    None,
                ),
                "openjdk" | "eclipse-temurin" | "amazoncorretto" | "ibm-semeru-runtimes"
                    if !lower.contains("jre") =>
                {
                    (
                        format!(
                            "`{name}:{tag}` is a JDK; a program that is already compiled runs on a JRE, about half the size (`eclipse-temurin:<version>-jre`)"
                        ),
                        None,
                    )
                }
                "nvidia/cuda" | "nvcr.io/nvidia/cuda" => match cuda_runtime_tag(&tag) {
                    Some(runtime) => (
                        format!(
                            "`{name}:{tag}` is the CUDA development image (nvcc, headers, static libraries: several GB more than the runtime variant); use `{name}:{runtime}` for the image that ships and compile in a `-devel` builder stage if needed"
                        ),
                        Some(runtime),
                    ),
                    None => continue,
                },
                _ => continue,
            };
            // The fix edits the tag as written: only for a literal name without a digest.
            let edit = slim
                .filter(|_| image.written == image.expanded && reference.digest.is_none())
                .and_then(|slim| {
                    let written = cx.text(image.span);
                    match reference.tag.as_deref() {
                        Some(tag) => written.strip_suffix(tag).map(|_| {
                            Edit::replace(image.span.end - tag.len()..image.span.end, slim.clone())
                        }),
                        None => Some(Edit::insert(image.span.end, format!(":{slim}"))),
                    }
                });
            let cuda = name.ends_with("nvidia/cuda");
            found.push((image.span, message, edit, cuda));
        }
        for (span, message, edit, cuda) in found {
            let diagnostic = cx.report(span, message);
            if let Some(edit) = edit {
                let title = if cuda {
                    "use the runtime variant"
                } else {
                    "use the slim variant"
                };
                diagnostic.set_fix(Fix::unsafe_edits(title, vec![edit]));
            }
        }
    }
}

/// The slim variant of an official image's tag, when the tag has a known form.
fn slim_tag(name: &str, tag: &str) -> Option<String> {
    const CODENAMES: &[&str] = &["trixie", "bookworm", "bullseye", "buster"];
    if name == "debian" {
        // `12`, `12.5`, `bookworm`, `bookworm-20240612`, `latest`, `stable`.
        if tag == "latest" {
            return Some("stable-slim".to_string());
        }
        let (base, rest) = tag
            .split_once('-')
            .map_or((tag, None), |(b, r)| (b, Some(r)));
        let known = base.chars().all(|c| c.is_ascii_digit() || c == '.')
            || CODENAMES.contains(&base)
            || matches!(base, "stable" | "testing" | "unstable" | "oldstable");
        return match (known, rest) {
            (true, None) => Some(format!("{base}-slim")),
            (true, Some(date)) if date.chars().all(|c| c.is_ascii_digit()) => {
                Some(format!("{base}-slim-{date}"))
            }
            _ => None,
        };
    }
    if tag == "latest" {
        return Some("slim".to_string());
    }
    let (version, codename) = match tag.rsplit_once('-') {
        Some((v, c)) if CODENAMES.contains(&c) => (v, Some(c)),
        Some(_) => return None,
        None => (tag, None),
    };
    let version_like = version.chars().all(|c| c.is_ascii_digit() || c == '.')
        || (name == "node" && matches!(version, "lts" | "current"));
    if !version_like {
        return None;
    }
    Some(match codename {
        None => format!("{version}-slim"),
        // node writes the codename first (`20-bookworm-slim`), python and ruby last.
        Some(c) if name == "node" => format!("{version}-{c}-slim"),
        Some(c) => format!("{version}-slim-{c}"),
    })
}

/// The `-runtime` variant of a CUDA `-devel` tag (`12.1.0-cudnn8-devel-ubuntu22.04` →
/// `12.1.0-cudnn8-runtime-ubuntu22.04`); `None` when no component is `devel`.
fn cuda_runtime_tag(tag: &str) -> Option<String> {
    let parts: Vec<&str> = tag.split('-').collect();
    parts.contains(&"devel").then(|| {
        parts
            .iter()
            .map(|p| if *p == "devel" { "runtime" } else { p })
            .collect::<Vec<_>>()
            .join("-")
    })
}

#[cfg(test)]
mod tests {
    use super::{cuda_runtime_tag, slim_tag};

    #[test]
    fn cuda_tags() {
        assert_eq!(
            cuda_runtime_tag("12.1.0-cudnn8-devel-ubuntu22.04").as_deref(),
            Some("12.1.0-cudnn8-runtime-ubuntu22.04")
        );
        assert_eq!(
            cuda_runtime_tag("12.4.1-devel-ubi9").as_deref(),
            Some("12.4.1-runtime-ubi9")
        );
        assert_eq!(cuda_runtime_tag("12.4.1-runtime-ubuntu22.04"), None);
        assert_eq!(cuda_runtime_tag("12.4.1-base-ubuntu22.04"), None);
    }

    #[test]
    fn tags() {
        assert_eq!(slim_tag("python", "3.12").as_deref(), Some("3.12-slim"));
        assert_eq!(
            slim_tag("python", "3.12-bookworm").as_deref(),
            Some("3.12-slim-bookworm")
        );
        assert_eq!(
            slim_tag("node", "20-bookworm").as_deref(),
            Some("20-bookworm-slim")
        );
        assert_eq!(slim_tag("node", "lts").as_deref(), Some("lts-slim"));
        assert_eq!(slim_tag("python", "latest").as_deref(), Some("slim"));
        assert_eq!(slim_tag("debian", "12").as_deref(), Some("12-slim"));
        assert_eq!(
            slim_tag("debian", "bookworm-20240612").as_deref(),
            Some("bookworm-slim-20240612")
        );
        assert_eq!(slim_tag("python", "3.12-rc-nightly"), None);
    }
}
