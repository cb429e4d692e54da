//! The manifest's types: serde for reading and writing them, schemars for
//! the JSON Schema (their doc comments become its descriptions).
//!
//! [`ManifestFile`] is the shape of one file; [`Manifest`] is a whole set,
//! merged and checked, with the origin of every resource.

pub mod account;
pub mod address;
pub mod audio;
pub mod auto_attendant;
pub mod country;
pub mod destination;
pub mod device;
pub mod extension;
pub mod forwarding;
pub mod moved;
pub mod phone;
pub mod ring_group;
pub mod schedule;
pub mod site;
pub mod template;
mod text;
pub mod user;
pub mod user_layers;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use account::{Account, OutboundScope};
pub use address::Address;
pub use audio::AudioFile;
pub use auto_attendant::{AutoAttendant, StateMenu};
pub use country::Country;
pub use destination::{Destination, MenuDestination};
pub use device::{Device, MacAddress};
pub use extension::{Extension, ExtensionRange};
pub use forwarding::{Condition, Forwarding, NoAnswer};
pub use moved::Moved;
pub use phone::{NumberSpec, NumberUsage, PhoneNumber};
pub use ring_group::{RingGroup, RingStrategy};
pub use schedule::Schedule;
pub use site::{Locale, Site};
pub use template::Template;
pub use user::User;

/// The only manifest format version.
pub const FORMAT_VERSION: u32 = 1;

/// Pattern of user keys (login names), as the provisioning API requires.
pub const USER_KEY_PATTERN: &str = r"^[A-Za-z0-9.@_/-]{3,70}$";

/// Pattern of the keys of every other resource.
pub const KEY_PATTERN: &str = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

/// One vocm manifest file. A manifest set is the union of its files; each
/// resource is defined once in the whole set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vocm manifest")]
// Top-level `x-…` keys are the manifest's own: a home for YAML anchors
// (`x-paris: &paris {…}`), ignored by vocm, as in Compose files.
#[schemars(extend("patternProperties" = {"^x-": {}}))]
pub struct ManifestFile {
    /// The manifest format version: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1))]
    pub version: Option<u32>,
    /// The account: its PBX and defaults. At most once in the whole set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Account>,
    /// Postal addresses, by key.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": KEY_PATTERN}))]
    pub addresses: IndexMap<String, Address>,
    /// Sites, by key.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": KEY_PATTERN}))]
    pub sites: IndexMap<String, Site>,
    /// Numbers the account holds, in international form. vocm claims the
    /// missing ones where the provider can, and never releases a number.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": phone::PHONE_PATTERN}))]
    pub phone_numbers: IndexMap<String, NumberSpec>,
    /// Devices registered on the account, by key.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": KEY_PATTERN}))]
    pub devices: IndexMap<String, Device>,
    /// The audio library, by key.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": KEY_PATTERN}))]
    pub audio_files: IndexMap<String, AudioFile>,
    /// Ring groups, by key.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": KEY_PATTERN}))]
    pub ring_groups: IndexMap<String, RingGroup>,
    /// Business hours auto attendants follow, by key.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": KEY_PATTERN}))]
    pub schedules: IndexMap<String, Schedule>,
    /// Auto attendants, by key.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": KEY_PATTERN}))]
    pub auto_attendants: IndexMap<String, AutoAttendant>,
    /// Resources whose key changed: renamed in place, not deleted and
    /// created again. Keep an entry until every account has been applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved: Vec<Moved>,
    /// User templates, by key: settings users share (`template: KEY`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": KEY_PATTERN}))]
    pub templates: IndexMap<String, Template>,
    /// Users, by login name (3 to 70 of `A-Za-z0-9.@-_/`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": USER_KEY_PATTERN}))]
    pub users: IndexMap<String, User>,
}

/// The top-level sections, in the order files usually list them.
pub const SECTIONS: [&str; 13] = [
    "version",
    "account",
    "addresses",
    "sites",
    "phone_numbers",
    "devices",
    "audio_files",
    "ring_groups",
    "schedules",
    "auto_attendants",
    "templates",
    "users",
    "moved",
];

/// Which YAML document a resource came from (an index into the loaded
/// documents), so that any later diagnostic can point at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Origin(pub u32);

/// A resource and where it was defined.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<T> {
    pub value: T,
    pub origin: Origin,
}

/// A section of a merged manifest set, in definition order.
pub type Section<T> = IndexMap<String, Entry<T>>;

/// A whole manifest set, merged. Produced by validation, which has checked
/// every offline rule when it reports no error.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifest {
    pub account: Option<Entry<Account>>,
    pub addresses: Section<Address>,
    pub sites: Section<Site>,
    pub phone_numbers: IndexMap<PhoneNumber, Entry<NumberSpec>>,
    /// Each number's key as written (`"+33 1 70 00 00 01"`), to find it again.
    pub phone_number_keys: IndexMap<PhoneNumber, String>,
    pub devices: Section<Device>,
    pub audio_files: Section<AudioFile>,
    pub ring_groups: Section<RingGroup>,
    pub schedules: Section<Schedule>,
    pub auto_attendants: Section<AutoAttendant>,
    pub templates: Section<Template>,
    /// Users with their templates and site defaults merged in.
    pub users: Section<User>,
    /// Renames, in the order written.
    pub moved: Vec<Entry<Moved>>,
    /// Where each user's merged-in fields came from (users that have some).
    pub user_layers: rustc_hash::FxHashMap<String, user_layers::Layers>,
}

impl Manifest {
    /// The account's extension length (its default when no account is defined).
    #[must_use]
    pub fn extension_length(&self) -> u8 {
        self.account
            .as_ref()
            .map_or(account::DEFAULT_EXTENSION_LENGTH, |a| {
                a.value.extension_length
            })
    }

    /// A number's key as written in `phone_numbers`.
    #[must_use]
    pub fn number_key<'a>(&'a self, n: &'a PhoneNumber) -> &'a str {
        self.phone_number_keys
            .get(n)
            .map_or(n.as_str(), String::as_str)
    }

    /// The site a resource belongs to: the one named, or the only one.
    #[must_use]
    pub fn site_of<'a>(&'a self, named: Option<&'a String>) -> Option<&'a str> {
        match named {
            Some(s) => Some(s.as_str()),
            None if self.sites.len() == 1 => self.sites.keys().next().map(String::as_str),
            None => None,
        }
    }
}
