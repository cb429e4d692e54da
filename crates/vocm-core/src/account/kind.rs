//! Kinds of resources, and how a resource is named (`user:alice`).

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A kind of resource. The order is the dependency order of creation:
/// what a resource refers to is of an earlier kind (but for forwarding to
/// ring groups and attendants, which plans apply in a second phase).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Account,
    Address,
    Site,
    PhoneNumber,
    Device,
    AudioFile,
    User,
    RingGroup,
    AutoAttendant,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Account,
        Kind::Address,
        Kind::Site,
        Kind::PhoneNumber,
        Kind::Device,
        Kind::AudioFile,
        Kind::User,
        Kind::RingGroup,
        Kind::AutoAttendant,
    ];

    /// The name used in `--target KIND:KEY`, plans and destinations.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Account => "account",
            Kind::Address => "address",
            Kind::Site => "site",
            Kind::PhoneNumber => "phone_number",
            Kind::Device => "device",
            Kind::AudioFile => "audio_file",
            Kind::User => "user",
            Kind::RingGroup => "ring_group",
            Kind::AutoAttendant => "auto_attendant",
        }
    }

    /// The manifest section of the kind.
    #[must_use]
    pub fn section(self) -> &'static str {
        match self {
            Kind::Account => "account",
            Kind::Address => "addresses",
            Kind::Site => "sites",
            Kind::PhoneNumber => "phone_numbers",
            Kind::Device => "devices",
            Kind::AudioFile => "audio_files",
            Kind::User => "users",
            Kind::RingGroup => "ring_groups",
            Kind::AutoAttendant => "auto_attendants",
        }
    }

    /// Plural, for summaries.
    #[must_use]
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Account => "account settings",
            Kind::Address => "addresses",
            Kind::Site => "sites",
            Kind::PhoneNumber => "phone numbers",
            Kind::Device => "devices",
            Kind::AudioFile => "audio files",
            Kind::User => "users",
            Kind::RingGroup => "ring groups",
            Kind::AutoAttendant => "auto attendants",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.section() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                // Case only (`Site`): the kinds are few and short, and
                // `account` may not look into `validate` for its suggestions.
                let near = Kind::ALL.into_iter().find(|k| {
                    k.as_str().eq_ignore_ascii_case(s) || k.section().eq_ignore_ascii_case(s)
                });
                match near.map(Kind::as_str) {
                    Some(name) => {
                        format!("`{s}` is not a kind of resource: did you mean `{name}`?")
                    }
                    None => format!("`{s}` is not a kind of resource ({})", names.join(", ")),
                }
            })
    }
}

/// A resource's identity: its kind and its key in the manifests.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub struct ResourceId {
    pub kind: Kind,
    pub key: String,
}

impl ResourceId {
    #[must_use]
    pub fn new(kind: Kind, key: impl Into<String>) -> Self {
        Self {
            kind,
            key: key.into(),
        }
    }

    /// The account's settings: there is one.
    #[must_use]
    pub fn account() -> Self {
        Self::new(Kind::Account, "account")
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == Kind::Account {
            f.write_str("account")
        } else {
            write!(f, "{}:{}", self.kind, self.key)
        }
    }
}

impl FromStr for ResourceId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "account" {
            return Ok(Self::account());
        }
        let (kind, key) = s
            .split_once(':')
            .ok_or_else(|| format!("`{s}` is not KIND:KEY (e.g. user:alice)"))?;
        if key.is_empty() {
            return Err(format!("`{s}` names no key"));
        }
        let kind: Kind = kind.parse()?;
        let key = if kind == Kind::PhoneNumber {
            key.parse::<crate::model::PhoneNumber>()?.to_string()
        } else {
            key.to_owned()
        };
        Ok(Self { kind, key })
    }
}
