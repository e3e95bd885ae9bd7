//! The interactive prompt (rustyline), used only when stdin is a terminal; a
//! pipe is read line by line in `main.rs` and never goes through here.
//!
//! `helper.rs` answers the editor (completion, hints, colours), `lex.rs`
//! splits a half-typed line for it, `history.rs` keeps the history file.

mod helper;
mod history;
mod lex;

use crate::Exit;
use crate::cli::show::{OutputEnd, Printer};
use deriv::limits;
use deriv::outcome::Outcome;
use deriv::render::Source;
use deriv::session::Session;
use helper::{DerivHelper, PREVIEW_SYNTAX};
use history::History;
use rustyline::Editor;
use rustyline::config::{Behavior, ColorMode, CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use std::io::{self, IsTerminal};

/// The prompt, and the one shown while parentheses are still open.
const PROMPT: &str = "> ";
const CONTINUATION: &str = "... ";

/// Runs the prompt until Ctrl-D or `:quit`, showing results through
/// `printer` like a script's; the line being typed is coloured when either
/// stream is (with stdout redirected, the prompt is still on the terminal:
/// rustyline's PreferTerm).
pub fn run(session: Session, printer: Printer) -> Exit {
    let color = printer.color_out || printer.color_err;
    let mut rl = match editor(color) {
        Ok(rl) => rl,
        Err(e) => {
            crate::report!("deriv: cannot start the prompt: {e}");
            return Exit::Failure;
        }
    };
    let mut history = History::open();
    for entry in history.load() {
        let _ = rl.add_history_entry(entry);
    }
    rl.set_helper(Some(DerivHelper::new(session, color)));
    banner();
    let mut p = Prompt {
        rl,
        history,
        printer,
        n: 0,
    };
    loop {
        let prompt = match p.rl.helper() {
            Some(h) if !h.pending.is_empty() => CONTINUATION,
            _ => PROMPT,
        };
        let line = match p.rl.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                // Ctrl-C at the prompt: drop the line (and any open statement).
                if let Some(h) = p.rl.helper_mut() {
                    h.pending.clear();
                }
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                crate::report!("deriv: {e}");
                return Exit::Failure;
            }
        };
        // A bracketed paste brings several lines at once: each runs in
        // order, as if typed.
        for piece in line.split('\n') {
            match p.enter(piece) {
                Ok(()) if !p.printer.quit => {}
                Ok(()) | Err(OutputEnd::BrokenPipe) => return Exit::Success,
                Err(OutputEnd::WriteFailed(e)) => {
                    crate::report!("deriv: cannot write the output: {e}");
                    return Exit::Failure;
                }
            }
        }
    }
    Exit::Success
}

/// The editor, and how many statements have run (the line of a location).
struct Prompt {
    rl: Editor<DerivHelper, DefaultHistory>,
    history: History,
    printer: Printer,
    n: usize,
}

impl Prompt {
    /// One line as typed: runs it, or keeps it while parentheses are open.
    fn enter(&mut self, line: &str) -> Result<(), OutputEnd> {
        let Some(h) = self.rl.helper_mut() else {
            return Ok(());
        };
        let text = if h.pending.is_empty() {
            line.to_string()
        } else {
            format!("{} {}", std::mem::take(&mut h.pending), line.trim())
        };
        // Open parentheses: the statement goes on on the next line.
        if lex::open_parens(&text) > 0
            && text.len() < limits::MAX_LINE_BYTES
            && !names_a_file(&text)
        {
            h.pending = text;
            return Ok(());
        }
        if text.trim().is_empty() {
            return Ok(());
        }
        let _ = self.rl.add_history_entry(text.as_str());
        self.history.append(&text);
        self.n += 1;
        let Some(h) = self.rl.helper_mut() else {
            return Ok(());
        };
        let result = match set_preview(&text) {
            Some(r) => r.map(|on| {
                h.preview = on;
                Outcome::Set {
                    name: "preview".into(),
                    value: if on { "on" } else { "off" }.into(),
                }
            }),
            None => h.session.eval_line(&text),
        };
        let result = result.map(|o| match o {
            Outcome::Settings(mut s) => {
                s.push((
                    "preview".into(),
                    if h.preview { "on" } else { "off" }.into(),
                ));
                Outcome::Settings(s)
            }
            o => o,
        });
        let src = Source {
            name: "<prompt>",
            line: self.n,
            text: &text,
        };
        let digits = h.session.settings.digits;
        self.printer.show(&src, result, digits)
    }
}

/// The line editor: the terminal even when stdout is redirected, our own
/// history handling (so no duplicates and no auto-add), bash-like Tab.
fn editor(color: bool) -> rustyline::Result<Editor<DerivHelper, DefaultHistory>> {
    let config = Config::builder()
        .behavior(Behavior::PreferTerm)
        .auto_add_history(false)
        .history_ignore_dups(true)?
        .max_history_size(history::CAP)?
        .completion_type(CompletionType::List)
        .color_mode(if color {
            ColorMode::Enabled
        } else {
            ColorMode::Disabled
        })
        .build();
    Editor::with_config(config)
}

/// One line, only when someone is there to read it: on stdout when it is the
/// terminal, else on stderr when that is (so `deriv > out.txt` keeps the
/// file clean).
fn banner() {
    let text = format!(
        "deriv {} — type :help for help, Tab to complete, Ctrl-D to quit",
        env!("CARGO_PKG_VERSION")
    );
    if io::stdout().is_terminal() {
        println!("{text}");
    } else if io::stderr().is_terminal() {
        crate::report!("{text}");
    }
}

/// `:load FILE` and `:save FILE` take a path, whose parentheses are its own.
fn names_a_file(text: &str) -> bool {
    let toks = lex::tokens(text);
    let Some(first) = lex::words(&toks)
        .next()
        .filter(|t| t.kind == lex::Kind::Command)
    else {
        return false;
    };
    let name = &first.text(text)[1..];
    deriv::syntax::command_info(name).is_some_and(|c| c.syntax.contains(" FILE"))
}

/// `:set preview on|off`, the prompt's own setting: `Some` with the new
/// value (or the error) when the line is that command, `None` otherwise.
fn set_preview(text: &str) -> Option<Result<bool, deriv::error::Error>> {
    let code = text.split('#').next().unwrap_or("");
    let words: Vec<&str> = code.split_whitespace().collect();
    let syntax: Vec<&str> = PREVIEW_SYNTAX.split_whitespace().collect();
    if words.len() < 2 || words[..2] != syntax[..2] {
        return None;
    }
    Some(match words[2..] {
        ["on"] => Ok(true),
        ["off"] => Ok(false),
        _ => Err(deriv::error::Error::new(
            deriv::error::ErrorKind::Command,
            format!("`{}` takes on or off", syntax[..2].join(" ")),
        )
        .help(format!("for example `{} off`", syntax[..2].join(" ")))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_setting() {
        assert_eq!(
            set_preview(":set preview off").map(|r| r.ok()),
            Some(Some(false))
        );
        assert_eq!(
            set_preview("  :set  preview on # yes").map(|r| r.ok()),
            Some(Some(true))
        );
        assert!(matches!(set_preview(":set preview maybe"), Some(Err(_))));
        assert!(set_preview(":set check off").is_none());
        assert!(set_preview("preview").is_none());
    }

    #[test]
    fn file_commands_keep_their_parentheses() {
        assert!(names_a_file(":load a(1.deriv"));
        assert!(!names_a_file(":grad sin(x"));
        assert!(!names_a_file("load(x"));
    }
}
