//! STUB — contract below.
use crate::scalar::Scalar;

/// A truncated univariate power series: `c[k]` is the coefficient of `t^k`.
#[derive(Clone, Debug, PartialEq)]
pub struct Taylor {
    /// Coefficients, `order + 1` of them.
    pub c: Vec<f64>,
}

impl Taylor {
    /// The variable `x0 + t` to order `n`.
    pub fn variable(x0: f64, n: usize) -> Taylor { let _ = (x0, n); todo!() }
}

impl Scalar for Taylor {
    fn constant(&self, c: f64) -> Self { let _ = c; todo!() }
    fn value(&self) -> f64 { todo!() }
    fn order(&self) -> usize { todo!() }
    fn is_constant(&self) -> bool { todo!() }
    fn add(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn sub(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn mul(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn div(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn neg(&self) -> Self { todo!() }
    fn compose(&self, c: &[f64]) -> Self { let _ = c; todo!() }
}

/// Given the Taylor coefficients `c` of a function g at x0 (c[k] = g⁽ᵏ⁾(x0)/k!),
/// the coefficients of its `p`-th derivative g⁽ᵖ⁾ at x0: `c[p+j]·(p+j)!/j!`.
pub fn derivative_series(c: &[f64], p: usize) -> Vec<f64> {
    let _ = (c, p);
    todo!()
}
