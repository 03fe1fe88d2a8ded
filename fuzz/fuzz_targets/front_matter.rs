//! Any bytes as a document file: decoding, front matter, the snapshot history keeps.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ismsbook::fuzzing::document(data);
});
