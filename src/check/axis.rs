//! The samples of `f` along one coordinate axis and the difference
//! quotients over them: how many steps and how large, the noise of `f`
//! measured from the samples, and the central, one-sided and second
//! quotients, extrapolated.

use super::control;
use super::richardson::{Estimate, FIRST, SECOND, Tolerance, extrapolate};
use super::verdict::{differ, first_choice, judge};
use super::{BASE_STEP, EVAL_NOISE, Entry, NUM_STEPS, NUM_STEPS_SECOND, STEP_RATIO};

/// Evaluates `f` at points near `x`, counting; once the watch halts the
/// check, every evaluation is NaN without calling `f`.
pub(super) struct Evaluator<'a> {
    pub(super) f: &'a mut dyn FnMut(&[f64]) -> f64,
    pub(super) point: Vec<f64>,
    pub(super) count: usize,
    pub(super) watch: control::Watch<'a>,
}

impl Evaluator<'_> {
    pub(super) fn eval(&mut self, p: &[f64]) -> f64 {
        if !self.watch.proceed(self.count) {
            return f64::NAN;
        }
        self.count += 1;
        (self.f)(p)
    }

    /// `f` at `x` with coordinate `i` replaced by `xi` (and `j` by `xj`).
    pub(super) fn eval_at(&mut self, x: &[f64], moves: &[(usize, f64)]) -> f64 {
        if !self.watch.proceed(self.count) {
            return f64::NAN;
        }
        self.point.copy_from_slice(x);
        for &(i, v) in moves {
            self.point[i] = v;
        }
        self.count += 1;
        (self.f)(&self.point)
    }

    pub(super) fn halted(&self) -> bool {
        self.watch.halted.is_some()
    }
}

/// The samples of `f` along one coordinate axis.
pub(super) struct Axis {
    /// `x_i + h_k` and `x_i − h_k` as rounded, largest step first.
    pub(super) plus: Vec<f64>,
    pub(super) minus: Vec<f64>,
    /// `f` there.
    pub(super) f_plus: Vec<f64>,
    pub(super) f_minus: Vec<f64>,
    pub(super) f0: f64,
    pub(super) xi: f64,
    /// Measured noise of one evaluation of `f` near the point, see
    /// [`Axis::measured_noise`].
    pub(super) noise: f64,
    /// The caller's floor under the noise (see [`check_with_noise`](super::check_with_noise)).
    pub(super) floor: f64,
    /// How many steps the first pass sampled; [`Axis::refine`] adds finer
    /// ones after them.
    pub(super) base: usize,
    /// [`Axis::refine`] ran.
    pub(super) refined: bool,
    /// The noise measured at the finest steps [`Axis::refine`] took (0
    /// before it ran), see [`Axis::window`].
    pub(super) fine_noise: f64,
    /// The last step is the smallest that `x ± h` resolves (the steps of
    /// [`Axis::refine`] went down to the rounding of the point).
    pub(super) ulp_end: bool,
}

impl Axis {
    pub(super) fn sample(ev: &mut Evaluator<'_>, x: &[f64], i: usize, f0: f64, floor: f64) -> Axis {
        let xi = x[i];
        let k = first_steps(xi);
        let mut axis = Axis {
            plus: Vec::with_capacity(k),
            minus: Vec::with_capacity(k),
            f_plus: Vec::with_capacity(k),
            f_minus: Vec::with_capacity(k),
            f0,
            xi,
            noise: 0.0,
            floor: 0.0,
            base: k,
            refined: false,
            fine_noise: 0.0,
            ulp_end: false,
        };
        for h in steps(xi, k) {
            let (p, m) = (xi + h, xi - h);
            axis.plus.push(p);
            axis.minus.push(m);
            axis.f_plus.push(ev.eval_at(x, &[(i, p)]));
            axis.f_minus.push(ev.eval_at(x, &[(i, m)]));
        }
        axis.floor = if floor.is_finite() { floor } else { 0.0 };
        axis.noise = axis.measured_noise().max(axis.quantum()).max(axis.floor);
        axis
    }

    /// The quantum of `f` near the point, where it shows: 0 unless the
    /// samples freeze. A step is frozen when `f` is exactly `f(x)` on both
    /// sides. A smooth function freezes at small steps only when its
    /// changes fall below a rounding quantum somewhere inside it
    /// (`ln(1 + 1e-13·x²)` near 0 is computed from `1 + …`, which moves in
    /// steps of ε, although `f` itself is tiny and could resolve far
    /// less), and then the frozen quotients are exactly 0 with a rounding
    /// bound of 0: a confident wrong second derivative. So when a step
    /// freezes after a larger one moved by at most [`QUANTUM_ULPS`] ulps
    /// of `max(|f(x)|, 1)`, the smallest such move is the noise of `f`. A
    /// function that is flat near the point and moves by more at a
    /// distance (`relu(x − 0.1)` at 0) is not quantised, and keeps its
    /// exact zero.
    pub(super) fn quantum(&self) -> f64 {
        let frozen = |k: usize| self.f_plus[k] == self.f0 && self.f_minus[k] == self.f0;
        let Some(first) = (0..self.plus.len()).find(|&k| frozen(k)) else {
            return 0.0;
        };
        let unit = QUANTUM_ULPS * f64::EPSILON * self.f0.abs().max(1.0);
        (0..first)
            .flat_map(|k| [self.f_plus[k] - self.f0, self.f_minus[k] - self.f0])
            .map(f64::abs)
            .filter(|&d| d > 0.0 && d <= unit)
            .fold(0.0, |m: f64, d| if m == 0.0 { d } else { m.min(d) })
    }

    /// The rounding error assumed in each sample at step `k`: `EVAL_NOISE`
    /// times the largest `|f|` there, or the noise measured along the
    /// axis if larger.
    pub(super) fn f_big(&self, k: usize) -> f64 {
        let local = self.f_plus[k]
            .abs()
            .max(self.f_minus[k].abs())
            .max(self.f0.abs());
        local.max(self.noise / EVAL_NOISE)
    }

    /// The noise of `f` measured at the smallest steps: the median of
    /// `|R_k − R_{k+1}|·h_{k+1}` over the last [`NOISE_TAIL`] steps, where
    /// `R_k` are the central quotients with their `h², h⁴, h⁶` terms
    /// removed, so that what is left of their changes at these steps is
    /// rounding (slightly amplified by the Richardson weights, which errs on
    /// the safe side). It catches what `EVAL_NOISE·|f|` misses when `f`
    /// cancels internally (`ln(1 + x²)` near 0 is small but carries the
    /// rounding of `1 + x²`). Where truncation still dominates it
    /// overestimates the noise, which makes the check more cautious, never
    /// less.
    pub(super) fn measured_noise(&self) -> f64 {
        self.measured_noise_over(NOISE_TAIL)
    }

    /// [`Axis::measured_noise`] over the last `tail` of the first pass's
    /// steps (a window of steps is an axis whose first pass is the window).
    pub(super) fn measured_noise_over(&self, tail: usize) -> f64 {
        self.noise_between(0, self.base.min(self.plus.len()), tail)
    }

    /// [`Axis::measured_noise`] over the last `tail` of the steps `lo..hi`.
    pub(super) fn noise_between(&self, lo: usize, hi: usize, tail: usize) -> f64 {
        self.scatter_between(lo, hi, tail, Quotient::Central)
    }

    /// The measured noise from the scatter of the quotients `kind` over
    /// the last `tail` of the steps `lo..hi`, with their leading error
    /// terms removed.
    pub(super) fn scatter_between(&self, lo: usize, hi: usize, tail: usize, kind: Quotient) -> f64 {
        let n = hi - lo;
        let (mut r, orders): (Vec<f64>, _) = match kind {
            Quotient::Central => (
                (lo..hi)
                    .map(|k| (self.f_plus[k] - self.f_minus[k]) / (self.plus[k] - self.minus[k]))
                    .collect(),
                CENTRAL,
            ),
            Quotient::Right => (
                (lo..hi)
                    .map(|k| (self.f_plus[k] - self.f0) / (self.plus[k] - self.xi))
                    .collect(),
                ONE_SIDED,
            ),
            Quotient::Left => (
                (lo..hi)
                    .map(|k| (self.f0 - self.f_minus[k]) / (self.xi - self.minus[k]))
                    .collect(),
                ONE_SIDED,
            ),
        };
        for p in orders {
            let c = 1.0 / (STEP_RATIO.powi(p) - 1.0);
            for k in (1..n).rev() {
                r[k] += c * (r[k] - r[k - 1]);
            }
        }
        let first = n.saturating_sub(tail).max(orders.len());
        let mut scatter: Vec<f64> = (first..n.saturating_sub(1))
            .map(|k| {
                let s = lo + k + 1;
                (r[k] - r[k + 1]).abs() * (self.plus[s] - self.minus[s]) / 2.0
            })
            .filter(|v| v.is_finite())
            .collect();
        if scatter.len() < 3 {
            return 0.0;
        }
        // Rounding noise makes `|R_k − R_(k+1)|·h` about the same at every
        // step; truncation makes it fall like a power of `h` (`h⁹` for
        // central quotients, `h⁵` for one-sided ones). Where the last three
        // fall by [`TRUNCATION_FALL`] at each halving, the steps could not
        // get below the function's scale (`sin` at 1e15, whose smallest
        // steps are 1/8, one ulp, to 1): what they show is truncation, which
        // the extrapolation's own error estimates carry, and the noise is
        // left to `EVAL_NOISE·|f|` and the caller's floor, as for exact steps.
        let last = &scatter[scatter.len() - 3..];
        if last.windows(2).all(|w| w[1] * TRUNCATION_FALL <= w[0]) {
            return 0.0;
        }
        scatter.sort_by(f64::total_cmp);
        scatter[scatter.len() / 2]
    }

    /// The check of the first derivative `ad`, with kink detection, from
    /// the first pass's steps alone.
    pub(super) fn first_entry(&self, i: usize, ad: f64) -> Entry {
        let [central, left, right] = self.first_estimates();
        let one_sided = (left.usable() && right.usable()).then_some((left.value, right.value));
        let kink = one_sided.is_some() && differ(left, right);
        let mut e = judge(i, None, ad, first_choice(central, left, right), kink);
        e.one_sided = one_sided;
        e
    }

    /// The central and the (left, right) one-sided first derivatives over
    /// all the axis's steps.
    pub(super) fn first_estimates(&self) -> [Estimate; 3] {
        let all = self.plus.len();
        let central = self.extrapolated(all, CENTRAL, FIRST, |a, k| {
            // x ± h round to steps h₊ ≠ h₋, and (f₊ − f₋)/(h₊ + h₋) is then
            // f' at their midpoint, up to an ulp of x away: off by
            // f''·(h₊ − h₋)/2, which the error estimate cannot see (a zero
            // derivative of q·(y − y0)² at y0 ≈ 1 came out as a confident
            // 2.4e-16). The three-point formula for unequal steps, the
            // one-sided quotients weighted h₋ : h₊, is f'(x) to second order
            // whatever the rounding; with h₊ = h₋ it is the usual one.
            let (hp, hm) = (a.plus[k] - a.xi, a.xi - a.minus[k]);
            let d = hp + hm;
            let right = (a.f_plus[k] - a.f0) / hp;
            let left = (a.f0 - a.f_minus[k]) / hm;
            (
                (hm / d) * right + (hp / d) * left,
                2.0 * EVAL_NOISE * a.f_big(k) / d,
            )
        });
        let right = self.extrapolated(all, ONE_SIDED, FIRST, |a, k| {
            let d = a.plus[k] - a.xi;
            ((a.f_plus[k] - a.f0) / d, 2.0 * EVAL_NOISE * a.f_big(k) / d)
        });
        let left = self.extrapolated(all, ONE_SIDED, FIRST, |a, k| {
            let d = a.xi - a.minus[k];
            ((a.f0 - a.f_minus[k]) / d, 2.0 * EVAL_NOISE * a.f_big(k) / d)
        });
        [central, left, right]
    }

    /// The second derivative along this axis, from its first
    /// [`second_steps`] steps.
    pub(super) fn second(&self) -> Estimate {
        self.second_over(second_steps(self.xi))
    }

    /// The second derivative along this axis from its first `count` steps.
    pub(super) fn second_over(&self, count: usize) -> Estimate {
        self.extrapolated(count, CENTRAL, SECOND, |a, k| {
            let (fp, fm, f0) = (a.f_plus[k], a.f_minus[k], a.f0);
            let (hp, hm) = (a.plus[k] - a.xi, a.xi - a.minus[k]);
            // The three-point formula for unequal steps (the rounded x ± h).
            let d = 2.0 * ((fp - f0) / hp - (f0 - fm) / hm) / (hp + hm);
            (d, 4.0 * EVAL_NOISE * a.f_big(k) / (hp * hm))
        })
    }

    /// The one-sided second derivative on the right (or the left) of the
    /// point, from its first `count` steps: through `f` at the point and
    /// at `x ± h_k` and `x ± h_(k−1)` (twice as far), so every sample
    /// lies on one side, and a kink on the other side, however close,
    /// does not touch it. Its error series has every power of `h`.
    pub(super) fn side_second_over(&self, right: bool, count: usize) -> Estimate {
        self.extrapolated(count, ONE_SIDED, SECOND, |a, k| {
            if k == 0 {
                return (f64::NAN, f64::NAN);
            }
            let (xs, fs) = if right {
                (&a.plus, &a.f_plus)
            } else {
                (&a.minus, &a.f_minus)
            };
            // Signed offsets of the two samples, `q` about twice `p`.
            let (p, q) = (xs[k] - a.xi, xs[k - 1] - a.xi);
            let d = 2.0 * ((fs[k - 1] - a.f0) / q - (fs[k] - a.f0) / p) / (q - p);
            // The weights' magnitudes add up to 4 / (|p|·|q − p|).
            let big = a.f_big(k).max(a.f_big(k - 1));
            (d, 4.0 * EVAL_NOISE * big / (p * (q - p)).abs())
        })
    }

    /// Richardson extrapolation of `quotient(self, k)` (value, rounding
    /// bound) over the first `count` steps.
    pub(super) fn extrapolated(
        &self,
        count: usize,
        orders: [i32; 3],
        tol: Tolerance,
        quotient: impl Fn(&Axis, usize) -> (f64, f64),
    ) -> Estimate {
        let (q, noise): (Vec<f64>, Vec<f64>) = (0..count.min(self.plus.len()))
            .map(|k| quotient(self, k))
            .unzip();
        let ulp_end = self.ulp_end && count >= self.plus.len();
        extrapolate(&q, &noise, orders, tol, ulp_end)
    }
}

/// Number of smallest steps over which the noise of `f` is measured.
pub(super) const NOISE_TAIL: usize = 8;

/// How much the scatter of the extrapolated quotients must fall at each
/// halving of the step to be truncation, not noise, see
/// [`Axis::scatter_between`].
const TRUNCATION_FALL: f64 = 16.0;

/// Which difference quotients the noise of `f` is measured from: the
/// central ones, or those on one side only (a kink close by on the other
/// side does not show in them as noise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Quotient {
    Central,
    Left,
    Right,
}

/// A change of `f` of at most this many ulps of `max(|f(x)|, 1)` next to
/// frozen steps marks `f` as quantised, see [`Axis::quantum`].
pub(super) const QUANTUM_ULPS: f64 = 64.0;

/// Error orders removed by Richardson extrapolation of central quotients.
pub(super) const CENTRAL: [i32; 3] = [2, 4, 6];
/// Error orders removed for one-sided quotients.
pub(super) const ONE_SIDED: [i32; 3] = [1, 2, 3];

/// Powers of two by which the steps for a coordinate at `xi` extend
/// below those for `|xi| ≤ 1`: `log2 |xi|`, at most 40. The steps start
/// at half the point's scale (features on the scale of `|xi|`, as in `xⁿ`
/// or `ln x`) and end at the same absolute size as near 0 (features on the
/// scale of 1, as in `sin x`), so a large argument adds steps rather than
/// moving them all out of reach of the small scale.
pub(super) fn extra_steps(xi: f64) -> usize {
    let l = xi.abs().max(1.0).log2().round();
    if l.is_finite() {
        l.min(40.0) as usize
    } else {
        0
    }
}

/// Number of steps for first derivatives at `xi`.
pub(super) fn first_steps(xi: f64) -> usize {
    NUM_STEPS + extra_steps(xi)
}

/// Number of steps (the largest ones) for second derivatives at `xi`.
pub(super) fn second_steps(xi: f64) -> usize {
    NUM_STEPS_SECOND + extra_steps(xi)
}

/// The first `count` nominal steps for a coordinate at `xi`, largest first.
pub(super) fn steps(xi: f64, count: usize) -> impl Iterator<Item = f64> {
    let h0 = BASE_STEP * xi.abs().max(1.0);
    (0..count).map(move |k| h0 / STEP_RATIO.powi(k as i32))
}

/// Evaluations of `f` a gradient check at `x` costs.
pub(super) fn gradient_cost(x: &[f64]) -> usize {
    1 + x.iter().map(|&xi| 2 * first_steps(xi)).sum::<usize>()
}

/// Evaluations of `f` the mixed second derivatives at `x` cost (the
/// diagonal reuses the gradient's samples).
pub(super) fn mixed_cost(x: &[f64]) -> usize {
    let mut cost = 0;
    for (i, &xi) in x.iter().enumerate() {
        for &xj in &x[i + 1..] {
            cost += 4 * second_steps(xi).min(second_steps(xj));
        }
    }
    cost
}
