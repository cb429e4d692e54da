//! Sites: `/sites`.

use serde_json::{Value, json};

use vocm_core::account::{Kind, Site};
use vocm_core::model::{Locale, PhoneNumber};

use super::{Ids, id_ref, opt, s, scope_from_wire, scope_to_wire, set};

/// The site's reference fields; its extension range is the manifests'
/// own (validation uses it), never sent.
pub(super) fn encode(v: &mut Value, site: &Site, ids: &Ids) {
    let mut put = |pointer: &str, value: Value| set(v, pointer, value);
    put("/name", json!(site.name));
    put("/pbxName", json!(site.pbx));
    put("/address", id_ref(ids, Kind::Address, &site.address));
    put(
        "/locale",
        serde_json::to_value(site.locale).unwrap_or_default(),
    );
    put("/timezone", json!(site.timezone));
    put(
        "/callerIdSettings/mainNumber",
        opt(site.main_number.as_ref().map(PhoneNumber::to_string)),
    );
    put(
        "/defaultDialPlanRuleset",
        opt(site.outbound_calling.map(scope_to_wire)),
    );
}

/// A site; `None` without a locale.
pub(super) fn decode(v: &Value, ids: &Ids) -> Option<Site> {
    let address = ids
        .key_at(v, "/address/id", Kind::Address)
        .unwrap_or_default();
    let locale = v
        .get("locale")
        .cloned()
        .and_then(|l| serde_json::from_value::<Locale>(l).ok())?;
    Some(Site {
        name: s(v, "/name").unwrap_or_default(),
        pbx: s(v, "/pbxName").unwrap_or_default(),
        address,
        locale,
        timezone: s(v, "/timezone").unwrap_or_default(),
        extension_range: None,
        main_number: s(v, "/callerIdSettings/mainNumber").and_then(|n| n.parse().ok()),
        outbound_calling: s(v, "/defaultDialPlanRuleset").and_then(|x| scope_from_wire(&x)),
    })
}
