//! Each partial derivative exists or not on its own: `x^y` at a negative
//! `x` with an integer `y` has `∂/∂x` (and `∂²/∂x²`), and only the partials
//! that move the exponent are NaN. One table of such points, run through
//! every path that computes derivatives: the tree walk and the tape over
//! vector duals, the engine's fixed-size duals, the reverse sweep, the
//! Hessian-vector products, and the session's `:grad`, `:hess`, `:diff`,
//! `:limit` and `:trace`.

// The gradient and Hessian tables are indexed by variable, as in the formulas.
#![allow(clippy::needless_range_loop)]

use deriv::engine::{self, Budget, Defs, Evaluator};
use deriv::num::{Dual1, Dual2};
use deriv::outcome::Outcome;
use deriv::session::Session;
use deriv::syntax::parse_expr;

/// An expression of (x, y), a point, the gradient and the Hessian there
/// (NaN where the partial does not exist).
struct Case {
    expr: &'static str,
    point: [f64; 2],
    grad: [f64; 2],
    hess: [[f64; 2]; 2],
}

const N: f64 = f64::NAN;

fn cases() -> Vec<Case> {
    vec![
        // x^y = -8; ∂x = y x^(y-1) = 12, ∂xx = y(y-1)x^(y-2) = -12.
        Case {
            expr: "x^y",
            point: [-2.0, 3.0],
            grad: [12.0, N],
            hess: [[-12.0, N], [N, N]],
        },
        // A negative integer exponent: x^-2 at -2 = 0.25, ∂x = -2x^-3 = 0.25,
        // ∂xx = 6x^-4 = 0.375.
        Case {
            expr: "x^y",
            point: [-2.0, -2.0],
            grad: [0.25, N],
            hess: [[0.375, N], [N, N]],
        },
        // pow() is the same function; times a smooth factor in y.
        Case {
            expr: "pow(x, y) * (1 + y^2)",
            point: [-0.5, 2.0],
            grad: [-5.0, N],
            hess: [[10.0, N], [N, N]],
        },
        // The exponent an expression of y only: (x)^(2y+1) at y = 1, x = -3:
        // x^3 → ∂x = 27, ∂xx = -18.
        Case {
            expr: "x^(2*y + 1)",
            point: [-3.0, 1.0],
            grad: [27.0, N],
            hess: [[-18.0, N], [N, N]],
        },
        // A positive base keeps every partial: x^y at (2, 3) = 8,
        // ∂x = 12, ∂y = 8 ln 2, ∂xx = 12, ∂xy = x^(y-1)(1 + y ln x), ∂yy = 8 ln²2.
        Case {
            expr: "x^y",
            point: [2.0, 3.0],
            grad: [12.0, 8.0 * std::f64::consts::LN_2],
            hess: [
                [12.0, 4.0 * (1.0 + 3.0 * std::f64::consts::LN_2)],
                [
                    4.0 * (1.0 + 3.0 * std::f64::consts::LN_2),
                    8.0 * std::f64::consts::LN_2 * std::f64::consts::LN_2,
                ],
            ],
        },
    ]
}

#[track_caller]
fn agree(got: f64, want: f64, what: &str) {
    let ok = if want.is_nan() {
        got.is_nan()
    } else {
        (got - want).abs() <= 1e-12 * want.abs().max(1.0)
    };
    assert!(ok, "{what}: got {got}, want {want}");
}

fn check_grad(g: &[f64], c: &Case, path: &str) {
    for i in 0..2 {
        agree(
            g[i],
            c.grad[i],
            &format!("{} at {:?}, {path}: ∂{i}", c.expr, c.point),
        );
    }
}

fn check_hess(h: &[Vec<f64>], c: &Case, path: &str) {
    for i in 0..2 {
        for j in 0..2 {
            let what = format!("{} at {:?}, {path}: H[{i}][{j}]", c.expr, c.point);
            agree(h[i][j], c.hess[i][j], &what);
        }
    }
}

const VARS: [&str; 2] = ["x", "y"];

#[test]
fn tree_walk_tape_fixed_reverse_and_hvp() {
    let defs = Defs::default();
    for c in cases() {
        let e = parse_expr(c.expr).unwrap();
        let x = c.point;
        // Tree walk, vector duals.
        let d1: Vec<(&str, Dual1)> = (0..2)
            .map(|i| (VARS[i], Dual1::variable(2, i, x[i])))
            .collect();
        let mut b = Budget::default();
        let r = Evaluator::new(&defs, Dual1::constant_n(2, 0.0), &mut b)
            .eval(&e, &d1)
            .unwrap();
        check_grad(&r.g, &c, "tree walk Dual1");
        let d2: Vec<(&str, Dual2)> = (0..2)
            .map(|i| (VARS[i], Dual2::variable(2, i, x[i])))
            .collect();
        let mut b = Budget::default();
        let r = Evaluator::new(&defs, Dual2::constant_n(2, 0.0), &mut b)
            .eval(&e, &d2)
            .unwrap();
        check_grad(&r.g, &c, "tree walk Dual2");
        check_hess(&r.hessian(), &c, "tree walk Dual2");
        // The tape over vector duals.
        let t = engine::compile(&defs, &e, &VARS).expect("compiles");
        let inputs: Vec<Dual2> = (0..2).map(|i| Dual2::variable(2, i, x[i])).collect();
        let r = t
            .eval(&inputs, &Dual2::constant_n(2, 0.0), &mut Budget::default())
            .unwrap();
        check_grad(&r.g, &c, "tape Dual2");
        check_hess(&r.hessian(), &c, "tape Dual2");
        // The engine's choice (fixed-size duals for two variables).
        let (_, g) = engine::gradient(&t, &x, &mut Budget::default()).unwrap();
        check_grad(&g, &c, "engine gradient");
        let (_, g, h) = engine::hessian(&t, &x, &mut Budget::default()).unwrap();
        check_grad(&g, &c, "engine Hessian");
        check_hess(&h, &c, "engine Hessian");
        // Reverse sweep and Hessian-vector products.
        let (_, g) = t.gradient(&x, &mut Budget::default()).unwrap();
        check_grad(&g, &c, "reverse sweep");
        let (_, g, h) = t.hessian(&x, &mut Budget::default()).unwrap();
        check_grad(&g, &c, "HVP");
        check_hess(&h, &c, "HVP");
    }
}

fn run(s: &mut Session, line: &str) -> Outcome {
    s.eval_line(line)
        .unwrap_or_else(|e| panic!("{line}: {e:?}"))
}

#[test]
fn session_commands() {
    for c in cases() {
        let mut s = Session::new();
        let at = format!("{}, {}", c.point[0], c.point[1]);
        let Outcome::Derivatives(d) = run(&mut s, &format!(":grad {} at {at}", c.expr)) else {
            panic!(":grad")
        };
        check_grad(d.gradient.as_deref().unwrap(), &c, ":grad");
        let Outcome::Derivatives(d) = run(&mut s, &format!(":hess {} at {at}", c.expr)) else {
            panic!(":hess")
        };
        check_hess(d.hessian.as_deref().unwrap(), &c, ":hess");
        for (i, v) in VARS.iter().enumerate() {
            let Outcome::Derivatives(d) = run(&mut s, &format!(":diff {} wrt {v} at {at}", c.expr))
            else {
                panic!(":diff")
            };
            agree(
                d.derivative.unwrap(),
                c.grad[i],
                &format!("{}: :diff wrt {v}", c.expr),
            );
            agree(
                d.second.unwrap(),
                c.hess[i][i],
                &format!("{}: :diff² wrt {v}", c.expr),
            );
            let Outcome::Limit(l) = run(&mut s, &format!(":limit {} wrt {v} at {at}", c.expr))
            else {
                panic!(":limit")
            };
            agree(l.exact, c.grad[i], &format!("{}: :limit wrt {v}", c.expr));
            // A partial that exists is not doubted because another one
            // does not.
            if c.grad[i].is_finite() {
                assert!(
                    l.warnings.is_empty(),
                    "{}: :limit wrt {v} warns {:?}",
                    c.expr,
                    l.warnings
                );
            }
            let Outcome::Trace(t) = run(&mut s, &format!(":trace {} wrt {v} at {at}", c.expr))
            else {
                panic!(":trace")
            };
            let last = t.rows.last().unwrap().tangents[0];
            agree(last, c.grad[i], &format!("{}: :trace wrt {v}", c.expr));
        }
        // Without wrt, every node carries the full gradient.
        let Outcome::Trace(t) = run(&mut s, &format!(":trace {} at {at}", c.expr)) else {
            panic!(":trace")
        };
        check_grad(&t.rows.last().unwrap().tangents, &c, ":trace");
    }
}
