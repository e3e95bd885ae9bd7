//! Numbers in formulas: exact rationals while they fit in `i64`, `f64` past that.
//!
//! Exactness matters for what a person reads: the derivative of `x^(1/3)` is
//! `1/(3x^(2/3))`, not `0.3333333333333333x^-0.6666666666666667`.

use std::cmp::Ordering;

/// A coefficient: `Rat(p, q)` with `q > 0` and `gcd(p, q) = 1`, or a float.
#[derive(Clone, Copy, Debug)]
pub enum Coef {
    /// An exact rational `p/q`.
    Rat(i64, i64),
    /// Anything else (irrational results of folding, huge or tiny numbers, inf, nan).
    Real(f64),
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Largest numerator or denominator kept exact: products of two such never
/// overflow `i128`, and the result still converts to `f64` exactly enough.
const EXACT: i128 = 1 << 53;

impl Coef {
    /// The integer `n`.
    pub fn int(n: i64) -> Coef {
        Coef::Rat(n, 1)
    }

    /// `p/q` reduced, or a float when it does not fit.
    fn ratio(p: i128, q: i128) -> Coef {
        if q == 0 {
            return Coef::Real(p as f64 / 0.0);
        }
        let g = gcd(p, q).max(1);
        let (mut p, mut q) = (p / g, q / g);
        if q < 0 {
            (p, q) = (-p, -q);
        }
        if p.abs() > EXACT || q > EXACT {
            Coef::Real(p as f64 / q as f64)
        } else {
            Coef::Rat(p as i64, q as i64)
        }
    }

    /// The number a literal stands for: exact when its shortest decimal form is
    /// (`2.5` is 5/2, `0.1` is 1/10), a float otherwise.
    pub fn from_f64(v: f64) -> Coef {
        if !v.is_finite() {
            return Coef::Real(v);
        }
        if v == v.trunc() && v.abs() <= EXACT as f64 {
            return Coef::Rat(v as i64, 1);
        }
        let text = format!("{v}");
        if let Some((int, frac)) = text.split_once('.')
            && frac.len() <= 12
            && !text.contains('e')
        {
            let digits = format!("{int}{frac}");
            if let Ok(p) = digits.parse::<i128>() {
                let c = Coef::ratio(p, 10i128.pow(frac.len() as u32));
                if c.to_f64() == v {
                    return c;
                }
            }
        }
        Coef::Real(v)
    }

    /// Its value.
    pub fn to_f64(self) -> f64 {
        match self {
            Coef::Rat(p, q) => p as f64 / q as f64,
            Coef::Real(v) => v,
        }
    }

    /// Exactly zero.
    pub fn is_zero(self) -> bool {
        self.to_f64() == 0.0
    }

    /// Exactly one.
    pub fn is_one(self) -> bool {
        matches!(self, Coef::Rat(1, 1)) || matches!(self, Coef::Real(v) if v == 1.0)
    }

    /// Below zero.
    pub fn is_negative(self) -> bool {
        self.to_f64() < 0.0
    }

    /// The integer it is, if exact.
    pub fn as_int(self) -> Option<i64> {
        match self {
            Coef::Rat(p, 1) => Some(p),
            _ => None,
        }
    }

    /// `a + b`.
    pub fn plus(self, o: Coef) -> Coef {
        match (self, o) {
            (Coef::Rat(a, b), Coef::Rat(c, d)) => Coef::ratio(
                a as i128 * d as i128 + c as i128 * b as i128,
                b as i128 * d as i128,
            ),
            _ => Coef::Real(self.to_f64() + o.to_f64()),
        }
    }

    /// `a · b`.
    pub fn times(self, o: Coef) -> Coef {
        match (self, o) {
            (Coef::Rat(a, b), Coef::Rat(c, d)) => {
                Coef::ratio(a as i128 * c as i128, b as i128 * d as i128)
            }
            _ => Coef::Real(self.to_f64() * o.to_f64()),
        }
    }

    /// `-a`.
    pub fn negated(self) -> Coef {
        match self {
            Coef::Rat(p, q) => Coef::Rat(-p, q),
            Coef::Real(v) => Coef::Real(-v),
        }
    }

    /// `1/a`; `None` for zero.
    pub fn recip(self) -> Option<Coef> {
        match self {
            _ if self.is_zero() => None,
            Coef::Rat(p, q) => Some(Coef::ratio(q as i128, p as i128)),
            Coef::Real(v) => Some(Coef::Real(1.0 / v)),
        }
    }

    /// `a^n` for an integer `n`, when exact (small enough) or plainly a float;
    /// `None` for `0^-n`.
    pub fn powi(self, n: i64) -> Option<Coef> {
        if self.is_zero() && n < 0 {
            return None;
        }
        if n.unsigned_abs() > 64 {
            return match self {
                Coef::Rat(0 | 1, 1) => Some(self),
                Coef::Rat(-1, 1) => Some(Coef::int(if n % 2 == 0 { 1 } else { -1 })),
                _ => None,
            };
        }
        let mut r = Coef::int(1);
        for _ in 0..n.unsigned_abs() {
            r = r.times(self);
        }
        if n < 0 { r.recip() } else { Some(r) }
    }

    /// Numerator and denominator, when exact.
    pub fn parts(self) -> Option<(i64, i64)> {
        match self {
            Coef::Rat(p, q) => Some((p, q)),
            Coef::Real(_) => None,
        }
    }

    /// A total order (by value, NaN last) for the canonical order of formulas.
    pub fn total_cmp(self, o: Coef) -> Ordering {
        self.to_f64().total_cmp(&o.to_f64())
    }
}

impl PartialEq for Coef {
    fn eq(&self, o: &Coef) -> bool {
        match (self, o) {
            (Coef::Rat(a, b), Coef::Rat(c, d)) => a == c && b == d,
            _ => self.to_f64().to_bits() == o.to_f64().to_bits(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_become_exact_where_their_decimals_are() {
        assert_eq!(Coef::from_f64(2.5), Coef::Rat(5, 2));
        assert_eq!(Coef::from_f64(0.1), Coef::Rat(1, 10));
        assert_eq!(Coef::from_f64(-3.0), Coef::Rat(-3, 1));
        assert!(matches!(Coef::from_f64(1.0 / 3.0), Coef::Real(_)));
        assert!(matches!(Coef::from_f64(1e300), Coef::Real(_)));
    }

    #[test]
    fn arithmetic_is_exact_and_overflow_falls_back_to_floats() {
        let third = Coef::int(1).times(Coef::int(3).recip().unwrap());
        assert_eq!(third.plus(third).plus(third), Coef::int(1));
        assert_eq!(Coef::int(2).powi(-2), Some(Coef::Rat(1, 4)));
        assert_eq!(Coef::int(-1).powi(1001), Some(Coef::int(-1)));
        let big = Coef::int(1 << 40).times(Coef::int(1 << 40));
        assert!(matches!(big, Coef::Real(v) if v == 2f64.powi(80)));
    }
}
