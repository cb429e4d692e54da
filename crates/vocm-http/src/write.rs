//! Writes: creates, updates and deletes, one request per change, each
//! `PUT` built from the resource as fetched. An ambiguous failure is
//! resolved by reading back (did it take effect?) before trying again.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use vocm_api::{Collection, Operation, OperationStatus};
use vocm_core::account::{Kind, Resource, ResourceId};
use vocm_core::diagnostics::Code;
use vocm_core::provider::{Applied, AudioStore, ProviderError};

use crate::client::{self, Failure};
use crate::paging::urlencode;
use crate::session::HttpSession;
use crate::wire::{self, Ids, collection, encode, ring_group};

/// A write that failed: why, and the HTTP status the API answered it with
/// (none when it did not answer, or when its operation failed).
#[derive(Debug)]
pub(crate) struct WriteError {
    pub(crate) status: Option<u16>,
    pub(crate) error: ProviderError,
}

impl From<ProviderError> for WriteError {
    fn from(error: ProviderError) -> Self {
        Self {
            status: None,
            error,
        }
    }
}

impl From<WriteError> for ProviderError {
    fn from(e: WriteError) -> Self {
        e.error
    }
}

/// What a read-back found: whether the write took effect (with the
/// resource's id for a create), or an error when the API could not say.
/// How many resources' extras one request writes.
const EXTRAS_BATCH: usize = 200;

type ReadBack<'a> = &'a dyn Fn() -> Result<Option<String>, ProviderError>;

impl HttpSession<'_> {
    /// Sends a write and waits for its operation. Ambiguous failures are
    /// resolved by `read_back` (did it take effect?) before retrying; when
    /// the read-back itself fails, nobody knows: that is an error.
    fn write(
        &self,
        id: &ResourceId,
        method: &Method,
        path: &str,
        c: Collection,
        body: Option<&Value>,
        read_back: ReadBack<'_>,
    ) -> Result<(Option<String>, Option<String>), WriteError> {
        self.write_as(
            id,
            method,
            path,
            (c.media_type(), c.id_pointer()),
            body,
            read_back,
        )
    }

    /// [`Self::write`] with the media type and the pointer to the id in a
    /// synchronous answer given (a ring group's `update-members` has its
    /// own media type).
    fn write_as(
        &self,
        id: &ResourceId,
        method: &Method,
        path: &str,
        (media_type, id_pointer): (&str, &str),
        body: Option<&Value>,
        read_back: ReadBack<'_>,
    ) -> Result<(Option<String>, Option<String>), WriteError> {
        let mut attempts = client::Attempts::default();
        let fail = |f: &Failure| WriteError {
            status: f.status(),
            error: self.fail(f, id),
        };
        loop {
            let sent = self
                .client()
                .once(method.clone(), path, Some(media_type), body);
            match sent {
                Ok(answer) if answer.status == 202 => {
                    let hint = answer.retry_after;
                    let op: Operation = serde_json::from_value(answer.body).map_err(|e| {
                        ProviderError::new(
                            Code::HttpRejected,
                            format!("{id}: 202 without an operation: {e}"),
                            "is --endpoint the provisioning API?",
                        )
                    })?;
                    let done = self.wait(&op, id, hint)?;
                    if done.status == OperationStatus::Completed {
                        return Ok((done.resource_id, Some(done.operation_id)));
                    }
                    let error = done.error.clone().unwrap_or_default();
                    // A transient failure did not take effect: try again.
                    if error.status >= 500
                        && attempts.again(&Failure::Server(error.status, None), self.client())
                    {
                        continue;
                    }
                    return Err(WriteError::from(ProviderError::new(
                        Code::HttpOperationFailed,
                        format!(
                            "{id}: operation {} failed: {}",
                            done.operation_id,
                            client::describe(&error)
                        ),
                        "fix what the API names, then apply again",
                    )));
                }
                // Synchronous writes (addresses) answer with the resource.
                Ok(answer) => {
                    let rid = answer
                        .body
                        .pointer(id_pointer)
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
                    let looked = match read_back() {
                        Ok(None) => {
                            std::thread::sleep(pause);
                            read_back()
                        }
                        known => known,
                    };
                    match looked {
                        Ok(Some(found)) => return Ok((Some(found), None)),
                        Ok(None) => {}
                        Err(unread) => {
                            let written = self.fail(&f, id);
                            let mut error = ProviderError::new(
                                written.code,
                                format!(
                                    "{}; whether it took effect is unknown: {}",
                                    written.message, unread.message
                                ),
                                "check the account (`vocm plan` shows what is left), then apply again",
                            );
                            error.transient = true;
                            return Err(WriteError {
                                status: f.status(),
                                error,
                            });
                        }
                    }
                    if matches!(f, Failure::Rejected(..)) || !attempts.again(&f, self.client()) {
                        return Err(fail(&f));
                    }
                }
                Err(f) if f.transient() && attempts.again(&f, self.client()) => {}
                Err(f) => return Err(fail(&f)),
            }
        }
    }

    /// Finds a resource by its key, straight from the API: `Ok(None)` when
    /// the account has none, an error when the API could not be read.
    /// The resource `id` names in the account, looked up by what the API
    /// knows it by: a user's name, a number, a site's or ring group's name
    /// (`natural`), an address's fields, an extension resource's `vocmKey`.
    fn find(
        &self,
        id: &ResourceId,
        resource: Option<&Resource>,
    ) -> Result<Option<(String, Value)>, ProviderError> {
        let c = collection(id.kind);
        let what = format!("{id}: reading it back");
        let natural = resource.and_then(vocm_core::account::identity::natural);
        let filter = match id.kind {
            Kind::User => Some(format!("basicInfo.userName=={}", id.key)),
            Kind::PhoneNumber => Some(format!("phoneNumber=={}", id.key)),
            Kind::Site | Kind::RingGroup => natural.as_ref().map(|n| format!("name=={}", rsql(n))),
            // Addresses have no filter the reference lists: all of them.
            Kind::Address => None,
            Kind::Account => {
                return match self.client().idempotent(
                    &Method::GET,
                    c.path(),
                    Some(c.media_type()),
                    None,
                ) {
                    Ok(a) => Ok(Some(("account".into(), a.body))),
                    Err(Failure::Rejected(404, _)) => Ok(None),
                    Err(f) => Err(self.provider.fail(&f, &what)),
                };
            }
            _ => Some(format!("vocmKey=={}", id.key)),
        };
        let hits = self.provider.query(c, filter.as_deref(), &what)?;
        let known = self.state().ids.id(id).map(str::to_owned);
        Ok(hits
            .into_iter()
            .find(|v| match id.kind {
                // A delete's read-back: the resource with the id it had.
                _ if resource.is_none() && known.is_some() => {
                    v.pointer(c.id_pointer()).and_then(Value::as_str) == known.as_deref()
                }
                Kind::Site | Kind::RingGroup => {
                    natural.is_some() && v.get("name").and_then(Value::as_str) == natural.as_deref()
                }
                Kind::Address => {
                    natural.is_some() && wire::address_identity(v).as_deref() == natural.as_deref()
                }
                _ => wire::key(v, c).as_deref() == Some(id.key.as_str()),
            })
            .and_then(|v| {
                let api_id = v.pointer(c.id_pointer()).and_then(Value::as_str)?;
                Some((api_id.to_owned(), v))
            }))
    }

    /// Writes the extras of a resource (an extension) where the server
    /// keeps them and the resource has any: synchronous, a `PUT` that
    /// creates or replaces.
    fn write_extras(
        &self,
        id: &ResourceId,
        resource: &Resource,
        before: Option<&Resource>,
    ) -> Result<(), ProviderError> {
        if !self.offer.has(Collection::Extras) {
            return Ok(());
        }
        let (body, before_body, api_id) = {
            let state = self.state();
            let Some(api_id) = state.ids.id(id).map(str::to_owned) else {
                return Ok(());
            };
            let Some(body) = wire::extras::encode(id, resource, &state.ids, &api_id) else {
                return Ok(());
            };
            let before_body = before.and_then(|b| wire::extras::encode(id, b, &state.ids, &api_id));
            (body, before_body, api_id)
        };
        // Unchanged extras, or a new resource whose extras say nothing:
        // no request.
        let default = wire::extras::encode(
            id,
            &wire::extras::blank(resource),
            &self.state().ids,
            &api_id,
        );
        if before_body.as_ref() == Some(&body)
            || (before.is_none() && default.as_ref() == Some(&body))
        {
            return Ok(());
        }
        // Written in batches: one request for many resources, instead of
        // one more per resource (a user's forwarding would double the
        // requests of an apply).
        let full = {
            let mut state = self.state();
            state.extras.push(body);
            state.extras.len() >= EXTRAS_BATCH
        };
        if full { self.flush_extras() } else { Ok(()) }
    }

    /// Writes the extras waiting in the batch: `PUT /vocm/extras` with
    /// `{data: [entry…]}`, which creates or replaces each (synchronous).
    pub(crate) fn flush_extras(&self) -> Result<(), ProviderError> {
        let batch = std::mem::take(&mut self.state().extras);
        if batch.is_empty() {
            return Ok(());
        }
        let c = Collection::Extras;
        let n = batch.len();
        self.client()
            .idempotent(
                &Method::PUT,
                c.path(),
                Some(c.media_type()),
                Some(&json!({"data": batch})),
            )
            .map(|_| ())
            .map_err(|f| {
                self.provider
                    .fail(&f, &format!("writing the extras of {n} resources"))
            })
    }

    pub(crate) fn create(
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
        let (method, path, c) = match id.kind {
            Kind::Account => (Method::PUT, c.path().to_owned(), c),
            // The reference cannot claim a number; the extension can.
            Kind::PhoneNumber => (
                Method::POST,
                Collection::NumberClaims.path().to_owned(),
                Collection::NumberClaims,
            ),
            _ => (Method::POST, c.path().to_owned(), c),
        };
        let read_back = || {
            self.find(id, Some(resource))
                .map(|found| found.map(|(api_id, _)| api_id))
        };
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
        drop(state);
        self.write_extras(id, resource, None)?;
        Ok(Applied { operation })
    }

    pub(crate) fn update(
        &self,
        id: &ResourceId,
        resource: &Resource,
        before: Option<&Resource>,
    ) -> Result<Applied, ProviderError> {
        let c = collection(id.kind);
        if id.kind == Kind::PhoneNumber {
            // A number's reference fields are the API's: only its usage
            // (extras) changes.
            self.write_extras(id, resource, before)?;
            return Ok(Applied::default());
        }
        let path = if id.kind == Kind::Account {
            c.path().to_owned()
        } else {
            let state = self.state();
            let api_id = state.ids.id(id).ok_or_else(|| {
                ProviderError::new(
                    Code::ApplyConflict,
                    format!("{id} does not exist in the account"),
                    "plan again",
                )
            })?;
            format!("{}/{}", c.path(), urlencode(api_id))
        };
        // Only what the extras carry changes (a user's forwarding): the
        // resource itself is not written.
        if let Some(b) = before
            && self.offer.has(Collection::Extras)
            && wire::extras::without_extras(b) == wire::extras::without_extras(resource)
        {
            self.write_extras(id, resource, before)?;
            return Ok(Applied::default());
        }
        // Only a ring group's members change: the reference's own delta,
        // without rewriting the group.
        if let (Resource::RingGroup(after), Some(Resource::RingGroup(b))) = (resource, before) {
            let deltas = ring_group::members_delta(b, after, &self.state().ids);
            if let Some(deltas) = deltas {
                let mut operation = None;
                let members = format!("{path}/{}", vocm_api::UPDATE_MEMBERS);
                for body in &deltas {
                    // Not idempotent: after an unknown outcome, the group
                    // is read to see whether the delta took effect.
                    let read_back = || {
                        let group = self
                            .client()
                            .idempotent(&Method::GET, &path, Some(c.media_type()), None)
                            .map_err(|f| self.fail(&f, id))?
                            .body;
                        Ok(ring_group::delta_applied(&group, body).then(String::new))
                    };
                    operation = self
                        .write_as(
                            id,
                            &Method::POST,
                            &members,
                            (vocm_api::UPDATE_MEMBERS_MEDIA_TYPE, "/id"),
                            Some(body),
                            &read_back,
                        )?
                        .1;
                }
                // The JSON held for it is out of date: the next `PUT`
                // reads the group again anyway.
                self.state().json.remove(id);
                return Ok(Applied { operation });
            }
        }
        // The common guide: a `PUT` replaces the whole resource, so it is
        // built from the resource as `GET /{id}` answers it now.
        let fetched = self
            .client()
            .idempotent(&Method::GET, &path, Some(c.media_type()), None)
            .map_err(|f| self.fail(&f, id))?
            .body;
        let body = {
            let state = self.state();
            let base = if fetched.is_object() {
                Some(&fetched)
            } else {
                state.json.get(id)
            };
            encode(id, resource, &state.ids, base)
        };
        let mut operation = None;
        if let (Resource::User(after), Some(Resource::User(b))) = (resource, before)
            && after.license != b.license
        {
            // The user guide: a license changes in two PUTs, the old one
            // removed first.
            let mut removed = body.clone();
            wire::set(&mut removed, "/serviceInfo/licenses", json!([]));
            operation = self
                .write(id, &Method::PUT, &path, c, Some(&removed), &|| Ok(None))?
                .1;
        }
        let (_, last) = self.write(id, &Method::PUT, &path, c, Some(&body), &|| Ok(None))?;
        operation = last.or(operation);
        let mut state = self.state();
        note_extension(&mut state.ids, id, resource);
        state.json.insert(id.clone(), body);
        drop(state);
        self.write_extras(id, resource, before)?;
        Ok(Applied { operation })
    }

    pub(crate) fn delete(&self, id: &ResourceId) -> Result<Applied, ProviderError> {
        let c = collection(id.kind);
        let Some(api_id) = self.state().ids.id(id).map(str::to_owned) else {
            return Ok(Applied::default());
        };
        let path = format!("{}/{}", c.path(), urlencode(&api_id));
        // Done when it is gone; still there, not done; unreadable, unknown.
        let read_back = || {
            self.find(id, None)
                .map(|found| found.is_none().then(String::new))
        };
        let operation = match self.write(id, &Method::DELETE, &path, c, None, &read_back) {
            Ok((_, op)) => op,
            // Already gone: what a retried delete looks like.
            Err(e) if e.status == Some(404) => None,
            Err(e) => return Err(e.into()),
        };
        let mut state = self.state();
        state.ids.remove(id);
        state.json.remove(id);
        Ok(Applied { operation })
    }
}

/// Keeps the extension numbers destinations are written with up to date.
/// An RSQL value, quoted when it holds what the grammar reserves.
fn rsql(v: &str) -> String {
    if v.chars()
        .any(|c| c.is_whitespace() || "'\"()=!<>~,;*".contains(c))
    {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        v.to_owned()
    }
}

fn note_extension(ids: &mut Ids, id: &ResourceId, resource: &Resource) {
    let ext = match resource {
        Resource::User(u) => &u.extension,
        Resource::RingGroup(g) => &g.extension,
        Resource::AutoAttendant(a) => &a.extension,
        _ => return,
    };
    ids.set_extension(id, ext);
}
