//! STUB — contract below.
use crate::scalar::Scalar;

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
        let _ = (n, i, v);
        todo!()
    }
    /// A constant with `n` variables.
    pub fn constant_n(n: usize, v: f64) -> Dual1 {
        let _ = (n, v);
        todo!()
    }
}

impl Scalar for Dual1 {
    fn constant(&self, c: f64) -> Self { let _ = c; todo!() }
    fn value(&self) -> f64 { todo!() }
    fn order(&self) -> usize { 1 }
    fn is_constant(&self) -> bool { todo!() }
    fn add(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn sub(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn mul(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn div(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn neg(&self) -> Self { todo!() }
    fn compose(&self, c: &[f64]) -> Self { let _ = c; todo!() }
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
    pub fn variable(n: usize, i: usize, v: f64) -> Dual2 { let _ = (n, i, v); todo!() }
    /// A constant with `n` variables.
    pub fn constant_n(n: usize, v: f64) -> Dual2 { let _ = (n, v); todo!() }
    /// The full Hessian as rows.
    pub fn hessian(&self) -> Vec<Vec<f64>> { todo!() }
}

impl Scalar for Dual2 {
    fn constant(&self, c: f64) -> Self { let _ = c; todo!() }
    fn value(&self) -> f64 { todo!() }
    fn order(&self) -> usize { 2 }
    fn is_constant(&self) -> bool { todo!() }
    fn add(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn sub(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn mul(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn div(&self, o: &Self) -> Self { let _ = o; todo!() }
    fn neg(&self) -> Self { todo!() }
    fn compose(&self, c: &[f64]) -> Self { let _ = c; todo!() }
}
