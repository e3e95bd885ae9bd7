//! The command line: FILEs and -e in the order given, `-` for standard
//! input, `--strict` for CI, and error locations that read FILE:LINE:COL
//! wherever the statement came from.

mod common;
use common::*;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn files_and_statements_run_in_command_line_order() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(dir.path(), "s.deriv", "b = a + 1\n");
    let out = deriv()
        .args(["-e", "a = 5", &s, "-e", "b * 2"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a = 5\nb = 6\n12\n");
    assert_eq!(out.status.code(), Some(0));
    // The other way round, `a` is not defined yet when the file runs.
    let out = deriv().args([&s, "-e", "a = 5"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown name `a`"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_dash_reads_standard_input_in_its_place() {
    let out = deriv()
        .args(["-e", "b = 2", "-", "-e", "b + 1"])
        .write_stdin("b = b * 10\nb\n")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "b = 2\nb = 20\n20\n21\n"
    );
    assert_eq!(out.status.code(), Some(0));
    let out = deriv().arg("-").write_stdin("1+\n").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains(" --> <stdin>:1:3"));
}

#[test]
fn strict_fails_a_check_that_does_not_pass() {
    let kink = ":diff abs(x) at 0";
    let out = deriv().args(["-e", kink]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("check    FAILED"));
    assert_eq!(out.status.code(), Some(0), "a check is advice by default");
    let out = deriv().args(["--strict", "-e", kink]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = deriv()
        .args(["--strict", "-e", ":grad x^2 at 3", "-e", "g(x) = x^3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // Inside a loaded file too; with --fail-fast it stops there.
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "k.deriv", &format!("{kink}\n"));
    let load = format!(":load {f}");
    let out = deriv()
        .args(["--strict", "--fail-fast", "-e", &load, "-e", "1+1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stdout).ends_with("\n2\n"));
}

#[test]
fn every_location_has_a_line_and_a_column() {
    let dir = tempfile::tempdir().unwrap();
    let terms: Vec<String> = (1..300).map(|k| format!("sin({k}*x)/{k}")).collect();
    let inner = write(
        dir.path(),
        "inner.deriv",
        &format!(
            "f(x) = {}\n:plot f''''''(x) on 0..1 samples=30000\n",
            terms.join("+")
        ),
    );
    let outer = write(dir.path(), "outer.deriv", &format!("1+\n:load {inner}\n"));
    // A statement stopped by its time limit (an error with no span of its
    // own) points at the whole statement, in the nested file.
    let load = format!(":load {outer}");
    let out = deriv()
        .args(["--time-limit", "0.3", "-e", &load])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!(" --> {outer}:1:3")), "{err}");
    assert!(err.contains(&format!(" --> {inner}:2:1")), "{err}");
    assert!(err.contains("2 | :plot f''''''(x)"), "{err}");
    assert!(err.contains("  | ^^^^^"), "{err}");
    // The count of the outer file includes the failure inside the inner one.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("4 statements (2 in the files it loads), 2 failed"),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(1));
}
