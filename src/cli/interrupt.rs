//! Ctrl-C, for the script runner and the prompt alike: the first press asks
//! the statement being computed to stop (it fails with "interrupted"); a
//! second press ends `deriv` with status 130, as shells and fd report it,
//! after flushing the results already printed.
//!
//! At the prompt the terminal is raw while a line is edited, so Ctrl-C there
//! is a key rustyline reads (it clears the line), not this signal; and the
//! presses are counted per statement, so that stopping one long computation
//! does not make the next Ctrl-C quit.

use super::output::Output;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Exit status after a second Ctrl-C (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

/// The one Ctrl-C handler's state, shared with the signal thread.
#[derive(Clone)]
pub struct Interrupt {
    cancel: Arc<AtomicBool>,
    presses: Arc<AtomicUsize>,
    /// Count presses per statement (the prompt) rather than per run.
    per_statement: bool,
}

impl Interrupt {
    /// Installs the handler; `out` is flushed before a second press exits.
    pub fn install(out: Output, per_statement: bool) -> Interrupt {
        let i = Interrupt {
            cancel: Arc::new(AtomicBool::new(false)),
            presses: Arc::new(AtomicUsize::new(0)),
            per_statement,
        };
        let (cancel, presses) = (Arc::clone(&i.cancel), Arc::clone(&i.presses));
        let installed = ctrlc::set_handler(move || {
            if presses.fetch_add(1, Ordering::Relaxed) >= 1 {
                out.flush_from_signal();
                std::process::exit(EXIT_INTERRUPTED);
            }
            cancel.store(true, Ordering::Relaxed);
            let _ = writeln!(
                std::io::stderr(),
                "deriv: interrupted (press Ctrl-C again to quit)"
            );
        });
        if let Err(e) = installed {
            crate::report!("deriv: warning: Ctrl-C will not interrupt a computation: {e}");
        }
        i
    }

    /// The flag the session polls.
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// A statement has finished: the next one starts uninterrupted.
    pub fn statement_done(&self) {
        self.cancel.store(false, Ordering::Relaxed);
        if self.per_statement {
            self.presses.store(0, Ordering::Relaxed);
        }
    }
}
