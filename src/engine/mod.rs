//! ④ Expression + point → numbers. [`Compiled`] is the one door: every
//! command asks it for values, gradients, Hessians, one-variable partials,
//! Taylor series or a plain `f64` function, and it alone decides how: over
//! a compiled [`Tape`] (forward duals for few variables, the reverse sweep
//! for many; a Hessian by a forward second-order dual for few variables, by
//! coloured Hessian-vector products for many), or by the tree walk
//! ([`Evaluator`]) where the expression does not compile.

pub mod array;
mod cache;
pub(crate) mod defs;
pub(crate) mod eval;
pub(crate) mod precise;
pub(crate) mod reverse;
pub(crate) mod tape;
mod trace;

pub use cache::Sparsity;
pub use eval::{Budget, Defs, Evaluator, Function, MAX_EVAL_DEPTH, unknown_name, value};
pub use reverse::{HVP_MIN_VARS, REVERSE_MIN_VARS, SparseHess, ValueGradHess};
pub use tape::{F64Fn, Tape};
pub use trace::{RowKind, TraceRow, trace};

use crate::error::Error;
use crate::limits;
use crate::num::Scalar;
use crate::num::{Dual1, Dual2, Taylor};
use crate::num::{Fixed1, Fixed2};
use crate::syntax::Expr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Tapes needing at most this many values alive at once evaluate fixed-size
/// duals in scratch space on the stack (at most 64 · 168 bytes).
const STACK_SLOTS: usize = 64;

/// The small-tape scratch size: filling all [`STACK_SLOTS`] with the
/// prototype cost more than evaluating F1's handful of instructions.
const SMALL_SLOTS: usize = 12;

/// Evaluates `t` over fixed-size duals with scratch space on the stack,
/// sized to the tape, or on the heap for a large one.
fn eval_fixed<S: Scalar + Copy>(
    t: &Tape,
    inputs: &[S],
    proto: S,
    budget: &mut Budget,
) -> Result<S, Error> {
    if t.nslots <= SMALL_SLOTS {
        t.eval_in(inputs, &proto, budget, &mut [proto; SMALL_SLOTS])
    } else if t.nslots <= STACK_SLOTS {
        t.eval_in(inputs, &proto, budget, &mut [proto; STACK_SLOTS])
    } else {
        t.eval(inputs, &proto, budget)
    }
}

/// Compiles `expr` over the variables `vars`, in order.
pub fn compile(defs: &Defs, expr: &Expr, vars: &[impl AsRef<str>]) -> Option<Tape> {
    let names: Vec<&str> = vars.iter().map(AsRef::as_ref).collect();
    tape::compile(defs, expr, &names)
}

/// Value and gradient at `point`.
pub fn gradient(t: &Tape, point: &[f64], budget: &mut Budget) -> Result<(f64, Vec<f64>), Error> {
    let n = point.len();
    if n >= REVERSE_MIN_VARS {
        return t.gradient(point, budget);
    }
    match n {
        0 => fixed_gradient::<0>(t, point, budget),
        1 => fixed_gradient::<1>(t, point, budget),
        2 => fixed_gradient::<2>(t, point, budget),
        3 => fixed_gradient::<3>(t, point, budget),
        4 => fixed_gradient::<4>(t, point, budget),
        5 => fixed_gradient::<5>(t, point, budget),
        _ => {
            let inputs: Vec<Dual1> = (0..n).map(|i| Dual1::variable(n, i, point[i])).collect();
            let r = t.eval(&inputs, &Dual1::constant_n(n, 0.0), budget)?;
            Ok((r.v, r.g))
        }
    }
}

/// Forward gradient with a fixed-size dual (no allocation per operation;
/// bit-identical to [`Dual1`]).
fn fixed_gradient<const N: usize>(
    t: &Tape,
    point: &[f64],
    budget: &mut Budget,
) -> Result<(f64, Vec<f64>), Error> {
    let inputs: [Fixed1<N>; N] = std::array::from_fn(|i| Fixed1::variable(i, point[i]));
    let proto = Fixed1 {
        v: 0.0,
        g: [0.0; N],
    };
    let r = eval_fixed(t, &inputs, proto, budget)?;
    Ok((r.v, r.g.to_vec()))
}

/// Value, gradient and Hessian (as rows) at `point`.
pub fn hessian(t: &Tape, point: &[f64], budget: &mut Budget) -> Result<ValueGradHess, Error> {
    let n = point.len();
    if n >= HVP_MIN_VARS {
        return t.hessian(point, budget);
    }
    match n {
        0 => fixed_hessian::<0, 0>(t, point, budget),
        1 => fixed_hessian::<1, 1>(t, point, budget),
        2 => fixed_hessian::<2, 3>(t, point, budget),
        3 => fixed_hessian::<3, 6>(t, point, budget),
        4 => fixed_hessian::<4, 10>(t, point, budget),
        5 => fixed_hessian::<5, 15>(t, point, budget),
        _ => {
            let inputs: Vec<Dual2> = (0..n).map(|i| Dual2::variable(n, i, point[i])).collect();
            let r = t.eval(&inputs, &Dual2::constant_n(n, 0.0), budget)?;
            let h = r.hessian();
            Ok((r.value(), r.g, h))
        }
    }
}

/// Forward Hessian with a fixed-size second-order dual (bit-identical to
/// [`Dual2`]); `M = N(N+1)/2`.
fn fixed_hessian<const N: usize, const M: usize>(
    t: &Tape,
    point: &[f64],
    budget: &mut Budget,
) -> Result<ValueGradHess, Error> {
    let inputs: [Fixed2<N, M>; N] = std::array::from_fn(|i| Fixed2::variable(i, point[i]));
    let proto = Fixed2 {
        v: 0.0,
        g: [0.0; N],
        h: [0.0; M],
    };
    let r = eval_fixed(t, &inputs, proto, budget)?;
    Ok((r.v, r.g.to_vec(), r.hessian()))
}

/// True when a Hessian with more than [`limits::MAX_HESSIAN_VARS`]
/// variables is still within reach: its sparsity leaves at most that many
/// Hessian-vector products to do.
pub fn sparse_hessian_fits(t: Option<&Tape>) -> bool {
    t.is_some_and(|t| {
        t.nvars <= limits::MAX_VARS && t.sparsity().ncolors <= limits::MAX_HESSIAN_VARS
    })
}

/// An expression over its variables, ready to answer: the engine's door.
///
/// The tape is compiled once, in [`Compiled::new`]; where compiling refuses
/// (an inlined expansion far larger than its source), every answer comes
/// from the tree walk instead, with the same rules and the same warnings.
pub struct Compiled<'a> {
    defs: &'a Defs,
    expr: &'a Expr,
    vars: &'a [String],
    tape: Option<Tape>,
}

impl<'a> Compiled<'a> {
    /// Compiles `expr` as a function of `vars`, in order.
    pub fn new(defs: &'a Defs, expr: &'a Expr, vars: &'a [String]) -> Compiled<'a> {
        Compiled {
            defs,
            expr,
            vars,
            tape: compile(defs, expr, vars),
        }
    }

    /// The compiled tape, where the expression compiled.
    pub fn tape(&self) -> Option<&Tape> {
        self.tape.as_ref()
    }

    /// The tree walk over `S` with `inputs[i]` bound to variable `i`.
    fn walk<S: Scalar>(&self, inputs: Vec<S>, proto: S, b: &mut Budget) -> Result<S, Error> {
        let scope: Vec<(&str, S)> = self.vars.iter().map(String::as_str).zip(inputs).collect();
        Evaluator::new(self.defs, proto, b).eval(self.expr, &scope)
    }

    /// The value at `point`.
    pub fn value(&self, point: &[f64], b: &mut Budget) -> Result<f64, Error> {
        match &self.tape {
            Some(t) => t.eval(point, &0.0, b),
            None => self.walk(point.to_vec(), 0.0, b),
        }
    }

    /// Value and gradient at `point`.
    pub fn gradient(&self, point: &[f64], b: &mut Budget) -> Result<(f64, Vec<f64>), Error> {
        if let Some(t) = &self.tape {
            return gradient(t, point, b);
        }
        let n = point.len();
        let inputs = (0..n).map(|i| Dual1::variable(n, i, point[i])).collect();
        let r = self.walk(inputs, Dual1::constant_n(n, 0.0), b)?;
        Ok((r.v, r.g))
    }

    /// True when the Hessian is within reach: at most
    /// [`limits::MAX_HESSIAN_VARS`] variables, or a sparsity that leaves at
    /// most that many Hessian-vector products.
    pub fn hessian_fits(&self) -> bool {
        self.vars.len() <= limits::MAX_HESSIAN_VARS || sparse_hessian_fits(self.tape.as_ref())
    }

    /// Value, gradient and Hessian (as rows) at `point`.
    pub fn hessian(&self, point: &[f64], b: &mut Budget) -> Result<ValueGradHess, Error> {
        if let Some(t) = &self.tape {
            return hessian(t, point, b);
        }
        let n = point.len();
        let inputs = (0..n).map(|i| Dual2::variable(n, i, point[i])).collect();
        let r = self.walk(inputs, Dual2::constant_n(n, 0.0), b)?;
        let h = r.hessian();
        Ok((r.v, r.g, h))
    }

    /// Value, first and second derivative along variable `k` alone, the
    /// others held constant.
    pub fn partial(
        &self,
        k: usize,
        point: &[f64],
        b: &mut Budget,
    ) -> Result<(f64, f64, f64), Error> {
        let proto = Dual2::constant_n(1, 0.0);
        let inputs = point
            .iter()
            .enumerate()
            .map(|(i, x)| {
                if i == k {
                    Dual2::variable(1, 0, *x)
                } else {
                    proto.constant(*x)
                }
            })
            .collect();
        let r = self.walk(inputs, proto, b)?;
        Ok((r.v, r.g[0], r.h[0]))
    }

    /// The Taylor series to `order` along variable `k`, the others held
    /// constant.
    pub fn series(
        &self,
        k: usize,
        point: &[f64],
        order: usize,
        b: &mut Budget,
    ) -> Result<Taylor, Error> {
        self.scaled_series(k, point, order, 1.0, b)
    }

    /// [`Compiled::series`] for the variable `x_k + s·t`: its coefficients
    /// times `sᵏ`, rounded differently (see [`crate::num::accuracy`]).
    pub fn scaled_series(
        &self,
        k: usize,
        point: &[f64],
        order: usize,
        s: f64,
        b: &mut Budget,
    ) -> Result<Taylor, Error> {
        let proto = Taylor::constant_n(0.0, order);
        let inputs = point
            .iter()
            .enumerate()
            .map(|(i, x)| {
                if i == k {
                    Taylor::scaled_variable(*x, order, s)
                } else {
                    proto.constant(*x)
                }
            })
            .collect();
        self.walk(inputs, proto, b)
    }

    /// The expression as a plain function of the point, for callers that
    /// evaluate it many times (the checker, sampling): errors count as NaN.
    pub fn f64_fn(&self, cancel: Option<Arc<AtomicBool>>) -> F64Fn<'_> {
        F64Fn::new(self.defs, self.expr, self.vars, self.tape.as_ref(), cancel)
    }
}
