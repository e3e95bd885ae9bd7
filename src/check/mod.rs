//! The finite-difference checker: every derivative `deriv` prints (by dual
//! numbers: the rules applied exactly, the arithmetic rounded like any
//! `f64`) is compared with an independent numerical estimate.
//!
//! The method is numdifftools' (`Derivative` with Richardson
//! extrapolation), specialised to one point:
//!
//! 1. For each variable `i`, a sequence of steps `h_k = BASE_STEP ·
//!    max(|x_i|, 1) / 2^k`: [`NUM_STEPS`] of them (down to about 6e-8 of the
//!    scale) for first derivatives, the largest [`NUM_STEPS_SECOND`] (down
//!    to 3e-5) for second ones, plus `log2 |x_i|` more where `|x_i| > 1`,
//!    so that the smallest steps are the same absolute size as near 0.
//! 2. At every step a difference quotient: central `(f(x+h) − f(x−h)) / 2h`
//!    for the first derivative, `(f(x+h) − 2f(x) + f(x−h)) / h²` on the
//!    Hessian's diagonal, `(f(++) − f(+−) − f(−+) + f(−−)) / 4 h_i h_j` off
//!    it, and the one-sided `(f(x+h) − f(x)) / h`, `(f(x) − f(x−h)) / h`,
//!    which detect kinks. Denominators use the steps actually taken (`x ± h`
//!    as rounded).
//! 3. A Richardson table over the sequence eliminates the three leading
//!    error terms (`h², h⁴, h⁶` for central quotients, `h, h², h³` for
//!    one-sided ones).
//! 4. Every entry of the table is a candidate with an error estimate: the
//!    largest change to the next two entries (smaller steps) in its column
//!    and the classical Richardson estimate from the previous one, plus a
//!    bound on the rounding error, carried through the quotient and the
//!    Richardson weights. The rounding of one evaluation of `f` is taken as
//!    [`EVAL_NOISE`]`·|f|`, or as the noise measured at the smallest steps
//!    when that is larger (`f` cancelling internally). Candidates touching
//!    a NaN or an infinity are dropped. Candidates are accepted from the
//!    small end of the step sequence upwards, until one disagrees with the
//!    smaller steps' best estimate (a kink at a distance `d` only affects
//!    steps larger than `d`). Among the accepted ones, the candidate with
//!    the smallest error estimate is the finite difference, preferring one
//!    whose error is at most half its value.
//!
//! The verdict per entry is described at [`Verdict`] and [`RTOL`].
//!
//! Cost: `1 + 2·NUM_STEPS·n` evaluations for a gradient of `n` variables
//! with `|x_i| ≤ 1` (the one-sided quotients and the Hessian's diagonal
//! reuse those points), plus `4·NUM_STEPS_SECOND` per pair of variables
//! for the Hessian: 49 for one variable, 157 for two with the Hessian, 841
//! for five, 12 361 for twenty (a few more where `|x_i| > 1`).

use crate::limits::{MAX_CHECK_HESSIAN_VARS, MAX_CHECK_VARS};

mod axis;
#[cfg(test)]
mod calibration;
mod control;
mod hessian;
mod richardson;
mod runs;
mod scales;
mod sides;
#[cfg(test)]
mod tests;
mod verdict;

use axis::{Axis, Evaluator, gradient_cost, mixed_cost};
use hessian::{Along, check_hessian};

pub use control::{Control, Halt};

/// Relative tolerance of the check: an entry passes when
/// `|ad − fd| ≤ ATOL + RTOL·|fd|` (or the sharper bound derived from the
/// error estimate, see [`ERR_SAFETY`]).
///
/// 1e-6 is a thousand times stricter than `torch.autograd.gradcheck`'s
/// default (1e-3). Over the 60 000 gradient entries of the `calibrate`
/// test (random smooth functions of three variables), the finite
/// differences' relative error had a median of 1e-14, a 99.9th percentile
/// of 7e-11 and a maximum of 2e-9, so a derivative wrong by 1e-5 relative
/// or more is caught wherever the function is smooth on the scale of the
/// point (every one wrong by 1e-4 was, in the same test).
pub const RTOL: f64 = 1e-6;

/// [`RTOL`] for second derivatives. Their rounding error grows as `ε/h²`
/// instead of `ε/h`, and is proportional to `|f|`, not to the derivative:
/// over 120 000 random Hessian entries of the property tests' functions
/// the finite differences' relative error was 1e-8 at the 99.9th
/// percentile (first derivatives: 7e-11). With 1e-6, one correct entry in
/// 3 000 was too inaccurate to judge ([`Verdict::Unconfirmed`]); with 1e-5
/// (and [`ATOL_SECOND`]) none was.
pub const RTOL_SECOND: f64 = 1e-5;

/// [`ATOL`] for second derivatives, a hundred times looser for the same
/// reason as [`RTOL_SECOND`]; still a hundred times stricter than
/// gradcheck's default.
pub const ATOL_SECOND: f64 = 1e-7;

/// Absolute tolerance, for derivatives at or near zero, where a relative
/// tolerance means nothing. 1e-9 (gradcheck: 1e-5). It is only the ceiling:
/// near zero the tolerance usually comes from the error estimate instead.
pub const ATOL: f64 = 1e-9;

/// How many error estimates away from the finite difference a derivative
/// may be and still pass, when that is sharper than `ATOL + RTOL·|fd|`.
///
/// The error estimate (change between neighbouring extrapolations plus
/// rounding) is itself only an estimate: in the property tests the true
/// error of the finite difference (beyond `MIN_RTOL·|fd|`) stayed below
/// 0.4 of the estimate for gradients and 0.9 for Hessians, so a factor of
/// 10 leaves an order of magnitude for estimates worse than any seen. The same multiple decides when the
/// finite difference is too unreliable to judge: when
/// `ERR_SAFETY · err_est > ATOL + RTOL·|fd|`, an entry that agrees within
/// `tol + ERR_SAFETY · err_est` is [`Verdict::Unconfirmed`], not a pass.
pub const ERR_SAFETY: f64 = 10.0;

/// The tolerance derived from the error estimate is never tighter than
/// `MIN_RTOL·|fd|`. The error estimate can be optimistic at the level of
/// rounding (before the noise of `f` was measured, one entry in about
/// 10 000 had an error 10–16 times its estimate, always below 1e-10
/// relative), and the dual numbers round too. Derivatives wrong by less than a billionth are not what the check
/// is for; the tightening is meant for derivatives far below `ATOL`
/// (`1e-10·x`, or zero), where it still applies in full.
pub const MIN_RTOL: f64 = 1e-9;

/// Relative error assumed for one evaluation of `f`, in the rounding part
/// of the error estimate: `4ε` (a handful of correctly rounded operations).
/// Larger evaluation noise (cancellation inside `f`) is measured at the
/// smallest steps and used instead.
pub const EVAL_NOISE: f64 = 4.0 * f64::EPSILON;

/// First (largest) step, as a fraction of the point's scale
/// `max(|x_i|, 1)`. Large steps are harmless (their truncation error makes
/// their error estimates large) and help where `f` has a large offset,
/// whose rounding error falls as `1/h`.
pub const BASE_STEP: f64 = 0.5;

/// Ratio between successive steps. 2 keeps steps exact powers of two
/// times the scale and gives Richardson well-separated columns.
pub const STEP_RATIO: f64 = 2.0;

/// Number of steps for first derivatives: `BASE_STEP / 2^23 ≈ 6e-8` of the
/// scale at the smallest.
/// The optimum of a Richardson-extrapolated central difference lies around
/// `ε^(1/7) ≈ 6e-3`; the smaller steps serve functions with features on a
/// smaller scale (`1/x` at `x = 0.001`). Going much smaller only adds
/// candidates drowned in rounding noise.
pub const NUM_STEPS: usize = 24;

/// Number of steps for second derivatives: the largest 15 of the first
/// derivative's, down to `BASE_STEP / 2^14 ≈ 3e-5` of the scale. Rounding
/// grows as `ε/h²` here, so smaller steps carry no information (2e-7
/// relative at the last one), and in functions that cancel internally
/// (`ln(1 + a·x²)` near 0) their quantised values can agree by accident.
pub const NUM_STEPS_SECOND: usize = 15;

/// Most evaluations of `f` in one [`check`]; a part that would exceed it is
/// not checked, and [`CheckReport::skipped`] says so. With the variable
/// limits (gradient up to [`MAX_CHECK_VARS`], Hessian up to
/// [`MAX_CHECK_HESSIAN_VARS`]) a check costs at most 12 361 evaluations
/// near the origin and about 45 000 at huge coordinates, so the cap only
/// bites through [`check_with_budget`].
pub const MAX_EVALS: usize = 200_000;

/// A kink is reported when the one-sided derivatives differ by more than
/// `KINK_SAFETY` times the sum of their error estimates plus
/// `ATOL + RTOL·max(|left|, |right|)`.
pub const KINK_SAFETY: f64 = 10.0;

/// Verdict on one derivative entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `|ad − fd| ≤ tol` and the finite difference is reliable to within
    /// `tol`.
    Pass,
    /// The AD value is not finite, or the finite differences converge, at
    /// more than one scale of steps, to a value the AD value is outside of.
    Fail,
    /// The finite differences cannot decide; [`Entry::doubt`] says why.
    Unconfirmed,
    /// No derivative here: the one-sided derivatives converge to different
    /// values at several scales (first derivatives), or the first
    /// derivative in that variable has a kink (the Hessian's diagonal).
    Kink,
}

impl Verdict {
    /// The word for the verdict: `pass`, `FAIL` (capitals, to stand out),
    /// `unconfirmed`, `kink`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Unconfirmed => "unconfirmed",
            Verdict::Kink => "kink",
        }
    }
}

/// Why an entry is [`Verdict::Unconfirmed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doubt {
    /// No finite difference could be formed: `f` is not finite on either
    /// side of the point at any step.
    NoEstimate,
    /// The finite differences exist but their rounding error (or the
    /// noise of `f`) exceeds the tolerance at every scale of steps.
    Noisy,
    /// Converged estimates disagree between scales of steps, or only one
    /// scale converged: a singularity or a kink close to the point that the
    /// steps down to the rounding of the point cannot resolve.
    Unsettled,
}

impl Doubt {
    /// One phrase for the check line.
    pub fn explain(self) -> &'static str {
        match self {
            Doubt::NoEstimate => "the function is not finite on either side of the point",
            Doubt::Noisy => "the finite differences are too noisy here at every step size",
            Doubt::Unsettled => {
                "the finite differences disagree between step sizes (a singularity or a kink too close, or an argument too large for steps to resolve)"
            }
        }
    }
}

/// The verdict on a whole check: its worst entry's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Every entry passed.
    Pass,
    /// Some entry could not be confirmed; none failed or has a kink.
    Unconfirmed,
    /// Some entry has no derivative (a kink).
    Kink,
    /// Some entry failed, or a warning says the derivative cannot be
    /// trusted at this point.
    Fail,
}

impl Status {
    /// `pass`, `unconfirmed`, `kink`, `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Unconfirmed => "unconfirmed",
            Status::Kink => "kink",
            Status::Fail => "fail",
        }
    }

    /// The status of a set of entries: a kink first (the derivative does
    /// not exist), then a failure, then an unconfirmed entry.
    pub fn of(entries: &[Entry]) -> Status {
        let any = |v: Verdict| entries.iter().any(|e| e.verdict == v);
        if any(Verdict::Kink) {
            Status::Kink
        } else if any(Verdict::Fail) {
            Status::Fail
        } else if any(Verdict::Unconfirmed) {
            Status::Unconfirmed
        } else {
            Status::Pass
        }
    }
}

/// One checked entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Variable index (row).
    pub i: usize,
    /// Second variable index for a second derivative.
    pub j: Option<usize>,
    /// The value under test (from automatic differentiation).
    pub ad: f64,
    /// The finite-difference estimate (NaN when none was usable).
    pub fd: f64,
    /// Estimated absolute error of `fd` (infinite when none was usable).
    pub err_est: f64,
    /// `|ad − fd| / max(|fd|, min(ATOL, ERR_SAFETY·err_est) / RTOL)`: the
    /// relative error, with `|fd|` floored where the tolerance turns
    /// absolute, so that near a zero derivative it stays comparable with
    /// [`RTOL`] instead of blowing up on rounding noise. NaN when `fd` is.
    pub rel_err: f64,
    /// The absolute tolerance applied to `|ad − fd|`.
    pub tol: f64,
    /// The verdict, see [`Verdict`].
    pub verdict: Verdict,
    /// The (left, right) one-sided derivative estimates, for first
    /// derivatives where both were usable; they differ at a kink.
    pub one_sided: Option<(f64, f64)>,
    /// Why the entry is [`Verdict::Unconfirmed`] (`None` otherwise).
    pub doubt: Option<Doubt>,
}

/// The check of one result.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    /// The gradient entries (`j == None`) in variable order, then the
    /// Hessian's upper triangle row by row; a lower entry `(j, i)` follows
    /// `(i, j)` only when the given Hessian is not symmetric there.
    pub entries: Vec<Entry>,
    /// Every entry is [`Verdict::Pass`] (and no warning distrusts them):
    /// `status == Status::Pass`.
    pub ok: bool,
    /// The worst entry's verdict, see [`Status::of`].
    pub status: Status,
    /// Largest `rel_err` over entries whose `ad` and `fd` are finite (0 when
    /// there are none).
    pub max_rel_err: f64,
    /// Why part of the check was skipped, if it was.
    pub skipped: Option<String>,
    /// How many times `f` was evaluated.
    pub evaluations: usize,
}

/// Checks a gradient (and, if given, a Hessian as rows) of `f` at `x`.
///
/// `f` may return NaN or ±inf; such points are left out of the estimates.
/// The gradient is checked for up to [`MAX_CHECK_VARS`] variables, the
/// Hessian for up to [`MAX_CHECK_HESSIAN_VARS`]; beyond that, or beyond
/// [`MAX_EVALS`] evaluations, `skipped` says what was not checked.
pub fn check(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x: &[f64],
    grad: &[f64],
    hess: Option<&[Vec<f64>]>,
) -> CheckReport {
    check_with_budget(f, x, grad, hess, MAX_EVALS)
}

/// [`check`] with a floor under the rounding error assumed for one
/// evaluation of `f` near `x` (absolute), where the caller knows more than
/// `|f|` shows: `ln(1 + a·x²)` near 0 is tiny, yet carries the rounding of
/// `1 + …`. The session takes it from the compiled expression
/// (`Tape::rounding_noise`).
pub fn check_with_noise(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x: &[f64],
    grad: &[f64],
    hess: Option<&[Vec<f64>]>,
    noise_floor: f64,
) -> CheckReport {
    run(f, x, grad, hess, MAX_EVALS, noise_floor, Control::default())
}

/// [`check_with_noise`] that can be stopped, has a deadline and reports its
/// progress ([`Control`]). When it stops early, the entries decided so far
/// are kept, `skipped` says why the rest are missing ([`Halt`]), and the
/// status is at best [`Status::Unconfirmed`].
pub fn check_controlled(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x: &[f64],
    grad: &[f64],
    hess: Option<&[Vec<f64>]>,
    noise_floor: f64,
    control: Control<'_>,
) -> CheckReport {
    run(f, x, grad, hess, MAX_EVALS, noise_floor, control)
}

/// [`check`] with a different cap on the number of evaluations of `f`.
pub fn check_with_budget(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x: &[f64],
    grad: &[f64],
    hess: Option<&[Vec<f64>]>,
    max_evals: usize,
) -> CheckReport {
    run(f, x, grad, hess, max_evals, 0.0, Control::default())
}

fn run(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x: &[f64],
    grad: &[f64],
    hess: Option<&[Vec<f64>]>,
    max_evals: usize,
    noise_floor: f64,
    control: Control<'_>,
) -> CheckReport {
    let mut skipped: Vec<String> = Vec::new();
    let grad_cost = gradient_cost(x);
    let planned = grad_cost + hess.map_or(0, |_| mixed_cost(x));
    let smooth_by_ad = control.smooth_by_ad;
    let mut ev = Evaluator {
        f,
        point: x.to_vec(),
        count: 0,
        watch: control::Watch::new(control, planned),
    };
    let job = Job {
        x,
        max_evals,
        noise_floor,
        smooth_by_ad,
    };
    let (mut entries, axes) = job.gradient(&mut ev, grad, &mut skipped);
    if let Some(h) = hess {
        entries.extend(job.hessian(&mut ev, axes, &entries, h, &mut skipped));
    }
    let mut status = Status::of(&entries);
    if let Some(halt) = ev.watch.halted {
        skipped.push(halt.explain(entries.len(), ev.count));
        if status == Status::Pass {
            status = Status::Unconfirmed;
        }
    }
    let max_rel_err = entries
        .iter()
        .filter(|e| e.ad.is_finite() && e.fd.is_finite())
        .map(|e| e.rel_err)
        .fold(0.0, f64::max);
    CheckReport {
        entries,
        ok: status == Status::Pass,
        status,
        max_rel_err,
        skipped: if skipped.is_empty() {
            None
        } else {
            Some(skipped.join(" "))
        },
        evaluations: ev.count,
    }
}

/// One check's point and settings.
struct Job<'a> {
    x: &'a [f64],
    max_evals: usize,
    noise_floor: f64,
    smooth_by_ad: bool,
}

impl Job<'_> {
    /// The gradient's entries, and the axes sampled for them (`None` when
    /// the gradient was not checked, which `skipped` then says).
    fn gradient(
        &self,
        ev: &mut Evaluator<'_>,
        grad: &[f64],
        skipped: &mut Vec<String>,
    ) -> (Vec<Entry>, Option<Vec<Axis>>) {
        let (x, n, max_evals) = (self.x, self.x.len(), self.max_evals);
        let grad_cost = gradient_cost(x);
        if n > MAX_CHECK_VARS {
            skipped.push(format!(
                "The gradient was not checked: {n} variables, more than the checker's limit of {MAX_CHECK_VARS}."
            ));
            return (Vec::new(), None);
        }
        if grad_cost > max_evals {
            skipped.push(format!(
                "The gradient was not checked: it needs {grad_cost} evaluations, more than the limit of {max_evals}."
            ));
            return (Vec::new(), None);
        }
        if grad.len() != n {
            skipped.push(format!(
                "The gradient has {} entries for {n} variables; only the first {} were checked.",
                grad.len(),
                grad.len().min(n)
            ));
        }
        let f0 = ev.eval(x);
        let mut axes: Vec<Axis> = Vec::with_capacity(n);
        for i in 0..n {
            let axis = Axis::sample(ev, x, i, f0, self.noise_floor);
            // An axis the halt cut short is no evidence.
            if ev.halted() {
                break;
            }
            axes.push(axis);
        }
        let mut entries = Vec::with_capacity(n);
        for (i, axis) in axes.iter_mut().enumerate() {
            if let Some(&ad) = grad.get(i) {
                let mut e = axis.first_entry(i, ad);
                if e.verdict != Verdict::Pass {
                    axis.refine(ev, x, i, max_evals);
                    if ev.halted() {
                        break;
                    }
                    e = scales::first_entry(axis, i, ad, &e, self.smooth_by_ad);
                }
                entries.push(e);
            }
        }
        (entries, Some(axes))
    }

    /// The Hessian's entries, given the gradient's (`first`) and its axes.
    fn hessian(
        &self,
        ev: &mut Evaluator<'_>,
        axes: Option<Vec<Axis>>,
        first: &[Entry],
        h: &[Vec<f64>],
        skipped: &mut Vec<String>,
    ) -> Vec<Entry> {
        let (x, n, max_evals) = (self.x, self.x.len(), self.max_evals);
        let pair_cost = mixed_cost(x);
        let Some(mut axes) = axes else {
            skipped.push("The Hessian was not checked either.".to_string());
            return Vec::new();
        };
        if ev.halted() {
            return Vec::new();
        }
        if n > MAX_CHECK_HESSIAN_VARS {
            skipped.push(format!(
                "The Hessian was not checked: {n} variables, more than the checker's limit of {MAX_CHECK_HESSIAN_VARS}."
            ));
            return Vec::new();
        }
        if ev.count + pair_cost > max_evals {
            skipped.push(format!(
                "The Hessian was not checked: it needs {pair_cost} more evaluations, beyond the limit of {max_evals}."
            ));
            return Vec::new();
        }
        let seen = |i: usize, v: Verdict, d: Option<Doubt>| {
            first
                .iter()
                .any(|e| e.i == i && e.j.is_none() && e.verdict == v && e.doubt == d)
        };
        let along: Vec<Along> = (0..n)
            .map(|i| Along {
                kink: seen(i, Verdict::Kink, None),
                unsettled: seen(i, Verdict::Unconfirmed, Some(Doubt::Unsettled)),
            })
            .collect();
        let rows = check_hessian(ev, x, &mut axes, &along, h, max_evals);
        if rows.len() < n * (n + 1) / 2 {
            skipped.push(
                "The Hessian has missing entries; only those present were checked.".to_string(),
            );
        }
        rows
    }
}
