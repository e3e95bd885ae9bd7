//! The `:commands`: their parsed form, and the table that documents them.
//!
//! The table [`COMMANDS`] is the one place that lists command names, their
//! syntax and their one-line help; `:help`, completion and hints read it.

use super::ast::{Expr, Ident, Point};
use crate::span::Span;

/// A parsed `:command`.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `:grad EXPR at POINT`
    Grad {
        /// What to differentiate.
        expr: Expr,
        /// Where.
        point: Point,
    },
    /// `:diff EXPR [wrt NAME] at POINT` (`wrt` may also follow the point)
    Diff {
        /// What to differentiate.
        expr: Expr,
        /// The variable, if named.
        wrt: Option<Ident>,
        /// Where.
        point: Point,
    },
    /// `:hess EXPR at POINT`
    Hess {
        /// What to differentiate.
        expr: Expr,
        /// Where.
        point: Point,
    },
    /// `:check EXPR at POINT`
    Check {
        /// What to differentiate.
        expr: Expr,
        /// Where.
        point: Point,
    },
    /// `:jac EXPR, EXPR, … at POINT`
    Jac {
        /// The outputs.
        exprs: Vec<Expr>,
        /// Where.
        point: Point,
    },
    /// `:limit EXPR [wrt NAME] at POINT`
    Limit {
        /// What to differentiate.
        expr: Expr,
        /// The variable, if named.
        wrt: Option<Ident>,
        /// Where.
        point: Point,
    },
    /// `:tangent EXPR at POINT`
    Tangent {
        /// The function.
        expr: Expr,
        /// Where.
        point: Point,
    },
    /// `:taylor EXPR at POINT [order N]`
    Taylor {
        /// The function.
        expr: Expr,
        /// Where.
        point: Point,
        /// The order, as written.
        order: Option<Expr>,
    },
    /// `:trace EXPR [wrt NAME] at POINT`
    Trace {
        /// The expression.
        expr: Expr,
        /// The variable the tangent column is taken along.
        wrt: Option<Ident>,
        /// Where.
        point: Point,
    },
    /// `:min EXPR from POINT [key=value …]`
    Min {
        /// What to minimise.
        expr: Expr,
        /// The start.
        point: Point,
        /// `lr=`, `steps=`, `method=`, `tol=` as written.
        options: Vec<Opt>,
    },
    /// `:plot EXPR, … on A..B [svg=FILE]` or `on VECTOR`
    Plot {
        /// The curves.
        exprs: Vec<Expr>,
        /// The horizontal axis.
        on: Domain,
        /// `svg=` as written.
        options: Vec<Opt>,
    },
    /// `:table EXPR, … on A..B step S` or `on VECTOR`
    Table {
        /// The columns.
        exprs: Vec<Expr>,
        /// The rows' points.
        on: Domain,
    },
    /// `:sym EXPR [wrt NAME | wrt NAME, NAME] [at POINT] [as latex]`
    Sym {
        /// What to differentiate.
        expr: Expr,
        /// No name: every partial; one: that one; two: the second partial.
        wrt: Vec<Ident>,
        /// Where to evaluate the formulas, if anywhere.
        point: Option<Point>,
        /// Print LaTeX too.
        latex: bool,
    },
    /// `:steps EXPR [wrt NAME]`
    Steps {
        /// What to differentiate.
        expr: Expr,
        /// The variable, if named.
        wrt: Option<Ident>,
    },
    /// `:load FILE`
    Load {
        /// The path as written (quotes removed).
        path: String,
        /// Where the path was written.
        span: Span,
    },
    /// `:save FILE`
    Save {
        /// The path as written (quotes removed).
        path: String,
        /// Where the path was written.
        span: Span,
    },
    /// `:data FILE.csv` or `:data NAME = FILE.csv`
    Data {
        /// The matrix's name, when the whole table is one matrix.
        name: Option<Ident>,
        /// The path as written (quotes removed).
        path: String,
        /// Where the path was written.
        span: Span,
    },
    /// `:set OPTION VALUE` (or `:set` alone: list the settings)
    Set {
        /// The option and its value, as words.
        option: Option<(Ident, Ident)>,
    },
    /// `:vars`
    Vars,
    /// `:funcs`
    Funcs,
    /// `:del NAME …`
    Del {
        /// What to delete.
        names: Vec<Ident>,
    },
    /// `:clear`
    Clear,
    /// `:help [TOPIC]`
    Help {
        /// The topic.
        topic: Option<Ident>,
    },
    /// `:quit`
    Quit,
}

/// `A..B` as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    /// Start.
    pub from: Expr,
    /// End.
    pub to: Expr,
    /// The whole range.
    pub span: Span,
}

/// Where `:plot` and `:table` evaluate.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    /// `A..B`, and `:table`'s step.
    Range(Range, Option<Expr>),
    /// The entries of a vector, as NumPy's `plt.plot(x, f(x))`.
    Values(Expr),
}

/// A `key=value` option as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Opt {
    /// The key.
    pub key: Ident,
    /// The value (quotes removed).
    pub value: String,
    /// Where the value was written.
    pub value_span: Span,
}

/// One line of the command table.
#[derive(Clone, Copy, Debug)]
pub struct CommandInfo {
    /// The name without the colon.
    pub name: &'static str,
    /// Its syntax, as shown by `:help` and in hints.
    pub syntax: &'static str,
    /// One sentence.
    pub summary: &'static str,
    /// An example that runs (may need definitions made by earlier examples).
    pub example: &'static str,
}

/// Every command, in the order `:help` lists them.
pub const COMMANDS: &[CommandInfo] = &[
    CommandInfo {
        name: "grad",
        syntax: ":grad EXPR at POINT",
        summary: "value and gradient, with the finite-difference check",
        example: ":grad (x1+5)*x2^2 at 2, 3",
    },
    CommandInfo {
        name: "diff",
        syntax: ":diff EXPR [wrt NAME] at POINT",
        summary: "value, first and second derivative (partial ones with wrt), with the check",
        example: ":diff 3x^2+2x-1 at 1",
    },
    CommandInfo {
        name: "hess",
        syntax: ":hess EXPR at POINT",
        summary: "value, gradient and Hessian (past 12 variables: its nonzero entries), with the check",
        example: ":hess (x1+5)*x2^2 at x1=2, x2=3",
    },
    CommandInfo {
        name: "check",
        syntax: ":check EXPR at POINT",
        summary: "every partial derivative: AD, finite difference, error estimate, relative error, verdict",
        example: ":check sin(x)*y^2 at 1, 2",
    },
    CommandInfo {
        name: "jac",
        syntax: ":jac EXPR, EXPR, ... at POINT",
        summary: "each output's value and the Jacobian",
        example: ":jac x1*x2, x1+x2 at 1, 2",
    },
    CommandInfo {
        name: "limit",
        syntax: ":limit EXPR [wrt NAME] at POINT",
        summary: "difference quotients as h shrinks, against the AD derivative",
        example: ":limit 3x^2-4x at 1",
    },
    CommandInfo {
        name: "tangent",
        syntax: ":tangent EXPR at POINT",
        summary: "the tangent line y = m*x + b (one variable) or plane (two)",
        example: ":tangent 3x^2-4x at 1",
    },
    CommandInfo {
        name: "taylor",
        syntax: ":taylor EXPR at POINT [order N]",
        summary: "Taylor coefficients up to order N (default 6)",
        example: ":taylor exp(x) at 0 order 8",
    },
    CommandInfo {
        name: "trace",
        syntax: ":trace EXPR [wrt NAME] at POINT",
        summary: "the evaluation trace: values and tangents (or gradients)",
        example: ":trace sin(x)*y^2 wrt x at 1, 2",
    },
    CommandInfo {
        name: "min",
        syntax: ":min EXPR from POINT [OPTION=VALUE ...]",
        summary: "descend to a minimum; options lr= steps= method=gd|momentum|adam|newton tol=",
        example: ":min 3x^2+2x+1 from 2 lr=0.3 steps=100",
    },
    CommandInfo {
        name: "plot",
        syntax: ":plot EXPR, ... on A..B [svg=FILE]",
        summary: "a chart in the terminal; svg=FILE also writes an SVG",
        example: ":plot x^2+3x+2, 2x+3 on -6.5..3.5",
    },
    CommandInfo {
        name: "table",
        syntax: ":table EXPR, ... on A..B step S",
        summary: "a table of values, f'(x) allowed",
        example: ":table x^2, 2x on 0..1 step 0.25",
    },
    CommandInfo {
        name: "sym",
        syntax: ":sym EXPR [wrt X[, Y]] [at POINT]",
        summary: "the derivative as a formula (wrt X, Y: a second partial; add `as latex` for LaTeX); at POINT beside the numbers",
        example: ":sym 3x^2+2x-1",
    },
    CommandInfo {
        name: "steps",
        syntax: ":steps EXPR [wrt NAME]",
        summary: "the derivation, one rule a line, ending in the simplified formula",
        example: ":steps sin(x^2)",
    },
    CommandInfo {
        name: "vars",
        syntax: ":vars",
        summary: "list the variables defined in this session",
        example: ":vars",
    },
    CommandInfo {
        name: "funcs",
        syntax: ":funcs",
        summary: "list the functions defined in this session",
        example: ":funcs",
    },
    CommandInfo {
        name: "del",
        syntax: ":del NAME ...",
        summary: "delete variables or functions",
        example: ":del a",
    },
    CommandInfo {
        name: "clear",
        syntax: ":clear",
        summary: "delete every definition",
        example: ":clear",
    },
    CommandInfo {
        name: "load",
        syntax: ":load FILE",
        summary: "run a script file, line by line",
        example: ":load defs.deriv",
    },
    CommandInfo {
        name: "save",
        syntax: ":save FILE",
        summary: "write the session's definitions as a script that :load reads back",
        example: ":save defs.deriv",
    },
    CommandInfo {
        name: "data",
        syntax: ":data FILE.csv | :data NAME = FILE.csv",
        summary: "read a CSV file with a header: a vector per numeric column, or the whole table as a matrix",
        example: ":data points.csv",
    },
    CommandInfo {
        name: "set",
        syntax: ":set check on|off | :set digits N|auto | :set formulas on|off|auto",
        summary: "change a setting; :set alone lists them",
        example: ":set digits 6",
    },
    CommandInfo {
        name: "help",
        syntax: ":help [TOPIC]",
        summary: "this list, or help on a command, a function or `syntax`",
        example: ":help grad",
    },
    CommandInfo {
        name: "quit",
        syntax: ":quit",
        summary: "leave deriv",
        example: ":quit",
    },
];

/// The table entry for `name` (without the colon).
pub fn info(name: &str) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|c| c.name == name)
}
