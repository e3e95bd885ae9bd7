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

impl BinOp {
    /// How the operator is written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::MatMul => "@",
        }
    }
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
///
/// A sum of many terms is a tree as deep as it has terms, all down the left
/// side (`((a + b) + c) + …`). `Clone`, `PartialEq`, `Drop` and `Display`
/// walk that left spine with a loop, so a flat chain costs heap, not stack:
/// recursion goes only into right operands, arguments and signs, whose depth
/// the parser bounds.
#[derive(Debug)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

impl Expr {
    /// The binary nodes down the left side of `self`, top first, and the
    /// first operand that is not a binary node.
    pub fn left_spine(&self) -> (Vec<&Expr>, &Expr) {
        let mut spine = Vec::new();
        let mut e = self;
        while let ExprKind::Binary { lhs, .. } = &e.kind {
            spine.push(e);
            e = lhs;
        }
        (spine, e)
    }
}

impl Clone for Expr {
    fn clone(&self) -> Expr {
        let (spine, leaf) = self.left_spine();
        let mut acc = Expr {
            kind: leaf.kind.clone(),
            span: leaf.span,
        };
        for node in spine.into_iter().rev() {
            if let ExprKind::Binary {
                op, rhs, implicit, ..
            } = &node.kind
            {
                acc = Expr {
                    kind: ExprKind::Binary {
                        op: *op,
                        lhs: Box::new(acc),
                        rhs: rhs.clone(),
                        implicit: *implicit,
                    },
                    span: node.span,
                };
            }
        }
        acc
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Expr) -> bool {
        let (mut a, mut b) = (self, other);
        loop {
            if a.span != b.span {
                return false;
            }
            match (&a.kind, &b.kind) {
                (
                    ExprKind::Binary {
                        op: o1,
                        lhs: l1,
                        rhs: r1,
                        implicit: i1,
                    },
                    ExprKind::Binary {
                        op: o2,
                        lhs: l2,
                        rhs: r2,
                        implicit: i2,
                    },
                ) => {
                    if o1 != o2 || i1 != i2 || r1 != r2 {
                        return false;
                    }
                    (a, b) = (l1, l2);
                }
                (k1, k2) => return k1 == k2,
            }
        }
    }
}

impl Drop for Expr {
    fn drop(&mut self) {
        // Detach the children and drop them from a stack, each emptied of its
        // own children first: no drop recurses more than one level.
        let mut stack: Vec<Expr> = Vec::new();
        let detach = |kind: &mut ExprKind, stack: &mut Vec<Expr>| match kind {
            ExprKind::Unary(_, a) => stack.push(std::mem::replace(&mut **a, Expr::leaf())),
            ExprKind::Binary { lhs, rhs, .. } => {
                stack.push(std::mem::replace(&mut **lhs, Expr::leaf()));
                stack.push(std::mem::replace(&mut **rhs, Expr::leaf()));
            }
            ExprKind::Call { args, .. } => stack.append(args),
            _ => {}
        };
        detach(&mut self.kind, &mut stack);
        while let Some(mut e) = stack.pop() {
            detach(&mut e.kind, &mut stack);
        }
    }
}

impl Expr {
    /// A placeholder left where a child was taken out.
    fn leaf() -> Expr {
        Expr {
            kind: ExprKind::Num(0.0),
            span: Span::default(),
        }
    }
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
    /// `x[0]`, `A[1, 0]`, `A[:, 0]`, `x[1:3]`: 0-based indexes and slices
    /// into an array.
    Index {
        /// What is indexed.
        base: Box<Expr>,
        /// One subscript per axis, from the first.
        indices: Vec<Subscript>,
    },
}

/// One subscript of an index.
#[derive(Clone, Debug, PartialEq)]
pub enum Subscript {
    /// `0`, `-1`: one position along the axis, which the result drops.
    At(Expr),
    /// `1:3`, `:2`, `:`, `::-1`: the positions from `start` up to and
    /// without `stop`, `step` apart, as in NumPy; the result keeps the axis.
    Slice {
        /// The first position.
        start: Option<Expr>,
        /// The position after the last.
        stop: Option<Expr>,
        /// The distance between positions (1 if absent).
        step: Option<Expr>,
        /// The whole `start:stop:step`.
        span: Span,
    },
}

impl Subscript {
    /// The expressions written in it.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        let (a, b, c) = match self {
            Subscript::At(e) => (Some(e), None, None),
            Subscript::Slice {
                start, stop, step, ..
            } => (start.as_ref(), stop.as_ref(), step.as_ref()),
        };
        a.into_iter().chain(b).chain(c)
    }

    /// The expressions written in it, to change.
    pub fn exprs_mut(&mut self) -> impl Iterator<Item = &mut Expr> {
        let (a, b, c) = match self {
            Subscript::At(e) => (Some(e), None, None),
            Subscript::Slice {
                start, stop, step, ..
            } => (start.as_mut(), stop.as_mut(), step.as_mut()),
        };
        a.into_iter().chain(b).chain(c)
    }

    /// Where it was written.
    pub fn span(&self) -> Span {
        match self {
            Subscript::At(e) => e.span,
            Subscript::Slice { span, .. } => *span,
        }
    }
}

impl fmt::Display for Subscript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subscript::At(e) => write!(f, "{e}"),
            Subscript::Slice {
                start, stop, step, ..
            } => {
                if let Some(a) = start {
                    write!(f, "{a}")?;
                }
                write!(f, ":")?;
                if let Some(b) = stop {
                    write!(f, "{b}")?;
                }
                if let Some(c) = step {
                    write!(f, ":{c}")?;
                }
                Ok(())
            }
        }
    }
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
            ExprKind::Binary { .. } => fmt_chain(self, f),
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
                for (i, s) in indices.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{s}")?;
                }
                write!(f, "]")
            }
        }
    }
}

/// A binary node and the binary nodes down its left side, printed with a
/// loop: the parentheses each left operand needs open first, outermost
/// first, and close after it, innermost first.
fn fmt_chain(e: &Expr, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let (spine, leaf) = e.left_spine();
    // Whether the left operand of each spine node needs parentheses.
    let left_paren = |node: &Expr| match &node.kind {
        ExprKind::Binary { op, lhs, .. } => {
            let p = prec(node);
            // `^` is right-associative: its left side needs them at equal precedence.
            if *op == BinOp::Pow {
                prec(lhs) <= p
            } else {
                prec(lhs) < p
            }
        }
        _ => false,
    };
    for node in &spine {
        if left_paren(node) {
            write!(f, "(")?;
        }
    }
    write!(f, "{leaf}")?;
    for node in spine.iter().rev() {
        if left_paren(node) {
            write!(f, ")")?;
        }
        let ExprKind::Binary { op, rhs, .. } = &node.kind else {
            continue;
        };
        let sym = op.symbol();
        let right_paren = if *op == BinOp::Pow {
            write!(f, "{sym}")?;
            prec(rhs) < level(Op::Neg)
        } else {
            write!(f, " {sym} ")?;
            prec(rhs) <= prec(node)
        };
        paren(rhs, right_paren, f)?;
    }
    Ok(())
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
