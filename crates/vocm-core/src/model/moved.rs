//! Renames: `moved: [{from: user:jdupont, to: user:jean.dupont}]`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a `moved` entry names: a resource of a kind that has a key of its
/// own (numbers are their key, the account has none).
pub const MOVED_PATTERN: &str =
    r"^(address|site|device|audio_file|user|ring_group|auto_attendant):[^\s:]+$";

/// A resource whose key changed: the plan renames it instead of deleting
/// it and creating another (which would lose a user's voicemail).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Moved {
    /// The old key, as `KIND:KEY` (e.g. `user:jdupont`).
    #[schemars(regex(pattern = MOVED_PATTERN))]
    pub from: String,
    /// The new key, as `KIND:KEY`, defined in the manifests.
    #[schemars(regex(pattern = MOVED_PATTERN))]
    pub to: String,
}
