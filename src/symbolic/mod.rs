//! Formulas: an expression's derivative as a simplified expression (the
//! third engine, beside the dual numbers and the finite differences).
//!
//! An [`Expr`](crate::syntax::Expr) becomes a canonical [`Sym`] ([`formula`]:
//! user functions expanded, `f'(x)` differentiated), is differentiated
//! ([`derivative`]) by rules that build their results through the
//! simplifier, and prints as deriv's own syntax ([`text`], which parses back
//! to the same function) or as LaTeX ([`latex`]). [`steps`] writes the
//! derivation out rule by rule; [`notes`] says where a formula holds only
//! away from some points.
//!
//! ```
//! use deriv::symbolic::{self, Scope};
//! struct Empty;
//! impl Scope for Empty {
//!     fn function(&self, _: &str) -> Option<(&[String], &deriv::syntax::Expr)> { None }
//!     fn is_variable(&self, _: &str) -> bool { false }
//! }
//! let e = deriv::syntax::parse_expr("3x^2 + 2x - 1").unwrap();
//! let f = symbolic::formula(&e, &Empty, &[]).unwrap();
//! let d = symbolic::derivative(&f, &["x".to_string()]).unwrap();
//! assert_eq!(symbolic::text(&d), "6x + 2");
//! ```

mod coef;
mod convert;
mod diff;
mod latex;
mod notes;
mod print;
mod simplify;
mod steps;

pub use coef::Coef;
pub use convert::{Scope, formula, formula_within};
pub use latex::latex;
pub use notes::notes;
pub use print::{count_tokens, text, tokens};
pub use simplify::{Constant, Sym};
pub use steps::{Step, steps};

use crate::error::Error;

/// The derivative of `f` with respect to each name of `wrt` in turn (one
/// name: the first derivative; two: the second, or the mixed partial).
pub fn derivative(f: &Sym, wrt: &[String]) -> Result<Sym, Error> {
    derivative_polled(f, wrt, &mut || Ok(()))
}

/// [`derivative`], asking `poll` every few hundred nodes whether to stop
/// (Ctrl-C, a time limit): its error ends the differentiation.
pub fn derivative_polled(
    f: &Sym,
    wrt: &[String],
    poll: &mut dyn FnMut() -> Result<(), Error>,
) -> Result<Sym, Error> {
    let mut d = f.clone();
    for x in wrt {
        poll()?;
        d = diff::diff(&d, &mut diff::Cx::new(x, poll))?;
    }
    Ok(d)
}

/// The value of `f` where each name has the value `value(name)` (`None`
/// for a name without one gives NaN): the formula's own answer, computed
/// without the engine.
pub fn eval(f: &Sym, value: &dyn Fn(&str) -> Option<f64>) -> f64 {
    simplify::eval(f, value)
}
