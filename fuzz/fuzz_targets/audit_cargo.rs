//! Fuzzes the `quality-gate` reader for `CargoAudit` reports with arbitrary bytes (plus the
//! detection that picks it): a report or an error, never a panic or runaway memory.
#![no_main]

use decoder_ops::report::audit::{AuditFormat, detect, parse_reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    let _ = parse_reader("fuzz", data, AuditFormat::CargoAudit);
});
