//! The verdict on one entry from its finite-difference estimate: the
//! tolerance, pass or fail, and when the estimate is too imprecise to say.

use super::richardson::Estimate;
use super::{
    ATOL, ATOL_SECOND, Doubt, ERR_SAFETY, Entry, KINK_SAFETY, MIN_RTOL, RTOL, RTOL_SECOND, Verdict,
};

/// The one-sided derivatives differ beyond their errors: a kink.
pub(super) fn differ(left: Estimate, right: Estimate) -> bool {
    let jump = (right.value - left.value).abs();
    let scale = left.value.abs().max(right.value.abs());
    jump > KINK_SAFETY * (left.err + right.err) + ATOL + RTOL * scale
}

/// The estimate to judge a first derivative by: the central one, or at the
/// edge of f's domain, where only one side may be usable, the better side.
pub(super) fn first_choice(central: Estimate, left: Estimate, right: Estimate) -> Estimate {
    if central.usable() {
        central
    } else if left.err < right.err {
        left
    } else {
        right
    }
}

/// The verdict on one entry.
pub(super) fn judge(i: usize, j: Option<usize>, ad: f64, est: Estimate, kink: bool) -> Entry {
    let (fd, err) = if est.usable() {
        (est.value, est.err)
    } else {
        (f64::NAN, f64::INFINITY)
    };
    let (atol, rtol) = if j.is_some() {
        (ATOL_SECOND, RTOL_SECOND)
    } else {
        (ATOL, RTOL)
    };
    let base = atol + rtol * fd.abs();
    let reliable = ERR_SAFETY * err <= base;
    let tol = if reliable {
        (ERR_SAFETY * err).max(MIN_RTOL * fd.abs()).min(base)
    } else {
        base
    };
    let diff = (ad - fd).abs();
    let verdict = if kink {
        Verdict::Kink
    } else if !ad.is_finite() {
        Verdict::Fail
    } else if !fd.is_finite() {
        Verdict::Unconfirmed
    } else if reliable {
        if diff <= tol {
            Verdict::Pass
        } else {
            Verdict::Fail
        }
    } else if diff <= tol + ERR_SAFETY * err {
        Verdict::Unconfirmed
    } else {
        Verdict::Fail
    };
    let floor = atol.min(ERR_SAFETY * err) / rtol;
    let rel_err = diff / fd.abs().max(floor).max(f64::MIN_POSITIVE);
    Entry {
        i,
        j,
        ad,
        fd,
        err_est: err,
        rel_err,
        tol: if fd.is_finite() { tol } else { f64::NAN },
        verdict,
        one_sided: None,
        doubt: match verdict {
            Verdict::Unconfirmed if !fd.is_finite() => Some(Doubt::NoEstimate),
            Verdict::Unconfirmed => Some(Doubt::Noisy),
            _ => None,
        },
    }
}
