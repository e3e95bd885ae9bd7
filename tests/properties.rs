//! Properties over random inputs, through the library's session: every
//! built-in's derivatives pass the finite-difference check at random points
//! in its domain; the worked numbers agree with closed forms; random lines
//! never panic.

use deriv::outcome::{Derivatives, Outcome};
use deriv::session::Session;
use proptest::prelude::*;

fn derivatives(s: &mut Session, line: &str) -> Derivatives {
    match s.eval_line(line) {
        Ok(Outcome::Derivatives(d)) => *d,
        other => panic!("{line}: {other:?}"),
    }
}

/// Each one-argument built-in with an interval inside its domain (away from
/// kinks and poles, where the check is meant to fail).
const DOMAINS: &[(&str, f64, f64)] = &[
    ("sin", -10.0, 10.0),
    ("cos", -10.0, 10.0),
    ("tan", -1.4, 1.4),
    ("asin", -0.95, 0.95),
    ("acos", -0.95, 0.95),
    ("atan", -20.0, 20.0),
    ("sinh", -5.0, 5.0),
    ("cosh", -5.0, 5.0),
    ("tanh", -5.0, 5.0),
    ("asinh", -20.0, 20.0),
    ("acosh", 1.05, 20.0),
    ("atanh", -0.95, 0.95),
    ("exp", -10.0, 10.0),
    ("ln", 0.05, 50.0),
    ("log", 0.05, 50.0),
    ("log2", 0.05, 50.0),
    ("log10", 0.05, 50.0),
    ("sqrt", 0.05, 50.0),
    ("cbrt", 0.05, 50.0),
    ("abs", 0.1, 10.0),
    ("sigmoid", -10.0, 10.0),
    ("softplus", -10.0, 10.0),
    ("relu", 0.1, 10.0),
    ("erf", -3.0, 3.0),
    ("sec", -1.4, 1.4),
    ("csc", 0.2, 2.9),
    ("cot", 0.2, 2.9),
    ("floor", 0.1, 0.9),
    ("ceil", 2.1, 2.9),
    ("round", -0.4, 0.4),
    ("gamma", 0.2, 12.0),
];

/// How far from a tie of min/max the check must already pass.
const NEAR_TIE: f64 = 0.05;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_builtin_passes_the_check(k in 0..DOMAINS.len(), t in 0.0f64..1.0) {
        let (name, lo, hi) = DOMAINS[k];
        let x = lo + (hi - lo) * t;
        let mut s = Session::new();
        let d = derivatives(&mut s, &format!(":diff {name}(x) at {x:e}"));
        let c = d.check.expect("check on");
        prop_assert!(c.ok, "{name} at {x}: {c:?}");
        prop_assert!(d.warnings.is_empty(), "{name} at {x}: {:?}", d.warnings);
    }

    #[test]
    fn two_argument_builtins_pass_the_check(a in 0.2f64..5.0, b in 0.2f64..5.0) {
        let mut s = Session::new();
        for f in ["atan2(x, y)", "hypot(x, y)", "pow(x, y)", "log(x, y + 1.5)", "x^y", "min(x, 2y + 0.1)", "max(x, 2y + 0.1)"] {
            // Away from the tie (where the check is meant to report a kink).
            if (f.starts_with("min") || f.starts_with("max")) && (a - 2.0 * b - 0.1).abs() < NEAR_TIE {
                continue;
            }
            let d = derivatives(&mut s, &format!(":hess {f} at x={a:e}, y={b:e}"));
            let c = d.check.expect("check on");
            prop_assert!(c.ok, "{f} at ({a}, {b}): {c:?}");
        }
    }

    /// g(x1, x2) = (x1+5)·x2²: gradient (x2², 2(x1+5)x2), Hessian [[0, 2x2], [2x2, 2(x1+5)]].
    #[test]
    fn tutorial_function_matches_its_closed_form(x1 in -10.0f64..10.0, x2 in -10.0f64..10.0) {
        let mut s = Session::new();
        s.eval_line("g(x1, x2) = (x1 + 5) * x2^2").unwrap();
        let d = derivatives(&mut s, &format!(":hess g at {x1:e}, {x2:e}"));
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
        let g = d.gradient.unwrap();
        prop_assert!(close(g[0], x2 * x2) && close(g[1], 2.0 * (x1 + 5.0) * x2), "{g:?}");
        let h = d.hessian.unwrap();
        prop_assert!(close(h[0][0], 0.0) && close(h[0][1], 2.0 * x2) && close(h[1][0], 2.0 * x2));
        prop_assert!(close(h[1][1], 2.0 * (x1 + 5.0)));
    }

    /// Primes agree with the closed form: d/dx sin = cos, d²/dx² of x·e^x = (x+2)e^x.
    #[test]
    fn primes_match_closed_forms(x in -5.0f64..5.0) {
        let mut s = Session::new();
        s.eval_line("q(t) = t * exp(t)").unwrap();
        let v = |s: &mut Session, line: &str| match s.eval_line(line) {
            Ok(Outcome::Value { value, .. }) => value,
            other => panic!("{other:?}"),
        };
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-13 * b.abs().max(1.0);
        let d1 = v(&mut s, &format!("sin'({x:e})"));
        let d2 = v(&mut s, &format!("q''({x:e})"));
        prop_assert!(close(d1, x.cos()), "sin'({}) = {}", x, d1);
        prop_assert!(close(d2, (x + 2.0) * x.exp()), "q''({}) = {}", x, d2);
    }

    /// Any line from the language's alphabet gets an outcome or an error, never a panic.
    #[test]
    fn random_lines_never_panic(line in "[-+*/^()., x1y2e:=a-z0-9']{0,40}") {
        let mut s = Session::new();
        let _ = s.eval_line(&line);
        prop_assert!(s.eval_line("1+1").is_ok());
    }
}

/// One statement of a random session: definitions over a few names that
/// use each other, deletions, and redefinitions of one kind as the other.
fn session_line() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec!["a", "b", "e", "inf", "f", "g", "h"]);
    let atom = prop::sample::select(vec![
        "1.5", "-2", "1/3", "a", "b", "e", "inf", "nan", "f(x)", "g(x, 2)", "h(1)", "x",
    ]);
    let body = (
        atom.clone(),
        prop::sample::select(vec!["+", "*", "^", "-"]),
        atom,
    )
        .prop_map(|(l, op, r)| format!("{l} {op} {r}"));
    prop_oneof![
        (name.clone(), body.clone()).prop_map(|(n, b)| format!("{n} = {b}")),
        (name.clone(), body.clone()).prop_map(|(n, b)| format!("{n}(x) = {b}")),
        (name.clone(), body).prop_map(|(n, b)| format!("{n}(x, y) = {b} + y")),
        (name.clone(), name).prop_map(|(a, b)| format!(":del {a} {b}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever a session went through, the script `:save` writes loads back
    /// into a fresh session without an error and defines the same things.
    #[test]
    fn saved_sessions_load_back_the_same(lines in proptest::collection::vec(session_line(), 0..24)) {
        let mut s = Session::new();
        for l in &lines {
            let _ = s.eval_line(l);
        }
        let script = s.script();
        let mut fresh = Session::new();
        for r in fresh.run_source(script.as_bytes()) {
            prop_assert!(r.result.is_ok(), "{lines:?}\n{script}\nline {}: {:?}", r.line, r.result);
        }
        let (a, b) = (s.defs(), fresh.defs());
        prop_assert_eq!(a.vars.keys().collect::<Vec<_>>(), b.vars.keys().collect::<Vec<_>>());
        for (k, v) in &a.vars {
            let w = b.vars[k];
            prop_assert!(*v == w || (v.is_nan() && w.is_nan()), "{k}: {v} vs {w}\n{script}");
        }
        let show = |d: &deriv::engine::Defs| {
            d.funcs
                .iter()
                .map(|(k, f)| format!("{k}({}) = {}", f.params.join(", "), f.body))
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(show(a), show(b), "{}", script);
        // And :save itself agrees: it writes the file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.deriv");
        let saved = s.eval_line(&format!(":save \"{}\"", path.display()));
        prop_assert!(saved.is_ok(), "{saved:?}");
    }
}
