//! The Taylor series of an expression in double-double arithmetic
//! ([`crate::num::dd`]): the second evaluation for the coefficients whose f64
//! recurrences cancelled (see [`crate::num::accuracy`]).
//!
//! It covers the smooth core — numbers, names, `+ − × ÷`, powers, `sin cos
//! tan sec csc cot sinh cosh tanh asin acos atan asinh acosh atanh exp ln
//! log log2 log10 sqrt pow sigmoid softplus erf` (`erf`'s value from f64,
//! perturbed by f64's rounding when the error is estimated; `log`
//! with one argument) and calls of user functions — and answers `None` for
//! anything else (another built-in, a derivative inside, a domain edge), so
//! the caller keeps the f64 series and its accuracy marks. Coefficients
//! that overflow stay infinite or NaN, as in f64.

use super::defs::Defs;
use crate::builtins::{self, BuiltinId as B};
use crate::num::accuracy;
use crate::num::dd::Dd;
use crate::num::series;
use crate::syntax::{BinOp, Expr, ExprKind, UnOp};
use std::cell::Cell;

/// Deepest nesting followed before giving up (the f64 result then stands).
const MAX_DEPTH: usize = 200;

/// The relative size of the perturbations of the error-estimating
/// evaluations, 2⁻¹⁰²: a few units of double-double rounding, the accuracy
/// of its elementary functions. Rescaling the variable rounds the
/// coefficients of order 1 and up differently, but not the values (order 0:
/// `cos(x0)`, `1 − cos(x0)`, `a0/b0`), which are the same at every scale;
/// perturbing them too shows how much the recurrences amplify their errors
/// (`(1 − cos x)/x²` near 0: `1 − cos(x0)` has lost digits, and dividing by
/// `x²` loses three more per order at `x0 = 10⁻³`).
pub const JITTER: f64 = 1.972_152_263_052_529_5e-31;

/// Names bound to series: the variable, a function's parameters.
type Scope = Vec<(String, Vec<Dd>)>;

/// Where a series is taken: the variable, its value, and the other names
/// bound to numbers.
#[derive(Clone, Copy)]
pub struct At<'a> {
    /// The variable of the series.
    pub var: &'a str,
    /// Its value at the centre.
    pub x0: f64,
    /// Other names and their values, looked up before the session's
    /// variables and the constants.
    pub fixed: &'a [(&'a str, f64)],
}

/// The Taylor coefficients of `expr` in the variable `at.var = at.x0 + s·t`,
/// to `order`, in double-double. `None` where the expression leaves the
/// covered core. A `jitter` other than 0 perturbs the value of every
/// operation's result by about that relative amount (see [`JITTER`]).
pub fn dd_series(
    defs: &Defs,
    expr: &Expr,
    at: At,
    s: f64,
    jitter: f64,
    order: usize,
) -> Option<Vec<Dd>> {
    let mut t = vec![Dd::default(); order + 1];
    t[0] = at.x0.into();
    if order >= 1 {
        t[1] = s.into();
    }
    let mut scope: Scope = at
        .fixed
        .iter()
        .map(|&(n, v)| (n.to_string(), constant(v, order)))
        .collect();
    scope.push((at.var.to_string(), t));
    let w = Walk {
        defs,
        order,
        jitter,
        count: Cell::new(0),
    };
    // Coefficients that overflow stay (infinite or NaN, as in f64): the
    // perturbed evaluations then show how little of the finite ones before
    // them is left (`sin(x)/x` at 1e-200 cancels every digit by order 1).
    w.eval(expr, &scope, 0)
}

/// The estimated errors of the double-double series `base` of `expr`, from
/// the same series rescaled and perturbed ([`accuracy::dd_errors`]).
fn dd_errors(
    defs: &Defs,
    expr: &Expr,
    at: At,
    base: &[Dd],
    f64_errors: &[f64],
) -> Option<Vec<f64>> {
    let order = base.len().checked_sub(1)?;
    let scaled = (accuracy::SCALES.iter().zip([JITTER, -JITTER]))
        .map(|(&s, j)| dd_series(defs, expr, at, s, j, order))
        .collect::<Option<Vec<_>>>()?;
    Some(accuracy::dd_errors(base, &scaled, f64_errors))
}

/// Computes the series again in double-double and, where the f64
/// coefficients `c` from `from` on fall short (some estimated error `err`
/// above the tolerance, or some value further from the double-double one
/// than the tolerance and its estimate allow: the f64 estimate misses
/// errors made at order 0), takes its coefficients from `from` on and their
/// estimated errors. Answers whether it did: `false` leaves `c` and `err` as they
/// were (all right, or the expression outside the double-double core).
/// The error estimate, two more evaluations, is only made when needed.
pub fn improve(
    defs: &Defs,
    expr: &Expr,
    at: At,
    c: &mut [f64],
    err: &mut [f64],
    from: usize,
) -> bool {
    let Some(order) = c.len().checked_sub(1) else {
        return false;
    };
    let Some(base) = dd_series(defs, expr, at, 1.0, 0.0, order) else {
        return false;
    };
    let dc: Vec<f64> = base.iter().map(|v| v.to_f64()).collect();
    // An exact zero of f64 that double-double leaves as its own rounding
    // (the even coefficients of sigmoid at 0), next to the coefficients
    // before it, stays a zero.
    let mut scale = 0.0_f64;
    let zeros: Vec<bool> = (0..c.len())
        .map(|k| {
            scale = scale.max(dc[k].abs());
            c[k] == 0.0 && dc[k].abs() <= DD_ZERO * scale
        })
        .collect();
    let zero = |k: usize| zeros[k];
    let short = (from..c.len()).any(|k| {
        let off = (c[k] - dc[k]).abs() > accuracy::TRUST_RTOL * dc[k].abs() + err[k];
        (off && !zero(k)) || !c[k].is_finite() || accuracy::digits(c[k], err[k]).is_some()
    });
    let Some(de) = short
        .then(|| dd_errors(defs, expr, at, &base, err))
        .flatten()
    else {
        return false;
    };
    for k in (from..c.len()).filter(|&k| !zero(k)) {
        c[k] = dc[k];
        err[k] = de[k];
    }
    true
}

/// How small, next to the largest coefficient up to its order, a
/// double-double coefficient is taken for the rounding of an exact zero: a
/// few units of its roundoff (2⁻¹⁰⁶ ≈ 1.2e-32).
const DD_ZERO: f64 = 1e-30;

fn constant(v: f64, order: usize) -> Vec<Dd> {
    let mut c = vec![Dd::default(); order + 1];
    c[0] = v.into();
    c
}

fn is_constant(a: &[Dd]) -> bool {
    a.iter().skip(1).all(|c| c.hi == 0.0)
}

struct Walk<'a> {
    defs: &'a Defs,
    order: usize,
    /// The perturbations' size (0: none).
    jitter: f64,
    /// Operations so far: picks each perturbation's sign and size.
    count: Cell<u32>,
}

impl Walk<'_> {
    fn eval(&self, e: &Expr, scope: &Scope, depth: usize) -> Option<Vec<Dd>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let d = depth + 1;
        match &e.kind {
            ExprKind::Num(v) => Some(constant(*v, self.order)),
            ExprKind::Name(n) => self.name(n, scope),
            ExprKind::Unary(op, a) => {
                let a = self.eval(a, scope, d)?;
                Some(match op {
                    UnOp::Neg => a.iter().map(|&c| -c).collect(),
                    UnOp::Plus => a,
                })
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let a = self.eval(lhs, scope, d)?;
                let b = self.eval(rhs, scope, d)?;
                self.shake(binary(*op, &a, &b)?)
            }
            ExprKind::Call { func, primes, args } if *primes == 0 => {
                let args: Vec<Vec<Dd>> = args
                    .iter()
                    .map(|a| self.eval(a, scope, d))
                    .collect::<Option<_>>()?;
                self.call(&func.name, &args, d)
            }
            _ => None,
        }
    }

    fn name(&self, n: &str, scope: &Scope) -> Option<Vec<Dd>> {
        if let Some((_, v)) = scope.iter().rev().find(|(k, _)| k == n) {
            return Some(v.clone());
        }
        let v = self.defs.value(n)?;
        Some(constant(v, self.order))
    }

    fn call(&self, name: &str, args: &[Vec<Dd>], depth: usize) -> Option<Vec<Dd>> {
        if let Some(f) = self.defs.funcs.get(name) {
            if f.params.len() != args.len() {
                return None;
            }
            let scope: Scope = f.params.iter().cloned().zip(args.iter().cloned()).collect();
            return self.eval(&f.body, &scope, depth);
        }
        let id = builtins::lookup(name)?.id;
        match args {
            [w] if id == B::Erf => self.shake_f64(erf(w)?),
            [w] => self.shake(unary(id, w)?),
            [a, b] if id == B::Pow => self.shake(pow(a, b)?),
            _ => None,
        }
    }

    /// [`Walk::shake`] for a value known to f64 only (`erf`): perturbed by
    /// f64's rounding instead of double-double's, so that the estimate sees
    /// what its error does downstream.
    fn shake_f64(&self, v: Vec<Dd>) -> Option<Vec<Dd>> {
        self.shake_by(v, self.jitter / JITTER * f64::EPSILON)
    }

    /// `v` with its value perturbed by a relative amount between a half
    /// and all of the jitter, of alternating sign, different for each
    /// operation.
    fn shake(&self, v: Vec<Dd>) -> Option<Vec<Dd>> {
        self.shake_by(v, self.jitter)
    }

    fn shake_by(&self, mut v: Vec<Dd>, jitter: f64) -> Option<Vec<Dd>> {
        if jitter != 0.0 {
            let n = self.count.get();
            self.count.set(n.wrapping_add(1));
            let golden = (f64::from(n) * 0.618_033_988_749_895).fract();
            let sign = if n.is_multiple_of(2) { 1.0 } else { -1.0 };
            let delta = jitter * sign * (0.5 + golden / 2.0);
            v[0] = v[0] + v[0] * Dd::from(delta);
        }
        Some(v)
    }
}

fn binary(op: BinOp, a: &[Dd], b: &[Dd]) -> Option<Vec<Dd>> {
    Some(match op {
        BinOp::Add => a.iter().zip(b).map(|(&x, &y)| x + y).collect(),
        BinOp::Sub => a.iter().zip(b).map(|(&x, &y)| x - y).collect(),
        BinOp::Mul => series::mul(a, b).into_vec(),
        BinOp::Div if b[0].hi != 0.0 => series::div(a, b).into_vec(),
        BinOp::Pow => return pow(a, b),
        _ => return None,
    })
}

/// `a^b` for a constant exponent: whole ones by products (any base), others
/// as `exp(b·ln a)` for a positive base.
fn pow(a: &[Dd], b: &[Dd]) -> Option<Vec<Dd>> {
    if !is_constant(b) {
        return None;
    }
    let y = b[0].to_f64();
    if y.fract() == 0.0 && y.abs() <= 64.0 {
        if y < 0.0 && a[0].hi == 0.0 {
            return None;
        }
        return Some(series::powi(a, y as i64).into_vec());
    }
    if a[0].hi <= 0.0 {
        return None;
    }
    let l: Vec<Dd> = series::ln_of(a, a[0].ln())
        .iter()
        .map(|&c| c * b[0])
        .collect();
    Some(series::exp_of(&l, l[0].exp()).into_vec())
}

fn unary(id: B, w: &[Dd]) -> Option<Vec<Dd>> {
    let w0 = w[0];
    let scaled_ln = |base: f64| -> Option<series::Series<Dd>> {
        let l = Dd::from(base).ln();
        (w0.hi > 0.0).then(|| series::ln_of(w, w0.ln()).iter().map(|&c| c / l).collect())
    };
    let r: series::Series<Dd> = match id {
        B::Sin | B::Cos | B::Tan | B::Sec | B::Csc | B::Cot => {
            let (s0, c0) = w0.sin_cos()?;
            let (s, c) = series::sin_cos_of(w, s0, c0);
            let one: series::Series<Dd> = constant(1.0, w.len() - 1).into();
            match id {
                B::Sin => s,
                B::Cos => c,
                B::Tan if c0.hi != 0.0 => series::div(&s, &c),
                B::Sec if c0.hi != 0.0 => series::div(&one, &c),
                B::Csc if s0.hi != 0.0 => series::div(&one, &s),
                B::Cot if s0.hi != 0.0 => series::div(&c, &s),
                _ => return None,
            }
        }
        B::Sinh | B::Cosh | B::Tanh => {
            let (s0, c0) = w0.sinh_cosh();
            let (s, c) = series::sinh_cosh_of(w, s0, c0);
            match id {
                B::Sinh => s,
                B::Cosh => c,
                _ => series::div(&s, &c),
            }
        }
        B::Exp => series::exp_of(w, w0.exp()),
        B::Ln | B::Log if w0.hi > 0.0 => series::ln_of(w, w0.ln()),
        B::Log2 => scaled_ln(2.0)?,
        B::Log10 => scaled_ln(10.0)?,
        B::Sqrt if w0.hi > 0.0 => series::pow_of(w, 0.5, w0.sqrt()),
        B::Atan | B::Asin | B::Acos | B::Asinh | B::Acosh | B::Atanh => inverse(id, w)?,
        // 1/(1 + e^−w), all in double-double.
        B::Sigmoid => {
            let mut d: series::Series<Dd> = w.iter().map(|&c| -c).collect();
            d = series::exp_of(&d, d[0].exp());
            d[0] = d[0] + Dd::from(1.0);
            series::div(&constant(1.0, w.len() - 1), &d)
        }
        // ln(1 + e^w), written w + ln(1 + e^−w) for w > 0 so that nothing
        // overflows.
        B::Softplus => {
            let sign = if w0.hi > 0.0 { -1.0 } else { 1.0 };
            let mut e: series::Series<Dd> = w.iter().map(|&c| c * Dd::from(sign)).collect();
            e = series::exp_of(&e, e[0].exp());
            e[0] = e[0] + Dd::from(1.0);
            let l = series::ln_of(&e, e[0].ln());
            if sign < 0.0 {
                l.iter().zip(w).map(|(&a, &b)| a + b).collect()
            } else {
                l
            }
        }
        _ => return None,
    };
    Some(r.into_vec())
}

/// `erf(w)`: its value from f64 (the only part not in double-double, see
/// [`Walk::shake_f64`]), then `∫ (2/√π)·e^(−w²)·w'`.
fn erf(w: &[Dd]) -> Option<Vec<Dd>> {
    let w0 = w[0];
    let value = Dd::from(libm::erf(w0.hi));
    let neg_sq: series::Series<Dd> = series::mul(w, w).iter().map(|&c| -c).collect();
    let g = series::exp_of(&neg_sq, neg_sq[0].exp());
    let dw = series::derivative(w);
    let integrand: Vec<Dd> = series::mul(&dw, &g[..dw.len()])
        .iter()
        .map(|&c| c * TWO_OVER_SQRT_PI)
        .collect();
    let r = series::integrate(&integrand, value);
    r.iter().all(|c| c.hi.is_finite()).then(|| r.into_vec())
}

/// 2/√π to double-double (mpmath).
const TWO_OVER_SQRT_PI: Dd = Dd {
    hi: std::f64::consts::FRAC_2_SQRT_PI,
    lo: 1.533545961316588e-17,
};

/// The inverse trigonometric and hyperbolic functions: the value in
/// double-double, then `∫ w'·r(w)` with `r` the derivative's rule,
/// `1/(1 + w²)`, `±(1 − w²)^(−1/2)`, `(w² + 1)^(−1/2)`, `(w² − 1)^(−1/2)`,
/// `1/(1 − w²)`. `None` at or past the edges of their domains.
fn inverse(id: B, w: &[Dd]) -> Option<series::Series<Dd>> {
    let w0 = w[0];
    let sq = series::mul(w, w);
    // `a + b·w²` as a series.
    let affine = |a: f64, b: f64| -> series::Series<Dd> {
        let mut u: series::Series<Dd> = sq.iter().map(|&c| c * Dd::from(b)).collect();
        u[0] = u[0] + Dd::from(a);
        u
    };
    let root = |u: series::Series<Dd>| -> Option<series::Series<Dd>> {
        (u[0].hi > 0.0).then(|| series::pow_of(&u, -0.5, Dd::from(1.0) / u[0].sqrt()))
    };
    let recip = |u: series::Series<Dd>| -> Option<series::Series<Dd>> {
        let one = constant(1.0, u.len() - 1);
        (u[0].hi != 0.0).then(|| series::div(&one, &u))
    };
    let (value, rate, sign) = match id {
        B::Atan => (w0.atan()?, recip(affine(1.0, 1.0))?, 1.0),
        B::Asin => (w0.asin()?, root(affine(1.0, -1.0))?, 1.0),
        B::Acos => (w0.acos()?, root(affine(1.0, -1.0))?, -1.0),
        B::Asinh => (w0.asinh()?, root(affine(1.0, 1.0))?, 1.0),
        B::Acosh => (w0.acosh()?, root(affine(-1.0, 1.0))?, 1.0),
        B::Atanh => (w0.atanh()?, recip(affine(1.0, -1.0))?, 1.0),
        _ => return None,
    };
    let dw = series::derivative(w);
    let integrand: Vec<Dd> = series::mul(&dw, &rate[..dw.len()])
        .iter()
        .map(|&c| c * Dd::from(sign))
        .collect();
    Some(series::integrate(&integrand, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_expr;

    /// The double-double series of `text` in `x` at `x0`, with its errors.
    fn series_of(text: &str, x0: f64, order: usize) -> Option<(Vec<f64>, Vec<f64>)> {
        let e = parse_expr(text).expect("parses");
        let at = At {
            var: "x",
            x0,
            fixed: &[],
        };
        let defs = Defs::default();
        let base = dd_series(&defs, &e, at, 1.0, 0.0, order)?;
        let errors = dd_errors(&defs, &e, at, &base, &vec![0.0; order + 1])?;
        Some((base.iter().map(|c| c.to_f64()).collect(), errors))
    }

    #[test]
    fn sin_over_x_at_1_to_order_23() {
        // mpmath: the coefficients of t^k of sin(1 + t)/(1 + t).
        let (c, e) = series_of("sin(x)/x", 1.0, 24).unwrap();
        let want = [(18, -4.776197756093382e-18), (23, 1.3193631872561334e-24)];
        for (k, w) in want {
            assert!((c[k] - w).abs() < e[k], "c{k} = {} ± {}", c[k], e[k]);
            assert!(e[k] < accuracy::TRUST_RTOL * w.abs(), "e{k} = {}", e[k]);
        }
    }

    #[test]
    fn errors_made_at_order_0_show() {
        // 1 − cos(10⁻³) has lost six of its digits; dividing by x² loses
        // three more per order: by order 8 nothing is left, and the
        // estimate says so (the true c8 is 2.48e-8). The value itself has
        // an error, which rescaling alone would not see.
        let (c, e) = series_of("(1-cos(x))/x^2", 0.001, 8).unwrap();
        assert!(e[8] > c[8].abs(), "{} ± {}", c[8], e[8]);
        assert!(e[0] > 0.0 && e[0] < 1e-20, "{}", e[0]);
    }

    #[test]
    fn reciprocal_trigonometry_and_log() {
        // sec, csc, cot and log against their definitions, at order 8.
        for (f, g) in [
            ("sec(x)", "1/cos(x)"),
            ("csc(x)", "1/sin(x)"),
            ("cot(x)", "cos(x)/sin(x)"),
            ("log(x)", "ln(x)"),
        ] {
            let (a, _) = series_of(f, 0.7, 8).unwrap();
            let (b, _) = series_of(g, 0.7, 8).unwrap();
            assert_eq!(a, b, "{f}");
        }
    }

    #[test]
    fn outside_the_core_is_none() {
        assert!(series_of("abs(x)", 1.0, 4).is_none());
        assert!(series_of("1/x", 0.0, 4).is_none());
        assert!(series_of("ln(x)", -1.0, 4).is_none());
    }
}
