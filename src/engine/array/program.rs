//! An array program: whole-array instructions over contiguous buffers, one
//! per array operation, with every slot's shape known before it runs. One
//! forward pass gives the value; one reverse sweep the gradient of the sum
//! of its entries, whatever the number of entries.

use super::elem::Elem;
use super::kernels::{self, each, unbroadcast, zip};
use crate::builtins::BuiltinId;
use crate::num::Note;
use crate::num::array::as_2d;
use crate::syntax::Span;
use std::sync::Arc;

/// `+ - * /`, elementwise with broadcasting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// One whole-array instruction; operands are earlier slots.
#[derive(Clone, Debug)]
pub enum Ins {
    /// The i-th input (a variable of the point).
    Input(usize),
    /// A constant: a literal, a session variable, a folded result.
    Const(Arc<[f64]>),
    /// `-a`
    Neg(usize),
    /// `a ∘ b`
    Arith(Arith, usize, usize),
    /// `a^p`, integer `|p| <= 16`.
    PowI(usize, i8),
    /// `a^p`, another constant exponent.
    PowC(usize, f64),
    /// A one-argument built-in, elementwise.
    Unary(BuiltinId, usize),
    /// A two-argument built-in, elementwise with broadcasting; whether
    /// each operand depends on the inputs (a constant one is differentiated
    /// as a constant, as the scalar engine does: `0^x` is flat at `x = 1`).
    Binary(BuiltinId, usize, usize, [bool; 2]),
    /// `a @ b` (vector·vector, matrix·vector, vector·matrix, matrix·matrix).
    MatMul(usize, usize),
    /// Sum of all entries, or along an axis.
    Sum(usize, Option<usize>),
    /// Product of all entries.
    Prod(usize),
    /// Largest (`true`) or smallest entry.
    Extreme(usize, bool),
    /// Transpose of a matrix.
    Transpose(usize),
    /// `len` consecutive entries from `start`: an element or a row.
    Slice(usize, usize, usize),
    /// Equal-shaped parts one after another: a vector of scalars, a
    /// matrix of rows.
    Stack(Vec<usize>),
    /// Softmax of a vector, or of each row of a matrix.
    Softmax(usize),
    /// `ln Σ exp` of all entries, shifted by the largest.
    LogSumExp(usize),
}

impl Ins {
    /// The operand slots.
    pub fn args(&self) -> Vec<usize> {
        match self {
            Ins::Input(_) | Ins::Const(_) => vec![],
            Ins::Neg(a)
            | Ins::PowI(a, _)
            | Ins::PowC(a, _)
            | Ins::Unary(_, a)
            | Ins::Sum(a, _)
            | Ins::Prod(a)
            | Ins::Extreme(a, _)
            | Ins::Transpose(a)
            | Ins::Slice(a, ..)
            | Ins::Softmax(a)
            | Ins::LogSumExp(a) => vec![*a],
            Ins::Arith(_, a, b) | Ins::Binary(_, a, b, _) | Ins::MatMul(a, b) => vec![*a, *b],
            Ins::Stack(parts) => parts.clone(),
        }
    }

    /// True when each output entry depends on the entry of each operand at
    /// the same broadcast position only (the Hessian of a chain of these
    /// is diagonal).
    pub fn is_elementwise(&self) -> bool {
        matches!(
            self,
            Ins::Neg(_)
                | Ins::Arith(..)
                | Ins::PowI(..)
                | Ins::PowC(..)
                | Ins::Unary(..)
                | Ins::Binary(..)
        )
    }
}

/// What the reverse sweep needs from the forward pass besides the values.
#[derive(Debug)]
pub enum Aux<T> {
    /// Nothing.
    None,
    /// The local derivative of each entry.
    D(Vec<T>),
    /// The local derivatives by each operand.
    D2(Vec<(T, T)>),
    /// Where the extreme entry was.
    Arg(usize),
}

/// A compiled array expression.
#[derive(Clone, Debug)]
pub struct Program {
    /// The instructions; slot `k` holds the result of `ins[k]`.
    pub ins: Vec<Ins>,
    /// Each slot's shape.
    pub shapes: Vec<Vec<usize>>,
    /// Whether each slot depends on the inputs.
    pub active: Vec<bool>,
    /// Where each instruction was written (for warnings).
    pub spans: Vec<Span>,
    /// The inputs: name and shape.
    pub inputs: Vec<(String, Vec<usize>)>,
    /// The result's slot.
    pub out: usize,
    /// Entries touched by one forward pass (for the work limit).
    pub work: u64,
}

/// Runs instruction `ins` on its operands' values `a` (in [`Ins::args`]
/// order, of shapes `sh`) to a result of shape `out`. With `deriv` it also
/// returns what the reverse sweep needs.
pub fn forward<T: Elem>(
    ins: &Ins,
    a: &[&[T]],
    sh: &[&[usize]],
    out: &[usize],
    deriv: bool,
    notes: &mut Vec<Note>,
) -> (Vec<T>, Aux<T>) {
    let o2 = as_2d(out);
    match ins {
        Ins::Input(_) | Ins::Const(_) => (Vec::new(), Aux::None),
        Ins::Neg(_) => (a[0].iter().map(|x| -*x).collect(), Aux::None),
        Ins::Arith(op, ..) => {
            let (sa, sb) = (as_2d(sh[0]), as_2d(sh[1]));
            let y = match op {
                Arith::Add => zip(a[0], sa, a[1], sb, o2, |x, y| x + y),
                Arith::Sub => zip(a[0], sa, a[1], sb, o2, |x, y| x - y),
                Arith::Mul => zip(a[0], sa, a[1], sb, o2, |x, y| x * y),
                Arith::Div => {
                    if a[1].iter().any(|d| d.val() == 0.0) {
                        crate::builtins::division_note(0.0, notes);
                    }
                    zip(a[0], sa, a[1], sb, o2, |x, y| x / y)
                }
            };
            (y, Aux::None)
        }
        Ins::PowI(_, p) => match deriv.then(|| T::powi_all(a[0], *p)).flatten() {
            Some((y, d)) => (y, Aux::D(d)),
            None => local(a[0], deriv, notes, |x, n| T::powi(x, *p, deriv, n)),
        },
        Ins::PowC(_, p) => local(a[0], deriv, notes, |x, n| T::powc(x, *p, deriv, n)),
        Ins::Unary(id, _) => match deriv.then(|| T::unary_all(*id, a[0])).flatten() {
            Some((y, d)) => (y, Aux::D(d)),
            None => local(a[0], deriv, notes, |x, n| T::unary(*id, x, deriv, n)),
        },
        Ins::Binary(id, .., vary) => binary(*id, *vary, a, sh, o2, deriv, notes),
        Ins::MatMul(..) => {
            let dims = mm_dims(sh[0], sh[1]);
            (kernels::matmul(a[0], a[1], dims, |x, w| x * w), Aux::None)
        }
        Ins::Sum(_, axis) => (sum(a[0], as_2d(sh[0]), sh[0].len(), *axis), Aux::None),
        Ins::Prod(_) => {
            let mut p = T::cst(1.0);
            for x in a[0] {
                p = p * *x;
            }
            (vec![p], Aux::None)
        }
        Ins::Extreme(_, largest) => {
            let at = extreme(a[0], *largest, notes, deriv);
            (vec![a[0][at]], Aux::Arg(at))
        }
        Ins::Transpose(_) => {
            let [r, c] = as_2d(sh[0]);
            (kernels::transpose(a[0], r, c), Aux::None)
        }
        Ins::Slice(_, start, len) => (a[0][*start..*start + *len].to_vec(), Aux::None),
        Ins::Stack(_) => (
            a.iter().flat_map(|p| p.iter().copied()).collect(),
            Aux::None,
        ),
        Ins::Softmax(_) => (softmax(a[0], as_2d(sh[0])[1]), Aux::None),
        Ins::LogSumExp(_) => logsumexp(a[0], deriv),
    }
}

/// A two-argument built-in, elementwise with broadcasting.
fn binary<T: Elem>(
    id: BuiltinId,
    vary: [bool; 2],
    a: &[&[T]],
    sh: &[&[usize]],
    o2: [usize; 2],
    deriv: bool,
    notes: &mut Vec<Note>,
) -> (Vec<T>, Aux<T>) {
    let (sa, sb) = (as_2d(sh[0]), as_2d(sh[1]));
    let mut y = vec![T::cst(0.0); o2[0] * o2[1]];
    let mut d = vec![(T::cst(0.0), T::cst(0.0)); if deriv { y.len() } else { 0 }];
    each(sa, sb, o2, |k, ia, ib| {
        let (x, z) = (a[0][ia], a[1][ib]);
        if deriv {
            let (v, da, db) = guard(notes, |n| T::binary(id, x, z, vary, n));
            (y[k], d[k]) = (v, (da, db));
        } else {
            y[k] = guard(notes, |n| T::binary_value(id, x, z, n));
        }
    });
    (y, if deriv { Aux::D2(d) } else { Aux::None })
}

/// `ln Σ exp` of the entries, shifted by the largest; its derivative is
/// the softmax.
fn logsumexp<T: Elem>(a: &[T], deriv: bool) -> (Vec<T>, Aux<T>) {
    let p = softmax(a, a.len().max(1));
    let m = a.iter().map(|x| x.val()).fold(f64::NEG_INFINITY, f64::max);
    let m = if m.is_finite() { m } else { 0.0 };
    let mut s = T::cst(0.0);
    for x in a {
        s += T::unary(BuiltinId::Exp, *x - T::cst(m), true, &mut Vec::new()).0;
    }
    let (l, _) = T::unary(BuiltinId::Ln, s, true, &mut Vec::new());
    (
        vec![l + T::cst(m)],
        if deriv { Aux::D(p) } else { Aux::None },
    )
}

/// Each entry's value and (with `deriv`) local derivative, into two buffers.
#[inline]
fn local<T: Elem>(
    a: &[T],
    deriv: bool,
    notes: &mut Vec<Note>,
    mut f: impl FnMut(T, &mut Vec<Note>) -> (T, T),
) -> (Vec<T>, Aux<T>) {
    let mut y = Vec::with_capacity(a.len());
    let mut d = Vec::with_capacity(if deriv { a.len() } else { 0 });
    for x in a {
        let (v, dv) = guard(notes, |n| f(*x, n));
        y.push(v);
        if deriv {
            d.push(dv);
        }
    }
    (y, if deriv { Aux::D(d) } else { Aux::None })
}

/// Most notes one instruction keeps: more than its warnings can show
/// ([`crate::limits::MAX_ENTRY_WARNINGS`] and a line saying there are
/// more), and few enough that each entry's check against them stays cheap
/// (a tie at each of a million entries, each note its own message, took a
/// minute to deduplicate).
const MAX_NOTES: usize = 4 * crate::limits::MAX_ENTRY_WARNINGS;

/// Runs `f` with the notes, deduplicating them so that a domain error in a
/// million entries is one note, and keeping at most [`MAX_NOTES`].
#[inline]
pub(super) fn guard<R>(notes: &mut Vec<Note>, f: impl FnOnce(&mut Vec<Note>) -> R) -> R {
    let before = notes.len();
    let r = f(notes);
    if notes.len() > before {
        let fresh = notes.split_off(before);
        for n in fresh {
            if notes.len() < MAX_NOTES && !notes.iter().any(|m| m.message == n.message) {
                notes.push(n);
            }
        }
    }
    r
}

/// `(m, n, p)` of `a @ b` in two-axis form: a vector on the left is one
/// row, a vector on the right one column.
pub fn mm_dims(sa: &[usize], sb: &[usize]) -> (usize, usize, usize) {
    let (m, n) = match sa {
        [k] => (1, *k),
        [r, c] => (*r, *c),
        _ => (1, 1),
    };
    let p = match sb {
        [_, c] => *c,
        _ => 1,
    };
    (m, n, p)
}

fn sum<T: Elem>(a: &[T], s: [usize; 2], rank: usize, axis: Option<usize>) -> Vec<T> {
    let [r, c] = s;
    match (axis, rank) {
        (Some(0), 2) => {
            let mut y = vec![T::cst(0.0); c];
            for row in a.chunks(c.max(1)) {
                for (yj, x) in y.iter_mut().zip(row) {
                    *yj += *x;
                }
            }
            y
        }
        (Some(1), 2) => (0..r)
            .map(|i| {
                let mut t = T::cst(0.0);
                for x in &a[i * c..(i + 1) * c] {
                    t += *x;
                }
                t
            })
            .collect(),
        _ => {
            let mut t = T::cst(0.0);
            for x in a {
                t += *x;
            }
            vec![t]
        }
    }
}

fn extreme<T: Elem>(a: &[T], largest: bool, notes: &mut Vec<Note>, deriv: bool) -> usize {
    let mut at = 0;
    let mut tie = false;
    for (k, x) in a.iter().enumerate().skip(1) {
        let (v, best) = (x.val(), a[at].val());
        if (largest && v > best) || (!largest && v < best) || best.is_nan() {
            at = k;
            tie = false;
        } else if v == best {
            tie = true;
        }
    }
    if tie && deriv {
        notes.push(Note {
            kind: crate::num::NoteKind::Kink,
            message: format!(
                "{} has a tie for the {} entry: no derivative exists there; the gradient shown goes to the first",
                if largest { "max" } else { "min" },
                if largest { "largest" } else { "smallest" }
            ),
        });
    }
    at
}

/// Softmax of each run of `c` entries, shifted by the run's largest value
/// so that no `exp` overflows.
fn softmax<T: Elem>(a: &[T], c: usize) -> Vec<T> {
    let mut y = Vec::with_capacity(a.len());
    for row in a.chunks(c.max(1)) {
        let m = row
            .iter()
            .map(|x| x.val())
            .fold(f64::NEG_INFINITY, f64::max);
        let m = if m.is_finite() { m } else { 0.0 };
        let e: Vec<T> = row
            .iter()
            .map(|x| T::unary(BuiltinId::Exp, *x - T::cst(m), true, &mut Vec::new()).0)
            .collect();
        let mut s = T::cst(0.0);
        for x in &e {
            s += *x;
        }
        y.extend(e.into_iter().map(|x| x / s));
    }
    y
}

/// Adds the adjoints of instruction `ins`'s operands, given the adjoint
/// `g` of its result `y`. `ga[i]` is `None` for an operand that does not
/// depend on the inputs (nothing to add).
#[allow(clippy::too_many_arguments)]
pub fn backward<T: Elem>(
    ins: &Ins,
    a: &[&[T]],
    sh: &[&[usize]],
    out: &[usize],
    y: &[T],
    aux: &Aux<T>,
    g: &[T],
    ga: &mut [Option<&mut Vec<T>>],
) {
    let o2 = as_2d(out);
    match ins {
        Ins::Input(_) | Ins::Const(_) => {}
        Ins::Neg(_) => {
            if let Some(d) = ga[0].as_deref_mut() {
                for (x, gk) in d.iter_mut().zip(g) {
                    *x += -*gk;
                }
            }
        }
        Ins::Arith(op, ..) => back_arith(*op, a, sh, o2, y, g, ga),
        Ins::PowI(..) | Ins::PowC(..) | Ins::Unary(..) => {
            if let (Some(d), Aux::D(dy)) = (ga[0].as_deref_mut(), aux) {
                for ((x, gk), dk) in d.iter_mut().zip(g).zip(dy) {
                    *x += *gk * *dk;
                }
            }
        }
        Ins::Binary(..) => {
            let Aux::D2(dd) = aux else { return };
            let (sa, sb) = (as_2d(sh[0]), as_2d(sh[1]));
            let (first, rest) = ga.split_at_mut(1);
            if let Some(d) = first[0].as_deref_mut() {
                unbroadcast(d, sa, sb, o2, g, |k, _| dd[k].0);
            }
            if let Some(d) = rest[0].as_deref_mut() {
                unbroadcast(d, sb, sa, o2, g, |k, _| dd[k].1);
            }
        }
        Ins::MatMul(..) => {
            let dims = mm_dims(sh[0], sh[1]);
            let (first, rest) = ga.split_at_mut(1);
            if let Some(d) = first[0].as_deref_mut() {
                kernels::matmul_grad_a(d, g, a[1], dims, |x, w| x * w);
            }
            if let Some(d) = rest[0].as_deref_mut() {
                kernels::matmul_grad_b(d, g, a[0], dims, |x, w| x * w);
            }
        }
        Ins::Sum(..) | Ins::Prod(_) | Ins::Extreme(..) | Ins::LogSumExp(_) => {
            if let Some(d) = ga[0].as_deref_mut() {
                back_reduce(ins, a[0], sh[0], aux, g, d);
            }
        }
        Ins::Transpose(_) | Ins::Slice(..) | Ins::Stack(_) => back_move(ins, sh, g, ga),
        Ins::Softmax(_) => {
            if let Some(d) = ga[0].as_deref_mut() {
                back_softmax(y, g, as_2d(sh[0])[1].max(1), d);
            }
        }
    }
}

/// The adjoints of the operands of `a ∘ b`, with broadcasting.
fn back_arith<T: Elem>(
    op: Arith,
    a: &[&[T]],
    sh: &[&[usize]],
    o2: [usize; 2],
    y: &[T],
    g: &[T],
    ga: &mut [Option<&mut Vec<T>>],
) {
    let one = |_: usize, _: usize| T::cst(1.0);
    let (sa, sb) = (as_2d(sh[0]), as_2d(sh[1]));
    let (x, w) = (a[0], a[1]);
    let (first, rest) = ga.split_at_mut(1);
    if let Some(d) = first[0].as_deref_mut() {
        match op {
            Arith::Add | Arith::Sub => unbroadcast(d, sa, sb, o2, g, one),
            Arith::Mul => unbroadcast(d, sa, sb, o2, g, |_, ib| w[ib]),
            Arith::Div => unbroadcast(d, sa, sb, o2, g, |_, ib| T::cst(1.0) / w[ib]),
        }
    }
    if let Some(d) = rest[0].as_deref_mut() {
        match op {
            Arith::Add => unbroadcast(d, sb, sa, o2, g, one),
            Arith::Sub => unbroadcast(d, sb, sa, o2, g, |_, _| T::cst(-1.0)),
            Arith::Mul => unbroadcast(d, sb, sa, o2, g, |_, ia| x[ia]),
            Arith::Div => {
                // ∂(x/w)/∂w = -y/w, with y at the broadcast position
                let mut yw = vec![T::cst(0.0); g.len()];
                each(sa, sb, o2, |k, _, ib| yw[k] = -y[k] / w[ib]);
                unbroadcast(d, sb, sa, o2, g, |k, _| yw[k]);
            }
        }
    }
}

/// The adjoint `d` of the operand `a` (of shape `sh`) of a reduction.
fn back_reduce<T: Elem>(ins: &Ins, a: &[T], sh: &[usize], aux: &Aux<T>, g: &[T], d: &mut [T]) {
    match ins {
        Ins::Sum(_, axis) => {
            let [_, c] = as_2d(sh);
            match (axis, sh.len()) {
                (Some(0), 2) => d.iter_mut().enumerate().for_each(|(k, x)| *x += g[k % c]),
                (Some(1), 2) => d.iter_mut().enumerate().for_each(|(k, x)| *x += g[k / c]),
                _ => d.iter_mut().for_each(|x| *x += g[0]),
            }
        }
        Ins::Prod(_) => {
            // Π of the others, by prefix and suffix products (exact at zeros).
            let n = a.len();
            let mut suffix = vec![T::cst(1.0); n + 1];
            for k in (0..n).rev() {
                suffix[k] = suffix[k + 1] * a[k];
            }
            let mut prefix = T::cst(1.0);
            for k in 0..n {
                d[k] += g[0] * prefix * suffix[k + 1];
                prefix = prefix * a[k];
            }
        }
        Ins::Extreme(..) => {
            if let Aux::Arg(at) = aux {
                d[*at] += g[0];
            }
        }
        Ins::LogSumExp(_) => {
            if let Aux::D(p) = aux {
                d.iter_mut().zip(p).for_each(|(x, pk)| *x += g[0] * *pk);
            }
        }
        _ => {}
    }
}

/// The adjoints of the operands of an instruction that moves entries.
fn back_move<T: Elem>(ins: &Ins, sh: &[&[usize]], g: &[T], ga: &mut [Option<&mut Vec<T>>]) {
    match ins {
        Ins::Transpose(_) => {
            if let Some(d) = ga[0].as_deref_mut() {
                let [r, c] = as_2d(sh[0]);
                let gt = kernels::transpose(g, c, r);
                d.iter_mut().zip(gt).for_each(|(x, t)| *x += t);
            }
        }
        Ins::Slice(_, start, len) => {
            if let Some(d) = ga[0].as_deref_mut() {
                d[*start..*start + *len]
                    .iter_mut()
                    .zip(g)
                    .for_each(|(x, t)| *x += *t);
            }
        }
        Ins::Stack(_) => {
            let mut at = 0;
            for (i, d) in ga.iter_mut().enumerate() {
                let len = sh[i].iter().product::<usize>();
                if let Some(d) = d.as_deref_mut() {
                    d.iter_mut()
                        .zip(&g[at..at + len])
                        .for_each(|(x, t)| *x += *t);
                }
                at += len;
            }
        }
        _ => {}
    }
}

/// The adjoint of softmax's operand, run by run of `c` entries, from its
/// value `y`.
fn back_softmax<T: Elem>(y: &[T], g: &[T], c: usize, d: &mut [T]) {
    for (i, (yr, gr)) in y.chunks(c).zip(g.chunks(c)).enumerate() {
        let mut dotp = T::cst(0.0);
        for (yk, gk) in yr.iter().zip(gr) {
            dotp += *yk * *gk;
        }
        for (k, (yk, gk)) in yr.iter().zip(gr).enumerate() {
            d[i * c + k] += *yk * (*gk - dotp);
        }
    }
}
