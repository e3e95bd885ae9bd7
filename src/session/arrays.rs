//! Statements and commands over arrays: which ones involve arrays, binding
//! a point that holds arrays, and asking the array engine for values,
//! gradients, Hessians and Jacobians.

use super::{Session, distrust_if_warned};
use crate::builtins;
use crate::check::{self, CheckReport};
use crate::engine::array::{self, Context, Program, functions};
use crate::error::{Error, ErrorKind, Warning};
use crate::limits;
use crate::num::Array;
use crate::num::array::shape_text;
use crate::num::entry_names;
use crate::outcome::{
    ArrayDerivatives, ArrayJacobian, ArrayOutcome, CheckCoverage, Curve, DerivKind, Outcome,
};
use crate::syntax::{BinOp, Expr, ExprKind, Ident, Point, Span, names_in, walk};

/// A point over arrays: the variables and their values.
pub(super) struct ArrayPoint {
    pub vars: Vec<String>,
    pub values: Vec<Array>,
}

impl ArrayPoint {
    fn inputs(&self) -> Vec<(String, Vec<usize>)> {
        self.vars
            .iter()
            .zip(&self.values)
            .map(|(n, a)| (n.clone(), a.shape().to_vec()))
            .collect()
    }
    fn buffers(&self) -> Vec<Vec<f64>> {
        self.values.iter().map(|a| a.data().to_vec()).collect()
    }
    /// The names of the flattened entries: `w[0]`, `A[1,0]`, `b`.
    fn entry_names(&self) -> Vec<String> {
        self.vars
            .iter()
            .zip(&self.values)
            .flat_map(|(k, a)| entry_names(k, a.shape()))
            .collect()
    }
}

/// An array of `shape` from `data` known to fit it.
fn shaped(shape: &[usize], data: Vec<f64>) -> Array {
    let n = data.len();
    Array::new(shape.to_vec(), data).unwrap_or_else(|| {
        Array::new(vec![n], vec![0.0; n]).unwrap_or_else(|| Array::scalar(f64::NAN))
    })
}

impl Session {
    fn context(&self) -> Context<'_> {
        Context {
            defs: &self.defs,
            arrays: &self.arrays,
            src: &self.source,
        }
    }

    /// True when `e` needs the array engine: array syntax, an array
    /// variable, a function over arrays, or a user function using any of
    /// these.
    pub(super) fn uses_arrays(&self, e: &Expr) -> bool {
        let mut todo = vec![e];
        let mut seen: Vec<&str> = Vec::new();
        while let Some(x) = todo.pop() {
            let mut found = false;
            walk(x, &mut |n| match &n.kind {
                ExprKind::Array(_) | ExprKind::Index { .. } => found = true,
                ExprKind::Binary {
                    op: BinOp::MatMul, ..
                } => found = true,
                ExprKind::Name(v) if self.arrays.contains_key(v) => found = true,
                ExprKind::Call { func, args, .. } => {
                    if let Some((name, f)) = self.defs.funcs.get_key_value(&func.name) {
                        if !seen.contains(&name.as_str()) {
                            seen.push(name);
                            todo.push(&f.body);
                        }
                    } else if is_array_call(&func.name, args.len()) {
                        found = true;
                    }
                }
                _ => {}
            });
            if found {
                return true;
            }
        }
        false
    }

    /// The first call of a function over arrays in `e` (`sum(x)`,
    /// `linspace(0, 1, 5)`), also inside the bodies of the user functions it
    /// calls: the array function's name and the span in `e` that leads to it.
    pub(super) fn array_call(&self, e: &Expr) -> Option<(String, Span)> {
        let mut seen: Vec<&str> = Vec::new();
        self.array_call_in(e, &mut seen)
    }

    fn array_call_in<'a>(&'a self, e: &Expr, seen: &mut Vec<&'a str>) -> Option<(String, Span)> {
        let mut calls = Vec::new();
        walk(e, &mut |n| {
            if let ExprKind::Call { func, args, .. } = &n.kind {
                calls.push((func.name.clone(), args.len(), n.span));
            }
        });
        for (name, args, span) in calls {
            if is_array_call(&name, args) {
                return Some((name, span));
            }
            if let Some((key, f)) = self.defs.funcs.get_key_value(&name)
                && !seen.contains(&key.as_str())
            {
                seen.push(key);
                if let Some((inner, _)) = self.array_call_in(&f.body, seen) {
                    return Some((inner, span));
                }
            }
        }
        None
    }

    /// True when a value of the point needs the array engine.
    pub(super) fn point_uses_arrays(&self, p: &Point) -> bool {
        match p {
            Point::Positional(v) => v.iter().any(|e| self.uses_arrays(e)),
            Point::Named(v) => v.iter().any(|(_, e)| self.uses_arrays(e)),
        }
    }

    /// The value of `e`, which depends on no point.
    pub(super) fn array_value(&self, e: &Expr) -> Result<(Array, Vec<Warning>), Error> {
        let (p, warnings) = array::compile(self.context(), e, &[])?;
        let mut b = self.budget();
        let v = p.value(&[], &mut b)?;
        let mut warnings = warnings;
        warnings.extend(b.warnings);
        Ok((shaped(p.out_shape(), v), warnings))
    }

    pub(super) fn array_expr(&self, e: &Expr) -> Result<Outcome, Error> {
        let (value, warnings) = self.array_value(e)?;
        Ok(Outcome::Arrays(Box::new(ArrayOutcome::Value {
            value,
            warnings,
        })))
    }

    pub(super) fn array_assign(&mut self, name: Ident, e: &Expr) -> Result<Outcome, Error> {
        self.check_definable(&name)?;
        let (value, _) = self.array_value(e)?;
        self.refuse_if_function_used(&name)?;
        let warnings = self.shadow_warning(&name.name, false);
        if value.is_scalar() {
            let v = value.data()[0];
            let replaced = self.forget(&name.name);
            self.defs.vars.insert(name.name.clone(), v);
            return Ok(Outcome::Defined {
                what: crate::outcome::Defined::Variable {
                    name: name.name,
                    value: v,
                },
                replaced,
                warnings,
            });
        }
        let replaced = self.forget(&name.name);
        self.arrays.insert(name.name.clone(), value.clone());
        Ok(Outcome::Arrays(Box::new(ArrayOutcome::Defined {
            name: name.name,
            value,
            replaced,
            warnings,
        })))
    }

    /// Refuses to make `name` a variable while it is a function that other
    /// functions call.
    pub(super) fn refuse_if_function_used(&self, name: &Ident) -> Result<(), Error> {
        if self.defs.funcs.contains_key(&name.name) {
            self.refuse_if_used(std::slice::from_ref(&name.name), "redefine as a variable")
                .map_err(|e| e.at(name.span))?;
        }
        Ok(())
    }

    /// Removes every definition of `name`; true if there was one.
    pub(super) fn forget(&mut self, name: &str) -> bool {
        self.data_sources.remove(name);
        self.defs.vars.remove(name).is_some()
            | self.defs.funcs.remove(name).is_some()
            | self.arrays.remove(name).is_some()
    }

    /// The variables of `expr` and their values at `point`, which may hold
    /// arrays; the variables are decided as for numbers
    /// ([`Session::point_vars`]).
    pub(super) fn bind_arrays(
        &self,
        expr: &Expr,
        given: Option<Vec<String>>,
        point: &Point,
        span: Span,
    ) -> Result<ArrayPoint, Error> {
        let (vars, exprs) = self.point_vars(expr, given, point, span)?;
        let mut values = Vec::with_capacity(exprs.len());
        for (name, e) in vars.iter().zip(exprs) {
            let (a, _) = self.array_value(e)?;
            if let Some(bad) = a.data().iter().find(|v| !v.is_finite()) {
                return Err(Error::new(
                    ErrorKind::Point,
                    format!(
                        "`{name}` holds {}: a point must be finite",
                        crate::format::shortest(*bad)
                    ),
                )
                .at(e.span));
            }
            values.push(a);
        }
        Ok(ArrayPoint { vars, values })
    }

    fn compile_at(&self, expr: &Expr, p: &ArrayPoint) -> Result<(Program, Vec<Warning>), Error> {
        array::compile(self.context(), expr, &p.inputs())
    }

    /// `:grad`, `:diff`, `:hess`, `:check` and a report, over arrays.
    pub(super) fn array_derivatives(
        &mut self,
        kind: DerivKind,
        expr: Expr,
        wrt: Option<Ident>,
        point: &Point,
        span: Span,
    ) -> Result<Outcome, Error> {
        let (expr, given) = self.expand(expr);
        let p = self.bind_arrays(&expr, given, point, span)?;
        let (prog, mut warnings) = self.compile_at(&expr, &p)?;
        let x = p.buffers();
        let mut b = self.budget();
        let (value, grads, noise) = prog.gradient(&x, &mut b)?;
        warnings.append(&mut b.warnings);
        let at = Sweep {
            prog: &prog,
            x: &x,
            grads: &grads,
            noise,
            terms: prog.summed_terms(),
            warned: !warnings.is_empty(),
        };
        let mut d = ArrayDerivatives {
            kind,
            expr: expr.to_string(),
            vars: p.vars.clone(),
            point: p.values.clone(),
            value: shaped(prog.out_shape(), value),
            summed: !prog.out_shape().is_empty(),
            gradient: None,
            hessian: None,
            wrt: None,
            derivative: None,
            second: None,
            check: None,
            coverage: None,
            warnings: Vec::new(),
        };
        let mut gradient: Vec<Array> = p
            .values
            .iter()
            .zip(&grads)
            .map(|(a, g)| shaped(a.shape(), g.clone()))
            .collect();
        let mut only = None;
        if kind == DerivKind::Diff {
            let k = Self::pick_var(&p.vars, wrt.as_ref(), span, "diff")?;
            let second = self.diagonal(&prog, &x, k, span)?;
            d.wrt = Some(p.vars[k].clone());
            d.derivative = Some(gradient.swap_remove(k));
            d.second = Some(shaped(p.values[k].shape(), second));
            only = Some(k);
        } else {
            if kind != DerivKind::Grad {
                d.hessian = self.array_hessian(&at, kind, span)?;
            }
            d.gradient = Some(gradient);
        }
        if self.settings.check || kind == DerivKind::Check {
            let small = prog.input_len() <= limits::MAX_CHECK_HESSIAN_VARS;
            let h = d.hessian.as_deref().filter(|_| small);
            let (c, cov) = self.array_check(&at, h, only);
            (d.check, d.coverage) = (Some(c), Some(cov));
        }
        d.warnings = warnings;
        if let Some(c) = &mut d.check {
            distrust_if_warned(c, &d.warnings);
        }
        Ok(Outcome::Arrays(Box::new(ArrayOutcome::Derivatives(
            Box::new(d),
        ))))
    }

    /// The Hessian over all entries for `:hess`, a report or `:check`:
    /// `None` for an array-valued expression, or past the dense limit for a
    /// report or `:check`. `:hess` computes it up to the variable limit
    /// (its n² entries then fill the dense Jacobian's limit).
    fn array_hessian(
        &self,
        at: &Sweep<'_>,
        kind: DerivKind,
        span: Span,
    ) -> Result<Option<Vec<Vec<f64>>>, Error> {
        let shape = at.prog.out_shape();
        let n = at.prog.input_len();
        if !shape.is_empty() {
            if kind == DerivKind::Hess {
                return Err(Error::new(
                    ErrorKind::Point,
                    format!(
                        "`:hess` needs a scalar expression, but this one has shape {}",
                        shape_text(shape)
                    ),
                )
                .at(span)
                .help("reduce it first, e.g. `sum(…)`, or use `:jac` for the derivatives of each entry"));
            }
            return Ok(None);
        }
        // A report or `:check` stops at the dense limit; `:hess` goes on to
        // the variable limit, one Hessian-vector product per entry.
        if n > limits::MAX_HESSIAN_VARS && kind != DerivKind::Hess {
            return Ok(None);
        }
        if n > limits::MAX_VARS {
            return Err(Error::limit(
                &format!("too many entries for a Hessian ({n})"),
                limits::MAX_VARS,
            )
            .at(span)
            .help("use :grad for the gradient alone, or :hess over fewer entries (a slice)"));
        }
        let mut b = self.budget();
        Ok(Some(at.prog.hessian(at.x, &mut b)?))
    }

    /// The second derivative of the sum of the result by each entry of
    /// input `k` (the Hessian's diagonal there): one Hessian-vector product
    /// when the expression is elementwise in it, else one per entry.
    fn diagonal(
        &self,
        prog: &Program,
        x: &[Vec<f64>],
        k: usize,
        span: Span,
    ) -> Result<Vec<f64>, Error> {
        let mut b = self.budget();
        let len = x[k].len();
        if prog.elementwise_in(k) {
            let dir: Vec<Vec<f64>> = x
                .iter()
                .enumerate()
                .map(|(i, xi)| vec![if i == k { 1.0 } else { 0.0 }; xi.len()])
                .collect();
            return Ok(prog.hvp(x, &dir, &mut b)?.swap_remove(k));
        }
        if len > limits::MAX_HESSIAN_VARS {
            return Err(Error::limit(
                &format!(
                    "the second derivatives of {len} entries that interact need one sweep each"
                ),
                limits::MAX_HESSIAN_VARS,
            )
            .at(span)
            .help("use :grad for the first derivatives alone"));
        }
        let offset: usize = x[..k].iter().map(Vec::len).sum();
        let mut out = Vec::with_capacity(len);
        for j in 0..len {
            let dir = prog.unit(offset + j);
            out.push(prog.hvp(x, &dir, &mut b)?[k][j]);
        }
        Ok(out)
    }

    /// The sum of the entries of the result at the point `x` (NaN where it
    /// cannot be computed): what the check differences.
    fn summed_at(&self, at: &Sweep<'_>, x: &[Vec<f64>]) -> f64 {
        self.result_at(at, x).map_or(f64::NAN, |y| y.iter().sum())
    }

    /// The entries of the result at the point `x`.
    fn result_at(&self, at: &Sweep<'_>, x: &[Vec<f64>]) -> Option<Vec<f64>> {
        self.entries_at(at.prog, x)
    }

    /// The entries of `prog`'s result at the point `x`.
    fn entries_at(&self, prog: &Program, x: &[Vec<f64>]) -> Option<Vec<f64>> {
        let mut b = crate::engine::Budget::new(self.cancel.clone());
        prog.value(x, &mut b).ok()
    }

    /// What the check of entries `place` differences, and the floor under
    /// its rounding. An array's is `Σₖ (yₖ(x′) − yₖ(x))`, the same function
    /// but for a constant: the entries a sampled entry does not reach
    /// subtract to exact zeros, so a million-entry `sin(x) * x^2` no longer
    /// buries the change in one entry under the rounding of the whole sum.
    /// A scalar `c · Σ tₖ + d` is differenced the same way over its terms,
    /// as `c · Σₖ (tₖ(x′) − tₖ(x))`, when the move changes some of them
    /// and leaves others (where every term moves, as in a model's loss
    /// over its rows, nothing subtracts to zero, and where none does the
    /// move tells nothing: the scalar itself is differenced). Any other
    /// scalar is differenced itself. The floor is
    /// the whole sum's rounding (`noise`) in the share of the entries that
    /// change when the sampled ones move by a thousandth, plus the rounding
    /// of those entries themselves.
    fn differenced<'s>(
        &self,
        at: &'s Sweep<'_>,
        place: &[(usize, usize)],
    ) -> (Option<Differenced<'s>>, f64) {
        let (prog, scale) = match &at.terms {
            Some((t, c)) => (t, *c),
            None => (at.prog, 1.0),
        };
        // Evaluated again, not taken from the gradient's pass: the same
        // value-only code as every evaluation of the check, so that the
        // entries a move does not reach subtract to exact zeros.
        let base = match self.entries_at(prog, at.x) {
            Some(y) if y.len() > 1 => y,
            _ => return (None, at.noise),
        };
        let mut moved = at.x.to_vec();
        for &(k, j) in place {
            let v = moved[k][j];
            moved[k][j] = if v == 0.0 { 1e-3 } else { v * (1.0 + 1e-3) };
        }
        let Some(y) = self.entries_at(prog, &moved) else {
            return (None, at.noise);
        };
        let (mut changed, mut size) = (0usize, 0.0);
        for (a, b) in y.iter().zip(&base) {
            if a != b {
                changed += 1;
                size += a.abs() + b.abs();
            }
        }
        if at.terms.is_some() && (changed == 0 || changed == base.len()) {
            return (None, at.noise);
        }
        let share = changed.max(1) as f64 / base.len() as f64;
        let floor = at.noise * share + f64::EPSILON * size * scale.abs();
        (Some(Differenced { prog, scale, base }), floor)
    }

    /// The finite-difference check of a gradient over arrays (of input
    /// `only`, or of all): every entry while that is cheap; past that a
    /// random sample of entries and one random direction.
    fn array_check(
        &self,
        at: &Sweep<'_>,
        hess: Option<&[Vec<f64>]>,
        only: Option<usize>,
    ) -> (CheckReport, CheckCoverage) {
        let flat: Vec<f64> = at.x.concat();
        let range: Vec<usize> = match only {
            Some(k) => {
                let offset: usize = at.x[..k].iter().map(Vec::len).sum();
                (offset..offset + at.x[k].len()).collect()
            }
            None => (0..flat.len()).collect(),
        };
        let entries = range.len();
        if entries <= limits::MAX_CHECK_ENTRIES {
            let h = hess.filter(|_| only.is_none());
            let c = self.check_entries(at, &range, h);
            return (c, CheckCoverage::Every { entries });
        }
        let mut rng = Lcg(0x9e37_79b9_7f4a_7c15 ^ flat.len() as u64);
        // Where a built-in warned of a kink, the check looks at that entry's
        // two sides first, as the scalar check does at its point.
        let mut sampled: Vec<usize> = if at.warned {
            let b = self.budget();
            let most = limits::CHECK_SAMPLE_MIN;
            let mut k = at.prog.kinked_entries(at.x, &b, most);
            k.retain(|i| range.contains(i));
            k
        } else {
            Vec::new()
        };
        while sampled.len() < SAMPLE {
            let i = range[(rng.next() % entries as u64) as usize];
            if !sampled.contains(&i) {
                sampled.push(i);
            }
        }
        let mut c = self.check_sample(at, &mut sampled);
        let dc = self.check_direction(at, &flat, &range, &mut rng);
        for mut e in dc.entries {
            e.i = flat.len();
            if e.ad.is_finite() && e.fd.is_finite() {
                c.max_rel_err = c.max_rel_err.max(e.rel_err);
            }
            c.entries.push(e);
        }
        c.status = check::Status::of(&c.entries);
        c.ok = c.status == check::Status::Pass;
        c.evaluations += dc.evaluations;
        (c, CheckCoverage::Sample { sampled, entries })
    }

    /// The check of the randomly `sampled` entries: the first
    /// [`limits::CHECK_SAMPLE_MIN`], then as many more as fit in
    /// [`limits::CHECK_SAMPLE_SECS`] at the rate those took; `sampled` keeps
    /// those that were checked, in order.
    fn check_sample(&self, at: &Sweep<'_>, sampled: &mut Vec<usize>) -> CheckReport {
        let start = std::time::Instant::now();
        let first = limits::CHECK_SAMPLE_MIN.min(sampled.len());
        let mut c = self.check_entries(at, &sampled[..first], None);
        let each = start.elapsed().as_secs_f64() / first.max(1) as f64;
        let room = (limits::CHECK_SAMPLE_SECS - start.elapsed().as_secs_f64()) / each.max(1e-9);
        let more = (room.max(0.0) as usize).min(sampled.len() - first);
        sampled.truncate(first + more);
        if more > 0 {
            let rest = self.check_entries(at, &sampled[first..], None);
            c.entries.extend(rest.entries.into_iter().map(|mut e| {
                e.i += first;
                e
            }));
            c.max_rel_err = c.max_rel_err.max(rest.max_rel_err);
            c.evaluations += rest.evaluations;
            c.skipped = c.skipped.or(rest.skipped);
        }
        // Entries in the order of the point, each named by its place in it.
        for e in &mut c.entries {
            e.i = sampled[e.i];
        }
        c.entries.sort_by_key(|e| e.i);
        sampled.sort_unstable();
        c
    }

    /// The check of the flattened entries `which` of the point, the
    /// others held fixed (entry `i` of the report is `which[i]`).
    fn check_entries(
        &self,
        at: &Sweep<'_>,
        which: &[usize],
        hess: Option<&[Vec<f64>]>,
    ) -> CheckReport {
        // Each entry as (input, position): the point is changed in place,
        // not copied for each of the many evaluations.
        let mut place = Vec::with_capacity(which.len());
        for &i in which {
            let (mut k, mut j) = (0, i);
            while j >= at.x[k].len() {
                j -= at.x[k].len();
                k += 1;
            }
            place.push((k, j));
        }
        let (base, floor) = self.differenced(at, &place);
        let mut pt = at.x.to_vec();
        let mut f = |sub: &[f64]| {
            for ((k, j), v) in place.iter().zip(sub) {
                pt[*k][*j] = *v;
            }
            match &base {
                Some(d) => self.entries_at(d.prog, &pt).map_or(f64::NAN, |y| {
                    d.scale * y.iter().zip(&d.base).map(|(a, b)| a - b).sum::<f64>()
                }),
                None => self.summed_at(at, &pt),
            }
        };
        let sub_x: Vec<f64> = place.iter().map(|&(k, j)| at.x[k][j]).collect();
        let sub_g: Vec<f64> = place.iter().map(|&(k, j)| at.grads[k][j]).collect();
        check::check_with_noise(&mut f, &sub_x, &sub_g, hess, floor)
    }

    /// The check along a random direction `v` over the entries `range`:
    /// ∇f·v against the central difference along v. Each entry of `v` is
    /// ±(the entry's own size, or 1 at 0), so that a step t along v moves
    /// every entry by t relative to itself, as the entry-wise check steps
    /// do: the change in f then grows with the number of entries, like its
    /// rounding noise, instead of shrinking under it (a unit-length v moves
    /// each of a million entries by 1e-3 of a step).
    fn check_direction(
        &self,
        at: &Sweep<'_>,
        flat: &[f64],
        range: &[usize],
        rng: &mut Lcg,
    ) -> CheckReport {
        let mut v = vec![0.0; flat.len()];
        for &i in range {
            let size = if flat[i] == 0.0 { 1.0 } else { flat[i].abs() };
            v[i] = if rng.next() & 1 == 0 { size } else { -size };
        }
        let slope: f64 = v.iter().zip(at.grads.concat()).map(|(a, b)| a * b).sum();
        let sizes: Vec<usize> = at.x.iter().map(Vec::len).collect();
        let mut along = |t: &[f64]| {
            let moved: Vec<f64> = flat.iter().zip(&v).map(|(a, b)| a + t[0] * b).collect();
            self.summed_at(at, &split(&sizes, &moved))
        };
        check::check_with_noise(&mut along, &[0.0], &[slope], None, at.noise)
    }

    /// `:jac` over arrays: every output entry by every input entry.
    pub(super) fn array_jac(
        &mut self,
        exprs: Vec<Expr>,
        point: &Point,
        span: Span,
    ) -> Result<Outcome, Error> {
        let p = self.bind_arrays(&all_variables(&exprs, span), None, point, span)?;
        let x = p.buffers();
        let n = x.iter().map(Vec::len).sum::<usize>();
        let mut values = Vec::new();
        let mut rows = Vec::new();
        let mut row_names = Vec::new();
        let mut warnings = Vec::new();
        for (i, e) in exprs.iter().enumerate() {
            let (prog, mut w) = self.compile_at(e, &p)?;
            let m: usize = prog.out_shape().iter().product();
            if (rows.len() + m).saturating_mul(n) > limits::MAX_JACOBIAN_ENTRIES {
                return Err(Error::limit(
                    "the Jacobian is too large",
                    limits::MAX_JACOBIAN_ENTRIES,
                )
                .at(e.span));
            }
            let mut b = self.budget();
            let (v, r) = prog.jacobian(&x, &mut b)?;
            w.append(&mut b.warnings);
            warnings.append(&mut w);
            let label = if exprs.len() == 1 {
                "y".to_string()
            } else {
                format!("y{}", i + 1)
            };
            row_names.extend(entry_names(&label, prog.out_shape()));
            values.push(shaped(prog.out_shape(), v));
            rows.extend(r);
        }
        Ok(Outcome::Arrays(Box::new(ArrayOutcome::Jacobian(Box::new(
            ArrayJacobian {
                exprs: exprs.iter().map(Expr::to_string).collect(),
                col_names: p.entry_names(),
                vars: p.vars,
                point: p.values,
                values,
                jacobian: rows,
                row_names,
                warnings,
            },
        )))))
    }
}

/// One evaluation of a program with its gradient: what the check needs.
struct Sweep<'a> {
    prog: &'a Program,
    x: &'a [Vec<f64>],
    grads: &'a [Vec<f64>],
    /// The rounding noise of the value, for the check's tolerance.
    noise: f64,
    /// For a scalar `c · Σ tₖ + d`: the program of the terms `t`, and `c`.
    terms: Option<(Program, f64)>,
    /// Whether the gradient's pass gave warnings.
    warned: bool,
}

/// What the check differences: `scale · Σₖ (yₖ(x′) − baseₖ)` for the
/// entries `y` of `prog`'s result.
struct Differenced<'a> {
    prog: &'a Program,
    scale: f64,
    base: Vec<f64>,
}

/// `v` cut into consecutive pieces of the given sizes.
fn split(sizes: &[usize], v: &[f64]) -> Vec<Vec<f64>> {
    let mut at = 0;
    sizes
        .iter()
        .map(|len| {
            let s = v[at..at + len].to_vec();
            at += len;
            s
        })
        .collect()
}

/// A call naming the free names of all of `exprs`, in order of first
/// appearance: what the point of `:jac` binds.
fn all_variables(exprs: &[Expr], span: Span) -> Expr {
    let mut all = Vec::new();
    for e in exprs {
        for n in names_in(e) {
            if !all.contains(&n) {
                all.push(n);
            }
        }
    }
    let args = all
        .into_iter()
        .map(|n| Expr {
            kind: ExprKind::Name(n),
            span,
        })
        .collect();
    Expr {
        kind: ExprKind::Call {
            func: Ident {
                name: "%jac".into(),
                span,
            },
            primes: 0,
            args,
        },
        span,
    }
}

/// How many entries the check samples past [`limits::MAX_CHECK_ENTRIES`].
const SAMPLE: usize = limits::CHECK_SAMPLE_ENTRIES;

/// A small deterministic generator: the sampled entries are the same on
/// every run, so a check reads the same twice.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 17
    }
}

impl Session {
    /// Runs `c` over arrays when it involves any; `None` otherwise.
    pub(super) fn array_command(
        &mut self,
        c: &crate::syntax::Command,
        span: Span,
    ) -> Option<Result<Outcome, Error>> {
        use crate::syntax::Command as C;
        let arrays = |s: &Session, e: &Expr, p: &Point| s.uses_arrays(e) || s.point_uses_arrays(p);
        let kind = match c {
            C::Grad { .. } => DerivKind::Grad,
            C::Diff { .. } => DerivKind::Diff,
            C::Hess { .. } => DerivKind::Hess,
            C::Check { .. } => DerivKind::Check,
            C::Jac { exprs, point } => {
                if exprs.iter().any(|e| self.uses_arrays(e)) || self.point_uses_arrays(point) {
                    return Some(self.array_jac(exprs.clone(), point, span));
                }
                return None;
            }
            C::Min {
                expr,
                point,
                options,
            } => {
                if arrays(self, expr, point) {
                    return Some(self.array_min(expr.clone(), point, options, span));
                }
                return None;
            }
            C::Limit { expr, point, .. }
            | C::Tangent { expr, point }
            | C::Taylor { expr, point, .. }
            | C::Trace { expr, point, .. } => {
                if arrays(self, expr, point) {
                    return Some(Err(Error::new(
                        ErrorKind::Command,
                        "this command works on scalar expressions only",
                    )
                    .at(span)
                    .help(
                        "over arrays: :grad, :diff, :hess, :jac, :check, :min, :plot, :table and EXPR at POINT",
                    )));
                }
                return None;
            }
            _ => return None,
        };
        let (C::Grad { expr, point }
        | C::Diff { expr, point, .. }
        | C::Hess { expr, point }
        | C::Check { expr, point }) = c
        else {
            return None;
        };
        if !arrays(self, expr, point) {
            return None;
        }
        let wrt = match c {
            C::Diff { wrt, .. } => wrt.clone(),
            _ => None,
        };
        Some(self.array_derivatives(kind, expr.clone(), wrt, point, span))
    }
}

impl Session {
    /// `:min` over array variables: the descent runs over their entries,
    /// flattened; each step is one forward pass and one reverse sweep
    /// (Newton adds one Hessian-vector product per entry).
    pub(super) fn array_min(
        &mut self,
        expr: Expr,
        point: &Point,
        options: &[crate::syntax::Opt],
        span: Span,
    ) -> Result<Outcome, Error> {
        use crate::optimize;
        let opts = super::options::min_options(options)?;
        let (expr, given) = self.expand(expr);
        let p = self.bind_arrays(&expr, given, point, span)?;
        let (prog, mut warnings) = self.compile_at(&expr, &p)?;
        Self::minimisable(&prog, &opts, span)?;
        let sizes: Vec<usize> = p.values.iter().map(Array::len).collect();
        let cancel = self.cancel.clone();
        let mut f = |x: &[f64], hessian: bool| -> Result<optimize::Eval, Error> {
            let mut b = crate::engine::Budget::new(cancel.clone());
            let bufs = split(&sizes, x);
            let r = prog.gradient(&bufs, &mut b).and_then(|(v, g, _)| {
                let h = if hessian {
                    Some(prog.hessian(&bufs, &mut b)?)
                } else {
                    None
                };
                Ok((v[0], g.concat(), h))
            });
            for w in b.warnings {
                if !warnings.iter().any(|x| x.message == w.message) {
                    warnings.push(w);
                }
            }
            match r {
                Err(e) if e.kind == ErrorKind::Interrupted => {
                    Ok((f64::NAN, vec![f64::NAN; x.len()], None))
                }
                other => other,
            }
        };
        let start: Vec<f64> = p.buffers().concat();
        let run = optimize::run(
            &mut f,
            &start,
            &opts,
            self.cancel.as_deref(),
            self.min_ticker().as_deref(),
        )?;
        Ok(self.minimum(&expr, p.entry_names(), start, &opts, run, warnings))
    }

    /// Refuses what `:min` cannot descend on: an array-valued expression,
    /// no variables, or Newton past the dense Hessian's limit.
    fn minimisable(
        prog: &Program,
        opts: &crate::optimize::Options,
        span: Span,
    ) -> Result<(), Error> {
        if !prog.out_shape().is_empty() {
            return Err(Error::new(
                ErrorKind::Point,
                format!(
                    "`:min` needs a scalar expression, but this one has shape {}",
                    shape_text(prog.out_shape())
                ),
            )
            .at(span)
            .help("reduce it first, e.g. `sum(…)` or `mean(…)`"));
        }
        let n = prog.input_len();
        if n == 0 {
            return Err(Error::new(
                ErrorKind::Point,
                "the expression has no variables to minimise over",
            )
            .at(span));
        }
        if opts.method == crate::optimize::Method::Newton && n > limits::MAX_HESSIAN_VARS {
            return Err(Error::limit(
                "too many entries for Newton's method (a dense Hessian)",
                limits::MAX_HESSIAN_VARS,
            )
            .at(span));
        }
        Ok(())
    }
}

impl Session {
    /// The entries of vector `e`, the points of `:plot`/`:table … on e` (at
    /// most `max`, all finite).
    pub(super) fn values_grid(&self, e: &Expr, max: usize) -> Result<Vec<f64>, Error> {
        let (a, _) = self.array_value(e)?;
        let refuse = |msg: String| Err(Error::new(ErrorKind::Command, msg).at(e.span));
        match a.shape() {
            [] => return refuse("the points to evaluate on must be a vector, not a number".into()),
            [_] => {}
            s => {
                return refuse(format!(
                    "the points to evaluate on must be a vector, not shape {}",
                    shape_text(s)
                ));
            }
        }
        if a.is_empty() {
            return refuse("the points to evaluate on: an empty vector has no points".into());
        }
        if a.len() > max {
            return Err(
                Error::limit(&format!("{} points are too many here", a.len()), max).at(e.span),
            );
        }
        if let Some(bad) = a.data().iter().find(|v| !v.is_finite()) {
            return refuse(format!(
                "the points to evaluate on must be finite, and one is {}",
                crate::format::shortest(*bad)
            ));
        }
        Ok(a.data().to_vec())
    }

    /// The columns of `:plot`/`:table` for `e`, an expression over arrays:
    /// at each point of `xs`, one column per entry of its value; or, when
    /// `whole`, with `var` the vector `xs` (as `plt.plot(x, f(x))`), one
    /// column, or one per column of a matrix (as `plt.plot(x, Y)`).
    pub(super) fn array_columns(
        &self,
        e: &Expr,
        var: &str,
        xs: &[f64],
        whole: bool,
    ) -> Result<Vec<Curve>, Error> {
        let n = xs.len();
        let input = if whole { vec![n] } else { Vec::new() };
        let (prog, _) = array::compile(self.context(), e, &[(var.to_string(), input)])?;
        let shape = prog.out_shape().to_vec();
        let label = column_label(e);
        if whole {
            let mut b = self.budget();
            let v = prog.value(&[xs.to_vec()], &mut b)?;
            return whole_columns(e, &shape, v, n);
        }
        let names = if shape.is_empty() {
            vec![e.to_string()]
        } else {
            entry_names(&label, &shape)
        };
        if names.len() > limits::MAX_CURVES {
            return Err(Error::limit(
                &format!("`{e}` has shape {}: too many curves", shape_text(&shape)),
                limits::MAX_CURVES,
            )
            .at(e.span)
            .help("pick entries by index, e.g. `(…)[0]`"));
        }
        let mut cols = vec![Vec::with_capacity(n); names.len()];
        for &x in xs {
            self.poll()?;
            let mut b = self.budget();
            let v = prog.value(&[vec![x]], &mut b)?;
            for (c, y) in cols.iter_mut().zip(v) {
                c.push(y);
            }
        }
        Ok(names
            .into_iter()
            .zip(cols)
            .map(|(label, ys)| Curve { label, ys })
            .collect())
    }
}

/// The columns of `:plot`/`:table … on VECTOR` from `e`'s value `v` of
/// `shape` over `n` points: a constant, one value per point, a row per point
/// (a curve per column, as `plt.plot(x, Y)`) or a curve per row (`[y, 2y]`).
fn whole_columns(e: &Expr, shape: &[usize], v: Vec<f64>, n: usize) -> Result<Vec<Curve>, Error> {
    let label = column_label(e);
    match shape[..] {
        [] => Ok(vec![Curve {
            label: e.to_string(),
            ys: vec![v[0]; n],
        }]),
        [m] if m == n => Ok(vec![Curve {
            label: e.to_string(),
            ys: v,
        }]),
        [m, k] if m == n && k <= limits::MAX_CURVES => Ok((0..k)
            .map(|j| Curve {
                label: format!("{label}[:, {j}]"),
                ys: v.iter().skip(j).step_by(k).copied().collect(),
            })
            .collect()),
        [k, m] if m == n && k <= limits::MAX_CURVES => Ok(v
            .chunks(n)
            .enumerate()
            .map(|(j, ys)| Curve {
                label: format!("{label}[{j}]"),
                ys: ys.to_vec(),
            })
            .collect()),
        _ => Err(Error::new(
            ErrorKind::Point,
            format!(
                "`{e}` has shape {} over {n} points: a curve needs one value per point (or a row of at most {} values)",
                shape_text(shape),
                limits::MAX_CURVES
            ),
        )
        .at(e.span)),
    }
}

/// `e` as the head of its entries' names: `w[0]`, `(w * t)[0]`.
fn column_label(e: &Expr) -> String {
    match e.kind {
        ExprKind::Name(_) | ExprKind::Call { .. } | ExprKind::Array(_) | ExprKind::Index { .. } => {
            e.to_string()
        }
        _ => format!("({e})"),
    }
}

/// Most entries `:save` writes as a literal; a larger array must come from
/// a file (`:data`), which is written as its `:data` line.
pub const MAX_SAVE_ENTRIES: usize = 10_000;

impl Session {
    /// Every array can be written back: from its file, or inline.
    pub(super) fn check_saveable(&self) -> Result<(), Error> {
        for (k, a) in &self.arrays {
            if !self.data_sources.contains_key(k) && a.len() > MAX_SAVE_ENTRIES {
                return Err(Error::limit(
                    &format!(
                        "`{k}` has {} entries, too many to write as a literal",
                        a.len()
                    ),
                    format!("{MAX_SAVE_ENTRIES} entries"),
                )
                .help(format!(
                    "write it to a CSV file and read it with :data, or `:del {k}` first"
                )));
            }
        }
        Ok(())
    }

    /// The arrays as script lines, those whose names hide a constant
    /// (`hiding`) or the others: each file's `:data` line once, in the order
    /// the files were read (a column a later file bound again keeps the
    /// later numbers), followed by `:del` of a column it bound that is gone
    /// now; then the other arrays as literals.
    pub(super) fn arrays_script(&self, hiding: bool) -> String {
        let hides = |n: &String| builtins::constant(n).is_some();
        let mut out = String::new();
        let loads: Vec<&(String, Vec<String>)> = self
            .data_loads
            .iter()
            .filter(|(line, names)| {
                names.iter().any(|n| self.data_sources.get(n) == Some(line))
                    && names.iter().any(hides) == hiding
            })
            .collect();
        for (i, (line, names)) in loads.iter().enumerate() {
            out.push_str(line);
            out.push('\n');
            for n in names {
                let later = loads[i + 1..].iter().any(|(_, ns)| ns.contains(n));
                if !later && !self.is_defined(n) {
                    out.push_str(&format!(":del {n}\n"));
                }
            }
        }
        for (k, a) in &self.arrays {
            if self.data_sources.contains_key(k) || hides(k) != hiding {
                continue;
            }
            let row = |r: &[f64]| {
                format!(
                    "[{}]",
                    r.iter()
                        .map(|v| crate::format::shortest(*v))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let text = match a.shape() {
                [_, _] => format!(
                    "[{}]",
                    a.rows().into_iter().map(row).collect::<Vec<_>>().join(", ")
                ),
                _ => row(a.data()),
            };
            out.push_str(&format!("{k} = {text}\n"));
        }
        out
    }

    /// Whether `name` is a variable, an array or a function now.
    fn is_defined(&self, name: &str) -> bool {
        self.defs.vars.contains_key(name)
            || self.defs.funcs.contains_key(name)
            || self.arrays.contains_key(name)
    }
}

/// True for a call of a function over arrays: one of the array table's that
/// is not also a scalar built-in taking these arguments (`max(x, 1)` is the
/// scalar one, `max(x)` the array's).
fn is_array_call(name: &str, args: usize) -> bool {
    functions::lookup(name).is_some() && (builtins::lookup(name).is_none() || args == 1)
}
