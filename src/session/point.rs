//! Where a derivative is taken: which names are its variables, and the
//! point they are bound to (`at 1, 2` or `at x=1, y=2`).

use super::Session;
use crate::builtins;
use crate::engine::eval;
use crate::error::{Error, ErrorKind};
use crate::limits;
use crate::syntax::{Expr, ExprKind, Ident, Point, Span, name_span, names_in};

/// The variables of a derivative command and where they are.
pub(super) struct Bound {
    pub(super) vars: Vec<String>,
    pub(super) point: Vec<f64>,
}

impl Session {
    /// A bare user function `g` stands for `g(x1, x2)` on its own parameters;
    /// returns the expression to differentiate and, when the expression is a
    /// call of a user function on distinct plain names, those names in order.
    pub(super) fn expand(&self, expr: Expr) -> (Expr, Option<Vec<String>>) {
        let span = expr.span;
        let call_on_params = |name: &str, primes: u32, params: Vec<String>| {
            let args = params
                .iter()
                .map(|p| Expr {
                    kind: ExprKind::Name(p.clone()),
                    span,
                })
                .collect();
            Expr {
                kind: ExprKind::Call {
                    func: Ident {
                        name: name.to_string(),
                        span,
                    },
                    primes,
                    args,
                },
                span,
            }
        };
        match &expr.kind {
            ExprKind::Name(n) if self.defs.funcs.contains_key(n) => {
                let params = self.defs.funcs[n].params.clone();
                (call_on_params(n, 0, params.clone()), Some(params))
            }
            ExprKind::FuncRef { name, primes } if self.defs.funcs.contains_key(name) => {
                let params = self.defs.funcs[name].params.clone();
                (call_on_params(name, *primes, params.clone()), Some(params))
            }
            ExprKind::Name(n) | ExprKind::FuncRef { name: n, .. }
                if builtins::lookup(n).is_some_and(|b| b.min_args == 1)
                    && !self.defs.vars.contains_key(n) =>
            {
                let primes = match &expr.kind {
                    ExprKind::FuncRef { primes, .. } => *primes,
                    _ => 0,
                };
                (
                    call_on_params(n, primes, vec!["x".into()]),
                    Some(vec!["x".into()]),
                )
            }
            ExprKind::Call { func, args, .. } if self.defs.funcs.contains_key(&func.name) => {
                let mut names: Vec<String> = Vec::new();
                for a in args {
                    match &a.kind {
                        ExprKind::Name(n) if !names.contains(n) => names.push(n.clone()),
                        _ => return (expr, None),
                    }
                }
                (expr, Some(names))
            }
            _ => (expr, None),
        }
    }

    /// An expression made ready to differentiate ([`Session::expand`]) and
    /// bound to the point.
    pub(super) fn bind_one(
        &self,
        expr: Expr,
        point: &Point,
        span: Span,
    ) -> Result<(Expr, Bound), Error> {
        let (expr, given) = self.expand(expr);
        let bound = self.bind(&expr, given, point, span)?;
        Ok((expr, bound))
    }

    /// Decides the variables and the point.
    pub(super) fn bind(
        &self,
        expr: &Expr,
        given: Option<Vec<String>>,
        point: &Point,
        span: Span,
    ) -> Result<Bound, Error> {
        let (vars, exprs) = self.point_vars(expr, given, point, span)?;
        let point = vars
            .iter()
            .zip(exprs)
            .map(|(name, e)| self.coordinate(name, e))
            .collect::<Result<_, _>>()?;
        Ok(Bound { vars, point })
    }

    /// The variables `point` binds in `expr`, and the expression of each
    /// one's value: the checks every point makes, over numbers or arrays
    /// (names, repeats, missing variables, the count of positional values).
    pub(super) fn point_vars<'p>(
        &self,
        expr: &Expr,
        given: Option<Vec<String>>,
        point: &'p Point,
        span: Span,
    ) -> Result<(Vec<String>, Vec<&'p Expr>), Error> {
        self.refuse_function_values(expr)?;
        self.notations(expr)?;
        let names = names_in(expr);
        let (vars, exprs): (Vec<String>, Vec<&Expr>) = match point {
            Point::Named(pairs) => {
                let vars = self.named_vars(expr, &names, pairs, span)?;
                (vars, pairs.iter().map(|(_, e)| e).collect())
            }
            Point::Positional(values) => {
                let vars = self.positional_vars(&names, given, values, span)?;
                (vars, values.iter().collect())
            }
        };
        if vars.len() > limits::MAX_VARS {
            return Err(Error::limit("too many variables", limits::MAX_VARS).at(span));
        }
        Ok((vars, exprs))
    }

    /// A name is free when nothing defines it: a variable of the expression.
    pub(super) fn is_free(&self, n: &str) -> bool {
        !self.defs.vars.contains_key(n)
            && !self.arrays.contains_key(n)
            && builtins::constant(n).is_none()
    }

    /// The variables of `at x=…, y=…`: each named once, each a name of the
    /// expression, and every free name of the expression given.
    pub(super) fn named_vars(
        &self,
        expr: &Expr,
        names: &[String],
        pairs: &[(Ident, Expr)],
        span: Span,
    ) -> Result<Vec<String>, Error> {
        let mut vars: Vec<String> = Vec::new();
        for (id, _) in pairs {
            if vars.contains(&id.name) {
                return Err(Error::new(
                    ErrorKind::Point,
                    format!("`{}` is given twice in the point", id.name),
                )
                .at(id.span));
            }
            if !names.contains(&id.name) {
                return Err(self.not_a_variable(names, id));
            }
            vars.push(id.name.clone());
        }
        for n in names {
            if !vars.contains(n) && self.is_free(n) {
                return Err(Error::new(
                    ErrorKind::Point,
                    format!("`{n}` has no value at this point"),
                )
                .at(name_span(expr, n).unwrap_or(span))
                .help(format!("add it to the point: `at …, {n}=…`")));
            }
        }
        Ok(vars)
    }

    fn not_a_variable(&self, names: &[String], id: &Ident) -> Error {
        let free: Vec<&str> = names
            .iter()
            .filter(|n| self.is_free(n))
            .map(String::as_str)
            .collect();
        let its = if free.is_empty() {
            "it has no free variables".to_string()
        } else {
            format!("its variables are {}", free.join(", "))
        };
        Error::new(
            ErrorKind::Point,
            format!("`{}` is not a variable of this expression", id.name),
        )
        .at(id.span)
        .help(its)
    }

    /// The variables of `at 1, 2`: the free names only (a defined variable
    /// is a constant unless the point names it, `at x=2, a=4`), as many as
    /// there are values.
    pub(super) fn positional_vars(
        &self,
        names: &[String],
        given: Option<Vec<String>>,
        values: &[Expr],
        span: Span,
    ) -> Result<Vec<String>, Error> {
        let vars: Vec<String> =
            given.unwrap_or_else(|| names.iter().filter(|n| self.is_free(n)).cloned().collect());
        if vars.len() == values.len() {
            return Ok(vars);
        }
        let has = match vars.len() {
            0 => "no variables".to_string(),
            1 => format!("1 variable ({})", vars[0]),
            k => format!("{k} variables ({})", vars.join(", ")),
        };
        let got = match values.len() {
            1 => "1 value was".to_string(),
            k => format!("{k} values were"),
        };
        let e = Error::new(
            ErrorKind::Point,
            format!("the expression has {has}, but {got} given"),
        )
        .at(span);
        Err(if vars.len() < values.len() {
            e.help(self.name_the_point(names, values))
        } else {
            e
        })
    }

    /// The value of one coordinate of the point: finite.
    fn coordinate(&self, name: &str, e: &Expr) -> Result<f64, Error> {
        let mut b = self.budget();
        let v = eval::value(&self.defs, e, &mut b)?;
        if !v.is_finite() {
            return Err(Error::new(
                ErrorKind::Point,
                format!(
                    "the value of `{name}` is {}: a point must be finite",
                    crate::format::shortest(v)
                ),
            )
            .at(e.span));
        }
        Ok(v)
    }
}
