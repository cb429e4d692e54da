//! What the client does when a server asks it to wait: never longer than
//! its cap, never overflowing a clock, and saying so when it gives up.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod scripted;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scripted::{Answer, Server, empty_account, provider, within};
use vocm_core::provider::{Notice, Observer, Provider as _, SessionOptions};

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

/// Collects what a session tells its caller.
#[derive(Default)]
struct Notices(Mutex<Vec<Notice>>);

impl Observer for Notices {
    fn notice(&self, notice: Notice) {
        self.0.lock().unwrap().push(notice);
    }
}

#[test]
fn a_session_tells_its_observer_of_waits_and_retries() {
    let throttled = AtomicU32::new(0);
    let failed = AtomicU32::new(0);
    let server = Server::start(move |r| {
        if r.path() == "/sites" && throttled.fetch_add(1, Ordering::SeqCst) == 0 {
            Answer::problem(429, "slow down").header("retry-after", "1")
        } else if r.path() == "/users" && failed.fetch_add(1, Ordering::SeqCst) == 0 {
            Answer::problem(503, "down for a moment")
        } else {
            empty_account(r)
        }
    });
    let p = provider(&server.base);
    let notices = Arc::new(Notices::default());
    let observer: Arc<dyn Observer> = notices.clone();
    within(Duration::from_secs(20), move || {
        p.session(&SessionOptions {
            observer: Some(observer),
            ..SessionOptions::default()
        })
        .map(|_| ())
    })
    .unwrap();
    let seen = notices.0.lock().unwrap().clone();
    let has = |f: &dyn Fn(&Notice) -> bool| seen.iter().any(f);
    assert!(
        has(&|n| *n == Notice::Answered { status: 429 }),
        "{seen:#?}"
    );
    assert!(
        has(&|n| *n == Notice::Answered { status: 503 }),
        "{seen:#?}"
    );
    assert!(
        has(&|n| *n
            == Notice::RateLimited {
                wait: Duration::from_secs(1),
                throttled: true
            }),
        "{seen:#?}"
    );
    assert!(
        has(
            &|n| matches!(n, Notice::Retrying { status: Some(503), cause, attempt: 2, of: 7, .. } if cause == "a 503")
        ),
        "{seen:#?}"
    );
    // The 429's retry is counted, its wait told once.
    assert!(
        has(&|n| matches!(
            n,
            Notice::Retrying {
                status: Some(429),
                ..
            }
        )),
        "{seen:#?}"
    );
}
