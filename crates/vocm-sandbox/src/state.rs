//! Everything the sandbox holds while it runs, behind one lock: the
//! account, its operations and scrolls, the rate limiter, the fault
//! injector and the counters; and how a due operation changes the account.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use vocm_api::Collection;

use super::account::Account;
use super::faults::Faults;
use super::operations::{ChangeKind, Due, Operations, resource_path};
use super::problem::ApiError;
use super::rate_limit::RateLimiter;
use super::rules;
use super::scroll::Scrolls;
use super::stats::Stats;

#[derive(Debug)]
pub struct Sandbox {
    pub account: Account,
    pub operations: Operations,
    pub scrolls: Scrolls,
    pub limiter: RateLimiter,
    pub faults: Faults,
    pub stats: Stats,
    /// Whether the account or its operations changed since the last save.
    pub changed: bool,
    /// The API served.
    pub api: super::args::ApiMode,
}

impl Sandbox {
    /// Completes the operations whose time has come (every one in flight,
    /// with `all`), in the order they are due.
    pub fn settle(&mut self, now: Instant, all: bool) {
        while let Some(due) = self.operations.take_due(now, all) {
            let outcome = if due.fails {
                Err(ApiError::transient_failure())
            } else {
                self.apply(&due)
            };
            let path = resource_path(due.change.collection, &due.change.id);
            self.operations
                .finish(&due, outcome.map_err(|e| e.stamped(&path)));
            self.changed = true;
        }
    }

    /// Applies a change, checked again against the account as it is now:
    /// what was valid when accepted may no longer be.
    fn apply(&mut self, due: &Due) -> Result<(), ApiError> {
        let change = &due.change;
        let (c, id) = (change.collection, &change.id);
        let account = &mut self.account;
        match (change.kind, &change.value) {
            (ChangeKind::Create | ChangeKind::Update, Some(value)) => {
                let old = account.get(c, id);
                match (change.kind, old) {
                    // Two writes raced to create the same number.
                    (ChangeKind::Create, Some(_)) if c != Collection::Account => {
                        return Err(ApiError::conflict(
                            c.id_pointer().trim_start_matches('/'),
                            format!("{} {id} already exists", what(c)),
                        ));
                    }
                    (ChangeKind::Update, None) if c != Collection::Account => {
                        return Err(ApiError::not_found(what(c), id));
                    }
                    _ => {}
                }
                rules::check(account, c, id, value, old)?;
                account.put(c, id.clone(), value.clone());
            }
            (ChangeKind::Delete, _) => {
                if !account.contains(c, id) {
                    // Deleting what is gone is done, as the reference's
                    // users and ring groups have it; a site must exist.
                    return if c == Collection::Sites {
                        Err(ApiError::not_found(what(c), id))
                    } else {
                        Ok(())
                    };
                }
                rules::check_delete(account, c, id)?;
                account.remove(c, id);
                // What vocm kept beside it goes with it.
                account.remove(Collection::Extras, &format!("{}:{id}", c.resource_type()));
            }
            (_, None) => return Err(ApiError::transient_failure()),
        }
        Ok(())
    }
}

/// A resource type as messages name it.
pub fn what(c: Collection) -> &'static str {
    match c {
        Collection::Sites => "Site",
        Collection::Addresses => "Address",
        Collection::PhoneNumbers | Collection::NumberClaims => "Phone number",
        Collection::Users => "User",
        Collection::RingGroups => "Ring group",
        Collection::Account => "Account",
        Collection::Devices => "Device",
        Collection::AudioFiles => "Audio file",
        Collection::AutoAttendants => "Auto attendant",
        Collection::Licenses => "License",
        Collection::Extras => "Extras",
    }
}

/// What the request handlers share: the sandbox behind its lock, and the
/// settings that do not change while it runs.
#[derive(Debug)]
pub struct Shared {
    sandbox: Mutex<Sandbox>,
    pub api_key: String,
    pub verbose: bool,
    pub op_delay: Duration,
    /// Wakes the saver after a change (none without `--data`).
    pub saver: Option<Notify>,
}

impl Shared {
    pub fn new(
        sandbox: Sandbox,
        api_key: String,
        verbose: bool,
        op_delay: Duration,
        saves: bool,
    ) -> Shared {
        Shared {
            sandbox: Mutex::new(sandbox),
            api_key,
            verbose,
            op_delay,
            saver: saves.then(Notify::new),
        }
    }

    /// The sandbox, locked. Nothing panics while holding it, but should
    /// something, the account is still whole: carry on with it.
    pub fn lock(&self) -> MutexGuard<'_, Sandbox> {
        self.sandbox.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Asks for a save if something changed.
    pub fn save_soon(&self, sandbox: &Sandbox) {
        if sandbox.changed
            && let Some(n) = &self.saver
        {
            n.notify_one();
        }
    }
}
