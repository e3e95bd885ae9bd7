//! The `deriv` binary: arguments, input, and printing. All the mathematics is
//! in the library; this file decides where lines come from and where results go.

mod cli;

use clap::Parser;
use cli::{Cli, ColorChoice};
use deriv::error::{Error, ErrorKind};
use deriv::outcome::Outcome;
use deriv::render::{self, Source, Style};
use deriv::session::Session;
use deriv::{limits, syntax};
use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// `eprintln!` that never panics: a failing standard error (`2>/dev/full`)
/// must not turn a finished run into a crash; the exit status still tells.
macro_rules! report {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use report;

/// The exit statuses (docs/language.md §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    /// Every statement succeeded.
    Success = 0,
    /// At least one statement failed.
    Failure = 1,
    /// Bad command-line use.
    Usage = 2,
}

/// Why output stopped early.
enum Stop {
    /// The reader went away (`| head`): end quietly.
    BrokenPipe,
    /// Writing failed otherwise (disk full): reported once.
    WriteFailed(io::Error),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let usage = e.use_stderr();
            let _ = e.print();
            return ExitCode::from(if usage {
                Exit::Usage as u8
            } else {
                Exit::Success as u8
            });
        }
    };
    // Evaluation recurses over the expression tree; the parser bounds its depth,
    // and a roomy stack keeps every bounded case far from the guard page.
    let worker = std::thread::Builder::new()
        .name("deriv".into())
        .stack_size(64 << 20)
        .spawn(move || run(cli));
    let code = match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => Exit::Failure,
    };
    ExitCode::from(code as u8)
}

/// Decides colour for one stream: `--color`, then NO_COLOR, then whether it is a terminal.
fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Runs statements and prints their results; remembers whether any failed.
struct Runner {
    session: Session,
    json: bool,
    color_out: bool,
    color_err: bool,
    fail_fast: bool,
    failed: bool,
    quit: bool,
    out: io::BufWriter<io::Stdout>,
    /// Flush after every statement (a pipe that feeds us line by line wants answers as it goes).
    eager: bool,
    /// Set by Ctrl-C to stop the statement running; cleared after each one.
    cancel: Option<Arc<AtomicBool>>,
    /// The progress bar of long commands, erased before each result.
    bar: cli::progress::Bar,
}

impl Runner {
    fn style_out(&self) -> Style {
        Style {
            color: self.color_out,
            digits: self.session.settings.digits,
        }
    }

    fn style_err(&self) -> Style {
        Style {
            color: self.color_err,
            digits: self.session.settings.digits,
        }
    }

    fn write(&mut self, s: &str) -> Result<(), Stop> {
        let r = writeln!(self.out, "{s}")
            .and_then(|_| if self.eager { self.out.flush() } else { Ok(()) });
        r.map_err(|e| {
            if e.kind() == io::ErrorKind::BrokenPipe {
                Stop::BrokenPipe
            } else {
                Stop::WriteFailed(e)
            }
        })
    }

    fn flush(&mut self) -> Result<(), Stop> {
        self.out.flush().map_err(|e| {
            if e.kind() == io::ErrorKind::BrokenPipe {
                Stop::BrokenPipe
            } else {
                Stop::WriteFailed(e)
            }
        })
    }

    fn error_text(&self, e: &Error, src: &Source<'_>) -> String {
        render::error(e, src, self.style_err())
    }

    /// Runs one line (given as bytes: it may not be UTF-8) and prints what it gave.
    fn line(&mut self, name: &str, line_no: usize, raw: &[u8]) -> Result<(), Stop> {
        let text = syntax::lossy(raw);
        let result =
            syntax::decode_line(raw, line_no == 1).and_then(|l| self.session.eval_line(&l));
        self.bar.clear();
        // One Ctrl-C stops one statement; the script goes on with the next.
        if let Some(c) = &self.cancel {
            c.store(false, Ordering::Relaxed);
        }
        self.show(name, line_no, &text, result)
    }

    fn show(
        &mut self,
        name: &str,
        line_no: usize,
        text: &str,
        result: Result<Outcome, Error>,
    ) -> Result<(), Stop> {
        let failed = match &result {
            Ok(o) => o.has_error(),
            Err(_) => true,
        };
        if matches!(result, Ok(Outcome::Quit)) {
            self.quit = true;
        }
        if failed {
            self.failed = true;
            if self.fail_fast {
                self.quit = true;
            }
        }
        if matches!(result, Ok(Outcome::Empty)) {
            return Ok(());
        }
        if self.json {
            let j = render::json(line_no, text, &result);
            return self.write(&j);
        }
        match &result {
            Ok(o) => {
                let s = render::outcome(o, self.style_out());
                if !s.is_empty() {
                    self.write(&s)?;
                }
                let nested = render::nested_errors(o, self.style_err());
                if !nested.is_empty() {
                    self.flush()?;
                    for e in nested {
                        report!("{e}");
                    }
                }
            }
            Err(e) => {
                let src = Source {
                    name,
                    line: line_no,
                    text,
                };
                let msg = self.error_text(e, &src);
                self.flush()?;
                report!("{msg}");
            }
        }
        Ok(())
    }
}

/// Exit status after a second Ctrl-C in a script (128 + SIGINT, as shells
/// and fd report it).
const EXIT_INTERRUPTED: i32 = 130;

/// Ctrl-C while a script runs: the first one stops the statement being
/// computed (it fails with "interrupted" and the script goes on); a second
/// one, at any later time, ends deriv with status 130, as fd does. The
/// prompt installs its own handler instead (`repl::run`).
fn interrupt_handler() -> Arc<AtomicBool> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    let presses = AtomicUsize::new(0);
    let installed = ctrlc::set_handler(move || {
        if presses.fetch_add(1, Ordering::Relaxed) >= 1 {
            std::process::exit(EXIT_INTERRUPTED);
        }
        flag.store(true, Ordering::Relaxed);
        let _ = writeln!(
            io::stderr(),
            "deriv: interrupted (press Ctrl-C again to quit)"
        );
    });
    if let Err(e) = installed {
        let _ = writeln!(
            io::stderr(),
            "deriv: warning: Ctrl-C will not interrupt a computation: {e}"
        );
    }
    cancel
}

/// Reads one line of at most `max` bytes (without the newline). A longer line
/// is read to its end and dropped; the flag says so. `None` at end of input.
fn read_line_limited(r: &mut impl BufRead, max: usize) -> io::Result<Option<(Vec<u8>, bool)>> {
    let mut buf = Vec::new();
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(if any { Some((buf, too_long)) } else { None });
        }
        any = true;
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        if !too_long {
            if buf.len() + part.len() > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(part);
            }
        }
        let used = done.unwrap_or(chunk.len());
        r.consume(used);
        if done.is_some() {
            return Ok(Some((buf, too_long)));
        }
    }
}

fn run(cli: Cli) -> Exit {
    if let Some(shell) = cli.completions {
        use clap::CommandFactory;
        clap_complete::generate(shell, &mut Cli::command(), "deriv", &mut io::stdout());
        return Exit::Success;
    }
    let stdin_tty = io::stdin().is_terminal();
    let stdout_tty = io::stdout().is_terminal();
    let color_out = !cli.json && use_color(cli.color, stdout_tty);
    let color_err = use_color(cli.color, io::stderr().is_terminal());
    // colored decides from stdout alone; we decide per stream and paint only
    // where the flag is on, so let it paint whenever asked.
    if color_out || color_err {
        colored::control::set_override(true);
    }
    // textplots' colours (`:plot`) go to stdout through colored 2.
    colored2::control::set_override(color_out);
    let mut session = Session::new();
    if cli.no_check {
        session.settings.check = false;
    }
    let mut r = Runner {
        session,
        json: cli.json,
        color_out,
        color_err,
        fail_fast: cli.fail_fast,
        failed: false,
        quit: false,
        out: io::BufWriter::new(io::stdout()),
        eager: true,
        cancel: None,
        bar: cli::progress::Bar::default(),
    };
    // Check every file first: a missing one is bad command-line use.
    let mut files = Vec::new();
    for f in &cli.files {
        match deriv::files::read_bounded(f, deriv::limits::MAX_LOAD_BYTES) {
            Ok(b) => files.push((f.display().to_string(), b)),
            Err(e) => {
                report!("deriv: cannot read {}: {}", f.display(), e);
                return Exit::Usage;
            }
        }
    }
    r.bar = cli::progress::Bar::install(&mut r.session);
    let scripted = !files.is_empty() || !cli.eval.is_empty();
    if scripted || !stdin_tty || cli.json {
        r.cancel = Some(interrupt_handler());
        if let Some(c) = &r.cancel {
            r.session.set_cancel(Arc::clone(c));
        }
    }
    let result = if scripted {
        r.eager = false;
        run_args(&mut r, &files, &cli.eval)
    } else if stdin_tty && !cli.json {
        return cli::repl::run(r.session, r.color_out, r.color_err);
    } else {
        run_stdin(&mut r)
    };
    let result = result.and_then(|_| r.flush());
    match result {
        Ok(()) | Err(Stop::BrokenPipe) => {}
        Err(Stop::WriteFailed(e)) => {
            report!("deriv: cannot write the output: {e}");
            return Exit::Failure;
        }
    }
    if r.failed {
        Exit::Failure
    } else {
        Exit::Success
    }
}

fn run_args(r: &mut Runner, files: &[(String, Vec<u8>)], evals: &[String]) -> Result<(), Stop> {
    for (name, bytes) in files {
        r.session.begin_file(std::path::Path::new(name));
        for (i, raw) in syntax::split_lines(bytes).enumerate() {
            if r.quit {
                return Ok(());
            }
            r.line(name, i + 1, raw)?;
        }
        r.session.end_file();
    }
    for (i, e) in evals.iter().enumerate() {
        if r.quit {
            return Ok(());
        }
        // Each -e is one statement; a newline inside one is not a second statement.
        let text = e.replace(['\n', '\r'], " ");
        r.line("-e", i + 1, text.as_bytes())?;
    }
    Ok(())
}

fn run_stdin(r: &mut Runner) -> Result<(), Stop> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut n = 0;
    while !r.quit {
        let line = match read_line_limited(&mut input, limits::MAX_LINE_BYTES) {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                let _ = r.flush();
                report!("deriv: cannot read standard input: {e}");
                r.failed = true;
                break;
            }
        };
        n += 1;
        match line {
            (raw, false) => r.line("<stdin>", n, &raw)?,
            (_, true) => {
                let e = Error::limit(
                    "the line is too long",
                    format!("{} bytes", limits::MAX_LINE_BYTES),
                );
                r.show(
                    "<stdin>",
                    n,
                    "",
                    Err(Error {
                        kind: ErrorKind::Limit,
                        ..e
                    }),
                )?;
            }
        }
    }
    Ok(())
}
