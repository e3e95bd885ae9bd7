//! Standard output, buffered and shared: the runner writes results through
//! it, and the Ctrl-C handler flushes it before a second press exits, so
//! results already printed reach a pipe or a file.

use std::io::{self, BufWriter, Stdout, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a second Ctrl-C waits for a write in progress before it gives up
/// flushing (a reader that stopped reading must not keep deriv alive).
const SIGNAL_FLUSH_WAIT: Duration = Duration::from_millis(200);

/// A handle on the one buffered standard output.
#[derive(Clone)]
pub struct Output(Arc<Mutex<BufWriter<Stdout>>>);

impl Output {
    /// The process's standard output, buffered.
    pub fn stdout() -> Output {
        Output(Arc::new(Mutex::new(BufWriter::new(io::stdout()))))
    }

    fn lock(&self) -> MutexGuard<'_, BufWriter<Stdout>> {
        // A panic while writing leaves the buffer usable.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `s` and a newline; flushes too when `flush`.
    pub fn line(&self, s: &str, flush: bool) -> io::Result<()> {
        let mut out = self.lock();
        writeln!(out, "{s}")?;
        if flush { out.flush() } else { Ok(()) }
    }

    /// Sends what is buffered on.
    pub fn flush(&self) -> io::Result<()> {
        self.lock().flush()
    }

    /// Flushes from the signal handler's thread: waits briefly for a write
    /// in progress, then gives up rather than hang.
    pub fn flush_from_signal(&self) {
        let until = Instant::now() + SIGNAL_FLUSH_WAIT;
        loop {
            if let Ok(mut out) = self.0.try_lock() {
                let _ = out.flush();
                return;
            }
            if Instant::now() > until {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
