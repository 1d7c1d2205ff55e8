//! Fuzzes coverage format detection and the path `coverage-check` takes without `--format`:
//! recognize the format from the head, then parse with that format's parser.
#![no_main]

use decoder_ops::report::coverage::{detect, parse_reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(format) = detect(data) {
        let _ = parse_reader("fuzz", data, format);
    }
});
