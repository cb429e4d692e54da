//! Fault injection: with `--fault-rate P`, that share of requests fails the
//! way real APIs fail. A seeded generator makes a run repeatable.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};
use serde::Serialize;

/// What a request is, for the faults it can suffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// Reads: they can fail or be throttled, without effect either way.
    Read,
    /// Synchronous writes (addresses): they can also succeed unseen.
    SyncWrite,
    /// Writes answered with an operation: the operation can fail too.
    AsyncWrite,
}

/// One injected fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A 500 or 503, and nothing done.
    ServerError(u16),
    /// A 429, for every request of the next second.
    Throttle,
    /// The write is accepted, and its operation ends FAILED with a
    /// transient error.
    FailOperation,
    /// The write is done, but the answer is a 500.
    LoseResponse,
}

/// How many faults of each kind were injected.
#[derive(Clone, Copy, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultCounts {
    pub total: u64,
    pub server_error: u64,
    pub throttle: u64,
    pub failed_operation: u64,
    pub lost_response: u64,
}

/// How long a burst of 429s lasts: the `Retry-After` it announces.
pub const THROTTLE: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct Faults {
    rate: f64,
    rng: StdRng,
    /// The end of the current throttling burst.
    throttled_until: Option<Instant>,
    pub counts: FaultCounts,
}

impl Faults {
    pub fn new(rate: f64, seed: u64) -> Faults {
        Faults {
            rate,
            rng: StdRng::seed_from_u64(seed),
            throttled_until: None,
            counts: FaultCounts::default(),
        }
    }

    /// The fault this request suffers, if any. A failed operation or a lost
    /// response is counted by the caller, once the write was accepted.
    pub fn roll(&mut self, exposure: Exposure, now: Instant) -> Option<Fault> {
        if self.throttled_until.is_some_and(|until| now < until) {
            self.count(Fault::Throttle);
            return Some(Fault::Throttle);
        }
        if self.rate <= 0.0 || self.rng.random::<f64>() >= self.rate {
            return None;
        }
        let kinds: &[Fault] = match exposure {
            Exposure::Read => &[Fault::ServerError(0), Fault::Throttle],
            Exposure::SyncWrite => &[Fault::ServerError(0), Fault::Throttle, Fault::LoseResponse],
            Exposure::AsyncWrite => &[
                Fault::ServerError(0),
                Fault::Throttle,
                Fault::FailOperation,
                Fault::LoseResponse,
            ],
        };
        let fault = match kinds[self.rng.random_range(0..kinds.len())] {
            Fault::ServerError(_) => {
                Fault::ServerError(if self.rng.random_bool(0.5) { 500 } else { 503 })
            }
            Fault::Throttle => {
                // Every request for the next second, as a server whose
                // window is full would: the 429's `Retry-After: 1` is
                // true, so a client that honours it gets through after it.
                self.throttled_until = Some(now + THROTTLE);
                Fault::Throttle
            }
            other => other,
        };
        if matches!(fault, Fault::ServerError(_) | Fault::Throttle) {
            self.count(fault);
        }
        Some(fault)
    }

    pub fn count(&mut self, fault: Fault) {
        self.counts.total += 1;
        match fault {
            Fault::ServerError(_) => self.counts.server_error += 1,
            Fault::Throttle => self.counts.throttle += 1,
            Fault::FailOperation => self.counts.failed_operation += 1,
            Fault::LoseResponse => self.counts.lost_response += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_repeats_its_faults() {
        let start = Instant::now();
        let run = |seed| {
            let mut f = Faults::new(0.5, seed);
            // Two seconds apart: past every burst.
            (0..50u32)
                .map(|i| f.roll(Exposure::AsyncWrite, start + i * 2 * THROTTLE))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert!(Faults::new(0.0, 1).roll(Exposure::Read, start).is_none());
        let mut all = Faults::new(1.0, 1);
        assert!((0..20).all(|_| all.roll(Exposure::Read, start).is_some()));
    }

    #[test]
    fn a_burst_of_429s_lasts_what_retry_after_says() {
        let start = Instant::now();
        let mut f = Faults::new(1.0, 1);
        // Roll until a throttle starts a burst.
        let mut at = start;
        while f.roll(Exposure::Read, at) != Some(Fault::Throttle) {
            at += 2 * THROTTLE;
        }
        f.rate = 0.0;
        let during = at + THROTTLE / 2;
        assert_eq!(f.roll(Exposure::Read, during), Some(Fault::Throttle));
        assert_eq!(f.roll(Exposure::AsyncWrite, during), Some(Fault::Throttle));
        assert_eq!(f.roll(Exposure::Read, at + THROTTLE), None);
    }
}
