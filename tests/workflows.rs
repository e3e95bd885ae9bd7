//! The tutorials' workflows: every command's numbers, through the
//! binary's JSON, and its bad input.

mod common;
use common::*;
use deriv::outcome::{Outcome, Stop};
use deriv::session::Session;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn matrix(v: &serde_json::Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(nums).collect()
}

// ------------------------------------------------------------------ :jac

#[test]
fn jac_of_the_tutorial_pair() {
    let r = last_json(&[":jac x1*x2, x1+x2 at 1, 2"]);
    assert_eq!(r["kind"], "jac");
    assert_eq!(r["vars"], serde_json::json!(["x1", "x2"]));
    assert_eq!(nums(&r["values"]), vec![2.0, 3.0]);
    assert_eq!(matrix(&r["jacobian"]), vec![vec![2.0, 1.0], vec![1.0, 1.0]]);
    // TensorFlow's gradient of [y1, y2] with respect to x1 is 3 (tutorial 001)
    assert_eq!(nums(&r["column_sums"]), vec![3.0, 2.0]);
}

#[test]
fn jac_variables_are_the_union_in_order_of_appearance() {
    let r = last_json(&[":jac 3x, x^2, y*x at x=5, y=2"]);
    assert_eq!(r["vars"], serde_json::json!(["x", "y"]));
    assert_eq!(
        matrix(&r["jacobian"]),
        vec![vec![3.0, 0.0], vec![10.0, 0.0], vec![2.0, 5.0]]
    );
    // tutorial 003: tape.gradient([3x, x^2], x) at 5 = 13
    let r = last_json(&[":jac 3x, x^2 at 5"]);
    assert_eq!(nums(&r["column_sums"]), vec![13.0]);
    let r = last_json(&[":jac b*c, a at 1, 2, 3"]);
    assert_eq!(r["vars"], serde_json::json!(["b", "c", "a"]));
}

// ------------------------------------------------------------------ :limit

#[test]
fn limit_reproduces_tutorial_004() {
    let r = last_json(&[":limit 3x^2-4x at 1"]);
    assert_eq!(r["kind"], "limit");
    assert_eq!(num(&r["exact"]), 2.0);
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    for (i, want) in [2.3, 2.03, 2.003, 2.0003, 2.00003].into_iter().enumerate() {
        close(num(&rows[i]["h"]), 10f64.powi(-(i as i32) - 1), 1e-15);
        close(num(&rows[i]["forward"]), want, 1e-9);
        close(num(&rows[i]["forward_err"]), want - 2.0, 1e-6);
    }
    // the central difference of a quadratic has no truncation error
    close(num(&rows[0]["central"]), 2.0, 1e-13);
    // and at h = 1e-12 round-off has taken over
    assert!(num(&rows[11]["forward_err"]) > 1e-6);
}

#[test]
fn limit_wrt_one_of_several() {
    let r = last_json(&[":limit x*y^2 wrt y at 3, 2"]);
    assert_eq!(r["wrt"], "y");
    assert_eq!(num(&r["exact"]), 12.0);
    close(num(&r["rows"][3]["central"]), 12.0, 1e-6);
    assert!(fail(&[":limit x*y at 1, 2"]).contains("wrt"));
}

// ------------------------------------------------------------------ :tangent

#[test]
fn tangent_line_of_tutorial_004() {
    let r = last_json(&[":tangent 3x^2-4x at 1"]);
    assert_eq!(r["kind"], "tangent");
    assert_eq!(nums(&r["slopes"]), vec![2.0]);
    assert_eq!(num(&r["intercept"]), -3.0);
    assert_eq!(r["equation"], "y = 2x - 3");
    assert!(succeed(&[":tangent 3x^2-4x at 1"]).contains("y = 2x - 3"));
}

#[test]
fn tangent_plane_and_too_many_variables() {
    let r = last_json(&[":tangent x^2 + y^2 at 1, 2"]);
    assert_eq!(nums(&r["slopes"]), vec![2.0, 4.0]);
    assert_eq!(num(&r["intercept"]), -5.0);
    assert_eq!(r["equation"], "z = 2x + 4y - 5");
    let e = fail(&[":tangent x*y*z at 1, 2, 3"]);
    assert!(e.contains("one variable (a line) or two (a plane)"), "{e}");
}

// ------------------------------------------------------------------ :taylor

#[test]
fn taylor_of_exp_is_inverse_factorials_to_order_20() {
    let r = last_json(&[":taylor exp(x) at 0 order 20"]);
    assert_eq!(r["kind"], "taylor");
    let c = nums(&r["coefficients"]);
    assert_eq!(c.len(), 21);
    let mut fact = 1.0;
    for (k, ck) in c.iter().enumerate() {
        if k > 0 {
            fact *= k as f64;
        }
        close(*ck, 1.0 / fact, 1e-12);
        assert!((ck - 1.0 / fact).abs() <= 1e-12 / fact, "k = {k}");
    }
}

#[test]
fn taylor_of_sin_alternates_and_default_order() {
    let r = last_json(&[":taylor sin(x) at 0"]);
    let c = nums(&r["coefficients"]);
    assert_eq!(c.len(), 7);
    let want = [0.0, 1.0, 0.0, -1.0 / 6.0, 0.0, 1.0 / 120.0, 0.0];
    for (a, b) in c.iter().zip(want) {
        assert!((a - b).abs() < 1e-15, "{c:?}");
    }
    // away from 0, against the closed form: ln(x) at 2
    let r = last_json(&[":taylor ln(x) at 2 order 12"]);
    let c = nums(&r["coefficients"]);
    for (k, ck) in c.iter().enumerate().skip(1) {
        let want = (-1f64).powi(k as i32 + 1) / (k as f64 * 2f64.powi(k as i32));
        assert!((ck - want).abs() <= 1e-12 * want.abs(), "k = {k}");
    }
}

#[test]
fn higher_primes_work_in_expressions() {
    let out = succeed(&[
        "f(x) = x^5",
        "f'''(2)",
        "sin''''(1) - sin(1)",
        "f''''(x) at 1",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[1], "240"); // 60 x^2 at 2
    assert_eq!(lines[2], "0");
    assert!(out.contains("value    120"), "{out}");
}

// ------------------------------------------------------------------ :trace

#[test]
fn trace_rows_are_primal_and_tangent() {
    let r = last_json(&[":trace sin(x)*y^2 wrt x at 1, 2"]);
    assert_eq!(r["kind"], "trace");
    let rows = r["rows"].as_array().unwrap();
    let ops: Vec<&str> = rows.iter().map(|r| r["op"].as_str().unwrap()).collect();
    assert_eq!(ops, ["input", "sin(x)", "input", "y ^ 2", "v1 * v2"]);
    let last = rows.last().unwrap();
    close(num(&last["value"]), 1f64.sin() * 4.0, 1e-15);
    close(num(&last["tangent"]), 1f64.cos() * 4.0, 1e-15);
    assert_eq!(num(&rows[3]["tangent"]), 0.0); // y^2 does not move with x
    let r = last_json(&[":trace sin(x)*y^2 wrt y at 1, 2"]);
    close(
        num(&r["rows"].as_array().unwrap().last().unwrap()["tangent"]),
        1f64.sin() * 4.0,
        1e-15,
    );
}

#[test]
fn trace_without_wrt_gives_every_nodes_gradient() {
    let r = last_json(&[":trace x*y at 1, 2"]);
    let rows = r["rows"].as_array().unwrap();
    let grads: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r["gradient"].as_array().unwrap().iter().map(num).collect())
        .collect();
    assert_eq!(grads, [vec![1.0, 0.0], vec![0.0, 1.0], vec![2.0, 1.0]]);
    assert!(r.get("wrt").is_none());
}

#[test]
fn trace_expands_user_functions_into_their_operations() {
    let r = last_json(&["g(x1, x2) = (x1 + 5) * x2^2", ":trace g(x1, x2) at 2, 3"]);
    let rows = r["rows"].as_array().unwrap();
    let ops: Vec<&str> = rows.iter().map(|r| r["op"].as_str().unwrap()).collect();
    assert_eq!(ops, ["input", "input", "x1 + 5", "x2 ^ 2", "v1 * v2"]);
    let last: Vec<f64> = rows[4]["gradient"]
        .as_array()
        .unwrap()
        .iter()
        .map(num)
        .collect();
    assert_eq!(last, [9.0, 42.0]);
    assert_eq!(num(&rows[4]["value"]), 63.0);
    // An argument that is an expression feeds the body's operations.
    let r = last_json(&["h(t) = ln(t)", ":trace h(2*x) wrt x at 1"]);
    let rows = r["rows"].as_array().unwrap();
    let ops: Vec<&str> = rows.iter().map(|r| r["op"].as_str().unwrap()).collect();
    assert_eq!(ops, ["input", "2 * x", "ln(v1)"]);
    close(num(&rows[2]["tangent"]), 1.0, 1e-15);
}

// ------------------------------------------------------------------ :min

#[test]
fn min_reproduces_the_pytorch_sgd_tutorial() {
    let r = last_json(&[":min 3x^2+2x+1 from 2 lr=0.3 steps=100"]);
    assert_eq!(r["kind"], "min");
    assert_eq!(r["method"], "gd");
    assert_eq!(r["stop"], "steps");
    assert_eq!(r["iterations"], 100);
    // x − (−1/3) is multiplied by 1 − 0.3·6 = −0.8 at every step
    let x = nums(&r["point"])[0];
    close(x, -1.0 / 3.0 + (2.0 + 1.0 / 3.0) * 0.8f64.powi(100), 1e-12);
    assert_eq!(format!("{x:.5}"), "-0.33333");
    assert_eq!(format!("{:.5}", num(&r["value"])), "0.66667");
    let p = r["progress"].as_array().unwrap();
    assert_eq!(p.len(), 11);
    assert_eq!(p[0]["iteration"], 0);
    assert_eq!(num(&p[0]["value"]), 17.0);
}

#[test]
fn min_reproduces_tutorial_001() {
    let r = last_json(&[":min x^2-2x+1 from 0 lr=0.01 steps=500"]);
    close(nums(&r["point"])[0], 1.0 - 0.98f64.powi(500), 1e-12);
}

#[test]
fn min_two_variables_approaches_the_origin() {
    let r = last_json(&[":min x^2+y^2 from 1.1, 2.1 lr=0.05 steps=100"]);
    let p = nums(&r["point"]);
    // each coordinate shrinks by 1 − 0.05·2 = 0.9 a step
    close(p[0], 1.1 * 0.9f64.powi(100), 1e-12);
    close(p[1], 2.1 * 0.9f64.powi(100), 1e-12);
}

#[test]
fn min_methods_reach_rosenbrock_or_a_quadratic() {
    let r = last_json(&[":min (1-x)^2 + 100(y-x^2)^2 from -1.2, 1 method=newton"]);
    assert_eq!(r["stop"], "converged");
    let p = nums(&r["point"]);
    close(p[0], 1.0, 1e-8);
    close(p[1], 1.0, 1e-8);
    for m in ["momentum", "adam"] {
        let r = last_json(&[&format!(
            ":min (x-3)^2 + (y+1)^2 from 0, 0 method={m} lr=0.05 steps=5000 tol=1e-9"
        )]);
        let p = nums(&r["point"]);
        close(p[0], 3.0, 1e-6);
        close(p[1], -1.0, 1e-6);
    }
}

#[test]
fn min_newton_shifts_an_indefinite_hessian_and_still_descends() {
    // x^4 - 2x^2 at 0.1: f'' < 0, a raw Newton step would climb to the maximum at 0
    let r = last_json(&[":min x^4 - 2x^2 from 0.1 method=newton steps=100"]);
    assert!(r["hessian_shifts"].as_u64().unwrap() >= 1);
    close(nums(&r["point"])[0], 1.0, 1e-8);
    assert_eq!(r["stop"], "converged");
    assert!(r["iterations"].as_u64().unwrap() < 20);
    // downhill all the way: no excursion to a huge x
    let values: Vec<f64> = r["progress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| num(&p["value"]))
        .collect();
    assert!(values.windows(2).all(|w| w[1] <= w[0]), "{values:?}");
}

#[test]
fn min_divergence_is_reported() {
    let r = last_json(&[":min x^2 from 1 lr=1.5 steps=100000"]);
    assert_eq!(r["stop"], "diverged");
    assert!(num(&r["value"]).is_finite());
    assert!(succeed(&[":min x^2 from 1 lr=1.5"]).contains("DIVERGED"));
}

#[test]
fn min_options_are_checked() {
    for (stmt, says) in [
        (":min x^2 from 1 foo=2", "unknown option `foo=`"),
        (":min x^2 from 1 lr=abc", "`lr=abc`"),
        (":min x^2 from 1 lr=-1", "positive"),
        (":min x^2 from 1 steps=1e12", "the limit is 1000000"),
        (":min x^2 from 1 steps=2.5", "whole number"),
        (
            ":min x^2 from 1 method=bfgs",
            "gd, momentum, adam and newton",
        ),
        (":min x^2 from 1 tol=-1", "negative"),
        (":min x^2 from 1 lr=1 lr=2", "given twice"),
        (":min x^2 from inf", "must be finite"),
        (":min x^2 from nan", "must be finite"),
        (":min 2 from 1", "1 value"),
    ] {
        let e = fail(&[stmt]);
        assert!(e.contains(says), "{stmt}: {e}");
    }
}

#[test]
fn min_stops_on_ctrl_c_with_the_point_reached() {
    let mut s = Session::new();
    let flag = Arc::new(AtomicBool::new(true));
    s.set_cancel(flag);
    match s.eval_line(":min x^2 from 1 steps=1000000").unwrap() {
        Outcome::Min(m) => {
            assert_eq!(m.stop, Stop::Interrupted);
            assert_eq!(m.point, vec![1.0]);
        }
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------------------------ :table and :plot

#[test]
fn table_of_a_function_and_its_derivatives() {
    let r = last_json(&["f(x) = x^2 + 3x + 2", ":table f, f', f'' on 0..1 step 0.25"]);
    assert_eq!(r["kind"], "table");
    assert_eq!(r["columns"], serde_json::json!(["f(x)", "f'(x)", "f''(x)"]));
    assert_eq!(nums(&r["x"]), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    let rows = matrix(&r["rows"]);
    assert_eq!(rows[2], vec![3.75, 4.0, 2.0]);
    assert_eq!(rows[4], vec![6.0, 5.0, 2.0]);
}

#[test]
fn table_marks_undefined_values() {
    let r = last_json(&[":table ln(x) on -1..1 step 1"]);
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows[0][0], "NaN");
    assert_eq!(rows[1][0], "-Infinity");
    assert_eq!(num(&rows[2][0]), 0.0);
}

#[test]
fn plot_samples_the_curves() {
    let r = last_json(&["f(x) = x^2 + 3x + 2", ":plot f, f' on -6.5..3.5"]);
    assert_eq!(r["kind"], "plot");
    let x = nums(&r["x"]);
    assert_eq!(x.len(), 401);
    assert_eq!((x[0], x[400]), (-6.5, 3.5));
    let f = nums(&r["curves"][0]["y"]);
    let d = nums(&r["curves"][1]["y"]);
    for i in [0, 100, 400] {
        close(f[i], x[i] * x[i] + 3.0 * x[i] + 2.0, 1e-12);
        close(d[i], 2.0 * x[i] + 3.0, 1e-12);
    }
    let text = succeed(&["f(x) = x^2 + 3x + 2", ":plot f, f' on -6.5..3.5"]);
    assert!(
        text.contains("(line) f(x)") && text.contains("(dots) f'(x)"),
        "{text}"
    );
}

#[test]
fn plot_leaves_gaps_and_writes_svg() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.svg");
    let stmt = format!(":plot 1/x, sqrt(x) on -1..1 svg={}", path.display());
    let r = last_json(&[&stmt]);
    assert_eq!(r["svg"], path.display().to_string());
    let y = r["curves"][1]["y"].as_array().unwrap();
    assert_eq!(y[0], "NaN");
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("polyline") && svg.contains("sqrt(x)"));
    let e = fail(&[":plot x on 0..1 svg=/nonexistent-dir/p.svg"]);
    assert!(
        e.contains("cannot write") && e.contains("no such directory"),
        "{e}"
    );
    let e = fail(&[&format!(":plot x on 0..1 svg={}", dir.path().display())]);
    assert!(e.contains("directory"), "{e}");
}

#[test]
fn ranges_steps_and_samples_are_checked() {
    for (stmt, says) in [
        (":plot x on 1..0", "reversed"),
        (":plot x on 1..1", "empty"),
        (":plot x on 0..inf", "must be finite"),
        (":table x on 0..1 step 0", "must be positive"),
        (":table x on 0..1 step -0.1", "must be positive"),
        (":table x on 0..1 step 1e-9", "the limit is 10000"),
        (":plot x on 0..1 samples=1e9", "the limit is 100000"),
        (":plot x on 0..1 samples=1", "at least 2"),
        (":plot x on 0..1 colour=red", "unknown option `colour=`"),
        (":plot x*y on 0..1", "a curve has one"),
        (":plot foo(x) on 0..1", "unknown function `foo`"),
        (":table x, atan2(x) on 0..1 step 0.5", "takes 2 arguments"),
        (":taylor exp(x) at 0 order 10^9", "the limit is 30"),
        (":taylor exp(x) at 0 order -1", "whole number"),
        (":taylor x*y at 1, 2", "one variable"),
    ] {
        let e = fail(&[stmt]);
        assert!(e.contains(says), "{stmt}: {e}");
    }
}

#[test]
fn workflows_parse_errors_say_what_is_missing() {
    assert!(fail(&[":min x^2"]).contains("expected `from`"));
    assert!(fail(&[":plot x"]).contains("expected `on`"));
    assert!(fail(&[":table x on 0..1"]).contains("expected `step`"));
    assert!(fail(&[":jac x, y"]).contains("expected `at`"));
}

#[test]
fn help_covers_the_new_commands() {
    for c in [
        "jac", "limit", "tangent", "taylor", "trace", "min", "plot", "table",
    ] {
        let h = succeed(&[&format!(":help {c}")]);
        assert!(h.starts_with(&format!(":{c}")), "{h}");
    }
    let h = succeed(&[":help limits"]);
    assert!(h.contains(":min") && h.contains("1000000 steps") && h.contains("order 30"));
}
