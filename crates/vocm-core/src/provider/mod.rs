//! Providers: the only code that touches the account's real state. Each
//! translates between the canonical [`Account`] and its storage — a JSON
//! file for [`local`], a REST API for the HTTP provider.

pub mod capabilities;
pub mod local;
mod observer;
mod state_codec;

pub use capabilities::{Capabilities, Field, Support};
pub use observer::{Notice, Observer};

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::diagnostics::Code;
use crate::plan::Change;

/// The current account as a provider holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub account: Account,
    /// Changes whenever the account changes: saved plans made against
    /// another fingerprint are stale.
    pub fingerprint: String,
    /// Licenses owned by type; `None` does not limit.
    pub licenses: Option<BTreeMap<String, u32>>,
}

pub use crate::account::AudioStore;
pub use crate::plan::file::ProviderInfo;

/// Why a provider could not do something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderError {
    pub code: Code,
    pub message: String,
    pub help: String,
    /// Whether trying again may succeed (timeouts, 5xx, rate limits).
    pub transient: bool,
}

impl ProviderError {
    #[must_use]
    pub fn new(code: Code, message: impl Into<String>, help: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            help: help.into(),
            transient: false,
        }
    }

    /// The error as a diagnostic (it has no place in a manifest).
    #[must_use]
    pub fn diagnostic(&self) -> crate::diagnostics::Diagnostic {
        crate::diagnostics::Diagnostic::error(self.code, self.message.clone())
            .help(self.help.clone())
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProviderError {}

/// What a provider reports about an applied change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Applied {
    /// The API's operation id, when the change went through one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

/// A provider.
pub trait Provider: Sync {
    /// Which provider and account.
    fn info(&self) -> ProviderInfo;

    /// What it can manage. An API provider asks its server (once per
    /// run), so this may fail like a read.
    fn capabilities(&self) -> Result<Capabilities, ProviderError>;

    /// Tells the provider the manifests' keys by natural identity: a
    /// provider whose API knows resources by name (a site's) names them
    /// with those keys in the snapshots and sessions that follow.
    fn identify(&self, _identities: &crate::account::identity::Identities) {}

    /// `snapshot`, read before [`Provider::identify`], with the keys the
    /// identities give.
    fn reidentify(&self, snapshot: Snapshot) -> Snapshot {
        snapshot
    }

    /// Reads the current account.
    fn snapshot(&self) -> Result<Snapshot, ProviderError>;

    /// Starts applying: takes whatever lock the provider needs. Dropping
    /// the session without [`Session::finish`] leaves what was applied
    /// applied, and releases the lock.
    fn session(&self, options: &SessionOptions) -> Result<Box<dyn Session + '_>, ProviderError>;

    /// Audio content the account holds, by hash (for export).
    fn audio(&self, sha256: &str) -> Result<Option<Vec<u8>>, ProviderError>;
}

/// How a session waits for a lock, and whom it tells when the lock or the
/// API holds it up.
#[derive(Clone, Default)]
pub struct SessionOptions {
    /// How long to wait for another apply to finish; zero refuses at once.
    pub lock_timeout: std::time::Duration,
    /// Told what taking the lock meets: that it waits, and for whom; that
    /// it reclaims a lock a dead process left. Providers print nothing.
    pub notice: Option<LockNotice>,
    /// Told of waits and retries (providers without an API have none).
    pub observer: Option<std::sync::Arc<dyn Observer>>,
}

/// Where a provider tells what it meets while it waits (one line each).
pub type LockNotice = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

impl fmt::Debug for SessionOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionOptions")
            .field("lock_timeout", &self.lock_timeout)
            .field("notice", &self.notice.is_some())
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

/// An apply in progress.
pub trait Session: Sync {
    /// The account as it is now, under the session's lock.
    fn snapshot(&self) -> Result<Snapshot, ProviderError>;

    /// How many changes may be in flight at once.
    fn max_in_flight(&self) -> usize {
        1
    }

    /// Applies one change. `audio` has the content of audio files the plan
    /// creates or updates.
    fn apply(&self, change: &Change, audio: &AudioStore) -> Result<Applied, ProviderError>;

    /// Makes everything applied durable and releases the lock.
    fn finish(self: Box<Self>) -> Result<(), ProviderError>;
}
