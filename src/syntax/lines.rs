//! Lines of a script: bytes to text, one line at a time, so that a bad line
//! (invalid UTF-8, a NUL) is an error for that line alone.

use crate::error::{Error, ErrorKind};
use crate::span::Span;

/// The UTF-8 byte-order mark some editors put at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Turns the raw bytes of one line (without its `\n`) into text: drops a
/// trailing `\r` (CRLF files) and, on the first line, a byte-order mark.
/// Invalid UTF-8 is an error pointing at the first bad byte.
pub fn decode_line(bytes: &[u8], first: bool) -> Result<String, Error> {
    let mut b = bytes;
    if let Some(rest) = b.strip_suffix(b"\r") {
        b = rest;
    }
    if first && let Some(rest) = b.strip_prefix(BOM) {
        b = rest;
    }
    match std::str::from_utf8(b) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            Err(Error::new(
                ErrorKind::Parse,
                format!(
                    "the line is not valid UTF-8 (byte 0x{:02X} at column {})",
                    b[at],
                    at + 1
                ),
            )
            .at(Span::new(at, at + 1)))
        }
    }
}

/// Splits a whole file into lines (without their `\n`).
pub fn split_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut lines: Vec<&[u8]> = bytes.split(|&c| c == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.into_iter()
}

/// The text to show for a line that may not be UTF-8.
pub fn lossy(bytes: &[u8]) -> String {
    let b = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    String::from_utf8_lossy(b).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_bom_and_bad_bytes() {
        assert_eq!(decode_line(b"\xEF\xBB\xBF1+1\r", true).unwrap(), "1+1");
        // A byte-order mark only counts at the start of the file.
        assert_eq!(decode_line(b"\xEF\xBB\xBF1", false).unwrap(), "\u{feff}1");
        let e = decode_line(b"1+\xFF", false).unwrap_err();
        assert_eq!(e.span, Some(Span::new(2, 3)));
        assert!(e.message.contains("0xFF at column 3"), "{}", e.message);
        let v: Vec<_> = split_lines(b"a\nb\n").collect();
        assert_eq!(v, vec![&b"a"[..], &b"b"[..]]);
    }
}

/// Splits a line into its statements at each `;` that is outside a quoted
/// file name and before a comment. A line without `;` is one statement.
pub fn split_statements(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => break,
            ';' if !quoted => {
                out.push(&line[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&line[start..]);
    out
}

#[cfg(test)]
mod split_tests {
    use super::split_statements;

    #[test]
    fn semicolons_split_outside_quotes_and_comments() {
        assert_eq!(split_statements("1+1"), ["1+1"]);
        assert_eq!(split_statements("a = 2; a^2"), ["a = 2", " a^2"]);
        assert_eq!(
            split_statements(":save \"a;b\"; 1"),
            [":save \"a;b\"", " 1"]
        );
        assert_eq!(split_statements("1 # a; b"), ["1 # a; b"]);
        assert_eq!(split_statements("1;"), ["1", ""]);
    }
}
