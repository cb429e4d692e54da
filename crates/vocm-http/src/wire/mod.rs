//! The account ↔ the API's JSON, field by field as docs/api.md maps them:
//! one module per kind of resource, and here what they share (identities,
//! keys, enum names, JSON pointers) and the dispatch.
//!
//! Decoding reads every field vocm manages and ignores the rest; encoding
//! writes those fields into the resource *as fetched*, so that a `PUT`
//! (which replaces the whole resource) keeps what others set.

mod account;
mod address;
mod audio_file;
mod auto_attendant;
mod destination;
mod device;
pub mod extras;
mod phone_number;
pub mod ring_group;
mod site;
mod user;

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use vocm_api::Collection;
use vocm_core::account::identity::{Identities, derived_key};
use vocm_core::account::{Kind, Resource, ResourceId};
use vocm_core::model::{Country, OutboundScope, PhoneNumber};

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
    /// The ids and extensions an API would hold for every resource of
    /// `account`, each API id given by `api_id` (tests of the mapping).
    #[must_use]
    pub fn of(
        account: &vocm_core::account::Account,
        api_id: impl Fn(&ResourceId) -> String,
    ) -> Self {
        let mut ids = Ids::default();
        for id in account.ids() {
            ids.set_id(&id, &api_id(&id));
            let ext = match account.get(&id) {
                Some(Resource::User(u)) => Some(u.extension),
                Some(Resource::RingGroup(g)) => Some(g.extension),
                Some(Resource::AutoAttendant(a)) => Some(a.extension),
                _ => None,
            };
            if let Some(ext) = ext {
                ids.set_extension(&id, &ext);
            }
        }
        ids
    }

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

/// The key of a resource of `c` as fetched, where the resource itself
/// says it (decoding names the others: [`decode`]): a user's name, a
/// number in E.164, `account`, an extension resource's `vocmKey` (or a key
/// made from its id). `None` for a site, ring group or address (named by
/// their natural identity), a user without a name, a number that is not
/// one, or a license.
#[must_use]
pub fn key(v: &Value, c: Collection) -> Option<String> {
    match c {
        Collection::Users => s(v, "/basicInfo/userName"),
        Collection::PhoneNumbers => s(v, "/phoneNumber")
            .and_then(|n| n.parse::<PhoneNumber>().ok())
            .map(|n| n.to_string()),
        Collection::Account => Some("account".to_owned()),
        Collection::Devices | Collection::AudioFiles | Collection::AutoAttendants => {
            Some(key_of(v, c))
        }
        _ => None,
    }
}

/// An extension resource's key: `vocmKey` when set, else a key made from
/// its id (a resource created outside vocm), with what a key cannot hold
/// replaced.
fn key_of(v: &Value, collection: Collection) -> String {
    if let Some(k) = v.get("vocmKey").and_then(Value::as_str) {
        return k.to_owned();
    }
    let id = v
        .pointer(collection.id_pointer())
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    id_key(id)
}

/// `id-` and the id, each character other than an ASCII letter, a digit,
/// `.`, `_` or `-` written `-`.
fn id_key(id: &str) -> String {
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

/// An address's natural identity, from its JSON.
#[must_use]
pub fn address_identity(v: &Value) -> Option<String> {
    address::decode(v).map(|a| vocm_core::account::identity::address_identity(&a))
}

/// Names the resources of a kind known by natural identity: the
/// manifests' key where the identities have one for its name (or fields);
/// else, for a resource no name matched, the key its second identity
/// gives (a ring group's extension, a site's address: a renamed group or
/// site is the same one); else a key derived from the identity
/// (`Headquarters` → `headquarters`), made unique with `-2`, `-3`… in the
/// order of identity then id, so that two reads of the same account name
/// it the same way.
fn name_naturally<'a>(
    kind: Kind,
    items: impl Iterator<Item = (String, String, &'a Value)>,
    names: &Identities,
    second: impl Fn(&Value) -> Option<String>,
    derive: impl Fn(&Value) -> String,
) -> Vec<(String, String, &'a Value)> {
    let mut items: Vec<(String, String, &Value)> = items.collect();
    items.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut keys: Vec<Option<String>> = vec![None; items.len()];
    let mut claimed: HashSet<String> = HashSet::default();
    for (i, (natural, _, _)) in items.iter().enumerate() {
        if let Some(k) = names.key(kind, natural)
            && claimed.insert(k.to_owned())
        {
            keys[i] = Some(k.to_owned());
        }
    }
    for (i, (_, _, v)) in items.iter().enumerate() {
        if keys[i].is_none()
            && let Some(k) = second(v).and_then(|s| names.second_key(kind, &s))
            && claimed.insert(k.to_owned())
        {
            keys[i] = Some(k.to_owned());
        }
    }
    let mut used: HashSet<String> = match kind {
        Kind::Site => names.sites.values().cloned().collect(),
        Kind::RingGroup => names.ring_groups.values().cloned().collect(),
        _ => names.addresses.values().cloned().collect(),
    };
    items
        .into_iter()
        .zip(keys)
        .map(|((_, api_id, v), key)| {
            let key = key.unwrap_or_else(|| {
                let base = match derive(v) {
                    d if d.is_empty() => id_key(&api_id),
                    d => d,
                };
                let mut key = base.clone();
                let mut n = 2;
                while !used.insert(key.clone()) {
                    key = format!("{base}-{n}");
                    n += 1;
                }
                key
            });
            (key, api_id, v)
        })
        .collect()
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

/// The user guide's table of dial-plan calling countries ("Dial Plan
/// Country Codes"), by ISO 3166-1 code.
const DIAL_PLANS: [(&str, &str); 63] = [
    ("AE", "ARENP"),
    ("AO", "AGONP"),
    ("AR", "ARGNP"),
    ("AT", "AUSTRIANP"),
    ("AU", "AUSTNP"),
    ("BE", "BLGMNP"),
    ("BG", "BGRNP"),
    ("BH", "BHRNP"),
    ("BR", "BRAZILNP"),
    ("CH", "SWITZNP"),
    ("CL", "CHLNP"),
    ("CN", "CHNNP"),
    ("CO", "CLMBANP"),
    ("CR", "CRINP"),
    ("CZ", "CZENP"),
    ("DE", "GERNP"),
    ("DK", "DNKNP"),
    ("EC", "ECUNP"),
    ("EE", "ESTNP"),
    ("ES", "SPNNP"),
    ("FI", "FINLNDNP"),
    ("FR", "FRANCENP"),
    ("GB", "UKNP"),
    ("GR", "GRCNP"),
    ("HK", "HKNP"),
    ("HR", "HRVNP"),
    ("HU", "HGRYNP"),
    ("ID", "IDNNP"),
    ("IE", "IRELANDNP"),
    ("IL", "ISRAELNP"),
    ("IN", "INDNP"),
    ("IT", "ITALYNP"),
    ("JP", "JAPANNP"),
    ("KE", "KENNP"),
    ("KR", "KORNP"),
    ("KZ", "KZNP"),
    ("LK", "SRILANKNP"),
    ("LT", "LTUNP"),
    ("LU", "LUXNP"),
    ("LV", "LVANP"),
    ("MT", "MLTNP"),
    ("MX", "MXNP"),
    ("MY", "MLYNP"),
    ("NL", "NTHRLNDNP"),
    ("NO", "NORNP"),
    ("NZ", "NZLNP"),
    ("PA", "PANNP"),
    ("PE", "PERNP"),
    ("PH", "PHNP"),
    ("PL", "PLNDNP"),
    ("PT", "PRTNP"),
    ("RO", "RMNNP"),
    ("RU", "RUSNP"),
    ("SE", "SWEDENNP"),
    ("SG", "SINGNP"),
    ("SI", "SVNNP"),
    ("SK", "SVKNP"),
    ("TH", "THANP"),
    ("TR", "TRKYNP"),
    ("TW", "TWNNP"),
    ("UA", "UKRNP"),
    ("VN", "VTNMNP"),
    ("ZA", "STHAFNP"),
];

/// An ISO country → the reference's dial-plan calling country; `None` for
/// a country the table does not list (the site's default then applies).
#[must_use]
pub fn dial_plan_country(c: Country) -> Option<&'static str> {
    if NANP.contains(&c.as_str()) {
        return Some("NANP");
    }
    DIAL_PLANS
        .iter()
        .find(|(iso, _)| *iso == c.as_str())
        .map(|(_, plan)| *plan)
}

/// A dial-plan calling country → an ISO country (`NANP` reads as US: the
/// plan does not say which member; the extras say, where the server
/// keeps them).
fn country_from_dial_plan(s: &str) -> Option<Country> {
    if s == "NANP" {
        return "US".parse().ok();
    }
    DIAL_PLANS
        .iter()
        .find(|(_, plan)| *plan == s)
        .and_then(|(iso, _)| iso.parse().ok())
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

/// Writes a resource into its JSON (the fetched one for an update, an
/// empty object for a create).
#[must_use]
pub fn encode(id: &ResourceId, resource: &Resource, ids: &Ids, base: Option<&Value>) -> Value {
    let mut v = base.cloned().unwrap_or_else(|| Value::Object(Map::new()));
    let key = id.key.as_str();
    match resource {
        Resource::Account(a) => account::encode(&mut v, a),
        Resource::Address(a) => address::encode(&mut v, a),
        Resource::Site(s) => site::encode(&mut v, s, ids),
        Resource::PhoneNumber(_) => phone_number::encode(&mut v, key),
        Resource::Device(d) => device::encode(&mut v, key, d),
        Resource::AudioFile(a) => audio_file::encode(&mut v, key, a),
        Resource::User(u) => user::encode(&mut v, key, u, ids),
        Resource::RingGroup(g) => ring_group::encode(&mut v, g, ids),
        Resource::AutoAttendant(a) => auto_attendant::encode(&mut v, key, a, ids),
    }
    v
}

/// The account's resources as fetched, by collection.
pub type Fetched = BTreeMap<&'static str, Vec<Value>>;

/// Decodes every fetched collection into an account; fills `ids`. Sites,
/// ring groups and addresses are named by `names` (their natural
/// identity); what vocm keeps beside a reference resource (its extras)
/// is read with it.
#[must_use]
#[allow(clippy::implicit_hasher)] // the provider's own maps use one hasher
pub fn decode(
    fetched: &HashMap<Collection, Vec<Value>>,
    ids: &mut Ids,
    names: &Identities,
) -> vocm_core::account::Account {
    let empty = Vec::new();
    let list = |c: Collection| fetched.get(&c).unwrap_or(&empty);
    let extras = extras::index(list(Collection::Extras));
    // A reference resource with its extras, as decoders read it.
    let with_extras = |c: Collection, v: &Value| -> Value {
        let api_id = v.pointer(c.id_pointer()).and_then(Value::as_str);
        match api_id.and_then(|i| extras.get(&(c.resource_type(), i))) {
            Some(x) => {
                let mut v = v.clone();
                if let Some(map) = v.as_object_mut() {
                    map.insert(extras::FIELD.to_owned(), (*x).clone());
                }
                v
            }
            None => v.clone(),
        }
    };
    let api_id = |c: Collection, v: &Value| {
        v.pointer(c.id_pointer())
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut a = vocm_core::account::Account::default();
    if let Some(v) = list(Collection::Account).first() {
        a.settings = Some(account::decode(v));
    }
    let addresses: Vec<(Value, vocm_core::model::Address)> = list(Collection::Addresses)
        .iter()
        .filter_map(|v| Some((v.clone(), address::decode(v)?)))
        .collect();
    for (key, api, v) in name_naturally(
        Kind::Address,
        addresses.iter().map(|(v, ad)| {
            (
                vocm_core::account::identity::address_identity(ad),
                api_id(Collection::Addresses, v),
                v,
            )
        }),
        names,
        |_| None,
        |v| {
            address::decode(v).map_or_else(String::new, |ad| {
                derived_key(&format!("{} {}", ad.city, ad.street))
            })
        },
    ) {
        ids.set_id(&ResourceId::new(Kind::Address, &key), &api);
        if let Some(address) = address::decode(v) {
            a.addresses.insert(key, address);
        }
    }
    for (key, api, v) in name_naturally(
        Kind::Site,
        list(Collection::Sites).iter().map(|v| {
            (
                s(v, "/name").unwrap_or_default(),
                api_id(Collection::Sites, v),
                v,
            )
        }),
        names,
        |v| s(v, "/address/id").and_then(|a| ids.key(Kind::Address, &a)),
        |v| derived_key(&s(v, "/name").unwrap_or_default()),
    ) {
        ids.set_id(&ResourceId::new(Kind::Site, &key), &api);
        if let Some(site) = site::decode(v, ids) {
            a.sites.insert(key, site);
        }
    }
    if !fetched.contains_key(&Collection::Account)
        && let Some(first) = list(Collection::Sites).first()
    {
        // The reference keeps no account settings: what its sites say
        // (their PBX, extension length, country) stands for them.
        a.settings = Some(vocm_core::account::AccountSettings {
            pbx: s(first, "/pbxName").unwrap_or_default(),
            country: a
                .sites
                .values()
                .find_map(|site| a.addresses.get(&site.address).map(|ad| ad.country)),
            extension_length: n(first, "/extensionLength")
                .and_then(|x| u8::try_from(x).ok())
                .unwrap_or(4),
            outbound_calling: None,
        });
    }
    for v in list(Collection::PhoneNumbers) {
        if let Some((number, usage)) =
            phone_number::decode(&with_extras(Collection::PhoneNumbers, v))
        {
            // A number's id is the number: its extras are found by it.
            ids.set_id(
                &ResourceId::new(Kind::PhoneNumber, number.as_str()),
                &api_id(Collection::PhoneNumbers, v),
            );
            a.phone_numbers.insert(number, usage);
        }
    }
    for (c, kind) in [
        (Collection::Devices, Kind::Device),
        (Collection::AudioFiles, Kind::AudioFile),
    ] {
        for v in list(c) {
            let key = key_of(v, c);
            ids.set_id(&ResourceId::new(kind, &key), &api_id(c, v));
            match kind {
                Kind::Device => {
                    if let Some(device) = device::decode(v) {
                        a.devices.insert(key, device);
                    }
                }
                _ => {
                    a.audio_files.insert(key, audio_file::decode(v));
                }
            }
        }
    }
    // Extensions first: destinations and members name them.
    let groups = name_naturally(
        Kind::RingGroup,
        list(Collection::RingGroups).iter().map(|v| {
            (
                s(v, "/name").unwrap_or_default(),
                api_id(Collection::RingGroups, v),
                v,
            )
        }),
        names,
        |v| s(v, "/extensionNumber"),
        |v| derived_key(&s(v, "/name").unwrap_or_default()),
    );
    for v in list(Collection::Users) {
        let Some(key) = key(v, Collection::Users) else {
            continue;
        };
        let id = ResourceId::new(Kind::User, &key);
        ids.set_id(&id, &api_id(Collection::Users, v));
        if let Some(ext) = s(v, "/serviceInfo/extensions/0/extensionNumber") {
            ids.set_extension(&id, &ext);
        }
    }
    for (key, api, v) in &groups {
        let id = ResourceId::new(Kind::RingGroup, key);
        ids.set_id(&id, api);
        if let Some(ext) = s(v, "/extensionNumber") {
            ids.set_extension(&id, &ext);
        }
    }
    for v in list(Collection::AutoAttendants) {
        let id = ResourceId::new(Kind::AutoAttendant, key_of(v, Collection::AutoAttendants));
        ids.set_id(&id, &api_id(Collection::AutoAttendants, v));
        if let Some(ext) = s(v, "/extensionNumber") {
            ids.set_extension(&id, &ext);
        }
    }
    for v in list(Collection::Users) {
        if let Some((key, u)) = user::decode(&with_extras(Collection::Users, v), ids) {
            a.users.insert(key, u);
        }
    }
    for (key, _, v) in groups {
        a.ring_groups.insert(
            key,
            ring_group::decode(&with_extras(Collection::RingGroups, v), ids),
        );
    }
    for v in list(Collection::AutoAttendants) {
        let key = key_of(v, Collection::AutoAttendants);
        a.auto_attendants
            .insert(key, auto_attendant::decode(v, ids));
    }
    a
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

/// The key of the resource of `kind` whose API id is `api_id`, as the
/// last decoding named it.
impl Ids {
    #[must_use]
    pub fn key(&self, kind: Kind, api_id: &str) -> Option<String> {
        self.key_of(kind, api_id)
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
    fn countries_map_to_dial_plans() {
        assert_eq!(dial_plan_country("US".parse().unwrap()), Some("NANP"));
        assert_eq!(dial_plan_country("CA".parse().unwrap()), Some("NANP"));
        assert_eq!(dial_plan_country("FR".parse().unwrap()), Some("FRANCENP"));
        assert_eq!(dial_plan_country("IS".parse().unwrap()), None);
        assert_eq!(country_from_dial_plan("UKNP").unwrap().as_str(), "GB");
        assert_eq!(
            DIAL_PLANS.windows(2).filter(|w| w[0].0 >= w[1].0).count(),
            0
        );
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
