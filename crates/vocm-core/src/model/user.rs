//! Users: a person's line, with its basic and advanced settings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::account::OutboundScope;
use super::country::Country;
use super::extension::Extension;
use super::forwarding::Forwarding;
use super::phone::PhoneNumber;

/// A person's names as the provisioning API accepts them.
const NAME_PATTERN: &str = r"^[A-Za-z0-9.,_()' -]+$";

/// A user. The key in `users` is the login name.
///
/// Every field but the names and the email may come from the user's
/// `template` or its site's `user_defaults` instead (validation merges them
/// in: the user wins, then the template, then the site's defaults, then the
/// built-in defaults), so serde defaults them all; the schema still
/// requires the names and the email of a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = require_identity)]
pub struct User {
    /// Given name (ASCII letters, digits, spaces and `.,-_()'`, as the API requires).
    #[serde(default)]
    #[schemars(length(min = 2, max = 128), regex(pattern = NAME_PATTERN))]
    pub first_name: String,
    /// Family name (same characters, at most 30).
    #[serde(default)]
    #[schemars(length(min = 2, max = 30), regex(pattern = NAME_PATTERN))]
    pub last_name: String,
    /// Email for sign-in and onboarding.
    #[serde(default)]
    #[schemars(
        length(min = 5, max = 128),
        regex(pattern = r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    )]
    pub email: String,
    /// A key of `templates`: the settings this user shares with others.
    /// The user's own fields win over it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The user's site: a key of `sites`; optional when the account has one
    /// site. Changing it replaces the user (the API cannot move a user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The service license type, e.g. `X2`; the account must own enough.
    /// Required, here or from the template or the site's `user_defaults`.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$"))]
    pub license: String,
    /// The user's direct number: a number of `phone_numbers`. Optional: a
    /// user without one is reached by extension. For several numbers, use
    /// `phone_numbers` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<PhoneNumber>,
    /// The user's direct numbers, the first one primary (what the caller ID
    /// shows by default); instead of `phone_number`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("uniqueItems" = true), length(min = 1))]
    pub phone_numbers: Vec<PhoneNumber>,
    /// The user's extension, or `auto` (the default): the lowest free one
    /// of the site's `extension_range`.
    #[serde(default = "auto", skip_serializing_if = "is_auto")]
    pub extension: Extension,
    /// The user's desk phone: a key of `devices`. Optional: a softphone-only
    /// user has none. For several, use `devices` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// The user's devices (desk phone, DECT handset…): keys of `devices`;
    /// instead of `device`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("uniqueItems" = true), length(min = 1))]
    pub devices: Vec<String>,
    /// What outbound calls display.
    #[serde(default, skip_serializing_if = "is_default")]
    pub caller_id: CallerId,
    /// Where unanswered calls go.
    #[serde(default, skip_serializing_if = "is_default")]
    pub forwarding: Forwarding,
    /// Music on hold: a key of `audio_files`. Default: the system's music.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub music_on_hold: Option<String>,
    /// Call recording permission and announcements.
    #[serde(default, skip_serializing_if = "is_default")]
    pub call_recording: CallRecording,
    /// Outbound calling permission. A site's or the account's
    /// `outbound_calling` replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_calling: Option<OutboundCalling>,
    /// Voicemail notification.
    #[serde(default, skip_serializing_if = "is_default")]
    pub voicemail: Voicemail,
    /// The address given to emergency services: `site` (default) for the
    /// site's address, or a key of `addresses`.
    #[serde(default = "site_string", skip_serializing_if = "is_site")]
    #[schemars(length(min = 1, max = 64))]
    pub emergency_address: String,
    /// Internet fax number: a number of `phone_numbers` with `usage: fax`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internet_fax: Option<PhoneNumber>,
    /// Third-party CRM integration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm: Option<Crm>,
    /// Directory visibility.
    #[serde(default, skip_serializing_if = "is_default")]
    pub directory: Directory,
}

/// The fields a user must write itself: who the person is.
pub const IDENTITY: [&str; 3] = ["first_name", "last_name", "email"];

/// The schema requires a user's names and email, which serde defaults so
/// that a template can be read as a user.
fn require_identity(schema: &mut schemars::Schema) {
    schema.insert("required".into(), serde_json::json!(IDENTITY));
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

fn auto() -> Extension {
    Extension::Auto
}

fn is_auto(e: &Extension) -> bool {
    *e == Extension::Auto
}

/// Where a user writes one of its numbers or devices: the one-value field
/// (`phone_number`, `device`) or an item of the list form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub index: Option<usize>,
}

/// The values of a one-or-list field pair, with where each is written.
fn one_or_list<'a, T>(
    one: Option<&'a T>,
    one_name: &'static str,
    list: &'a [T],
    list_name: &'static str,
) -> impl Iterator<Item = (&'a T, Field)> {
    one.map(|v| {
        (
            v,
            Field {
                name: one_name,
                index: None,
            },
        )
    })
    .into_iter()
    .chain(list.iter().enumerate().map(move |(i, v)| {
        (
            v,
            Field {
                name: list_name,
                index: Some(i),
            },
        )
    }))
}

impl User {
    /// The user's direct numbers, primary first, with where each is written.
    pub fn numbers(&self) -> impl Iterator<Item = (&PhoneNumber, Field)> {
        one_or_list(
            self.phone_number.as_ref(),
            "phone_number",
            &self.phone_numbers,
            "phone_numbers",
        )
    }

    /// The primary number: what the caller ID shows by default.
    #[must_use]
    pub fn primary_number(&self) -> Option<&PhoneNumber> {
        self.numbers().next().map(|(n, _)| n)
    }

    /// The user's devices, with where each is written.
    pub fn device_keys(&self) -> impl Iterator<Item = (&String, Field)> {
        one_or_list(self.device.as_ref(), "device", &self.devices, "devices")
    }
}

/// The `emergency_address` value meaning "the user's site's address".
pub const SITE_ADDRESS: &str = "site";

fn site_string() -> String {
    SITE_ADDRESS.to_owned()
}

#[allow(clippy::ptr_arg)]
fn is_site(s: &String) -> bool {
    s == SITE_ADDRESS
}

/// Caller ID of outbound calls.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallerId {
    /// The number shown: a number of `phone_numbers`. Default: the user's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<PhoneNumber>,
    /// The name shown; the public network carries at most 15 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 15))]
    pub name: Option<String>,
    /// Hide the caller ID on outbound calls.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub block: bool,
}

/// Call recording.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRecording {
    /// The user's recording permission.
    #[serde(default, skip_serializing_if = "is_default")]
    pub mode: RecordingMode,
    /// Who hears a recording announcement. Default: nobody.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("uniqueItems" = true))]
    pub announce_to: Vec<Participant>,
}

/// Recording modes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordingMode {
    /// No recording.
    #[default]
    Off,
    /// The user starts and stops recording.
    OnDemand,
    /// Every call is recorded.
    Always,
    /// Every call is recorded; the user may pause.
    AlwaysAllowPause,
}

impl RecordingMode {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingMode::Off => "off",
            RecordingMode::OnDemand => "on_demand",
            RecordingMode::Always => "always",
            RecordingMode::AlwaysAllowPause => "always_allow_pause",
        }
    }
}

/// A participant of a call.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Participant {
    /// The user.
    User,
    /// The person the user talks with.
    OtherParty,
}

/// Outbound calling permission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboundCalling {
    /// The calling country. Default: the account's country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    /// Where calls may go.
    pub scope: OutboundScope,
}

/// Voicemail notification.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Voicemail {
    /// How new messages are notified.
    #[serde(default, skip_serializing_if = "is_default")]
    pub notification: VoicemailNotification,
    /// Where notifications go. Default: the user's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 5, max = 128),
        regex(pattern = r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    )]
    pub email: Option<String>,
}

/// Voicemail notification methods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VoicemailNotification {
    /// No notification.
    #[default]
    Disabled,
    /// An email with the message attached.
    AttachmentOnly,
}

impl VoicemailNotification {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            VoicemailNotification::Disabled => "disabled",
            VoicemailNotification::AttachmentOnly => "attachment_only",
        }
    }
}

/// A CRM integration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Crm {
    pub provider: CrmProvider,
    /// The user's name in the CRM.
    #[schemars(length(min = 1, max = 128))]
    pub username: String,
}

/// Supported CRMs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CrmProvider {
    Netsuite,
    Salesforce,
    Zendesk,
}

impl CrmProvider {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            CrmProvider::Netsuite => "netsuite",
            CrmProvider::Salesforce => "salesforce",
            CrmProvider::Zendesk => "zendesk",
        }
    }
}

/// Directory visibility.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    /// In the external directory that auto attendant callers reach by name.
    #[serde(default = "yes")]
    pub dial_by_name: bool,
    /// Visible to colleagues in directories.
    #[serde(default = "yes")]
    pub listed: bool,
    /// Which colleagues this user sees.
    #[serde(default, skip_serializing_if = "is_default")]
    pub scope: DirectoryScope,
}

impl Default for Directory {
    fn default() -> Self {
        Self {
            dial_by_name: true,
            listed: true,
            scope: DirectoryScope::default(),
        }
    }
}

fn yes() -> bool {
    true
}

/// Which colleagues a user sees in directories.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryScope {
    /// Everyone in the customer organisation.
    Customer,
    /// Everyone on the PBX.
    #[default]
    Pbx,
    /// Everyone on the user's site.
    Site,
}

impl DirectoryScope {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            DirectoryScope::Customer => "customer",
            DirectoryScope::Pbx => "pbx",
            DirectoryScope::Site => "site",
        }
    }
}
