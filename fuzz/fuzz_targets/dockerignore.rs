//! Fuzzes the .dockerignore reader, the pattern matcher and the Go regexp translation: any
//! input must give a result or an error, never a panic. The input is an ignore file; its
//! last line doubles as a path to test.
#![no_main]

use dockwright_context::{Dockerignore, MatchInfo, go_regexp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = data.rsplit(|&b| b == b'\n').next().unwrap_or(data);
    if let Ok(rules) = Dockerignore::parse(data, None) {
        let _ = rules.decide(path);
        let _ = rules.decide_in_walk(path);
        let matcher = rules.matcher();
        if let Ok((_, info)) = matcher.matches_using_parent_results(b"a", &MatchInfo::default()) {
            let _ = matcher.matches_using_parent_results(path, &info);
        }
        let _ = matcher.can_skip_excluded_dir(path);
    }
    if let Ok(patterns) = Dockerignore::from_patterns(data.split(|&b| b == b'\n')) {
        let _ = patterns.decide(path);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = go_regexp::compile(text);
    }
});
