//! `:plot` and `:table`: evenly spaced samples of curves, and SVG export.
//!
//! The library samples and writes the SVG file (like `:save`, it writes what
//! it is asked to); the terminal chart is drawn by the binary from the samples.

use crate::error::{Error, ErrorKind};
use crate::outcome::Plot;

/// Samples per curve unless `samples=` says otherwise.
pub const DEFAULT_SAMPLES: usize = 401;

/// `n` evenly spaced points from `a` to `b`, both included (`n ≥ 2`).
pub fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    let n = n.max(2);
    let d = (b - a) / (n - 1) as f64;
    (0..n)
        .map(|i| if i == n - 1 { b } else { a + d * i as f64 })
        .collect()
}

/// The points `a, a+s, a+2s, …` up to `b` (with a little slack for rounding,
/// so `0..1 step 0.1` ends at 1).
pub fn stepped(a: f64, b: f64, s: f64) -> Vec<f64> {
    let n = ((b - a) / s * (1.0 + 1e-12) + 1e-9).floor() as usize;
    (0..=n).map(|i| a + s * i as f64).collect()
}

/// The y range to draw: `ylim=` if given, else [`auto_y_range`].
pub fn y_range(plot: &Plot) -> Option<(f64, f64)> {
    plot.ylim.or_else(|| auto_y_range(plot).map(|(r, _)| r))
}

/// The grid `a + i·s` up to `b`, each point rounded to the decimals of `a`
/// and `s` as written shortest (`0..3 step 0.3` gives 0.9, not
/// 0.8999999999999999): the points a person means, and evaluates at.
pub fn grid(a: f64, b: f64, s: f64) -> Vec<f64> {
    let decimals = |v: f64| {
        let t = crate::format::shortest(v);
        if t.contains('e') {
            None
        } else {
            Some(t.split_once('.').map_or(0, |(_, f)| f.len()))
        }
    };
    let xs = stepped(a, b, s);
    match (decimals(a), decimals(s)) {
        (Some(da), Some(ds)) if da.max(ds) <= 15 => {
            let scale = 10f64.powi(da.max(ds) as i32);
            xs.into_iter()
                .map(|x| {
                    let r = (x * scale).round() / scale;
                    if r.is_finite() { r } else { x }
                })
                .collect()
        }
        _ => xs,
    }
}

/// A robust y range for drawing: the whole range of the finite values, unless
/// a few samples (a pole) stretch it far beyond where most of them lie; then
/// the 2nd to 98th percentile, widened. `true` when it clipped so.
pub fn auto_y_range(plot: &Plot) -> Option<((f64, f64), bool)> {
    let mut ys: Vec<f64> = plot
        .curves
        .iter()
        .flat_map(|c| c.ys.iter().copied())
        .filter(|y| y.is_finite())
        .collect();
    if ys.is_empty() {
        return None;
    }
    ys.sort_by(f64::total_cmp);
    let (lo, hi) = (ys[0], ys[ys.len() - 1]);
    let q = |p: f64| ys[((ys.len() - 1) as f64 * p).round() as usize];
    let (qlo, qhi) = (q(0.02), q(0.98));
    // A pole: the whole range is many times that of nine tenths of the
    // values (tan on -3..3: ±238 against ±6.3).
    let bulk = (q(0.95) - q(0.05)).max(f64::MIN_POSITIVE);
    let clip = (hi - lo) > 20.0 * (qhi - qlo).max(f64::MIN_POSITIVE) || (hi - lo) > 8.0 * bulk;
    let (mut lo, mut hi) = if clip {
        let pad = 0.25 * (qhi - qlo);
        (qlo - pad, qhi + pad)
    } else {
        (lo, hi)
    };
    if hi - lo < 1e-12 * (1.0 + lo.abs()) {
        lo -= 1.0;
        hi += 1.0;
    }
    Some(((lo, hi), clip))
}

/// Where to put the zero of an axis spanning `lo..hi` so that f32 (what the
/// terminal chart draws with) resolves it: 0 for most ranges; for a range
/// far from 0 compared with its width (`1e8 + x` on 0..10), a round number
/// just below it.
pub fn axis_offset(lo: f64, hi: f64) -> f64 {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 || lo.abs().max(hi.abs()) < 1e4 * span {
        return 0.0;
    }
    let step = 10f64.powf((span.log10()).ceil() + 1.0);
    (lo / step).floor() * step
}

/// The runs of consecutive samples where a curve is defined (and inside
/// `lo..=hi` when given): the pieces to draw, with gaps between them.
pub fn segments(xs: &[f64], ys: &[f64], range: Option<(f64, f64)>) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for (&x, &y) in xs.iter().zip(ys) {
        let inside = y.is_finite() && range.is_none_or(|(lo, hi)| y >= lo && y <= hi);
        if inside {
            cur.push((x, y));
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Writes the plot as an SVG file at `path`, as `:save` writes its file
/// (see [`crate::files::write_atomic`]).
pub fn write_svg(plot: &Plot, path: &str) -> Result<(), Error> {
    use plotters::prelude::*;
    let io = |msg: String| Error::new(ErrorKind::Io, msg);
    let mut text = String::new();
    let (lo, hi) = y_range(plot).unwrap_or((-1.0, 1.0));
    {
        let root = SVGBackend::with_string(&mut text, (800, 500)).into_drawing_area();
        let draw = |e: &dyn std::fmt::Display| io(format!("cannot draw the SVG: {e}"));
        root.fill(&WHITE).map_err(|e| draw(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(plot.from..plot.to, lo..hi)
            .map_err(|e| draw(&e))?;
        chart
            .configure_mesh()
            .x_desc(plot.var.as_str())
            .y_desc("y")
            .draw()
            .map_err(|e| draw(&e))?;
        for (i, c) in plot.curves.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            let mut first = true;
            for seg in segments(&plot.xs, &c.ys, Some((lo, hi))) {
                let s = chart
                    .draw_series(LineSeries::new(seg, color.stroke_width(2)))
                    .map_err(|e| draw(&e))?;
                if first {
                    s.label(c.label.as_str()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                    });
                    first = false;
                }
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| draw(&e))?;
        root.present().map_err(|e| draw(&e))?;
    }
    crate::files::write_atomic(&crate::files::expand_home(path), text.as_bytes())
        .map_err(|e| e.into_error(&format!("cannot write `{path}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linspace_ends_exactly() {
        let v = linspace(-6.5, 3.5, 11);
        assert_eq!(v.len(), 11);
        assert_eq!(v[0], -6.5);
        assert_eq!(v[10], 3.5);
        assert_eq!(v[5], -1.5);
    }

    #[test]
    fn stepped_includes_the_end() {
        assert_eq!(stepped(0.0, 1.0, 0.25), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(stepped(0.0, 1.0, 0.1).len(), 11);
    }

    #[test]
    fn the_grid_has_the_steps_precision() {
        let g = grid(0.0, 3.2, 0.3);
        assert_eq!(g[3], 0.9);
        assert_eq!(g[6], 1.8);
        assert_eq!(g.len(), 11);
        assert_eq!(grid(-1.25, 1.0, 0.05)[7], -0.9);
        assert_eq!(grid(0.0, 1e-20, 1e-21).len(), 11);
    }

    #[test]
    fn segments_break_at_gaps() {
        let xs = [0.0, 1.0, 2.0, 3.0, 4.0];
        let ys = [1.0, f64::NAN, 2.0, 3.0, f64::INFINITY];
        let s = segments(&xs, &ys, None);
        assert_eq!(s, vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]);
    }
}
