//! The one place where a statement's result is shown, for the script runner
//! and the prompt alike: results on standard output (text or JSON Lines),
//! errors on standard error with their ` --> FILE:LINE:COL`, and the
//! bookkeeping of a run (did anything fail, was `:quit` asked for).

use super::interrupt::Interrupt;
use super::output::Output;
use super::progress::Bar;
use deriv::error::Error;
use deriv::outcome::Outcome;
use deriv::render::{self, Source, Style};
use std::io;

/// Why output stopped early.
pub enum OutputEnd {
    /// The reader went away (`| head`): end quietly.
    BrokenPipe,
    /// Writing failed otherwise (disk full): reported once.
    WriteFailed(io::Error),
}

impl From<io::Error> for OutputEnd {
    fn from(e: io::Error) -> OutputEnd {
        if e.kind() == io::ErrorKind::BrokenPipe {
            OutputEnd::BrokenPipe
        } else {
            OutputEnd::WriteFailed(e)
        }
    }
}

/// How results are shown, and what the run has seen so far.
pub struct Printer {
    /// JSON Lines instead of text.
    pub json: bool,
    /// Colour on standard output, and on standard error.
    pub color_out: bool,
    pub color_err: bool,
    /// Stop at the first failure.
    pub fail_fast: bool,
    /// A derivative whose finite-difference check did not pass fails its
    /// statement (`--strict`).
    pub strict: bool,
    /// Flush after every statement (someone reads the answers as they come).
    pub eager: bool,
    /// Some statement failed.
    pub failed: bool,
    /// `:quit`, or a failure under `fail_fast`: run nothing more.
    pub quit: bool,
    pub out: Output,
    /// The progress bar of long commands, erased before each result.
    pub bar: Bar,
    /// Ctrl-C, reset after each statement.
    pub interrupt: Option<Interrupt>,
}

impl Printer {
    fn style(&self, color: bool, digits: Option<usize>) -> Style {
        Style { color, digits }
    }

    /// Writes one line of results.
    pub fn write(&mut self, s: &str) -> Result<(), OutputEnd> {
        Ok(self.out.line(s, self.eager)?)
    }

    /// Sends buffered results on.
    pub fn flush(&mut self) -> Result<(), OutputEnd> {
        Ok(self.out.flush()?)
    }

    /// Shows the result of the statement `src`, printed with `digits`.
    pub fn show(
        &mut self,
        src: &Source<'_>,
        result: Result<Outcome, Error>,
        digits: Option<usize>,
    ) -> Result<(), OutputEnd> {
        self.bar.clear();
        if let Some(i) = &self.interrupt {
            i.statement_done();
        }
        let failed = match &result {
            Ok(o) => o.has_error() || (self.strict && check_failed(o)),
            Err(_) => true,
        };
        if matches!(result, Ok(Outcome::Quit)) {
            self.quit = true;
        }
        if failed {
            self.failed = true;
            self.quit |= self.fail_fast;
        }
        if matches!(result, Ok(Outcome::Empty | Outcome::Quit)) {
            return Ok(());
        }
        if self.json {
            return self.write(&render::json(src.line, src.text, &result));
        }
        let (out, err) = (
            self.style(self.color_out, digits),
            self.style(self.color_err, digits),
        );
        match &result {
            Ok(o) => {
                let mut s = render::outcome(o, out);
                if let Some(w) = super::fit::stdout_width() {
                    s = super::fit::fit(&s, w);
                }
                if !s.is_empty() {
                    self.write(&s)?;
                }
                let nested = render::nested_errors(o, err);
                if !nested.is_empty() {
                    self.flush()?;
                    for e in nested {
                        crate::report!("{e}");
                    }
                }
            }
            Err(e) => {
                let msg = render::error(e, src, err);
                self.flush()?;
                crate::report!("{msg}");
            }
        }
        Ok(())
    }
}

/// A finite-difference check in `o` (or in a line `:load` ran) that did not
/// pass.
pub fn check_failed(o: &Outcome) -> bool {
    match o {
        Outcome::Derivatives(d) => d.check.as_ref().is_some_and(|c| !c.ok),
        Outcome::Loaded { results, .. } => results
            .iter()
            .any(|r| r.result.as_ref().is_ok_and(check_failed)),
        _ => false,
    }
}
