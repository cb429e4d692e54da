//! Operations: polling a write's operation until it ends, at a pace
//! learnt from how long operations take.

use std::time::{Duration, Instant};

use reqwest::Method;

use vocm_api::Operation;
use vocm_core::account::ResourceId;
use vocm_core::diagnostics::Code;
use vocm_core::provider::ProviderError;

use crate::session::HttpSession;

/// How long operations take, learnt as they complete: the first poll of an
/// operation waits about that long, so that most need one poll.
#[derive(Debug)]
pub(crate) struct Pace {
    pub(crate) estimate: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            estimate: Duration::from_millis(100),
        }
    }
}

impl Pace {
    /// The shortest wait before a first poll.
    pub(crate) const FLOOR: Duration = Duration::from_millis(5);
    /// The longest: beyond it, operations are polled in steps anyway.
    const CEILING: Duration = Duration::from_secs(30);

    /// Learns from an operation that ended: `first` when it was done at
    /// the first poll (it took at most the estimate: try a little earlier
    /// next time), else the time it took (an upper bound, within a step)
    /// and 6 % more. Ten operations run at once, so when the estimate falls
    /// under the true duration, about ten need a second poll; from 6 % over,
    /// that happens once every ~120 operations (0.9995 a step), about 8 %
    /// of them, while the first poll comes on average ~3 % late.
    pub(crate) fn learn(&mut self, first: bool, took: Duration) {
        self.estimate = if first {
            self.estimate.mul_f64(0.9995).max(Self::FLOOR)
        } else {
            took.mul_f64(1.06).clamp(Self::FLOOR, Self::CEILING)
        };
    }
}

/// The guides' pace: the first poll a second after the write was
/// accepted, then at most one a second — unless the server says when
/// (`Retry-After` on the `202` or on the pending operation).
pub(crate) const FIRST_POLL: Duration = Duration::from_secs(1);
pub(crate) const POLL_INTERVAL: Duration = Duration::from_secs(1);

impl HttpSession<'_> {
    /// Polls `op` until it ends. `hint` is the `202`'s `Retry-After`.
    pub(crate) fn wait(
        &self,
        op: &Operation,
        id: &ResourceId,
        hint: Option<Duration>,
    ) -> Result<Operation, ProviderError> {
        if op.status.is_finished() {
            return Ok(op.clone());
        }
        let started = Instant::now();
        let mut delay = hint.unwrap_or(FIRST_POLL);
        let mut polls = 0u32;
        let path = format!("{}/{}", vocm_api::OPERATIONS_PATH, op.operation_id);
        loop {
            std::thread::sleep(delay.max(Pace::FLOOR));
            polls += 1;
            let answer = self
                .client()
                .idempotent(
                    &Method::GET,
                    &path,
                    Some(vocm_api::OPERATIONS_MEDIA_TYPE),
                    None,
                )
                .map_err(|f| self.fail(&f, id))?;
            let after = answer.retry_after;
            let op: Operation = serde_json::from_value(answer.body).map_err(|e| {
                ProviderError::new(
                    Code::HttpRejected,
                    format!("{id}: not an operation: {e}"),
                    "is --endpoint the provisioning API?",
                )
            })?;
            if op.status.is_finished() {
                if let Ok(mut p) = self.pace.lock() {
                    p.learn(polls == 1, started.elapsed());
                }
                return Ok(op);
            }
            if started.elapsed() > Duration::from_mins(5) {
                return Err(ProviderError::new(
                    Code::HttpUnavailable,
                    format!(
                        "{id}: operation {} did not end in 5 minutes",
                        op.operation_id
                    ),
                    "check it in the admin console, then plan again",
                ));
            }
            delay = after.unwrap_or(POLL_INTERVAL).min(Duration::from_secs(30));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pace_probes_down_slowly_and_jumps_up_at_once() {
        let mut p = Pace::default();
        let start = p.estimate;
        p.learn(true, Duration::ZERO);
        assert!(p.estimate < start && p.estimate > start.mul_f64(0.99));
        // Late: the time it took, and a margin.
        p.learn(false, Duration::from_millis(200));
        assert_eq!(p.estimate, Duration::from_millis(212));
        p.learn(false, Duration::from_mins(10));
        assert_eq!(p.estimate, Pace::CEILING);
        for _ in 0..100_000 {
            p.learn(true, Duration::ZERO);
        }
        assert_eq!(p.estimate, Pace::FLOOR);
    }
}
