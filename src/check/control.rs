//! Watching a long check: a flag another thread sets (Ctrl-C), a
//! wall-clock deadline, and a progress callback. A check of an expensive
//! function (a nest of a million operations costs a fraction of a second
//! per evaluation, and a check a few hundred evaluations) behaves like any
//! long computation: it shows progress, and when stopped it reports what it
//! had decided.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How a check may be stopped and watched; the default is never.
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    /// Set from elsewhere to stop the check.
    pub cancel: Option<&'a AtomicBool>,
    /// Stop once this instant has passed; the `u64` is the limit in whole
    /// seconds, for the message.
    pub deadline: Option<(Instant, u64)>,
    /// Called about every 100 ms with `(evaluations done,
    /// evaluations planned)`.
    pub tick: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// The caller's automatic differentiation found no kink at the point
    /// (no built-in warned). A kink the finite differences see only at
    /// steps above the finest they can resolve is then reported as
    /// unconfirmed, not as a kink: in f64 a kink 1e-12 away from a point
    /// near 1 cannot be told from one at it, and the derivative there
    /// exists.
    pub smooth_by_ad: bool,
}

/// How often progress is reported.
pub const TICK_EVERY: Duration = Duration::from_millis(100);

/// Why a check stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Halt {
    /// The cancel flag was set.
    Interrupted,
    /// The deadline passed (its limit in seconds).
    Deadline(u64),
}

impl Halt {
    /// The sentence for the report's `skipped`.
    pub fn explain(self, checked: usize, evaluations: usize) -> String {
        let why = match self {
            Halt::Interrupted => "The check was interrupted".to_string(),
            Halt::Deadline(s) => format!("The check stopped at its time limit of {s} s"),
        };
        format!("{why} after {evaluations} evaluations; {checked} entries were decided.")
    }
}

/// The watch over one check's evaluations.
pub(super) struct Watch<'a> {
    control: Control<'a>,
    /// Evaluations the check expects to make, for the progress bar.
    pub planned: usize,
    next_tick: Instant,
    /// Set once the check must stop: evaluations then return NaN at once.
    pub halted: Option<Halt>,
}

impl<'a> Watch<'a> {
    pub fn new(control: Control<'a>, planned: usize) -> Watch<'a> {
        Watch {
            control,
            planned,
            next_tick: Instant::now() + TICK_EVERY,
            halted: None,
        }
    }

    /// Before evaluation number `count`: whether to go on.
    pub fn proceed(&mut self, count: usize) -> bool {
        if self.halted.is_some() {
            return false;
        }
        if self
            .control
            .cancel
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            self.halted = Some(Halt::Interrupted);
            return false;
        }
        // A clock read costs tens of nanoseconds, an evaluation at least as
        // much, and a slow evaluation (the reason for the deadline) may take
        // a second: look every time.
        if self.control.deadline.is_some() || self.control.tick.is_some() {
            let now = Instant::now();
            if let Some((at, secs)) = self.control.deadline
                && now > at
            {
                self.halted = Some(Halt::Deadline(secs));
                return false;
            }
            if let Some(tick) = self.control.tick
                && now >= self.next_tick
            {
                tick(count, self.planned.max(count));
                self.next_tick = now + TICK_EVERY;
            }
        }
        true
    }
}
