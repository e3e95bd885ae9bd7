//! Where a formula holds only away from some points: the kinks, jumps and
//! domain edges of the functions in it, said as the numeric reports say them.

use super::print::text;
use super::simplify::{Sym, nonneg};
use crate::builtins::BuiltinId;

/// Most notes for one formula (the first ones found).
const MAX_NOTES: usize = 8;

/// Notes on `f`, the function being differentiated: one sentence per
/// function of a varying argument that has a kink, jump or domain edge.
pub fn notes(f: &Sym) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    visit(f, &mut out);
    out.truncate(MAX_NOTES);
    out
}

fn varies(s: &Sym) -> bool {
    match s {
        Sym::Name(_) => true,
        Sym::Num(_) | Sym::Const(_) => false,
        Sym::Add(v) | Sym::Mul(v) | Sym::Call(_, v) => v.iter().any(varies),
        Sym::Pow(b, e) => varies(b) || varies(e),
    }
}

fn push(out: &mut Vec<String>, s: String) {
    if out.len() < MAX_NOTES && !out.contains(&s) {
        out.push(s);
    }
}

fn visit(s: &Sym, out: &mut Vec<String>) {
    match s {
        Sym::Add(v) | Sym::Mul(v) => v.iter().for_each(|t| visit(t, out)),
        Sym::Pow(b, e) => {
            visit(b, out);
            visit(e, out);
            power_note(b, e, out);
        }
        Sym::Call(id, args) => {
            args.iter().for_each(|t| visit(t, out));
            if args.iter().any(varies) {
                call_note(*id, args, out);
            }
        }
        _ => {}
    }
}

fn power_note(b: &Sym, e: &Sym, out: &mut Vec<String>) {
    if !varies(b) && !varies(e) {
        return;
    }
    let u = text(b);
    match e.as_num() {
        // Never negative (`sqrt(a^2 + b^2)`): only the edge is worth a note.
        Some(k) if varies(b) && k.as_int().is_none() && k.to_f64() < 1.0 && nonneg(b) => push(
            out,
            format!(
                "the derivative of {} is infinite where {u} = 0",
                text(&Sym::Pow(Box::new(b.clone()), Box::new(e.clone())))
            ),
        ),
        Some(k) if varies(b) && k.as_int().is_none() && k.to_f64() < 1.0 => push(
            out,
            format!(
                "{} is defined for {u} ≥ 0 and its derivative is infinite where {u} = 0",
                text(&Sym::Pow(Box::new(b.clone()), Box::new(e.clone())))
            ),
        ),
        Some(k) if varies(b) && k.as_int().is_none() => push(
            out,
            format!("a fractional power of {u} is defined only for {u} ≥ 0"),
        ),
        None if varies(e) && varies(b) => push(
            out,
            format!("a power of {u} with a varying exponent has a derivative only where {u} > 0"),
        ),
        None if varies(e) && b.as_num().is_some_and(|c| c.to_f64() <= 0.0) => push(
            out,
            format!("({u})^y has no derivative in y: its base is not positive"),
        ),
        _ => {}
    }
}

fn call_note(id: BuiltinId, args: &[Sym], out: &mut Vec<String>) {
    use BuiltinId as B;
    let u = args.first().map(text).unwrap_or_default();
    let s = match id {
        B::Abs => format!(
            "abs({u}) has no derivative where {u} = 0; the formula uses sign({u}), which is 0 there"
        ),
        B::Relu => format!("relu({u}) has no derivative where {u} = 0; the formula gives 0 there"),
        B::Sign => format!("sign({u}) jumps where {u} = 0; elsewhere its derivative is 0"),
        B::Min | B::Max => {
            let v = args.get(1).map(text).unwrap_or_default();
            let name = if id == B::Min { "min" } else { "max" };
            format!(
                "{name}({u}, {v}) has no derivative where {u} = {v}; the formula gives the average of the two sides there"
            )
        }
        B::Ln | B::Log | B::Log2 | B::Log10 => {
            format!("the logarithm of {u} is defined only where {u} > 0")
        }
        B::Cbrt => format!("cbrt({u}) has an infinite derivative where {u} = 0"),
        B::Asin | B::Acos => format!(
            "{}({u}) is defined for -1 ≤ {u} ≤ 1, with infinite derivatives at ±1",
            crate::builtins::builtin(id).name
        ),
        B::Acosh => format!("acosh({u}) is defined for {u} ≥ 1, with an infinite derivative at 1"),
        B::Atanh => format!("atanh({u}) is defined only for -1 < {u} < 1"),
        B::Atan2 => format!(
            "atan2({u}, …) has no derivative at the origin and jumps across the negative x axis"
        ),
        B::Hypot => "hypot has no derivative at (0, 0), its cone point".to_string(),
        B::Floor | B::Ceil => format!(
            "{}({u}) jumps where {u} is an integer: the formula holds between the jumps, where its derivative is 0",
            crate::builtins::builtin(id).name
        ),
        B::Round => format!(
            "round({u}) jumps where {u} is an integer plus 1/2: the formula holds between the jumps, where its derivative is 0"
        ),
        B::Mod => match args {
            [a, b] => format!(
                "mod({u}, {}) jumps where {} is an integer: the formula holds between the jumps",
                text(b),
                text(&super::simplify::div(a.clone(), b.clone()))
            ),
            _ => return,
        },
        _ => return,
    };
    push(out, s);
}
