//! Inside Lambda the invocation has a deadline (docs/rules.md §4): with less than ten seconds left
//! the run starts nothing new, stops waiting on Slack and writes what it has.

use std::time::Duration;

use tokio::time::Instant;

/// What must be left when the run stops starting work.
pub const SPARE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// When to stop: the invocation's deadline minus [`SPARE`].
    cutoff: Option<Instant>,
}

impl Deadline {
    /// No deadline (the command line, cron).
    pub fn none() -> Self {
        Deadline { cutoff: None }
    }

    /// An invocation that must end by `deadline`.
    pub fn at(deadline: Instant) -> Self {
        Deadline {
            cutoff: Some(deadline.checked_sub(SPARE).unwrap_or(deadline)),
        }
    }

    /// The instant by which every AWS call must have ended, retries included (`None`: no
    /// deadline). The real AWS adapters are bounded by it once, where they are wired
    /// ([`crate::adapters::bounded::Bounded`]), so no call outlives the margin.
    pub fn cutoff(&self) -> Option<Instant> {
        self.cutoff
    }

    /// True once new work must not start.
    pub fn passed(&self) -> bool {
        self.cutoff.is_some_and(|c| Instant::now() >= c)
    }

    /// Runs `work` unless the deadline passes first (`None` then).
    pub async fn run<T>(&self, work: impl std::future::Future<Output = T>) -> Option<T> {
        if self.passed() {
            return None;
        }
        match self.cutoff {
            None => Some(work.await),
            Some(cutoff) => tokio::time::timeout_at(cutoff, work).await.ok(),
        }
    }
}
