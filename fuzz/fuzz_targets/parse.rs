//! Parse arbitrary bytes: never panic, and an accepted file prints back byte for byte.
//! Every accessor is exercised too, since downstream code calls them on any accepted file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = dockwright_syntax::parse_bytes(data) else {
        return;
    };
    assert_eq!(doc.print(), data, "printing the tree must give the input back");
    let _ = dockwright_syntax::buildkit_dump(&doc);
    let _ = dockwright_syntax::line_table(&doc);
    let _ = serde_json::to_string(&doc.syntax_tree());
    for inst in doc.instructions() {
        let mut command = Some(inst.command());
        while let Some(c) = command {
            let _ = (c.as_from(), c.as_run(), c.as_copy(), c.as_key_values(), c.as_arg());
            let _ = (c.as_expose(), c.as_volume(), c.as_value(), c.as_healthcheck());
            let _ = (c.as_cmd(), c.as_entrypoint(), c.as_shell(), c.arguments());
            for flag in c.flags() {
                let _ = (flag.name(), flag.value(), flag.span());
            }
            command = c.trigger();
        }
        for heredoc in inst.heredocs() {
            let _ = inst.heredoc_content(heredoc);
        }
        // The offset map must point every byte of the joined text at the same byte.
        let text = inst.text_bytes();
        for s in inst.offset_map().segments() {
            assert_eq!(
                &text[s.text_offset..s.text_offset + s.len],
                &data[s.file_offset..s.file_offset + s.len]
            );
        }
    }
});
