//! The HTTP provider: the account's provisioning REST API (docs/api.md).
//!
//! - Reads the whole account with list pages of 1,000, every collection in
//!   parallel, and fingerprints what it fetched (a saved plan made against
//!   other data is stale).
//! - Writes one request per changed resource, each `PUT` built from the
//!   resource as fetched so that fields vocm does not manage survive, and
//!   polls its operation with a backoff tuned to how fast operations end.
//! - Up to 10 operations in flight; a client-side rate limiter; retries of
//!   429, 5xx and timeouts. After an ambiguous failure of a create, it reads
//!   back before trying again, so that nothing is created twice.

mod client;
mod endpoint;
pub mod wire;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::Method;
use rustc_hash::FxHashMap as HashMap;
use serde_json::{Value, json};

pub use client::ApiKey;
pub use endpoint::check_endpoint;

use self::client::{Client, Failure};
use self::wire::{Ids, collection, encode};
use vocm_api::{Collection, Operation, OperationStatus, Page};
use vocm_core::account::{Kind, Resource, ResourceId};
use vocm_core::diagnostics::Code;
use vocm_core::plan::{Action, Change};
use vocm_core::provider::{
    Applied, AudioStore, Provider, ProviderError, ProviderInfo, Session, SessionOptions, Snapshot,
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
}

/// What a read of the account gave: the account, the JSON of every
/// resource (to build `PUT`s from), and the ids.
#[derive(Debug, Default)]
struct Read {
    snapshot: Snapshot,
    json: HashMap<ResourceId, Value>,
    ids: Ids,
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

    /// Every resource of a collection, page by page.
    fn list(&self, c: Collection) -> Result<Vec<Value>, ProviderError> {
        if c == Collection::Account {
            return match self
                .client
                .idempotent(&Method::GET, c.path(), Some(c.media_type()), None)
            {
                Ok(a) => Ok(vec![a.body]),
                Err(Failure::Rejected(404, _)) => Ok(Vec::new()),
                Err(f) => Err(self.fail(&f, "reading the account's settings")),
            };
        }
        let mut out = Vec::new();
        let mut path = format!("{}?pageSize={}", c.path(), vocm_api::MAX_PAGE_SIZE);
        loop {
            let answer = self
                .client
                .idempotent(&Method::GET, &path, Some(c.media_type()), None)
                .map_err(|f| self.fail(&f, &format!("listing {}", c.path())))?;
            let page: Page = serde_json::from_value(answer.body).map_err(|e| {
                ProviderError::new(
                    Code::HttpRejected,
                    format!("{} answered a page that is not one: {e}", c.path()),
                    "is --endpoint the provisioning API?",
                )
            })?;
            out.extend(page.data);
            match page.pagination.next_scroll_id {
                Some(scroll) if page.pagination.has_more => {
                    path = format!(
                        "{}?pageSize={}&scrollId={scroll}",
                        c.path(),
                        vocm_api::MAX_PAGE_SIZE
                    );
                }
                _ => break,
            }
        }
        Ok(out)
    }

    /// Reads the whole account, every collection at once.
    fn read(&self) -> Result<Read, ProviderError> {
        let results: Vec<(Collection, Result<Vec<Value>, ProviderError>)> =
            std::thread::scope(|s| {
                let handles: Vec<_> = Collection::ALL
                    .into_iter()
                    .map(|c| (c, s.spawn(move || self.list(c))))
                    .collect();
                handles
                    .into_iter()
                    .map(|(c, h)| {
                        (
                            c,
                            h.join().unwrap_or_else(|_| {
                                Err(ProviderError::new(
                                    Code::HttpUnreachable,
                                    "a read failed",
                                    "report this as a bug",
                                ))
                            }),
                        )
                    })
                    .collect()
            });
        let mut fetched: HashMap<Collection, Vec<Value>> = HashMap::default();
        for (c, r) in results {
            fetched.insert(c, r?);
        }
        // The fingerprint covers everything fetched, in a stable order.
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        for c in Collection::ALL {
            let mut items: Vec<String> = fetched
                .get(&c)
                .into_iter()
                .flatten()
                .map(ToString::to_string)
                .collect();
            items.sort();
            for i in items {
                sha2::Digest::update(&mut hasher, i.as_bytes());
                sha2::Digest::update(&mut hasher, [0]);
            }
        }
        let fingerprint = format!(
            "sha256:{}",
            vocm_core::provider::hex(&sha2::Digest::finalize(hasher))
        );
        let mut ids = Ids::default();
        let account = wire::decode(&fetched, &mut ids);
        let mut json = HashMap::default();
        for c in Collection::ALL {
            let Some(kind) = kind_of(c) else { continue };
            for v in fetched.get(&c).into_iter().flatten() {
                let key = match c {
                    Collection::Users => v
                        .pointer("/basicInfo/userName")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    Collection::PhoneNumbers => v
                        .get("phoneNumber")
                        .and_then(Value::as_str)
                        .and_then(|n| n.parse::<vocm_core::model::PhoneNumber>().ok())
                        .map(|n| n.to_string()),
                    Collection::Account => Some("account".to_owned()),
                    _ => v
                        .get("vocmKey")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .or_else(|| {
                            v.pointer(c.id_pointer())
                                .and_then(Value::as_str)
                                .map(|i| format!("id-{i}"))
                        }),
                };
                if let Some(key) = key {
                    json.insert(ResourceId::new(kind, key), v.clone());
                }
            }
        }
        let licenses = wire::licenses(
            fetched
                .get(&Collection::Licenses)
                .map_or(&[][..], Vec::as_slice),
        );
        Ok(Read {
            snapshot: Snapshot {
                account,
                fingerprint,
                licenses,
            },
            json,
            ids,
        })
    }
}

fn kind_of(c: Collection) -> Option<Kind> {
    Some(match c {
        Collection::Account => Kind::Account,
        Collection::Addresses => Kind::Address,
        Collection::Sites => Kind::Site,
        Collection::PhoneNumbers => Kind::PhoneNumber,
        Collection::Devices => Kind::Device,
        Collection::AudioFiles => Kind::AudioFile,
        Collection::Users => Kind::User,
        Collection::RingGroups => Kind::RingGroup,
        Collection::AutoAttendants => Kind::AutoAttendant,
        Collection::Licenses => return None,
    })
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
        use base64::Engine as _;
        let files = self.list(Collection::AudioFiles)?;
        let Some(id) = files
            .iter()
            .find(|f| f.get("sha256").and_then(Value::as_str) == Some(sha256))
            .and_then(|f| f.get("id").and_then(Value::as_str))
        else {
            return Ok(None);
        };
        let c = Collection::AudioFiles;
        let answer = self
            .client
            .idempotent(
                &Method::GET,
                &format!("{}/{id}", c.path()),
                Some(c.media_type()),
                None,
            )
            .map_err(|f| self.fail(&f, "reading an audio file"))?;
        Ok(answer
            .body
            .get("content")
            .and_then(Value::as_str)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok()))
    }
}

/// How long operations take, learnt as they complete: the first poll of an
/// operation waits about that long, so that most need one poll.
#[derive(Debug)]
struct Pace {
    estimate: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            estimate: Duration::from_millis(100),
        }
    }
}

impl Pace {
    /// The shortest wait before a first poll.
    const FLOOR: Duration = Duration::from_millis(5);
    /// The longest: beyond it, operations are polled in steps anyway.
    const CEILING: Duration = Duration::from_secs(30);

    /// Learns from an operation that ended: `first` when it was done at
    /// the first poll (it took at most the estimate: try a little earlier
    /// next time), else the time it took (an upper bound, within a step)
    /// and 6 % more. Ten operations run at once, so when the estimate falls
    /// under the true duration, about ten need a second poll; from 6 % over,
    /// that happens once every ~120 operations (0.9995 a step), about 8 %
    /// of them, while the first poll comes on average ~3 % late.
    fn learn(&mut self, first: bool, took: Duration) {
        self.estimate = if first {
            self.estimate.mul_f64(0.9995).max(Self::FLOOR)
        } else {
            took.mul_f64(1.06).clamp(Self::FLOOR, Self::CEILING)
        };
    }
}

#[derive(Debug)]
struct SessionState {
    json: HashMap<ResourceId, Value>,
    ids: Ids,
    /// Ids of addresses replaced by new ones: deleted once nothing uses them.
    superseded: Vec<String>,
}

struct HttpSession<'a> {
    provider: &'a HttpProvider,
    snapshot: Snapshot,
    state: Mutex<SessionState>,
    pace: Mutex<Pace>,
}

impl HttpSession<'_> {
    fn state(&self) -> std::sync::MutexGuard<'_, SessionState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn client(&self) -> &Client {
        &self.provider.client
    }

    fn fail(&self, f: &Failure, id: &ResourceId) -> ProviderError {
        self.provider.fail(f, &id.to_string())
    }

    /// Polls an operation until it ends. The first poll comes after the
    /// learnt pace, which is nudged down a little each time the operation
    /// was already done, so that it keeps probing the true duration; when
    /// it was not, polls follow in short steps growing ×1.5 (up to 2 s) and
    /// the pace becomes the time it took. Most operations need one poll.
    fn wait(&self, op: &Operation, id: &ResourceId) -> Result<Operation, ProviderError> {
        if op.status.is_finished() {
            return Ok(op.clone());
        }
        let started = Instant::now();
        let estimate = self
            .pace
            .lock()
            .map_or(Pace::default().estimate, |p| p.estimate);
        let mut delay = estimate;
        let mut step = (estimate / 50).max(Pace::FLOOR);
        let mut polls = 0u32;
        let path = format!("{}/{}", vocm_api::OPERATIONS_PATH, op.operation_id);
        loop {
            std::thread::sleep(delay);
            polls += 1;
            let answer = self
                .client()
                .idempotent(
                    &Method::GET,
                    &path,
                    Some(vocm_api::OPERATIONS_MEDIA_TYPE),
                    None,
                )
                .map_err(|f| self.fail(&f, id))?;
            let op: Operation = serde_json::from_value(answer.body).map_err(|e| {
                ProviderError::new(
                    Code::HttpRejected,
                    format!("{id}: not an operation: {e}"),
                    "is --endpoint the provisioning API?",
                )
            })?;
            if op.status.is_finished() {
                if let Ok(mut p) = self.pace.lock() {
                    p.learn(polls == 1, started.elapsed());
                }
                return Ok(op);
            }
            if started.elapsed() > Duration::from_mins(5) {
                return Err(ProviderError::new(
                    Code::HttpUnavailable,
                    format!(
                        "{id}: operation {} did not end in 5 minutes",
                        op.operation_id
                    ),
                    "check it in the admin console, then plan again",
                ));
            }
            delay = step;
            step = step.mul_f64(1.5).min(Duration::from_secs(2));
        }
    }

    /// Sends a write and waits for its operation. Ambiguous failures are
    /// resolved by `read_back` (did it take effect?) before retrying.
    fn write(
        &self,
        id: &ResourceId,
        method: &Method,
        path: &str,
        c: Collection,
        body: Option<&Value>,
        read_back: &dyn Fn() -> Option<String>,
    ) -> Result<(Option<String>, Option<String>), ProviderError> {
        let mut attempts = client::Attempts::default();
        let retries = self.client().retries;
        loop {
            let sent = self
                .client()
                .once(method.clone(), path, Some(c.media_type()), body);
            match sent {
                Ok(answer) if answer.status == 202 => {
                    let op: Operation = serde_json::from_value(answer.body).map_err(|e| {
                        ProviderError::new(
                            Code::HttpRejected,
                            format!("{id}: 202 without an operation: {e}"),
                            "is --endpoint the provisioning API?",
                        )
                    })?;
                    let done = self.wait(&op, id)?;
                    if done.status == OperationStatus::Completed {
                        return Ok((done.resource_id, Some(done.operation_id)));
                    }
                    let error = done.error.clone().unwrap_or_default();
                    // A transient failure did not take effect: try again.
                    if error.status >= 500
                        && attempts.again(&Failure::Server(error.status, None), retries)
                    {
                        continue;
                    }
                    return Err(ProviderError::new(
                        Code::HttpOperationFailed,
                        format!(
                            "{id}: operation {} failed: {}",
                            done.operation_id,
                            client::describe(&error)
                        ),
                        "fix what the API names, then apply again",
                    ));
                }
                // Synchronous writes (addresses) answer with the resource.
                Ok(answer) => {
                    let rid = answer
                        .body
                        .pointer(c.id_pointer())
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    return Ok((rid, None));
                }
                Err(f) if f.ambiguous() || matches!(f, Failure::Rejected(409, _)) => {
                    // It may have happened: look before trying again. A
                    // create's operation may still be running, so look
                    // twice, the second time after an operation's time.
                    let pause = self
                        .pace
                        .lock()
                        .map_or(Duration::from_millis(200), |p| p.estimate * 2);
                    if let Some(found) = read_back().or_else(|| {
                        std::thread::sleep(pause);
                        read_back()
                    }) {
                        return Ok((Some(found), None));
                    }
                    if matches!(f, Failure::Rejected(..)) || !attempts.again(&f, retries) {
                        return Err(self.fail(&f, id));
                    }
                }
                Err(f) if f.transient() && attempts.again(&f, retries) => {}
                Err(f) => return Err(self.fail(&f, id)),
            }
        }
    }

    /// Finds a resource by its key, straight from the API.
    fn find(&self, id: &ResourceId) -> Option<(String, Value)> {
        let c = collection(id.kind);
        let filter = match id.kind {
            Kind::User => format!("basicInfo.userName=={}", id.key),
            Kind::PhoneNumber => format!("phoneNumber=={}", id.key),
            Kind::Account => {
                let a = self
                    .client()
                    .idempotent(&Method::GET, c.path(), Some(c.media_type()), None)
                    .ok()?;
                return Some(("account".into(), a.body));
            }
            _ => format!("vocmKey=={}", id.key),
        };
        let path = format!("{}?pageSize=2&filter={}", c.path(), urlencode(&filter));
        let page: Page = serde_json::from_value(
            self.client()
                .idempotent(&Method::GET, &path, Some(c.media_type()), None)
                .ok()?
                .body,
        )
        .ok()?;
        let v = page.data.into_iter().next()?;
        let api_id = v
            .pointer(c.id_pointer())
            .and_then(Value::as_str)?
            .to_owned();
        Some((api_id, v))
    }

    fn create(
        &self,
        id: &ResourceId,
        resource: &Resource,
        audio: &AudioStore,
    ) -> Result<Applied, ProviderError> {
        let c = collection(id.kind);
        let mut body = {
            let state = self.state();
            encode(id, resource, &state.ids, None)
        };
        if let Resource::AudioFile(a) = resource {
            use base64::Engine as _;
            let bytes = audio.get(&a.sha256).ok_or_else(|| {
                ProviderError::new(
                    Code::ApplyConflict,
                    format!("the content of {id} is missing from the plan"),
                    "plan again",
                )
            })?;
            body["content"] = json!(base64::engine::general_purpose::STANDARD.encode(bytes));
        }
        let (method, path) = if id.kind == Kind::Account {
            (Method::PUT, c.path().to_owned())
        } else {
            (Method::POST, c.path().to_owned())
        };
        let read_back = || self.find(id).map(|(api_id, _)| api_id);
        let (api_id, operation) = self.write(id, &method, &path, c, Some(&body), &read_back)?;
        let mut state = self.state();
        if let Some(api_id) =
            api_id.or_else(|| (id.kind == Kind::PhoneNumber).then(|| id.key.clone()))
        {
            if let Some(v) = body.as_object_mut() {
                v.remove("content");
            }
            wire::set(&mut body, c.id_pointer(), json!(api_id));
            state.ids.set_id(id, &api_id);
        }
        note_extension(&mut state.ids, id, resource);
        state.json.insert(id.clone(), body);
        Ok(Applied { operation })
    }

    fn update(&self, id: &ResourceId, resource: &Resource) -> Result<Applied, ProviderError> {
        let c = collection(id.kind);
        let (body, path) = {
            let state = self.state();
            let base = state.json.get(id);
            let body = encode(id, resource, &state.ids, base);
            let path = if id.kind == Kind::Account {
                c.path().to_owned()
            } else {
                let api_id = state.ids.id(id).ok_or_else(|| {
                    ProviderError::new(
                        Code::ApplyConflict,
                        format!("{id} does not exist in the account"),
                        "plan again",
                    )
                })?;
                format!("{}/{}", c.path(), urlencode(api_id))
            };
            (body, path)
        };
        // A PUT is idempotent: an ambiguous failure is simply retried.
        let (_, operation) = self.write(id, &Method::PUT, &path, c, Some(&body), &|| None)?;
        let mut state = self.state();
        note_extension(&mut state.ids, id, resource);
        state.json.insert(id.clone(), body);
        Ok(Applied { operation })
    }

    fn delete(&self, id: &ResourceId) -> Result<Applied, ProviderError> {
        let c = collection(id.kind);
        let Some(api_id) = self.state().ids.id(id).map(str::to_owned) else {
            return Ok(Applied::default());
        };
        let path = format!("{}/{}", c.path(), urlencode(&api_id));
        let read_back = || self.find(id).is_none().then(String::new);
        let operation = match self.write(id, &Method::DELETE, &path, c, None, &read_back) {
            Ok((_, op)) => op,
            // Already gone: what a retried delete looks like.
            Err(e) if e.message.contains("(404)") => None,
            Err(e) => return Err(e),
        };
        let mut state = self.state();
        state.ids.remove(id);
        state.json.remove(id);
        Ok(Applied { operation })
    }
}

/// Keeps the extension numbers destinations are written with up to date.
fn note_extension(ids: &mut Ids, id: &ResourceId, resource: &Resource) {
    let ext = match resource {
        Resource::User(u) => &u.extension,
        Resource::RingGroup(g) => &g.extension,
        Resource::AutoAttendant(a) => &a.extension,
        _ => return,
    };
    ids.set_extension(id, ext);
}

/// Percent-encodes an id or a query value.
fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl Session for HttpSession<'_> {
    fn snapshot(&self) -> Result<Snapshot, ProviderError> {
        Ok(self.snapshot.clone())
    }

    fn max_in_flight(&self) -> usize {
        self.provider
            .options
            .in_flight
            .clamp(1, vocm_api::MAX_OPERATIONS_IN_FLIGHT)
    }

    fn apply(&self, change: &Change, audio: &AudioStore) -> Result<Applied, ProviderError> {
        let id = &change.id;
        match (change.action, &change.after) {
            (Action::Create, Some(r)) => self.create(id, r, audio),
            (Action::Update, Some(r)) => self.update(id, r),
            (Action::Delete, _) => self.delete(id),
            (Action::Replace, Some(r)) if id.kind == Kind::Address => {
                // Create the new address first: sites and users are then
                // repointed to it, and the old one deleted at the end.
                let old = self.state().ids.id(id).map(str::to_owned);
                self.state().ids.remove(id);
                let applied = self.create(id, r, audio)?;
                if let Some(old) = old {
                    self.state().superseded.push(old);
                }
                Ok(applied)
            }
            (Action::Replace, Some(r)) => {
                // The API cannot move a user (nor a site between PBXs):
                // delete, then create.
                self.delete(id)?;
                self.create(id, r, audio)
            }
            (_, None) => Err(ProviderError::new(
                Code::ApplyConflict,
                format!("{id}: a change without a value"),
                "plan again",
            )),
        }
    }

    fn finish(self: Box<Self>) -> Result<(), ProviderError> {
        let superseded = std::mem::take(&mut self.state().superseded);
        let c = Collection::Addresses;
        for old in superseded {
            let path = format!("{}/{}", c.path(), urlencode(&old));
            match self.client().idempotent(&Method::DELETE, &path, None, None) {
                // Gone already, or still in use by a resource vocm does not
                // manage (then it stays).
                Ok(_) | Err(Failure::Rejected(400 | 404, _)) => {}
                Err(f) => return Err(self.provider.fail(&f, "deleting a replaced address")),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pace_probes_down_slowly_and_jumps_up_at_once() {
        let mut p = Pace::default();
        let start = p.estimate;
        p.learn(true, Duration::ZERO);
        assert!(p.estimate < start && p.estimate > start.mul_f64(0.99));
        // Late: the time it took, and a margin.
        p.learn(false, Duration::from_millis(200));
        assert_eq!(p.estimate, Duration::from_millis(212));
        p.learn(false, Duration::from_mins(10));
        assert_eq!(p.estimate, Pace::CEILING);
        for _ in 0..100_000 {
            p.learn(true, Duration::ZERO);
        }
        assert_eq!(p.estimate, Pace::FLOOR);
    }
}
