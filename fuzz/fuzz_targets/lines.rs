//! The whole path from bytes to what the user sees: every line of the input
//! through one session (parse, evaluate, differentiate, check), then through
//! the library's renderers, plain, coloured and JSON. Any panic, overflow or
//! hang is a finding. Run: `cargo fuzz run --sanitizer none lines` (see
//! fuzz/README.md).
#![no_main]

use deriv::outcome::LineResult;
use deriv::render;
use deriv::session::Session;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut session = Session::new();
    // :save and :load touch files; the fuzzer must not write into the tree.
    let results: Vec<LineResult> = session.run_source(&sanitize(data));
    for r in &results {
        let src = render::Source {
            name: "<fuzz>",
            line: r.line,
            text: &r.input,
        };
        for color in [false, true] {
            let st = render::Style {
                color,
                digits: session.settings.digits,
            };
            match &r.result {
                Ok(o) => {
                    let _ = render::outcome(o, st);
                    let _ = render::nested_errors(o, st);
                }
                Err(e) => {
                    let _ = render::error(e, &src, st);
                }
            }
        }
        let _ = render::json(r.line, &r.input, &r.result);
    }
});

/// Drops what writes files (`:save`, `svg=`) and `:load` of anything but
/// /dev/null.
fn sanitize(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for line in data.split(|&b| b == b'\n') {
        let t = String::from_utf8_lossy(line);
        let t = t.trim_start();
        let writes = t.starts_with(":save") || t.contains("svg=");
        if writes || (t.starts_with(":load") && !t.contains("/dev/null")) {
            continue;
        }
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}
