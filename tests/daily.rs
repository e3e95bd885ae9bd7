//! A day of ordinary use, through the binary: names that must not change
//! meaning, the notations people type, `ans` and `;`, the new built-ins.

mod common;
use common::*;

/// Runs the statements, expecting a failure, and returns stderr.
#[track_caller]
fn error_of(stmts: &[&str]) -> String {
    fail(stmts)
}

#[track_caller]
fn has(text: &str, part: &str) {
    assert!(text.contains(part), "missing {part:?} in:\n{text}");
}

// ---- names that silently changed meaning -------------------------------------

#[test]
fn a_function_name_is_never_a_variable() {
    let e = error_of(&[":diff sin^2 at 1"]);
    has(&e, "`sin` is a built-in function, not a variable");
    has(&e, "did you mean `sin(x)^2`?");
    let e = error_of(&["f(x) = x^2", ":diff f^2 at 3"]);
    has(&e, "`f` is a function, not a variable");
    has(&e, "did you mean `f(x)^2`?");
    let e = error_of(&["sin + 1 at 2"]);
    has(&e, "did you mean `sin(x) + 1`?");
    let e = error_of(&[":plot cos*2 on 0..1"]);
    has(&e, "did you mean `cos(x) * 2`?");
    // What was meant works, and a bare function still stands for its call.
    let r = last_json(&["f(x) = x^2", ":diff f(x)^2 at 3"]);
    assert_eq!((num(&r["value"]), num(&r["derivative"])), (81.0, 108.0));
    let r = last_json(&[":diff sin at 0"]);
    assert_eq!(num(&r["derivative"]), 1.0);
}

#[test]
fn del_of_a_name_in_use_is_refused_and_save_always_loads_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.deriv");
    let save = format!(":save {}", file.display());
    let load = format!(":load {}", file.display());
    let e = error_of(&["a = 2", "f(x) = a*x", ":del a", &save]);
    has(&e, "cannot delete `a`: `f` uses it");
    has(&e, "`:del a f`");
    let out = succeed(&["a = 2", "f(x) = a*x", "g(x) = f(x)", ":del a f g", ":funcs"]);
    has(&out, "deleted a, f, g");
    has(&out, "no functions defined");
    // Redefining a used name as the other kind, or with another arity, is refused too.
    has(
        &error_of(&["a = 2", "f(x) = a*x", "a(t) = t"]),
        "cannot redefine `a` as a function: `f` uses it",
    );
    has(
        &error_of(&["h(x) = x", "f(x) = h(x)", "h(x, y) = x*y"]),
        "cannot redefine `h` with 2 parameters",
    );
    // The refused :del leaves a session that saves and loads back.
    fail(&["a = 2", "f(x) = a*x", ":del a", &save]);
    let out = succeed(&[&load, "f(3)"]);
    has(&out, "loaded");
    assert_eq!(out.lines().last(), Some("6"));
}

#[test]
fn a_defined_array_is_a_constant_unless_the_point_names_it() {
    let e = error_of(&["x = [[0, 0], [1, 2]]", ":grad x^2 - 2x + 1 at x"]);
    has(
        &e,
        "`x` is defined (an array of shape (2, 2)), so here it is a constant",
    );
    has(&e, "`at x=x`");
    let r = last_json(&["x = [[0, 0], [1, 2]]", ":grad x^2 - 2x + 1 at x=x"]);
    assert_eq!(r["gradient"][0], serde_json::json!([[-2, -2], [0, 2]]));
}

#[test]
fn a_defined_variable_is_a_constant_unless_the_point_names_it() {
    let e = error_of(&["a = 2", ":grad x*a at 3, 4"]);
    has(
        &e,
        "the expression has 1 variable (x), but 2 values were given",
    );
    has(&e, "`a` is defined (a = 2), so here it is a constant");
    has(&e, "`at x=3, a=4`");
    let r = last_json(&["a = 2", ":grad x*a at 3"]);
    assert_eq!(nums(&r["gradient"]), vec![2.0]);
    let r = last_json(&["a = 2", ":grad x*a at x=3, a=4"]);
    assert_eq!(nums(&r["gradient"]), vec![4.0, 3.0]);
    has(
        &error_of(&["x = 3", ":diff x^2 at 2"]),
        "name it in the point: `at x=2`",
    );
}

#[test]
fn hiding_a_constant_warns_once() {
    let out = succeed(&["e = 3", "e = 4", ":diff e^x at 1"]);
    assert_eq!(
        out.matches("hides the constant e = 2.718281828459045")
            .count(),
        1,
        "{out}"
    );
    let r = json(&["pi = 3"]);
    has(
        &r[0]["warnings"][0]["message"].to_string(),
        "hides the constant pi",
    );
}

// ---- notations --------------------------------------------------------------

#[test]
fn unambiguous_notations_are_read() {
    let r = last_json(&[":diff x² + 2π at 3"]);
    assert_eq!(num(&r["derivative"]), 6.0);
    assert_eq!(r["input"], ":diff x² + 2π at 3");
    expect_output(&["(1+1)³"], "8");
    expect_output(&["π"], "3.141592653589793");
}

#[test]
fn other_notations_get_the_spelling_deriv_reads() {
    for (line, help) in [
        ("d/dx(x^2) at 3", "write `:diff x^2 wrt x at x=…`"),
        ("√x at 4", "write `sqrt(x)`"),
        ("√(x+1) at 4", "write `sqrt(x+1)`"),
        ("|x - 1| at 2", "write `abs(x - 1)`"),
        ("6 ÷ 2", "write `/`"),
        ("∞", "write `inf`"),
        ("f′(x)", "`f'(x)`"),
        ("arcsin(1)", "did you mean `asin`?"),
        ("Sin(1)", "did you mean `sin`?"),
        ("PI", "did you mean `pi`?"),
        ("y = x^2", "write `y(x) = x^2`"),
        ("diff(x^2, x)", "write `:diff x^2 wrt x at x=…`"),
        (":min x^2 at 1", "write `:min x^2 from 1`"),
        ("sin x", "write `sin(x)`"),
        ("x y at 1, 2", "write `x*y`"),
        ("x²³", "a power is `^`"),
        ("A.T @ A", "write `transpose(A)` for NumPy's `A.T`"),
        ("x.shape", "write `shape(x)`"),
        (
            "np.sum(x)",
            "write `sum(…)`: deriv's functions need no `np.`",
        ),
        (
            "torch.tensor([1.0, 2.0])",
            "an array is written as it prints: `[1, 2, 3]`",
        ),
        ("np.array([1, 2])", "an array is written as it prints"),
        (
            "np.linalg.norm(x)",
            "write `norm(…)`: deriv's functions need no `np.linalg.`",
        ),
        ("np.pi", "write `pi`: deriv's constants need no `np.`"),
        (
            "np.frobnicate(x)",
            "deriv has no `np.frobnicate`; `:help arrays`",
        ),
    ] {
        let e = error_of(&[line]);
        has(&e, help);
        assert!(!e.contains("` `") && !e.contains(" `)"), "stray space: {e}");
    }
}

// ---- ans, ;, new built-ins ----------------------------------------------------

#[test]
fn ans_is_the_last_value() {
    expect_output(&["2 + 3", "ans * 2", "ans + 1"], "5\n10\n11");
    let r = last_json(&["4", ":diff ans*x^2 at 1"]);
    assert_eq!(num(&r["derivative"]), 8.0);
    has(&error_of(&["ans"]), "there is none yet");
    has(&error_of(&["ans = 1"]), "cannot be defined");
    has(&error_of(&["1", "f(x) = ans*x"]), "cannot use `ans`");
    let out = succeed(&["a = 1", "a + 1", ":vars"]);
    assert!(!out.contains("ans"), "{out}");
}

#[test]
fn semicolons_separate_statements() {
    expect_output(&["a = 2; b = a^2; a + b"], "a = 2\nb = 4\n6");
    let e = fail(&["1+1; 2+; 3+3"]);
    has(&e, "expected an expression after `+`");
    let r = json(&["1; 2+"]);
    assert_eq!(r[0]["statement"], 1);
    assert_eq!(num(&r[0]["value"]), 1.0);
    assert_eq!(r[1]["statement"], 2);
    assert_eq!(r[1]["error"]["column"], 3);
}

#[test]
fn new_builtins_differentiate_and_flag_their_jumps() {
    expect_output(
        &[
            "gamma(5)",
            "floor(-2.5)",
            "ceil(2.1)",
            "round(2.5)",
            "mod(-1, 3)",
        ],
        "24\n-3\n3\n3\n2",
    );
    let r = last_json(&[":diff gamma(x) at 1"]);
    close(num(&r["derivative"]), -0.577_215_664_901_532_9, 1e-14);
    assert_eq!(r["check"]["ok"], true);
    let r = last_json(&[":hess sec(x) + csc(x) + cot(x) at 0.7"]);
    assert_eq!(r["check"]["ok"], true);
    let r = last_json(&[":diff floor(x) at 2"]);
    assert_eq!(num(&r["derivative"]), 0.0);
    assert_eq!(r["check"]["ok"], false);
    has(&r["warnings"][0]["message"].to_string(), "floor jumps at 2");
    let r = last_json(&[":grad mod(a, b) at 7, 3"]);
    assert_eq!(nums(&r["gradient"]), vec![1.0, -2.0]);
}

// ---- plots ---------------------------------------------------------------------

#[test]
fn a_plot_far_from_zero_is_labelled_around_its_offset() {
    let out = succeed(&[":plot 1e8+x on 0..10"]);
    has(&out, " 100000010\n");
    has(&out, " 100000000\n");
    let out = succeed(&[":plot x on 1e8..1e8+10"]);
    has(&out, "100000000 ");
    has(&out, "100000010 x");
}

#[test]
fn poles_are_clipped_to_the_bulk_and_ylim_chooses() {
    let out = succeed(&[":plot tan(x) on -3..3"]);
    has(&out, "y shown on -23.33..23.33, where most values lie");
    has(&out, "ylim=A..B to choose");
    let out = succeed(&[":plot tan(x) on -3..3 ylim=-2..2"]);
    assert!(!out.contains("y shown on"), "{out}");
    has(&out, " 2\n");
    has(&out, " -2\n");
    let out = succeed(&[":plot sin(x) on 0..6"]);
    assert!(!out.contains("y shown on"), "{out}");
    has(
        &fail(&[":plot x on 0..1 ylim=3..1"]),
        "the first below the second",
    );
    has(&fail(&[":plot x on 0..1 ylim=1"]), "expected a range A..B");
    let r = last_json(&[":plot x on 0..1 ylim=-pi..pi"]);
    assert_eq!(r["kind"], "plot");
}

#[test]
fn without_colour_each_curve_has_its_own_mark_and_the_legend_names_it() {
    let out = succeed(&[":plot sin(x), cos(x), sin(2x), x/3 on 0..6"]);
    for key in [
        "(line) sin(x)",
        "(dots) cos(x)",
        "(dashes) sin(2 * x)",
        "(sparse dots) x / 3",
    ] {
        has(&out, key);
    }
}

// ---- tables and digits -------------------------------------------------------------

#[test]
fn the_table_grid_has_the_steps_precision_and_noise_says_so() {
    let out = succeed(&[":table sin(x) on 0..3.2 step 0.3"]);
    has(&out, "\n  0.9 ");
    has(&out, "\n  2.7 ");
    assert!(!out.contains("0.8999999999999999"), "{out}");
    let r = last_json(&[":table x on 0..1 step 0.1"]);
    assert_eq!(nums(&r["x"])[3], 0.3);
    let out = succeed(&[":table sin(x), cos(x) on 0..2pi step pi/2"]);
    has(&out, "≈0");
    has(&out, "≈0: rounding noise");
    assert!(!out.contains("e-16"), "{out}");
    // The exact values stay in the JSON.
    let r = last_json(&[":table sin(x) on 0..2pi step pi"]);
    assert!(nums(&r["rows"][1])[0].abs() < 1e-15 && nums(&r["rows"][1])[0] != 0.0);
}

#[test]
fn a_table_of_x_does_not_repeat_x() {
    expect_output(
        &[":table x, x^2 on 0..1 step 0.5"],
        "    x   x^2\n    0     0\n  0.5  0.25\n    1     1",
    );
}

#[test]
fn set_digits_applies_to_every_number() {
    expect_output(
        &[":set digits 3", "pi*1e10", "-123456", "1/3", "1e-7/3"],
        "digits = 3\n3.14e10\n-1.23e5\n0.333\n3.33e-8",
    );
    let out = succeed(&[":set digits 3", ":grad x^2*1e6 at 1.234567"]);
    has(&out, "value    1.52e6");
    has(&out, "d/dx     2.47e6");
}

// ---- long flat chains ------------------------------------------------------------

#[test]
fn rosenbrock_with_a_thousand_variables_written_out() {
    let n = 1000;
    let terms: Vec<String> = (1..n)
        .map(|i| format!("100*(x{}-x{i}^2)^2 + (1-x{i})^2", i + 1))
        .collect();
    let point = vec!["1.5"; n].join(", ");
    let r = last_json(&[&format!(":grad {} at {point}", terms.join(" + "))]);
    let g = nums(&r["gradient"]);
    assert_eq!(g.len(), n);
    // x2 appears first in the text, then x1: by name, ∂/∂x1 = 451, ∂/∂x1000 = -150.
    let vars: Vec<&str> = r["vars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let by = |name: &str| g[vars.iter().position(|v| *v == name).unwrap()];
    assert_eq!(
        (by("x1"), by("x2"), by("x500"), by("x1000")),
        (451.0, 301.0, 301.0, -150.0)
    );
    close(num(&r["value"]), 999.0 * (100.0 * 0.5625 + 0.25), 1e-12);
}

#[test]
fn a_sum_of_forty_thousand_terms_is_one_flat_chain() {
    // Too long for one command-line argument: through standard input.
    let script = format!(
        ":hess {} at 2, 3\nf(x) = {}\nf(1)\n",
        vec!["x*y"; 20_000].join(" + "),
        vec!["x"; 40_000].join(" - ")
    );
    let out = deriv()
        .arg("--json")
        .write_stdin(script)
        .output()
        .expect("deriv runs");
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(nums(&lines[0]["gradient"]), vec![60_000.0, 40_000.0]);
    assert_eq!(num(&lines[2]["value"]), -39_998.0);
}
