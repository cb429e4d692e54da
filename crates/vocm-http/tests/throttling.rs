//! What the client does when a server asks it to wait: never longer than
//! its cap, never overflowing a clock, and saying so when it gives up.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod scripted;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use scripted::{Answer, Server, empty_account, provider, within};
use vocm_core::provider::Provider as _;

#[test]
fn a_huge_retry_after_is_an_error_that_says_so_not_a_panic_or_a_sleep() {
    let server = Server::start(|_| {
        Answer::problem(429, "slow down").header("retry-after", "99999999999999999")
    });
    let p = provider(&server.base);
    let started = Instant::now();
    let e = within(Duration::from_secs(20), move || p.snapshot()).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        e.message.contains("Retry-After") && e.message.contains("5 minutes"),
        "{e:?}"
    );
    assert!(e.transient, "{e:?}");
    // Given up at once: the first request, asking what the API offers.
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_retry_after_within_the_cap_is_honoured() {
    let throttled = AtomicU32::new(0);
    let server = Server::start(move |r| {
        if r.path() == "/sites" && throttled.fetch_add(1, Ordering::SeqCst) == 0 {
            Answer::problem(429, "slow down").header("retry-after", "1")
        } else {
            empty_account(r)
        }
    });
    let p = provider(&server.base);
    let started = Instant::now();
    within(Duration::from_secs(20), move || p.snapshot()).unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[test]
fn a_rate_limit_reset_far_ahead_neither_panics_nor_stalls() {
    // Every answer says no request remains until the end of time.
    let server = Server::start(|r| {
        empty_account(r)
            .header(vocm_api::RATE_REMAINING, "0")
            .header(vocm_api::RATE_RESET, &u64::MAX.to_string())
    });
    let p = provider(&server.base);
    within(Duration::from_secs(20), move || {
        p.snapshot().unwrap();
        // The second read meets the limiter's state the first one left.
        p.snapshot().unwrap();
    });
    // What the API offers is asked once; every collection but the claims
    // (written, never listed) is read twice.
    assert_eq!(
        server.requests().len(),
        1 + 2 * (vocm_api::Collection::ALL.len() - 1)
    );
}
