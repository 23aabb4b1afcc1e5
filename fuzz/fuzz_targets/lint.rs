//! Lints arbitrary text as a Dockerfile with every rule selected (ShellCheck off): no
//! panic, every diagnostic inside the text on character boundaries, and applying every fix
//! (safe and unsafe) gives text that still parses when the input did.
#![no_main]

use dockwright_rules::{FixMode, Linter, Options, Settings, apply_fixes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let options = Options {
        select: Some(vec!["ALL".into()]),
        shellcheck: Some(false),
        ..Options::default()
    };
    let Ok(settings) = Settings::from_options(options) else {
        return;
    };
    let linter = Linter::new(settings);
    let report = linter.lint("Dockerfile", &text);
    for d in &report.diagnostics {
        assert!(d.start <= d.end && d.end <= text.len(), "{d:?}");
        assert!(text.is_char_boundary(d.start) && text.is_char_boundary(d.end), "{d:?}");
    }
    if dockwright_syntax::parse(&text).is_ok() {
        let fixed = apply_fixes(&text, &report.diagnostics, FixMode::Unsafe);
        if fixed.text != *text {
            assert!(
                dockwright_syntax::parse(&fixed.text).is_ok(),
                "fixes broke the file:\n{text}\n---\n{}",
                fixed.text
            );
        }
    }
});
