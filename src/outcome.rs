//! How a run ends, and the exit code that says so.

/// What a command reports to `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: invalid input, refused or failed operation.
    Failure,
    /// Exit 2: `--detailed-exitcode` and the plan has changes.
    Changes,
    /// Exit 130: interrupted.
    Interrupted,
}

impl Outcome {
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Failure => 1,
            Outcome::Changes => 2,
            Outcome::Interrupted => 130,
        }
    }
}
