//! How many digits of a Taylor series computed in f64 deserve trust.
//!
//! Taylor arithmetic is exact in its formulas but not in its rounding: the
//! recurrence for a quotient, `q_k = (a_k − Σ q_j b_{k−j}) / b_0`, sums
//! terms far larger than the result when the coefficients decay like
//! `1/k!` (`sin(x)/x` at 1: by order 18 the terms are `1e-16` and the
//! coefficient `5e-18`), so the high coefficients can be wrong in every
//! digit while looking like any other number.
//!
//! The estimate: the series is evaluated again for the variables
//! `x0 + s·t` at a few scales `s` that are not powers of two, and the
//! coefficients, divided by `sᵏ`, compared. In exact arithmetic they are
//! equal; in f64 every intermediate rounds differently at every scale, so
//! their spread is the size of the rounding error (times [`SAFETY`],
//! since a few samples of it can agree by chance). It is an estimate, not a
//! bound, but a cancellation that leaves no digit shows as a spread as
//! large as the coefficient itself.
//!
//! Rescaling does not round the values (order 0: `sin(x0)`, `1 − cos(x0)`)
//! differently, so the spread misses how much a recurrence amplifies their
//! errors: `(1 − cos x)/x²` at 10⁻³ is off in its second coefficient with
//! no spread to show it. Where the expression allows, the series is
//! therefore computed again in double-double (`engine::precise`, over
//! [`crate::num::dd`]), which then stands in for the f64 coefficients that
//! are wanting or disagree with it. Its error is estimated the same way,
//! with every operation's value also perturbed by a few units of its
//! rounding at the rescaled evaluations (which the spread then shows), and
//! is at least the f64 estimate scaled down by the ratio of the two
//! precisions ([`DD_GAIN`]).

use super::dd::Dd;

/// Scales of the variable for the re-evaluations.
pub const SCALES: [f64; 2] = [0.75, 1.3];

/// The error estimate is this multiple of the largest spread.
pub const SAFETY: f64 = 4.0;

/// A coefficient whose estimated error exceeds this fraction of its
/// magnitude is reported as inaccurate: the finite-difference check's
/// relative tolerance.
pub const TRUST_RTOL: f64 = 1e-6;

/// Orders from which the re-evaluation is done: all. A recurrence needs few
/// terms to cancel badly when it divides by something small (`sin(x)/x` at
/// 10⁻³ loses three digits per order).
pub const FROM_ORDER: usize = 1;

/// The estimated absolute rounding error of each coefficient of `base`
/// (the series at scale 1), from the series at the [`SCALES`] (`scaled[i]`
/// for `SCALES[i]`, its coefficients still multiplied by `sᵏ`).
pub fn errors(base: &[f64], scaled: &[Vec<f64>]) -> Vec<f64> {
    (0..base.len())
        .map(|k| {
            let spread = scaled
                .iter()
                .zip(SCALES)
                .filter_map(|(c, s)| c.get(k).map(|v| v / s.powi(k as i32)))
                .map(|v| (v - base[k]).abs())
                .fold(
                    0.0,
                    |m: f64, d| if d.is_nan() { f64::INFINITY } else { m.max(d) },
                );
            SAFETY * spread
        })
        .collect()
}

/// How much smaller double-double rounding is than f64 rounding, with a
/// margin: 2⁻⁵⁰ against the unit roundoffs' ratio of about 2⁻⁵².
pub const DD_GAIN: f64 = 8.881_784_197_001_252e-16;

/// The estimated absolute error of each double-double coefficient of
/// `base`, from the same series at the [`SCALES`] and the f64 series'
/// estimated errors `f64_errors` (see the module's text).
pub fn dd_errors(base: &[Dd], scaled: &[Vec<Dd>], f64_errors: &[f64]) -> Vec<f64> {
    (0..base.len())
        .map(|k| {
            let spread = scaled
                .iter()
                .zip(SCALES)
                .filter_map(|(c, s)| {
                    let sk = (0..k).fold(Dd::from(1.0), |p, _| p * Dd::from(s));
                    c.get(k).map(|&v| (v / sk - base[k]).to_f64().abs())
                })
                .fold(
                    0.0,
                    |m: f64, d| if d.is_nan() { f64::INFINITY } else { m.max(d) },
                );
            let amplified = f64_errors.get(k).map_or(f64::INFINITY, |e| e * DD_GAIN);
            (SAFETY * spread).max(amplified)
        })
        .collect()
}

/// How many significant digits of `c` survive an error `err`, when that
/// is fewer than [`TRUST_RTOL`] allows (`None`: trustworthy to the
/// tolerance). Zero when the error is as large as the value.
pub fn digits(c: f64, err: f64) -> Option<u32> {
    if !c.is_finite() || err <= TRUST_RTOL * c.abs() {
        return None;
    }
    let d = (c.abs() / err).log10().floor();
    Some(if d.is_finite() && d > 0.0 {
        d as u32
    } else {
        0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_from_errors() {
        assert_eq!(digits(1.0, 1e-12), None);
        assert_eq!(digits(1.0, 2e-4), Some(3));
        assert_eq!(digits(1e-18, 4e-17), Some(0));
        assert_eq!(digits(0.0, 0.0), None);
        assert_eq!(digits(0.0, 1e-20), Some(0));
    }

    #[test]
    fn errors_are_the_scaled_spread() {
        let base = [1.0, 2.0, 3.0];
        let s: Vec<Vec<f64>> = SCALES
            .iter()
            .map(|&s| vec![1.0, 2.0 * s, 3.0 * s * s * (1.0 + 1e-10)])
            .collect();
        let e = errors(&base, &s);
        assert_eq!(e[0], 0.0);
        assert!(e[1] < 1e-15);
        assert!((e[2] - SAFETY * 3e-10).abs() < 1e-15, "{e:?}");
    }
}
