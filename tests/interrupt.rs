//! Ctrl-C and the time limit, through the binary: a SIGINT sent to a child
//! running a long command ends it promptly with "interrupted", a second
//! one exits 130 with the results already printed, and `--time-limit`
//! stops a statement that runs too long.

#![cfg(unix)]

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `f(x)`: 299 terms, whose sixth derivative takes milliseconds a sample in
/// a debug build; the commands below would run for minutes.
fn long_sum() -> String {
    let terms: Vec<String> = (1..300).map(|k| format!("sin({k}*x)/{k}")).collect();
    format!("f(x) = {}", terms.join("+"))
}

const PLOT: &str = ":plot f''''''(x) on 0..1 samples=30000";
const TABLE: &str = ":table f''''''(x) on 0..1 step 0.001";

/// Generous for a loaded machine; the figure measured is far below it
/// (tens of milliseconds), and the commands would run for minutes.
const PROMPT_STOP: Duration = Duration::from_secs(1);

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_deriv"))
        .args(["--color", "never"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("deriv starts")
}

fn sigint(child: &Child) {
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(ok.success());
}

/// Waits for the child to end (killing it after `limit`); returns how long
/// it took, its exit code, stdout and stderr.
fn finish(mut child: Child, limit: Duration) -> (Duration, Option<i32>, String, String) {
    let t = Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s.code();
        }
        if t.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("deriv did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = t.elapsed();
    let (mut out, mut err) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (took, code, out, err)
}

#[track_caller]
fn ctrl_c_stops(command: &str) {
    let sum = long_sum();
    let child = spawn(&["-e", &sum, "-e", command, "-e", "1+1"]);
    std::thread::sleep(Duration::from_millis(700));
    sigint(&child);
    let (took, code, out, err) = finish(child, Duration::from_secs(20));
    assert!(took < PROMPT_STOP, "{command}: Ctrl-C took {took:?}");
    assert!(err.contains("error: interrupted"), "{err}");
    assert!(err.contains(" --> -e:2:1"), "{err}");
    // The script goes on after the interrupted statement, and fails at the end.
    assert!(out.ends_with("2\n"), "{out}");
    assert_eq!(code, Some(1));
}

#[test]
fn ctrl_c_stops_a_long_plot() {
    ctrl_c_stops(PLOT);
}

#[test]
fn ctrl_c_stops_a_long_table() {
    ctrl_c_stops(TABLE);
}

#[test]
fn ctrl_c_stops_a_whole_load() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.deriv");
    std::fs::write(
        &file,
        format!("{}\n{PLOT}\n{PLOT}\n1000000+7\n", long_sum()),
    )
    .unwrap();
    let load = format!(":load {}", file.display());
    let child = spawn(&["-e", &load, "-e", "1+1"]);
    std::thread::sleep(Duration::from_millis(700));
    sigint(&child);
    let (took, code, out, err) = finish(child, Duration::from_secs(20));
    assert!(took < PROMPT_STOP, "Ctrl-C took {took:?}");
    // One interruption, one error: the rest of the file does not run.
    assert_eq!(err.matches("error: interrupted").count(), 1, "{err}");
    assert!(!out.contains("1000007"), "{out}");
    assert!(out.contains("2 statements, 1 failed"), "{out}");
    assert!(out.ends_with("2\n"), "{out}");
    assert_eq!(code, Some(1));
}

#[test]
fn the_time_limit_stops_a_long_statement() {
    let sum = long_sum();
    let child = spawn(&["--time-limit", "0.5", "-e", &sum, "-e", PLOT, "-e", "1+1"]);
    let (took, code, out, err) = finish(child, Duration::from_secs(20));
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(
        err.contains("error: the statement ran out of time (the limit is 0.5 s)"),
        "{err}"
    );
    assert!(out.ends_with("2\n"), "{out}");
    assert_eq!(code, Some(1));
}

#[test]
fn the_time_limit_stops_a_hessian_over_arrays() {
    // 900 entries over a 300 × 900 array: 57 passes over the data, one
    // evaluation for the session, each pass quick on its own.
    let hess = ":hess sum((ones(300, 1) * x)^3) at x = ones(1, 900)";
    // And a Jacobian: one reverse sweep per row.
    let jac = ":jac sin(x * ones(700, 700)) @ ones(700) at x = ones(700)";
    for stmt in [hess, jac] {
        let child = spawn(&["--no-check", "--time-limit", "0.5", "-e", stmt, "-e", "1+1"]);
        let (took, code, out, err) = finish(child, Duration::from_secs(120));
        assert!(
            err.contains("error: the statement ran out of time (the limit is 0.5 s)"),
            "{stmt} took {took:?}: {err}"
        );
        assert!(took < Duration::from_secs(5), "took {took:?}");
        assert!(out.ends_with("2\n"), "{out}");
        assert_eq!(code, Some(1));
    }
}

#[test]
fn a_second_ctrl_c_exits_130_and_keeps_the_output() {
    let sum = long_sum();
    // stdout is a pipe: results are buffered, and must not be thrown away.
    let child = spawn(&[
        "-e",
        "1+1",
        "-e",
        ":grad x^2 at 3",
        "-e",
        &sum,
        "-e",
        PLOT,
        "-e",
        PLOT,
    ]);
    std::thread::sleep(Duration::from_millis(700));
    sigint(&child);
    std::thread::sleep(Duration::from_millis(300));
    sigint(&child);
    let (_, code, out, err) = finish(child, Duration::from_secs(20));
    assert_eq!(code, Some(130), "{err}");
    assert!(out.starts_with("2\n"), "{out}");
    assert!(out.contains("d/dx     6"), "{out}");
    assert!(err.contains("press Ctrl-C again to quit"), "{err}");
}
