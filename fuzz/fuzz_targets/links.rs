//! Any text as a Markdown body and a link: outline, anchors, link resolution and
//! rewriting.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ismsbook::fuzzing::links(data);
});
