//! From the syntax tree to a canonical formula: user functions expanded,
//! `f'(x)` differentiated, `log(x, b)` and `sqrt` rewritten.

use super::coef::Coef;
use super::diff::diff_by as diff;
use super::simplify::{Constant, Sym, add, call, int, mul, neg, num, pow};
use crate::builtins;
use crate::error::{Error, ErrorKind};
use crate::limits::{MAX_FORMULA_NODES, MAX_FORMULA_STEPS};
use crate::syntax::{BinOp, Expr, ExprKind, Span, UnOp};

/// What a formula can see of the session: its functions and variables.
pub trait Scope {
    /// A user function's parameters and body.
    fn function(&self, name: &str) -> Option<(&[String], &Expr)>;
    /// Whether `name` is a session variable (kept by name, held constant).
    fn is_variable(&self, name: &str) -> bool;
}

/// Builds the formula of `e`. `vars` are the names that are variables even
/// where they are also a constant's name (`e` in `… wrt e`).
pub fn formula(e: &Expr, scope: &dyn Scope, vars: &[String]) -> Result<Sym, Error> {
    formula_within(e, scope, vars, MAX_FORMULA_STEPS, &mut || Ok(()))
}

/// [`formula`] in at most `max_steps` steps of expanding (at most
/// [`MAX_FORMULA_STEPS`]: less for a formula wanted only when it is
/// cheap), asking `poll` every thousand or so steps whether to stop
/// (Ctrl-C, a time limit).
pub fn formula_within(
    e: &Expr,
    scope: &dyn Scope,
    vars: &[String],
    max_steps: usize,
    poll: &mut dyn FnMut() -> Result<(), Error>,
) -> Result<Sym, Error> {
    let mut c = Converter {
        scope,
        vars,
        params: Vec::new(),
        site: None,
        depth: 0,
        steps: 0,
        max_steps: max_steps.min(MAX_FORMULA_STEPS),
        poll,
    };
    let s = c.conv(e)?;
    check_size(s, e.span)
}

fn check_size(s: Sym, span: Span) -> Result<Sym, Error> {
    if s.size() > MAX_FORMULA_NODES {
        return Err(Error::limit(
            "the formula is too large once its functions are expanded",
            format!("{MAX_FORMULA_NODES} nodes"),
        )
        .at(span));
    }
    Ok(s)
}

struct Converter<'a> {
    scope: &'a dyn Scope,
    vars: &'a [String],
    /// Parameters bound while inside a function body, innermost last.
    params: Vec<(String, Sym)>,
    /// The outermost call being expanded: errors inside bodies point there.
    site: Option<Span>,
    depth: usize,
    /// Nodes visited so far, against `max_steps`.
    steps: usize,
    max_steps: usize,
    poll: &'a mut dyn FnMut() -> Result<(), Error>,
}

/// Expansion steps between two polls.
const POLL_EVERY: usize = 1024;

impl Converter<'_> {
    fn err(&self, e: Error, span: Span) -> Error {
        e.at(self.site.unwrap_or(span))
    }

    /// Counts a step: an error past the step limit or when `poll` says
    /// stop. Kept out of `conv`, whose frame every level of nesting pays for.
    #[inline(never)]
    fn step(&mut self, span: Span) -> Result<(), Box<Error>> {
        self.steps += 1;
        if self.steps.is_multiple_of(POLL_EVERY)
            && let Err(e) = (self.poll)()
        {
            return Err(Box::new(self.err(e, span)));
        }
        if self.steps > self.max_steps {
            let e = Error::limit(
                "expanding the functions takes too many steps (functions calling each other twice multiply quickly)",
                self.max_steps,
            );
            return Err(Box::new(self.err(e, span)));
        }
        Ok(())
    }

    fn conv(&mut self, e: &Expr) -> Result<Sym, Error> {
        if let Err(err) = self.step(e.span) {
            return Err(*err);
        }
        match &e.kind {
            ExprKind::Num(v) => Ok(num(Coef::from_f64(*v))),
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::FuncRef { name, primes } => {
                let p = "'".repeat(*primes as usize);
                Err(self.err(
                    Error::new(
                        ErrorKind::Name,
                        format!(
                            "`{name}{p}` is a function: call it with an argument, as `{name}{p}(x)`"
                        ),
                    ),
                    e.span,
                ))
            }
            ExprKind::Unary(UnOp::Neg, a) => Ok(neg(self.conv(a)?)),
            ExprKind::Unary(UnOp::Plus, a) => self.conv(a),
            ExprKind::Binary { op, lhs, rhs, .. } => match op {
                BinOp::Add | BinOp::Sub => self.chain(e, true),
                BinOp::Mul | BinOp::Div => self.chain(e, false),
                BinOp::Pow => Ok(pow(self.conv(lhs)?, self.conv(rhs)?)),
                BinOp::MatMul => Err(self.err(formulas_over_arrays(), e.span)),
            },
            ExprKind::Array(_) | ExprKind::Index { .. } => {
                Err(self.err(formulas_over_arrays(), e.span))
            }
            ExprKind::Call { func, primes, args } => {
                let s = self.call(&func.name, *primes, args, e.span)?;
                check_size(s, self.site.unwrap_or(e.span))
            }
        }
    }

    /// A chain of `+`/`-` (`sum`) or `*`/`/`, flattened without recursing
    /// down its left spine (a sum of a thousand terms is a deep tree).
    fn chain(&mut self, e: &Expr, sum: bool) -> Result<Sym, Error> {
        let mut items: Vec<(bool, &Expr)> = Vec::new();
        let mut cur = e;
        while let ExprKind::Binary { op, lhs, rhs, .. } = &cur.kind {
            let inverted = match op {
                BinOp::Add | BinOp::Mul if sum == (*op == BinOp::Add) => false,
                BinOp::Sub | BinOp::Div if sum == (*op == BinOp::Sub) => true,
                _ => break,
            };
            items.push((inverted, rhs));
            cur = lhs;
        }
        items.push((false, cur));
        let mut out = Vec::with_capacity(items.len());
        for (inverted, x) in items.into_iter().rev() {
            let s = self.conv(x)?;
            out.push(match (inverted, sum) {
                (false, _) => s,
                (true, true) => neg(s),
                (true, false) => pow(s, int(-1)),
            });
        }
        Ok(if sum { add(out) } else { mul(out) })
    }

    fn name(&self, n: &str, span: Span) -> Result<Sym, Error> {
        if let Some((_, s)) = self.params.iter().rev().find(|(p, _)| p == n) {
            return Ok(s.clone());
        }
        let top = self.site.is_none();
        if (top && self.vars.iter().any(|v| v == n)) || self.scope.is_variable(n) {
            return Ok(Sym::Name(n.to_string()));
        }
        if let Some(c) = Constant::named(n) {
            return Ok(Sym::Const(c));
        }
        if let Some(v) = builtins::constant(n) {
            return Ok(num(Coef::Real(v)));
        }
        if let Some((params, _)) = self.scope.function(n) {
            let e = Error::new(
                ErrorKind::Name,
                format!(
                    "`{n}` is a function: call it as `{n}({})`",
                    params.join(", ")
                ),
            );
            return Err(self.err(e, span));
        }
        if let Some(b) = builtins::lookup(n) {
            let e = Error::new(
                ErrorKind::Name,
                format!("`{n}` is a built-in function: call it as `{}`", b.syntax),
            );
            return Err(self.err(e, span));
        }
        if top {
            return Ok(Sym::Name(n.to_string()));
        }
        Err(self.err(
            Error::new(ErrorKind::Name, format!("unknown name `{n}`")),
            span,
        ))
    }

    fn call(&mut self, name: &str, primes: u32, args: &[Expr], span: Span) -> Result<Sym, Error> {
        let arity = |min: usize, max: usize| {
            builtins::check_arity(name, min, max, args.len(), primes as usize)
        };
        if let Some((params, body)) = self.scope.function(name) {
            arity(params.len(), params.len()).map_err(|e| self.err(e, span))?;
            let vals = args
                .iter()
                .map(|a| self.conv(a))
                .collect::<Result<Vec<_>, _>>()?;
            if self.depth >= crate::limits::MAX_CALL_DEPTH {
                let e = Error::limit(
                    "functions call each other too deeply",
                    crate::limits::MAX_CALL_DEPTH,
                );
                return Err(self.err(e, span));
            }
            let params = params.to_vec();
            let body = body.clone();
            return self.expand(&params, &body, vals, primes, span);
        }
        let Some(b) = builtins::lookup(name) else {
            let e = Error::new(ErrorKind::Name, format!("unknown function `{name}`"));
            return Err(self.err(e, span));
        };
        arity(b.min_args, b.max_args).map_err(|e| self.err(e, span))?;
        let vals = args
            .iter()
            .map(|a| self.conv(a))
            .collect::<Result<Vec<_>, _>>()?;
        if primes == 0 {
            return Ok(call(b.id, vals));
        }
        let hole = self.hole();
        let mut g = call(b.id, vec![Sym::Name(hole.clone())]);
        for _ in 0..primes {
            g = diff(&g, &hole).map_err(|e| self.err(e, span))?;
        }
        let arg = vals.into_iter().next().unwrap_or_else(|| int(0));
        Ok(g.map_names(&|n| (n == hole).then(|| arg.clone())))
    }

    /// A name no user can write, standing for a function's argument while
    /// its derivative is taken.
    fn hole(&self) -> String {
        format!("#{}", self.depth)
    }

    fn expand(
        &mut self,
        params: &[String],
        body: &Expr,
        vals: Vec<Sym>,
        primes: u32,
        span: Span,
    ) -> Result<Sym, Error> {
        let saved_params = std::mem::take(&mut self.params);
        let saved_site = self.site;
        self.site = Some(saved_site.unwrap_or(span));
        self.depth += 1;
        let hole = self.hole();
        self.params = if primes == 0 {
            params.iter().cloned().zip(vals.iter().cloned()).collect()
        } else {
            vec![(params[0].clone(), Sym::Name(hole.clone()))]
        };
        let r = self.conv(body).and_then(|mut g| {
            if primes == 0 {
                return Ok(g);
            }
            for _ in 0..primes {
                g = diff(&g, &hole)?;
            }
            let arg = vals[0].clone();
            Ok(g.map_names(&|n| (n == hole).then(|| arg.clone())))
        });
        self.depth -= 1;
        self.params = saved_params;
        self.site = saved_site;
        r.map_err(|e| e.at(saved_site.unwrap_or(span)))
    }
}

/// Arrays have no formulas yet: a typed error, pointing at the array syntax.
fn formulas_over_arrays() -> Error {
    Error::new(
        ErrorKind::Name,
        "formulas over arrays are not supported yet",
    )
    .help("the numbers over arrays come from :grad, :diff, :hess and :jac")
}
