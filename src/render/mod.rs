//! Turning outcomes and errors into text (plain or coloured) and JSON Lines.
//! The only place that decides how a result looks.

use crate::check::{CheckReport, Doubt, Entry, Status, Verdict};
use crate::error::{Error, Warning};
use crate::format;
use crate::outcome::{Defined, DerivKind, Derivatives, LineResult, Outcome};
use crate::span::Span;
use colored::Colorize;
use serde_json::{Map, Value};

mod arrays;
mod formulas;
pub mod plot;
mod workflows;

pub use arrays::{array, array_json};

/// Where a line came from, for the `-->` location of a diagnostic.
#[derive(Clone, Debug)]
pub struct Source<'a> {
    /// A file name, `<stdin>`, `-e` or `<prompt>`.
    pub name: &'a str,
    /// 1-based line number.
    pub line: usize,
    /// The text of the line.
    pub text: &'a str,
}

/// How to print.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Colour on.
    pub color: bool,
    /// Significant digits, or shortest.
    pub digits: Option<usize>,
}

impl Style {
    fn num(&self, v: f64) -> String {
        format::number(v, self.digits)
    }
    fn paint(&self, s: &str, f: fn(&str) -> colored::ColoredString) -> String {
        if self.color {
            f(s).to_string()
        } else {
            s.to_string()
        }
    }
    fn dim(&self, s: &str) -> String {
        self.paint(s, |s| s.dimmed())
    }
    fn bold(&self, s: &str) -> String {
        self.paint(s, |s| s.bold())
    }
    fn good(&self, s: &str) -> String {
        self.paint(s, |s| s.green())
    }
    fn bad(&self, s: &str) -> String {
        self.paint(s, |s| s.red().bold())
    }
    fn warn(&self, s: &str) -> String {
        self.paint(s, |s| s.yellow().bold())
    }
}

// ------------------------------------------------------------------ text

/// The width of the labels of a report's rows (`value`, `d/dx`, `Hessian`),
/// at least 7 so that short reports line up with long ones.
fn label_width<T>(rows: &[(String, T)]) -> usize {
    rows.iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(5)
        .max(7)
}

/// The width of each of the first `ncol` columns of a table of cells.
fn column_widths(rows: &[Vec<String>], ncol: usize) -> Vec<usize> {
    (0..ncol)
        .map(|k| {
            rows.iter()
                .map(|r| r.get(k).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// The text of an outcome (without a trailing newline; empty for nothing).
pub fn outcome(o: &Outcome, st: Style) -> String {
    match o {
        Outcome::Empty | Outcome::Quit => String::new(),
        Outcome::Value { value, warnings } => {
            let mut s = st.bold(&st.num(*value));
            push_warnings(&mut s, warnings, st);
            s
        }
        Outcome::Defined { what, warnings, .. } => {
            let mut s = defined(what, st);
            push_warnings(&mut s, warnings, st);
            s
        }
        Outcome::Derivatives(d) => derivatives(d, st),
        Outcome::Jacobian(j) => workflows::jacobian(j, st),
        Outcome::Limit(l) => workflows::limit(l, st),
        Outcome::Tangent(t) => workflows::tangent(t, st),
        Outcome::Taylor(t) => workflows::taylor(t, st),
        Outcome::Trace(t) => workflows::trace(t, st),
        Outcome::Min(m) => workflows::minimum(m, st),
        Outcome::Plot(p) => workflows::plot(p, st),
        Outcome::Table(t) => workflows::table(t, st),
        Outcome::Formulas(f) => formulas::formulas(f, st),
        Outcome::Steps(d) => formulas::derivation(d, st),
        Outcome::Vars(v) if v.is_empty() => st.dim("no variables defined"),
        Outcome::Vars(v) => {
            let w = v.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
            let lines: Vec<String> = v
                .iter()
                .map(|(k, x)| format!("{k:<w$} = {}", st.num(*x)))
                .collect();
            lines.join("\n")
        }
        Outcome::Funcs(f) if f.is_empty() => st.dim("no functions defined"),
        Outcome::Funcs(f) => f
            .iter()
            .map(|d| defined(d, st))
            .collect::<Vec<_>>()
            .join("\n"),
        Outcome::Deleted(names) => format!("deleted {}", names.join(", ")),
        Outcome::Cleared(n) => format!("cleared {n} definition{}", if *n == 1 { "" } else { "s" }),
        Outcome::Settings(s) => {
            let width = s.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            s.iter()
                .map(|(k, v)| format!("{k:<width$} {v}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
        Outcome::Set { name, value } => format!("{name} = {value}"),
        Outcome::Loaded { path, results } => loaded(path, results, st),
        Outcome::Sequence(results) => results
            .iter()
            .filter_map(|r| r.result.as_ref().ok())
            .map(|o| outcome(o, st))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        Outcome::Saved { path, count } => format!(
            "saved {count} definition{} to {path}",
            if *count == 1 { "" } else { "s" }
        ),
        Outcome::Help(t) => t.clone(),
        Outcome::Arrays(a) => arrays::outcome(a, st),
    }
}

/// What a loaded file's statements printed, and a line counting them.
fn loaded(path: &str, results: &[LineResult], st: Style) -> String {
    let mut s = String::new();
    for r in results {
        if let Ok(o) = &r.result {
            let t = outcome(o, st);
            if !t.is_empty() {
                s.push_str(&t);
                s.push('\n');
            }
        }
    }
    let (total, failed) = load_counts(results);
    let nested = total - results.len();
    s.push_str(&st.dim(&format!(
        "loaded {path}: {total} statement{}{}{}",
        if total == 1 { "" } else { "s" },
        if nested > 0 {
            format!(" ({nested} in the files it loads)")
        } else {
            String::new()
        },
        if failed > 0 {
            format!(", {failed} failed")
        } else {
            String::new()
        }
    )));
    s
}

/// The statements of a loaded file and of the files it loads in turn, and
/// how many of them failed (a nested `:load` counts as its statements).
fn load_counts(results: &[LineResult]) -> (usize, usize) {
    results.iter().fold((0, 0), |(n, f), r| match &r.result {
        Ok(Outcome::Loaded { results, .. }) => {
            let (n2, f2) = load_counts(results);
            (n + 1 + n2, f + f2)
        }
        Ok(_) => (n + 1, f),
        Err(_) => (n + 1, f + 1),
    })
}

/// Errors inside a `:load`ed file, rendered for stderr after the outcome.
pub fn nested_errors(o: &Outcome, st: Style) -> Vec<String> {
    let mut out = Vec::new();
    if let Outcome::Loaded { path, results } = o {
        for r in results {
            match &r.result {
                Err(e) => out.push(error(
                    e,
                    &Source {
                        name: path,
                        line: r.line,
                        text: &r.input,
                    },
                    st,
                )),
                Ok(o) => out.extend(nested_errors(o, st)),
            }
        }
    }
    if let Outcome::Sequence(results) = o {
        // Each statement is shown alone, its columns counted within it.
        for r in results {
            match &r.result {
                Err(e) => out.push(error(
                    e,
                    &Source {
                        name: "statement",
                        line: r.line,
                        text: &r.input,
                    },
                    st,
                )),
                Ok(o) => out.extend(nested_errors(o, st)),
            }
        }
    }
    out
}

fn defined(d: &Defined, st: Style) -> String {
    match d {
        Defined::Variable { name, value } => format!("{} = {}", st.bold(name), st.num(*value)),
        Defined::Function { name, params, body } => {
            format!("{}({}) = {body}", st.bold(name), params.join(", "))
        }
    }
}

fn push_warnings(s: &mut String, warnings: &[Warning], st: Style) {
    for w in warnings {
        s.push('\n');
        s.push_str(&format!("{} {}", st.warn("warning:"), w.message));
    }
}

/// `∂/∂x` style label for a first partial.
fn d1(var: &str, single: bool) -> String {
    if single {
        format!("d/d{var}")
    } else {
        format!("∂/∂{var}")
    }
}

fn d2(a: &str, b: &str, single: bool) -> String {
    if single {
        format!("d²/d{a}²")
    } else if a == b {
        format!("∂²/∂{a}²")
    } else {
        format!("∂²/∂{a}∂{b}")
    }
}

fn derivatives(d: &Derivatives, st: Style) -> String {
    let single = d.vars.len() == 1;
    let point = d
        .vars
        .iter()
        .zip(&d.point)
        .map(|(k, v)| format!("{k} = {}", st.num(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut rows: Vec<(String, String)> = vec![("value".into(), st.num(d.value))];
    if let (Some(w), Some(a), Some(b)) = (&d.wrt, d.derivative, d.second) {
        rows.push((d1(w, single), st.num(a)));
        rows.push((d2(w, w, single), st.num(b)));
    }
    if let Some(g) = &d.gradient {
        for (k, v) in d.vars.iter().zip(g) {
            rows.push((d1(k, single), st.num(*v)));
        }
    }
    formulas::beside_rows(&mut rows, d, single, st);
    let width = label_width(&rows);
    let mut s = st.dim(&format!("{} at {point}", d.expr));
    for (k, v) in &rows {
        s.push_str(&format!(
            "\n  {}{}  {v}",
            k,
            " ".repeat(width - k.chars().count())
        ));
    }
    if let Some(h) = &d.hessian {
        s.push('\n');
        if d.vars.len() > MATRIX_MAX_VARS {
            s.push_str(&sparse_entries(&d.vars, h, width, st));
        } else {
            s.push_str(&matrix("Hessian", &d.vars, h, width, st));
        }
    }
    if let Some(c) = &d.check {
        // `:diff … wrt y` checks one variable: its entries are numbered 0.
        let wrt = d.wrt.as_ref().map(|w| vec![w.clone()]);
        let vars = wrt.as_deref().unwrap_or(&d.vars);
        if d.kind == DerivKind::Check {
            s.push('\n');
            s.push_str(&check_table(c, vars, single, st));
        }
        s.push_str(&format!(
            "\n  {}{}  {}",
            "check",
            " ".repeat(width - 5),
            check_line(c, vars, single, st)
        ));
    }
    push_warnings(&mut s, &d.warnings, st);
    s
}

/// A matrix with row and column names, numbers right-aligned in columns.
/// Beyond this many variables a Hessian prints as its nonzero entries, not
/// as a matrix too wide to read (`--json` always has the whole matrix).
const MATRIX_MAX_VARS: usize = 12;

/// A large Hessian: its size, then each nonzero entry of the upper triangle.
fn sparse_entries(names: &[String], m: &[Vec<f64>], width: usize, st: Style) -> String {
    let n = names.len();
    let nonzero: Vec<(usize, usize, f64)> = (0..n)
        .flat_map(|i| (i..n).map(move |j| (i, j)))
        .filter_map(|(i, j)| {
            let v = m.get(i).and_then(|r| r.get(j)).copied()?;
            (v != 0.0).then_some((i, j, v))
        })
        .collect();
    let title = "Hessian";
    let mut s = format!(
        "  {title}{}{n}×{n}; {} nonzero entries in the upper triangle (all of it: --json)",
        " ".repeat(width.saturating_sub(title.chars().count()) + 2),
        nonzero.len()
    );
    let rows: Vec<(String, String)> = nonzero
        .iter()
        .map(|&(i, j, v)| (d2(&names[i], &names[j], false), st.num(v)))
        .collect();
    let label_w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let num_w = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    for (label, v) in rows {
        s.push_str(&format!(
            "\n  {}  {label}{}  {v:>num_w$}",
            " ".repeat(width),
            " ".repeat(label_w - label.chars().count()),
        ));
    }
    s
}

fn matrix(title: &str, names: &[String], m: &[Vec<f64>], width: usize, st: Style) -> String {
    let cells: Vec<Vec<String>> = m
        .iter()
        .map(|r| r.iter().map(|v| st.num(*v)).collect())
        .collect();
    let name_w = names.iter().map(|n| n.chars().count()).max().unwrap_or(1);
    let col_w: Vec<usize> = (0..names.len())
        .map(|j| {
            cells
                .iter()
                .map(|r| r[j].chars().count())
                .chain(std::iter::once(names[j].chars().count()))
                .max()
                .unwrap_or(1)
        })
        .collect();
    let lead = width.max(title.chars().count());
    let mut s = format!(
        "  {title}{}",
        " ".repeat(lead - title.chars().count() + 2 + name_w)
    );
    for (j, n) in names.iter().enumerate() {
        s.push_str(&format!("  {n:>w$}", w = col_w[j]));
    }
    for (i, row) in cells.iter().enumerate() {
        s.push_str(&format!("\n  {}  {:>name_w$}", " ".repeat(lead), names[i]));
        for (j, c) in row.iter().enumerate() {
            s.push_str(&format!("  {c:>w$}", w = col_w[j]));
        }
    }
    s
}

fn entry_label(e: &Entry, vars: &[String], single: bool) -> String {
    let v = |i: usize| vars.get(i).map(String::as_str).unwrap_or("?");
    match e.j {
        None => d1(v(e.i), single),
        Some(j) => d2(v(e.i), v(j), single),
    }
}

/// The one line under a derivative result.
fn check_line(c: &CheckReport, vars: &[String], single: bool, st: Style) -> String {
    // Nothing was compared: say so rather than "ok".
    if c.entries.is_empty()
        && let Some(why) = &c.skipped
    {
        return format!("{} {why}", st.warn("skipped:"));
    }
    let find = |v: Verdict| c.entries.iter().find(|e| e.verdict == v);
    let mut s = match c.status {
        Status::Pass => format!(
            "{} finite differences agree (max rel. error {})",
            st.good("ok:"),
            format::significant(c.max_rel_err, 2)
        ),
        Status::Unconfirmed => match find(Verdict::Unconfirmed) {
            Some(e) => format!(
                "{} {} could not be confirmed: {}",
                st.warn("unconfirmed:"),
                entry_label(e, vars, single),
                e.doubt.unwrap_or(Doubt::Unsettled).explain()
            ),
            None => format!("{} the check did not finish", st.warn("unconfirmed:")),
        },
        Status::Kink | Status::Fail => failed_line(
            find(Verdict::Kink).or_else(|| find(Verdict::Fail)),
            vars,
            single,
            st,
        ),
    };
    if let Some(why) = &c.skipped {
        s.push_str(&format!(" ({why})"));
    }
    s
}

/// The line for a check that failed, on its worst entry.
fn failed_line(worst: Option<&Entry>, vars: &[String], single: bool, st: Style) -> String {
    match worst {
        Some(e) if e.verdict == Verdict::Kink => format!(
            "{} {} has no derivative here: left and right derivatives differ",
            st.bad("FAILED:"),
            entry_label(e, vars, single)
        ),
        Some(e) if e.ad.is_nan() => format!(
            "{} {} is undefined here (nan), so there is nothing to check",
            st.bad("FAILED:"),
            entry_label(e, vars, single)
        ),
        Some(e) if e.ad.is_infinite() => format!(
            "{} {} is {} by automatic differentiation: an infinite slope is no derivative, and finite differences cannot settle on one",
            st.bad("FAILED:"),
            entry_label(e, vars, single),
            st.num(e.ad)
        ),
        Some(e) if !e.fd.is_finite() => format!(
            "{} {} is {} by automatic differentiation, and finite differences have no usable estimate here",
            st.bad("FAILED:"),
            entry_label(e, vars, single),
            st.num(e.ad)
        ),
        Some(e) => format!(
            "{} {} is {} by automatic differentiation but {} by finite differences",
            st.bad("FAILED:"),
            entry_label(e, vars, single),
            st.num(e.ad),
            format::significant(e.fd, 8)
        ),
        None => format!(
            "{} a warning above means the derivative cannot be trusted here",
            st.bad("FAILED:")
        ),
    }
}

/// The full table of `:check`.
fn check_table(c: &CheckReport, vars: &[String], single: bool, st: Style) -> String {
    let mut rows = vec![[
        "entry".to_string(),
        "AD".to_string(),
        "FD (approx.)".to_string(),
        "error est.".to_string(),
        "rel. error".to_string(),
        "verdict".to_string(),
    ]];
    for e in &c.entries {
        rows.push([
            entry_label(e, vars, single),
            st.num(e.ad),
            format::significant(e.fd, 12),
            format::significant(e.err_est, 2),
            format::significant(e.rel_err, 2),
            e.verdict.label().to_string(),
        ]);
    }
    let w: Vec<usize> = (0..6)
        .map(|k| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let mut line = String::from("  ");
        for k in 0..6 {
            let cell = &r[k];
            let pad = " ".repeat(w[k] - cell.chars().count());
            let text = if k == 5 && i > 0 {
                match cell.as_str() {
                    "pass" => st.good(cell),
                    "unconfirmed" => st.warn(cell),
                    _ => st.bad(cell),
                }
            } else if i == 0 {
                st.dim(cell)
            } else {
                cell.clone()
            };
            if k == 0 || k == 5 {
                line.push_str(&format!("{text}{pad}  "));
            } else {
                line.push_str(&format!("{pad}{text}  "));
            }
        }
        out.push(line.trim_end().to_string());
    }
    out.join("\n")
}

/// A diagnostic: the message, the location, the source line and a caret.
pub fn error(e: &Error, src: &Source<'_>, st: Style) -> String {
    let (name, line, text) = match &e.origin {
        Some(o) => (o.file.as_str(), o.line, o.text.as_str()),
        None => (src.name, src.line, src.text),
    };
    let mut s = format!("{} {}", st.bad("error:"), st.bold(&e.message));
    // An error about the statement as a whole (interrupted, a time limit)
    // points at all of it, so that every location reads FILE:LINE:COL.
    let span = e.span.unwrap_or_else(|| {
        let start = text.len() - text.trim_start().len();
        Span::new(start, text.trim_end().len().max(start))
    });
    let col = column(text, span.start);
    let gutter = line.to_string();
    let pad = " ".repeat(gutter.len());
    s.push_str(&format!("\n{pad}{} {name}:{line}:{col}", st.dim("-->")));
    s.push_str(&format!("\n{pad} {}", st.dim("|")));
    let (shown, caret_at, caret_len) = window(text, span.start, span.end);
    s.push_str(&format!("\n{} {} {}", st.dim(&gutter), st.dim("|"), shown));
    let before: String = shown
        .chars()
        .take(caret_at)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let caret = "^".repeat(caret_len.max(1));
    let label = e
        .label
        .as_deref()
        .map(|l| format!(" {l}"))
        .unwrap_or_default();
    s.push_str(&format!(
        "\n{pad} {} {before}{}",
        st.dim("|"),
        st.bad(&format!("{caret}{label}"))
    ));
    if let Some(h) = &e.help {
        s.push_str(&format!("\n{} {h}", st.dim("help:")));
    }
    s
}

/// Most characters of a source line shown under an error.
const WINDOW: usize = 100;

/// The part of `text` to show for a caret over bytes `start..end`: the whole
/// line if short, else a window around the caret with `…` at the cut ends.
/// Returns the text and the caret's column and width in characters.
fn window(text: &str, start: usize, end: usize) -> (String, usize, usize) {
    let chars: Vec<char> = visible(text).chars().collect();
    let c0 = column(text, start) - 1;
    let c1 = (column(text, end.max(start)) - 1).max(c0 + 1);
    if chars.len() <= WINDOW {
        return (chars.iter().collect(), c0, c1 - c0);
    }
    let from = c0.saturating_sub(WINDOW / 3);
    let to = (from + WINDOW).min(chars.len());
    let mut shown: String = chars[from..to].iter().collect();
    let mut at = c0 - from;
    if from > 0 {
        shown.insert(0, '…');
        at += 1;
    }
    if to < chars.len() {
        shown.push('…');
    }
    let width = (c1 - c0).min(to.saturating_sub(c0).max(1));
    (shown, at, width)
}

/// Control characters would garble the terminal: show them as `�`.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                '�'
            } else {
                c
            }
        })
        .collect()
}

/// 1-based column in characters of byte offset `at`.
pub fn column(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    let mut i = at;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    text[..i].chars().count() + 1
}

// ------------------------------------------------------------------ JSON

/// A JSON object built key by key; serde_json's `preserve_order` keeps the
/// keys in the order they are put.
struct Obj(Map<String, Value>);

impl Obj {
    fn new() -> Obj {
        Obj(Map::new())
    }
    fn put(mut self, k: &str, v: impl Into<Value>) -> Obj {
        self.0.insert(k.to_string(), v.into());
        self
    }
    fn str(self, k: &str, v: &str) -> Obj {
        self.put(k, v)
    }
    fn num(self, k: &str, v: f64) -> Obj {
        self.put(k, number(v))
    }
    fn end(self) -> Value {
        Value::Object(self.0)
    }
}

/// A number as JSON: finite ones as numbers (printed in their shortest
/// form, as text prints them), the others as the strings "NaN", "Infinity",
/// "-Infinity", which JSON has no numbers for.
pub fn number(v: f64) -> Value {
    match serde_json::Number::from_f64(v) {
        Some(n) => Value::Number(n),
        None if v.is_nan() => Value::from("NaN"),
        None if v > 0.0 => Value::from("Infinity"),
        None => Value::from("-Infinity"),
    }
}

fn arr(v: &[f64]) -> Value {
    v.iter().copied().map(number).collect()
}

fn str_arr(v: &[String]) -> Value {
    v.iter().map(|s| Value::from(s.as_str())).collect()
}

/// Writes numbers as [`format::shortest`] does (`63`, not serde_json's
/// `63.0`), so a value reads the same in text and in JSON.
struct Shortest;

impl serde_json::ser::Formatter for Shortest {
    fn write_f64<W: ?Sized + std::io::Write>(&mut self, w: &mut W, v: f64) -> std::io::Result<()> {
        w.write_all(format::shortest(v).as_bytes())
    }
}

/// One line of JSON.
fn to_line(v: &Value) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Shortest);
    // Serialising a Value into memory cannot fail.
    let _ = serde::Serialize::serialize(v, &mut ser);
    String::from_utf8(out).unwrap_or_default()
}

fn warnings_json(o: Obj, w: &[Warning], text: &str) -> Obj {
    if w.is_empty() {
        return o;
    }
    let items: Vec<Value> = w
        .iter()
        .map(|w| {
            let mut x = Obj::new().str("message", &w.message);
            if let Some(s) = w.span {
                x = x.put("column", column(text, s.start));
            }
            x.end()
        })
        .collect();
    o.put("warnings", items)
}

fn check_json(c: &CheckReport, vars: &[String], full: bool) -> Value {
    let mut o = Obj::new()
        .put("ok", c.ok)
        .str("status", c.status.as_str())
        .num("max_rel_err", c.max_rel_err);
    if let Some(s) = &c.skipped {
        o = o.str("skipped", s);
    }
    if full || !c.ok {
        let entries: Vec<Value> = c
            .entries
            .iter()
            .map(|e| {
                let mut wrt = vec![vars.get(e.i).cloned().unwrap_or_default()];
                if let Some(j) = e.j {
                    wrt.push(vars.get(j).cloned().unwrap_or_default());
                }
                let o = Obj::new()
                    .put("wrt", str_arr(&wrt))
                    .num("ad", e.ad)
                    .num("fd", e.fd)
                    .num("err_est", e.err_est)
                    .num("rel_err", e.rel_err)
                    .num("tol", e.tol)
                    .str("verdict", e.verdict.label().to_ascii_lowercase().as_str());
                match e.doubt {
                    Some(d) => o.str("why", d.explain()).end(),
                    None => o.end(),
                }
            })
            .collect();
        o = o.put("entries", entries);
    }
    o.end()
}

/// One JSON Lines object for a statement's result.
pub fn json(line: usize, input: &str, r: &Result<Outcome, Error>) -> String {
    // Statements separated by `;` give one object each, numbered by `statement`.
    if let Ok(Outcome::Sequence(results)) = r {
        return results
            .iter()
            .map(|p| {
                let mut v = line_value(line, &p.input, &p.result);
                if let Value::Object(m) = &mut v {
                    m.shift_insert(1, "statement".into(), p.line.into());
                }
                to_line(&v)
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    to_line(&line_value(line, input, r))
}

fn line_value(line: usize, input: &str, r: &Result<Outcome, Error>) -> Value {
    let o = Obj::new().put("line", line).str("input", input);
    match r {
        Err(e) => o.put("error", error_json(e, input)).end(),
        Ok(out) => outcome_json(o.str("kind", out.kind()), out, input).end(),
    }
}

fn error_json(e: &Error, input: &str) -> Value {
    let mut x = Obj::new()
        .str("kind", e.kind.as_str())
        .str("message", &e.message);
    let text = e.origin.as_ref().map_or(input, |o| o.text.as_str());
    if let Some(o) = &e.origin {
        x = x.str("file", &o.file).put("file_line", o.line);
    }
    if let Some(s) = e.span {
        x = x.put("column", column(text, s.start));
    }
    if let Some(h) = &e.help {
        x = x.str("help", h);
    }
    x.end()
}

fn outcome_json(o: Obj, out: &Outcome, input: &str) -> Obj {
    match out {
        Outcome::Empty | Outcome::Quit => o,
        Outcome::Value { value, warnings } => {
            warnings_json(o.num("value", *value), warnings, input)
        }
        Outcome::Defined {
            what,
            replaced,
            warnings,
        } => warnings_json(
            defined_json(o, what).put("replaced", *replaced),
            warnings,
            input,
        ),
        Outcome::Derivatives(d) => derivatives_json(o, d, input),
        Outcome::Jacobian(j) => workflows::jacobian_json(o, j, input),
        Outcome::Limit(l) => workflows::limit_json(o, l, input),
        Outcome::Tangent(t) => workflows::tangent_json(o, t, input),
        Outcome::Taylor(t) => workflows::taylor_json(o, t, input),
        Outcome::Trace(t) => workflows::trace_json(o, t, input),
        Outcome::Min(m) => workflows::minimum_json(o, m, input),
        Outcome::Plot(p) => workflows::plot_json(o, p),
        Outcome::Table(t) => workflows::table_json(o, t),
        Outcome::Formulas(f) => formulas::formulas_json(o, f, input),
        Outcome::Steps(d) => formulas::derivation_json(o, d),
        Outcome::Vars(v) => {
            let items: Vec<Value> = v
                .iter()
                .map(|(k, x)| Obj::new().str("name", k).num("value", *x).end())
                .collect();
            o.put("variables", items)
        }
        Outcome::Funcs(f) => {
            let items: Vec<Value> = f
                .iter()
                .filter(|d| matches!(d, Defined::Function { .. }))
                .map(|d| defined_json(Obj::new(), d).end())
                .collect();
            o.put("functions", items)
        }
        Outcome::Deleted(n) => o.put("names", str_arr(n)),
        Outcome::Cleared(n) => o.put("count", *n),
        Outcome::Settings(s) => {
            let mut x = Obj::new();
            for (k, v) in s {
                x = x.str(k, v);
            }
            o.put("settings", x.end())
        }
        Outcome::Set { name, value } => o.str("name", name).str("value", value),
        Outcome::Loaded { path, results } => {
            let items: Vec<Value> = results.iter().map(line_json).collect();
            o.str("path", path).put("results", items)
        }
        Outcome::Sequence(results) => {
            let items: Vec<Value> = results.iter().map(line_json).collect();
            o.put("results", items)
        }
        Outcome::Saved { path, count } => o.str("path", path).put("count", *count),
        Outcome::Help(t) => o.str("text", t),
        Outcome::Arrays(a) => arrays::outcome_json(o, a, input),
    }
}

/// A variable's name and value, or a function's name, parameters and body.
fn defined_json(o: Obj, what: &Defined) -> Obj {
    match what {
        Defined::Variable { name, value } => o.str("name", name).num("value", *value),
        Defined::Function { name, params, body } => o
            .str("name", name)
            .put("params", str_arr(params))
            .str("body", body),
    }
}

fn derivatives_json(o: Obj, d: &Derivatives, input: &str) -> Obj {
    let mut o = o
        .str("expr", &d.expr)
        .put("vars", str_arr(&d.vars))
        .put("point", arr(&d.point))
        .num("value", d.value);
    if let (Some(w), Some(a), Some(b)) = (&d.wrt, d.derivative, d.second) {
        o = o.str("wrt", w).num("derivative", a).num("second", b);
    }
    if let Some(g) = &d.gradient {
        o = o.put("gradient", arr(g));
    }
    if let Some(h) = &d.hessian {
        let rows: Vec<Value> = h.iter().map(|r| arr(r)).collect();
        o = o.put("hessian", rows);
    }
    o = formulas::derivatives_json(o, d);
    if let Some(c) = &d.check {
        let wrt = d.wrt.as_ref().map(|w| vec![w.clone()]);
        let vars = wrt.as_deref().unwrap_or(&d.vars);
        o = o.put("check", check_json(c, vars, d.kind == DerivKind::Check));
    }
    warnings_json(o, &d.warnings, input)
}

fn line_json(r: &LineResult) -> Value {
    line_value(r.line, &r.input, &r.result)
}
