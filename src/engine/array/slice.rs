//! Indexes and slices (`x[1:3]`, `A[0]`, `A[:, 0]`, `A[1:, :2]`,
//! `x[::-1]`) as moves the array program already has: a run of
//! consecutive entries, a transpose and a stack. Row-major storage makes a
//! block of whole rows, or a piece of one row, a run; a piece of several
//! rows is a run of the transpose (a column `A[:, j]` is row j of `Aᵀ`);
//! a slice with a step stacks its rows, or its entries, one by one.
//! Gradients flow back through all three moves, so nothing new is needed in
//! the reverse sweep; and a slice of data that does not depend on the point
//! is computed once, when compiled.

use crate::num::array::shape_text;

/// Most runs a slice with a step is taken as (one per row, or per entry).
pub(super) const MAX_STEPPED_RUNS: usize = 10_000;

/// One subscript with its numbers known, as written (a negative position
/// counts from the end, as in NumPy).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Sub {
    /// One position: the axis is dropped.
    At(i64),
    /// `start:stop:step`, any of them absent: the axis is kept.
    Range(Option<i64>, Option<i64>, Option<i64>),
}

/// One move of a plan, applied to the result of the moves before it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Move {
    /// `len` consecutive entries from `start`, given `shape`.
    Run {
        start: usize,
        len: usize,
        shape: Vec<usize>,
    },
    /// The transpose of the matrix so far.
    Transpose,
    /// Each plan applied to the array so far, the results stacked (scalars
    /// into a vector, vectors into the rows of a matrix).
    Stack(Vec<Vec<Move>>),
}

/// A refused subscript: which one, the message and a hint.
pub(super) type Refusal = (usize, String, &'static str);

/// The positions an axis keeps, in order.
struct Axis {
    at: Vec<usize>,
    keep: bool,
}

impl Axis {
    /// `lo..hi` when the positions are consecutive and increasing.
    fn run(&self) -> Option<(usize, usize)> {
        let lo = self.at[0];
        let consecutive = self.at.iter().enumerate().all(|(k, &p)| p == lo + k);
        consecutive.then(|| (lo, lo + self.at.len()))
    }
    fn kept(&self) -> Vec<usize> {
        if self.keep {
            vec![self.at.len()]
        } else {
            vec![]
        }
    }
}

/// NumPy's positions of `sub` along an axis of length `len`. A position out
/// of range is an error; a slice's ends are clamped to the axis, but one
/// that keeps nothing is an error (there are no empty arrays).
fn resolve(sub: Sub, axis: usize, len: usize, shape: &[usize]) -> Result<Axis, String> {
    let n = len as i64;
    let (a, b, step) = match sub {
        Sub::At(i) => {
            let at = if i < 0 { i + n } else { i };
            if at < 0 || at >= n {
                return Err(format!(
                    "index {i} is out of range for axis {axis} of length {len} (shape {})",
                    shape_text(shape)
                ));
            }
            return Ok(Axis {
                at: vec![at as usize],
                keep: false,
            });
        }
        Sub::Range(a, b, step) => (a, b, step.unwrap_or(1)),
    };
    if step == 0 {
        return Err("a slice's step must not be 0".into());
    }
    // Ends as NumPy clamps them: to 0..=n going up, to -1..=n-1 going down.
    let (floor, ceil) = if step > 0 { (0, n) } else { (-1, n - 1) };
    let end = |v: i64| (if v < 0 { v + n } else { v }).clamp(floor, ceil);
    let lo = a.map_or(if step > 0 { 0 } else { n - 1 }, end);
    let hi = b.map_or(if step > 0 { n } else { -1 }, end);
    let mut at = Vec::new();
    let mut i = lo;
    while (step > 0 && i < hi) || (step < 0 && i > hi) {
        at.push(i as usize);
        i += step;
    }
    if at.is_empty() {
        let text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let step = if step == 1 {
            String::new()
        } else {
            format!(":{step}")
        };
        return Err(format!(
            "the slice {}:{}{step} keeps nothing of axis {axis} of length {len} (shape {})",
            text(a),
            text(b),
            shape_text(shape)
        ));
    }
    Ok(Axis { at, keep: true })
}

/// The moves that take `subs` (one per leading axis) out of an array of
/// `shape` (a vector or a matrix, at least as many axes as `subs`).
pub(super) fn plan(shape: &[usize], subs: &[Sub]) -> Result<Vec<Move>, Refusal> {
    const HINT: &str =
        "indexes start at 0, as in NumPy; -1 is the last; a slice a:b stops before b";
    let mut axes = Vec::with_capacity(shape.len());
    for (axis, &len) in shape.iter().enumerate() {
        let sub = subs
            .get(axis)
            .copied()
            .unwrap_or(Sub::Range(None, None, None));
        axes.push(resolve(sub, axis, len, shape).map_err(|m| (axis, m, HINT))?);
    }
    let runs: Vec<Option<(usize, usize)>> = axes.iter().map(Axis::run).collect();
    if runs.iter().all(Option::is_some) {
        return Ok(consecutive(shape, &axes, &runs));
    }
    let count = match &axes[..] {
        [rows, cols] if runs[1].is_some() => rows.at.len(),
        _ => axes.iter().map(|a| a.at.len()).product(),
    };
    if count > MAX_STEPPED_RUNS {
        let last = subs.len().saturating_sub(1);
        return Err((
            last,
            format!(
                "this slice is taken in {count} pieces, one per row or entry (the limit is {MAX_STEPPED_RUNS})"
            ),
            "without a step, a slice is one piece",
        ));
    }
    Ok(stepped(shape, &axes, &runs))
}

/// The plan when every axis keeps consecutive positions.
fn consecutive(shape: &[usize], axes: &[Axis], runs: &[Option<(usize, usize)>]) -> Vec<Move> {
    let run = |k: usize| runs[k].unwrap_or((0, 0));
    match axes {
        [] => vec![],
        [only] => {
            let (lo, hi) = run(0);
            vec![Move::Run {
                start: lo,
                len: hi - lo,
                shape: only.kept(),
            }]
        }
        [rows, cols, ..] => {
            let (n, (r0, r1), (c0, c1)) = (shape[1], run(0), run(1));
            if (c0, c1) == (0, n) || r1 - r0 == 1 {
                // Whole rows, or a piece of one row: consecutive entries.
                return vec![Move::Run {
                    start: r0 * n + c0,
                    len: (r1 - r0) * (c1 - c0),
                    shape: [rows.kept(), cols.kept()].concat(),
                }];
            }
            // Several rows, some columns: the rows, then those columns as
            // rows of the transpose, then back if both axes stay.
            let k = r1 - r0;
            let mut moves = Vec::new();
            if k < shape[0] {
                moves.push(Move::Run {
                    start: r0 * n,
                    len: k * n,
                    shape: vec![k, n],
                });
            }
            moves.push(Move::Transpose);
            moves.push(Move::Run {
                start: c0 * k,
                len: (c1 - c0) * k,
                shape: [cols.kept(), vec![k]].concat(),
            });
            if cols.keep {
                moves.push(Move::Transpose);
            }
            moves
        }
    }
}

/// The plan when a step leaves gaps: rows (or entries) stacked one by one.
fn stepped(shape: &[usize], axes: &[Axis], runs: &[Option<(usize, usize)>]) -> Vec<Move> {
    let one = |start: usize| {
        vec![Move::Run {
            start,
            len: 1,
            shape: vec![],
        }]
    };
    let stack = |axis: &Axis, part: &dyn Fn(usize) -> Vec<Move>| -> Vec<Move> {
        if axis.keep {
            vec![Move::Stack(axis.at.iter().map(|&p| part(p)).collect())]
        } else {
            part(axis.at[0])
        }
    };
    match axes {
        [only] => stack(only, &one),
        [rows, cols, ..] => {
            let n = shape[1];
            let row = |r: usize| match runs[1] {
                Some((c0, c1)) => vec![Move::Run {
                    start: r * n + c0,
                    len: c1 - c0,
                    shape: cols.kept(),
                }],
                None => stack(cols, &|c| one(r * n + c)),
            };
            stack(rows, &row)
        }
        [] => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a plan on the entries of a row-major array, as the program does.
    fn take(shape: &[usize], subs: &[Sub]) -> (Vec<usize>, Vec<f64>) {
        let data: Vec<f64> = (0..shape.iter().product::<usize>())
            .map(|i| i as f64)
            .collect();
        apply(&plan(shape, subs).unwrap(), shape.to_vec(), data)
    }

    fn apply(moves: &[Move], mut sh: Vec<usize>, mut data: Vec<f64>) -> (Vec<usize>, Vec<f64>) {
        for m in moves {
            match m {
                Move::Run { start, len, shape } => {
                    data = data[*start..start + len].to_vec();
                    sh = shape.clone();
                }
                Move::Transpose => {
                    let (r, c) = (sh[0], sh[1]);
                    data = (0..r * c).map(|i| data[(i % r) * c + i / r]).collect();
                    sh = vec![c, r];
                }
                Move::Stack(parts) => {
                    let taken: Vec<_> = parts
                        .iter()
                        .map(|p| apply(p, sh.clone(), data.clone()))
                        .collect();
                    sh = [vec![taken.len()], taken[0].0.clone()].concat();
                    data = taken.into_iter().flat_map(|(_, d)| d).collect();
                }
            }
        }
        (sh, data)
    }

    const ALL: Sub = Sub::Range(None, None, None);

    #[test]
    fn vectors_follow_numpy() {
        // x = arange(5)
        assert_eq!(take(&[5], &[Sub::At(-1)]), (vec![], vec![4.0]));
        assert_eq!(
            take(&[5], &[Sub::Range(Some(1), Some(3), None)]),
            (vec![2], vec![1.0, 2.0])
        );
        assert_eq!(
            take(&[5], &[Sub::Range(None, Some(2), None)]),
            (vec![2], vec![0.0, 1.0])
        );
        assert_eq!(
            take(&[5], &[Sub::Range(Some(-2), None, None)]),
            (vec![2], vec![3.0, 4.0])
        );
        // Ends past the axis are clamped.
        assert_eq!(
            take(&[5], &[Sub::Range(Some(3), Some(99), None)]),
            (vec![2], vec![3.0, 4.0])
        );
        assert_eq!(take(&[5], &[ALL]).1.len(), 5);
    }

    #[test]
    fn matrices_follow_numpy() {
        // A = arange(12).reshape(3, 4)
        let s = [3, 4];
        assert_eq!(take(&s, &[ALL, Sub::At(0)]), (vec![3], vec![0.0, 4.0, 8.0]));
        assert_eq!(
            take(&s, &[Sub::At(1), ALL]),
            (vec![4], vec![4.0, 5.0, 6.0, 7.0])
        );
        assert_eq!(take(&s, &[Sub::At(1)]), (vec![4], vec![4.0, 5.0, 6.0, 7.0]));
        assert_eq!(take(&s, &[Sub::At(-1), Sub::At(-1)]), (vec![], vec![11.0]));
        assert_eq!(
            take(&s, &[Sub::Range(Some(1), None, None)]),
            (vec![2, 4], (4..12).map(f64::from).collect())
        );
        assert_eq!(
            take(&s, &[Sub::At(2), Sub::Range(Some(1), Some(3), None)]),
            (vec![2], vec![9.0, 10.0])
        );
        assert_eq!(
            take(
                &s,
                &[
                    Sub::Range(Some(1), Some(2), None),
                    Sub::Range(Some(1), Some(3), None)
                ]
            ),
            (vec![1, 2], vec![5.0, 6.0])
        );
        assert_eq!(
            take(
                &s,
                &[
                    Sub::Range(Some(1), None, None),
                    Sub::Range(None, Some(2), None)
                ]
            ),
            (vec![2, 2], vec![4.0, 5.0, 8.0, 9.0])
        );
        assert_eq!(
            take(&s, &[ALL, Sub::Range(Some(-1), None, None)]),
            (vec![3, 1], vec![3.0, 7.0, 11.0])
        );
        assert_eq!(
            take(&s, &[Sub::Range(None, Some(2), None), Sub::At(3)]),
            (vec![2], vec![3.0, 7.0])
        );
    }

    #[test]
    fn steps_follow_numpy() {
        let r = |a, b, c| Sub::Range(a, b, Some(c));
        assert_eq!(
            take(&[5], &[r(None, None, -1)]),
            (vec![5], vec![4.0, 3.0, 2.0, 1.0, 0.0])
        );
        assert_eq!(
            take(&[5], &[r(None, None, 2)]),
            (vec![3], vec![0.0, 2.0, 4.0])
        );
        assert_eq!(
            take(&[5], &[r(Some(1), None, 2)]),
            (vec![2], vec![1.0, 3.0])
        );
        assert_eq!(
            take(&[5], &[r(Some(3), Some(0), -2)]),
            (vec![2], vec![3.0, 1.0])
        );
        assert_eq!(
            take(&[5], &[r(Some(-1), Some(-6), -3)]),
            (vec![2], vec![4.0, 1.0])
        );
        // A = arange(12).reshape(3, 4)
        let s = [3, 4];
        assert_eq!(
            take(&s, &[r(None, None, -1)]),
            (
                vec![3, 4],
                [8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3]
                    .map(f64::from)
                    .to_vec()
            )
        );
        assert_eq!(
            take(&s, &[ALL, r(None, None, 2)]),
            (vec![3, 2], [0, 2, 4, 6, 8, 10].map(f64::from).to_vec())
        );
        assert_eq!(
            take(&s, &[Sub::At(1), r(None, None, -3)]),
            (vec![2], vec![7.0, 4.0])
        );
        assert_eq!(
            take(&s, &[r(None, None, 2), Sub::At(0)]),
            (vec![2], vec![0.0, 8.0])
        );
        assert!(plan(&[5], &[r(None, None, 0)]).is_err());
        assert!(plan(&[5], &[r(Some(1), Some(3), -1)]).is_err());
    }

    #[test]
    fn bad_subscripts_say_which_and_why() {
        let (k, m, _) = plan(&[3, 4], &[ALL, Sub::At(4)]).unwrap_err();
        assert_eq!(k, 1);
        assert_eq!(
            m,
            "index 4 is out of range for axis 1 of length 4 (shape (3, 4))"
        );
        let (k, m, _) = plan(&[5], &[Sub::Range(Some(3), Some(1), None)]).unwrap_err();
        assert_eq!(k, 0);
        assert_eq!(
            m,
            "the slice 3:1 keeps nothing of axis 0 of length 5 (shape (5,))"
        );
        assert!(plan(&[5], &[Sub::At(-6)]).is_err());
    }
}
