//! The script runner: FILEs, `-e` statements and standard input (`-`, or a
//! pipe), run in command-line order through one session.

use super::args::Input;
use super::show::{OutputEnd, Printer};
use deriv::error::Error;
use deriv::limits;
use deriv::render::Source;
use deriv::session::Session;
use deriv::syntax;
use std::io::{self, BufRead};
use std::path::PathBuf;

/// Runs statements and shows their results.
pub struct Runner {
    pub session: Session,
    pub printer: Printer,
}

/// A FILE's name and bytes, read before anything runs (a missing one is bad
/// command-line use, not a failure halfway through).
pub type Files = Vec<(PathBuf, Vec<u8>)>;

/// Reads every FILE among `inputs`; the error names the one that failed.
pub fn read_files(inputs: &[Input]) -> Result<Files, String> {
    let mut files = Vec::new();
    for i in inputs {
        if let Input::File(f) = i {
            match deriv::files::read_bounded(f, limits::MAX_LOAD_BYTES) {
                Ok(b) => files.push((f.clone(), b)),
                Err(e) => return Err(format!("cannot read {}: {e}", f.display())),
            }
        }
    }
    Ok(files)
}

impl Runner {
    /// Runs one line (given as bytes: it may not be UTF-8) and shows what it gave.
    fn line(&mut self, name: &str, line_no: usize, raw: &[u8]) -> Result<(), OutputEnd> {
        let text = syntax::lossy(raw);
        let result =
            syntax::decode_line(raw, line_no == 1).and_then(|l| self.session.eval_line(&l));
        let src = Source {
            name,
            line: line_no,
            text: &text,
        };
        self.printer
            .show(&src, result, self.session.settings.digits)
    }

    /// Runs `inputs` in order; `files` holds the FILEs' bytes, in order.
    pub fn inputs(&mut self, inputs: &[Input], files: &Files) -> Result<(), OutputEnd> {
        let mut files = files.iter();
        for input in inputs {
            match input {
                Input::File(_) => {
                    let Some((path, bytes)) = files.next() else {
                        continue;
                    };
                    let name = path.display().to_string();
                    // `:load` inside the file finds files beside it.
                    self.session.begin_file(path);
                    for (i, raw) in syntax::split_lines(bytes).enumerate() {
                        if self.printer.quit {
                            break;
                        }
                        self.line(&name, i + 1, raw)?;
                    }
                    self.session.end_file();
                    if self.printer.quit {
                        return Ok(());
                    }
                }
                Input::Eval(n, e) => {
                    if self.printer.quit {
                        return Ok(());
                    }
                    // Each -e is one statement; a newline inside one is not a second statement.
                    let text = e.replace(['\n', '\r'], " ");
                    self.line("-e", *n, text.as_bytes())?;
                }
                Input::Stdin => {
                    let eager = std::mem::replace(&mut self.printer.eager, true);
                    self.stdin()?;
                    self.printer.eager = eager;
                }
            }
        }
        Ok(())
    }

    /// Runs standard input, one statement per line, answering as it goes.
    pub fn stdin(&mut self) -> Result<(), OutputEnd> {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        let mut n = 0;
        while !self.printer.quit {
            let line = match read_line_limited(&mut input, limits::MAX_LINE_BYTES) {
                Ok(Some(l)) => l,
                Ok(None) => break,
                Err(e) => {
                    let _ = self.printer.flush();
                    crate::report!("deriv: cannot read standard input: {e}");
                    self.printer.failed = true;
                    break;
                }
            };
            n += 1;
            match line {
                (raw, false) => self.line("<stdin>", n, &raw)?,
                (_, true) => {
                    let e = Error::limit(
                        "the line is too long",
                        format!("{} bytes", limits::MAX_LINE_BYTES),
                    );
                    let src = Source {
                        name: "<stdin>",
                        line: n,
                        text: "",
                    };
                    self.printer
                        .show(&src, Err(e), self.session.settings.digits)?;
                }
            }
        }
        Ok(())
    }
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
