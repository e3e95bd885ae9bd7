//! `:trace`: the computation as a list of operations, each with its value
//! and its tangents (forward mode), as an autodiff textbook draws the
//! evaluation trace. User functions are expanded into the operations of
//! their bodies; built-ins and derivatives `f'(x)` are one operation each.
//! Every operation is evaluated by the generic evaluator on placeholders,
//! so every rule stays in one place.

use crate::engine::eval::{Budget, Defs, Evaluator};
use crate::error::{Error, Warning};
use crate::format::shortest;
use crate::limits;
use crate::num::{Dual1, Scalar};
use crate::span::Span;
use crate::syntax::{Expr, ExprKind, Ident, UnOp};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// What a row of the trace is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// A variable of the point.
    Input,
    /// An operation on earlier rows.
    Op,
}

/// One row of the trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    /// A variable's own name, or `v1`, `v2`, … for operations.
    pub name: String,
    /// Input or operation.
    pub kind: RowKind,
    /// What computes it, in terms of earlier rows (`input` for a variable).
    pub op: String,
    /// The primal value.
    pub value: f64,
    /// The tangents: the derivative along each seeded variable.
    pub tangents: Vec<f64>,
}

/// A value in the trace: the text that names it in later rows, and the dual.
type Node = (String, Dual1);

/// The trace of `expr` at `point`. With `wrt`, one tangent column (that
/// variable); without, one per variable: the full gradient of every node.
pub fn trace(
    defs: &Defs,
    expr: &Expr,
    vars: &[String],
    point: &[f64],
    wrt: Option<usize>,
    cancel: Option<Arc<AtomicBool>>,
) -> Result<(Vec<TraceRow>, Vec<Warning>), Error> {
    let n = if wrt.is_some() { 1 } else { vars.len() };
    let inputs: Vec<(String, Node)> = vars
        .iter()
        .zip(point)
        .enumerate()
        .map(|(i, (name, x))| {
            let d = match wrt {
                Some(k) if k == i => Dual1::variable(1, 0, *x),
                Some(_) => Dual1::constant_n(1, *x),
                None => Dual1::variable(n, i, *x),
            };
            (name.clone(), (name.clone(), d))
        })
        .collect();
    let mut t = Tracer {
        defs,
        cancel,
        proto: Dual1::constant_n(n, 0.0),
        rows: Vec::new(),
        ops: 0,
        warnings: Vec::new(),
    };
    let top = Frame {
        scope: &inputs,
        site: None,
        depth: 0,
    };
    let (name, last) = t.node(expr, &top)?;
    // An expression that is a bare variable or constant still gets a result row.
    if t.rows.last().is_none_or(|r| r.name != name) {
        t.push(name, &last)?;
    }
    Ok((t.rows, t.warnings))
}

/// Where names are looked up: the point's variables at the top, a user
/// function's parameters inside its body.
struct Frame<'s> {
    scope: &'s [(String, Node)],
    /// The outermost user-function call: where warnings from inside point.
    site: Option<(Span, &'s str)>,
    depth: usize,
}

struct Tracer<'a> {
    defs: &'a Defs,
    cancel: Option<Arc<AtomicBool>>,
    proto: Dual1,
    rows: Vec<TraceRow>,
    ops: usize,
    warnings: Vec<Warning>,
}

impl Tracer<'_> {
    fn row(&mut self, name: String, kind: RowKind, op: String, d: &Dual1) -> Result<(), Error> {
        if self.rows.len() >= limits::MAX_TRACE_ROWS {
            return Err(Error::limit(
                "the trace has too many rows",
                limits::MAX_TRACE_ROWS,
            ));
        }
        Budget::new(self.cancel.clone()).check_cancel()?;
        self.rows.push(TraceRow {
            name,
            kind,
            op,
            value: d.v,
            tangents: d.g.clone(),
        });
        Ok(())
    }

    /// A new operation row; its name.
    fn push(&mut self, op: String, d: &Dual1) -> Result<String, Error> {
        self.ops += 1;
        let name = format!("v{}", self.ops);
        self.row(name.clone(), RowKind::Op, op, d)?;
        Ok(name)
    }

    /// Evaluates `e` with `args` bound to the placeholders `%0`, `%1`, …
    fn apply(&mut self, e: &Expr, args: &[Dual1], frame: &Frame) -> Result<Dual1, Error> {
        let names: Vec<String> = (0..args.len()).map(|i| format!("%{i}")).collect();
        let scope: Vec<(&str, Dual1)> = names
            .iter()
            .map(String::as_str)
            .zip(args.iter().cloned())
            .collect();
        let mut b = Budget::new(self.cancel.clone());
        let r = Evaluator::new(self.defs, self.proto.clone(), &mut b).eval(e, &scope);
        let r = match (r, frame.site) {
            (Err(err), Some((span, _))) => Err(err.at(span)),
            (r, _) => r,
        }?;
        for mut w in b.warnings {
            if let Some((span, f)) = frame.site {
                w.message = format!("{} (in {f})", w.message);
                w.span = Some(span);
            }
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        Ok(r)
    }

    fn node(&mut self, e: &Expr, frame: &Frame) -> Result<Node, Error> {
        match &e.kind {
            ExprKind::Num(v) => Ok((shortest(*v), self.proto.constant(*v))),
            ExprKind::Name(n) => self.name(e, n, frame),
            ExprKind::FuncRef { .. } => Ok((e.to_string(), self.apply(e, &[], frame)?)),
            ExprKind::Unary(op, a) => {
                let (an, ad) = self.node(a, frame)?;
                if *op == UnOp::Plus {
                    return Ok((an, ad));
                }
                let d = ad.neg();
                Ok((self.push(format!("-{an}"), &d)?, d))
            }
            ExprKind::Binary { .. } => self.chain(e, frame),
            ExprKind::Call { func, primes, args } => self.call(e, func, *primes, args, frame),
            ExprKind::Array(_) | ExprKind::Index { .. } => {
                Err(crate::error::Error::scalar_only().at(e.span))
            }
        }
    }

    /// A chain of binary operators: a loop down the left side, as the
    /// evaluator does; a row per operator.
    fn chain(&mut self, e: &Expr, frame: &Frame) -> Result<Node, Error> {
        let (spine, leaf) = e.left_spine();
        let (mut ln, mut ld) = self.node(leaf, frame)?;
        let mut lspan = leaf.span;
        for node in spine.into_iter().rev() {
            let ExprKind::Binary { op, rhs, .. } = &node.kind else {
                continue;
            };
            let (rn, rd) = self.node(rhs, frame)?;
            let shallow = Expr {
                kind: ExprKind::Binary {
                    op: *op,
                    lhs: Box::new(placeholder(0, lspan)),
                    rhs: Box::new(placeholder(1, rhs.span)),
                    implicit: false,
                },
                span: node.span,
            };
            let d = self.apply(&shallow, &[ld, rd], frame)?;
            ln = self.push(format!("{ln} {} {rn}", op.symbol()), &d)?;
            ld = d;
            lspan = node.span;
        }
        Ok((ln, ld))
    }

    /// A call: a user function is expanded into its operations; a built-in
    /// is one row.
    fn call(
        &mut self,
        e: &Expr,
        func: &Ident,
        primes: u32,
        args: &[Expr],
        frame: &Frame,
    ) -> Result<Node, Error> {
        let mut nodes = Vec::with_capacity(args.len());
        for a in args {
            nodes.push(self.node(a, frame)?);
        }
        if let Some(f) = self.defs.funcs.get(&func.name)
            && primes == 0
            && f.params.len() == nodes.len()
            && frame.depth < limits::MAX_CALL_DEPTH
        {
            let scope: Vec<(String, Node)> = f.params.iter().cloned().zip(nodes).collect();
            let inner = Frame {
                scope: &scope,
                site: frame.site.or(Some((e.span, func.name.as_str()))),
                depth: frame.depth + 1,
            };
            return self.node(&f.body, &inner);
        }
        let shallow = Expr {
            kind: ExprKind::Call {
                func: func.clone(),
                primes,
                args: args
                    .iter()
                    .enumerate()
                    .map(|(i, a)| placeholder(i, a.span))
                    .collect(),
            },
            span: e.span,
        };
        let (names, vals): (Vec<String>, Vec<Dual1>) = nodes.into_iter().unzip();
        let d = self.apply(&shallow, &vals, frame)?;
        let op = format!(
            "{}{}({})",
            func.name,
            "'".repeat(primes as usize),
            names.join(", ")
        );
        Ok((self.push(op, &d)?, d))
    }

    /// A name: a variable of the frame (an input row on first use at the
    /// top), else a session variable or constant, evaluated.
    fn name(&mut self, e: &Expr, n: &str, frame: &Frame) -> Result<Node, Error> {
        let Some((_, (label, d))) = frame.scope.iter().find(|(k, _)| k == n) else {
            return Ok((n.to_string(), self.apply(e, &[], frame)?));
        };
        if frame.depth == 0
            && !self
                .rows
                .iter()
                .any(|r| r.kind == RowKind::Input && r.name == *n)
        {
            self.row(n.to_string(), RowKind::Input, "input".into(), d)?;
        }
        Ok((label.clone(), d.clone()))
    }
}

fn placeholder(i: usize, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Name(format!("%{i}")),
        span,
    }
}
