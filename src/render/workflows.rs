//! Text and JSON for the workflow commands: `:jac`, `:limit`, `:tangent`,
//! `:taylor`, `:trace`, `:min`, `:plot`, `:table`.

use super::{Obj, Style, arr, push_warnings, str_arr, warnings_json};
use crate::format;
use crate::outcome::{
    Jacobian, LimitTable, Minimum, Plot, Stop, Table, Tangent, TaylorSeries, Trace,
};
use serde_json::Value;

/// Lays out rows of cells in columns: the first `left` columns left-aligned,
/// the rest right-aligned; the first row is a dimmed header.
fn columns(rows: &[Vec<String>], left: usize, st: Style) -> String {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let w = super::column_widths(rows, ncol);
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let mut line = String::from("  ");
        for (k, cell) in r.iter().enumerate() {
            let pad = " ".repeat(w[k] - cell.chars().count());
            let text = if i == 0 { st.dim(cell) } else { cell.clone() };
            if k < left {
                line.push_str(&format!("{text}{pad}  "));
            } else {
                line.push_str(&format!("{pad}{text}  "));
            }
        }
        out.push(line.trim_end().to_string());
    }
    out.join("\n")
}

fn at_point(vars: &[String], point: &[f64], st: Style) -> String {
    vars.iter()
        .zip(point)
        .map(|(k, v)| format!("{k} = {}", st.num(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn err(v: f64) -> String {
    format::significant(v, 2)
}

// ------------------------------------------------------------------ text

pub fn jacobian(j: &Jacobian, st: Style) -> String {
    let mut s = st.dim(&format!(
        "{} at {}",
        j.exprs.join(", "),
        at_point(&j.vars, &j.point, st)
    ));
    let mut rows = vec![
        std::iter::once("output".to_string())
            .chain(std::iter::once("value".to_string()))
            .chain(j.vars.iter().map(|v| format!("∂/∂{v}")))
            .collect::<Vec<_>>(),
    ];
    for (i, e) in j.exprs.iter().enumerate() {
        let mut r = vec![e.clone(), st.num(j.values[i])];
        r.extend(j.jacobian[i].iter().map(|v| st.num(*v)));
        rows.push(r);
    }
    let mut sums = vec!["sum of rows".to_string(), String::new()];
    sums.extend(j.column_sums.iter().map(|v| st.num(*v)));
    rows.push(sums);
    s.push('\n');
    s.push_str(&columns(&rows, 1, st));
    s.push_str(&format!(
        "\n  {}",
        st.dim(
            "the sum of rows is what TensorFlow's tape.gradient([y1, y2, …], x) returns for a list of targets"
        )
    ));
    push_warnings(&mut s, &j.warnings, st);
    s
}

pub fn limit(l: &LimitTable, st: Style) -> String {
    let v = &l.vars[l.wrt];
    let d = if l.vars.len() == 1 {
        format!("d/d{v}")
    } else {
        format!("∂/∂{v}")
    };
    let mut s = st.dim(&format!(
        "{} at {}",
        l.expr,
        at_point(&l.vars, &l.point, st)
    ));
    s.push_str(&format!(
        "\n  {d} = {} by automatic differentiation; difference quotients:",
        st.bold(&st.num(l.exact))
    ));
    let mut rows = vec![vec![
        "h".to_string(),
        "forward (f(x+h)-f(x))/h".to_string(),
        "error".to_string(),
        "central (f(x+h)-f(x-h))/2h".to_string(),
        "error".to_string(),
    ]];
    for r in &l.rows {
        rows.push(vec![
            format::shortest(r.h),
            st.num(r.forward),
            err(r.forward_err),
            st.num(r.central),
            err(r.central_err),
        ]);
    }
    s.push('\n');
    s.push_str(&columns(&rows, 1, st));
    let best = |f: fn(&crate::outcome::LimitRow) -> f64| {
        l.rows
            .iter()
            .filter(|r| f(r).is_finite())
            .min_by(|a, b| f(a).total_cmp(&f(b)))
            .map(|r| format::shortest(r.h))
    };
    if let Some((left, right)) = l.sides {
        s.push_str(&format!(
            "\n  {}",
            st.dim(&format!(
                "the quotients settle on {} from the left and {} from the right: a kink, no derivative here",
                st.num(left),
                st.num(right)
            ))
        ));
    } else if let (Some(bf), Some(bc)) = (best(|r| r.forward_err), best(|r| r.central_err)) {
        s.push_str(&format!(
            "\n  {}",
            st.dim(&format!(
                "smallest error: forward at h = {bf}, central at h = {bc}; below that, round-off wins over truncation"
            ))
        ));
    }
    push_warnings(&mut s, &l.warnings, st);
    s
}

/// `2x - 3`, `2x + 3y - 1`: a linear form that reads back as an expression.
pub fn linear(terms: &[(f64, &str)], c: f64, st: Style) -> String {
    let mut s = String::new();
    for &(m, v) in terms {
        if m == 0.0 {
            continue;
        }
        let mag = if m.abs() == 1.0 {
            String::new()
        } else {
            st.num(m.abs())
        };
        if s.is_empty() {
            s.push_str(&format!("{}{mag}{v}", if m < 0.0 { "-" } else { "" }));
        } else {
            s.push_str(&format!(" {} {mag}{v}", if m < 0.0 { "-" } else { "+" }));
        }
    }
    if s.is_empty() {
        return st.num(c);
    }
    if c != 0.0 || c.is_nan() {
        s.push_str(&format!(
            " {} {}",
            if c < 0.0 { "-" } else { "+" },
            st.num(c.abs())
        ));
    }
    s
}

/// The name for the left side of a tangent: `y` (line) or `z` (plane), unless
/// a variable has that name.
fn lhs_name(t: &Tangent) -> &'static str {
    let want = if t.vars.len() == 1 { "y" } else { "z" };
    if t.vars.iter().any(|v| v == want) {
        "f"
    } else {
        want
    }
}

pub fn tangent_equation(t: &Tangent, st: Style) -> String {
    let var = |i: usize| t.vars.get(i).map_or("x", String::as_str);
    if t.value.is_finite() && t.slopes.iter().any(|m| m.is_nan()) {
        return "none: the derivative is undefined here".to_string();
    }
    if let Some(i) = t.slopes.iter().position(|m| m.is_infinite()) {
        // The tangent is vertical: a line x = x0 (in the plane, x = x0 too:
        // the plane of all y and z there).
        return match (t.value.is_finite(), t.slopes.len()) {
            (true, 1) => format!("{} = {} (vertical)", var(i), st.num(t.point[i])),
            _ => format!("none: the slope along {} is infinite here", var(i)),
        };
    }
    let terms: Vec<(f64, &str)> = t
        .slopes
        .iter()
        .copied()
        .zip(t.vars.iter().map(String::as_str))
        .collect();
    format!("{} = {}", lhs_name(t), linear(&terms, t.intercept, st))
}

pub fn tangent(t: &Tangent, st: Style) -> String {
    let mut s = st.dim(&format!(
        "{} at {}",
        t.expr,
        at_point(&t.vars, &t.point, st)
    ));
    let mut rows: Vec<(String, String)> = vec![("value".into(), st.num(t.value))];
    if t.vars.len() == 1 {
        rows.push(("slope".into(), st.num(t.slopes[0])));
    } else {
        for (v, m) in t.vars.iter().zip(&t.slopes) {
            rows.push((format!("∂/∂{v}"), st.num(*m)));
        }
    }
    let what = if t.vars.len() == 1 { "line" } else { "plane" };
    rows.push((what.into(), st.bold(&tangent_equation(t, st))));
    let w = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    for (k, v) in rows {
        let pad = " ".repeat(w - k.chars().count());
        s.push_str(&format!("\n  {k}{pad}  {v}"));
    }
    push_warnings(&mut s, &t.warnings, st);
    s
}

pub fn taylor(t: &TaylorSeries, st: Style) -> String {
    let mut s = st.dim(&format!(
        "{} at {} = {}, order {}",
        t.expr,
        t.var,
        st.num(t.point),
        t.coeffs.len().saturating_sub(1)
    ));
    let mut rows = vec![vec![
        "k".to_string(),
        "coefficient f⁽ᵏ⁾/k!".to_string(),
        "derivative f⁽ᵏ⁾".to_string(),
    ]];
    // A column of correct digits only where some coefficient lost them.
    let marked = t.digits.iter().any(Option::is_some);
    if marked {
        rows[0].push("correct digits".to_string());
    }
    for (k, (c, d)) in t.coeffs.iter().zip(&t.derivatives).enumerate() {
        let mut row = vec![k.to_string(), st.num(*c), st.num(*d)];
        if marked {
            let digits = t.digits.get(k).copied().flatten();
            row.push(digits.map_or(String::new(), |d| st.warn(&format!("~{d}"))));
        }
        rows.push(row);
    }
    s.push('\n');
    s.push_str(&columns(&rows, 0, st));
    push_warnings(&mut s, &t.warnings, st);
    s
}

pub fn trace(t: &Trace, st: Style) -> String {
    let d = |v: &str| {
        if t.vars.len() == 1 {
            format!("d/d{v}")
        } else {
            format!("∂/∂{v}")
        }
    };
    let (title, heads): (String, Vec<String>) = match &t.wrt {
        Some(w) => (
            format!("tangents along {w}"),
            vec![format!("tangent {}", d(w))],
        ),
        None => (
            "every node's gradient".to_string(),
            t.vars.iter().map(|v| d(v)).collect(),
        ),
    };
    let mut s = st.dim(&format!(
        "{} at {}; {title}",
        t.expr,
        at_point(&t.vars, &t.point, st)
    ));
    let mut rows = vec![
        [
            "node".to_string(),
            "operation".to_string(),
            "value".to_string(),
        ]
        .into_iter()
        .chain(heads)
        .collect::<Vec<_>>(),
    ];
    for r in &t.rows {
        let mut row = vec![r.name.clone(), r.op.clone(), st.num(r.value)];
        row.extend(r.tangents.iter().map(|g| st.num(*g)));
        rows.push(row);
    }
    s.push('\n');
    s.push_str(&columns(&rows, 2, st));
    push_warnings(&mut s, &t.warnings, st);
    s
}

fn stop_text(m: &Minimum) -> String {
    match m.stop {
        Stop::Converged => format!("converged: |∇f| ≤ tol = {}", format::shortest(m.tol)),
        Stop::Steps => format!("made the {} steps asked for", m.steps),
        Stop::Diverged => "DIVERGED: the value or the point grew without bound (try a smaller lr); the last finite point is shown".to_string(),
        Stop::Interrupted => "interrupted (Ctrl-C); the point reached is shown".to_string(),
        Stop::Deadline => format!(
            "stopped at the {} s deadline; the point reached is shown",
            crate::limits::MIN_DEADLINE_SECS
        ),
    }
}

pub fn minimum(m: &Minimum, st: Style) -> String {
    let mut s = st.dim(&format!(
        "{} from {}; method={} lr={} steps={} tol={}",
        m.expr,
        at_point(&m.vars, &m.start, st),
        m.method.as_str(),
        format::shortest(m.lr),
        m.steps,
        format::shortest(m.tol)
    ));
    let mut rows = vec![
        std::iter::once("iteration".to_string())
            .chain(m.vars.iter().cloned())
            .chain(["f".to_string(), "|∇f|".to_string()])
            .collect::<Vec<_>>(),
    ];
    for p in &m.progress {
        let mut r = vec![p.iteration.to_string()];
        r.extend(p.point.iter().map(|v| st.num(*v)));
        r.push(st.num(p.value));
        r.push(err(p.grad_norm));
        rows.push(r);
    }
    s.push('\n');
    s.push_str(&columns(&rows, 0, st));
    let stop = stop_text(m);
    let stop = if m.stop == Stop::Diverged {
        st.bad(&stop)
    } else {
        stop
    };
    s.push_str(&format!(
        "\n  stopped     after {} iteration{}: {stop}",
        m.iterations,
        if m.iterations == 1 { "" } else { "s" }
    ));
    s.push_str(&format!(
        "\n  point       {}",
        st.bold(&at_point(&m.vars, &m.point, st))
    ));
    s.push_str(&format!("\n  value       {}", st.bold(&st.num(m.value))));
    s.push_str(&format!("\n  |∇f|        {}", err(m.grad_norm)));
    if m.shifted > 0 {
        s.push_str(&format!(
            "\n  {}",
            st.dim(&format!(
                "the Hessian was not positive definite in {} iteration{}: shifted by a multiple of the identity",
                m.shifted,
                if m.shifted == 1 { "" } else { "s" }
            ))
        ));
    }
    push_warnings(&mut s, &m.warnings, st);
    s
}

/// RGB colours of the curves (textplots' colour form), in legend order.
const COLOURS: [(u8, u8, u8); 8] = [
    (80, 160, 255),
    (255, 150, 50),
    (80, 200, 120),
    (230, 80, 80),
    (180, 120, 230),
    (200, 200, 80),
    (80, 210, 210),
    (240, 120, 200),
];

/// Which textplots mark a curve gets without colour, and its legend word.
/// A piece of curve `.0` to draw, as a line (`.1`) or as points.
type Piece = (usize, bool, Vec<(f32, f32)>);

/// How curve `i` is drawn without colour, and the legend's word for it.
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Line,
    Dots,
    Dashes,
    SparseDots,
}

const MARKS: [Mark; 4] = [Mark::Line, Mark::Dots, Mark::Dashes, Mark::SparseDots];

fn plain_mark(i: usize) -> &'static str {
    match MARKS[i % MARKS.len()] {
        Mark::Line => "line",
        Mark::Dots => "dots",
        Mark::Dashes => "dashes",
        Mark::SparseDots => "sparse dots",
    }
}

/// The pieces a segment is drawn as: the whole of it, or every other run of
/// a few samples (dashes), or every sixth sample (sparse dots).
fn marked(mark: Mark, pts: &[(f32, f32)]) -> Vec<(bool, Vec<(f32, f32)>)> {
    const RUN: usize = 6;
    match mark {
        _ if pts.len() < 2 => vec![(false, pts.to_vec())],
        Mark::Line => vec![(true, pts.to_vec())],
        Mark::Dots => vec![(false, pts.to_vec())],
        Mark::Dashes => pts
            .chunks(RUN)
            .step_by(2)
            .map(|c| (c.len() > 1, c.to_vec()))
            .collect(),
        Mark::SparseDots => vec![(false, pts.iter().step_by(RUN).copied().collect())],
    }
}

/// A tick label for an axis spanning `span`: four significant digits, or
/// enough to tell apart values far from 0 (`100000000`, `100000010`).
fn tick(v: f64, span: f64) -> String {
    let digits = if span > 0.0 && v.abs() > 1e3 * span {
        ((v.abs() / span).log10().ceil() as usize + 3).min(17)
    } else {
        4
    };
    format::significant(v, digits)
}

pub fn plot(p: &Plot, st: Style) -> String {
    let auto = super::plot::auto_y_range(p);
    let ((lo, hi), clipped) = match (p.ylim, auto) {
        (Some(r), _) => (r, false),
        (None, Some(a)) => a,
        (None, None) => {
            let mut s = st.dim(&format!(
                "{} on {}..{}",
                labels(p),
                format::shortest(p.from),
                format::shortest(p.to)
            ));
            s.push_str("\n  no curve has a finite value on this range: nothing to draw");
            return s;
        }
    };
    let mut s = st.dim(&format!(
        "{} on {} = {}..{}",
        labels(p),
        p.var,
        format::shortest(p.from),
        format::shortest(p.to)
    ));
    s.push_str(&format!("\n{}", st.dim("y")));
    for line in chart(p, (lo, hi), st).trim_end().lines() {
        s.push('\n');
        s.push_str(line.trim_end_matches('\u{2800}').trim_end());
    }
    s.push_str(&format!(" {}", st.dim(&p.var)));
    s.push_str(&legend(p, st));
    if clipped {
        s.push_str(&st.dim(&format!(
            "\n  y shown on {}..{}, where most values lie; a few lie far outside (ylim=A..B to choose)",
            format::significant(lo, 4),
            format::significant(hi, 4)
        )));
    }
    if let Some(path) = &p.svg {
        s.push_str(&format!("\n  wrote {path}"));
    }
    s
}

/// The pieces the curves are drawn as, in the chart's f32 coordinates
/// (shifted by `(ox, oy)`): one per defined run of samples, so the gaps
/// stay gaps, each cut into its mark's dashes or dots without colour.
fn pieces(p: &Plot, (lo, hi): (f64, f64), (ox, oy): (f64, f64), st: Style) -> Vec<Piece> {
    p.curves
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            super::plot::segments(&p.xs, &c.ys, Some((lo, hi)))
                .into_iter()
                .flat_map(move |seg| {
                    let pts: Vec<(f32, f32)> = seg
                        .into_iter()
                        .map(|(x, y)| ((x - ox) as f32, (y - oy) as f32))
                        .collect();
                    let mark = if st.color {
                        Mark::Line
                    } else {
                        MARKS[i % MARKS.len()]
                    };
                    marked(mark, &pts)
                        .into_iter()
                        .map(move |(line, pts)| (i, line, pts))
                })
        })
        .collect()
}

/// The braille chart of the curves over y range `lo..hi`, with its ticks.
fn chart(p: &Plot, (lo, hi): (f64, f64), st: Style) -> String {
    use textplots::{Chart, ColorPlot, LabelBuilder, LabelFormat, Plot as _, Shape};
    // The chart computes in f32: shift both axes to a nearby zero first.
    let (ox, oy) = (
        super::plot::axis_offset(p.from, p.to),
        super::plot::axis_offset(lo, hi),
    );
    let segs = pieces(p, (lo, hi), (ox, oy), st);
    let shapes: Vec<(usize, Shape)> = segs
        .iter()
        .map(|(i, line, pts)| {
            let shape = if *line {
                Shape::Lines(pts)
            } else {
                Shape::Points(pts)
            };
            (*i, shape)
        })
        .collect();
    let mut chart = Chart::new_with_y_range(
        120,
        48,
        (p.from - ox) as f32,
        (p.to - ox) as f32,
        (lo - oy) as f32,
        (hi - oy) as f32,
    );
    let (sx, sy) = (p.to - p.from, hi - lo);
    let mut c: &mut Chart = &mut chart;
    c = c.x_label_format(LabelFormat::Custom(Box::new(move |v| {
        tick(f64::from(v) + ox, sx)
    })));
    c = c.y_label_format(LabelFormat::Custom(Box::new(move |v| {
        tick(f64::from(v) + oy, sy)
    })));
    for (i, shape) in &shapes {
        c = if st.color {
            let (r, g, b) = COLOURS[i % COLOURS.len()];
            c.linecolorplot(shape, rgb::RGB8::new(r, g, b))
        } else {
            c.lineplot(shape)
        };
    }
    c.axis();
    c.figures();
    format!("{c}")
}

/// One line per curve: its colour or mark, its label, and how many of
/// its samples are undefined.
fn legend(p: &Plot, st: Style) -> String {
    let mut s = String::new();
    for (i, c) in p.curves.iter().enumerate() {
        let key = if st.color {
            let (r, g, b) = COLOURS[i % COLOURS.len()];
            use colored::Colorize;
            "━━".truecolor(r, g, b).to_string()
        } else {
            format!("({})", plain_mark(i))
        };
        let undefined = c.ys.iter().filter(|y| !y.is_finite()).count();
        let note = if undefined > 0 {
            st.dim(&format!(
                "  (undefined at {undefined} of {} samples)",
                c.ys.len()
            ))
        } else {
            String::new()
        };
        s.push_str(&format!("\n  {key} {}{note}", c.label));
    }
    s
}

fn labels(p: &Plot) -> String {
    p.curves
        .iter()
        .map(|c| c.label.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Below this fraction of the largest value in its column, a value is
/// rounding noise (sin at π is 1.2e-16, not a small number worth reading).
const NOISE: f64 = 1e-13;

pub fn table(t: &Table, st: Style) -> String {
    // A column that is the variable itself repeats the first column.
    let shown: Vec<usize> = (0..t.columns.len())
        .filter(|&j| t.columns[j] != t.var)
        .collect();
    let scale: Vec<f64> = (0..t.columns.len())
        .map(|j| {
            t.rows
                .iter()
                .map(|r| r[j].abs())
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max)
        })
        .collect();
    let mut rows = vec![
        std::iter::once(t.var.clone())
            .chain(shown.iter().map(|&j| t.columns[j].clone()))
            .collect::<Vec<_>>(),
    ];
    let mut noise = false;
    for (x, r) in t.xs.iter().zip(&t.rows) {
        let mut row = vec![st.num(*x)];
        for &j in &shown {
            let v = r[j];
            if v != 0.0 && v.abs() < NOISE * scale[j] {
                noise = true;
                row.push("≈0".to_string());
            } else {
                row.push(st.num(v));
            }
        }
        rows.push(row);
    }
    let mut s = columns(&rows, 0, st);
    if noise {
        s.push_str(&st.dim(&format!(
            "\n  ≈0: rounding noise, below {NOISE:e} of the largest value in its column (the exact values are in --json)"
        )));
    }
    s
}

// ------------------------------------------------------------------ JSON

fn matrix_json(m: &[Vec<f64>]) -> Value {
    m.iter().map(|r| arr(r)).collect()
}

pub fn jacobian_json(o: Obj, j: &Jacobian, input: &str) -> Obj {
    let o = o
        .put("exprs", str_arr(&j.exprs))
        .put("vars", str_arr(&j.vars))
        .put("point", arr(&j.point))
        .put("values", arr(&j.values))
        .put("jacobian", matrix_json(&j.jacobian))
        .put("column_sums", arr(&j.column_sums));
    warnings_json(o, &j.warnings, input)
}

pub fn limit_json(o: Obj, l: &LimitTable, input: &str) -> Obj {
    let rows: Vec<Value> = l
        .rows
        .iter()
        .map(|r| {
            Obj::new()
                .num("h", r.h)
                .num("forward", r.forward)
                .num("forward_err", r.forward_err)
                .num("central", r.central)
                .num("central_err", r.central_err)
                .end()
        })
        .collect();
    let o = o
        .str("expr", &l.expr)
        .put("vars", str_arr(&l.vars))
        .put("point", arr(&l.point))
        .str("wrt", &l.vars[l.wrt])
        .num("value", l.value)
        .num("exact", l.exact)
        .put("rows", rows);
    let o = match l.sides {
        Some((left, right)) => o.put("kink", arr(&[left, right])),
        None => o,
    };
    warnings_json(o, &l.warnings, input)
}

pub fn tangent_json(o: Obj, t: &Tangent, input: &str) -> Obj {
    let plain = Style {
        color: false,
        digits: None,
    };
    let o = o
        .str("expr", &t.expr)
        .put("vars", str_arr(&t.vars))
        .put("point", arr(&t.point))
        .num("value", t.value)
        .put("slopes", arr(&t.slopes))
        .num("intercept", t.intercept)
        .str("equation", &tangent_equation(t, plain));
    warnings_json(o, &t.warnings, input)
}

pub fn taylor_json(o: Obj, t: &TaylorSeries, input: &str) -> Obj {
    let o = o
        .str("expr", &t.expr)
        .str("var", &t.var)
        .num("point", t.point)
        .put("order", t.coeffs.len().saturating_sub(1))
        .put("coefficients", arr(&t.coeffs))
        .put("derivatives", arr(&t.derivatives));
    // Where some coefficient lost digits: how many each kept (null: all).
    let o = if t.digits.iter().any(Option::is_some) {
        o.put("correct_digits", t.digits.clone())
    } else {
        o
    };
    warnings_json(o, &t.warnings, input)
}

pub fn trace_json(o: Obj, t: &Trace, input: &str) -> Obj {
    let rows: Vec<Value> = t
        .rows
        .iter()
        .map(|r| {
            let row = Obj::new()
                .str("node", &r.name)
                .str("op", &r.op)
                .num("value", r.value);
            match (&t.wrt, r.tangents.as_slice()) {
                (Some(_), [g]) => row.num("tangent", *g),
                _ => row.put("gradient", arr(&r.tangents)),
            }
            .end()
        })
        .collect();
    let o = o
        .str("expr", &t.expr)
        .put("vars", str_arr(&t.vars))
        .put("point", arr(&t.point));
    let o = match &t.wrt {
        Some(w) => o.str("wrt", w),
        None => o,
    };
    let o = o.put("rows", rows);
    warnings_json(o, &t.warnings, input)
}

pub fn minimum_json(o: Obj, m: &Minimum, input: &str) -> Obj {
    let progress: Vec<Value> = m
        .progress
        .iter()
        .map(|p| {
            Obj::new()
                .put("iteration", p.iteration)
                .put("point", arr(&p.point))
                .num("value", p.value)
                .num("grad_norm", p.grad_norm)
                .end()
        })
        .collect();
    let o = o
        .str("expr", &m.expr)
        .put("vars", str_arr(&m.vars))
        .put("start", arr(&m.start))
        .str("method", m.method.as_str())
        .num("lr", m.lr)
        .put("steps", m.steps)
        .num("tol", m.tol)
        .put("point", arr(&m.point))
        .num("value", m.value)
        .put("gradient", arr(&m.gradient))
        .num("grad_norm", m.grad_norm)
        .put("iterations", m.iterations)
        .str("stop", m.stop.as_str())
        .put("hessian_shifts", m.shifted)
        .put("progress", progress);
    warnings_json(o, &m.warnings, input)
}

pub fn plot_json(o: Obj, p: &Plot) -> Obj {
    let curves: Vec<Value> = p
        .curves
        .iter()
        .map(|c| Obj::new().str("label", &c.label).put("y", arr(&c.ys)).end())
        .collect();
    let mut o = o
        .str("var", &p.var)
        .num("from", p.from)
        .num("to", p.to)
        .put("x", arr(&p.xs))
        .put("curves", curves);
    if let Some(s) = &p.svg {
        o = o.str("svg", s);
    }
    o
}

pub fn table_json(o: Obj, t: &Table) -> Obj {
    o.str("var", &t.var)
        .put("columns", str_arr(&t.columns))
        .put("x", arr(&t.xs))
        .put("rows", matrix_json(&t.rows))
}
