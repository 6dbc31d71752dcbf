//! What a generator may know about its cell beyond the train fold: the cell's deadline (the
//! grid key `timeout`), the identity of its random streams, the dataset's label column, and where
//! an external command may keep its private files.
//!
//! The runner (and `bench generate`) sets it for the duration of one cell's fit and sample with
//! [`scope`]. It is a thread-local: a cell's fit and sample run on the thread that called them
//! (their inner parallel loops only compute), and a nested scope — rayon may run another cell on
//! a worker that waits — restores the outer one when it ends. Without a scope (unit tests,
//! `bench perf`) there is no deadline and [`check_deadline`] never fails.
//!
//! Built-in generators call [`check_deadline`] in their iteration loops (one mirror-descent
//! iteration of private-pgm and independent) and between the phases of their fits; the runner
//! also checks after fit and after sample, so a cell past its deadline is always a `timeout` row
//! (README "Timeouts").

use crate::error::{Error, Result};
use crate::rng::{Key, Rng};
use std::cell::RefCell;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A wall-clock limit that started with the cell.
#[derive(Clone, Debug)]
pub struct Deadline {
    start: Instant,
    limit_seconds: f64,
}

impl Deadline {
    /// A deadline `limit_seconds` from now.
    pub fn starting_now(limit_seconds: f64) -> Deadline {
        Deadline { start: Instant::now(), limit_seconds }
    }

    pub fn limit_seconds(&self) -> f64 {
        self.limit_seconds
    }

    pub fn elapsed_seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    pub fn expired(&self) -> bool {
        self.elapsed_seconds() >= self.limit_seconds
    }

    /// Time left (zero once expired).
    pub fn remaining(&self) -> Duration {
        Duration::from_secs_f64((self.limit_seconds - self.elapsed_seconds()).max(0.0))
    }
}

/// The identity of a cell's random streams: `bench run` draws the fit and sample streams of a
/// cell as `Rng::derive([seed, dataset, fold, phase])` with phase `fit` or `sample`, for every
/// generator of the cell row (common random numbers). An external generator's request carries
/// these three fields, so `bench generate --request` draws exactly the streams of the built-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamId {
    pub seed: u64,
    pub dataset: String,
    pub fold: usize,
}

impl StreamId {
    /// The stream of `phase` (`fit` or `sample`).
    pub fn rng(&self, phase: &str) -> Rng {
        Rng::derive(&[Key::Num(self.seed), Key::Str(&self.dataset), Key::Num(self.fold as u64), Key::Str(phase)])
    }
}

/// Everything a generator may learn about its cell besides the train fold and the budget.
#[derive(Clone, Debug)]
pub struct CellContext {
    pub stream: StreamId,
    /// The dataset's label column (header of the label files).
    pub label_column: String,
    pub deadline: Option<Deadline>,
    /// Parent of the private directories of external generators (`<results>/tmp`).
    pub scratch: PathBuf,
    /// Working directory of external commands (the grid file's directory).
    pub work_dir: PathBuf,
}

thread_local! {
    static CURRENT: RefCell<Option<CellContext>> = const { RefCell::new(None) };
}

/// Run `f` with `context` as the current cell; the previous context (if any) is restored
/// afterwards, also when `f` panics.
pub fn scope<T>(context: CellContext, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<CellContext>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(Some(context))));
    f()
}

/// The current cell's context, if a scope is active on this thread.
pub fn current() -> Option<CellContext> {
    CURRENT.with(|c| c.borrow().clone())
}

/// The current cell's deadline, if any.
pub fn deadline() -> Option<Deadline> {
    CURRENT.with(|c| c.borrow().as_ref().and_then(|x| x.deadline.clone()))
}

/// An error once the current cell's deadline has passed (the runner turns it into a `timeout`
/// row); `Ok` without a deadline.
pub fn check_deadline() -> Result<()> {
    match deadline() {
        Some(d) if d.expired() => {
            Err(Error::new(format!("timeout of {} s reached", crate::io::fmt_f64(d.limit_seconds))))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(limit: Option<f64>) -> CellContext {
        CellContext {
            stream: StreamId { seed: 1, dataset: "d".into(), fold: 1 },
            label_column: "label".into(),
            deadline: limit.map(Deadline::starting_now),
            scratch: std::env::temp_dir(),
            work_dir: PathBuf::from("."),
        }
    }

    #[test]
    fn an_expired_deadline_fails_the_check_and_nested_scopes_restore() {
        assert!(check_deadline().is_ok(), "no scope: no deadline");
        scope(context(Some(0.0)), || {
            assert!(check_deadline().unwrap_err().to_string().contains("timeout of 0 s"));
            scope(context(None), || assert!(check_deadline().is_ok()));
            assert!(check_deadline().is_err(), "outer scope restored");
        });
        assert!(current().is_none());
    }

    #[test]
    fn streams_are_the_runner_derivation() {
        let id = StreamId { seed: 3, dataset: "sim-brca".into(), fold: 2 };
        let mut want = Rng::derive(&[Key::Num(3), Key::Str("sim-brca"), Key::Num(2), Key::Str("fit")]);
        assert_eq!(id.rng("fit").next_u64(), want.next_u64());
    }
}
