//! The account as normalised data: what the manifests want (desired) and
//! what a provider holds (current) are both an [`Account`], so that
//! comparing them compares like with like.
//!
//! Everything is explicit here: phone numbers in E.164, defaults filled in,
//! `auto` extensions and omitted sites resolved. A value that means the
//! same thing is written one way only — otherwise a plan after a successful
//! apply would not be empty.

pub mod identity;
mod kind;
mod resources;
pub mod schedule;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use kind::{Kind, ResourceId};
pub use resources::{
    AccountSettings, Audio, AudioFormat, AutoAttendant, CallRecording, CallerId, Directory,
    Forwarding, Menu, MenuView, OutboundCalling, RingGroup, Site, User, Voicemail,
};
pub use schedule::{Schedule, ScheduleState};

use crate::model::{Address, Device, NumberUsage, PhoneNumber};

/// Audio content by SHA-256 (hex), as plans and states carry it.
pub type AudioStore = BTreeMap<String, Vec<u8>>;

/// A whole account. Maps are ordered, so that serialising an account is
/// deterministic (state files, fingerprints and plans depend on it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Account-wide settings; `None` for an account never provisioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<AccountSettings>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub addresses: BTreeMap<String, Address>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sites: BTreeMap<String, Site>,
    /// Numbers the account holds, and what for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub phone_numbers: BTreeMap<PhoneNumber, NumberUsage>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub devices: BTreeMap<String, Device>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub audio_files: BTreeMap<String, Audio>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ring_groups: BTreeMap<String, RingGroup>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub auto_attendants: BTreeMap<String, AutoAttendant>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub users: BTreeMap<String, User>,
}

/// One resource of any kind, as plans carry them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Resource {
    Account(AccountSettings),
    Address(Address),
    Site(Site),
    PhoneNumber(NumberUsage),
    Device(Device),
    AudioFile(Audio),
    RingGroup(RingGroup),
    AutoAttendant(AutoAttendant),
    User(User),
}

/// A resource borrowed from an account, to look at without cloning it.
#[derive(Clone, Copy, Debug)]
pub enum View<'a> {
    Account(&'a AccountSettings),
    Address(&'a Address),
    Site(&'a Site),
    PhoneNumber(&'a NumberUsage),
    Device(&'a Device),
    AudioFile(&'a Audio),
    RingGroup(&'a RingGroup),
    AutoAttendant(&'a AutoAttendant),
    User(&'a User),
}

impl Resource {
    /// The resource, borrowed.
    #[must_use]
    pub fn view(&self) -> View<'_> {
        match self {
            Resource::Account(v) => View::Account(v),
            Resource::Address(v) => View::Address(v),
            Resource::Site(v) => View::Site(v),
            Resource::PhoneNumber(v) => View::PhoneNumber(v),
            Resource::Device(v) => View::Device(v),
            Resource::AudioFile(v) => View::AudioFile(v),
            Resource::RingGroup(v) => View::RingGroup(v),
            Resource::AutoAttendant(v) => View::AutoAttendant(v),
            Resource::User(v) => View::User(v),
        }
    }

    #[must_use]
    pub fn kind(&self) -> Kind {
        match self {
            Resource::Account(_) => Kind::Account,
            Resource::Address(_) => Kind::Address,
            Resource::Site(_) => Kind::Site,
            Resource::PhoneNumber(_) => Kind::PhoneNumber,
            Resource::Device(_) => Kind::Device,
            Resource::AudioFile(_) => Kind::AudioFile,
            Resource::RingGroup(_) => Kind::RingGroup,
            Resource::AutoAttendant(_) => Kind::AutoAttendant,
            Resource::User(_) => Kind::User,
        }
    }

    /// The resource's fields as JSON, for field-level diffs and rendering.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let value = match self {
            Resource::Account(v) => serde_json::to_value(v),
            Resource::Address(v) => serde_json::to_value(v),
            Resource::Site(v) => serde_json::to_value(v),
            Resource::PhoneNumber(v) => serde_json::to_value(NumberFields { usage: *v }),
            Resource::Device(v) => serde_json::to_value(v),
            Resource::AudioFile(v) => serde_json::to_value(v),
            Resource::RingGroup(v) => serde_json::to_value(v),
            Resource::AutoAttendant(v) => serde_json::to_value(v),
            Resource::User(v) => serde_json::to_value(v),
        };
        value.unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Serialize)]
struct NumberFields {
    usage: NumberUsage,
}

impl Account {
    /// The resource with this id, if the account has it.
    #[must_use]
    pub fn get(&self, id: &ResourceId) -> Option<Resource> {
        let k = id.key.as_str();
        match id.kind {
            Kind::Account => self.settings.clone().map(Resource::Account),
            Kind::Address => self.addresses.get(k).cloned().map(Resource::Address),
            Kind::Site => self.sites.get(k).cloned().map(Resource::Site),
            Kind::PhoneNumber => k
                .parse::<PhoneNumber>()
                .ok()
                .and_then(|n| self.phone_numbers.get(&n).copied())
                .map(Resource::PhoneNumber),
            Kind::Device => self.devices.get(k).cloned().map(Resource::Device),
            Kind::AudioFile => self.audio_files.get(k).cloned().map(Resource::AudioFile),
            Kind::RingGroup => self.ring_groups.get(k).cloned().map(Resource::RingGroup),
            Kind::AutoAttendant => self
                .auto_attendants
                .get(k)
                .cloned()
                .map(Resource::AutoAttendant),
            Kind::User => self.users.get(k).cloned().map(Resource::User),
        }
    }

    /// Sets (or, with `None`, removes) the resource with this id.
    pub fn set(&mut self, id: &ResourceId, resource: Option<Resource>) {
        let k = id.key.clone();
        match (id.kind, resource) {
            (Kind::Account, r) => {
                self.settings = r.and_then(|r| match r {
                    Resource::Account(s) => Some(s),
                    _ => None,
                });
            }
            (Kind::Address, Some(Resource::Address(v))) => {
                self.addresses.insert(k, v);
            }
            (Kind::Site, Some(Resource::Site(v))) => {
                self.sites.insert(k, v);
            }
            (Kind::PhoneNumber, Some(Resource::PhoneNumber(v))) => {
                if let Ok(n) = k.parse() {
                    self.phone_numbers.insert(n, v);
                }
            }
            (Kind::Device, Some(Resource::Device(v))) => {
                self.devices.insert(k, v);
            }
            (Kind::AudioFile, Some(Resource::AudioFile(v))) => {
                self.audio_files.insert(k, v);
            }
            (Kind::RingGroup, Some(Resource::RingGroup(v))) => {
                self.ring_groups.insert(k, v);
            }
            (Kind::AutoAttendant, Some(Resource::AutoAttendant(v))) => {
                self.auto_attendants.insert(k, v);
            }
            (Kind::User, Some(Resource::User(v))) => {
                self.users.insert(k, v);
            }
            (Kind::Address, _) => {
                self.addresses.remove(&k);
            }
            (Kind::Site, _) => {
                self.sites.remove(&k);
            }
            (Kind::PhoneNumber, _) => {
                if let Ok(n) = k.parse() {
                    self.phone_numbers.remove(&n);
                }
            }
            (Kind::Device, _) => {
                self.devices.remove(&k);
            }
            (Kind::AudioFile, _) => {
                self.audio_files.remove(&k);
            }
            (Kind::RingGroup, _) => {
                self.ring_groups.remove(&k);
            }
            (Kind::AutoAttendant, _) => {
                self.auto_attendants.remove(&k);
            }
            (Kind::User, _) => {
                self.users.remove(&k);
            }
        }
    }

    /// Every resource id of the account, kind by kind in dependency order.
    #[must_use]
    pub fn ids(&self) -> Vec<ResourceId> {
        let mut ids = Vec::new();
        if self.settings.is_some() {
            ids.push(ResourceId::account());
        }
        let keyed =
            |kind: Kind, keys: &mut dyn Iterator<Item = String>, ids: &mut Vec<ResourceId>| {
                ids.extend(keys.map(|key| ResourceId { kind, key }));
            };
        keyed(Kind::Address, &mut self.addresses.keys().cloned(), &mut ids);
        keyed(Kind::Site, &mut self.sites.keys().cloned(), &mut ids);
        keyed(
            Kind::PhoneNumber,
            &mut self.phone_numbers.keys().map(ToString::to_string),
            &mut ids,
        );
        keyed(Kind::Device, &mut self.devices.keys().cloned(), &mut ids);
        keyed(
            Kind::AudioFile,
            &mut self.audio_files.keys().cloned(),
            &mut ids,
        );
        keyed(Kind::User, &mut self.users.keys().cloned(), &mut ids);
        keyed(
            Kind::RingGroup,
            &mut self.ring_groups.keys().cloned(),
            &mut ids,
        );
        keyed(
            Kind::AutoAttendant,
            &mut self.auto_attendants.keys().cloned(),
            &mut ids,
        );
        ids
    }

    /// How many resources of a kind the account has.
    #[must_use]
    pub fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::Account => usize::from(self.settings.is_some()),
            Kind::Address => self.addresses.len(),
            Kind::Site => self.sites.len(),
            Kind::PhoneNumber => self.phone_numbers.len(),
            Kind::Device => self.devices.len(),
            Kind::AudioFile => self.audio_files.len(),
            Kind::RingGroup => self.ring_groups.len(),
            Kind::AutoAttendant => self.auto_attendants.len(),
            Kind::User => self.users.len(),
        }
    }
}
