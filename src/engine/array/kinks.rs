//! Kinks and ties decided as the scalar engine decides them. A built-in
//! warns of a kink only where its arguments' derivatives say one is met:
//! `max(x, x)` has none at its tie (both sides have the same derivative),
//! `abs(x - x)` none at 0 (its argument does not move). The reverse sweep
//! sees each instruction's operands apart, without their derivatives by
//! the inputs; so when a gradient's pass meets a kink note, the tangents of
//! every slot along a few directions are computed once (forward mode), and
//! the built-in's own rule decides again with them.

use super::elem::{Elem, Tan};
use super::kernels::each;
use super::program::{Ins, guard};
use super::{Plan, Program};
use crate::builtins::{self, BuiltinId};
use crate::engine::eval::Budget;
use crate::num::array::as_2d;
use crate::num::{Fixed1, Note, NoteKind};
use std::ops::Range;

/// Directions of the probe: the unit directions when the inputs have at
/// most this many entries (the derivatives then are exactly the scalar
/// engine's), else as many random ones.
const DIRECTIONS: usize = 4;

/// The tangents of every slot along the probe's directions (empty until a
/// pass needs them).
#[derive(Default)]
pub(super) struct Probe {
    slots: Option<Vec<Vec<Tan<DIRECTIONS>>>>,
    /// When asked for: where the kinks met are, as (slot, entry), at most
    /// `most` of them.
    kinked: Option<Vec<(usize, usize)>>,
    most: usize,
}

/// Where kinks are met: (slot, entry), at most `.1` of them, when asked
/// for (`.0` is `Some`).
type Kinked<'a> = (&'a mut Option<Vec<(usize, usize)>>, usize);

/// Notes `entry` of slot `k` as a kink when its own notes say so.
fn record(kinked: &mut Kinked<'_>, k: usize, entry: usize, notes: &[Note]) {
    if let Some(list) = kinked.0.as_mut()
        && list.len() < kinked.1
        && notes.iter().any(undecided)
    {
        list.push((k, entry));
    }
}

/// True for a note that the operands' derivatives decide.
fn undecided(n: &Note) -> bool {
    matches!(n.kind, NoteKind::Kink | NoteKind::Infinite)
}

/// Rows `r` of a pass by row blocks: a slot of the plan's region holds only
/// those rows.
pub(super) type Rows<'a> = Option<(&'a Plan, &'a Range<usize>)>;

/// An entry as the built-ins' rules see it: its value and its derivatives
/// along the probe's directions.
fn dual(v: f64, t: &Tan<DIRECTIONS>) -> Fixed1<DIRECTIONS> {
    Fixed1 { v, g: t.t }
}

impl Program {
    /// The notes of slot `k` (run on operands `a` of shapes `sh` to a
    /// result of shape `out`) with its kinks and ties decided by the
    /// operands' derivatives; `notes` as they are when none needs deciding.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn decided<T: Elem>(
        &self,
        k: usize,
        notes: Vec<Note>,
        a: &[&[T]],
        sh: &[&[usize]],
        out: &[usize],
        inputs: &[Vec<T>],
        probe: &mut Probe,
        (rows, budget): (Rows<'_>, &Budget),
    ) -> Vec<Note> {
        if !T::NATIVE || !notes.iter().any(undecided) {
            return notes;
        }
        let ins = &self.ins[k];
        let Probe {
            slots,
            kinked,
            most,
        } = probe;
        let mut kinked = (kinked, *most);
        let slots = slots.get_or_insert_with(|| self.tangents(inputs, budget));
        let t = self.operand_tangents(k, slots, rows);
        if t.iter().zip(a).any(|(t, a)| t.len() != a.len()) {
            return notes;
        }
        let v: Vec<Vec<f64>> = a
            .iter()
            .map(|x| x.iter().map(|e| e.val()).collect())
            .collect();
        let first = rows.map_or(0, |(plan, r)| plan.entries(self, k, r).start);
        let mut fresh = Vec::new();
        // Each entry's notes by the built-in's rule, where they are kept.
        let mut note = |e: usize, f: &dyn Fn(&mut Vec<Note>)| {
            let mut own = Vec::new();
            f(&mut own);
            record(&mut kinked, k, first + e, &own);
            guard(&mut fresh, |n| n.extend(own));
        };
        match ins {
            Ins::Binary(id, ..) => {
                let (sa, sb, o2) = (as_2d(sh[0]), as_2d(sh[1]), as_2d(out));
                each(sa, sb, o2, |e, ia, ib| {
                    let args = [dual(v[0][ia], &t[0][ia]), dual(v[1][ib], &t[1][ib])];
                    note(e, &|n| {
                        let _ = builtins::apply(*id, &args, n);
                    });
                });
            }
            Ins::Unary(id, _) => {
                for (e, (x, tx)) in v[0].iter().zip(t[0]).enumerate() {
                    note(e, &|n| {
                        let _ = builtins::apply(*id, &[dual(*x, tx)], n);
                    });
                }
            }
            Ins::PowI(_, p) => powers(&v[0], t[0], f64::from(*p), &mut note),
            Ins::PowC(_, p) => powers(&v[0], t[0], *p, &mut note),
            Ins::Extreme(j, largest) => {
                let tied = tied_moving(&v[0], t[0], *largest);
                if tied.is_empty() {
                    return notes.into_iter().filter(|n| !undecided(n)).collect();
                }
                for e in tied {
                    record(&mut kinked, *j, e, &notes);
                }
                return notes;
            }
            _ => return notes,
        }
        fresh
    }

    /// The tangents of slot `k`'s operands (rows `rows` of those in a
    /// block's region; empty where the probe could not run).
    fn operand_tangents<'t>(
        &self,
        k: usize,
        slots: &'t [Vec<Tan<DIRECTIONS>>],
        rows: Rows<'_>,
    ) -> Vec<&'t [Tan<DIRECTIONS>]> {
        self.ins[k]
            .args()
            .into_iter()
            .map(|j| match (slots.get(j), rows) {
                (Some(s), Some((plan, r))) if plan.region[j] => {
                    s.get(plan.entries(self, j, r)).unwrap_or(&[])
                }
                (Some(s), _) => &s[..],
                (None, _) => &[],
            })
            .collect()
    }

    /// Up to `most` entries of the flattened inputs where a built-in
    /// meets a kink or an infinite derivative at `inputs`: those of an
    /// operation elementwise in an input of its own shape (entry `i` of
    /// the operation is entry `i` of the input), in the order met.
    pub fn kinked_entries(&self, inputs: &[Vec<f64>], budget: &Budget, most: usize) -> Vec<usize> {
        let mut probe = Probe {
            kinked: Some(Vec::new()),
            most,
            ..Probe::default()
        };
        let mut scratch = Budget::new(budget.cancel.clone());
        if self
            .run_with(inputs, true, &mut scratch, &mut probe)
            .is_err()
        {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (k, e) in probe.kinked.unwrap_or_default() {
            let prefix = self.prefix(k);
            let mut offset = 0;
            for (i, (_, shape)) in self.inputs.iter().enumerate() {
                if *shape == self.shapes[k] && prefix.elementwise_in(i) {
                    if !out.contains(&(offset + e)) {
                        out.push(offset + e);
                    }
                    break;
                }
                offset += shape.iter().product::<usize>();
            }
        }
        out
    }

    /// Every slot's value and tangents along the probe's directions at
    /// `inputs` (empty where the pass cannot run).
    fn tangents<T: Elem>(&self, inputs: &[Vec<T>], budget: &Budget) -> Vec<Vec<Tan<DIRECTIONS>>> {
        let n = self.input_len();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut random = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Small integers: sums of tangents stay exact, so equal
            // derivatives computed in different orders still compare equal.
            let m = (seed >> 44) as f64 + 1.0;
            if seed & 1 == 0 { m } else { -m }
        };
        let tin = Tan::<DIRECTIONS>::seeded(inputs, |i, d| {
            if n <= DIRECTIONS {
                f64::from(u8::from(i == d))
            } else {
                random()
            }
        });
        let mut scratch = Budget::new(budget.cancel.clone());
        match self.run(&tin, true, &mut scratch) {
            Ok(pass) => pass.vals.into_iter().map(|s| s.into_owned()).collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// The notes of `x^p` for a constant `p` at entries `v` with tangents `t`,
/// each given to `note` with its entry.
fn powers(
    v: &[f64],
    t: &[Tan<DIRECTIONS>],
    p: f64,
    note: &mut impl FnMut(usize, &dyn Fn(&mut Vec<Note>)),
) {
    let e = Fixed1 {
        v: p,
        g: [0.0; DIRECTIONS],
    };
    for (k, (x, tx)) in v.iter().zip(t).enumerate() {
        note(k, &|n| {
            let _ = builtins::pow(&dual(*x, tx), &e, n);
        });
    }
}

/// The entries tied for the largest (or smallest) of `v` when they do not
/// all have the same derivatives (`max`'s own rule at a tie of two, asked
/// of each against the first); none when they do.
fn tied_moving(v: &[f64], t: &[Tan<DIRECTIONS>], largest: bool) -> Vec<usize> {
    let best = if largest {
        v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    } else {
        v.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let id = if largest {
        BuiltinId::Max
    } else {
        BuiltinId::Min
    };
    let tied: Vec<usize> = (0..v.len()).filter(|k| v[*k] == best).collect();
    let Some(&first) = tied.first() else {
        return Vec::new();
    };
    let moves = tied.iter().any(|&j| {
        let mut notes = Vec::new();
        builtins::apply(id, &[dual(best, &t[first]), dual(best, &t[j])], &mut notes);
        notes.iter().any(|n| n.kind == NoteKind::Kink)
    });
    if moves { tied } else { Vec::new() }
}
