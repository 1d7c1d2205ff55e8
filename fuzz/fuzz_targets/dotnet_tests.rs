//! Fuzzes the `quality-gate` readers of .NET test results (NUnit 3, xUnit.net v2, TRX) with
//! arbitrary bytes: the first byte picks the format, as detection would; each must return a
//! report or an error, never panic or run away with memory.
#![no_main]

use decoder_ops::report::dotnet::{Format, parse_reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let format = match pick % 3 {
        0 => Format::Nunit,
        1 => Format::Xunit,
        _ => Format::Trx,
    };
    let _ = parse_reader("fuzz", rest, format);
});
