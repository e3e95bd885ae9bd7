//! Formulas in canonical form, built only through simplifying constructors.
//!
//! A [`Sym`] is always simplified: [`add`], [`mul`], [`pow`] and [`call`]
//! fold numbers, drop `0·a`, `1·a`, `a + 0` and `a^1`, flatten nested sums
//! and products, collect like terms (`2x + 3x` is `5x`) and like factors
//! (`x·x^2` is `x^3`), and sort terms and factors into one canonical order,
//! so that equal things print equally. A quotient is a product with negative
//! powers (printed as a quotient again); sums are never multiplied out, so
//! factored forms stay factored. Each constructor only looks at its own
//! (already simplified) operands: there is no rewriting to a fixed point, so
//! simplification always terminates and is idempotent.

use super::coef::Coef;
use crate::builtins::{self, BuiltinId};
use std::cmp::Ordering;

/// The named constants a formula may keep by name (`ln(2)/pi` stays exact).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Constant {
    /// π
    Pi,
    /// Euler's number
    E,
    /// τ = 2π
    Tau,
}

impl Constant {
    /// The name it is written with.
    pub fn name(self) -> &'static str {
        match self {
            Constant::Pi => "pi",
            Constant::E => "e",
            Constant::Tau => "tau",
        }
    }
    /// Its value.
    pub fn value(self) -> f64 {
        match self {
            Constant::Pi => std::f64::consts::PI,
            Constant::E => std::f64::consts::E,
            Constant::Tau => std::f64::consts::TAU,
        }
    }
    /// The constant called `name`.
    pub fn named(name: &str) -> Option<Constant> {
        [Constant::Pi, Constant::E, Constant::Tau]
            .into_iter()
            .find(|c| c.name() == name)
    }
}

/// A formula in canonical form (build it with the constructors of this module).
#[derive(Clone, Debug, PartialEq)]
pub enum Sym {
    /// A number.
    Num(Coef),
    /// A named constant.
    Const(Constant),
    /// A variable, or a session variable held constant.
    Name(String),
    /// A sum of at least two terms, in canonical order, the number last.
    Add(Vec<Sym>),
    /// A product of at least two factors, the numeric coefficient first.
    Mul(Vec<Sym>),
    /// A power (a square root is the power ½).
    Pow(Box<Sym>, Box<Sym>),
    /// A built-in function (never `sqrt` or `pow`, which are powers; `log` of
    /// one argument is `ln`).
    Call(BuiltinId, Vec<Sym>),
}

/// The number `n`.
pub fn int(n: i64) -> Sym {
    Sym::Num(Coef::int(n))
}

/// A number.
pub fn num(c: Coef) -> Sym {
    Sym::Num(c)
}

impl Sym {
    /// The number it is, if it is one.
    pub fn as_num(&self) -> Option<Coef> {
        match self {
            Sym::Num(c) => Some(*c),
            _ => None,
        }
    }
    /// Exactly zero.
    pub fn is_zero(&self) -> bool {
        self.as_num().is_some_and(Coef::is_zero)
    }
    /// Exactly one.
    pub fn is_one(&self) -> bool {
        self.as_num().is_some_and(Coef::is_one)
    }
    /// How many nodes: the measure of a formula's size.
    pub fn size(&self) -> usize {
        match self {
            Sym::Num(_) | Sym::Const(_) | Sym::Name(_) => 1,
            Sym::Add(v) | Sym::Mul(v) | Sym::Call(_, v) => {
                1 + v.iter().map(Sym::size).sum::<usize>()
            }
            Sym::Pow(b, e) => 1 + b.size() + e.size(),
        }
    }
    /// Whether the name `x` occurs in it.
    pub fn has(&self, x: &str) -> bool {
        match self {
            Sym::Name(n) => n == x,
            Sym::Num(_) | Sym::Const(_) => false,
            Sym::Add(v) | Sym::Mul(v) | Sym::Call(_, v) => v.iter().any(|s| s.has(x)),
            Sym::Pow(b, e) => b.has(x) || e.has(x),
        }
    }
    /// Splits a term into its numeric coefficient and the rest (`None` for a number).
    pub fn split_coef(&self) -> (Coef, Option<Sym>) {
        match self {
            Sym::Num(c) => (*c, None),
            Sym::Mul(v) => match v[0].as_num() {
                Some(c) if v.len() == 2 => (c, Some(v[1].clone())),
                Some(c) => (c, Some(Sym::Mul(v[1..].to_vec()))),
                None => (Coef::int(1), Some(self.clone())),
            },
            _ => (Coef::int(1), Some(self.clone())),
        }
    }
    /// Splits a term into its numeric coefficient and the factors of the
    /// rest, borrowed (empty for a number).
    pub fn coef_factors(&self) -> (Coef, &[Sym]) {
        match self {
            Sym::Num(c) => (*c, &[]),
            Sym::Mul(v) => match v[0].as_num() {
                Some(c) => (c, &v[1..]),
                None => (Coef::int(1), &v[..]),
            },
            _ => (Coef::int(1), std::slice::from_ref(self)),
        }
    }
    /// Splits a factor into base and exponent (`x` is `x^1`).
    fn base_exp(self) -> (Sym, Sym) {
        match self {
            Sym::Pow(b, e) => (*b, *e),
            s => (s, int(1)),
        }
    }
    /// Rebuilds every node through the constructors with `f` applied to the
    /// names: substitution.
    pub fn map_names(&self, f: &impl Fn(&str) -> Option<Sym>) -> Sym {
        match self {
            Sym::Name(n) => f(n).unwrap_or_else(|| self.clone()),
            Sym::Num(_) | Sym::Const(_) => self.clone(),
            Sym::Add(v) => add(v.iter().map(|s| s.map_names(f)).collect()),
            Sym::Mul(v) => mul(v.iter().map(|s| s.map_names(f)).collect()),
            Sym::Pow(b, e) => pow(b.map_names(f), e.map_names(f)),
            Sym::Call(id, v) => call(*id, v.iter().map(|s| s.map_names(f)).collect()),
        }
    }
}

// ------------------------------------------------------------ canonical order

fn rank(s: &Sym) -> u8 {
    match s {
        Sym::Num(_) => 0,
        Sym::Const(_) => 1,
        Sym::Add(_) => 2,
        Sym::Name(_) => 3,
        // A power of a power sorts with its innermost base.
        Sym::Pow(b, _) => rank(b),
        Sym::Mul(_) => 4,
        Sym::Call(..) => 5,
    }
}

/// A factor's base and exponent, by reference (`None` for the exponent 1).
fn base_ref(s: &Sym) -> (&Sym, Option<&Sym>) {
    match s {
        Sym::Pow(b, e) => (b, Some(e)),
        _ => (s, None),
    }
}

/// The canonical total order. A power sorts with its base, so `x` and `x^2`
/// sit together, groups before names before calls (`2(x1 + 5)x2`).
pub fn cmp(a: &Sym, b: &Sym) -> Ordering {
    let (ba, ea) = base_ref(a);
    let (bb, eb) = base_ref(b);
    rank(ba)
        .cmp(&rank(bb))
        .then_with(|| cmp_same(ba, bb))
        .then_with(|| match (ea, eb) {
            (None, None) => Ordering::Equal,
            (Some(x), None) => cmp(x, &int(1)),
            (None, Some(y)) => cmp(&int(1), y),
            (Some(x), Some(y)) => cmp(x, y),
        })
}

fn cmp_list(a: &[Sym], b: &[Sym]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = cmp(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

fn cmp_same(a: &Sym, b: &Sym) -> Ordering {
    match (a, b) {
        (Sym::Num(x), Sym::Num(y)) => x.total_cmp(*y),
        (Sym::Const(x), Sym::Const(y)) => x.cmp(y),
        (Sym::Name(x), Sym::Name(y)) => name_cmp(x, y),
        (Sym::Add(x), Sym::Add(y)) | (Sym::Mul(x), Sym::Mul(y)) => cmp_list(x, y),
        (Sym::Call(f, x), Sym::Call(g, y)) => builtins::builtin(*f)
            .name
            .cmp(builtins::builtin(*g).name)
            .then_with(|| cmp_list(x, y)),
        (Sym::Pow(b1, e1), Sym::Pow(b2, e2)) => cmp(b1, b2).then_with(|| cmp(e1, e2)),
        // The base of a power of a power against a base that is no power
        // (`(k^y)^x` against `k·…`): compared as factors, so that the order
        // stays total (calling them equal made sorting depend on the order
        // the factors came in, and simplifying again could reorder them).
        (Sym::Pow(..), _) | (_, Sym::Pow(..)) => cmp(a, b),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Names in natural order: `x2` before `x10`.
fn name_cmp(a: &str, b: &str) -> Ordering {
    let split = |s: &str| {
        let t = s.trim_end_matches(|c: char| c.is_ascii_digit());
        (t.to_string(), s[t.len()..].parse::<u128>().ok())
    };
    split(a).cmp(&split(b)).then_with(|| a.cmp(b))
}

/// The polynomial degree of a term in its names, for ordering sums the way
/// people write them: `3x^2 + 2x - 1`.
fn degree(s: &Sym) -> f64 {
    match s {
        Sym::Name(_) => 1.0,
        Sym::Pow(b, e) if matches!(**b, Sym::Name(_)) => e.as_num().map_or(0.0, Coef::to_f64),
        Sym::Mul(v) => v.iter().map(degree).sum(),
        _ => 0.0,
    }
}

fn term_cmp(a: &Sym, b: &Sym) -> Ordering {
    let is_num = |s: &Sym| matches!(s, Sym::Num(_));
    is_num(a)
        .cmp(&is_num(b))
        .then_with(|| degree(b).total_cmp(&degree(a)))
        .then_with(|| cmp_list(a.coef_factors().1, b.coef_factors().1))
        .then_with(|| cmp(a, b))
}

/// The product of already canonical factors without a coefficient.
fn rest_of(factors: &[Sym]) -> Sym {
    match factors {
        [f] => f.clone(),
        v => Sym::Mul(v.to_vec()),
    }
}

// ------------------------------------------------------------ constructors

/// `c · rest`, where `rest` is already canonical and has no coefficient.
fn scale(c: Coef, rest: Sym) -> Sym {
    if c.is_zero() {
        return num(c);
    }
    if c.is_one() {
        return rest;
    }
    match rest {
        Sym::Mul(mut v) => {
            v.insert(0, num(c));
            Sym::Mul(v)
        }
        // A minus is distributed over a lone sum, and so is an integer over
        // a sum of a term and a number: `-(a + b)` is `-a - b`, `2(x + 1)`
        // is `2x + 2`, neither longer; `2(x + y)` stays (distributing would
        // lengthen it).
        Sym::Add(v)
            if c == Coef::int(-1)
                || (c.as_int().is_some()
                    && v.len() == 2
                    && v.iter().any(|t| t.as_num().is_some())) =>
        {
            add(v.into_iter().map(|t| mul(vec![num(c), t])).collect())
        }
        // A fraction only where the term has a denominator already, so that
        // nothing is written twice: `(x/2 + 1)/2` is `x/4 + 1/2` (an affine
        // map applied again and again stays two terms), but `(x + 1)/3`
        // stays (`x/3 + 1/3` would write the denominator twice).
        Sym::Add(v)
            if v.len() == 2
                && v.iter().any(|t| t.as_num().is_some())
                && v.iter().any(|t| {
                    t.as_num().is_none() && t.coef_factors().0.parts().is_some_and(|(_, q)| q != 1)
                }) =>
        {
            add(v.into_iter().map(|t| mul(vec![num(c), t])).collect())
        }
        r => Sym::Mul(vec![num(c), r]),
    }
}

/// The sum of `terms`, simplified.
pub fn add(terms: Vec<Sym>) -> Sym {
    let mut flat = Vec::with_capacity(terms.len());
    for t in terms {
        match t {
            Sym::Add(v) => flat.extend(v),
            t => flat.push(t),
        }
    }
    if let Some(spread) = spread_shared_terms(&flat) {
        return add(spread);
    }
    let mut constant = Coef::int(0);
    let mut pairs: Vec<(Coef, &[Sym])> = Vec::with_capacity(flat.len());
    for t in &flat {
        match t.coef_factors() {
            (c, []) => constant = constant.plus(c),
            (c, r) => pairs.push((c, r)),
        }
    }
    pairs.sort_by(|a, b| cmp_list(a.1, b.1));
    let mut out: Vec<Sym> = Vec::with_capacity(pairs.len() + 1);
    let mut i = 0;
    while i < pairs.len() {
        let mut c = pairs[i].0;
        let mut j = i + 1;
        while j < pairs.len() && pairs[j].1 == pairs[i].1 {
            c = c.plus(pairs[j].0);
            j += 1;
        }
        if !c.is_zero() {
            match scale(c, rest_of(pairs[i].1)) {
                Sym::Add(v) => {
                    // A distributed coefficient: merge the pieces back in.
                    let rest: Vec<Sym> = pairs[j..]
                        .iter()
                        .map(|(c, r)| scale(*c, rest_of(r)))
                        .collect();
                    return add(out
                        .into_iter()
                        .chain(v)
                        .chain(rest)
                        .chain(std::iter::once(num(constant)))
                        .collect());
                }
                t => out.push(t),
            }
        }
        i = j;
    }
    if !constant.is_zero() || out.is_empty() {
        out.push(num(constant));
    }
    if out.len() == 1 {
        return out.pop().unwrap_or_else(|| int(0));
    }
    out.sort_by(term_cmp);
    Sym::Add(out)
}

/// The product of `factors`, simplified.
pub fn mul(factors: Vec<Sym>) -> Sym {
    let mut coef = Coef::int(1);
    let mut pairs: Vec<(Sym, Sym)> = Vec::with_capacity(factors.len());
    let mut stack = factors;
    while let Some(f) = stack.pop() {
        match f {
            Sym::Num(c) => coef = coef.times(c),
            Sym::Mul(v) => stack.extend(v),
            f => pairs.push(f.base_exp()),
        }
    }
    if coef.is_zero() {
        return num(coef);
    }
    if let Some(spread) = spread_shared_powers(&pairs) {
        return mul(spread
            .into_iter()
            .chain(std::iter::once(num(coef)))
            .collect());
    }
    pairs.sort_by(|a, b| cmp(&a.0, &b.0));
    let mut out: Vec<Sym> = Vec::with_capacity(pairs.len());
    // Whether a factor came out of collecting (`u^-½·u^-½` is `u^-1`) or
    // took a new base: then it may collect with, or spread into, the others.
    let mut changed = false;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i + 1;
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            j += 1;
        }
        changed |= j > i + 1;
        let e = if j == i + 1 {
            pairs[i].1.clone()
        } else {
            add(pairs[i..j].iter().map(|p| p.1.clone()).collect())
        };
        match pow(pairs[i].0.clone(), e) {
            Sym::Num(c) => coef = coef.times(c),
            // A power of a product distributes (an integer power): its factors join ours.
            Sym::Mul(v) => {
                return mul(out
                    .into_iter()
                    .chain(v)
                    .chain(std::iter::once(num(coef)))
                    .chain(pairs[j..].iter().map(|(b, e)| pow(b.clone(), e.clone())))
                    .collect());
            }
            f => {
                // `(x^2)^-1` comes back as `x^-2`: a new base, which may
                // collect with a factor already placed.
                changed |= base_ref(&f).0 != &pairs[i].0;
                out.push(f);
            }
        }
        i = j;
    }
    if coef.is_zero() {
        return num(coef);
    }
    if changed {
        // A new base may repeat one already placed, and a new exponent may
        // make a power of a product an integer one whose factors collect
        // with ours (`y^2·((x + 5)y^2)^-½·((x + 5)y^2)^-½` has
        // `((x + 5)y^2)^-1`, which spreads so that `y^2` cancels): both are
        // what a second pass would do, so do it now.
        let placed: Vec<(Sym, Sym)> = out.iter().map(|f| f.clone().base_exp()).collect();
        let repeated = (1..placed.len()).any(|k| placed[..k].iter().any(|p| p.0 == placed[k].0));
        if repeated || spread_shared_powers(&placed).is_some() {
            return mul(out.into_iter().chain(std::iter::once(num(coef))).collect());
        }
    }
    finish_product(coef, out)
}

/// The product of `coef` and the collected factors `out`, in canonical
/// form. A sum whose terms are all negative gives its minus to the
/// coefficient: `-(a + b)c`, not `(-a - b)c`.
fn finish_product(mut coef: Coef, mut out: Vec<Sym>) -> Sym {
    for f in out.iter_mut() {
        if let Sym::Add(v) = f
            && v.iter().all(|t| t.coef_factors().0.is_negative())
        {
            *f = add(v.iter().map(|t| mul(vec![int(-1), t.clone()])).collect());
            coef = coef.negated();
        }
    }
    out.sort_by(cmp);
    match out.len() {
        0 => num(coef),
        1 if coef.is_one() => out.pop().unwrap_or_else(|| int(1)),
        _ => {
            if out.len() == 1
                && let Sym::Add(_) = out[0]
            {
                return scale(coef, out.swap_remove(0));
            }
            if !coef.is_one() {
                out.insert(0, num(coef));
            }
            Sym::Mul(out)
        }
    }
}

/// When a multiple of a sum, `c·u·(a + b)`, has a term that collects with
/// another term of the sum it is in (`(a + b)/2 + a/2`), it is multiplied
/// out so that they can be collected (`a + b/2`); `None` when nothing would.
fn spread_shared_terms(flat: &[Sym]) -> Option<Vec<Sym>> {
    // The terms of a multiple of one sum, multiplied out.
    fn spread(t: &Sym) -> Option<Vec<Sym>> {
        let Sym::Mul(v) = t else { return None };
        let mut sums = v.iter().filter(|f| matches!(f, Sym::Add(_)));
        let (Some(Sym::Add(inner)), None) = (sums.next(), sums.next()) else {
            return None;
        };
        let others: Vec<&Sym> = v.iter().filter(|f| !matches!(f, Sym::Add(_))).collect();
        Some(
            inner
                .iter()
                .map(|u| {
                    mul(others
                        .iter()
                        .map(|f| (*f).clone())
                        .chain([u.clone()])
                        .collect())
                })
                .collect(),
        )
    }
    let spreads: Vec<Option<Vec<Sym>>> = flat.iter().map(spread).collect();
    // Whether the `j`-th term has the rest `r`, or is a multiple of a sum
    // that has one (`2(a - b) - 3(a + b)`: both spread, and collect).
    let holds = |j: usize, r: &[Sym]| {
        flat[j].coef_factors().1 == r
            || spreads[j]
                .as_ref()
                .is_some_and(|ts| ts.iter().any(|u| u.coef_factors().1 == r))
    };
    let hit = (0..flat.len()).position(|i| {
        spreads[i].as_ref().is_some_and(|ts| {
            ts.iter().any(|u| {
                let r = u.coef_factors().1;
                !r.is_empty() && (0..flat.len()).any(|j| j != i && holds(j, r))
            })
        })
    })?;
    let mut out: Vec<Sym> = flat
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != hit)
        .map(|(_, t)| t.clone())
        .collect();
    out.extend(spreads[hit].clone()?);
    Some(out)
}

/// When a power of a product, `(a·b)^n`, shares a base with another factor
/// (`a·(a·b)^-2`), the factors with that power spread out so that they can
/// be collected (`1/(a·b^2)`); `None` when there is nothing to collect.
fn spread_shared_powers(pairs: &[(Sym, Sym)]) -> Option<Vec<Sym>> {
    // Whether a base inside `inner` (looking through nested powers of
    // products) is the base of another factor than the `i`-th.
    fn found(inner: &[Sym], i: usize, pairs: &[(Sym, Sym)]) -> bool {
        inner.iter().any(|f| {
            let fb = match f {
                Sym::Pow(b, _) => &**b,
                f => f,
            };
            if let Sym::Mul(v) = fb
                && found(v, i, pairs)
            {
                return true;
            }
            pairs
                .iter()
                .enumerate()
                .any(|(j, (b, _))| j != i && b == fb)
        })
    }
    let shares = |i: usize| -> bool {
        match (&pairs[i].0, pairs[i].1.as_num().and_then(Coef::as_int)) {
            (Sym::Mul(inner), Some(_)) => found(inner, i, pairs),
            _ => false,
        }
    };
    let hits: Vec<usize> = (0..pairs.len()).filter(|&i| shares(i)).collect();
    if hits.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(pairs.len() + 4);
    for (i, (b, e)) in pairs.iter().enumerate() {
        match b {
            Sym::Mul(inner) if hits.contains(&i) => {
                out.extend(inner.iter().map(|f| pow(f.clone(), e.clone())));
            }
            _ => out.push(pow(b.clone(), e.clone())),
        }
    }
    Some(out)
}

/// `b^e`, simplified.
pub fn pow(b: Sym, e: Sym) -> Sym {
    if e.is_zero() || b.is_one() {
        return int(1);
    }
    if e.is_one() {
        return b;
    }
    let en = e.as_num();
    if let (Some(bc), Some(ec)) = (b.as_num(), en) {
        if bc.is_zero() && ec.is_negative() {
            // 1/0 as IEEE arithmetic has it, as the numbers do.
            return num(Coef::Real(f64::INFINITY));
        }
        if let Some(n) = ec.as_int()
            && let Some(c) = bc.powi(n)
        {
            return num(c);
        }
        let v = builtins::powr(bc.to_f64(), ec.to_f64());
        if v.is_finite() && v == v.trunc() && v.abs() < 1e15 && bc.parts().is_some() {
            // `4^(1/2)` is 2 exactly; irrational results stay symbolic.
            let back = builtins::powr(v, ec.recip().map_or(f64::NAN, Coef::to_f64));
            if back == bc.to_f64() {
                return num(Coef::from_f64(v));
            }
        }
    }
    if b.is_zero() && (en.is_some_and(|c| !c.is_negative()) || positive(&e)) {
        return int(0);
    }
    // (x^k)^b = x^(k·b) for an odd integer k: where x < 0 the left side is
    // undefined for a fractional b, so nothing defined changes.
    if let (Sym::Pow(b2, e2), Some(b_exp)) = (&b, en)
        && b_exp.as_int().is_none()
        && e2
            .as_num()
            .and_then(Coef::as_int)
            .is_some_and(|k| k % 2 != 0)
    {
        return pow((**b2).clone(), mul(vec![(**e2).clone(), e]));
    }
    if let Some(n) = en.and_then(Coef::as_int) {
        match b {
            // (x^a)^n = x^(a·n) for an integer n.
            Sym::Pow(b2, e2) => return pow(*b2, mul(vec![*e2, int(n)])),
            // (c·u)^n = c^n·u^n for a number c and an integer n; the rest of a
            // product stays grouped unless `mul` finds its factors elsewhere.
            Sym::Mul(mut v) if v[0].as_num().is_some() => {
                let c = v.remove(0);
                let rest = if v.len() == 1 {
                    v.remove(0)
                } else {
                    Sym::Mul(v)
                };
                return mul(vec![pow(c, int(n)), pow(rest, int(n))]);
            }
            b @ Sym::Mul(_) => return Sym::Pow(Box::new(b), Box::new(int(n))),
            _ => {}
        }
    }
    Sym::Pow(Box::new(b), Box::new(e))
}

/// `f(args)`, with the identities that hold wherever the left side is
/// defined: numbers folded when the result is an integer (`cos(0)` is 1,
/// `ln(2)` stays), `ln(exp(u)) = u`, `ln(e) = 1`, `abs(abs(u)) = abs(u)`.
pub fn call(id: BuiltinId, args: Vec<Sym>) -> Sym {
    use BuiltinId as B;
    if args.iter().all(|a| a.as_num().is_some()) {
        let xs: Vec<f64> = args
            .iter()
            .filter_map(|a| a.as_num().map(Coef::to_f64))
            .collect();
        let mut notes = Vec::new();
        let v: f64 = builtins::apply(id, &xs, &mut notes);
        if v.is_finite() && v == v.trunc() && v.abs() < 1e15 {
            return num(Coef::from_f64(v));
        }
        // These pick one of their arguments (or its negative): exact.
        if matches!(id, B::Min | B::Max | B::Abs | B::Relu)
            && let Some(c) = args.iter().filter_map(Sym::as_num).find_map(|c| {
                let w = c.to_f64();
                (w == v).then_some(c).or((-w == v).then(|| c.negated()))
            })
        {
            return num(c);
        }
    }
    match (id, args.as_slice()) {
        (B::Ln | B::Log, [Sym::Call(B::Exp, u)]) => return u[0].clone(),
        (B::Ln | B::Log, [Sym::Const(Constant::E)]) => return int(1),
        (B::Exp, [Sym::Call(B::Ln | B::Log, _)]) => {}
        (B::Abs, [a @ Sym::Call(B::Abs, _)]) => return a.clone(),
        (B::Min | B::Max, [a, b]) if a == b => return a.clone(),
        // max(min(a, b), a) = a, min(max(a, b), a) = a: absorption.
        (B::Min | B::Max, [a, b]) if absorbs(id, a, b) => return b.clone(),
        (B::Min | B::Max, [a, b]) if absorbs(id, b, a) => return a.clone(),
        // sign(c·u) = sign(c)·sign(u) and abs(c·u) = |c|·abs(u) for a number c.
        (B::Sign | B::Abs, [u])
            if u.as_num().is_none()
                && !u.coef_factors().0.is_one()
                && u.coef_factors().0.to_f64().is_finite() =>
        {
            let (c, rest) = u.coef_factors();
            let inner = call(id, vec![rest_of(rest)]);
            let c = match id {
                B::Sign if c.is_negative() => Coef::int(-1),
                B::Sign => Coef::int(1),
                _ if c.is_negative() => c.negated(),
                _ => c,
            };
            return mul(vec![num(c), inner]);
        }
        // Where the argument can never be negative, these are the argument.
        (B::Relu | B::Abs, [u]) if nonneg(u) => return u.clone(),
        (B::Hypot, [a, b]) if a.is_zero() => return call(B::Abs, vec![b.clone()]),
        (B::Hypot, [a, b]) if b.is_zero() => return call(B::Abs, vec![a.clone()]),
        // max(c, max(u, d)) = max(c, u) where d ≤ c, and the like for min.
        (B::Min | B::Max, [a, b]) if let Some(s) = nested_bound(id, a, b) => return s,
        (B::Min | B::Max, [a, b]) if let Some(s) = nested_bound(id, b, a) => return s,
        // A number ≤ 0 against what is never negative.
        (B::Min | B::Max, [a, b]) => {
            let below =
                |c: &Sym, u: &Sym| c.as_num().is_some_and(|c| c.to_f64() <= 0.0) && nonneg(u);
            if below(a, b) || below(b, a) {
                let (low, high) = if below(a, b) { (a, b) } else { (b, a) };
                return if id == B::Min {
                    low.clone()
                } else {
                    high.clone()
                };
            }
        }
        (B::Pow, [b, e]) => return pow(b.clone(), e.clone()),
        (B::Sqrt, [a]) => return pow(a.clone(), num(Coef::Rat(1, 2))),
        (B::Log, [x, Sym::Const(Constant::E)]) => return call(B::Ln, vec![x.clone()]),
        (B::Log, [x]) => return call(B::Ln, vec![x.clone()]),
        _ => {}
    }
    Sym::Call(id, args)
}

/// `max(c, max(u, d))` as `max(c, u)` when the number `d` is at most the
/// number `c` (`min` alike with `d ≥ c`): `d` can never be chosen.
fn nested_bound(id: BuiltinId, c: &Sym, inner: &Sym) -> Option<Sym> {
    let cv = c.as_num()?.to_f64();
    let Sym::Call(inner_id, v) = inner else {
        return None;
    };
    if *inner_id != id {
        return None;
    }
    let beaten = |d: &Sym| {
        d.as_num().is_some_and(|d| {
            if id == BuiltinId::Max {
                d.to_f64() <= cv
            } else {
                d.to_f64() >= cv
            }
        })
    };
    let other = match v.as_slice() {
        [d, u] | [u, d] if beaten(d) => u,
        _ => return None,
    };
    Some(call(id, vec![c.clone(), other.clone()]))
}

/// Whether `inner` is the other of `min`/`max` (as `outer` is) with `other`
/// among its arguments: then `outer(inner, other)` is `other`.
fn absorbs(outer: BuiltinId, inner: &Sym, other: &Sym) -> bool {
    use BuiltinId as B;
    let dual = if outer == B::Min { B::Max } else { B::Min };
    matches!(inner, Sym::Call(id, v) if *id == dual && v.contains(other))
}

/// Whether `s` is never negative, for every value of its names (where it
/// is defined): squares, `abs`, `exp`, `sqrt`, `hypot`, `relu`, … and sums
/// and products of such.
pub(super) fn nonneg(s: &Sym) -> bool {
    use BuiltinId as B;
    match s {
        Sym::Num(c) => !c.is_negative(),
        Sym::Const(_) => true,
        Sym::Name(_) => false,
        Sym::Add(v) | Sym::Mul(v) => v.iter().all(nonneg),
        Sym::Pow(b, e) => {
            nonneg(b)
                || e.as_num()
                    .and_then(Coef::as_int)
                    .is_some_and(|k| k % 2 == 0)
        }
        Sym::Call(id, _) => matches!(
            id,
            B::Abs | B::Exp | B::Hypot | B::Relu | B::Sigmoid | B::Softplus | B::Acos | B::Cosh
        ),
    }
}

/// Whether `s` is positive for every value of its names.
fn positive(s: &Sym) -> bool {
    use BuiltinId as B;
    match s {
        Sym::Num(c) => c.to_f64() > 0.0,
        Sym::Const(_) => true,
        Sym::Name(_) => false,
        Sym::Mul(v) => v.iter().all(positive),
        Sym::Add(v) => v.iter().all(nonneg) && v.iter().any(positive),
        Sym::Pow(b, _) => positive(b),
        Sym::Call(id, _) => matches!(id, B::Exp | B::Sigmoid | B::Softplus | B::Cosh),
    }
}

/// `a - b`.
pub fn sub(a: Sym, b: Sym) -> Sym {
    add(vec![a, neg(b)])
}

/// `-a`.
pub fn neg(a: Sym) -> Sym {
    mul(vec![int(-1), a])
}

/// `a / b`.
pub fn div(a: Sym, b: Sym) -> Sym {
    mul(vec![a, pow(b, int(-1))])
}

/// The value of `s` (see [`super::eval`]), with the engine's own built-ins
/// and powers so that it agrees with the dual numbers to the last bits
/// wherever the formula is the same computation.
pub fn eval(s: &Sym, value: &dyn Fn(&str) -> Option<f64>) -> f64 {
    match s {
        Sym::Num(c) => c.to_f64(),
        Sym::Const(c) => c.value(),
        Sym::Name(n) => value(n).unwrap_or(f64::NAN),
        Sym::Add(v) => v.iter().map(|t| eval(t, value)).sum(),
        Sym::Mul(v) => v.iter().map(|t| eval(t, value)).product(),
        Sym::Pow(b, e) => {
            let (b, e) = (eval(b, value), eval(e, value));
            if e == 0.5 {
                b.sqrt()
            } else {
                builtins::powr(b, e)
            }
        }
        Sym::Call(id, v) => {
            let xs: Vec<f64> = v.iter().map(|t| eval(t, value)).collect();
            builtins::apply(*id, &xs, &mut Vec::new())
        }
    }
}
