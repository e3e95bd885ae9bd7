//! The second look: where the first pass's steps could not confirm an
//! entry, the axis is sampled at finer steps, down to the rounding of the
//! point, and the estimates of overlapping windows of steps, coarse to
//! fine, decide.
//!
//! The first pass's steps start at half the point's scale `max(|x|, 1)`,
//! so a pole or a kink at a distance `d` much smaller than that (`1/x` at
//! `1e-6`, `abs` at `1e-10`, `tan` next to `π/2`) pollutes all of them but
//! the last few, and `sqrt` or `ln` at `1e-8` has no central quotient at
//! all there. Steps below `d` see the function's local behaviour; steps
//! below the rounding of `f` see noise, which their error estimates show.
//! So the finest windows whose estimates are reliable and agree with each
//! other decide:
//!
//! - **pass** when the derivative lies within the tolerance of their best
//!   estimate;
//! - **fail** only when at least two such windows (two scales) agree with
//!   each other and every one of them excludes the derivative;
//! - **kink** only when the two finest windows whose one-sided estimates
//!   are reliable both find those to differ, the same way;
//! - **unconfirmed** otherwise, with the reason.

use super::axis::{Axis, Evaluator, NOISE_TAIL, Quotient, second_steps};
use super::richardson::{Estimate, FIRST, SECOND, SIGNIFICANT, Tolerance};
use super::runs::{agree, contradicted, finest_run, reliable};
use super::sides;
use super::verdict::{differ, first_choice, judge};
use super::{Doubt, ERR_SAFETY, Entry, Verdict};
/// Most steps added below the first pass's: `2⁻⁶⁴` of its smallest, far
/// enough for a kink at `1e-15` from a point near 0.
const MAX_EXTRA_STEPS: usize = 64;

/// Below this |x| the second look samples afresh from the point's own
/// scale (the first pass's smallest steps, `2⁻²⁴`, are far larger than
/// `x`; extending them would take a step per halving all the way down).
const TINY: f64 = 1.0 / (1u64 << 30) as f64;

/// Steps per window: enough for three Richardson columns and two
/// neighbours to estimate errors from.
const WINDOW: usize = 16;

/// Steps over which a window's noise is measured.
const WINDOW_NOISE_TAIL: usize = 4;

/// Windows start this many steps apart, so each shares half its steps
/// with the next: a feature at any distance lies well inside one.
const SHIFT: usize = 8;

impl Axis {
    /// Adds steps below the first pass's, down to where `x ± h` no longer
    /// moves off `x` by `h`, at most [`MAX_EXTRA_STEPS`] of them and as
    /// many as `max_evals` allows. Does nothing the second time.
    ///
    /// At tiny `|x|` the steps start afresh at `|x|/2` ([`TINY`]).
    /// Beyond `|x| = 1` the first pass's steps are not powers of two, so
    /// near the spacing of the floating-point numbers at `x` (where they
    /// matter at huge arguments: `sin` at `1e15` changes within a few
    /// ulps of `x`) `x ± h` rounds them by up to half an ulp and their
    /// ratios are no longer 2, which Richardson extrapolation assumes. So
    /// there the axis is sampled afresh at powers of two, which `x ± h`
    /// takes exactly down to one ulp.
    pub(super) fn refine(&mut self, ev: &mut Evaluator<'_>, x: &[f64], i: usize, max_evals: usize) {
        if self.refined {
            return;
        }
        self.refined = true;
        let h0 = super::BASE_STEP * self.xi.abs().max(1.0);
        let tiny = self.xi != 0.0 && self.xi.abs() < TINY;
        let aligned = if tiny {
            // Far below the first pass's steps: start afresh at the
            // point's own scale, half of |x| rounded down to a power of two.
            2f64.powi(self.xi.abs().log2().floor() as i32 - 1)
        } else {
            2f64.powi(h0.log2().round() as i32)
        };
        let from = if aligned == h0 || !aligned.is_finite() {
            self.base
        } else {
            if ev.count + 2 * self.base > max_evals {
                return;
            }
            for v in [
                &mut self.plus,
                &mut self.minus,
                &mut self.f_plus,
                &mut self.f_minus,
            ] {
                v.clear();
            }
            0
        };
        let h0 = if from == 0 { aligned } else { h0 };
        for k in from..self.base + MAX_EXTRA_STEPS {
            let h = h0 / super::STEP_RATIO.powi(k as i32);
            let (p, m) = (self.xi + h, self.xi - h);
            let off = |d: f64| (d - h).abs() > 0.01 * h;
            if p == self.xi || m == self.xi || off(p - self.xi) || off(self.xi - m) {
                self.ulp_end = true;
                break;
            }
            if ev.count + 2 > max_evals {
                break;
            }
            let (fp, fm) = (ev.eval_at(x, &[(i, p)]), ev.eval_at(x, &[(i, m)]));
            if ev.halted() {
                break;
            }
            self.plus.push(p);
            self.minus.push(m);
            self.f_plus.push(fp);
            self.f_minus.push(fm);
        }
        if from == 0 {
            self.base = self.base.min(self.plus.len());
            self.noise = self.measured_noise().max(self.quantum()).max(self.floor);
        }
        let n = self.plus.len();
        self.fine_noise = self.noise_between(self.base.min(n), n, NOISE_TAIL);
    }

    /// Steps `lo..hi` as an axis of their own, with the noise measured over
    /// their smallest from the quotients `kind` (over the first pass's
    /// eight smallest, for the first pass's steps).
    fn window(&self, lo: usize, hi: usize, kind: Quotient) -> Axis {
        let mut w = Axis {
            plus: self.plus[lo..hi].to_vec(),
            minus: self.minus[lo..hi].to_vec(),
            f_plus: self.f_plus[lo..hi].to_vec(),
            f_minus: self.f_minus[lo..hi].to_vec(),
            f0: self.f0,
            xi: self.xi,
            noise: 0.0,
            floor: self.floor,
            base: hi - lo,
            refined: true,
            fine_noise: self.fine_noise,
            ulp_end: self.ulp_end && hi == self.plus.len(),
        };
        // The noise over the window's smallest steps only: with the first
        // pass's eight, a function whose scale is a few ulps of `x` (`sin`
        // at `1e15`) has truncation in them and no window would ever be
        // precise enough to judge by.
        let own = if lo == 0 && kind == Quotient::Central {
            self.noise
        } else {
            let tail = if lo == 0 {
                NOISE_TAIL
            } else {
                WINDOW_NOISE_TAIL
            };
            let n = w.plus.len();
            w.scatter_between(0, n, tail, kind)
                .max(w.quantum())
                .max(self.floor)
        };
        // Nor is the noise measured over a window's own steps enough where
        // `f` rounds inside (`sin(b·x + c)` near a zero of its sine: the
        // rounding of `b·x + c` is far above `ε·|f|`). With steps that are
        // powers of two, that rounding error is proportional to `h` over
        // runs of several steps (the bits of `b·h` below an ulp shift along
        // with `h`), so the quotients are off by a constant there, and look
        // converged to a wrong value with a tiny error estimate. At the
        // finest steps, a few ulps of `x`, it no longer is: the rounding
        // errors there are as they come, and their scatter is the noise of
        // one evaluation, which holds at every step.
        w.noise = own.max(self.fine_noise);
        w
    }

    /// The first pass's steps, then windows of [`WINDOW`] steps every
    /// [`SHIFT`], coarse to fine, each with its noise measured from the
    /// quotients `kind`.
    pub(super) fn windows(&self, first: usize, kind: Quotient) -> Vec<Axis> {
        let n = self.plus.len();
        let mut out = vec![self.window(0, first.min(n), kind)];
        let mut lo = SHIFT;
        while lo + SHIFT < n {
            let hi = (lo + WINDOW).min(n);
            out.push(self.window(lo, hi, kind));
            if hi == n {
                break;
            }
            lo += SHIFT;
        }
        out
    }
}

/// A second look at a first derivative the first pass did not pass.
/// `smooth_by_ad`: the caller's automatic differentiation found no kink
/// at the point (see [`super::Control::smooth_by_ad`]).
pub(super) fn first_entry(
    axis: &Axis,
    i: usize,
    ad: f64,
    first: &Entry,
    smooth_by_ad: bool,
) -> Entry {
    let ests: Vec<[Estimate; 3]> = axis
        .windows(axis.base, Quotient::Central)
        .iter()
        .map(Axis::first_estimates)
        .collect();
    let sided: Vec<(usize, Estimate, Estimate)> = ests
        .iter()
        .enumerate()
        .map(|(k, &[_, l, r])| (k, l, r))
        .filter(|&(_, l, r)| reliable(l, FIRST) && reliable(r, FIRST))
        .collect();
    let kink = match sided.as_slice() {
        [] => (first.verdict == Verdict::Kink).then_some(None),
        [.., (_, l, r)] if !differ(*l, *r) => None,
        // Seen only at steps above the finest, where the rounding of f
        // hides whatever is closer: a kink 1e-12 from x = 1 looks exactly
        // like one at it. Where the caller's AD saw none at the point, it
        // is not called one.
        [.., (k, _, _)] if smooth_by_ad && *k + 1 < ests.len() => Some(None),
        [.., (_, l2, r2), (_, l, r)] if differ(*l2, *r2) && same_sides((*l, *r), (*l2, *r2)) => {
            Some(Some((l.value, r.value)))
        }
        _ => Some(None),
    };
    let central: Vec<Estimate> = ests
        .iter()
        .map(|&[c, l, r]| first_choice(c, l, r))
        .collect();
    let mut e = settle(i, None, ad, &central, FIRST, first);
    match kink {
        Some(Some(sides)) => {
            e.verdict = Verdict::Kink;
            e.doubt = None;
            e.one_sided = Some(sides);
        }
        Some(None) if ad.is_finite() => unsettle(&mut e, &central),
        _ => {}
    }
    // Only what the two sides together could not decide: a failure at two
    // scales of central steps stands.
    if matches!(e.verdict, Verdict::Unconfirmed | Verdict::Kink)
        && let Some(by_side) = sides::first(axis, i, ad, &central, smooth_by_ad)
    {
        e = by_side;
    }
    e
}

/// A second look at a second derivative on the Hessian's diagonal.
pub(super) fn second_entry(axis: &Axis, i: usize, ad: f64, first: &Entry) -> Entry {
    let count = second_steps(axis.xi);
    let ests: Vec<Estimate> = axis
        .windows(count, Quotient::Central)
        .iter()
        .map(|w| w.second_over(w.plus.len()))
        .collect();
    let e = settle(i, Some(i), ad, &ests, SECOND, first);
    if e.verdict != Verdict::Unconfirmed {
        return e;
    }
    sides::second(axis, i, ad).unwrap_or(e)
}

/// The verdict from the window estimates `ests` (coarse to fine), per the
/// rules in the module's documentation; `first` is the first pass's entry,
/// kept where nothing better turns up.
fn settle(
    i: usize,
    j: Option<usize>,
    ad: f64,
    ests: &[Estimate],
    tol: Tolerance,
    first: &Entry,
) -> Entry {
    let idx = finest_run(ests, tol);
    let run: Vec<Estimate> = idx.iter().map(|&k| ests[k]).collect();
    let Some(best) = run.iter().copied().min_by(|a, b| a.err.total_cmp(&b.err)) else {
        let mut e = first.clone();
        if ad.is_finite() && e.verdict != Verdict::Pass {
            e.verdict = Verdict::Unconfirmed;
            let any = ests.iter().any(Estimate::usable);
            e.doubt = Some(if any { Doubt::Noisy } else { Doubt::NoEstimate });
        }
        return e;
    };
    let mut e = judge(i, j, ad, best, false);
    e.one_sided = first.one_sided;
    let settled = (run.len() >= 2 || seconded(&idx, ests, ad, tol)) && !contradicted(&idx, ests);
    if e.verdict == Verdict::Fail && ad.is_finite() && !settled {
        // A reliable window finer than the run, where one contradicts it,
        // sees more of the point's own behaviour (the run may be steps far
        // beyond the function's scale that look converged to 0, as for `sin`
        // at 1e15): it may pass the entry, as any reliable estimate may.
        let last = idx.last().map_or(0, |&k| k + 1);
        let finer = ests[last..]
            .iter()
            .filter(|&&w| reliable(w, tol))
            .min_by(|a, b| a.err.total_cmp(&b.err));
        if let Some(&w) = finer {
            let local = judge(i, j, ad, w, false);
            if local.verdict == Verdict::Pass {
                return Entry {
                    one_sided: first.one_sided,
                    ..local
                };
            }
        }
        unsettle(&mut e, ests);
    }
    e
}

/// Makes `e` unconfirmed for want of agreement between scales, showing the
/// finest estimate with a significant digit, if any: the one that sees the
/// most local behaviour.
pub(super) fn unsettle(e: &mut Entry, ests: &[Estimate]) {
    let (i, j) = (e.i, e.j);
    let local = ests
        .iter()
        .rev()
        .find(|w| w.usable() && w.err <= SIGNIFICANT * w.value.abs());
    if let Some(&w) = local {
        *e = Entry {
            one_sided: e.one_sided,
            ..judge(i, j, e.ad, w, false)
        };
    }
    e.verdict = Verdict::Unconfirmed;
    e.doubt = Some(Doubt::Unsettled);
}

/// Two pairs of one-sided estimates tell of the same kink: each side
/// agrees within the errors or within a tenth of the jump.
fn same_sides(a: (Estimate, Estimate), b: (Estimate, Estimate)) -> bool {
    let jump = (a.1.value - a.0.value).abs();
    let close = |u: Estimate, v: Estimate| agree(u, v) || (u.value - v.value).abs() <= 0.1 * jump;
    close(a.0, b.0) && close(a.1, b.1)
}

/// A lone reliable estimate with a neighbouring window that agrees with
/// it and is either almost reliable itself (within ten times the
/// tolerance: the function is smooth but the next window already rounds)
/// or, though less precise (second differences round fast), still
/// excludes `ad` by three times its own error: a second scale that sees
/// the same disagreement.
fn seconded(run: &[usize], ests: &[Estimate], ad: f64, tol: Tolerance) -> bool {
    let [k] = run else {
        return false;
    };
    let rough = |e: Estimate| ERR_SAFETY * e.err <= 10.0 * (tol.0 + tol.1 * e.value.abs());
    let excludes = |e: Estimate| (e.value - ad).abs() > 3.0 * e.err;
    [k.wrapping_sub(1), k + 1]
        .iter()
        .filter_map(|&n| ests.get(n))
        .any(|&e| e.usable() && (rough(e) || excludes(e)) && agree(e, ests[*k]))
}
