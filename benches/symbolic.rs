//! The formula engine: `:sym` of the tutorials' five-variable function (its
//! five partials and the Hessian's fifteen entries) and of a random
//! expression of about 200 nodes.
//!
//! Run: `cargo bench --bench symbolic`. Prints, for scripts:
//!
//! - `time CASE S`: seconds per run (the median of batches);
//! - `tokens CASE N`: the formulas' lengths in tokens (largest, and total).

use deriv::symbolic::{self, Scope, Sym};
use deriv::syntax::{Expr, parse_expr};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The five-variable function of the engine's bench and tests (`e` is a
/// variable here, as in the tutorials' named point `at e=1.5`).
const F2: &str = "a^3*b^2/ln(c+1) + e^(a*d)*cos(b*c) + sqrt(a^2+b^2)*ln(d^2+e^2)";

struct Empty;
impl Scope for Empty {
    fn function(&self, _: &str) -> Option<(&[String], &Expr)> {
        None
    }
    fn is_variable(&self, _: &str) -> bool {
        false
    }
}

/// Seconds per call: the median of 15 batches of at least 20 ms.
fn time<R>(mut f: impl FnMut() -> R) -> f64 {
    let mut iters = 1u64;
    loop {
        let t = Instant::now();
        for _ in 0..iters {
            black_box(f());
        }
        if t.elapsed() >= Duration::from_millis(20) {
            break;
        }
        iters *= 2;
    }
    let mut v: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                black_box(f());
            }
            t.elapsed().as_secs_f64() / iters as f64
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The formula and its partials (and, with `second`, the Hessian's upper
/// triangle), as `:sym` builds them.
fn derivatives(e: &Expr, vars: &[String], second: bool) -> Vec<Sym> {
    let f = symbolic::formula(e, &Empty, vars).expect("formula");
    let mut out = Vec::new();
    for (i, x) in vars.iter().enumerate() {
        let d = symbolic::derivative(&f, std::slice::from_ref(x)).expect("partial");
        if second {
            for y in &vars[i..] {
                out.push(symbolic::derivative(&d, std::slice::from_ref(y)).expect("second"));
            }
        } else {
            out.push(d);
        }
    }
    out
}

fn report(case: &str, e: &Expr, vars: &[String], second: bool) {
    let t = time(|| {
        derivatives(e, vars, second)
            .iter()
            .map(symbolic::text)
            .collect::<Vec<_>>()
    });
    let ds = derivatives(e, vars, second);
    let tokens: Vec<usize> = ds.iter().map(symbolic::tokens).collect();
    println!("time {case} {t:.3e}");
    println!(
        "tokens {case} max {} total {} ({} formulas)",
        tokens.iter().max().unwrap_or(&0),
        tokens.iter().sum::<usize>(),
        tokens.len()
    );
}

/// A deterministic random expression in x, y, z of about `nodes` nodes.
fn random_expr(nodes: usize, seed: &mut u64) -> String {
    let mut next = || {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 33) as usize
    };
    fn build(n: usize, next: &mut dyn FnMut() -> usize) -> String {
        if n <= 1 {
            return ["x", "y", "z", "2", "3"][next() % 5].to_string();
        }
        let un = ["sin", "cos", "exp", "ln", "sqrt", "tanh", "atan"];
        match next() % 3 {
            0 => format!("{}({})", un[next() % un.len()], build(n - 1, next)),
            _ => {
                let k = 1 + next() % (n - 1).max(1);
                let op = ["+", "-", "*", "/", "*"][next() % 5];
                format!(
                    "({}){op}({})",
                    build(k.min(n - 1), next),
                    build(n - 1 - k.min(n - 2), next)
                )
            }
        }
    }
    build(nodes, &mut next)
}

fn main() {
    let vars: Vec<String> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let f2 = parse_expr(F2).expect("F2 parses");
    report("F2-gradient", &f2, &vars, false);
    report("F2-hessian", &f2, &vars, true);
    let mut seed = 42;
    let text = random_expr(200, &mut seed);
    let e = parse_expr(&text).expect("random expression parses");
    let mut n = 0;
    deriv::syntax::walk(&e, &mut |_| n += 1);
    println!("nodes random200 {n}");
    let xyz: Vec<String> = ["x", "y", "z"].iter().map(|s| s.to_string()).collect();
    report("random200-gradient", &e, &xyz, false);
}
