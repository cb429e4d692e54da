//! Reading the account: every collection at once, decoded into a
//! snapshot, with the JSON of every resource (to build `PUT`s from), the
//! ids, and a fingerprint of everything fetched.

use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::Method;
use rustc_hash::FxHashMap as HashMap;
use serde_json::Value;

use vocm_api::Collection;
use vocm_core::account::{Kind, ResourceId};
use vocm_core::diagnostics::Code;
use vocm_core::provider::{ProviderError, Snapshot};

use crate::HttpProvider;
use crate::paging::urlencode;
use crate::wire::{self, Ids};

/// What a read of the account gave: the account, the JSON of every
/// resource (to build `PUT`s from), and the ids.
#[derive(Debug, Default)]
pub(crate) struct Read {
    pub(crate) snapshot: Snapshot,
    pub(crate) json: HashMap<ResourceId, Value>,
    pub(crate) ids: Ids,
}

/// The collections of a read, as fetched.
pub(crate) type Fetched = HashMap<Collection, Vec<Value>>;

impl HttpProvider {
    /// Reads the whole account: every collection the server offers, at
    /// once; the first that fails stops the others.
    pub(crate) fn read(&self) -> Result<Read, ProviderError> {
        let offer = self.offer()?;
        let stop = AtomicBool::new(false);
        let results: Vec<(Collection, Result<Vec<Value>, ProviderError>)> =
            std::thread::scope(|s| {
                let handles: Vec<_> = offer
                    .reads()
                    .into_iter()
                    .map(|c| {
                        let stop = &stop;
                        (
                            c,
                            s.spawn(move || {
                                let r = self.list_until(c, stop);
                                if r.as_ref()
                                    .is_err_and(|e| e.help != crate::paging::NOT_OFFERED)
                                {
                                    stop.store(true, Ordering::Relaxed);
                                }
                                r
                            }),
                        )
                    })
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
        let mut fetched: Fetched = HashMap::default();
        let mut first_error = None;
        for (c, r) in results {
            match r {
                Ok(items) => {
                    fetched.insert(c, items);
                }
                // Not offered after all: left out (its kind is then not
                // managed), never read as empty.
                Err(e) if e.help == crate::paging::NOT_OFFERED => {}
                // The error that stopped the others, not their "stopped".
                Err(e) if first_error.is_none() || e.code != Code::HttpUnreachable => {
                    if first_error
                        .as_ref()
                        .is_none_or(|f: &ProviderError| f.code == Code::HttpUnreachable)
                    {
                        first_error = Some(e);
                    }
                }
                Err(_) => {}
            }
        }
        if let Some(e) = first_error {
            return Err(e);
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
            vocm_core::util::hex(&sha2::Digest::finalize(hasher))
        );
        let fetched = std::sync::Arc::new(fetched);
        let (account, ids) = self.decode(&fetched);
        let mut json = HashMap::default();
        for (c, items) in fetched.iter() {
            let Some(kind) = kind_of(*c) else { continue };
            for v in items {
                // The key decoding gave it: the JSON of a resource created
                // outside vocm is found again for its `PUT`.
                let key = wire::key(v, *c).filter(|_| {
                    matches!(
                        c,
                        Collection::Users | Collection::PhoneNumbers | Collection::Account
                    )
                });
                let key = key.or_else(|| {
                    let api_id = v.pointer(c.id_pointer()).and_then(Value::as_str)?;
                    ids.key(kind, api_id)
                });
                if let Some(key) = key {
                    json.insert(ResourceId::new(kind, key), v.clone());
                }
            }
        }
        self.set_audio_ids(audio_ids(
            fetched
                .get(&Collection::AudioFiles)
                .map_or(&[][..], Vec::as_slice),
        ));
        let licenses = wire::licenses(
            fetched
                .get(&Collection::Licenses)
                .map_or(&[][..], Vec::as_slice),
        );
        *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(fetched);
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

    /// The account in `fetched`, named with the manifests' keys.
    pub(crate) fn decode(&self, fetched: &Fetched) -> (vocm_core::account::Account, Ids) {
        let mut ids = Ids::default();
        let names = self.names().clone();
        let account = wire::decode(fetched, &mut ids, &names);
        (account, ids)
    }

    /// Audio content the account holds, by hash (for export). The files'
    /// ids come from the last read of the account (export reads it first),
    /// so that the collection is not listed again for each file; a hash
    /// that read did not have lists it again, once.
    pub(crate) fn audio_content(&self, sha256: &str) -> Result<Option<Vec<u8>>, ProviderError> {
        use base64::Engine as _;
        let known = self.audio_ids().and_then(|ids| ids.get(sha256).cloned());
        let id = if let Some(id) = known {
            id
        } else {
            let files = self.list(Collection::AudioFiles)?;
            let ids = audio_ids(&files);
            let id = ids.get(sha256).cloned();
            self.set_audio_ids(ids);
            let Some(id) = id else { return Ok(None) };
            id
        };
        let c = Collection::AudioFiles;
        let answer = self
            .client
            .idempotent(
                &Method::GET,
                &format!("{}/{}", c.path(), urlencode(&id)),
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

    fn audio_ids(&self) -> Option<HashMap<String, String>> {
        self.audio_ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set_audio_ids(&self, ids: HashMap<String, String>) {
        *self
            .audio_ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(ids);
    }
}

/// Audio files' ids by content hash.
fn audio_ids(files: &[Value]) -> HashMap<String, String> {
    files
        .iter()
        .filter_map(|f| {
            let sha = f.get("sha256").and_then(Value::as_str)?;
            let id = f.get("id").and_then(Value::as_str)?;
            Some((sha.to_owned(), id.to_owned()))
        })
        .collect()
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
        Collection::Licenses | Collection::Extras | Collection::NumberClaims => return None,
    })
}
