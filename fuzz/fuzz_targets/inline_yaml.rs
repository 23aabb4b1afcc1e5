//! The inline Dockerfile path: parse arbitrary YAML with positions, extract every scalar as
//! an inline text with its position map, and check the map (covers the text in order,
//! monotonic, in range, verbatim bytes equal to the file's, positions right). Never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scalars) = dockwright_project::inline_scalars(source, None) else {
        return;
    };
    for inline in scalars {
        if let Err(err) = inline.validate(source) {
            panic!("invalid map for {:?}: {err}", inline.text);
        }
        // What discovery then does with an inline Dockerfile.
        if let Ok(doc) = dockwright_syntax::parse(&inline.text) {
            for instruction in doc.instructions() {
                let span = instruction.span();
                let _ = inline.file_span(span);
                let _ = inline.position(span.start);
            }
        }
    }
});
