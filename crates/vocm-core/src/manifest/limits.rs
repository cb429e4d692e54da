//! Input limits. Each is far above what a real account needs (a
//! 100,000-user account is about 66 MB of YAML and 3 million nodes) and far
//! below what would exhaust memory, so hostile input gets a diagnostic
//! instead of a crash or a hang. docs/reliability.md lists them.

/// Largest manifest file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Deepest nesting of mappings and sequences. A manifest needs six.
pub const MAX_DEPTH: usize = 64;

/// Most YAML nodes in one file, alias expansions included.
pub const MAX_NODES: usize = 10_000_000;

/// Most nodes that aliases may add to one file by repetition.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// Most bytes (roughly: strings, and a little per node) that aliases may
/// add to one file by repetition: one long string repeated is a bomb too.
pub const MAX_ALIAS_BYTES: usize = 64 * 1024 * 1024;
