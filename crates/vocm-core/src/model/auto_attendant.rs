//! Auto attendants: a greeting and a keypad menu, and with a schedule, a
//! menu for closed hours and one for holidays.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::destination::{Destination, MenuDestination};
use super::extension::Extension;
use super::phone::PhoneNumber;

/// An auto attendant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoAttendant {
    /// The attendant's name.
    #[schemars(length(min = 2, max = 64))]
    pub name: String,
    /// The attendant's site: a key of `sites`; optional when the account has one site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The attendant's extension.
    pub extension: Extension,
    /// The number that reaches the attendant: a number of `phone_numbers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<PhoneNumber>,
    /// The greeting played to callers (with a `schedule`, in open hours):
    /// a key of `audio_files`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    /// Keypad key (`0`-`9`, `*`, `#`) → destination; with a `schedule`,
    /// the open-hours menu.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[0-9*#]$"}))]
    pub menu: IndexMap<String, MenuDestination>,
    /// Where a caller who presses nothing goes (with a `schedule`, in open
    /// hours). Default: the call is dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Destination>,
    /// Business hours: a key of `schedules`. The greeting, menu and timeout
    /// above answer during open hours; `closed` and `holiday` answer at
    /// other times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// What answers outside the schedule's open hours. Default: the
    /// open-hours menu. Needs `schedule`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<StateMenu>,
    /// What answers on the schedule's holidays. Default: `closed`. Needs
    /// `schedule`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holiday: Option<StateMenu>,
}

/// The greeting, menu and timeout of one state of a schedule (closed
/// hours, holidays).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateMenu {
    /// The greeting played to callers: a key of `audio_files`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    /// Keypad key (`0`-`9`, `*`, `#`) → destination.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[0-9*#]$"}))]
    pub menu: IndexMap<String, MenuDestination>,
    /// Where a caller who presses nothing goes. Default: the call is dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Destination>,
}

impl AutoAttendant {
    /// The menus of schedule states the attendant writes, with their field
    /// (`closed`, `holiday`).
    pub fn state_menus(&self) -> impl Iterator<Item = (&'static str, &StateMenu)> {
        [("closed", &self.closed), ("holiday", &self.holiday)]
            .into_iter()
            .filter_map(|(field, m)| m.as_ref().map(|m| (field, m)))
    }
}
