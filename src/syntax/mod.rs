//! ① Text → tree: the syntax tree, the command table, the parser, and the
//! walks over a tree.
//!
//! [`parse_line`] turns one line into a [`Stmt`]; [`parse_expr`] one
//! expression into an [`Expr`]. `Display` on an [`Expr`] prints text that
//! parses back to the same tree.

mod ast;
mod commands;
pub(crate) mod lines;
pub mod notations;
mod parse;
mod precedence;
mod stmt;
pub mod tokens;
mod visit;

pub use crate::span::Span;
pub use ast::{BinOp, Expr, ExprKind, Ident, Point, Subscript, UnOp};
pub use commands::{COMMANDS, Command, CommandInfo, Domain, Opt, Range, info as command_info};
pub use lines::{decode_line, lossy, split_lines, split_statements};
pub use parse::{MAX_TREE_DEPTH, RESERVED, parse_expr, parse_line};
pub use stmt::{Stmt, StmtKind};
pub use visit::{name_span, names_in, walk};
