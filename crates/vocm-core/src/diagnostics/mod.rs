//! Diagnostics: what vocm tells a user about their manifests (and, later,
//! about the account), with a stable code, a location and a hint.
//!
//! Every stage pushes into one [`Diagnostics`] list and carries on, so that a
//! run reports every problem at once. Renderers (text, JSON, GitHub) only read.

mod code;
pub mod github;
pub mod json;
pub mod text;

pub use code::Code;

use crate::source::{FileId, Span};

/// `s` with its control characters written out (`\t`, `\x1b`, `\u{9b}`),
/// line breaks kept: a message quotes keys and values from the manifests,
/// and an escape sequence there would drive the reader's terminal.
#[must_use]
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    use std::fmt::Write as _;
    if !s.chars().any(|c| c.is_control() && c != '\n') {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_ascii_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.into()
}

/// How bad it is. Warnings never fail a run unless `--deny-warnings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A place in a file, with what it shows there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// Where a diagnostic points. Most point at YAML; a few (a missing path, an
/// empty directory) only at a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Source(Label),
    Path(String),
    None,
}

/// One problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    pub location: Location,
    /// Other places that explain this one ("first defined here").
    pub related: Vec<Label>,
}

impl Diagnostic {
    #[must_use]
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            message: message.into(),
            help: String::new(),
            location: Location::None,
            related: Vec::new(),
        }
    }

    #[must_use]
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    /// Points the diagnostic at a span, labelled.
    #[must_use]
    pub fn at(mut self, file: FileId, span: Span, label: impl Into<String>) -> Self {
        self.location = Location::Source(Label {
            file,
            span,
            message: label.into(),
        });
        self
    }

    #[must_use]
    pub fn at_path(mut self, path: impl Into<String>) -> Self {
        self.location = Location::Path(path.into());
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    #[must_use]
    pub fn related(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    /// The primary label, if the diagnostic points into a source file.
    #[must_use]
    pub fn label(&self) -> Option<&Label> {
        match &self.location {
            Location::Source(label) => Some(label),
            _ => None,
        }
    }
}

/// The diagnostics of one run, in a stable order.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorts by file, then position, then code, so that output does not
    /// depend on the order rules ran in (rules run in parallel).
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| match &d.location {
                Location::Path(p) => (0u8, Some(p.clone()), None, None),
                Location::Source(l) => (
                    1,
                    None,
                    Some(l.file),
                    Some((l.span.start, l.span.end.line, l.span.end.col)),
                ),
                Location::None => (2, None, None, None),
            };
            key(a)
                .cmp(&key(b))
                .then(a.code.cmp(&b.code))
                .then_with(|| a.message.cmp(&b.message))
        });
        self.items.dedup();
    }

    #[must_use]
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}
