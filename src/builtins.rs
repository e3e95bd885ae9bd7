//! STUB — contract below.
use crate::scalar::{Note, Scalar};

/// Identifies a built-in function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BuiltinId {
    Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh,
    Exp, Ln, Log, Log2, Log10, Sqrt, Cbrt, Abs, Sign, Pow, Atan2, Hypot, Min, Max,
    Sigmoid, Softplus, Relu, Erf,
}

/// A built-in function's table entry.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    pub id: BuiltinId,
    pub name: &'static str,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments (`log` takes 1 or 2).
    pub max_args: usize,
    /// `atan2(y, x)`
    pub syntax: &'static str,
    /// One sentence, with its derivative.
    pub summary: &'static str,
}

/// Every built-in function.
pub static BUILTINS: &[Builtin] = &[];

/// The built-in called `name`.
pub fn lookup(name: &str) -> Option<&'static Builtin> { BUILTINS.iter().find(|b| b.name == name) }

/// The named constants: name, value, one sentence.
pub static CONSTANTS: &[(&str, f64, &str)] = &[];

/// The value of constant `name`.
pub fn constant(name: &str) -> Option<f64> { CONSTANTS.iter().find(|c| c.0 == name).map(|c| c.1) }

/// Applies built-in `id` to `args` (arity already checked by the caller),
/// pushing a note for each domain error, kink or infinite derivative met.
pub fn apply<S: Scalar>(id: BuiltinId, args: &[S], notes: &mut Vec<Note>) -> S { let _ = (id, args, notes); todo!() }

/// `base ^ exponent`, the `^` operator and `pow`.
pub fn pow<S: Scalar>(base: &S, exponent: &S, notes: &mut Vec<Note>) -> S { let _ = (base, exponent, notes); todo!() }

/// Taylor coefficients of the one-argument built-in `id` at `x0`, orders
/// `0..=n`; `None` when `id` takes other than one argument.
pub fn series(id: BuiltinId, x0: f64, n: usize, notes: &mut Vec<Note>) -> Option<Vec<f64>> { let _ = (id, x0, n, notes); todo!() }
