//! A forgiving tokenizer: the line the way a reader sees it. It never fails
//! and covers every byte, so it serves both the parser's error messages
//! (which explain a line pest refused) and the prompt (highlighting,
//! completion and hints on a half-typed line). The grammar stays the judge
//! of what is valid; this only names the pieces.

use crate::span::Span;

/// What a piece of the line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `2`, `2.5`, `.5`, `1e-3` (a `.` with no digit after it is not part
    /// of the number, and `2e` is 2 followed by the name `e`).
    Num,
    /// A name, with any primes after it (`f''`).
    Name,
    /// `:grad`, a `:` and its word at the start of a statement.
    Command,
    /// `+ - * / ^ **`
    Op,
    /// `(`
    Open,
    /// `)`
    Close,
    /// `,`
    Comma,
    /// `=`
    Eq,
    /// A `'` that does not follow a name.
    Prime,
    /// A `"quoted"` string (a file name); `closed` is false when the line
    /// ends inside it.
    Str {
        /// Whether the closing `"` is there.
        closed: bool,
    },
    /// `#` to the end of the line.
    Comment,
    /// Spaces and tabs.
    Space,
    /// Anything else: brackets, `@`, a character no token starts with.
    Other,
}

/// A token: its kind and its byte range in the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Token {
    /// The token's text.
    pub fn text(self, line: &str) -> &str {
        &line[self.start..self.end]
    }

    /// The token's byte range.
    pub fn span(self) -> Span {
        Span::new(self.start, self.end)
    }
}

/// Splits `line` into tokens covering every byte. With `statement`, a `:`
/// that starts the line (after spaces) begins a command word; in a bare
/// expression it is just a character.
pub fn tokenize(line: &str, statement: bool) -> Vec<Token> {
    let b = line.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let first = out.iter().all(|t| t.kind == Kind::Space);
        let (kind, end) = token_at(line, i, statement && first);
        i = end;
        out.push(Token { kind, start, end });
    }
    out
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn skip(b: &[u8], mut i: usize, f: impl Fn(u8) -> bool) -> usize {
    while i < b.len() && f(b[i]) {
        i += 1;
    }
    i
}

/// The token starting at byte `i`: its kind and where it ends.
fn token_at(line: &str, i: usize, command_allowed: bool) -> (Kind, usize) {
    let b = line.as_bytes();
    let c = b[i];
    let digit_at = |j: usize| b.get(j).is_some_and(u8::is_ascii_digit);
    match c {
        b' ' | b'\t' => (Kind::Space, skip(b, i, |c| c == b' ' || c == b'\t')),
        b'#' => (Kind::Comment, b.len()),
        b'0'..=b'9' => (Kind::Num, number(b, i)),
        b'.' if digit_at(i + 1) => (Kind::Num, number(b, i)),
        c if c.is_ascii_alphabetic() || c == b'_' => {
            (Kind::Name, skip(b, skip(b, i, is_word), |c| c == b'\''))
        }
        b':' if command_allowed => (Kind::Command, skip(b, i + 1, is_word)),
        b'*' if b.get(i + 1) == Some(&b'*') => (Kind::Op, i + 2),
        b'+' | b'-' | b'*' | b'/' | b'^' => (Kind::Op, i + 1),
        b'(' => (Kind::Open, i + 1),
        b')' => (Kind::Close, i + 1),
        b',' => (Kind::Comma, i + 1),
        b'=' => (Kind::Eq, i + 1),
        b'\'' => (Kind::Prime, i + 1),
        b'"' => match line[i + 1..].find('"') {
            Some(k) => (Kind::Str { closed: true }, i + k + 2),
            None => (Kind::Str { closed: false }, b.len()),
        },
        _ => {
            let len = line[i..].chars().next().map_or(1, char::len_utf8);
            (Kind::Other, i + len)
        }
    }
}

/// The end of the number starting at `i`: digits, a fraction when a digit
/// follows the `.`, and an exponent only when digits follow it.
fn number(b: &[u8], i: usize) -> usize {
    let digit_at = |j: usize| b.get(j).is_some_and(u8::is_ascii_digit);
    let mut i = skip(b, i, |c| c.is_ascii_digit());
    if b.get(i) == Some(&b'.') && digit_at(i + 1) {
        i = skip(b, i + 1, |c| c.is_ascii_digit());
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        if digit_at(i + 1 + sign) {
            i = skip(b, i + 1 + sign, |c| c.is_ascii_digit());
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<(Kind, &str)> {
        tokenize(line, true)
            .into_iter()
            .map(|t| (t.kind, t.text(line)))
            .collect()
    }

    #[test]
    fn splits_a_command() {
        use Kind::*;
        assert_eq!(
            kinds(":grad g(x1,x2) at 2, 3e-1"),
            vec![
                (Command, ":grad"),
                (Space, " "),
                (Name, "g"),
                (Open, "("),
                (Name, "x1"),
                (Comma, ","),
                (Name, "x2"),
                (Close, ")"),
                (Space, " "),
                (Name, "at"),
                (Space, " "),
                (Num, "2"),
                (Comma, ","),
                (Space, " "),
                (Num, "3e-1"),
            ]
        );
    }

    #[test]
    fn numbers_names_and_primes() {
        use Kind::*;
        assert_eq!(kinds("2e"), vec![(Num, "2"), (Name, "e")]);
        assert_eq!(kinds(".5x"), vec![(Num, ".5"), (Name, "x")]);
        assert_eq!(kinds("3.x"), vec![(Num, "3"), (Other, "."), (Name, "x")]);
        assert_eq!(kinds("2**x")[1], (Op, "**"));
        assert_eq!(kinds("f''(1)")[0], (Name, "f''"));
        assert_eq!(kinds("x + '")[4], (Prime, "'"));
        assert_eq!(kinds("1 # (")[2], (Comment, "# ("));
        assert_eq!(kinds("a:b")[1], (Other, ":"));
        assert_eq!(kinds("é")[0], (Other, "é"));
    }

    #[test]
    fn commands_only_start_a_statement() {
        assert_eq!(kinds("  :")[1], (Kind::Command, ":"));
        assert_eq!(tokenize(":x", false)[0].kind, Kind::Other);
        assert_eq!(
            kinds(":load \"a(b")[2],
            (Kind::Str { closed: false }, "\"a(b")
        );
    }

    #[test]
    fn covers_every_byte() {
        for line in [":grad sin(x é) at 1 # c", "\"", "x''' [1] @ 2.5e", "  "] {
            let toks = tokenize(line, true);
            let mut at = 0;
            for t in &toks {
                assert_eq!(t.start, at, "{line:?}");
                at = t.end;
            }
            assert_eq!(at, line.len());
        }
    }
}
