//! Users: `/users`. vocm manages one extension per user
//! (`serviceInfo.extensions[0]`); every other field is kept as fetched.

use serde_json::{Value, json};

use vocm_core::account::{
    CallRecording, CallerId, Directory, Kind, OutboundCalling, ResourceId, User, Voicemail,
};
use vocm_core::model::PhoneNumber;
use vocm_core::model::user::{
    Crm, CrmProvider, DirectoryScope, Participant, RecordingMode, VoicemailNotification,
};

use super::destination::forwarding_from_wire;
use super::{
    Ids, b, country_from_dial_plan, dial_plan_country, from_wire, id_ref, opt, s, scope_from_wire,
    scope_to_wire, set, to_wire,
};

/// The user's reference fields; forwarding, internet fax and CRM travel in
/// its extras.
pub(super) fn encode(v: &mut Value, key: &str, u: &User, ids: &Ids) {
    let mut put = |pointer: &str, value: Value| set(v, pointer, value);
    put("/basicInfo/userName", json!(key));
    put("/basicInfo/firstName", json!(u.first_name));
    put("/basicInfo/lastName", json!(u.last_name));
    put("/basicInfo/primaryEmail", json!(u.email));
    put(
        "/basicInfo/site/id",
        json!(
            ids.id(&ResourceId::new(Kind::Site, &u.site))
                .unwrap_or_default()
        ),
    );
    if v.pointer("/basicInfo/status").is_none() {
        set(v, "/basicInfo/status", json!("ACTIVE"));
    }
    let mut put = |pointer: &str, value: Value| set(v, pointer, value);
    put(
        "/directoryInfo/displayInDirectory",
        json!(u.directory.listed),
    );
    put(
        "/directoryInfo/directoryScope",
        json!(to_wire(&u.directory.scope)),
    );
    put("/serviceInfo/licenses/0/name", json!(u.license));
    let e = "/serviceInfo/extensions/0";
    let at = |field: &str| format!("{e}/{field}");
    put(&at("extensionNumber"), json!(u.extension));
    // The reference marks all three nullable: a user may have no direct
    // number and no device (a softphone user reached by extension).
    put(
        &at("primaryPhoneNumber"),
        opt(u.primary_number().map(PhoneNumber::to_string)),
    );
    let numbers: Vec<Value> = u
        .phone_numbers
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"phoneNumber": n.as_str(), "primary": i == 0}))
        .collect();
    put(&at("phoneNumbers"), Value::Array(numbers));
    let devices: Vec<Value> = u
        .devices
        .iter()
        .map(|d| json!({"id": ids.id(&ResourceId::new(Kind::Device, d)).unwrap_or_default()}))
        .collect();
    put(&at("devices"), Value::Array(devices));
    put(
        &at("externalCallerIdNumber"),
        opt(u.caller_id.number.as_ref().map(PhoneNumber::to_string)),
    );
    put(&at("externalCallerIdName"), opt(u.caller_id.name.clone()));
    put(&at("blockOutboundCallerId"), json!(u.caller_id.block));
    // Not nullable in the reference: left out when there is none.
    let hold = u
        .music_on_hold
        .as_ref()
        .map(|a| id_ref(ids, Kind::AudioFile, a));
    put(&at("recordingMode"), json!(to_wire(&u.call_recording.mode)));
    put(
        &at("recordingPlayAnnouncementToUser"),
        json!(u.call_recording.announce_to.contains(&Participant::User)),
    );
    put(
        &at("recordingPlayAnnouncementToOtherParty"),
        json!(
            u.call_recording
                .announce_to
                .contains(&Participant::OtherParty)
        ),
    );
    if let Some(o) = &u.outbound_calling {
        // The guide's table; a country it does not list takes the site's
        // default (null).
        put(
            &at("dialPlanCallingCountry"),
            opt(o.country.and_then(dial_plan_country)),
        );
        put(&at("dialPlanRuleset"), json!(scope_to_wire(o.scope)));
    } else {
        put(&at("dialPlanCallingCountry"), Value::Null);
        put(&at("dialPlanRuleset"), Value::Null);
    }
    put(
        &at("voicemailNotification"),
        json!(match u.voicemail.notification {
            VoicemailNotification::Disabled => "DISABLE",
            VoicemailNotification::AttachmentOnly => "ATTACH_ONLY",
        }),
    );
    put(&at("voicemailEmail"), json!(u.voicemail.email));
    if u.emergency_address == vocm_core::model::user::SITE_ADDRESS {
        put(&at("emergencyAddressInheritFromSite"), json!(true));
    } else {
        put(&at("emergencyAddressInheritFromSite"), json!(false));
        put(
            &at("emergencyAddress"),
            id_ref(ids, Kind::Address, &u.emergency_address),
        );
    }
    put(&at("allowInAutoAttendant"), json!(u.directory.dial_by_name));
    if let Some(ext) = v
        .pointer_mut("/serviceInfo/extensions/0")
        .and_then(Value::as_object_mut)
    {
        // Neither is nullable in the reference: left out when unset.
        if u.emergency_address == vocm_core::model::user::SITE_ADDRESS {
            ext.remove("emergencyAddress");
        }
        match hold {
            Some(h) => {
                ext.insert("musicOnHold".into(), h);
            }
            None => {
                ext.remove("musicOnHold");
            }
        }
    }
}

/// A user and its key; `None` without a user name. A user without numbers
/// or devices is one (reached by extension, on a softphone).
pub(super) fn decode(v: &Value, ids: &Ids) -> Option<(String, User)> {
    let key = s(v, "/basicInfo/userName")?;
    let e = v
        .pointer("/serviceInfo/extensions/0")
        .cloned()
        .unwrap_or(Value::Null);
    let phone_numbers = decode_numbers(&e);
    let devices = e
        .get("devices")
        .and_then(Value::as_array)
        .map(|items| {
            (0..items.len())
                .filter_map(|i| ids.key_at(&e, &format!("/devices/{i}/id"), Kind::Device))
                .collect()
        })
        .unwrap_or_default();
    let mut announce_to = Vec::new();
    if b(&e, "/recordingPlayAnnouncementToUser") == Some(true) {
        announce_to.push(Participant::User);
    }
    if b(&e, "/recordingPlayAnnouncementToOtherParty") == Some(true) {
        announce_to.push(Participant::OtherParty);
    }
    let outbound_calling = s(&e, "/dialPlanRuleset")
        .and_then(|r| scope_from_wire(&r))
        .map(|scope| OutboundCalling {
            country: s(v, "/vocmExtras/callingCountry")
                .and_then(|c| c.parse().ok())
                .or_else(|| {
                    s(&e, "/dialPlanCallingCountry").and_then(|c| country_from_dial_plan(&c))
                }),
            scope,
        });
    let emergency_address = if b(&e, "/emergencyAddressInheritFromSite") == Some(false) {
        ids.key_at(&e, "/emergencyAddress/id", Kind::Address)
            .unwrap_or_else(|| vocm_core::model::user::SITE_ADDRESS.to_owned())
    } else {
        vocm_core::model::user::SITE_ADDRESS.to_owned()
    };
    let user = User {
        first_name: s(v, "/basicInfo/firstName").unwrap_or_default(),
        last_name: s(v, "/basicInfo/lastName").unwrap_or_default(),
        email: s(v, "/basicInfo/primaryEmail").unwrap_or_default(),
        site: ids
            .key_at(v, "/basicInfo/site/id", Kind::Site)
            .unwrap_or_default(),
        license: s(v, "/serviceInfo/licenses/0/name").unwrap_or_default(),
        extension: s(&e, "/extensionNumber").unwrap_or_default(),
        devices,
        caller_id: CallerId {
            number: s(&e, "/externalCallerIdNumber")
                .and_then(|n| n.parse().ok())
                .or_else(|| phone_numbers.first().cloned()),
            name: s(&e, "/externalCallerIdName"),
            block: b(&e, "/blockOutboundCallerId").unwrap_or(false),
        },
        phone_numbers,
        forwarding: forwarding_from_wire(
            v.pointer("/vocmExtras/forwardingRules"),
            super::n(v, "/vocmExtras/noAnswerDelaySeconds"),
            ids,
        ),
        music_on_hold: ids.key_at(&e, "/musicOnHold/id", Kind::AudioFile),
        call_recording: CallRecording {
            mode: s(&e, "/recordingMode")
                .and_then(|m| from_wire::<RecordingMode>(&m))
                .unwrap_or_default(),
            announce_to,
        },
        outbound_calling,
        voicemail: Voicemail {
            notification: match s(&e, "/voicemailNotification").as_deref() {
                Some("ATTACH_ONLY") => VoicemailNotification::AttachmentOnly,
                _ => VoicemailNotification::Disabled,
            },
            email: s(&e, "/voicemailEmail")
                .unwrap_or_else(|| s(v, "/basicInfo/primaryEmail").unwrap_or_default()),
        },
        emergency_address,
        internet_fax: s(v, "/vocmExtras/internetFax").and_then(|n| n.parse().ok()),
        crm: v
            .pointer("/vocmExtras/crm")
            .filter(|c| c.is_object())
            .and_then(|c| {
                Some(Crm {
                    provider: from_wire::<CrmProvider>(&s(c, "/provider")?)?,
                    username: s(c, "/username")?,
                })
            }),
        directory: Directory {
            dial_by_name: b(&e, "/allowInAutoAttendant").unwrap_or(true),
            listed: b(v, "/directoryInfo/displayInDirectory").unwrap_or(true),
            scope: s(v, "/directoryInfo/directoryScope")
                .and_then(|x| from_wire::<DirectoryScope>(&x))
                .unwrap_or_default(),
        },
    };
    Some((key, user))
}

/// The extension's numbers, the primary first: `primaryPhoneNumber`, then
/// the others of `phoneNumbers` in their order.
fn decode_numbers(e: &Value) -> Vec<PhoneNumber> {
    let mut out: Vec<PhoneNumber> = Vec::new();
    let listed = e
        .get("phoneNumbers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let primary = s(e, "/primaryPhoneNumber").or_else(|| {
        listed
            .clone()
            .find(|p| b(p, "/primary") == Some(true))
            .and_then(|p| s(p, "/phoneNumber"))
    });
    for n in primary
        .into_iter()
        .chain(listed.filter_map(|p| s(p, "/phoneNumber")))
    {
        if let Ok(n) = n.parse::<PhoneNumber>()
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
    out
}
