//! One evaluator, generic over the number type ([`Scalar`]).
//!
//! The same code computes a plain value (`f64`), a gradient ([`Dual1`]), a
//! Hessian ([`Dual2`]) or a Taylor series ([`Taylor`], for `f'(x)` on user
//! functions). Names resolve, innermost first: a function's parameters (or the
//! point's variables at the top level), then the session's variables, then the
//! constants — so a parameter called `e` shadows Euler's number.
//!
//! [`Dual1`]: crate::num::Dual1
//! [`Dual2`]: crate::num::Dual2

use super::precise;
use crate::builtins::{self, BuiltinId};
use crate::error::{Error, ErrorKind, Warning};
use crate::limits;
use crate::num::accuracy;
use crate::num::{Note, NoteKind, Scalar};
use crate::num::{Taylor, derivative_series};
use crate::syntax::{BinOp, Expr, ExprKind, Span, UnOp};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub use super::defs::{Defs, Function};

/// Result type inside the evaluator: the error is boxed to keep the deep
/// recursion's frames small.
pub type EResult<T> = Result<T, Box<Error>>;

/// The deepest recursion of the evaluator (nesting inside function bodies
/// adds up), kept well inside a 2 MiB thread stack.
pub const MAX_EVAL_DEPTH: usize = 2_000;

/// Evaluation state shared by nested evaluations (counters, warnings, Ctrl-C).
#[derive(Debug, Default)]
pub struct Budget {
    steps: u64,
    depth: usize,
    calls: usize,
    /// Warnings met, deduplicated.
    pub warnings: Vec<Warning>,
    /// Set from another thread (Ctrl-C) to stop the evaluation.
    pub cancel: Option<Arc<AtomicBool>>,
    /// The statement's deadline and time limit, for a computation of many
    /// passes that polls [`Budget::check_time`] between them.
    pub deadline: Option<(std::time::Instant, std::time::Duration)>,
    /// The outermost user-function call being evaluated: where a warning or
    /// error from inside a body points, since the body's own spans refer to
    /// another line.
    call_site: Option<(Span, String)>,
    /// Inside a derivative of a user function whose accuracy is being
    /// estimated: nested ones are not re-evaluated again (see
    /// [`crate::accuracy`]).
    estimating: bool,
}

impl Budget {
    /// A fresh budget, cancellable through `cancel` if given.
    pub fn new(cancel: Option<Arc<AtomicBool>>) -> Budget {
        Budget {
            cancel,
            ..Budget::default()
        }
    }

    fn step(&mut self) -> EResult<()> {
        self.steps += 1;
        if self.steps > limits::MAX_EVAL_STEPS {
            return Err(Box::new(Error::limit(
                "evaluation takes too many operations (nested functions multiply quickly)",
                limits::MAX_EVAL_STEPS,
            )));
        }
        if self.steps.is_multiple_of(4096)
            && let Some(c) = &self.cancel
            && c.load(Ordering::Relaxed)
        {
            return Err(Box::new(Error::interrupted()));
        }
        Ok(())
    }

    /// Counts `n` operations at once: a compiled tape charges what the tree
    /// walk it replaces would have counted, so the step limit and Ctrl-C
    /// behave the same on both.
    pub fn charge(&mut self, n: u64) -> Result<(), Error> {
        self.steps += n;
        if self.steps > limits::MAX_EVAL_STEPS {
            return Err(Error::limit(
                "evaluation takes too many operations (nested functions multiply quickly)",
                limits::MAX_EVAL_STEPS,
            ));
        }
        self.check_cancel()
    }

    /// `Err("interrupted")` once Ctrl-C has asked to stop.
    pub fn check_cancel(&self) -> Result<(), Error> {
        match &self.cancel {
            Some(c) if c.load(Ordering::Relaxed) => Err(Error::interrupted()),
            _ => Ok(()),
        }
    }

    /// [`Budget::check_cancel`], and a limit error past the deadline.
    pub fn check_time(&self) -> Result<(), Error> {
        self.check_cancel()?;
        match self.deadline {
            Some((d, limit)) if std::time::Instant::now() > d => Err(Error::out_of_time(limit)),
            _ => Ok(()),
        }
    }

    fn warn(&mut self, note: Note, span: Span) {
        match self.call_site.clone() {
            Some((site, f)) => self.record(note.message, Some(&f), site),
            None => self.record(note.message, None, span),
        }
    }

    /// Records a warning once (deduplicated by message); from inside the
    /// user function `func`, it says so. The tree walk and the tape both
    /// record through here.
    pub(crate) fn record(&mut self, message: String, func: Option<&str>, span: Span) {
        let message = match func {
            Some(f) => format!("{message} (in {f})"),
            None => message,
        };
        if !self.warnings.iter().any(|w| w.message == message) {
            self.warnings.push(Warning {
                message,
                span: Some(span),
            });
        }
    }

    /// Keeps only the warnings that matter at this derivative order: domain
    /// errors always; kinks and infinite derivatives only where derivatives are
    /// taken of a non-constant argument (the built-ins already filter on that).
    fn notes(&mut self, notes: Vec<Note>, span: Span) {
        for n in notes {
            self.warn(n, span);
        }
    }
}

/// Evaluates `expr` over `S` with `scope` binding names (a function's
/// parameters, or the point's variables) on top of `defs`.
pub struct Evaluator<'a, S: Scalar> {
    defs: &'a Defs,
    /// A constant of the right shape, to lift literals.
    proto: S,
    /// Shared counters and warnings.
    pub budget: &'a mut Budget,
}

impl<'a, S: Scalar> Evaluator<'a, S> {
    /// An evaluator for numbers shaped like `proto` (its value is ignored).
    pub fn new(defs: &'a Defs, proto: S, budget: &'a mut Budget) -> Self {
        Evaluator {
            defs,
            proto,
            budget,
        }
    }

    /// Evaluates `e` with `scope` as the innermost bindings.
    pub fn eval(&mut self, e: &Expr, scope: &[(&str, S)]) -> Result<S, Error> {
        self.eval_inner(e, scope).map_err(|b| *b)
    }

    fn err_here(&self, e: Error, span: Span) -> Box<Error> {
        match &self.budget.call_site {
            Some((site, f)) => {
                let mut e = e;
                if e.span.is_none() || e.kind != ErrorKind::Limit {
                    e.message = format!("in {f}: {}", e.message);
                }
                e.span = Some(*site);
                Box::new(e)
            }
            None => Box::new(e.at(span)),
        }
    }

    fn eval_inner(&mut self, e: &Expr, scope: &[(&str, S)]) -> EResult<S> {
        self.budget.step()?;
        self.budget.depth += 1;
        if self.budget.depth > MAX_EVAL_DEPTH {
            self.budget.depth -= 1;
            return Err(self.err_here(
                Error::limit("evaluation nested too deeply", MAX_EVAL_DEPTH),
                e.span,
            ));
        }
        let r = self.eval_node(e, scope);
        self.budget.depth -= 1;
        r
    }

    fn eval_node(&mut self, e: &Expr, scope: &[(&str, S)]) -> EResult<S> {
        match &e.kind {
            ExprKind::Num(v) => Ok(self.proto.constant(*v)),
            ExprKind::Name(n) => self.name(n, e.span, scope),
            ExprKind::FuncRef { name, primes } => Err(self.err_here(
                Error::new(
                    ErrorKind::Name,
                    format!(
                        "`{name}{}` is a function: call it with an argument, as `{name}{}(x)`",
                        "'".repeat(*primes as usize),
                        "'".repeat(*primes as usize)
                    ),
                ),
                e.span,
            )),
            ExprKind::Unary(op, a) => {
                let a = self.eval_inner(a, scope)?;
                Ok(match op {
                    UnOp::Neg => a.neg(),
                    UnOp::Plus => a,
                })
            }
            ExprKind::Binary { .. } => {
                // A flat chain (`a + b + c + …`) is deep only down its left
                // side: walk that with a loop, recurse into the right operands.
                let (spine, leaf) = e.left_spine();
                let mut acc = self.eval_inner(leaf, scope)?;
                for (k, node) in spine.iter().rev().enumerate() {
                    if k + 1 < spine.len() {
                        self.budget.step()?;
                    }
                    let ExprKind::Binary { op, rhs, .. } = &node.kind else {
                        continue;
                    };
                    let b = self.eval_inner(rhs, scope)?;
                    acc = self.binary(*op, &acc, &b, node.span)?;
                }
                Ok(acc)
            }
            ExprKind::Call { func, primes, args } => {
                self.call(&func.name, func.span, *primes as usize, args, e.span, scope)
            }
            ExprKind::Array(_) | ExprKind::Index { .. } => {
                Err(self.err_here(crate::error::Error::scalar_only(), e.span))
            }
        }
    }

    fn binary(&mut self, op: BinOp, a: &S, b: &S, span: Span) -> EResult<S> {
        Ok(match op {
            BinOp::Add => a.add(b),
            BinOp::Sub => a.sub(b),
            BinOp::Mul => a.mul(b),
            BinOp::Div => {
                let mut notes = Vec::new();
                builtins::division_note(b.value(), &mut notes);
                self.budget.notes(notes, span);
                a.div(b)
            }
            BinOp::Pow => {
                let mut notes = Vec::new();
                let r = builtins::pow(a, b, &mut notes);
                self.budget.notes(notes, span);
                r
            }
            BinOp::MatMul => {
                return Err(self.err_here(crate::error::Error::scalar_only(), span));
            }
        })
    }

    fn name(&mut self, n: &str, span: Span, scope: &[(&str, S)]) -> EResult<S> {
        if let Some((_, v)) = scope.iter().rev().find(|(k, _)| *k == n) {
            return Ok(v.clone());
        }
        if let Some(v) = self.defs.value(n) {
            return Ok(self.proto.constant(v));
        }
        if let Some(f) = self.defs.funcs.get(n) {
            return Err(self.err_here(
                Error::new(
                    ErrorKind::Name,
                    format!(
                        "`{n}` is a function: call it as `{n}({})`",
                        f.params.join(", ")
                    ),
                ),
                span,
            ));
        }
        if let Some(b) = builtins::lookup(n) {
            return Err(self.err_here(
                Error::new(
                    ErrorKind::Name,
                    format!("`{n}` is a built-in function: call it as `{}`", b.syntax),
                ),
                span,
            ));
        }
        Err(self.err_here(unknown_name(n), span))
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        primes: usize,
        args: &[Expr],
        span: Span,
        scope: &[(&str, S)],
    ) -> EResult<S> {
        let defs = self.defs;
        if let Some(f) = defs.funcs.get(name) {
            builtins::check_arity(name, f.params.len(), f.params.len(), args.len(), primes)
                .map_err(|e| self.err_here(e, span))?;
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(self.eval_inner(a, scope)?);
            }
            return self.call_user(name, f, primes, vals, span);
        }
        if let Some(b) = builtins::lookup(name) {
            builtins::check_arity(name, b.min_args, b.max_args, args.len(), primes)
                .map_err(|e| self.err_here(e, span))?;
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(self.eval_inner(a, scope)?);
            }
            return self.call_builtin(b.id, name, primes, &vals, span);
        }
        let mut err = Error::new(ErrorKind::Name, format!("unknown function `{name}`"));
        if self.defs.vars.contains_key(name) || scope.iter().any(|(k, _)| *k == name) {
            err = err.help(format!(
                "`{name}` is a variable; to multiply, write `{name}*(…)`"
            ));
        } else if let Some(h) = crate::syntax::notations::unknown_function_help(name, args) {
            err = err.help(h);
        } else {
            err = err.help(format!("define it first, e.g. `{name}(x) = …`"));
        }
        Err(self.err_here(err, name_span))
    }

    fn call_builtin(
        &mut self,
        id: BuiltinId,
        name: &str,
        primes: usize,
        vals: &[S],
        span: Span,
    ) -> EResult<S> {
        let mut notes = Vec::new();
        let r = if primes == 0 {
            builtins::apply(id, vals, &mut notes)
        } else {
            let x = &vals[0];
            let order = primes + x.order();
            if order > limits::MAX_ORDER {
                return Err(self.err_here(too_high_order(), span));
            }
            builtins::derivative(id, primes, x, &mut notes).ok_or_else(|| {
                self.err_here(
                    Error::new(
                        ErrorKind::Arity,
                        format!("`{name}'` needs a function of one argument"),
                    ),
                    span,
                )
            })?
        };
        self.budget.notes(notes, span);
        Ok(r)
    }

    fn call_user(
        &mut self,
        name: &str,
        f: &Function,
        primes: usize,
        vals: Vec<S>,
        span: Span,
    ) -> EResult<S> {
        self.budget.calls += 1;
        if self.budget.calls > limits::MAX_CALL_DEPTH {
            self.budget.calls -= 1;
            return Err(self.err_here(
                Error::limit(
                    "user functions call each other too deeply",
                    limits::MAX_CALL_DEPTH,
                ),
                span,
            ));
        }
        let outermost = self.budget.call_site.is_none();
        if outermost {
            self.budget.call_site = Some((span, name.to_string()));
        }
        let r = if primes == 0 {
            let scope: Vec<(&str, S)> = f.params.iter().map(String::as_str).zip(vals).collect();
            let mut inner = Evaluator {
                defs: self.defs,
                proto: self.proto.clone(),
                budget: &mut *self.budget,
            };
            inner.eval_inner(&f.body, &scope)
        } else {
            self.user_derivative(name, f, primes, &vals[0], span)
        };
        if outermost {
            self.budget.call_site = None;
        }
        self.budget.calls -= 1;
        r
    }

    /// `f⁽ᵖ⁾(x)` for a user function of one parameter: the body's Taylor series
    /// at x's value, to order p + (the order x carries), shifted p times and
    /// composed with x.
    fn user_derivative(
        &mut self,
        name: &str,
        f: &Function,
        primes: usize,
        x: &S,
        span: Span,
    ) -> EResult<S> {
        let order = primes + x.order();
        if order > limits::MAX_ORDER {
            return Err(self.err_here(too_high_order(), span));
        }
        let series = self.body_series(f, Taylor::variable(x.value(), order))?;
        let mut c = series.c.to_vec();
        if order >= accuracy::FROM_ORDER && !self.budget.estimating {
            self.refine_or_warn(name, f, primes, x.value(), &mut c, span)?;
        }
        Ok(x.compose(&derivative_series(&c, primes)))
    }

    /// The Taylor series of `f`'s body for its parameter `t`.
    fn body_series(&mut self, f: &Function, t: Taylor) -> EResult<Taylor> {
        let proto = t.constant(0.0);
        let scope = [(f.params[0].as_str(), t)];
        let mut inner = Evaluator {
            defs: self.defs,
            proto,
            budget: &mut *self.budget,
        };
        inner.eval_inner(&f.body, &scope)
    }

    /// Re-evaluates `f`'s series `c` at scaled variables to estimate its
    /// rounding errors; when the coefficients `f⁽ᵖ⁾` uses (from `primes` on)
    /// have fewer correct digits than the check's tolerance, computes them
    /// again in double-double where the body allows, and warns about those
    /// still short: the number is printed, but not as if it were right.
    fn refine_or_warn(
        &mut self,
        name: &str,
        f: &Function,
        primes: usize,
        x0: f64,
        c: &mut [f64],
        span: Span,
    ) -> EResult<()> {
        let order = c.len().saturating_sub(1);
        let warned = self.budget.warnings.len();
        self.budget.estimating = true;
        let scaled: EResult<Vec<Vec<f64>>> = accuracy::SCALES
            .iter()
            .map(|&s| {
                let t = Taylor::scaled_variable(x0, order, s);
                Ok(self.body_series(f, t)?.c.to_vec())
            })
            .collect();
        self.budget.estimating = false;
        // Their warnings are the first evaluation's, said once already.
        self.budget.warnings.truncate(warned);
        let mut errors = accuracy::errors(c, &scaled?);
        let var = f.params[0].as_str();
        let at = precise::At {
            var,
            x0,
            fixed: &[],
        };
        let refined = precise::improve(self.defs, &f.body, at, c, &mut errors, primes);
        let worst = (primes..=order)
            .filter_map(|k| accuracy::digits(c[k], errors[k]).map(|d| (k, d)))
            .min_by_key(|&(k, d)| (d, k));
        if let Some((k, d)) = worst {
            let digits = match d {
                0 => "no correct digits".to_string(),
                1 => "about 1 correct digit".to_string(),
                d => format!("about {d} correct digits"),
            };
            let why = if refined {
                "even in double-double arithmetic the Taylor recurrences lose the rest to cancellation at this order"
            } else {
                "f64 Taylor arithmetic loses the rest to cancellation at this order"
            };
            let message = format!(
                "the derivative of order {k} of {name} at {} has {digits}: {why}",
                crate::format::significant(x0, 15)
            );
            let kind = NoteKind::Domain;
            self.budget.warn(Note { kind, message }, span);
        }
        Ok(())
    }
}

fn too_high_order() -> Error {
    Error::limit("derivative order too high", limits::MAX_ORDER)
}

/// The error for a name that is nothing: says what to do.
pub fn unknown_name(n: &str) -> Error {
    let e = Error::new(ErrorKind::Name, format!("unknown name `{n}`"));
    if n == "ans" {
        return e.help("`ans` is the last value computed, and there is none yet");
    }
    match crate::syntax::notations::did_you_mean(n, false) {
        Some(m) => e.help(format!("did you mean `{m}`?")),
        None => e.help(format!(
            "give it a value at a point (`… at {n}=1`) or define it (`{n} = 1`)"
        )),
    }
}

/// Evaluates `e` to an `f64` with no bound variables; warnings go to `budget`.
pub fn value(defs: &Defs, e: &Expr, budget: &mut Budget) -> Result<f64, Error> {
    Evaluator::new(defs, 0.0, budget).eval(e, &[])
}
