//! Why pest refused a line, in a reader's words. pest knows only the byte
//! where it gave up; the tokens around that byte say what was missing or
//! unexpected. Each check below looks at one situation and answers, or
//! passes to the next; the last one always answers.

use super::RESERVED;
use crate::error::Error;
use crate::span::Span;
use crate::syntax::tokens::{Kind, Token, tokenize};

/// Commands whose first argument is an expression.
const TAKE_AN_EXPRESSION: &[&str] = &[
    "grad", "hess", "check", "diff", "jac", "limit", "tangent", "taylor", "trace", "min", "plot",
    "table", "sym", "steps",
];

/// Commands that need `at POINT` after their expression.
const NEED_A_POINT: &[&str] = &[
    "grad", "hess", "check", "diff", "jac", "limit", "tangent", "taylor", "trace",
];

/// Builds the message for a pest failure at byte `p` of `line`.
pub(super) fn syntax_error(line: &str, p: usize, statement: bool) -> Error {
    let f = Failure::new(line, p, statement);
    f.bad_character()
        .or_else(|| f.after_command_word())
        .or_else(|| f.wrong_keyword())
        .or_else(|| f.after_at_or_wrt())
        .or_else(|| f.reserved_word())
        .or_else(|| f.after_operator_or_bracket())
        .or_else(|| f.line_ended())
        .unwrap_or_else(|| f.unexpected())
}

/// A refused line, seen around the byte where pest gave up.
struct Failure<'a> {
    line: &'a str,
    /// The tokens up to a comment, without spaces.
    toks: Vec<Token>,
    /// The index of the token at (or containing, or just after) the failure.
    at_idx: usize,
    at: Option<Token>,
    prev: Option<Token>,
    /// The command word, without its `:`.
    cmd: Option<&'a str>,
    /// Where an "expected …" error points: at the offending token, or just
    /// after the last token when the line ended too early.
    here: Span,
}

impl<'a> Failure<'a> {
    fn new(line: &'a str, p: usize, statement: bool) -> Self {
        let toks: Vec<Token> = tokenize(line, statement)
            .into_iter()
            .take_while(|t| t.kind != Kind::Comment)
            .filter(|t| t.kind != Kind::Space)
            .collect();
        let at_idx = toks.iter().position(|t| t.end > p).unwrap_or(toks.len());
        let at = toks.get(at_idx).copied();
        let prev = at_idx.checked_sub(1).map(|i| toks[i]);
        let cmd = match toks.first() {
            Some(t) if t.kind == Kind::Command => Some(&t.text(line)[1..]),
            _ => None,
        };
        let here = at.map_or_else(
            || {
                let end = prev.map_or(line.len(), |t| t.end);
                Span::new(end, end)
            },
            Token::span,
        );
        Failure {
            line,
            toks,
            at_idx,
            at,
            prev,
            cmd,
            here,
        }
    }

    fn text(&self, t: Token) -> &'a str {
        t.text(self.line)
    }

    fn is_reserved(&self, t: Token) -> bool {
        RESERVED.contains(&self.text(t))
    }

    /// `msg`, then what was found instead, if anything.
    fn with_found(&self, msg: &str) -> String {
        match self.at {
            Some(t) => format!("{msg}, found {}", quote(self.text(t))),
            None => msg.to_string(),
        }
    }

    /// "expected …" at `here`, saying what was found.
    fn expected(&self, what: &str) -> Error {
        Error::parse(self.with_found(&format!("expected {what}")), self.here)
    }

    fn seen(&self, word: &str) -> bool {
        self.toks
            .iter()
            .any(|&t| t.kind == Kind::Name && self.text(t) == word)
    }

    /// A character that cannot start any token.
    fn bad_character(&self) -> Option<Error> {
        let s = self.at.filter(|t| t.kind == Kind::Other)?;
        let t = self.text(s);
        let e = Error::parse(format!("unexpected character {}", quote(t)), s.span());
        let after_number = self
            .prev
            .is_some_and(|p| p.kind == Kind::Num && p.end == s.start);
        if t.starts_with('.') && after_number {
            return Some(e.help("a number needs a digit after its `.`: write `3.0` or `3`"));
        }
        if t == ":" && self.in_array_literal() {
            return Some(e.help(
                "a slice `a:b` goes in an index (`x[1:3]`); an array lists its entries: `[1, 2]`",
            ));
        }
        Some(
            match crate::syntax::notations::character_help(self.line, s.span()) {
                Some(h) => e.help(h),
                None => e,
            },
        )
    }

    /// Right after the command word.
    fn after_command_word(&self) -> Option<Error> {
        let cs = self.prev.filter(|t| t.kind == Kind::Command)?;
        let c = self.cmd?;
        let word = self.text(cs);
        let here = self.here;
        Some(match c {
            "vars" | "funcs" | "clear" | "quit" | "q" | "exit" => {
                Error::parse(format!("`{word}` takes no arguments"), here)
            }
            c if TAKE_AN_EXPRESSION.contains(&c) => match self.at {
                None => Error::parse(format!("expected an expression after `{word}`"), here),
                Some(s) if self.is_reserved(s) => Error::parse(
                    format!("expected an expression before `{}`", self.text(s)),
                    s.span(),
                ),
                Some(_) => self.expected("an expression"),
            },
            "load" | "save" | "data" => match self.at {
                Some(s) if s.kind == (Kind::Str { closed: false }) => {
                    Error::parse("missing closing `\"` after the file name", s.span())
                }
                _ => self.expected(&format!("a file name after `{word}`")),
            },
            "del" => match self.at {
                Some(s) if self.is_reserved(s) => reserved(self.text(s), s.span()),
                _ => self.expected(&format!("a name after `{word}`")),
            },
            "help" => self.expected("a topic after `:help`"),
            "set" => self.expected("a setting after `:set`"),
            _ => return None,
        })
    }

    /// `:min … at 1` (a start point is `from`), `:plot … at`/`from` (a
    /// range is `on`).
    fn wrong_keyword(&self) -> Option<Error> {
        let s = self.at.filter(|t| t.kind == Kind::Name)?;
        let w = self.text(s);
        let want = match self.cmd {
            Some("min") if w == "at" || w == "on" => "from",
            Some("plot" | "table") if w == "at" || w == "from" => "on",
            _ => return None,
        };
        let line = self.line;
        let fixed = format!("{}{want}{}", &line[..s.start], &line[s.end..]);
        let cmd = self.cmd.unwrap_or_default();
        Some(
            Error::parse(format!("`:{cmd}` takes `{want}`, not `{w}`"), s.span())
                .help(format!("write `{}`", fixed.trim())),
        )
    }

    /// Right after `at` or `wrt`.
    fn after_at_or_wrt(&self) -> Option<Error> {
        let ps = self.prev.filter(|t| t.kind == Kind::Name)?;
        match self.text(ps) {
            "at" => Some(self.expected("a point after `at`")),
            "wrt" => Some(self.expected("a variable name after `wrt`")),
            _ => None,
        }
    }

    /// A reserved word where a name was wanted (after an operator, the
    /// operand is more likely missing: `:grad x+ at 1`).
    fn reserved_word(&self) -> Option<Error> {
        let s = self
            .at
            .filter(|&t| t.kind == Kind::Name && self.is_reserved(t))?;
        let word = self.text(s);
        if let Some(ps) = self.prev.filter(|t| t.kind == Kind::Op) {
            let msg = format!(
                "expected an expression after `{}`, found `{word}`",
                self.text(ps)
            );
            return Some(
                Error::parse(msg, s.span())
                    .help(format!("`{word}` is a reserved word, not a name")),
            );
        }
        let after_operand = self.prev.is_some_and(|p| {
            matches!(p.kind, Kind::Num | Kind::Name | Kind::Close | Kind::Prime)
                && !self.is_reserved(p)
        });
        (!after_operand).then(|| reserved(word, s.span()))
    }

    /// Right after a token that needs something after it.
    fn after_operator_or_bracket(&self) -> Option<Error> {
        let ps = self.prev?;
        let pt = self.text(ps);
        Some(match ps.kind {
            Kind::Op => self.expected(&format!("an expression after `{pt}`")),
            Kind::Open => {
                let i = self.at_idx;
                let call = i >= 2 && matches!(self.toks[i - 2].kind, Kind::Name | Kind::Prime);
                if call {
                    self.expected("an argument or `)`")
                } else {
                    self.expected("an expression after `(`")
                }
            }
            Kind::Comma if self.cmd == Some("del") => self.expected("a name after `,`"),
            Kind::Comma => self.expected("an expression after `,`"),
            Kind::Eq if self.cmd == Some("data") => match self.at {
                Some(s) if s.kind == (Kind::Str { closed: false }) => {
                    Error::parse("missing closing `\"` after the file name", s.span())
                }
                _ => self.expected("a file name after `=`"),
            },
            Kind::Eq => self.expected("an expression after `=`"),
            Kind::Name if self.cmd == Some("set") && self.at_idx == 2 => {
                self.expected(&format!("a value after `{pt}`"))
            }
            _ => return None,
        })
    }

    /// The line ended where more was needed.
    fn line_ended(&self) -> Option<Error> {
        if self.at.is_some() {
            return None;
        }
        let here = self.here;
        let cmd = self.cmd;
        let open = depth(&self.toks[..self.at_idx]);
        let e = if open > 0 && !matches!(cmd, Some("load" | "save" | "set" | "help" | "del")) {
            Error::parse("expected `)`", here)
                .label("the line ends here")
                .help("a `(` is not closed")
        } else if cmd.is_some_and(|c| NEED_A_POINT.contains(&c)) && !self.seen("at") {
            Error::parse("expected `at` and a point after the expression", here)
        } else if cmd == Some("min") && !self.seen("from") {
            Error::parse(
                "expected `from` and a start point after the expression",
                here,
            )
        } else if matches!(cmd, Some("plot" | "table")) && !self.seen("on") {
            Error::parse(
                "expected `on` and a range `A..B` after the expressions",
                here,
            )
        } else if cmd == Some("table") && !self.seen("step") {
            Error::parse("expected `step` and a step size after the range", here)
        } else if self.prev.is_none() {
            Error::parse("expected an expression", here)
        } else {
            Error::parse("unexpected end of line", here)
        };
        Some(e)
    }

    /// A token that fits nowhere here.
    fn unexpected(&self) -> Error {
        let Some(s) = self.at else {
            return Error::parse("unexpected end of line", self.here);
        };
        let msg = format!("unexpected {}", quote(self.text(s)));
        if self.prev.is_none() && s.kind != Kind::Close {
            return self.expected("an expression");
        }
        match s.kind {
            Kind::Close if signed_depth(&self.toks[..self.at_idx]) <= 0 => {
                Error::parse("unmatched `)`", s.span())
            }
            Kind::Num => Error::parse(msg, s.span()).help(
                "a number cannot follow a factor without an operator: write `*` between them",
            ),
            Kind::Eq if self.keyword_argument() => {
                let name = self.prev.map_or(s, |p| p);
                let line = self.line;
                let fixed = format!("{}{}", &line[..name.start], &line[s.end..]);
                Error::parse(msg, s.span()).help(format!(
                    "arguments go by position, without names: write `{}`",
                    fixed.trim()
                ))
            }
            _ => Error::parse(msg, s.span()),
        }
    }
}

impl Failure<'_> {
    /// Whether the failure is inside a `[` that opens an array literal (one
    /// that follows no name, number or closing bracket).
    fn in_array_literal(&self) -> bool {
        let mut open: Vec<bool> = Vec::new();
        for (i, t) in self.toks[..self.at_idx].iter().enumerate() {
            match self.text(*t) {
                "[" => {
                    let indexes = i > 0
                        && (matches!(self.toks[i - 1].kind, Kind::Name | Kind::Num | Kind::Close)
                            || self.text(self.toks[i - 1]) == "]");
                    open.push(!indexes);
                }
                "]" => {
                    open.pop();
                }
                _ => {}
            }
        }
        open.last().copied().unwrap_or(false)
    }

    /// `name=` right after `(` or `,` inside a call, as Python's keyword
    /// arguments (`sum(x, axis=0)`).
    fn keyword_argument(&self) -> bool {
        let i = self.at_idx;
        i >= 2
            && self.toks[i - 1].kind == Kind::Name
            && matches!(self.toks[i - 2].kind, Kind::Comma | Kind::Open)
            && depth(&self.toks[..i]) > 0
    }
}

/// How many `(` are open after `toks` (never below zero).
fn depth(toks: &[Token]) -> usize {
    toks.iter().fold(0usize, |d, t| match t.kind {
        Kind::Open => d + 1,
        Kind::Close => d.saturating_sub(1),
        _ => d,
    })
}

/// `(` minus `)` over `toks`.
fn signed_depth(toks: &[Token]) -> isize {
    toks.iter().fold(0isize, |d, t| match t.kind {
        Kind::Open => d + 1,
        Kind::Close => d - 1,
        _ => d,
    })
}

/// The error for a reserved word used as a name.
pub(super) fn reserved(word: &str, span: Span) -> Error {
    Error::parse(
        format!("`{word}` is a reserved word and cannot be used as a name"),
        span,
    )
    .help(format!("reserved words: {}", RESERVED.join(", ")))
}

/// `text` in backquotes, shortened if long.
pub(super) fn quote(text: &str) -> String {
    const MAX: usize = 24;
    if text.chars().count() > MAX {
        let short: String = text.chars().take(MAX).collect();
        format!("`{short}…`")
    } else {
        format!("`{text}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_the_tokens_a_reader_sees() {
        let f = Failure::new("2.5e-3x ** (y) # c", 0, true);
        let kinds: Vec<Kind> = f.toks.iter().map(|t| t.kind).collect();
        use Kind::*;
        assert_eq!(kinds, [Num, Name, Op, Open, Name, Close]);
    }
}
