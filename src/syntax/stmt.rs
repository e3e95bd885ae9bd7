//! A parsed line: a statement, or a `:command`.

use super::ast::{Expr, Ident, Point};
use super::commands::Command;
use crate::span::Span;

/// A parsed line.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// What it is.
    pub kind: StmtKind,
    /// The whole statement.
    pub span: Span,
}

/// The kinds of statement, and the commands (docs/language.md §2, §3).
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// A blank line or a comment.
    Empty,
    /// `EXPR`: print its value.
    Expr(Expr),
    /// `name = EXPR`.
    Assign {
        /// The variable.
        name: Ident,
        /// Its value.
        value: Expr,
    },
    /// `f(x, y) = EXPR`.
    Define {
        /// The function.
        name: Ident,
        /// Its parameters.
        params: Vec<Ident>,
        /// Its body.
        body: Expr,
    },
    /// `EXPR at POINT`: the full report.
    Report {
        /// The expression.
        expr: Expr,
        /// Where.
        point: Point,
    },
    /// A `:command`.
    Command(Command),
}
