//! Destinations and forwarding rules, shared by users, ring groups and
//! auto attendants: on the wire, destinations name extension numbers.

use serde_json::{Value, json};

use vocm_core::account::{Forwarding, Kind, ResourceId};
use vocm_core::model::Destination;

use super::{Ids, s};

/// A destination on the wire.
pub(super) fn destination_to_wire(d: &Destination, ids: &Ids) -> Value {
    let ext = |kind: Kind, key: &str| {
        ids.extension
            .get(&ResourceId::new(kind, key))
            .cloned()
            .unwrap_or_default()
    };
    match d {
        Destination::Voicemail => json!({"type": "VOICEMAIL"}),
        Destination::Drop => json!({"type": "DROP_CALL"}),
        Destination::DialByName => json!({"type": "DIAL_BY_NAME"}),
        Destination::User(k) => {
            json!({"type": "EXTENSION_NUMBER", "destination": ext(Kind::User, k)})
        }
        Destination::RingGroup(k) => {
            json!({"type": "EXTENSION_NUMBER", "destination": ext(Kind::RingGroup, k)})
        }
        Destination::AutoAttendant(k) => {
            json!({"type": "AUTO_ATTENDANT", "destination": ext(Kind::AutoAttendant, k)})
        }
        Destination::External(n) => json!({"type": "EXTERNAL_NUMBER", "destination": n.as_str()}),
    }
}

/// A destination from the wire. An extension no resource has reads as a
/// user of that name: the plan will show it for what it is.
pub(super) fn destination_from_wire(v: &Value, ids: &Ids) -> Destination {
    let target = s(v, "/destination").unwrap_or_default();
    match v.get("type").and_then(Value::as_str).unwrap_or_default() {
        "DROP_CALL" => Destination::Drop,
        "DIAL_BY_NAME" => Destination::DialByName,
        "EXTERNAL_NUMBER" => target
            .parse()
            .map_or(Destination::Voicemail, Destination::External),
        "EXTENSION_NUMBER" | "AUTO_ATTENDANT" => match ids.by_extension.get(&target) {
            Some(id) => match id.kind {
                Kind::RingGroup => Destination::RingGroup(id.key.clone()),
                Kind::AutoAttendant => Destination::AutoAttendant(id.key.clone()),
                _ => Destination::User(id.key.clone()),
            },
            None => Destination::User(format!("extension-{target}")),
        },
        _ => Destination::Voicemail,
    }
}

/// Canonical forwarding → the `ForwardingRule` list.
pub(super) fn forwarding_to_wire(f: &Forwarding, ids: &Ids) -> Value {
    let rule = |condition: &str, d: &Destination| json!({"condition": condition, "enabled": true, "destinations": [destination_to_wire(d, ids)]});
    let mut rules = Vec::new();
    match &f.always {
        Some(d) => rules.push(rule("UNCONDITIONALLY", d)),
        None => rules
            .push(json!({"condition": "UNCONDITIONALLY", "enabled": false, "destinations": []})),
    }
    rules.push(rule("BUSY", &f.busy));
    // The delay is not the reference's: it travels in the extras.
    rules.push(rule("NO_ANSWER", &f.no_answer));
    rules.push(rule("OUTAGE", &f.unreachable));
    Value::Array(rules)
}

pub(super) fn forwarding_from_wire(v: Option<&Value>, delay: Option<u64>, ids: &Ids) -> Forwarding {
    let mut f = Forwarding {
        always: None,
        busy: Destination::Voicemail,
        no_answer: Destination::Voicemail,
        no_answer_seconds: vocm_core::model::forwarding::DEFAULT_NO_ANSWER_SECONDS,
        unreachable: Destination::Voicemail,
    };
    if let Some(s) = delay.and_then(|s| u8::try_from(s).ok()) {
        f.no_answer_seconds = s;
    }
    for rule in v.and_then(Value::as_array).into_iter().flatten() {
        if rule.get("enabled").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let Some(d) = rule.pointer("/destinations/0") else {
            continue;
        };
        let d = destination_from_wire(d, ids);
        match rule.get("condition").and_then(Value::as_str) {
            Some("UNCONDITIONALLY") => f.always = Some(d),
            Some("BUSY") => f.busy = d,
            Some("NO_ANSWER") => {
                f.no_answer = d;
            }
            Some("OUTAGE") => f.unreachable = d,
            _ => {}
        }
    }
    f
}
