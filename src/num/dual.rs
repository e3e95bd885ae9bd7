//! Forward-mode dual numbers: [`Dual1`] carries a gradient, [`Dual2`] a
//! gradient and a Hessian, with respect to `n` variables.
//!
//! Neither type knows any function: a built-in reaches them through
//! [`Scalar::compose`] with its Taylor coefficients, so the chain rule is
//! written here once per type (`g = c1·u'`, `H = c1·U'' + 2·c2·u' u'ᵀ`).
//!
//! A derivative part that is exactly zero means "does not depend on this
//! variable"; `compose` keeps it zero even where `c1` or `c2` is infinite, so
//! `sqrt(x) + y` at `x = 0` has the gradient `[inf, 1]`, not `[inf, NaN]`.

use super::scalar::Scalar;

/// `c · d`, except that a zero `d` (no dependence) stays zero even when `c` is
/// infinite or NaN.
#[inline]
fn scale(c: f64, d: f64) -> f64 {
    if d == 0.0 { 0.0 } else { c * d }
}

/// Position of entry `(i, j)`, `i ≤ j`, in a packed upper triangle of an
/// `n × n` matrix stored row by row.
#[inline]
pub fn packed_index(n: usize, i: usize, j: usize) -> usize {
    debug_assert!(i <= j && j < n);
    // Row i starts after rows 0..i, of lengths n, n-1, …, n-i+1.
    i * n + j - i * (i + 1) / 2
}

/// Length of a packed upper triangle of an `n × n` matrix.
#[inline]
pub fn packed_len(n: usize) -> usize {
    n * (n + 1) / 2
}

/// First-order dual number: value and gradient.
#[derive(Clone, Debug, PartialEq)]
pub struct Dual1 {
    /// Value.
    pub v: f64,
    /// Gradient.
    pub g: Vec<f64>,
}

impl Dual1 {
    /// The `i`-th of `n` variables with value `v`.
    pub fn variable(n: usize, i: usize, v: f64) -> Dual1 {
        let mut g = vec![0.0; n];
        g[i] = 1.0;
        Dual1 { v, g }
    }
    /// A constant with `n` variables.
    pub fn constant_n(n: usize, v: f64) -> Dual1 {
        Dual1 { v, g: vec![0.0; n] }
    }
    /// The gradient.
    pub fn gradient(&self) -> &[f64] {
        &self.g
    }
    /// Number of variables.
    pub fn nvars(&self) -> usize {
        self.g.len()
    }
    fn zip(&self, o: &Self, v: f64, f: impl Fn(f64, f64) -> f64) -> Dual1 {
        debug_assert_eq!(self.g.len(), o.g.len(), "duals over different variables");
        let g = self.g.iter().zip(&o.g).map(|(&a, &b)| f(a, b)).collect();
        Dual1 { v, g }
    }
}

impl Scalar for Dual1 {
    fn constant(&self, c: f64) -> Self {
        Dual1::constant_n(self.g.len(), c)
    }
    fn value(&self) -> f64 {
        self.v
    }
    fn order(&self) -> usize {
        1
    }
    fn is_constant(&self) -> bool {
        self.g.iter().all(|&d| d == 0.0)
    }
    fn add(&self, o: &Self) -> Self {
        self.zip(o, self.v + o.v, |a, b| a + b)
    }
    fn sub(&self, o: &Self) -> Self {
        self.zip(o, self.v - o.v, |a, b| a - b)
    }
    fn mul(&self, o: &Self) -> Self {
        let (x, y) = (self.v, o.v);
        self.zip(o, x * y, |a, b| a * y + x * b)
    }
    fn div(&self, o: &Self) -> Self {
        // From a = q·b: q' = (a' - q·b') / b.
        let q = self.v / o.v;
        self.zip(o, q, |a, b| (a - q * b) / o.v)
    }
    fn neg(&self) -> Self {
        Dual1 {
            v: -self.v,
            g: self.g.iter().map(|d| -d).collect(),
        }
    }
    fn compose(&self, c: &[f64]) -> Self {
        let c1 = c.get(1).copied().unwrap_or(0.0);
        Dual1 {
            v: c[0],
            g: self.g.iter().map(|&d| scale(c1, d)).collect(),
        }
    }
}

/// Second-order dual number: value, gradient and (symmetric) Hessian.
#[derive(Clone, Debug, PartialEq)]
pub struct Dual2 {
    /// Value.
    pub v: f64,
    /// Gradient.
    pub g: Vec<f64>,
    /// Hessian, upper triangle packed row by row: (i, j) with i ≤ j.
    pub h: Vec<f64>,
}

impl Dual2 {
    /// The `i`-th of `n` variables with value `v`.
    pub fn variable(n: usize, i: usize, v: f64) -> Dual2 {
        let mut d = Dual2::constant_n(n, v);
        d.g[i] = 1.0;
        d
    }
    /// A constant with `n` variables.
    pub fn constant_n(n: usize, v: f64) -> Dual2 {
        Dual2 {
            v,
            g: vec![0.0; n],
            h: vec![0.0; packed_len(n)],
        }
    }
    /// The gradient.
    pub fn gradient(&self) -> &[f64] {
        &self.g
    }
    /// Number of variables.
    pub fn nvars(&self) -> usize {
        self.g.len()
    }
    /// The Hessian entry `(i, j)`, in either order.
    pub fn hessian_entry(&self, i: usize, j: usize) -> f64 {
        let (i, j) = if i <= j { (i, j) } else { (j, i) };
        self.h[packed_index(self.g.len(), i, j)]
    }
    /// The full Hessian as rows.
    pub fn hessian(&self) -> Vec<Vec<f64>> {
        let n = self.g.len();
        (0..n)
            .map(|i| (0..n).map(|j| self.hessian_entry(i, j)).collect())
            .collect()
    }
    /// The shape check shared by the binary operations.
    fn check(&self, o: &Self) {
        debug_assert_eq!(self.g.len(), o.g.len(), "duals over different variables");
        debug_assert_eq!(self.h.len(), packed_len(self.g.len()));
    }
    fn linear(&self, o: &Self, v: f64, f: impl Fn(f64, f64) -> f64) -> Dual2 {
        self.check(o);
        Dual2 {
            v,
            g: self.g.iter().zip(&o.g).map(|(&a, &b)| f(a, b)).collect(),
            h: self.h.iter().zip(&o.h).map(|(&a, &b)| f(a, b)).collect(),
        }
    }
}

impl Scalar for Dual2 {
    fn constant(&self, c: f64) -> Self {
        Dual2::constant_n(self.g.len(), c)
    }
    fn value(&self) -> f64 {
        self.v
    }
    fn order(&self) -> usize {
        2
    }
    fn is_constant(&self) -> bool {
        self.g.iter().chain(&self.h).all(|&d| d == 0.0)
    }
    fn add(&self, o: &Self) -> Self {
        self.linear(o, self.v + o.v, |a, b| a + b)
    }
    fn sub(&self, o: &Self) -> Self {
        self.linear(o, self.v - o.v, |a, b| a - b)
    }
    fn mul(&self, o: &Self) -> Self {
        self.check(o);
        let (x, y) = (self.v, o.v);
        let n = self.g.len();
        let g = self
            .g
            .iter()
            .zip(&o.g)
            .map(|(&a, &b)| a * y + x * b)
            .collect();
        let mut h = Vec::with_capacity(self.h.len());
        let mut k = 0;
        for i in 0..n {
            for j in i..n {
                let cross = self.g[i] * o.g[j] + self.g[j] * o.g[i];
                h.push(self.h[k] * y + x * o.h[k] + cross);
                k += 1;
            }
        }
        Dual2 { v: x * y, g, h }
    }
    fn div(&self, o: &Self) -> Self {
        // From a = q·b: a'' = q''·b + q·b'' + q'b'ᵀ + b'q'ᵀ, solved for q''.
        self.check(o);
        let b = o.v;
        let q = self.v / b;
        let n = self.g.len();
        let g: Vec<f64> = self
            .g
            .iter()
            .zip(&o.g)
            .map(|(&a, &d)| (a - q * d) / b)
            .collect();
        let mut h = Vec::with_capacity(self.h.len());
        let mut k = 0;
        for i in 0..n {
            for j in i..n {
                let cross = g[i] * o.g[j] + g[j] * o.g[i];
                h.push((self.h[k] - q * o.h[k] - cross) / b);
                k += 1;
            }
        }
        Dual2 { v: q, g, h }
    }
    fn neg(&self) -> Self {
        Dual2 {
            v: -self.v,
            g: self.g.iter().map(|d| -d).collect(),
            h: self.h.iter().map(|d| -d).collect(),
        }
    }
    fn compose(&self, c: &[f64]) -> Self {
        let c1 = c.get(1).copied().unwrap_or(0.0);
        let c2 = c.get(2).copied().unwrap_or(0.0);
        let n = self.g.len();
        let g = self.g.iter().map(|&d| scale(c1, d)).collect();
        let mut h = Vec::with_capacity(self.h.len());
        let mut k = 0;
        for i in 0..n {
            for j in i..n {
                // g''(u)·u_i·u_j carries the factor 2 because c2 = g''/2.
                let gg = self.g[i] * self.g[j];
                h.push(scale(c1, self.h[k]) + scale(2.0 * c2, gg));
                k += 1;
            }
        }
        Dual2 { v: c[0], g, h }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_layout() {
        let n = 4;
        let mut k = 0;
        for i in 0..n {
            for j in i..n {
                assert_eq!(packed_index(n, i, j), k);
                k += 1;
            }
        }
        assert_eq!(k, packed_len(n));
    }

    #[test]
    fn product_hessian() {
        let x = Dual2::variable(2, 0, 2.0);
        let y = Dual2::variable(2, 1, 3.0);
        let p = x.mul(&y).mul(&y);
        assert_eq!(p.v, 18.0);
        assert_eq!(p.g, vec![9.0, 12.0]);
        assert_eq!(p.hessian(), vec![vec![0.0, 6.0], vec![6.0, 4.0]]);
        let q = x.div(&y);
        assert_eq!(q.hessian_entry(1, 1), 2.0 * 2.0 / 27.0);
        assert_eq!(q.hessian_entry(0, 1), -1.0 / 9.0);
    }
}
