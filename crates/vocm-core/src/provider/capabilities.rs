//! What a provider can manage: which kinds, whether it updates each in
//! place, whether it claims numbers, and which settings it carries. The
//! local provider manages everything; an API provider only what its server
//! offers (docs/api.md has the table).
//!
//! Every manifest field is, per provider, **mapped** (sent and compared),
//! **manifest-only** (used by validation, never sent nor compared) or
//! **refused** (a manifest that writes it cannot be applied there). A
//! setting a manifest leaves at its default is not refused: where the
//! provider cannot carry it, it is simply not managed.

use std::collections::BTreeMap;

use crate::account::{Account, Forwarding, Kind, Resource};
use crate::model::{Destination, NumberUsage};

/// How a provider supports a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Created, compared, updated (in place or not) and deleted.
    Managed {
        /// Whether an update is made in place; otherwise it is a replace
        /// (delete, then create), which loses what [`crate::plan::loss`]
        /// says.
        update: bool,
    },
    /// Used by validation only: never sent nor compared (the reference has
    /// no account settings).
    ManifestOnly,
}

/// A setting some providers cannot carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    UserForwarding,
    UserInternetFax,
    UserCrm,
    UserDevices,
    UserMusicOnHold,
    RingGroupNoAnswerDelay,
    NumberUsage,
    SiteExtensionRange,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::UserForwarding,
        Field::UserInternetFax,
        Field::UserCrm,
        Field::UserDevices,
        Field::UserMusicOnHold,
        Field::RingGroupNoAnswerDelay,
        Field::NumberUsage,
        Field::SiteExtensionRange,
    ];

    #[must_use]
    pub fn kind(self) -> Kind {
        match self {
            Field::UserForwarding
            | Field::UserInternetFax
            | Field::UserCrm
            | Field::UserDevices
            | Field::UserMusicOnHold => Kind::User,
            Field::RingGroupNoAnswerDelay => Kind::RingGroup,
            Field::NumberUsage => Kind::PhoneNumber,
            Field::SiteExtensionRange => Kind::Site,
        }
    }

    /// The field as manifests write it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Field::UserForwarding => "forwarding",
            Field::UserInternetFax => "internet_fax",
            Field::UserCrm => "crm",
            Field::UserDevices => "devices",
            Field::UserMusicOnHold => "music_on_hold",
            Field::RingGroupNoAnswerDelay => "forwarding.no_answer.after_seconds",
            Field::NumberUsage => "usage",
            Field::SiteExtensionRange => "extension_range",
        }
    }

    /// Whether a manifest may write it where it is not carried: it then
    /// serves validation only (a site's range checks its extensions).
    #[must_use]
    pub fn manifest_only(self) -> bool {
        matches!(self, Field::NumberUsage | Field::SiteExtensionRange)
    }

    /// Whether `r` sets the field to something other than its default.
    #[must_use]
    pub fn written(self, r: &Resource) -> bool {
        match (self, r) {
            (Field::UserForwarding, Resource::User(u)) => {
                let f = &u.forwarding;
                f.always.is_some()
                    || [&f.busy, &f.no_answer, &f.unreachable]
                        .iter()
                        .any(|d| **d != Destination::Voicemail)
                    || f.no_answer_seconds != crate::model::forwarding::DEFAULT_NO_ANSWER_SECONDS
            }
            (Field::UserInternetFax, Resource::User(u)) => u.internet_fax.is_some(),
            (Field::UserCrm, Resource::User(u)) => u.crm.is_some(),
            (Field::UserDevices, Resource::User(u)) => !u.devices.is_empty(),
            (Field::UserMusicOnHold, Resource::User(u)) => u.music_on_hold.is_some(),
            (Field::RingGroupNoAnswerDelay, Resource::RingGroup(g)) => {
                g.forwarding.no_answer_seconds
                    != crate::model::forwarding::DEFAULT_NO_ANSWER_SECONDS
            }
            (Field::NumberUsage, Resource::PhoneNumber(u)) => *u != NumberUsage::default(),
            (Field::SiteExtensionRange, Resource::Site(s)) => s.extension_range.is_some(),
            _ => false,
        }
    }

    /// Gives `to` the field's value in `from` (or its default): what the
    /// provider does not carry is not compared.
    pub fn copy(self, from: Option<&Resource>, to: &mut Resource) {
        match (self, to) {
            (Field::UserForwarding, Resource::User(u)) => {
                u.forwarding = match from {
                    Some(Resource::User(f)) => f.forwarding.clone(),
                    _ => Forwarding::default(),
                };
            }
            (Field::UserInternetFax, Resource::User(u)) => {
                u.internet_fax = match from {
                    Some(Resource::User(f)) => f.internet_fax.clone(),
                    _ => None,
                };
            }
            (Field::UserCrm, Resource::User(u)) => {
                u.crm = match from {
                    Some(Resource::User(f)) => f.crm.clone(),
                    _ => None,
                };
            }
            (Field::UserDevices, Resource::User(u)) => {
                u.devices = match from {
                    Some(Resource::User(f)) => f.devices.clone(),
                    _ => Vec::new(),
                };
            }
            (Field::UserMusicOnHold, Resource::User(u)) => {
                u.music_on_hold = match from {
                    Some(Resource::User(f)) => f.music_on_hold.clone(),
                    _ => None,
                };
            }
            (Field::RingGroupNoAnswerDelay, Resource::RingGroup(g)) => {
                g.forwarding.no_answer_seconds = match from {
                    Some(Resource::RingGroup(f)) => f.forwarding.no_answer_seconds,
                    _ => crate::model::forwarding::DEFAULT_NO_ANSWER_SECONDS,
                };
            }
            (Field::NumberUsage, Resource::PhoneNumber(u)) => {
                *u = match from {
                    Some(Resource::PhoneNumber(f)) => *f,
                    _ => NumberUsage::default(),
                };
            }
            (Field::SiteExtensionRange, Resource::Site(s)) => {
                s.extension_range = match from {
                    Some(Resource::Site(f)) => f.extension_range.clone(),
                    _ => None,
                };
            }
            _ => {}
        }
    }
}

/// What a provider can manage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// The provider in words, for messages ("the reference Administration
    /// API at https://…").
    pub name: String,
    /// Kinds it supports; a kind not here is refused.
    pub kinds: BTreeMap<Kind, Support>,
    /// Settings it does not carry.
    pub uncarried: Vec<Field>,
    /// Whether it can claim a number the account lacks.
    pub claims: bool,
    /// Kinds whose key is the provider's identity for the resource: a
    /// rename of one is a delete and a create.
    pub fixed_keys: Vec<Kind>,
}

impl Capabilities {
    /// Everything, in place: the local provider.
    #[must_use]
    pub fn everything(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kinds: Kind::ALL
                .into_iter()
                .map(|k| (k, Support::Managed { update: true }))
                .collect(),
            uncarried: Vec::new(),
            claims: true,
            fixed_keys: Vec::new(),
        }
    }

    #[must_use]
    pub fn support(&self, kind: Kind) -> Option<Support> {
        self.kinds.get(&kind).copied()
    }

    /// Kinds it manages but cannot update in place.
    #[must_use]
    pub fn replaced_on_update(&self) -> Vec<Kind> {
        self.kinds
            .iter()
            .filter(|(_, s)| matches!(s, Support::Managed { update: false }))
            .map(|(k, _)| *k)
            .collect()
    }

    /// Makes `desired` compare only what the provider carries: kinds it
    /// keeps for validation take the current account's value, and each
    /// setting it does not carry takes the current value (or the default,
    /// for a resource to create).
    pub fn mask(&self, desired: &mut Account, current: &Account) {
        for (kind, support) in &self.kinds {
            if *support == Support::ManifestOnly && *kind == Kind::Account {
                desired.settings.clone_from(&current.settings);
            }
        }
        if self.uncarried.is_empty() {
            return;
        }
        for id in desired.ids() {
            if !self.uncarried.iter().any(|f| f.kind() == id.kind) {
                continue;
            }
            let before = current.get(&id);
            let Some(mut after) = desired.get(&id) else {
                continue;
            };
            for f in &self.uncarried {
                if f.kind() == id.kind {
                    f.copy(before.as_ref(), &mut after);
                }
            }
            desired.set(&id, Some(after));
        }
    }
}
