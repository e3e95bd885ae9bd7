//! What running a statement produces: plain data, rendered by the binary.

use crate::check::CheckReport;
use crate::error::{Error, Warning};

/// Which derivative command produced a [`Derivatives`] result (the `kind` key
/// of `--json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DerivKind {
    /// `EXPR at POINT`: value, gradient, Hessian and check.
    Report,
    /// `:grad`
    Grad,
    /// `:diff`
    Diff,
    /// `:hess`
    Hess,
    /// `:check`: the full per-entry table.
    Check,
}

impl DerivKind {
    /// The name used in `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            DerivKind::Report => "report",
            DerivKind::Grad => "grad",
            DerivKind::Diff => "diff",
            DerivKind::Hess => "hess",
            DerivKind::Check => "check",
        }
    }
}

/// Derivatives of one expression at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct Derivatives {
    /// Which command.
    pub kind: DerivKind,
    /// The expression, as it parses back.
    pub expr: String,
    /// The variables, in the order of `point`, `gradient` and the Hessian's rows.
    pub vars: Vec<String>,
    /// The point.
    pub point: Vec<f64>,
    /// The value there.
    pub value: f64,
    /// ∂f/∂vars, when computed.
    pub gradient: Option<Vec<f64>>,
    /// The Hessian's rows, when computed.
    pub hessian: Option<Vec<Vec<f64>>>,
    /// `:diff`: the variable differentiated with respect to.
    pub wrt: Option<String>,
    /// `:diff`: the first derivative.
    pub derivative: Option<f64>,
    /// `:diff`: the second derivative.
    pub second: Option<f64>,
    /// The finite-difference check, unless turned off.
    pub check: Option<CheckReport>,
    /// Warnings (non-differentiable points, domain errors).
    pub warnings: Vec<Warning>,
}

/// What a definition defined.
#[derive(Clone, Debug, PartialEq)]
pub enum Defined {
    /// `name = value`
    Variable {
        /// Name.
        name: String,
        /// Its value, computed now.
        value: f64,
    },
    /// `name(params) = body`
    Function {
        /// Name.
        name: String,
        /// Parameters.
        params: Vec<String>,
        /// The body as it parses back.
        body: String,
    },
}

/// One line of a script and what it gave.
#[derive(Clone, Debug, PartialEq)]
pub struct LineResult {
    /// 1-based line number.
    pub line: usize,
    /// The text of the line (lossy if it was not UTF-8).
    pub input: String,
    /// What it gave.
    pub result: Result<Outcome, Error>,
}

/// What one statement produced.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A blank or comment line: nothing to show.
    Empty,
    /// `EXPR`: its value.
    Value {
        /// The value.
        value: f64,
        /// Warnings (domain errors).
        warnings: Vec<Warning>,
    },
    /// A definition was made; `replaced` when it replaced one of the same name.
    Defined {
        /// What.
        what: Defined,
        /// It replaced an earlier definition.
        replaced: bool,
    },
    /// A derivative command or a report.
    Derivatives(Box<Derivatives>),
    /// `:vars`: name and value, sorted by name.
    Vars(Vec<(String, f64)>),
    /// `:funcs`: each function.
    Funcs(Vec<Defined>),
    /// `:del`: the names deleted.
    Deleted(Vec<String>),
    /// `:clear`: how many definitions were removed.
    Cleared(usize),
    /// `:set` alone: each setting and its value.
    Settings(Vec<(String, String)>),
    /// `:set NAME VALUE`: the new value.
    Set {
        /// The setting.
        name: String,
        /// Its value now.
        value: String,
    },
    /// `:load`: each line of the file and what it gave.
    Loaded {
        /// The file.
        path: String,
        /// Each non-empty line's result.
        results: Vec<LineResult>,
    },
    /// `:save`: how many definitions were written.
    Saved {
        /// The file.
        path: String,
        /// Definitions written.
        count: usize,
    },
    /// `:help`: the text.
    Help(String),
    /// `:quit`
    Quit,
}

impl Outcome {
    /// The `kind` key of `--json`.
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Empty => "empty",
            Outcome::Value { .. } => "value",
            Outcome::Defined { .. } => "define",
            Outcome::Derivatives(d) => d.kind.as_str(),
            Outcome::Vars(_) => "vars",
            Outcome::Funcs(_) => "funcs",
            Outcome::Deleted(_) => "del",
            Outcome::Cleared(_) => "clear",
            Outcome::Settings(_) | Outcome::Set { .. } => "set",
            Outcome::Loaded { .. } => "load",
            Outcome::Saved { .. } => "save",
            Outcome::Help(_) => "help",
            Outcome::Quit => "quit",
        }
    }

    /// True when this outcome, or a line inside it (`:load`), failed.
    pub fn has_error(&self) -> bool {
        match self {
            Outcome::Loaded { results, .. } => results.iter().any(|r| match &r.result {
                Ok(o) => o.has_error(),
                Err(_) => true,
            }),
            _ => false,
        }
    }
}
