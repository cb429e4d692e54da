//! The account ↔ the API's JSON, field by field as docs/api.md maps them.
//!
//! Decoding reads every field vocm manages and ignores the rest; encoding
//! writes those fields into the resource *as fetched*, so that a `PUT`
//! (which replaces the whole resource) keeps what others set.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use vocm_api::Collection;
use vocm_core::account::{
    AccountSettings, Audio, AudioFormat, AutoAttendant, CallRecording, CallerId, Directory,
    Forwarding, Kind, OutboundCalling, Resource, ResourceId, RingGroup, Site, User, Voicemail,
};
use vocm_core::model::user::{
    Crm, CrmProvider, DirectoryScope, Participant, RecordingMode, VoicemailNotification,
};
use vocm_core::model::{
    Address, Country, Destination, Device, ExtensionRange, Locale, MenuDestination, NumberUsage,
    OutboundScope, PhoneNumber, RingStrategy,
};

/// What the provider knows of identities: API ids by resource, resources
/// by id, and extension numbers (destinations name extensions on the
/// wire).
#[derive(Debug, Default, Clone)]
pub struct Ids {
    id: HashMap<ResourceId, String>,
    key: HashMap<(Kind, String), String>,
    extension: HashMap<ResourceId, String>,
    by_extension: HashMap<String, ResourceId>,
}

impl Ids {
    /// Records a resource's API id.
    pub fn set_id(&mut self, id: &ResourceId, api_id: &str) {
        self.key
            .insert((id.kind, api_id.to_owned()), id.key.clone());
        self.id.insert(id.clone(), api_id.to_owned());
    }

    /// Forgets a deleted resource.
    pub fn remove(&mut self, id: &ResourceId) {
        if let Some(api_id) = self.id.remove(id) {
            self.key.remove(&(id.kind, api_id));
        }
        if let Some(ext) = self.extension.remove(id) {
            self.by_extension.remove(&ext);
        }
    }

    /// Records a resource's extension number.
    pub fn set_extension(&mut self, id: &ResourceId, extension: &str) {
        if let Some(old) = self.extension.insert(id.clone(), extension.to_owned())
            && self.by_extension.get(&old) == Some(id)
        {
            self.by_extension.remove(&old);
        }
        self.by_extension.insert(extension.to_owned(), id.clone());
    }

    #[must_use]
    pub fn id(&self, id: &ResourceId) -> Option<&str> {
        self.id.get(id).map(String::as_str)
    }

    fn key_of(&self, kind: Kind, api_id: &str) -> Option<String> {
        self.key.get(&(kind, api_id.to_owned())).cloned()
    }

    /// The key of the resource of `kind` whose id is at `pointer` in `v`.
    fn key_at(&self, v: &Value, pointer: &str, kind: Kind) -> Option<String> {
        s(v, pointer).and_then(|i| self.key_of(kind, &i))
    }
}

/// The resource's key: `vocmKey` when set, else a key made from its id (a
/// resource created outside vocm).
fn key_of(v: &Value, collection: Collection) -> String {
    if let Some(k) = v.get("vocmKey").and_then(Value::as_str) {
        return k.to_owned();
    }
    let id = v
        .pointer(collection.id_pointer())
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    let clean: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("id-{clean}")
}

fn s(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn b(v: &Value, pointer: &str) -> Option<bool> {
    v.pointer(pointer).and_then(Value::as_bool)
}

fn n(v: &Value, pointer: &str) -> Option<u64> {
    v.pointer(pointer)
        .and_then(|x| x.as_u64().or_else(|| x.as_str()?.parse().ok()))
}

/// A manifest enum from its `SCREAMING_SNAKE_CASE` wire name.
fn from_wire<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(Value::String(s.to_ascii_lowercase())).ok()
}

/// A manifest enum's `SCREAMING_SNAKE_CASE` wire name.
fn to_wire<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_ascii_uppercase))
        .unwrap_or_default()
}

fn scope_to_wire(s: OutboundScope) -> &'static str {
    match s {
        OutboundScope::Domestic => "DOMESTIC",
        OutboundScope::EmergencyOnly => "EMERGENCYONLY",
        OutboundScope::International => "INTERNATIONAL",
    }
}

fn scope_from_wire(s: &str) -> Option<OutboundScope> {
    match s {
        "DOMESTIC" => Some(OutboundScope::Domestic),
        "EMERGENCYONLY" => Some(OutboundScope::EmergencyOnly),
        "INTERNATIONAL" => Some(OutboundScope::International),
        _ => None,
    }
}

/// Countries of the North American Numbering Plan: the reference's dial
/// plans name them all `NANP`.
const NANP: [&str; 25] = [
    "AG", "AI", "AS", "BB", "BM", "BS", "CA", "DM", "DO", "GD", "GU", "JM", "KN", "KY", "LC", "MP",
    "MS", "PR", "SX", "TC", "TT", "US", "VC", "VG", "VI",
];

/// An ISO country → the reference's dial-plan calling country.
#[must_use]
pub fn dial_plan_country(c: Country) -> String {
    if NANP.contains(&c.as_str()) {
        "NANP".to_owned()
    } else {
        c.as_str().to_owned()
    }
}

/// A dial-plan calling country → an ISO country (`NANP` reads as US: the
/// plan does not say which member).
fn country_from_dial_plan(s: &str) -> Option<Country> {
    if s == "NANP" {
        "US".parse().ok()
    } else {
        s.parse().ok()
    }
}

/// A destination on the wire.
fn destination_to_wire(d: &Destination, ids: &Ids) -> Value {
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
fn destination_from_wire(v: &Value, ids: &Ids) -> Destination {
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
fn forwarding_to_wire(f: &Forwarding, ids: &Ids) -> Value {
    let rule = |condition: &str, d: &Destination| json!({"condition": condition, "enabled": true, "destinations": [destination_to_wire(d, ids)]});
    let mut rules = Vec::new();
    match &f.always {
        Some(d) => rules.push(rule("UNCONDITIONALLY", d)),
        None => rules
            .push(json!({"condition": "UNCONDITIONALLY", "enabled": false, "destinations": []})),
    }
    rules.push(rule("BUSY", &f.busy));
    let mut no_answer = rule("NO_ANSWER", &f.no_answer);
    no_answer["vocmDelaySeconds"] = json!(f.no_answer_seconds);
    rules.push(no_answer);
    rules.push(rule("OUTAGE", &f.unreachable));
    Value::Array(rules)
}

fn forwarding_from_wire(v: Option<&Value>, ids: &Ids) -> Forwarding {
    let mut f = Forwarding {
        always: None,
        busy: Destination::Voicemail,
        no_answer: Destination::Voicemail,
        no_answer_seconds: vocm_core::model::forwarding::DEFAULT_NO_ANSWER_SECONDS,
        unreachable: Destination::Voicemail,
    };
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
                if let Some(s) = n(rule, "/vocmDelaySeconds").and_then(|s| u8::try_from(s).ok()) {
                    f.no_answer_seconds = s;
                }
            }
            Some("OUTAGE") => f.unreachable = d,
            _ => {}
        }
    }
    f
}

/// Sets `value` at a JSON pointer, creating objects (and the first element
/// of arrays) on the way.
pub fn set(root: &mut Value, pointer: &str, value: Value) {
    let mut cur = root;
    let parts: Vec<&str> = pointer.split('/').skip(1).collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if let Ok(index) = part.parse::<usize>() {
            if !cur.is_array() {
                *cur = Value::Array(Vec::new());
            }
            let Some(items) = cur.as_array_mut() else {
                return;
            };
            while items.len() <= index {
                items.push(Value::Object(Map::new()));
            }
            if last {
                items[index] = value;
                return;
            }
            cur = &mut items[index];
        } else {
            if !cur.is_object() {
                *cur = Value::Object(Map::new());
            }
            let Some(map) = cur.as_object_mut() else {
                return;
            };
            if last {
                map.insert((*part).to_owned(), value);
                return;
            }
            cur = map
                .entry((*part).to_owned())
                .or_insert(Value::Object(Map::new()));
        }
    }
}

fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
}

fn id_ref(ids: &Ids, kind: Kind, key: &str) -> Value {
    json!({"id": ids.id(&ResourceId::new(kind, key)).unwrap_or_default()})
}

/// Splits `10 rue de Rivoli` into a street number and a name.
fn split_street(street: &str) -> (Option<&str>, &str) {
    match street.split_once(' ') {
        Some((number, name))
            if number.starts_with(|c: char| c.is_ascii_digit())
                && number.chars().all(|c| c.is_ascii_alphanumeric())
                && !name.is_empty() =>
        {
            (Some(number), name)
        }
        _ => (None, street),
    }
}

/// Writes a resource into its JSON (the fetched one for an update, an
/// empty object for a create).
#[must_use]
pub fn encode(id: &ResourceId, resource: &Resource, ids: &Ids, base: Option<&Value>) -> Value {
    let mut v = base.cloned().unwrap_or_else(|| Value::Object(Map::new()));
    let key = id.key.as_str();
    let mut put = |pointer: &str, value: Value| set(&mut v, pointer, value);
    match resource {
        Resource::Account(a) => {
            put("/id", json!("account"));
            put("/pbxName", json!(a.pbx));
            put("/country", opt(a.country.map(|c| c.as_str().to_owned())));
            put("/extensionLength", json!(a.extension_length));
            put(
                "/dialPlanRuleset",
                opt(a.outbound_calling.map(scope_to_wire)),
            );
        }
        Resource::Address(a) => {
            let (number, name) = split_street(&a.street);
            put("/vocmKey", json!(key));
            put("/streetNumber", opt(number));
            put("/streetName", json!(name));
            put("/secondaryLocation", opt(a.secondary_location.clone()));
            put("/city", json!(a.city));
            put("/state", opt(a.state.clone()));
            put("/postal", json!(a.postal_code));
            put("/country", json!(a.country.as_str()));
        }
        Resource::Site(s) => {
            put("/vocmKey", json!(key));
            put("/name", json!(s.name));
            put("/pbxName", json!(s.pbx));
            put("/address", id_ref(ids, Kind::Address, &s.address));
            put(
                "/locale",
                serde_json::to_value(s.locale).unwrap_or_default(),
            );
            put("/timezone", json!(s.timezone));
            put(
                "/callerIdSettings/mainNumber",
                opt(s.main_number.as_ref().map(PhoneNumber::to_string)),
            );
            put(
                "/defaultDialPlanRuleset",
                opt(s.outbound_calling.map(scope_to_wire)),
            );
            put(
                "/vocmExtensionRange",
                opt(s.extension_range.as_ref().map(ToString::to_string)),
            );
        }
        Resource::PhoneNumber(usage) => {
            put("/phoneNumber", json!(key));
            put("/vocmUsage", json!(to_wire(usage)));
        }
        Resource::Device(d) => {
            put("/vocmKey", json!(key));
            put("/model", json!(d.model));
            put("/macAddress", json!(d.mac.as_str().replace(':', "")));
        }
        Resource::AudioFile(a) => {
            put("/vocmKey", json!(key));
            put("/name", json!(key));
            put("/format", json!(to_wire(&a.format)));
            put("/size", json!(a.size));
            put("/sha256", json!(a.sha256));
        }
        Resource::User(u) => encode_user(&mut v, key, u, ids),
        Resource::RingGroup(g) => {
            put("/vocmKey", json!(key));
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
                set(
                    &mut v,
                    "/inboundCallerIdFormat",
                    json!("RGNAME_CALLERNUMBER"),
                );
            }
        }
        Resource::AutoAttendant(a) => {
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
    }
    v
}

fn encode_user(v: &mut Value, key: &str, u: &User, ids: &Ids) {
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
    put(&at("primaryPhoneNumber"), json!(u.phone_number.as_str()));
    put(
        &at("phoneNumbers"),
        json!([{"phoneNumber": u.phone_number.as_str(), "primary": true}]),
    );
    put(
        &at("devices"),
        json!([{"id": ids.id(&ResourceId::new(Kind::Device, &u.device)).unwrap_or_default()}]),
    );
    put(
        &at("externalCallerIdNumber"),
        json!(u.caller_id.number.as_str()),
    );
    put(&at("externalCallerIdName"), opt(u.caller_id.name.clone()));
    put(&at("blockOutboundCallerId"), json!(u.caller_id.block));
    put(
        &at("musicOnHold"),
        u.music_on_hold
            .as_ref()
            .map_or(Value::Null, |a| id_ref(ids, Kind::AudioFile, a)),
    );
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
        put(
            &at("dialPlanCallingCountry"),
            opt(o.country.map(dial_plan_country)),
        );
        // The dial plan says NANP for twenty-odd countries: the ISO
        // code travels beside it, so that CA reads back as CA.
        put(
            &at("vocmCallingCountry"),
            opt(o.country.map(|c| c.as_str().to_owned())),
        );
        put(&at("dialPlanRuleset"), json!(scope_to_wire(o.scope)));
    } else {
        put(&at("dialPlanCallingCountry"), Value::Null);
        put(&at("vocmCallingCountry"), Value::Null);
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
        put(&at("emergencyAddress"), Value::Null);
    } else {
        put(&at("emergencyAddressInheritFromSite"), json!(false));
        put(
            &at("emergencyAddress"),
            id_ref(ids, Kind::Address, &u.emergency_address),
        );
    }
    put(&at("allowInAutoAttendant"), json!(u.directory.dial_by_name));
    put(
        &at("vocmForwardingRules"),
        forwarding_to_wire(&u.forwarding, ids),
    );
    put(
        &at("vocmInternetFax"),
        opt(u.internet_fax.as_ref().map(PhoneNumber::to_string)),
    );
    put(
        &at("vocmCrm"),
        u.crm.as_ref().map_or(
            Value::Null,
            |c| json!({"provider": to_wire(&c.provider), "username": c.username}),
        ),
    );
}

/// The account's resources as fetched, by collection.
pub type Fetched = BTreeMap<&'static str, Vec<Value>>;

/// Decodes every fetched collection into an account; fills `ids`.
#[must_use]
#[allow(clippy::implicit_hasher)] // the provider's own maps use one hasher
pub fn decode(
    fetched: &HashMap<Collection, Vec<Value>>,
    ids: &mut Ids,
) -> vocm_core::account::Account {
    let empty = Vec::new();
    let list = |c: Collection| fetched.get(&c).unwrap_or(&empty);
    let mut a = vocm_core::account::Account::default();
    let register = |ids: &mut Ids, kind: Kind, c: Collection, v: &Value| -> String {
        let key = key_of(v, c);
        if let Some(api_id) = v.pointer(c.id_pointer()).and_then(Value::as_str) {
            ids.set_id(&ResourceId::new(kind, &key), api_id);
        }
        key
    };
    if let Some(v) = list(Collection::Account).first() {
        a.settings = Some(AccountSettings {
            pbx: s(v, "/pbxName").unwrap_or_default(),
            country: s(v, "/country").and_then(|c| c.parse().ok()),
            extension_length: n(v, "/extensionLength")
                .and_then(|x| u8::try_from(x).ok())
                .unwrap_or(4),
            outbound_calling: s(v, "/dialPlanRuleset").and_then(|x| scope_from_wire(&x)),
        });
    }
    for v in list(Collection::Addresses) {
        let key = register(ids, Kind::Address, Collection::Addresses, v);
        let name = s(v, "/streetName").unwrap_or_default();
        let street = match s(v, "/streetNumber") {
            Some(number) => format!("{number} {name}"),
            None => name,
        };
        let Some(country) = s(v, "/country").and_then(|c| c.parse::<Country>().ok()) else {
            continue;
        };
        a.addresses.insert(
            key,
            Address {
                street,
                secondary_location: s(v, "/secondaryLocation"),
                city: s(v, "/city").unwrap_or_default(),
                state: s(v, "/state"),
                postal_code: s(v, "/postal").unwrap_or_default(),
                country,
            },
        );
    }
    for v in list(Collection::Sites) {
        let key = register(ids, Kind::Site, Collection::Sites, v);
        let address = ids
            .key_at(v, "/address/id", Kind::Address)
            .unwrap_or_default();
        let Some(locale) = v
            .get("locale")
            .cloned()
            .and_then(|l| serde_json::from_value::<Locale>(l).ok())
        else {
            continue;
        };
        a.sites.insert(
            key,
            Site {
                name: s(v, "/name").unwrap_or_default(),
                pbx: s(v, "/pbxName").unwrap_or_default(),
                address,
                locale,
                timezone: s(v, "/timezone").unwrap_or_default(),
                extension_range: s(v, "/vocmExtensionRange")
                    .and_then(|r| r.parse::<ExtensionRange>().ok()),
                main_number: s(v, "/callerIdSettings/mainNumber").and_then(|n| n.parse().ok()),
                outbound_calling: s(v, "/defaultDialPlanRuleset").and_then(|x| scope_from_wire(&x)),
            },
        );
    }
    for v in list(Collection::PhoneNumbers) {
        let Some(number) = s(v, "/phoneNumber").and_then(|n| n.parse::<PhoneNumber>().ok()) else {
            continue;
        };
        let usage = s(v, "/vocmUsage")
            .and_then(|u| from_wire::<NumberUsage>(&u))
            .unwrap_or_default();
        a.phone_numbers.insert(number, usage);
    }
    for v in list(Collection::Devices) {
        let key = register(ids, Kind::Device, Collection::Devices, v);
        let Some(mac) = s(v, "/macAddress").and_then(|m| m.parse().ok()) else {
            continue;
        };
        a.devices.insert(
            key,
            Device {
                model: s(v, "/model").unwrap_or_default(),
                mac,
            },
        );
    }
    for v in list(Collection::AudioFiles) {
        let key = register(ids, Kind::AudioFile, Collection::AudioFiles, v);
        a.audio_files.insert(
            key,
            Audio {
                sha256: s(v, "/sha256").unwrap_or_default(),
                size: n(v, "/size").unwrap_or(0),
                format: s(v, "/format")
                    .and_then(|f| from_wire::<AudioFormat>(&f))
                    .unwrap_or(AudioFormat::Wav),
            },
        );
    }
    // Extensions first: destinations and members name them.
    for (c, kind, pointer) in [
        (
            Collection::Users,
            Kind::User,
            "/serviceInfo/extensions/0/extensionNumber",
        ),
        (Collection::RingGroups, Kind::RingGroup, "/extensionNumber"),
        (
            Collection::AutoAttendants,
            Kind::AutoAttendant,
            "/extensionNumber",
        ),
    ] {
        for v in list(c) {
            let key = if kind == Kind::User {
                s(v, "/basicInfo/userName").unwrap_or_else(|| key_of(v, c))
            } else {
                key_of(v, c)
            };
            let id = ResourceId::new(kind, &key);
            if let Some(api_id) = v.pointer(c.id_pointer()).and_then(Value::as_str) {
                ids.set_id(&id, api_id);
            }
            if let Some(ext) = s(v, pointer) {
                ids.set_extension(&id, &ext);
            }
        }
    }
    for v in list(Collection::Users) {
        if let Some((key, u)) = decode_user(v, ids) {
            a.users.insert(key, u);
        }
    }
    for v in list(Collection::RingGroups) {
        let key = key_of(v, Collection::RingGroups);
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
        a.ring_groups.insert(
            key,
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
                forwarding: forwarding_from_wire(v.get("forwardingRules"), ids),
            },
        );
    }
    for v in list(Collection::AutoAttendants) {
        let key = key_of(v, Collection::AutoAttendants);
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
        a.auto_attendants.insert(
            key,
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
            },
        );
    }
    a
}

fn decode_user(v: &Value, ids: &Ids) -> Option<(String, User)> {
    let key = s(v, "/basicInfo/userName")?;
    let e = v
        .pointer("/serviceInfo/extensions/0")
        .cloned()
        .unwrap_or(Value::Null);
    let phone_number: PhoneNumber = s(&e, "/primaryPhoneNumber")?.parse().ok()?;
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
            country: s(&e, "/vocmCallingCountry")
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
        device: ids
            .key_at(&e, "/devices/0/id", Kind::Device)
            .unwrap_or_default(),
        caller_id: CallerId {
            number: s(&e, "/externalCallerIdNumber")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| phone_number.clone()),
            name: s(&e, "/externalCallerIdName"),
            block: b(&e, "/blockOutboundCallerId").unwrap_or(false),
        },
        phone_number,
        forwarding: forwarding_from_wire(e.get("vocmForwardingRules"), ids),
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
        internet_fax: s(&e, "/vocmInternetFax").and_then(|n| n.parse().ok()),
        crm: e.get("vocmCrm").filter(|c| c.is_object()).and_then(|c| {
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

/// Where a resource's kind lives in the API.
#[must_use]
pub fn collection(kind: Kind) -> Collection {
    match kind {
        Kind::Account => Collection::Account,
        Kind::Address => Collection::Addresses,
        Kind::Site => Collection::Sites,
        Kind::PhoneNumber => Collection::PhoneNumbers,
        Kind::Device => Collection::Devices,
        Kind::AudioFile => Collection::AudioFiles,
        Kind::User => Collection::Users,
        Kind::RingGroup => Collection::RingGroups,
        Kind::AutoAttendant => Collection::AutoAttendants,
    }
}

/// The license inventory: `None` when the account does not limit.
#[must_use]
pub fn licenses(list: &[Value]) -> Option<BTreeMap<String, u32>> {
    let map: BTreeMap<String, u32> = list
        .iter()
        .filter_map(|v| Some((s(v, "/name")?, u32::try_from(n(v, "/total")?).ok()?)))
        .collect();
    (!map.is_empty()).then_some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streets_split_and_join_back() {
        assert_eq!(
            split_street("10 rue de Rivoli"),
            (Some("10"), "rue de Rivoli")
        );
        assert_eq!(split_street("25bis quai X"), (Some("25bis"), "quai X"));
        assert_eq!(split_street("Rue sans numero"), (None, "Rue sans numero"));
        assert_eq!(split_street("12"), (None, "12"));
    }

    #[test]
    fn countries_map_to_dial_plans() {
        assert_eq!(dial_plan_country("US".parse().unwrap()), "NANP");
        assert_eq!(dial_plan_country("CA".parse().unwrap()), "NANP");
        assert_eq!(dial_plan_country("FR".parse().unwrap()), "FR");
    }

    #[test]
    fn set_creates_the_path() {
        let mut v = json!({"keep": 1});
        set(
            &mut v,
            "/serviceInfo/extensions/0/extensionNumber",
            json!("1001"),
        );
        assert_eq!(
            v,
            json!({"keep": 1, "serviceInfo": {"extensions": [{"extensionNumber": "1001"}]}})
        );
    }
}
