//! Helpers for the binary's tests: each says what it means, and points at the
//! calling test line when it fails.
#![allow(dead_code)]

pub mod strategies;

use assert_cmd::Command;
use serde_json::Value;

/// The `deriv` binary, colour off.
pub fn deriv() -> Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("deriv");
    c.arg("--color").arg("never").env_remove("NO_COLOR");
    c
}

/// Runs the statements with `-e` each, asserts the exit status, and returns
/// (stdout, stderr).
#[track_caller]
fn run_e(stmts: &[&str], code: i32) -> (String, String) {
    let mut c = deriv();
    for s in stmts {
        c.arg("-e").arg(s);
    }
    let out = c.output().expect("deriv runs");
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).expect("utf-8 output"),
        String::from_utf8(out.stderr).expect("utf-8 output"),
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit status for {stmts:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

/// Runs the statements with `-e` each and returns stdout, asserting success.
#[track_caller]
pub fn succeed(stmts: &[&str]) -> String {
    run_e(stmts, 0).0
}

/// Runs the statements and returns stderr, asserting exit status 1.
#[track_caller]
pub fn fail(stmts: &[&str]) -> String {
    run_e(stmts, 1).1
}

/// Asserts that the statements print exactly `expected` on stdout.
#[track_caller]
pub fn expect_output(stmts: &[&str], expected: &str) {
    let got = succeed(stmts);
    assert_eq!(got.trim_end(), expected.trim_end(), "output of {stmts:?}");
}

/// Runs the statements with `--json`, returning one parsed object per line.
#[track_caller]
pub fn json(stmts: &[&str]) -> Vec<Value> {
    let mut c = deriv();
    c.arg("--json");
    for s in stmts {
        c.arg("-e").arg(s);
    }
    let out = c.output().expect("deriv runs");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

/// The last JSON object of running the statements.
#[track_caller]
pub fn last_json(stmts: &[&str]) -> Value {
    json(stmts).pop().expect("at least one result")
}

/// A JSON number as f64 (non-finite numbers are strings as docs/language.md §4 says).
#[track_caller]
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "NaN" => f64::NAN,
        Value::String(s) if s == "Infinity" => f64::INFINITY,
        Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

/// A JSON array of numbers.
#[track_caller]
pub fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(num)
        .collect()
}

/// Asserts |a − b| ≤ tol·max(1, |b|).
#[track_caller]
pub fn close(a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * b.abs().max(1.0),
        "{a} is not within {tol} (relative) of {b}"
    );
}
