//! The interactive prompt (rustyline), used only when stdin is a terminal.

use crate::render::{self, Source, Style};
use crate::Exit;
use deriv::outcome::Outcome;
use deriv::session::Session;
use rustyline::error::ReadlineError;

/// Runs the prompt until Ctrl-D or `:quit`.
pub fn run(mut session: Session, color_out: bool, color_err: bool) -> Exit {
    let mut rl = match rustyline::DefaultEditor::new() {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("deriv: cannot start the prompt: {e}");
            return Exit::Failure;
        }
    };
    println!("deriv {} — type :help for help, Ctrl-D to quit", env!("CARGO_PKG_VERSION"));
    let mut n = 0;
    loop {
        match rl.readline("> ") {
            Ok(line) => {
                n += 1;
                if !line.trim().is_empty() {
                    let _ = rl.add_history_entry(line.as_str());
                }
                let result = session.eval_line(&line);
                let digits = session.settings.digits;
                let st = |color| Style { color, digits };
                match result {
                    Ok(Outcome::Quit) => break,
                    Ok(o) => {
                        let s = render::outcome(&o, st(color_out));
                        if !s.is_empty() {
                            println!("{s}");
                        }
                        for e in render::nested_errors(&o, st(color_err)) {
                            eprintln!("{e}");
                        }
                    }
                    Err(e) => {
                        let src = Source {
                            name: "<prompt>",
                            line: n,
                            text: &line,
                        };
                        eprintln!("{}", render::error(&e, &src, st(color_err)));
                    }
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("deriv: {e}");
                return Exit::Failure;
            }
        }
    }
    Exit::Success
}
