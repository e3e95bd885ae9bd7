//! The tutorials' workflows: `:jac`, `:limit`, `:tangent`,
//! `:taylor`, `:trace`, `:min`, `:plot` and `:table`. Each binds its point
//! like the derivative commands and returns plain data.

use super::options::PlotOptions;
use super::{Bound, Session};
use crate::engine::eval::{self, Budget};
use crate::engine::{Compiled, precise};
use crate::error::{Error, ErrorKind, Warning};
use crate::format::shortest;
use crate::limits;
use crate::num::Dual1;
use crate::num::accuracy;
use crate::num::series::factorial;
use crate::optimize;
use crate::outcome::{
    Curve, Jacobian, LimitRow, LimitTable, Minimum, Outcome, Plot, Table, Tangent, TaylorSeries,
    Trace,
};
use crate::render::plot;
use crate::syntax::{BinOp, Expr, ExprKind, Ident, Point, Span};
use crate::syntax::{Domain, Opt, Range};

/// Default order of `:taylor`.
pub const DEFAULT_TAYLOR_ORDER: usize = 6;

impl Session {
    /// Expands each expression (a bare `g` is `g(x1, x2)`) and binds the point
    /// to the union of their variables, in order of first appearance.
    fn bind_all(
        &self,
        exprs: Vec<Expr>,
        point: &Point,
        span: Span,
    ) -> Result<(Vec<Expr>, Bound), Error> {
        let single = exprs.len() == 1;
        let mut given = None;
        let mut out = Vec::with_capacity(exprs.len());
        for e in exprs {
            let (e, g) = self.expand(e);
            if single {
                given = g;
            }
            out.push(e);
        }
        // Binding reads the names of one expression: join them with `+`.
        let joined = out
            .iter()
            .cloned()
            .reduce(|a, b| {
                let span = a.span.to(b.span);
                Expr {
                    kind: ExprKind::Binary {
                        op: BinOp::Add,
                        lhs: Box::new(a),
                        rhs: Box::new(b),
                        implicit: false,
                    },
                    span,
                }
            })
            .ok_or_else(|| Error::new(ErrorKind::Command, "no expression given").at(span))?;
        let bound = self.bind(&joined, given, point, span)?;
        Ok((out, bound))
    }

    /// The index of the variable a one-variable command works along.
    pub(super) fn pick_var(
        vars: &[String],
        wrt: Option<&Ident>,
        span: Span,
        cmd: &str,
    ) -> Result<usize, Error> {
        match wrt {
            Some(w) => vars.iter().position(|v| *v == w.name).ok_or_else(|| {
                Error::new(
                    ErrorKind::Point,
                    format!("`{}` is not a variable of this expression", w.name),
                )
                .at(w.span)
                .help(format!("its variables are {}", vars.join(", ")))
            }),
            None if vars.len() == 1 => Ok(0),
            None => Err(Error::new(
                ErrorKind::Point,
                if vars.is_empty() {
                    "the expression has no variables to differentiate by".to_string()
                } else {
                    format!(
                        "`:{cmd}` takes one variable, and this expression has {}",
                        vars.join(", ")
                    )
                },
            )
            .at(span)
            .help(match vars.first() {
                Some(v) if cmd == "diff" => {
                    format!("say which: `:diff … wrt {v} at …`, or use `:grad`")
                }
                Some(v) => format!("say which: `:{cmd} … wrt {v} at …`"),
                None => "give the point a variable".to_string(),
            })),
        }
    }

    /// Value and gradient by a first-order dual over every variable.
    fn dual1(
        &self,
        expr: &Expr,
        vars: &[String],
        point: &[f64],
        warnings: &mut Vec<Warning>,
    ) -> Result<Dual1, Error> {
        let (v, g, found) = self.grad_at(expr, vars, point)?;
        for w in found {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        Ok(Dual1 { v, g })
    }

    /// A constant expression (an order, a step, a range end) as an f64.
    fn constant_of(&self, e: &Expr, what: &str) -> Result<f64, Error> {
        let mut b = self.budget();
        let v = eval::value(&self.defs, e, &mut b)?;
        if !v.is_finite() {
            return Err(Error::new(
                ErrorKind::Command,
                format!("{what} is {}: it must be finite", shortest(v)),
            )
            .at(e.span));
        }
        Ok(v)
    }

    pub(super) fn jac(
        &mut self,
        exprs: Vec<Expr>,
        point: &Point,
        span: Span,
    ) -> Result<Outcome, Error> {
        let (exprs, Bound { vars, point }) = self.bind_all(exprs, point, span)?;
        let mut warnings = Vec::new();
        let mut values = Vec::new();
        let mut jacobian = Vec::new();
        for e in &exprs {
            self.poll()?;
            let r = self.dual1(e, &vars, &point, &mut warnings)?;
            values.push(r.v);
            jacobian.push(r.g);
        }
        let column_sums = (0..vars.len())
            .map(|j| jacobian.iter().map(|r: &Vec<f64>| r[j]).sum())
            .collect();
        Ok(Outcome::Jacobian(Box::new(Jacobian {
            exprs: exprs.iter().map(|e| e.to_string()).collect(),
            vars,
            point,
            values,
            jacobian,
            column_sums,
            warnings,
        })))
    }

    pub(super) fn limit(
        &mut self,
        expr: Expr,
        wrt: Option<Ident>,
        point: &Point,
        span: Span,
    ) -> Result<Outcome, Error> {
        let (expr, Bound { vars, point }) = self.bind_one(expr, point, span)?;
        let k = Self::pick_var(&vars, wrt.as_ref(), span, "limit")?;
        let c = Compiled::new(&self.defs, &expr, &vars);
        let mut b = self.budget();
        // Along this variable alone, so that a warning about another
        // variable's partial (x^y's exponent at a negative base) stays out.
        let (value, exact, _) = c.partial(k, &point, &mut b)?;
        let warnings = b.warnings;
        let mut tf = c.f64_fn(self.cancel.clone());
        let mut p = point.clone();
        let mut f = |x: f64| {
            p[k] = x;
            tf.eval(&p)
        };
        let x0 = point[k];
        let fx = f(x0);
        let rows: Vec<LimitRow> = (1..=12)
            .map(|i| {
                let h = 10f64.powi(-i);
                let forward = (f(x0 + h) - fx) / h;
                let central = (f(x0 + h) - f(x0 - h)) / (2.0 * h);
                LimitRow {
                    h,
                    forward,
                    forward_err: (forward - exact).abs(),
                    central,
                    central_err: (central - exact).abs(),
                }
            })
            .collect();
        self.poll()?;
        let sides = one_sided_limits(&rows);
        Ok(Outcome::Limit(Box::new(LimitTable {
            expr: expr.to_string(),
            vars,
            point,
            wrt: k,
            value,
            exact,
            rows,
            sides,
            warnings,
        })))
    }

    pub(super) fn tangent(
        &mut self,
        expr: Expr,
        point: &Point,
        span: Span,
    ) -> Result<Outcome, Error> {
        let (expr, Bound { vars, point }) = self.bind_one(expr, point, span)?;
        if vars.is_empty() || vars.len() > 2 {
            return Err(Error::new(
                ErrorKind::Point,
                format!(
                    "a tangent needs one variable (a line) or two (a plane), and this expression has {}",
                    if vars.is_empty() {
                        "none".to_string()
                    } else {
                        vars.join(", ")
                    }
                ),
            )
            .at(span)
            .help("for more variables, :grad gives the gradient (the normal of the tangent hyperplane)"));
        }
        let mut warnings = Vec::new();
        let r = self.dual1(&expr, &vars, &point, &mut warnings)?;
        let intercept = r.v - r.g.iter().zip(&point).map(|(m, x)| m * x).sum::<f64>();
        Ok(Outcome::Tangent(Box::new(Tangent {
            expr: expr.to_string(),
            vars,
            point,
            value: r.v,
            slopes: r.g,
            intercept,
            warnings,
        })))
    }

    /// `order N`: a whole number, at most [`limits::MAX_TAYLOR_ORDER`].
    fn taylor_order(&self, e: &Expr) -> Result<usize, Error> {
        let v = self.constant_of(e, "the order")?;
        if v < 0.0 || v.fract() != 0.0 {
            return Err(Error::new(
                ErrorKind::Command,
                format!("the order must be a whole number ≥ 0, not {}", shortest(v)),
            )
            .at(e.span));
        }
        if v > limits::MAX_TAYLOR_ORDER as f64 {
            return Err(Error::limit(
                &format!("order {} is too high for :taylor", shortest(v)),
                limits::MAX_TAYLOR_ORDER,
            )
            .at(e.span));
        }
        Ok(v as usize)
    }

    pub(super) fn taylor(
        &mut self,
        expr: Expr,
        point: &Point,
        order: Option<Expr>,
        span: Span,
    ) -> Result<Outcome, Error> {
        let n = match &order {
            None => DEFAULT_TAYLOR_ORDER,
            Some(e) => self.taylor_order(e)?,
        };
        let (expr, Bound { vars, point }) = self.bind_one(expr, point, span)?;
        let k = Self::pick_var(&vars, None, span, "taylor").map_err(|e| {
            if vars.len() > 1 {
                Error::new(
                    ErrorKind::Point,
                    format!(
                        "`:taylor` expands in one variable, and this expression has {}",
                        vars.join(", ")
                    ),
                )
                .at(span)
                .help("fix the others with a definition (`y = 2`) first")
            } else {
                e
            }
        })?;
        let mut b = self.budget();
        let compiled = Compiled::new(&self.defs, &expr, &vars);
        let series = |s: f64, b: &mut Budget| compiled.scaled_series(k, &point, n, s, b);
        let r = series(1.0, &mut b)?;
        // The same series at scaled variables: their spread is the rounding
        // error of each coefficient (see `accuracy`).
        let mut scratch = self.budget();
        let scaled = accuracy::SCALES
            .iter()
            .map(|&s| Ok(series(s, &mut scratch)?.c.to_vec()))
            .collect::<Result<Vec<_>, Error>>()?;
        let mut errors = accuracy::errors(&r.c, &scaled);
        let mut coeffs = r.c.to_vec();
        let refined = self.refine_series(&expr, &vars, &point, k, &mut coeffs, &mut errors);
        let digits: Vec<Option<u32>> = (coeffs.iter().zip(&errors))
            .map(|(&c, &e)| accuracy::digits(c, e))
            .collect();
        let mut warnings = b.warnings;
        if let Some(first) = digits.iter().position(Option::is_some) {
            let why = if refined {
                "even double-double arithmetic loses digits to cancellation here"
            } else {
                "f64 Taylor arithmetic loses digits to cancellation here"
            };
            warnings.push(Warning {
                message: format!(
                    "coefficients from k = {first} on are not all accurate: {why}; the last column says how many are correct"
                ),
                span: None,
            });
        }
        let derivatives = (coeffs.iter().enumerate())
            .map(|(k, c)| c * factorial(k))
            .collect();
        Ok(Outcome::Taylor(Box::new(TaylorSeries {
            expr: expr.to_string(),
            var: vars[k].clone(),
            point: point[k],
            derivatives,
            coeffs,
            digits,
            warnings,
        })))
    }

    /// The coefficients `c` of `expr` in `vars[k]` at `point` that f64 got
    /// wrong (estimated errors `err`), again in double-double where the
    /// expression allows: whether it did (see [`precise::improve`]).
    fn refine_series(
        &self,
        expr: &Expr,
        vars: &[String],
        point: &[f64],
        k: usize,
        c: &mut [f64],
        err: &mut [f64],
    ) -> bool {
        let fixed: Vec<(&str, f64)> = (vars.iter().zip(point).enumerate())
            .filter(|&(i, _)| i != k)
            .map(|(_, (n, &v))| (n.as_str(), v))
            .collect();
        let at = precise::At {
            var: &vars[k],
            x0: point[k],
            fixed: &fixed,
        };
        precise::improve(&self.defs, expr, at, c, err, 0)
    }

    pub(super) fn trace(
        &mut self,
        expr: Expr,
        wrt: Option<Ident>,
        point: &Point,
        span: Span,
    ) -> Result<Outcome, Error> {
        let (expr, Bound { vars, point }) = self.bind_one(expr, point, span)?;
        // One variable, or one asked for: one tangent column. Several: the
        // full gradient of every node, as a reverse-mode tape would give.
        let k = if wrt.is_some() || vars.len() <= 1 {
            Some(Self::pick_var(&vars, wrt.as_ref(), span, "trace")?)
        } else {
            None
        };
        let (rows, warnings) =
            crate::engine::trace(&self.defs, &expr, &vars, &point, k, self.cancel.clone())?;
        Ok(Outcome::Trace(Box::new(Trace {
            expr: expr.to_string(),
            wrt: k.map(|k| vars[k].clone()),
            vars,
            point,
            rows,
            warnings,
        })))
    }

    /// `:min`'s progress callback: iterations, reported to the observer.
    pub(super) fn min_ticker(&self) -> Option<Box<optimize::Tick>> {
        self.progress.as_ref().map(|p| {
            let p = p.0.clone();
            Box::new(move |done, total| p(":min", "iteration", done, total)) as Box<optimize::Tick>
        })
    }

    pub(super) fn min(
        &mut self,
        expr: Expr,
        point: &Point,
        options: &[Opt],
        span: Span,
    ) -> Result<Outcome, Error> {
        let opts = super::options::min_options(options)?;
        let (expr, Bound { vars, point }) = self.bind_one(expr, point, span)?;
        if vars.is_empty() {
            return Err(Error::new(
                ErrorKind::Point,
                "the expression has no variables to minimise over",
            )
            .at(span));
        }
        let n = vars.len();
        if opts.method == optimize::Method::Newton && n > limits::MAX_HESSIAN_VARS {
            return Err(Error::limit(
                "too many variables for Newton's method (a dense Hessian)",
                limits::MAX_HESSIAN_VARS,
            )
            .at(span));
        }
        let mut warnings: Vec<Warning> = Vec::new();
        let c = Compiled::new(&self.defs, &expr, &vars);
        let cancel = self.cancel.clone();
        let mut f = |x: &[f64], hessian: bool| -> Result<optimize::Eval, Error> {
            let mut b = Budget::new(cancel.clone());
            let r = if hessian {
                c.hessian(x, &mut b).map(|(v, g, h)| (v, g, Some(h)))
            } else {
                c.gradient(x, &mut b).map(|(v, g)| (v, g, None))
            };
            for w in b.warnings {
                if !warnings.iter().any(|x| x.message == w.message) {
                    warnings.push(w);
                }
            }
            match r {
                // Ctrl-C inside an evaluation: stop with the point reached.
                Err(e) if e.kind == ErrorKind::Interrupted => {
                    Ok((f64::NAN, vec![f64::NAN; n], None))
                }
                other => other,
            }
        };
        let run = optimize::run(
            &mut f,
            &point,
            &opts,
            self.cancel.as_deref(),
            self.min_ticker().as_deref(),
        )?;
        Ok(self.minimum(&expr, vars, point, &opts, run, warnings))
    }

    /// `:min`'s result from the optimizer's run, over scalars or arrays; a
    /// Ctrl-C that stopped an evaluation counts as an interruption.
    pub(super) fn minimum(
        &self,
        expr: &Expr,
        vars: Vec<String>,
        start: Vec<f64>,
        opts: &optimize::Options,
        run: optimize::Run,
        warnings: Vec<Warning>,
    ) -> Outcome {
        let stop = if self.interrupted() {
            crate::outcome::Stop::Interrupted
        } else {
            run.stop
        };
        let grad_norm = run.gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
        Outcome::Min(Box::new(Minimum {
            expr: expr.to_string(),
            vars,
            start,
            method: opts.method,
            lr: opts.lr,
            steps: opts.steps,
            tol: opts.tol,
            point: run.point,
            value: run.value,
            gradient: run.gradient,
            grad_norm,
            iterations: run.iterations,
            stop,
            progress: run.progress,
            shifted: run.shifted,
            warnings,
        }))
    }

    /// The range `A..B`, checked: finite, and A < B.
    fn range_of(&self, r: &Range) -> Result<(f64, f64), Error> {
        let a = self.constant_of(&r.from, "the start of the range")?;
        let b = self.constant_of(&r.to, "the end of the range")?;
        if a >= b {
            return Err(Error::new(
                ErrorKind::Command,
                if a == b {
                    format!("the range {}..{} is empty", shortest(a), shortest(b))
                } else {
                    format!(
                        "the range {}..{} is reversed: write the smaller end first",
                        shortest(a),
                        shortest(b)
                    )
                },
            )
            .at(r.span));
        }
        Ok((a, b))
    }

    /// Expands each curve and finds the one horizontal variable they share:
    /// each curve has at most one free name, and those must agree. With
    /// none, the variable is `default`.
    fn curves(
        &self,
        exprs: Vec<Expr>,
        default: &str,
        span: Span,
    ) -> Result<(Vec<Expr>, String), Error> {
        if exprs.len() > limits::MAX_CURVES {
            return Err(Error::limit("too many curves", limits::MAX_CURVES).at(span));
        }
        let mut var: Option<String> = None;
        let mut out = Vec::new();
        for e in exprs {
            let (e, given) = self.expand(e);
            self.refuse_function_values(&e)?;
            let free: Vec<String> = given.unwrap_or_else(|| {
                crate::syntax::names_in(&e)
                    .into_iter()
                    .filter(|n| self.is_free(n))
                    .collect()
            });
            if free.len() > 1 {
                return Err(Error::new(
                    ErrorKind::Point,
                    format!(
                        "`{e}` has {} variables ({}); a curve has one",
                        free.len(),
                        free.join(", ")
                    ),
                )
                .at(e.span)
                .help("fix the others with a definition (`y = 2`) first"));
            }
            // `f` standing for `f(t)` plotted with `x^2`: one axis, rename to it.
            let e = match (&var, free.first()) {
                (Some(v), Some(f)) if v != f => rename(&e, f, v),
                _ => e,
            };
            if var.is_none() {
                var = free.first().cloned();
            }
            out.push(e);
        }
        Ok((out, var.unwrap_or_else(|| default.into())))
    }

    /// The values of `e` at `xs`. An undefined value is NaN (a gap); an
    /// error (an unknown function, a limit) is an error, not a blank chart.
    fn sample(&self, e: &Expr, var: &str, xs: &[f64]) -> Result<Vec<f64>, Error> {
        let vars = [var.to_string()];
        let c = Compiled::new(&self.defs, e, &vars);
        let mut out = Vec::with_capacity(xs.len());
        for &x in xs {
            self.poll()?;
            let mut b = self.budget();
            match c.value(&[x], &mut b) {
                Ok(v) => out.push(v),
                Err(_) if self.interrupted() => return Err(Error::interrupted()),
                Err(err) => return Err(err),
            }
        }
        Ok(out)
    }

    /// The columns of `:plot` and `:table`: each expression's values at
    /// `xs`, one column per entry where its value is an array. With `whole`,
    /// the variable is the vector `xs` itself, as in NumPy.
    fn sample_all(
        &self,
        exprs: &[Expr],
        var: &str,
        xs: &[f64],
        whole: bool,
        span: Span,
    ) -> Result<Vec<Curve>, Error> {
        let mut out = Vec::with_capacity(exprs.len());
        for e in exprs {
            if self.uses_arrays(e) {
                out.extend(self.array_columns(e, var, xs, whole)?);
            } else {
                out.push(Curve {
                    label: e.to_string(),
                    ys: self.sample(e, var, xs)?,
                });
            }
            if out.len() > limits::MAX_CURVES {
                return Err(
                    Error::limit("too many curves (one per entry)", limits::MAX_CURVES)
                        .at(span)
                        .help("pick entries by index, e.g. `(…)[0]`"),
                );
            }
        }
        self.poll()?;
        Ok(out)
    }

    /// The `:plot`/`:table` points: the range's, or the entries of a vector
    /// (at most `max`); true for a vector.
    fn grid_of(&self, on: &Domain, samples: usize, max: usize) -> Result<(Vec<f64>, bool), Error> {
        match on {
            Domain::Range(r, None) => {
                let (a, b) = self.range_of(r)?;
                Ok((plot::linspace(a, b, samples), false))
            }
            Domain::Range(r, Some(step)) => Ok((self.stepped_grid(r, step)?, false)),
            Domain::Values(e) => Ok((self.values_grid(e, max)?, true)),
        }
    }

    /// The grid `A..B step S`, checked.
    fn stepped_grid(&self, range: &Range, step: &Expr) -> Result<Vec<f64>, Error> {
        let (a, b) = self.range_of(range)?;
        let s = self.constant_of(step, "the step")?;
        if s <= 0.0 {
            return Err(Error::new(
                ErrorKind::Command,
                format!("the step must be positive, not {}", shortest(s)),
            )
            .at(step.span));
        }
        let rows_needed = (b - a) / s;
        if rows_needed + 1.0 > limits::MAX_TABLE_ROWS as f64 {
            return Err(Error::limit(
                &format!(
                    "{}..{} step {} makes too many rows",
                    shortest(a),
                    shortest(b),
                    shortest(s)
                ),
                limits::MAX_TABLE_ROWS,
            )
            .at(step.span));
        }
        Ok(plot::grid(a, b, s))
    }

    pub(super) fn plot(
        &mut self,
        exprs: Vec<Expr>,
        on: &Domain,
        options: &[Opt],
        span: Span,
    ) -> Result<Outcome, Error> {
        let opts = PlotOptions::parse(options)?;
        let (xs, whole) = self.grid_of(on, opts.samples, limits::MAX_PLOT_SAMPLES)?;
        let (exprs, var) = self.curves(exprs, default_var(on), span)?;
        let mut curves = self.sample_all(&exprs, &var, &xs, whole, span)?;
        let xs = if whole {
            sort_by_x(xs, &mut curves, on)?
        } else {
            xs
        };
        let (from, to) = (xs[0], xs[xs.len() - 1]);
        let mut p = Plot {
            var,
            from,
            to,
            xs,
            curves,
            svg: None,
            ylim: opts.ylim,
        };
        if let Some((path, at)) = opts.svg {
            plot::write_svg(&p, &path).map_err(|e| e.at(at))?;
            p.svg = Some(path);
        }
        Ok(Outcome::Plot(Box::new(p)))
    }

    pub(super) fn table(
        &mut self,
        exprs: Vec<Expr>,
        on: &Domain,
        span: Span,
    ) -> Result<Outcome, Error> {
        let (xs, whole) = self.grid_of(on, 0, limits::MAX_TABLE_ROWS)?;
        let (exprs, var) = self.curves(exprs, default_var(on), span)?;
        let cols = self.sample_all(&exprs, &var, &xs, whole, span)?;
        let rows = (0..xs.len())
            .map(|i| cols.iter().map(|c| c.ys[i]).collect())
            .collect();
        Ok(Outcome::Table(Box::new(Table {
            var,
            columns: cols.into_iter().map(|c| c.label).collect(),
            xs,
            rows,
        })))
    }
}

/// The horizontal variable when no curve names one: `x`, or the vector's
/// name in `on NAME` (`:plot y on x` draws data column `y` against `x`).
fn default_var(on: &Domain) -> &str {
    match on {
        Domain::Values(Expr {
            kind: ExprKind::Name(n),
            ..
        }) => n,
        _ => "x",
    }
}

/// The points of a vector in increasing order, each curve's values moved
/// with them: a chart joins its points from left to right. At least two
/// must differ, for the axis to have a width.
fn sort_by_x(xs: Vec<f64>, curves: &mut [Curve], on: &Domain) -> Result<Vec<f64>, Error> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&i, &j| xs[i].total_cmp(&xs[j]));
    for c in curves.iter_mut() {
        c.ys = order.iter().map(|&i| c.ys[i]).collect();
    }
    let xs: Vec<f64> = order.iter().map(|&i| xs[i]).collect();
    if xs[0] == xs[xs.len() - 1] {
        let at = match on {
            Domain::Values(e) | Domain::Range(Range { from: e, .. }, _) => e.span,
        };
        return Err(Error::new(
            ErrorKind::Command,
            "a chart needs at least two different values on its horizontal axis",
        )
        .at(at));
    }
    Ok(xs)
}

/// `e` with the name `from` replaced by `to` (a loop, not recursion: the
/// tree may be a long chain).
fn rename(e: &Expr, from: &str, to: &str) -> Expr {
    let mut out = e.clone();
    super::names::rename_all(&mut out, from, to);
    out
}

/// The left and right limits of the difference quotients when they differ:
/// at `h` = 1e-5, 1e-6 and 1e-7 (small enough for truncation, large enough
/// against rounding) the forward quotient and the backward one (`2·central −
/// forward`) each stay put to a thousandth of the gap between them, and the
/// gap does not close. Next to a smooth function's steep curvature the gap
/// is `h·f''` and shrinks tenfold per row; at a kink it stays.
fn one_sided_limits(rows: &[LimitRow]) -> Option<(f64, f64)> {
    let at = |h: f64| rows.iter().find(|r| (r.h / h - 1.0).abs() < 1e-9);
    let sides: Vec<(f64, f64)> = [1e-5, 1e-6, 1e-7]
        .iter()
        .map(|&h| at(h).map(|r| (2.0 * r.central - r.forward, r.forward)))
        .collect::<Option<_>>()?;
    let gap = |(l, r): (f64, f64)| (r - l).abs();
    let (first, last) = (sides[0], sides[2]);
    let scale = last.0.abs().max(last.1.abs());
    let steady = sides.windows(2).all(|w| {
        let moved = (w[1].0 - w[0].0).abs().max((w[1].1 - w[0].1).abs());
        moved <= 1e-3 * gap(last)
    });
    let kink = gap(last).is_finite() && gap(last) > 1e-6 * scale && gap(last) >= 0.5 * gap(first);
    (kink && steady).then_some(last)
}
