//! deriv's engine against num-dual, natively, in one process.
//!
//! Run: `cargo bench --bench compare`. Prints one line per case, for
//! scripts:
//!
//! - `ratio CASE R`: deriv's time divided by num-dual's (num-dual's best
//!   type for the case: `gradient()`/`hessian()` or one pass per direction /
//!   per pair, whichever is faster), for F1, F2, rosen10, rosen100 × value,
//!   gradient, Hessian;
//! - `ratio rosenN-gradient-cost R`: deriv's gradient time divided by its own
//!   value time;
//! - `time CASE S`: seconds per call (median) for the large cases;
//! - `skip CASE REASON`: what num-dual cannot finish in reasonable time;
//! - `ratio mse1e6-gradient`, `mse1e6-hessian`, `elementwise1e6-diff`: the
//!   array engine against a hand-fused loop, and `time csv1e6 S`
//!   (`benches/compare_cases/arrays.rs`); `elementwise1e6-diff-with-values`
//!   against a fused loop that also writes the values, as deriv does.
//!
//! Times are medians over batches of calls, each batch long enough (≥ 2 ms)
//! for the clock; deriv evaluates a tape compiled once, as num-dual runs a
//! function compiled once.

use deriv::engine;
use deriv::engine::Tape;
use deriv::engine::{Budget, Defs};
use deriv::num::{Dual1, Dual2};
use deriv::syntax::parse_expr;
use deriv::syntax::{BinOp, Expr, ExprKind};
use nalgebra::{DVector, SVector};
use num_dual::*;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// How many calls of `f` make a batch of at least 2 ms.
fn calibrate<R>(f: &mut impl FnMut() -> R) -> u64 {
    let target = Duration::from_millis(2);
    let mut iters = 1u64;
    loop {
        let t = Instant::now();
        for _ in 0..iters {
            black_box(f());
        }
        let e = t.elapsed();
        if e >= target || iters >= 1 << 30 {
            return iters;
        }
        let grow = (target.as_secs_f64() / e.as_secs_f64().max(1e-9)).clamp(2.0, 100.0);
        iters = (iters as f64 * grow) as u64;
    }
}

/// Seconds per call over one batch of `iters` calls.
fn batch<R>(f: &mut impl FnMut() -> R, iters: u64) -> f64 {
    let t = Instant::now();
    for _ in 0..iters {
        black_box(f());
    }
    t.elapsed().as_secs_f64() / iters as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Seconds per call of `f`, the median of 9 batches.
fn time<R>(mut f: impl FnMut() -> R) -> f64 {
    let iters = calibrate(&mut f);
    median((0..9).map(|_| batch(&mut f, iters)).collect())
}

/// `f` against `g` in alternating batches, so that both see the same load
/// from the other processes on the machine: the median of the 15 ratios,
/// and the median times of each.
fn paired<R, Q>(mut f: impl FnMut() -> R, mut g: impl FnMut() -> Q) -> (f64, f64, f64) {
    let (nf, ng) = (calibrate(&mut f), calibrate(&mut g));
    let (mut r, mut tf, mut tg) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..15 {
        let a = batch(&mut f, nf);
        let b = batch(&mut g, ng);
        r.push(a / b);
        tf.push(a);
        tg.push(b);
    }
    (median(r), median(tf), median(tg))
}

// ---- the functions, for num-dual ---------------------------------------------

fn f1<D: DualNum<Primitive = f64>>(x: &[D]) -> D {
    (x[0].clone() + 5.0) * x[1].powi(2)
}

fn f2<D: DualNum<Primitive = f64>>(x: &[D]) -> D {
    let (a, b, c, d, e) = (&x[0], &x[1], &x[2], &x[3], &x[4]);
    a.powi(3) * b.powi(2) / (c.clone() + 1.0).ln()
        // `e` is the fifth variable, not Euler's number; e^(a·d) = exp(a·d·ln e).
        + (a.clone() * d.clone() * e.ln()).exp() * (b.clone() * c.clone()).cos()
        + (a.clone() * a.clone() + b.clone() * b.clone()).sqrt()
            * (d.clone() * d.clone() + e.clone() * e.clone()).ln()
}

fn rosen<D: DualNum<Primitive = f64>>(x: &[D]) -> D {
    let mut s = D::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1].clone() - x[i].powi(2);
        let b = D::one() - x[i].clone();
        s += a.powi(2) * 100.0 + b.powi(2);
    }
    s
}

// ---- the same, for deriv -------------------------------------------------------

const F1: &str = "(x1 + 5) * x2^2";
const F2: &str = "a^3*b^2/ln(c+1) + e^(a*d)*cos(b*c) + sqrt(a^2+b^2)*ln(d^2+e^2)";

/// Rosenbrock as a balanced sum (a flat sum of 1000 terms is deeper than
/// the parser allows).
fn rosen_expr(n: usize) -> Expr {
    let mut terms: Vec<Expr> = (1..n)
        .map(|i| parse_expr(&format!("100*(x{}-x{i}^2)^2 + (1-x{i})^2", i + 1)).expect("parses"))
        .collect();
    while terms.len() > 1 {
        let mut next = Vec::with_capacity(terms.len().div_ceil(2));
        let mut it = terms.into_iter();
        while let Some(a) = it.next() {
            next.push(match it.next() {
                Some(b) => Expr {
                    span: a.span.to(b.span),
                    kind: ExprKind::Binary {
                        op: BinOp::Add,
                        lhs: Box::new(a),
                        rhs: Box::new(b),
                        implicit: false,
                    },
                },
                None => a,
            });
        }
        terms = next;
    }
    terms.pop().expect("one term")
}

struct Case {
    name: String,
    tape: Tape,
    point: Vec<f64>,
}

fn case(name: &str) -> Case {
    let (expr, vars, point): (Expr, Vec<String>, Vec<f64>) = match name {
        "F1" => (
            parse_expr(F1).expect("parses"),
            vec!["x1".into(), "x2".into()],
            vec![2.0, 3.0],
        ),
        "F2" => (
            parse_expr(F2).expect("parses"),
            ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
            vec![1.0, 2.0, 3.0, 0.5, 1.5],
        ),
        _ => {
            let n: usize = name.trim_start_matches("rosen").parse().expect("rosenN");
            (
                rosen_expr(n),
                (1..=n).map(|i| format!("x{i}")).collect(),
                (0..n).map(|i| 0.5 + 0.01 * (i % 100) as f64).collect(),
            )
        }
    };
    let tape = engine::compile(&Defs::default(), &expr, &vars).expect("compiles");
    Case {
        name: name.to_string(),
        tape,
        point,
    }
}

fn numdual_fn(name: &str) -> fn(&[f64]) -> f64 {
    match name {
        "F1" => f1::<f64>,
        "F2" => f2::<f64>,
        _ => rosen::<f64>,
    }
}

fn deriv_value(c: &Case) -> impl FnMut() -> f64 + '_ {
    let mut slots = Vec::new();
    move || {
        let mut b = Budget::new(None);
        c.tape
            .eval_with(black_box(&c.point), &0.0, &mut b, &mut slots)
            .expect("evaluates")
    }
}

fn deriv_gradient(c: &Case) -> impl FnMut() -> (f64, Vec<f64>) + '_ {
    move || {
        let mut b = Budget::new(None);
        engine::gradient(&c.tape, black_box(&c.point), &mut b).expect("evaluates")
    }
}

fn deriv_hessian(c: &Case) -> impl FnMut() -> f64 + '_ {
    move || {
        let mut b = Budget::new(None);
        let (v, _, h) = engine::hessian(&c.tape, black_box(&c.point), &mut b).expect("evaluates");
        v + h[0][0]
    }
}

/// num-dual's gradient: `gradient()` over a static or dynamic vector, or n
/// passes of `Dual64`, whichever is faster.
fn numdual_gradient<'a>(name: &'a str, x: &'a [f64]) -> Box<dyn FnMut() + 'a> {
    let per_direction = move || {
        let n = x.len();
        let mut g = vec![0.0; n];
        for (k, gk) in g.iter_mut().enumerate() {
            let xs: Vec<Dual64> = black_box(x)
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let d = Dual64::from_re(v);
                    if i == k { d.derivative() } else { d }
                })
                .collect();
            let r = match name {
                "F1" => f1(&xs),
                "F2" => f2(&xs),
                _ => rosen(&xs),
            };
            *gk = r.eps;
        }
        g
    };
    let vector: Box<dyn FnMut() + 'a> = match name {
        "F1" => Box::new(move || {
            gradient(
                |v: SVector<DualSVec64<2>, 2>| f1(v.as_slice()),
                &SVector::from_column_slice(black_box(x)),
            );
        }),
        "F2" => Box::new(move || {
            gradient(
                |v: SVector<DualSVec64<5>, 5>| f2(v.as_slice()),
                &SVector::from_column_slice(black_box(x)),
            );
        }),
        "rosen10" => Box::new(move || {
            gradient(
                |v: SVector<DualSVec64<10>, 10>| rosen(v.as_slice()),
                &SVector::from_column_slice(black_box(x)),
            );
        }),
        _ => Box::new(move || {
            gradient(
                |v: DVector<DualDVec64>| rosen(v.as_slice()),
                &DVector::from_column_slice(black_box(x)),
            );
        }),
    };
    faster(
        Box::new(move || {
            black_box(per_direction());
        }),
        vector,
    )
}

/// The faster of two ways.
fn faster<'a>(mut a: Box<dyn FnMut() + 'a>, mut b: Box<dyn FnMut() + 'a>) -> Box<dyn FnMut() + 'a> {
    if time(&mut a) <= time(&mut b) { a } else { b }
}

/// num-dual's Hessian: `hessian()` over a static or dynamic vector, or one
/// hyper-dual pass per pair, whichever is faster.
fn numdual_hessian<'a>(name: &'a str, x: &'a [f64]) -> Box<dyn FnMut() + 'a> {
    let f: fn(&[HyperDual64]) -> HyperDual64 = match name {
        "F1" => f1,
        "F2" => f2,
        _ => rosen,
    };
    let per_pair = move || {
        let n = x.len();
        let mut h = vec![0.0; n * n];
        for i in 0..n {
            for j in i..n {
                let xs: Vec<HyperDual64> = black_box(x)
                    .iter()
                    .enumerate()
                    .map(|(k, &v)| {
                        let mut d = HyperDual64::from_re(v);
                        if k == i {
                            d = d.derivative1();
                        }
                        if k == j {
                            d = d.derivative2();
                        }
                        d
                    })
                    .collect();
                h[i * n + j] = f(&xs).eps1eps2;
            }
        }
        h
    };
    let vector: Box<dyn FnMut() + 'a> = match name {
        "F1" => Box::new(move || {
            hessian(
                |v: SVector<Dual2SVec64<2>, 2>| f1(v.as_slice()),
                &SVector::from_column_slice(black_box(x)),
            );
        }),
        "F2" => Box::new(move || {
            hessian(
                |v: SVector<Dual2SVec64<5>, 5>| f2(v.as_slice()),
                &SVector::from_column_slice(black_box(x)),
            );
        }),
        "rosen10" => Box::new(move || {
            hessian(
                |v: SVector<Dual2SVec64<10>, 10>| rosen(v.as_slice()),
                &SVector::from_column_slice(black_box(x)),
            );
        }),
        _ => Box::new(move || {
            hessian(
                |v: DVector<Dual2DVec64>| rosen(v.as_slice()),
                &DVector::from_column_slice(black_box(x)),
            );
        }),
    };
    faster(
        Box::new(move || {
            black_box(per_pair());
        }),
        vector,
    )
}

#[path = "compare_cases/arrays.rs"]
mod arrays;

fn main() {
    // `cargo bench` passes `--bench`; `-- arrays` or `-- csv` runs only
    // those cases (`csv` first in its process, for its peak memory), and
    // `-- arrays NAME` the array cases whose names start with NAME.
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "csv") {
        arrays::csv();
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "arrays") {
        let only = args.get(at + 1).filter(|a| !a.starts_with('-'));
        arrays::run(|f, g| paired(f, g), only.map(String::as_str));
        return;
    }
    for name in ["F1", "F2", "rosen10", "rosen100"] {
        let c = case(name);
        let nd = numdual_fn(name);
        // The two engines compute the same thing.
        let v = deriv_value(&c)();
        let w = nd(&c.point);
        assert!((v - w).abs() <= 1e-12 * w.abs(), "{name}: {v} vs {w}");

        let (r_val, t_val, nd_val) = paired(deriv_value(&c), || nd(black_box(&c.point)));
        println!("ratio {}-value {:.2}", c.name, r_val);
        let (r_grad, t_grad, nd_grad) =
            paired(deriv_gradient(&c), numdual_gradient(name, &c.point));
        println!("ratio {}-gradient {:.2}", c.name, r_grad);
        let (r_hess, t_hess, nd_hess) = paired(deriv_hessian(&c), numdual_hessian(name, &c.point));
        println!("ratio {}-hessian {:.2}", c.name, r_hess);
        println!(
            "time {}-value {:.3e} numdual {:.3e}; gradient {:.3e} numdual {:.3e}; hessian {:.3e} numdual {:.3e}",
            c.name, t_val, nd_val, t_grad, nd_grad, t_hess, nd_hess
        );
    }
    // Where the automatic choice switches (engine.rs): the vector duals
    // against the reverse sweep, the second-order vector dual against
    // coloured Hessian-vector products, over the same tape, and what the
    // engine picks (fixed-size duals up to 5 variables).
    for name in ["F1", "F2", "rosen5", "rosen6", "rosen8", "rosen10"] {
        let c = case(name);
        let n = c.point.len();
        let fwd = time(|| {
            let xs: Vec<Dual1> = (0..n).map(|i| Dual1::variable(n, i, c.point[i])).collect();
            let mut b = Budget::new(None);
            c.tape
                .eval(&xs, &Dual1::constant_n(n, 0.0), &mut b)
                .expect("evaluates")
                .v
        });
        let rev = time(|| {
            let mut b = Budget::new(None);
            c.tape
                .gradient(black_box(&c.point), &mut b)
                .expect("evaluates")
                .0
        });
        let fwd2 = time(|| {
            let xs: Vec<Dual2> = (0..n).map(|i| Dual2::variable(n, i, c.point[i])).collect();
            let mut b = Budget::new(None);
            c.tape
                .eval(&xs, &Dual2::constant_n(n, 0.0), &mut b)
                .expect("evaluates")
                .v
        });
        let hvp = time(|| {
            let mut b = Budget::new(None);
            c.tape
                .hessian(black_box(&c.point), &mut b)
                .expect("evaluates")
                .0
        });
        let auto = time(deriv_gradient(&c));
        let auto2 = time(deriv_hessian(&c));
        println!(
            "time {name}-gradient vector-duals {fwd:.3e} reverse {rev:.3e} engine {auto:.3e}; hessian vector-duals {fwd2:.3e} hvp {hvp:.3e} engine {auto2:.3e}"
        );
    }
    for n in [10, 100, 1000, 10000] {
        let c = case(&format!("rosen{n}"));
        let (cost, t_grad, t_val) = paired(deriv_gradient(&c), deriv_value(&c));
        println!("ratio rosen{n}-gradient-cost {cost:.2}");
        if n >= 1000 {
            println!("time rosen{n}-value {t_val:.3e}");
            println!("time rosen{n}-gradient {t_grad:.3e}");
        }
    }
    let c = case("rosen1000");
    let t_hess = time(deriv_hessian(&c));
    println!("time rosen1000-hessian {t_hess:.2e}");
    let x = c.point.clone();
    println!(
        "time rosen1000-gradient-numdual {:.3e}",
        time(|| {
            gradient(
                |v: DVector<DualDVec64>| rosen(v.as_slice()),
                &DVector::from_column_slice(&x),
            )
        })
    );
    // Compiling included: parse, compile, find the sparsity, three products.
    let t_cold = time(|| {
        let c = case("rosen1000");
        let mut b = Budget::new(None);
        c.tape
            .hessian_sparse(&c.point, &mut b)
            .expect("evaluates")
            .0
    });
    println!("time rosen1000-hessian-with-compile {t_cold:.2e}");
    let c = case("rosen10000");
    let t_sparse = time(|| {
        let mut b = Budget::new(None);
        c.tape
            .hessian_sparse(&c.point, &mut b)
            .expect("evaluates")
            .0
    });
    println!("time rosen10000-hessian-sparse {t_sparse:.2e}");
    println!(
        "skip numdual-rosen1000-hessian: dense Dual2DVec64 costs ~n² per operation (about 32 s per call, measured once), one hyper-dual pass per pair ~1.8 s; not run"
    );
    println!(
        "skip numdual-rosen10000-gradient: forward DualDVec64 costs ~n per operation (~100 × the n = 1000 time, ~0.4 s per call; not run)"
    );
    println!(
        "skip numdual-rosen10000-hessian: not feasible (dense 10⁸-entry Hessian per operation)"
    );
    arrays::run(|f, g| paired(f, g), None);
    arrays::csv();
}
