//! The rate limits of the key: requests per minute and per 10 seconds,
//! counted over sliding windows so that no minute (and no 10 seconds) ever
//! holds more than the limit.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::clock;

const MINUTE: Duration = Duration::from_mins(1);
const BURST_WINDOW: Duration = Duration::from_secs(10);

/// One sliding window: the instants of the requests it counted.
#[derive(Debug)]
struct Window {
    length: Duration,
    limit: usize,
    seen: VecDeque<Instant>,
}

impl Window {
    fn new(length: Duration, limit: u32) -> Window {
        Window {
            length,
            limit: limit as usize,
            seen: VecDeque::new(),
        }
    }

    fn forget_old(&mut self, now: Instant) {
        while self
            .seen
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= self.length)
        {
            self.seen.pop_front();
        }
    }

    fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.seen.len())
    }

    /// When the oldest request leaves the window, freeing a place.
    fn frees_at(&self, now: Instant) -> Instant {
        self.seen
            .front()
            .map_or(now + self.length, |t| *t + self.length)
    }
}

/// What the limiter says of one request; the headers every response
/// carries.
#[derive(Clone, Copy, Debug)]
pub struct Verdict {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds.
    pub reset: u64,
    /// Seconds, when refused.
    pub retry_after: u64,
}

#[derive(Debug)]
pub struct RateLimiter {
    per_minute: Window,
    burst: Window,
}

impl RateLimiter {
    pub fn new(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_minute: Window::new(MINUTE, per_minute),
            burst: Window::new(BURST_WINDOW, burst),
        }
    }

    /// Counts a request if both windows have room.
    pub fn admit(&mut self, now: Instant) -> Verdict {
        self.verdict(now, true)
    }

    /// The headers' values, counting nothing (for responses to requests
    /// that are not the key's, or not limited).
    pub fn peek(&mut self, now: Instant) -> Verdict {
        self.verdict(now, false)
    }

    fn verdict(&mut self, now: Instant, count: bool) -> Verdict {
        self.per_minute.forget_old(now);
        self.burst.forget_old(now);
        let full: Vec<&Window> = [&self.per_minute, &self.burst]
            .into_iter()
            .filter(|w| w.remaining() == 0)
            .collect();
        let allowed = full.is_empty();
        // Refused, the client may try again once every full window has
        // room: that is both the reset and the `Retry-After`.
        let free_again = full.iter().map(|w| w.frees_at(now)).max();
        if allowed && count {
            self.per_minute.seen.push_back(now);
            self.burst.seen.push_back(now);
        }
        // Admitted, the tighter window is the one the client must watch.
        let binding = if self.burst.remaining() < self.per_minute.remaining() {
            &self.burst
        } else {
            &self.per_minute
        };
        let reset = free_again.unwrap_or_else(|| binding.frees_at(now));
        Verdict {
            allowed,
            limit: self.per_minute.limit as u32,
            remaining: binding.remaining() as u32,
            reset: clock::unix_seconds(reset),
            retry_after: free_again.map_or(0, |at| clock::seconds_until(at, now)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_and_minutes_are_both_limited() {
        let mut l = RateLimiter::new(5, 3);
        let t = Instant::now();
        for left in [2, 1, 0] {
            let v = l.admit(t);
            assert!(v.allowed);
            assert_eq!(v.remaining, left);
        }
        let v = l.admit(t);
        assert!(!v.allowed);
        assert_eq!(v.retry_after, 10);
        let later = t + Duration::from_secs(10);
        assert!(l.admit(later).allowed);
        assert!(l.admit(later).allowed);
        let v = l.admit(later);
        assert!(!v.allowed, "five in a minute");
        assert_eq!(v.retry_after, 50);
        assert!(l.admit(t + MINUTE).allowed);
    }
}
