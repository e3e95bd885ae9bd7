//! Univariate truncated Taylor series as a number type: evaluating an
//! expression on [`Taylor::variable`]`(x0, n)` gives its Taylor coefficients
//! at `x0` up to order `n`.

use super::scalar::Scalar;
use super::series::{self, Coeffs};

/// A truncated univariate power series: `c[k]` is the coefficient of `t^k`.
#[derive(Clone, Debug, PartialEq)]
pub struct Taylor {
    /// Coefficients, `order + 1` of them.
    pub c: Coeffs,
}

impl Taylor {
    /// The variable `x0 + t` to order `n`.
    pub fn variable(x0: f64, n: usize) -> Taylor {
        let mut c = smallvec::smallvec![0.0; n + 1];
        c[0] = x0;
        if n >= 1 {
            c[1] = 1.0;
        }
        Taylor { c }
    }
    /// The variable `x0 + s·t` to order `n`: its series' coefficients are
    /// those of `x0 + t` times `sᵏ` (see [`crate::num::accuracy`]).
    pub fn scaled_variable(x0: f64, n: usize, s: f64) -> Taylor {
        let mut t = Taylor::variable(x0, n);
        if n >= 1 {
            t.c[1] = s;
        }
        t
    }
    /// The constant `v` to order `n`.
    pub fn constant_n(v: f64, n: usize) -> Taylor {
        let mut c = smallvec::smallvec![0.0; n + 1];
        c[0] = v;
        Taylor { c }
    }
    /// The derivatives `f⁽ᵏ⁾(x0) = k!·c[k]`.
    pub fn derivatives(&self) -> Coeffs {
        derivative_series(&self.c, 0)
            .iter()
            .enumerate()
            .map(|(k, c)| c * series::factorial(k))
            .collect()
    }
    fn zip(&self, o: &Self, f: impl Fn(f64, f64) -> f64) -> Taylor {
        // Different lengths truncate to the shorter: beyond it nothing is known.
        Taylor {
            c: self.c.iter().zip(&o.c).map(|(&a, &b)| f(a, b)).collect(),
        }
    }
}

impl Scalar for Taylor {
    fn constant(&self, c: f64) -> Self {
        Taylor::constant_n(c, self.order())
    }
    fn value(&self) -> f64 {
        self.c.first().copied().unwrap_or(f64::NAN)
    }
    fn order(&self) -> usize {
        self.c.len().saturating_sub(1)
    }
    fn is_constant(&self) -> bool {
        self.c.iter().skip(1).all(|&d| d == 0.0)
    }
    fn add(&self, o: &Self) -> Self {
        self.zip(o, |a, b| a + b)
    }
    fn sub(&self, o: &Self) -> Self {
        self.zip(o, |a, b| a - b)
    }
    fn mul(&self, o: &Self) -> Self {
        Taylor {
            c: series::mul(&self.c, &o.c),
        }
    }
    fn div(&self, o: &Self) -> Self {
        Taylor {
            c: series::div(&self.c, &o.c),
        }
    }
    fn neg(&self) -> Self {
        Taylor {
            c: self.c.iter().map(|d| -d).collect(),
        }
    }
    /// `Σ c[k]·(u - u0)^k`, summed power by power rather than by Horner so a
    /// coefficient of `(u - u0)^k` that is exactly zero contributes nothing
    /// even when `c[k]` is infinite (the same rule as the duals).
    fn compose(&self, c: &[f64]) -> Self {
        let n = self.c.len();
        let mut out = smallvec::smallvec![0.0; n];
        if n == 0 {
            return Taylor { c: out };
        }
        out[0] = c[0];
        if n == 1 {
            return Taylor { c: out };
        }
        let mut du = self.c.clone();
        du[0] = 0.0;
        let mut p = du.clone();
        for (k, &ck) in c.iter().enumerate().take(n).skip(1) {
            // (u - u0)^k starts at t^k: only the terms from k on are nonzero.
            for j in k..n {
                if p[j] != 0.0 {
                    out[j] += ck * p[j];
                }
            }
            if k + 1 < n {
                p = series::mul(&p, &du);
            }
        }
        Taylor { c: out }
    }
}

/// Given the Taylor coefficients `c` of a function g at x0 (`c[k] = g⁽ᵏ⁾(x0)/k!`),
/// the coefficients of its `p`-th derivative g⁽ᵖ⁾ at x0: `c[p+j]·(p+j)!/j!`.
pub fn derivative_series(c: &[f64], p: usize) -> Coeffs {
    c.iter()
        .enumerate()
        .skip(p)
        .map(|(k, &ck)| {
            // (p+j)!/j! = (j+1)(j+2)…(j+p) with j = k - p.
            let falling: f64 = (k - p + 1..=k).map(|i| i as f64).product();
            ck * falling
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polynomial_arithmetic() {
        let x = Taylor::variable(2.0, 3);
        let y = x.mul(&x).mul(&x);
        assert_eq!(y.c.to_vec(), vec![8.0, 12.0, 6.0, 1.0]);
        assert_eq!(y.derivatives().to_vec(), vec![8.0, 12.0, 12.0, 6.0]);
        let q = y.div(&x);
        assert_eq!(q.c.to_vec(), vec![4.0, 4.0, 1.0, 0.0]);
    }

    #[test]
    fn compose_with_square() {
        // (x²) composed into g(v) = v² at v0 = 4: g(x²) = x⁴ around x = 2.
        let x = Taylor::variable(2.0, 4);
        let u = x.mul(&x);
        let r = u.compose(&[16.0, 8.0, 1.0]);
        assert_eq!(r.c.to_vec(), vec![16.0, 32.0, 24.0, 8.0, 1.0]);
    }

    #[test]
    fn derivative_series_of_cubic() {
        assert_eq!(
            derivative_series(&[1.0, 2.0, 3.0, 4.0], 1).to_vec(),
            vec![2.0, 6.0, 12.0]
        );
        assert_eq!(
            derivative_series(&[1.0, 2.0, 3.0, 4.0], 2).to_vec(),
            vec![6.0, 24.0]
        );
        assert!(derivative_series(&[1.0, 2.0], 3).is_empty());
    }
}
