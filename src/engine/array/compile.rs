//! Syntax tree → array [`Program`], with every shape checked before anything
//! runs: a mismatch names both shapes and points at the operator, and a
//! result too large for [`MAX_ARRAY_ENTRIES`] is refused before it is
//! allocated. Parts that do not depend on the point are computed here, once
//! (so an index or an axis is a known number).

use super::functions::{self, ArrayFn};
use super::program::{Arith, Ins, Program, forward, mm_dims};
use super::slice::{self, Move, Sub};
use crate::builtins::check_arity;
use crate::builtins::{self, BuiltinId};
use crate::engine::eval::{Defs, Function, unknown_name};
use crate::error::{Error, ErrorKind, Warning};
use crate::limits::{MAX_ARRAY_ENTRIES, MAX_CALL_DEPTH};
use crate::num::array::{Array, MAX_RANK, broadcast, shape_text, size};
use crate::syntax::{BinOp, Expr, ExprKind, Span, Subscript, UnOp};
use std::collections::BTreeMap;

/// Most entries touched by one evaluation (a matrix product counts its
/// multiplications): beyond it a command is refused before it runs.
pub const MAX_ARRAY_WORK: u64 = 1 << 32;

/// What a program can see: the session's definitions and arrays, and the
/// line being run (to point at operators).
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// Scalar variables and user functions.
    pub defs: &'a Defs,
    /// Array variables.
    pub arrays: &'a BTreeMap<String, Array>,
    /// The text the expression's spans point into.
    pub src: &'a str,
}

/// Compiles `expr` over `inputs` (name and shape each, in order); also
/// returns the warnings of the parts computed while compiling.
pub fn compile(
    ctx: Context<'_>,
    expr: &Expr,
    inputs: &[(String, Vec<usize>)],
) -> Result<(Program, Vec<Warning>), Error> {
    let mut c = Compiler {
        ctx,
        p: Program {
            ins: Vec::new(),
            shapes: Vec::new(),
            active: Vec::new(),
            spans: Vec::new(),
            inputs: inputs.to_vec(),
            out: 0,
            work: 0,
        },
        warnings: Vec::new(),
        calls: 0,
        call_site: None,
    };
    for (i, (_, shape)) in inputs.iter().enumerate() {
        c.push(Ins::Input(i), shape.clone(), expr.span)?;
    }
    let top: Vec<(&str, usize)> = inputs
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.as_str(), i))
        .collect();
    c.p.out = c.expr(expr, &top)?;
    Ok((c.p, c.warnings))
}

/// A slot and its shape.
type Slot = usize;

struct Compiler<'a> {
    ctx: Context<'a>,
    p: Program,
    warnings: Vec<Warning>,
    calls: usize,
    /// The outermost user-function call being compiled: errors inside a
    /// body point here, since the body's spans refer to another line.
    call_site: Option<(Span, String)>,
}

impl Compiler<'_> {
    fn shape(&self, k: Slot) -> &[usize] {
        &self.p.shapes[k]
    }

    /// An error at `span`, or at the call site inside a function body.
    fn err(&self, e: Error, span: Span) -> Error {
        match &self.call_site {
            Some((site, f)) => {
                let mut e = e;
                e.message = format!("in {f}: {}", e.message);
                e.span = Some(*site);
                e
            }
            None => e.at(span),
        }
    }

    /// The value of a slot that does not depend on the point.
    fn known(&self, k: Slot) -> Option<&[f64]> {
        match &self.p.ins[k] {
            Ins::Const(c) => Some(c),
            _ => None,
        }
    }

    /// The number of entries of an array of `shape`, or the limit's error
    /// (asked before anything of that size is allocated).
    fn entries(&self, shape: &[usize], span: Span) -> Result<usize, Error> {
        match size(shape) {
            Some(n) if n <= MAX_ARRAY_ENTRIES => Ok(n),
            _ => Err(self.err(
                Error::limit(
                    &format!("an array of shape {} is too large", shape_text(shape)),
                    format!("{MAX_ARRAY_ENTRIES} entries"),
                ),
                span,
            )),
        }
    }

    /// Appends an instruction; one whose operands are all known is run now
    /// and becomes a constant.
    fn push(&mut self, ins: Ins, shape: Vec<usize>, span: Span) -> Result<Slot, Error> {
        let n = self.entries(&shape, span)?;
        let args = ins.args();
        let work = match &ins {
            Ins::MatMul(a, b) => {
                let (m, k, p) = mm_dims(self.shape(*a), self.shape(*b));
                (m * k * p) as u64
            }
            // A slice touches its own entries only, both ways.
            Ins::Slice(_, _, len) => 2 * *len as u64,
            _ => {
                n as u64
                    + args
                        .iter()
                        .map(|a| self.p.shapes[*a].iter().product::<usize>() as u64)
                        .sum::<u64>()
            }
        };
        self.p.work = self.p.work.saturating_add(work);
        if self.p.work > MAX_ARRAY_WORK {
            return Err(self.err(
                Error::limit(
                    "the array computation is too large",
                    format!("{MAX_ARRAY_WORK} operations"),
                ),
                span,
            ));
        }
        let active = matches!(ins, Ins::Input(_)) || args.iter().any(|a| self.p.active[*a]);
        let ins = if active || matches!(ins, Ins::Const(_)) {
            ins
        } else {
            let vals: Vec<&[f64]> = args.iter().map(|a| self.known(*a).unwrap_or(&[])).collect();
            let shapes: Vec<&[usize]> = args.iter().map(|a| self.shape(*a)).collect();
            let mut notes = Vec::new();
            let (y, _) = forward::<f64>(&ins, &vals, &shapes, &shape, false, &mut notes);
            for note in notes {
                let w = Warning {
                    message: note.message,
                    span: Some(self.call_site.as_ref().map_or(span, |c| c.0)),
                };
                if !self.warnings.iter().any(|x| x.message == w.message) {
                    self.warnings.push(w);
                }
            }
            Ins::Const(y.into())
        };
        self.p.ins.push(ins);
        self.p.shapes.push(shape);
        self.p.active.push(active);
        self.p.spans.push(span);
        Ok(self.p.ins.len() - 1)
    }

    fn constant(&mut self, v: Vec<f64>, shape: Vec<usize>, span: Span) -> Result<Slot, Error> {
        self.push(Ins::Const(v.into()), shape, span)
    }

    fn expr(&mut self, e: &Expr, scope: &[(&str, Slot)]) -> Result<Slot, Error> {
        match &e.kind {
            ExprKind::Num(v) => self.constant(vec![*v], vec![], e.span),
            ExprKind::Name(n) => self.name(n, e.span, scope),
            ExprKind::FuncRef { name, .. } => Err(self.err(
                Error::new(
                    ErrorKind::Name,
                    format!("`{name}'` needs an argument here: write `{name}'(x)`"),
                ),
                e.span,
            )),
            ExprKind::Unary(op, a) => {
                let a = self.expr(a, scope)?;
                match op {
                    UnOp::Neg => {
                        let s = self.shape(a).to_vec();
                        self.push(Ins::Neg(a), s, e.span)
                    }
                    UnOp::Plus => Ok(a),
                }
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let a = self.expr(lhs, scope)?;
                let b = self.expr(rhs, scope)?;
                let at = self.op_span(lhs, rhs, e.span);
                match op {
                    BinOp::Add => self.arith(Arith::Add, a, b, "+", at),
                    BinOp::Sub => self.arith(Arith::Sub, a, b, "-", at),
                    BinOp::Mul => self.arith(Arith::Mul, a, b, "*", at),
                    BinOp::Div => self.arith(Arith::Div, a, b, "/", at),
                    BinOp::Pow => self.pow(a, b, at),
                    BinOp::MatMul => self.matmul(a, b, at),
                }
            }
            ExprKind::Call { func, primes, args } => {
                self.call(&func.name, func.span, *primes, args, e.span, scope)
            }
            ExprKind::Array(items) => self.literal(items, e.span, scope),
            ExprKind::Index { base, indices } => self.index(base, indices, e.span, scope),
        }
    }

    /// Where the operator between `lhs` and `rhs` was written: the first
    /// non-blank between them (the whole node for `2x`, or inside a body).
    fn op_span(&self, lhs: &Expr, rhs: &Expr, whole: Span) -> Span {
        let (from, to) = (lhs.span.end, rhs.span.start);
        let gap = self.ctx.src.get(from..to).unwrap_or("");
        match gap
            .char_indices()
            .find(|(_, c)| !c.is_whitespace() && *c != '(')
        {
            Some((i, c)) if self.call_site.is_none() => {
                let len = if gap[i..].starts_with("**") {
                    2
                } else {
                    c.len_utf8()
                };
                Span::new(from + i, from + i + len)
            }
            _ => whole,
        }
    }

    fn name(&mut self, n: &str, span: Span, scope: &[(&str, Slot)]) -> Result<Slot, Error> {
        if let Some((_, k)) = scope.iter().rev().find(|(s, _)| *s == n) {
            return Ok(*k);
        }
        if let Some(a) = self.ctx.arrays.get(n) {
            return self.push(Ins::Const(a.shared()), a.shape().to_vec(), span);
        }
        if let Some(v) = self.ctx.defs.value(n) {
            return self.constant(vec![v], vec![], span);
        }
        let e = if let Some(f) = self.ctx.defs.funcs.get(n) {
            Error::new(
                ErrorKind::Name,
                format!(
                    "`{n}` is a function: call it as `{n}({})`",
                    f.params.join(", ")
                ),
            )
        } else if builtins::lookup(n).is_some() || functions::lookup(n).is_some() {
            Error::new(
                ErrorKind::Name,
                format!("`{n}` is a function: call it with arguments"),
            )
        } else {
            unknown_name(n)
        };
        Err(self.err(e, span))
    }

    fn mismatch(&self, what: &str, a: Slot, b: Slot, at: Span) -> Error {
        self.err(
            Error::new(
                ErrorKind::Point,
                format!(
                    "shape mismatch: `{what}` cannot combine shapes {} and {}",
                    shape_text(self.shape(a)),
                    shape_text(self.shape(b))
                ),
            )
            .help("NumPy's broadcasting: shapes align on their last axis; each pair of lengths must be equal or one of them 1"),
            at,
        )
    }

    fn arith(&mut self, op: Arith, a: Slot, b: Slot, sym: &str, at: Span) -> Result<Slot, Error> {
        let s =
            broadcast(self.shape(a), self.shape(b)).ok_or_else(|| self.mismatch(sym, a, b, at))?;
        self.push(Ins::Arith(op, a, b), s, at)
    }

    fn pow(&mut self, a: Slot, b: Slot, at: Span) -> Result<Slot, Error> {
        if let Some([p]) = self.known(b) {
            let p = *p;
            let s = self.shape(a).to_vec();
            if p.fract() == 0.0 && p.abs() <= 16.0 {
                return self.push(Ins::PowI(a, p as i8), s, at);
            }
            return self.push(Ins::PowC(a, p), s, at);
        }
        let s =
            broadcast(self.shape(a), self.shape(b)).ok_or_else(|| self.mismatch("^", a, b, at))?;
        let vary = [self.p.active[a], self.p.active[b]];
        self.push(Ins::Binary(BuiltinId::Pow, a, b, vary), s, at)
    }

    fn matmul(&mut self, a: Slot, b: Slot, at: Span) -> Result<Slot, Error> {
        let (sa, sb) = (self.shape(a).to_vec(), self.shape(b).to_vec());
        let out = match (sa.as_slice(), sb.as_slice()) {
            ([n], [k]) if n == k => Some(vec![]),
            ([_, n], [k]) if n == k => Some(vec![sa[0]]),
            ([n], [k, _]) if n == k => Some(vec![sb[1]]),
            ([_, n], [k, _]) if n == k => Some(vec![sa[0], sb[1]]),
            _ => None,
        };
        let Some(out) = out else {
            let why = if sa.is_empty() || sb.is_empty() {
                "`@` needs a vector or a matrix on each side (use `*` for a scalar)"
            } else {
                "`@` needs the last length on the left to equal the first length on the right"
            };
            return Err(self.err(
                Error::new(
                    ErrorKind::Point,
                    format!(
                        "shape mismatch: {} @ {}: {why}",
                        shape_text(&sa),
                        shape_text(&sb)
                    ),
                ),
                at,
            ));
        };
        self.push(Ins::MatMul(a, b), out, at)
    }

    fn literal(
        &mut self,
        items: &[Expr],
        span: Span,
        scope: &[(&str, Slot)],
    ) -> Result<Slot, Error> {
        if items.is_empty() {
            return Err(self.err(
                Error::new(
                    ErrorKind::Point,
                    "an empty array has no entries to compute with",
                ),
                span,
            ));
        }
        let mut parts = Vec::with_capacity(items.len());
        for it in items {
            parts.push(self.expr(it, scope)?);
        }
        let first = self.shape(parts[0]).to_vec();
        for (i, (k, it)) in parts.iter().zip(items).enumerate().skip(1) {
            if self.shape(*k) != first.as_slice() {
                let what = if first.is_empty() { "entry" } else { "row" };
                return Err(self.err(
                    Error::new(
                        ErrorKind::Point,
                        format!(
                            "ragged array: {what} {i} has shape {}, but {what} 0 has shape {}",
                            shape_text(self.shape(*k)),
                            shape_text(&first)
                        ),
                    )
                    .help("every row of a matrix must have the same length"),
                    it.span,
                ));
            }
        }
        if first.len() >= MAX_RANK {
            return Err(self.err(
                Error::new(
                    ErrorKind::Point,
                    format!("arrays have at most {MAX_RANK} axes (vectors and matrices)"),
                ),
                span,
            ));
        }
        let mut shape = vec![parts.len()];
        shape.extend(first);
        self.push(Ins::Stack(parts), shape, span)
    }

    /// A known integer: an index or an axis.
    fn integer(&mut self, e: &Expr, scope: &[(&str, Slot)], what: &str) -> Result<i64, Error> {
        let k = self.expr(e, scope)?;
        self.integer_of(k, e, what)
    }

    /// The known integer in slot `k`, compiled from `e`.
    fn integer_of(&self, k: Slot, e: &Expr, what: &str) -> Result<i64, Error> {
        match self.known(k) {
            Some([v]) if v.fract() == 0.0 && v.abs() < 1e15 => Ok(*v as i64),
            Some([v]) => Err(self.err(
                Error::new(
                    ErrorKind::Point,
                    format!(
                        "{what} must be a whole number, not {}",
                        crate::format::shortest(*v)
                    ),
                ),
                e.span,
            )),
            Some(_) => Err(self.err(
                Error::new(
                    ErrorKind::Point,
                    format!("{what} must be a number, not an array"),
                ),
                e.span,
            )),
            None => Err(self.err(
                Error::new(
                    ErrorKind::Point,
                    format!("{what} must not depend on the point's variables"),
                ),
                e.span,
            )),
        }
    }

    /// `base[…]`: indexes and slices, their numbers known when compiled,
    /// taken as runs of entries and transposes (see [`slice`]). Errors
    /// point at the brackets, or at the subscript at fault.
    fn index(
        &mut self,
        base: &Expr,
        indices: &[Subscript],
        span: Span,
        scope: &[(&str, Slot)],
    ) -> Result<Slot, Error> {
        let b = self.expr(base, scope)?;
        let shape = self.shape(b).to_vec();
        let brackets = Span::new(base.span.end, span.end);
        if shape.is_empty() {
            return Err(self.err(
                Error::new(
                    ErrorKind::Point,
                    "only an array can be indexed, and this is a number",
                )
                .help("to multiply, write `*`: `2 * [1, 2]`"),
                brackets,
            ));
        }
        if indices.len() > shape.len() {
            return Err(self.err(
                Error::new(
                    ErrorKind::Point,
                    format!(
                        "too many indexes: {} given, but the array has shape {}",
                        indices.len(),
                        shape_text(&shape)
                    ),
                ),
                brackets,
            ));
        }
        let mut subs = Vec::with_capacity(indices.len());
        for s in indices {
            let mut end = |e: &Option<Expr>, what: &str| {
                e.as_ref().map(|e| self.integer(e, scope, what)).transpose()
            };
            subs.push(match s {
                Subscript::At(e) => Sub::At(self.integer(e, scope, "an index")?),
                Subscript::Slice {
                    start, stop, step, ..
                } => Sub::Range(
                    end(start, "a slice's start")?,
                    end(stop, "a slice's end")?,
                    end(step, "a slice's step")?,
                ),
            });
        }
        let moves = slice::plan(&shape, &subs).map_err(|(k, msg, help)| {
            self.err(
                Error::new(ErrorKind::Point, msg).help(help),
                indices[k].span(),
            )
        })?;
        let at = self.take(b, &moves, span)?;
        Ok(at)
    }

    /// The slot holding what `moves` take out of slot `b`.
    fn take(&mut self, b: Slot, moves: &[Move], span: Span) -> Result<Slot, Error> {
        let mut at = b;
        for m in moves {
            at = match m {
                Move::Run { start, len, shape } => {
                    self.push(Ins::Slice(at, *start, *len), shape.clone(), span)?
                }
                Move::Transpose => {
                    let s = self.shape(at).to_vec();
                    self.push(Ins::Transpose(at), vec![s[1], s[0]], span)?
                }
                Move::Stack(parts) => {
                    let mut slots = Vec::with_capacity(parts.len());
                    for p in parts {
                        slots.push(self.take(at, p, span)?);
                    }
                    let part = slots.first().map(|&k| self.shape(k).to_vec());
                    let shape = [vec![slots.len()], part.unwrap_or_default()].concat();
                    self.push(Ins::Stack(slots), shape, span)?
                }
            };
        }
        Ok(at)
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        primes: u32,
        args: &[Expr],
        span: Span,
        scope: &[(&str, Slot)],
    ) -> Result<Slot, Error> {
        let defs = self.ctx.defs;
        if let Some(f) = defs.funcs.get(name) {
            return self.user_call(f, name, primes, args, span, scope);
        }
        if primes > 0 {
            return Err(self.err(primes_refused(name), span));
        }
        let mut ks = Vec::with_capacity(args.len());
        for a in args {
            ks.push(self.expr(a, scope)?);
        }
        if let Some(f) = functions::lookup(name)
            && (builtins::lookup(name).is_none() || args.len() == 1)
        {
            check_arity(name, f.min_args, f.max_args, args.len(), 0)
                .map_err(|e| self.err(e, span))?;
            return self.array_fn(f.id, &ks, args, span);
        }
        if let Some(b) = builtins::lookup(name) {
            check_arity(name, b.min_args, b.max_args, args.len(), 0)
                .map_err(|e| self.err(e, span))?;
            let s = self.shape(ks[0]).to_vec();
            return match ks.as_slice() {
                [a] => self.push(Ins::Unary(b.id, *a), s, span),
                [a, c] => {
                    let s = broadcast(self.shape(*a), self.shape(*c))
                        .ok_or_else(|| self.mismatch(name, *a, *c, span))?;
                    let vary = [self.p.active[*a], self.p.active[*c]];
                    self.push(Ins::Binary(b.id, *a, *c, vary), s, span)
                }
                _ => Err(self.err(
                    Error::new(ErrorKind::Arity, format!("`{name}` takes 1 or 2 arguments")),
                    span,
                )),
            };
        }
        Err(self.err(
            Error::new(ErrorKind::Name, format!("unknown function `{name}`")).help(
                "`:help arrays` lists the functions over arrays, `:help functions` the others",
            ),
            name_span,
        ))
    }

    /// A call of a user function: its body compiled with the parameters
    /// bound to the arguments' slots.
    fn user_call(
        &mut self,
        f: &Function,
        name: &str,
        primes: u32,
        args: &[Expr],
        span: Span,
        scope: &[(&str, Slot)],
    ) -> Result<Slot, Error> {
        check_arity(
            name,
            f.params.len(),
            f.params.len(),
            args.len(),
            primes as usize,
        )
        .map_err(|e| self.err(e, span))?;
        if primes > 0 {
            return Err(self.err(primes_refused(name), span));
        }
        let mut ks = Vec::with_capacity(args.len());
        for a in args {
            ks.push(self.expr(a, scope)?);
        }
        self.calls += 1;
        if self.calls > MAX_CALL_DEPTH {
            return Err(self.err(
                Error::limit("user functions nested too deeply", MAX_CALL_DEPTH),
                span,
            ));
        }
        let outermost = self.call_site.is_none();
        if outermost {
            self.call_site = Some((span, name.to_string()));
        }
        let inner: Vec<(&str, Slot)> = f.params.iter().map(String::as_str).zip(ks).collect();
        let r = self.expr(&f.body, &inner);
        if outermost {
            self.call_site = None;
        }
        self.calls -= 1;
        r
    }

    fn axis(&self, e: &Expr, ek: Slot, k: Slot) -> Result<usize, Error> {
        let rank = self.shape(k).len();
        let given = self.integer_of(ek, e, "an axis")?;
        // As in NumPy, -1 is the last axis.
        let a = if given < 0 {
            given + rank as i64
        } else {
            given
        };
        if a < 0 || a as usize >= rank.max(1) {
            return Err(self.err(
                Error::new(
                    ErrorKind::Point,
                    format!(
                        "axis {given} does not exist: the array has shape {} ({rank} {})",
                        shape_text(self.shape(k)),
                        if rank == 1 { "axis" } else { "axes" }
                    ),
                ),
                e.span,
            ));
        }
        Ok(a as usize)
    }

    fn array_fn(
        &mut self,
        id: ArrayFn,
        ks: &[Slot],
        args: &[Expr],
        span: Span,
    ) -> Result<Slot, Error> {
        let a = ks[0];
        let sa = self.shape(a).to_vec();
        let n = sa.iter().product::<usize>();
        let need_entries = |c: &Compiler<'_>, what: &str| -> Result<(), Error> {
            if n == 0 {
                return Err(c.err(
                    Error::new(
                        ErrorKind::Point,
                        format!("{what} of an empty array has no value"),
                    ),
                    span,
                ));
            }
            Ok(())
        };
        match id {
            ArrayFn::Sum | ArrayFn::Mean => self.sum_mean(id == ArrayFn::Mean, ks, args, span),
            ArrayFn::Dot => self.dot(a, ks[1], span),
            ArrayFn::Norm => {
                let sq = self.push(Ins::Arith(Arith::Mul, a, a), sa.clone(), span)?;
                let s = self.push(Ins::Sum(sq, None), vec![], span)?;
                self.push(Ins::Unary(BuiltinId::Sqrt, s), vec![], span)
            }
            ArrayFn::Transpose => match sa.as_slice() {
                [r, c] => self.push(Ins::Transpose(a), vec![*c, *r], span),
                _ => Ok(a),
            },
            ArrayFn::Prod => self.push(Ins::Prod(a), vec![], span),
            ArrayFn::Max | ArrayFn::Min => {
                need_entries(self, if id == ArrayFn::Max { "max" } else { "min" })?;
                self.push(Ins::Extreme(a, id == ArrayFn::Max), vec![], span)
            }
            ArrayFn::Len => {
                let l = sa.first().copied().ok_or_else(|| {
                    self.err(
                        Error::new(ErrorKind::Point, "len of a scalar: it has no axis"),
                        span,
                    )
                })?;
                self.constant(vec![l as f64], vec![], span)
            }
            ArrayFn::Shape => {
                let v: Vec<f64> = sa.iter().map(|d| *d as f64).collect();
                let l = v.len();
                self.constant(v, vec![l], span)
            }
            ArrayFn::Softmax => {
                need_entries(self, "softmax")?;
                self.push(Ins::Softmax(a), sa, span)
            }
            ArrayFn::LogSumExp => {
                need_entries(self, "logsumexp")?;
                self.push(Ins::LogSumExp(a), vec![], span)
            }
            ArrayFn::Zeros | ArrayFn::Ones => self.filled(id == ArrayFn::Ones, ks, args, span),
            ArrayFn::Linspace | ArrayFn::Arange => self.ranged(id, ks, args, span),
        }
    }

    /// `sum(X)`, `sum(X, axis)`, and the same for `mean`.
    fn sum_mean(
        &mut self,
        mean: bool,
        ks: &[Slot],
        args: &[Expr],
        span: Span,
    ) -> Result<Slot, Error> {
        let a = ks[0];
        let axis = match args.get(1) {
            Some(e) => Some(self.axis(e, ks[1], a)?),
            None => None,
        };
        let (shape, count) = match (axis, self.shape(a)) {
            (Some(0), [r, c]) => (vec![*c], *r),
            (Some(1), [r, c]) => (vec![*r], *c),
            (_, sa) => (vec![], sa.iter().product()),
        };
        let s = self.push(Ins::Sum(a, axis), shape, span)?;
        if !mean {
            return Ok(s);
        }
        if count == 0 {
            return Err(self.err(
                Error::new(ErrorKind::Point, "the mean of an empty array has no value"),
                span,
            ));
        }
        let inv = self.constant(vec![1.0 / count as f64], vec![], span)?;
        self.push(Ins::Arith(Arith::Mul, s, inv), self.shape(s).to_vec(), span)
    }

    /// `dot(u, v)`: `u @ v` of two vectors.
    fn dot(&mut self, a: Slot, b: Slot, span: Span) -> Result<Slot, Error> {
        let (sa, sb) = (shape_text(self.shape(a)), shape_text(self.shape(b)));
        let why = match (self.shape(a), self.shape(b)) {
            ([n], [k]) if n == k => None,
            ([_], [_]) => Some(format!(
                "shape mismatch: dot of {sa} and {sb}: the vectors must have the same length"
            )),
            _ => Some(format!(
                "dot takes two vectors, not shapes {sa} and {sb} (use `@` for matrices)"
            )),
        };
        if let Some(why) = why {
            return Err(self.err(Error::new(ErrorKind::Point, why), span));
        }
        self.matmul(a, b, span)
    }

    /// `zeros(…)` or `ones(…)`: a constant of known lengths.
    fn filled(
        &mut self,
        ones: bool,
        ks: &[Slot],
        args: &[Expr],
        span: Span,
    ) -> Result<Slot, Error> {
        let mut shape = Vec::new();
        for (e, k) in args.iter().zip(ks) {
            let v = match self.known(*k) {
                Some([v]) if v.fract() == 0.0 && *v >= 0.0 => *v,
                _ => {
                    return Err(self.err(
                        Error::new(
                            ErrorKind::Point,
                            "a length must be a known whole number ≥ 0",
                        ),
                        e.span,
                    ));
                }
            };
            shape.push(if v > usize::MAX as f64 / 2.0 {
                usize::MAX / 2
            } else {
                v as usize
            });
        }
        let total = self.entries(&shape, span)?;
        let fill = if ones { 1.0 } else { 0.0 };
        self.constant(vec![fill; total], shape, span)
    }
}

impl Compiler<'_> {
    /// `linspace(a, b, n)` or `arange(…)`: a constant vector, as NumPy
    /// computes it (`a + i·step`; linspace's last entry exactly `b`,
    /// arange's step the difference of its first two entries).
    fn ranged(
        &mut self,
        id: ArrayFn,
        ks: &[Slot],
        args: &[Expr],
        span: Span,
    ) -> Result<Slot, Error> {
        let mut v = Vec::with_capacity(ks.len());
        for (e, k) in args.iter().zip(ks) {
            match self.known(*k) {
                Some([x]) if x.is_finite() => v.push(*x),
                _ => {
                    let what = "the arguments must be known finite numbers";
                    return Err(self.err(Error::new(ErrorKind::Point, what), e.span));
                }
            }
        }
        let (start, step, len) = match (id, v.as_slice()) {
            (ArrayFn::Linspace, &[a, b, n]) => {
                if n.fract() != 0.0 || n < 0.0 {
                    let what = "a length must be a known whole number ≥ 0";
                    return Err(self.err(Error::new(ErrorKind::Point, what), args[2].span));
                }
                (a, (b - a) / (n - 1.0).max(1.0), n)
            }
            (_, &[stop]) => (0.0, 1.0, stop.ceil().max(0.0)),
            (_, &[start, stop]) => (start, 1.0, (stop - start).ceil().max(0.0)),
            // NumPy steps by the difference of its first two entries.
            (_, &[start, stop, step]) if step != 0.0 => (
                start,
                (start + step) - start,
                ((stop - start) / step).ceil().max(0.0),
            ),
            _ => {
                let what = "arange's step must not be 0";
                return Err(self.err(Error::new(ErrorKind::Point, what), args[2].span));
            }
        };
        // `as` saturates: a length past usize is refused like any too large.
        let n = self.entries(&[len as usize], span)?;
        let mut out: Vec<f64> = (0..n).map(|i| start + i as f64 * step).collect();
        if id == ArrayFn::Linspace && n > 1 {
            out[n - 1] = v[1];
        }
        self.constant(out, vec![n], span)
    }
}

fn primes_refused(name: &str) -> Error {
    Error::new(
        ErrorKind::Name,
        format!("`{name}'` over arrays is not supported: use `:diff` at the point instead"),
    )
}
