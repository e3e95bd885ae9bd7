//! Number formatting shared by the library's `Display` impls and the renderers.

/// The shortest text that reads back to the same `f64`: plain notation for
/// magnitudes in `[1e-5, 1e16)`, scientific (`6.02e23`) outside; `nan`,
/// `inf`, `-inf` for the non-finite values (the names the language reads).
pub fn shortest(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = v.abs();
    if a == 0.0 {
        // -0 reads back as 0 in every use a calculator has for it.
        return "0".into();
    }
    if (1e-5..1e16).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// `v` with `digits` significant digits (like C's `%g`), trailing zeros removed.
pub fn significant(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return shortest(v);
    }
    if v == 0.0 {
        return "0".into();
    }
    let digits = digits.clamp(1, 17);
    // Round first in scientific form, then choose the notation from the rounded exponent.
    let sci = format!("{:.*e}", digits - 1, v);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-5..16).contains(&exp) {
        // Print the rounded value, so digits beyond `digits` come out as zeros.
        let rounded: f64 = sci.parse().unwrap_or(v);
        let decimals = (digits as i32 - 1 - exp).max(0) as usize;
        trim_zeros(&format!("{:.*}", decimals, rounded))
    } else {
        format!("{}e{}", trim_zeros(mant), exp)
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// Formats with the session's setting: `None` is [`shortest`].
pub fn number(v: f64, digits: Option<usize>) -> String {
    match digits {
        None => shortest(v),
        Some(d) => {
            let s = significant(v, d);
            // `31400000000` at 3 digits claims 11: write `3.14e10`.
            let shown = s.trim_start_matches('-');
            if shown.len() > d && shown.bytes().all(|c| c.is_ascii_digit()) {
                let sci = format!("{:.*e}", d.clamp(1, 17) - 1, v);
                let (m, e) = sci.split_once('e').unwrap_or((&sci, "0"));
                let m = if m.contains('.') {
                    m.trim_end_matches('0').trim_end_matches('.')
                } else {
                    m
                };
                format!("{m}e{e}")
            } else {
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_round_trips() {
        for v in [
            0.1,
            1.0 / 3.0,
            63.0,
            -4.0,
            1e-7,
            6.02e23,
            1e300,
            5e-324,
            123456.789,
        ] {
            let s = shortest(v);
            assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
        }
        assert_eq!(shortest(63.0), "63");
        assert_eq!(shortest(1e-7), "1e-7");
        assert_eq!(shortest(6.02e23), "6.02e23");
        assert_eq!(shortest(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn significant_digits() {
        assert_eq!(significant(1.0 / 3.0, 5), "0.33333");
        assert_eq!(significant(-0.3333333432674408, 5), "-0.33333");
        assert_eq!(significant(63.0, 5), "63");
        assert_eq!(significant(123456.0, 3), "123000");
        assert_eq!(significant(1.5e-9, 3), "1.5e-9");
        assert_eq!(significant(9.99996, 5), "10");
    }
}
