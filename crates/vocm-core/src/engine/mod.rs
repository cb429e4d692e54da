//! The engine: one entry point per job — [`prepare`] a plan, check and
//! [`apply`] it, [`export`] an account, trace a [`route`] — each returning a
//! typed report. Every
//! diagnostic of a run lands in one [`Findings`], which the caller prints
//! once, in one format, on one stream; nothing here prints.

pub mod apply;
mod capable;
mod export;
mod moves;
mod prepare;
mod route;

pub use export::{ExportOptions, Exported, export};
pub use prepare::{Places, Prepared, Read, Replaces, Timing, Want, prepare};
pub use route::{Routed, route};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::SourceMap;

/// Every diagnostic of a run, and the manifests they point into.
#[derive(Debug, Default)]
pub struct Findings {
    pub diagnostics: Diagnostics,
    /// The files the run read: diagnostics' spans point into them.
    pub sources: SourceMap,
}

impl Findings {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(ds);
    }

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }
}

/// An entry point stopped: why is in the run's [`Findings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed;
