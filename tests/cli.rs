//! The binary end to end: the tutorials' numbers, the language reference's examples, JSON, exit
//! codes, pipes and bad input.

mod common;
use common::*;
use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

const G: &str = "g(x1, x2) = (x1 + 5) * x2^2";

#[test]
fn tutorial_g_at_2_3_value_gradient_hessian() {
    let r = last_json(&[G, ":hess g at 2, 3"]);
    assert_eq!(r["kind"], "hess");
    assert_eq!(r["vars"], serde_json::json!(["x1", "x2"]));
    assert_eq!(num(&r["value"]), 63.0);
    assert_eq!(nums(&r["gradient"]), vec![9.0, 42.0]);
    let h: Vec<Vec<f64>> = r["hessian"].as_array().unwrap().iter().map(nums).collect();
    assert_eq!(h, vec![vec![0.0, 6.0], vec![6.0, 14.0]]);
    assert_eq!(r["check"]["ok"], true);
}

#[test]
fn tutorial_grad_forms_agree() {
    for stmt in [
        ":grad g at 2, 3",
        ":grad g(x1,x2) at 2,3",
        ":grad g(x1, x2) at x1=2, x2=3",
        ":grad g at x2=3, x1=2",
        ":grad (x1+5)*x2^2 at 2, 3",
    ] {
        let r = last_json(&[G, stmt]);
        assert_eq!(num(&r["value"]), 63.0, "{stmt}");
        let vars: Vec<&str> = r["vars"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let g = nums(&r["gradient"]);
        let by_name = |n: &str| g[vars.iter().position(|v| *v == n).unwrap()];
        assert_eq!((by_name("x1"), by_name("x2")), (9.0, 42.0), "{stmt}");
    }
}

#[test]
fn tutorial_g_at_1_2() {
    let r = last_json(&[G, ":grad g at 1, 2"]);
    assert_eq!(nums(&r["gradient"]), vec![4.0, 24.0]);
}

#[test]
fn tutorial_diff_polynomial() {
    let r = last_json(&[":diff 3x^2+2x-1 at 1"]);
    assert_eq!(r["kind"], "diff");
    assert_eq!(num(&r["value"]), 4.0);
    assert_eq!(num(&r["derivative"]), 8.0);
    assert_eq!(num(&r["second"]), 6.0);
    assert_eq!(r["check"]["ok"], true);
    let r = last_json(&[":diff x^2-4x-5 at 0"]);
    assert_eq!(num(&r["derivative"]), -4.0);
    let r = last_json(&[":diff x^2 - 2x + 1 at 0"]);
    assert_eq!((num(&r["derivative"]), num(&r["second"])), (-2.0, 2.0));
}

/// Tutorial 002's five-variable function, against num-dual computed natively.
#[test]
fn tutorial_five_variables_against_num_dual() {
    use num_dual::*;
    let f_src = "f(a,b,c,d,e) = a^3*b^2/ln(c+1) + e^(a*d)*cos(b*c) + sqrt(a^2+b^2)*ln(d^2+e^2)";
    let x = [1.0, 2.0, 3.0, 0.5, 1.5];
    let r = last_json(&[f_src, "f at 1, 2, 3, 0.5, 1.5"]);
    assert_eq!(r["kind"], "report");
    assert_eq!(r["vars"], serde_json::json!(["a", "b", "c", "d", "e"]));
    let (v, g, h) = hessian(
        |v: nalgebra::SVector<Dual2SVec64<5>, 5>| {
            let (a, b, c, d, e) = (v[0], v[1], v[2], v[3], v[4]);
            a.powi(3) * b.powi(2) / (c + 1.0).ln()
                // `e` is the fifth parameter here, not Euler's number (docs/language.md §1)
                + (a * d * e.ln()).exp() * (b * c).cos()
                + (a * a + b * b).sqrt() * (d * d + e * e).ln()
        },
        &nalgebra::SVector::from(x),
    );
    close(num(&r["value"]), v, 1e-14);
    for (i, gi) in nums(&r["gradient"]).iter().enumerate() {
        close(*gi, g[i], 1e-13);
    }
    for (i, row) in r["hessian"].as_array().unwrap().iter().enumerate() {
        for (j, hij) in nums(row).iter().enumerate() {
            close(*hij, h[(i, j)], 1e-13);
        }
    }
    assert_eq!(r["check"]["ok"], true);
}

#[test]
fn spec_precedence_through_the_binary() {
    expect_output(&["-x^2 at x=3"], &succeed(&["-x^2 at x=3"]));
    assert_eq!(succeed(&["2^3^2"]).trim(), "512");
    assert_eq!(succeed(&["2^-1"]).trim(), "0.5");
    assert_eq!(succeed(&["-2^2"]).trim(), "-4");
    assert_eq!(succeed(&["x = 3", "2x^2"]).lines().last(), Some("18"));
    assert_eq!(succeed(&["(1+1)(2+1)"]).trim(), "6");
}

#[test]
fn minus_after_e_is_a_statement() {
    let out = succeed(&["x = 3", "-x^2"]);
    assert_eq!(out.lines().last(), Some("-9"));
    let out = succeed(&["-x^2 at 3"]);
    assert!(out.contains("-9"), "{out}");
}

#[test]
fn constants_are_shadowed_by_parameters_and_named_points() {
    let r = last_json(&["h(a, e) = a*e", ":grad h at 2, 5"]);
    assert_eq!(num(&r["value"]), 10.0);
    let r = last_json(&[":grad e^2 at e=1.5"]);
    assert_eq!(nums(&r["gradient"]), vec![3.0]);
    let r = last_json(&["e"]);
    assert_eq!(num(&r["value"]), std::f64::consts::E);
}

#[test]
fn primes_on_user_functions_and_builtins() {
    let r = last_json(&["f(x) = x^3", "f'(2)"]);
    assert_eq!(num(&r["value"]), 12.0);
    let r = last_json(&["f(x) = x^3", "f''(2)"]);
    assert_eq!(num(&r["value"]), 12.0);
    let r = last_json(&["sin'(0)"]);
    assert_eq!(num(&r["value"]), 1.0);
    // derivatives of an expression containing f': d/dx f'(x^2) = f''(x^2)·2x
    let r = last_json(&["f(x) = x^3", ":diff f'(x^2) at 2"]);
    assert_eq!(num(&r["value"]), 48.0); // 3·(4)²
    assert_eq!(num(&r["derivative"]), 96.0); // 6·4·2·2
}

#[test]
fn recursion_is_refused_with_the_cycle() {
    let err = fail(&["f(x) = f(x-1)"]);
    assert!(err.contains("recursive definition: f → f"), "{err}");
    let err = fail(&["a(x) = x", "b(x) = a(x)", "a(x) = b(x)"]);
    assert!(err.contains("recursive definition: a → b → a"), "{err}");
}

#[test]
fn kinks_warn_and_fail_the_check() {
    let r = last_json(&[":grad abs(x) at 0"]);
    assert_eq!(r["check"]["ok"], false);
    assert!(!r["warnings"].as_array().unwrap().is_empty());
    let r = last_json(&[":grad sqrt(x) at 0"]);
    assert!(!num(&r["gradient"][0]).is_finite());
    assert_eq!(r["check"]["ok"], false);
}

#[test]
fn json_shape_and_non_finite_numbers() {
    let lines = json(&["1/0", "2 +", "0/0"]);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["input"], "1/0");
    assert_eq!(lines[0]["kind"], "value");
    assert_eq!(lines[0]["value"], "Infinity");
    assert_eq!(lines[1]["error"]["kind"], "parse");
    assert_eq!(lines[1]["error"]["column"], 4);
    assert_eq!(lines[2]["value"], "NaN");
}

#[test]
fn json_key_order_follows_spec() {
    let mut c = deriv();
    let out = c
        .args(["--json", "-e", G, "-e", ":hess g at 2,3"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().nth(1).unwrap();
    assert!(
        line.starts_with(r#"{"line":2,"input":":hess g at 2,3","kind":"hess","#),
        "{line}"
    );
    assert!(line.contains(r#""vars":["x1","x2"],"point":[2,3],"value":63,"gradient":[9,42],"hessian":[[0,6],[6,14]],"check":{"ok":true"#), "{line}");
}

#[test]
fn exit_codes() {
    deriv().args(["-e", "1+1"]).assert().code(0);
    deriv().args(["-e", "1+", "-e", "1+1"]).assert().code(1);
    deriv().args(["--no-such-flag"]).assert().code(2);
    deriv().arg("/no/such/file.deriv").assert().code(2);
    deriv()
        .args(["--color", "sometimes", "-e", "1"])
        .assert()
        .code(2);
}

#[test]
fn a_script_goes_on_after_an_error() {
    let out = deriv()
        .write_stdin("1+\nunknown_name\n2*3\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "6");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<stdin>:1:3"), "{err}");
    assert!(err.contains("unknown name `unknown_name`"), "{err}");
}

#[test]
fn fail_fast_stops_at_the_first_error() {
    let out = deriv()
        .arg("--fail-fast")
        .write_stdin("1+\n2*3\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "");
}

#[test]
fn invalid_utf8_and_nul_are_errors_for_their_line_only() {
    let out = deriv()
        .arg("--json")
        .write_stdin(&b"1+\xff\n2+\x002\n3*3\r\n"[..])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["error"]["column"], 3);
    assert_eq!(lines[1]["error"]["column"], 3);
    assert_eq!(num(&lines[2]["value"]), 9.0);
}

#[test]
fn deep_nesting_is_a_clear_error_not_a_crash() {
    let cases = [
        format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("{}x", "-".repeat(100_000)),
        format!("x{}", "^2".repeat(100_000)),
    ];
    for case in cases {
        let start = Instant::now();
        let out = deriv().write_stdin(case).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("nested too deeply"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}

#[test]
fn a_megabyte_line_is_handled() {
    let line = format!("1{}", "+1".repeat(500_000));
    let out = deriv().write_stdin(line).output().unwrap();
    assert!(matches!(out.status.code(), Some(0) | Some(1)));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("500001") || text.contains("limit"),
        "{}",
        &text[..text.len().min(300)]
    );
}

#[test]
fn broken_pipe_ends_quietly() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("deriv"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 2];
    stdin.write_all(b"1+1\n").unwrap();
    stdout.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"2\n");
    drop(stdout);
    // Keep feeding lines after the reader went away.
    for _ in 0..2000 {
        if stdin.write_all(b"1+1\n").is_err() {
            break;
        }
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(101), "panicked");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn load_and_save_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("defs.deriv");
    let p = path.to_str().unwrap();
    succeed(&[
        "a = 2",
        "sq(x) = x^2",
        "h(x) = a*sq(x) + 1",
        &format!(":save {p}"),
    ]);
    let r = last_json(&[&format!(":load {p}"), "h(3)"]);
    assert_eq!(num(&r["value"]), 19.0);
    let r = last_json(&[&format!(":load {p}")]);
    assert_eq!(r["kind"], "load");
    assert_eq!(r["results"].as_array().unwrap().len(), 3);
}

#[test]
fn load_refuses_missing_files_directories_and_itself() {
    let dir = tempfile::tempdir().unwrap();
    let err = fail(&[":load /no/such/file"]);
    assert!(err.contains("no such file"), "{err}");
    let err = fail(&[&format!(":load {}", dir.path().display())]);
    assert!(err.contains("directory"), "{err}");
    let me = dir.path().join("me.deriv");
    std::fs::write(&me, format!("1+1\n:load {}\n", me.display())).unwrap();
    let err = fail(&[&format!(":load {}", me.display())]);
    assert!(err.contains("already being loaded"), "{err}");
}

#[test]
fn no_color_in_a_pipe_and_with_no_color() {
    let out = assert_cmd::cargo::cargo_bin_cmd!("deriv")
        .args(["-e", ":grad x^2 at 1", "-e", "1+"])
        .output()
        .unwrap();
    assert!(!out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b));
    let out = assert_cmd::cargo::cargo_bin_cmd!("deriv")
        .env("NO_COLOR", "1")
        .args(["--color", "auto", "-e", ":grad x^2 at 1"])
        .output()
        .unwrap();
    assert!(!out.stdout.contains(&0x1b));
    let out = assert_cmd::cargo::cargo_bin_cmd!("deriv")
        .args(["--color", "always", "-e", ":grad x^2 at 1"])
        .output()
        .unwrap();
    assert!(out.stdout.contains(&0x1b));
}

#[test]
fn no_check_turns_the_check_off() {
    let r = last_json(&[":grad x^2 at 1"]);
    assert!(r.get("check").is_some());
    let mut c = deriv();
    let out = c
        .args(["--json", "--no-check", "-e", ":grad x^2 at 1"])
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r.get("check").is_none());
    let r = last_json(&[":set check off", ":grad x^2 at 1"]);
    assert!(r.get("check").is_none());
}

#[test]
fn save_refuses_directories_and_unwritable_places_and_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = fail(&["a = 1", &format!(":save {}", dir.path().display())]);
    assert!(err.contains("it is a directory"), "{err}");
    let err = fail(&["a = 1", ":save /no/such/dir/defs.deriv"]);
    assert!(err.contains("cannot save"), "{err}");
    let path = dir.path().join("keep.deriv");
    std::fs::write(&path, "old = 1\n").unwrap();
    succeed(&["b = 2", &format!(":save {}", path.display())]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# deriv session, written by :save\nb = 2\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind");
}

#[test]
fn unknown_names_suggest_a_point_or_a_definition() {
    let err = fail(&["x^2 + 1"]);
    assert!(err.contains("unknown name `x`"), "{err}");
    assert!(err.contains("at x=1") && err.contains("x = 1"), "{err}");
}

#[test]
fn errors_point_at_line_and_column_with_a_caret() {
    let err = fail(&["1 + 1", "sin(1, 2)"]);
    assert!(err.contains("-e:2:1"), "{err}");
    assert!(err.contains("2 | sin(1, 2)\n  | ^^^^^^^^^"), "{err}");
}

/// ln(1 + a·x²) near 0 is tiny but carries the rounding of `1 + …`: the
/// checker's noise floor comes from the compiled expression, so a correct
/// derivative is not failed on the small steps' rounding (it was).
#[test]
fn hidden_cancellation_does_not_fail_a_correct_derivative() {
    for stmt in [
        ":diff ln(1 + 2.841323490511033*x^2) at -0.0023638953163822914",
        ":diff ln(1 + 0.9135394437489498*(p/100)^2) at -0.08610665620668619",
        ":grad -2.198614692866702*(y - 0.9993762671626779)^2 + ln(1 + 0.1*x^2) at x=0, y=0.9993762671626779",
    ] {
        let r = last_json(&[stmt]);
        assert_eq!(r["check"]["ok"], true, "{stmt}: {r}");
    }
}

/// Past 12 variables the Hessian prints as its nonzero entries (a 1000 × 1000
/// matrix is unreadable and took 83 MB to build as text); JSON keeps all.
#[test]
fn a_large_hessian_prints_its_nonzero_entries() {
    let vars: Vec<String> = (0..13).map(|i| format!("x{i}")).collect();
    let f = format!(
        "f({}) = {}",
        vars.join(", "),
        vars.iter()
            .map(|v| format!("{v}^2"))
            .collect::<Vec<_>>()
            .join(" + ")
            + " + x0*x12"
    );
    let point = vec!["1"; 13].join(", ");
    let out = succeed(&[&f, &format!(":hess f at {point}")]);
    assert!(
        out.contains("Hessian  13×13; 14 nonzero entries in the upper triangle"),
        "{out}"
    );
    assert!(out.contains("∂²/∂x0∂x12  1"), "{out}");
    assert!(out.contains("∂²/∂x12²    2"), "{out}");
    let r = last_json(&[&f, &format!(":hess f at {point}")]);
    let h: Vec<Vec<f64>> = r["hessian"].as_array().unwrap().iter().map(nums).collect();
    assert_eq!(h.len(), 13);
    assert_eq!((h[0][12], h[12][0], h[3][3], h[3][4]), (1.0, 1.0, 2.0, 0.0));
}

/// A division by an exact zero says so, on every path: a plain value, the
/// forward duals (few variables), the reverse sweep (six or more) and the
/// Hessian-vector products; a well-defined quotient does not.
#[test]
fn division_by_zero_warns_on_every_path() {
    let six = "x/(y-y) + a*b*c*d at x=1, y=2, a=1, b=1, c=1, d=1";
    for stmt in [
        "1/0".to_string(),
        ":diff 1/x at 0".into(),
        ":grad x/(y-y) at 1, 2".into(),
        format!(":grad {six}"),
        format!(":hess {six}"),
    ] {
        let r = last_json(&[&stmt]);
        let w = r["warnings"]
            .as_array()
            .unwrap_or_else(|| panic!("{stmt}: {r}"));
        assert!(
            w.iter().any(|w| w["message"]
                .as_str()
                .unwrap()
                .starts_with("division by zero")),
            "{stmt}: {r}"
        );
        if stmt.starts_with(':') {
            assert_eq!(r["check"]["ok"], false, "{stmt}: {r}");
        }
    }
    let r = last_json(&[":diff 1/x at 2"]);
    assert!(r.get("warnings").is_none(), "{r}");
}
