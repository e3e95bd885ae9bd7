//! A session: the definitions made so far, the settings, and running a line.
//!
//! [`Session::eval_line`] takes a line of text and returns an [`Outcome`] or an
//! [`Error`]; nothing here touches the terminal. `:load` and `:save` read and
//! write the files they name.

use crate::builtins;
use crate::check::{self, CheckReport, Status};
use crate::engine::Compiled;
use crate::engine::eval::{self, Budget, Defs, Function};
use crate::error::{Error, ErrorKind, Warning};
use crate::limits;
use crate::outcome::{Defined, DerivKind, Derivatives, LineResult, Outcome};
use crate::syntax::Command;
use crate::syntax::{
    Expr, ExprKind, Ident, Point, Span, Stmt, StmtKind, name_span, names_in, walk,
};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

mod arrays;
mod data;
mod files;
pub(crate) mod help;
mod names;
mod options;
mod stop;
mod symbolic;
mod workflows;
pub use help::{PREVIEW_SYNTAX, help, topics};
pub use options::Setting;
pub use workflows::DEFAULT_TAYLOR_ORDER;

/// The settings `:set` changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Run the finite-difference check under every derivative result.
    pub check: bool,
    /// Significant digits to print; `None` prints the shortest form that
    /// reads back to the same number.
    pub digits: Option<usize>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            check: true,
            digits: None,
        }
    }
}

/// Definitions, settings, and the files being loaded.
#[derive(Debug, Default)]
pub struct Session {
    defs: Defs,
    /// The current settings.
    pub settings: Settings,
    /// Files being run by `:load`, outermost first (to refuse a file that
    /// loads itself, and to find the files a file loads).
    loading: Vec<files::Loading>,
    cancel: Option<Arc<AtomicBool>>,
    progress: Option<Observer>,
    /// When the statement running must stop (see `stop.rs`).
    deadline: Option<std::time::Instant>,
    /// The time limit of a statement, when not the default.
    time_limit: Option<std::time::Duration>,
    /// Variables holding arrays (vectors, matrices, data sets).
    arrays: std::collections::BTreeMap<String, crate::num::Array>,
    /// The line being run, so that an error over arrays can point at its
    /// operator.
    source: String,
    /// The `:data` line that bound each array read from a file, so that
    /// `:save` writes the line instead of the numbers.
    data_sources: std::collections::BTreeMap<String, String>,
    /// The last value computed, `ans`.
    ans: Option<f64>,
    /// Constants a definition has been warned about hiding (once each).
    warned: std::collections::BTreeSet<String>,
}

/// Called now and then by long commands with `(command, unit, done,
/// total)` — `(":min", "iteration", 250, 1000)`, `("check", "evaluation",
/// 40, 300)` — so that the binary can draw a progress bar.
#[derive(Clone)]
pub struct Observer(pub Arc<dyn Fn(&'static str, &'static str, u64, u64) + Send + Sync>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer(..)")
    }
}

/// The variables of a derivative command and where they are.
struct Bound {
    vars: Vec<String>,
    point: Vec<f64>,
}

impl Session {
    /// An empty session with the default settings.
    pub fn new() -> Session {
        Session::default()
    }

    /// Lets another thread stop long evaluations by setting `flag` (Ctrl-C).
    pub fn set_cancel(&mut self, flag: Arc<AtomicBool>) {
        self.cancel = Some(flag);
    }

    /// Reports the progress of long commands (`:min`) to `p`.
    pub fn set_progress(&mut self, p: Observer) {
        self.progress = Some(p);
    }

    /// The definitions made so far.
    pub fn defs(&self) -> &Defs {
        &self.defs
    }

    /// Parses and runs one line; statements separated by `;` run in
    /// order, each to its own result.
    pub fn eval_line(&mut self, line: &str) -> Result<Outcome, Error> {
        let pieces = crate::syntax::split_statements(line);
        if pieces.len() <= 1 {
            return self.eval_statement(line);
        }
        let blank = |p: &str| {
            let t = p.trim_start_matches([' ', '\t']);
            t.is_empty() || t.starts_with('#')
        };
        if pieces.iter().all(|p| blank(p)) {
            let at = line.find(';').unwrap_or(0);
            return Err(Error::parse(
                "`;` separates statements, and there are none here",
                Span::new(at, at + 1),
            ));
        }
        let mut results = Vec::new();
        for (k, piece) in pieces.into_iter().enumerate() {
            let result = self.eval_statement(piece);
            let quit = matches!(result, Ok(Outcome::Quit));
            if !matches!(result, Ok(Outcome::Empty)) {
                results.push(LineResult {
                    line: k + 1,
                    input: piece.trim().to_string(),
                    result,
                });
            }
            if quit {
                break;
            }
        }
        Ok(Outcome::Sequence(results))
    }

    fn eval_statement(&mut self, text: &str) -> Result<Outcome, Error> {
        let stmt = crate::syntax::parse_line(text)?;
        text.clone_into(&mut self.source);
        // `ans` is a variable while a statement runs, and only then: it is
        // not a definition to list, save or complete.
        if let Some(v) = self.ans {
            self.defs.vars.insert(names::ANS.to_string(), v);
        }
        let out = self.timed(|s| s.run(stmt));
        self.defs.vars.remove(names::ANS);
        let out = out?;
        self.remember(&out);
        Ok(out)
    }

    /// The variables holding arrays.
    pub fn arrays(&self) -> &std::collections::BTreeMap<String, crate::num::Array> {
        &self.arrays
    }

    /// Runs every line of a script given as bytes, going on past errors.
    /// Blank and comment lines give no result.
    pub fn run_source(&mut self, bytes: &[u8]) -> Vec<LineResult> {
        let mut out: Vec<LineResult> = Vec::new();
        for (i, raw) in crate::syntax::split_lines(bytes).enumerate() {
            // Ctrl-C stops the whole file, not just the line it came in;
            // the file's results end with the one that says so.
            if self.interrupted() {
                let said = out.last().is_some_and(
                    |r| matches!(&r.result, Err(e) if e.kind == ErrorKind::Interrupted),
                );
                if !said {
                    out.push(LineResult {
                        line: i + 1,
                        input: crate::syntax::lossy(raw),
                        result: Err(Error::interrupted()),
                    });
                }
                break;
            }
            let result = crate::syntax::decode_line(raw, i == 0).and_then(|l| self.eval_line(&l));
            if matches!(result, Ok(Outcome::Empty)) {
                continue;
            }
            out.push(LineResult {
                line: i + 1,
                input: crate::syntax::lossy(raw),
                result,
            });
        }
        out
    }

    fn budget(&self) -> Budget {
        Budget::new(self.cancel.clone())
    }

    /// Runs a parsed statement.
    pub fn run(&mut self, stmt: Stmt) -> Result<Outcome, Error> {
        match stmt.kind {
            StmtKind::Empty => Ok(Outcome::Empty),
            StmtKind::Expr(e) if self.uses_arrays(&e) => self.array_expr(&e),
            StmtKind::Assign { name, value } if self.uses_arrays(&value) => {
                self.array_assign(name, &value)
            }
            StmtKind::Report { expr, point }
                if self.uses_arrays(&expr) || self.point_uses_arrays(&point) =>
            {
                self.array_derivatives(DerivKind::Report, expr, None, &point, stmt.span)
            }
            StmtKind::Expr(e) => {
                self.notations(&e)?;
                let mut b = self.budget();
                let value = eval::value(&self.defs, &e, &mut b)?;
                Ok(Outcome::Value {
                    value,
                    warnings: b.warnings,
                })
            }
            StmtKind::Assign { name, value } => self.assign(name, &value),
            StmtKind::Define { name, params, body } => self.define(name, params, body),
            StmtKind::Report { expr, point } => {
                self.derivatives(DerivKind::Report, expr, None, &point, stmt.span)
            }
            StmtKind::Command(c) => self.command(c, stmt.span),
        }
    }

    fn command(&mut self, c: Command, span: Span) -> Result<Outcome, Error> {
        if let Some(done) = self.array_command(&c, span) {
            return done;
        }
        match c {
            Command::Grad { expr, point } => {
                self.derivatives(DerivKind::Grad, expr, None, &point, span)
            }
            Command::Diff { expr, wrt, point } => {
                self.derivatives(DerivKind::Diff, expr, wrt, &point, span)
            }
            Command::Hess { expr, point } => {
                self.derivatives(DerivKind::Hess, expr, None, &point, span)
            }
            Command::Check { expr, point } => {
                self.derivatives(DerivKind::Check, expr, None, &point, span)
            }
            Command::Jac { exprs, point } => self.jac(exprs, &point, span),
            Command::Limit { expr, wrt, point } => self.limit(expr, wrt, &point, span),
            Command::Tangent { expr, point } => self.tangent(expr, &point, span),
            Command::Taylor { expr, point, order } => self.taylor(expr, &point, order, span),
            Command::Trace { expr, wrt, point } => self.trace(expr, wrt, &point, span),
            Command::Min {
                expr,
                point,
                options,
            } => self.min(expr, &point, &options, span),
            Command::Plot {
                exprs,
                range,
                options,
            } => self.plot(exprs, &range, &options, span),
            Command::Table { exprs, range, step } => self.table(exprs, &range, &step, span),
            Command::Sym {
                expr,
                wrt,
                point,
                latex,
            } => self.sym(expr, wrt, point, latex, span),
            Command::Steps { expr, wrt } => self.steps(expr, wrt, span),
            Command::Load { path, span } => self.load(&path, span),
            Command::Data { name, path, span } => self.data(name, &path, span),
            Command::Save { path, span } => self.save(&path, span),
            Command::Set { option } => self.set(option),
            Command::Vars if !self.arrays.is_empty() => {
                let mut all: Vec<(String, crate::num::Array)> = self
                    .defs
                    .vars
                    .iter()
                    .map(|(k, v)| (k.clone(), crate::num::Array::scalar(*v)))
                    .chain(self.arrays.iter().map(|(k, a)| (k.clone(), a.clone())))
                    .collect();
                all.sort_by(|a, b| a.0.cmp(&b.0));
                Ok(Outcome::Arrays(Box::new(
                    crate::outcome::ArrayOutcome::Vars(all),
                )))
            }
            Command::Vars => Ok(Outcome::Vars(
                self.defs
                    .vars
                    .iter()
                    .filter(|(k, _)| *k != names::ANS)
                    .map(|(k, v)| (k.clone(), *v))
                    .collect(),
            )),
            Command::Funcs => Ok(Outcome::Funcs(
                self.defs
                    .funcs
                    .iter()
                    .map(|(k, f)| describe(k, f))
                    .collect(),
            )),
            Command::Del { names } => {
                let listed: Vec<String> = names.iter().map(|n| n.name.clone()).collect();
                if let Err(e) = self.refuse_if_used(&listed, "delete") {
                    return Err(match names.first() {
                        Some(n) => e.at(n.span.to(names[names.len() - 1].span)),
                        None => e,
                    });
                }
                for n in &names {
                    if n.name == names::ANS {
                        return Err(Error::new(
                            ErrorKind::Name,
                            "`ans` is the last value computed, not a definition; it cannot be deleted",
                        )
                        .at(n.span));
                    }
                    if !self.defs.vars.contains_key(&n.name)
                        && !self.defs.funcs.contains_key(&n.name)
                        && !self.arrays.contains_key(&n.name)
                    {
                        return Err(Error::new(
                            ErrorKind::Name,
                            format!("`{}` is not defined, so it cannot be deleted", n.name),
                        )
                        .at(n.span));
                    }
                }
                let mut gone = Vec::new();
                for n in names {
                    self.forget(&n.name);
                    if !gone.contains(&n.name) {
                        gone.push(n.name);
                    }
                }
                Ok(Outcome::Deleted(gone))
            }
            Command::Clear => {
                let n = self.defs.vars.keys().filter(|k| *k != names::ANS).count()
                    + self.defs.funcs.len()
                    + self.arrays.len();
                self.defs = Defs::default();
                self.arrays.clear();
                self.data_sources.clear();
                Ok(Outcome::Cleared(n))
            }
            Command::Help { topic } => {
                let text =
                    help::help(topic.as_ref().map(|t| t.name.as_str())).map_err(
                        |e| match &topic {
                            Some(t) => e.at(t.span),
                            None => e,
                        },
                    )?;
                Ok(Outcome::Help(text))
            }
            Command::Quit => Ok(Outcome::Quit),
        }
    }

    // ------------------------------------------------------------ definitions

    fn check_definable(&self, name: &Ident) -> Result<(), Error> {
        if name.name == names::ANS {
            return Err(Error::new(
                ErrorKind::Definition,
                "`ans` is the last value computed and cannot be defined",
            )
            .at(name.span)
            .help("choose another name; `a = ans` keeps the last value"));
        }
        if builtins::lookup(&name.name).is_some() {
            return Err(Error::new(
                ErrorKind::Definition,
                format!(
                    "`{}` is a built-in function and cannot be redefined",
                    name.name
                ),
            )
            .at(name.span)
            .help("choose another name"));
        }
        Ok(())
    }

    fn assign(&mut self, name: Ident, value: &Expr) -> Result<Outcome, Error> {
        self.check_definable(&name)?;
        self.notations(value)?;
        self.unknown_in_assignment(&name, value)?;
        let mut b = self.budget();
        let v = eval::value(&self.defs, value, &mut b)?;
        if self.defs.funcs.contains_key(&name.name) {
            self.refuse_if_used(std::slice::from_ref(&name.name), "redefine as a variable")
                .map_err(|e| e.at(name.span))?;
        }
        let warnings = self.shadow_warning(&name.name, false);
        let replaced = self.defs.funcs.remove(&name.name).is_some()
            | self.arrays.remove(&name.name).is_some()
            | self.defs.vars.insert(name.name.clone(), v).is_some();
        Ok(Outcome::Defined {
            what: Defined::Variable {
                name: name.name,
                value: v,
            },
            replaced,
            warnings,
        })
    }

    fn define(&mut self, name: Ident, params: Vec<Ident>, body: Expr) -> Result<Outcome, Error> {
        self.check_definable(&name)?;
        let params: Vec<String> = params.into_iter().map(|p| p.name).collect();
        self.validate_body(&name.name, &params, &body)?;
        if !params.contains(&name.name)
            && let Some(at) = name_span(&body, &name.name)
        {
            return Err(Error::new(
                ErrorKind::Definition,
                format!(
                    "`{0}` in the body would be the function `{0}` itself, not a value",
                    name.name
                ),
            )
            .at(at)
            .help("give the variable or the function another name"));
        }
        // Refuse recursion, direct or through other functions.
        if let Some(cycle) = self.cycle_through(&name.name, &body) {
            return Err(Error::new(
                ErrorKind::Definition,
                format!("recursive definition: {}", cycle.join(" → ")),
            )
            .at(name.span)
            .help("deriv evaluates functions by substitution; recursion has no end"));
        }
        let arity_changes = self
            .defs
            .funcs
            .get(&name.name)
            .is_some_and(|f| f.params.len() != params.len());
        if self.defs.vars.contains_key(&name.name) || arity_changes {
            let doing = if arity_changes {
                format!("redefine with {} parameters", params.len())
            } else {
                "redefine as a function".to_string()
            };
            self.refuse_if_used(std::slice::from_ref(&name.name), &doing)
                .map_err(|e| e.at(name.span))?;
        }
        let warnings = self.shadow_warning(&name.name, true);
        let replaced = self.defs.vars.remove(&name.name).is_some()
            | self.arrays.remove(&name.name).is_some()
            | self
                .defs
                .funcs
                .insert(name.name.clone(), Function { params, body })
                .is_some();
        Ok(Outcome::Defined {
            what: describe(&name.name, &self.defs.funcs[&name.name]),
            replaced,
            warnings,
        })
    }

    /// Every name in a body must be a parameter, a variable or a constant, and
    /// every call must name a known function with the right number of
    /// arguments: a typo is caught when the function is defined, not later.
    fn validate_body(&self, fname: &str, params: &[String], body: &Expr) -> Result<(), Error> {
        let mut err = None;
        walk(body, &mut |e| {
            if err.is_some() {
                return;
            }
            match &e.kind {
                ExprKind::Name(n) if n == names::ANS && !params.contains(n) => {
                    err = Some(
                        Error::new(
                            ErrorKind::Name,
                            "a function body cannot use `ans`: it changes with every result",
                        )
                        .at(e.span)
                        .help("keep the value in a variable first: `a = ans`"),
                    );
                }
                ExprKind::Name(n)
                    if !params.contains(n)
                        && !self.defs.vars.contains_key(n)
                        && !self.arrays.contains_key(n)
                        && builtins::constant(n).is_none() =>
                {
                    let mut x = Error::new(
                            ErrorKind::Name,
                            format!(
                                "unknown name `{n}` in the body of `{fname}`: not a parameter, a variable or a constant"
                            ),
                        )
                        .at(e.span);
                    x = if self.defs.funcs.contains_key(n) || builtins::lookup(n).is_some() {
                        x.help(format!("`{n}` is a function: call it with arguments"))
                    } else {
                        x.help(format!(
                                "make it a parameter (`{fname}({}, {n}) = …`) or define it first (`{n} = …`)",
                                params.join(", ")
                            ))
                    };
                    err = Some(x);
                }
                ExprKind::FuncRef { name, .. } => {
                    err = Some(
                        Error::new(
                            ErrorKind::Name,
                            format!("`{name}'` needs an argument here: write `{name}'(x)`"),
                        )
                        .at(e.span),
                    );
                }
                ExprKind::Call { func, args, primes } => {
                    let array_fn = crate::engine::array::functions::lookup(&func.name);
                    let (min, max) = if let Some(b) = builtins::lookup(&func.name) {
                        let a = array_fn.map_or(b.min_args, |f| f.min_args);
                        (b.min_args.min(a), b.max_args)
                    } else if let Some(f) = array_fn {
                        (f.min_args, f.max_args)
                    } else if func.name == fname {
                        (params.len(), params.len())
                    } else if let Some(f) = self.defs.funcs.get(&func.name) {
                        (f.params.len(), f.params.len())
                    } else {
                        err = Some(
                            Error::new(
                                ErrorKind::Name,
                                format!(
                                    "unknown function `{}` in the body of `{fname}`",
                                    func.name
                                ),
                            )
                            .at(func.span)
                            .help(
                                crate::syntax::notations::unknown_function_help(&func.name, args)
                                    .unwrap_or_else(|| {
                                        "define it before the functions that call it".into()
                                    }),
                            ),
                        );
                        return;
                    };
                    let n = args.len();
                    let bad = if *primes > 0 {
                        n != 1 || min > 1 || max < 1
                    } else {
                        n < min || n > max
                    };
                    if bad {
                        err = Some(
                            Error::new(
                                ErrorKind::Arity,
                                format!(
                                    "`{}{}` takes {}, but {n} {} given",
                                    func.name,
                                    "'".repeat(*primes as usize),
                                    if *primes > 0 || min == max {
                                        let m = if *primes > 0 { 1 } else { min };
                                        if m == 1 {
                                            "1 argument".to_string()
                                        } else {
                                            format!("{m} arguments")
                                        }
                                    } else {
                                        format!("{min} to {max} arguments")
                                    },
                                    if n == 1 { "was" } else { "were" }
                                ),
                            )
                            .at(e.span),
                        );
                    }
                }
                _ => {}
            }
        });
        err.map_or(Ok(()), Err)
    }

    /// The chain of calls from `name` back to itself, if defining `name` with
    /// `body` would make one.
    fn cycle_through(&self, name: &str, body: &Expr) -> Option<Vec<String>> {
        fn callees(e: &Expr) -> Vec<String> {
            let mut out = Vec::new();
            walk(e, &mut |x| {
                if let ExprKind::Call { func, .. } = &x.kind
                    && !out.contains(&func.name)
                {
                    out.push(func.name.clone());
                }
            });
            out
        }
        // Depth-first search from the new body, with an explicit stack of paths.
        let mut stack: Vec<Vec<String>> = callees(body)
            .into_iter()
            .map(|c| vec![name.to_string(), c])
            .collect();
        let mut seen = std::collections::HashSet::new();
        while let Some(path) = stack.pop() {
            let last = path.last().cloned().unwrap_or_default();
            if last == name {
                return Some(path);
            }
            if !seen.insert(last.clone()) {
                continue;
            }
            if let Some(f) = self.defs.funcs.get(&last) {
                for c in callees(&f.body) {
                    let mut p = path.clone();
                    p.push(c);
                    stack.push(p);
                }
            }
        }
        None
    }

    // ------------------------------------------------------------ derivatives

    /// A bare user function `g` stands for `g(x1, x2)` on its own parameters;
    /// returns the expression to differentiate and, when the expression is a
    /// call of a user function on distinct plain names, those names in order.
    fn expand(&self, expr: Expr) -> (Expr, Option<Vec<String>>) {
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

    /// Decides the variables and the point.
    fn bind(
        &self,
        expr: &Expr,
        given: Option<Vec<String>>,
        point: &Point,
        span: Span,
    ) -> Result<Bound, Error> {
        self.refuse_function_values(expr)?;
        self.notations(expr)?;
        let names = names_in(expr);
        let is_free = |n: &str| !self.defs.vars.contains_key(n) && builtins::constant(n).is_none();
        let (vars, exprs): (Vec<String>, Vec<&Expr>) = match point {
            Point::Named(pairs) => {
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
                        let free: Vec<&String> = names.iter().filter(|n| is_free(n)).collect();
                        let its = if free.is_empty() {
                            "it has no free variables".to_string()
                        } else {
                            format!(
                                "its variables are {}",
                                free.iter()
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        };
                        return Err(Error::new(
                            ErrorKind::Point,
                            format!("`{}` is not a variable of this expression", id.name),
                        )
                        .at(id.span)
                        .help(its));
                    }
                    vars.push(id.name.clone());
                }
                for n in &names {
                    if !vars.contains(n) && is_free(n) {
                        return Err(Error::new(
                            ErrorKind::Point,
                            format!("`{n}` has no value at this point"),
                        )
                        .at(name_span(expr, n).unwrap_or(span))
                        .help(format!("add it to the point: `at …, {n}=…`")));
                    }
                }
                (vars, pairs.iter().map(|(_, e)| e).collect())
            }
            Point::Positional(values) => {
                // The free names only: a defined variable is a constant
                // unless the point names it (`at x=2, a=4`).
                let vars: Vec<String> =
                    given.unwrap_or_else(|| names.iter().filter(|n| is_free(n)).cloned().collect());
                if vars.len() != values.len() {
                    let has = match vars.len() {
                        0 => "no variables".to_string(),
                        1 => format!("1 variable ({})", vars[0]),
                        k => format!("{k} variables ({})", vars.join(", ")),
                    };
                    let got = match values.len() {
                        1 => "1 value was".to_string(),
                        k => format!("{k} values were"),
                    };
                    let mut e = Error::new(
                        ErrorKind::Point,
                        format!("the expression has {has}, but {got} given"),
                    )
                    .at(span);
                    if vars.len() < values.len() {
                        e = e.help(self.name_the_point(&names, values));
                    }
                    return Err(e);
                }
                (vars, values.iter().collect())
            }
        };
        if vars.len() > limits::MAX_VARS {
            return Err(Error::limit("too many variables", limits::MAX_VARS).at(span));
        }
        let mut pt = Vec::with_capacity(exprs.len());
        for (name, e) in vars.iter().zip(exprs) {
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
            pt.push(v);
        }
        Ok(Bound { vars, point: pt })
    }

    fn derivatives(
        &mut self,
        kind: DerivKind,
        expr: Expr,
        wrt: Option<Ident>,
        point: &Point,
        span: Span,
    ) -> Result<Outcome, Error> {
        let (expr, given) = self.expand(expr);
        let Bound { vars, point } = self.bind(&expr, given, point, span)?;
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
        };
        let run_check = self.settings.check || kind == DerivKind::Check;
        match kind {
            DerivKind::Grad => {
                let c = Compiled::new(&self.defs, &expr, &vars);
                let mut b = self.budget();
                let (v, g) = c.gradient(&point, &mut b)?;
                d.value = v;
                d.warnings = b.warnings;
                if run_check {
                    d.check = Some(self.check(&c, &point, &g, None, d.warnings.is_empty()));
                }
                d.gradient = Some(g);
            }
            DerivKind::Diff => {
                let k = Self::pick_var(&vars, wrt.as_ref(), span, "diff")?;
                let c = Compiled::new(&self.defs, &expr, &vars);
                let mut b = self.budget();
                let (v, d1, d2) = c.partial(k, &point, &mut b)?;
                d.value = v;
                d.wrt = Some(vars[k].clone());
                d.derivative = Some(d1);
                d.second = Some(d2);
                d.warnings = b.warnings;
                if run_check {
                    let mut tf = c.f64_fn(self.cancel.clone());
                    let noise = tf.noise(&point);
                    let mut p = point.clone();
                    let mut f = |x: &[f64]| {
                        p[k] = x[0];
                        tf.eval(&p)
                    };
                    let hess = [vec![d2]];
                    let smooth = d.warnings.is_empty();
                    let mut r =
                        self.watched_check(&mut f, &[point[k]], &[d1], Some(&hess), noise, smooth);
                    distrust_if_warned(&mut r, &d.warnings);
                    d.check = Some(r);
                }
            }
            DerivKind::Hess | DerivKind::Report | DerivKind::Check => {
                let c = Compiled::new(&self.defs, &expr, &vars);
                if !c.hessian_fits() {
                    return Err(Error::limit(
                        "too many variables for a dense Hessian",
                        limits::MAX_HESSIAN_VARS,
                    )
                    .at(span)
                    .help("use :grad for the gradient alone"));
                }
                let mut b = self.budget();
                let (v, g, h) = c.hessian(&point, &mut b)?;
                d.value = v;
                d.warnings = b.warnings;
                if run_check {
                    d.check = Some(self.check(&c, &point, &g, Some(&h), d.warnings.is_empty()));
                }
                d.gradient = Some(g);
                d.hessian = Some(h);
            }
        }
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

    fn check(
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
    fn watched_check(
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

    // ------------------------------------------------------------ files and settings

    /// The session's definitions as a script: variables first (functions may
    /// use them), then functions, each after the functions it calls.
    pub fn script(&self) -> String {
        let mut out = String::from("# deriv session, written by :save\n");
        out.push_str(&self.arrays_script());
        // A variable that hides a constant comes after the others, whose
        // values may be written as that constant (`inf`, `nan`).
        let (hiding, plain): (Vec<_>, Vec<_>) = self
            .defs
            .vars
            .iter()
            .filter(|(k, _)| *k != names::ANS)
            .partition(|(k, _)| builtins::constant(k).is_some());
        for (k, v) in plain.into_iter().chain(hiding) {
            out.push_str(&format!("{k} = {}\n", crate::format::shortest(*v)));
        }
        let mut done: Vec<&str> = Vec::new();
        for name in self.defs.funcs.keys() {
            self.emit_function(name, &mut done, &mut out);
        }
        out
    }

    fn emit_function<'s>(&'s self, name: &'s str, done: &mut Vec<&'s str>, out: &mut String) {
        if done.contains(&name) {
            return;
        }
        done.push(name);
        let Some(f) = self.defs.funcs.get(name) else {
            return;
        };
        let mut callees = Vec::new();
        walk(&f.body, &mut |e| {
            if let ExprKind::Call { func, .. } = &e.kind {
                callees.push(func.name.as_str());
            }
        });
        for c in callees {
            if let Some((k, _)) = self.defs.funcs.get_key_value(c) {
                self.emit_function(k, done, out);
            }
        }
        out.push_str(&format!("{name}({}) = {}\n", f.params.join(", "), f.body));
    }

    fn set(&mut self, option: Option<(Ident, Ident)>) -> Result<Outcome, Error> {
        let Some((name, value)) = option else {
            return Ok(Outcome::Settings(self.settings_list()));
        };
        match Setting::parse(&name, &value)? {
            Setting::Check(on) => self.settings.check = on,
            Setting::Digits(d) => self.settings.digits = d,
        }
        let value = self
            .settings_list()
            .into_iter()
            .find(|(k, _)| *k == name.name)
            .map(|(_, v)| v)
            .unwrap_or_default();
        Ok(Outcome::Set {
            name: name.name,
            value,
        })
    }

    fn settings_list(&self) -> Vec<(String, String)> {
        vec![
            (
                "check".into(),
                if self.settings.check { "on" } else { "off" }.into(),
            ),
            (
                "digits".into(),
                self.settings
                    .digits
                    .map_or("auto".into(), |d| d.to_string()),
            ),
        ]
    }
}

/// A check cannot vouch for a derivative at a point where a built-in warned
/// (a kink, an infinite derivative, a domain error): mark it failed.
fn distrust_if_warned(c: &mut CheckReport, warnings: &[Warning]) {
    if !warnings.is_empty() {
        c.ok = false;
        if matches!(c.status, Status::Pass | Status::Unconfirmed) {
            c.status = Status::Fail;
        }
    }
}

fn describe(name: &str, f: &Function) -> Defined {
    Defined::Function {
        name: name.to_string(),
        params: f.params.clone(),
        body: f.body.to_string(),
    }
}
