//! Phone numbers: `/phone-numbers`.

use serde_json::{Value, json};

use vocm_core::model::{NumberUsage, PhoneNumber};

use super::{from_wire, s, set};

/// A claim of the number (`POST /vocm/phone-numbers`, an extension): its
/// usage travels in the extras.
pub(super) fn encode(v: &mut Value, key: &str) {
    set(v, "/phoneNumber", json!(key));
}

/// A number and its usage; `None` when the number is not E.164.
pub(super) fn decode(v: &Value) -> Option<(PhoneNumber, NumberUsage)> {
    let number = s(v, "/phoneNumber").and_then(|n| n.parse::<PhoneNumber>().ok())?;
    let usage = s(v, "/vocmExtras/usage")
        .and_then(|u| from_wire::<NumberUsage>(&u))
        .unwrap_or_default();
    Some((number, usage))
}
