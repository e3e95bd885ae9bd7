//! Fixed-size dual numbers: [`Fixed1`] and [`Fixed2`] carry the same parts
//! as [`Dual1`](super::Dual1) and [`Dual2`](super::Dual2) for a number of
//! variables known at compile time, in arrays instead of vectors, so that no
//! operation allocates.
//!
//! Every formula is the one of `dual.rs`, term by term and in the same order,
//! so results are bit-identical to the vector duals; the tests hold them
//! equal. They serve twice: as the forward duals for few
//! variables (up to five, [`crate::engine`]), and, with two "variables" standing for an
//! instruction's two arguments, as the local derivatives of one instruction
//! in the reverse sweep ([`crate::engine::reverse`]).

use super::scalar::Scalar;

/// `c · d`, except that a zero `d` (no dependence) stays zero even when `c` is
/// infinite or NaN: `dual.rs`'s rule.
#[inline]
fn scale(c: f64, d: f64) -> f64 {
    if d == 0.0 { 0.0 } else { c * d }
}

/// Value and gradient in `N` variables.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fixed1<const N: usize> {
    /// Value.
    pub v: f64,
    /// Gradient.
    pub g: [f64; N],
}

impl<const N: usize> Fixed1<N> {
    /// The `i`-th variable with value `v`.
    pub fn variable(i: usize, v: f64) -> Self {
        let mut g = [0.0; N];
        g[i] = 1.0;
        Fixed1 { v, g }
    }
}

impl<const N: usize> Scalar for Fixed1<N> {
    fn constant(&self, c: f64) -> Self {
        Fixed1 { v: c, g: [0.0; N] }
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
    #[inline]
    fn add(&self, o: &Self) -> Self {
        Fixed1 {
            v: self.v + o.v,
            g: std::array::from_fn(|i| self.g[i] + o.g[i]),
        }
    }
    #[inline]
    fn sub(&self, o: &Self) -> Self {
        Fixed1 {
            v: self.v - o.v,
            g: std::array::from_fn(|i| self.g[i] - o.g[i]),
        }
    }
    #[inline]
    fn mul(&self, o: &Self) -> Self {
        let (x, y) = (self.v, o.v);
        Fixed1 {
            v: x * y,
            g: std::array::from_fn(|i| self.g[i] * y + x * o.g[i]),
        }
    }
    #[inline]
    fn div(&self, o: &Self) -> Self {
        let q = self.v / o.v;
        Fixed1 {
            v: q,
            g: std::array::from_fn(|i| (self.g[i] - q * o.g[i]) / o.v),
        }
    }
    #[inline]
    fn neg(&self) -> Self {
        Fixed1 {
            v: -self.v,
            g: self.g.map(|d| -d),
        }
    }
    #[inline]
    fn compose(&self, c: &[f64]) -> Self {
        let c1 = c.get(1).copied().unwrap_or(0.0);
        Fixed1 {
            v: c[0],
            g: self.g.map(|d| scale(c1, d)),
        }
    }
}

/// Value, gradient and Hessian in `N` variables; `M = N(N+1)/2` entries of
/// the upper triangle, packed row by row as in `dual.rs`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fixed2<const N: usize, const M: usize> {
    /// Value.
    pub v: f64,
    /// Gradient.
    pub g: [f64; N],
    /// Hessian, upper triangle packed row by row.
    pub h: [f64; M],
}

impl<const N: usize, const M: usize> Fixed2<N, M> {
    /// The `i`-th variable with value `v`.
    pub fn variable(i: usize, v: f64) -> Self {
        debug_assert_eq!(M, N * (N + 1) / 2);
        let mut g = [0.0; N];
        g[i] = 1.0;
        Fixed2 { v, g, h: [0.0; M] }
    }

    /// The Hessian as rows.
    pub fn hessian(&self) -> Vec<Vec<f64>> {
        (0..N)
            .map(|i| {
                (0..N)
                    .map(|j| self.h[super::dual::packed_index(N, i.min(j), i.max(j))])
                    .collect()
            })
            .collect()
    }

    /// `f(h[k], i, j)` for each packed entry `k = (i, j)`, `i ≤ j`.
    #[inline]
    fn packed(f: impl Fn(usize, usize, usize) -> f64) -> [f64; M] {
        let mut h = [0.0; M];
        let mut k = 0;
        for i in 0..N {
            for j in i..N {
                h[k] = f(k, i, j);
                k += 1;
            }
        }
        h
    }
}

impl<const N: usize, const M: usize> Scalar for Fixed2<N, M> {
    fn constant(&self, c: f64) -> Self {
        Fixed2 {
            v: c,
            g: [0.0; N],
            h: [0.0; M],
        }
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
    #[inline]
    fn add(&self, o: &Self) -> Self {
        Fixed2 {
            v: self.v + o.v,
            g: std::array::from_fn(|i| self.g[i] + o.g[i]),
            h: std::array::from_fn(|k| self.h[k] + o.h[k]),
        }
    }
    #[inline]
    fn sub(&self, o: &Self) -> Self {
        Fixed2 {
            v: self.v - o.v,
            g: std::array::from_fn(|i| self.g[i] - o.g[i]),
            h: std::array::from_fn(|k| self.h[k] - o.h[k]),
        }
    }
    #[inline]
    fn mul(&self, o: &Self) -> Self {
        let (x, y) = (self.v, o.v);
        Fixed2 {
            v: x * y,
            g: std::array::from_fn(|i| self.g[i] * y + x * o.g[i]),
            h: Self::packed(|k, i, j| {
                let cross = self.g[i] * o.g[j] + self.g[j] * o.g[i];
                self.h[k] * y + x * o.h[k] + cross
            }),
        }
    }
    #[inline]
    fn div(&self, o: &Self) -> Self {
        let b = o.v;
        let q = self.v / b;
        let g: [f64; N] = std::array::from_fn(|i| (self.g[i] - q * o.g[i]) / b);
        Fixed2 {
            v: q,
            g,
            h: Self::packed(|k, i, j| {
                let cross = g[i] * o.g[j] + g[j] * o.g[i];
                (self.h[k] - q * o.h[k] - cross) / b
            }),
        }
    }
    #[inline]
    fn neg(&self) -> Self {
        Fixed2 {
            v: -self.v,
            g: self.g.map(|d| -d),
            h: self.h.map(|d| -d),
        }
    }
    #[inline]
    fn compose(&self, c: &[f64]) -> Self {
        let c1 = c.get(1).copied().unwrap_or(0.0);
        let c2 = c.get(2).copied().unwrap_or(0.0);
        Fixed2 {
            v: c[0],
            g: self.g.map(|d| scale(c1, d)),
            h: Self::packed(|k, i, j| {
                let gg = self.g[i] * self.g[j];
                scale(c1, self.h[k]) + scale(2.0 * c2, gg)
            }),
        }
    }
}
