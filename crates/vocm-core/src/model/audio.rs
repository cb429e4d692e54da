//! The account's audio library: music on hold, attendant greetings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Largest audio file the account accepts.
pub const MAX_AUDIO_BYTES: u64 = 10 * 1024 * 1024;

/// An audio file, uploaded from the repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AudioFile {
    /// Path of a WAV or MP3 file (at most 10 MiB), relative to the manifest
    /// file that declares it.
    #[schemars(length(min = 1, max = 1024))]
    pub file: String,
}
