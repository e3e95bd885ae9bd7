//! Arrays in the workflows: `:table` and `:plot` of array values and on a
//! vector, and `:check`'s table over array entries.

mod common;
use common::*;
use serde_json::Value;

fn columns(r: &Value) -> Vec<String> {
    r["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

fn rows(r: &Value) -> Vec<Vec<f64>> {
    r["rows"].as_array().unwrap().iter().map(nums).collect()
}

#[test]
fn an_array_value_has_a_column_per_entry() {
    let r = last_json(&["w = [1, 2, 3]", ":table w*t on 0..2 step 1"]);
    assert_eq!(r["var"], "t");
    assert_eq!(columns(&r), ["(w * t)[0]", "(w * t)[1]", "(w * t)[2]"]);
    assert_eq!(nums(&r["x"]), vec![0.0, 1.0, 2.0]);
    assert_eq!(
        rows(&r),
        vec![
            vec![0.0, 0.0, 0.0],
            vec![1.0, 2.0, 3.0],
            vec![2.0, 4.0, 6.0]
        ]
    );
    // A stacked literal and a scalar column side by side.
    let r = last_json(&[":table [t, t^2], 2t on 0..1 step 0.5"]);
    assert_eq!(columns(&r), ["[t, t^2][0]", "[t, t^2][1]", "2 * t"]);
    assert_eq!(rows(&r)[1], vec![0.5, 0.25, 1.0]);
    // softmax of each row sums to 1.
    let r = last_json(&[":table softmax([t, 0]) on 0..2 step 1"]);
    for row in rows(&r) {
        close(row[0] + row[1], 1.0, 1e-15);
    }
    close(rows(&r)[1][0], 1.0 / (1.0 + (-1f64).exp()), 1e-15);
}

#[test]
fn an_array_named_like_the_axis_is_shadowed_by_it() {
    // As a scalar definition is: the axis variable is the table's own.
    let r = last_json(&["x = [5, 6, 7]", ":table x^2 on 0..2 step 1"]);
    assert_eq!(columns(&r), ["x^2"]);
    assert_eq!(rows(&r), vec![vec![0.0], vec![1.0], vec![4.0]]);
}

#[test]
fn on_a_vector_the_variable_is_the_whole_vector() {
    let setup = ["x = [0, 1, 2, 3]", "y = [1, 3, 2, 5]"];
    let r = last_json(&[setup[0], setup[1], ":table y, x^2, x - mean(x) on x"]);
    assert_eq!(r["var"], "x");
    assert_eq!(nums(&r["x"]), vec![0.0, 1.0, 2.0, 3.0]);
    assert_eq!(
        rows(&r),
        vec![
            vec![1.0, 0.0, -1.5],
            vec![3.0, 1.0, -0.5],
            vec![2.0, 4.0, 0.5],
            vec![5.0, 9.0, 1.5]
        ]
    );
    // A free name takes the vector's values; a literal works too.
    let r = last_json(&[":table t^2 on [3, 1, 2]"]);
    assert_eq!(r["var"], "t");
    assert_eq!(nums(&r["x"]), vec![3.0, 1.0, 2.0]);
    assert_eq!(rows(&r), vec![vec![9.0], vec![1.0], vec![4.0]]);
    // A matrix with a row per point: a column per column.
    let r = last_json(&[setup[0], ":table transpose([x, 2x]) on x"]);
    assert_eq!(
        columns(&r),
        ["transpose([x, 2 * x])[:, 0]", "transpose([x, 2 * x])[:, 1]"]
    );
    assert_eq!(rows(&r)[3], vec![3.0, 6.0]);
}

#[test]
fn a_plot_on_data_joins_its_points_from_left_to_right() {
    let r = last_json(&[
        "x = [3, 0, 2, 1]",
        "y = [30, 0, 20, 10]",
        ":plot y, [x, -x] on x",
    ]);
    assert_eq!(r["kind"], "plot");
    assert_eq!(nums(&r["x"]), vec![0.0, 1.0, 2.0, 3.0]);
    assert_eq!((num(&r["from"]), num(&r["to"])), (0.0, 3.0));
    let curves = r["curves"].as_array().unwrap();
    assert_eq!(curves.len(), 3);
    assert_eq!(nums(&curves[0]["y"]), vec![0.0, 10.0, 20.0, 30.0]);
    assert_eq!(curves[1]["label"], "[x, -x][0]");
    assert_eq!(nums(&curves[2]["y"]), vec![0.0, -1.0, -2.0, -3.0]);
    let text = succeed(&["w = [1, 2]", ":plot w*t on 0..1"]);
    assert!(
        text.contains("(w * t)[0], (w * t)[1] on t = 0..1"),
        "{text}"
    );
    assert!(text.contains("(dots) (w * t)[1]"), "{text}");
}

#[test]
fn bad_tables_and_plots_over_arrays_are_errors() {
    let e = fail(&[":table x on [[1, 2], [3, 4]]"]);
    assert!(e.contains("must be a vector, not shape (2, 2)"), "{e}");
    assert!(e.contains("-e:1:13"), "{e}");
    let e = fail(&[":table x on 1"]);
    assert!(e.contains("must be a vector, not a number"), "{e}");
    let e = fail(&[":table x on [1, nan]"]);
    assert!(e.contains("must be finite"), "{e}");
    let e = fail(&[":plot x on [1, 1]"]);
    assert!(e.contains("two different values"), "{e}");
    // No points at all: an error at the vector, not a crash.
    for stmt in [":plot x on zeros(0)", ":table x^2 on arange(0)"] {
        let e = fail(&[stmt, "1 + 1"]);
        assert!(e.contains("an empty vector has no points"), "{e}");
    }
    let e = fail(&["w = [1, 2, 3]", ":table w*t on [1, 2]"]);
    assert!(e.contains("shapes (3,) and (2,)"), "{e}");
    let e = fail(&[":table ones(9) * t on 0..1 step 1"]);
    assert!(e.contains("too many curves"), "{e}");
    let e = fail(&["x = [1, 2]", ":table ones(3) on x"]);
    assert!(e.contains("has shape (3,) over 2 points"), "{e}");
    // A range still needs its step.
    let e = fail(&[":table t on 0..2"]);
    assert!(e.contains("expected `step`"), "{e}");
    let e = fail(&[":table t on ones(20000)"]);
    assert!(e.contains("20000 points are too many"), "{e}");
}

#[test]
fn check_over_arrays_prints_a_row_per_entry() {
    let text = succeed(&[":check sum(exp(x)) at x = [0, 1]"]);
    for row in ["∂/∂x[0]", "∂/∂x[1]", "∂²/∂x[0]∂x[1]", "∂²/∂x[1]²"] {
        assert!(text.contains(row), "{text}");
    }
    assert!(text.contains("verdict"), "{text}");
    // `:grad` keeps its one line.
    let text = succeed(&[":grad sum(exp(x)) at x = [0, 1]"]);
    assert!(!text.contains("verdict"), "{text}");
    // Past the cap the rest are counted; a sample shows its direction.
    let text = succeed(&[":check sum(sin(x)) at x = ones(10)"]);
    assert!(text.contains("… and 35 more that pass"), "{text}");
    let text = succeed(&[":check sum(sin(x) * x) at x = ones(500) * 0.3"]);
    assert!(text.contains("∂/∂v "), "{text}");
    assert!(
        text.contains("random direction over all 500 entries"),
        "{text}"
    );
    let rows = text.lines().filter(|l| l.starts_with("  ∂/∂x[")).count();
    assert_eq!(rows, 20, "{text}");
    // A failing entry is shown even past the cap.
    let text = succeed(&[":check sum(abs(x - 0.5)) at x = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5]"]);
    assert!(text.contains("∂²/∂x[9]²"), "{text}");
    assert!(text.contains("… and 35 more that pass"), "{text}");
}

#[test]
fn points_over_arrays_are_checked_as_points_over_numbers_are() {
    // The same mistakes, the same messages and hints, with or without arrays.
    let pairs = [
        (":grad sum(x) + y at x = [1, 2]", ":grad x + y at x = 1"),
        (
            ":grad sum(x) at x = [1], x = [2]",
            ":grad x at x = 1, x = 2",
        ),
        (":grad sum(x) at z = [1]", ":grad x at z = 1"),
        (":grad sum(x) at [1], 2", ":grad x at 1, 2"),
    ];
    for (arrays, numbers) in pairs {
        let (a, n) = (last_json(&[arrays]), last_json(&[numbers]));
        assert_eq!(a["error"]["message"], n["error"]["message"], "{arrays}");
        assert_eq!(a["error"]["help"], n["error"]["help"], "{arrays}");
        assert_eq!(a["error"]["kind"], n["error"]["kind"], "{arrays}");
    }
    let e = fail(&[":grad sum(sin) at x = [1]"]);
    assert!(e.contains("did you mean `sum(sin(x))`?"), "{e}");
    let e = fail(&[":grad sum(x) at x = [1, nan]"]);
    assert!(e.contains("`x` holds nan: a point must be finite"), "{e}");
}
