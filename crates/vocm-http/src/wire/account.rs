//! The account's settings: `/vocm/account` (extension).

use serde_json::{Value, json};

use vocm_core::account::AccountSettings;

use super::{n, opt, s, scope_from_wire, scope_to_wire, set};

pub(super) fn encode(v: &mut Value, a: &AccountSettings) {
    let mut put = |pointer: &str, value: Value| set(v, pointer, value);
    put("/id", json!("account"));
    put("/pbxName", json!(a.pbx));
    put("/country", opt(a.country.map(|c| c.as_str().to_owned())));
    put("/extensionLength", json!(a.extension_length));
    put(
        "/dialPlanRuleset",
        opt(a.outbound_calling.map(scope_to_wire)),
    );
}

pub(super) fn decode(v: &Value) -> AccountSettings {
    AccountSettings {
        pbx: s(v, "/pbxName").unwrap_or_default(),
        country: s(v, "/country").and_then(|c| c.parse().ok()),
        extension_length: n(v, "/extensionLength")
            .and_then(|x| u8::try_from(x).ok())
            .unwrap_or(4),
        outbound_calling: s(v, "/dialPlanRuleset").and_then(|x| scope_from_wire(&x)),
    }
}
