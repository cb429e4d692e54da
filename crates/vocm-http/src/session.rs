//! An apply in progress: the account as read at its start, what was
//! learnt since (ids, JSON, replaced addresses), and the dispatch of each
//! change to a create, an update or a delete.

use std::sync::Mutex;

use reqwest::Method;
use rustc_hash::FxHashMap as HashMap;
use serde_json::Value;

use vocm_api::Collection;
use vocm_core::account::{Kind, ResourceId};
use vocm_core::diagnostics::Code;
use vocm_core::plan::{Action, Change};
use vocm_core::provider::{Applied, AudioStore, ProviderError, Session, Snapshot};

use crate::HttpProvider;
use crate::client::{Client, Failure};
use crate::paging::urlencode;
use crate::polling::Pace;
use crate::wire::Ids;

#[derive(Debug)]
pub(crate) struct SessionState {
    pub(crate) json: HashMap<ResourceId, Value>,
    pub(crate) ids: Ids,
    /// Ids of addresses replaced by new ones: deleted once nothing uses them.
    pub(crate) superseded: Vec<String>,
    /// Extras entries waiting to be written in one request.
    pub(crate) extras: Vec<Value>,
}

pub(crate) struct HttpSession<'a> {
    pub(crate) provider: &'a HttpProvider,
    /// What the server offers.
    pub(crate) offer: crate::offer::Offer,
    pub(crate) snapshot: Snapshot,
    pub(crate) state: Mutex<SessionState>,
    pub(crate) pace: Mutex<Pace>,
}

impl HttpSession<'_> {
    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, SessionState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn client(&self) -> &Client {
        &self.provider.client
    }

    pub(crate) fn fail(&self, f: &Failure, id: &ResourceId) -> ProviderError {
        self.provider.fail(f, &id.to_string())
    }
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
            (Action::Update, Some(r)) => self.update(id, r, change.before.as_deref()),
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
                // The API cannot move a user (nor a site between PBXs, nor
                // rename a user): delete, then create.
                self.delete(&change.old_id().unwrap_or_else(|| id.clone()))?;
                self.create(id, r, audio)
            }
            (Action::Rename, Some(r)) => {
                // The same API resource under the new key: its `vocmKey`
                // is rewritten by the update.
                if let Some(old) = change.old_id() {
                    let mut state = self.state();
                    if let Some(api_id) = state.ids.id(&old).map(str::to_owned) {
                        state.ids.remove(&old);
                        state.ids.set_id(id, &api_id);
                    }
                    if let Some(json) = state.json.remove(&old) {
                        state.json.insert(id.clone(), json);
                    }
                }
                self.update(id, r, change.before.as_deref())
            }
            (_, None) => Err(ProviderError::new(
                Code::ApplyConflict,
                format!("{id}: a change without a value"),
                "plan again",
            )),
        }
    }

    fn finish(self: Box<Self>) -> Result<(), ProviderError> {
        self.flush_extras()?;
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
