//! The number trait the evaluator is generic over.
//!
//! Every derivative rule lives once, in `builtins.rs`, as the Taylor
//! coefficients of a function of one variable at a point; a number type only
//! knows how to compose such a series with itself ([`Scalar::compose`]) and how
//! to do arithmetic. `f64` (values), [`Dual1`](super::Dual1) (gradients),
//! [`Dual2`](super::Dual2) (gradients and Hessians) and
//! [`Taylor`](super::Taylor) (univariate series to any order) implement it.

use std::fmt::Debug;

/// A number the evaluator can compute with.
pub trait Scalar: Clone + Debug {
    /// The constant `c` with the same shape as `self` (same number of
    /// variables, same order), all derivative parts zero.
    fn constant(&self, c: f64) -> Self;
    /// The value part.
    fn value(&self) -> f64;
    /// The highest derivative order this type carries (0 for `f64`).
    fn order(&self) -> usize;
    /// True when every derivative part is zero: the number does not depend on
    /// the variables (so a kink in a function applied to it does not matter).
    fn is_constant(&self) -> bool;
    /// `self + o`
    fn add(&self, o: &Self) -> Self;
    /// `self - o`
    fn sub(&self, o: &Self) -> Self;
    /// `self * o`
    fn mul(&self, o: &Self) -> Self;
    /// `self / o`
    fn div(&self, o: &Self) -> Self;
    /// `-self`
    fn neg(&self) -> Self;
    /// `g(self)` where `c[k] = g⁽ᵏ⁾(v) / k!` at `v = self.value()`, for
    /// `k = 0 ..= self.order()` (`c` may be longer; extra terms are ignored).
    fn compose(&self, c: &[f64]) -> Self;
}

impl Scalar for f64 {
    fn constant(&self, c: f64) -> f64 {
        c
    }
    fn value(&self) -> f64 {
        *self
    }
    fn order(&self) -> usize {
        0
    }
    fn is_constant(&self) -> bool {
        true
    }
    fn add(&self, o: &f64) -> f64 {
        self + o
    }
    fn sub(&self, o: &f64) -> f64 {
        self - o
    }
    fn mul(&self, o: &f64) -> f64 {
        self * o
    }
    fn div(&self, o: &f64) -> f64 {
        self / o
    }
    fn neg(&self) -> f64 {
        -self
    }
    fn compose(&self, c: &[f64]) -> f64 {
        c[0]
    }
}

/// Why a built-in's result at a point deserves a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// The argument is outside the function's domain: the value is NaN
    /// (`ln(-1)`, `sqrt(-1)`, `acos(2)`, `x^0.5` with `x < 0`). Always reported.
    Domain,
    /// The function has a kink or a jump here: no derivative exists
    /// (`abs`, `relu`, `sign` at 0, `min`/`max` at a tie). Reported only
    /// when derivatives are being taken of a non-constant argument.
    Kink,
    /// A derivative is infinite here (`sqrt`, `cbrt` at 0, `acos` at 1,
    /// `ln` at 0). Reported only when derivatives are taken.
    Infinite,
}

/// A warning from a built-in at a point, before the evaluator adds where.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    /// What kind.
    pub kind: NoteKind,
    /// A sentence, e.g. "abs is not differentiable at 0; the derivative shown
    /// uses abs'(0) = 0".
    pub message: String,
}
