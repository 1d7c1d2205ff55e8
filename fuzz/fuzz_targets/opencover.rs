//! Fuzzes the coverage parser for the `Opencover` format with arbitrary bytes, as `coverage-check
//! --format` feeds it: it must return a report or an error, never panic or run away with memory.
#![no_main]

use decoder_ops::report::coverage::{Format, parse_reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_reader("fuzz", data, Format::Opencover);
});
