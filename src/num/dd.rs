//! Double-double numbers (`hi + lo`, about 32 significant digits), a
//! [`Coef`](crate::num::series::Coef) of the series recurrences: the second,
//! more precise evaluation of a Taylor series whose f64 coefficients lost
//! their digits to cancellation (see [`crate::num::accuracy`]).
//!
//! The arithmetic is the classical one (Dekker; Hida, Li and Bailey's QD):
//! error-free sums and products (the product's error from `f64::mul_add`)
//! renormalised after each operation. The elementary functions are
//! computed to double-double accuracy too: a quotient's recurrence amplifies
//! an error in its starting values as much as its own rounding, so f64
//! starting values would spoil the precise recurrences.

use std::ops::{Add, Div, Mul, Neg, Sub};

/// A double-double number: the unevaluated sum `hi + lo`, `|lo| ≤ ulp(hi)/2`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Dd {
    /// The f64 nearest the value.
    pub hi: f64,
    /// The rest.
    pub lo: f64,
}

fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

fn fast_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (s, b - (s - a))
}

impl From<f64> for Dd {
    fn from(v: f64) -> Dd {
        Dd { hi: v, lo: 0.0 }
    }
}

impl Add for Dd {
    type Output = Dd;
    fn add(self, o: Dd) -> Dd {
        let (s, e) = two_sum(self.hi, o.hi);
        let (t, f) = two_sum(self.lo, o.lo);
        let (s, e) = fast_two_sum(s, e + t);
        Dd::norm(s, e + f)
    }
}

impl Neg for Dd {
    type Output = Dd;
    fn neg(self) -> Dd {
        Dd {
            hi: -self.hi,
            lo: -self.lo,
        }
    }
}

impl Sub for Dd {
    type Output = Dd;
    fn sub(self, o: Dd) -> Dd {
        self + -o
    }
}

impl Mul for Dd {
    type Output = Dd;
    fn mul(self, o: Dd) -> Dd {
        let p = self.hi * o.hi;
        let e = self.hi.mul_add(o.hi, -p);
        Dd::norm(p, e + (self.hi * o.lo + self.lo * o.hi))
    }
}

impl Div for Dd {
    type Output = Dd;
    /// By three correction steps of the f64 quotient.
    fn div(self, o: Dd) -> Dd {
        let q1 = self.hi / o.hi;
        let r = self - o * Dd::from(q1);
        let q2 = r.hi / o.hi;
        let r = r - o * Dd::from(q2);
        let q3 = r.hi / o.hi;
        Dd::norm(q1, q2) + Dd::from(q3)
    }
}

impl Dd {
    /// The nearest f64.
    pub fn to_f64(self) -> f64 {
        self.hi + self.lo
    }
    fn norm(hi: f64, lo: f64) -> Dd {
        let (hi, lo) = fast_two_sum(hi, lo);
        Dd { hi, lo }
    }
    /// `self · 2ⁿ`, exact.
    fn ldexp(self, n: i32) -> Dd {
        let f = 2f64.powi(n);
        Dd {
            hi: self.hi * f,
            lo: self.lo * f,
        }
    }
    /// `Σ ±x^k / k!` for the `k` in `start, start + step, …`, until the
    /// terms no longer count (`|x|` small enough that they decrease); the
    /// signs alternate when `alternate`.
    fn taylor_sum(x: Dd, start: usize, step: usize, alternate: bool) -> Dd {
        let mut term = Dd::from(1.0);
        for k in 1..=start {
            term = term * x / Dd::from(k as f64);
        }
        let mut sum = term;
        let mut k = start;
        while term.hi.abs() > 1e-36 * sum.hi.abs().max(1e-300) && k < 200 {
            for _ in 0..step {
                k += 1;
                term = term * x / Dd::from(k as f64);
            }
            if alternate {
                term = -term;
            }
            sum = sum + term;
        }
        sum
    }
    /// `exp(self)`: `2ᵏ·exp(r)` with `r = self − k·ln 2` and `|r| ≤ ln 2 / 2`.
    pub fn exp(self) -> Dd {
        if !self.hi.is_finite() || self.hi.abs() > 700.0 {
            return self.hi.exp().into();
        }
        let k = (self.hi / LN2.hi).round();
        let r = self - LN2 * Dd::from(k);
        Dd::taylor_sum(r, 0, 1, false).ldexp(k as i32)
    }
    /// `ln(self)`: one Newton step from the f64 logarithm,
    /// `y + self·exp(−y) − 1`.
    pub fn ln(self) -> Dd {
        let y = self.hi.ln();
        if !y.is_finite() {
            return y.into();
        }
        let y = Dd::from(y);
        y + self * (-y).exp() - Dd::from(1.0)
    }
    /// `√self`: one Newton step from the f64 root.
    pub fn sqrt(self) -> Dd {
        let y = self.hi.sqrt();
        if y == 0.0 || !y.is_finite() {
            return y.into();
        }
        let y = Dd::from(y);
        y + (self - y * y) / (y * Dd::from(2.0))
    }
    /// `(sin self, cos self)`: reduced by multiples of π/2 to `|r| ≤ π/4`.
    /// Accurate while `|self|` is moderate (the reduction uses π to
    /// double-double only); `None` beyond 2²⁰, where it is not.
    pub fn sin_cos(self) -> Option<(Dd, Dd)> {
        if !self.hi.is_finite() || self.hi.abs() > 1048576.0 {
            return None;
        }
        let k = (self.hi / FRAC_PI_2.hi).round();
        let r = self - FRAC_PI_2 * Dd::from(k);
        let (s, c) = (Dd::taylor_sum(r, 1, 2, true), Dd::taylor_sum(r, 0, 2, true));
        Some(match (k as i64).rem_euclid(4) {
            0 => (s, c),
            1 => (c, -s),
            2 => (-s, -c),
            _ => (-c, s),
        })
    }
    /// The inverse of a function `f` at `self` by one Newton step from the
    /// f64 inverse `x0`: `x0 − (f(x0) − self)/f'(x0)`, with `f_df` giving
    /// `(f, f')` in double-double. `None` where the slope is 0 (an edge of
    /// the domain) or anything is not finite.
    fn newton(self, x0: f64, f_df: impl Fn(Dd) -> Option<(Dd, Dd)>) -> Option<Dd> {
        if !x0.is_finite() {
            return None;
        }
        let x = Dd::from(x0);
        let (f, df) = f_df(x)?;
        (df.hi != 0.0 && df.hi.is_finite()).then(|| x - (f - self) / df)
    }
    /// `atan(self)`, inverting `tan = sin/cos` as `sin − self·cos = 0`.
    pub fn atan(self) -> Option<Dd> {
        let x = Dd::from(self.hi.atan());
        let (s, c) = x.sin_cos()?;
        let (f, df) = (s - self * c, c + self * s);
        (df.hi != 0.0).then(|| x - f / df)
    }
    /// `asin(self)` for `|self| < 1`.
    pub fn asin(self) -> Option<Dd> {
        (self.hi.abs() < 1.0)
            .then(|| self.newton(self.hi.asin(), |x| x.sin_cos()))
            .flatten()
    }
    /// `acos(self)` for `|self| < 1`.
    pub fn acos(self) -> Option<Dd> {
        (self.hi.abs() < 1.0)
            .then(|| self.newton(self.hi.acos(), |x| x.sin_cos().map(|(s, c)| (c, -s))))
            .flatten()
    }
    /// `asinh(self)`.
    pub fn asinh(self) -> Option<Dd> {
        self.newton(self.hi.asinh(), |x| Some(x.sinh_cosh()))
    }
    /// `acosh(self)` for `self > 1`.
    pub fn acosh(self) -> Option<Dd> {
        if self.hi <= 1.0 {
            return None;
        }
        self.newton(self.hi.acosh(), |x| {
            let (s, c) = x.sinh_cosh();
            Some((c, s))
        })
    }
    /// `atanh(self)` for `|self| < 1`, inverting `tanh` as
    /// `sinh − self·cosh = 0`.
    pub fn atanh(self) -> Option<Dd> {
        if self.hi.abs() >= 1.0 {
            return None;
        }
        let x = Dd::from(self.hi.atanh());
        if !x.hi.is_finite() {
            return None;
        }
        let (s, c) = x.sinh_cosh();
        let (f, df) = (s - self * c, c - self * s);
        (df.hi != 0.0).then(|| x - f / df)
    }
    /// `(sinh self, cosh self)`; sinh by its series near 0, where the
    /// difference of exponentials would cancel.
    pub fn sinh_cosh(self) -> (Dd, Dd) {
        let e = self.exp();
        let ei = Dd::from(1.0) / e;
        let c = (e + ei).ldexp(-1);
        let s = if self.hi.abs() < 1.0 {
            Dd::taylor_sum(self, 1, 2, false)
        } else {
            (e - ei).ldexp(-1)
        };
        (s, c)
    }
}

/// ln 2 to double-double.
const LN2: Dd = Dd {
    hi: std::f64::consts::LN_2,
    lo: 2.319_046_813_846_299_6e-17,
};

/// π/2 to double-double.
const FRAC_PI_2: Dd = Dd {
    hi: std::f64::consts::FRAC_PI_2,
    lo: 6.123_233_995_736_766e-17,
};

impl crate::num::series::Coef for Dd {
    fn sum(terms: impl Iterator<Item = Dd>) -> Dd {
        terms.fold(Dd::default(), |s, t| s + t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error of `a` against a reference given as two f64 parts.
    fn err(a: Dd, hi: f64, lo: f64) -> f64 {
        ((a.hi - hi) + (a.lo - lo)).abs() / hi.abs()
    }

    #[test]
    fn arithmetic_keeps_32_digits() {
        let third = Dd::from(1.0) / Dd::from(3.0);
        let one = third * Dd::from(3.0);
        assert!((one - Dd::from(1.0)).to_f64().abs() < 1e-31);
        let x = Dd::from(1.0) + Dd::from(1e-20);
        assert_eq!((x - Dd::from(1.0)).to_f64(), 1e-20);
    }

    // References: mpmath at 50 digits, split as `hi = float(v)`,
    // `lo = float(v - hi)`.
    #[test]
    fn elementary_functions_to_double_double() {
        let one = Dd::from(1.0);
        assert!(err(one.exp(), std::f64::consts::E, 1.4456468917292502e-16) < 1e-31);
        let (s, c) = one.sin_cos().unwrap();
        assert!(err(s, 0.8414709848078965, 1.776845092935536e-18) < 1e-31);
        assert!(err(c, 0.5403023058681398, -4.760954612604417e-17) < 1e-31);
        let two = Dd::from(2.0);
        assert!(err(two.ln(), std::f64::consts::LN_2, 2.3190468138462996e-17) < 1e-31);
        assert!(err(two.sqrt(), std::f64::consts::SQRT_2, -9.667293313452913e-17) < 1e-31);
        let (sh, ch) = Dd::from(0.5).sinh_cosh();
        assert!(err(sh, 0.5210953054937474, -2.3328183476404597e-17) < 1e-31);
        assert!(err(ch, 1.1276259652063807, 8.703480114456192e-17) < 1e-31);
    }

    // The same references, at the f64 arguments.
    #[test]
    fn inverse_functions_to_double_double() {
        let at = |x: f64| Dd::from(x);
        let cases = [
            (at(0.7).atan(), 0.6107259643892086, 2.2418914462967458e-17),
            (at(0.3).asin(), 0.3046926540153975, -2.7469740051157017e-17),
            (at(0.3).acos(), 1.2661036727794992, -7.78313736852488e-17),
            (at(-2.5).asinh(), -1.6472311463710958, 8.953786186897676e-17),
            (at(3.0).acosh(), 1.762747174039086, -4.501091785651732e-17),
            (at(0.9).atanh(), 1.4722194895832204, -6.2981627878629994e-18),
        ];
        for (i, (v, hi, lo)) in cases.into_iter().enumerate() {
            let e = err(v.unwrap(), hi, lo);
            assert!(e < 1e-30, "case {i}: {e:e}");
        }
        assert_eq!(at(1.0).acosh(), None);
        assert_eq!(at(1.0).asin(), None);
    }

    #[test]
    fn reductions_and_other_arguments() {
        let (s, c) = Dd::from(100.0).sin_cos().unwrap();
        assert!(err(s, -0.5063656411097588, -3.050947053792115e-18) < 1e-30);
        assert!(err(c, 0.8623188722876839, 4.334809858136501e-17) < 1e-30);
        let e = Dd::from(-3.5).exp();
        assert!(err(e, 0.0301973834223185, -1.2760102183793106e-19) < 1e-31);
        let e = Dd::from(10.0).exp();
        assert!(err(e, 22026.465794806718, -1.3780134700517372e-12) < 1e-31);
        let l = Dd::from(0.1).ln();
        assert!(err(l, -2.3025850929940455, -1.7150243628057985e-16) < 1e-31);
        let r = Dd::from(0.3).sqrt();
        assert!(err(r, 0.5477225575051661, 2.890126723719787e-17) < 1e-31);
        let (sh, ch) = Dd::from(3.0).sinh_cosh();
        assert!(err(sh, 10.017874927409903, -6.97789774734877e-16) < 1e-31);
        assert!(err(ch, 10.067661995777765, 5.150335194797485e-16) < 1e-31);
        let (sh, _) = Dd::from(0.001).sinh_cosh();
        assert!(err(sh, 0.001000000166666675, -3.571742859983052e-20) < 1e-31);
        assert_eq!(Dd::from(1e6 * 4.0).sin_cos(), None);
    }

    #[test]
    fn series_of_exp_is_inverse_factorials() {
        let w = [Dd::default(), 1.0.into(), Dd::default(), Dd::default()];
        let e = crate::num::series::exp_of(&w, Dd::from(1.0));
        assert!((e[3] * Dd::from(6.0) - Dd::from(1.0)).to_f64().abs() < 1e-31);
    }
}
