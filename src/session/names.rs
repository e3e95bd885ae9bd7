//! Names that must not silently change meaning: a function's name used as a
//! value, a definition that shadows a constant, and deleting or redefining
//! a name that other definitions still use.

use super::Session;
use crate::builtins;
use crate::error::{Error, ErrorKind, Warning};
use crate::syntax::{Expr, ExprKind, Ident, walk};

impl Session {
    /// A function's name is never a variable: `sin^2` or `f^2` (after
    /// `f(x) = …`) is refused with what was most likely meant, `sin(x)^2`.
    pub(super) fn refuse_function_values(&self, expr: &Expr) -> Result<(), Error> {
        let mut found: Option<(String, crate::syntax::Span)> = None;
        walk(expr, &mut |e| {
            if found.is_none()
                && let ExprKind::Name(n) = &e.kind
                && self.is_function_name(n)
            {
                found = Some((n.clone(), e.span));
            }
        });
        let Some((name, span)) = found else {
            return Ok(());
        };
        let call = self.call_text(&name);
        let mut meant = expr.clone();
        rename_all(&mut meant, &name, &call);
        let what = if is_builtin_function(&name) {
            "a built-in function"
        } else {
            "a function"
        };
        Err(Error::new(
            ErrorKind::Name,
            format!("`{name}` is {what}, not a variable: a function needs its argument"),
        )
        .at(span)
        .help(format!("did you mean `{meant}`?")))
    }

    /// Notation from elsewhere that parses but means something else here
    /// (`d/dx(x^2)`), unless the session gave it a meaning.
    pub(super) fn notations(&self, expr: &Expr) -> Result<(), Error> {
        if self.defs.vars.contains_key("d") {
            return Ok(());
        }
        crate::syntax::notations::leibniz(expr)
    }

    /// `y = x^2` with `x` unknown: the user most likely meant a function.
    pub(super) fn unknown_in_assignment(&self, name: &Ident, value: &Expr) -> Result<(), Error> {
        let unknown: Vec<String> = crate::syntax::names_in(value)
            .into_iter()
            .filter(|n| {
                !self.defs.vars.contains_key(n)
                    && builtins::constant(n).is_none()
                    && !self.is_function_name(n)
                    && crate::syntax::notations::did_you_mean(n, false).is_none()
            })
            .collect();
        let Some(first) = unknown.first() else {
            return Ok(());
        };
        let at = crate::syntax::name_span(value, first).unwrap_or(value.span);
        Err(Error::new(ErrorKind::Name, format!("unknown name `{first}`"))
            .at(at)
            .help(format!(
                "`{0} = …` stores a number now; to define a function of {1}, write `{0}({1}) = {2}` (or give {3} a value first: `{3} = …`)",
                name.name,
                unknown.join(", "),
                value,
                first
            )))
    }

    /// True when `n`, as a plain name, can only mean a function.
    fn is_function_name(&self, n: &str) -> bool {
        !self.defs.vars.contains_key(n)
            && !self.arrays.contains_key(n)
            && builtins::constant(n).is_none()
            && (self.defs.funcs.contains_key(n) || is_builtin_function(n))
    }

    /// A function over arrays named as a value (`sum + 1`), refused as a
    /// built-in's name is: it can only mean the function.
    pub(super) fn refuse_array_function_values(&self, expr: &Expr) -> Result<(), Error> {
        let mut found = None;
        walk(expr, &mut |e| {
            if found.is_none()
                && let ExprKind::Name(n) = &e.kind
                && builtins::lookup(n).is_none()
                && self.is_function_name(n)
                && let Some(f) = crate::engine::array::functions::lookup(n)
            {
                found = Some(
                    Error::new(
                        ErrorKind::Name,
                        format!("`{n}` is a built-in function: call it as `{}`", f.syntax),
                    )
                    .at(e.span),
                );
            }
        });
        found.map_or(Ok(()), Err)
    }

    /// `f(x, y)` for a user function, `sin(x)` or `atan2(y, x)` for a built-in.
    fn call_text(&self, name: &str) -> String {
        if let Some(f) = self.defs.funcs.get(name) {
            return format!("{name}({})", f.params.join(", "));
        }
        if let (None, Some(f)) = (
            builtins::lookup(name),
            crate::engine::array::functions::lookup(name),
        ) {
            return f.syntax.split(", ").next().unwrap_or(f.syntax).to_string();
        }
        match builtins::lookup(name) {
            Some(b) if b.min_args == 1 => format!("{name}(x)"),
            Some(b) => b
                .syntax
                .split(" or ")
                .next()
                .unwrap_or(b.syntax)
                .to_string(),
            None => name.to_string(),
        }
    }

    /// Advice when a positional point has more values than the expression
    /// has free variables: the defined names it uses are constants unless
    /// named, so say which, and write the named point that binds them.
    pub(super) fn name_the_point(&self, names: &[String], values: &[Expr]) -> String {
        let defined: Vec<&String> = names
            .iter()
            .filter(|n| {
                self.defs.vars.contains_key(*n)
                    || self.arrays.contains_key(*n)
                    || builtins::constant(n).is_some()
            })
            .collect();
        let Some(first) = defined.first() else {
            return "defined variables and constants are not variables of the expression; \
                    name the point to bind them (`at e=1.5`)"
                .into();
        };
        let value = |n: &str| {
            if let Some(a) = self.arrays.get(n) {
                return format!("an array of shape {}", crate::num::shape_text(a.shape()));
            }
            self.defs
                .value(n)
                .map_or_else(String::new, crate::format::shortest)
        };
        let order: Vec<&String> = names.iter().filter(|n| !self.is_function_name(n)).collect();
        let named = if order.len() == values.len() {
            let pairs: Vec<String> = order
                .iter()
                .zip(values)
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            format!("`at {}`", pairs.join(", "))
        } else {
            format!("`at …, {first}=…`")
        };
        let value = value(first);
        let value = if self.arrays.contains_key(*first) {
            value
        } else {
            format!("{first} = {value}")
        };
        format!(
            "`{first}` is defined ({value}), so here it is a constant; to vary it too, name it in the point: {named}"
        )
    }

    /// A warning, once per name and session, when a definition of `name`
    /// hides the constant of that name.
    pub(super) fn shadow_warning(&mut self, name: &str, function: bool) -> Vec<Warning> {
        let Some(v) = builtins::constant(name) else {
            return Vec::new();
        };
        if !self.warned.insert(name.to_string()) {
            return Vec::new();
        }
        let message = if function {
            format!(
                "`{name}` is also the constant {name} = {}; as a plain name `{name}` still means the constant",
                crate::format::shortest(v)
            )
        } else {
            format!(
                "`{name}` now hides the constant {name} = {} (until `:del {name}`)",
                crate::format::shortest(v)
            )
        };
        vec![Warning {
            message,
            span: None,
        }]
    }

    /// The functions that use any of `names` (as a value or as a call),
    /// directly or through other functions, and are not in `names`
    /// themselves; in definition order.
    pub(super) fn dependents(&self, names: &[String]) -> Vec<String> {
        let mut gone: Vec<String> = names.to_vec();
        let mut out = Vec::new();
        loop {
            let before = out.len();
            for (f, def) in &self.defs.funcs {
                if gone.contains(f) {
                    continue;
                }
                let mut uses = false;
                walk(&def.body, &mut |e| match &e.kind {
                    ExprKind::Name(n) if gone.contains(n) && !def.params.contains(n) => uses = true,
                    ExprKind::Call { func, .. } if gone.contains(&func.name) => uses = true,
                    _ => {}
                });
                if uses {
                    gone.push(f.clone());
                    out.push(f.clone());
                }
            }
            if out.len() == before {
                return out;
            }
        }
    }

    /// Refuses to delete or change the kind of `names` while other
    /// definitions use them: they would no longer load or mean the same.
    pub(super) fn refuse_if_used(&self, names: &[String], doing: &str) -> Result<(), Error> {
        // `doing` reads "delete", or "redefine as a function": the names go
        // after its first word.
        let users = self.dependents(names);
        if users.is_empty() {
            return Ok(());
        }
        let list = |v: &[String]| {
            v.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let all: Vec<String> = names.iter().chain(&users).cloned().collect();
        Err(Error::new(
            ErrorKind::Definition,
            format!(
                "cannot {} {}{}: {} {} it",
                doing.split(' ').next().unwrap_or(doing),
                list(names),
                doing
                    .split_once(' ')
                    .map_or(String::new(), |(_, r)| format!(" {r}")),
                list(&users),
                if users.len() == 1 { "uses" } else { "use" }
            ),
        )
        .help(format!(
            "delete them together with `:del {}`, or redefine {} first",
            all.join(" "),
            list(&users)
        )))
    }
}

/// Runs `script` in a fresh session and compares what it defines with
/// `defs`: `:save` writes nothing that `:load` cannot read back the same.
pub(super) fn reads_back(
    script: &str,
    defs: &crate::engine::eval::Defs,
    arrays: &std::collections::BTreeMap<String, crate::num::Array>,
) -> Result<(), String> {
    let mut fresh = Session::new();
    for r in fresh.run_source(script.as_bytes()) {
        if let Err(e) = r.result {
            return Err(format!("line {}: {}", r.line, e.message));
        }
    }
    let kept = |d: &crate::engine::eval::Defs| {
        d.vars
            .iter()
            .filter(|(k, _)| *k != ANS)
            .map(|(k, v)| (k.clone(), *v))
            .collect::<Vec<_>>()
    };
    let (got, want) = (kept(&fresh.defs), kept(defs));
    let same_vars = got.len() == want.len()
        && got
            .iter()
            .zip(&want)
            .all(|((k1, v1), (k2, v2))| k1 == k2 && (v1 == v2 || (v1.is_nan() && v2.is_nan())));
    let same_funcs = fresh.defs.funcs.len() == defs.funcs.len()
        && fresh
            .defs
            .funcs
            .iter()
            .zip(&defs.funcs)
            .all(|((k1, f1), (k2, f2))| {
                k1 == k2 && f1.params == f2.params && f1.body.to_string() == f2.body.to_string()
            });
    // Arrays too: a `:data` line reads its file again.
    let same = |a: &crate::num::Array, b: &crate::num::Array| {
        a.shape() == b.shape()
            && a.data()
                .iter()
                .zip(b.data())
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    };
    let differs = fresh.arrays.keys().chain(arrays.keys()).find(|k| {
        match (fresh.arrays.get(*k), arrays.get(*k)) {
            (Some(a), Some(b)) => !same(a, b),
            _ => true,
        }
    });
    if let Some(k) = differs {
        return Err(format!("`{k}` would not read back as the same array"));
    }
    if same_vars && same_funcs {
        Ok(())
    } else {
        Err("the definitions differ".into())
    }
}

/// Replaces every plain name `from` in `e` by the text `to` (a name node
/// prints its text as is); iterative, like [`walk`].
pub(super) fn rename_all(e: &mut Expr, from: &str, to: &str) {
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match &mut x.kind {
            ExprKind::Name(n) if n == from => *n = to.to_string(),
            ExprKind::Unary(_, a) => stack.push(a),
            ExprKind::Binary { lhs, rhs, .. } => {
                stack.push(rhs);
                stack.push(lhs);
            }
            ExprKind::Call { args, .. } | ExprKind::Array(args) => stack.extend(args.iter_mut()),
            ExprKind::Index { base, indices } => {
                stack.extend(indices.iter_mut().flat_map(|s| s.exprs_mut()));
                stack.push(base);
            }
            _ => {}
        }
    }
}

/// The name of the last value computed.
pub(super) const ANS: &str = "ans";

impl Session {
    /// Keeps the value of `out`, if it has one, as `ans`.
    pub(super) fn remember(&mut self, out: &crate::outcome::Outcome) {
        use crate::outcome::{Defined, Outcome};
        let v = match out {
            Outcome::Value { value, .. } => *value,
            Outcome::Defined {
                what: Defined::Variable { value, .. },
                ..
            } => *value,
            Outcome::Derivatives(d) => d.value,
            _ => return,
        };
        self.ans = Some(v);
    }
}

/// True for the name of a built-in function, over numbers (`sin`) or over
/// arrays (`sum`): such a name is never defined by the user.
pub(super) fn is_builtin_function(name: &str) -> bool {
    builtins::lookup(name).is_some() || crate::engine::array::functions::lookup(name).is_some()
}
