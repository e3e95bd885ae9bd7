//! The engine's speed: value, gradient and Hessian of F1 = (x1+5)·x2², of
//! tutorial 002's five-variable F2, and of Rosenbrock with 10 and 100
//! variables, through the public API (parse once, evaluate many times).
//!
//! Run: `cargo bench --bench engine`.

use deriv::engine::{Budget, Defs, Evaluator};
use deriv::num::Scalar;
use deriv::num::{Dual1, Dual2};
use deriv::syntax::Expr;
use deriv::syntax::parse_expr;
use divan::Bencher;
use std::hint::black_box;

fn main() {
    divan::main();
}

struct Case {
    expr: Expr,
    vars: Vec<String>,
    point: Vec<f64>,
}

fn case(name: &str) -> Case {
    match name {
        "F1" => Case {
            expr: parse_expr("(x1 + 5) * x2^2").unwrap(),
            vars: vec!["x1".into(), "x2".into()],
            point: vec![2.0, 3.0],
        },
        "F2" => Case {
            expr: parse_expr("a^3*b^2/ln(c+1) + e^(a*d)*cos(b*c) + sqrt(a^2+b^2)*ln(d^2+e^2)")
                .unwrap(),
            vars: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
            point: vec![1.0, 2.0, 3.0, 0.5, 1.5],
        },
        _ => {
            let n: usize = name.trim_start_matches("rosen").parse().unwrap();
            let terms: Vec<String> = (1..n)
                .map(|i| format!("100*(x{}-x{i}^2)^2 + (1-x{i})^2", i + 1))
                .collect();
            Case {
                expr: parse_expr(&terms.join(" + ")).unwrap(),
                vars: (1..=n).map(|i| format!("x{i}")).collect(),
                point: (0..n).map(|i| 0.5 + 0.01 * i as f64).collect(),
            }
        }
    }
}

fn eval<S: Scalar>(c: &Case, defs: &Defs, xs: Vec<S>, proto: S) -> S {
    let scope: Vec<(&str, S)> = c.vars.iter().map(String::as_str).zip(xs).collect();
    let mut b = Budget::new(None);
    Evaluator::new(defs, proto, &mut b)
        .eval(&c.expr, &scope)
        .unwrap()
}

const CASES: &[&str] = &["F1", "F2", "rosen10", "rosen100"];

#[divan::bench(args = CASES)]
fn value(bencher: Bencher, name: &str) {
    let c = case(name);
    let defs = Defs::default();
    bencher.bench_local(|| eval(&c, &defs, black_box(c.point.clone()), 0.0));
}

#[divan::bench(args = CASES)]
fn gradient(bencher: Bencher, name: &str) {
    let c = case(name);
    let defs = Defs::default();
    let n = c.vars.len();
    bencher.bench_local(|| {
        let xs = (0..n).map(|i| Dual1::variable(n, i, c.point[i])).collect();
        eval(&c, &defs, black_box(xs), Dual1::constant_n(n, 0.0))
    });
}

#[divan::bench(args = CASES)]
fn hessian(bencher: Bencher, name: &str) {
    let c = case(name);
    let defs = Defs::default();
    let n = c.vars.len();
    bencher.bench_local(|| {
        let xs = (0..n).map(|i| Dual2::variable(n, i, c.point[i])).collect();
        eval(&c, &defs, black_box(xs), Dual2::constant_n(n, 0.0))
    });
}
