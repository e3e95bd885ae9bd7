//! `:grad`, `:diff`, `:hess`, `:check` and the report: derivatives by the
//! engine, cross-checked by finite differences under the session's Ctrl-C
//! flag, time limit and progress bar.

use super::Session;
use super::point::Bound;
use crate::check::{self, CheckReport, Status};
use crate::engine::Compiled;
use crate::error::{Error, Warning};
use crate::limits;
use crate::outcome::{DerivKind, Derivatives, Outcome};
use crate::syntax::{Expr, Ident, Point, Span};

impl Session {
    pub(super) fn derivatives(
        &mut self,
        kind: DerivKind,
        expr: Expr,
        wrt: Option<Ident>,
        point: &Point,
        span: Span,
    ) -> Result<Outcome, Error> {
        let (expr, Bound { vars, point }) = self.bind_one(expr, point, span)?;
        let mut d = Derivatives {
            kind,
            expr: expr.to_string(),
            vars: vars.clone(),
            point: point.clone(),
            value: f64::NAN,
            gradient: None,
            hessian: None,
            wrt: None,
            derivative: None,
            second: None,
            check: None,
            warnings: Vec::new(),
            formulas: Vec::new(),
        };
        let run_check = self.settings.check || kind == DerivKind::Check;
        let c = Compiled::new(&self.defs, &expr, &vars);
        match kind {
            DerivKind::Grad => self.gradient(&c, &mut d, run_check)?,
            DerivKind::Diff => {
                let k = Self::pick_var(&vars, wrt.as_ref(), span, "diff")?;
                self.partial(&c, k, &mut d, run_check)?;
            }
            DerivKind::Hess | DerivKind::Report | DerivKind::Check => {
                self.hessian(&c, &mut d, run_check, span)?;
            }
        }
        d.formulas = self.row_formulas(kind, &expr, &vars, d.wrt.as_deref())?;
        if let Some(c) = &mut d.check {
            distrust_if_warned(c, &d.warnings);
        }
        // An interruption or the statement's time limit during the
        // derivatives is an error (above); during the check, the check stops
        // and keeps the entries it decided, saying why.
        if d.check.is_none() {
            self.poll()?;
        }
        Ok(Outcome::Derivatives(Box::new(d)))
    }

    /// `:grad`: the value and the gradient.
    fn gradient(&self, c: &Compiled, d: &mut Derivatives, run_check: bool) -> Result<(), Error> {
        let mut b = self.budget();
        let (v, g) = c.gradient(&d.point, &mut b)?;
        d.value = v;
        d.warnings = b.warnings;
        if run_check {
            d.check = Some(self.check(c, &d.point, &g, None, d.warnings.is_empty()));
        }
        d.gradient = Some(g);
        Ok(())
    }

    /// `:diff`: the first and second derivative along variable `k`.
    fn partial(
        &self,
        c: &Compiled,
        k: usize,
        d: &mut Derivatives,
        run_check: bool,
    ) -> Result<(), Error> {
        let mut b = self.budget();
        let (v, d1, d2) = c.partial(k, &d.point, &mut b)?;
        d.value = v;
        d.wrt = Some(d.vars[k].clone());
        d.derivative = Some(d1);
        d.second = Some(d2);
        d.warnings = b.warnings;
        if run_check {
            let mut tf = c.f64_fn(self.cancel.clone());
            let noise = tf.noise(&d.point);
            let mut p = d.point.clone();
            let mut f = |x: &[f64]| {
                p[k] = x[0];
                tf.eval(&p)
            };
            let hess = [vec![d2]];
            let smooth = d.warnings.is_empty();
            let at = [d.point[k]];
            let mut r = self.watched_check(&mut f, &at, &[d1], Some(&hess), noise, smooth);
            distrust_if_warned(&mut r, &d.warnings);
            d.check = Some(r);
        }
        Ok(())
    }

    /// `:hess`, `:check` and the report: value, gradient and Hessian.
    fn hessian(
        &self,
        c: &Compiled,
        d: &mut Derivatives,
        run_check: bool,
        span: Span,
    ) -> Result<(), Error> {
        if !c.hessian_fits() {
            return Err(Error::limit(
                "too many variables for a dense Hessian",
                limits::MAX_HESSIAN_VARS,
            )
            .at(span)
            .help("use :grad for the gradient alone"));
        }
        let mut b = self.budget();
        let (v, g, h) = c.hessian(&d.point, &mut b)?;
        d.value = v;
        d.warnings = b.warnings;
        if run_check {
            d.check = Some(self.check(c, &d.point, &g, Some(&h), d.warnings.is_empty()));
        }
        d.gradient = Some(g);
        d.hessian = Some(h);
        Ok(())
    }

    pub(super) fn grad_at(
        &self,
        expr: &Expr,
        vars: &[String],
        point: &[f64],
    ) -> Result<(f64, Vec<f64>, Vec<Warning>), Error> {
        let mut b = self.budget();
        let (v, g) = Compiled::new(&self.defs, expr, vars).gradient(point, &mut b)?;
        Ok((v, g, b.warnings))
    }

    pub(super) fn check(
        &self,
        c: &Compiled,
        point: &[f64],
        grad: &[f64],
        hess: Option<&[Vec<f64>]>,
        smooth: bool,
    ) -> CheckReport {
        let mut tf = c.f64_fn(self.cancel.clone());
        let noise = tf.noise(point);
        let mut f = |x: &[f64]| tf.eval(x);
        self.watched_check(&mut f, point, grad, hess, noise, smooth)
    }

    /// The check under the session's Ctrl-C flag, its time limit
    /// ([`limits::CHECK_DEADLINE_SECS`]) and progress bar; `smooth` when
    /// no built-in warned at the point (no kink there by AD).
    pub(super) fn watched_check(
        &self,
        f: &mut dyn FnMut(&[f64]) -> f64,
        point: &[f64],
        grad: &[f64],
        hess: Option<&[Vec<f64>]>,
        noise: f64,
        smooth: bool,
    ) -> CheckReport {
        let secs = limits::CHECK_DEADLINE_SECS;
        let mut deadline = (
            std::time::Instant::now() + std::time::Duration::from_secs(secs),
            secs,
        );
        // The statement's own time limit, when it comes first.
        if let Some(d) = self.deadline
            && d < deadline.0
        {
            deadline = (d, self.time_limit().as_secs());
        }
        let progress = self.progress.clone();
        let tick = move |done: usize, total: usize| {
            if let Some(p) = &progress {
                (p.0)("check", "evaluation", done as u64, total as u64);
            }
        };
        let control = check::Control {
            cancel: self.cancel.as_deref(),
            deadline: Some(deadline),
            tick: Some(&tick),
            smooth_by_ad: smooth,
        };
        check::check_controlled(f, point, grad, hess, noise, control)
    }
}

/// A check cannot vouch for a derivative at a point where a built-in warned
/// (a kink, an infinite derivative, a domain error): mark it failed.
pub(super) fn distrust_if_warned(c: &mut CheckReport, warnings: &[Warning]) {
    if !warnings.is_empty() {
        c.ok = false;
        if matches!(c.status, Status::Pass | Status::Unconfirmed) {
            c.status = Status::Fail;
        }
    }
}
