//! Any bytes as a few documents and a SoA: the whole pipeline in memory, from parsing
//! through the checks to the rendered handbook.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ismsbook::fuzzing::pipeline(data);
});
