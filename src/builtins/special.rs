//! The rules of the built-ins people reach for beside the elementary ones:
//! the reciprocal trigonometric functions, the step functions, `gamma` and
//! `mod`. Each is one rule, written as Taylor coefficients (or, for `mod`,
//! in terms of arithmetic), so every number type and every evaluation path
//! uses it.

use super::{flat, note, varies};
use crate::num::series::{self, Coeffs};
use crate::num::{Note, NoteKind, Scalar};
use smallvec::smallvec;

/// `sec = 1/cos`, `csc = 1/sin`: the reciprocal of the cyclic series.
pub(super) fn reciprocal(
    secant: bool,
    name: &str,
    x: f64,
    n: usize,
    notes: &mut Vec<Note>,
) -> Coeffs {
    let (s, c) = (x.sin(), x.cos());
    let d = if secant {
        [c, -s, -c, s]
    } else {
        [s, c, -s, -c]
    };
    if d[0] == 0.0 {
        pole(notes, name, x);
        return smallvec![f64::NAN; n + 1];
    }
    let base: Coeffs = (0..=n).map(|k| d[k % 4] / series::factorial(k)).collect();
    let mut r = series::recip(&base);
    r[0] = 1.0 / d[0];
    r
}

/// `cot`, from `cot' = -(1 + cot²)`.
pub(super) fn cot(name: &str, x: f64, n: usize, notes: &mut Vec<Note>) -> Coeffs {
    let s = x.sin();
    if s == 0.0 {
        pole(notes, name, x);
        return smallvec![f64::NAN; n + 1];
    }
    series::solve_autonomous(x.cos() / s, n, |y, m| {
        -((m == 0) as u8 as f64 + series::square_coeff(y, m))
    })
}

fn pole(notes: &mut Vec<Note>, name: &str, x: f64) {
    note(
        notes,
        NoteKind::Domain,
        format!(
            "{name} has a pole at {}: it is undefined there",
            super::num(x)
        ),
    );
}

/// Which step function.
#[derive(Clone, Copy)]
pub(super) enum Step {
    Floor,
    Ceil,
    Round,
}

/// `floor`, `ceil`, `round`: flat between the jumps, so every derivative is
/// 0; at a jump the function is not even continuous, and a note says so.
/// `round` rounds half away from zero, as C's `round` does.
pub(super) fn step(which: Step, name: &str, x: f64, n: usize, notes: &mut Vec<Note>) -> Coeffs {
    let (v, jumps) = match which {
        Step::Floor => (x.floor(), x.fract() == 0.0),
        Step::Ceil => (x.ceil(), x.fract() == 0.0),
        Step::Round => (x.round(), x.fract().abs() == 0.5),
    };
    if x.is_nan() {
        return smallvec![f64::NAN; n + 1];
    }
    if jumps && x.is_finite() && n >= 1 {
        note(
            notes,
            NoteKind::Kink,
            format!(
                "{name} jumps at {}, so it has no derivative there; the derivative shown is 0, that of either side",
                super::num(x)
            ),
        );
    }
    flat(v, n)
}

/// `Γ(x0 + t) = Γ(x0)·exp(ψ(x0)·t + Σₖ₌₂ (-1)ᵏ ζ(k, x0)/k · tᵏ)`, the series
/// of ln Γ written with the digamma function ψ and the Hurwitz zeta function.
pub(super) fn gamma(name: &str, x: f64, n: usize, notes: &mut Vec<Note>) -> Coeffs {
    let v = libm::tgamma(x);
    if x <= 0.0 && x.fract() == 0.0 {
        pole(notes, name, x);
        return smallvec![f64::NAN; n + 1];
    }
    if n == 0 || x.is_nan() {
        return smallvec![v; n + 1];
    }
    if x == f64::INFINITY {
        return smallvec![f64::INFINITY; n + 1];
    }
    if v == 0.0 || x < -200.0 {
        // Far to the left Γ underflows between its poles, and so do its
        // derivatives at the scale of f64.
        return flat(v, n);
    }
    let mut w: Coeffs = smallvec![0.0; n + 1];
    w[1] = digamma(x);
    for (k, wk) in w.iter_mut().enumerate().skip(2) {
        let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
        *wk = sign * hurwitz_zeta(k as i32, x) / k as f64;
    }
    series::exp_of(&w, v)
}

/// Bernoulli numbers B₂, B₄, …, B₁₄.
const BERNOULLI: [f64; 7] = [
    1.0 / 6.0,
    -1.0 / 30.0,
    1.0 / 42.0,
    -1.0 / 30.0,
    5.0 / 66.0,
    -691.0 / 2730.0,
    7.0 / 6.0,
];

/// ψ(x), by the recurrence `ψ(x) = ψ(x + 1) - 1/x` up to 30 and the
/// asymptotic series there.
pub(super) fn digamma(x: f64) -> f64 {
    let (mut a, mut shift) = (x, 0.0);
    while a < 30.0 {
        shift += 1.0 / a;
        a += 1.0;
    }
    let inv2 = 1.0 / (a * a);
    let mut p = inv2;
    let mut tail = 0.0;
    for (k, b) in BERNOULLI.iter().enumerate() {
        tail += b / (2.0 * (k + 1) as f64) * p;
        p *= inv2;
    }
    a.ln() - 0.5 / a - tail - shift
}

/// ζ(s, x) = Σₙ (x + n)⁻ˢ for an integer `s ≥ 2`: the first terms summed,
/// the rest by Euler–Maclaurin from a point far enough out that the
/// correction terms fall off fast.
pub(super) fn hurwitz_zeta(s: i32, x: f64) -> f64 {
    let start = 2.0 * f64::from(s) + 30.0;
    let (mut a, mut head) = (x, 0.0);
    while a < start {
        head += a.powi(-s);
        a += 1.0;
    }
    let sf = f64::from(s);
    let mut tail = a.powf(1.0 - sf) / (sf - 1.0) + 0.5 * a.powi(-s);
    // B₂ₖ/(2k)! · s(s+1)…(s+2k-2) · a^(-s-2k+1)
    let mut rising = sf;
    let mut fact = 2.0;
    let mut p = a.powi(-s - 1);
    for (k, b) in BERNOULLI.iter().enumerate() {
        let k = k as f64 + 1.0;
        tail += b / fact * rising * p;
        rising *= (sf + 2.0 * k - 1.0) * (sf + 2.0 * k);
        fact *= (2.0 * k + 1.0) * (2.0 * k + 2.0);
        p /= a * a;
    }
    head + tail
}

/// `mod(a, b) = a - b·floor(a/b)`, with the sign of `b` as in Python and
/// NumPy; its derivative is 1 in `a` and `-floor(a/b)` in `b` between the
/// jumps, which are where `a` is a multiple of `b`.
pub(super) fn modulo<S: Scalar>(a: &S, b: &S, notes: &mut Vec<Note>) -> S {
    let (a0, b0) = (a.value(), b.value());
    if b0 == 0.0 {
        note(
            notes,
            NoteKind::Domain,
            "mod(a, 0) is undefined: the divisor must not be 0".into(),
        );
        return super::undefined_derivatives(a, b, f64::NAN);
    }
    let mut r = a0 % b0;
    if r != 0.0 && (r < 0.0) != (b0 < 0.0) {
        r += b0;
    }
    let q = ((a0 - r) / b0).round();
    let d = a.sub(&b.mul(&a.constant(q)));
    if r == 0.0 && varies(&d) {
        note(
            notes,
            NoteKind::Kink,
            format!(
                "mod jumps where a is a multiple of b (here a = {}, b = {}), so it has no derivative there; the derivative shown is that of the right-hand side",
                super::num(a0),
                super::num(b0)
            ),
        );
    }
    let mut c: Coeffs = smallvec![0.0; d.order() + 1];
    c[0] = if a0.is_finite() { r } else { f64::NAN };
    if let Some(c1) = c.get_mut(1) {
        *c1 = 1.0;
    }
    d.compose(&c)
}
