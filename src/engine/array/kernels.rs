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
        // Four rows at a time: four independent running sums keep the
        // processor busy while each addition completes; each row's sum is
        // still added up in order.
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
        // A column on the right: gb += Aᵀ g, one pass over A's rows.
        for (row, gi) in a.chunks_exact(n.max(1)).zip(g) {
            for (x, aij) in gb.iter_mut().zip(row) {
                *x += mul(*aij, *gi);
            }
        }
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
