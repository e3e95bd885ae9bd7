//! The array engine against hand-fused Rust loops (one pass over the rows,
//! computing the same numbers: the practical limit), and `:data` of a
//! 10⁶ × 11 CSV file. Included by `compare.rs`; run alone with
//! `cargo bench --bench compare -- arrays`, one case with its name's start
//! after it (`-- arrays mse1e6-hessian`, `-- arrays elementwise`).

use deriv::engine::Defs;
use deriv::engine::array::{Context, Program, compile};
use deriv::num::Array;
use deriv::session::Session;
use deriv::syntax::parse_expr;
use std::collections::BTreeMap;
use std::hint::black_box;

/// Deterministic numbers in [-1, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

const ROWS: usize = 1_000_000;
const COLS: usize = 10;

fn program(src: &str, arrays: &BTreeMap<String, Array>, inputs: &[(&str, Vec<usize>)]) -> Program {
    let defs = Defs::default();
    let ctx = Context {
        defs: &defs,
        arrays,
        src,
    };
    let inputs: Vec<(String, Vec<usize>)> = inputs
        .iter()
        .map(|(n, s)| (n.to_string(), s.clone()))
        .collect();
    compile(ctx, &parse_expr(src).expect("parses"), &inputs)
        .expect("compiles")
        .0
}

/// Value and gradient of the mean squared error in one pass over the rows.
fn fused_mse(x: &[f64], y: &[f64], w: &[f64], b: f64) -> (f64, Vec<f64>, f64) {
    let n = y.len();
    let mut loss = 0.0;
    let mut gw = vec![0.0; COLS];
    let mut gb = 0.0;
    for (row, yi) in x.chunks_exact(COLS).zip(y) {
        let mut r = b - yi;
        for (a, c) in row.iter().zip(w) {
            r += a * c;
        }
        loss += r * r;
        for (g, a) in gw.iter_mut().zip(row) {
            *g += r * a;
        }
        gb += r;
    }
    let s = 2.0 / n as f64;
    gw.iter_mut().for_each(|g| *g *= s);
    (loss / n as f64, gw, gb * s)
}

/// The 11 × 11 Hessian of the mean squared error over (w, b): 2/n · [x 1]ᵀ[x 1].
fn fused_mse_hessian(x: &[f64]) -> Vec<f64> {
    let n = x.len() / COLS;
    let m = COLS + 1;
    let mut h = vec![0.0; m * m];
    for row in x.chunks_exact(COLS) {
        for i in 0..COLS {
            let a = row[i];
            for j in i..COLS {
                h[i * m + j] += a * row[j];
            }
            h[i * m + COLS] += a;
        }
    }
    h[COLS * m + COLS] = n as f64;
    let s = 2.0 / n as f64;
    for i in 0..m {
        for j in i..m {
            h[i * m + j] *= s;
            h[j * m + i] = h[i * m + j];
        }
    }
    h
}

pub fn run(
    paired: impl Fn(&mut dyn FnMut() -> f64, &mut dyn FnMut() -> f64) -> (f64, f64, f64),
    only: Option<&str>,
) {
    let want = |case: &str| only.is_none_or(|o| case.starts_with(o));
    let mut rng = Lcg(42);
    let x: Vec<f64> = (0..ROWS * COLS).map(|_| rng.next()).collect();
    let y: Vec<f64> = (0..ROWS).map(|_| rng.next()).collect();
    let w: Vec<f64> = (0..COLS).map(|_| rng.next()).collect();
    let b = 0.25;
    let mut arrays = BTreeMap::new();
    arrays.insert(
        "X".to_string(),
        Array::new(vec![ROWS, COLS], x.clone()).expect("shape"),
    );
    arrays.insert("y".to_string(), Array::vector(y.clone()));
    let p = program(
        "mean((X @ w + b - y)^2)",
        &arrays,
        &[("w", vec![COLS]), ("b", vec![])],
    );
    let inputs = vec![w.clone(), vec![b]];
    // The two compute the same numbers.
    let mut bud = deriv::engine::Budget::new(None);
    let (v, g, _) = p.gradient(&inputs, &mut bud).expect("runs");
    let (fv, fg, fb) = fused_mse(&x, &y, &w, b);
    assert!((v[0] - fv).abs() <= 1e-9 * fv.abs(), "{} vs {fv}", v[0]);
    for (a, c) in g[0].iter().zip(&fg) {
        assert!((a - c).abs() <= 1e-9 * (1.0 + c.abs()));
    }
    assert!((g[1][0] - fb).abs() <= 1e-9 * (1.0 + fb.abs()));
    if want("mse1e6-gradient") {
        let (r, td, tf) = paired(
            &mut || {
                let mut bud = deriv::engine::Budget::new(None);
                p.gradient(black_box(&inputs), &mut bud).expect("runs").0[0]
            },
            &mut || fused_mse(black_box(&x), &y, &w, b).0,
        );
        println!("ratio mse1e6-gradient {r:.2}");
        println!("time mse1e6-gradient {td:.3e} fused {tf:.3e}");
    }

    let h = p.hessian(&inputs, &mut bud).expect("runs");
    let fh = fused_mse_hessian(&x);
    for (i, row) in h.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let c = fh[i * (COLS + 1) + j];
            assert!(
                (v - c).abs() <= 1e-9 * (1.0 + c.abs()),
                "H[{i}][{j}] {v} vs {c}"
            );
        }
    }
    if want("mse1e6-hessian") {
        let (r, td, tf) = paired(
            &mut || {
                let mut bud = deriv::engine::Budget::new(None);
                p.hessian(black_box(&inputs), &mut bud).expect("runs")[0][0]
            },
            &mut || fused_mse_hessian(black_box(&x))[0],
        );
        println!("ratio mse1e6-hessian {r:.2}");
        println!("time mse1e6-hessian {td:.3e} fused {tf:.3e}");
    }

    // The derivative of sin(x)·x² at 10⁶ points.
    let pts: Vec<f64> = (0..ROWS).map(|_| 3.0 * rng.next()).collect();
    let e = program("sin(x) * x^2", &BTreeMap::new(), &[("x", vec![ROWS])]);
    let xin = vec![pts.clone()];
    let fused = |p: &[f64]| -> Vec<f64> {
        p.iter()
            .map(|x| {
                let (s, c) = x.sin_cos();
                c * x * x + 2.0 * x * s
            })
            .collect()
    };
    let (_, g, _) = e.gradient(&xin, &mut bud).expect("runs");
    for (a, c) in g[0].iter().zip(fused(&pts)) {
        assert!((a - c).abs() <= 1e-12 * (1.0 + c.abs()));
    }
    if want("elementwise1e6-diff") {
        let (r, td, tf) = paired(
            &mut || {
                let mut bud = deriv::engine::Budget::new(None);
                e.gradient(black_box(&xin), &mut bud).expect("runs").1[0][0]
            },
            &mut || fused(black_box(&pts))[0],
        );
        println!("ratio elementwise1e6-diff {r:.2}");
        println!("time elementwise1e6-diff {td:.3e} fused {tf:.3e}");
        // deriv returns the values beside the derivatives: the fused loop
        // writing both computes the same numbers.
        let both = |p: &[f64]| -> (Vec<f64>, Vec<f64>) {
            p.iter()
                .map(|x| {
                    let (s, c) = x.sin_cos();
                    (s * x * x, c * x * x + 2.0 * x * s)
                })
                .unzip()
        };
        let (r, td, tf) = paired(
            &mut || {
                let mut bud = deriv::engine::Budget::new(None);
                e.gradient(black_box(&xin), &mut bud).expect("runs").1[0][0]
            },
            &mut || both(black_box(&pts)).1[0],
        );
        println!("ratio elementwise1e6-diff-with-values {r:.2}");
        println!("time elementwise1e6-diff-with-values {td:.3e} fused {tf:.3e}");
    }
}

/// Peak resident memory of this process so far, in bytes (Linux).
fn peak_rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `:data` of a 10⁶ × 11 CSV file written here (about 215 MB); run first
/// in its process so that the peak memory is the load's.
pub fn csv() {
    let dir = std::env::temp_dir().join(format!("deriv-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("data1e6.csv");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("creates"));
        let mut rng = Lcg(7);
        let header: Vec<String> = (0..11).map(|j| format!("c{j}")).collect();
        writeln!(f, "{}", header.join(",")).expect("writes");
        for _ in 0..ROWS {
            let row: Vec<String> = (0..11)
                .map(|_| format!("{}", rng.next() * 1000.0))
                .collect();
            writeln!(f, "{}", row.join(",")).expect("writes");
        }
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let before = peak_rss().unwrap_or(0);
    let line = format!(":data \"{}\"", path.display());
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..3 {
        let mut s = Session::new();
        let t = std::time::Instant::now();
        let out = s.eval_line(&line).expect("reads");
        times.push(t.elapsed().as_secs_f64());
        black_box(out);
        peak = peak.max(peak_rss().unwrap_or(0));
        drop(s);
    }
    times.sort_by(f64::total_cmp);
    let data = (ROWS * 11 * 8) as f64;
    println!("time csv1e6 {:.3}", times[1]);
    println!(
        "memory csv1e6 peak {:.0} MB over {:.0} MB before; {:.2} x the data's f64 size ({:.0} MB); file {:.0} MB",
        peak as f64 / 1e6,
        before as f64 / 1e6,
        (peak.saturating_sub(before)) as f64 / data,
        data / 1e6,
        size as f64 / 1e6
    );
    let _ = std::fs::remove_dir_all(&dir);
}
