//! The numbers an array program runs over: `f64` for values and gradients,
//! [`Tan`] (a value and one directional derivative) for Hessian-vector
//! products by forward-over-reverse. Each built-in's rule comes from
//! `builtins`, as its Taylor coefficients: nothing is written twice.

use crate::builtins::{self, BuiltinId};
use crate::builtins::{powi_local, powi_local1};
use crate::num::{Fixed1, Fixed2, Note, Scalar};
use std::borrow::Cow;
use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub};

/// An entry of an array program.
pub trait Elem:
    Copy
    + Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + Default
{
    /// True for `f64` itself: constants are used as they are.
    const NATIVE: bool;
    /// The constant `c`.
    fn cst(c: f64) -> Self;
    /// `self · c` for a constant `c`.
    fn scale(self, c: f64) -> Self;
    /// Constants as numbers of this type (borrowed where they already are).
    fn lift(c: &[f64]) -> Cow<'_, [Self]>;
    /// The value part.
    fn val(self) -> f64;
    /// `(g(x), g'(x))` for a one-argument built-in; `deriv` false asks for
    /// the value alone (the second part is then unspecified, and kink notes
    /// are not collected).
    fn unary(id: BuiltinId, x: Self, deriv: bool, notes: &mut Vec<Note>) -> (Self, Self);
    /// `(g(a, b), ∂g/∂a, ∂g/∂b)` for a two-argument built-in (`pow`,
    /// `atan2`, `hypot`, `min`, `max`, `log` with a base); an operand that
    /// does not `vary` is a constant to the built-in's rule.
    fn binary(
        id: BuiltinId,
        a: Self,
        b: Self,
        vary: [bool; 2],
        notes: &mut Vec<Note>,
    ) -> (Self, Self, Self);
    /// The value of a two-argument built-in alone, as the scalar engine
    /// gives a value (its domain notes, no kink notes: nothing is
    /// differentiated); a constant for numbers that carry tangents.
    fn binary_value(id: BuiltinId, a: Self, b: Self, notes: &mut Vec<Note>) -> Self {
        Self::cst(builtins::apply(id, &[a.val(), b.val()], notes))
    }
    /// `(x^p, d/dx x^p)` for a constant exponent `p`, by `builtins::pow`
    /// (its notes and conventions at 0 and for negative bases).
    fn powc(x: Self, p: f64, deriv: bool, notes: &mut Vec<Note>) -> (Self, Self);
    /// [`Elem::powc`] for an integer `|p| <= 16`, as the scalar tape
    /// computes it where that is finite.
    fn powi(x: Self, p: i8, deriv: bool, notes: &mut Vec<Note>) -> (Self, Self);
    /// [`Elem::unary`] with derivatives over a whole buffer, values and
    /// local derivatives apart, when no entry can give a note; `None` to
    /// go entry by entry.
    fn unary_all(_id: BuiltinId, _xs: &[Self]) -> Option<(Vec<Self>, Vec<Self>)> {
        None
    }
    /// [`Elem::powi`] with derivatives over a whole buffer when every
    /// entry is finite the quick way; `None` to go entry by entry.
    fn powi_all(_xs: &[Self], _p: i8) -> Option<(Vec<Self>, Vec<Self>)> {
        None
    }
}

impl Elem for f64 {
    const NATIVE: bool = true;
    #[inline]
    fn cst(c: f64) -> f64 {
        c
    }
    #[inline]
    fn scale(self, c: f64) -> f64 {
        self * c
    }
    fn lift(c: &[f64]) -> Cow<'_, [f64]> {
        Cow::Borrowed(c)
    }
    #[inline]
    fn val(self) -> f64 {
        self
    }
    #[inline]
    fn unary(id: BuiltinId, x: f64, deriv: bool, notes: &mut Vec<Note>) -> (f64, f64) {
        // A million entries of `sin`: the series would be built for each.
        if let Some(r) = plain_local(id, x, deriv) {
            return r;
        }
        match builtins::series(id, x, usize::from(deriv), notes) {
            Some(c) if deriv => (c[0], c[1]),
            Some(c) => (c[0], 0.0),
            None => (f64::NAN, f64::NAN),
        }
    }
    fn binary(
        id: BuiltinId,
        a: f64,
        b: f64,
        vary: [bool; 2],
        notes: &mut Vec<Note>,
    ) -> (f64, f64, f64) {
        let arg = |i: usize, v: f64| {
            let x = Fixed1::<2>::variable(i, v);
            if vary[i] { x } else { x.constant(v) }
        };
        let args = [arg(0, a), arg(1, b)];
        let r = builtins::apply(id, &args, notes);
        (r.v, r.g[0], r.g[1])
    }
    fn powc(x: f64, p: f64, deriv: bool, notes: &mut Vec<Note>) -> (f64, f64) {
        if !deriv {
            return (builtins::pow(&x, &p, notes), 0.0);
        }
        let e = Fixed1::<1> { v: p, g: [0.0] };
        let r = builtins::pow(&Fixed1::<1>::variable(0, x), &e, notes);
        (r.v, r.g[0])
    }
    #[inline]
    fn powi(x: f64, p: i8, deriv: bool, notes: &mut Vec<Note>) -> (f64, f64) {
        // The square, as `powi_local1` computes it (a test holds them
        // equal), without its loop.
        if p == 2 {
            let (v, d) = (x * x, 2.0 * x);
            if v.is_finite() && d.is_finite() {
                return (v, d);
            }
        }
        match powi_local1(x, p) {
            Some(r) => r,
            None => f64::powc(x, f64::from(p), deriv, notes),
        }
    }
    fn unary_all(id: BuiltinId, xs: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
        use BuiltinId as B;
        // One loop per built-in: no choice made again for each entry.
        Some(match id {
            B::Sin => locals(xs, |x| (x.sin(), x.cos())),
            B::Cos => locals(xs, |x| (x.cos(), -x.sin())),
            B::Sinh => locals(xs, |x| (x.sinh(), x.cosh())),
            B::Cosh => locals(xs, |x| (x.cosh(), x.sinh())),
            B::Exp => locals(xs, |x| {
                let e = x.exp();
                (e, e)
            }),
            _ => return None,
        })
    }
    fn powi_all(xs: &[f64], p: i8) -> Option<(Vec<f64>, Vec<f64>)> {
        if p != 2 {
            return None;
        }
        let (v, d) = locals(xs, |x| (x * x, 2.0 * x));
        let finite = v.iter().chain(&d).all(|t| t.is_finite());
        finite.then_some((v, d))
    }
}

/// `f` at each entry, its two parts in two buffers.
#[inline]
fn locals(xs: &[f64], f: impl Fn(f64) -> (f64, f64)) -> (Vec<f64>, Vec<f64>) {
    xs.iter().map(|x| f(*x)).unzip()
}

/// `(g(x), g'(x))` (or `g(x)` alone) for the built-ins whose series never
/// gives a note, as their series' first two terms are computed (a test
/// holds them equal bit for bit); `None` for the others.
#[inline]
fn plain_local(id: BuiltinId, x: f64, deriv: bool) -> Option<(f64, f64)> {
    use BuiltinId as B;
    if !deriv {
        return builtins::plain_value(id, x).map(|v| (v, 0.0));
    }
    Some(match id {
        B::Sin => (x.sin(), x.cos()),
        B::Cos => (x.cos(), -x.sin()),
        B::Sinh => (x.sinh(), x.cosh()),
        B::Cosh => (x.cosh(), x.sinh()),
        B::Exp => {
            let e = x.exp();
            (e, e)
        }
        _ => return None,
    })
}

/// A value `v` and its derivatives `t` along `K` directions: forward mode,
/// run through the reverse sweep to give `K` Hessian-vector products in
/// one pass (each direction's numbers are computed as with `K = 1`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tan<const K: usize = 1> {
    /// The value.
    pub v: f64,
    /// The directional derivatives.
    pub t: [f64; K],
}

impl<const K: usize> Default for Tan<K> {
    fn default() -> Self {
        Tan {
            v: 0.0,
            t: [0.0; K],
        }
    }
}

impl<const K: usize> Tan<K> {
    /// `v` with the tangents `c · t`.
    #[inline]
    fn with(v: f64, c: f64, t: &[f64; K]) -> Tan<K> {
        Tan {
            v,
            t: std::array::from_fn(|i| c * t[i]),
        }
    }

    /// The inputs' values with tangents: tangent `d` of the entry at `i` of
    /// the flattened inputs is `t(i, d)` (called in that order).
    pub(super) fn seeded<T: Elem>(
        inputs: &[Vec<T>],
        mut t: impl FnMut(usize, usize) -> f64,
    ) -> Vec<Vec<Tan<K>>> {
        let mut at = 0;
        inputs
            .iter()
            .map(|x| {
                let v = x
                    .iter()
                    .enumerate()
                    .map(|(j, e)| Tan {
                        v: e.val(),
                        t: std::array::from_fn(|d| t(at + j, d)),
                    })
                    .collect();
                at += x.len();
                v
            })
            .collect()
    }
}

impl<const K: usize> Add for Tan<K> {
    type Output = Tan<K>;
    #[inline]
    fn add(self, o: Tan<K>) -> Tan<K> {
        Tan {
            v: self.v + o.v,
            t: std::array::from_fn(|i| self.t[i] + o.t[i]),
        }
    }
}

impl<const K: usize> Sub for Tan<K> {
    type Output = Tan<K>;
    #[inline]
    fn sub(self, o: Tan<K>) -> Tan<K> {
        Tan {
            v: self.v - o.v,
            t: std::array::from_fn(|i| self.t[i] - o.t[i]),
        }
    }
}

impl<const K: usize> Mul for Tan<K> {
    type Output = Tan<K>;
    // The product rule adds.
    #[allow(clippy::suspicious_arithmetic_impl)]
    #[inline]
    fn mul(self, o: Tan<K>) -> Tan<K> {
        Tan {
            v: self.v * o.v,
            t: std::array::from_fn(|i| self.t[i] * o.v + self.v * o.t[i]),
        }
    }
}

impl<const K: usize> Div for Tan<K> {
    type Output = Tan<K>;
    // The quotient rule subtracts and multiplies.
    #[allow(clippy::suspicious_arithmetic_impl)]
    #[inline]
    fn div(self, o: Tan<K>) -> Tan<K> {
        let q = self.v / o.v;
        Tan {
            v: q,
            t: std::array::from_fn(|i| (self.t[i] - q * o.t[i]) / o.v),
        }
    }
}

impl<const K: usize> Neg for Tan<K> {
    type Output = Tan<K>;
    #[inline]
    fn neg(self) -> Tan<K> {
        Tan {
            v: -self.v,
            t: std::array::from_fn(|i| -self.t[i]),
        }
    }
}

impl<const K: usize> AddAssign for Tan<K> {
    #[inline]
    fn add_assign(&mut self, o: Tan<K>) {
        self.v += o.v;
        for (a, b) in self.t.iter_mut().zip(o.t) {
            *a += b;
        }
    }
}

impl<const K: usize> Elem for Tan<K> {
    const NATIVE: bool = false;
    fn cst(c: f64) -> Tan<K> {
        Tan { v: c, t: [0.0; K] }
    }
    #[inline]
    fn scale(self, c: f64) -> Tan<K> {
        Tan {
            v: self.v * c,
            t: std::array::from_fn(|i| self.t[i] * c),
        }
    }
    fn lift(c: &[f64]) -> Cow<'_, [Tan<K>]> {
        Cow::Owned(c.iter().map(|v| Tan::cst(*v)).collect())
    }
    fn val(self) -> f64 {
        self.v
    }
    fn unary(id: BuiltinId, x: Tan<K>, deriv: bool, notes: &mut Vec<Note>) -> (Tan<K>, Tan<K>) {
        // Without derivatives the argument is constant: its tangent is 0.
        match builtins::series(id, x.v, if deriv { 2 } else { 0 }, notes) {
            Some(c) if deriv => (
                Tan::with(c[0], c[1], &x.t),
                Tan::with(c[1], 2.0 * c[2], &x.t),
            ),
            Some(c) => (Tan::cst(c[0]), Tan::cst(0.0)),
            None => (Tan::cst(f64::NAN), Tan::cst(f64::NAN)),
        }
    }
    fn powc(x: Tan<K>, p: f64, deriv: bool, notes: &mut Vec<Note>) -> (Tan<K>, Tan<K>) {
        if !deriv {
            return (Tan::cst(builtins::pow(&x.v, &p, notes)), Tan::cst(0.0));
        }
        let e = Fixed2::<1, 1> {
            v: p,
            g: [0.0],
            h: [0.0],
        };
        let r = builtins::pow(&Fixed2::<1, 1>::variable(0, x.v), &e, notes);
        let h = r.hessian()[0][0];
        (Tan::with(r.v, r.g[0], &x.t), Tan::with(r.g[0], h, &x.t))
    }
    fn powi(x: Tan<K>, p: i8, deriv: bool, notes: &mut Vec<Note>) -> (Tan<K>, Tan<K>) {
        if p == 2 {
            let (v, d) = (x.v * x.v, 2.0 * x.v);
            if v.is_finite() && d.is_finite() {
                // `powi_local`'s c2 for the square is 1.
                return (Tan::with(v, d, &x.t), Tan::with(d, 2.0, &x.t));
            }
        }
        match powi_local(x.v, p) {
            Some((v, c1, c2)) => (Tan::with(v, c1, &x.t), Tan::with(c1, 2.0 * c2, &x.t)),
            None => Tan::powc(x, f64::from(p), deriv, notes),
        }
    }
    fn powi_all(xs: &[Tan<K>], p: i8) -> Option<(Vec<Tan<K>>, Vec<Tan<K>>)> {
        if p != 2 {
            return None;
        }
        let (v, d): (Vec<Tan<K>>, Vec<Tan<K>>) = xs
            .iter()
            .map(|x| {
                let (v, d) = (x.v * x.v, 2.0 * x.v);
                (Tan::with(v, d, &x.t), Tan::with(d, 2.0, &x.t))
            })
            .unzip();
        let finite = v
            .iter()
            .zip(&d)
            .all(|(a, b)| a.v.is_finite() && b.v.is_finite());
        finite.then_some((v, d))
    }
    fn binary(
        id: BuiltinId,
        a: Tan<K>,
        b: Tan<K>,
        vary: [bool; 2],
        notes: &mut Vec<Note>,
    ) -> (Tan<K>, Tan<K>, Tan<K>) {
        let arg = |i: usize, v: f64| {
            let x = Fixed2::<2, 3>::variable(i, v);
            if vary[i] { x } else { x.constant(v) }
        };
        let args = [arg(0, a.v), arg(1, b.v)];
        let r = builtins::apply(id, &args, notes);
        let h = r.hessian();
        let mix = |v: f64, p: f64, q: f64| Tan {
            v,
            t: std::array::from_fn(|i| p * a.t[i] + q * b.t[i]),
        };
        (
            mix(r.v, r.g[0], r.g[1]),
            mix(r.g[0], h[0][0], h[0][1]),
            mix(r.g[1], h[1][0], h[1][1]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_square_is_powi_local1_bit_for_bit() {
        for k in -2000..2000 {
            let x = k as f64 * 0.37 + 1e-3 * (k % 7) as f64;
            for x in [x, x * 1e150, x * 1e-170] {
                let mut notes = Vec::new();
                let (v, d) = <f64 as Elem>::powi(x, 2, true, &mut notes);
                match powi_local1(x, 2) {
                    Some((a, b)) => {
                        assert_eq!(
                            (v.to_bits(), d.to_bits()),
                            (a.to_bits(), b.to_bits()),
                            "{x}"
                        )
                    }
                    None => assert!(!(x * x).is_finite(), "{x}"),
                }
            }
        }
    }

    #[test]
    fn shortcuts_are_the_series_bit_for_bit() {
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            30.0,
            -745.5,
            709.9,
            1e300,
            f64::NAN,
        ];
        xs.extend((0..400).map(|k| (k as f64 - 200.0) * 0.173));
        for id in [
            BuiltinId::Sin,
            BuiltinId::Cos,
            BuiltinId::Sinh,
            BuiltinId::Cosh,
            BuiltinId::Exp,
            BuiltinId::Ln,
            BuiltinId::Sqrt,
        ] {
            for &x in &xs {
                for deriv in [false, true] {
                    let Some((v, d)) = plain_local(id, x, deriv) else {
                        continue;
                    };
                    let mut notes = Vec::new();
                    let c =
                        builtins::series(id, x, usize::from(deriv), &mut notes).expect("series");
                    let same =
                        |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
                    assert!(same(v, c[0]), "{id:?} at {x}");
                    if deriv {
                        assert!(notes.is_empty(), "{id:?} at {x}: {notes:?}");
                        assert!(same(d, c[1]), "{id:?}' at {x}");
                    }
                }
            }
            // The whole-buffer loops are the entry-by-entry rule.
            if let Some((v, d)) = f64::unary_all(id, &xs) {
                for ((x, a), b) in xs.iter().zip(v).zip(d) {
                    let (e, f) = plain_local(id, *x, true).expect("plain");
                    assert_eq!(
                        (a.to_bits(), b.to_bits()),
                        (e.to_bits(), f.to_bits()),
                        "{id:?} at {x}"
                    );
                }
            }
        }
        let (v, d) = f64::powi_all(&xs[..8], 2).expect("finite");
        for ((x, a), b) in xs.iter().zip(v).zip(d) {
            let (e, f) = <f64 as Elem>::powi(*x, 2, true, &mut Vec::new());
            assert_eq!(
                (a.to_bits(), b.to_bits()),
                (e.to_bits(), f.to_bits()),
                "{x}"
            );
        }
        assert!(f64::powi_all(&xs, 2).is_none());
        let ts: Vec<Tan<2>> = xs[..8]
            .iter()
            .map(|x| Tan {
                v: *x,
                t: [1.0, -0.5 * x],
            })
            .collect();
        let (v, d) = Tan::powi_all(&ts, 2).expect("finite");
        for ((x, a), b) in ts.iter().zip(v).zip(d) {
            let (e, f) = Tan::powi(*x, 2, true, &mut Vec::new());
            assert_eq!((a, b), (e, f), "{x:?}");
        }
    }
}
