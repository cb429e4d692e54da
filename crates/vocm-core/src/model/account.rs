//! The account section: the PBX and the defaults of the whole set.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::country::Country;

/// Default number of digits in an extension.
pub const DEFAULT_EXTENSION_LENGTH: u8 = 4;

/// The account: defined at most once in the whole manifest set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The code name of the PBX all sites belong to. Changing it replaces
    /// every site.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"))]
    pub pbx: String,
    /// Default country of sites and users' outbound calling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    /// Digits in every extension, 2 to 8.
    #[serde(default = "default_extension_length")]
    #[schemars(range(min = 2, max = 8))]
    pub extension_length: u8,
    /// A PBX-level outbound calling scope that replaces users' own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_calling: Option<OutboundScope>,
    /// Delete resources of the account that the manifests do not list.
    /// Phone numbers are never released, even with prune.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prune: bool,
}

fn default_extension_length() -> u8 {
    DEFAULT_EXTENSION_LENGTH
}

/// Where outbound calls may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutboundScope {
    /// Calls within the calling country (and emergency calls).
    Domestic,
    /// Emergency calls only.
    EmergencyOnly,
    /// Any destination.
    International,
}

impl OutboundScope {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            OutboundScope::Domestic => "domestic",
            OutboundScope::EmergencyOnly => "emergency_only",
            OutboundScope::International => "international",
        }
    }
}
