//! The canonical form of each resource that differs from its manifest
//! form. (Addresses, devices and numbers are already canonical.)

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::schedule::{Schedule, ScheduleState};
use crate::model::user::{Crm, DirectoryScope, Participant, RecordingMode, VoicemailNotification};
use crate::model::{
    Country, Destination, ExtensionRange, Locale, MenuDestination, OutboundScope, PhoneNumber,
    RingStrategy,
};

/// Account-wide settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountSettings {
    pub pbx: String,
    pub country: Option<Country>,
    pub extension_length: u8,
    pub outbound_calling: Option<OutboundScope>,
}

/// A site; `pbx` is the account's, so that a PBX change shows (and acts)
/// as the replace of every site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub name: String,
    pub pbx: String,
    pub address: String,
    pub locale: Locale,
    pub timezone: String,
    pub extension_range: Option<ExtensionRange>,
    pub main_number: Option<PhoneNumber>,
    pub outbound_calling: Option<OutboundScope>,
}

/// An audio file: what identifies its content. The content itself travels
/// beside (state files and plan files keep it by hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Audio {
    /// SHA-256 of the content, hex.
    pub sha256: String,
    pub size: u64,
    pub format: AudioFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AudioFormat {
    Wav,
    Mp3,
}

impl AudioFormat {
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            AudioFormat::Wav => "wav",
            AudioFormat::Mp3 => "mp3",
        }
    }
}

/// Forwarding with every condition explicit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Forwarding {
    pub always: Option<Destination>,
    pub busy: Destination,
    pub no_answer: Destination,
    pub no_answer_seconds: u8,
    pub unreachable: Destination,
}

impl Default for Forwarding {
    /// Every condition to voicemail: what a manifest that says nothing
    /// means.
    fn default() -> Self {
        Self {
            always: None,
            busy: Destination::Voicemail,
            no_answer: Destination::Voicemail,
            no_answer_seconds: crate::model::forwarding::DEFAULT_NO_ANSWER_SECONDS,
            unreachable: Destination::Voicemail,
        }
    }
}

impl Forwarding {
    /// Every destination with the condition's name.
    pub fn rules(&self) -> impl Iterator<Item = (&'static str, &Destination)> {
        self.always.iter().map(|d| ("always", d)).chain([
            ("busy", &self.busy),
            ("no_answer", &self.no_answer),
            ("unreachable", &self.unreachable),
        ])
    }
}

/// A ring group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RingGroup {
    pub name: String,
    pub site: String,
    pub extension: String,
    pub phone_numbers: Vec<PhoneNumber>,
    pub members: Vec<String>,
    pub strategy: RingStrategy,
    pub ring_timeout_seconds: u8,
    pub cycles: u8,
    pub forwarding: Forwarding,
}

/// An auto attendant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoAttendant {
    pub name: String,
    pub site: String,
    pub extension: String,
    pub phone_number: Option<PhoneNumber>,
    pub greeting: Option<String>,
    /// Keypad key → destination, in key order.
    pub menu: BTreeMap<String, MenuDestination>,
    /// `drop` when the manifest sets none.
    pub timeout: Destination,
    /// The business hours the attendant follows, embedded: a schedule is
    /// part of each attendant that uses it. With none, the menu above
    /// answers at all times. (Absent from states and plans before
    /// schedules.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// What answers outside open hours; none: the open-hours menu.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Menu>,
    /// What answers on holidays; none: `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holiday: Option<Menu>,
}

/// The greeting, menu and timeout of one schedule state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Menu {
    pub greeting: Option<String>,
    /// Keypad key → destination, in key order.
    pub menu: BTreeMap<String, MenuDestination>,
    /// `drop` when the manifest sets none.
    pub timeout: Destination,
}

/// An attendant's menu, borrowed: the open-hours one or a state's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MenuView<'a> {
    /// Which field holds it: `None` for the open-hours (top-level) menu,
    /// else `closed` or `holiday`.
    pub field: Option<&'static str>,
    pub greeting: Option<&'a String>,
    pub menu: &'a BTreeMap<String, MenuDestination>,
    pub timeout: &'a Destination,
}

impl AutoAttendant {
    /// The open-hours menu (the only one without a schedule).
    #[must_use]
    pub fn open_menu(&self) -> MenuView<'_> {
        MenuView {
            field: None,
            greeting: self.greeting.as_ref(),
            menu: &self.menu,
            timeout: &self.timeout,
        }
    }

    fn state_menu<'a>(field: &'static str, m: &'a Menu) -> MenuView<'a> {
        MenuView {
            field: Some(field),
            greeting: m.greeting.as_ref(),
            menu: &m.menu,
            timeout: &m.timeout,
        }
    }

    /// The menu that answers in a state: a holiday falls back to the
    /// closed-hours menu, which falls back to the open-hours one.
    #[must_use]
    pub fn menu_in(&self, state: ScheduleState) -> MenuView<'_> {
        let closed = || {
            self.closed
                .as_ref()
                .map_or_else(|| self.open_menu(), |m| Self::state_menu("closed", m))
        };
        match state {
            ScheduleState::Open => self.open_menu(),
            ScheduleState::Closed => closed(),
            ScheduleState::Holiday => self
                .holiday
                .as_ref()
                .map_or_else(closed, |m| Self::state_menu("holiday", m)),
        }
    }

    /// Every menu the attendant holds: the open-hours one, then the
    /// closed-hours and holiday ones it has.
    pub fn menus(&self) -> impl Iterator<Item = MenuView<'_>> {
        std::iter::once(self.open_menu()).chain(
            [("closed", &self.closed), ("holiday", &self.holiday)]
                .into_iter()
                .filter_map(|(f, m)| m.as_ref().map(|m| Self::state_menu(f, m))),
        )
    }

    /// Every destination of every menu, timeouts included.
    pub fn destinations(&self) -> impl Iterator<Item = &Destination> {
        self.menus().flat_map(|m| {
            m.menu
                .values()
                .map(|d| &d.0)
                .chain(std::iter::once(m.timeout))
        })
    }
}

/// Caller ID with the number resolved: the user's primary number by
/// default, else the site's main number, else none (the provider's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallerId {
    pub number: Option<PhoneNumber>,
    pub name: Option<String>,
    pub block: bool,
}

/// A user, every setting explicit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub site: String,
    pub license: String,
    /// Direct numbers, the primary first; none for a user reached by
    /// extension only. (State files before 0.2 wrote one `phone_number`.)
    #[serde(alias = "phone_number", deserialize_with = "one_or_many")]
    pub phone_numbers: Vec<PhoneNumber>,
    pub extension: String,
    /// Devices; none for a softphone-only user. (State files before 0.2
    /// wrote one `device`.)
    #[serde(alias = "device", deserialize_with = "one_or_many")]
    pub devices: Vec<String>,
    pub caller_id: CallerId,
    pub forwarding: Forwarding,
    pub music_on_hold: Option<String>,
    pub call_recording: CallRecording,
    /// The user's own permission; a site's or the account's override is
    /// applied where calls are routed, not here.
    pub outbound_calling: Option<OutboundCalling>,
    pub voicemail: Voicemail,
    /// `site`, or an address key.
    pub emergency_address: String,
    pub internet_fax: Option<PhoneNumber>,
    pub crm: Option<Crm>,
    pub directory: Directory,
}

impl User {
    /// The primary number.
    #[must_use]
    pub fn primary_number(&self) -> Option<&PhoneNumber> {
        self.phone_numbers.first()
    }
}

/// A list, or the single value older files wrote in its place.
fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::Many(v) => v,
        OneOrMany::One(v) => vec![v],
    })
}

/// Call recording, every field explicit (plans show them all).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRecording {
    pub mode: RecordingMode,
    pub announce_to: Vec<Participant>,
}

/// Outbound calling, with the country resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboundCalling {
    pub country: Option<Country>,
    pub scope: OutboundScope,
}

/// Voicemail, with the notification email resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Voicemail {
    pub notification: VoicemailNotification,
    pub email: String,
}

/// Directory visibility, every field explicit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    pub dial_by_name: bool,
    pub listed: bool,
    pub scope: DirectoryScope,
}
