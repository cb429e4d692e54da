//! Ring groups: several users rung for one number or extension.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::extension::Extension;
use super::forwarding::Forwarding;
use super::phone::PhoneNumber;

/// A ring group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RingGroup {
    /// The group's name.
    #[schemars(length(min = 2, max = 64))]
    pub name: String,
    /// The group's site: a key of `sites`; optional when the account has one site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The group's extension.
    pub extension: Extension,
    /// Numbers that ring the group: numbers of `phone_numbers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<PhoneNumber>,
    /// Users rung, in ring order: keys of `users`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// How members are rung.
    #[serde(default, skip_serializing_if = "is_default")]
    pub strategy: RingStrategy,
    /// Seconds each member rings, 5 to 120.
    #[serde(default = "default_ring_timeout")]
    #[schemars(range(min = 5, max = 120))]
    pub ring_timeout_seconds: u8,
    /// Times the members are cycled through before the no-answer rule, 1 to 10.
    #[serde(default = "default_cycles")]
    #[schemars(range(min = 1, max = 10))]
    pub cycles: u8,
    /// Where calls go when the group does not answer them.
    #[serde(default, skip_serializing_if = "is_default")]
    pub forwarding: Forwarding,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// Default seconds each member rings.
pub const DEFAULT_RING_TIMEOUT: u8 = 20;

fn default_ring_timeout() -> u8 {
    DEFAULT_RING_TIMEOUT
}

fn default_cycles() -> u8 {
    1
}

/// How a ring group rings its members.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RingStrategy {
    /// All members at once.
    #[default]
    Simultaneous,
    /// One after another, always starting with the first.
    Sequential,
    /// One after another, starting after the member rung last.
    RoundRobin,
}

impl RingStrategy {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RingStrategy::Simultaneous => "simultaneous",
            RingStrategy::Sequential => "sequential",
            RingStrategy::RoundRobin => "round_robin",
        }
    }
}
