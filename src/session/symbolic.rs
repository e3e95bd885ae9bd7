//! The formula commands: `:sym` (derivatives as formulas, and at a point
//! beside the dual numbers and the finite differences) and `:steps`.

use super::{Bound, FormulaMode, Session};
use crate::builtins;
use crate::check::Verdict;
use crate::engine::{Compiled, Defs, Evaluator};
use crate::error::{Error, ErrorKind, Warning};
use crate::limits;
use crate::outcome::{Agreement, DerivKind, Derivation, Formula, Formulas, Outcome, RowFormula};
use crate::symbolic::{self, Scope, Sym};
use crate::syntax::{self, Command, Expr, ExprKind, Ident, Point, Span, StmtKind, names_in};

/// The session's definitions as a formula sees them.
struct DefsScope<'d> {
    defs: &'d Defs,
    vars: &'d [String],
}

impl Scope for DefsScope<'_> {
    fn function(&self, name: &str) -> Option<(&[String], &Expr)> {
        self.defs
            .funcs
            .get(name)
            .map(|f| (f.params.as_slice(), &f.body))
    }
    fn is_variable(&self, name: &str) -> bool {
        self.defs.vars.contains_key(name) && !self.vars.iter().any(|v| v == name)
    }
}

/// The expression as a formula, its variables, and the user function's
/// name when it is one called on its own parameters.
struct Prepared {
    expr: Expr,
    given: Option<Vec<String>>,
    name: Option<String>,
    vars: Vec<String>,
    f: Sym,
}

/// Expansion steps `:set formulas auto` allows a formula (`on`: the limit
/// of `:sym`).
const AUTO_STEPS: usize = 20_000;
/// Polls (one per few hundred nodes differentiated) `auto` allows a row's
/// derivative before it gives the formula up as too costly.
const AUTO_POLLS: usize = 40;

/// Whether `a` and `b` are the same number up to rounding (both NaN counts),
/// relative to the larger of them and `scale`, the size of the other
/// derivatives at the point: where a formula cancels exactly (`x·u/x`),
/// the dual numbers keep the rounding of terms as large as those.
fn agree(a: f64, b: f64, scale: f64) -> bool {
    // Both without a finite value (NaN, or an infinity from 1/0): both say
    // there is no derivative here.
    if !a.is_finite() || !b.is_finite() {
        return !a.is_finite() && !b.is_finite();
    }
    if a == b {
        return true;
    }
    let scale = a.abs().max(b.abs()).max(scale);
    scale.is_finite() && (a - b).abs() <= 1e-9 * scale.max(1e-3)
}

impl Session {
    /// The name of the user function `func` where `func(args)` reads as the
    /// function itself of several variables (`g(x1, x2)`: its partials are
    /// ∂g/∂x1, ∂g/∂x2): each argument a distinct name free in the session.
    /// One argument keeps the expression's own label (`d/dx (x^2)`).
    fn called_by_name(&self, func: &Ident, args: &[Expr]) -> Option<String> {
        let mut seen: Vec<&str> = Vec::new();
        for a in args {
            let ExprKind::Name(n) = &a.kind else {
                return None;
            };
            if seen.contains(&n.as_str())
                || self.defs.vars.contains_key(n)
                || self.arrays.contains_key(n)
                || builtins::constant(n).is_some()
            {
                return None;
            }
            seen.push(n);
        }
        (args.len() > 1 && self.defs.funcs.contains_key(&func.name)).then(|| func.name.clone())
    }

    /// The variables of `expr`, with the names of `wrt` made variables too
    /// (a session variable or constant named by `wrt` is one here).
    fn prepare(&self, expr: Expr, wrt: &[Ident], max_steps: usize) -> Result<Prepared, Error> {
        let name = match &expr.kind {
            ExprKind::Name(n) if self.defs.funcs.contains_key(n) => Some(n.clone()),
            ExprKind::Call { func, args, primes } if *primes == 0 => {
                self.called_by_name(func, args)
            }
            _ => None,
        };
        let (expr, given) = self.expand(expr);
        let names = names_in(&expr);
        if let Some((f, span)) = self.array_call(&expr) {
            return Err(Error::new(
                ErrorKind::Name,
                format!("`{f}` works over arrays: formulas over arrays are not supported yet"),
            )
            .at(span)
            .help("the numbers over arrays come from :grad, :diff, :hess and :jac"));
        }
        if let Some(a) = names.iter().find(|n| self.arrays.contains_key(*n)) {
            return Err(Error::new(
                ErrorKind::Name,
                format!("`{a}` holds an array: formulas over arrays are not supported yet"),
            )
            .at(syntax::name_span(&expr, a).unwrap_or(expr.span))
            .help("the numbers over arrays come from :grad, :diff, :hess and :jac"));
        }
        let is_free = |n: &str| !self.defs.vars.contains_key(n) && builtins::constant(n).is_none();
        let mut vars: Vec<String> = match &given {
            Some(g) => g.clone(),
            None => names.iter().filter(|n| is_free(n)).cloned().collect(),
        };
        for w in wrt {
            if !names.contains(&w.name) && !vars.contains(&w.name) {
                let its = if vars.is_empty() {
                    "it has no variables".to_string()
                } else {
                    format!("its variables are {}", vars.join(", "))
                };
                return Err(Error::new(
                    ErrorKind::Name,
                    format!("`{}` is not a variable of this expression", w.name),
                )
                .at(w.span)
                .help(its));
            }
            if !vars.contains(&w.name) {
                vars.push(w.name.clone());
            }
        }
        if vars.len() > limits::MAX_VARS {
            return Err(Error::limit("too many variables", limits::MAX_VARS).at(expr.span));
        }
        let scope = DefsScope {
            defs: &self.defs,
            vars: &vars,
        };
        let f = symbolic::formula_within(&expr, &scope, &vars, max_steps, &mut || self.poll())?;
        Ok(Prepared {
            expr,
            given,
            name,
            vars,
            f,
        })
    }

    /// `:sym EXPR [wrt …] [at POINT] [as latex]`.
    pub(super) fn sym(
        &mut self,
        expr: Expr,
        wrt: Vec<Ident>,
        point: Option<Point>,
        latex: bool,
        span: Span,
    ) -> Result<Outcome, Error> {
        let p = self.prepare(expr, &wrt, limits::MAX_FORMULA_STEPS)?;
        let which: Vec<Vec<String>> = if wrt.is_empty() {
            p.vars.iter().map(|v| vec![v.clone()]).collect()
        } else {
            vec![wrt.iter().map(|w| w.name.clone()).collect()]
        };
        if which.is_empty() {
            return Err(Error::new(
                ErrorKind::Point,
                "the expression has no variables to differentiate by",
            )
            .at(span)
            .help("name one: `:sym … wrt x`"));
        }
        let mut derivatives = Vec::with_capacity(which.len());
        for w in which {
            let d = symbolic::derivative_polled(&p.f, &w, &mut || self.poll())
                .map_err(|e| e.at(span))?;
            derivatives.push(Formula {
                wrt: w,
                formula: symbolic::text(&d),
                latex: symbolic::latex(&d),
                tokens: symbolic::tokens(&d),
                at: None,
            });
        }
        let mut out = Formulas {
            expr: symbolic::text(&p.f),
            expr_latex: symbolic::latex(&p.f),
            name: p.name.clone(),
            partial: p.vars.len() > 1,
            vars: p.vars.clone(),
            derivatives,
            point: None,
            latex,
            notes: symbolic::notes(&p.f),
            warnings: Vec::new(),
        };
        if let Some(pt) = point {
            self.sym_at(&p, &pt, span, &mut out)?;
        }
        Ok(Outcome::Formulas(Box::new(out)))
    }

    /// Evaluates each formula at the point beside the dual numbers and the
    /// finite differences.
    fn sym_at(
        &self,
        p: &Prepared,
        point: &Point,
        span: Span,
        out: &mut Formulas,
    ) -> Result<(), Error> {
        let Bound { vars, point } = self.bind(&p.expr, p.given.clone(), point, span)?;
        let index = |n: &str| -> Result<usize, Error> {
            vars.iter().position(|v| v == n).ok_or_else(|| {
                Error::new(
                    ErrorKind::Point,
                    format!("`{n}` has no value at this point"),
                )
                .at(span)
                .help(format!("add it to the point: `at …, {n}=…`"))
            })
        };
        let second = out.derivatives.iter().any(|d| d.wrt.len() == 2);
        let c = Compiled::new(&self.defs, &p.expr, &vars);
        let (g, h, warnings) = self.numbers_at(&c, &point, second, span)?;
        let report = self.check(&c, &point, &g, h.as_deref(), warnings.is_empty());
        let scale = g
            .iter()
            .chain(h.iter().flatten().flatten())
            .map(|v| v.abs())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        for d in &mut out.derivatives {
            let i = index(&d.wrt[0])?;
            let j = match d.wrt.get(1) {
                Some(n) => Some(index(n)?),
                None => None,
            };
            let dual = match (j, &h) {
                (Some(j), Some(h)) => h[i][j],
                _ => g[i],
            };
            let entry = report
                .entries
                .iter()
                .find(|e| e.i == i && e.j == j || j.is_some_and(|j| e.i == j && e.j == Some(i)));
            let formula = self.formula_value(&d.formula, &vars, &point)?;
            d.at = Some(Agreement {
                formula,
                dual,
                fd: entry.map_or(f64::NAN, |e| e.fd),
                fd_err: entry.map_or(f64::INFINITY, |e| e.err_est),
                // Where the numbers have no finite value, the function is not
                // defined (or not differentiable) there; a formula that
                // extends it is no disagreement.
                agree: !dual.is_finite() || agree(formula, dual, scale),
                verdict: entry.map_or(Verdict::Unconfirmed, |e| e.verdict),
            });
        }
        out.point = Some(point);
        out.vars = vars;
        out.warnings = warnings;
        Ok(())
    }

    /// The printed formula read back and evaluated: what a user pasting it
    /// would get.
    fn formula_value(&self, text: &str, vars: &[String], point: &[f64]) -> Result<f64, Error> {
        let e = syntax::parse_expr(text).map_err(|e| {
            Error::new(
                ErrorKind::Parse,
                format!("the formula `{text}` does not read back ({e}): this is a bug in deriv"),
            )
        })?;
        let scope: Vec<(&str, f64)> = vars
            .iter()
            .map(String::as_str)
            .zip(point.iter().copied())
            .collect();
        let mut b = self.budget();
        Evaluator::new(&self.defs, 0.0f64, &mut b).eval(&e, &scope)
    }

    /// Gradient, and the Hessian when `second`, by the dual numbers.
    #[allow(clippy::type_complexity)]
    fn numbers_at(
        &self,
        c: &Compiled,
        point: &[f64],
        second: bool,
        span: Span,
    ) -> Result<(Vec<f64>, Option<Vec<Vec<f64>>>, Vec<Warning>), Error> {
        let mut b = self.budget();
        if !second {
            let (_, g) = c.gradient(point, &mut b)?;
            return Ok((g, None, b.warnings));
        }
        if !c.hessian_fits() {
            return Err(Error::limit(
                "too many variables for a second derivative at a point",
                limits::MAX_HESSIAN_VARS,
            )
            .at(span));
        }
        let (_, g, h) = c.hessian(point, &mut b)?;
        Ok((g, Some(h), b.warnings))
    }

    /// The formulas `:set formulas` shows beside the numbers of `:diff`
    /// (`wrt`: the first and second derivative) and `:grad` (each partial):
    /// none when the setting is off or there is no formula (arrays, `gamma`,
    /// past a limit), and under `auto` only the short and cheap ones. Only
    /// Ctrl-C and the time limit are errors.
    pub(super) fn row_formulas(
        &self,
        kind: DerivKind,
        expr: &Expr,
        vars: &[String],
        wrt: Option<&str>,
    ) -> Result<Vec<RowFormula>, Error> {
        let mode = self.settings.formulas;
        let which: Vec<Vec<String>> = match (kind, wrt) {
            (DerivKind::Diff, Some(w)) => vec![vec![w.to_string()], vec![w.to_string(); 2]],
            (DerivKind::Grad, _) => vars.iter().map(|v| vec![v.clone()]).collect(),
            _ => return Ok(Vec::new()),
        };
        if mode == FormulaMode::Off || names_in(expr).iter().any(|n| self.arrays.contains_key(n)) {
            return Ok(Vec::new());
        }
        let auto = mode == FormulaMode::Auto;
        let scope = DefsScope {
            defs: &self.defs,
            vars,
        };
        let steps = if auto { AUTO_STEPS } else { usize::MAX };
        let f = match symbolic::formula_within(expr, &scope, vars, steps, &mut || self.poll()) {
            Ok(f) => f,
            Err(e) if matches!(e.kind, ErrorKind::Interrupted) || self.poll().is_err() => {
                return Err(e);
            }
            Err(_) => return Ok(Vec::new()),
        };
        let mut out = Vec::with_capacity(which.len());
        for w in which {
            let mut polls = 0;
            let mut stopped = None;
            let mut poll = || {
                polls += 1;
                if let Err(e) = self.poll() {
                    stopped = Some(e.clone());
                    return Err(e);
                }
                if auto && polls > AUTO_POLLS {
                    return Err(Error::limit("a formula shown by auto", AUTO_POLLS));
                }
                Ok(())
            };
            let d = symbolic::derivative_polled(&f, &w, &mut poll);
            if let Some(e) = stopped {
                return Err(e);
            }
            let Ok(d) = d else { continue };
            let formula = symbolic::text(&d);
            if !auto || formula.chars().count() <= FormulaMode::AUTO_WIDTH {
                out.push(RowFormula { wrt: w, formula });
            }
        }
        Ok(out)
    }

    /// What the prompt previews while `line`, a `:sym` command, is typed:
    /// its first formula (`d/dx = 6x + 2`), when it is short and cheap to
    /// find; `None` for anything else.
    pub fn preview_formula(&self, line: &str) -> Option<String> {
        let stmt = syntax::parse_line(line).ok()?;
        let StmtKind::Command(Command::Sym { expr, wrt, .. }) = stmt.kind else {
            return None;
        };
        let p = self.prepare(expr, &wrt, AUTO_STEPS).ok()?;
        let w: Vec<String> = if wrt.is_empty() {
            vec![p.vars.first()?.clone()]
        } else {
            wrt.iter().map(|w| w.name.clone()).collect()
        };
        let mut polls = 0;
        let mut poll = || {
            polls += 1;
            if polls > AUTO_POLLS {
                return Err(Error::limit("a formula previewed", AUTO_POLLS));
            }
            Ok(())
        };
        let d = symbolic::derivative_polled(&p.f, &w, &mut poll).ok()?;
        let formula = symbolic::text(&d);
        let d = if p.vars.len() > 1 { "∂" } else { "d" };
        let label = match w.as_slice() {
            [x] => format!("{d}/{d}{x}"),
            [x, y] if x == y => format!("{d}²/{d}{x}²"),
            [x, y] => format!("{d}²/{d}{x}{d}{y}"),
            _ => return None,
        };
        let more = if wrt.is_empty() && p.vars.len() > 1 {
            ", …"
        } else {
            ""
        };
        (formula.chars().count() <= FormulaMode::AUTO_WIDTH)
            .then(|| format!("  {label} = {formula}{more}"))
    }

    /// `:steps EXPR [wrt NAME]`.
    pub(super) fn steps(
        &mut self,
        expr: Expr,
        wrt: Option<Ident>,
        span: Span,
    ) -> Result<Outcome, Error> {
        let wrt_list: Vec<Ident> = wrt.iter().cloned().collect();
        let p = self.prepare(expr, &wrt_list, limits::MAX_FORMULA_STEPS)?;
        let k = Self::pick_var(&p.vars, wrt.as_ref(), span, "steps")?;
        let x = &p.vars[k];
        let (steps, d) = symbolic::steps(&p.f, x, p.vars.len() > 1).map_err(|e| e.at(span))?;
        Ok(Outcome::Steps(Box::new(Derivation {
            expr: symbolic::text(&p.f),
            wrt: x.clone(),
            partial: p.vars.len() > 1,
            steps,
            formula: symbolic::text(&d),
            latex: symbolic::latex(&d),
            notes: symbolic::notes(&p.f),
        })))
    }
}
