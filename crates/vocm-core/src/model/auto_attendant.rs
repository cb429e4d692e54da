//! Auto attendants: a greeting and a keypad menu.

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
