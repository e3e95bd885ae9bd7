//! Definitions: variables, functions (checked when they are defined, so a
//! typo or a recursion is caught at once), deleting and clearing them.

use super::{Session, names};
use crate::builtins;
use crate::engine::eval::{self, Defs, Function};
use crate::error::{Error, ErrorKind, Warning};
use crate::outcome::{Defined, Outcome};
use crate::syntax::{Expr, ExprKind, Ident, name_span, walk};

impl Session {
    /// Refuses a name that no definition may take: `ans`, and the name of a
    /// built-in function (one over numbers or over arrays).
    pub(super) fn check_definable(&self, name: &Ident) -> Result<(), Error> {
        if name.name == names::ANS {
            return Err(Error::new(
                ErrorKind::Definition,
                "`ans` is the last value computed and cannot be defined",
            )
            .at(name.span)
            .help("choose another name; `a = ans` keeps the last value"));
        }
        if crate::syntax::RESERVED.contains(&name.name.as_str()) {
            return Err(Error::new(
                ErrorKind::Definition,
                format!(
                    "`{}` is a reserved word and cannot be used as a name",
                    name.name
                ),
            )
            .at(name.span));
        }
        if names::is_builtin_function(&name.name) {
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

    /// The one rule for a name that becomes a variable, whatever binds it
    /// (`x = …`, an array, `:data NAME = …`, a CSV header): refused where
    /// [`Session::check_definable`] refuses it or while other functions call
    /// a function of that name; a warning when it hides a constant.
    pub(super) fn variable_name(&mut self, name: &Ident) -> Result<Vec<Warning>, Error> {
        self.check_variable_name(name)?;
        Ok(self.shadow_warning(&name.name, false))
    }

    /// [`Session::variable_name`] without its warning.
    pub(super) fn check_variable_name(&self, name: &Ident) -> Result<(), Error> {
        self.check_definable(name)?;
        self.refuse_if_function_used(name)
    }

    pub(super) fn assign(&mut self, name: Ident, value: &Expr) -> Result<Outcome, Error> {
        self.check_definable(&name)?;
        self.notations(value)?;
        self.unknown_in_assignment(&name, value)?;
        self.refuse_array_function_values(value)?;
        let mut b = self.budget();
        let v = eval::value(&self.defs, value, &mut b)?;
        let warnings = self.variable_name(&name)?;
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

    pub(super) fn define(
        &mut self,
        name: Ident,
        params: Vec<Ident>,
        body: Expr,
    ) -> Result<Outcome, Error> {
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
            if err.is_none() {
                err = self.body_node(fname, params, e).err();
            }
        });
        err.map_or(Ok(()), Err)
    }

    /// One node of a function body, as [`Session::validate_body`] wants it.
    fn body_node(&self, fname: &str, params: &[String], e: &Expr) -> Result<(), Error> {
        match &e.kind {
            ExprKind::Name(n) if n == names::ANS && !params.contains(n) => Err(Error::new(
                ErrorKind::Name,
                "a function body cannot use `ans`: it changes with every result",
            )
            .at(e.span)
            .help("keep the value in a variable first: `a = ans`")),
            ExprKind::Name(n)
                if !params.contains(n)
                    && !self.defs.vars.contains_key(n)
                    && !self.arrays.contains_key(n)
                    && builtins::constant(n).is_none() =>
            {
                Err(self.unknown_in_body(fname, params, n).at(e.span))
            }
            ExprKind::FuncRef { name, .. } => Err(Error::new(
                ErrorKind::Name,
                format!("`{name}'` needs an argument here: write `{name}'(x)`"),
            )
            .at(e.span)),
            ExprKind::Call { func, args, primes } => {
                let (min, max) = self.arity_in_body(fname, params, func, args)?;
                builtins::check_arity(&func.name, min, max, args.len(), *primes as usize)
                    .map_err(|x| x.at(e.span))
            }
            _ => Ok(()),
        }
    }

    fn unknown_in_body(&self, fname: &str, params: &[String], n: &str) -> Error {
        let x = Error::new(
            ErrorKind::Name,
            format!(
                "unknown name `{n}` in the body of `{fname}`: not a parameter, a variable or a constant"
            ),
        );
        if self.defs.funcs.contains_key(n) || names::is_builtin_function(n) {
            x.help(format!("`{n}` is a function: call it with arguments"))
        } else {
            x.help(format!(
                "make it a parameter (`{fname}({}, {n}) = …`) or define it first (`{n} = …`)",
                params.join(", ")
            ))
        }
    }

    /// How many arguments the function a body calls takes: a built-in (its
    /// array form may take fewer), an array function, the function being
    /// defined, or one defined before.
    fn arity_in_body(
        &self,
        fname: &str,
        params: &[String],
        func: &Ident,
        args: &[Expr],
    ) -> Result<(usize, usize), Error> {
        let array_fn = crate::engine::array::functions::lookup(&func.name);
        if let Some(b) = builtins::lookup(&func.name) {
            let a = array_fn.map_or(b.min_args, |f| f.min_args);
            Ok((b.min_args.min(a), b.max_args))
        } else if let Some(f) = array_fn {
            Ok((f.min_args, f.max_args))
        } else if func.name == fname {
            Ok((params.len(), params.len()))
        } else if let Some(f) = self.defs.funcs.get(&func.name) {
            Ok((f.params.len(), f.params.len()))
        } else {
            let help = crate::syntax::notations::unknown_function_help(&func.name, args)
                .unwrap_or_else(|| "define it before the functions that call it".into());
            Err(Error::new(
                ErrorKind::Name,
                format!("unknown function `{}` in the body of `{fname}`", func.name),
            )
            .at(func.span)
            .help(help))
        }
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

    /// `:del NAME, …`: every name must be defined and unused by the
    /// definitions that stay.
    pub(super) fn delete(&mut self, names: Vec<Ident>) -> Result<Outcome, Error> {
        let listed: Vec<String> = names.iter().map(|n| n.name.clone()).collect();
        if let Err(e) = self.refuse_if_used(&listed, "delete") {
            return Err(match (names.first(), names.last()) {
                (Some(a), Some(b)) => e.at(a.span.to(b.span)),
                _ => e,
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

    /// `:clear`: forgets every definition.
    pub(super) fn clear(&mut self) -> Outcome {
        let n = self.defs.vars.keys().filter(|k| *k != names::ANS).count()
            + self.defs.funcs.len()
            + self.arrays.len();
        self.defs = Defs::default();
        self.arrays.clear();
        self.data_sources.clear();
        self.data_loads.clear();
        Outcome::Cleared(n)
    }

    /// `:funcs`: the functions defined.
    pub(super) fn funcs(&self) -> Outcome {
        Outcome::Funcs(
            self.defs
                .funcs
                .iter()
                .map(|(k, f)| describe(k, f))
                .collect(),
        )
    }
}

fn describe(name: &str, f: &Function) -> Defined {
    Defined::Function {
        name: name.to_string(),
        params: f.params.clone(),
        body: f.body.to_string(),
    }
}
