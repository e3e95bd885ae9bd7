//! What running a statement produces: plain data, rendered by the binary.

mod arrays;
pub use arrays::{ArrayDerivatives, ArrayJacobian, ArrayOutcome, CheckCoverage, DataLoaded};

use crate::check::CheckReport;
pub use crate::engine::{RowKind, TraceRow};
use crate::error::{Error, Warning};
pub use crate::optimize::{Method, Progress, Stop};

mod formulas;
pub use formulas::{Agreement, Derivation, Formula, Formulas, RowFormula};

/// Which derivative command produced a [`Derivatives`] result (the `kind` key
/// of `--json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DerivKind {
    /// `EXPR at POINT`: value, gradient, Hessian and check.
    Report,
    /// `:grad`
    Grad,
    /// `:diff`
    Diff,
    /// `:hess`
    Hess,
    /// `:check`: the full per-entry table.
    Check,
}

impl DerivKind {
    /// The name used in `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            DerivKind::Report => "report",
            DerivKind::Grad => "grad",
            DerivKind::Diff => "diff",
            DerivKind::Hess => "hess",
            DerivKind::Check => "check",
        }
    }
}

/// Derivatives of one expression at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct Derivatives {
    /// Which command.
    pub kind: DerivKind,
    /// The expression, as it parses back.
    pub expr: String,
    /// The variables, in the order of `point`, `gradient` and the Hessian's rows.
    pub vars: Vec<String>,
    /// The point.
    pub point: Vec<f64>,
    /// The value there.
    pub value: f64,
    /// ∂f/∂vars, when computed.
    pub gradient: Option<Vec<f64>>,
    /// The Hessian's rows, when computed.
    pub hessian: Option<Vec<Vec<f64>>>,
    /// `:diff`: the variable differentiated with respect to.
    pub wrt: Option<String>,
    /// `:diff`: the first derivative.
    pub derivative: Option<f64>,
    /// `:diff`: the second derivative.
    pub second: Option<f64>,
    /// The finite-difference check, unless turned off.
    pub check: Option<CheckReport>,
    /// Warnings (non-differentiable points, domain errors).
    pub warnings: Vec<Warning>,
    /// The derivatives' formulas, when `:set formulas` shows them.
    pub formulas: Vec<RowFormula>,
}

/// `:jac`: several outputs, one Jacobian.
#[derive(Clone, Debug, PartialEq)]
pub struct Jacobian {
    /// The outputs, as they parse back.
    pub exprs: Vec<String>,
    /// The variables: the union of the free names, in order of first appearance.
    pub vars: Vec<String>,
    /// The point.
    pub point: Vec<f64>,
    /// Each output's value.
    pub values: Vec<f64>,
    /// Row i is the gradient of output i.
    pub jacobian: Vec<Vec<f64>>,
    /// The sum of the rows: what TensorFlow's `tape.gradient([y1, y2], x)` returns.
    pub column_sums: Vec<f64>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// One step size of `:limit`.
#[derive(Clone, Debug, PartialEq)]
pub struct LimitRow {
    /// The step h.
    pub h: f64,
    /// (f(x+h) - f(x)) / h
    pub forward: f64,
    /// |forward - exact|
    pub forward_err: f64,
    /// (f(x+h) - f(x-h)) / 2h
    pub central: f64,
    /// |central - exact|
    pub central_err: f64,
}

/// `:limit`: the difference quotient as h shrinks.
#[derive(Clone, Debug, PartialEq)]
pub struct LimitTable {
    /// The expression.
    pub expr: String,
    /// The variables and the point (the quotient moves `vars[wrt]`).
    pub vars: Vec<String>,
    /// The point.
    pub point: Vec<f64>,
    /// Index of the variable in `vars`.
    pub wrt: usize,
    /// The value at the point.
    pub value: f64,
    /// The derivative by automatic differentiation.
    pub exact: f64,
    /// One row per h = 1e-1 … 1e-12.
    pub rows: Vec<LimitRow>,
    /// `(left, right)` when the one-sided quotients settle on different
    /// values as h shrinks, without the gap closing: a kink, no derivative.
    pub sides: Option<(f64, f64)>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// `:tangent`: value and slopes at the point, as a line or a plane.
#[derive(Clone, Debug, PartialEq)]
pub struct Tangent {
    /// The expression.
    pub expr: String,
    /// One or two variables.
    pub vars: Vec<String>,
    /// The point.
    pub point: Vec<f64>,
    /// The value there.
    pub value: f64,
    /// The slope along each variable (the gradient).
    pub slopes: Vec<f64>,
    /// The constant term: value - slopes·point.
    pub intercept: f64,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// `:taylor`: the coefficients of the series at the point.
#[derive(Clone, Debug, PartialEq)]
pub struct TaylorSeries {
    /// The expression.
    pub expr: String,
    /// The variable.
    pub var: String,
    /// The point.
    pub point: f64,
    /// `coeffs[k]` = f⁽ᵏ⁾(point) / k!
    pub coeffs: Vec<f64>,
    /// `derivatives[k]` = f⁽ᵏ⁾(point)
    pub derivatives: Vec<f64>,
    /// `Some(d)` where only about `d` digits of `coeffs[k]` are correct
    /// (rounding in the f64 Taylor arithmetic, estimated as in
    /// [`crate::num::accuracy`]); `None` where it is accurate to the check's
    /// tolerance.
    pub digits: Vec<Option<u32>>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// `:trace`: the forward-mode evaluation trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// The expression.
    pub expr: String,
    /// The variables.
    pub vars: Vec<String>,
    /// The point.
    pub point: Vec<f64>,
    /// The one variable seeded with tangent 1; `None`: every variable,
    /// so that each row carries its full gradient.
    pub wrt: Option<String>,
    /// In evaluation order; the last row is the result.
    pub rows: Vec<TraceRow>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// `:min`: where the descent went.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    /// The expression.
    pub expr: String,
    /// The variables.
    pub vars: Vec<String>,
    /// Where it started.
    pub start: Vec<f64>,
    /// `gd`, `momentum`, `adam` or `newton`.
    pub method: Method,
    /// The learning rate (step factor).
    pub lr: f64,
    /// The most iterations allowed.
    pub steps: u64,
    /// The gradient-norm tolerance.
    pub tol: f64,
    /// The point reached (the last finite one when it diverged).
    pub point: Vec<f64>,
    /// The value there.
    pub value: f64,
    /// The gradient there.
    pub gradient: Vec<f64>,
    /// Its Euclidean norm.
    pub grad_norm: f64,
    /// Iterations made (updates of the point).
    pub iterations: u64,
    /// Why it stopped.
    pub stop: Stop,
    /// About ten evenly spaced progress lines, the start and the end included.
    pub progress: Vec<Progress>,
    /// Newton only: iterations where the Hessian was not positive definite and was shifted.
    pub shifted: u64,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// One curve of `:plot`.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Its label (the expression as written back).
    pub label: String,
    /// Its value at each x; NaN where undefined.
    pub ys: Vec<f64>,
}

/// `:plot`: sampled curves.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    /// The horizontal axis's name.
    pub var: String,
    /// Range start.
    pub from: f64,
    /// Range end.
    pub to: f64,
    /// The sample points.
    pub xs: Vec<f64>,
    /// The curves.
    pub curves: Vec<Curve>,
    /// The SVG file written, if any.
    pub svg: Option<String>,
    /// The y range asked for with `ylim=A..B`.
    pub ylim: Option<(f64, f64)>,
}

/// `:table`: values at evenly spaced points.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The variable's name.
    pub var: String,
    /// The column headers (the expressions).
    pub columns: Vec<String>,
    /// The points.
    pub xs: Vec<f64>,
    /// `rows[i][j]` is column j at `xs[i]`.
    pub rows: Vec<Vec<f64>>,
}

/// What a definition defined.
#[derive(Clone, Debug, PartialEq)]
pub enum Defined {
    /// `name = value`
    Variable {
        /// Name.
        name: String,
        /// Its value, computed now.
        value: f64,
    },
    /// `name(params) = body`
    Function {
        /// Name.
        name: String,
        /// Parameters.
        params: Vec<String>,
        /// The body as it parses back.
        body: String,
    },
}

/// One line of a script and what it gave.
#[derive(Clone, Debug, PartialEq)]
pub struct LineResult {
    /// 1-based line number.
    pub line: usize,
    /// The text of the line (lossy if it was not UTF-8).
    pub input: String,
    /// What it gave.
    pub result: Result<Outcome, Error>,
}

/// What one statement produced.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A blank or comment line: nothing to show.
    Empty,
    /// `EXPR`: its value.
    Value {
        /// The value.
        value: f64,
        /// Warnings (domain errors).
        warnings: Vec<Warning>,
    },
    /// A definition was made; `replaced` when it replaced one of the same name.
    Defined {
        /// What.
        what: Defined,
        /// It replaced an earlier definition.
        replaced: bool,
        /// Warnings (a constant it hides).
        warnings: Vec<Warning>,
    },
    /// A derivative command or a report.
    Derivatives(Box<Derivatives>),
    /// `:jac`
    Jacobian(Box<Jacobian>),
    /// `:limit`
    Limit(Box<LimitTable>),
    /// `:tangent`
    Tangent(Box<Tangent>),
    /// `:taylor`
    Taylor(Box<TaylorSeries>),
    /// `:trace`
    Trace(Box<Trace>),
    /// `:min`
    Min(Box<Minimum>),
    /// `:plot`
    Plot(Box<Plot>),
    /// `:table`
    Table(Box<Table>),
    /// `:sym`
    Formulas(Box<Formulas>),
    /// `:steps`
    Steps(Box<Derivation>),
    /// `:vars`: name and value, sorted by name.
    Vars(Vec<(String, f64)>),
    /// `:funcs`: each function.
    Funcs(Vec<Defined>),
    /// `:del`: the names deleted.
    Deleted(Vec<String>),
    /// `:clear`: how many definitions were removed.
    Cleared(usize),
    /// `:set` alone: each setting and its value.
    Settings(Vec<(String, String)>),
    /// `:set NAME VALUE`: the new value.
    Set {
        /// The setting.
        name: String,
        /// Its value now.
        value: String,
    },
    /// `:load`: each line of the file and what it gave.
    Loaded {
        /// The file.
        path: String,
        /// Each non-empty line's result.
        results: Vec<LineResult>,
    },
    /// Several statements on one line, separated by `;`: each one's result
    /// (`line` numbers the statement within the line, `input` is its text).
    Sequence(Vec<LineResult>),
    /// `:save`: how many definitions were written.
    Saved {
        /// The file.
        path: String,
        /// Definitions written.
        count: usize,
    },
    /// `:help`: the text.
    Help(String),
    /// A statement over arrays.
    Arrays(Box<ArrayOutcome>),
    /// `:quit`
    Quit,
}

impl Outcome {
    /// The `kind` key of `--json`.
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Empty => "empty",
            Outcome::Value { .. } => "value",
            Outcome::Defined { .. } => "define",
            Outcome::Derivatives(d) => d.kind.as_str(),
            Outcome::Jacobian(_) => "jac",
            Outcome::Limit(_) => "limit",
            Outcome::Tangent(_) => "tangent",
            Outcome::Taylor(_) => "taylor",
            Outcome::Trace(_) => "trace",
            Outcome::Min(_) => "min",
            Outcome::Plot(_) => "plot",
            Outcome::Table(_) => "table",
            Outcome::Formulas(_) => "sym",
            Outcome::Steps(_) => "steps",
            Outcome::Vars(_) => "vars",
            Outcome::Funcs(_) => "funcs",
            Outcome::Deleted(_) => "del",
            Outcome::Cleared(_) => "clear",
            Outcome::Settings(_) | Outcome::Set { .. } => "set",
            Outcome::Loaded { .. } => "load",
            Outcome::Sequence(_) => "sequence",
            Outcome::Saved { .. } => "save",
            Outcome::Help(_) => "help",
            Outcome::Arrays(a) => a.kind(),
            Outcome::Quit => "quit",
        }
    }

    /// True when this outcome, or a line inside it (`:load`), failed.
    pub fn has_error(&self) -> bool {
        match self {
            Outcome::Loaded { results, .. } | Outcome::Sequence(results) => {
                results.iter().any(|r| match &r.result {
                    Ok(o) => o.has_error(),
                    Err(_) => true,
                })
            }
            // The formula and the dual numbers disagree: a bug, reported as a failure.
            Outcome::Formulas(f) => f
                .derivatives
                .iter()
                .any(|d| d.at.as_ref().is_some_and(|a| !a.agree)),
            _ => false,
        }
    }
}
