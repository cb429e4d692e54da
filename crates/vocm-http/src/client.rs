//! HTTP mechanics: authentication, versioned media types, a client-side
//! rate limiter that follows the server's `x-ratelimit-*` headers, retries
//! with exponential backoff and jitter that honour `Retry-After`, and
//! errors a user can act on. The API key never leaves this module except
//! in the `x-api-key` header.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use reqwest::blocking::{Client as Http, Response};
use serde_json::Value;

use vocm_api::Problem;
use vocm_core::diagnostics::Code;
use vocm_core::provider::{Notice, Observer, ProviderError};

/// The longest vocm waits for the server at once. A `Retry-After` longer
/// than this is not waited for: the request fails, saying what the server
/// asked. A rate window's reset further ahead is not believed: one request
/// is sent to find out what the window allows.
pub const MAX_WAIT: Duration = Duration::from_mins(5);

/// A wait, for messages: in the largest unit that keeps it a whole number
/// or so.
fn span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..120 => format!("{s} seconds"),
        120..7_200 => format!("{} minutes", s / 60),
        7_200..172_800 => format!("{} hours", s / 3_600),
        _ => format!("{} days", s / 86_400),
    }
}

/// The API key: never printed, not even by `Debug`.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    #[must_use]
    pub fn new(key: String) -> Self {
        Self(key)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(…)")
    }
}

/// How a request failed.
#[derive(Debug)]
pub enum Failure {
    /// 401: the key is wrong or missing.
    Unauthorized,
    /// No answer at all: refused, DNS, TLS.
    Unreachable(String),
    /// No answer in time: the request may or may not have taken effect.
    Timeout,
    /// 429, after which the server asks to wait.
    RateLimited(Option<Duration>),
    /// 5xx: the request may or may not have taken effect.
    Server(u16, Option<Box<Problem>>),
    /// Another 4xx: the server refused the request.
    Rejected(u16, Option<Box<Problem>>),
}

impl Failure {
    /// Whether the request may have taken effect (a write must be read
    /// back before it is retried).
    #[must_use]
    pub fn ambiguous(&self) -> bool {
        matches!(self, Failure::Timeout | Failure::Server(..))
    }

    /// The HTTP status the server answered, if it answered.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Failure::Unauthorized => Some(401),
            Failure::RateLimited(_) => Some(429),
            Failure::Server(status, _) | Failure::Rejected(status, _) => Some(*status),
            Failure::Unreachable(_) | Failure::Timeout => None,
        }
    }

    /// Whether trying again later may succeed.
    #[must_use]
    pub fn transient(&self) -> bool {
        matches!(
            self,
            Failure::Timeout | Failure::Server(..) | Failure::RateLimited(_)
        )
    }

    /// The failure as a provider error, about `what` (a resource, a list).
    #[must_use]
    pub fn error(&self, what: &str, endpoint: &str) -> ProviderError {
        let problem_text =
            |p: &Option<Box<Problem>>| p.as_deref().map_or_else(String::new, describe);
        let mut e = match self {
            Failure::Unauthorized => ProviderError::new(
                Code::HttpUnauthorized,
                format!("{endpoint} refused the API key (401)"),
                "check VOCM_API_KEY: it must be a valid key of this account",
            ),
            Failure::Unreachable(why) => ProviderError::new(
                Code::HttpUnreachable,
                format!("cannot reach {endpoint}: {why}"),
                "check --endpoint (VOCM_ENDPOINT) and the network",
            ),
            Failure::Timeout => ProviderError::new(
                Code::HttpUnavailable,
                format!("{what}: no answer from {endpoint} in time"),
                "try again later, or raise --timeout",
            ),
            Failure::RateLimited(Some(after)) if *after > MAX_WAIT => ProviderError::new(
                Code::HttpUnavailable,
                format!(
                    "{what}: {endpoint} answered 429 (rate limited) asking to wait {} (Retry-After), longer than vocm waits ({})",
                    span(*after),
                    span(MAX_WAIT)
                ),
                "try again later: the API's rate limit or quota for this key is spent",
            ),
            Failure::RateLimited(_) => ProviderError::new(
                Code::HttpUnavailable,
                format!("{what}: {endpoint} kept answering 429 (rate limited)"),
                "try again later",
            ),
            Failure::Server(status, p) => ProviderError::new(
                Code::HttpUnavailable,
                format!("{what}: {endpoint} answered {status} {}", problem_text(p)),
                "a server error: try again later",
            ),
            Failure::Rejected(status, p) => ProviderError::new(
                Code::HttpRejected,
                format!("{what}: the API refused it ({status}): {}", problem_text(p)),
                "fix the manifest field the API names, or the account, then plan again",
            ),
        };
        e.transient = self.transient();
        e
    }
}

/// A problem in one line: its title, detail and each field error, so
/// that a user sees what the API objected to.
pub fn describe(p: &Problem) -> String {
    use std::fmt::Write as _;
    let mut s = p.title.clone();
    if let Some(d) = &p.detail {
        let _ = write!(s, ": {d}");
    }
    for e in &p.errors {
        let field = e
            .field
            .as_ref()
            .map(|f| format!("{f}: "))
            .unwrap_or_default();
        let _ = write!(s, "; {field}{} ({})", e.message, e.code);
    }
    s
}

/// The client's side of the rate limit: what the server's headers said,
/// less the requests sent since that the server had not yet counted. Ten
/// workers share it, so that they never spend the same remaining request
/// twice.
#[derive(Debug, Default)]
struct Limit {
    /// Requests that may still be sent before the reset (unknown before
    /// the first answer).
    remaining: Option<u64>,
    /// Unix second at which the binding window frees a request.
    reset: Option<u64>,
    /// Requests sent and not yet answered.
    outstanding: u64,
    /// Not before this instant (a 429's `Retry-After`).
    pause_until: Option<Instant>,
    /// The reset whose wait was last announced: ten workers waiting for
    /// the same reset are one wait to a reader.
    announced_reset: Option<u64>,
}

/// A successful answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    /// When the server says to ask again (a `202`'s or a pending
    /// operation's `Retry-After`).
    pub retry_after: Option<Duration>,
}

/// A `Retry-After` in seconds: HTTP's whole seconds, or a decimal (the
/// sandbox says when a sub-second operation ends). An HTTP date is not
/// followed: the usual backoff applies.
fn parse_retry_after(v: &str) -> Option<Duration> {
    let secs = v.trim().parse::<f64>().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)))
}

/// The API client.
#[derive(Debug)]
pub struct Client {
    http: Http,
    base: String,
    key: ApiKey,
    limit: Mutex<Limit>,
    requests: AtomicU64,
    /// How many retries a request gets.
    pub retries: u32,
    /// Told of waits and retries (an apply's progress).
    observer: Watcher,
}

/// The observer, behind a lock: a session sets it once its caller gives
/// one, while other threads may be sending.
#[derive(Default)]
struct Watcher(RwLock<Option<Arc<dyn Observer>>>);

impl fmt::Debug for Watcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Watcher")
    }
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Client {
    /// A client of `base` (no trailing slash), each request bounded by
    /// `timeout`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (a TLS setup problem).
    pub fn new(base: &str, key: ApiKey, timeout: Duration) -> Result<Self, ProviderError> {
        // reqwest is built without a default crypto provider; ring is the
        // one vocm ships (no C toolchain beyond a compiler needed).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = Http::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("vocm/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                ProviderError::new(
                    Code::HttpUnreachable,
                    format!("cannot set up HTTP: {e}"),
                    "report this as a bug",
                )
            })?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            key,
            limit: Mutex::new(Limit::default()),
            requests: AtomicU64::new(0),
            retries: 6,
            observer: Watcher::default(),
        })
    }

    /// Tells `observer` of the waits and retries from now on (none: no
    /// one is told).
    pub fn observe(&self, observer: Option<Arc<dyn Observer>>) {
        *self
            .observer
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = observer;
    }

    fn notify(&self, notice: Notice) {
        let observer = self
            .observer
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if let Some(o) = observer {
            o.notice(notice);
        }
    }

    /// The endpoint, for messages.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.base
    }

    /// Requests sent so far.
    #[must_use]
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Waits while the server's budget is spent (until the reset when no
    /// request remains, or until a 429's `Retry-After`), then reserves one
    /// request of it.
    fn wait_for_budget(&self) {
        loop {
            let mut announce = false;
            let wait = {
                let mut l = self
                    .limit
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let now = Instant::now();
                let now_s = now_unix();
                if let Some(until) = l.pause_until.filter(|u| *u > now) {
                    until - now
                } else if let Some(reset) = l.reset.filter(|r| l.remaining == Some(0) && *r > now_s)
                {
                    announce = l.announced_reset.replace(reset) != Some(reset);
                    // To the instant of the reset, not in whole seconds
                    // from now: that would wait up to a second too long.
                    // (`note_headers` keeps no reset beyond `MAX_WAIT`.)
                    UNIX_EPOCH
                        .checked_add(Duration::from_secs(reset))
                        .and_then(|at| at.duration_since(SystemTime::now()).ok())
                        .unwrap_or_default()
                        .min(MAX_WAIT)
                } else if l.remaining == Some(0) && l.reset.is_none() && l.outstanding > 0 {
                    // A request is finding out what the window freed.
                    Duration::from_millis(10)
                } else {
                    if l.remaining == Some(0) {
                        // The window has moved on: this request finds out
                        // how much it freed; the others wait for its answer.
                        l.remaining = Some(1);
                        l.reset = None;
                    }
                    l.remaining = l.remaining.map(|r| r - 1);
                    l.outstanding += 1;
                    return;
                }
            };
            // Waits under half a second are the API's normal pace, not
            // worth a reader's attention.
            if announce && wait >= Duration::from_millis(500) {
                self.notify(Notice::RateLimited {
                    wait,
                    throttled: false,
                });
            }
            std::thread::sleep(wait.min(Duration::from_mins(1)));
        }
    }

    /// A request ended without an answer: it no longer waits to be counted.
    fn unanswered(&self) {
        let mut l = self
            .limit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        l.outstanding = l.outstanding.saturating_sub(1);
    }

    fn note_headers(&self, r: &Response) {
        let status = r.status().as_u16();
        if status == 429 || status >= 500 {
            self.notify(Notice::Answered { status });
        }
        let header = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
        };
        let mut l = self
            .limit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        l.outstanding = l.outstanding.saturating_sub(1);
        if let Some(rem) = header(vocm_api::RATE_REMAINING) {
            // What the server had left, less what was sent since and not
            // yet counted. Answers arrive in any order: a later reset
            // means a later count; with the same reset, the lower count is
            // the later one; an earlier reset is a stale answer.
            let fresh = rem.saturating_sub(l.outstanding);
            // A reset further ahead than vocm would wait is not believed
            // (a skewed clock, a daily quota, a broken server): with none,
            // one request at a time finds out what the window allows.
            let latest = now_unix().saturating_add(MAX_WAIT.as_secs());
            let reset = header(vocm_api::RATE_RESET).filter(|r| *r <= latest);
            match (reset, l.reset) {
                (Some(new), Some(old)) if new < old => {}
                (Some(new), Some(old)) if new == old => {
                    l.remaining = Some(l.remaining.map_or(fresh, |r| r.min(fresh)));
                }
                _ => {
                    l.remaining = Some(fresh);
                    l.reset = reset;
                }
            }
        }
        if r.status().as_u16() == 429 {
            // Longer than `MAX_WAIT`, the request fails (see `Attempts`)
            // and nobody waits.
            let after = Duration::from_secs(header("retry-after").unwrap_or(1));
            if after <= MAX_WAIT {
                let until = Instant::now().checked_add(after);
                // Workers throttled together are told one wait: a pause
                // that ends with the one already announced is that one.
                let new = match (l.pause_until, until) {
                    (Some(old), Some(new)) => new > old + Duration::from_millis(500),
                    _ => true,
                };
                l.pause_until = until;
                drop(l);
                if new {
                    self.notify(Notice::RateLimited {
                        wait: after,
                        throttled: true,
                    });
                }
            }
        }
    }

    /// One request, no retry.
    ///
    /// # Errors
    /// How it failed.
    pub fn once(
        &self,
        method: Method,
        path: &str,
        media_type: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, Failure> {
        self.wait_for_budget();
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .request(method, &url)
            .header(vocm_api::API_KEY_HEADER, &self.key.0);
        if let Some(m) = media_type {
            req = req.header("accept", m);
            if let Some(b) = body {
                req = req.header("content-type", m).body(b.to_string());
            }
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let r = match req.send() {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                self.unanswered();
                return Err(Failure::Timeout);
            }
            Err(e) => {
                self.unanswered();
                // The innermost cause says what happened ("Connection
                // refused"); reqwest's own text only says "client error".
                // Neither names the key: it is a header.
                let mut cause: &dyn std::error::Error = &e;
                while let Some(inner) = cause.source() {
                    cause = inner;
                }
                let why = cause.to_string();
                return Err(Failure::Unreachable(why));
            }
        };
        self.note_headers(&r);
        let status = r.status().as_u16();
        let retry_after = r
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let text = match r.text() {
            Ok(t) => t,
            Err(e) if e.is_timeout() => return Err(Failure::Timeout),
            Err(_) => String::new(),
        };
        let json = serde_json::from_str::<Value>(&text).ok();
        let problem = || {
            json.clone()
                .and_then(|j| serde_json::from_value::<Problem>(j).ok())
                .map(Box::new)
        };
        match status {
            200..=299 => Ok(Answer {
                status,
                body: json.unwrap_or(Value::Null),
                retry_after,
            }),
            401 => Err(Failure::Unauthorized),
            429 => Err(Failure::RateLimited(retry_after)),
            500..=599 => Err(Failure::Server(status, problem())),
            _ => Err(Failure::Rejected(status, problem())),
        }
    }

    /// A request that is safe to repeat (a read, a `PUT`, a `DELETE`):
    /// retried on 429, 5xx and timeouts with exponential backoff and
    /// jitter, honouring `Retry-After`.
    ///
    /// # Errors
    /// The last failure, or one that retrying cannot fix.
    pub fn idempotent(
        &self,
        method: &Method,
        path: &str,
        media_type: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, Failure> {
        let mut attempts = Attempts::default();
        loop {
            match self.once(method.clone(), path, media_type, body) {
                Err(f) if f.transient() && attempts.again(&f, self) => {}
                other => return other,
            }
        }
    }
}

/// How often a request has failed, by kind. A 429 is the server saying
/// "later, at this time", not a failure: it gets more patience (30 waits)
/// than errors and timeouts do (`retries`).
#[derive(Debug, Default)]
pub struct Attempts {
    failures: u32,
    throttled: u32,
}

impl Attempts {
    const MAX_THROTTLED: u32 = 30;

    /// Whether to try again after `failure`; when so, first waits as
    /// [`backoff`] says, telling `client`'s observer why (a 429's wait was
    /// told as its answer arrived). Not when the server asks to wait longer
    /// than [`MAX_WAIT`]: its error says so.
    pub fn again(&mut self, failure: &Failure, client: &Client) -> bool {
        let Some((attempt, of)) = self.next(failure, client.retries) else {
            return false;
        };
        let delay = backoff(attempt - 2, failure);
        client.notify(Notice::Retrying {
            status: failure.status(),
            cause: match failure {
                Failure::Timeout => "a timeout".to_owned(),
                Failure::Unreachable(_) => "no connection".to_owned(),
                other => other
                    .status()
                    .map_or_else(|| "a failure".to_owned(), |s| format!("a {s}")),
            },
            attempt,
            of,
            wait: delay,
        });
        std::thread::sleep(delay);
        true
    }

    /// Counts `failure`: the attempt that follows it and the most there
    /// will be (the first send included), or `None` when there is none.
    fn next(&mut self, failure: &Failure, retries: u32) -> Option<(u32, u32)> {
        if let Failure::RateLimited(Some(after)) = failure
            && *after > MAX_WAIT
        {
            return None;
        }
        let (count, max) = if matches!(failure, Failure::RateLimited(_)) {
            (&mut self.throttled, Self::MAX_THROTTLED)
        } else {
            (&mut self.failures, retries)
        };
        if *count >= max {
            return None;
        }
        *count += 1;
        Some((*count + 1, max + 1))
    }
}

/// How long to wait before a retry: `Retry-After` when the server gave one
/// (at most [`MAX_WAIT`]), else an exponential delay (0.2 s, 0.4 s… up to
/// 10 s) with full jitter, so that ten clients do not retry in step.
#[must_use]
pub fn backoff(attempt: u32, failure: &Failure) -> Duration {
    if let Failure::RateLimited(Some(after)) = failure {
        (*after).min(MAX_WAIT)
    } else {
        let cap = Duration::from_millis(200)
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(Duration::from_secs(10));
        let jitter = rand::random::<f64>();
        cap.mul_f64(0.5 + jitter / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_gets_more_patience_than_failures() {
        let mut a = Attempts::default();
        let throttled = Failure::RateLimited(Some(Duration::ZERO));
        assert!((0..Attempts::MAX_THROTTLED).all(|_| a.next(&throttled, 1).is_some()));
        assert_eq!(a.next(&throttled, 1), None);
        // Failures have their own count: the second attempt of two.
        assert_eq!(a.next(&Failure::Timeout, 1), Some((2, 2)));
        assert_eq!(a.next(&Failure::Timeout, 1), None);
    }
}
