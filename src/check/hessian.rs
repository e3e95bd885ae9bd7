//! The Hessian's entries: the diagonal from the axes' samples, the mixed
//! ones from steps in two coordinates at once.

use super::axis::{Axis, CENTRAL, Evaluator, second_steps};
use super::richardson::{Estimate, SECOND, extrapolate};
use super::verdict::judge;
use super::{EVAL_NOISE, Entry, Verdict, scales};

/// What the first derivative in one variable says about the second ones.
#[derive(Clone, Copy)]
pub(super) struct Along {
    /// It has a kink, so the second does not exist.
    pub(super) kink: bool,
    /// It did not settle across scales of steps (a feature of `f` closer
    /// than the coarser steps, or `f` varying within a few ulps of a huge
    /// argument), so second differences from the same steps cannot fail
    /// a derivative either.
    pub(super) unsettled: bool,
}

/// Checks the Hessian rows `h` (upper triangle, and lower entries that
/// differ from their mirror), given what the first derivatives showed
/// along each variable.
pub(super) fn check_hessian(
    ev: &mut Evaluator<'_>,
    x: &[f64],
    axes: &mut [Axis],
    along: &[Along],
    h: &[Vec<f64>],
    max_evals: usize,
) -> Vec<Entry> {
    let n = x.len();
    let mut out = Vec::new();
    let at = |i: usize, j: usize| h.get(i).and_then(|r| r.get(j)).copied();
    for i in 0..n {
        for j in i..n {
            let upper = at(i, j);
            let lower = at(j, i);
            if upper.is_none() && lower.is_none() {
                continue;
            }
            let est = if i == j {
                axes[i].second()
            } else {
                mixed(ev, x, &axes[i], &axes[j], i, j)
            };
            // Stopped: what is not decided yet is left out, not guessed.
            if ev.halted() {
                return out;
            }
            let kink = i == j && along[i].kink;
            let unsettled = along[i].unsettled || along[j].unsettled;
            let settle = |mut e: Entry| {
                if unsettled && e.verdict == Verdict::Fail && e.ad.is_finite() {
                    scales::unsettle(&mut e, &[]);
                }
                e
            };
            if let Some(ad) = upper {
                let mut e = judge(i, Some(j), ad, est, kink);
                if i == j && !matches!(e.verdict, Verdict::Pass | Verdict::Kink) {
                    axes[i].refine(ev, x, i, max_evals);
                    if ev.halted() {
                        return out;
                    }
                    e = scales::second_entry(&axes[i], i, ad, &e);
                }
                out.push(settle(e));
            }
            match (upper, lower) {
                (Some(u), Some(l)) if u.to_bits() == l.to_bits() => {}
                (_, Some(l)) if i != j => out.push(settle(judge(j, Some(i), l, est, kink))),
                _ => {}
            }
        }
    }
    out
}

/// The mixed second derivative in `i` and `j`, stepping both coordinates
/// by their own steps. With different step counts (different scales), the
/// pairs are aligned at the small end, where both reach the same absolute
/// size.
pub(super) fn mixed(
    ev: &mut Evaluator<'_>,
    x: &[f64],
    a: &Axis,
    b: &Axis,
    i: usize,
    j: usize,
) -> Estimate {
    // A refined axis may have been sampled afresh, with fewer steps.
    let ka = second_steps(a.xi).min(a.plus.len());
    let kb = second_steps(b.xi).min(b.plus.len());
    let count = ka.min(kb);
    let mut q = Vec::with_capacity(count);
    let mut noise = Vec::with_capacity(count);
    for k in 0..count {
        let (ai, bi) = (ka - count + k, kb - count + k);
        let (ip, im, jp, jm) = (a.plus[ai], a.minus[ai], b.plus[bi], b.minus[bi]);
        let fpp = ev.eval_at(x, &[(i, ip), (j, jp)]);
        let fpm = ev.eval_at(x, &[(i, ip), (j, jm)]);
        let fmp = ev.eval_at(x, &[(i, im), (j, jp)]);
        let fmm = ev.eval_at(x, &[(i, im), (j, jm)]);
        let d = (ip - im) * (jp - jm);
        let big = (fpp
            .abs()
            .max(fpm.abs())
            .max(fmp.abs())
            .max(fmm.abs())
            .max(a.f0.abs()))
        .max(a.noise.max(b.noise) / EVAL_NOISE);
        q.push((fpp - fpm - fmp + fmm) / d);
        noise.push(4.0 * EVAL_NOISE * big / d);
    }
    extrapolate(&q, &noise, CENTRAL, SECOND, false)
}
