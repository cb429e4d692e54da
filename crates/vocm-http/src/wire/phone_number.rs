//! Phone numbers: `/phone-numbers`.

use serde_json::{Value, json};

use vocm_core::model::{NumberUsage, PhoneNumber};

use super::{from_wire, s, set, to_wire};

pub(super) fn encode(v: &mut Value, key: &str, usage: NumberUsage) {
    let mut put = |pointer: &str, value: Value| set(v, pointer, value);
    put("/phoneNumber", json!(key));
    put("/vocmUsage", json!(to_wire(&usage)));
}

/// A number and its usage; `None` when the number is not E.164.
pub(super) fn decode(v: &Value) -> Option<(PhoneNumber, NumberUsage)> {
    let number = s(v, "/phoneNumber").and_then(|n| n.parse::<PhoneNumber>().ok())?;
    let usage = s(v, "/vocmUsage")
        .and_then(|u| from_wire::<NumberUsage>(&u))
        .unwrap_or_default();
    Some((number, usage))
}
