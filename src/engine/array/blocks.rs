//! Row blocks: a program over a long data set (a million rows of `X` and
//! `y`) runs its row-by-row part one block of rows at a time, so that each
//! instruction's buffers stay in the cache and no buffer of a million
//! entries is written for an intermediate result.
//!
//! The row-by-row part (the region) holds the slots whose row `i` depends
//! only on row `i` of the data: elementwise instructions and `A @ w` with a
//! small `w`. It ends in full sums (`sum`, `mean`), or is the result
//! itself. A sum is linear, so the adjoint reaching its rows is its own
//! adjoint `g`, the same for every row: the reverse sweep of each block
//! runs with the seed 1 while the block is in the cache, and its adjoints
//! are scaled by `g` once the part after the sums has been swept. The data
//! is read once, for the value and the gradient together.

use super::elem::Elem;
use super::kernels;
use super::kinks::Probe;
use super::program::{Arith, Aux, Ins, backward, forward, mm_dims};
use super::{Pass, Program};
use crate::engine::eval::Budget;
use crate::error::Error;
use crate::num::array::as_2d;
use std::borrow::Cow;
use std::ops::Range;

/// Fewest rows for which a program runs in row blocks: below it the whole
/// arrays fit in the cache anyway.
pub const MIN_BLOCKED_ROWS: usize = 1 << 15;

/// Bytes of one block's buffers together: they stay within a core's
/// second-level cache.
const BLOCK_BYTES: usize = 1 << 19;

/// How a program splits into the part before its region, the region and
/// the part after.
pub(super) struct Plan {
    /// Rows of the data set.
    rows: usize,
    /// Whether each slot is in the region.
    pub(super) region: Vec<bool>,
    /// Whether each slot outside the region depends on it.
    after: Vec<bool>,
    /// Constants of the region that an instruction reads entry by entry
    /// (lifted to the element type); the left side of `@` is read as `f64`.
    lift: Vec<bool>,
    /// Each sum over the region: its slot and its operand's (both the
    /// result's slot when the result is in the region).
    pub(super) sums: Vec<(usize, usize)>,
    /// Rows per block, when not chosen by the element type's size.
    pub(super) step: Option<usize>,
}

/// What the region gives the rest of the program: per sum, the adjoint
/// of each small slot it reads and of each row-by-row input, for the seed
/// 1 on the sum; and `Σ |value · adjoint|` over its slots (the rounding
/// estimate).
pub(super) struct Region<T> {
    pub(super) small: Vec<Vec<Option<Vec<T>>>>,
    pub(super) inputs: Vec<Vec<Option<Vec<T>>>>,
    pub(super) noise: Vec<f64>,
}

/// What the region gave for one sum: its `small`, `inputs` and `noise`.
struct PerSum<T>(Vec<Option<Vec<T>>>, Vec<Option<Vec<T>>>, f64);

impl Plan {
    /// Rows `r` of a slot of the region, as a range of its entries.
    pub(super) fn entries(&self, p: &Program, k: usize, r: &Range<usize>) -> Range<usize> {
        let w = as_2d(&p.shapes[k])[1];
        let w = if p.shapes[k].len() == 1 { 1 } else { w };
        r.start * w..r.end * w
    }

    /// The shape of rows `r` of a slot of the region.
    fn shape(&self, p: &Program, k: usize, r: &Range<usize>) -> Vec<usize> {
        let mut s = p.shapes[k].clone();
        s[0] = r.len();
        s
    }
}

impl Program {
    /// The plan of a program that has a region over enough rows, else
    /// `None` (it then runs whole arrays).
    pub(super) fn plan(&self, min_rows: usize) -> Option<Plan> {
        let n = self.out + 1;
        let rows = (0..n)
            .filter_map(|k| self.shapes[k].first().copied())
            .max()?;
        if rows < min_rows {
            return None;
        }
        let mut region = vec![false; n];
        let mut after = vec![false; n];
        for k in 0..n {
            region[k] = self.row_by_row(k, rows, &region, &after);
            after[k] = !region[k] && self.ins[k].args().iter().any(|j| region[*j] || after[*j]);
        }
        let mut sums = Vec::new();
        let mut lift = vec![false; n];
        for k in 0..n {
            for (pos, j) in self.ins[k].args().into_iter().enumerate() {
                if !region[j] {
                    continue;
                }
                match &self.ins[k] {
                    Ins::Sum(_, None) if !region[k] => sums.push((k, j)),
                    _ if !region[k] => return None,
                    Ins::MatMul(..) if pos == 0 => {}
                    _ => lift[j] = true,
                }
            }
        }
        if region[self.out] {
            sums.push((self.out, self.out));
        }
        let busy = (0..n).any(|k| region[k] && self.active[k]);
        (busy && !sums.is_empty()).then_some(Plan {
            rows,
            region,
            after,
            lift,
            sums,
            step: None,
        })
    }

    /// True when row `i` of slot `k` (of `rows` rows) depends only on row
    /// `i` of the region's slots and on small slots computed before it.
    fn row_by_row(&self, k: usize, rows: usize, region: &[bool], after: &[bool]) -> bool {
        let sh = &self.shapes[k];
        if sh.first() != Some(&rows) {
            return false;
        }
        let small = |j: usize| {
            let s = as_2d(&self.shapes[j]);
            !region[j] && !after[j] && s[0] == 1 && (s[1] == 1 || (sh.len() == 2 && s[1] == sh[1]))
        };
        let ins = &self.ins[k];
        match ins {
            Ins::Input(_) | Ins::Const(_) => true,
            Ins::MatMul(a, b) => {
                region[*a] && self.shapes[*a].len() == 2 && !region[*b] && !after[*b]
            }
            _ if ins.is_elementwise() => ins
                .args()
                .iter()
                .all(|j| (region[*j] && self.shapes[*j] == *sh) || small(*j)),
            _ => false,
        }
    }

    /// Rows per block for numbers of type `T`: the rows of all the
    /// region's buffers together fill [`BLOCK_BYTES`] (a constant read
    /// only as the left side of `@` stays `f64`; one with a local
    /// derivative counts twice).
    fn block_rows<T>(&self, plan: &Plan) -> usize {
        let row: usize = (0..=self.out)
            .filter(|k| plan.region[*k])
            .map(|k| {
                let size = match self.ins[k] {
                    Ins::Const(_) if !plan.lift[k] => std::mem::size_of::<f64>(),
                    Ins::Input(_) | Ins::Const(_) => std::mem::size_of::<T>(),
                    _ => 2 * std::mem::size_of::<T>(),
                };
                plan.entries(self, k, &(0..1)).len() * size
            })
            .sum();
        (BLOCK_BYTES / row.max(1)).max(16)
    }

    /// The forward pass by blocks: every slot outside the region as
    /// [`Program::run`] gives it (the result's entries gathered when it is
    /// in the region), and with `deriv` what the region gives the sweep.
    pub(super) fn run_blocked<'p, T: Elem>(
        &'p self,
        plan: &Plan,
        inputs: &'p [Vec<T>],
        deriv: bool,
        budget: &mut Budget,
    ) -> Result<(Pass<'p, T>, Region<T>), Error> {
        let n = self.out + 1;
        let mut vals: Vec<Cow<'p, [T]>> = (0..n).map(|_| Cow::Owned(Vec::new())).collect();
        let mut aux: Vec<Aux<T>> = (0..n).map(|_| Aux::None).collect();
        let mut probe = Probe::default();
        for k in (0..n).filter(|k| !plan.region[*k] && !plan.after[*k]) {
            budget.check_cancel()?;
            (vals[k], aux[k]) = self.step(k, inputs, &mut vals, deriv, budget, &mut probe);
        }
        // Small constants the region reads, as numbers of type `T`.
        for k in (0..n).filter(|k| plan.region[*k]) {
            for j in self.ins[k].args() {
                if !plan.region[j] {
                    self.lift_if_lazy(j, &mut vals);
                }
            }
        }
        let m = plan.sums.len();
        let mut reg = Region {
            small: (0..m).map(|_| (0..n).map(|_| None).collect()).collect(),
            inputs: (0..m)
                .map(|_| inputs.iter().map(|_| None).collect())
                .collect(),
            noise: vec![0.0; m],
        };
        let mut totals = vec![T::cst(0.0); m];
        let mut whole = Vec::with_capacity(if plan.region[self.out] {
            self.shapes[self.out].iter().product()
        } else {
            0
        });
        let step = plan.step.unwrap_or_else(|| self.block_rows::<T>(plan));
        for start in (0..plan.rows).step_by(step) {
            budget.check_cancel()?;
            let r = start..(start + step).min(plan.rows);
            let (bv, bx) = self.block_forward((plan, &r), inputs, &vals, deriv, budget, &mut probe);
            for (t, (_, j)) in totals.iter_mut().zip(&plan.sums) {
                *t += kernels::sum_by(bv[*j].len(), |k| bv[*j][k]);
            }
            if plan.region[self.out] {
                whole.extend_from_slice(&bv[self.out]);
            }
            if deriv {
                for (s, (_, j)) in plan.sums.iter().enumerate() {
                    self.block_sweep(plan, &r, *j, &bv, &bx, &vals, s, &mut reg);
                }
            }
        }
        for (t, (k, _)) in totals.into_iter().zip(&plan.sums) {
            if !plan.region[*k] {
                vals[*k] = Cow::Owned(vec![t]);
            }
        }
        if plan.region[self.out] {
            vals[self.out] = Cow::Owned(whole);
        }
        let summed: Vec<usize> = plan.sums.iter().map(|(k, _)| *k).collect();
        for k in (0..n).filter(|k| plan.after[*k] && !summed.contains(k)) {
            budget.check_cancel()?;
            (vals[k], aux[k]) = self.step(k, inputs, &mut vals, deriv, budget, &mut probe);
        }
        Ok((Pass { vals, aux }, reg))
    }

    /// The region's slots over rows `r`: values and what their sweep needs.
    fn block_forward<'p, T: Elem>(
        &'p self,
        (plan, r): (&Plan, &Range<usize>),
        inputs: &'p [Vec<T>],
        vals: &[Cow<'p, [T]>],
        deriv: bool,
        budget: &mut Budget,
        probe: &mut Probe,
    ) -> (Vec<Cow<'p, [T]>>, Vec<Aux<T>>) {
        let n = self.out + 1;
        let mut bv: Vec<Cow<'p, [T]>> = Vec::with_capacity(n);
        let mut bx = Vec::with_capacity(n);
        for k in 0..n {
            if !plan.region[k] {
                bv.push(Cow::Owned(Vec::new()));
                bx.push(Aux::None);
                continue;
            }
            let e = plan.entries(self, k, r);
            let (v, x) = match &self.ins[k] {
                Ins::Input(i) => (Cow::Borrowed(&inputs[*i][e]), Aux::None),
                Ins::Const(c) if plan.lift[k] => (T::lift(&c[e]), Aux::None),
                Ins::Const(_) => (Cow::Owned(Vec::new()), Aux::None),
                Ins::MatMul(a, b) => {
                    let dims = mm_dims(&plan.shape(self, *a, r), &self.shapes[*b]);
                    let y = match &self.ins[*a] {
                        Ins::Const(c) => {
                            let ca = &c[plan.entries(self, *a, r)];
                            kernels::matmul(ca, &vals[*b], dims, |x: f64, w: T| w.scale(x))
                        }
                        _ => kernels::matmul(&bv[*a], &vals[*b], dims, |x: T, w: T| x * w),
                    };
                    (Cow::Owned(y), Aux::None)
                }
                ins => {
                    let args = ins.args();
                    let (a, shapes) = self.operands(plan, r, &args, &bv, vals);
                    let sh: Vec<&[usize]> = shapes.iter().map(Vec::as_slice).collect();
                    let mut notes = Vec::new();
                    let live = deriv && self.active[k];
                    let out = plan.shape(self, k, r);
                    let (y, x) = forward(ins, &a, &sh, &out, live, &mut notes);
                    let rows = (Some((plan, r)), &*budget);
                    let notes = self.decided(k, notes, &a, &sh, &out, inputs, probe, rows);
                    self.warn(k, notes, budget);
                    (Cow::Owned(y), x)
                }
            };
            bv.push(v);
            bx.push(x);
        }
        (bv, bx)
    }

    /// The values and shapes of operands `args` over rows `r`: the block's
    /// for the region's slots, the whole small ones for the others.
    fn operands<'a, T: Elem>(
        &self,
        plan: &Plan,
        r: &Range<usize>,
        args: &[usize],
        bv: &'a [Cow<'_, [T]>],
        vals: &'a [Cow<'_, [T]>],
    ) -> (Vec<&'a [T]>, Vec<Vec<usize>>) {
        args.iter()
            .map(|&j| {
                if plan.region[j] {
                    (&bv[j][..], plan.shape(self, j, r))
                } else {
                    (&vals[j][..], self.shapes[j].clone())
                }
            })
            .unzip()
    }

    /// The reverse sweep of rows `r` of the region from slot `from` (the
    /// operand of sum `s`) with the seed 1, adding into `reg`.
    #[allow(clippy::too_many_arguments)]
    fn block_sweep<T: Elem>(
        &self,
        plan: &Plan,
        r: &Range<usize>,
        from: usize,
        bv: &[Cow<'_, [T]>],
        bx: &[Aux<T>],
        vals: &[Cow<'_, [T]>],
        s: usize,
        reg: &mut Region<T>,
    ) {
        let mut adj: Vec<Option<Vec<T>>> = (0..=from).map(|_| None).collect();
        adj[from] = Some(vec![T::cst(1.0); bv[from].len()]);
        for k in (0..=from).rev() {
            let Some(g) = adj[k].take() else { continue };
            let ins = &self.ins[k];
            // The rounding estimate is for the gradient's check alone.
            if T::NATIVE && !matches!(ins, Ins::Input(_)) {
                reg.noise[s] += noise(&bv[k], &g);
            }
            let Some(g) = self.shortcut(plan, k, bv, &bx[k], g, &mut adj) else {
                continue;
            };
            let args = ins.args();
            let through = pass_through(ins, &plan.region, &self.active);
            let mut temps: Vec<Option<Vec<T>>> = args
                .iter()
                .map(|j| {
                    let len = if plan.region[*j] { &bv[*j] } else { &vals[*j] }.len();
                    let own = self.active[*j] && through.is_none_or(|(t, _)| t != *j);
                    own.then(|| vec![T::cst(0.0); len])
                })
                .collect();
            match ins {
                Ins::Input(i) => {
                    let len = self.inputs[*i].1.iter().product();
                    let buf = reg.inputs[s][*i].get_or_insert_with(|| Vec::with_capacity(len));
                    let e = plan.entries(self, k, r);
                    // The blocks come in order: each one's entries follow.
                    if buf.len() == e.start {
                        buf.extend_from_slice(&g);
                    } else {
                        buf.resize(e.end.max(buf.len()), T::cst(0.0));
                        buf[e].copy_from_slice(&g);
                    }
                    continue;
                }
                Ins::MatMul(a, b) if matches!(self.ins[*a], Ins::Const(_)) => {
                    if let Some(d) = temps[1].as_mut() {
                        self.const_matmul_back(plan, r, *a, *b, &g, d);
                    }
                }
                _ => {
                    let (a, shapes) = self.operands(plan, r, &args, bv, vals);
                    let sh: Vec<&[usize]> = shapes.iter().map(Vec::as_slice).collect();
                    let mut refs: Vec<Option<&mut Vec<T>>> =
                        temps.iter_mut().map(Option::as_mut).collect();
                    let out = plan.shape(self, k, r);
                    backward(ins, &a, &sh, &out, &bv[k], &bx[k], &g, &mut refs);
                }
            }
            for (j, t) in args.iter().zip(temps) {
                let Some(t) = t else { continue };
                let to = if plan.region[*j] {
                    &mut adj[*j]
                } else {
                    &mut reg.small[s][*j]
                };
                add_into(to, t);
            }
            if let Some((j, negate)) = through {
                let mut g = g;
                g.iter_mut().filter(|_| negate).for_each(|x| *x = -*x);
                add_into(&mut adj[j], g);
            }
        }
    }

    /// The adjoints of slot `k`'s operands in the region when they need
    /// no zeroed buffer (see [`in_place`] and [`product`]); `Some(g)`
    /// back when they do.
    fn shortcut<T: Elem>(
        &self,
        plan: &Plan,
        k: usize,
        bv: &[Cow<'_, [T]>],
        aux: &Aux<T>,
        g: Vec<T>,
        adj: &mut [Option<Vec<T>>],
    ) -> Option<Vec<T>> {
        let ins = &self.ins[k];
        let g = match in_place(ins, aux, g, &plan.region, &self.active) {
            Ok((j, t)) => {
                add_into(&mut adj[j], t);
                return None;
            }
            Err(g) => g,
        };
        match product(ins, bv, g, &plan.region, &self.active) {
            Ok([(a, da), (b, db)]) => {
                add_into(&mut adj[a], da);
                add_into(&mut adj[b], db);
                None
            }
            Err(g) => Some(g),
        }
    }

    /// The adjoint `d` of `w` in rows `r` of `A @ w`, `A` a constant kept
    /// as `f64`.
    fn const_matmul_back<T: Elem>(
        &self,
        plan: &Plan,
        r: &Range<usize>,
        a: usize,
        b: usize,
        g: &[T],
        d: &mut [T],
    ) {
        if let Ins::Const(c) = &self.ins[a] {
            let dims = mm_dims(&plan.shape(self, a, r), &self.shapes[b]);
            let ca = &c[plan.entries(self, a, r)];
            kernels::matmul_grad_b(d, g, ca, dims, |x: f64, w: T| w.scale(x));
        }
    }

    /// The reverse sweep of a blocked pass from the seed 1 on every entry
    /// of the result, as [`Program::sweep`]: a sum's adjoint `g` scales
    /// what the region gave for the seed 1. A result in the region has had
    /// its sweep block by block, so no seed of its length is written.
    pub(super) fn sweep_blocked<T: Elem>(
        &self,
        plan: &Plan,
        pass: &Pass<'_, T>,
        reg: Region<T>,
        budget: &mut Budget,
        mut then: impl FnMut(usize, &[T], &[T]),
    ) -> Result<(Vec<Vec<T>>, f64), Error> {
        let n = self.out + 1;
        let mut adj: Vec<Option<Vec<T>>> = (0..n).map(|_| None).collect();
        // Filled as the sweep reaches them; what it does not reach is 0.
        let mut grads: Vec<Vec<T>> = self.inputs.iter().map(|_| Vec::new()).collect();
        let mut noise = 0.0;
        let Region {
            small,
            inputs,
            noise: rn,
        } = reg;
        let mut region_of: Vec<Option<PerSum<T>>> = (0..n).map(|_| None).collect();
        for (((k, _), sm), (inp, z)) in plan.sums.iter().zip(small).zip(inputs.into_iter().zip(rn))
        {
            region_of[*k] = Some(PerSum(sm, inp, z));
        }
        if !plan.region[self.out] {
            adj[self.out] = Some(vec![T::cst(1.0); pass.vals[self.out].len()]);
        }
        for k in (0..n).rev() {
            if let Some(PerSum(sm, inp, z)) = region_of[k].take() {
                let g = if plan.region[k] {
                    T::cst(1.0)
                } else {
                    adj[k].as_ref().map_or(T::cst(0.0), |g| g[0])
                };
                noise += g.val().abs() * z;
                for (j, a) in sm.into_iter().enumerate() {
                    if let Some(a) = a {
                        add_into(&mut adj[j], a.into_iter().map(|x| x * g).collect());
                    }
                }
                for (i, a) in inp.into_iter().enumerate() {
                    let Some(mut a) = a else { continue };
                    if !(T::NATIVE && g.val() == 1.0) {
                        a.iter_mut().for_each(|x| *x = *x * g);
                    }
                    if grads[i].is_empty() {
                        grads[i] = a;
                    } else {
                        grads[i].iter_mut().zip(a).for_each(|(x, y)| *x += y);
                    }
                }
                continue;
            }
            if plan.region[k] {
                continue;
            }
            let Some(g) = adj[k].take() else { continue };
            budget.check_cancel()?;
            then(k, &pass.vals[k], &g);
            self.sweep_one(k, pass, g, &mut adj, &mut grads);
        }
        for (g, (_, s)) in grads.iter_mut().zip(&self.inputs) {
            g.resize(s.iter().product(), T::cst(0.0));
        }
        Ok((grads, noise))
    }
}

/// `Σ |v · g|`, the finite terms (in four running sums: an estimate need
/// not wait for each addition).
pub(super) fn noise<T: Elem>(v: &[T], g: &[T]) -> f64 {
    let term = |a: &T, b: &T| {
        let t = (a.val() * b.val()).abs();
        if t.is_finite() { t } else { 0.0 }
    };
    let mut s = [0.0; 4];
    let (vq, gq) = (v.chunks_exact(4), g.chunks_exact(4));
    let rest: f64 = vq
        .remainder()
        .iter()
        .zip(gq.remainder())
        .map(|(a, b)| term(a, b))
        .sum();
    for (vs, gs) in vq.zip(gq) {
        for k in 0..4 {
            s[k] += term(&vs[k], &gs[k]);
        }
    }
    (s[0] + s[1]) + (s[2] + s[3]) + rest
}

/// The adjoint of the one operand of an elementwise instruction of one
/// operand, computed in the buffer of the result's adjoint `g`: a block's
/// chain of `sin`, `^2`, `-` allocates nothing on the way back.
/// `Err(g)` when the instruction is another kind.
fn in_place<T: Elem>(
    ins: &Ins,
    aux: &Aux<T>,
    mut g: Vec<T>,
    region: &[bool],
    active: &[bool],
) -> Result<(usize, Vec<T>), Vec<T>> {
    match (ins, aux) {
        // `x ± c`, `c ± x` for a constant `c`: the adjoint passes through
        // (an operand in the region has the result's shape).
        (Ins::Arith(op @ (Arith::Add | Arith::Sub), a, b), _) => match (active[*a], active[*b]) {
            (true, false) if region[*a] => Ok((*a, g)),
            (false, true) if region[*b] => {
                if *op == Arith::Sub {
                    g.iter_mut().for_each(|x| *x = -*x);
                }
                Ok((*b, g))
            }
            _ => Err(g),
        },
        (Ins::PowI(j, _) | Ins::PowC(j, _) | Ins::Unary(_, j), Aux::D(d)) if region[*j] => {
            g.iter_mut().zip(d).for_each(|(x, dk)| *x = *x * *dk);
            Ok((*j, g))
        }
        (Ins::Neg(j), _) if region[*j] => {
            g.iter_mut().for_each(|x| *x = -*x);
            Ok((*j, g))
        }
        _ => Err(g),
    }
}

/// The adjoints of both operands of `x * z`, both in the region (of the
/// result's shape), without zeroed buffers: `z`'s computed in `g`'s.
/// `Err(g)` for any other instruction.
fn product<T: Elem>(
    ins: &Ins,
    bv: &[Cow<'_, [T]>],
    mut g: Vec<T>,
    region: &[bool],
    active: &[bool],
) -> Result<[(usize, Vec<T>); 2], Vec<T>> {
    let live = |j: usize| region[j] && active[j];
    match ins {
        Ins::Arith(Arith::Mul, a, b) if live(*a) && live(*b) => {
            let da = g.iter().zip(bv[*b].iter()).map(|(x, w)| *x * *w).collect();
            g.iter_mut()
                .zip(bv[*a].iter())
                .for_each(|(x, v)| *x = *x * *v);
            Ok([(*a, da), (*b, g)])
        }
        _ => Err(g),
    }
}

/// For `x ± s` and `s ± x` with `x` in the region and `s` small: `x`,
/// whose adjoint is the result's (negated for `s - x`), passed on in its
/// buffer while `s`'s is summed as usual.
fn pass_through(ins: &Ins, region: &[bool], active: &[bool]) -> Option<(usize, bool)> {
    let live = |j: usize| region[j] && active[j];
    match ins {
        Ins::Arith(op @ (Arith::Add | Arith::Sub), a, b) => match (live(*a), region[*b]) {
            (true, false) => Some((*a, false)),
            (false, true) if live(*b) && !region[*a] => Some((*b, *op == Arith::Sub)),
            _ => None,
        },
        _ => None,
    }
}

/// Adds `t` into an adjoint (or makes it the adjoint).
pub(super) fn add_into<T: Elem>(to: &mut Option<Vec<T>>, t: Vec<T>) {
    match to {
        Some(acc) => acc.iter_mut().zip(t).for_each(|(x, y)| *x += y),
        slot => *slot = Some(t),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Context, Program, Tan, compile};
    use super::*;
    use crate::engine::eval::Defs;
    use crate::num::Array;
    use crate::syntax::parse_expr;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Expressions over `X` (r × 3), `y`, `x` (r), `w` (3) and `b`, and
    /// whether each runs by blocks.
    const CASES: &[(&str, bool)] = &[
        ("mean((X @ w + b - y)^2)", true),
        ("sin(x) * x^2", true),
        ("sum(exp(x * b) / (1 + x^2)) + b^2", true),
        ("sum(X @ w * y) * sum(x)", true),
        ("logsumexp(w) + sum(tanh(X @ w))", true),
        ("x / (2 + b) - y", true),
        ("sum((X @ w)^3) / len(y)", true),
        ("sum(pow(x^2 + 1, b)) + max(w)", true),
        ("X * w + b", true),
        ("sqrt(sum(x^2 * b^2) + 1)", true),
        ("x * sum(x)", false),
        ("sum(X^2, 0) @ w", false),
        ("norm(x - y) + b", true),
        ("softmax(x) * b", false),
    ];

    fn program(src: &str, r: usize, data: &[f64], consts: bool) -> (Program, Vec<Vec<f64>>) {
        let x: Vec<f64> = data.iter().cycle().take(3 * r).copied().collect();
        let y: Vec<f64> = data.iter().rev().cycle().take(r).copied().collect();
        let xs: Vec<f64> = data.iter().cycle().skip(1).take(r).copied().collect();
        let w = vec![0.3, -0.7, 0.2];
        let mut arrays = BTreeMap::new();
        let mut inputs = vec![
            ("x".to_string(), vec![r]),
            ("w".to_string(), vec![3]),
            ("b".to_string(), vec![]),
        ];
        let mut vals = vec![xs, w, vec![0.4]];
        if consts {
            arrays.insert("X".to_string(), Array::new(vec![r, 3], x).expect("shape"));
            arrays.insert("y".to_string(), Array::vector(y));
        } else {
            inputs.push(("X".to_string(), vec![r, 3]));
            inputs.push(("y".to_string(), vec![r]));
            vals.push(x);
            vals.push(y);
        }
        let defs = Defs::default();
        let ctx = Context {
            defs: &defs,
            arrays: &arrays,
            src,
        };
        let e = parse_expr(src).expect("parses");
        (compile(ctx, &e, &inputs).expect("compiles").0, vals)
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| {
                (x - y).abs() <= 1e-11 * (1.0 + x.abs().max(y.abs())) || (x.is_nan() && y.is_nan())
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// The Hessian by 16 directions a pass is, bit for bit, the
        /// Hessian by one Hessian-vector product per entry.
        #[test]
        fn directions_together_are_directions_apart(
            data in proptest::collection::vec(-2.0f64..2.0, 4..12),
            r in 4usize..12,
            consts: bool,
        ) {
            for (src, _) in CASES {
                let (p, x) = program(src, r, &data, consts);
                let mut b = Budget::new(None);
                let h = p.hessian(&x, &mut b).expect("runs");
                for (c, row) in h.iter().enumerate() {
                    let one = p.hvp(&x, &p.unit(c), &mut b).expect("runs").concat();
                    let same = one.iter().zip(row).all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
                    prop_assert!(same, "{}: row {}: {:?} vs {:?}", src, c, one, row);
                }
            }
        }

        /// Blocks of any size give what whole arrays give: the value, the
        /// gradient and Hessian-vector products.
        #[test]
        fn blocks_agree_with_whole_arrays(
            data in proptest::collection::vec(-2.0f64..2.0, 4..12),
            r in 4usize..30,
            step in 1usize..8,
            consts: bool,
            dir in proptest::collection::vec(-1.0f64..1.0, 6),
        ) {
            for (src, blocked) in CASES {
                let (p, x) = program(src, r, &data, consts);
                let plan = p.plan(1).map(|mut plan| {
                    plan.step = Some(step);
                    plan
                });
                prop_assert_eq!(plan.is_some(), *blocked, "{}", src);
                let mut b = Budget::new(None);
                let (v1, g1, _) = p.gradient_by(None, &x, &mut b).expect("runs");
                let (v2, g2, _) = p.gradient_by(plan, &x, &mut b).expect("runs");
                prop_assert!(close(&v1, &v2), "{}: {:?} vs {:?}", src, v1, v2);
                for (a, c) in g1.iter().zip(&g2) {
                    prop_assert!(close(a, c), "{}: {:?} vs {:?}", src, a, c);
                }
                let tin: Vec<Vec<Tan<2>>> = x
                    .iter()
                    .map(|xi| xi.iter().enumerate().map(|(k, v)| Tan { v: *v, t: [dir[k % dir.len()], dir[(k + 1) % dir.len()]] }).collect())
                    .collect();
                let plan = p.plan(1).map(|mut plan| {
                    plan.step = Some(step);
                    plan
                });
                let h1 = p.hvps_by(None, &tin, &mut b).expect("runs");
                let h2 = p.hvps_by(plan, &tin, &mut b).expect("runs");
                for (a, c) in h1.concat().iter().zip(&h2.concat()) {
                    prop_assert!(close(a, c), "{}: {:?} vs {:?}", src, a, c);
                }
            }
        }
    }
}
