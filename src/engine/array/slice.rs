//! Indexes and slices (`x[1:3]`, `A[0]`, `A[:, 0]`, `A[1:, :2]`) as moves
//! the array program already has: a run of consecutive entries and a
//! transpose. Row-major storage makes a block of whole rows, or a piece of
//! one row, a run; a piece of several rows is a run of the transpose (a
//! column `A[:, j]` is row j of `Aᵀ`). Gradients flow back through both
//! moves, so nothing new is needed in the reverse sweep; and a slice of
//! data that does not depend on the point is computed once, when compiled.

use crate::num::array::shape_text;

/// One subscript with its numbers known, as written (a negative position
/// counts from the end, as in NumPy).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Sub {
    /// One position: the axis is dropped.
    At(i64),
    /// `start:stop`, either absent: the axis is kept.
    Range(Option<i64>, Option<i64>),
}

/// One move of a plan.
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
}

/// A refused subscript: which one, the message and a hint.
pub(super) type Refusal = (usize, String, &'static str);

/// The positions `lo..hi` an axis of length `len` keeps, and whether the
/// result keeps the axis. A position out of range is an error, as in NumPy;
/// a slice's ends are clamped to the axis, as in NumPy, but one that keeps
/// nothing is an error (there are no empty arrays).
fn resolve(
    sub: Sub,
    axis: usize,
    len: usize,
    shape: &[usize],
) -> Result<(usize, usize, bool), String> {
    let n = len as i64;
    match sub {
        Sub::At(i) => {
            let at = if i < 0 { i + n } else { i };
            if at < 0 || at >= n {
                return Err(format!(
                    "index {i} is out of range for axis {axis} of length {len} (shape {})",
                    shape_text(shape)
                ));
            }
            Ok((at as usize, at as usize + 1, false))
        }
        Sub::Range(a, b) => {
            let end = |v: i64| (if v < 0 { v + n } else { v }).clamp(0, n) as usize;
            let (lo, hi) = (a.map_or(0, end), b.map_or(len, end));
            if lo >= hi {
                let text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
                return Err(format!(
                    "the slice {}:{} keeps nothing of axis {axis} of length {len} (shape {})",
                    text(a),
                    text(b),
                    shape_text(shape)
                ));
            }
            Ok((lo, hi, true))
        }
    }
}

/// The moves that take `subs` (one per leading axis) out of an array of
/// `shape` (a vector or a matrix, at least as many axes as `subs`).
pub(super) fn plan(shape: &[usize], subs: &[Sub]) -> Result<Vec<Move>, Refusal> {
    const HINT: &str =
        "indexes start at 0, as in NumPy; -1 is the last; a slice a:b stops before b";
    let mut axes = Vec::with_capacity(shape.len());
    for (axis, &len) in shape.iter().enumerate() {
        let sub = subs.get(axis).copied().unwrap_or(Sub::Range(None, None));
        axes.push(resolve(sub, axis, len, shape).map_err(|m| (axis, m, HINT))?);
    }
    let kept = |(lo, hi, keep): (usize, usize, bool)| if keep { vec![hi - lo] } else { vec![] };
    Ok(match axes[..] {
        [] => vec![],
        [(lo, hi, keep)] => vec![Move::Run {
            start: lo,
            len: hi - lo,
            shape: kept((lo, hi, keep)),
        }],
        [rows @ (r0, r1, _), cols @ (c0, c1, _), ..] => {
            let n = shape[1];
            if (c0, c1) == (0, n) || r1 - r0 == 1 {
                // Whole rows, or a piece of one row: consecutive entries.
                vec![Move::Run {
                    start: r0 * n + c0,
                    len: (r1 - r0) * (c1 - c0),
                    shape: [kept(rows), kept(cols)].concat(),
                }]
            } else {
                // Several rows, some columns: the rows, then those columns
                // as rows of the transpose, then back if both axes stay.
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
                    shape: [kept(cols), vec![k]].concat(),
                });
                if cols.2 {
                    moves.push(Move::Transpose);
                }
                moves
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a plan on the entries of a row-major array, as the program does.
    fn take(shape: &[usize], subs: &[Sub]) -> (Vec<usize>, Vec<f64>) {
        let mut data: Vec<f64> = (0..shape.iter().product::<usize>())
            .map(|i| i as f64)
            .collect();
        let mut sh = shape.to_vec();
        for m in plan(shape, subs).unwrap() {
            match m {
                Move::Run { start, len, shape } => {
                    data = data[start..start + len].to_vec();
                    sh = shape;
                }
                Move::Transpose => {
                    let (r, c) = (sh[0], sh[1]);
                    data = (0..r * c).map(|i| data[(i % r) * c + i / r]).collect();
                    sh = vec![c, r];
                }
            }
        }
        (sh, data)
    }

    const ALL: Sub = Sub::Range(None, None);

    #[test]
    fn vectors_follow_numpy() {
        // x = arange(5)
        assert_eq!(take(&[5], &[Sub::At(-1)]), (vec![], vec![4.0]));
        assert_eq!(
            take(&[5], &[Sub::Range(Some(1), Some(3))]),
            (vec![2], vec![1.0, 2.0])
        );
        assert_eq!(
            take(&[5], &[Sub::Range(None, Some(2))]),
            (vec![2], vec![0.0, 1.0])
        );
        assert_eq!(
            take(&[5], &[Sub::Range(Some(-2), None)]),
            (vec![2], vec![3.0, 4.0])
        );
        // Ends past the axis are clamped.
        assert_eq!(
            take(&[5], &[Sub::Range(Some(3), Some(99))]),
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
            take(&s, &[Sub::Range(Some(1), None)]),
            (vec![2, 4], (4..12).map(f64::from).collect())
        );
        assert_eq!(
            take(&s, &[Sub::At(2), Sub::Range(Some(1), Some(3))]),
            (vec![2], vec![9.0, 10.0])
        );
        assert_eq!(
            take(
                &s,
                &[Sub::Range(Some(1), Some(2)), Sub::Range(Some(1), Some(3))]
            ),
            (vec![1, 2], vec![5.0, 6.0])
        );
        assert_eq!(
            take(&s, &[Sub::Range(Some(1), None), Sub::Range(None, Some(2))]),
            (vec![2, 2], vec![4.0, 5.0, 8.0, 9.0])
        );
        assert_eq!(
            take(&s, &[ALL, Sub::Range(Some(-1), None)]),
            (vec![3, 1], vec![3.0, 7.0, 11.0])
        );
        assert_eq!(
            take(&s, &[Sub::Range(None, Some(2)), Sub::At(3)]),
            (vec![2], vec![3.0, 7.0])
        );
    }

    #[test]
    fn bad_subscripts_say_which_and_why() {
        let (k, m, _) = plan(&[3, 4], &[ALL, Sub::At(4)]).unwrap_err();
        assert_eq!(k, 1);
        assert_eq!(
            m,
            "index 4 is out of range for axis 1 of length 4 (shape (3, 4))"
        );
        let (k, m, _) = plan(&[5], &[Sub::Range(Some(3), Some(1))]).unwrap_err();
        assert_eq!(k, 0);
        assert_eq!(
            m,
            "the slice 3:1 keeps nothing of axis 0 of length 5 (shape (5,))"
        );
        assert!(plan(&[5], &[Sub::At(-6)]).is_err());
    }
}
