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
use vocm_core::provider::{
    Provider, ProviderError, ProviderInfo, Session, SessionOptions, Snapshot,
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
        })
    }

    /// Requests sent so far (for benchmarks and `--verbose`).
    #[must_use]
    pub fn requests(&self) -> u64 {
        self.client.requests()
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

    fn can_claim_numbers(&self) -> bool {
        // The reference has no claim call; the extension endpoint does.
        true
    }

    fn fixed_keys(&self) -> Vec<vocm_core::account::Kind> {
        // A user's key is its `userName`, which the reference cannot change;
        // every other kind is keyed by its `vocmKey`, updated in place.
        vec![vocm_core::account::Kind::User]
    }

    fn snapshot(&self) -> Result<Snapshot, ProviderError> {
        self.read().map(|r| r.snapshot)
    }

    fn session(&self, _: &SessionOptions) -> Result<Box<dyn Session + '_>, ProviderError> {
        // `apply PATH…` plans from this read (one read per apply); a saved
        // plan is checked against it.
        let read = self.read()?;
        Ok(Box::new(HttpSession {
            provider: self,
            snapshot: read.snapshot,
            state: Mutex::new(SessionState {
                json: read.json,
                ids: read.ids,
                superseded: Vec::new(),
            }),
            pace: Mutex::new(Pace::default()),
        }))
    }

    fn audio(&self, sha256: &str) -> Result<Option<Vec<u8>>, ProviderError> {
        self.audio_content(sha256)
    }
}
