//! The hostile-input suite: malformed, huge, deep and binary lines. Each must
//! give a result or an error with exit status 0 or 1 (never a signal, a
//! panic's 101, or a hang), and a session fed all of them must still answer
//! `1+1` at the end.

mod common;
use common::deriv;
use std::path::Path;
use std::time::Duration;

/// Far above what any of these lines needs in a debug build; a hang meets it.
const LINE_DEADLINE: Duration = Duration::from_secs(20);

/// The lines of `tests/hostile/lines.txt`, then the ones that cannot live in
/// a text file: raw bytes, megabyte lines, deep nesting, blow-ups that need
/// several definitions, and `:load` loops through temporary files.
fn hostile_lines(dir: &Path) -> Vec<Vec<u8>> {
    let text = include_str!("hostile/lines.txt");
    let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
    let deep = |open: &str, mid: &str, close: &str, n: usize| {
        format!("{}{mid}{}", open.repeat(n), close.repeat(n)).into_bytes()
    };
    lines.extend([
        deep("(", "1", ")", 100_000),
        deep("-", "x", "", 100_000),
        format!("{}2", "x^".repeat(100_000)).into_bytes(),
        format!("{}2 at x=1", "x^".repeat(50)).into_bytes(),
        deep("sin(", "x", ")", 10_000),
        deep("sin(", "1", ")", 150),
        // The fuzzer's first find: each unclosed call was parsed twice (as a
        // call, then as a name times a group), 2^150 steps here.
        deep("z(", "", "", 150),
        deep("f'(", "x", "", 150),
        format!(":grad {}1 at 1", "h(".repeat(150)).into_bytes(),
        format!("{}1", "1+".repeat(200_000)).into_bytes(),
        format!("{}1", "1*".repeat(999)).into_bytes(),
        // A line of exactly the limit, and one beyond it.
        format!("1{}+1", " ".repeat((1 << 20) - 3)).into_bytes(),
        format!("1{}+1", " ".repeat(1 << 20)).into_bytes(),
        vec![b'x'; 300_000],
        b"\xff\xfe1+1".to_vec(),
        b"1+\xc3".to_vec(),
        b"\xc0\xaf".to_vec(),
        b"1\x00+1".to_vec(),
        b"\x00".to_vec(),
        b"\xef\xbb\xbf1+1".to_vec(),
        b"1+1\r".to_vec(),
        b"\r".to_vec(),
        b"\x1b[31m1+1".to_vec(),
        b"\x07\x08\x7f".to_vec(),
        b"\t1\t+\t1\t".to_vec(),
        b"\x0c1+1".to_vec(),
        // Redefinition that would close a cycle.
        b"ha(x) = x".to_vec(),
        b"hb(x) = ha(x)".to_vec(),
        b"ha(x) = hb(x)".to_vec(),
        b"hv = 1".to_vec(),
        b"hv(x) = hv".to_vec(),
        b":del ha hb hv".to_vec(),
    ]);
    // Each function calls the previous one twice: evaluating f40 would take
    // 2^40 steps.
    lines.push(b"f0(x) = x + x".to_vec());
    for k in 1..=40 {
        lines.push(format!("f{k}(x) = f{}(f{}(x))", k - 1, k - 1).into_bytes());
    }
    lines.push(b"f40(1)".to_vec());
    lines.push(b":grad f40(x) at 1".to_vec());
    lines.push(b":hess f40(x) at 1".to_vec());
    // Deep chains of user functions.
    lines.push(b"c0(x) = x".to_vec());
    for k in 1..=100 {
        lines.push(format!("c{k}(x) = c{}(x) + 1", k - 1).into_bytes());
    }
    lines.push(b"c100(1)".to_vec());
    lines.push(b"c60(1)".to_vec());
    // Many variables, summed as a balanced tree (a flat chain meets the
    // chain limit first).
    fn balanced(names: &[String], op: &str) -> String {
        match names {
            [one] => one.clone(),
            _ => {
                let (l, r) = names.split_at(names.len() / 2);
                format!("({}{op}{})", balanced(l, op), balanced(r, op))
            }
        }
    }
    let vars: Vec<String> = (0..1_500).map(|i| format!("v{i}")).collect();
    let ones = vec!["1"; 1_500].join(",");
    lines.push(format!(":grad {} at {ones}", balanced(&vars, "+")).into_bytes());
    let vars: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
    let ones = vec!["1"; 300].join(",");
    lines.push(format!(":hess {} at {ones}", balanced(&vars, "*")).into_bytes());
    lines.push(format!(":grad {}", vars.join("+")).into_bytes());
    // :load loops: a file that loads itself, two that load each other.
    let me = dir.join("me.deriv");
    std::fs::write(&me, format!("1+1\n:load {}\n", me.display())).unwrap();
    let (a, b) = (dir.join("a.deriv"), dir.join("b.deriv"));
    std::fs::write(&a, format!(":load {}\n", b.display())).unwrap();
    std::fs::write(&b, format!("2+2\n:load {}\n", a.display())).unwrap();
    std::fs::write(dir.join("bin.deriv"), b"\xff\x00\x01\n1+1\n").unwrap();
    for f in ["me.deriv", "a.deriv", "bin.deriv"] {
        lines.push(format!(":load {}", dir.join(f).display()).into_bytes());
    }
    lines.push(format!(":load {}", dir.display()).into_bytes());
    // The fuzzer's findings, each a script of its own.
    let found = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/fuzz");
    let mut found: Vec<_> = std::fs::read_dir(found).unwrap().flatten().collect();
    found.sort_by_key(|e| e.path());
    for f in found {
        lines.push(format!(":load {}", f.path().display()).into_bytes());
    }
    lines
}

/// Whether a line says nothing (blank or a comment), so may print nothing.
fn silent(line: &[u8]) -> bool {
    let t = String::from_utf8_lossy(line);
    let t = t.trim_matches([' ', '\t', '\r', '\u{feff}']);
    t.is_empty() || t.starts_with('#')
}

#[test]
fn the_suite_has_at_least_a_hundred_lines() {
    let dir = tempfile::tempdir().unwrap();
    assert!(hostile_lines(dir.path()).len() >= 100);
}

#[test]
fn every_hostile_line_alone_gets_an_answer_or_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for line in hostile_lines(dir.path()) {
        let shown = String::from_utf8_lossy(&line[..line.len().min(80)]).into_owned();
        let mut input = line.clone();
        input.push(b'\n');
        let out = deriv()
            .write_stdin(input)
            .timeout(LINE_DEADLINE)
            .output()
            .expect("deriv runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0) | Some(1)),
            "exit status {code:?} for {shown:?}\nstderr: {stderr}"
        );
        assert!(
            !stderr.contains("panicked"),
            "panic for {shown:?}: {stderr}"
        );
        if !silent(&line) {
            assert!(
                !out.stdout.is_empty() || stderr.contains("error"),
                "no answer and no error for {shown:?}"
            );
        }
        // An error is reported with where it is.
        if code == Some(1) && !stderr.is_empty() {
            assert!(
                stderr.contains("<stdin>:") || stderr.contains(" --> "),
                "error without a place for {shown:?}: {stderr}"
            );
        }
    }
}

#[test]
fn one_session_survives_every_hostile_line_and_still_adds() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = Vec::new();
    for line in hostile_lines(dir.path()) {
        input.extend_from_slice(&line);
        input.push(b'\n');
    }
    input.extend_from_slice(b"1+1\n");
    let out = deriv()
        .write_stdin(input)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("deriv runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().last(), Some("2"), "the session was lost");
}

/// The limits meet their own messages, naming the limit and its value.
#[test]
fn limits_are_named_with_their_values() {
    let dir = tempfile::tempdir().unwrap();
    let lines = hostile_lines(dir.path());
    let run = |l: &[u8]| {
        let mut input = l.to_vec();
        input.push(b'\n');
        let out = deriv().write_stdin(input).output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let find = |prefix: &[u8]| {
        lines
            .iter()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starts with {:?}", String::from_utf8_lossy(prefix)))
    };
    assert!(run(find(b"((((")).contains("nested too deeply"));
    let long = lines.iter().find(|l| l.len() > 1 << 20).unwrap();
    assert!(run(long).contains("too long"));
    assert!(run(find(b":grad ((")).contains("too many variables (the limit is 1000)"));
    assert!(run(find(b":hess ((")).contains("the limit is 200"));
    // The blow-up needs its definitions: run them with it.
    let mut session = Vec::new();
    for l in lines.iter().filter(|l| l.starts_with(b"f")) {
        session.extend_from_slice(l);
        session.push(b'\n');
    }
    let out = deriv().write_stdin(session).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("too many operations"), "{stderr}");
    assert!(stderr.contains("20000000"), "{stderr}");
}

/// A script whose slow lines each take many seconds in any profile (a
/// table of 101 values of a function composed with itself 2^18 times:
/// about 8 s in release), then `1+1`. Not a `:diff`: its derivatives take
/// a fraction of a second in release and its check the rest, and Ctrl-C
/// during a check only cuts the check short (the statement still reports
/// what AD found), so a signal after a second would find nothing to stop.
#[cfg(unix)]
fn slow_script(dir: &Path, slow_lines: usize) -> std::path::PathBuf {
    let mut s = String::from("f0(x) = sin(x) + cos(x)\n");
    for k in 1..=18 {
        s += &format!("f{k}(x) = f{}(f{}(x))\n", k - 1, k - 1);
    }
    for _ in 0..slow_lines {
        s += ":table f18(x) on 0..1 step 0.01\n";
    }
    s += "1+1\n";
    let p = dir.join("slow.deriv");
    std::fs::write(&p, s).unwrap();
    p
}

/// Starts deriv on `script`, sends it SIGINT `presses` times a second
/// apart, and waits for it.
#[cfg(unix)]
fn interrupt(script: &Path, presses: usize) -> std::process::Output {
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("deriv"))
        .arg(script)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..presses {
        std::thread::sleep(Duration::from_millis(1_000));
        let sent = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn ctrl_c_in_a_script_stops_the_statement_and_the_script_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let out = interrupt(&slow_script(dir.path(), 1), 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error: interrupted"), "{stderr}");
    assert!(stderr.contains("slow.deriv:20:1"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tail: Vec<&str> = stdout.lines().rev().take(2).collect();
    assert_eq!(tail, ["2", "f18(x) = f17(f17(x))"], "{stdout}");
}

#[cfg(unix)]
#[test]
fn a_second_ctrl_c_in_a_script_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let out = interrupt(&slow_script(dir.path(), 3), 2);
    assert_eq!(out.status.code(), Some(130));
    assert!(!String::from_utf8_lossy(&out.stdout).ends_with("2\n"));
}

#[test]
fn a_failing_stderr_or_stdout_is_no_crash() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    let bin = assert_cmd::cargo::cargo_bin!("deriv");
    let out = std::process::Command::new(bin)
        .args(["-e", "1+", "-e", "1+1"])
        .stderr(full.try_clone().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2\n");
    let out = std::process::Command::new(bin)
        .args(["-e", "1+1"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the output"));
}
