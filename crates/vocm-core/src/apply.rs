//! The executor: applies a plan's changes through a provider session, in
//! order, as many at once as the session allows.
//!
//! When a change fails, every change that depends on it (transitively) is
//! skipped; independent changes go on. The report says what was applied,
//! what failed and what was skipped, so that the next plan shows exactly
//! what is left.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::plan::{Change, Plan};
use crate::provider::{Applied, AudioStore, ProviderError, Session};

/// What happened to one change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ChangeResult {
    Applied {
        #[serde(flatten)]
        applied: Applied,
    },
    Failed {
        /// The diagnostic code of the failure (`vocm::apply::conflict`...).
        code: String,
        error: String,
        help: String,
    },
    /// Not attempted: a change it depends on failed or was skipped.
    Skipped {
        /// The index of the change that failed first on the way.
        because_of: usize,
    },
    /// Not attempted: the run was interrupted first.
    NotStarted,
}

impl ChangeResult {
    /// Why a failed change failed, without the resource's name providers
    /// often lead their messages with: failures with the same cause (the
    /// API gone, a timeout every change met) have the same text.
    #[must_use]
    pub fn cause<'a>(&'a self, change: &Change) -> Option<&'a str> {
        let ChangeResult::Failed { error, .. } = self else {
            return None;
        };
        let prefix = format!("{}: ", change.id);
        Some(error.strip_prefix(&prefix).unwrap_or(error))
    }
}

/// The outcome of every change, by index in the plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub results: Vec<ChangeResult>,
    pub interrupted: bool,
}

impl Report {
    #[must_use]
    pub fn count(&self, f: impl Fn(&ChangeResult) -> bool) -> usize {
        self.results.iter().filter(|o| f(o)).count()
    }

    #[must_use]
    pub fn applied(&self) -> usize {
        self.count(|o| matches!(o, ChangeResult::Applied { .. }))
    }

    #[must_use]
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, ChangeResult::Failed { .. }))
    }

    #[must_use]
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, ChangeResult::Skipped { .. }))
    }

    #[must_use]
    pub fn not_started(&self) -> usize {
        self.count(|o| matches!(o, ChangeResult::NotStarted))
    }

    /// Whether every change was applied.
    #[must_use]
    pub fn complete(&self) -> bool {
        !self.interrupted && self.applied() == self.results.len()
    }
}

/// Progress, as the executor reports it.
#[derive(Debug)]
pub enum Event<'a> {
    Started {
        index: usize,
        change: &'a Change,
    },
    Finished {
        index: usize,
        change: &'a Change,
        result: &'a ChangeResult,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    Running,
    Done,
}

struct Shared {
    state: Vec<State>,
    results: Vec<Option<ChangeResult>>,
    running: usize,
    /// No change before this index is waiting: scans start here, so that a
    /// long plan is not scanned from the top for every change.
    low: usize,
}

/// Applies `plan` through `session`. `stop` ends the run early: changes in
/// flight finish, the rest are not started.
pub fn execute(
    plan: &Plan,
    session: &dyn Session,
    audio: &AudioStore,
    stop: &AtomicBool,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Report {
    let n = plan.changes.len();
    let workers = session.max_in_flight().clamp(1, 64).min(n.max(1));
    let shared = Mutex::new(Shared {
        state: vec![State::Waiting; n],
        results: vec![None; n],
        running: 0,
        low: 0,
    });
    let wake = Condvar::new();
    let lock = || {
        shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };

    // The next change to start: the first waiting one whose dependencies
    // are done; a dependency that did not apply makes it skipped at once.
    // Skips are returned in `ended`, for the caller to report once it has
    // let go of the lock: a slow progress callback (a terminal, a pipe that
    // is full) must not hold up the other workers.
    let next = |s: &mut Shared, ended: &mut Vec<(usize, ChangeResult)>| -> Option<usize> {
        loop {
            while s.low < n && s.state[s.low] != State::Waiting {
                s.low += 1;
            }
            let mut progressed = false;
            for i in s.low..n {
                if s.state[i] != State::Waiting {
                    continue;
                }
                let deps = &plan.changes[i].depends_on;
                if let Some(&bad) = deps.iter().find(|&&d| {
                    s.state[d] == State::Done
                        && !matches!(s.results[d], Some(ChangeResult::Applied { .. }))
                }) {
                    let because = match &s.results[bad] {
                        Some(ChangeResult::Skipped { because_of }) => *because_of,
                        _ => bad,
                    };
                    let result = if matches!(s.results[bad], Some(ChangeResult::NotStarted)) {
                        ChangeResult::NotStarted
                    } else {
                        ChangeResult::Skipped {
                            because_of: because,
                        }
                    };
                    s.state[i] = State::Done;
                    ended.push((i, result.clone()));
                    s.results[i] = Some(result);
                    progressed = true;
                    continue;
                }
                if deps.iter().all(|&d| s.state[d] == State::Done) {
                    return Some(i);
                }
            }
            if !progressed {
                return None;
            }
        }
    };

    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut ended = Vec::new();
                loop {
                    let index = {
                        let mut s = lock();
                        loop {
                            if stop.load(Ordering::SeqCst) {
                                for i in 0..n {
                                    if s.state[i] == State::Waiting {
                                        s.state[i] = State::Done;
                                        s.results[i] = Some(ChangeResult::NotStarted);
                                    }
                                }
                            }
                            if let Some(i) = next(&mut s, &mut ended) {
                                s.state[i] = State::Running;
                                s.running += 1;
                                break Some(i);
                            }
                            if s.running == 0 {
                                break None;
                            }
                            s = wake
                                .wait(s)
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                        }
                    };
                    for (i, result) in ended.drain(..) {
                        progress(Event::Finished {
                            index: i,
                            change: &plan.changes[i],
                            result: &result,
                        });
                    }
                    let Some(i) = index else {
                        wake.notify_all();
                        return;
                    };
                    let change = &plan.changes[i];
                    progress(Event::Started { index: i, change });
                    let result = match session.apply(change, audio) {
                        Ok(applied) => ChangeResult::Applied { applied },
                        Err(ProviderError {
                            code,
                            message,
                            help,
                            ..
                        }) => ChangeResult::Failed {
                            code: code.as_str().to_owned(),
                            error: message,
                            help,
                        },
                    };
                    progress(Event::Finished {
                        index: i,
                        change,
                        result: &result,
                    });
                    let mut s = lock();
                    s.state[i] = State::Done;
                    s.results[i] = Some(result);
                    s.running -= 1;
                    drop(s);
                    wake.notify_all();
                }
            });
        }
    });
    let s = shared
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Report {
        results: s
            .results
            .into_iter()
            .map(|o| o.unwrap_or(ChangeResult::NotStarted))
            .collect(),
        interrupted: stop.load(Ordering::SeqCst),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Mutex;

    use super::*;
    use crate::account::{Kind, ResourceId};
    use crate::plan::{Action, Change};
    use crate::provider::{Applied, AudioStore, ProviderError, Snapshot};

    /// A session that fails the changes it is told to, and records the
    /// order it was asked to apply in.
    struct Failing {
        fail: HashSet<String>,
        seen: Mutex<Vec<String>>,
        parallel: usize,
        /// How long each change that does not fail takes.
        delay: std::time::Duration,
    }

    impl Session for Failing {
        fn snapshot(&self) -> Result<Snapshot, ProviderError> {
            Ok(Snapshot::default())
        }

        fn max_in_flight(&self) -> usize {
            self.parallel
        }

        fn apply(&self, change: &Change, _: &AudioStore) -> Result<Applied, ProviderError> {
            self.seen.lock().unwrap().push(change.id.key.clone());
            if self.fail.contains(&change.id.key) {
                return Err(ProviderError::new(
                    crate::diagnostics::Code::ApplyFailed,
                    "boom",
                    "retry",
                ));
            }
            std::thread::sleep(self.delay);
            if self.fail.contains(&change.id.key) {
                Err(ProviderError::new(
                    crate::diagnostics::Code::ApplyFailed,
                    "boom",
                    "retry",
                ))
            } else {
                Ok(Applied::default())
            }
        }

        fn finish(self: Box<Self>) -> Result<(), ProviderError> {
            Ok(())
        }
    }

    fn change(key: &str, deps: &[usize]) -> Change {
        Change {
            depends_on: deps.to_vec(),
            ..Change::bare(ResourceId::new(Kind::Device, key), Action::Create)
        }
    }

    /// a ← b ← c (c needs b needs a), and d independent.
    fn plan() -> Plan {
        Plan {
            changes: vec![
                change("a", &[]),
                change("b", &[0]),
                change("c", &[1]),
                change("d", &[]),
            ],
            ..Plan::default()
        }
    }

    fn run(fail: &[&str], parallel: usize, stop: bool) -> (Report, Vec<String>) {
        let session = Failing {
            fail: fail.iter().map(|s| (*s).to_owned()).collect(),
            seen: Mutex::new(Vec::new()),
            parallel,
            delay: std::time::Duration::ZERO,
        };
        let report = execute(
            &plan(),
            &session,
            &AudioStore::new(),
            &AtomicBool::new(stop),
            &|_| {},
        );
        (report, session.seen.into_inner().unwrap())
    }

    #[test]
    fn everything_applies_in_order() {
        let (report, seen) = run(&[], 1, false);
        assert!(report.complete());
        assert_eq!(seen, ["a", "b", "c", "d"]);
    }

    #[test]
    fn a_failure_skips_its_dependents_and_independent_changes_go_on() {
        for parallel in [1, 4] {
            let (report, seen) = run(&["a"], parallel, false);
            assert!(matches!(report.results[0], ChangeResult::Failed { .. }));
            assert_eq!(report.results[1], ChangeResult::Skipped { because_of: 0 });
            assert_eq!(
                report.results[2],
                ChangeResult::Skipped { because_of: 0 },
                "transitively"
            );
            assert!(matches!(report.results[3], ChangeResult::Applied { .. }));
            assert!(!seen.contains(&"b".to_owned()) && !seen.contains(&"c".to_owned()));
            assert_eq!(
                (report.applied(), report.failed(), report.skipped()),
                (1, 1, 2)
            );
            assert!(!report.complete());
        }
    }

    #[test]
    fn a_failure_in_the_middle_keeps_what_came_before() {
        let (report, _) = run(&["b"], 1, false);
        assert!(matches!(report.results[0], ChangeResult::Applied { .. }));
        assert!(matches!(report.results[1], ChangeResult::Failed { .. }));
        assert_eq!(report.results[2], ChangeResult::Skipped { because_of: 1 });
        assert!(matches!(report.results[3], ChangeResult::Applied { .. }));
    }

    #[test]
    fn a_stop_starts_nothing_more() {
        let (report, seen) = run(&[], 1, true);
        assert!(seen.is_empty());
        assert!(report.interrupted);
        assert_eq!(report.not_started(), 4);
    }

    #[test]
    fn parallel_sessions_respect_dependencies() {
        let (report, seen) = run(&[], 8, false);
        assert!(report.complete());
        let pos = |k: &str| seen.iter().position(|s| s == k).unwrap();
        assert!(pos("a") < pos("b") && pos("b") < pos("c"));
    }

    /// A skip is reported outside the executor's lock: while the callback
    /// for it is slow, the other worker goes on starting changes.
    #[test]
    fn progress_is_reported_outside_the_lock() {
        use std::sync::mpsc;
        use std::time::Duration;
        // a fails at once; b needs a; then 40 independent changes of 5 ms.
        let mut changes = vec![change("a", &[]), change("b", &[0])];
        changes.extend((0..40).map(|i| change(&format!("x{i}"), &[])));
        let plan = Plan {
            changes,
            ..Plan::default()
        };
        let session = Failing {
            fail: std::iter::once("a".to_owned()).collect(),
            seen: Mutex::new(Vec::new()),
            parallel: 2,
            delay: Duration::from_millis(5),
        };
        let (started, starts) = mpsc::channel::<std::thread::ThreadId>();
        let started = Mutex::new(started);
        let starts = Mutex::new(starts);
        let others_started_meanwhile = Mutex::new(None);
        let progress = |e: Event<'_>| match e {
            Event::Started { .. } => {
                let _ = started.lock().unwrap().send(std::thread::current().id());
            }
            Event::Finished {
                result: ChangeResult::Skipped { .. },
                ..
            } => {
                // Wait (up to 2 s) for another worker to start a change.
                let me = std::thread::current().id();
                let deadline = std::time::Instant::now() + Duration::from_secs(2);
                let rx = starts.lock().unwrap();
                let mut seen = false;
                while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
                    match rx.recv_timeout(left) {
                        Ok(id) if id != me => {
                            seen = true;
                            break;
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
                *others_started_meanwhile.lock().unwrap() = Some(seen);
            }
            Event::Finished { .. } => {}
        };
        let report = execute(
            &plan,
            &session,
            &AudioStore::new(),
            &AtomicBool::new(false),
            &progress,
        );
        assert_eq!(report.results[1], ChangeResult::Skipped { because_of: 0 });
        assert_eq!(
            *others_started_meanwhile.lock().unwrap(),
            Some(true),
            "while the skip was being reported, no other change could start"
        );
    }
}
