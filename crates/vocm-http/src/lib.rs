//! The HTTP provider: the account's provisioning REST API (docs/api.md).
//!
//! - Reads the whole account with list pages of 1,000, every collection in
//!   parallel, and fingerprints what it fetched (a saved plan made against
//!   other data is stale): `read`, `paging`.
//! - Writes one request per changed resource, each `PUT` built from the
//!   resource as fetched so that fields vocm does not manage survive
//!   (`write`, `wire`), and polls its operation with a backoff tuned to how
//!   fast operations end (`polling`); `session` dispatches the changes.
//! - Up to 10 operations in flight; a client-side rate limiter; retries of
//!   429, 5xx and timeouts (`client`). After an ambiguous failure of a
//!   create, it reads back before trying again, so that nothing is created
//!   twice.

mod client;
mod endpoint;
mod offer;
mod paging;
mod polling;
mod read;
mod session;
pub mod wire;
mod write;

use std::sync::Mutex;
use std::time::Duration;

pub use client::ApiKey;
pub use endpoint::check_endpoint;

use self::client::{Client, Failure};
use self::polling::Pace;
use self::session::{HttpSession, SessionState};
use vocm_core::account::identity::Identities;
use vocm_core::provider::{
    Capabilities, Provider, ProviderError, ProviderInfo, Session, SessionOptions, Snapshot,
};

/// Options of the HTTP provider.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Bound on each request.
    pub timeout: Duration,
    /// Operations in flight at once (the API allows 10).
    pub in_flight: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            in_flight: vocm_api::MAX_OPERATIONS_IN_FLIGHT,
        }
    }
}

/// The account behind a provisioning API.
#[derive(Debug)]
pub struct HttpProvider {
    client: Client,
    options: HttpOptions,
    /// Audio files' ids by content hash, from the last read.
    audio_ids: Mutex<Option<rustc_hash::FxHashMap<String, String>>>,
    /// What the server offers, once asked.
    offer: Mutex<Option<offer::Offer>>,
    /// The manifests' keys by natural identity.
    names: Mutex<Identities>,
    /// The last read's collections, to name them again after
    /// [`Provider::identify`] without reading again.
    last: Mutex<Option<std::sync::Arc<read::Fetched>>>,
}

impl HttpProvider {
    /// A provider of the API at `endpoint` (checked by [`check_endpoint`]).
    ///
    /// # Errors
    /// When the HTTP client cannot be set up.
    pub fn new(endpoint: &str, key: ApiKey, options: HttpOptions) -> Result<Self, ProviderError> {
        Ok(Self {
            client: Client::new(endpoint, key, options.timeout)?,
            options,
            audio_ids: Mutex::new(None),
            offer: Mutex::new(None),
            names: Mutex::new(Identities::default()),
            last: Mutex::new(None),
        })
    }

    /// Requests sent so far (for benchmarks and `--verbose`).
    #[must_use]
    pub fn requests(&self) -> u64 {
        self.client.requests()
    }

    fn names(&self) -> std::sync::MutexGuard<'_, Identities> {
        self.names
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fail(&self, f: &Failure, what: &str) -> ProviderError {
        f.error(what, self.client.endpoint())
    }
}

impl Provider for HttpProvider {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            kind: "http".into(),
            endpoint: self.client.endpoint().to_owned(),
        }
    }

    fn capabilities(&self) -> Result<Capabilities, ProviderError> {
        Ok(self.offer()?.capabilities(self.client.endpoint()))
    }

    fn identify(&self, identities: &Identities) {
        identities.clone_into(&mut self.names());
    }

    fn reidentify(&self, snapshot: Snapshot) -> Snapshot {
        let last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        match last {
            Some(fetched) => Snapshot {
                account: self.decode(&fetched).0,
                ..snapshot
            },
            None => snapshot,
        }
    }

    fn snapshot(&self) -> Result<Snapshot, ProviderError> {
        self.read().map(|r| r.snapshot)
    }

    fn session(&self, options: &SessionOptions) -> Result<Box<dyn Session + '_>, ProviderError> {
        // From the session's read on, its caller hears of waits and retries.
        self.client.observe(options.observer.clone());
        // `apply PATH…` plans from this read (one read per apply); a saved
        // plan is checked against it.
        let read = self.read()?;
        Ok(Box::new(HttpSession {
            provider: self,
            offer: self.offer()?,
            snapshot: read.snapshot,
            state: Mutex::new(SessionState {
                json: read.json,
                ids: read.ids,
                superseded: Vec::new(),
                extras: Vec::new(),
            }),
            pace: Mutex::new(Pace::default()),
        }))
    }

    fn audio(&self, sha256: &str) -> Result<Option<Vec<u8>>, ProviderError> {
        self.audio_content(sha256)
    }
}
