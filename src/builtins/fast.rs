//! The tape's shortcuts, beside the rules they shortcut: integer powers
//! and the plain values of common built-ins without building a series, and
//! the derivative rule `f⁽ᵖ⁾(x)` shared by the tree walk and the tape. The
//! tests below hold each shortcut equal to its rule.

use super::BuiltinId;
use crate::num::{Note, NoteKind, Scalar, derivative_series};

/// `super::powr(x, p)` for an integer `|p| ≤ 16`: its multiplication
/// branch, without the tests that choose it.
#[inline]
pub fn powi(x: f64, p: i8) -> f64 {
    debug_assert!(p.unsigned_abs() <= 16);
    super::pow_by_squaring(x, u32::from(p.unsigned_abs()), p < 0)
}

/// `x^p` for an integer `p` and its Taylor coefficients `c1`, `c2`, as
/// [`pow`](super::pow) computes them through its power series
/// (`C(p, k)·powr(x, p - k)`, zero where the binomial is), where all are
/// finite, so no note is due; a test holds the two equal. `None` sends the
/// instruction through `pow` (zero, infinities, NaN: the notes and
/// conventions there).
#[inline]
pub fn powi_local(x: f64, p: i8) -> Option<(f64, f64, f64)> {
    let (v, c1) = powi_local1(x, p)?;
    let a = p as f64;
    let c2 = if p == 0 || p == 1 {
        0.0
    } else {
        a * (a - 1.0) / 2.0 * powr_int(x, p as i32 - 2)
    };
    c2.is_finite().then_some((v, c1, c2))
}

/// [`powi_local`] without `c2`, for first derivatives.
#[inline]
pub fn powi_local1(x: f64, p: i8) -> Option<(f64, f64)> {
    let a = p as f64;
    let v = powi(x, p);
    let c1 = if p == 0 {
        0.0
    } else {
        a * powr_int(x, p as i32 - 1)
    };
    (v.is_finite() && c1.is_finite()).then_some((v, c1))
}

/// `super::powr(x, k)` for an integer `k`: [`powi`] where powr
/// multiplies, powr itself beyond.
#[inline]
fn powr_int(x: f64, k: i32) -> f64 {
    if k.unsigned_abs() <= 16 {
        powi(x, k as i8)
    } else {
        super::powr(x, k as f64)
    }
}

/// The value of a one-argument built-in at a plain number, where it is
/// exactly the first term of [`series`](fn@super::series) and gives no note: the
/// common functions inside their domains, without building the series.
/// `None` sends the call through [`apply`](super::apply).
pub fn plain_value(id: BuiltinId, x: f64) -> Option<f64> {
    use BuiltinId as B;
    // Each is the c[0] of its series; a test holds them equal bit for bit.
    // NaN goes through the fast path too: its series has no note either.
    let in_domain = x >= 0.0 || x.is_nan();
    Some(match id {
        B::Sin => x.sin(),
        B::Cos => x.cos(),
        B::Sinh => x.sinh(),
        B::Cosh => x.cosh(),
        B::Exp => x.exp(),
        B::Abs => x.abs(),
        B::Ln | B::Log if in_domain => x.ln(),
        B::Log2 if in_domain => x.log2(),
        B::Log10 if in_domain => x.log10(),
        B::Sqrt if in_domain => x.sqrt(),
        _ => return None,
    })
}

/// `f⁽ᵖ⁾(x)` for a one-argument built-in, the rule of `sin'(x)`: its series
/// at x's value to order p + (the order x carries), shifted p times and
/// composed with x. `None` for a built-in of two arguments. The tree walk and
/// the tape both call this.
pub fn derivative<S: Scalar>(
    id: BuiltinId,
    primes: usize,
    x: &S,
    notes: &mut Vec<Note>,
) -> Option<S> {
    let order = primes + x.order();
    let c = super::series(id, x.value(), order, notes)?;
    // A kink or infinite derivative of sin' at a point matters only when
    // derivatives of the result are being taken.
    if x.is_constant() {
        notes.retain(|n| n.kind == NoteKind::Domain);
    }
    Some(x.compose(&derivative_series(&c, primes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<f64> {
        let mut xs = vec![0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-300, 1e300, f64::NAN];
        let mut s: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let m = (s >> 11) as f64 / (1u64 << 53) as f64;
            xs.push((m - 0.5) * 10f64.powi((s % 9) as i32 - 3));
        }
        xs
    }

    #[test]
    fn plain_values_are_the_series_first_terms() {
        for b in super::super::BUILTINS {
            for &x in &samples() {
                let Some(v) = plain_value(b.id, x) else {
                    continue;
                };
                let mut notes = Vec::new();
                let c = super::super::series(b.id, x, 0, &mut notes).expect("one argument");
                assert!(notes.is_empty(), "{} at {x}: {notes:?}", b.name);
                assert!(
                    v.to_bits() == c[0].to_bits() || (v.is_nan() && c[0].is_nan()),
                    "{} at {x}: {v} vs {}",
                    b.name,
                    c[0]
                );
            }
        }
    }

    #[test]
    fn integer_powers_are_pow_series() {
        for p in -16i8..=16 {
            for &x in &samples() {
                let mut notes = Vec::new();
                let d = crate::num::Dual2::variable(1, 0, x);
                let r = super::super::pow(&d, &d.constant(f64::from(p)), &mut notes);
                if let Some((v, c1, c2)) = powi_local(x, p) {
                    // Equal as numbers (a zero's sign may differ: -0 · 3 is -0).
                    assert_eq!(v, r.v, "{x}^{p}");
                    assert_eq!(c1, r.g[0], "d {x}^{p}");
                    assert_eq!(2.0 * c2, r.h[0], "d2 {x}^{p}");
                    assert!(notes.is_empty(), "{x}^{p}: {notes:?}");
                }
            }
        }
    }
}
