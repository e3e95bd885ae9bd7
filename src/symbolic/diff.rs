//! Differentiation of a canonical formula, one rule per kind of node.
//!
//! Every rule builds its result through the simplifying constructors, so
//! the derivative comes out simplified. A product whose factors include a
//! denominator is differentiated both by the product rule and by the
//! quotient rule, and the shorter result is kept (`x/(x + 1)` gives
//! `1/(x + 1)^2`, `sin(x)/x` gives `cos(x)/x - sin(x)/x^2`).
//!
//! Non-differentiable points follow the dual numbers' conventions, so that
//! the formula and the numbers agree everywhere: `abs' = sign`, `relu'(u) =
//! sign(relu(u))` (0 at 0), `sign' = 0`, and `min`/`max` average their two
//! sides at a tie.

use super::coef::Coef;
use super::simplify::{Constant, Sym, add, call, div, int, mul, neg, num, pow, sub};
use crate::builtins::BuiltinId;
use crate::error::Error;
use crate::limits::MAX_FORMULA_NODES;

/// What a differentiation needs besides the formula: the variable, and a
/// check that says when to stop (Ctrl-C, the time limit), asked every
/// [`POLL_EVERY`] nodes.
pub struct Cx<'a> {
    /// The variable.
    pub x: &'a str,
    poll: &'a mut dyn FnMut() -> Result<(), Error>,
    nodes: usize,
}

/// How many nodes are differentiated between two polls.
const POLL_EVERY: usize = 256;

impl<'a> Cx<'a> {
    /// Differentiation by `x`, asking `poll` now and then whether to stop.
    pub fn new(x: &'a str, poll: &'a mut dyn FnMut() -> Result<(), Error>) -> Cx<'a> {
        Cx { x, poll, nodes: 0 }
    }
}

/// `∂e/∂x` without a way to stop early (small formulas: a step's inner
/// derivative, a user function's `f'`).
pub fn diff_by(e: &Sym, x: &str) -> Result<Sym, Error> {
    diff(e, &mut Cx::new(x, &mut || Ok(())))
}

/// `∂e/∂x`, simplified; a limit error when it grows past [`MAX_FORMULA_NODES`].
pub fn diff(e: &Sym, cx: &mut Cx<'_>) -> Result<Sym, Error> {
    if !e.has(cx.x) {
        return Ok(int(0));
    }
    cx.nodes += 1;
    if cx.nodes.is_multiple_of(POLL_EVERY) {
        (cx.poll)()?;
    }
    let d = match e {
        Sym::Name(_) => int(1),
        Sym::Num(_) | Sym::Const(_) => int(0),
        Sym::Add(v) => add(v.iter().map(|t| diff(t, cx)).collect::<Result<_, _>>()?),
        Sym::Mul(v) => product(v, cx)?,
        Sym::Pow(b, p) => power(b, p, cx)?,
        Sym::Call(id, args) => chain(*id, args, cx)?,
    };
    bounded(d)
}

fn bounded(d: Sym) -> Result<Sym, Error> {
    if d.size() > MAX_FORMULA_NODES {
        return Err(Error::limit(
            "the derivative's formula is too large",
            format!("{MAX_FORMULA_NODES} nodes"),
        ));
    }
    Ok(d)
}

/// `d/dx b^p`.
fn power(b: &Sym, p: &Sym, cx: &mut Cx<'_>) -> Result<Sym, Error> {
    let bp = pow(b.clone(), p.clone());
    if !p.has(cx.x) {
        // a·b^(a-1)·b'
        let db = diff(b, cx)?;
        return Ok(mul(vec![
            p.clone(),
            pow(b.clone(), add(vec![p.clone(), int(-1)])),
            db,
        ]));
    }
    let dp = diff(p, cx)?;
    if !b.has(cx.x) {
        return Ok(mul(vec![bp, ln(b.clone()), dp]));
    }
    // x^y = e^(y ln x): x^y·(y'·ln x + y·x'/x)
    let db = diff(b, cx)?;
    Ok(mul(vec![
        bp,
        add(vec![
            mul(vec![dp, ln(b.clone())]),
            mul(vec![p.clone(), db, pow(b.clone(), int(-1))]),
        ]),
    ]))
}

fn ln(u: Sym) -> Sym {
    call(BuiltinId::Ln, vec![u])
}

/// A factor of a product, split for the product and quotient rules.
struct Factor {
    /// The factor as it stands.
    whole: Sym,
    /// Its derivative.
    d: Sym,
    /// For a denominator factor `b^-k`: `b^k` and its derivative.
    den: Option<(Sym, Sym)>,
}

fn factor(f: &Sym, cx: &mut Cx<'_>) -> Result<Factor, Error> {
    if let Sym::Pow(b, p) = f
        && let Some(k) = p.as_num()
        && k.is_negative()
        && b.has(cx.x)
    {
        // b^-k: derivative -k·b^(-k-1)·b'; as a denominator b^k, k·b^(k-1)·b'.
        let db = diff(b, cx)?;
        let k = k.negated();
        let whole_d = mul(vec![
            num(k.negated()),
            pow((**b).clone(), num(k.negated().plus(Coef::int(-1)))),
            db.clone(),
        ]);
        let den = pow((**b).clone(), num(k));
        let den_d = mul(vec![
            num(k),
            pow((**b).clone(), num(k.plus(Coef::int(-1)))),
            db,
        ]);
        return Ok(Factor {
            whole: f.clone(),
            d: whole_d,
            den: Some((den, den_d)),
        });
    }
    Ok(Factor {
        whole: f.clone(),
        d: diff(f, cx)?,
        den: None,
    })
}

/// The sum over `i` of `d_i · Π_{j≠i} f_j`.
fn leibniz(fs: &[(&Sym, &Sym)]) -> Sym {
    let mut terms = Vec::new();
    for (i, (_, d)) in fs.iter().enumerate() {
        if d.is_zero() {
            continue;
        }
        let mut t: Vec<Sym> = Vec::with_capacity(fs.len());
        for (j, (f, _)) in fs.iter().enumerate() {
            if j != i {
                t.push((*f).clone());
            }
        }
        t.push((*d).clone());
        terms.push(mul(t));
    }
    add(terms)
}

/// `d/dx Π f_i`: the product rule, or the quotient rule where shorter.
fn product(v: &[Sym], cx: &mut Cx<'_>) -> Result<Sym, Error> {
    // Factors free of x are a constant multiple.
    let (vary, fixed): (Vec<&Sym>, Vec<&Sym>) = v.iter().partition(|f| f.has(cx.x));
    let fs = vary
        .iter()
        .map(|f| factor(f, cx))
        .collect::<Result<Vec<_>, _>>()?;
    let constant = mul(fixed.into_iter().cloned().collect());
    let pairs: Vec<(&Sym, &Sym)> = fs.iter().map(|f| (&f.whole, &f.d)).collect();
    let by_product = bounded(mul(vec![constant.clone(), leibniz(&pairs)]))?;
    let (dens, nums): (Vec<&Factor>, Vec<&Factor>) = fs.iter().partition(|f| f.den.is_some());
    if dens.is_empty() || nums.is_empty() {
        return Ok(by_product);
    }
    let n_pairs: Vec<(&Sym, &Sym)> = nums.iter().map(|f| (&f.whole, &f.d)).collect();
    let d_pairs: Vec<(&Sym, &Sym)> = dens
        .iter()
        .filter_map(|f| f.den.as_ref().map(|(a, b)| (a, b)))
        .collect();
    let n = mul(nums.iter().map(|f| f.whole.clone()).collect());
    let d = mul(d_pairs.iter().map(|(a, _)| (*a).clone()).collect());
    // (N'D - ND')/D²
    let top = sub(
        mul(vec![leibniz(&n_pairs), d.clone()]),
        mul(vec![n, leibniz(&d_pairs)]),
    );
    let by_quotient = bounded(mul(vec![constant, div(top, pow(d, int(2)))]))?;
    Ok(
        if super::print::tokens(&by_quotient) < super::print::tokens(&by_product) {
            by_quotient
        } else {
            by_product
        },
    )
}

/// `d/dx f(args)`: the chain rule with each built-in's derivative.
fn chain(id: BuiltinId, args: &[Sym], cx: &mut Cx<'_>) -> Result<Sym, Error> {
    use BuiltinId as B;
    if let (B::Log, [a, b]) = (id, args) {
        // log(a, b) = ln(a)/ln(b)
        let q = mul(vec![ln(a.clone()), pow(ln(b.clone()), int(-1))]);
        return diff(&q, cx);
    }
    if let [a, b] = args {
        let (da, db) = (diff(a, cx)?, diff(b, cx)?);
        let (a, b) = (a.clone(), b.clone());
        let half = || num(Coef::Rat(1, 2));
        return Ok(match id {
            // (x·y' - y·x')/(x² + y²) for atan2(y, x)
            B::Atan2 => div(
                sub(mul(vec![b.clone(), da]), mul(vec![a.clone(), db])),
                add(vec![pow(a, int(2)), pow(b, int(2))]),
            ),
            B::Hypot => div(
                add(vec![mul(vec![a.clone(), da]), mul(vec![b.clone(), db])]),
                call(B::Hypot, vec![a, b]),
            ),
            // a'·(1 + s)/2 + b'·(1 - s)/2 with s = sign(a - b) for max
            // (sign(b - a) for min): the chosen side's derivative, the
            // average of both at a tie; each side's derivative written once.
            B::Min | B::Max => {
                let s = call(
                    B::Sign,
                    vec![if id == B::Min { sub(b, a) } else { sub(a, b) }],
                );
                add(vec![
                    mul(vec![half(), da, add(vec![int(1), s.clone()])]),
                    mul(vec![half(), db, sub(int(1), s)]),
                ])
            }
            // mod(a, b) = a - b·floor(a/b); floor's derivative is 0 between its jumps.
            B::Mod => sub(da, mul(vec![db, call(B::Floor, vec![div(a, b)])])),
            _ => {
                return Err(Error::new(
                    crate::error::ErrorKind::Arity,
                    format!(
                        "no derivative rule for {} of two arguments",
                        crate::builtins::builtin(id).name
                    ),
                ));
            }
        });
    }
    let [u] = args else {
        return Ok(int(0));
    };
    if id == B::Gamma {
        return Err(Error::new(
            crate::error::ErrorKind::Arity,
            "gamma's derivative has no formula here: it needs the digamma function ψ, \
             Γ'(x) = Γ(x)·ψ(x)",
        )
        .help("the numbers come from :diff (dual numbers), e.g. :diff gamma(x) at 2"));
    }
    let du = diff(u, cx)?;
    let outer = outer_derivative(id, u);
    Ok(mul(vec![outer, du]))
}

/// `g'(u)` for a one-argument built-in `g`.
pub fn outer_derivative(id: BuiltinId, u: &Sym) -> Sym {
    use BuiltinId as B;
    let u = || u.clone();
    let sq = |s: Sym| pow(s, int(2));
    let inv_sqrt = |s: Sym| pow(s, num(Coef::Rat(-1, 2)));
    match id {
        B::Sin => call(B::Cos, vec![u()]),
        B::Cos => neg(call(B::Sin, vec![u()])),
        B::Tan => add(vec![int(1), sq(call(B::Tan, vec![u()]))]),
        B::Asin => inv_sqrt(sub(int(1), sq(u()))),
        B::Acos => neg(inv_sqrt(sub(int(1), sq(u())))),
        B::Atan => pow(add(vec![sq(u()), int(1)]), int(-1)),
        B::Sinh => call(B::Cosh, vec![u()]),
        B::Cosh => call(B::Sinh, vec![u()]),
        B::Tanh => sub(int(1), sq(call(B::Tanh, vec![u()]))),
        B::Asinh => inv_sqrt(add(vec![sq(u()), int(1)])),
        B::Acosh => inv_sqrt(sub(sq(u()), int(1))),
        B::Atanh => pow(sub(int(1), sq(u())), int(-1)),
        B::Exp => call(B::Exp, vec![u()]),
        B::Ln | B::Log => pow(u(), int(-1)),
        B::Log2 => pow(mul(vec![u(), ln(int(2))]), int(-1)),
        B::Log10 => pow(mul(vec![u(), ln(int(10))]), int(-1)),
        B::Sqrt => mul(vec![num(Coef::Rat(1, 2)), inv_sqrt(u())]),
        B::Cbrt => pow(mul(vec![int(3), sq(call(B::Cbrt, vec![u()]))]), int(-1)),
        B::Abs => call(B::Sign, vec![u()]),
        B::Sign => int(0),
        B::Sigmoid => {
            let s = call(B::Sigmoid, vec![u()]);
            mul(vec![s.clone(), sub(int(1), s)])
        }
        B::Softplus => call(B::Sigmoid, vec![u()]),
        B::Relu => call(B::Sign, vec![call(B::Relu, vec![u()])]),
        B::Erf => mul(vec![
            int(2),
            call(B::Exp, vec![neg(sq(u()))]),
            inv_sqrt(Sym::Const(Constant::Pi)),
        ]),
        B::Sec => mul(vec![call(B::Sec, vec![u()]), call(B::Tan, vec![u()])]),
        B::Csc => neg(mul(vec![call(B::Csc, vec![u()]), call(B::Cot, vec![u()])])),
        B::Cot => neg(add(vec![int(1), sq(call(B::Cot, vec![u()]))])),
        // Steps: 0 between their jumps (the notes say where they jump).
        B::Floor | B::Ceil | B::Round => int(0),
        // Refused in `chain` before it asks here (digamma is no built-in).
        B::Gamma => int(0),
        B::Pow | B::Atan2 | B::Hypot | B::Min | B::Max | B::Mod => int(0),
    }
}
