//! The formula engine: derivatives as formulas, checked against the
//! textbook, the dual numbers and finite differences.

use deriv::outcome::{Derivation, Formulas, Outcome};
use deriv::session::Session;
use deriv::symbolic::{self, Scope, Sym};
use deriv::syntax::parse_expr;
use proptest::prelude::*;

mod common;
use common::strategies::expr_strategy;

/// A scope without definitions.
struct Empty;
impl Scope for Empty {
    fn function(&self, _: &str) -> Option<(&[String], &deriv::syntax::Expr)> {
        None
    }
    fn is_variable(&self, _: &str) -> bool {
        false
    }
}

#[track_caller]
fn formula(text: &str) -> Sym {
    let e = parse_expr(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    symbolic::formula(&e, &Empty, &[]).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The derivative of `text` with respect to `wrt`, printed.
#[track_caller]
fn d(text: &str, wrt: &[&str]) -> String {
    let w: Vec<String> = wrt.iter().map(|s| s.to_string()).collect();
    symbolic::text(&symbolic::derivative(&formula(text), &w).unwrap())
}

#[track_caller]
fn sym(s: &mut Session, line: &str) -> Formulas {
    match s.eval_line(line) {
        Ok(Outcome::Formulas(f)) => *f,
        other => panic!("{line}: {other:?}"),
    }
}

#[track_caller]
fn steps(s: &mut Session, line: &str) -> Derivation {
    match s.eval_line(line) {
        Ok(Outcome::Steps(d)) => *d,
        other => panic!("{line}: {other:?}"),
    }
}

/// The session the random expressions expect: `k`, `h(u)` and `g(a, b)`.
fn session() -> Session {
    let mut s = Session::new();
    for line in [
        "k = 2.5",
        "g(x1, x2) = (x1+5)*x2^2",
        "h(u) = abs(u) + sqrt(u) + g(u, u)",
    ] {
        s.eval_line(line).unwrap();
    }
    s
}

#[test]
fn the_tutorials_formulas_come_out_as_written() {
    assert_eq!(d("3x^2 + 2x - 1", &["x"]), "6x + 2");
    assert_eq!(d("x^2 + 3x + 2", &["x"]), "2x + 3");
    assert_eq!(d("x^2 + y^2", &["x"]), "2x");
    let mut s = Session::new();
    s.eval_line("g(x1, x2) = (x1 + 5)*x2^2").unwrap();
    let f = sym(&mut s, ":sym g");
    let got: Vec<(&str, &str)> = f
        .derivatives
        .iter()
        .map(|d| (d.wrt[0].as_str(), d.formula.as_str()))
        .collect();
    assert_eq!(got, [("x1", "x2^2"), ("x2", "2(x1 + 5)x2")]);
    let f = sym(&mut s, ":sym g wrt x1, x2");
    assert_eq!(f.derivatives[0].formula, "2*x2");
    assert_eq!(f.derivatives[0].wrt, ["x1", "x2"]);
}

/// Every built-in's derivative against the textbook's formula (in deriv's
/// canonical spelling).
#[test]
fn every_builtin_has_its_textbook_derivative() {
    let cases = [
        ("sin(x)", "cos(x)"),
        ("cos(x)", "-sin(x)"),
        ("tan(x)", "tan(x)^2 + 1"),
        ("asin(x)", "1/sqrt(1 - x^2)"),
        ("acos(x)", "-1/sqrt(1 - x^2)"),
        ("atan(x)", "1/(x^2 + 1)"),
        ("sinh(x)", "cosh(x)"),
        ("cosh(x)", "sinh(x)"),
        ("tanh(x)", "1 - tanh(x)^2"),
        ("asinh(x)", "1/sqrt(x^2 + 1)"),
        ("acosh(x)", "1/sqrt(x^2 - 1)"),
        ("atanh(x)", "1/(1 - x^2)"),
        ("exp(x)", "exp(x)"),
        ("ln(x)", "1/x"),
        ("log(x)", "1/x"),
        ("log(x, 3)", "1/(x*ln(3))"),
        ("log2(x)", "1/(x*ln(2))"),
        ("log10(x)", "1/(x*ln(10))"),
        ("sqrt(x)", "1/(2sqrt(x))"),
        ("cbrt(x)", "1/(3cbrt(x)^2)"),
        ("abs(x)", "sign(x)"),
        ("sign(x)", "0"),
        ("pow(x, 3)", "3x^2"),
        ("x^3", "3x^2"),
        ("x^-2", "-2/x^3"),
        ("x^(1/3)", "1/(3x^(2/3))"),
        ("2^x", "2^x*ln(2)"),
        ("e^x", "e^x"),
        ("x^x", "(ln(x) + 1)x^x"),
        ("atan2(x, 2)", "2/(x^2 + 4)"),
        ("hypot(x, 3)", "x/hypot(x, 3)"),
        ("min(x, 3)", "(sign(3 - x) + 1)/2"),
        ("max(x, 3)", "(sign(x - 3) + 1)/2"),
        ("sigmoid(x)", "(1 - sigmoid(x))sigmoid(x)"),
        ("softplus(x)", "sigmoid(x)"),
        ("relu(x)", "sign(relu(x))"),
        ("erf(x)", "2exp(-x^2)/sqrt(pi)"),
    ];
    for (f, want) in cases {
        assert_eq!(d(f, &["x"]), want, "d/dx {f}");
    }
    // Both sides varying, and the second argument.
    assert_eq!(d("x^y", &["y"]), "x^y*ln(x)");
    assert_eq!(d("atan2(y, x)", &["x"]), "-y/(x^2 + y^2)");
    assert_eq!(d("atan2(y, x)", &["y"]), "x/(x^2 + y^2)");
    assert_eq!(d("log(2, x)", &["x"]), "-ln(2)/(x*ln(x)^2)");
}

#[test]
fn the_simplifier_does_what_a_person_does() {
    let cases = [
        ("x*x", "x^2"),
        ("2x + 3x", "5x"),
        ("x^2*x", "x^3"),
        ("0*x + 1*y + z^1 + 0", "y + z"),
        ("--x", "x"),
        ("x/x^3", "1/x^2"),
        ("sqrt(x)*sqrt(x)", "x"),
        ("2*(x + 1)", "2x + 2"),
        ("(x1 + 5)*x2*2", "2(x1 + 5)x2"),
        ("3*x2", "3*x2"),
        ("ln(exp(x))", "x"),
        ("exp(ln(x))", "exp(ln(x))"),
        ("cos(0) + ln(1)", "1"),
        ("ln(2)", "ln(2)"),
        ("4^(1/2)", "2"),
        ("2^(1/2)", "sqrt(2)"),
        ("(x + y)^2", "(x + y)^2"),
        ("x - x", "0"),
        ("1 - x", "1 - x"),
        ("y*x + x*y", "2x*y"),
        ("0.1*x + 0.2*x", "3x/10"),
    ];
    for (e, want) in cases {
        assert_eq!(symbolic::text(&formula(e)), want, "{e}");
    }
}

/// Quotients stay quotients; factored forms stay factored.
#[test]
fn quotients_and_factors_are_kept() {
    assert_eq!(d("1/x", &["x"]), "-1/x^2");
    assert_eq!(d("x/(x + 1)", &["x"]), "1/(x + 1)^2");
    assert_eq!(d("sin(x)/x", &["x"]), "cos(x)/x - sin(x)/x^2");
    assert_eq!(d("(x + 1)^3*y", &["y"]), "(x + 1)^3");
    assert_eq!(d("(x + 1)^3", &["x"]), "3(x + 1)^2");
}

#[test]
fn user_functions_and_primes_are_expanded() {
    let mut s = Session::new();
    s.eval_line("f(t) = t^3 + sin(t)").unwrap();
    assert_eq!(
        sym(&mut s, ":sym f(x)").derivatives[0].formula,
        "3x^2 + cos(x)"
    );
    assert_eq!(
        sym(&mut s, ":sym f'(x)").derivatives[0].formula,
        "6x - sin(x)"
    );
    assert_eq!(
        sym(&mut s, ":sym f''(2x)").derivatives[0].formula,
        "12 - 2cos(2x)"
    );
    assert_eq!(
        sym(&mut s, ":sym sin'(x^2)").derivatives[0].formula,
        "-2x*sin(x^2)"
    );
    // A session variable is held constant and kept by name.
    s.eval_line("a = 3").unwrap();
    assert_eq!(sym(&mut s, ":sym a*x^2").derivatives[0].formula, "2a*x");
    // … unless it is named by `wrt`.
    let f = sym(&mut s, ":sym a*x^2 wrt a");
    assert_eq!(f.derivatives[0].formula, "x^2");
}

#[test]
fn second_and_mixed_partials() {
    assert_eq!(d("x^3*y^2", &["x", "y"]), "6x^2*y");
    assert_eq!(d("x^3*y^2", &["x", "x"]), "6x*y^2");
    assert_eq!(d("sin(x*y)", &["x", "y"]), "cos(x*y) - x*y*sin(x*y)");
}

#[test]
fn steps_read_like_a_worked_solution() {
    let mut s = Session::new();
    let d = steps(&mut s, ":steps sin(x^2)");
    let lines: Vec<&str> = d.steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        lines,
        [
            "d/dx sin(x^2) = cos(x^2) · d/dx x^2    (sin rule, inner function x^2)",
            "d/dx x^2 = 2x",
            "= 2x*cos(x^2)",
        ]
    );
    assert_eq!(d.steps[0].rule, "chain");
    assert_eq!(d.formula, "2x*cos(x^2)");
    let d = steps(&mut s, ":steps x*sin(x)");
    assert_eq!(d.steps[0].rule, "product");
    let d = steps(&mut s, ":steps x/(x+1)");
    assert_eq!(d.steps[0].rule, "quotient");
    assert_eq!(d.formula, "1/(x + 1)^2");
}

#[test]
fn latex_on_request() {
    let f = formula("sqrt(x)/(x^2 + 1) + sin(x1)*alpha");
    assert_eq!(
        symbolic::latex(&f),
        "\\alpha \\cdot \\sin\\left(x_{1}\\right) + \\frac{\\sqrt{x}}{x^{2} + 1}"
    );
    assert_eq!(symbolic::latex(&formula("-1/x^2")), "-\\frac{1}{x^{2}}");
}

#[test]
fn at_a_point_three_answers_agree() {
    let mut s = session();
    let f = sym(&mut s, ":sym g at 2, 3");
    let a: Vec<(f64, f64)> = f
        .derivatives
        .iter()
        .map(|d| {
            let a = d.at.as_ref().unwrap();
            assert!(a.agree, "{a:?}");
            assert_eq!(a.verdict, deriv::check::Verdict::Pass);
            (a.formula, a.dual)
        })
        .collect();
    assert_eq!(a, [(9.0, 9.0), (42.0, 42.0)]);
    let f = sym(&mut s, ":sym abs(x) at 0");
    assert!(
        f.notes.iter().any(|n| n.contains("abs(x)")),
        "{:?}",
        f.notes
    );
    let f = sym(&mut s, ":sym x^y wrt x, y at 2, 3");
    let a = f.derivatives[0].at.as_ref().unwrap();
    assert!(
        a.agree && (a.formula - (12.0 * 2f64.ln() + 4.0)).abs() < 1e-12,
        "{a:?}"
    );
}

/// Steps and `mod` hold between their jumps, and the notes say where.
#[test]
fn jumps_of_steps_and_mod_are_noted() {
    let mut s = Session::new();
    let f = sym(
        &mut s,
        ":sym floor(x^2) + ceil(x) + round(2x) + mod(x, y) wrt x at 1.2, 5",
    );
    assert_eq!(f.derivatives[0].formula, "1");
    assert!(f.derivatives[0].at.as_ref().unwrap().agree);
    for want in [
        "floor(x^2) jumps where x^2 is an integer",
        "ceil(x) jumps where x is an integer",
        "round(2x) jumps where 2x is an integer plus 1/2",
        "mod(x, y) jumps where x/y is an integer",
    ] {
        assert!(
            f.notes.iter().any(|n| n.starts_with(want)),
            "{want}: {:?}",
            f.notes
        );
    }
}

#[test]
fn bad_input_is_a_typed_error_and_the_session_goes_on() {
    let mut s = Session::new();
    s.eval_line("a = 1").unwrap();
    for (line, kind, col) in [
        (":sym x^2 wrt z", "name", 14),
        (":sym foo(x)", "name", 6),
        (":sym sin(x, y)", "arity", 6),
        (":sym 5", "point", 1),
        (":steps x*y", "point", 1),
        (":sym x^2 at y=1", "point", 13),
    ] {
        let e = s.eval_line(line).unwrap_err();
        assert_eq!(e.kind.as_str(), kind, "{line}: {e:?}");
        assert_eq!(e.span.map(|s| s.start + 1), Some(col), "{line}: {e:?}");
    }
    assert_eq!(s.defs().vars.len(), 1);
    assert!(s.eval_line("a + 1").is_ok());
}

#[test]
fn too_large_a_result_is_a_limit_error() {
    let mut s = Session::new();
    s.eval_line("f1(x) = x*sin(x)").unwrap();
    for i in 2..30 {
        s.eval_line(&format!("f{i}(x) = f{}(x) - f{}(x)", i - 1, i - 1))
            .unwrap();
    }
    let e = s.eval_line(":sym f29(x)").unwrap_err();
    assert_eq!(e.kind.as_str(), "limit", "{e:?}");
    assert!(e.message.contains("too many steps"), "{e:?}");
    // A formula that does grow past the size limit.
    s.eval_line("p1(x) = sin(x) + x").unwrap();
    for i in 2..30 {
        s.eval_line(&format!("p{i}(x) = p{}(p{}(x))", i - 1, i - 1))
            .unwrap();
    }
    let e = s.eval_line(":sym p29(x)").unwrap_err();
    assert_eq!(e.kind.as_str(), "limit", "{e:?}");
    assert!(e.message.contains("too large"), "{e:?}");
    assert!(s.eval_line("1 + 1").is_ok());
}

/// `:set formulas`: off by default; on, each derivative's formula after
/// its number, the formula's value the number; auto, only the short ones.
#[test]
fn formulas_beside_the_numbers_of_diff_and_grad() {
    let style = deriv::render::Style {
        color: false,
        digits: None,
    };
    let report = |s: &mut Session, line: &str| {
        let r = s.eval_line(line);
        let json: serde_json::Value =
            serde_json::from_str(&deriv::render::json(1, line, &r)).unwrap();
        (deriv::render::outcome(&r.unwrap(), style), json)
    };
    let mut s = Session::new();
    let (text, json) = report(&mut s, ":diff 3x^2 + 2x - 1 at 1");
    assert!(!text.contains("   = "), "{text}");
    assert!(json.get("formula").is_none(), "{json}");
    s.eval_line(":set formulas on").unwrap();
    let (text, json) = report(&mut s, ":diff 3x^2 + 2x - 1 at 1");
    assert!(text.contains("\n  d/dx     8   = 6x + 2\n"), "{text}");
    assert!(text.contains("\n  d²/dx²   6   = 6\n"), "{text}");
    assert_eq!(json["formula"], "6x + 2");
    assert_eq!(json["second_formula"], "6");
    let (text, json) = report(&mut s, ":grad (x1 + 5)*x2^2 at 2, 3");
    assert!(text.contains("\n  ∂/∂x1    9    = x2^2\n"), "{text}");
    assert!(text.contains("\n  ∂/∂x2    42   = 2(x1 + 5)x2\n"), "{text}");
    assert_eq!(json["formulas"], serde_json::json!(["x2^2", "2(x1 + 5)x2"]));
    // No formula for gamma (it needs digamma): the numbers alone, as before.
    let (text, json) = report(&mut s, ":diff gamma(x) at 2");
    assert!(!text.contains("   = "), "{text}");
    assert!(json.get("formula").is_none(), "{json}");
    // Each formula, evaluated at the point, is the number beside it.
    let line = ":grad sin(x)*exp(y)*x^3/(x^2 + y^2 + 1) at 1.5, -0.5";
    let (_, json) = report(&mut s, line);
    for (i, (f, g)) in json["formulas"]
        .as_array()
        .unwrap()
        .iter()
        .zip(json["gradient"].as_array().unwrap())
        .enumerate()
    {
        s.eval_line("x = 1.5").unwrap();
        s.eval_line("y = -0.5").unwrap();
        let Ok(Outcome::Value { value: v, .. }) = s.eval_line(f.as_str().unwrap()) else {
            panic!("{f}")
        };
        let g = g.as_f64().unwrap();
        assert!((v - g).abs() <= 1e-12 * g.abs().max(1.0), "{i}: {v} vs {g}");
        s.eval_line(":del x, y").unwrap();
    }
    // auto: only the short ones.
    s.eval_line(":set formulas auto").unwrap();
    let (_, json) = report(&mut s, line);
    assert!(json.get("formulas").is_none(), "{json}");
    let (text, json) = report(
        &mut s,
        ":grad x^2*y + y*exp(x)*sin(x)*cos(x)/(x^4 + 1) at 1, 2",
    );
    assert_eq!(json["formulas"][0], serde_json::Value::Null, "{json}");
    assert_eq!(json["formulas"][1], "x^2 + cos(x)*exp(x)*sin(x)/(x^4 + 1)");
    assert!(
        !text
            .lines()
            .any(|l| l.contains("∂/∂x") && l.contains(" = ")),
        "{text}"
    );
    let (text, _) = report(&mut s, ":diff x^3 at 2");
    assert!(text.contains("= 3x^2") && text.contains("= 6x"), "{text}");
}

/// Ctrl-C (the session's cancel flag) and the time limit stop a long
/// `:sym` promptly, and the session goes on.
#[test]
fn ctrl_c_and_the_time_limit_stop_a_long_sym() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    // The second derivative of a product of 60 factors: 1,770 products of
    // 58 factors each, seconds of work in a debug build.
    let product: Vec<String> = (1..=60).map(|k| format!("(x + {k})")).collect();
    let line = format!(":sym {} wrt x, x", product.join("*"));
    let mut s = Session::new();
    let flag = Arc::new(AtomicBool::new(false));
    s.set_cancel(flag.clone());
    let setter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        flag.store(true, Ordering::Relaxed);
        Instant::now()
    });
    let e = s.eval_line(&line).unwrap_err();
    let stopped = Instant::now();
    let asked = setter.join().unwrap();
    assert_eq!(e.kind.as_str(), "interrupted", "{e:?}");
    assert!(stopped.duration_since(asked) < Duration::from_secs(1));
    let mut s = Session::new();
    s.set_time_limit(Duration::from_millis(100));
    let e = s.eval_line(&line).unwrap_err();
    assert_eq!(e.kind.as_str(), "limit", "{e:?}");
    assert!(e.message.contains("ran out of time"), "{e:?}");
    assert!(s.eval_line("1 + 1").is_ok());
}

/// A sum of a thousand terms and a chain two hundred deep, on a small
/// stack, in good time.
#[test]
fn wide_and_deep_expressions_stay_within_limits() {
    let t = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let start = std::time::Instant::now();
            // Built as a tree: the parser's own limit on chains stops just short.
            let wide = (2..=1000)
                .map(|i| parse_expr(&format!("sin({i}x)")).unwrap())
                .fold(parse_expr("sin(x)").unwrap(), |a, b| {
                    let span = a.span;
                    deriv::syntax::Expr {
                        kind: deriv::syntax::ExprKind::Binary {
                            op: deriv::syntax::BinOp::Add,
                            lhs: Box::new(a),
                            rhs: Box::new(b),
                            implicit: false,
                        },
                        span,
                    }
                });
            let f = symbolic::formula(&wide, &Empty, &[]).unwrap();
            let f = symbolic::text(&symbolic::derivative(&f, &["x".to_string()]).unwrap());
            assert!(
                f.starts_with("cos(x) + 2cos(2x) + 3cos(3x)"),
                "{}",
                &f[..40]
            );
            assert!(f.ends_with(" + 1000cos(1000x)"), "{}", &f[f.len() - 40..]);
            let deep = (0..200).fold("x".to_string(), |a, _| format!("sin({a})"));
            let f = d(&deep, &["x"]);
            assert_eq!(f.matches("cos(").count(), 200);
            assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
        })
        .unwrap();
    t.join().unwrap();
}

/// Nodes of a parsed expression, a numeric coefficient counted as one
/// number however it is written: `0.5/sqrt(x)` and `1/(2sqrt(x))`, `-x/3`
/// and `x*(-1/3)` are as long (the formula prints exact rationals as
/// fractions, so the operators and signs that write a coefficient are not
/// counted, nor the `1` of `1/u`).
fn nodes(e: &deriv::syntax::Expr) -> usize {
    use deriv::syntax::{BinOp, ExprKind};
    fn number(e: &deriv::syntax::Expr) -> bool {
        match &e.kind {
            ExprKind::Num(_) => true,
            ExprKind::Name(n) => n == "inf" || n == "nan",
            ExprKind::Unary(_, a) => number(a),
            _ => false,
        }
    }
    fn one(e: &deriv::syntax::Expr) -> bool {
        match &e.kind {
            ExprKind::Num(v) => *v == 1.0,
            ExprKind::Unary(_, a) => one(a),
            _ => false,
        }
    }
    let mut n: isize = 0;
    deriv::syntax::walk(e, &mut |x| match &x.kind {
        ExprKind::Unary(..) => {}
        ExprKind::Binary { op, lhs, rhs, .. } => {
            let scaling = matches!(op, BinOp::Mul | BinOp::Div) && (number(lhs) || number(rhs));
            if !scaling {
                n += 1;
            }
            // `1/u` counts as `u`'s power, `1/3` as one number.
            if *op == BinOp::Div && (one(lhs) || number(lhs) && number(rhs)) {
                n -= 1;
            }
        }
        _ => n += 1,
    });
    n.max(0) as usize
}

/// The variables `:sym` finds in `e` (none when it has none).
fn vars_of(s: &mut Session, e: &str) -> Vec<String> {
    match s.eval_line(&format!(":sym {e}")) {
        Ok(Outcome::Formulas(f)) => f.vars,
        Err(err) if err.kind.as_str() == "point" => Vec::new(),
        other => panic!("{e}: {other:?}"),
    }
}

/// Rebuilds a formula through the constructors: simplifying it again.
fn resimplify(f: &Sym) -> Sym {
    f.map_names(&|_| None)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The formula (printed, read back and evaluated), the dual numbers and
    /// the finite differences agree at random points of random expressions.
    #[test]
    fn formula_agrees_with_dual_numbers(e in expr_strategy(), x in -2.0f64..2.0, y in -2.0f64..2.0) {
        let mut s = session();
        let vars = vars_of(&mut s, &e);
        prop_assume!(!vars.is_empty());
        let at: Vec<String> = vars
            .iter()
            .map(|v| format!("{v}={:e}", if v == "x" { x } else { y }))
            .collect();
        let line = format!(":sym {e} at {}", at.join(", "));
        let f = sym(&mut s, &line);
        prop_assert_eq!(f.derivatives.len(), vars.len());
        for d in &f.derivatives {
            let a = d.at.as_ref().unwrap();
            // Where the dual numbers give no finite value (sqrt at 0 and the
            // like) the formula may know better; elsewhere they agree.
            if a.dual.is_finite() && a.formula.is_finite() {
                prop_assert!(a.agree, "{line}\n{d:?}");
            }
        }
    }

    /// Second and mixed partials agree with the dual numbers' Hessian.
    #[test]
    fn second_partials_agree_with_dual_numbers(e in expr_strategy(), x in -2.0f64..2.0, y in -2.0f64..2.0) {
        let mut s = session();
        let vars = vars_of(&mut s, &e);
        prop_assume!(vars.iter().any(|v| v == "x") && vars.iter().any(|v| v == "y"));
        let line = format!(":sym {e} wrt x, y at x={x:e}, y={y:e}");
        let f = sym(&mut s, &line);
        let a = f.derivatives[0].at.as_ref().unwrap();
        if a.dual.is_finite() && a.formula.is_finite() {
            prop_assert!(a.agree, "{line}\n{a:?}");
        }
    }

    /// Simplifying again changes nothing; printing and reading back gives
    /// the same formula; a derivative's formula reads back too.
    #[test]
    fn simplifier_is_idempotent_and_printing_round_trips(e in expr_strategy()) {
        let s = session();
        let parsed = parse_expr(&e).unwrap();
        let scope = SessionScope(&s);
        let f = symbolic::formula(&parsed, &scope, &[]).unwrap();
        prop_assert_eq!(&resimplify(&f), &f);
        for w in ["x", "y"] {
            let dx = symbolic::derivative(&f, &[w.to_string()]).unwrap();
            prop_assert_eq!(&resimplify(&dx), &dx);
            // Read back, the printed formula is the same function.
            let back = symbolic::formula(&parse_expr(&symbolic::text(&dx)).unwrap(), &scope, &[]).unwrap();
            for (px, py) in [(0.7, -1.3), (-0.4, 1.9), (1.6, 0.3)] {
                let at = |n: &str| match n { "x" => Some(px), "y" => Some(py), "k" => Some(2.5), _ => None };
                let (a, b) = (symbolic::eval(&dx, &at), symbolic::eval(&back, &at));
                prop_assert!(a == b || (!a.is_finite() && !b.is_finite()) || (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                    "{} vs {}: {} vs {}", symbolic::text(&dx), symbolic::text(&back), a, b);
            }
        }
    }

    /// Simplification never lengthens what was written (without user
    /// functions, whose expansion is meant to).
    #[test]
    fn simplification_never_grows(e in expr_strategy()) {
        prop_assume!(!e.contains("g(") || e.contains("log("));
        prop_assume!(!e.contains("h(") && !e.contains("'"));
        let parsed = parse_expr(&e).unwrap();
        let Ok(f) = symbolic::formula(&parsed, &Empty, &[]) else { return Ok(()) };
        // Both sides as the parser reads them: the simplified formula,
        // printed and read back, has no more nodes than what was written.
        let text = symbolic::text(&f);
        let after = parse_expr(&text).unwrap();
        prop_assert!(nodes(&after) <= nodes(&parsed), "{} -> {}", parsed, text);
    }
}

/// The session's definitions, for formulas built outside a command.
struct SessionScope<'a>(&'a Session);
impl Scope for SessionScope<'_> {
    fn function(&self, name: &str) -> Option<(&[String], &deriv::syntax::Expr)> {
        self.0
            .defs()
            .funcs
            .get(name)
            .map(|f| (f.params.as_slice(), &f.body))
    }
    fn is_variable(&self, name: &str) -> bool {
        self.0.defs().vars.contains_key(name)
    }
}

#[test]
fn formulas_over_arrays_are_refused_where_the_array_is() {
    let mut s = session();
    s.eval_line("f(x) = sum(x)").unwrap();
    s.eval_line("v = [1, 2]").unwrap();
    for (line, says, column) in [
        (":sym sum(x)", "`sum` works over arrays", 6),
        (
            ":steps linspace(0, 1, 3)",
            "`linspace` works over arrays",
            8,
        ),
        (":sym f(x) + 1", "`sum` works over arrays", 6),
        (":sym v*x", "`v` holds an array", 6),
        (
            ":sym [1, 2] @ x",
            "formulas over arrays are not supported yet",
            6,
        ),
    ] {
        let e = s.eval_line(line).unwrap_err();
        assert!(e.message.contains(says), "{line}: {}", e.message);
        assert_eq!(e.span.map(|sp| sp.start + 1), Some(column), "{line}");
    }
    // max and min of two scalars keep their formulas.
    assert_eq!(d("max(x, 1)", &["x"]), "(sign(x - 1) + 1)/2");
}

#[test]
fn a_function_called_on_its_own_variables_names_its_partials() {
    let out = common::succeed(&["g(x1,x2) = (x1+5)*x2^2", ":sym g(x1, x2)", ":sym g(a, b)"]);
    assert_eq!(
        out,
        "g(x1, x2) = (x1 + 5) * x2^2\n∂g/∂x1 = x2^2\n∂g/∂x2 = 2(x1 + 5)x2\n∂g/∂a = b^2\n∂g/∂b = 2(a + 5)b\n"
    );
    // not a function of its own variables: the expression is named f, as before
    let out = common::succeed(&["g(x1,x2) = (x1+5)*x2^2", "c = 2", ":sym g(x1, c*x2)"]);
    assert!(out.contains("\nf = (x1 + 5)(c*x2)^2\n∂f/∂x1 = "), "{out}");
    let mut s = Session::new();
    s.eval_line("g(x1,x2) = (x1+5)*x2^2").unwrap();
    assert_eq!(sym(&mut s, ":sym g(x1, x2)").name.as_deref(), Some("g"));
    assert_eq!(sym(&mut s, ":sym g(x1, x1)").name, None);
}
