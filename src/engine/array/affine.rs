//! The Hessian of a loss that meets its inputs through one affine map:
//! `s · Σᵢ g(rᵢ) + c`, where `r = Σ c·(A @ p) + Σ c·q + constants` (`A`
//! constant matrices, `p` vector inputs, `q` scalar inputs) and `g` is a
//! chain of elementwise instructions. As `r` is linear in the inputs, the
//! Hessian is exactly `s · Σᵢ g''(rᵢ) Jᵢ Jᵢᵀ`, `Jᵢ` being row `i` of `r`'s
//! Jacobian (a row of each `A`, a 1 for each `q`): one pass over the rows,
//! with `g''` from forward over reverse along `r` alone (one direction
//! instead of one per input entry). The sum of squares of a linear model
//! is the common case: its Hessian is then `[x 1]ᵀ[x 1]` scaled. When `g`
//! is a polynomial of degree at most 2 in `r` (a squared error), `g''` is
//! one number for every row, found once, and `r` itself is never computed:
//! the pass over the rows reads only the Jacobian's rows.

use super::Program;
use super::blocks::add_into;
use super::elem::{Elem, Tan};
use super::kernels;
use super::program::{Arith, Aux, Ins, backward, forward};
use crate::engine::eval::Budget;
use crate::error::Error;

/// Most input entries for which the Hessian is accumulated row by row
/// (a packed triangle of them per row).
pub(super) const MAX_ENTRIES: usize = 64;

/// Rows per block: a block of `A` and the chain's buffers stay in the
/// cache between the value of `r` and the accumulation.
const BLOCK_ROWS: usize = 2048;

/// Deepest affine expression followed (deeper ones take the general path).
const MAX_DEPTH: usize = 64;

/// Where the inputs enter `r`, with their coefficient.
#[derive(Clone, Copy, Debug)]
enum Term {
    /// `c · q`, a scalar input at entry `at` of the flattened inputs.
    Scalar { at: usize, c: f64 },
    /// `c · (A @ p)`, `A` the constant slot `a` of `n` columns, `p` the
    /// input at entries `at..at + n`.
    Rows {
        at: usize,
        a: usize,
        n: usize,
        c: f64,
    },
}

/// A program of the shape `s · Σ g(r) + c` (see the module's comment).
#[derive(Debug)]
pub(super) struct Affine {
    /// `s`: what the sum's adjoint is.
    scale: f64,
    /// Entries of `r`.
    pub(super) rows: usize,
    /// `r`'s slot.
    r: usize,
    /// The sum's operand (the end of `g`).
    u: usize,
    /// The slots that compute `r`, in order (a product's operands not
    /// among them).
    affine: Vec<usize>,
    /// The slots of `g` after `r`, in order.
    chain: Vec<usize>,
    terms: Vec<Term>,
    /// True when `g''` is the same at every row: `g` is a polynomial of
    /// degree at most 2 in `r` with scalar coefficients.
    quadratic: bool,
}

impl Program {
    /// The structure `s · Σ g(r) + c` of this program, or `None`.
    pub(super) fn affine(&self) -> Option<Affine> {
        let (sum, scale) = self.after_sum()?;
        let Ins::Sum(u, None) = self.ins[sum] else {
            return None;
        };
        let shape = &self.shapes[u];
        if shape.len() > 1 || !self.active[u] {
            return None;
        }
        let rows = shape.first().copied().unwrap_or(1);
        let mut r = None;
        let mut chain = Vec::new();
        let mut seen = vec![false; self.out + 1];
        let mut stack = vec![u];
        while let Some(k) = stack.pop() {
            if std::mem::replace(&mut seen[k], true) {
                continue;
            }
            if self.affine_terms(k, 1.0, rows, &mut Vec::new(), &mut Vec::new(), 0) {
                if r.is_some_and(|r| r != k) || self.shapes[k] != *shape {
                    return None;
                }
                r = Some(k);
                continue;
            }
            let ins = &self.ins[k];
            if !ins.is_elementwise() || self.shapes[k] != *shape {
                return None;
            }
            for j in ins.args() {
                if self.active[j] {
                    stack.push(j);
                } else if !self.fits(j, rows) {
                    return None;
                }
            }
            chain.push(k);
        }
        let r = r?;
        if chain.is_empty() {
            return None;
        }
        chain.sort_unstable();
        let (mut terms, mut affine) = (Vec::new(), Vec::new());
        self.affine_terms(r, 1.0, rows, &mut terms, &mut affine, 0);
        affine.sort_unstable();
        affine.dedup();
        let quadratic = self.degree(r, &chain).is_some();
        Some(Affine {
            scale,
            rows,
            r,
            u,
            affine,
            chain,
            terms,
            quadratic,
        })
    }

    /// The degree in `r` of the chain's end, as a polynomial whose
    /// coefficients are scalar constants, when it is at most 2; else
    /// `None`. The chain is in slot order, so each operand's degree is
    /// known before it is used.
    fn degree(&self, r: usize, chain: &[usize]) -> Option<u32> {
        let mut deg = vec![None; self.out + 1];
        deg[r] = Some(1);
        let of = |deg: &[Option<u32>], j: usize| -> Option<u32> {
            if self.active[j] {
                deg[j]
            } else {
                self.scalar(j).map(|_| 0)
            }
        };
        for &k in chain {
            let d = match &self.ins[k] {
                Ins::Neg(a) => of(&deg, *a),
                Ins::Arith(Arith::Add | Arith::Sub, a, b) => Some(of(&deg, *a)?.max(of(&deg, *b)?)),
                Ins::Arith(Arith::Mul, a, b) => Some(of(&deg, *a)? + of(&deg, *b)?),
                Ins::Arith(Arith::Div, a, b) if of(&deg, *b) == Some(0) => of(&deg, *a),
                Ins::PowI(a, p) => u32::try_from(*p)
                    .ok()
                    .and_then(|p| of(&deg, *a)?.checked_mul(p)),
                _ => None,
            };
            deg[k] = d.filter(|d| *d <= 2);
        }
        chain.last().and_then(|k| deg[*k])
    }

    /// The full sum under the result and the product of the factors
    /// between them: the result is that sum scaled and shifted by
    /// constants.
    fn after_sum(&self) -> Option<(usize, f64)> {
        let (mut k, mut scale) = (self.out, 1.0);
        loop {
            if !self.shapes[k].is_empty() || !self.active[k] {
                return None;
            }
            match &self.ins[k] {
                Ins::Sum(_, None) => return Some((k, scale)),
                Ins::Neg(a) => (k, scale) = (*a, -scale),
                Ins::Arith(op, a, b) => {
                    let (x, left) = match (self.active[*a], self.active[*b]) {
                        (true, false) => (*a, true),
                        (false, true) => (*b, false),
                        _ => return None,
                    };
                    let c = self.scalar(if left { *b } else { *a })?;
                    scale = match op {
                        Arith::Add => scale,
                        Arith::Sub if left => scale,
                        Arith::Sub => -scale,
                        Arith::Mul => scale * c,
                        Arith::Div if left && c != 0.0 => scale * (1.0 / c),
                        Arith::Div => return None,
                    };
                    k = x;
                }
                _ => return None,
            }
        }
    }

    /// The value of a constant scalar slot.
    fn scalar(&self, j: usize) -> Option<f64> {
        match &self.ins[j] {
            Ins::Const(c) if self.shapes[j].is_empty() && c.len() == 1 => Some(c[0]),
            _ => None,
        }
    }

    /// True for a constant a block of rows of `r` can read: a scalar or
    /// one entry per row.
    fn fits(&self, j: usize, rows: usize) -> bool {
        let sh = &self.shapes[j];
        matches!(self.ins[j], Ins::Const(_)) && (sh.is_empty() || *sh == [rows])
    }

    /// The entry of input `i` in the flattened inputs.
    fn offset(&self, i: usize) -> usize {
        self.inputs[..i]
            .iter()
            .map(|(_, s)| s.iter().product::<usize>())
            .sum()
    }

    /// True when slot `k` (times `c`) is affine in the inputs in the forms
    /// of [`Term`]; its terms go to `terms` and the slots that compute it
    /// to `slots`.
    fn affine_terms(
        &self,
        k: usize,
        c: f64,
        rows: usize,
        terms: &mut Vec<Term>,
        slots: &mut Vec<usize>,
        depth: usize,
    ) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let sh = &self.shapes[k];
        if !self.active[k] {
            slots.push(k);
            return self.fits(k, rows);
        }
        if !(sh.is_empty() || *sh == [rows]) {
            return false;
        }
        slots.push(k);
        let go = |j: usize, c: f64, t: &mut Vec<Term>, s: &mut Vec<usize>| {
            self.affine_terms(j, c, rows, t, s, depth + 1)
        };
        match &self.ins[k] {
            Ins::Input(i) if sh.is_empty() => {
                terms.push(Term::Scalar {
                    at: self.offset(*i),
                    c,
                });
                true
            }
            Ins::MatMul(a, b) => match (&self.ins[*a], &self.ins[*b], &self.shapes[*a][..]) {
                (Ins::Const(_), Ins::Input(i), [m, n]) if *m == rows && !sh.is_empty() => {
                    let (a, n, at) = (*a, *n, self.offset(*i));
                    terms.push(Term::Rows { at, a, n, c });
                    true
                }
                _ => false,
            },
            Ins::Neg(a) => go(*a, -c, terms, slots),
            Ins::Arith(Arith::Add, a, b) => go(*a, c, terms, slots) && go(*b, c, terms, slots),
            Ins::Arith(Arith::Sub, a, b) => go(*a, c, terms, slots) && go(*b, -c, terms, slots),
            Ins::Arith(Arith::Mul, a, b) => match (self.scalar(*a), self.scalar(*b)) {
                (Some(s), None) => go(*a, c, terms, slots) && go(*b, c * s, terms, slots),
                (None, Some(s)) => go(*a, c * s, terms, slots) && go(*b, c, terms, slots),
                _ => false,
            },
            Ins::Arith(Arith::Div, a, b) => match self.scalar(*b) {
                Some(s) if s != 0.0 => {
                    go(*a, c * (1.0 / s), terms, slots) && go(*b, c, terms, slots)
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// The Hessian of the sum of the result's entries over all input
    /// entries, for a program of the shape `s · Σ g(r) + c`.
    pub(super) fn affine_hessian(
        &self,
        f: &Affine,
        inputs: &[Vec<f64>],
        budget: &mut Budget,
    ) -> Result<Vec<Vec<f64>>, Error> {
        let n = self.input_len();
        let jac = self.affine_jacobian(f, n);
        // A quadratic `g`'s `g''`, at any `r` (1 here) of any row.
        let mut same = f
            .quadratic
            .then(|| self.chain_block(f, 0..1, vec![1.0], budget)[0]);
        let mut acc = self.accumulate_rows(f, &jac, same.is_some(), inputs, budget)?;
        // Past the numbers, `g''` is taken where `r` stands, as the general
        // path takes it (an infinite datum or input gives NaN there).
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        if same.is_some() && !(finite(&acc) && inputs.iter().all(|x| finite(x))) {
            same = None;
            acc = self.accumulate_rows(f, &jac, false, inputs, budget)?;
        }
        let scale = f.scale * same.unwrap_or(1.0);
        // Row `a` of the packed triangle starts after `n + (n - 1) + …`.
        let at = |a: usize, b: usize| {
            let (a, b) = (a.min(b), a.max(b));
            a * (2 * n - a + 1) / 2 + (b - a)
        };
        // An entry `r` does not depend on has exact zeros, whatever `g''`.
        let entry = |a: usize, b: usize| {
            if jac.used[a] && jac.used[b] {
                scale * acc[at(a, b)]
            } else {
                0.0
            }
        };
        Ok((0..n)
            .map(|a| (0..n).map(|b| entry(a, b)).collect())
            .collect())
    }

    /// The packed upper triangle of `Σᵢ g''(rᵢ) Jᵢ Jᵢᵀ`, or of `Σᵢ Jᵢ Jᵢᵀ`
    /// when `g''` is the same at every row (`same`).
    fn accumulate_rows(
        &self,
        f: &Affine,
        jac: &Jacobian,
        same: bool,
        inputs: &[Vec<f64>],
        budget: &mut Budget,
    ) -> Result<Vec<f64>, Error> {
        let n = jac.fixed.len();
        let mut acc = vec![0.0; n * (n + 1) / 2];
        for start in (0..f.rows).step_by(BLOCK_ROWS) {
            budget.check_cancel()?;
            let rows = start..(start + BLOCK_ROWS).min(f.rows);
            if same {
                accumulate(&mut acc, jac, rows, None);
            } else {
                let r = self.affine_block(f, rows.clone(), inputs, budget);
                let d2 = self.chain_block(f, rows.clone(), r, budget);
                accumulate(&mut acc, jac, rows, Some(&d2));
            }
        }
        Ok(acc)
    }

    /// `r`'s Jacobian, row by row.
    fn affine_jacobian(&self, f: &Affine, n: usize) -> Jacobian<'_> {
        let mut fixed = vec![0.0; n];
        let mut used = vec![false; n];
        let mut rows = Vec::new();
        for t in &f.terms {
            match *t {
                Term::Scalar { at, c } => {
                    fixed[at] += c;
                    used[at] = true;
                }
                Term::Rows { at, a, n, c } => {
                    if let Ins::Const(x) = &self.ins[a] {
                        rows.push((at, &x[..], n, c));
                    }
                    used[at..at + n].fill(true);
                }
            }
        }
        Jacobian { fixed, used, rows }
    }

    /// The values of `r` over rows `rows`.
    fn affine_block(
        &self,
        f: &Affine,
        rows: std::ops::Range<usize>,
        inputs: &[Vec<f64>],
        budget: &mut Budget,
    ) -> Vec<f64> {
        let mut bv: Vec<Vec<f64>> = (0..=f.r).map(|_| Vec::new()).collect();
        let shape = |j: usize| self.block_shape(j, rows.len());
        for &k in &f.affine {
            bv[k] = match &self.ins[k] {
                Ins::Input(i) => inputs[*i].clone(),
                Ins::Const(c) if self.shapes[k].is_empty() => c.to_vec(),
                Ins::Const(c) => c[rows.clone()].to_vec(),
                Ins::MatMul(a, b) => {
                    let (Ins::Const(x), Ins::Input(i)) = (&self.ins[*a], &self.ins[*b]) else {
                        continue;
                    };
                    let n = self.shapes[*a][1];
                    let xa = &x[rows.start * n..rows.end * n];
                    kernels::matmul(xa, &inputs[*i], (rows.len(), n, 1), |x: f64, w: f64| x * w)
                }
                ins => {
                    let args = ins.args();
                    let a: Vec<&[f64]> = args.iter().map(|j| &bv[*j][..]).collect();
                    let sh: Vec<Vec<usize>> = args.iter().map(|j| shape(*j)).collect();
                    let sh: Vec<&[usize]> = sh.iter().map(Vec::as_slice).collect();
                    let mut notes = Vec::new();
                    let y = forward(ins, &a, &sh, &shape(k), false, &mut notes).0;
                    self.warn(k, notes, budget);
                    y
                }
            };
        }
        std::mem::take(&mut bv[f.r])
    }

    /// A slot's shape over a block of `len` rows of `r`.
    fn block_shape(&self, j: usize, len: usize) -> Vec<usize> {
        if self.shapes[j].is_empty() {
            Vec::new()
        } else {
            vec![len]
        }
    }

    /// `g''` at each entry of the block `r` of rows `rows`: the chain run
    /// forward with the tangent 1 on `r`, then swept back from 1.
    fn chain_block(
        &self,
        f: &Affine,
        rows: std::ops::Range<usize>,
        r: Vec<f64>,
        budget: &mut Budget,
    ) -> Vec<f64> {
        let len = rows.len();
        let mut bv: Vec<Vec<Tan>> = (0..=f.u).map(|_| Vec::new()).collect();
        let mut bx: Vec<Aux<Tan>> = (0..=f.u).map(|_| Aux::None).collect();
        bv[f.r] = r.into_iter().map(|v| Tan { v, t: [1.0] }).collect();
        for &k in &f.chain {
            let ins = &self.ins[k];
            for j in ins.args() {
                if let Ins::Const(c) = &self.ins[j] {
                    let c = if self.shapes[j].is_empty() {
                        c
                    } else {
                        &c[rows.clone()]
                    };
                    bv[j] = c.iter().map(|v| Tan::cst(*v)).collect();
                }
            }
            let args = ins.args();
            let a: Vec<&[Tan]> = args.iter().map(|j| &bv[*j][..]).collect();
            let sh: Vec<Vec<usize>> = args.iter().map(|j| self.block_shape(*j, len)).collect();
            let sh: Vec<&[usize]> = sh.iter().map(Vec::as_slice).collect();
            let mut notes = Vec::new();
            let (y, x) = forward(ins, &a, &sh, &self.block_shape(k, len), true, &mut notes);
            self.warn(k, notes, budget);
            (bv[k], bx[k]) = (y, x);
        }
        let mut adj: Vec<Option<Vec<Tan>>> = (0..=f.u).map(|_| None).collect();
        adj[f.u] = Some(vec![Tan::cst(1.0); len]);
        for &k in f.chain.iter().rev() {
            let Some(g) = adj[k].take() else { continue };
            let ins = &self.ins[k];
            let args = ins.args();
            let mut temps: Vec<Option<Vec<Tan>>> = args
                .iter()
                .map(|j| self.active[*j].then(|| vec![Tan::cst(0.0); bv[*j].len()]))
                .collect();
            let a: Vec<&[Tan]> = args.iter().map(|j| &bv[*j][..]).collect();
            let sh: Vec<Vec<usize>> = args.iter().map(|j| self.block_shape(*j, len)).collect();
            let sh: Vec<&[usize]> = sh.iter().map(Vec::as_slice).collect();
            let mut refs: Vec<Option<&mut Vec<Tan>>> =
                temps.iter_mut().map(Option::as_mut).collect();
            let out = self.block_shape(k, len);
            backward(ins, &a, &sh, &out, &bv[k], &bx[k], &g, &mut refs);
            for (j, t) in args.iter().zip(temps) {
                if let Some(t) = t {
                    add_into(&mut adj[*j], t);
                }
            }
        }
        adj[f.r]
            .take()
            .map_or_else(|| vec![0.0; len], |a| a.iter().map(|x| x.t[0]).collect())
    }
}

/// The rows `jᵢ` of `r`'s Jacobian: the scalar inputs' entries are the
/// same in every row, each `A @ p` adds `c` times row `i` of `A`.
struct Jacobian<'a> {
    /// The entries from the scalar inputs (zero for the others).
    fixed: Vec<f64>,
    /// The input entries `r` depends on.
    used: Vec<bool>,
    /// Per `c · (A @ p)`: where `p` starts, `A`'s entries, its columns, `c`.
    rows: Vec<(usize, &'a [f64], usize, f64)>,
}

impl Jacobian<'_> {
    /// Row `i` into `j`.
    #[inline(always)]
    fn row(&self, i: usize, j: &mut [f64]) {
        j.copy_from_slice(&self.fixed);
        for &(at, x, m, c) in &self.rows {
            for (j, v) in j[at..at + m].iter_mut().zip(&x[i * m..(i + 1) * m]) {
                *j += c * v;
            }
        }
    }
}

/// Adds `Σᵢ dᵢ · jᵢ jᵢᵀ` over the rows `rows` to the packed upper
/// triangle `acc` (row by row), `d` `None` for every `dᵢ = 1` (else
/// `dᵢ` at `d[i - rows.start]`). The loops are compiled for each count
/// of entries up to 16, and for 32, 48 and 64 entries past it (the rows
/// padded with zeros).
fn accumulate(acc: &mut [f64], jac: &Jacobian, rows: std::ops::Range<usize>, d: Option<&[f64]>) {
    let n = jac.fixed.len();
    macro_rules! sizes {
        ($($k:literal)*) => {
            match n {
                $($k => rank_one::<$k>(acc, jac, rows, d),)*
                17..=32 => rank_one::<32>(acc, jac, rows, d),
                33..=48 => rank_one::<48>(acc, jac, rows, d),
                _ => rank_one::<64>(acc, jac, rows, d),
            }
        };
    }
    sizes!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
}

/// [`accumulate`] with room for `N` entries, at least as many as there
/// are. The block's sums are taken apart from `acc` (in a square the
/// loops index without a check) and added at the end, so that a long data
/// set's rounding grows with the blocks' count and length, not with its
/// rows.
fn rank_one<const N: usize>(
    acc: &mut [f64],
    jac: &Jacobian,
    rows: std::ops::Range<usize>,
    d: Option<&[f64]>,
) {
    let n = jac.fixed.len();
    let mut h = [[0.0; N]; N];
    let mut j = [0.0; N];
    let start = rows.start;
    for i in rows {
        jac.row(i, &mut j[..n]);
        let di = d.map_or(1.0, |d| d[i - start]);
        for a in 0..N {
            let ja = di * j[a];
            for b in a..N {
                h[a][b] += ja * j[b];
            }
        }
    }
    let mut at = 0;
    for (a, row) in h.iter().enumerate().take(n) {
        for v in &row[a..n] {
            acc[at] += v;
            at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Context, Program, compile};
    use crate::engine::eval::{Budget, Defs};
    use crate::num::Array;
    use crate::syntax::parse_expr;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Losses of the form `s · Σ g(r) + c`, with several `g`.
    const AFFINE: &[&str] = &[
        "mean((X @ w + b - y)^2)",
        "sum(exp(X @ w - b))",
        "mean(sin(2 * (X @ w) + b)) + 3",
        "-sum(log(1 + (X @ w + b - y)^2)) / 3",
        "sum(y * tanh(0.5 * (X @ w) - b / 2 + y)) * 2",
        "sum(sin(X @ w - X @ v + b)^2 / (2 + y))",
        "sum(-(2 * (X @ w + b) - y)^2 / 3 + 1)",
        "mean(((X @ v - 3 * b)^1 + 2)^2 * 0.5 - 4)",
        "sum(y * (X @ w - b)^2)",
        "sum((X @ w + b)^3)",
    ];

    /// Which of `AFFINE` have the same `g''` at every row.
    const QUADRATIC: &[bool] = &[
        true, false, false, false, false, false, true, true, false, false,
    ];

    /// Programs that are not of that form.
    const OTHERS: &[&str] = &[
        "sum(v^2)",
        "sum(X @ w * y) * sum(X @ v)",
        "mean((X @ w + b - y)^2) + b^2",
        "sum(exp(X @ w) * b)",
        "sum(X @ w + b)",
        "sum(X @ w * (1 - y) + b)^1 * 0.5 + sum(tanh(X @ w + y - b) * y)",
        "sum(sin(X @ w + b) * (X @ w + b))",
        "sum((X @ w)^2, 0)",
        "sqrt(sum((X @ w)^2))",
    ];

    /// The program `src` over `X` (`r` × `c`) and `y` (`r`), inputs `w`,
    /// `v` (`c`) and `b`, and a point.
    fn program(src: &str, r: usize, c: usize, data: &[f64]) -> (Program, Vec<Vec<f64>>) {
        let x: Vec<f64> = data.iter().cycle().take(r * c).copied().collect();
        let y: Vec<f64> = data.iter().rev().cycle().take(r).copied().collect();
        let mut arrays = BTreeMap::new();
        arrays.insert("X".to_string(), Array::new(vec![r, c], x).expect("shape"));
        arrays.insert("y".to_string(), Array::vector(y));
        let defs = Defs::default();
        let ctx = Context {
            defs: &defs,
            arrays: &arrays,
            src,
        };
        let inputs = vec![
            ("w".to_string(), vec![c]),
            ("b".to_string(), vec![]),
            ("v".to_string(), vec![c]),
        ];
        let e = parse_expr(src).expect("parses");
        let p = compile(ctx, &e, &inputs).expect("compiles").0;
        let point = vec![
            (0..c).map(|k| 0.3 - 0.2 * k as f64).collect(),
            vec![0.4],
            (0..c).map(|k| 0.1 * k as f64).collect(),
        ];
        (p, point)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// The Hessian accumulated row by row is the Hessian by forward
        /// over reverse along every input entry, to rounding.
        #[test]
        fn rows_agree_with_directions(
            data in proptest::collection::vec(-2.0f64..2.0, 3..20),
            r in 1usize..40,
            c in 1usize..6,
        ) {
            for src in AFFINE {
                let (p, x) = program(src, r, c, &data);
                let f = p.affine();
                prop_assert!(f.is_some(), "{}", src);
                let mut b = Budget::new(None);
                let fast = p.affine_hessian(&f.expect("form"), &x, &mut b).expect("runs");
                let slow = p.hessian(&x, &mut b).expect("runs");
                for (fr, sr) in fast.iter().zip(&slow) {
                    for (a, e) in fr.iter().zip(sr) {
                        let tol = 1e-12 * (1.0 + e.abs()) * r as f64;
                        prop_assert!((a - e).abs() <= tol, "{}: {:?} vs {:?}", src, fast, slow);
                    }
                }
            }
        }
    }

    /// Past 16 entries the rows are padded to 32, 48 or 64: the same
    /// Hessian as forward over reverse.
    #[test]
    fn padded_sizes_agree_with_directions() {
        let data = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5, 3.0];
        for c in [8, 12, 20, 31] {
            for src in &AFFINE[..3] {
                let (p, x) = program(src, 37, c, &data);
                let mut b = Budget::new(None);
                let f = p.affine().expect("form");
                let fast = p.affine_hessian(&f, &x, &mut b).expect("runs");
                let slow = p.hessian(&x, &mut b).expect("runs");
                assert_eq!(fast.len(), 2 * c + 1);
                for (fr, sr) in fast.iter().zip(&slow) {
                    for (a, e) in fr.iter().zip(sr) {
                        assert!(
                            (a - e).abs() <= 1e-11 * (1.0 + e.abs()),
                            "{src} {c}: {a} vs {e}"
                        );
                    }
                }
            }
        }
    }

    /// An infinite datum gives the general path's NaNs, not a squared
    /// error's `g''` taken as if `r` were a number.
    #[test]
    fn infinite_data_agree_with_directions() {
        let data = [0.5, f64::INFINITY, -2.0, 1.5, -f64::INFINITY];
        for src in &AFFINE[..3] {
            let (p, x) = program(src, 23, 3, &data);
            let mut b = Budget::new(None);
            let f = p.affine().expect("form");
            let fast = p.affine_hessian(&f, &x, &mut b).expect("runs");
            let slow = p.hessian(&x, &mut b).expect("runs");
            // Over `w` and `b` (`v` is in none of them).
            for (fr, sr) in fast.iter().zip(&slow).take(4) {
                for (a, e) in fr.iter().zip(sr).take(4) {
                    let same = (a - e).abs() <= 1e-12 * (1.0 + e.abs());
                    assert!(
                        same || (a.is_nan() && e.is_nan()),
                        "{src}: {fast:?} vs {slow:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn quadratic_chains_are_found() {
        for (src, quadratic) in AFFINE.iter().zip(QUADRATIC) {
            let (p, _) = program(src, 4, 3, &[0.5, -1.0, 2.0]);
            assert_eq!(p.affine().map(|f| f.quadratic), Some(*quadratic), "{src}");
        }
    }

    #[test]
    fn other_forms_take_the_general_path() {
        for src in OTHERS {
            let (p, _) = program(src, 4, 3, &[0.5, -1.0, 2.0]);
            assert!(p.affine().is_none(), "{src}");
        }
    }
}
