//! The built-in functions and constants, and every derivative rule.
//!
//! A one-argument built-in is defined once, by [`series`](fn@series): its Taylor
//! coefficients `c[k] = g⁽ᵏ⁾(x0)/k!` at a point, to any order. [`apply`] hands
//! them to the number type's [`Scalar::compose`], so the same rule serves
//! values, gradients, Hessians and Taylor series. The two-argument built-ins
//! ([`pow`], `log(x, b)`, `atan2`, `hypot`, `min`, `max`) are written in terms
//! of arithmetic and those series, so they too work for every number type.
//!
//! Closed forms are used where they are simple and accurate (`sin`, `exp`,
//! `ln`, powers); the other functions get their coefficients from the
//! polynomial ODE or integral that defines them ([`crate::num::series`]).
//!
//! Where a function is not defined or not differentiable a [`Note`] says so:
//! a [`NoteKind::Domain`] note whenever the value is NaN because an argument
//! is outside the domain, and a [`NoteKind::Kink`] or [`NoteKind::Infinite`]
//! note only when derivatives of a non-constant argument are being taken.

use crate::error::{Error, ErrorKind};
use crate::num::series::Coeffs;
use crate::num::series::{self, binomial, factorial};
use crate::num::{Note, NoteKind, Scalar};
use smallvec::smallvec;

pub mod arrays;
mod fast;
mod special;
pub use fast::{derivative, plain_value, powi, powi_local, powi_local1};

/// Identifies a built-in function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum BuiltinId {
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Exp,
    Ln,
    Log,
    Log2,
    Log10,
    Sqrt,
    Cbrt,
    Abs,
    Sign,
    Pow,
    Atan2,
    Hypot,
    Min,
    Max,
    Sigmoid,
    Softplus,
    Relu,
    Erf,
    Sec,
    Csc,
    Cot,
    Floor,
    Ceil,
    Round,
    Gamma,
    Mod,
}

/// A function's table entry: its name, how many arguments it takes, how
/// it is called and what it does. The built-ins' table and the array
/// functions' table are both made of these.
#[derive(Clone, Copy, Debug)]
pub struct Signature<Id> {
    /// Which function.
    pub id: Id,
    /// The name it is called by.
    pub name: &'static str,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments (`log` takes 1 or 2).
    pub max_args: usize,
    /// How it is called: `atan2(y, x)`.
    pub syntax: &'static str,
    /// One sentence (a built-in's says its derivative).
    pub summary: &'static str,
}

/// A built-in function's table entry.
pub type Builtin = Signature<BuiltinId>;

impl<Id> Signature<Id> {
    /// A table entry (keeps a table to one line per function).
    pub const fn new(
        id: Id,
        name: &'static str,
        (min_args, max_args): (usize, usize),
        syntax: &'static str,
        summary: &'static str,
    ) -> Self {
        Signature {
            id,
            name,
            min_args,
            max_args,
            syntax,
            summary,
        }
    }
}

/// A built-in's table entry.
const fn b(
    id: BuiltinId,
    name: &'static str,
    min_args: usize,
    max_args: usize,
    syntax: &'static str,
    summary: &'static str,
) -> Builtin {
    Signature::new(id, name, (min_args, max_args), syntax, summary)
}

use BuiltinId as B;

/// Every built-in function.
pub static BUILTINS: &[Builtin] = &[
    b(
        B::Sin,
        "sin",
        1,
        1,
        "sin(x)",
        "Sine of x in radians; d/dx sin x = cos x.",
    ),
    b(
        B::Cos,
        "cos",
        1,
        1,
        "cos(x)",
        "Cosine of x in radians; d/dx cos x = -sin x.",
    ),
    b(
        B::Tan,
        "tan",
        1,
        1,
        "tan(x)",
        "Tangent of x in radians; d/dx tan x = 1 + tan² x.",
    ),
    b(
        B::Asin,
        "asin",
        1,
        1,
        "asin(x)",
        "Inverse sine, for -1 ≤ x ≤ 1; d/dx asin x = 1/√(1 - x²), infinite at ±1.",
    ),
    b(
        B::Acos,
        "acos",
        1,
        1,
        "acos(x)",
        "Inverse cosine, for -1 ≤ x ≤ 1; d/dx acos x = -1/√(1 - x²), infinite at ±1.",
    ),
    b(
        B::Atan,
        "atan",
        1,
        1,
        "atan(x)",
        "Inverse tangent; d/dx atan x = 1/(1 + x²).",
    ),
    b(
        B::Sinh,
        "sinh",
        1,
        1,
        "sinh(x)",
        "Hyperbolic sine; d/dx sinh x = cosh x.",
    ),
    b(
        B::Cosh,
        "cosh",
        1,
        1,
        "cosh(x)",
        "Hyperbolic cosine; d/dx cosh x = sinh x.",
    ),
    b(
        B::Tanh,
        "tanh",
        1,
        1,
        "tanh(x)",
        "Hyperbolic tangent; d/dx tanh x = 1 - tanh² x.",
    ),
    b(
        B::Asinh,
        "asinh",
        1,
        1,
        "asinh(x)",
        "Inverse hyperbolic sine; d/dx asinh x = 1/√(x² + 1).",
    ),
    b(
        B::Acosh,
        "acosh",
        1,
        1,
        "acosh(x)",
        "Inverse hyperbolic cosine, for x ≥ 1; d/dx acosh x = 1/√(x² - 1), infinite at 1.",
    ),
    b(
        B::Atanh,
        "atanh",
        1,
        1,
        "atanh(x)",
        "Inverse hyperbolic tangent, for -1 < x < 1; d/dx atanh x = 1/(1 - x²).",
    ),
    b(
        B::Exp,
        "exp",
        1,
        1,
        "exp(x)",
        "The exponential e^x; d/dx e^x = e^x.",
    ),
    b(
        B::Ln,
        "ln",
        1,
        1,
        "ln(x)",
        "Natural logarithm, for x > 0; d/dx ln x = 1/x.",
    ),
    b(
        B::Log,
        "log",
        1,
        2,
        "log(x) or log(x, b)",
        "Natural logarithm log(x) = ln x (as in C, NumPy and PyTorch), or log base b, log(x, b) = ln x / ln b; d/dx log(x, b) = 1/(x ln b).",
    ),
    b(
        B::Log2,
        "log2",
        1,
        1,
        "log2(x)",
        "Base-2 logarithm, for x > 0; d/dx log2 x = 1/(x ln 2).",
    ),
    b(
        B::Log10,
        "log10",
        1,
        1,
        "log10(x)",
        "Base-10 logarithm, for x > 0; d/dx log10 x = 1/(x ln 10).",
    ),
    b(
        B::Sqrt,
        "sqrt",
        1,
        1,
        "sqrt(x)",
        "Square root, for x ≥ 0; d/dx √x = 1/(2√x), infinite at 0.",
    ),
    b(
        B::Cbrt,
        "cbrt",
        1,
        1,
        "cbrt(x)",
        "Real cube root, defined for every x (cbrt(-8) = -2); d/dx ∛x = 1/(3∛x²), infinite at 0.",
    ),
    b(
        B::Abs,
        "abs",
        1,
        1,
        "abs(x)",
        "Absolute value |x|; d/dx |x| = sign x, not defined at 0 (shown as 0).",
    ),
    b(
        B::Sign,
        "sign",
        1,
        1,
        "sign(x)",
        "The sign of x: -1, 0 or 1; its derivative is 0 except at 0, where it jumps (shown as 0).",
    ),
    b(
        B::Pow,
        "pow",
        2,
        2,
        "pow(x, a)",
        "x to the power a, the same as x^a; d/dx x^a = a·x^(a-1) and d/da x^a = x^a·ln x.",
    ),
    b(
        B::Atan2,
        "atan2",
        2,
        2,
        "atan2(y, x)",
        "The angle of the point (x, y) in (-π, π]; d/dy = x/(x² + y²) and d/dx = -y/(x² + y²).",
    ),
    b(
        B::Hypot,
        "hypot",
        2,
        2,
        "hypot(x, y)",
        "The length √(x² + y²) without overflow; d/dx hypot(x, y) = x/hypot(x, y).",
    ),
    b(
        B::Min,
        "min",
        2,
        2,
        "min(a, b)",
        "The smaller of a and b; its derivative is that of the smaller one (the average of both at a tie).",
    ),
    b(
        B::Max,
        "max",
        2,
        2,
        "max(a, b)",
        "The larger of a and b; its derivative is that of the larger one (the average of both at a tie).",
    ),
    b(
        B::Sigmoid,
        "sigmoid",
        1,
        1,
        "sigmoid(x)",
        "The logistic function σ(x) = 1/(1 + e^-x); d/dx σ(x) = σ(x)(1 - σ(x)).",
    ),
    b(
        B::Softplus,
        "softplus",
        1,
        1,
        "softplus(x)",
        "The smooth ReLU ln(1 + e^x); d/dx softplus x = σ(x).",
    ),
    b(
        B::Relu,
        "relu",
        1,
        1,
        "relu(x)",
        "max(x, 0); its derivative is 1 for x > 0 and 0 for x < 0 (shown as 0 at 0).",
    ),
    b(
        B::Erf,
        "erf",
        1,
        1,
        "erf(x)",
        "The error function; d/dx erf x = 2/√π·e^(-x²).",
    ),
    b(
        B::Sec,
        "sec",
        1,
        1,
        "sec(x)",
        "Secant 1/cos x; d/dx sec x = sec x·tan x.",
    ),
    b(
        B::Csc,
        "csc",
        1,
        1,
        "csc(x)",
        "Cosecant 1/sin x; d/dx csc x = -csc x·cot x.",
    ),
    b(
        B::Cot,
        "cot",
        1,
        1,
        "cot(x)",
        "Cotangent cos x/sin x; d/dx cot x = -(1 + cot² x).",
    ),
    b(
        B::Floor,
        "floor",
        1,
        1,
        "floor(x)",
        "The largest integer ≤ x; its derivative is 0 between the integers, where it jumps (flagged, shown as 0).",
    ),
    b(
        B::Ceil,
        "ceil",
        1,
        1,
        "ceil(x)",
        "The smallest integer ≥ x; its derivative is 0 between the integers, where it jumps (flagged, shown as 0).",
    ),
    b(
        B::Round,
        "round",
        1,
        1,
        "round(x)",
        "The nearest integer, halves away from zero (round(2.5) = 3); its derivative is 0 except at the halves, where it jumps (flagged, shown as 0).",
    ),
    b(
        B::Gamma,
        "gamma",
        1,
        1,
        "gamma(x)",
        "The gamma function, gamma(n) = (n-1)!; d/dx Γ(x) = Γ(x)·ψ(x) (ψ the digamma function); poles at 0, -1, -2, ….",
    ),
    b(
        B::Mod,
        "mod",
        2,
        2,
        "mod(a, b)",
        "The remainder a - b·floor(a/b), with the sign of b (mod(-1, 3) = 2); d/da = 1, d/db = -floor(a/b), jumps where a is a multiple of b (flagged).",
    ),
];

/// The built-in called `name`.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The table entry of `id`.
pub fn builtin(id: BuiltinId) -> &'static Builtin {
    // Every id has an entry (tested); the fallback only keeps this total.
    BUILTINS.iter().find(|b| b.id == id).unwrap_or(&BUILTINS[0])
}

/// The named constants: name, value, one sentence.
pub static CONSTANTS: &[(&str, f64, &str)] = &[
    ("pi", std::f64::consts::PI, "π, half a turn in radians."),
    ("e", std::f64::consts::E, "Euler's number, the base of ln."),
    (
        "tau",
        std::f64::consts::TAU,
        "τ = 2π, a full turn in radians.",
    ),
    ("inf", f64::INFINITY, "Positive infinity."),
    (
        "nan",
        f64::NAN,
        "Not a number, the result of an undefined operation.",
    ),
];

/// The value of constant `name`.
pub fn constant(name: &str) -> Option<f64> {
    CONSTANTS.iter().find(|c| c.0 == name).map(|c| c.1)
}

/// Applies built-in `id` to `args` (arity already checked by the caller),
/// pushing a note for each domain error, kink or infinite derivative met.
///
/// # Panics
/// If `args` has fewer arguments than `id` takes.
pub fn apply<S: Scalar>(id: BuiltinId, args: &[S], notes: &mut Vec<Note>) -> S {
    match id {
        B::Pow => pow(&args[0], &args[1], notes),
        B::Log if args.len() == 2 => log_base(&args[0], &args[1], notes),
        B::Atan2 => atan2(&args[0], &args[1], notes),
        B::Hypot => hypot(&args[0], &args[1], notes),
        B::Min => min_max(&args[0], &args[1], false, notes),
        B::Max => min_max(&args[0], &args[1], true, notes),
        B::Mod => special::modulo(&args[0], &args[1], notes),
        _ => unary(id, builtin(id).name, &args[0], notes),
    }
}

/// Taylor coefficients of the one-argument built-in `id` at `x0`, orders
/// `0..=n`; `None` when `id` takes other than one argument (`log` counts as
/// its one-argument form, the natural logarithm).
///
/// Domain notes are pushed for any `n`; kink and infinite-derivative notes
/// only for `n ≥ 1` (pass `n = 0` for a constant argument).
pub fn series(id: BuiltinId, x0: f64, n: usize, notes: &mut Vec<Note>) -> Option<Coeffs> {
    series_named(id, builtin(id).name, x0, n, notes)
}

/// `g(x)` for a one-argument built-in; `name` is used in notes.
fn unary<S: Scalar>(id: BuiltinId, name: &str, x: &S, notes: &mut Vec<Note>) -> S {
    // A constant argument needs only the value, and must not collect kink or
    // infinite-derivative notes (its derivative parts are all zero anyway).
    let n = if x.is_constant() { 0 } else { x.order() };
    match series_named(id, name, x.value(), n, notes) {
        Some(c) if n == 0 => x.constant(c[0]),
        Some(c) => x.compose(&c),
        None => x.constant(f64::NAN),
    }
}

fn series_named(
    id: BuiltinId,
    name: &str,
    x: f64,
    n: usize,
    notes: &mut Vec<Note>,
) -> Option<Coeffs> {
    Some(match id {
        B::Sin => cyclic(n, [x.sin(), x.cos(), -x.sin(), -x.cos()]),
        B::Cos => cyclic(n, [x.cos(), -x.sin(), -x.cos(), x.sin()]),
        B::Sinh => cyclic(n, [x.sinh(), x.cosh(), x.sinh(), x.cosh()]),
        B::Cosh => cyclic(n, [x.cosh(), x.sinh(), x.cosh(), x.sinh()]),
        B::Exp => {
            let e = x.exp();
            (0..=n).map(|k| e / factorial(k)).collect()
        }
        B::Tan => series::solve_autonomous(x.tan(), n, |y, m| {
            (m == 0) as u8 as f64 + series::square_coeff(y, m)
        }),
        B::Tanh => tanh_series(x, n),
        B::Sigmoid => sigmoid_series(x, n),
        B::Softplus => {
            let v = x.max(0.0) + (-x.abs()).exp().ln_1p();
            if n == 0 {
                smallvec![v]
            } else {
                series::integrate(&sigmoid_series(x, n - 1), v)
            }
        }
        B::Atan => atan_series(x, n),
        B::Asin | B::Acos => asin_acos_series(id == B::Acos, name, x, n, notes),
        B::Asinh => asinh_series(x, n),
        B::Acosh => acosh_series(name, x, n, notes),
        B::Atanh => atanh_series(name, x, n, notes),
        B::Ln | B::Log => log_series(1.0, x.ln(), name, x, n, notes),
        B::Log2 => log_series(std::f64::consts::LN_2, x.log2(), name, x, n, notes),
        B::Log10 => log_series(std::f64::consts::LN_10, x.log10(), name, x, n, notes),
        B::Sqrt => sqrt_series(name, x, n, notes),
        B::Cbrt => cbrt_series(name, x, n, notes),
        B::Erf => erf_series(x, n),
        B::Abs => {
            let c = kinked(name, "abs'(0) = 0", x, n, notes, |x| {
                if x > 0.0 { 1.0 } else { -1.0 }
            });
            let mut c = c;
            c[0] = x.abs();
            c
        }
        B::Relu => {
            let mut c = kinked(name, "relu'(0) = 0", x, n, notes, |x| {
                if x > 0.0 { 1.0 } else { 0.0 }
            });
            c[0] = x.max(0.0);
            c
        }
        B::Sign => {
            let mut c = smallvec![0.0; n + 1];
            if x == 0.0 {
                kink(notes, name, x, n, "sign'(0) = 0");
            } else if x.is_nan() {
                c.fill(f64::NAN);
            } else {
                c[0] = x.signum();
            }
            c
        }
        B::Sec | B::Csc => special::reciprocal(id == B::Sec, name, x, n, notes),
        B::Cot => special::cot(name, x, n, notes),
        B::Floor => special::step(special::Step::Floor, name, x, n, notes),
        B::Ceil => special::step(special::Step::Ceil, name, x, n, notes),
        B::Round => special::step(special::Step::Round, name, x, n, notes),
        B::Gamma => special::gamma(name, x, n, notes),
        B::Pow | B::Atan2 | B::Hypot | B::Min | B::Max | B::Mod => return None,
    })
}

/// `k!`-scaled coefficients of a function whose derivatives repeat with
/// period four (`sin`, `cos`, `sinh`, `cosh`): `c[k] = d[k mod 4] / k!`.
fn cyclic(n: usize, d: [f64; 4]) -> Coeffs {
    (0..=n).map(|k| d[k % 4] / factorial(k)).collect()
}

/// `abs` and `relu`: piecewise linear with a kink at 0; `slope` gives the
/// slope away from 0 and the value is filled in by the caller.
fn kinked(
    name: &str,
    convention: &str,
    x: f64,
    n: usize,
    notes: &mut Vec<Note>,
    slope: impl Fn(f64) -> f64,
) -> Coeffs {
    let mut c = smallvec![0.0; n + 1];
    if x == 0.0 {
        kink(notes, name, x, n, convention);
    } else if x.is_nan() {
        c.fill(f64::NAN);
    } else if n >= 1 {
        c[1] = slope(x);
    }
    c
}

/// `1 - tanh x` and `1 + tanh x` without cancellation, for `tanh' = (1 - tanh)(1 + tanh)`.
fn tanh_series(x: f64, n: usize) -> Coeffs {
    let t = x.tanh();
    // 1 ∓ tanh x = 2 / (e^{±2x} + 1): exact where tanh x rounds to ±1.
    let minus = if x > 0.0 {
        2.0 / ((2.0 * x).exp() + 1.0)
    } else {
        1.0 - t
    };
    let plus = if x < 0.0 {
        2.0 / ((-2.0 * x).exp() + 1.0)
    } else {
        1.0 + t
    };
    series::solve_autonomous(t, n, |y, m| {
        // (1 - T)(1 + T) with the constant terms held exactly.
        let p = |i: usize| if i == 0 { minus } else { -y[i] };
        let q = |i: usize| if i == 0 { plus } else { y[i] };
        (0..=m).map(|i| p(i) * q(m - i)).sum()
    })
}

/// The logistic function, stable for large `|x|`.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `σ' = σ·(1 - σ)`, with `1 - σ(x) = σ(-x)` computed directly so the
/// derivatives keep their relative accuracy where σ rounds to 0 or 1.
fn sigmoid_series(x: f64, n: usize) -> Coeffs {
    let (s, sbar) = (sigmoid(x), sigmoid(-x));
    series::solve_autonomous(s, n, |y, m| {
        let p = |i: usize| if i == 0 { s } else { y[i] };
        let q = |i: usize| if i == 0 { sbar } else { -y[i] };
        (0..=m).map(|i| p(i) * q(m - i)).sum()
    })
}

/// Rescales the coefficients `d[k]` of `h(x0 + s·τ)` in `τ` to those of `h`
/// in `t`, `d[k]·factor / s^k`. Working in `τ` keeps `x0 / s` of order one,
/// so `1 + x²` and the like cannot overflow for large `x0`.
fn unscale(d: Coeffs, s: f64, factor: f64) -> Coeffs {
    let mut r = factor;
    d.into_iter()
        .map(|dk| {
            let c = dk * r;
            r /= s;
            c
        })
        .collect()
}

/// `atan = ∫ 1/(1 + x²)`.
fn atan_series(x: f64, n: usize) -> Coeffs {
    let v = x.atan();
    if n == 0 || x.is_nan() {
        return smallvec![v; n + 1];
    }
    if x.is_infinite() {
        // Flat at infinity: every derivative is 0 (and x/s would be NaN).
        return flat(v, n);
    }
    let s = x.abs().max(1.0);
    let xs = x / s;
    // 1/(1 + (x0 + sτ)²) = s⁻² / (s⁻² + (x0/s + τ)²)
    let w = padded(&[(1.0 / s) * (1.0 / s) + xs * xs, 2.0 * xs, 1.0], n);
    let d = unscale(series::recip(&w), s, 1.0 / (s * s));
    series::integrate(&d, v)
}

/// `asinh = ∫ (1 + x²)^(-1/2)`.
fn asinh_series(x: f64, n: usize) -> Coeffs {
    let v = libm::asinh(x);
    if n == 0 || x.is_nan() {
        return smallvec![v; n + 1];
    }
    if x.is_infinite() {
        // Flat at infinity: every derivative is 0 (and x/s would be NaN).
        return flat(v, n);
    }
    let s = x.abs().max(1.0);
    let xs = x / s;
    // (1 + (x0 + sτ)²)^(-1/2) = s⁻¹·(s⁻² + (x0/s + τ)²)^(-1/2)
    let w0 = (1.0 / s) * (1.0 / s) + xs * xs;
    let w = padded(&[w0, 2.0 * xs, 1.0], n);
    let d = unscale(series::pow_of(&w, -0.5, 1.0 / w0.sqrt()), s, 1.0 / s);
    series::integrate(&d, v)
}

/// `asin = ∫ (1 - x²)^(-1/2)`, `acos = -∫ (1 - x²)^(-1/2)`.
fn asin_acos_series(acos: bool, name: &str, x: f64, n: usize, notes: &mut Vec<Note>) -> Coeffs {
    let v = if acos { x.acos() } else { x.asin() };
    let sign = if acos { -1.0 } else { 1.0 };
    if x.abs() > 1.0 {
        domain(notes, name, x, "-1 ≤ x ≤ 1");
        return smallvec![f64::NAN; n + 1];
    }
    if x.abs() == 1.0 {
        // All derivatives of asin are positive on (0, 1), and asin is odd.
        infinite(notes, name, x, n);
        return edge(v, n, |k| {
            sign * if x > 0.0 || k % 2 == 1 { 1.0 } else { -1.0 }
        });
    }
    if n == 0 || x.is_nan() {
        return smallvec![v; n + 1];
    }
    // 1 - x0² as (1 - x0)(1 + x0): no cancellation near ±1.
    let w0 = (1.0 - x) * (1.0 + x);
    let w = padded(&[w0, -2.0 * x, -1.0], n);
    let d = series::pow_of(&w, -0.5, 1.0 / w0.sqrt());
    series::integrate(&d.iter().map(|c| sign * c).collect::<Vec<_>>(), v)
}

/// `acosh = ∫ (x² - 1)^(-1/2)` for `x ≥ 1`.
fn acosh_series(name: &str, x: f64, n: usize, notes: &mut Vec<Note>) -> Coeffs {
    let v = libm::acosh(x);
    if x < 1.0 {
        domain(notes, name, x, "x ≥ 1");
        return smallvec![f64::NAN; n + 1];
    }
    if x == 1.0 {
        // Like √(2(x - 1)) near 1: derivative signs alternate.
        infinite(notes, name, x, n);
        return edge(v, n, |k| if k % 2 == 1 { 1.0 } else { -1.0 });
    }
    if n == 0 || x.is_nan() {
        return smallvec![v; n + 1];
    }
    let s = x;
    // ((x0 + sτ)² - 1)^(-1/2) = s⁻¹·((1 + τ)² - s⁻²)^(-1/2), constant term
    // (x0 - 1)(x0 + 1)/s² without cancellation near 1.
    let w0 = ((x - 1.0) / s) * ((x + 1.0) / s);
    let w = padded(&[w0, 2.0, 1.0], n);
    let d = unscale(series::pow_of(&w, -0.5, 1.0 / w0.sqrt()), s, 1.0 / s);
    series::integrate(&d, v)
}

/// `atanh = ∫ 1/(1 - x²)` for `|x| < 1`.
fn atanh_series(name: &str, x: f64, n: usize, notes: &mut Vec<Note>) -> Coeffs {
    let v = libm::atanh(x);
    if x.abs() > 1.0 {
        domain(notes, name, x, "-1 < x < 1");
        return smallvec![f64::NAN; n + 1];
    }
    if x.abs() == 1.0 {
        // All derivatives positive on (0, 1); atanh is odd.
        infinite(notes, name, x, n);
        return edge(v, n, |k| if x > 0.0 || k % 2 == 1 { 1.0 } else { -1.0 });
    }
    if n == 0 || x.is_nan() {
        return smallvec![v; n + 1];
    }
    let w = padded(&[(1.0 - x) * (1.0 + x), -2.0 * x, -1.0], n);
    series::integrate(&series::recip(&w), v)
}

/// `ln`, `log2`, `log10`: `c[k] = (-1)^(k+1) / (k·x0^k·scale)`.
fn log_series(scale: f64, v: f64, name: &str, x: f64, n: usize, notes: &mut Vec<Note>) -> Coeffs {
    if x < 0.0 {
        domain(notes, name, x, "x > 0");
        return smallvec![f64::NAN; n + 1];
    }
    if x == 0.0 {
        infinite(notes, name, x, n);
    }
    // At x0 = 0 the powers are infinite, with the signs of the limit from the right.
    std::iter::once(v)
        .chain((1..=n).map(|k| {
            let sign = if k % 2 == 1 { 1.0 } else { -1.0 };
            sign * powr(x, -(k as f64)) / (k as f64 * scale)
        }))
        .collect()
}

fn sqrt_series(name: &str, x: f64, n: usize, notes: &mut Vec<Note>) -> Coeffs {
    if x < 0.0 {
        domain(notes, name, x, "x ≥ 0");
        return smallvec![f64::NAN; n + 1];
    }
    if x == 0.0 {
        infinite(notes, name, x, n);
    }
    let mut c = power_series(x, 0.5, n);
    c[0] = x.sqrt();
    c
}

/// The real cube root, odd: `cbrt(x0 + t) = -cbrt(|x0| - t)` for `x0 < 0`.
fn cbrt_series(name: &str, x: f64, n: usize, notes: &mut Vec<Note>) -> Coeffs {
    let a = 1.0 / 3.0;
    let mut c = power_series(x.abs(), a, n);
    if x < 0.0 {
        for (k, ck) in c.iter_mut().enumerate() {
            if k % 2 == 0 {
                *ck = -*ck;
            }
        }
    } else if x == 0.0 {
        infinite(notes, name, x, n);
        // The even derivatives are +inf on one side and -inf on the other.
        for ck in c.iter_mut().skip(2).step_by(2) {
            *ck = f64::NAN;
        }
    }
    c[0] = x.cbrt();
    c
}

/// `erf = ∫ 2/√π·exp(-x²)`.
fn erf_series(x: f64, n: usize) -> Coeffs {
    let v = libm::erf(x);
    let e0 = (-x * x).exp();
    if n == 0 || x.is_nan() {
        return smallvec![v; n + 1];
    }
    if e0 == 0.0 {
        // Far out in the tails every derivative underflows; skip the
        // recurrence, whose huge `2x` terms would meet 0·inf.
        return flat(v, n);
    }
    let w = padded(&[-x * x, -2.0 * x, -1.0], n);
    let k = std::f64::consts::FRAC_2_SQRT_PI;
    let d: Coeffs = series::exp_of(&w, e0).iter().map(|c| k * c).collect();
    series::integrate(&d, v)
}

/// The first `n` terms of a short polynomial, zero-padded or truncated.
fn padded(p: &[f64], n: usize) -> Coeffs {
    let mut w = smallvec![0.0; n];
    for (wi, pi) in w.iter_mut().zip(p) {
        *wi = *pi;
    }
    w
}

/// `[v, 0, 0, …]`: a function locally constant at the point.
fn flat(v: f64, n: usize) -> Coeffs {
    let mut c = smallvec![0.0; n + 1];
    c[0] = v;
    c
}

/// Coefficients at a boundary point where every derivative is infinite,
/// `sign(k)` giving the sign of the k-th one (as a one-sided limit).
fn edge(v: f64, n: usize, sign: impl Fn(usize) -> f64) -> Coeffs {
    std::iter::once(v)
        .chain((1..=n).map(|k| sign(k) * f64::INFINITY))
        .collect()
}

/// `(x0 + t)^a`: `c[k] = C(a, k)·x0^(a-k)`, powers by [`powr`].
///
/// A zero binomial coefficient gives an exact 0 even where `x0^(a-k)` is
/// infinite, so integer powers are exact polynomials at `x0 = 0`
/// (`x²`: 0, 0, 1, 0 …). For non-integer `a` at `x0 = 0` the terms below
/// order `a` are 0 and those above are infinite, signed as the limit from
/// the right.
pub fn power_series(x0: f64, a: f64, n: usize) -> Coeffs {
    (0..=n)
        .map(|k| {
            let b = binomial(a, k);
            if b == 0.0 {
                0.0
            } else {
                b * powr(x0, a - k as f64)
            }
        })
        .collect()
}

/// `x^n` by repeated squaring (`1/x^n` when `negative`): [`powr`]'s branch
/// for small integer exponents, and the tape's integer powers, which must
/// agree with it to the bit.
#[inline]
pub fn pow_by_squaring(x: f64, mut n: u32, negative: bool) -> f64 {
    let (mut base, mut acc) = (x, 1.0);
    while n > 0 {
        if n & 1 == 1 {
            acc *= base;
        }
        base *= base;
        n >>= 1;
    }
    if negative { 1.0 / acc } else { acc }
}

/// `x^e`, by multiplication for small integer `e` and by `sqrt` for
/// half-integer `e`, so `x^2`, `x^-1`, `x^0.5`, `x^1.5` round exactly like
/// `x*x`, `1/x`, `sqrt(x)`, `x*sqrt(x)` (`powf` can be an ulp off); `powf`
/// otherwise.
pub fn powr(x: f64, e: f64) -> f64 {
    // Larger integer powers lose a few ulp by squaring; powf is better there.
    const SMALL: f64 = 16.0;
    if e.fract() == 0.0 && e.abs() <= SMALL {
        return pow_by_squaring(x, e.abs() as u32, e < 0.0);
    }
    let m = e - 0.5;
    if m.fract() == 0.0 && m.abs() <= SMALL {
        let r = x.sqrt();
        return if m == -1.0 { 1.0 / r } else { powr(x, m) * r };
    }
    x.powf(e)
}

// ---- notes ----------------------------------------------------------------

/// A number in a message: shortest form, `-0` as `0`, exponents for the
/// very large and very small.
fn num(x: f64) -> String {
    let x = x + 0.0;
    if x != 0.0 && x.is_finite() && (x.abs() >= 1e16 || x.abs() < 1e-5) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn domain(notes: &mut Vec<Note>, name: &str, x: f64, dom: &str) {
    notes.push(Note {
        kind: NoteKind::Domain,
        message: format!("{name} is undefined for {} (its domain is {dom})", num(x)),
    });
}

fn infinite(notes: &mut Vec<Note>, name: &str, x: f64, n: usize) {
    if n >= 1 {
        notes.push(Note {
            kind: NoteKind::Infinite,
            message: format!("{name} has an infinite derivative at {}", num(x)),
        });
    }
}

fn kink(notes: &mut Vec<Note>, name: &str, x: f64, n: usize, convention: &str) {
    if n >= 1 {
        notes.push(Note {
            kind: NoteKind::Kink,
            message: format!(
                "{name} is not differentiable at {}; the derivative shown uses the convention {convention}",
                num(x)
            ),
        });
    }
}

/// The note for `a / b` with `b` exactly 0: the quotient is infinite or
/// NaN, and so are its derivatives (the evaluator, the tape and the reverse
/// sweep all call this; keep their messages one).
pub fn division_note(divisor: f64, notes: &mut Vec<Note>) {
    if divisor == 0.0 {
        note(
            notes,
            NoteKind::Domain,
            "division by zero: the quotient, and its derivatives, are not finite here".into(),
        );
    }
}

fn note(notes: &mut Vec<Note>, kind: NoteKind, message: String) {
    notes.push(Note { kind, message });
}

// ---- two-argument built-ins --------------------------------------------------

/// True when derivatives of `a` are being taken.
fn varies<S: Scalar>(a: &S) -> bool {
    a.order() >= 1 && !a.is_constant()
}

/// Value `v` with NaN for every derivative part that depends on `a` or `b`:
/// the answer where no derivative exists and no convention is sensible.
fn undefined_derivatives<S: Scalar>(a: &S, b: &S, v: f64) -> S {
    let mut c = smallvec![f64::NAN; a.order() + 1] as Coeffs;
    c[0] = v;
    let da = a.compose(&c);
    c[0] = 0.0;
    da.add(&b.compose(&c))
}

/// `x^a` for a constant exponent `a`.
fn pow_const_exponent<S: Scalar>(x: &S, a: f64, notes: &mut Vec<Note>) -> S {
    let x0 = x.value();
    let n = if x.is_constant() { 0 } else { x.order() };
    let c = power_series(x0, a, n);
    if c[0].is_nan() && x0 < 0.0 && a.is_finite() {
        // 1/3 rounds to a non-integer f64, so x^(1/3) is NaN for x < 0 as in
        // C and NumPy; the user most likely wanted the real cube root.
        let thirds = 3.0 * a;
        let hint = if (thirds - thirds.round()).abs() < 1e-9 {
            "; for real cube roots write cbrt(x)"
        } else {
            ""
        };
        note(
            notes,
            NoteKind::Domain,
            format!(
                "({})^{} is undefined: a negative number has no real power with a non-integer exponent{hint}",
                num(x0),
                num(a)
            ),
        );
    }
    if let Some(k) = (1..=n).find(|&k| c[k].is_infinite()) {
        let which = match k {
            1 => String::from("derivative"),
            2 => String::from("second derivative"),
            _ => format!("derivative of order {k}"),
        };
        note(
            notes,
            NoteKind::Infinite,
            format!("x^{} has an infinite {which} at {}", num(a), num(x0)),
        );
    }
    if n == 0 {
        x.constant(c[0])
    } else {
        x.compose(&c)
    }
}

/// `a^y` for a constant base `a` and a variable exponent.
fn pow_const_base<S: Scalar>(a: f64, y: &S, notes: &mut Vec<Note>) -> S {
    let y0 = y.value();
    let n = y.order();
    let v = powr(a, y0);
    let c: Coeffs = if a > 0.0 {
        // a^(y0 + t) = a^y0 · e^(t ln a)
        let l = a.ln();
        let mut p = v;
        (0..=n)
            .map(|k| {
                let ck = p;
                p *= l / (k + 1) as f64;
                ck
            })
            .collect()
    } else if a == 0.0 && y0 != 0.0 {
        // 0^y is 0 for every y > 0 and +inf for every y < 0: locally constant.
        flat(v, n)
    } else if a == 0.0 {
        note(
            notes,
            NoteKind::Kink,
            String::from("0^y jumps at y = 0 (from +inf to 1 to 0), so it has no derivative there"),
        );
        return undefined_derivatives(y, y, v);
    } else if a < 0.0 {
        let message = if v.is_nan() {
            format!(
                "({})^{} is undefined: a negative number has no real power with a non-integer exponent",
                num(a),
                num(y0)
            )
        } else {
            format!(
                "({})^y has no derivative with respect to y: a negative base has real powers only at integer exponents",
                num(a)
            )
        };
        note(notes, NoteKind::Domain, message);
        return undefined_derivatives(y, y, v);
    } else {
        smallvec![f64::NAN; n + 1]
    };
    y.compose(&c)
}

/// `base ^ exponent`, the `^` operator and `pow`.
pub fn pow<S: Scalar>(base: &S, exponent: &S, notes: &mut Vec<Note>) -> S {
    if exponent.is_constant() {
        return pow_const_exponent(base, exponent.value(), notes);
    }
    let (x0, y0) = (base.value(), exponent.value());
    if base.is_constant() {
        return pow_const_base(x0, exponent, notes);
    }
    let v = powr(x0, y0);
    if x0 > 0.0 {
        // x^y = exp(y ln x); every exp coefficient is x0^y0 / k!, and taking
        // x0^y0 from powr keeps the value as accurate as a constant power.
        let l = unary(B::Ln, "pow", base, notes);
        let p = exponent.mul(&l);
        let c: Coeffs = (0..=p.order()).map(|k| v / factorial(k)).collect();
        return p.compose(&c);
    }
    if x0 < 0.0 && v.is_finite() {
        note(
            notes,
            NoteKind::Domain,
            format!(
                "x^y at x = {}, y = {} has no derivative with respect to the exponent: a negative base has real powers only at integer exponents",
                num(x0),
                num(y0)
            ),
        );
        return pow_negative_base(base, exponent, y0);
    }
    if !x0.is_nan() && !y0.is_nan() {
        let why = if v.is_nan() {
            "is undefined: a negative number has no real power with a non-integer exponent"
        } else {
            "has no derivative here: with a variable exponent the base must be positive"
        };
        note(
            notes,
            NoteKind::Domain,
            format!("x^y at x = {}, y = {} {why}", num(x0), num(y0)),
        );
    }
    undefined_derivatives(base, exponent, v)
}

/// `x^y` at a negative `x` and an integer `y`: a real power along the base
/// (`∂/∂x = y·x^(y−1)` and every derivative in `x` exist), none along the
/// exponent (`∂/∂y = x^y·ln x`). Each partial exists or not on its own:
/// the derivatives in `x` alone are those of `x^y0`, and NaN enters only
/// where the exponent moves — `N = y.compose(0, NaN, …)` is NaN exactly in
/// the directions `y` depends on (a number type scales a zero tangent to
/// zero, whatever the coefficient), and `(x − x0)·N` puts NaN in the mixed
/// `∂²/∂x∂y` (which needs `ln x` too) while adding nothing to `x`'s own.
fn pow_negative_base<S: Scalar>(base: &S, exponent: &S, y0: f64) -> S {
    let along_x = pow_const_exponent(base, y0, &mut Vec::new());
    let n = base.order().max(exponent.order());
    let mut c: Coeffs = smallvec![f64::NAN; n + 1];
    c[0] = 0.0;
    let undefined = exponent.compose(&c);
    let mut shift: Coeffs = smallvec![0.0; n + 1];
    if n >= 1 {
        shift[1] = 1.0;
    }
    let dx = base.compose(&shift);
    along_x.add(&undefined.add(&dx.mul(&undefined)))
}

/// `log(x, b) = ln x / ln b`.
fn log_base<S: Scalar>(x: &S, b: &S, notes: &mut Vec<Note>) -> S {
    let b0 = b.value();
    if b.is_constant() && b0 == 2.0 {
        return unary(B::Log2, "log", x, notes);
    }
    if b.is_constant() && b0 == 10.0 {
        return unary(B::Log10, "log", x, notes);
    }
    if b0 <= 0.0 || b0 == 1.0 {
        note(
            notes,
            NoteKind::Domain,
            format!(
                "log base {} is undefined (the base must be positive and not 1)",
                num(b0)
            ),
        );
        let _ = unary(B::Ln, "log", x, notes);
        return x.constant(f64::NAN);
    }
    let lnx = unary(B::Ln, "log", x, notes);
    let lnb = unary(B::Ln, "log", b, notes);
    lnx.div(&lnb)
}

/// `atan2(y, x)`: `atan(y/x)` or `-atan(x/y)` (whichever ratio is at most 1
/// in size, for accuracy), shifted by a constant so the value is exactly
/// `f64::atan2`.
fn atan2<S: Scalar>(y: &S, x: &S, notes: &mut Vec<Note>) -> S {
    let (y0, x0) = (y.value(), x.value());
    let v = y0.atan2(x0);
    if y0 == 0.0 && x0 == 0.0 {
        if varies(y) || varies(x) {
            note(
                notes,
                NoteKind::Kink,
                String::from(
                    "atan2 is not differentiable at (0, 0), where the angle is undefined; its derivatives are shown as NaN",
                ),
            );
            return undefined_derivatives(y, x, v);
        }
        return y.constant(v);
    }
    if y0 == 0.0 && x0 < 0.0 && varies(y) {
        note(
            notes,
            NoteKind::Kink,
            String::from(
                "atan2 jumps between π and -π where y crosses 0 with x < 0; the derivatives shown are those of the side the sign of y's zero picks",
            ),
        );
    }
    let (u, sign) = if x0.abs() >= y0.abs() {
        (y.div(x), 1.0)
    } else {
        (x.div(y), -1.0)
    };
    let mut c = atan_series(u.value(), u.order());
    c.iter_mut().for_each(|ck| *ck *= sign);
    c[0] = v;
    u.compose(&c)
}

/// `hypot(x, y) = √(s·q)` with `q = x·(x/s) + y·(y/s)` and
/// `s = max(|x0|, |y0|)`: no square of a huge or tiny number is ever formed,
/// neither in the value nor in the derivative parts, so `hypot(3e200, 4e200)`
/// and its Hessian come out finite. The value is exactly `f64::hypot`.
fn hypot<S: Scalar>(x: &S, y: &S, notes: &mut Vec<Note>) -> S {
    let (x0, y0) = (x.value(), y.value());
    let v = x0.hypot(y0);
    let s = x0.abs().max(y0.abs());
    if s == 0.0 {
        if varies(x) || varies(y) {
            note(
                notes,
                NoteKind::Kink,
                String::from(
                    "hypot is not differentiable at (0, 0), where it has a cone point; the derivatives shown use the convention 0",
                ),
            );
        }
        return x.constant(0.0);
    }
    if !s.is_finite() {
        return undefined_derivatives(x, y, v);
    }
    let sc = x.constant(s);
    let q = x.mul(&x.div(&sc)).add(&y.mul(&y.div(&sc)));
    // √(s·(q0 + t)) = v·(1 + t/q0)^½: c[k] = v·C(½, k)/q0^k, built up one
    // factor at a time so q0^k never underflows on its own.
    let q0 = q.value();
    let mut ck = v;
    let c: Coeffs = (0..=q.order())
        .map(|k| {
            let out = ck;
            ck *= (0.5 - k as f64) / ((k + 1) as f64 * q0);
            out
        })
        .collect();
    q.compose(&c)
}

/// `min` (`larger = false`) or `max`: the chosen argument; at a tie the
/// average `(a + b)/2`, whose derivative averages the two sides.
fn min_max<S: Scalar>(a: &S, b: &S, larger: bool, notes: &mut Vec<Note>) -> S {
    let (a0, b0) = (a.value(), b.value());
    // NaN propagates, unlike f64::min.
    if a0.is_nan() {
        return a.clone();
    }
    if b0.is_nan() {
        return b.clone();
    }
    if a0 != b0 {
        return if (a0 > b0) == larger {
            a.clone()
        } else {
            b.clone()
        };
    }
    let d = a.sub(b);
    if varies(&d) {
        let name = if larger { "max" } else { "min" };
        note(
            notes,
            NoteKind::Kink,
            format!(
                "{name} is not differentiable where its arguments are equal (both are {}); the derivative shown is the average of the two sides",
                num(a0)
            ),
        );
    }
    // Halve before adding so ties near f64::MAX do not overflow.
    let half = a.constant(0.5);
    a.mul(&half).add(&b.mul(&half))
}

/// Whether a call of `name` with `got` arguments (and `primes` primes)
/// fits a function taking `min` to `max`: the one place arity is checked
/// and worded, for built-ins, array functions and user functions alike.
pub fn check_arity(
    name: &str,
    min: usize,
    max: usize,
    got: usize,
    primes: usize,
) -> Result<(), Error> {
    if primes > 0 && (min > 1 || max < 1) {
        return Err(Error::new(
            ErrorKind::Arity,
            format!(
                "`{name}{}` needs a function of one variable, but `{name}` takes {}",
                "'".repeat(primes),
                plural(min, "argument")
            ),
        ));
    }
    if primes > 0 && got != 1 {
        return Err(Error::new(
            ErrorKind::Arity,
            format!(
                "`{name}{}` takes 1 argument, but {got} were given",
                "'".repeat(primes)
            ),
        ));
    }
    if got < min || got > max {
        let want = if min == max {
            plural(min, "argument")
        } else {
            format!("{min} to {max} arguments")
        };
        return Err(Error::new(
            ErrorKind::Arity,
            format!(
                "`{name}` takes {want}, but {got} {} given",
                if got == 1 { "was" } else { "were" }
            ),
        ));
    }
    Ok(())
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_has_one_entry() {
        for (i, b) in BUILTINS.iter().enumerate() {
            assert_eq!(builtin(b.id).name, b.name);
            assert!(
                BUILTINS[i + 1..]
                    .iter()
                    .all(|o| o.id != b.id && o.name != b.name)
            );
        }
        assert_eq!(BUILTINS.len(), 38);
    }
}
