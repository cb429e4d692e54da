//! What a provider tells an apply's progress while the API holds it up:
//! waits for the rate limit, retries of failed requests, and the answers
//! that caused them. The provider only reports; the caller decides what a
//! reader sees (a bar's message on a terminal, a line in CI, counts with
//! `--verbose`).

use std::time::Duration;

/// One thing that held a request up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The API answered `status`, a 429 or a 5xx (each answer once, retried
    /// or not: the counts of `--verbose`).
    Answered { status: u16 },
    /// No request is sent for `wait`: the API answered 429 with a
    /// `Retry-After` (`throttled`), or the rate window's budget is spent
    /// until its reset.
    RateLimited { wait: Duration, throttled: bool },
    /// A request that failed for `cause` ("a 503", "a timeout"; `status`
    /// when the API answered) is sent again after `wait`: attempt
    /// `attempt` of at most `of`. A 429's retry is one too, its wait told
    /// first as [`Notice::RateLimited`].
    Retrying {
        status: Option<u16>,
        cause: String,
        attempt: u32,
        of: u32,
        wait: Duration,
    },
}

/// Receives a session's notices, from any of its workers.
pub trait Observer: Send + Sync {
    fn notice(&self, notice: Notice);
}
