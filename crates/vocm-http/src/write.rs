//! Writes: creates, updates and deletes, one request per change, each
//! `PUT` built from the resource as fetched. An ambiguous failure is
//! resolved by reading back (did it take effect?) before trying again.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use vocm_api::{Collection, Operation, OperationStatus, Page};
use vocm_core::account::{Kind, Resource, ResourceId};
use vocm_core::diagnostics::Code;
use vocm_core::provider::{Applied, AudioStore, ProviderError};

use crate::client::{self, Failure};
use crate::paging::urlencode;
use crate::session::HttpSession;
use crate::wire::{self, Ids, collection, encode};

impl HttpSession<'_> {
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

    pub(crate) fn update(
        &self,
        id: &ResourceId,
        resource: &Resource,
    ) -> Result<Applied, ProviderError> {
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

    pub(crate) fn delete(&self, id: &ResourceId) -> Result<Applied, ProviderError> {
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
