//! Richardson extrapolation over a sequence of difference quotients, and
//! the choice among its candidates: accepted from the smallest steps up,
//! while the larger ones agree, with an error estimate for each.

use super::{ATOL, ATOL_SECOND, ERR_SAFETY, RTOL, RTOL_SECOND, STEP_RATIO};

/// The (absolute, relative) tolerance an estimate is meant for.
pub(super) type Tolerance = (f64, f64);
/// For first derivatives.
pub(super) const FIRST: Tolerance = (ATOL, RTOL);
/// For second derivatives.
pub(super) const SECOND: Tolerance = (ATOL_SECOND, RTOL_SECOND);

/// A finite-difference estimate and its error estimate.
#[derive(Clone, Copy, Debug)]
pub(super) struct Estimate {
    pub(super) value: f64,
    pub(super) err: f64,
}

impl Estimate {
    const NONE: Estimate = Estimate {
        value: f64::NAN,
        err: f64::INFINITY,
    };

    pub(super) fn usable(&self) -> bool {
        self.value.is_finite() && self.err.is_finite()
    }
}

/// Richardson extrapolation of the quotients `q` (one per step, largest
/// step first) whose error series has the leading orders `orders`; returns
/// the candidate with the smallest error estimate, or [`Estimate::NONE`].
/// `ulp_end`: the last step is the smallest the point's rounding allows.
pub(super) fn extrapolate(
    q: &[f64],
    noise: &[f64],
    orders: [i32; 3],
    tol: Tolerance,
    ulp_end: bool,
) -> Estimate {
    let (val, nse) = table(q, noise, orders);
    let cands = candidates(&val, &nse, orders, ulp_end);
    let (best, best_significant) = accept(&cands, q.len(), tol);
    // Among the accepted candidates, prefer one with a significant digit.
    // A column converging to zero changes by most of its value from step to
    // step, so where the derivative is zero no candidate is significant and
    // the smallest error wins. Where it is not, garbage at steps beyond the
    // function's scale (values and changes both shrinking like |f|/h, with a
    // small absolute error next to a zero crossing) must not win over a
    // converged value; the walk in `accept` mostly stops before such steps, this
    // is the second line of defence. It cannot bring back a value polluted
    // by a kink: a significant value `v` differs from a converged zero by
    // more than twice its error, so it stops the walk; and next to a
    // converged nonzero value, that value is significant with the smaller
    // error.
    let chosen = if best_significant.usable() {
        best_significant
    } else {
        best
    };
    plateaus(&val, &nse, chosen)
}

/// The Richardson table: column m holds the values with m error terms
/// removed, beside their rounding bounds.
fn table(q: &[f64], noise: &[f64], orders: [i32; 3]) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let n = q.len();
    // Column m holds the values with m error terms removed; entries that
    // cannot exist (k < m) or touched a non-finite value are NaN.
    let clean = |v: f64, e: f64| {
        if v.is_finite() && e.is_finite() {
            (v, e)
        } else {
            (f64::NAN, f64::NAN)
        }
    };
    let mut val: Vec<Vec<f64>> = Vec::with_capacity(orders.len() + 1);
    let mut nse: Vec<Vec<f64>> = Vec::with_capacity(orders.len() + 1);
    let (v0, e0): (Vec<f64>, Vec<f64>) = q.iter().zip(noise).map(|(&v, &e)| clean(v, e)).unzip();
    val.push(v0);
    nse.push(e0);
    for (m, &p) in orders.iter().enumerate() {
        let c = 1.0 / (STEP_RATIO.powi(p) - 1.0);
        let mut v = vec![f64::NAN; n];
        let mut e = vec![f64::NAN; n];
        for k in (m + 1)..n {
            let (a, b) = (val[m][k], val[m][k - 1]);
            // Rounding errors of the two inputs add up with the weights'
            // magnitudes: (1 + c)·a − c·b.
            (v[k], e[k]) = clean(a + c * (a - b), (1.0 + c) * nse[m][k] + c * nse[m][k - 1]);
        }
        val.push(v);
        nse.push(e);
    }
    (val, nse)
}

/// Every entry of the table that can be judged, with its error estimates.
fn candidates(
    val: &[Vec<f64>],
    nse: &[Vec<f64>],
    orders: [i32; 3],
    ulp_end: bool,
) -> Vec<Candidate> {
    let n = val.first().map_or(0, Vec::len);
    // The truncation error left in column m is led by h^p with p the next
    // order that column has not removed.
    let next_order = |m: usize| orders.get(m).copied().unwrap_or(2 * orders[2] - orders[1]);
    // Every entry with a usable smaller-step neighbour is a candidate. Its
    // error estimate is the largest change to the next two smaller steps in
    // its column (it bounds both the truncation error left in `v`, ≈ the
    // change to the next step, and, once rounding dominates, their larger
    // noise; two steps, so that a chance agreement with one neighbour does
    // not count), plus its rounding bound; and, as a second opinion, the
    // classical Richardson estimate from the next larger step. A value with
    // no usable smaller neighbour is no candidate: the classical estimate
    // alone trusts the asymptotic regime, which the last steps before a NaN
    // or the end may not have reached. f64::max ignores NaN: a missing
    // neighbour does not count.
    let mut cands: Vec<Candidate> = Vec::with_capacity(val.len() * n);
    for (m, (col, col_noise)) in val.iter().zip(nse).enumerate() {
        let shrink = 1.0 / (STEP_RATIO.powi(next_order(m)) - 1.0);
        for k in m..n {
            let v = col[k];
            if v.is_nan() {
                continue;
            }
            let mut change = f64::NAN;
            for d in 1..=2 {
                if let Some(w) = col.get(k + d) {
                    change = change.max((v - w).abs());
                }
            }
            let classical = if k > m {
                shrink * (v - col[k - 1]).abs()
            } else {
                f64::NAN
            };
            // Where the steps ended at the spacing of the floating-point
            // numbers around the point (not at a NaN, not at an arbitrary
            // count), no smaller step exists to compare the last value
            // with; the classical estimate and the rounding bound judge it.
            // At huge arguments this is the only value free of truncation
            // (`sin` at 1e15: steps of 1, 1/2, 1/4 and 1/8, one ulp).
            if change.is_nan() && ulp_end && k + 1 == n {
                change = classical;
            }
            if change.is_nan() {
                continue;
            }
            cands.push(Candidate {
                value: v,
                inner: change + col_noise[k],
                outer: change.max(classical) + col_noise[k],
                reach: k - m,
            });
        }
    }
    cands
}

/// The best candidate, and the best significant one, among those accepted
/// from the small end of the steps (`n` of them).
fn accept(cands: &[Candidate], n: usize, tol: Tolerance) -> (Estimate, Estimate) {
    // The candidates are accepted from the small end of the step sequence:
    // raw step by raw step, from the smallest up, as long as each candidate
    // that first uses the next larger step agrees with the best estimate
    // from the smaller steps. A kink (or any feature) at a distance `d`
    // from the point only affects the steps larger than `d`, and garbage
    // from steps beyond the function's scale sits at the large end too;
    // the smallest steps are only subject to rounding, which their error
    // estimates include. So where the small steps have converged, a
    // disagreeing larger step marks the end of the steps that see the
    // function's local behaviour, and nothing beyond it may override them.
    // Only once the smaller steps could decide the verdict, though: where
    // their best estimate is still too inaccurate for the tolerance, it is
    // rounding that dominates them, and their error estimates (from noise)
    // are the least reliable of all, so larger steps are not judged by them.
    // Nor is a candidate ten times more precise: where the function is
    // smooth, the small steps' error estimates are the noisier ones (their
    // values can agree by chance at the level of rounding), while past a
    // kink at a distance `d` the error estimates reflect the kink (they go
    // as `d/h`, far above the rounding of the exact steps below it). Nor
    // does a disagreement within the tolerance count: chance agreements of
    // rounded values make the small steps' error estimates too small now
    // and then, and what a kink does to the larger steps is of the order of
    // the change in slope, not of the tolerance.
    let (mut best, mut best_significant) = (Estimate::NONE, Estimate::NONE);
    // The candidates by the largest step they use, and the running best of
    // those from larger reaches (with their outer errors), so that each step
    // of the walk costs its own candidates only (this loop was the whole
    // program's hot spot when it rescanned every candidate per step).
    // (A counting sort: one allocation, not one per step.)
    let mut start = vec![0usize; n + 1];
    for c in cands {
        start[c.reach + 1] += 1;
    }
    for r in 0..n {
        start[r + 1] += start[r];
    }
    let mut order = vec![0usize; cands.len()];
    let mut fill = start.clone();
    for (i, c) in cands.iter().enumerate() {
        order[fill[c.reach]] = i;
        fill[c.reach] += 1;
    }
    let by_reach = |r: usize| &order[start[r]..start[r + 1]];
    let mut beyond = Accepted::NONE;
    for r in (0..n).rev() {
        let judged = best.usable() && ERR_SAFETY * best.err <= tol.0 + tol.1 * best.value.abs();
        let agrees = by_reach(r).iter().map(|&i| &cands[i]).all(|c| {
            let gap = (c.value - best.value).abs();
            !judged
                || gap <= AGREE * (c.inner + best.err)
                || gap <= tol.0 + tol.1 * best.value.abs()
                || ERR_SAFETY * c.inner < best.err
        });
        if !agrees {
            break;
        }
        let mut here = beyond;
        for &i in by_reach(r) {
            here.offer(i, &cands[i], cands[i].inner);
        }
        (best, best_significant) = here.result();
        for &i in by_reach(r) {
            beyond.offer(i, &cands[i], cands[i].outer);
        }
    }
    (best, best_significant)
}

/// `chosen`, with its error widened where two converged plateaus of the
/// table disagree with it.
fn plateaus(val: &[Vec<f64>], nse: &[Vec<f64>], mut chosen: Estimate) -> Estimate {
    let n = val.first().map_or(0, Vec::len);
    // Two converged plateaus that disagree: the sequence of steps has
    // aliased (sin(1616·x) looks like a slow sine when sampled at multiples
    // of 2⁻⁸) or two scales of the function compete. Neither is to be
    // trusted, so the disagreement becomes the error. A plateau is a value
    // that agrees with its two smaller-step neighbours and converges
    // towards them as a Richardson column does: the second change is at
    // most half the first, up to rounding. The steps beyond a kink at a
    // small distance `d` can agree to a few digits (their error goes as
    // `d/h`), but they diverge towards the smaller steps, and where that
    // meets the truncation error of a smooth part the column turns, with
    // two similar changes: neither is a plateau.
    for (col, col_noise) in val.iter().zip(nse) {
        for k in 0..n.saturating_sub(2) {
            let v = col[k];
            let (c1, c2) = ((v - col[k + 1]).abs(), (col[k + 1] - col[k + 2]).abs());
            let err = c1.max((v - col[k + 2]).abs()) + col_noise[k];
            let gap = (v - chosen.value).abs();
            let converging = c2 <= c1 / STEP_RATIO + col_noise[k + 1] + col_noise[k + 2];
            let plateau = err <= PLATEAU * v.abs() && converging;
            let apart = gap > ERR_SAFETY * (err + chosen.err)
                && gap > 10.0 * PLATEAU * v.abs().max(chosen.value.abs());
            if plateau && apart {
                chosen.err = chosen.err.max(gap);
            }
        }
    }
    chosen
}

/// An entry of the Richardson table with its error estimates.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    value: f64,
    /// The error estimate from the smaller steps alone.
    inner: f64,
    /// With the classical estimate from the next larger step as well.
    outer: f64,
    /// The largest step the value depends on (index into the steps).
    reach: usize,
}

/// The candidate with the smallest error estimate among those using only
/// steps from some index on (the classical estimate counting where the next
/// larger step is among them: `outer` for the candidates reaching beyond
/// that index, `inner` for those reaching exactly it), and the one among
/// those whose error is at most [`SIGNIFICANT`] of their value. Ties go to
/// the earlier candidate, as a scan in order with `<` would have it.
#[derive(Clone, Copy)]
struct Accepted {
    best: (Estimate, usize),
    significant: (Estimate, usize),
}

impl Accepted {
    const NONE: Accepted = Accepted {
        best: (Estimate::NONE, usize::MAX),
        significant: (Estimate::NONE, usize::MAX),
    };

    fn offer(&mut self, i: usize, c: &Candidate, err: f64) {
        let slot = if err <= SIGNIFICANT * c.value.abs() {
            &mut self.significant
        } else {
            &mut self.best
        };
        let (e, at) = *slot;
        if err < e.err || (at != usize::MAX && err == e.err && i < at) {
            *slot = (
                Estimate {
                    value: c.value,
                    err,
                },
                i,
            );
        }
    }

    fn result(&self) -> (Estimate, Estimate) {
        let (mut best, significant) = (self.best.0, self.significant.0);
        if significant.err < best.err {
            best = significant;
        }
        (best, significant)
    }
}

/// A candidate from a larger step is accepted while it differs from the
/// best estimate of the smaller steps by at most this many times the sum of
/// their error estimates. The error estimates of converged values were
/// never more than 0.9 of the true error in the property tests; a value
/// next to the first step past a kink has an error estimate at least as
/// large as its distance from the smaller steps' values, so 2 lets these
/// through (they do not win: their error is large) and stops at the first
/// polluted value that looks converged.
pub(super) const AGREE: f64 = 2.0;

/// A candidate is significant when its error estimate is at most this
/// fraction of its magnitude.
pub(super) const SIGNIFICANT: f64 = 0.5;

/// A candidate that agrees with its two smaller-step neighbours to this
/// relative precision is a plateau; one that disagrees with the chosen
/// estimate by more than ten times this much (and beyond both error
/// estimates) makes the estimate uncertain.
pub(super) const PLATEAU: f64 = 1e-3;
