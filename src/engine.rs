//! Which way a derivative is taken over a compiled [`Tape`]: forward duals
//! for few variables, the reverse sweep for many; a Hessian by a forward
//! second-order dual for few variables, by coloured Hessian-vector products
//! for many. The session asks here; `None` from [`compile`] sends it to the
//! tree walk.

use crate::ast::Expr;
use crate::dual::{Dual1, Dual2};
use crate::error::Error;
use crate::eval::{Budget, Defs};
use crate::limits;
use crate::reverse::{HVP_MIN_VARS, REVERSE_MIN_VARS, ValueGradHess};
use crate::scalar::Scalar;
use crate::tape::{self, Tape};

/// Compiles `expr` over the variables `vars`, in order.
pub fn compile(defs: &Defs, expr: &Expr, vars: &[String]) -> Option<Tape> {
    let names: Vec<&str> = vars.iter().map(String::as_str).collect();
    tape::compile(defs, expr, &names)
}

/// Value and gradient at `point`.
pub fn gradient(t: &Tape, point: &[f64], budget: &mut Budget) -> Result<(f64, Vec<f64>), Error> {
    let n = point.len();
    if n >= REVERSE_MIN_VARS {
        return t.gradient(point, budget);
    }
    let inputs: Vec<Dual1> = (0..n).map(|i| Dual1::variable(n, i, point[i])).collect();
    let r = t.eval(&inputs, &Dual1::constant_n(n, 0.0), budget)?;
    Ok((r.v, r.g))
}

/// Value, gradient and Hessian (as rows) at `point`.
pub fn hessian(t: &Tape, point: &[f64], budget: &mut Budget) -> Result<ValueGradHess, Error> {
    let n = point.len();
    if n >= HVP_MIN_VARS {
        return t.hessian(point, budget);
    }
    let inputs: Vec<Dual2> = (0..n).map(|i| Dual2::variable(n, i, point[i])).collect();
    let proto = Dual2::constant_n(n, 0.0);
    let r = t.eval(&inputs, &proto, budget)?;
    let h = r.hessian();
    Ok((r.value(), r.g, h))
}

/// True when a Hessian with more than [`limits::MAX_HESSIAN_VARS`]
/// variables is still within reach: its sparsity leaves at most that many
/// Hessian-vector products to do.
pub fn sparse_hessian_fits(t: Option<&Tape>) -> bool {
    t.is_some_and(|t| {
        t.nvars <= limits::MAX_VARS && t.sparsity().ncolors <= limits::MAX_HESSIAN_VARS
    })
}
