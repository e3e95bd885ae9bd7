//! What people type from other notations (textbooks, Wolfram Alpha, Python,
//! calculators), and what deriv should answer: the spelling it reads.
//!
//! `π`, `²` and `³` are read as `pi`, `^2` and `^3` by the grammar; the
//! rest (`√x`, `|x|`, `÷`, `∞`, `′`, `arcsin`, `Sin`, `PI`, `d/dx`,
//! `diff(…)`) get an error whose help writes the line as deriv reads it.

use super::ast::{BinOp, Expr, ExprKind};
use super::commands::COMMANDS;
use crate::builtins;
use crate::error::Error;
use crate::span::Span;

/// The help for a character that starts no token, given the line and where
/// the character is.
pub fn character_help(line: &str, at: Span) -> Option<String> {
    let c = line[at.start..].chars().next()?;
    let rest = &line[at.end..];
    Some(match c {
        '√' | '∛' => {
            let f = if c == '√' { "sqrt" } else { "cbrt" };
            match operand(rest) {
                Some(x) => format!("write `{f}({})` for the root", strip_group(x)),
                None => format!("write `{f}(x)` for the root"),
            }
        }
        '|' => match rest.find('|') {
            Some(k) if !rest[..k].trim().is_empty() => {
                format!("write `abs({})` for the absolute value", rest[..k].trim())
            }
            _ => "write `abs(x)` for the absolute value |x|".into(),
        },
        '÷' | '∶' => "write `/` for a division".into(),
        '∞' => "write `inf` for infinity".into(),
        '′' | '’' | 'ʹ' => "write `'` (the ASCII apostrophe) for a derivative: `f'(x)`".into(),
        '″' => "write `''` (two ASCII apostrophes) for a second derivative: `f''(x)`".into(),
        '×' | '·' | '∙' | '⋅' => "write `*` for a product".into(),
        '−' | '–' => "write `-` (the ASCII minus)".into(),
        '²' | '³' => {
            "a power is `^`: `x^2` (a single `²` or `³` after a factor is read as one)".into()
        }
        '¹' | '⁴' | '⁵' | '⁶' | '⁷' | '⁸' | '⁹' | '⁰' | '⁻' => {
            "write a power with `^`, e.g. `x^4`".into()
        }
        'τ' => "write `tau` for τ = 2π".into(),
        '≤' | '≥' | '≠' | '<' | '>' => {
            "deriv has no comparisons; `:help` lists what it reads".into()
        }
        '.' => return method_help(&line[..at.start], rest),
        c if c.is_alphabetic() && !c.is_ascii() => {
            "names use only ASCII letters, digits and `_`".into()
        }
        _ => return None,
    })
}

/// NumPy's attributes and module prefixes (`A.T`, `x.shape`, `np.sum`):
/// deriv spells them as functions.
fn method_help(before: &str, rest: &str) -> Option<String> {
    let word = |t: &str| {
        t.len()
            - t.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
                .len()
    };
    let name_len = word(rest);
    let attr = &rest[..name_len];
    let base_len = before.len()
        - before
            .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
            .len();
    let base = &before[before.len() - base_len..];
    let shown = if base.is_empty() { "…" } else { base };
    if ["np", "numpy", "jnp", "torch", "math"].contains(&base) && !attr.is_empty() {
        return Some(module_help(base, attr, &rest[name_len..]));
    }
    match attr {
        "T" => Some(format!(
            "write `transpose({shown})` for NumPy's `{shown}.T`"
        )),
        "shape" | "sum" | "mean" | "max" | "min" | "prod" | "dot" | "transpose" => Some(format!(
            "write `{attr}({shown})`: deriv has functions, not methods"
        )),
        _ => None,
    }
}

/// `np.ATTR…`: the function deriv has by that name, the literal for a
/// constructor (`np.array`, `torch.tensor`), or the list of functions.
fn module_help(base: &str, attr: &str, after: &str) -> String {
    // `np.linalg.norm`: the function is the last word.
    let sub = after
        .strip_prefix('.')
        .map(|t| {
            &t[..t.len()
                - t.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    .len()]
        })
        .filter(|t| !t.is_empty() && ["linalg", "random", "special", "nn"].contains(&attr));
    let name = sub.unwrap_or(attr);
    let prefix = match sub {
        Some(_) => format!("{base}.{attr}."),
        None => format!("{base}."),
    };
    let known = crate::builtins::lookup(name).is_some()
        || crate::builtins::constant(name).is_some()
        || crate::builtins::arrays::lookup(name).is_some();
    if known {
        let (call, what) = if crate::builtins::constant(name).is_some() {
            (name.to_string(), "constants")
        } else {
            (format!("{name}(…)"), "functions")
        };
        format!("write `{call}`: deriv's {what} need no `{prefix}`")
    } else if ["array", "tensor", "asarray", "as_tensor", "from_numpy"].contains(&name) {
        "an array is written as it prints: `[1, 2, 3]`, `[[0, 0], [1, 2]]`".into()
    } else {
        format!(
            "deriv has no `{prefix}{name}`; `:help arrays` lists the functions over arrays, `:help functions` the others"
        )
    }
}

/// The operand right after a prefix sign: a parenthesised group, a name
/// (with a call), or a number.
fn operand(rest: &str) -> Option<&str> {
    let t = rest.trim_start();
    let b = t.as_bytes();
    if b.first() == Some(&b'(') {
        let mut depth = 0usize;
        for (i, c) in t.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(&t[..=i]);
                    }
                }
                _ => {}
            }
        }
        return None;
    }
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(t.len());
    if end == 0 {
        return None;
    }
    if t[end..].starts_with('(') {
        return operand(&t[end..]).map(|g| &t[..end + g.len()]);
    }
    Some(&t[..end])
}

/// `(x+1)` → `x+1`: the parentheses of a call are the group's.
fn strip_group(x: &str) -> &str {
    match x.strip_prefix('(').and_then(|y| y.strip_suffix(')')) {
        Some(inner) if operand(x).is_some_and(|o| o.len() == x.len()) => inner,
        _ => x,
    }
}

/// Names people reach for, and what deriv calls them.
const ALIASES: &[(&str, &str)] = &[
    ("arcsin", "asin"),
    ("arccos", "acos"),
    ("arctan", "atan"),
    ("arctan2", "atan2"),
    ("arcsinh", "asinh"),
    ("arccosh", "acosh"),
    ("arctanh", "atanh"),
    ("arsinh", "asinh"),
    ("arcosh", "acosh"),
    ("artanh", "atanh"),
    ("lg", "log10"),
    ("sgn", "sign"),
    ("signum", "sign"),
    ("fabs", "abs"),
    ("ceiling", "ceil"),
    ("tgamma", "gamma"),
    ("fmod", "mod"),
    ("logistic", "sigmoid"),
    ("infinity", "inf"),
    ("Infinity", "inf"),
    ("Inf", "inf"),
    ("NaN", "nan"),
    ("E", "e"),
];

/// Commands people write as functions (Wolfram, SymPy, MATLAB).
const AS_COMMANDS: &[(&str, &str)] = &[
    ("diff", "diff"),
    ("D", "diff"),
    ("d", "diff"),
    ("derivative", "diff"),
    ("deriv", "diff"),
    ("grad", "grad"),
    ("gradient", "grad"),
    ("hessian", "hess"),
    ("hess", "hess"),
    ("jacobian", "jac"),
    ("taylor", "taylor"),
    ("series", "taylor"),
    ("limit", "limit"),
    ("minimize", "min"),
    ("plot", "plot"),
];

/// "did you mean" for an unknown name or function: an alias, a different
/// capitalisation, or a built-in one edit away.
pub fn did_you_mean(name: &str, call: bool) -> Option<String> {
    if let Some((_, to)) = ALIASES.iter().find(|(from, _)| *from == name) {
        return Some((*to).to_string());
    }
    let lower = name.to_ascii_lowercase();
    let known = |n: &str| {
        if call {
            builtins::lookup(n).is_some()
        } else {
            builtins::constant(n).is_some()
        }
    };
    if lower != name && known(&lower) {
        return Some(lower);
    }
    if call && name.len() >= 3 {
        return builtins::BUILTINS
            .iter()
            .map(|b| b.name)
            .find(|b| edit_distance(name, b) == 1)
            .map(str::to_string);
    }
    None
}

/// The help for a call of an unknown function `name` with `args`: a
/// command written as a function (`diff(x^2, x)`), or a built-in's name.
pub fn unknown_function_help(name: &str, args: &[Expr]) -> Option<String> {
    if let Some((_, cmd)) = AS_COMMANDS.iter().find(|(f, _)| *f == name) {
        let expr = args.first().map_or("EXPR".to_string(), Expr::to_string);
        let wrt = match args.get(1).map(|a| &a.kind) {
            Some(ExprKind::Name(v)) => Some(v.clone()),
            _ => None,
        };
        let line = match (cmd, &wrt) {
            (&"diff", Some(v)) => format!(":diff {expr} wrt {v} at {v}=…"),
            (&"min", _) => format!(":min {expr} from …"),
            (&"plot", _) => format!(":plot {expr} on A..B"),
            _ => format!(":{cmd} {expr} at …"),
        };
        let sym = if has_command("sym") && *cmd == "diff" {
            format!(", or `:sym {expr}` for the formula")
        } else {
            String::new()
        };
        return Some(format!(
            "derivatives are commands, not functions: write `{line}`{sym}"
        ));
    }
    did_you_mean(name, true).map(|b| format!("did you mean `{b}`?"))
}

fn has_command(name: &str) -> bool {
    COMMANDS.iter().any(|c| c.name == name)
}

/// Refuses `d/dx(…)`, which parses as `d` divided by a call of `dx`: the
/// help writes the command that takes the derivative.
pub fn leibniz(e: &Expr) -> Result<(), Error> {
    let mut found = None;
    super::walk(e, &mut |x| {
        if found.is_some() {
            return;
        }
        if let ExprKind::Binary {
            op: BinOp::Div,
            lhs,
            rhs,
            ..
        } = &x.kind
            && matches!(&lhs.kind, ExprKind::Name(d) if d == "d")
        {
            let (var, body) = match &rhs.kind {
                ExprKind::Call {
                    func,
                    args,
                    primes: 0,
                } if args.len() == 1 => (func.name.strip_prefix('d'), Some(&args[0])),
                ExprKind::Name(n) => (n.strip_prefix('d'), None),
                _ => (None, None),
            };
            if let Some(v) = var.filter(|v| !v.is_empty()) {
                found = Some((x.span, v.to_string(), body.map(Expr::to_string)));
            }
        }
    });
    let Some((span, v, body)) = found else {
        return Ok(());
    };
    let body = body.unwrap_or_else(|| "EXPR".into());
    let sym = if has_command("sym") {
        format!(", `:sym {body} wrt {v}` for the formula")
    } else {
        String::new()
    };
    Err(Error::parse(
        format!("`d/d{v}` is not notation deriv reads: here it is `d` divided by `d{v}`"),
        span,
    )
    .help(format!(
        "for the derivative write `:diff {body} wrt {v} at {v}=…`{sym}"
    )))
}

/// Edit distance with adjacent transpositions (optimal string alignment), so
/// that `gard` is one edit from `grad`.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = if i == 0 {
                j
            } else if j == 0 {
                i
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[(i - 1) * w + j] + 1)
                    .min(d[i * w + j - 1] + 1)
                    .min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[(i - 2) * w + j - 2] + 1);
                }
                v
            };
        }
    }
    d[a.len() * w + b.len()]
}
