//! Auto attendants: `/vocm/auto-attendants` (extension).

use serde_json::{Value, json};

use vocm_core::account::{AutoAttendant, Kind};
use vocm_core::model::{Destination, MenuDestination, PhoneNumber};

use super::destination::{destination_from_wire, destination_to_wire};
use super::{Ids, id_ref, opt, s, set};

pub(super) fn encode(v: &mut Value, key: &str, a: &AutoAttendant, ids: &Ids) {
    let mut put = |pointer: &str, value: Value| set(v, pointer, value);
    put("/vocmKey", json!(key));
    put("/name", json!(a.name));
    put("/site", id_ref(ids, Kind::Site, &a.site));
    put("/extensionNumber", json!(a.extension));
    put(
        "/phoneNumber",
        opt(a.phone_number.as_ref().map(PhoneNumber::to_string)),
    );
    put(
        "/greeting",
        a.greeting
            .as_ref()
            .map_or(Value::Null, |g| id_ref(ids, Kind::AudioFile, g)),
    );
    let menu: Vec<Value> = a
        .menu
        .iter()
        .map(|(k, d)| json!({"key": k, "destination": destination_to_wire(&d.0, ids)}))
        .collect();
    put("/menu", Value::Array(menu));
    put("/timeout", destination_to_wire(&a.timeout, ids));
}

pub(super) fn decode(v: &Value, ids: &Ids) -> AutoAttendant {
    let menu = v
        .get("menu")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let k = s(m, "/key")?;
            Some((
                k,
                MenuDestination(destination_from_wire(m.get("destination")?, ids)),
            ))
        })
        .collect();
    AutoAttendant {
        name: s(v, "/name").unwrap_or_default(),
        site: ids.key_at(v, "/site/id", Kind::Site).unwrap_or_default(),
        extension: s(v, "/extensionNumber").unwrap_or_default(),
        phone_number: s(v, "/phoneNumber").and_then(|p| p.parse().ok()),
        greeting: ids.key_at(v, "/greeting/id", Kind::AudioFile),
        menu,
        timeout: v
            .get("timeout")
            .map_or(Destination::Drop, |t| destination_from_wire(t, ids)),
    }
}
