//! Resources as reads show them: what is stored, plus what the server
//! computes (a number's `status`, an address's usage), minus what lists
//! leave out (an audio file's `content`).

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use vocm_api::Collection;

use super::account::Account;
use super::claims::Claim;
use super::rules;

/// A resource as a list shows it (and as filters and sorts see it).
pub fn listed<'a>(account: &Account, c: Collection, id: &str, value: &'a Value) -> Cow<'a, Value> {
    match c {
        Collection::PhoneNumbers => {
            let mut v = value.clone();
            if let Some(map) = v.as_object_mut() {
                let used = account.holders(&Claim::Number(id.to_owned())).next();
                let status = if used.is_some() {
                    "ASSIGNED"
                } else {
                    "AVAILABLE"
                };
                map.insert("status".into(), json!(status));
            }
            Cow::Owned(v)
        }
        Collection::AudioFiles => Cow::Owned(Value::Object(
            value
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| *k != "content")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Map<String, Value>>(),
        )),
        _ => Cow::Borrowed(value),
    }
}

/// A resource as `GET /collection/{id}` shows it.
pub fn single(account: &Account, c: Collection, id: &str, value: &Value) -> Value {
    match c {
        Collection::PhoneNumbers => listed(account, c, id, value).into_owned(),
        Collection::Addresses => {
            let mut v = value.clone();
            let (sites, extensions) = rules::address_usage(account, id);
            if let Some(map) = v.as_object_mut() {
                map.insert(
                    "addressUsage".into(),
                    json!({
                        "customer": 0, "site": sites, "userPersonal": 0,
                        "userExtension": extensions, "trunk": 0, "operatorConnect": 0,
                        "license": 0,
                    }),
                );
            }
            v
        }
        _ => value.clone(),
    }
}
