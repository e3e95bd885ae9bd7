//! What a session has defined, as an evaluation sees it: variables and user
//! functions.

use crate::syntax::Expr;
use std::collections::BTreeMap;

/// A user function: `name(params) = body`.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Parameter names in order.
    pub params: Vec<String>,
    /// The body.
    pub body: Expr,
}

/// The definitions an evaluation can see.
#[derive(Clone, Debug, Default)]
pub struct Defs {
    /// Variables and their values.
    pub vars: BTreeMap<String, f64>,
    /// User functions.
    pub funcs: BTreeMap<String, Function>,
}

impl Defs {
    /// The number a name stands for outside any parameter or point: a
    /// defined variable, else a built-in constant (a definition shadows the
    /// constant of its name).
    pub fn value(&self, name: &str) -> Option<f64> {
        self.vars
            .get(name)
            .copied()
            .or_else(|| crate::builtins::constant(name))
    }
}
