//! Formulas as deriv's own syntax: text that parses back to the same function.
//!
//! The fewest parentheses the precedence needs, `-` folded into differences,
//! negative powers written as quotients (`-1/x^2`), `x^(1/2)` as `sqrt(x)`,
//! and implicit products only where they cannot be misread: after a number
//! (`2x`, `2(x + 1)`, `2sin(x)`) or a parenthesised group (`(x1 + 5)x2`),
//! never before a name with digits (`2*x2`, since `2x2` reads as a name) and
//! never after a name (`x(…)` would be a call).

use super::coef::Coef;
use super::simplify::Sym;
use crate::builtins;

/// A product laid out as a person writes it: sign, numerator, denominator.
pub(super) struct Layout<'s> {
    /// A leading minus.
    pub negative: bool,
    /// The numerator's number, when not 1 (or when nothing else is there).
    pub num_coef: Option<Coef>,
    /// The numerator's other factors.
    pub num: Vec<Factor<'s>>,
    /// The denominator's number, when not 1.
    pub den_coef: Option<Coef>,
    /// The denominator's factors (exponents made positive).
    pub den: Vec<Factor<'s>>,
}

/// A factor: `base^exp` with the exponent already made positive.
pub(super) struct Factor<'s> {
    /// The base.
    pub base: &'s Sym,
    /// The exponent, `None` for 1.
    pub exp: Option<Sym>,
}

impl Factor<'_> {
    /// `x^(1/2)`, printed `sqrt(x)`.
    pub fn is_sqrt(&self) -> bool {
        matches!(&self.exp, Some(Sym::Num(Coef::Rat(1, 2))))
    }
}

/// Lays out a term or product.
pub(super) fn layout(s: &Sym) -> Layout<'_> {
    let (coef, factors): (Coef, &[Sym]) = match s {
        Sym::Num(c) => (*c, &[]),
        Sym::Mul(v) => match v[0].as_num() {
            Some(c) => (c, &v[1..]),
            None => (Coef::int(1), &v[..]),
        },
        _ => (Coef::int(1), std::slice::from_ref(s)),
    };
    let negative = coef.is_negative();
    let c = if negative { coef.negated() } else { coef };
    let (top, bottom) = match c.parts() {
        Some((p, q)) => (Coef::int(p), Coef::int(q)),
        None => (c, Coef::int(1)),
    };
    let mut num = Vec::new();
    let mut den = Vec::new();
    for f in factors {
        match f {
            Sym::Pow(b, e) if e.as_num().is_some_and(Coef::is_negative) => {
                let k = e.as_num().map(Coef::negated).unwrap_or(Coef::int(1));
                den.push(Factor {
                    base: b,
                    exp: (!k.is_one()).then_some(Sym::Num(k)),
                });
            }
            // `a^(-u)` is `1/a^u`, and `a^(-u - 1)` is `1/a^(u + 1)`.
            Sym::Pow(b, e) if e.as_num().is_none() && negative_exponent(e) => {
                let k = super::simplify::neg((**e).clone());
                den.push(Factor {
                    base: b,
                    exp: (!k.is_one()).then_some(k),
                });
            }
            Sym::Pow(b, e) => num.push(Factor {
                base: b,
                exp: Some((**e).clone()),
            }),
            f => num.push(Factor { base: f, exp: None }),
        }
    }
    Layout {
        negative,
        num_coef: (!top.is_one() || num.is_empty()).then_some(top),
        num,
        den_coef: (!bottom.is_one()).then_some(bottom),
        den,
    }
}

/// Whether an exponent reads better negated, in a denominator: a negative
/// multiple, or a sum of terms that are all negative.
fn negative_exponent(e: &Sym) -> bool {
    match e {
        Sym::Add(v) => v.iter().all(|t| t.coef_factors().0.is_negative()),
        e => e.coef_factors().0.is_negative(),
    }
}

/// The formula as text.
pub fn text(s: &Sym) -> String {
    let mut out = String::new();
    write(s, &mut out);
    out
}

fn write(s: &Sym, out: &mut String) {
    match s {
        Sym::Add(terms) => write_sum(&reading_order(terms), out),
        _ => {
            let l = layout(s);
            if l.negative {
                out.push('-');
            }
            write_layout(&l, out);
        }
    }
}

/// The terms in the order they are read: as canonical, except that a sum
/// starting with a minus starts with its first positive term instead
/// (`1 - x^2`, not `-x^2 + 1`).
pub(super) fn reading_order(terms: &[Sym]) -> Vec<&Sym> {
    let mut v: Vec<&Sym> = terms.iter().collect();
    if layout(v[0]).negative
        && let Some(i) = v.iter().position(|t| !layout(t).negative)
    {
        let t = v.remove(i);
        v.insert(0, t);
    }
    v
}

/// What goes before the `i`-th term of a sum: its sign, spaced unless first.
pub(super) fn joiner(i: usize, negative: bool) -> &'static str {
    match (i, negative) {
        (0, true) => "-",
        (0, false) => "",
        (_, true) => " - ",
        (_, false) => " + ",
    }
}

fn write_sum(terms: &[&Sym], out: &mut String) {
    for (i, t) in terms.iter().enumerate() {
        let l = layout(t);
        out.push_str(joiner(i, l.negative));
        write_layout(&l, out);
    }
}

/// The plain digits of a number, if it has no exponent or sign (safe before
/// an implicit product).
fn number(c: Coef) -> String {
    match c {
        Coef::Rat(p, 1) => p.to_string(),
        Coef::Rat(p, q) => format!("{p}/{q}"),
        Coef::Real(v) => crate::format::shortest(v),
    }
}

fn write_layout(l: &Layout<'_>, out: &mut String) {
    write_factors(l.num_coef, &l.num, out);
    if l.den_coef.is_none() && l.den.is_empty() {
        return;
    }
    out.push('/');
    let pieces = l.den.len() + usize::from(l.den_coef.is_some());
    if pieces > 1 {
        out.push('(');
    }
    write_factors(l.den_coef, &l.den, out);
    if pieces > 1 {
        out.push(')');
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Piece {
    /// A number of plain digits: a following word or group may be juxtaposed.
    Digits,
    /// A bare `( … )`: anything but a number may follow juxtaposed.
    Group,
    /// Anything else.
    Other,
}

/// Whether `f`, printed, may follow a number or a group without `*`, and
/// whether it is itself a bare group.
fn starts_safely(f: &Factor<'_>, after_digits: bool) -> bool {
    if f.is_sqrt() {
        return true;
    }
    match f.base {
        Sym::Add(_) | Sym::Call(..) | Sym::Const(_) => true,
        Sym::Name(n) => !after_digits || !n.bytes().any(|b| b.is_ascii_digit()),
        Sym::Pow(..) | Sym::Mul(_) => true,
        Sym::Num(_) => false,
    }
}

fn write_factors(coef: Option<Coef>, fs: &[Factor<'_>], out: &mut String) {
    let mut last = Piece::Other;
    let mut first = true;
    if let Some(c) = coef {
        let t = number(c);
        last = if t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            Piece::Digits
        } else {
            Piece::Other
        };
        if t.contains('/') || t.starts_with('-') {
            out.push('(');
            out.push_str(&t);
            out.push(')');
            last = Piece::Group;
        } else {
            out.push_str(&t);
        }
        first = false;
    }
    for f in fs {
        if !first {
            let implicit = match last {
                Piece::Digits => starts_safely(f, true),
                Piece::Group => starts_safely(f, false),
                Piece::Other => false,
            };
            if !implicit {
                out.push('*');
            }
        }
        first = false;
        last = write_factor(f, out);
    }
}

fn write_factor(f: &Factor<'_>, out: &mut String) -> Piece {
    if f.is_sqrt() {
        out.push_str("sqrt(");
        write(f.base, out);
        out.push(')');
        return Piece::Other;
    }
    let grouped = write_base(f.base, out);
    match &f.exp {
        None if grouped => Piece::Group,
        None => Piece::Other,
        Some(e) => {
            out.push('^');
            write_exponent(e, out);
            Piece::Other
        }
    }
}

/// A power's base or a lone factor; returns whether it was parenthesised.
fn write_base(b: &Sym, out: &mut String) -> bool {
    match b {
        Sym::Name(n) => out.push_str(n),
        Sym::Const(c) => out.push_str(c.name()),
        Sym::Call(id, args) => {
            out.push_str(builtins::builtin(*id).name);
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(a, out);
            }
            out.push(')');
        }
        Sym::Num(c) if !c.is_negative() && c.parts().is_none_or(|(_, q)| q == 1) => {
            out.push_str(&number(*c));
        }
        Sym::Pow(_, e) if e.as_num() == Some(Coef::Rat(1, 2)) => write(b, out),
        _ => {
            out.push('(');
            write(b, out);
            out.push(')');
            return true;
        }
    }
    false
}

fn write_exponent(e: &Sym, out: &mut String) {
    match e {
        Sym::Name(_) | Sym::Const(_) | Sym::Call(..) => write(e, out),
        Sym::Num(c) if !c.is_negative() && c.parts().is_none_or(|(_, q)| q == 1) => {
            out.push_str(&number(*c));
        }
        _ => {
            out.push('(');
            write(e, out);
            out.push(')');
        }
    }
}

/// How many tokens the printed formula has (names, numbers, operators,
/// parentheses, commas; a juxtaposition counts as none): the measure of
/// length used to pick between equivalent forms and to compare with SymPy.
pub fn tokens(s: &Sym) -> usize {
    count_tokens(&text(s))
}

/// Tokens of a formula's text (see [`tokens`]).
pub fn count_tokens(t: &str) -> usize {
    let b = t.as_bytes();
    let mut i = 0;
    let mut n = 0;
    while i < b.len() {
        let c = b[i];
        if c == b' ' {
            i += 1;
            continue;
        }
        n += 1;
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
        } else if c.is_ascii_digit() || c == b'.' {
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            if i + 1 < b.len()
                && (b[i] == b'e' || b[i] == b'E')
                && (b[i + 1].is_ascii_digit() || b[i + 1] == b'-' || b[i + 1] == b'+')
            {
                i += 2;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
        } else if c == b'*' && b.get(i + 1) == Some(&b'*') {
            i += 2;
        } else {
            i += 1;
        }
    }
    n
}
