//! Results over arrays, as plain data.

use super::DerivKind;
use crate::check::CheckReport;
use crate::error::Warning;
use crate::num::Array;

/// What a statement over arrays produced.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrayOutcome {
    /// `EXPR` with an array value (or a scalar computed from arrays).
    Value {
        /// The value.
        value: Array,
        /// Warnings.
        warnings: Vec<Warning>,
    },
    /// `name = EXPR` binding an array.
    Defined {
        /// The name.
        name: String,
        /// The value.
        value: Array,
        /// It replaced a definition of the same name.
        replaced: bool,
        /// Warnings (a constant the name hides).
        warnings: Vec<Warning>,
    },
    /// `:grad`, `:diff`, `:hess`, `:check` or a report over arrays.
    Derivatives(Box<ArrayDerivatives>),
    /// `:jac` over arrays.
    Jacobian(Box<ArrayJacobian>),
    /// `:data`: the variables bound from a CSV file.
    Data(Box<DataLoaded>),
    /// `:vars` when some variables hold arrays.
    Vars(Vec<(String, Array)>),
}

impl ArrayOutcome {
    /// The `kind` key of `--json`.
    pub fn kind(&self) -> &'static str {
        match self {
            ArrayOutcome::Value { .. } => "value",
            ArrayOutcome::Defined { .. } => "define",
            ArrayOutcome::Derivatives(d) => d.kind.as_str(),
            ArrayOutcome::Jacobian(_) => "jac",
            ArrayOutcome::Data(_) => "data",
            ArrayOutcome::Vars(_) => "vars",
        }
    }
}

/// How the finite-difference check covered the entries.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckCoverage {
    /// Every entry of the gradient (and the Hessian, if there is one).
    Every {
        /// How many entries.
        entries: usize,
    },
    /// A random sample of entries, plus one random direction `v` (∇f·v
    /// against the central difference along `v`).
    Sample {
        /// The flattened positions sampled.
        sampled: Vec<usize>,
        /// How many entries there are.
        entries: usize,
    },
}

/// Derivatives of one expression over arrays at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayDerivatives {
    /// Which command.
    pub kind: DerivKind,
    /// The expression, as it parses back.
    pub expr: String,
    /// The variables, in point order.
    pub vars: Vec<String>,
    /// Each variable's value.
    pub point: Vec<Array>,
    /// The value.
    pub value: Array,
    /// True when the value is an array: the derivatives are those of the
    /// sum of its entries (`y.backward(ones)`).
    pub summed: bool,
    /// Each variable's gradient, in its shape.
    pub gradient: Option<Vec<Array>>,
    /// The Hessian over all entries, flattened row-major, variables in order.
    pub hessian: Option<Vec<Vec<f64>>>,
    /// `:diff`: the variable.
    pub wrt: Option<String>,
    /// `:diff`: the derivative at each entry of the variable.
    pub derivative: Option<Array>,
    /// `:diff`: the second derivative at each entry.
    pub second: Option<Array>,
    /// The finite-difference check.
    pub check: Option<CheckReport>,
    /// What the check covered.
    pub coverage: Option<CheckCoverage>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// `:jac` over arrays.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayJacobian {
    /// The outputs.
    pub exprs: Vec<String>,
    /// The variables.
    pub vars: Vec<String>,
    /// Each variable's value.
    pub point: Vec<Array>,
    /// Each output's value.
    pub values: Vec<Array>,
    /// Row i: the gradient of flattened output entry i over all flattened
    /// input entries.
    pub jacobian: Vec<Vec<f64>>,
    /// The names of the rows and columns (`y[0]`, `x[1]`, `A[1,0]`).
    pub row_names: Vec<String>,
    /// The column names.
    pub col_names: Vec<String>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// `:data`: what a CSV file bound.
#[derive(Clone, Debug, PartialEq)]
pub struct DataLoaded {
    /// The file.
    pub path: String,
    /// Rows read (not counting the header).
    pub rows: usize,
    /// The names bound, each with its shape.
    pub bound: Vec<(String, Vec<usize>)>,
    /// Headers renamed to valid names: (header, name, why a header that
    /// is already a well-formed name could not be one).
    pub renamed: Vec<(String, String, Option<String>)>,
    /// Headers of the columns left out: not numbers.
    pub skipped: Vec<String>,
    /// Warnings (a name that hides a constant).
    pub warnings: Vec<Warning>,
}
