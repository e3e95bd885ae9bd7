//! A forgiving tokenizer for the line being typed. The real parser wants a
//! whole statement; highlighting, completion, hints and the multi-line rule
//! need tokens of a half-typed one, so this never fails.

/// What a piece of the line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `2`, `2.5`, `.5`, `1e-3`.
    Num,
    /// A name, with any primes after it (`f''`).
    Name,
    /// `:grad` as the first word of the line.
    Command,
    /// `(`
    Open,
    /// `)`
    Close,
    /// A `"quoted"` string (a file name), possibly unterminated.
    Str,
    /// `#` to the end of the line.
    Comment,
    /// Spaces.
    Space,
    /// Operators, commas, `=`, anything else.
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
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits `line` into tokens covering every byte.
pub fn tokens(line: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    let mut first_word = true;
    while let Some(&(start, c)) = chars.peek() {
        let kind = if c.is_whitespace() {
            while chars.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
            Kind::Space
        } else if c == '#' {
            while chars.next().is_some() {}
            Kind::Comment
        } else if c == '"' {
            chars.next();
            for (_, c) in chars.by_ref() {
                if c == '"' {
                    break;
                }
            }
            Kind::Str
        } else if c == ':' && first_word {
            chars.next();
            while chars.next_if(|&(_, c)| is_name_char(c)).is_some() {}
            Kind::Command
        } else if c.is_ascii_digit() || (c == '.' && next_is_digit(line, start + 1)) {
            number(line, start, &mut chars);
            Kind::Num
        } else if is_name_start(c) {
            while chars.next_if(|&(_, c)| is_name_char(c)).is_some() {}
            while chars.next_if(|&(_, c)| c == '\'').is_some() {}
            Kind::Name
        } else {
            chars.next();
            match c {
                '(' => Kind::Open,
                ')' => Kind::Close,
                _ => Kind::Other,
            }
        };
        let end = chars.peek().map_or(line.len(), |&(i, _)| i);
        if kind != Kind::Space {
            first_word = false;
        }
        out.push(Token { kind, start, end });
    }
    out
}

fn next_is_digit(line: &str, at: usize) -> bool {
    line.as_bytes().get(at).is_some_and(u8::is_ascii_digit)
}

/// Consumes a number starting at `start`: digits, a fraction, and an exponent
/// only when digits follow it (`2e` is 2 times e).
fn number(line: &str, start: usize, chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) {
    let b = line.as_bytes();
    let mut i = start;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            i = j;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    while chars.next_if(|&(k, _)| k < i).is_some() {}
}

/// How many parentheses are open at the end of `line` (never negative: a
/// stray `)` is the parser's to report).
pub fn open_parens(line: &str) -> usize {
    let mut depth = 0usize;
    for t in tokens(line) {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

/// For each parenthesis, the index (in `toks`) of its partner, if it has one.
pub fn partners(toks: &[Token]) -> Vec<Option<usize>> {
    let mut out = vec![None; toks.len()];
    let mut stack = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Kind::Open => stack.push(i),
            Kind::Close => {
                if let Some(j) = stack.pop() {
                    out[i] = Some(j);
                    out[j] = Some(i);
                }
            }
            _ => {}
        }
    }
    out
}

/// The tokens that are not spaces.
pub fn words(toks: &[Token]) -> impl Iterator<Item = &Token> {
    toks.iter().filter(|t| t.kind != Kind::Space)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<(Kind, &str)> {
        tokens(line)
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
                (Other, ","),
                (Name, "x2"),
                (Close, ")"),
                (Space, " "),
                (Name, "at"),
                (Space, " "),
                (Num, "2"),
                (Other, ","),
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
        assert_eq!(kinds("f''(1)")[0], (Name, "f''"));
        assert_eq!(kinds("1 # (")[2], (Comment, "# ("));
        assert_eq!(kinds("a:b")[1], (Other, ":"));
    }

    #[test]
    fn counts_open_parentheses() {
        assert_eq!(open_parens("sin((x)"), 1);
        assert_eq!(open_parens("(x))"), 0);
        assert_eq!(open_parens(":load \"a(b\""), 0);
        assert_eq!(open_parens("1 # ((("), 0);
        assert_eq!(open_parens("(1+ é"), 1);
    }
}
