//! A progress bar on standard error for long commands (`:min`, the
//! finite-difference check under a derivative): drawn only
//! when standard error is a terminal, only once a run has lasted half a
//! second (short runs never flash), and erased before the result prints.

use deriv::session::{Observer, Session};
use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Ticks (each `optimize::TICK_EVERY`, 100 ms) before the bar appears.
const TICKS_BEFORE_SHOWING: u64 = 5;
/// Cells in the bar.
const WIDTH: usize = 24;

/// The bar's state, shared with the session's progress callback.
#[derive(Clone, Default)]
pub struct Bar {
    ticks: Arc<AtomicU64>,
    drawn: Arc<AtomicBool>,
}

impl Bar {
    /// Lets `session` report progress to a bar on standard error, when that
    /// is a terminal; otherwise the bar does nothing.
    pub fn install(session: &mut Session) -> Bar {
        let bar = Bar::default();
        if io::stderr().is_terminal() {
            let b = bar.clone();
            session.set_progress(Observer(Arc::new(move |what, unit, done, total| {
                b.tick(what, unit, done, total)
            })));
        }
        bar
    }

    fn tick(&self, what: &str, unit: &str, done: u64, total: u64) {
        if self.ticks.fetch_add(1, Ordering::Relaxed) + 1 < TICKS_BEFORE_SHOWING {
            return;
        }
        let line = line(what, unit, done, total);
        let mut e = io::stderr().lock();
        // \r and erase-line keep the bar on one line as it redraws.
        let _ = write!(e, "\r\x1b[2K{line}");
        let _ = e.flush();
        self.drawn.store(true, Ordering::Relaxed);
    }

    /// Erases the bar if it is on the screen; call before printing a result.
    pub fn clear(&self) {
        self.ticks.store(0, Ordering::Relaxed);
        if self.drawn.swap(false, Ordering::Relaxed) {
            let mut e = io::stderr().lock();
            let _ = write!(e, "\r\x1b[2K");
            let _ = e.flush();
        }
    }
}

/// `:min  [██████░░░░…]  25%  iteration 250 of 1000  (Ctrl-C stops)`
fn line(what: &str, unit: &str, done: u64, total: u64) -> String {
    let frac = if total == 0 {
        1.0
    } else {
        (done as f64 / total as f64).clamp(0.0, 1.0)
    };
    let full = (frac * WIDTH as f64).round() as usize;
    format!(
        "{what}  [{}{}]  {:>3.0}%  {unit} {done} of {total}  (Ctrl-C stops)",
        "█".repeat(full),
        "░".repeat(WIDTH - full),
        frac * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_iterations() {
        assert_eq!(
            line(":min", "iteration", 250, 1000),
            ":min  [██████░░░░░░░░░░░░░░░░░░]   25%  iteration 250 of 1000  (Ctrl-C stops)"
        );
        assert!(line(":min", "iteration", 1000, 1000).contains(&"█".repeat(WIDTH)));
        assert!(line(":min", "iteration", 5, 0).contains("100%"));
        assert_eq!(
            line("check", "evaluation", 40, 160),
            "check  [██████░░░░░░░░░░░░░░░░░░]   25%  evaluation 40 of 160  (Ctrl-C stops)"
        );
    }
}
