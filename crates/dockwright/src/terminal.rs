//! Colour and verbosity for everything the CLI writes to the terminal.

use std::sync::atomic::{AtomicI8, Ordering};

use crate::cli::{ColorWhen, GlobalArgs};

static VERBOSITY: AtomicI8 = AtomicI8::new(0);

/// Applies `--color` (honouring `NO_COLOR` when it is `auto`) and `-q`/`-v`.
pub fn init(global: &GlobalArgs) {
    let choice = match global.color {
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
        ColorWhen::Auto => {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                anstream::ColorChoice::Never
            } else {
                anstream::ColorChoice::Auto
            }
        }
    };
    choice.write_global();
    let level = if global.quiet {
        -1
    } else {
        i8::try_from(global.verbose).unwrap_or(i8::MAX)
    };
    VERBOSITY.store(level, Ordering::Relaxed);
}

/// -1 with `--quiet`, 0 by default, 1 and up with each `-v`.
pub fn verbosity() -> i8 {
    VERBOSITY.load(Ordering::Relaxed)
}

/// Whether colour escapes would reach standard output.
pub fn stdout_has_color() -> bool {
    !matches!(
        anstream::AutoStream::choice(&std::io::stdout()),
        anstream::ColorChoice::Never
    )
}

/// Prints an error and its chain of causes on standard error.
pub fn error(err: &anyhow::Error) {
    use std::io::Write;
    let style = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let mut stderr = anstream::stderr();
    let _ = writeln!(stderr, "{style}error{style:#}: {err}");
    for cause in err.chain().skip(1) {
        let _ = writeln!(stderr, "  caused by: {cause}");
    }
}

/// Prints a warning on standard error unless `--quiet` is set.
pub fn warn(message: impl std::fmt::Display) {
    use std::io::Write;
    if verbosity() < 0 {
        return;
    }
    let style = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Yellow.into()));
    let _ = writeln!(anstream::stderr(), "{style}warning{style:#}: {message}");
}

/// Prints a progress or summary note on standard error unless `--quiet` is set.
pub fn info(message: impl std::fmt::Display) {
    use std::io::Write;
    if verbosity() < 0 {
        return;
    }
    let _ = writeln!(anstream::stderr(), "{message}");
}
