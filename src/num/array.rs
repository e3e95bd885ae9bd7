//! Arrays: a shape and its entries, row-major, in one contiguous buffer.
//!
//! A shape has at most [`MAX_RANK`] axes: `[]` is a scalar, `[n]` a vector,
//! `[m, n]` a matrix of m rows. Entries are shared (`Arc`), so a data set of
//! a million rows is bound, passed and compiled without a copy.

use std::sync::Arc;

/// Most axes of an array: vectors and matrices.
pub const MAX_RANK: usize = 2;

/// An array of `f64`: a shape and its entries, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    shape: Vec<usize>,
    data: Arc<[f64]>,
}

impl Array {
    /// An array of `shape` holding `data` (row-major); `None` when the sizes
    /// disagree or the shape has more than [`MAX_RANK`] axes.
    pub fn new(shape: Vec<usize>, data: impl Into<Arc<[f64]>>) -> Option<Array> {
        let data = data.into();
        (shape.len() <= MAX_RANK && size(&shape) == Some(data.len()))
            .then_some(Array { shape, data })
    }

    /// A scalar, as an array of shape `[]`.
    pub fn scalar(v: f64) -> Array {
        Array {
            shape: Vec::new(),
            data: Arc::from([v]),
        }
    }

    /// A vector.
    pub fn vector(v: Vec<f64>) -> Array {
        Array {
            shape: vec![v.len()],
            data: v.into(),
        }
    }

    /// The shape: `[]`, `[n]` or `[rows, columns]`.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The entries, row-major.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// The shared entries.
    pub fn shared(&self) -> Arc<[f64]> {
        Arc::clone(&self.data)
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when there are no entries (a shape with a zero in it).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// True for shape `[]`.
    pub fn is_scalar(&self) -> bool {
        self.shape.is_empty()
    }

    /// The entries as nested rows: one list for a vector, a list of rows
    /// for a matrix (a scalar is a one-entry list).
    pub fn rows(&self) -> Vec<&[f64]> {
        match self.shape.as_slice() {
            [_, c] if *c > 0 => self.data.chunks(*c).collect(),
            [r, _] => vec![&[][..]; *r],
            _ => vec![&self.data[..]],
        }
    }
}

/// The number of entries of `shape`, `None` when it overflows.
pub fn size(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// A shape as NumPy prints it: `()`, `(3,)`, `(2, 3)`.
pub fn shape_text(shape: &[usize]) -> String {
    match shape {
        [] => "()".into(),
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The shape NumPy's broadcasting gives `a` and `b` together: shapes
/// aligned on their last axis, each pair of lengths equal or one of them 1.
/// `None` when they do not broadcast.
pub fn broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    let mut out = vec![0; rank];
    for (k, o) in out.iter_mut().enumerate() {
        let da = dim_from_end(a, rank - 1 - k);
        let db = dim_from_end(b, rank - 1 - k);
        *o = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return None,
        };
    }
    Some(out)
}

/// The length of axis `k` counted from the last (0 = last), 1 if absent.
fn dim_from_end(s: &[usize], k: usize) -> usize {
    if k < s.len() { s[s.len() - 1 - k] } else { 1 }
}

/// `shape` as (rows, columns), a vector being one row and a scalar 1 × 1:
/// the form every kernel works on.
pub fn as_2d(shape: &[usize]) -> [usize; 2] {
    match shape {
        [] => [1, 1],
        [n] => [1, *n],
        [r, c, ..] => [*r, *c],
    }
}

/// The names of each entry of an array called `name`: `x` for a scalar,
/// `x[0]`, `A[1,0]`.
pub fn entry_names(name: &str, shape: &[usize]) -> Vec<String> {
    match shape {
        [] => vec![name.to_string()],
        [n] => (0..*n).map(|i| format!("{name}[{i}]")).collect(),
        [r, c, ..] => (0..*r)
            .flat_map(|i| (0..*c).map(move |j| format!("{name}[{i},{j}]")))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast(&[2, 3], &[3]), Some(vec![2, 3]));
        assert_eq!(broadcast(&[2, 1], &[3]), Some(vec![2, 3]));
        assert_eq!(broadcast(&[], &[4]), Some(vec![4]));
        assert_eq!(broadcast(&[2, 3], &[2]), None);
        assert_eq!(broadcast(&[1, 3], &[4, 1]), Some(vec![4, 3]));
    }

    #[test]
    fn shapes_print_like_numpy() {
        assert_eq!(shape_text(&[]), "()");
        assert_eq!(shape_text(&[3]), "(3,)");
        assert_eq!(shape_text(&[2, 3]), "(2, 3)");
    }
}
