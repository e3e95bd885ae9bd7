//! The `deriv` binary: arguments, input, and printing. All the mathematics is
//! in the library; this file decides where lines come from and where results go.

mod cli;

use clap::{CommandFactory, FromArgMatches};
use cli::args::Input;
use cli::interrupt::Interrupt;
use cli::output::Output;
use cli::script::Runner;
use cli::show::{OutputEnd, Printer};
use cli::{Cli, ColorChoice};
use deriv::session::{FormulaMode, Session};
use std::io::{self, IsTerminal};
use std::process::ExitCode;

/// `eprintln!` that never panics: a failing standard error (`2>/dev/full`)
/// must not turn a finished run into a crash; the exit status still tells.
macro_rules! report {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use report;

/// The exit statuses (a second Ctrl-C exits with
/// [`cli::interrupt::EXIT_INTERRUPTED`] from the signal handler).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    /// Every statement succeeded.
    Success = 0,
    /// At least one statement failed (or, with `--strict`, a check).
    Failure = 1,
    /// Bad command-line use.
    Usage = 2,
}

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|c| (c, m)));
    let (cli, inputs) = match parsed {
        Ok((c, m)) => {
            let inputs = c.inputs(&m);
            (c, inputs)
        }
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
        .spawn(move || run(cli, inputs));
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

fn run(cli: Cli, inputs: Vec<Input>) -> Exit {
    if let Some(shell) = cli.completions {
        clap_complete::generate(shell, &mut Cli::command(), "deriv", &mut io::stdout());
        return Exit::Success;
    }
    let stdin_tty = io::stdin().is_terminal();
    let color_out = !cli.json && use_color(cli.color, io::stdout().is_terminal());
    let color_err = use_color(cli.color, io::stderr().is_terminal());
    // colored decides from stdout alone; we decide per stream and paint only
    // where the flag is on, so let it paint whenever asked.
    if color_out || color_err {
        colored::control::set_override(true);
    }
    // textplots' colours (`:plot`) go to stdout through colored 2.
    colored2::control::set_override(color_out);
    let files = match cli::script::read_files(&inputs) {
        Ok(f) => f,
        Err(e) => {
            report!("deriv: {e}");
            return Exit::Usage;
        }
    };
    let mut session = Session::new();
    if cli.no_check {
        session.settings.check = false;
    }
    if let Some(t) = cli.time_limit {
        session.set_time_limit(t);
    }
    let prompt = inputs.is_empty() && stdin_tty && !cli.json;
    if prompt {
        // At the prompt a short formula beside :diff's and :grad's numbers
        // helps; scripts keep their output as it was.
        session.settings.formulas = FormulaMode::Auto;
    }
    let out = Output::stdout();
    let interrupt = Interrupt::install(out.clone(), prompt);
    session.set_cancel(interrupt.flag());
    let bar = cli::progress::Bar::install(&mut session);
    let printer = Printer {
        json: cli.json,
        color_out,
        color_err,
        fail_fast: cli.fail_fast,
        strict: cli.strict,
        // A pipe that feeds us line by line wants answers as it goes.
        eager: inputs.is_empty(),
        failed: false,
        quit: false,
        out,
        bar,
        interrupt: Some(interrupt),
    };
    if prompt {
        return cli::repl::run(session, printer);
    }
    let mut r = Runner { session, printer };
    let result = if inputs.is_empty() {
        r.stdin()
    } else {
        r.inputs(&inputs, &files)
    };
    match result.and_then(|_| r.printer.flush()) {
        Ok(()) | Err(OutputEnd::BrokenPipe) => {}
        Err(OutputEnd::WriteFailed(e)) => {
            report!("deriv: cannot write the output: {e}");
            return Exit::Failure;
        }
    }
    if r.printer.failed {
        Exit::Failure
    } else {
        Exit::Success
    }
}
