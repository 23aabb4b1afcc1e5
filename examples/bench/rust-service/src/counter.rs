//! Visit counts per page, shared by the connection threads.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Counts visits per page path.
#[derive(Default)]
pub struct Counter {
    pages: Mutex<BTreeMap<String, u64>>,
}

impl Counter {
    /// Records a visit to `page` and returns its new count.
    pub fn record(&self, page: &str) -> u64 {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let n = pages.entry(page.to_string()).or_insert(0);
        *n += 1;
        *n
    }

    /// The counts as a JSON object, pages in order.
    pub fn to_json(&self) -> String {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let fields: Vec<String> = pages
            .iter()
            .map(|(page, n)| format!("{}:{n}", json_string(page)))
            .collect();
        format!("{{{}}}", fields.join(","))
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_renders() {
        let c = Counter::default();
        assert_eq!(c.record("/a"), 1);
        assert_eq!(c.record("/a"), 2);
        c.record("/b\"q");
        assert_eq!(c.to_json(), r#"{"/a":2,"/b\"q":1}"#);
    }
}
