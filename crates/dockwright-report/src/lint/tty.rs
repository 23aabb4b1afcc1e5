//! For people: a code frame per finding with the offending span underlined, then a summary.

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use dockwright_rules::{Diagnostic, Severity};

use super::{LintReport, RenderOptions};

pub fn render(report: &LintReport, options: RenderOptions) -> String {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for file in &report.files {
        for d in &file.diagnostics {
            out.push_str(&frame(&renderer, &file.source, d));
            out.push_str("\n\n");
        }
    }
    out.push_str(&summary(report, options));
    out
}

/// The lines the span covers, so a long file is not handed to the renderer whole.
fn excerpt<'s>(
    source: &'s str,
    d: &Diagnostic,
) -> Option<(&'s str, usize, std::ops::Range<usize>)> {
    if d.start > d.end
        || d.end > source.len()
        || !source.is_char_boundary(d.start)
        || !source.is_char_boundary(d.end)
    {
        return None;
    }
    let first = source[..d.start].rfind('\n').map_or(0, |i| i + 1);
    let last = source[d.end..]
        .find('\n')
        .map_or(source.len(), |i| d.end + i);
    let text = source.get(first..last)?;
    Some((text, first, d.start - first..d.end - first))
}

fn frame(renderer: &Renderer, source: &str, d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
        Severity::Style => Level::NOTE,
    };
    let title = format!("{} {}: {}", d.code, d.name, d.message);
    let mut notes = Vec::new();
    if let Some(h) = &d.equivalents.hadolint {
        notes.push(format!("hadolint {h}"));
    }
    if let Some(b) = &d.equivalents.buildkit {
        notes.push(format!("BuildKit {b}"));
    }
    let fix_note = d.fix.as_ref().map(|fix| {
        let how = match fix.applicability {
            dockwright_rules::Applicability::Safe => "--fix",
            dockwright_rules::Applicability::Unsafe => "--fix --unsafe-fixes",
        };
        if fix.message.is_empty() {
            format!("fixable with {how}")
        } else {
            format!("fixable with {how}: {}", fix.message)
        }
    });
    let label = format!("{} [{}]", d.category, notes.join(", "));
    let label = if notes.is_empty() {
        d.category.to_string()
    } else {
        label
    };
    let mut group = annotate_snippets::Group::with_title(level.primary_title(title.as_str()));
    match excerpt(source, d) {
        Some((text, _, span)) => {
            let snippet = Snippet::source(text)
                .line_start(d.line)
                .path(d.file.as_str())
                .annotation(AnnotationKind::Primary.span(span).label(label.as_str()));
            group = group.element(snippet);
        }
        None => {
            group =
                group.element(Level::NOTE.message(format!("{}:{}:{}", d.file, d.line, d.column)));
        }
    }
    for e in &d.evidence {
        group = group.element(Level::NOTE.message(e.as_str()));
    }
    if let Some(note) = &fix_note {
        group = group.element(Level::HELP.message(note.as_str()));
    }
    renderer.render(&[group])
}

fn summary(report: &LintReport, options: RenderOptions) -> String {
    let counts = report.counts();
    let total: usize = counts.values().sum();
    let files = report.files.len();
    if total == 0 {
        return format!(
            "No findings in {files} file{}.\n",
            if files == 1 { "" } else { "s" }
        );
    }
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| counts.get(s).map(|n| format!("{n} {s}")))
        .collect();
    let mut line = format!(
        "Found {total} finding{} ({}) in {files} file{}.",
        if total == 1 { "" } else { "s" },
        parts.join(", "),
        if files == 1 { "" } else { "s" }
    );
    if options.fixable_safe > 0 {
        line.push_str(&format!(" {} fixable with --fix", options.fixable_safe));
        if options.fixable_unsafe > 0 {
            line.push_str(&format!(
                " ({} more with --unsafe-fixes)",
                options.fixable_unsafe
            ));
        }
        line.push('.');
    } else if options.fixable_unsafe > 0 {
        line.push_str(&format!(
            " {} fixable with --fix --unsafe-fixes.",
            options.fixable_unsafe
        ));
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::super::{RenderOptions, fixtures};

    #[test]
    fn tty_plain() {
        let text = super::render(
            &fixtures::report(),
            RenderOptions {
                color: false,
                fixable_safe: 1,
                fixable_unsafe: 0,
            },
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn span_outside_source_does_not_panic() {
        let mut report = fixtures::report();
        report.files[0].diagnostics[0].start = 10_000;
        report.files[0].diagnostics[0].end = 10_001;
        let text = super::render(&report, RenderOptions::default());
        assert!(text.contains("app/Dockerfile:1:1"));
    }
}
