//! Truncated power series: the arithmetic behind the built-ins' Taylor
//! coefficients and the [`Taylor`](super::Taylor) number type.
//!
//! A series is a slice `a` with `a[k]` the coefficient of `t^k`; every result
//! has the length of its (shortest) input, the truncation order plus one. The
//! recurrences are the classical O(N²) ones (Knuth, TAOCP vol. 2, §4.7), which
//! is plenty for the orders a person asks for (N up to about 30). They are
//! written once over any [`Coef`]: `f64`, and the double-double numbers that
//! compute high orders again where `f64` loses them.

use std::ops::{Add, Div, Mul, Neg, Sub};

/// A truncated power series' coefficients: inline up to four (value, first
/// and second derivative need three), so that dual numbers compose with a
/// built-in without a heap allocation per operation.
pub type Series<T> = smallvec::SmallVec<[T; 4]>;

/// A series of `f64` coefficients.
pub type Coeffs = Series<f64>;

/// The numbers a series' coefficients can be.
pub trait Coef:
    Copy
    + From<f64>
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// The sum of `terms`, in order (for `f64`, exactly as its own `Sum`
    /// adds them, so that results keep their bits).
    fn sum(terms: impl Iterator<Item = Self>) -> Self;
}

impl Coef for f64 {
    fn sum(terms: impl Iterator<Item = f64>) -> f64 {
        terms.sum()
    }
}

/// `k` as a coefficient.
fn of<T: Coef>(k: usize) -> T {
    T::from(k as f64)
}

/// The factorial `k!` as an `f64` (exact up to `22!`).
pub fn factorial(k: usize) -> f64 {
    (2..=k).fold(1.0, |p, i| p * i as f64)
}

/// The generalized binomial coefficient `C(a, k) = a (a-1) … (a-k+1) / k!`,
/// exact for small integer `a`.
pub fn binomial(a: f64, k: usize) -> f64 {
    // Numerator and k! separately, so integer cases stay exact as long as
    // they fit in 53 bits.
    let mut num = 1.0;
    for i in 0..k {
        num *= a - i as f64;
    }
    num / factorial(k)
}

/// `a · b`, the Cauchy product truncated to `min(len a, len b)` terms.
pub fn mul<T: Coef>(a: &[T], b: &[T]) -> Series<T> {
    let n = a.len().min(b.len());
    (0..n)
        .map(|k| T::sum((0..=k).map(|i| a[i] * b[k - i])))
        .collect()
}

/// `a / b`; `b[0]` must be nonzero (otherwise the terms are infinite or NaN).
pub fn div<T: Coef>(a: &[T], b: &[T]) -> Series<T> {
    let n = a.len().min(b.len());
    let mut q: Series<T> = Series::with_capacity(n);
    for k in 0..n {
        let s = T::sum((1..=k).map(|j| b[j] * q[k - j]));
        q.push((a[k] - s) / b[0]);
    }
    q
}

/// `1 / b`; `b[0]` must be nonzero.
pub fn recip(b: &[f64]) -> Coeffs {
    let mut one: Coeffs = smallvec::smallvec![0.0; b.len()];
    if let Some(c) = one.first_mut() {
        *c = 1.0;
    }
    div(&one, b)
}

/// The derivative `a'`, one term shorter (empty for an empty input).
pub fn derivative<T: Coef>(a: &[T]) -> Series<T> {
    (1..a.len()).map(|k| of::<T>(k) * a[k]).collect()
}

/// `∫ a` with constant term `c0`, one term longer than `a`.
pub fn integrate<T: Coef>(a: &[T], c0: T) -> Series<T> {
    std::iter::once(c0)
        .chain(a.iter().enumerate().map(|(k, &x)| x / of(k + 1)))
        .collect()
}

/// `exp(w)`, from `E' = E·w'`; `e0` is `exp(w[0])`, passed in so a caller can
/// supply a better-rounded value.
pub fn exp_of<T: Coef>(w: &[T], e0: T) -> Series<T> {
    let n = w.len();
    let mut e: Series<T> = Series::with_capacity(n);
    if n == 0 {
        return e;
    }
    e.push(e0);
    for k in 1..n {
        let s = T::sum((1..=k).map(|j| of::<T>(j) * w[j] * e[k - j]));
        e.push(s / of(k));
    }
    e
}

/// `w^a`, from `w·p' = a·p·w'`; `p0` is `w[0]^a` and `w[0]` must be nonzero.
pub fn pow_of<T: Coef>(w: &[T], a: f64, p0: T) -> Series<T> {
    let n = w.len();
    let mut p: Series<T> = Series::with_capacity(n);
    if n == 0 {
        return p;
    }
    p.push(p0);
    for k in 1..n {
        let s = T::sum((1..=k).map(|j| T::from((a + 1.0) * j as f64 - k as f64) * w[j] * p[k - j]));
        p.push(s / (of::<T>(k) * w[0]));
    }
    p
}

/// `w^n` for a whole `n`, by repeated squaring (`1/w^|n|` for a negative
/// one, which needs `w[0]` nonzero): exact products, with no `ln` of the
/// base, so any sign of base will do.
pub fn powi<T: Coef>(w: &[T], n: i64) -> Series<T> {
    let mut one: Series<T> = smallvec::smallvec![T::from(0.0); w.len()];
    if let Some(c) = one.first_mut() {
        *c = T::from(1.0);
    }
    let (mut acc, mut base, mut m) = (one.clone(), Series::from_slice(w), n.unsigned_abs());
    while m > 0 {
        if m & 1 == 1 {
            acc = mul(&acc, &base);
        }
        m >>= 1;
        if m > 0 {
            base = mul(&base, &base);
        }
    }
    if n < 0 { div(&one, &acc) } else { acc }
}

/// `ln(w)`, as `∫ w'/w`; `w[0]` must be nonzero, `l0` is `ln(w[0])`.
pub fn ln_of<T: Coef>(w: &[T], l0: T) -> Series<T> {
    if w.is_empty() {
        return Series::new();
    }
    let dw = derivative(w);
    integrate(&div(&dw, &w[..dw.len()]), l0)
}

/// `(sin w, cos w)`, from `S' = C·w'`, `C' = -S·w'`; `(s0, c0)` are the values
/// at `w[0]`.
pub fn sin_cos_of<T: Coef>(w: &[T], s0: T, c0: T) -> (Series<T>, Series<T>) {
    coupled(w, s0, c0, -1.0)
}

/// `(sinh w, cosh w)`, from `S' = C·w'`, `C' = S·w'`.
pub fn sinh_cosh_of<T: Coef>(w: &[T], s0: T, c0: T) -> (Series<T>, Series<T>) {
    coupled(w, s0, c0, 1.0)
}

/// The pair `S' = C·w'`, `C' = sign·S·w'`.
fn coupled<T: Coef>(w: &[T], s0: T, c0: T, sign: f64) -> (Series<T>, Series<T>) {
    let n = w.len();
    let (mut s, mut c) = (Series::with_capacity(n), Series::with_capacity(n));
    if n == 0 {
        return (s, c);
    }
    s.push(s0);
    c.push(c0);
    for k in 1..n {
        let (mut ds, mut dc) = (T::from(0.0), T::from(0.0));
        for j in 1..=k {
            let jw = of::<T>(j) * w[j];
            ds = ds + jw * c[k - j];
            dc = dc + jw * s[k - j];
        }
        s.push(ds / of(k));
        c.push(T::from(sign) * dc / of(k));
    }
    (s, c)
}

/// The series of the solution of an autonomous ODE in `t`: `y(0) = y0` and
/// `y' = F(y)`, to `n + 1` terms. `rhs(y, m)` must return the coefficient of
/// `t^m` in `F(y(t))` from `y[0..=m]` (all that is known when it is called).
///
/// This is how the functions defined by a polynomial ODE get their
/// coefficients: `tan' = 1 + tan²`, `tanh' = (1 - tanh)(1 + tanh)`,
/// `σ' = σ (1 - σ)`.
pub fn solve_autonomous(y0: f64, n: usize, mut rhs: impl FnMut(&[f64], usize) -> f64) -> Coeffs {
    let mut y = Coeffs::with_capacity(n + 1);
    y.push(y0);
    for k in 1..=n {
        let f = rhs(&y, k - 1);
        y.push(f / k as f64);
    }
    y
}

/// The coefficient of `t^m` in `y(t)²`.
pub fn square_coeff(y: &[f64], m: usize) -> f64 {
    (0..=m).map(|i| y[i] * y[m - i]).sum()
}

/// Evaluates the series at `t` (Horner).
pub fn eval(a: &[f64], t: f64) -> f64 {
    a.iter().rev().fold(0.0, |acc, &c| acc * t + c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_of_t_is_inverse_factorials() {
        let e = exp_of(&[0.0, 1.0, 0.0, 0.0, 0.0, 0.0], 1.0);
        for (k, c) in e.iter().enumerate() {
            assert!((c - 1.0 / factorial(k)).abs() < 1e-16);
        }
    }

    #[test]
    fn pow_and_div_agree() {
        let w = [2.0, 1.0, 0.5, 0.0, 0.0];
        let r = recip(&w);
        let p = pow_of(&w, -1.0, 0.5);
        for (a, b) in r.iter().zip(&p) {
            assert!((a - b).abs() < 1e-15);
        }
        let one = mul(&w, &r);
        assert!((one[0] - 1.0).abs() < 1e-15);
        assert!(one[1..].iter().all(|c| c.abs() < 1e-15));
    }

    #[test]
    fn ln_of_one_plus_t() {
        let l = ln_of(&[1.0, 1.0, 0.0, 0.0, 0.0], 0.0);
        assert_eq!(l.to_vec(), vec![0.0, 1.0, -0.5, 1.0 / 3.0, -0.25]);
    }

    #[test]
    fn sin_cos_pythagoras() {
        let (s, c) = sin_cos_of(&[0.3, 1.0, 0.2, 0.0, 0.0, 0.0], 0.3f64.sin(), 0.3f64.cos());
        let one: Vec<f64> = mul(&s, &s)
            .iter()
            .zip(mul(&c, &c))
            .map(|(a, b)| a + b)
            .collect();
        assert!((one[0] - 1.0).abs() < 1e-15);
        assert!(one[1..].iter().all(|x| x.abs() < 1e-15));
    }

    #[test]
    fn binomials() {
        assert_eq!(binomial(5.0, 2), 10.0);
        assert_eq!(binomial(2.0, 3), 0.0);
        assert_eq!(binomial(0.5, 2), -0.125);
        assert_eq!(binomial(-1.0, 3), -1.0);
    }
}
