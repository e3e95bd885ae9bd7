//! The syntax tree: expressions, statements and commands, each node with its span.
//!
//! `Display` prints a form that parses back to the same tree (with the fewest
//! parentheses the precedence table needs).

use super::precedence::{ATOM, Op, level};
use crate::span::Span;
use std::fmt;

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`, or an implicit product such as `2x`
    Mul,
    /// `/`
    Div,
    /// `^` or `**`
    Pow,
    /// `@`, the matrix product (binds like `*`)
    MatMul,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `+x`
    Plus,
}

/// An expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number literal.
    Num(f64),
    /// A plain name: a parameter, a variable, a constant, or (bare, at the top of a
    /// command) a user function standing for its call on its own parameters.
    Name(String),
    /// A function named with primes and no arguments: `f'` in `:plot f, f'`.
    FuncRef {
        /// The function's name.
        name: String,
        /// How many primes (at least 1).
        primes: u32,
    },
    /// `-x`, `+x`.
    Unary(UnOp, Box<Expr>),
    /// `a + b` etc.; `implicit` is true for a juxtaposition such as `2x`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
        /// Written without `*` (`2x`, `(a+b)c`).
        implicit: bool,
    },
    /// `sin(x)`, `g(1, 2)`, `f''(x)`.
    Call {
        /// The function called.
        func: Ident,
        /// Number of primes after the name (`f''` has 2).
        primes: u32,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `[1, 2]`, `[[0, 0], [1, 2]]`: the elements of a vector, or the rows of
    /// a matrix.
    Array(Vec<Expr>),
    /// `x[0]`, `A[1, 0]`: 0-based indexes into an array.
    Index {
        /// What is indexed.
        base: Box<Expr>,
        /// One index per axis, from the first.
        indices: Vec<Expr>,
    },
}

/// A point: `2, 3` or `x1=2, x2=3`.
#[derive(Clone, Debug, PartialEq)]
pub enum Point {
    /// Values in order.
    Positional(Vec<Expr>),
    /// Named values.
    Named(Vec<(Ident, Expr)>),
}

// ---------------------------------------------------------------- Display

/// How tightly `e` binds when printed, from the precedence table.
fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => level(match op {
            BinOp::Add => Op::Add,
            BinOp::Sub => Op::Sub,
            BinOp::Mul => Op::Mul,
            BinOp::Div => Op::Div,
            BinOp::Pow => Op::Pow,
            BinOp::MatMul => Op::MatMul,
        }),
        ExprKind::Unary(..) => level(Op::Neg),
        ExprKind::Num(v) if *v < 0.0 || v.is_sign_negative() => level(Op::Neg),
        _ => ATOM,
    }
}

fn fmt_num(v: f64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if v.is_nan() {
        write!(f, "nan")
    } else if v.is_infinite() {
        write!(f, "{}", if v > 0.0 { "inf" } else { "-inf" })
    } else {
        write!(f, "{}", crate::format::shortest(v))
    }
}

fn paren(e: &Expr, needed: bool, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if needed {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

/// `a, b, c`
fn list(items: &[Expr], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for (i, a) in items.iter().enumerate() {
        if i > 0 {
            write!(f, ", ")?;
        }
        write!(f, "{a}")?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Num(v) => fmt_num(*v, f),
            ExprKind::Name(n) => write!(f, "{n}"),
            ExprKind::FuncRef { name, primes } => {
                write!(f, "{name}{}", "'".repeat(*primes as usize))
            }
            ExprKind::Unary(op, e) => {
                write!(f, "{}", if *op == UnOp::Neg { "-" } else { "+" })?;
                // `-(-x)` must not print as `--x`'s look-alike `- -x`; parenthesise
                // anything looser than a power.
                paren(e, prec(e) < level(Op::Pow), f)
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let p = prec(self);
                match op {
                    BinOp::Pow => {
                        // right-associative: the left side needs parentheses at equal precedence
                        paren(lhs, prec(lhs) <= p, f)?;
                        write!(f, "^")?;
                        paren(rhs, prec(rhs) < level(Op::Neg), f)
                    }
                    _ => {
                        let sym = match op {
                            BinOp::Add => " + ",
                            BinOp::Sub => " - ",
                            BinOp::Mul => " * ",
                            BinOp::MatMul => " @ ",
                            _ => " / ",
                        };
                        // a leading minus on the left is fine in `-x * y`, but keep
                        // the tree the same: `-x*y` parses as `(-x)*y` already.
                        paren(lhs, prec(lhs) < p, f)?;
                        write!(f, "{sym}")?;
                        paren(rhs, prec(rhs) <= p, f)
                    }
                }
            }
            ExprKind::Call { func, primes, args } => {
                write!(f, "{}{}(", func.name, "'".repeat(*primes as usize))?;
                list(args, f)?;
                write!(f, ")")
            }
            ExprKind::Array(items) => {
                write!(f, "[")?;
                list(items, f)?;
                write!(f, "]")
            }
            ExprKind::Index { base, indices } => {
                paren(base, prec(base) < 5, f)?;
                write!(f, "[")?;
                list(indices, f)?;
                write!(f, "]")
            }
        }
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Point::Positional(v) => {
                for (i, e) in v.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            Point::Named(v) => {
                for (i, (n, e)) in v.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}={e}", n.name)?;
                }
                Ok(())
            }
        }
    }
}
