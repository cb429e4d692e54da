//! The HTTP provider's mapping: every resource of the example account,
//! written as the API's JSON and read back, is the same resource.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::PathBuf;

use rustc_hash::FxHashMap;
use serde_json::{Value, json};
use vocm_api::Collection;
use vocm_core::account::identity::Identities;
use vocm_core::account::{Account, Kind};
use vocm_http::wire::{Ids, collection, decode, encode, set};

fn example() -> (Account, Identities) {
    // The example account of the repository, two levels up.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let v = vocm_core::validate::validate_paths(&[root.join("examples/acme")], Some(&root));
    (
        vocm_core::plan::desired::on_their_own(&v).0,
        Identities::of(&v.manifest),
    )
}

#[test]
fn every_resource_round_trips_through_the_api_json() {
    let (mut account, names) = example();
    // Ids and extensions as the API would have them.
    let ids = Ids::of(&account, |id| format!("api-{}-{}", id.kind, id.key));
    let mut fetched: FxHashMap<Collection, Vec<Value>> = FxHashMap::default();
    for id in account.ids() {
        let resource = account.get(&id).unwrap();
        let c = collection(id.kind);
        // Fields the API has and vocm does not manage.
        let base = json!({"directoryInfo": {"jobTitle": "Engineer"}, "createdTime": "2026-01-01T00:00:00Z"});
        let mut v = encode(&id, &resource, &ids, Some(&base));
        if id.kind != Kind::PhoneNumber && id.kind != Kind::Account {
            set(
                &mut v,
                c.id_pointer(),
                json!(format!("api-{}-{}", id.kind, id.key)),
            );
        }
        assert_eq!(
            v["createdTime"], "2026-01-01T00:00:00Z",
            "{id} lost a field it does not manage"
        );
        assert_eq!(
            vocm_sandbox_free_of_vocm_fields(&v),
            None,
            "{id}: a reference path gets no vocm field"
        );
        let api_id = v
            .pointer(c.id_pointer())
            .and_then(Value::as_str)
            .unwrap_or(&id.key)
            .to_owned();
        if let Some(x) = vocm_http::wire::extras::encode(&id, &resource, &ids, &api_id) {
            fetched.entry(Collection::Extras).or_default().push(x);
        }
        fetched.entry(c).or_default().push(v);
    }
    let mut read_ids = Ids::default();
    let back = decode(&fetched, &mut read_ids, &names);
    // A site's extension range is the manifests' own: never sent.
    for s in account.sites.values_mut() {
        s.extension_range = None;
    }
    assert_eq!(back, account);
    // The user kept the job title set outside vocm.
    let users = &fetched[&Collection::Users];
    assert!(
        users
            .iter()
            .all(|u| u["directoryInfo"]["jobTitle"] == "Engineer")
    );
}

/// The first `vocm…` field of a reference resource's JSON (extension
/// collections keep their `vocmKey`).
fn vocm_sandbox_free_of_vocm_fields(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => m.iter().find_map(|(k, v)| {
            if k.starts_with("vocm") && k != "vocmKey" {
                Some(k.clone())
            } else {
                vocm_sandbox_free_of_vocm_fields(v)
            }
        }),
        Value::Array(a) => a.iter().find_map(vocm_sandbox_free_of_vocm_fields),
        _ => None,
    }
}
