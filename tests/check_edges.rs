//! The finite-difference check at the edges of ordinary use: every case of
//! the report that it was wrong there, with the verdict it must give now
//! and the number it must give it for.

use deriv::check::{Status, Verdict};
use deriv::outcome::{Derivatives, Outcome};
use deriv::session::Session;

fn derivatives(lines: &[&str]) -> Derivatives {
    let mut s = Session::new();
    let (last, before) = lines.split_last().expect("a line");
    for l in before {
        s.eval_line(l).unwrap_or_else(|e| panic!("{l}: {e:?}"));
    }
    match s.eval_line(last) {
        Ok(Outcome::Derivatives(d)) => *d,
        other => panic!("{last}: {other:?}"),
    }
}

/// `(lines, status, first-derivative value or NaN when it must be NaN,
/// verdict of the first entry)`.
type Case = (&'static [&'static str], Status, f64, Verdict);

fn cases() -> Vec<Case> {
    use Status as S;
    use Verdict as V;
    vec![
        // Correct derivatives near poles and at tiny arguments pass: the
        // steps shrink towards the point.
        (&[":grad sqrt(x) at 1e-8"], S::Pass, 5000.0, V::Pass),
        (&[":grad ln(x) at 1e-8"], S::Pass, 1e8, V::Pass),
        (
            &[":grad 1/(x-1) at 1.000001"],
            S::Pass,
            -1.0000000001645e12,
            V::Pass,
        ),
        (
            &[":grad tan(x) at 1.570796"],
            S::Pass,
            9.36374263909562e12,
            V::Pass,
        ),
        (&[":grad 1/x at 1e-6"], S::Pass, -1e12, V::Pass),
        (&[":grad sqrt(x) at 1e-12"], S::Pass, 500000.0, V::Pass),
        (
            &[":hess 1/(x-1) at 1.000001"],
            S::Pass,
            -1.0000000001645e12,
            V::Pass,
        ),
        // Near a kink, not at it: the derivative exists and passes.
        (&[":grad abs(x) at 1e-10"], S::Pass, 1.0, V::Pass),
        (&[":grad abs(x) at 1e-15"], S::Pass, 1.0, V::Pass),
        (&[":grad relu(x) at -1e-9"], S::Pass, 0.0, V::Pass),
        (&[":grad abs(x - 1) at 1.00000001"], S::Pass, 1.0, V::Pass),
        // A kink 1e-9 away from x = 1 or 1.3 pollutes every central step
        // larger than 1e-9, and the smaller ones drown in the rounding of f
        // (1e-16/1e-9 relative); the steps on the far side see only the
        // smooth part, and decide, the second derivative too.
        (&[":grad max(x, 1) at 1.000000001"], S::Pass, 1.0, V::Pass),
        (
            &[":diff abs(x - 1.3) + sin(x) at 1.300000001"],
            S::Pass,
            1.0 + 1.300000001f64.cos(),
            V::Pass,
        ),
        (
            &[":diff relu(x - 2.8) + x^2 at 2.7999999999"],
            S::Pass,
            2.0 * 2.7999999999,
            V::Pass,
        ),
        // Huge arguments: sin changes within a few ulps of 1e15, and the
        // steps there end at one ulp (1/8); the last extrapolation, free of
        // truncation, is judged by sin's own rounding, first and second
        // derivative alike.
        (&[":grad sin(x) at 1e15"], S::Pass, 1e15f64.cos(), V::Pass),
        (&[":check sin(x) at 1e15"], S::Pass, 1e15f64.cos(), V::Pass),
        // A kink 1e-14 from x = 1 is below what the steps on either side
        // can resolve (f rounds by 1e-16): never a kink, never a failure,
        // but not confirmed either.
        (
            &[":grad max(x, 1) at 1.00000000000001"],
            S::Unconfirmed,
            1.0,
            V::Unconfirmed,
        ),
        // At a kink: a kink.
        (&[":grad abs(x) at 0"], S::Kink, 0.0, V::Kink),
        (&[":grad max(x, 1) at 1"], S::Kink, 0.5, V::Kink),
        // The high derivatives of sin(x)/x, wrong in f64, are computed again
        // in double-double and pass (mpmath: g⁽¹⁹⁾(1) = 0.040698749744277798).
        (
            &["g(x) = sin(x)/x", ":diff g''''''''''''''''''(x) at 1"],
            S::Pass,
            0.040_698_749_744_277_8,
            V::Pass,
        ),
        // One partial that does not exist does not take the other with it.
        (&[":grad x^y at -2, 3"], S::Fail, 12.0, V::Pass),
        (&[":diff x^y wrt x at -2, 3"], S::Pass, 12.0, V::Pass),
    ]
}

#[test]
fn every_edge_case_gets_its_verdict_and_number() {
    for (lines, status, d1, verdict) in cases() {
        let d = derivatives(lines);
        let c = d.check.as_ref().expect("checked");
        let what = lines.join("; ");
        assert_eq!(c.status, status, "{what}: {c:?}");
        assert_eq!(c.ok, status == Status::Pass, "{what}");
        assert_eq!(c.entries[0].verdict, verdict, "{what}: {:?}", c.entries[0]);
        let got = d
            .derivative
            .or(d.gradient.as_ref().map(|g| g[0]))
            .expect("d/dx");
        if !d1.is_nan() {
            let ok = (got - d1).abs() <= 1e-12 * d1.abs().max(1.0);
            assert!(ok, "{what}: d/dx = {got}, want {d1}");
        }
        // Passing entries agree to the tolerance; "agree" is never said
        // beside an error at or beyond it.
        for e in &c.entries {
            if e.verdict == Verdict::Pass {
                assert!((e.ad - e.fd).abs() <= e.tol, "{what}: {e:?}");
            }
            if e.verdict == Verdict::Unconfirmed {
                assert!(e.doubt.is_some(), "{what}: {e:?}");
            }
        }
    }
}

#[test]
fn a_warned_partial_is_named_and_the_other_checked() {
    let d = derivatives(&[":grad x^y at -2, 3"]);
    let c = d.check.unwrap();
    assert_eq!(c.entries[0].verdict, Verdict::Pass);
    assert_eq!(c.entries[1].verdict, Verdict::Fail);
    assert!(c.entries[1].ad.is_nan());
}

#[test]
fn the_line_and_the_json_say_unconfirmed_with_the_reason() {
    let mut s = Session::new();
    let line = ":grad max(x, 1) at 1.00000000000001";
    let r = s.eval_line(line);
    let st = deriv::render::Style {
        color: false,
        digits: None,
    };
    let text = deriv::render::outcome(r.as_ref().unwrap(), st);
    let check = text.lines().last().unwrap();
    assert!(
        check.starts_with("  check    unconfirmed: d/dx could not be confirmed: "),
        "{text}"
    );
    assert!(!text.contains("differences agree"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&deriv::render::json(1, line, &r)).unwrap();
    assert_eq!(json["check"]["ok"], false);
    assert_eq!(json["check"]["status"], "unconfirmed");
    assert_eq!(json["check"]["entries"][0]["verdict"], "unconfirmed");
    assert!(json["check"]["entries"][0]["why"].is_string(), "{json}");
}

#[test]
fn a_vertical_tangent_and_a_kink_in_the_quotients_are_named() {
    let st = deriv::render::Style {
        color: false,
        digits: None,
    };
    let show = |line: &str| {
        let mut s = Session::new();
        deriv::render::outcome(&s.eval_line(line).unwrap(), st)
    };
    let t = show(":tangent sqrt(x) at 0");
    assert!(t.contains("line     x = 0 (vertical)"), "{t}");
    assert!(!t.contains("nan"), "{t}");
    let t = show(":tangent sqrt(x)*y at 0, 1");
    assert!(
        t.contains("none: the slope along x is infinite here"),
        "{t}"
    );
    let l = show(":limit abs(x) at 0");
    assert!(
        l.contains("the quotients settle on -1 from the left and 1 from the right: a kink"),
        "{l}"
    );
    assert!(!l.contains("round-off wins"), "{l}");
    // Smooth, even steeply curved: no kink.
    for line in [
        ":limit sin(1e4*x) at 0.3",
        ":limit x^2 at 1",
        ":limit abs(x) at 1e-3",
    ] {
        let mut s = Session::new();
        let Ok(Outcome::Limit(t)) = s.eval_line(line) else {
            panic!("{line}")
        };
        assert_eq!(t.sides, None, "{line}");
    }
}
