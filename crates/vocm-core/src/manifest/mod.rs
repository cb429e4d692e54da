//! Loading manifests: files → YAML documents with spans.
//!
//! The result, [`RawManifest`], is untyped: validation turns it into a
//! [`crate::model::Manifest`]. Files are read and parsed in parallel.

mod discover;
pub mod limits;
mod load;
pub mod spans;
pub mod yaml;

pub use discover::discover;
pub use load::{load_bytes, load_paths};
pub use spans::{Found, Seg, SpanTree};

use crate::model::Origin;
use crate::source::{FileId, SourceMap, Span};

/// Where one YAML document's values are, and the file it is in.
#[derive(Debug)]
pub struct LoadedDocument {
    pub file: FileId,
    pub spans: SpanTree,
}

/// Every document of a manifest set, with its sources.
#[derive(Debug, Default)]
pub struct RawManifest {
    pub sources: SourceMap,
    /// Documents in path order; an [`Origin`] indexes this list.
    pub documents: Vec<LoadedDocument>,
    /// True when a file could not be read or parsed: what it defines is
    /// unknown, so "unknown reference" errors would be guesses.
    pub incomplete: bool,
}

impl RawManifest {
    /// The document a resource came from.
    #[must_use]
    pub fn document(&self, origin: Origin) -> &LoadedDocument {
        &self.documents[origin.0 as usize]
    }

    /// Finds a path in a document.
    #[must_use]
    pub fn find(&self, origin: Origin, path: &[Seg<'_>]) -> Option<(FileId, Found)> {
        let d = self.documents.get(origin.0 as usize)?;
        d.spans
            .find(self.sources.get(d.file), path)
            .map(|f| (d.file, f))
    }

    /// The span of the value at a path (or of the nearest enclosing node).
    #[must_use]
    pub fn value_span(&self, origin: Origin, path: &[Seg<'_>]) -> (FileId, Span) {
        self.find(origin, path).map_or(
            (self.document(origin).file, Span::default()),
            |(f, found)| (f, found.node.span),
        )
    }

    /// The span of the key at a path (or of the value when it has none).
    #[must_use]
    pub fn key_span(&self, origin: Origin, path: &[Seg<'_>]) -> (FileId, Span) {
        self.find(origin, path).map_or(
            (self.document(origin).file, Span::default()),
            |(f, found)| (f, found.key_or_value()),
        )
    }
}
