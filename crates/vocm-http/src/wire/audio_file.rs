//! Audio files: `/vocm/audio-files` (extension). The content travels
//! beside the encoded resource (see the provider's create).

use serde_json::{Value, json};

use vocm_core::account::{Audio, AudioFormat};

use super::{from_wire, n, s, set, to_wire};

pub(super) fn encode(v: &mut Value, key: &str, a: &Audio) {
    let mut put = |pointer: &str, value: Value| set(v, pointer, value);
    put("/vocmKey", json!(key));
    put("/name", json!(key));
    put("/format", json!(to_wire(&a.format)));
    put("/size", json!(a.size));
    put("/sha256", json!(a.sha256));
}

pub(super) fn decode(v: &Value) -> Audio {
    Audio {
        sha256: s(v, "/sha256").unwrap_or_default(),
        size: n(v, "/size").unwrap_or(0),
        format: s(v, "/format")
            .and_then(|f| from_wire::<AudioFormat>(&f))
            .unwrap_or(AudioFormat::Wav),
    }
}
