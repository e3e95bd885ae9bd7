//! The one-sided look: where the central steps straddle a kink or a pole
//! close to the point and the steps below it drown in rounding, the steps
//! on the other side see only the smooth part of `f`, at every scale.

use super::axis::{Axis, Quotient, second_steps};
use super::richardson::{Estimate, FIRST, SECOND, SIGNIFICANT};
use super::runs::{agree, excluded_after, finest_run, settled};
use super::verdict::{first_choice, judge};
use super::{ATOL, ERR_SAFETY, Entry, Verdict};

/// The first derivative `ad` judged by the far side (see [`OneSided`]),
/// where that passes it, or fails it where the derivative exists: where
/// the caller's AD saw no kink at the point, or where the near side
/// excludes `ad` too. `central` are the windows' central estimates.
pub(super) fn first(
    axis: &Axis,
    i: usize,
    ad: f64,
    central: &[Estimate],
    smooth_by_ad: bool,
) -> Option<Entry> {
    let o = one_sided(axis, axis.base, central)?;
    let mut by_side = judge(i, None, ad, o.far, false);
    let near_excludes = (ad - o.near.value).abs() > ERR_SAFETY * o.near.err + by_side.tol;
    let fails = by_side.verdict == Verdict::Fail && (smooth_by_ad || near_excludes);
    if by_side.verdict != Verdict::Pass && !fails {
        return None;
    }
    by_side.one_sided = Some(match o.side {
        Side::Right => (o.near.value, o.far.value),
        Side::Left => (o.far.value, o.near.value),
    });
    Some(by_side)
}

/// The second derivative `ad` on the Hessian's diagonal, passed by the
/// far side's one-sided second differences.
pub(super) fn second(axis: &Axis, i: usize, ad: f64) -> Option<Entry> {
    // Where the first derivative is settled on one side and the other side
    // only agrees at its finest steps (a kink or a pole close by there), the
    // second differences on the far side decide, as long as the near side's
    // do not settle on something else.
    let central: Vec<Estimate> = axis
        .windows(axis.base, Quotient::Central)
        .iter()
        .map(|w| {
            let [c, l, r] = w.first_estimates();
            first_choice(c, l, r)
        })
        .collect();
    let o = one_sided(axis, axis.base, &central)?;
    let side = |s: Side| -> Vec<Estimate> {
        axis.windows(second_steps(axis.xi), s.quotient())
            .iter()
            .map(|w| w.side_second_over(s == Side::Right, w.plus.len()))
            .collect()
    };
    let (far, near) = (side(o.side), side(o.side.other()));
    let best = settled(&far, SECOND)?;
    if settled(&near, SECOND).is_some_and(|n| !agree(n, best)) {
        return None;
    }
    let by_side = judge(i, Some(i), ad, best, false);
    (by_side.verdict == Verdict::Pass).then_some(by_side)
}

/// A side of the point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }

    /// The quotients on this side, for measuring noise.
    fn quotient(self) -> Quotient {
        match self {
            Side::Left => Quotient::Left,
            Side::Right => Quotient::Right,
        }
    }
}

/// What the one-sided first derivatives tell where the two-sided ones do
/// not settle: one side (`side`, the far side) is settled at two scales at
/// least (`far`), and the other (the near side) either settles on the same
/// value, or sees something else at its coarser steps (a kink or a pole
/// close by) but agrees at its finer ones (`near`), which also tell the
/// two apart. A kink at the point would show on the near side at every
/// scale, and never agree with the far side's value.
///
/// This is what decides next to a kink away from 0: at `x = 2.8`, a kink
/// `1e-9` away pollutes every central quotient whose step is larger, and
/// the smaller steps are drowned in the rounding of `f` (`ε·|f| / h` is
/// `1e-6` of the derivative there); the steps on the far side see only the
/// smooth part of `f`, at every scale up to its own.
#[derive(Clone, Copy, Debug)]
struct OneSided {
    side: Side,
    far: Estimate,
    near: Estimate,
}

/// See [`OneSided`]: from the one-sided first derivatives over windows of
/// the axis's steps (the first pass's `first`), each window's noise
/// measured on its own side, so that a kink close by on the other side
/// does not pass for noise. The more precise far side wins.
/// A side's run must not be contradicted by the finer windows' central
/// estimates (`central`) either: at huge arguments (`sin` at `1e15`) the
/// one-sided quotients at steps far beyond the period decay like `1/h` and
/// look converged to 0 on both sides, and at the finest steps, the
/// one-sided ones are too imprecise to contradict that.
fn one_sided(axis: &Axis, first: usize, central: &[Estimate]) -> Option<OneSided> {
    let column = |s: Side| -> Vec<Estimate> {
        let k = if s == Side::Left { 1 } else { 2 };
        axis.windows(first, s.quotient())
            .iter()
            .map(|w| w.first_estimates()[k])
            .collect()
    };
    let (left, right) = (column(Side::Left), column(Side::Right));
    let mut found: Option<OneSided> = None;
    for (side, far_ests, near) in [(Side::Right, &right, &left), (Side::Left, &left, &right)] {
        let Some(far) = settled(far_ests, FIRST) else {
            continue;
        };
        let last = finest_run(far_ests, FIRST).last().copied().unwrap_or(0);
        if excluded_after(last, far, central) {
            continue;
        }
        let Some(near) = near_look(near, far) else {
            continue;
        };
        if found.is_none_or(|f| far.err < f.far.err) {
            found = Some(OneSided { side, far, near });
        }
    }
    found
}

/// The near side's estimate that agrees with the far side's `far`: its own
/// settled one; or else, after its most precise window (at coarse steps,
/// where a kink or a pole close by shows as another value), the most
/// precise finer window that excludes that value, if it agrees with `far`;
/// or the most precise window itself, where no finer one excludes it and
/// it is precise enough to tell.
fn near_look(ests: &[Estimate], far: Estimate) -> Option<Estimate> {
    if let Some(n) = settled(ests, FIRST) {
        return agree(n, far).then_some(n);
    }
    let by_err = |a: &&(usize, Estimate), b: &&(usize, Estimate)| a.1.err.total_cmp(&b.1.err);
    let usable: Vec<(usize, Estimate)> = ests
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, e)| e.usable())
        .collect();
    let &(k, coarse) = usable.iter().min_by(by_err)?;
    let excludes =
        |e: &Estimate| (e.value - coarse.value).abs() > ERR_SAFETY * (e.err + coarse.err);
    let finer = usable
        .iter()
        .filter(|(j, e)| *j > k && excludes(e))
        .min_by(by_err);
    let local = match finer {
        Some(&(_, e)) => e,
        None => {
            let scale = coarse.value.abs().max(far.value.abs());
            (coarse.err <= SIGNIFICANT * scale + ATOL).then_some(coarse)?
        }
    };
    agree(local, far).then_some(local)
}
