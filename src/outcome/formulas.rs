//! Results of the formula commands `:sym` and `:steps`.

use crate::check::Verdict;
use crate::error::Warning;
use crate::symbolic::Step;

/// `:sym`: derivatives as formulas, each perhaps evaluated at a point.
#[derive(Clone, Debug, PartialEq)]
pub struct Formulas {
    /// The function differentiated, as a formula.
    pub expr: String,
    /// The same in LaTeX.
    pub expr_latex: String,
    /// The user function's name when the expression is one called on its
    /// own parameters (`g`, for `∂g/∂x1`).
    pub name: Option<String>,
    /// The expression's variables.
    pub vars: Vec<String>,
    /// Several variables: the derivatives are partial ones (`∂`).
    pub partial: bool,
    /// One entry per derivative.
    pub derivatives: Vec<Formula>,
    /// The point, in the order of `vars`, when one was given.
    pub point: Option<Vec<f64>>,
    /// `as latex`: show the LaTeX in text output too.
    pub latex: bool,
    /// Where the formulas hold only away from some points.
    pub notes: Vec<String>,
    /// Warnings from evaluating at the point.
    pub warnings: Vec<Warning>,
}

/// One derivative as a formula.
#[derive(Clone, Debug, PartialEq)]
pub struct Formula {
    /// The variables it is taken with respect to: one, or two for a second partial.
    pub wrt: Vec<String>,
    /// The formula in deriv's syntax (parses back).
    pub formula: String,
    /// The formula in LaTeX.
    pub latex: String,
    /// Its length in tokens.
    pub tokens: usize,
    /// The three answers at the point, when one was given.
    pub at: Option<Agreement>,
}

/// A formula's value at a point beside the two numeric answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Agreement {
    /// The printed formula, parsed back and evaluated.
    pub formula: f64,
    /// The dual numbers' (automatic differentiation's) value.
    pub dual: f64,
    /// The finite-difference estimate.
    pub fd: f64,
    /// Its estimated error.
    pub fd_err: f64,
    /// The formula and the dual numbers agree (to rounding).
    pub agree: bool,
    /// The finite-difference check's verdict on the dual numbers' value.
    pub verdict: Verdict,
}

/// A derivative's formula shown beside its number in a `:diff` or `:grad`
/// report (`:set formulas`).
#[derive(Clone, Debug, PartialEq)]
pub struct RowFormula {
    /// The variables it is taken with respect to: one, or the same one
    /// twice for `:diff`'s second derivative.
    pub wrt: Vec<String>,
    /// The formula in deriv's syntax.
    pub formula: String,
}

/// `:steps`: a derivation, one rule a line.
#[derive(Clone, Debug, PartialEq)]
pub struct Derivation {
    /// The function differentiated, as a formula.
    pub expr: String,
    /// The variable.
    pub wrt: String,
    /// Several variables: partial derivative notation.
    pub partial: bool,
    /// The lines.
    pub steps: Vec<Step>,
    /// The simplified result.
    pub formula: String,
    /// The result in LaTeX.
    pub latex: String,
    /// Where the formula holds only away from some points.
    pub notes: Vec<String>,
}
