//! Fuzzes the `quality-gate` junit reader with arbitrary bytes: it must return a report or an
//! error, never panic or run away with memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decoder_ops::report::junit::parse_reader("fuzz", data);
});
