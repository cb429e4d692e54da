//! What every offline rule works with: the merged manifest, where each
//! value came from, and the list of diagnostics to push to.

use crate::diagnostics::{Code, Diagnostic};
use crate::manifest::{RawManifest, Seg};
use crate::model::{Manifest, Origin};
use crate::source::{FileId, Span};

use super::merge::Poisoned;

#[derive(Debug)]
pub struct Ctx<'a> {
    pub raw: &'a RawManifest,
    pub m: &'a Manifest,
    pub poisoned: &'a Poisoned,
    pub out: Vec<Diagnostic>,
    /// "Did you mean" compares a name with every candidate: it is for a
    /// few typos, not for thousands of renamed references, so only the
    /// first ones get a suggestion.
    pub suggestions_left: usize,
}

/// A path into a document: `loc!["users", key, "device"]`.
macro_rules! loc {
    ($($seg:expr),* $(,)?) => {
        &[$(crate::manifest::Seg::from($seg)),*][..]
    };
}

pub(crate) use loc;

impl<'a> Ctx<'a> {
    pub fn new(raw: &'a RawManifest, m: &'a Manifest, poisoned: &'a Poisoned) -> Self {
        Self {
            raw,
            m,
            poisoned,
            out: Vec::new(),
            suggestions_left: 100,
        }
    }

    /// The span of the value at a path.
    pub fn value(&self, origin: Origin, path: &[Seg<'_>]) -> (FileId, Span) {
        self.raw.value_span(origin, path)
    }

    /// The span of the key at a path.
    pub fn key(&self, origin: Origin, path: &[Seg<'_>]) -> (FileId, Span) {
        self.raw.key_span(origin, path)
    }

    /// An error at the value of a path.
    pub fn error(
        &mut self,
        code: Code,
        origin: Origin,
        path: &[Seg<'_>],
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        let (file, span) = self.value(origin, path);
        self.out.push(
            Diagnostic::error(code, message)
                .at(file, span, label)
                .help(help),
        );
    }

    /// The text of the value at a path, as written.
    pub fn text(&self, origin: Origin, path: &[Seg<'_>]) -> &str {
        let (file, span) = self.value(origin, path);
        self.raw.sources.get(file).slice(span)
    }

    /// Whether a reference to `section.key` that does not resolve should be
    /// reported: not when the resource exists but is broken, nor when a file
    /// could not be read (it might define it).
    pub fn should_report_missing(&self, section: &str, key: &str) -> bool {
        !self.raw.incomplete && !self.poisoned.contains(section, key)
    }
}
