//! Wall-clock time as the API shows it: RFC 3339 timestamps and Unix
//! seconds. Deadlines use `Instant`; only what travels uses the wall clock.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Now, as `2025-01-01T01:02:03Z`.
pub fn timestamp() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// The Unix second at which `at` falls (rounded up, so that a client
/// waiting until then is never early).
pub fn unix_seconds(at: Instant) -> u64 {
    let now = Instant::now();
    let wall = SystemTime::now() + at.saturating_duration_since(now);
    let since = wall.duration_since(UNIX_EPOCH).unwrap_or_default();
    since.as_secs() + u64::from(since.subsec_nanos() > 0)
}

/// Whole seconds until `at`, rounded up, at least one.
pub fn seconds_until(at: Instant, now: Instant) -> u64 {
    let d = at.saturating_duration_since(now);
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

/// A seed from the clock, for runs without `--seed`.
pub fn seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_nanos() as u64
}
