//! An apply's progress on stderr: a bar on a terminal, a line per step
//! without one (CI). It says what holds the apply up — the API's rate
//! limit, retries of failed requests — as the provider tells it, and tells
//! failures that share a cause once: when the API goes away, the first
//! failure is shown and the rest are summed up at the end.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{HumanDuration, ProgressBar, ProgressState, ProgressStyle};
use vocm_core::apply::ChangeResult;
use vocm_core::plan::{Action, Change, Phase, Plan};
use vocm_core::provider::{Notice, Observer};

use crate::output::print_stderr;

/// Without a step finished for this long, the apply is waiting: an
/// estimate of the time left would be a guess that counts down to "0s".
const STALLED: Duration = Duration::from_secs(3);

/// The progress of one apply, told by the executor (steps) and by the
/// provider (waits and retries), from any worker.
pub struct Progress {
    quiet: bool,
    /// Whether stderr is a terminal: a bar, else lines.
    terminal: bool,
    /// The bar, once the steps start (the session's read comes before).
    bar: OnceLock<ProgressBar>,
    /// Shared with the bar's `{pace}` key, which is drawn on every tick.
    pace: Arc<Mutex<Pace>>,
    answered_429: AtomicU64,
    answered_5xx: AtomicU64,
    retries: AtomicU64,
    /// Failures so far by cause, and whether each failed step was told on
    /// its own line (its skips are told only then).
    failures: Mutex<Failures>,
}

#[derive(Default)]
struct Failures {
    by_cause: HashMap<String, usize>,
    told: HashMap<usize, bool>,
    /// The skips told, by resource and failed step: a resource's second
    /// step skipped for the same failure is not told again.
    skips: HashSet<(String, usize)>,
}

/// What the bar says after its counts.
#[derive(Default)]
struct Pace {
    /// When a step last finished.
    last_step: Option<Instant>,
    /// What holds the apply up, since when and until when.
    held: Option<(Hold, Instant, Instant)>,
}

#[derive(Clone)]
enum Hold {
    RateLimit,
    Retry(String),
}

impl Pace {
    /// ", 12 steps/s, 1 minute left", or what the apply waits for.
    fn render(&self, state: &ProgressState, now: Instant) -> String {
        let since_step = self
            .last_step
            .map_or_else(|| state.elapsed(), |t| now.saturating_duration_since(t));
        // A hold is news until a step finishes after it, and a little
        // beyond its end (the retried request takes its time too).
        if let Some((hold, since, until)) = &self.held
            && self.last_step.is_none_or(|t| t < *since)
            && now < *until + STALLED
        {
            return match hold {
                Hold::RateLimit if *until > now => format!(
                    ", waiting {} s for the rate limit",
                    seconds(until.saturating_duration_since(now))
                ),
                Hold::RateLimit => ", waiting for the rate limit".to_owned(),
                Hold::Retry(what) => format!(", {what}"),
            };
        }
        if since_step >= STALLED {
            return ", waiting for the API".to_owned();
        }
        if state.pos() == 0 {
            return String::new();
        }
        let per_sec = state.per_sec();
        let rate = if per_sec >= 1.0 {
            format!("{per_sec:.0} steps/s")
        } else {
            format!("{:.0} steps/min", per_sec * 60.0)
        };
        format!(", {rate}, {} left", HumanDuration(state.eta()))
    }
}

/// A wait in whole seconds, rounded up: "waiting 0 s" would be a lie.
fn seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl Progress {
    #[must_use]
    pub fn new(quiet: bool, terminal: bool) -> Self {
        Self {
            quiet,
            terminal,
            bar: OnceLock::new(),
            pace: Arc::default(),
            answered_429: AtomicU64::new(0),
            answered_5xx: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            failures: Mutex::default(),
        }
    }

    /// The steps start: on a terminal, the bar appears.
    pub fn start(&self, steps: usize) {
        if self.quiet || !self.terminal {
            return;
        }
        let pace = Arc::clone(&self.pace);
        // A bar of 20 keeps the line, its pace included, within 80 columns.
        let style = ProgressStyle::with_template("  applying [{bar:20}] {pos}/{len} steps{pace}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ")
            .with_key(
                "pace",
                move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let text = pace
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .render(state, Instant::now());
                    let _ = w.write_str(&text);
                },
            );
        let bar = ProgressBar::new(steps as u64).with_style(style);
        // Drawn on a tick, not only on steps: a wait counts down, and a
        // stall shows as one.
        bar.enable_steady_tick(Duration::from_millis(500));
        let _ = self.bar.set(bar);
    }

    /// The steps are over: the bar goes, the lines above it stay.
    pub fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }

    /// A line of progress (none with `--quiet`).
    fn line(&self, text: &str) {
        if !self.quiet {
            self.say(text);
        }
    }

    /// A line above the bar (which then draws itself again below it), or
    /// on its own without one.
    pub fn say(&self, text: &str) {
        match self.bar.get() {
            Some(bar) => bar.println(text),
            None => print_stderr(&format!("{text}\n")),
        }
    }

    fn pace(&self) -> std::sync::MutexGuard<'_, Pace> {
        self.pace.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn hold(&self, hold: Hold, wait: Duration) {
        let now = Instant::now();
        self.pace().held = Some((hold, now, now + wait));
    }

    /// A step ended (applied, failed, skipped).
    pub fn finished(&self, plan: &Plan, index: usize, change: &Change, result: &ChangeResult) {
        self.pace().last_step = Some(Instant::now());
        if let Some(bar) = self.bar.get() {
            bar.inc(1);
        }
        let line = match result {
            ChangeResult::Applied { applied } => {
                // On a terminal, the bar counts them; only what went wrong
                // is a line above it.
                if self.bar.get().is_some() {
                    return;
                }
                format!(
                    "  {} {} {}{}",
                    change.action.symbol(),
                    change.id,
                    match change.phase {
                        Phase::Main => change.action.verb(),
                        Phase::References => "references set",
                        Phase::Unlink => "unlinked",
                    },
                    applied
                        .operation
                        .as_ref()
                        .map(|o| format!(" (operation {o})"))
                        .unwrap_or_default()
                )
            }
            ChangeResult::Failed { .. } => {
                let cause = result.cause(change).unwrap_or_default();
                let mut f = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
                let seen = f.by_cause.entry(cause.to_owned()).or_default();
                *seen += 1;
                let seen = *seen;
                f.told.insert(index, seen == 1);
                drop(f);
                match seen {
                    1 => format!("  ✗ {} failed: {cause}", change.id),
                    2 => format!(
                        "  ✗ {} failed too, for the same cause: further failures like it are summed up at the end",
                        change.id
                    ),
                    _ => return,
                }
            }
            ChangeResult::Skipped { because_of } => {
                let mut f = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
                let told = f.told.get(because_of).copied().unwrap_or(true);
                if !told || !f.skips.insert((change.id.to_string(), *because_of)) {
                    return;
                }
                drop(f);
                skipped(change, &plan.changes[*because_of])
            }
            ChangeResult::NotStarted => return,
        };
        self.line(&line);
    }

    /// `--verbose`'s account of the API: "the API answered 429 (rate
    /// limited) 3 times and 5xx 2 times; 5 requests were sent again".
    #[must_use]
    pub fn counts(&self) -> String {
        format!(
            "the API answered 429 (rate limited) {} and 5xx {}; {} sent again",
            times(self.answered_429.load(Ordering::Relaxed)),
            times(self.answered_5xx.load(Ordering::Relaxed)),
            requests(self.retries.load(Ordering::Relaxed)),
        )
    }
}

fn times(n: u64) -> String {
    match n {
        1 => "once".to_owned(),
        n => format!("{n} times"),
    }
}

fn requests(n: u64) -> String {
    match n {
        1 => "1 request was".to_owned(),
        n => format!("{n} requests were"),
    }
}

/// "user:a skipped: it needs site:lyon, which failed"; a step of a
/// resource whose own earlier step failed names that step: "user:a
/// references skipped: its creation failed".
fn skipped(change: &Change, failed: &Change) -> String {
    if failed.id == change.id {
        format!(
            "  - {} {} skipped: its {} failed",
            change.id,
            step(change),
            step(failed)
        )
    } else {
        format!(
            "  - {} skipped: it needs {}, which failed",
            change.id, failed.id
        )
    }
}

/// A step's name, for a resource that has several.
fn step(change: &Change) -> &'static str {
    match change.phase {
        Phase::Unlink => "unlinking",
        Phase::References => "references",
        Phase::Main => match change.action {
            Action::Create => "creation",
            Action::Update => "update",
            Action::Replace => "replacement",
            Action::Delete => "deletion",
            Action::Rename => "rename",
        },
    }
}

impl Observer for Progress {
    fn notice(&self, notice: Notice) {
        let line = match notice {
            Notice::Answered { status } => {
                let count = if status == 429 {
                    &self.answered_429
                } else {
                    &self.answered_5xx
                };
                count.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Notice::RateLimited { wait, throttled } => {
                self.hold(Hold::RateLimit, wait);
                format!(
                    "  waiting {} s for the rate limit{}",
                    seconds(wait),
                    if throttled {
                        " (the API answered 429)"
                    } else {
                        ""
                    }
                )
            }
            Notice::Retrying {
                status,
                cause,
                attempt,
                of,
                wait,
            } => {
                self.retries.fetch_add(1, Ordering::Relaxed);
                // A 429's wait was told as it arrived.
                if status == Some(429) {
                    return;
                }
                let what = format!("retrying after {cause} (attempt {attempt} of {of})");
                self.hold(Hold::Retry(what.clone()), wait);
                format!("  {what}")
            }
        };
        // On a terminal the bar says it, and goes on saying it while it
        // holds; without one, it is a line.
        if self.bar.get().is_none() {
            self.line(&line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vocm_core::account::{Kind, ResourceId};

    fn change(kind: Kind, key: &str, phase: Phase) -> Change {
        Change {
            phase,
            ..Change::bare(ResourceId::new(kind, key), Action::Create)
        }
    }

    /// A skip names what failed: another resource, or the resource's own
    /// earlier step — never "it needs user:julie" of user:julie.
    #[test]
    fn a_skip_names_the_step_that_failed() {
        let site = change(Kind::Site, "lyon", Phase::Main);
        let julie = change(Kind::User, "julie", Phase::Main);
        let references = change(Kind::User, "julie", Phase::References);
        assert_eq!(
            skipped(&julie, &site),
            "  - user:julie skipped: it needs site:lyon, which failed"
        );
        assert_eq!(
            skipped(&references, &julie),
            "  - user:julie references skipped: its creation failed"
        );
    }

    /// A wait is told in whole seconds, rounded up: never "waiting 0 s".
    #[test]
    fn waits_are_whole_seconds_rounded_up() {
        assert_eq!(seconds(Duration::from_millis(1_500)), 2);
        assert_eq!(seconds(Duration::from_millis(1)), 1);
        assert_eq!(seconds(Duration::from_secs(2)), 2);
    }
}
