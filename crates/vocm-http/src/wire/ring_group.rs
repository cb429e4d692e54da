//! Ring groups: `/ring-groups`.

use serde_json::{Value, json};

use vocm_core::account::{Kind, ResourceId, RingGroup};
use vocm_core::model::{PhoneNumber, RingStrategy};

use super::destination::{forwarding_from_wire, forwarding_to_wire};
use super::{Ids, b, from_wire, id_ref, n, s, set, to_wire};

pub(super) fn encode(v: &mut Value, g: &RingGroup, ids: &Ids) {
    let mut put = |pointer: &str, value: Value| set(v, pointer, value);
    put("/name", json!(g.name));
    put("/site", id_ref(ids, Kind::Site, &g.site));
    put("/extensionNumber", json!(g.extension));
    let numbers: Vec<Value> = g
        .phone_numbers
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"phoneNumber": n.as_str(), "primary": i == 0}))
        .collect();
    put("/phoneNumbers", Value::Array(numbers));
    let members: Vec<Value> = g
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let ext = ids
                .extension
                .get(&ResourceId::new(Kind::User, m))
                .cloned()
                .unwrap_or_default();
            json!({"extensionNumber": ext, "sequenceNumber": i + 1})
        })
        .collect();
    put("/members", Value::Array(members));
    put("/ringPattern", json!(to_wire(&g.strategy)));
    put("/ringTimeout", json!(g.ring_timeout_seconds));
    put("/numberOfCycles", json!(g.cycles));
    put("/forwardingRules", forwarding_to_wire(&g.forwarding, ids));
    if v.get("inboundCallerIdFormat").is_none() {
        set(v, "/inboundCallerIdFormat", json!("RGNAME_CALLERNUMBER"));
    }
}

pub(super) fn decode(v: &Value, ids: &Ids) -> RingGroup {
    let members = v
        .get("members")
        .and_then(Value::as_array)
        .map(|m| {
            let mut m: Vec<&Value> = m.iter().collect();
            m.sort_by_key(|x| n(x, "/sequenceNumber").unwrap_or(u64::MAX));
            m.into_iter()
                .filter_map(|x| s(x, "/extensionNumber"))
                .map(|e| {
                    ids.by_extension
                        .get(&e)
                        .map_or(format!("extension-{e}"), |id| id.key.clone())
                })
                .collect()
        })
        .unwrap_or_default();
    let mut numbers: Vec<(bool, PhoneNumber)> = v
        .get("phoneNumbers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                !b(p, "/primary").unwrap_or(false),
                s(p, "/phoneNumber")?.parse().ok()?,
            ))
        })
        .collect();
    // The primary number first, as written.
    numbers.sort_by_key(|(not_primary, _)| *not_primary);
    RingGroup {
        name: s(v, "/name").unwrap_or_default(),
        site: ids.key_at(v, "/site/id", Kind::Site).unwrap_or_default(),
        extension: s(v, "/extensionNumber").unwrap_or_default(),
        phone_numbers: numbers.into_iter().map(|(_, n)| n).collect(),
        members,
        strategy: s(v, "/ringPattern")
            .and_then(|p| from_wire::<RingStrategy>(&p))
            .unwrap_or_default(),
        ring_timeout_seconds: n(v, "/ringTimeout")
            .and_then(|x| u8::try_from(x).ok())
            .unwrap_or(20),
        cycles: n(v, "/numberOfCycles")
            .and_then(|x| u8::try_from(x).ok())
            .unwrap_or(1),
        forwarding: forwarding_from_wire(
            v.get("forwardingRules"),
            n(v, "/vocmExtras/noAnswerDelaySeconds"),
            ids,
        ),
    }
}

/// The reference's `update-members` deltas that turn `before`'s members
/// into `after`'s (`POST /ring-groups/{id}/update-members`, each array at
/// most 200 members): `None` when anything but the members differs.
#[must_use]
pub fn members_delta(before: &RingGroup, after: &RingGroup, ids: &Ids) -> Option<Vec<Value>> {
    let mut same = before.clone();
    same.members.clone_from(&after.members);
    if same != *after || before.members == after.members {
        return None;
    }
    let ext = |m: &str| {
        ids.extension
            .get(&ResourceId::new(Kind::User, m))
            .cloned()
            .unwrap_or_default()
    };
    let mut add = Vec::new();
    let mut update = Vec::new();
    let mut remove = Vec::new();
    for (i, m) in after.members.iter().enumerate() {
        let entry = json!({"extensionNumber": ext(m), "sequenceNumber": i + 1});
        match before.members.iter().position(|b| b == m) {
            None => add.push(entry),
            Some(j) if j != i => update.push(entry),
            Some(_) => {}
        }
    }
    for m in &before.members {
        if !after.members.contains(m) {
            remove.push(json!({"extensionNumber": ext(m)}));
        }
    }
    let mut bodies = Vec::new();
    let (mut a, mut u, mut r) = (add.as_slice(), update.as_slice(), remove.as_slice());
    while !(a.is_empty() && u.is_empty() && r.is_empty()) {
        let take = |s: &mut &[Value]| {
            let (now, later) = s.split_at(s.len().min(200));
            *s = later;
            now.to_vec()
        };
        let mut body = serde_json::Map::new();
        for (name, part) in [
            ("add", take(&mut a)),
            ("update", take(&mut u)),
            ("remove", take(&mut r)),
        ] {
            if !part.is_empty() {
                body.insert(name.into(), Value::Array(part));
            }
        }
        bodies.push(Value::Object(body));
    }
    Some(bodies)
}

/// Whether the group as fetched shows the effect of a member delta: each
/// added or updated member at its sequence number, each removed one gone.
/// (A delta is not idempotent: after a failure whose outcome is unknown it
/// is read back, never sent again blindly.)
#[must_use]
pub fn delta_applied(group: &Value, delta: &Value) -> bool {
    let members: Vec<(String, Option<u64>)> = group
        .get("members")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| Some((s(m, "/extensionNumber")?, n(m, "/sequenceNumber"))))
        .collect();
    let list = |name: &str| {
        delta
            .get(name)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let placed = list("add").into_iter().chain(list("update")).all(|m| {
        let ext = s(&m, "/extensionNumber");
        let seq = n(&m, "/sequenceNumber");
        members
            .iter()
            .any(|(e, q)| Some(e) == ext.as_ref() && (seq.is_none() || *q == seq))
    });
    let gone = list("remove").into_iter().all(|m| {
        let ext = s(&m, "/extensionNumber");
        !members.iter().any(|(e, _)| Some(e) == ext.as_ref())
    });
    placed && gone
}
