//! The interactive prompt, driven through a real pseudo-terminal, and the
//! help texts it teaches with.
//!
//! Every key is sent only after the prompt it answers has been seen: a key
//! sent early lands before rustyline has put the terminal in raw mode and is
//! echoed (or lost) by the kernel instead.

#![cfg(unix)]

use deriv::session::Session;
use rexpect::process::WaitStatus;
use rexpect::session::PtySession;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Generous: two cores, a debug build, other tests running beside.
const TIMEOUT_MS: u64 = 60_000;

/// A fresh prompt: after a newline, only escape sequences and carriage
/// returns before `> `. (A redraw of the line being edited repeats the `> `
/// too, but not after a newline.)
const PROMPT: &str = r"\n(?:\r|\x1b\[[0-9;?]*[A-Za-z])*> ";

struct Repl {
    p: PtySession,
}

/// Starts `deriv` on a terminal, with its history in `history`, and waits
/// for the banner and the first prompt.
fn start(history: &Path, color: bool) -> Repl {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deriv"));
    cmd.env("TERM", "xterm")
        .env("DERIV_HISTORY", history)
        .env_remove("CLICOLOR_FORCE");
    if color {
        cmd.env_remove("NO_COLOR");
    } else {
        cmd.env("NO_COLOR", "1");
    }
    let mut p =
        rexpect::session::spawn_command(cmd, Some(TIMEOUT_MS)).expect("deriv starts on a terminal");
    p.exp_string("type :help").expect("the banner");
    p.exp_string("> ").expect("the first prompt");
    Repl { p }
}

impl Repl {
    /// Types a line and returns what was printed up to the next prompt.
    #[track_caller]
    fn run(&mut self, line: &str) -> String {
        self.p.send_line(line).expect("send");
        self.prompt()
    }

    /// Waits for a fresh prompt; returns what came before it.
    #[track_caller]
    fn prompt(&mut self) -> String {
        match self.p.exp_regex(PROMPT) {
            Ok((before, _)) => utf8(&before),
            Err(e) => panic!("expected a prompt: {e}"),
        }
    }

    /// Sends raw keys (no Enter).
    fn keys(&mut self, keys: &str) {
        self.p.send(keys).expect("send");
        self.p.flush().expect("flush");
    }

    /// Waits for `text`; returns what came before it.
    #[track_caller]
    fn expect(&mut self, text: &str) -> String {
        let got = self
            .p
            .exp_string(&as_read(text))
            .unwrap_or_else(|e| panic!("expected {text:?}: {e}"));
        utf8(&got)
    }

    /// Ctrl-D at an empty prompt; returns the exit status.
    fn quit(mut self) -> WaitStatus {
        self.p.send_control('d').expect("send Ctrl-D");
        self.p.exp_eof().expect("deriv ends");
        self.p.process().wait().expect("exit status")
    }
}

/// rexpect turns each byte it reads into one `char`: undo that.
fn utf8(read: &str) -> String {
    let bytes: Vec<u8> = read.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `text` as rexpect reads it (one `char` per byte).
fn as_read(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

fn exited(status: WaitStatus) -> Option<i32> {
    match status {
        WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    }
}

/// Terminal output with the escape sequences and carriage returns removed.
fn plain(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.next_if_eq(&'[').is_some() {
                while chars.next_if(|c| !c.is_ascii_alphabetic()).is_some() {}
                chars.next();
            }
        } else if c != '\r' {
            out.push(c);
        }
    }
    out
}

/// Whether `s` holds a colour (SGR) sequence such as `\x1b[1;34m`.
fn has_sgr(s: &str) -> bool {
    s.match_indices("\x1b[").any(|(i, _)| {
        let rest = &s[i + 2..];
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(rest.len());
        rest[n..].starts_with('m')
    })
}

#[test]
fn gradient_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    let out = r.run("g(x1,x2) = (x1+5)*x2^2");
    assert!(
        plain(&out).contains("g(x1, x2) = (x1 + 5) * x2^2"),
        "{out:?}"
    );
    let out = plain(&r.run(":grad g(x1,x2) at 2,3"));
    let line = |label: &str| {
        out.lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no {label} in {out:?}"))
            .to_string()
    };
    assert!(line("∂/∂x1").split_whitespace().any(|w| w == "9"), "{out}");
    assert!(line("∂/∂x2").split_whitespace().any(|w| w == "42"), "{out}");
    assert_eq!(exited(r.quit()), Some(0));
}

#[test]
fn tab_completes_a_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    r.keys(":gr\t");
    r.expect(":grad ");
    r.keys("x^2 at 3\r");
    let out = plain(&r.prompt());
    assert!(out.contains("6"), "{out:?}");
    assert_eq!(exited(r.quit()), Some(0));
}

#[test]
fn tab_completes_names_from_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    r.run("velocity = 3");
    r.keys("veloc\t");
    r.expect("velocity");
    r.keys(" + hypo\t");
    r.expect("hypot(");
    r.keys("4, 0)\r");
    let out = plain(&r.prompt());
    assert!(out.contains("7"), "{out:?}");
    assert_eq!(exited(r.quit()), Some(0));
}

#[test]
fn history_is_kept_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let mut r = start(&history, false);
    r.run("1234 + 1");
    assert_eq!(exited(r.quit()), Some(0));
    let saved = std::fs::read_to_string(&history).expect("the history file");
    assert!(saved.lines().any(|l| l == "1234 + 1"), "{saved:?}");

    let mut r = start(&history, false);
    // Up arrow recalls the line of the earlier run; Enter runs it again.
    r.keys("\x1b[A");
    r.expect("1234 + 1");
    r.keys("\r");
    let out = plain(&r.prompt());
    assert!(out.contains("1235"), "{out:?}");
    assert_eq!(exited(r.quit()), Some(0));
}

/// `f1(x) = x/2 + 1`, `fk(x) = f(k-1)(f(k-1)(x))`: each level doubles the
/// work (and the value stays finite). The gradient of f17 with its check
/// stays under the operation budget but takes seconds in a debug build.
fn slow_chain(r: &mut Repl, n: usize) {
    r.run("f1(x) = x/2 + 1");
    for k in 2..=n {
        r.run(&format!("f{k}(x) = f{j}(f{j}(x))", j = k - 1));
    }
}

#[test]
fn ctrl_c_interrupts_a_computation() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    slow_chain(&mut r, 17);
    // Without Ctrl-C it takes long enough to interrupt.
    let t = Instant::now();
    let out = r.run(":grad f17(x) at 1");
    let full = t.elapsed();
    assert!(
        out.contains("d/dx") && !out.contains("interrupted"),
        "{out:?}"
    );
    assert!(
        full > Duration::from_millis(800),
        "the computation took only {full:?}"
    );

    r.p.send_line(":grad f17(x) at 1").unwrap();
    std::thread::sleep(full / 4);
    let t = Instant::now();
    r.p.send_control('c').unwrap();
    let out = r.prompt();
    assert!(out.contains("interrupted"), "{out:?}");
    assert!(
        t.elapsed() < full / 2,
        "Ctrl-C took {:?} to stop a {full:?} computation",
        t.elapsed()
    );
    // The session goes on.
    let out = plain(&r.run("f2(1)"));
    assert!(out.contains("1.75"), "{out:?}");
    assert_eq!(exited(r.quit()), Some(0));
}

#[test]
fn ctrl_c_clears_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    r.keys("1+");
    r.expect("1+");
    r.p.send_control('c').unwrap();
    r.prompt();
    let out = plain(&r.run("2+3"));
    assert!(out.contains('5') && !out.contains("error"), "{out:?}");
    assert_eq!(exited(r.quit()), Some(0));
}

#[test]
fn open_parentheses_continue_on_the_next_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    r.p.send_line("2*(3").unwrap();
    r.expect("... ");
    r.p.send_line("+4)").unwrap();
    let out = plain(&r.prompt());
    assert!(out.contains("14"), "{out:?}");
    assert_eq!(exited(r.quit()), Some(0));
}

#[test]
fn quit_command_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    r.p.send_line(":quit").unwrap();
    r.p.exp_eof().unwrap();
    assert_eq!(exited(r.p.process().wait().unwrap()), Some(0));
}

#[test]
fn no_color_means_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    for line in [":grad (x1+5)*x2^2 at 2, 3", "sqrt(-1)", ":help sin", "1/"] {
        let out = r.run(line);
        assert!(!has_sgr(&out), "{line}: {out:?}");
    }
    assert_eq!(exited(r.quit()), Some(0));
}

#[test]
fn colour_on_a_terminal_highlights_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), true);
    r.keys(":grad sin(x)");
    // The command and the built-in are coloured as they are typed.
    r.expect("\x1b[1;34m:grad\x1b[0m");
    r.expect("\x1b[36msin\x1b[0m");
    r.keys(" at 0\r");
    r.prompt();
    assert_eq!(exited(r.quit()), Some(0));
}

#[test]
fn hints_show_the_syntax_and_the_live_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    r.keys(":gra");
    r.expect("d EXPR at POINT");
    r.p.send_control('c').unwrap();
    r.prompt();
    r.keys("2^10");
    r.expect("= 1024");
    r.p.send_control('c').unwrap();
    r.prompt();
    r.run(":set preview off");
    r.keys("3^3");
    r.expect("3^3");
    r.keys("\r");
    let out = plain(&r.prompt());
    assert!(out.contains("27") && !out.contains("= 27"), "{out:?}");
    assert_eq!(exited(r.quit()), Some(0));
}

// ------------------------------------------------------------------ help

fn help(topic: Option<&str>) -> String {
    deriv::session::help(topic).unwrap_or_else(|e| panic!("help {topic:?}: {}", e.message))
}

#[test]
fn help_texts() {
    insta::assert_snapshot!("help_overview", help(None));
    for topic in [
        "grad", "set", "sin", "acosh", "log", "atan2", "pi", "syntax", "prompt",
    ] {
        insta::assert_snapshot!(format!("help_{topic}"), help(Some(topic)));
    }
}

#[test]
fn every_topic_has_help_and_its_example_runs() {
    for topic in deriv::session::topics() {
        let text = help(Some(topic));
        assert!(!text.trim().is_empty(), "{topic}");
        let Some(example) = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("example: "))
        else {
            continue;
        };
        // Examples may use the definitions of earlier ones, as a reader would.
        let mut s = Session::new();
        for setup in ["g(x1, x2) = (x1+5)*x2^2", "a = 1"] {
            s.eval_line(setup).unwrap();
        }
        // Files, quitting, and the prompt's own setting (the session does not know it).
        if example.starts_with(":load")
            || example.starts_with(":save")
            || example.starts_with(":data")
            || example == ":quit"
            || example.starts_with(":set preview")
        {
            continue;
        }
        match s.eval_line(example) {
            Ok(o) => assert!(!o.has_error(), "{topic}: {example}: {o:?}"),
            Err(e) => panic!("{topic}: `{example}` fails: {}", e.message),
        }
    }
}

#[test]
fn every_help_topic_completes() {
    let topics = deriv::session::topics();
    for c in deriv::syntax::COMMANDS {
        assert!(topics.contains(&c.name), "{}", c.name);
    }
    for b in deriv::builtins::BUILTINS {
        assert!(topics.contains(&b.name), "{}", b.name);
    }
}

#[test]
fn a_long_descent_shows_a_progress_bar_and_ctrl_c_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    // 2^9 terms: each gradient takes a while, a million of them far longer
    // than the half second after which the bar appears.
    r.run("p0(x) = sin(x) + x^2/10");
    for k in 1..=9 {
        r.run(&format!("p{k}(x) = p{j}(x) + p{j}(x/2)", j = k - 1));
    }
    r.p.send_line(":min p9(x) from 1 lr=1e-7 steps=1000000 tol=0")
        .unwrap();
    let before = r.expect("(Ctrl-C stops)");
    assert!(before.contains(":min  ["), "{before:?}");
    assert!(before.contains("of 1000000"), "{before:?}");
    r.p.send_control('c').unwrap();
    let out = plain(&r.prompt());
    assert!(out.contains("interrupted (Ctrl-C)"), "{out:?}");
    assert!(out.contains("point       x = "), "{out:?}");
    assert_eq!(exited(r.quit()), Some(0));
}

#[test]
fn lines_typed_in_one_burst_all_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    // Three lines at once, as a fast typist or a paste without bracketing
    // sends them: the keys read ahead of the first line are kept.
    r.keys("1001+1\r2002+2\r3003+3\r");
    // Each line's result comes before the prompt for the next one.
    for want in ["1002", "2004", "3006"] {
        let out = plain(&r.prompt());
        assert!(out.ends_with(&format!("\n{want}")), "{out:?}");
    }
    assert_eq!(exited(r.quit()), Some(0));
}

#[test]
fn a_bracketed_paste_runs_each_line_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let mut r = start(&history, false);
    // What a terminal sends for a pasted block of three lines, then Enter.
    r.keys("\x1b[200~a1 = 1\na2 = 2\r\na3 = a1 + a2\x1b[201~");
    r.expect("a3 = a1 + a2");
    r.keys("\r");
    let out = plain(&r.prompt());
    assert!(!out.contains("error"), "{out:?}");
    let defined: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| ["a1 = 1", "a2 = 2", "a3 = 3"].contains(l))
        .collect();
    assert_eq!(defined, ["a1 = 1", "a2 = 2", "a3 = 3"], "{out:?}");
    assert_eq!(exited(r.quit()), Some(0));
    // Each line is its own history entry.
    let saved = std::fs::read_to_string(&history).expect("the history file");
    assert_eq!(
        saved
            .lines()
            .filter(|l| l.starts_with("a"))
            .collect::<Vec<_>>(),
        ["a1 = 1", "a2 = 2", "a3 = a1 + a2"]
    );
}

#[test]
fn tab_after_an_expression_completes_at() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(&dir.path().join("history"), false);
    r.keys(":grad (x1+5)*x2^2 a\t");
    r.expect("x2^2 at ");
    r.keys("2, 3\r");
    let out = plain(&r.prompt());
    assert!(out.contains("∂/∂x2") && out.contains("42"), "{out:?}");
    assert_eq!(exited(r.quit()), Some(0));
}

#[test]
fn help_fits_the_terminal_width_and_errors_have_a_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deriv"));
    cmd.env("TERM", "xterm")
        .env("DERIV_HISTORY", dir.path().join("history"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "60");
    let p = rexpect::session::spawn_command(cmd, Some(TIMEOUT_MS)).expect("deriv starts");
    let mut r = Repl { p };
    r.expect("type :help");
    r.prompt();
    let out = plain(&r.run(":help"));
    let lines: Vec<&str> = out.lines().skip(1).collect();
    assert!(lines.iter().any(|l| l.contains(":min EXPR")), "{out}");
    for l in &lines {
        assert!(l.chars().count() <= 60, "{l:?} is wider than 60");
    }
    // A descent in six variables: its table keeps the iteration, f and
    // |∇f| columns and gives up some in between.
    r.run("r(x1,x2,x3,x4,x5,x6) = (1-x1)^2 + 100*(x2-x1^2)^2 + (x3-x4)^2 + (x5-x6)^2");
    // (The echo of a line this long wraps and redraws the prompt: wait for
    // the result's last lines instead.)
    r.p.send_line(":min r from 0,0,0,0,0,0 method=adam lr=0.01")
        .unwrap();
    let out = plain(&r.expect("  value  "));
    let out = out
        .split_once("lr=0.01\n")
        .map_or(out.as_str(), |x| x.1)
        .to_string();
    r.prompt();
    let table: Vec<&str> = out.lines().filter(|l| l.contains('…')).collect();
    assert!(table.len() >= 10, "{out}");
    assert!(
        table[0].contains("iteration") && table[0].ends_with("|∇f|"),
        "{out}"
    );
    for l in out.lines() {
        assert!(l.chars().count() <= 60, "{l:?} is wider than 60");
    }
    let out = plain(&r.run("1 +"));
    assert!(out.contains(" --> <prompt>:4:4"), "{out:?}");
    assert_eq!(exited(r.quit()), Some(0));
}
