//! Text and JSON for the formula commands `:sym` and `:steps`.

use super::{Obj, Style, arr, str_arr, warnings_json};
use crate::check::Verdict;
use crate::format;
use crate::outcome::{Derivation, Derivatives, Formula, Formulas};
use serde_json::Value;

/// `d/dx`, `∂g/∂x1`, `∂²/∂x∂y`, `d²/dx²`: the derivative's name, with the
/// function's name in it when it has one.
fn label(name: Option<&str>, wrt: &[String], partial: bool) -> String {
    let f = name.unwrap_or("");
    let d = if partial { "∂" } else { "d" };
    match wrt {
        [x] => format!("{d}{f}/{d}{x}"),
        [x, y] if x == y => format!("{d}²{f}/{d}{x}²"),
        [x, y] => format!("{d}²{f}/{d}{x}{d}{y}"),
        _ => String::new(),
    }
}

fn latex_label(name: Option<&str>, wrt: &[String], partial: bool) -> String {
    let f = name.map(|n| format!(" {n}")).unwrap_or_default();
    let d = if partial { "\\partial" } else { "d" };
    let var = |x: &str| {
        let head = x.trim_end_matches(|c: char| c.is_ascii_digit());
        if head.len() < x.len() && head.chars().count() == 1 {
            format!("{head}_{{{}}}", &x[head.len()..])
        } else {
            x.to_string()
        }
    };
    match wrt {
        [x] => format!("\\frac{{{d}{f}}}{{{d} {}}}", var(x)),
        [x, y] if x == y => format!("\\frac{{{d}^{{2}}{f}}}{{{d} {}^{{2}}}}", var(x)),
        [x, y] => format!(
            "\\frac{{{d}^{{2}}{f}}}{{{d} {} \\, {d} {}}}",
            var(x),
            var(y)
        ),
        _ => String::new(),
    }
}

/// The function after `d/dx`, in parentheses unless it is a name or a call.
fn operand(e: &str) -> String {
    let simple = e.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !e.starts_with(|c: char| c.is_ascii_digit());
    let call = e.ends_with(')')
        && e.find('(').is_some_and(|i| {
            i > 0
                && e[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && balanced_once(&e[i..])
        });
    if simple || call {
        e.to_string()
    } else {
        format!("({e})")
    }
}

/// Whether `s` is one parenthesised group: `(…)` closing only at its end.
fn balanced_once(s: &str) -> bool {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && i + 1 < s.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// `:sym`.
pub fn formulas(f: &Formulas, st: Style) -> String {
    let mut lines = Vec::new();
    // Several derivatives of an unnamed expression: name it once as f.
    let name = match (&f.name, f.derivatives.len()) {
        (Some(n), _) => Some(n.as_str()),
        (None, 1) => None,
        (None, _) => {
            lines.push(format!("f = {}", f.expr));
            Some("f")
        }
    };
    for d in &f.derivatives {
        let l = label(name, &d.wrt, f.partial);
        let lhs = if name.is_some() {
            l
        } else {
            format!("{l} {}", operand(&f.expr))
        };
        lines.push(format!("{lhs} = {}", st.bold(&d.formula)));
        if f.latex {
            let ll = latex_label(name, &d.wrt, f.partial);
            let lhs = if name.is_some() {
                ll
            } else {
                format!("{ll} \\left({}\\right)", f.expr_latex)
            };
            lines.push(st.dim(&format!("  LaTeX: {lhs} = {}", d.latex)));
        }
    }
    if let Some(p) = &f.point {
        lines.push(agreement(f, name, p, st));
    }
    for n in &f.notes {
        lines.push(format!("{} {n}", st.warn("note:")));
    }
    for w in &f.warnings {
        lines.push(format!("{} {}", st.warn("warning:"), w.message));
    }
    lines.join("\n")
}

fn agreement(f: &Formulas, name: Option<&str>, point: &[f64], st: Style) -> String {
    let at = f
        .vars
        .iter()
        .zip(point)
        .map(|(k, v)| format!("{k} = {}", st.num(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut rows: Vec<Vec<String>> = vec![vec![
        String::new(),
        "formula".into(),
        "dual numbers".into(),
        "finite difference".into(),
        "check".into(),
    ]];
    let mut bad = Vec::new();
    for d in &f.derivatives {
        let Some(a) = &d.at else { continue };
        let l = label(name, &d.wrt, f.partial);
        let fd = if a.fd.is_finite() && a.fd_err.is_finite() {
            format!("{} ± {}", st.num(a.fd), format::significant(a.fd_err, 2))
        } else {
            st.num(a.fd)
        };
        rows.push(vec![
            l.clone(),
            st.num(a.formula),
            st.num(a.dual),
            fd,
            a.verdict.label().to_string(),
        ]);
        if !a.agree {
            bad.push(format!(
                "{l}: the formula gives {} but the dual numbers give {}",
                st.num(a.formula),
                st.num(a.dual)
            ));
        }
    }
    let mut s = format!("at {at}:\n{}", table(&rows, st));
    if bad.is_empty() {
        let fd_ok = f
            .derivatives
            .iter()
            .filter_map(|d| d.at.as_ref())
            .all(|a| a.verdict == Verdict::Pass);
        let tail = if fd_ok {
            "the formula, the dual numbers and the finite differences agree"
        } else {
            "the formula and the dual numbers agree; see the check column for the finite differences"
        };
        s.push_str(&format!("\n{}", st.good(tail)));
    } else {
        for b in bad {
            s.push_str(&format!(
                "\n{} {b}: this is a bug in deriv, please report it",
                st.bad("DISAGREEMENT:")
            ));
        }
    }
    s
}

/// Columns: the first left-aligned, the rest left-aligned too (numbers of
/// different lengths read better from their first digit here).
fn table(rows: &[Vec<String>], st: Style) -> String {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let w = super::column_widths(rows, ncol);
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let mut line = String::from("  ");
            for (k, cell) in r.iter().enumerate() {
                let pad = " ".repeat(w[k] - cell.chars().count());
                let text = if i == 0 { st.dim(cell) } else { cell.clone() };
                line.push_str(&format!("{text}{pad}  "));
            }
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `:steps`.
pub fn derivation(d: &Derivation, st: Style) -> String {
    let mut lines = Vec::new();
    for s in &d.steps {
        let indent = "  ".repeat(s.depth);
        let rule = st.dim(&format!("[{}]", s.rule));
        lines.push(format!("{indent}{}  {rule}", s.text));
    }
    if let Some(last) = lines.last_mut() {
        *last = format!("= {}", st.bold(&d.formula));
    }
    for n in &d.notes {
        lines.push(format!("{} {n}", st.warn("note:")));
    }
    lines.join("\n")
}

fn formula_json(d: &Formula) -> Value {
    let mut o = Obj::new()
        .put("wrt", str_arr(&d.wrt))
        .str("formula", &d.formula)
        .str("latex", &d.latex)
        .put("tokens", d.tokens);
    if let Some(a) = &d.at {
        o = o
            .num("value", a.formula)
            .num("dual", a.dual)
            .num("fd", a.fd)
            .num("fd_err", a.fd_err)
            .put("agree", a.agree)
            .str("verdict", &a.verdict.label().to_ascii_lowercase());
    }
    o.end()
}

/// `:sym` as JSON.
pub fn formulas_json(o: Obj, f: &Formulas, input: &str) -> Obj {
    let items: Vec<Value> = f.derivatives.iter().map(formula_json).collect();
    let mut o = o
        .str("expr", &f.expr)
        .str("expr_latex", &f.expr_latex)
        .put("vars", str_arr(&f.vars));
    if let Some(p) = &f.point {
        o = o.put("point", arr(p));
    }
    o = o.put("derivatives", items);
    if !f.notes.is_empty() {
        o = o.put("notes", str_arr(&f.notes));
    }
    warnings_json(o, &f.warnings, input)
}

/// `:steps` as JSON.
pub fn derivation_json(o: Obj, d: &Derivation) -> Obj {
    let steps: Vec<Value> = d
        .steps
        .iter()
        .map(|s| {
            Obj::new()
                .str("rule", &s.rule)
                .put("depth", s.depth)
                .str("text", &s.text)
                .end()
        })
        .collect();
    let mut o = o
        .str("expr", &d.expr)
        .str("wrt", &d.wrt)
        .put("steps", steps)
        .str("formula", &d.formula)
        .str("latex", &d.latex);
    if !d.notes.is_empty() {
        o = o.put("notes", str_arr(&d.notes));
    }
    o
}

/// `:diff`'s and `:grad`'s rows with each derivative's formula after its
/// number (`d/dx     8   = 6x + 2`), the numbers kept in their column.
pub(super) fn beside_rows(rows: &mut [(String, String)], d: &Derivatives, single: bool, st: Style) {
    if d.formulas.is_empty() {
        return;
    }
    let formula_of = |label: &str| {
        d.formulas.iter().find(|f| match f.wrt.as_slice() {
            [x] => super::d1(x, single) == label,
            [x, y] => super::d2(x, y, single) == label,
            _ => false,
        })
    };
    let width = rows
        .iter()
        .map(|(_, v)| v.chars().count())
        .max()
        .unwrap_or(0);
    for (label, value) in rows.iter_mut() {
        if let Some(f) = formula_of(label) {
            let pad = " ".repeat(width - value.chars().count());
            value.push_str(&format!("{pad}   {} {}", st.dim("="), f.formula));
        }
    }
}

/// `:diff`'s and `:grad`'s formulas in JSON: `formula` and
/// `second_formula` beside `derivative` and `second`, or `formulas` beside
/// `gradient` (a formula not shown is `null`).
pub(super) fn derivatives_json(mut o: Obj, d: &Derivatives) -> Obj {
    if d.formulas.is_empty() {
        return o;
    }
    let find = |wrt: &[String]| {
        d.formulas
            .iter()
            .find(|f| f.wrt == wrt)
            .map_or(Value::Null, |f| Value::from(f.formula.clone()))
    };
    if let Some(w) = &d.wrt {
        o = o
            .put("formula", find(std::slice::from_ref(w)))
            .put("second_formula", find(&[w.clone(), w.clone()]));
    } else if d.gradient.is_some() {
        let all: Vec<Value> = d
            .vars
            .iter()
            .map(|v| find(std::slice::from_ref(v)))
            .collect();
        o = o.put("formulas", all);
    }
    o
}
