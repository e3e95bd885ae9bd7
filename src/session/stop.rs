//! When a statement must stop early: Ctrl-C (the cancel flag another thread
//! sets) or its wall-clock time limit. Long commands poll between the
//! evaluations they repeat (samples, rows, finite differences, the lines of
//! a loaded file); a single evaluation polls Ctrl-C itself (`Budget`) and
//! is bounded by the operation limit.

use super::Session;
use crate::error::Error;
use crate::limits;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

impl Session {
    /// Gives every statement `limit` of wall-clock time instead of
    /// [`limits::STATEMENT_DEADLINE_SECS`].
    pub fn set_time_limit(&mut self, limit: Duration) {
        self.time_limit = Some(limit);
    }

    pub(super) fn time_limit(&self) -> Duration {
        self.time_limit
            .unwrap_or(Duration::from_secs(limits::STATEMENT_DEADLINE_SECS))
    }

    /// Runs `f` as one statement with its own deadline; the deadline of a
    /// statement around it (a `:load`) comes back afterwards.
    pub(super) fn timed<T>(&mut self, f: impl FnOnce(&mut Session) -> T) -> T {
        let outer = self.deadline.replace(Instant::now() + self.time_limit());
        let r = f(self);
        self.deadline = outer;
        r
    }

    /// Whether Ctrl-C has asked to stop.
    pub(super) fn interrupted(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// `Err` once the statement must stop: "interrupted" after Ctrl-C, a
    /// limit error past the time limit.
    pub(super) fn poll(&self) -> Result<(), Error> {
        if self.interrupted() {
            return Err(Error::interrupted());
        }
        if self.deadline.is_some_and(|d| Instant::now() > d) {
            return Err(Error::out_of_time(self.time_limit()));
        }
        Ok(())
    }
}
