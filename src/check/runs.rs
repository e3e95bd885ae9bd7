//! Estimates over windows of steps, coarse to fine: which are reliable,
//! which agree, the finest run of agreeing ones, and the finer windows
//! that contradict it.

use super::richardson::{AGREE, Estimate, Tolerance};
use super::{ERR_SAFETY, MIN_RTOL};

/// An estimate good enough to judge by: its error, with the safety factor,
/// within the tolerance.
pub(super) fn reliable(e: Estimate, tol: Tolerance) -> bool {
    e.usable() && ERR_SAFETY * e.err <= tol.0 + tol.1 * e.value.abs()
}

/// Two estimates of the same number, within their errors.
pub(super) fn agree(a: Estimate, b: Estimate) -> bool {
    let gap = (a.value - b.value).abs();
    gap <= AGREE * (a.err + b.err) + MIN_RTOL * a.value.abs().max(b.value.abs())
}

/// The indices of the finest run of at least two consecutive reliable
/// estimates that agree each with the next, or failing that of the finest
/// reliable one.
pub(super) fn finest_run(ests: &[Estimate], tol: Tolerance) -> Vec<usize> {
    let rel: Vec<usize> = (0..ests.len())
        .filter(|&k| reliable(ests[k], tol))
        .collect();
    let mut single = Vec::new();
    let mut end = rel.len();
    while end > 0 {
        let mut start = end - 1;
        while start > 0 && agree(ests[rel[start - 1]], ests[rel[start]]) {
            start -= 1;
        }
        if end - start >= 2 {
            return rel[start..end].to_vec();
        }
        if single.is_empty() {
            single = rel[start..end].to_vec();
        }
        end = start;
    }
    single
}

/// A finer window's estimate, however imprecise, that excludes the run's:
/// the steps closer to the point see something else (`sin` at `1e15`,
/// whose quotients over steps far beyond its period decay like `1/h` and
/// look converged to 0).
pub(super) fn contradicted(run: &[usize], ests: &[Estimate]) -> bool {
    run.last()
        .is_some_and(|&last| excluded_after(last, ests[last], ests))
}

/// Some window finer than `last` excludes `best`.
pub(super) fn excluded_after(last: usize, best: Estimate, ests: &[Estimate]) -> bool {
    ests.get(last + 1..).is_some_and(|finer| {
        finer
            .iter()
            .any(|e| e.usable() && (e.value - best.value).abs() > ERR_SAFETY * (e.err + best.err))
    })
}

/// The most precise estimate of the finest run of at least two reliable
/// windows that agree, where no finer window contradicts it.
pub(super) fn settled(ests: &[Estimate], tol: Tolerance) -> Option<Estimate> {
    let run = finest_run(ests, tol);
    if run.len() < 2 || contradicted(&run, ests) {
        return None;
    }
    run.iter()
        .map(|&k| ests[k])
        .min_by(|a, b| a.err.total_cmp(&b.err))
}
