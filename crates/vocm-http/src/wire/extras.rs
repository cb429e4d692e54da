//! Extras *(extension)*: what vocm manages that a reference resource has
//! no field for, kept beside it at `/vocm/extras/{resourceType}:{id}`:
//! a user's forwarding, internet fax, CRM and ISO calling country, a ring
//! group's no-answer delay, a number's usage. Reference paths never carry
//! them; decoding reads them as if they were the resource's
//! [`FIELD`] (in memory only).

use rustc_hash::FxHashMap as HashMap;
use serde_json::{Map, Value, json};

use vocm_api::Collection;
use vocm_core::account::{Resource, ResourceId};
use vocm_core::model::PhoneNumber;

use super::destination::forwarding_to_wire;
use super::{Ids, collection, opt, to_wire};

/// Where decoders find a resource's extras.
pub const FIELD: &str = "vocmExtras";

/// Extras by (resource type, API id).
#[must_use]
pub fn index(list: &[Value]) -> HashMap<(&str, &str), &Value> {
    list.iter()
        .filter_map(|x| {
            Some((
                (
                    x.get("resourceType")?.as_str()?,
                    x.get("resourceId")?.as_str()?,
                ),
                x.get("fields")?,
            ))
        })
        .collect()
}

/// The extras entry's id for a resource of `c` whose API id is `api_id`.
#[must_use]
pub fn entry_id(c: Collection, api_id: &str) -> String {
    format!("{}:{api_id}", c.resource_type())
}

/// The extras of a resource: `None` for a kind that has none.
#[must_use]
pub fn encode(id: &ResourceId, r: &Resource, ids: &Ids, api_id: &str) -> Option<Value> {
    let fields = match r {
        Resource::User(u) => json!({
            "forwardingRules": forwarding_to_wire(&u.forwarding, ids),
            "noAnswerDelaySeconds": u.forwarding.no_answer_seconds,
            "internetFax": opt(u.internet_fax.as_ref().map(PhoneNumber::to_string)),
            "crm": u.crm.as_ref().map_or(
                Value::Null,
                |c| json!({"provider": to_wire(&c.provider), "username": c.username}),
            ),
            // The dial plan says NANP for twenty-odd countries: the ISO
            // code travels here, so that CA reads back as CA.
            "callingCountry": opt(u
                .outbound_calling
                .as_ref()
                .and_then(|o| o.country)
                .map(|c| c.as_str().to_owned())),
        }),
        Resource::RingGroup(g) => json!({
            "noAnswerDelaySeconds": g.forwarding.no_answer_seconds,
        }),
        Resource::PhoneNumber(usage) => json!({"usage": to_wire(usage)}),
        _ => return None,
    };
    let c = collection(id.kind);
    let mut entry = Map::new();
    entry.insert("id".into(), json!(entry_id(c, api_id)));
    entry.insert("resourceType".into(), json!(c.resource_type()));
    entry.insert("resourceId".into(), json!(api_id));
    entry.insert("fields".into(), fields);
    Some(Value::Object(entry))
}

/// `r` with its extras at their defaults: a new resource whose extras are
/// these needs no extras entry.
#[must_use]
pub fn blank(r: &Resource) -> Resource {
    let mut r = without_extras(r);
    if let Resource::User(u) = &mut r
        && let Some(o) = &mut u.outbound_calling
    {
        o.country = None;
    }
    r
}

/// `r` with what only its extras carry at the defaults (a user's calling
/// country stays: the reference's dial plan carries it too): two
/// resources equal this way differ in their extras alone.
#[must_use]
pub fn without_extras(r: &Resource) -> Resource {
    let mut r = r.clone();
    match &mut r {
        Resource::User(u) => {
            u.forwarding = vocm_core::account::Forwarding::default();
            u.internet_fax = None;
            u.crm = None;
        }
        Resource::RingGroup(g) => {
            g.forwarding.no_answer_seconds =
                vocm_core::model::forwarding::DEFAULT_NO_ANSWER_SECONDS;
        }
        Resource::PhoneNumber(usage) => *usage = vocm_core::model::NumberUsage::default(),
        _ => {}
    }
    r
}
