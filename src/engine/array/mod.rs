//! The array engine: an expression over vectors and matrices compiled to a
//! [`Program`] of whole-array instructions, run forward for the value and
//! swept once in reverse for the gradient of the sum of the result's
//! entries. Hessian-vector products run the same sweep over [`Tan`]
//! numbers (forward over reverse), up to 16 directions in one sweep, so
//! nothing is written twice. Over a long data set the row-by-row part runs
//! in blocks of rows that stay in the cache (`blocks`).

mod affine;
mod blocks;
mod compile;
mod elem;
mod kernels;
mod kinks;
mod program;
mod slice;

pub use crate::builtins::arrays as functions;
pub use compile::{Context, MAX_ARRAY_WORK, compile};
pub use elem::{Elem, Tan};
pub use functions::{ARRAY_FUNCTIONS, ArrayFn, ArrayFunction};
pub use program::Program;

use crate::engine::eval::Budget;
use crate::error::{Error, Warning};
use crate::limits;
use crate::num::Note;
use blocks::{MIN_BLOCKED_ROWS, Plan};
use kinks::Probe;
use program::{Arith, Aux, Ins, backward, forward};
use std::borrow::Cow;

/// A value (flattened), the gradient of the sum of its entries by each
/// input (flattened), and an estimate of one evaluation's rounding error.
pub type Gradient = (Vec<f64>, Vec<Vec<f64>>, f64);

/// One forward pass: every slot's value, and what the reverse sweep needs.
struct Pass<'p, T: Elem> {
    vals: Vec<Cow<'p, [T]>>,
    aux: Vec<Aux<T>>,
}

/// A constant as numbers of type `T` (borrowed for `f64`).
fn lift<T: Elem>(c: &[f64]) -> Cow<'_, [T]> {
    T::lift(c)
}

impl Program {
    /// How many entries the inputs hold together.
    pub fn input_len(&self) -> usize {
        self.inputs
            .iter()
            .map(|(_, s)| s.iter().product::<usize>())
            .sum()
    }

    /// The result's shape.
    pub fn out_shape(&self) -> &[usize] {
        &self.shapes[self.out]
    }

    fn run<'p, T: Elem>(
        &'p self,
        inputs: &'p [Vec<T>],
        deriv: bool,
        budget: &mut Budget,
    ) -> Result<Pass<'p, T>, Error> {
        self.run_with(inputs, deriv, budget, &mut Probe::default())
    }

    /// [`Program::run`] with the probe that decides kinks (and may record
    /// where they are).
    fn run_with<'p, T: Elem>(
        &'p self,
        inputs: &'p [Vec<T>],
        deriv: bool,
        budget: &mut Budget,
        probe: &mut Probe,
    ) -> Result<Pass<'p, T>, Error> {
        let n = self.out + 1;
        let mut vals: Vec<Cow<'p, [T]>> = Vec::with_capacity(n);
        let mut aux = Vec::with_capacity(n);
        for k in 0..n {
            budget.check_cancel()?;
            let (v, x) = self.step(k, inputs, &mut vals, deriv, budget, probe);
            vals.push(v);
            aux.push(x);
        }
        Ok(Pass { vals, aux })
    }

    /// Runs slot `k` over the values of the slots before it (`vals[..k]`).
    fn step<'p, T: Elem>(
        &'p self,
        k: usize,
        inputs: &'p [Vec<T>],
        vals: &mut [Cow<'p, [T]>],
        deriv: bool,
        budget: &mut Budget,
        probe: &mut Probe,
    ) -> (Cow<'p, [T]>, Aux<T>) {
        let ins = &self.ins[k];
        match ins {
            Ins::Input(i) => (Cow::Borrowed(&inputs[*i][..]), Aux::None),
            // A large constant stays f64 until an instruction needs it
            // lifted: a data matrix meets the point only through `@`.
            Ins::Const(c) if !T::NATIVE && c.len() > 1 => (Cow::Owned(Vec::new()), Aux::None),
            Ins::Const(c) => (lift(c), Aux::None),
            Ins::MatMul(a, b) if self.lazy(*a, vals) || self.lazy(*b, vals) => {
                let dims = program::mm_dims(&self.shapes[*a], &self.shapes[*b]);
                let y = match (self.constant(*a), self.constant(*b)) {
                    (Some(ca), _) if self.lazy(*a, vals) => {
                        self.lift_if_lazy(*b, vals);
                        kernels::matmul(ca, &vals[*b], dims, |x: f64, w: T| w.scale(x))
                    }
                    (_, Some(cb)) => {
                        self.lift_if_lazy(*a, vals);
                        kernels::matmul(&vals[*a], cb, dims, |x: T, w: f64| x.scale(w))
                    }
                    _ => Vec::new(),
                };
                (Cow::Owned(y), Aux::None)
            }
            _ => {
                let args = ins.args();
                for j in &args {
                    self.lift_if_lazy(*j, vals);
                }
                let a: Vec<&[T]> = args.iter().map(|j| &vals[*j][..]).collect();
                let sh: Vec<&[usize]> = args.iter().map(|j| &self.shapes[*j][..]).collect();
                let mut notes = Vec::new();
                let live = deriv && self.active[k];
                let out = &self.shapes[k];
                let (y, x) = forward(ins, &a, &sh, out, live, &mut notes);
                let notes = self.decided(k, notes, &a, &sh, out, inputs, probe, (None, budget));
                self.warn(k, notes, budget);
                (Cow::Owned(y), x)
            }
        }
    }

    /// The notes of slot `k` as warnings, each message once, and at most
    /// [`limits::MAX_ENTRY_WARNINGS`] of them for one operation: past
    /// that, one line says there are more (a `log` over a thousand negative
    /// entries is not a thousand lines).
    fn warn(&self, k: usize, notes: Vec<Note>, budget: &mut Budget) {
        const MORE: &str = "… and more warnings like these from the same operation";
        let span = Some(self.spans[k]);
        for note in notes {
            let ws = &mut budget.warnings;
            if ws.iter().any(|w| w.message == note.message) {
                continue;
            }
            let message =
                if ws.iter().filter(|w| w.span == span).count() < limits::MAX_ENTRY_WARNINGS {
                    note.message
                } else if ws.iter().any(|w| w.span == span && w.message == MORE) {
                    continue;
                } else {
                    MORE.to_string()
                };
            ws.push(Warning { message, span });
        }
    }

    /// The entries of a constant slot.
    fn constant(&self, j: usize) -> Option<&[f64]> {
        match &self.ins[j] {
            Ins::Const(c) => Some(c),
            _ => None,
        }
    }

    /// True for a constant not yet lifted to `T` (see [`Program::run`]).
    fn lazy<T: Elem>(&self, j: usize, vals: &[Cow<'_, [T]>]) -> bool {
        !T::NATIVE && vals[j].is_empty() && self.constant(j).is_some_and(|c| !c.is_empty())
    }

    fn lift_if_lazy<T: Elem>(&self, j: usize, vals: &mut [Cow<'_, [T]>]) {
        if self.lazy(j, vals)
            && let Some(c) = self.constant(j)
        {
            vals[j] = Cow::Owned(lift::<T>(c).into_owned());
        }
    }

    /// The reverse sweep from `seed` (the adjoint of the result): the
    /// adjoint of each input, zeros where it does not reach. `then` sees
    /// every slot's value and adjoint (for the rounding estimate).
    fn sweep<T: Elem>(
        &self,
        pass: &Pass<'_, T>,
        seed: Vec<T>,
        budget: &mut Budget,
        mut then: impl FnMut(usize, &[T], &[T]),
    ) -> Result<Vec<Vec<T>>, Error> {
        let mut adj: Vec<Option<Vec<T>>> = (0..=self.out).map(|_| None).collect();
        adj[self.out] = Some(seed);
        let mut grads: Vec<Vec<T>> = self
            .inputs
            .iter()
            .map(|(_, s)| vec![T::cst(0.0); s.iter().product()])
            .collect();
        for k in (0..=self.out).rev() {
            let Some(g) = adj[k].take() else { continue };
            budget.check_cancel()?;
            then(k, &pass.vals[k], &g);
            self.sweep_one(k, pass, g, &mut adj, &mut grads);
        }
        Ok(grads)
    }

    /// One step of the reverse sweep: slot `k`'s adjoint `g` into its
    /// operands' adjoints (an input's into its gradient).
    fn sweep_one<T: Elem>(
        &self,
        k: usize,
        pass: &Pass<'_, T>,
        g: Vec<T>,
        adj: &mut [Option<Vec<T>>],
        grads: &mut [Vec<T>],
    ) {
        let ins = &self.ins[k];
        if let Ins::Input(i) = ins {
            grads[*i] = g;
            return;
        }
        if let Ins::MatMul(a, b) = ins
            && (self.lazy(*a, &pass.vals) || self.lazy(*b, &pass.vals))
        {
            self.matmul_back_mixed(*a, *b, pass, &g, adj);
            return;
        }
        // A slice scatters into its own entries of the operand's
        // adjoint: no temporary the operand's size for each slice.
        if let Ins::Slice(a, start, len) = ins {
            if self.active[*a] {
                let n = pass.vals[*a].len();
                let acc = adj[*a].get_or_insert_with(|| vec![T::cst(0.0); n]);
                acc[*start..*start + *len]
                    .iter_mut()
                    .zip(&g)
                    .for_each(|(x, y)| *x += *y);
            }
            return;
        }
        let args = ins.args();
        let mut temps: Vec<Option<Vec<T>>> = args
            .iter()
            .map(|j| self.active[*j].then(|| vec![T::cst(0.0); pass.vals[*j].len()]))
            .collect();
        if temps.iter().all(Option::is_none) {
            return;
        }
        let a: Vec<&[T]> = args.iter().map(|j| &pass.vals[*j][..]).collect();
        let sh: Vec<&[usize]> = args.iter().map(|j| &self.shapes[*j][..]).collect();
        let mut refs: Vec<Option<&mut Vec<T>>> = temps.iter_mut().map(Option::as_mut).collect();
        backward(
            ins,
            &a,
            &sh,
            &self.shapes[k],
            &pass.vals[k],
            &pass.aux[k],
            &g,
            &mut refs,
        );
        for (j, t) in args.iter().zip(temps) {
            if let Some(t) = t {
                blocks::add_into(&mut adj[*j], t);
            }
        }
    }

    /// The adjoint of the operand of `a @ b` that is not a constant kept
    /// as `f64` (the other one is; a constant has no adjoint).
    fn matmul_back_mixed<T: Elem>(
        &self,
        a: usize,
        b: usize,
        pass: &Pass<'_, T>,
        g: &[T],
        adj: &mut [Option<Vec<T>>],
    ) {
        let dims = program::mm_dims(&self.shapes[a], &self.shapes[b]);
        let (k, d) = match (self.constant(a), self.constant(b)) {
            (Some(ca), _) if self.lazy(a, &pass.vals) && self.active[b] => {
                let mut d = vec![T::cst(0.0); pass.vals[b].len()];
                kernels::matmul_grad_b(&mut d, g, ca, dims, |x: f64, w: T| w.scale(x));
                (b, d)
            }
            (_, Some(cb)) if self.active[a] => {
                let mut d = vec![T::cst(0.0); pass.vals[a].len()];
                kernels::matmul_grad_a(&mut d, g, cb, dims, |x: T, w: f64| x.scale(w));
                (a, d)
            }
            _ => return,
        };
        blocks::add_into(&mut adj[k], d);
    }

    /// The value at `inputs` (one buffer per input, row-major).
    pub fn value(&self, inputs: &[Vec<f64>], budget: &mut Budget) -> Result<Vec<f64>, Error> {
        let mut pass = match self.plan(MIN_BLOCKED_ROWS) {
            Some(plan) => self.run_blocked(&plan, inputs, false, budget)?.0,
            None => self.run(inputs, false, budget)?,
        };
        Ok(pass.vals.swap_remove(self.out).into_owned())
    }

    /// The value, the gradient of the sum of the result's entries by each
    /// input (in its shape, row-major), and an estimate of the rounding
    /// error of one evaluation (for the finite-difference check).
    pub fn gradient(&self, inputs: &[Vec<f64>], budget: &mut Budget) -> Result<Gradient, Error> {
        self.gradient_by(self.plan(MIN_BLOCKED_ROWS), inputs, budget)
    }

    /// [`Program::gradient`], by row blocks when there is a plan.
    fn gradient_by(
        &self,
        plan: Option<Plan>,
        inputs: &[Vec<f64>],
        budget: &mut Budget,
    ) -> Result<Gradient, Error> {
        let mut noise = 0.0;
        let mut add = |k: usize, v: &[f64], g: &[f64]| {
            if self.active[k] && !matches!(self.ins[k], Ins::Input(_)) {
                noise += blocks::noise(v, g);
            }
        };
        let (mut pass, grads) = match &plan {
            Some(plan) => {
                let (pass, reg) = self.run_blocked(plan, inputs, true, budget)?;
                let (g, z) = self.sweep_blocked(plan, &pass, reg, budget, &mut add)?;
                noise += z;
                (pass, g)
            }
            None => {
                let pass = self.run(inputs, true, budget)?;
                let seed = vec![1.0; pass.vals[self.out].len()];
                let g = self.sweep(&pass, seed, budget, &mut add)?;
                (pass, g)
            }
        };
        let value = pass.vals.swap_remove(self.out).into_owned();
        Ok((value, grads, f64::EPSILON * noise))
    }

    /// Hessian-vector product `H·v` of the sum of the result's entries, the
    /// direction `v` given per input.
    pub fn hvp(
        &self,
        inputs: &[Vec<f64>],
        direction: &[Vec<f64>],
        budget: &mut Budget,
    ) -> Result<Vec<Vec<f64>>, Error> {
        let tin: Vec<Vec<Tan>> = inputs
            .iter()
            .zip(direction)
            .map(|(x, v)| {
                x.iter()
                    .zip(v)
                    .map(|(a, b)| Tan { v: *a, t: [*b] })
                    .collect()
            })
            .collect();
        let mut h = self.hvps_by(self.plan(MIN_BLOCKED_ROWS), &tin, budget)?;
        Ok(h.swap_remove(0))
    }

    /// `K` Hessian-vector products in one pass, at inputs carrying the
    /// directions, by row blocks when there is a plan: per direction, the
    /// product per input.
    fn hvps_by<const K: usize>(
        &self,
        plan: Option<Plan>,
        tin: &[Vec<Tan<K>>],
        budget: &mut Budget,
    ) -> Result<Vec<Vec<Vec<f64>>>, Error> {
        let g = match &plan {
            Some(plan) => {
                let (pass, reg) = self.run_blocked(plan, tin, true, budget)?;
                self.sweep_blocked(plan, &pass, reg, budget, |_, _, _| {})?
                    .0
            }
            None => {
                let pass = self.run(tin, true, budget)?;
                let seed = vec![Tan::cst(1.0); pass.vals[self.out].len()];
                self.sweep(&pass, seed, budget, |_, _, _| {})?
            }
        };
        Ok((0..K)
            .map(|d| {
                g.iter()
                    .map(|gi| gi.iter().map(|t| t.t[d]).collect())
                    .collect()
            })
            .collect())
    }

    /// The dense Hessian of the sum of the result's entries over all input
    /// entries (flattened row-major, inputs in order): forward over reverse
    /// along up to 16 unit directions per pass over the data (as many as
    /// there are entries, within a few). A loss over a long data set that
    /// meets its inputs through one affine map (a linear model's mean
    /// squared error) is accumulated row by row instead (see `affine`).
    pub fn hessian(
        &self,
        inputs: &[Vec<f64>],
        budget: &mut Budget,
    ) -> Result<Vec<Vec<f64>>, Error> {
        if self.input_len() <= affine::MAX_ENTRIES
            && let Some(f) = self.affine()
            && f.rows >= MIN_BLOCKED_ROWS
        {
            return self.affine_hessian(&f, inputs, budget);
        }
        match self.input_len() {
            0 => Ok(Vec::new()),
            1 => self.hessian_by::<1>(inputs, budget),
            2..=4 => self.hessian_by::<4>(inputs, budget),
            5..=12 => self.hessian_by::<12>(inputs, budget),
            _ => self.hessian_by::<16>(inputs, budget),
        }
    }

    /// [`Program::hessian`], `K` rows per pass.
    fn hessian_by<const K: usize>(
        &self,
        inputs: &[Vec<f64>],
        budget: &mut Budget,
    ) -> Result<Vec<Vec<f64>>, Error> {
        let n = self.input_len();
        let mut rows = Vec::with_capacity(n);
        for first in (0..n).step_by(K) {
            // One pass is one evaluation's work; many of them must still
            // stop at the statement's time limit.
            budget.check_time()?;
            let tin = Tan::<K>::seeded(inputs, |i, d| f64::from(u8::from(i == first + d)));
            let h = self.hvps_by(self.plan(MIN_BLOCKED_ROWS), &tin, budget)?;
            rows.extend(h.into_iter().take(n - first).map(|r| r.concat()));
        }
        Ok(rows)
    }

    /// The direction of entry `c` of the flattened inputs, per input.
    pub fn unit(&self, c: usize) -> Vec<Vec<f64>> {
        let mut at = 0;
        self.inputs
            .iter()
            .map(|(_, s)| {
                let len: usize = s.iter().product();
                let mut v = vec![0.0; len];
                if (at..at + len).contains(&c) {
                    v[c - at] = 1.0;
                }
                at += len;
                v
            })
            .collect()
    }

    /// The Jacobian: row `i` is the gradient of the result's entry `i`
    /// (flattened), over all input entries. One reverse sweep per row.
    pub fn jacobian(
        &self,
        inputs: &[Vec<f64>],
        budget: &mut Budget,
    ) -> Result<(Vec<f64>, Vec<Vec<f64>>), Error> {
        let pass = self.run(inputs, true, budget)?;
        let m = pass.vals[self.out].len();
        let mut rows = Vec::with_capacity(m);
        for i in 0..m {
            budget.check_time()?;
            let mut seed = vec![0.0; m];
            seed[i] = 1.0;
            rows.push(self.sweep(&pass, seed, budget, |_, _, _| {})?.concat());
        }
        Ok((pass.vals[self.out].to_vec(), rows))
    }

    /// True when the Hessian of the sum of the result's entries by input
    /// `i` is diagonal: the input reaches the result through elementwise
    /// instructions only, never through a reduction, a product, an index
    /// or a reshaping, and never broadcast against itself at another shape.
    pub fn elementwise_in(&self, i: usize) -> bool {
        let shape = &self.inputs[i].1;
        (0..=self.out).all(|k| {
            let ins = &self.ins[k];
            if !self.active[k] || matches!(ins, Ins::Input(_)) {
                return true;
            }
            let depends = self.depends_on(k, i);
            !depends || (ins.is_elementwise() && self.shapes[k] == *shape)
        })
    }

    /// When the result is `c · Σ t + d` for an array `t` of several
    /// entries that depends on the inputs and constants `c ≠ 0` and `d`
    /// (`sum(t)`, `mean(t)`, `2*sum(t) + 1`): the program that computes
    /// `t`, and `c`. A change of the result is then `c` times the sum of
    /// the changes of `t`'s entries, which the check can difference entry
    /// by entry.
    pub fn summed_terms(&self) -> Option<(Program, f64)> {
        let scalar = |j: usize| match (&self.ins[j], self.shapes[j].is_empty()) {
            (Ins::Const(c), true) => c.first().copied(),
            _ => None,
        };
        let (mut k, mut c) = (self.out, 1.0);
        let j = loop {
            (k, c) = match &self.ins[k] {
                Ins::Sum(j, None)
                    if self.active[*j] && self.shapes[*j].iter().product::<usize>() > 1 =>
                {
                    break *j;
                }
                Ins::Neg(a) => (*a, -c),
                Ins::Arith(op, a, b) => match (op, scalar(*a), scalar(*b)) {
                    (Arith::Add | Arith::Sub, None, Some(_)) => (*a, c),
                    (Arith::Add, Some(_), None) => (*b, c),
                    (Arith::Sub, Some(_), None) => (*b, -c),
                    (Arith::Mul, None, Some(m)) => (*a, c * m),
                    (Arith::Mul, Some(m), None) => (*b, c * m),
                    (Arith::Div, None, Some(m)) => (*a, c / m),
                    _ => return None,
                },
                _ => return None,
            };
        };
        if c == 0.0 || !c.is_finite() {
            return None;
        }
        Some((self.prefix(j), c))
    }

    /// The program that computes slot `j`.
    fn prefix(&self, j: usize) -> Program {
        Program {
            ins: self.ins[..=j].to_vec(),
            shapes: self.shapes[..=j].to_vec(),
            active: self.active[..=j].to_vec(),
            spans: self.spans[..=j].to_vec(),
            inputs: self.inputs.clone(),
            out: j,
            work: self.work,
        }
    }

    fn depends_on(&self, k: usize, i: usize) -> bool {
        let mut seen = vec![false; k + 1];
        let mut stack = vec![k];
        while let Some(j) = stack.pop() {
            if seen[j] {
                continue;
            }
            seen[j] = true;
            match &self.ins[j] {
                Ins::Input(x) if *x == i => return true,
                ins => stack.extend(ins.args().into_iter().filter(|a| self.active[*a])),
            }
        }
        false
    }
}
