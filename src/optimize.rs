//! `:min`: gradient descent and its relatives, on any objective that gives a
//! value and a gradient (and, for Newton, a Hessian).
//!
//! `gd` is exactly the tutorials' update `x ← x − lr·∇f(x)` (PyTorch's plain
//! `SGD`); `momentum` is PyTorch's `SGD(momentum=0.9)`: `v ← 0.9·v + ∇f`,
//! `x ← x − lr·v`; `adam` is Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-8;
//! `newton` solves `H·d = ∇f` and steps `x ← x − t·d`, shifting `H` by a
//! multiple of the identity until it is positive definite (so `d` points
//! downhill) and halving `t` from `lr` until the value falls (Armijo
//! backtracking), so it never climbs.

use crate::error::Error;
use crate::limits;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The descent methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// x ← x − lr·∇f
    Gd,
    /// heavy ball, μ = 0.9
    Momentum,
    /// Adam
    Adam,
    /// Newton with a shifted Hessian
    Newton,
}

impl Method {
    /// The name in `method=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Gd => "gd",
            Method::Momentum => "momentum",
            Method::Adam => "adam",
            Method::Newton => "newton",
        }
    }
}

/// Why `:min` stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The gradient norm fell to `tol`.
    Converged,
    /// `steps` iterations were made.
    Steps,
    /// The value or the point stopped being finite (or grew past 1e100).
    Diverged,
    /// Ctrl-C.
    Interrupted,
    /// The wall-clock deadline ([`crate::limits::MIN_DEADLINE_SECS`]).
    Deadline,
}

impl Stop {
    /// The word used in text and `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stop::Converged => "converged",
            Stop::Steps => "steps",
            Stop::Diverged => "diverged",
            Stop::Interrupted => "interrupted",
            Stop::Deadline => "deadline",
        }
    }
}

/// One progress line of `:min`.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Iterations made so far.
    pub iteration: u64,
    /// The point then.
    pub point: Vec<f64>,
    /// The value there.
    pub value: f64,
    /// The gradient norm there.
    pub grad_norm: f64,
}

/// Default iterations.
pub const DEFAULT_STEPS: u64 = 1000;
/// Default learning rate for gd, momentum and adam.
pub const DEFAULT_LR: f64 = 0.1;
/// Default step factor for Newton (a full Newton step).
pub const DEFAULT_NEWTON_LR: f64 = 1.0;
/// Default tolerance on the gradient norm.
pub const DEFAULT_TOL: f64 = 1e-10;
/// A point or value beyond this magnitude counts as divergence.
pub const DIVERGED: f64 = 1e100;

/// The options of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Which method.
    pub method: Method,
    /// Learning rate.
    pub lr: f64,
    /// Most iterations.
    pub steps: u64,
    /// Stop when the gradient norm is at most this.
    pub tol: f64,
}

/// What the objective gives at a point: value, gradient, and (when asked) the Hessian.
pub type Eval = (f64, Vec<f64>, Option<Vec<Vec<f64>>>);

/// The objective: `f(x, want_hessian)`.
pub type Objective<'a> = dyn FnMut(&[f64], bool) -> Result<Eval, Error> + 'a;

/// A progress observer: `(iteration, steps)`.
pub type Tick = dyn Fn(u64, u64) + Send + Sync;

/// How often [`run`] reports progress.
pub const TICK_EVERY: Duration = Duration::from_millis(100);

/// The end of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The point reached.
    pub point: Vec<f64>,
    /// The value there.
    pub value: f64,
    /// The gradient there.
    pub gradient: Vec<f64>,
    /// Iterations made.
    pub iterations: u64,
    /// Why it stopped.
    pub stop: Stop,
    /// Progress lines.
    pub progress: Vec<Progress>,
    /// Newton iterations whose Hessian needed a shift.
    pub shifted: u64,
}

fn norm(g: &[f64]) -> f64 {
    g.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Runs the descent from `start`. `f(x, want_hessian)` evaluates the
/// objective; an error from it ends the run with that error.
/// `tick(iteration, steps)` is called about every [`TICK_EVERY`] while it
/// runs, for a progress bar.
pub fn run(
    f: &mut Objective<'_>,
    start: &[f64],
    opts: &Options,
    cancel: Option<&AtomicBool>,
    tick: Option<&Tick>,
) -> Result<Run, Error> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(limits::MIN_DEADLINE_SECS);
    let mut next_tick = started + TICK_EVERY;
    let newton = opts.method == Method::Newton;
    let stride = (opts.steps / 10).max(1);
    let mut x = start.to_vec();
    let mut moments = Moments::new(start.len());
    let mut progress = Vec::new();
    let mut last: Option<(Vec<f64>, f64, Vec<f64>)> = None;
    let mut k: u64 = 0;
    loop {
        let (value, g, h) = f(&x, newton)?;
        let gn = norm(&g);
        let interrupted = cancel.is_some_and(|c| c.load(Ordering::Relaxed));
        let stop = stop_reason(&x, value, gn, k, opts, interrupted, deadline);
        if let Some(tick) = tick
            && stop.is_none()
            && Instant::now() >= next_tick
        {
            tick(k, opts.steps);
            next_tick = Instant::now() + TICK_EVERY;
        }
        if let Some(stop) = stop {
            let (point, value, gradient, iterations) = match (stop, last) {
                (Stop::Diverged, Some((px, pv, pg))) => (px, pv, pg, k - 1),
                _ => (x, value, g, k),
            };
            let grad_norm = norm(&gradient);
            if progress
                .last()
                .is_none_or(|p: &Progress| p.iteration != iterations)
            {
                progress.push(Progress {
                    iteration: iterations,
                    point: point.clone(),
                    value,
                    grad_norm,
                });
            }
            return Ok(Run {
                point,
                value,
                gradient,
                iterations,
                stop,
                progress,
                shifted: moments.shifted,
            });
        }
        if k.is_multiple_of(stride) {
            progress.push(Progress {
                iteration: k,
                point: x.clone(),
                value,
                grad_norm: gn,
            });
        }
        let step = moments.direction(opts.method, k, &g, h);
        let t = if newton {
            backtrack(f, &x, &step, &g, value, opts.lr)?
        } else {
            opts.lr
        };
        last = Some((x.clone(), value, g));
        for (xi, di) in x.iter_mut().zip(&step) {
            *xi -= t * di;
        }
        k += 1;
    }
}

/// Why the run stops at iteration `k`, if it does.
fn stop_reason(
    x: &[f64],
    value: f64,
    grad_norm: f64,
    k: u64,
    opts: &Options,
    interrupted: bool,
    deadline: Instant,
) -> Option<Stop> {
    let finite = value.is_finite()
        && grad_norm.is_finite()
        && value.abs() < DIVERGED
        && x.iter().all(|c| c.is_finite() && c.abs() < DIVERGED);
    if !finite {
        Some(Stop::Diverged)
    } else if grad_norm <= opts.tol {
        Some(Stop::Converged)
    } else if k >= opts.steps {
        Some(Stop::Steps)
    } else if interrupted {
        Some(Stop::Interrupted)
    } else if Instant::now() > deadline {
        Some(Stop::Deadline)
    } else {
        None
    }
}

/// What the methods carry from one step to the next.
struct Moments {
    /// Momentum's velocity.
    v: Vec<f64>,
    /// Adam's first and second moments.
    m: Vec<f64>,
    s: Vec<f64>,
    /// Newton steps whose Hessian had to be shifted.
    shifted: u64,
}

impl Moments {
    fn new(n: usize) -> Moments {
        Moments {
            v: vec![0.0; n],
            m: vec![0.0; n],
            s: vec![0.0; n],
            shifted: 0,
        }
    }

    /// The direction to step against at iteration `k`.
    fn direction(
        &mut self,
        method: Method,
        k: u64,
        g: &[f64],
        h: Option<Vec<Vec<f64>>>,
    ) -> Vec<f64> {
        match method {
            Method::Gd => g.to_vec(),
            Method::Momentum => {
                for (vi, gi) in self.v.iter_mut().zip(g) {
                    *vi = 0.9 * *vi + gi;
                }
                self.v.clone()
            }
            Method::Adam => {
                let t = (k + 1) as i32;
                let (b1, b2) = (0.9f64, 0.999f64);
                let (m, s) = (&mut self.m, &mut self.s);
                (0..g.len())
                    .map(|i| {
                        m[i] = b1 * m[i] + (1.0 - b1) * g[i];
                        s[i] = b2 * s[i] + (1.0 - b2) * g[i] * g[i];
                        let mh = m[i] / (1.0 - b1.powi(t));
                        let sh = s[i] / (1.0 - b2.powi(t));
                        mh / (sh.sqrt() + 1e-8)
                    })
                    .collect()
            }
            Method::Newton => {
                let h = h.unwrap_or_default();
                let (d, was_shifted) = newton_direction(&h, g);
                self.shifted += u64::from(was_shifted);
                d
            }
        }
    }
}

/// Newton's step factor: halved from `lr` until the value does not rise
/// (Armijo), so a far-off quadratic model cannot throw the point uphill.
fn backtrack(
    f: &mut Objective<'_>,
    x: &[f64],
    step: &[f64],
    g: &[f64],
    value: f64,
    lr: f64,
) -> Result<f64, Error> {
    let mut t = lr;
    let slope: f64 = g.iter().zip(step).map(|(a, b)| a * b).sum();
    for _ in 0..40 {
        let trial: Vec<f64> = x.iter().zip(step).map(|(xi, di)| xi - t * di).collect();
        let (tv, _, _) = f(&trial, false)?;
        if tv.is_finite() && tv <= value - 1e-4 * t * slope {
            break;
        }
        t *= 0.5;
    }
    Ok(t)
}

/// Solves `H·d = g` when `H` is positive definite; otherwise `(H + λI)·d = g`
/// with λ twice the first of `1e-3·s, 1e-2·s, …` (s the largest diagonal
/// entry) that makes the Cholesky factorisation succeed (Nocedal and Wright,
/// "Cholesky with added multiple of the identity"). Doubling keeps the shifted
/// matrix's smallest eigenvalue at least λ/2 away from 0, so the step stays
/// bounded. Returns the direction and whether a shift was needed; falls back
/// to the gradient itself.
pub fn newton_direction(h: &[Vec<f64>], g: &[f64]) -> (Vec<f64>, bool) {
    let n = g.len();
    if h.len() != n || h.iter().any(|r| r.len() != n) {
        return (g.to_vec(), true);
    }
    if let Some(d) = cholesky_solve(h, g, 0.0) {
        return (d, false);
    }
    let scale = h
        .iter()
        .enumerate()
        .map(|(i, r)| r[i].abs())
        .fold(0.0f64, f64::max)
        .max(1.0);
    let mut lambda = 1e-3 * scale;
    for _ in 0..30 {
        if cholesky_solve(h, g, lambda).is_some()
            && let Some(d) = cholesky_solve(h, g, 2.0 * lambda)
        {
            return (d, true);
        }
        lambda *= 10.0;
    }
    (g.to_vec(), true)
}

/// Solves `(A + λI) x = b` by Cholesky; `None` when not positive definite.
fn cholesky_solve(a: &[Vec<f64>], b: &[f64], lambda: f64) -> Option<Vec<f64>> {
    let n = b.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let dot: f64 = l[i][..j].iter().zip(&l[j][..j]).map(|(p, q)| p * q).sum();
            let sum = a[i][j] + if i == j { lambda } else { 0.0 } - dot;
            if i == j {
                if sum <= 0.0 || !sum.is_finite() {
                    return None;
                }
                l[i][i] = sum.sqrt();
            } else {
                l[i][j] = sum / l[j][j];
            }
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[i][k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l[k][i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quad(x: &[f64], _: bool) -> Result<Eval, Error> {
        // 3x² + 2x + 1
        Ok((
            3.0 * x[0] * x[0] + 2.0 * x[0] + 1.0,
            vec![6.0 * x[0] + 2.0],
            Some(vec![vec![6.0]]),
        ))
    }

    #[test]
    fn gd_is_the_plain_update() {
        let o = Options {
            method: Method::Gd,
            lr: 0.3,
            steps: 3,
            tol: 0.0,
        };
        let r = run(&mut quad, &[2.0], &o, None, None).unwrap();
        // x ← x − 0.3·(6x + 2), three times by hand
        let mut x = 2.0f64;
        for _ in 0..3 {
            x -= 0.3 * (6.0 * x + 2.0);
        }
        assert_eq!(r.point, vec![x]);
        assert_eq!(r.iterations, 3);
        assert_eq!(r.stop, Stop::Steps);
    }

    #[test]
    fn newton_solves_a_quadratic_in_one_step() {
        let o = Options {
            method: Method::Newton,
            lr: 1.0,
            steps: 10,
            tol: 1e-12,
        };
        let r = run(&mut quad, &[2.0], &o, None, None).unwrap();
        assert!((r.point[0] + 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(r.stop, Stop::Converged);
        assert!(r.iterations <= 2);
    }

    #[test]
    fn indefinite_hessian_is_shifted_downhill() {
        let h = vec![vec![-2.0, 0.0], vec![0.0, 1.0]];
        let g = vec![1.0, 1.0];
        let (d, shifted) = newton_direction(&h, &g);
        assert!(shifted);
        // a descent direction: g·d > 0 (the step is −lr·d)
        assert!(g.iter().zip(&d).map(|(a, b)| a * b).sum::<f64>() > 0.0);
    }
}
