//! Devices: `/vocm/devices` (extension).

use serde_json::{Value, json};

use vocm_core::model::Device;

use super::{s, set};

pub(super) fn encode(v: &mut Value, key: &str, d: &Device) {
    let mut put = |pointer: &str, value: Value| set(v, pointer, value);
    put("/vocmKey", json!(key));
    put("/model", json!(d.model));
    put("/macAddress", json!(d.mac.as_str().replace(':', "")));
}

/// A device; `None` without a valid MAC address.
pub(super) fn decode(v: &Value) -> Option<Device> {
    let mac = s(v, "/macAddress").and_then(|m| m.parse().ok())?;
    Some(Device {
        model: s(v, "/model").unwrap_or_default(),
        mac,
    })
}
