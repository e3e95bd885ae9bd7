//! Results over arrays as text (aligned, truncated with `…`, the shape
//! always shown) and as JSON (arrays as nested lists).

use super::{
    MATRIX_MAX_VARS, Obj, Style, arr, check_json, check_line, check_table, matrix, number,
    push_warnings, sparse_entries, str_arr, warnings_json,
};
use crate::check::{CheckReport, Verdict};
use crate::num::Array;
use crate::num::array::shape_text;
use crate::outcome::{
    ArrayDerivatives, ArrayJacobian, ArrayOutcome, CheckCoverage, DataLoaded, DerivKind,
};
use serde_json::Value;

/// Past this many entries along an axis, the middle is elided (`…`),
/// leaving [`EDGE`] entries at each end, as NumPy prints.
const MAX_SHOWN: usize = 10;
const EDGE: usize = 3;

/// The positions shown along an axis of length `n`; `None` marks the `…`.
fn shown(n: usize) -> Vec<Option<usize>> {
    if n <= MAX_SHOWN {
        (0..n).map(Some).collect()
    } else {
        (0..EDGE)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((n - EDGE..n).map(Some))
            .collect()
    }
}

/// An array as aligned text, continuation lines indented by `indent`
/// columns, followed by its shape.
pub fn array(a: &Array, indent: usize, st: Style) -> String {
    if a.is_scalar() {
        return st.num(a.data()[0]);
    }
    let rows = a.rows();
    let matrix = a.shape().len() == 2;
    let cols = a.shape().last().copied().unwrap_or(0);
    let row_pos = shown(rows.len());
    let col_pos = shown(cols);
    let cell = |r: &[f64], j: Option<usize>| j.map_or_else(|| "…".to_string(), |j| st.num(r[j]));
    let width: Vec<usize> = col_pos
        .iter()
        .map(|j| {
            row_pos
                .iter()
                .flatten()
                .map(|i| cell(rows[*i], *j).chars().count())
                .max()
                .unwrap_or(1)
        })
        .collect();
    let line = |r: &[f64]| {
        let cells: Vec<String> = col_pos
            .iter()
            .zip(&width)
            .map(|(j, w)| format!("{:>w$}", cell(r, *j)))
            .collect();
        format!("[{}]", cells.join(", "))
    };
    let shape = st.dim(&shape_text(a.shape()));
    if !matrix {
        return format!("{}  {shape}", line(rows[0]));
    }
    let pad = " ".repeat(indent + 1);
    let mut s = String::from("[");
    for (k, i) in row_pos.iter().enumerate() {
        if k > 0 {
            s.push_str(",\n");
            s.push_str(&pad);
        }
        match i {
            Some(i) => s.push_str(&line(rows[*i])),
            None => s.push('…'),
        }
    }
    s.push_str(&format!("]  {shape}"));
    s
}

/// A short inline form for a point: the entries when few, else the shape.
fn inline(a: &Array, st: Style) -> String {
    if a.is_scalar() {
        return st.num(a.data()[0]);
    }
    if a.len() > 12 {
        return format!("array {}", shape_text(a.shape()));
    }
    let row = |r: &[f64]| {
        format!(
            "[{}]",
            r.iter().map(|v| st.num(*v)).collect::<Vec<_>>().join(", ")
        )
    };
    match a.shape() {
        [_, _] => format!(
            "[{}]",
            a.rows().into_iter().map(row).collect::<Vec<_>>().join(", ")
        ),
        _ => row(a.data()),
    }
}

/// The text of an outcome over arrays.
pub fn outcome(o: &ArrayOutcome, st: Style) -> String {
    match o {
        ArrayOutcome::Value { value, warnings } => {
            let mut s = st.bold(&array(value, 0, st));
            push_warnings(&mut s, warnings, st);
            s
        }
        ArrayOutcome::Defined {
            name,
            value,
            warnings,
            ..
        } => {
            let lead = format!("{} = ", name);
            let mut s = format!(
                "{}{}",
                st.bold(&lead),
                array(value, lead.chars().count(), st)
            );
            push_warnings(&mut s, warnings, st);
            s
        }
        ArrayOutcome::Derivatives(d) => derivatives(d, st),
        ArrayOutcome::Jacobian(j) => jacobian(j, st),
        ArrayOutcome::Data(d) => data(d, st),
        ArrayOutcome::Vars(v) => {
            let w = v.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
            v.iter()
                .map(|(k, a)| {
                    if a.is_scalar() {
                        format!("{k:<w$} = {}", st.num(a.data()[0]))
                    } else {
                        format!("{k:<w$} : {} {}", shape_text(a.shape()), preview(a, st))
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

/// The first few entries of an array on one line.
fn preview(a: &Array, st: Style) -> String {
    let first: Vec<String> = a.data().iter().take(4).map(|v| st.num(*v)).collect();
    let more = if a.len() > 4 { ", …" } else { "" };
    st.dim(&format!("[{}{more}]", first.join(", ")))
}

fn data(d: &DataLoaded, st: Style) -> String {
    let mut s = format!(
        "read {} row{} from {}:",
        d.rows,
        if d.rows == 1 { "" } else { "s" },
        d.path
    );
    let w = d
        .bound
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    for (name, shape) in &d.bound {
        let pad = " ".repeat(w - name.chars().count());
        s.push_str(&format!(
            "\n  {}{pad}  {}",
            st.bold(name),
            st.dim(&shape_text(shape))
        ));
    }
    if !d.skipped.is_empty() {
        s.push_str(&format!(
            "\n{} not numbers, left out: {}",
            st.warn("note:"),
            d.skipped.join(", ")
        ));
    }
    for (from, to, why) in &d.renamed {
        let why = why
            .as_deref()
            .unwrap_or("a name is a letter or `_`, then letters, digits, `_`");
        s.push_str(&format!(
            "\n{} column `{from}` is bound as `{to}` ({why})",
            st.warn("note:")
        ));
    }
    push_warnings(&mut s, &d.warnings, st);
    s
}

/// The names of the flattened entries of the point's variables.
fn entry_names(d: &ArrayDerivatives) -> Vec<String> {
    d.vars
        .iter()
        .zip(&d.point)
        .flat_map(|(k, a)| crate::num::entry_names(k, a.shape()))
        .collect()
}

fn derivatives(d: &ArrayDerivatives, st: Style) -> String {
    let single = d.vars.len() == 1;
    let point = d
        .vars
        .iter()
        .zip(&d.point)
        .map(|(k, a)| format!("{k} = {}", inline(a, st)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut rows: Vec<(String, &Array)> = vec![("value".into(), &d.value)];
    if let (Some(w), Some(a), Some(b)) = (&d.wrt, &d.derivative, &d.second) {
        let (l1, l2) = if single {
            (format!("d/d{w}"), format!("d²/d{w}²"))
        } else {
            (format!("∂/∂{w}"), format!("∂²/∂{w}²"))
        };
        rows.push((l1, a));
        rows.push((l2, b));
    }
    if let Some(g) = &d.gradient {
        for (k, a) in d.vars.iter().zip(g) {
            rows.push((
                if single {
                    format!("d/d{k}")
                } else {
                    format!("∂/∂{k}")
                },
                a,
            ));
        }
    }
    let width = super::label_width(&rows);
    let mut s = st.dim(&format!("{} at {point}", d.expr));
    for (i, (k, a)) in rows.iter().enumerate() {
        if i == 1 && d.summed {
            s.push_str(&format!(
                "\n  {}",
                st.dim("the value is an array: the derivatives are those of the sum of its entries (y.backward(ones))")
            ));
        }
        s.push_str(&format!(
            "\n  {k}{}  {}",
            " ".repeat(width - k.chars().count()),
            array(a, width + 4, st)
        ));
    }
    let names = entry_names(d);
    if let Some(h) = &d.hessian {
        s.push('\n');
        if names.len() > MATRIX_MAX_VARS {
            s.push_str(&sparse_entries(&names, h, width, st));
        } else {
            s.push_str(&matrix("Hessian", &names, h, width, st));
        }
    }
    if let (Some(c), Some(cov)) = (&d.check, &d.coverage) {
        let mut labels = names.clone();
        labels.push("v".into());
        if d.kind == DerivKind::Check {
            s.push_str(&check_detail(c, cov, &labels, st));
        }
        s.push_str(&format!(
            "\n  check{}  {}; {}",
            " ".repeat(width - 5),
            check_line(c, &labels, false, st),
            coverage_text(cov)
        ));
    }
    push_warnings(&mut s, &d.warnings, st);
    s
}

/// Most rows of `:check`'s table over arrays; the rest are in `--json`.
const MAX_CHECK_ROWS: usize = 30;

/// `:check`'s table over arrays: a row per entry checked (every row that
/// does not pass, then passing ones up to [`MAX_CHECK_ROWS`]), and what
/// `v` is when the check sampled.
fn check_detail(c: &CheckReport, cov: &CheckCoverage, labels: &[String], st: Style) -> String {
    let mut keep: Vec<bool> = c
        .entries
        .iter()
        .map(|e| e.verdict != Verdict::Pass)
        .collect();
    let mut room = MAX_CHECK_ROWS.saturating_sub(keep.iter().filter(|k| **k).count());
    for k in keep.iter_mut().filter(|k| !**k) {
        if room == 0 {
            break;
        }
        *k = true;
        room -= 1;
    }
    let shown = CheckReport {
        entries: c
            .entries
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(e, _)| e.clone())
            .collect(),
        ..c.clone()
    };
    let mut s = format!("\n{}", check_table(&shown, labels, false, st));
    let hidden = c.entries.len() - shown.entries.len();
    if hidden > 0 {
        s.push_str(&st.dim(&format!(
            "\n  … and {hidden} more that pass (every entry is in --json)"
        )));
    }
    if let CheckCoverage::Sample { entries, .. } = cov {
        s.push_str(&st.dim(&format!(
            "\n  ∂/∂v is ∇f·v for v a random direction over all {entries} entries (each ± its entry of the point, 1 where that is 0), against the central difference along v"
        )));
    }
    s
}

fn coverage_text(c: &CheckCoverage) -> String {
    match c {
        CheckCoverage::Every { entries } => format!("every entry checked ({entries})"),
        CheckCoverage::Sample { sampled, entries } => format!(
            "{} of {entries} entries sampled at random, and one random direction v (∇f·v)",
            sampled.len()
        ),
    }
}

fn jacobian(j: &ArrayJacobian, st: Style) -> String {
    let point = j
        .vars
        .iter()
        .zip(&j.point)
        .map(|(k, a)| format!("{k} = {}", inline(a, st)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = st.dim(&format!("{} at {point}", j.exprs.join(", ")));
    for (i, v) in j.values.iter().enumerate() {
        let label = if j.values.len() == 1 {
            "value".to_string()
        } else {
            format!("y{}", i + 1)
        };
        s.push_str(&format!("\n  {label:<7}  {}", array(v, 11, st)));
    }
    let shown_rows = j.jacobian.len().min(40);
    let name_w = j
        .row_names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(1);
    let cells: Vec<Vec<String>> = j.jacobian[..shown_rows]
        .iter()
        .map(|r| r.iter().map(|v| st.num(*v)).collect())
        .collect();
    let col_w: Vec<usize> = (0..j.col_names.len())
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .chain(std::iter::once(j.col_names[c].chars().count() + 3))
                .max()
                .unwrap_or(1)
        })
        .collect();
    s.push_str(&format!("\n  Jacobian  {}", " ".repeat(name_w)));
    for (c, n) in j.col_names.iter().enumerate() {
        s.push_str(&format!("  {:>w$}", format!("∂/∂{n}"), w = col_w[c]));
    }
    for (i, row) in cells.iter().enumerate() {
        s.push_str(&format!("\n            {:>name_w$}", j.row_names[i]));
        for (c, v) in row.iter().enumerate() {
            s.push_str(&format!("  {v:>w$}", w = col_w[c]));
        }
    }
    if j.jacobian.len() > shown_rows {
        s.push_str(&format!(
            "\n            … {} more rows (--json has them all)",
            j.jacobian.len() - shown_rows
        ));
    }
    push_warnings(&mut s, &j.warnings, st);
    s
}

// ------------------------------------------------------------------ JSON

/// An array as nested JSON lists (a scalar as a number).
pub fn array_json(a: &Array) -> Value {
    match a.shape() {
        [] => number(a.data()[0]),
        [_] => arr(a.data()),
        _ => a.rows().into_iter().map(arr).collect(),
    }
}

fn list(items: &[Array]) -> Value {
    items.iter().map(array_json).collect()
}

fn shape_json(s: &[usize]) -> Value {
    s.iter().map(|d| Value::from(*d)).collect()
}

fn matrix_json(m: &[Vec<f64>]) -> Value {
    m.iter().map(|r| arr(r)).collect()
}

/// The JSON keys of an outcome over arrays.
pub(super) fn outcome_json(o: Obj, out: &ArrayOutcome, input: &str) -> Obj {
    match out {
        ArrayOutcome::Value { value, warnings } => {
            let o = o
                .put("value", array_json(value))
                .put("shape", shape_json(value.shape()));
            warnings_json(o, warnings, input)
        }
        ArrayOutcome::Defined {
            name,
            value,
            replaced,
            warnings,
        } => {
            let o = o
                .str("name", name)
                .put("value", array_json(value))
                .put("shape", shape_json(value.shape()))
                .put("replaced", *replaced);
            warnings_json(o, warnings, input)
        }
        ArrayOutcome::Derivatives(d) => derivatives_json(o, d, input),
        ArrayOutcome::Jacobian(j) => {
            let o = o
                .put("exprs", str_arr(&j.exprs))
                .put("vars", str_arr(&j.vars))
                .put("point", list(&j.point))
                .put("values", list(&j.values))
                .put("jacobian", matrix_json(&j.jacobian));
            warnings_json(o, &j.warnings, input)
        }
        ArrayOutcome::Data(d) => {
            let bound: Vec<Value> = d
                .bound
                .iter()
                .map(|(n, s)| Obj::new().str("name", n).put("shape", shape_json(s)).end())
                .collect();
            let renamed: Vec<Value> = d
                .renamed
                .iter()
                .map(|(a, b, _)| Obj::new().str("column", a).str("name", b).end())
                .collect();
            let o = o
                .str("path", &d.path)
                .put("rows", d.rows)
                .put("bound", bound)
                .put("renamed", renamed)
                .put("skipped", str_arr(&d.skipped));
            warnings_json(o, &d.warnings, input)
        }
        ArrayOutcome::Vars(v) => {
            let items: Vec<Value> = v
                .iter()
                .map(|(k, a)| {
                    Obj::new()
                        .str("name", k)
                        .put("shape", shape_json(a.shape()))
                        .put("value", array_json(a))
                        .end()
                })
                .collect();
            o.put("variables", items)
        }
    }
}

fn derivatives_json(o: Obj, d: &ArrayDerivatives, input: &str) -> Obj {
    let mut o = o
        .str("expr", &d.expr)
        .put("vars", str_arr(&d.vars))
        .put("point", list(&d.point))
        .put("value", array_json(&d.value))
        .put("shape", shape_json(d.value.shape()));
    if d.summed {
        o = o.put("summed", true);
    }
    if let (Some(w), Some(a), Some(b)) = (&d.wrt, &d.derivative, &d.second) {
        o = o
            .str("wrt", w)
            .put("derivative", array_json(a))
            .put("second", array_json(b));
    }
    if let Some(g) = &d.gradient {
        o = o.put("gradient", list(g));
    }
    if let Some(h) = &d.hessian {
        o = o.put("hessian", matrix_json(h));
    }
    if let (Some(c), Some(cov)) = (&d.check, &d.coverage) {
        let mut names = entry_names(d);
        names.push("v".into());
        let mut check = check_json(c, &names, d.kind == crate::outcome::DerivKind::Check);
        let cov = match cov {
            CheckCoverage::Every { entries } => Obj::new()
                .str("mode", "every")
                .put("entries", *entries)
                .end(),
            CheckCoverage::Sample { sampled, entries } => Obj::new()
                .str("mode", "sample")
                .put("entries", *entries)
                .put("sampled", sampled.len())
                .put("directional", true)
                .end(),
        };
        if let Value::Object(m) = &mut check {
            m.insert("coverage".into(), cov);
        }
        o = o.put("check", check);
    }
    warnings_json(o, &d.warnings, input)
}
