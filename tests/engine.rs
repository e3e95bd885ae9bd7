//! The compiled engine against the tree walk and the forward duals: the tape
//! gives the tree walk's numbers and warnings over f64, Dual1 and Dual2; the
//! reverse sweep gives the forward gradient and the coloured Hessian-vector
//! products the forward Hessian, to 1e-13 relative; Rosenbrock's Hessian is
//! found tridiagonal.

use deriv::engine;
use deriv::engine::Tape;
use deriv::engine::{Budget, Defs, Evaluator, Function};
use deriv::error::Warning;
use deriv::num::Scalar;
use deriv::num::{Dual1, Dual2};
use deriv::outcome::{Derivatives, Outcome};
use deriv::session::Session;
use deriv::syntax::parse_expr;
use deriv::syntax::{BinOp, Expr, ExprKind};
use proptest::prelude::*;

mod common;
use common::strategies::expr_strategy;

const F2: &str = "a^3*b^2/ln(c+1) + e^(a*d)*cos(b*c) + sqrt(a^2+b^2)*ln(d^2+e^2)";

fn rosen(n: usize) -> String {
    (1..n)
        .map(|i| format!("100*(x{}-x{i}^2)^2 + (1-x{i})^2", i + 1))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Rosenbrock as a balanced sum, past the parser's limit on chains.
fn rosen_tree(n: usize) -> Expr {
    fn sum(mut terms: Vec<Expr>) -> Expr {
        while terms.len() > 1 {
            let mut next = Vec::with_capacity(terms.len().div_ceil(2));
            let mut it = terms.into_iter();
            while let Some(a) = it.next() {
                match it.next() {
                    Some(b) => next.push(Expr {
                        span: a.span.to(b.span),
                        kind: ExprKind::Binary {
                            op: BinOp::Add,
                            lhs: Box::new(a),
                            rhs: Box::new(b),
                            implicit: false,
                        },
                    }),
                    None => next.push(a),
                }
            }
            terms = next;
        }
        terms.pop().unwrap()
    }
    sum((1..n)
        .map(|i| parse_expr(&format!("100*(x{}-x{i}^2)^2 + (1-x{i})^2", i + 1)).unwrap())
        .collect())
}

fn rosen_vars(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("x{i}")).collect()
}

fn defs() -> Defs {
    let mut d = Defs::default();
    d.vars.insert("k".into(), 2.5);
    let f = |params: &[&str], body: &str| Function {
        params: params.iter().map(|s| s.to_string()).collect(),
        body: parse_expr(body).unwrap(),
    };
    d.funcs.insert("g".into(), f(&["x1", "x2"], "(x1+5)*x2^2"));
    d.funcs
        .insert("h".into(), f(&["u"], "abs(u) + sqrt(u) + g(u, u)"));
    d.funcs
        .insert("w".into(), f(&["u", "v"], "h(u) * h(v) + ln(u - v)"));
    d
}

fn compile(defs: &Defs, expr: &str, vars: &[&str]) -> (Expr, Tape) {
    let e = parse_expr(expr).unwrap();
    let t = engine::compile(defs, &e, vars).unwrap_or_else(|| panic!("{expr} compiles"));
    (e, t)
}

/// Tree walk and tape over `S`, with their warnings.
fn both<S: Scalar>(
    defs: &Defs,
    e: &Expr,
    t: &Tape,
    vars: &[&str],
    inputs: &[S],
    proto: &S,
) -> ((S, Vec<Warning>), (S, Vec<Warning>)) {
    let scope: Vec<(&str, S)> = vars.iter().copied().zip(inputs.iter().cloned()).collect();
    let mut b1 = Budget::default();
    let r1 = Evaluator::new(defs, proto.clone(), &mut b1)
        .eval(e, &scope)
        .unwrap();
    let mut b2 = Budget::default();
    let r2 = t.eval(inputs, proto, &mut b2).unwrap();
    ((r1, b1.warnings), (r2, b2.warnings))
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Derivative parts: equal as numbers (a folded constant has +0 parts where
/// the tree walk may carry -0).
fn same_all(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(&x, &y)| x == y || (x.is_nan() && y.is_nan()))
}

#[track_caller]
fn tape_matches_tree(expr: &str, vars: &[&str], point: &[f64]) {
    let defs = defs();
    let (e, t) = compile(&defs, expr, vars);
    let n = vars.len();
    let ((v1, w1), (v2, w2)) = both(&defs, &e, &t, vars, point, &0.0);
    assert!(same(v1, v2), "{expr}: f64 {v1} vs {v2}");
    assert_eq!(w1, w2, "{expr}: f64 warnings");
    let d1: Vec<Dual1> = (0..n).map(|i| Dual1::variable(n, i, point[i])).collect();
    let ((r1, w1), (r2, w2)) = both(&defs, &e, &t, vars, &d1, &Dual1::constant_n(n, 0.0));
    assert!(
        same(r1.v, r2.v) && same_all(&r1.g, &r2.g),
        "{expr}: {r1:?} vs {r2:?}"
    );
    assert_eq!(w1, w2, "{expr}: Dual1 warnings");
    let d2: Vec<Dual2> = (0..n).map(|i| Dual2::variable(n, i, point[i])).collect();
    let ((r1, w1), (r2, w2)) = both(&defs, &e, &t, vars, &d2, &Dual2::constant_n(n, 0.0));
    assert!(
        same(r1.v, r2.v) && same_all(&r1.g, &r2.g) && same_all(&r1.h, &r2.h),
        "{expr}: {r1:?} vs {r2:?}"
    );
    assert_eq!(w1, w2, "{expr}: Dual2 warnings");
    if n <= 5 {
        // The engine's choice for few variables: fixed-size duals, bit for
        // bit the vector duals' results.
        let mut b = Budget::default();
        let (v, g) = engine::gradient(&t, point, &mut b).unwrap();
        let d1: Vec<Dual1> = (0..n).map(|i| Dual1::variable(n, i, point[i])).collect();
        let ((r1, w1), _) = both(&defs, &e, &t, vars, &d1, &Dual1::constant_n(n, 0.0));
        assert!(
            same(v, r1.v) && same_all(&g, &r1.g),
            "{expr}: fixed {g:?} vs {r1:?}"
        );
        assert_eq!(w1, b.warnings, "{expr}: fixed warnings");
        let mut b = Budget::default();
        let (v, g, h) = engine::hessian(&t, point, &mut b).unwrap();
        assert!(
            same(v, r2.v) && same_all(&g, &r2.g),
            "{expr}: fixed2 {g:?} vs {r2:?}"
        );
        for (i, row) in h.iter().enumerate() {
            for (j, &hij) in row.iter().enumerate() {
                let d = r2.hessian_entry(i, j);
                assert!(
                    hij == d || (hij.is_nan() && d.is_nan()),
                    "{expr}: H[{i}][{j}] {hij} vs {d}"
                );
            }
        }
        assert_eq!(w2, b.warnings, "{expr}: fixed2 warnings");
    }
}

#[test]
fn tape_gives_the_tree_walks_numbers_and_warnings() {
    let cases: &[(&str, &[&str], &[f64])] = &[
        ("(x1+5)*x2^2", &["x1", "x2"], &[2.0, 3.0]),
        (F2, &["a", "b", "c", "d", "e"], &[1.0, 2.0, 3.0, 0.5, 1.5]),
        ("g(x, y) + g(y, x) * k + pi", &["x", "y"], &[1.5, -0.5]),
        ("h(x)", &["x"], &[0.0]),
        ("h(x) + abs(x) + sqrt(x)", &["x"], &[0.0]),
        ("w(x, y)", &["x", "y"], &[1.0, 2.0]),
        ("ln(-1) + x + ln(-1)", &["x"], &[1.0]),
        ("min(x, y) + max(x, 2)", &["x", "y"], &[2.0, 2.0]),
        ("x^0.5 + x^1.5 + y^-2", &["x", "y"], &[-1.0, 0.0]),
        ("x^0.5 * x^1.5", &["x"], &[0.0]),
        ("atan2(y, x) + hypot(x, y)", &["x", "y"], &[0.0, 0.0]),
        ("atan2(y, x) * hypot(x, y)", &["x", "y"], &[-1.0, 0.0]),
        (
            "log(x, 2) + log(y, x) + log(x, 10)",
            &["x", "y"],
            &[3.0, 5.0],
        ),
        ("2^x + x^y + 0^x + (-2)^y", &["x", "y"], &[0.5, 1.5]),
        ("relu(x) + sign(y) + abs(x - y)", &["x", "y"], &[0.0, 0.0]),
        (
            "sigmoid(x) * softplus(y) + erf(x*y)",
            &["x", "y"],
            &[0.3, -0.7],
        ),
        ("cbrt(x) + acos(y) + asin(y)", &["x", "y"], &[0.0, 1.0]),
        ("sin'(x) * cos''(y) + exp'''(x*y)", &["x", "y"], &[0.4, 1.1]),
        ("sqrt'(x) + abs'(x)", &["x"], &[0.0]),
        (
            "tan(x) + tanh(x) + asinh(x) + acosh(y) + atanh(x/3)",
            &["x", "y"],
            &[0.7, 2.0],
        ),
        ("e^x + e", &["e", "x"], &[1.5, 0.5]),
        ("2*3 + sin(1) + x - x + ln(1 - 2)", &["x"], &[4.0]),
        ("x*x + x/x - x", &["x"], &[3.0]),
        ("x", &["y", "x"], &[1.0, 2.0]),
        ("7", &["x"], &[1.0]),
        ("-(+x)", &["x"], &[1.0]),
        (
            "sec(x) * csc(y) + cot(x*y) + gamma(x + y)",
            &["x", "y"],
            &[0.7, 1.3],
        ),
        (
            "floor(x) + ceil(y) + round(x*y) + mod(x, y)",
            &["x", "y"],
            &[2.0, 2.5],
        ),
        ("mod(x*y, y) + gamma(x) + cot(y)", &["x", "y"], &[-0.5, 0.0]),
        ("gamma'(x) + sec''(y) + mod(y, x)", &["x", "y"], &[2.5, 0.3]),
    ];
    for (expr, vars, point) in cases {
        tape_matches_tree(expr, vars, point);
    }
}

#[test]
fn what_the_tree_walk_refuses_is_not_compiled() {
    let mut defs = defs();
    defs.funcs.insert(
        "q".into(),
        Function {
            params: vec!["t".into()],
            body: parse_expr("t^3").unwrap(),
        },
    );
    for expr in [
        "nope + x",
        "g(x)",
        "sin(x, x)",
        "q'(x)",
        "q'",
        "pow'(x)",
        "x(2)",
    ] {
        let e = parse_expr(expr).unwrap();
        assert!(engine::compile(&defs, &e, &["x"]).is_none(), "{expr}");
    }
    // Functions that call each other twice inline exponentially: left to
    // the tree walk beyond 64 times the source's size.
    let mut chain = Defs::default();
    chain.funcs.insert(
        "f1".into(),
        Function {
            params: vec!["x".into()],
            body: parse_expr("x/2 + 1").unwrap(),
        },
    );
    for k in 2..=17 {
        chain.funcs.insert(
            format!("f{k}"),
            Function {
                params: vec!["x".into()],
                body: parse_expr(&format!("f{j}(f{j}(x))", j = k - 1)).unwrap(),
            },
        );
    }
    let small = parse_expr("f10(x)").unwrap();
    assert!(engine::compile(&chain, &small, &["x"]).is_some());
    let big = parse_expr("f17(x)").unwrap();
    assert!(engine::compile(&chain, &big, &["x"]).is_none());
    // Sessions still answer these through the tree walk, with its messages.
    let mut s = Session::new();
    s.eval_line("q(t) = t^3").unwrap();
    let d = derivatives(&mut s, ":diff q'(x) at 2");
    assert_eq!(d.value, 12.0);
    assert_eq!(d.derivative, Some(12.0));
}

/// `|a - b| ≤ 1e-13 · max(|a|, |b|)`, or both exactly zero.
#[track_caller]
fn close(a: f64, b: f64, what: &str) {
    close_in(a, b, 0.0, what)
}

/// As [`close`], relative to at least `scale`: at random points an entry can
/// be the small difference of large terms, and different orders of
/// operations round it differently.
#[track_caller]
fn close_in(a: f64, b: f64, scale: f64, what: &str) {
    let scale = a.abs().max(b.abs()).max(scale);
    assert!(
        (a - b).abs() <= 1e-13 * scale || same(a, b),
        "{what}: {a} vs {b} (rel {})",
        (a - b).abs() / scale
    );
}

fn forward_gradient(t: &Tape, x: &[f64]) -> Dual1 {
    let n = x.len();
    let inputs: Vec<Dual1> = (0..n).map(|i| Dual1::variable(n, i, x[i])).collect();
    t.eval(&inputs, &Dual1::constant_n(n, 0.0), &mut Budget::default())
        .unwrap()
}

fn forward_hessian(t: &Tape, x: &[f64]) -> Dual2 {
    let n = x.len();
    let inputs: Vec<Dual2> = (0..n).map(|i| Dual2::variable(n, i, x[i])).collect();
    t.eval(&inputs, &Dual2::constant_n(n, 0.0), &mut Budget::default())
        .unwrap()
}

/// Reverse gradient and HVP Hessian against the forward duals, entry by
/// entry to 1e-13 relative.
#[track_caller]
fn reverse_agrees(defs: &Defs, expr: &str, vars: &[&str], x: &[f64]) {
    reverse_agrees_in(defs, expr, vars, x, false)
}

/// With `norm`, each entry relative to the largest of its gradient or
/// Hessian row (for random points).
#[track_caller]
fn reverse_agrees_in(defs: &Defs, expr: &str, vars: &[&str], x: &[f64], norm: bool) {
    let big = |r: &[f64]| {
        if norm {
            r.iter().fold(0.0f64, |m, v| m.max(v.abs()))
        } else {
            0.0
        }
    };
    let (_, t) = compile(defs, expr, vars);
    let f = forward_gradient(&t, x);
    let (v, g) = t.gradient(x, &mut Budget::default()).unwrap();
    assert!(same(v, f.v), "{expr}: value {v} vs {}", f.v);
    for (i, (&r, &d)) in g.iter().zip(&f.g).enumerate() {
        close_in(r, d, big(&f.g), &format!("{expr}: ∂{}", vars[i]));
    }
    let f2 = forward_hessian(&t, x);
    let (v, g, h) = t.hessian(x, &mut Budget::default()).unwrap();
    assert!(same(v, f2.v));
    for (i, (&r, &d)) in g.iter().zip(&f2.g).enumerate() {
        close_in(r, d, big(&f2.g), &format!("{expr}: HVP ∂{}", vars[i]));
    }
    let h2 = f2.hessian();
    for (i, row) in h.iter().enumerate() {
        for (j, &hij) in row.iter().enumerate() {
            close_in(hij, h2[i][j], big(&h2[i]), &format!("{expr}: H[{i}][{j}]"));
        }
    }
}

#[test]
fn reverse_and_hessian_vector_products_agree_with_forward_duals() {
    let defs = defs();
    reverse_agrees(&defs, "(x1+5)*x2^2", &["x1", "x2"], &[2.0, 3.0]);
    reverse_agrees(
        &defs,
        F2,
        &["a", "b", "c", "d", "e"],
        &[1.0, 2.0, 3.0, 0.5, 1.5],
    );
    reverse_agrees(&defs, "w(x, y) * g(y, x) / k", &["x", "y"], &[3.0, 2.0]);
    reverse_agrees(
        &defs,
        "atan2(y, x)*hypot(x, z) + min(x, z)^3 + log(y, x) + x^y + 2^z + sin'(x*z)",
        &["x", "y", "z"],
        &[1.3, 0.7, 2.1],
    );
    reverse_agrees(
        &defs,
        "sec(x)*csc(y) + cot(x*y)^2 + gamma(x + y) + floor(x) + mod(x*x, y) + round(y)",
        &["x", "y"],
        &[0.7, 1.3],
    );
    reverse_agrees(
        &defs,
        "x*x + x/x - x + (x-y)^2 + y*y*y",
        &["x", "y"],
        &[3.0, 0.5],
    );
    for n in [2, 7, 30, 300] {
        let vars = rosen_vars(n);
        let names: Vec<&str> = vars.iter().map(String::as_str).collect();
        let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.1 * i as f64).collect();
        reverse_agrees(&defs, &rosen(n), &names, &x);
    }
}

#[test]
fn rosenbrocks_hessian_is_tridiagonal_and_three_products_give_it() {
    let n = 1000;
    let vars = rosen_vars(n);
    let names: Vec<&str> = vars.iter().map(String::as_str).collect();
    let t = engine::compile(&Defs::default(), &rosen_tree(n), &names).unwrap();
    let sp = t.sparsity();
    assert_eq!(sp.nonzeros, 3 * n - 2);
    assert_eq!(sp.ncolors, 3);
    let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let (_, g, h) = t.hessian(&x, &mut Budget::default()).unwrap();
    let (_, g1) = t.gradient(&x, &mut Budget::default()).unwrap();
    for i in 0..n {
        close(g[i], g1[i], "gradient");
        // Closed form of Rosenbrock's Hessian.
        let mut d = 0.0;
        if i + 1 < n {
            d += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
            close(h[i][i + 1], -400.0 * x[i], "off-diagonal");
        }
        if i > 0 {
            d += 200.0;
        }
        assert!(
            (h[i][i] - d).abs() <= 1e-12 * d.abs().max(1.0),
            "H[{i}][{i}]"
        );
    }
    assert_eq!(h[0][2], 0.0);
}

fn derivatives(s: &mut Session, line: &str) -> Derivatives {
    match s.eval_line(line) {
        Ok(Outcome::Derivatives(d)) => *d,
        other => panic!("{line}: {other:?}"),
    }
}

#[test]
fn a_sparse_hessian_goes_past_the_dense_limit_and_a_dense_one_does_not() {
    let n = 300;
    let point = vec!["0.5"; n].join(", ");
    let mut s = Session::new();
    let d = derivatives(&mut s, &format!(":hess {} at {point}", rosen(n)));
    let h = d.hessian.expect("hessian");
    assert_eq!(h.len(), n);
    // Positional values go to the names in order of appearance: x2 first.
    let k = d.vars.iter().position(|v| v == "x2").unwrap();
    assert_eq!(h[k][k], 1200.0 * 0.25 - 400.0 * 0.5 + 2.0 + 200.0);
    let sum = rosen_vars(n).join(" + ");
    let err = s
        .eval_line(&format!(":hess ({sum})^2 at {point}"))
        .unwrap_err();
    assert!(
        err.message
            .contains("too many variables for a dense Hessian"),
        "{err:?}"
    );
}

#[test]
fn many_variable_gradients_come_from_the_reverse_sweep_with_warnings() {
    let mut s = Session::new();
    let n = 40;
    let vars = rosen_vars(n);
    let expr = format!("{} + abs(x1) + sqrt(x2)", vars.join("*"));
    let point = vec!["0"; n].join(", ");
    let d = derivatives(&mut s, &format!(":grad {expr} at {point}"));
    let msgs: Vec<&str> = d.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("abs")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("sqrt")), "{msgs:?}");
    let g = d.gradient.unwrap();
    assert_eq!(g[0], 0.0);
    assert_eq!(g[1], f64::INFINITY);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn f2_reverse_and_hvp_match_forward(
        a in 0.2f64..2.0, b in 0.2f64..2.0, c in 0.5f64..3.0, d in -1.0f64..1.0, e in 0.3f64..2.0
    ) {
        reverse_agrees_in(&defs(), F2, &["a", "b", "c", "d", "e"], &[a, b, c, d, e], true);
    }

    #[test]
    fn rosenbrock_reverse_and_hvp_match_forward(x in proptest::collection::vec(-2.0f64..2.0, 2..12)) {
        let vars = rosen_vars(x.len());
        let names: Vec<&str> = vars.iter().map(String::as_str).collect();
        reverse_agrees_in(&defs(), &rosen(x.len()), &names, &x, true);
    }

    #[test]
    fn random_expressions_tape_equals_tree(e in expr_strategy(), x in -2.0f64..2.0, y in -2.0f64..2.0) {
        tape_matches_tree(&e, &["x", "y"], &[x, y]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A sparse Hessian from a random sum of terms each coupling a few
    /// neighbouring variables: the coloured products give what the forward
    /// second-order dual gives, so no entry is lost to the sparsity pattern.
    #[test]
    fn sparse_hessians_of_random_chains_match_forward(
        terms in proptest::collection::vec((smooth_strategy(), 0usize..8, 1usize..4), 1..8),
        x in proptest::collection::vec(0.5f64..1.5, 12),
    ) {
        let vars = rosen_vars(12);
        let names: Vec<&str> = vars.iter().map(String::as_str).collect();
        let expr = terms
            .iter()
            .map(|(t, i, d)| format!("({})", t.replace('X', &vars[*i]).replace('Y', &vars[i + d])))
            .collect::<Vec<_>>()
            .join(" + ");
        let (_, t) = compile(&Defs::default(), &expr, &names);
        prop_assert!(t.sparsity().ncolors <= 12);
        reverse_agrees_in(&Defs::default(), &expr, &names, &x, true);
    }
}

/// Random smooth expressions in X and Y (placeholders for variable names).
fn smooth_strategy() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("X".to_string()),
        Just("Y".to_string()),
        (1i32..4).prop_map(|c| format!("{c}")),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        let un = ["sin", "cos", "exp", "tanh", "atan"];
        let bin = ["+", "-", "*"];
        prop_oneof![
            (0..un.len(), inner.clone()).prop_map(move |(k, a)| format!("{}({a})", un[k])),
            inner.clone().prop_map(|a| format!("({a})^2")),
            (0..bin.len(), inner.clone(), inner)
                .prop_map(move |(k, a, b)| format!("({a}){}({b})", bin[k])),
        ]
    })
}

/// The longest operator chain the parser accepts compiles and evaluates on
/// a thread with a 2 MiB stack, the default for tests and threads.
#[test]
fn the_deepest_chain_compiles_on_a_small_stack() {
    let t = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let mut s = Session::new();
            for (op, n) in [
                ("+", 990),
                ("*", 990),
                ("^", 150),
                ("+", 30_000),
                ("-", 30_000),
            ] {
                let e = vec!["x"; n].join(op);
                let d = derivatives(&mut s, &format!(":grad sin({e}) + y at 0.999, 2"));
                assert!(d.value.is_finite(), "{op}: {}", d.value);
            }
        })
        .unwrap();
    t.join().unwrap();
}
