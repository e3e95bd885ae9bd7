//! The numbers an array program runs over: `f64` for values and gradients,
//! [`Tan`] (a value and one directional derivative) for Hessian-vector
//! products by forward-over-reverse. Each built-in's rule comes from
//! `builtins`, as its Taylor coefficients: nothing is written twice.

use crate::builtins::{self, BuiltinId};
use crate::builtins::{powi_local, powi_local1};
use crate::num::{Fixed1, Fixed2, Note};
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
    /// `atan2`, `hypot`, `min`, `max`, `log` with a base).
    fn binary(id: BuiltinId, a: Self, b: Self, notes: &mut Vec<Note>) -> (Self, Self, Self);
    /// `(x^p, d/dx x^p)` for a constant exponent `p`, by `builtins::pow`
    /// (its notes and conventions at 0 and for negative bases).
    fn powc(x: Self, p: f64, deriv: bool, notes: &mut Vec<Note>) -> (Self, Self);
    /// [`Elem::powc`] for an integer `|p| <= 16`, as the scalar tape
    /// computes it where that is finite.
    fn powi(x: Self, p: i8, deriv: bool, notes: &mut Vec<Note>) -> (Self, Self);
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
        match builtins::series(id, x, usize::from(deriv), notes) {
            Some(c) if deriv => (c[0], c[1]),
            Some(c) => (c[0], 0.0),
            None => (f64::NAN, f64::NAN),
        }
    }
    fn binary(id: BuiltinId, a: f64, b: f64, notes: &mut Vec<Note>) -> (f64, f64, f64) {
        let args = [Fixed1::<2>::variable(0, a), Fixed1::<2>::variable(1, b)];
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
        match powi_local1(x, p) {
            Some(r) => r,
            None => f64::powc(x, f64::from(p), deriv, notes),
        }
    }
}

/// A value `v` and its derivative `t` along one direction: forward mode,
/// run through the reverse sweep to give a Hessian-vector product.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tan {
    /// The value.
    pub v: f64,
    /// The directional derivative.
    pub t: f64,
}

impl Add for Tan {
    type Output = Tan;
    #[inline]
    fn add(self, o: Tan) -> Tan {
        Tan {
            v: self.v + o.v,
            t: self.t + o.t,
        }
    }
}

impl Sub for Tan {
    type Output = Tan;
    #[inline]
    fn sub(self, o: Tan) -> Tan {
        Tan {
            v: self.v - o.v,
            t: self.t - o.t,
        }
    }
}

impl Mul for Tan {
    type Output = Tan;
    #[inline]
    fn mul(self, o: Tan) -> Tan {
        Tan {
            v: self.v * o.v,
            t: self.t * o.v + self.v * o.t,
        }
    }
}

impl Div for Tan {
    type Output = Tan;
    #[inline]
    fn div(self, o: Tan) -> Tan {
        let q = self.v / o.v;
        Tan {
            v: q,
            t: (self.t - q * o.t) / o.v,
        }
    }
}

impl Neg for Tan {
    type Output = Tan;
    #[inline]
    fn neg(self) -> Tan {
        Tan {
            v: -self.v,
            t: -self.t,
        }
    }
}

impl AddAssign for Tan {
    #[inline]
    fn add_assign(&mut self, o: Tan) {
        self.v += o.v;
        self.t += o.t;
    }
}

impl Elem for Tan {
    const NATIVE: bool = false;
    fn cst(c: f64) -> Tan {
        Tan { v: c, t: 0.0 }
    }
    #[inline]
    fn scale(self, c: f64) -> Tan {
        Tan {
            v: self.v * c,
            t: self.t * c,
        }
    }
    fn lift(c: &[f64]) -> Cow<'_, [Tan]> {
        Cow::Owned(c.iter().map(|v| Tan::cst(*v)).collect())
    }
    fn val(self) -> f64 {
        self.v
    }
    fn unary(id: BuiltinId, x: Tan, deriv: bool, notes: &mut Vec<Note>) -> (Tan, Tan) {
        // Without derivatives the argument is constant: its tangent is 0.
        match builtins::series(id, x.v, if deriv { 2 } else { 0 }, notes) {
            Some(c) if deriv => {
                let y = Tan {
                    v: c[0],
                    t: c[1] * x.t,
                };
                let dy = Tan {
                    v: c[1],
                    t: 2.0 * c[2] * x.t,
                };
                (y, dy)
            }
            Some(c) => (Tan::cst(c[0]), Tan::cst(0.0)),
            None => (Tan::cst(f64::NAN), Tan::cst(f64::NAN)),
        }
    }
    fn powc(x: Tan, p: f64, deriv: bool, notes: &mut Vec<Note>) -> (Tan, Tan) {
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
        (
            Tan {
                v: r.v,
                t: r.g[0] * x.t,
            },
            Tan {
                v: r.g[0],
                t: h * x.t,
            },
        )
    }
    fn powi(x: Tan, p: i8, deriv: bool, notes: &mut Vec<Note>) -> (Tan, Tan) {
        match powi_local(x.v, p) {
            Some((v, c1, c2)) => (
                Tan { v, t: c1 * x.t },
                Tan {
                    v: c1,
                    t: 2.0 * c2 * x.t,
                },
            ),
            None => Tan::powc(x, f64::from(p), deriv, notes),
        }
    }
    fn binary(id: BuiltinId, a: Tan, b: Tan, notes: &mut Vec<Note>) -> (Tan, Tan, Tan) {
        let args = [
            Fixed2::<2, 3>::variable(0, a.v),
            Fixed2::<2, 3>::variable(1, b.v),
        ];
        let r = builtins::apply(id, &args, notes);
        let h = r.hessian();
        let y = Tan {
            v: r.v,
            t: r.g[0] * a.t + r.g[1] * b.t,
        };
        let da = Tan {
            v: r.g[0],
            t: h[0][0] * a.t + h[0][1] * b.t,
        };
        let db = Tan {
            v: r.g[1],
            t: h[1][0] * a.t + h[1][1] * b.t,
        };
        (y, da, db)
    }
}
