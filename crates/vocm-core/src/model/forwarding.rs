//! Call forwarding rules, shared by users and ring groups.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::destination::Destination;

/// Default no-answer delay, in seconds.
pub const DEFAULT_NO_ANSWER_SECONDS: u8 = 20;

/// Where calls go when they are not answered, per condition. A condition
/// left out sends calls to voicemail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Forwarding {
    /// Every call, before ringing anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always: Option<Destination>,
    /// When the line is busy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busy: Option<Destination>,
    /// When nobody answers: a destination (after 20 seconds) or
    /// `{to: DESTINATION, after_seconds: N}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_answer: Option<NoAnswer>,
    /// On a service interruption: the devices are unreachable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<Destination>,
}

/// A no-answer rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NoAnswer {
    /// A destination, reached after 20 seconds.
    To(Destination),
    /// A destination and the delay before it.
    Delayed(DelayedDestination),
}

/// A destination reached after a delay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelayedDestination {
    /// Where the call goes.
    pub to: Destination,
    /// Seconds of ringing before it goes there, 10 to 60.
    #[schemars(range(min = 10, max = 60))]
    #[serde(default = "default_delay")]
    pub after_seconds: u8,
}

fn default_delay() -> u8 {
    DEFAULT_NO_ANSWER_SECONDS
}

impl NoAnswer {
    #[must_use]
    pub fn destination(&self) -> &Destination {
        match self {
            NoAnswer::To(d) => d,
            NoAnswer::Delayed(d) => &d.to,
        }
    }

    #[must_use]
    pub fn after_seconds(&self) -> u8 {
        match self {
            NoAnswer::To(_) => DEFAULT_NO_ANSWER_SECONDS,
            NoAnswer::Delayed(d) => d.after_seconds,
        }
    }
}

/// A forwarding condition, for messages and the forwarding graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Condition {
    Always,
    Busy,
    NoAnswer,
    Unreachable,
}

impl Condition {
    pub const ALL: [Condition; 4] = [
        Condition::Always,
        Condition::Busy,
        Condition::NoAnswer,
        Condition::Unreachable,
    ];

    /// The manifest's field name.
    #[must_use]
    pub fn field(self) -> &'static str {
        match self {
            Condition::Always => "always",
            Condition::Busy => "busy",
            Condition::NoAnswer => "no_answer",
            Condition::Unreachable => "unreachable",
        }
    }
}

impl Forwarding {
    /// The destination set for a condition.
    #[must_use]
    pub fn get(&self, condition: Condition) -> Option<&Destination> {
        match condition {
            Condition::Always => self.always.as_ref(),
            Condition::Busy => self.busy.as_ref(),
            Condition::NoAnswer => self.no_answer.as_ref().map(NoAnswer::destination),
            Condition::Unreachable => self.unreachable.as_ref(),
        }
    }

    /// Every condition that is set, with its destination.
    pub fn rules(&self) -> impl Iterator<Item = (Condition, &Destination)> {
        Condition::ALL
            .into_iter()
            .filter_map(|c| self.get(c).map(|d| (c, d)))
    }
}
