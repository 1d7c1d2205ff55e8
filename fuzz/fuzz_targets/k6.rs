//! Fuzzes the `quality-gate` k6 reader with arbitrary bytes: it must return a report or an
//! error, never panic or run away with memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decoder_ops::report::k6::detect(data);
    let _ = decoder_ops::report::k6::parse_reader("fuzz", data);
});
