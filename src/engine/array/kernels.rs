//! The loops over contiguous buffers that every array instruction is made
//! of: NumPy broadcasting, matrix products, and their adjoints. Shapes are
//! in their two-axis form ([`as_2d`](crate::num::array::as_2d)); they were
//! checked when the program was compiled.

use super::elem::Elem;

/// Calls `f(k, ia, ib)` for each entry `k` of the broadcast result of
/// shape `out`, with the positions `ia`, `ib` of the operands' entries that
/// meet there (NumPy broadcasting: an axis of length 1 repeats).
#[inline]
pub fn each(
    sa: [usize; 2],
    sb: [usize; 2],
    out: [usize; 2],
    mut f: impl FnMut(usize, usize, usize),
) {
    let n = out[0] * out[1];
    if sa == out && sb == out {
        (0..n).for_each(|k| f(k, k, k));
    } else if sa == out && sb == [1, 1] {
        (0..n).for_each(|k| f(k, k, 0));
    } else if sb == out && sa == [1, 1] {
        (0..n).for_each(|k| f(k, 0, k));
    } else {
        let pos = |s: [usize; 2], i: usize, j: usize| {
            (if s[0] == 1 { 0 } else { i }) * s[1] + if s[1] == 1 { 0 } else { j }
        };
        for i in 0..out[0] {
            for j in 0..out[1] {
                f(i * out[1] + j, pos(sa, i, j), pos(sb, i, j));
            }
        }
    }
}

/// The elementwise `f(a, b)` with broadcasting.
#[inline]
pub fn zip<T: Elem, R: Copy + Default>(
    a: &[T],
    sa: [usize; 2],
    b: &[T],
    sb: [usize; 2],
    out: [usize; 2],
    f: impl Fn(T, T) -> R,
) -> Vec<R> {
    if sa == out && sb == out {
        return a.iter().zip(b).map(|(x, y)| f(*x, *y)).collect();
    }
    if sa == out && sb == [1, 1] {
        let y = b[0];
        return a.iter().map(|x| f(*x, y)).collect();
    }
    let mut r = vec![R::default(); out[0] * out[1]];
    each(sa, sb, out, |k, ia, ib| r[k] = f(a[ia], b[ib]));
    r
}

/// Fewest terms [`sum_by`] adds in four running sums: a shorter sum is
/// added in order, so that the small arrays of a session give the same
/// bits as a plain loop.
const LONG_SUM: usize = 1024;

/// `Σ f(k)` over `0..n`; from [`LONG_SUM`] terms in four running sums,
/// each added up in order: a long sum need not wait for each addition to
/// complete.
#[inline]
pub fn sum_by<T: Elem>(n: usize, f: impl Fn(usize) -> T) -> T {
    if n < LONG_SUM {
        let mut t = T::cst(0.0);
        for k in 0..n {
            t += f(k);
        }
        return t;
    }
    let mut s = [T::cst(0.0); 4];
    let full = n - n % 4;
    for k in (0..full).step_by(4) {
        for (r, sr) in s.iter_mut().enumerate() {
            *sr += f(k + r);
        }
    }
    let mut rest = T::cst(0.0);
    for k in full..n {
        rest += f(k);
    }
    (s[0] + s[1]) + (s[2] + s[3]) + rest
}

/// Adds `g`, an adjoint of the broadcast shape `out`, into `acc` of shape
/// `s`, summing over the axes that were repeated; each term is scaled by
/// `scale(k, ib)` when given one, where `ib` indexes the other operand of
/// shape `so`.
pub fn unbroadcast<T: Elem>(
    acc: &mut [T],
    s: [usize; 2],
    other: [usize; 2],
    out: [usize; 2],
    g: &[T],
    scale: impl Fn(usize, usize) -> T,
) {
    if s == out && other == out {
        for (k, a) in acc.iter_mut().enumerate() {
            *a += g[k] * scale(k, k);
        }
        return;
    }
    if s == [1, 1] && other == out {
        // A scalar against a whole array: its adjoint is one long sum.
        acc[0] += sum_by(g.len(), |k| g[k] * scale(k, k));
        return;
    }
    each(s, other, out, |k, ia, ib| acc[ia] += g[k] * scale(k, ib));
}

/// `A @ B` in two-axis form: `[m, n] @ [n, p]`; `mul(a, b)` multiplies an
/// entry of each (so that a constant operand stays `f64`).
pub fn matmul<T: Elem, A: Copy, B: Copy>(
    a: &[A],
    b: &[B],
    (m, n, p): (usize, usize, usize),
    mul: impl Fn(A, B) -> T,
) -> Vec<T> {
    let mut y = vec![T::cst(0.0); m * p];
    if p == 1 {
        macro_rules! fixed {
            ($($c:literal)*) => {
                match n {
                    $($c => matvec_fixed::<$c, T, A, B>(a, b, &mut y, &mul),)*
                    _ => matvec(a, b, n, &mut y, &mul),
                }
            };
        }
        fixed!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
        return y;
    }
    for i in 0..m {
        let yi = &mut y[i * p..(i + 1) * p];
        for j in 0..n {
            let aij = a[i * n + j];
            for (yk, bk) in yi.iter_mut().zip(&b[j * p..(j + 1) * p]) {
                *yk += mul(aij, *bk);
            }
        }
    }
    y
}

/// The adjoint of `A` in `Y = A @ B`: `gA += G @ Bᵀ`.
pub fn matmul_grad_a<T: Elem, B: Copy>(
    ga: &mut [T],
    g: &[T],
    b: &[B],
    (m, n, p): (usize, usize, usize),
    mul: impl Fn(T, B) -> T,
) {
    if p == 1 {
        // A column on the right: the outer product of g and b.
        for (row, gi) in ga.chunks_exact_mut(n.max(1)).zip(g) {
            for (x, bj) in row.iter_mut().zip(b) {
                *x += mul(*gi, *bj);
            }
        }
        return;
    }
    for i in 0..m {
        let gi = &g[i * p..(i + 1) * p];
        for j in 0..n {
            let mut s = T::cst(0.0);
            for (gk, bk) in gi.iter().zip(&b[j * p..(j + 1) * p]) {
                s += mul(*gk, *bk);
            }
            ga[i * n + j] += s;
        }
    }
}

/// The adjoint of `B` in `Y = A @ B`: `gB += Aᵀ @ G`.
pub fn matmul_grad_b<T: Elem, A: Copy>(
    gb: &mut [T],
    g: &[T],
    a: &[A],
    (m, n, p): (usize, usize, usize),
    mul: impl Fn(A, T) -> T,
) {
    if p == 1 {
        macro_rules! fixed {
            ($($c:literal)*) => {
                match n {
                    $($c => matvec_t_fixed::<$c, T, A>(gb, g, a, &mul),)*
                    _ => matvec_t(gb, g, a, n, &mul),
                }
            };
        }
        fixed!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
        return;
    }
    for i in 0..m {
        let gi = &g[i * p..(i + 1) * p];
        for j in 0..n {
            let aij = a[i * n + j];
            for (gbk, gk) in gb[j * p..(j + 1) * p].iter_mut().zip(gi) {
                *gbk += mul(aij, *gk);
            }
        }
    }
}

/// `y = A b` for `A` of `n` columns: four rows at a time, four
/// independent running sums keep the processor busy while each addition
/// completes; each row's sum is still added up in order.
fn matvec<T: Elem, A: Copy, B: Copy>(
    a: &[A],
    b: &[B],
    n: usize,
    y: &mut [T],
    mul: &impl Fn(A, B) -> T,
) {
    let m = y.len();
    let mut out = y.chunks_exact_mut(4);
    let mut rows = a.chunks_exact(4 * n.max(1));
    for (yq, rq) in (&mut out).zip(&mut rows) {
        let mut s = [T::cst(0.0); 4];
        for (j, w) in b.iter().enumerate().take(n) {
            for (r, sr) in s.iter_mut().enumerate() {
                *sr += mul(rq[r * n + j], *w);
            }
        }
        yq.copy_from_slice(&s);
    }
    let done = m - out.into_remainder().len();
    for (i, yi) in y.iter_mut().enumerate().skip(done) {
        let row = &a[i * n..(i + 1) * n];
        let mut s = T::cst(0.0);
        for (x, w) in row.iter().zip(b) {
            s += mul(*x, *w);
        }
        *yi = s;
    }
}

/// [`matvec`] for `N` columns known when compiled: the loop over the
/// columns unrolls and `b` stays in registers. The same sums in the same
/// order, so the same numbers.
#[inline(never)]
fn matvec_fixed<const N: usize, T: Elem, A: Copy, B: Copy>(
    a: &[A],
    b: &[B],
    y: &mut [T],
    mul: &impl Fn(A, B) -> T,
) {
    let Some(w) = b.get(..N).and_then(|b| <[B; N]>::try_from(b).ok()) else {
        return matvec(a, b, N, y, mul);
    };
    let mut out = y.chunks_exact_mut(4);
    let mut rows = a.chunks_exact(4 * N);
    for (yq, rq) in (&mut out).zip(&mut rows) {
        let mut s = [T::cst(0.0); 4];
        for (j, wj) in w.iter().enumerate() {
            for (r, sr) in s.iter_mut().enumerate() {
                *sr += mul(rq[r * N + j], *wj);
            }
        }
        yq.copy_from_slice(&s);
    }
    let rest = out.into_remainder();
    for (yi, row) in rest.iter_mut().zip(rows.remainder().chunks_exact(N)) {
        let mut s = T::cst(0.0);
        for (x, wj) in row.iter().zip(&w) {
            s += mul(*x, *wj);
        }
        *yi = s;
    }
}

/// `gb += Aᵀ g` for `A` of `n` columns: one pass over `A`'s rows.
fn matvec_t<T: Elem, A: Copy>(gb: &mut [T], g: &[T], a: &[A], n: usize, mul: &impl Fn(A, T) -> T) {
    for (row, gi) in a.chunks_exact(n.max(1)).zip(g) {
        for (x, aij) in gb.iter_mut().zip(row) {
            *x += mul(*aij, *gi);
        }
    }
}

/// [`matvec_t`] for `N` columns known when compiled: the sums stay in
/// registers across the rows. Each column's sum is added up in the same
/// order, so the same numbers.
#[inline(never)]
fn matvec_t_fixed<const N: usize, T: Elem, A: Copy>(
    gb: &mut [T],
    g: &[T],
    a: &[A],
    mul: &impl Fn(A, T) -> T,
) {
    let Some(mut s) = gb.get(..N).and_then(|x| <[T; N]>::try_from(x).ok()) else {
        return matvec_t(gb, g, a, N, mul);
    };
    for (row, gi) in a.chunks_exact(N).zip(g) {
        for (x, aij) in s.iter_mut().zip(row) {
            *x += mul(*aij, *gi);
        }
    }
    gb[..N].copy_from_slice(&s);
}

/// The transpose of an `r × c` matrix.
pub fn transpose<T: Copy>(a: &[T], r: usize, c: usize) -> Vec<T> {
    let mut t = Vec::with_capacity(a.len());
    for j in 0..c {
        for i in 0..r {
            t.push(a[i * c + j]);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The kernels for a column count known when compiled give, bit
        /// for bit, what the general ones give, for every row count
        /// (whole groups of four rows and the rest).
        #[test]
        fn fixed_columns_agree_with_any_columns(
            data in proptest::collection::vec(-3.0f64..3.0, 1..64),
            m in 0usize..11,
            n in 1usize..=17,
        ) {
            let a: Vec<f64> = data.iter().cycle().take(m * n).copied().collect();
            let b: Vec<f64> = data.iter().rev().cycle().take(n).copied().collect();
            let g: Vec<f64> = data.iter().cycle().skip(2).take(m).copied().collect();
            let mul = |x: f64, w: f64| x * w;
            let fast = matmul(&a, &b, (m, n, 1), mul);
            let mut slow = vec![0.0; m];
            matvec(&a, &b, n, &mut slow, &mul);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&fast), bits(&slow));
            let start: Vec<f64> = data.iter().cycle().skip(1).take(n).copied().collect();
            let (mut fast, mut slow) = (start.clone(), start);
            matmul_grad_b(&mut fast, &g, &a, (m, n, 1), mul);
            matvec_t(&mut slow, &g, &a, n, &mul);
            prop_assert_eq!(bits(&fast), bits(&slow));
        }

        /// The sum in four running sums is the sum in order, within
        /// rounding; a short sum is the sum in order, bit for bit.
        #[test]
        fn sum_by_is_the_sum(data in proptest::collection::vec(-3.0f64..3.0, 0..3000)) {
            let mut plain = 0.0;
            for x in &data {
                plain += *x;
            }
            let four = sum_by(data.len(), |k| data[k]);
            let scale: f64 = data.iter().map(|x| x.abs()).sum();
            prop_assert!((plain - four).abs() <= 1e-14 * (1.0 + scale));
            if data.len() < LONG_SUM {
                prop_assert_eq!(plain.to_bits(), four.to_bits());
            }
        }
    }
}
