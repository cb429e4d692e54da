//! Postal addresses: of sites, and emergency addresses of users.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::country::Country;

/// A postal address. Addresses are immutable in the account: changing any
/// field creates a new address, repoints its sites and users, and deletes
/// the old one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street number and name.
    #[schemars(length(min = 1, max = 128))]
    pub street: String,
    /// Floor, suite or unit, given to emergency services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64))]
    pub secondary_location: Option<String>,
    #[schemars(length(min = 1, max = 64))]
    pub city: String,
    /// State, province or region, where the country uses one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64))]
    pub state: Option<String>,
    /// Postal code; quote it (`"01000"`) so that YAML keeps leading zeros.
    #[schemars(length(min = 1, max = 16))]
    pub postal_code: String,
    pub country: Country,
}
