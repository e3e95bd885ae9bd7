//! A session: the definitions made so far, the settings, and running a line.
//!
//! [`Session::eval_line`] takes a line of text and returns an [`Outcome`] or an
//! [`Error`]; nothing here touches the terminal. `:load` and `:save` read and
//! write the files they name.

use crate::builtins;
use crate::engine::eval::{self, Budget, Defs};
use crate::error::{Error, ErrorKind};
use crate::outcome::{DerivKind, LineResult, Outcome};
use crate::syntax::Command;
use crate::syntax::{ExprKind, Ident, Span, Stmt, StmtKind, walk};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

mod arrays;
mod data;
mod define;
mod derivatives;
mod files;
pub(crate) mod help;
mod names;
mod options;
mod point;
mod stop;
mod symbolic;
mod workflows;
pub use help::{PREVIEW_SYNTAX, help, topics};
pub use options::{FormulaMode, Setting};
pub use workflows::DEFAULT_TAYLOR_ORDER;

use derivatives::distrust_if_warned;
use point::Bound;

/// The settings `:set` changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Run the finite-difference check under every derivative result.
    pub check: bool,
    /// Significant digits to print; `None` prints the shortest form that
    /// reads back to the same number.
    pub digits: Option<usize>,
    /// When `:diff` and `:grad` show formulas beside their numbers.
    pub formulas: FormulaMode,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            check: true,
            digits: None,
            formulas: FormulaMode::Off,
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
    /// Each `:data` line run, in the order it ran (a line run again moves
    /// to the end), with the names it bound.
    data_loads: Vec<(String, Vec<String>)>,
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
        let mut b = Budget::new(self.cancel.clone());
        if let Some(d) = self.deadline {
            b.deadline = Some((d, self.time_limit()));
        }
        b
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
                self.refuse_array_function_values(&e)?;
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
            Command::Plot { exprs, on, options } => self.plot(exprs, &on, &options, span),
            Command::Table { exprs, on } => self.table(exprs, &on, span),
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
            Command::Vars => Ok(self.vars()),
            Command::Funcs => Ok(self.funcs()),
            Command::Del { names } => self.delete(names),
            Command::Clear => Ok(self.clear()),
            Command::Help { topic } => {
                let name = topic.as_ref().map(|t| t.name.as_str());
                let text = help::help(name).map_err(|e| match &topic {
                    Some(t) => e.at(t.span),
                    None => e,
                })?;
                Ok(Outcome::Help(text))
            }
            Command::Quit => Ok(Outcome::Quit),
        }
    }

    /// `:vars`: the variables, with the arrays when there are any.
    fn vars(&self) -> Outcome {
        if self.arrays.is_empty() {
            return Outcome::Vars(
                self.defs
                    .vars
                    .iter()
                    .filter(|(k, _)| *k != names::ANS)
                    .map(|(k, v)| (k.clone(), *v))
                    .collect(),
            );
        }
        let mut all: Vec<(String, crate::num::Array)> = self
            .defs
            .vars
            .iter()
            .map(|(k, v)| (k.clone(), crate::num::Array::scalar(*v)))
            .chain(self.arrays.iter().map(|(k, a)| (k.clone(), a.clone())))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        Outcome::Arrays(Box::new(crate::outcome::ArrayOutcome::Vars(all)))
    }

    // ------------------------------------------------------------ files and settings

    /// The session's definitions as a script: variables first (functions may
    /// use them), then functions, each after the functions it calls.
    pub fn script(&self) -> String {
        let mut out = String::from("# deriv session, written by :save\n");
        out.push_str(&self.arrays_script(false));
        // A variable that hides a constant comes after the others, whose
        // values may be written as that constant (`inf`, `nan`).
        let (hiding, plain): (Vec<_>, Vec<_>) = self
            .defs
            .vars
            .iter()
            .filter(|(k, _)| *k != names::ANS)
            .partition(|(k, _)| builtins::constant(k).is_some());
        let line = |(k, v): (&String, &f64)| format!("{k} = {}\n", crate::format::shortest(*v));
        out.extend(plain.into_iter().map(line));
        out.push_str(&self.arrays_script(true));
        out.extend(hiding.into_iter().map(line));
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
            Setting::Formulas(m) => self.settings.formulas = m,
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
            ("formulas".into(), self.settings.formulas.as_str().into()),
        ]
    }
}
