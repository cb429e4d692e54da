//! Human-readable diagnostics, rendered by miette with the offending source.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Diagnostic, Label, Location, Severity};
use crate::source::SourceMap;

/// Rendering options; tests fix them so that snapshots are stable.
#[derive(Clone, Copy, Debug)]
pub struct TextStyle {
    pub color: bool,
    pub width: usize,
}

/// Renders every diagnostic, then a one-line summary, to a string.
#[must_use]
pub fn render_all<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    sources: &SourceMap,
    style: TextStyle,
) -> String {
    let mut out = String::new();
    let (mut errors, mut warnings) = (0, 0);
    for d in diagnostics {
        match d.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
        }
        out.push_str(&render(d, sources, style));
    }
    if errors + warnings > 0 {
        out.push_str(&summary(errors, warnings));
        out.push('\n');
    }
    out
}

/// "2 errors, 1 warning".
#[must_use]
pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// Renders one diagnostic.
#[must_use]
pub fn render(d: &Diagnostic, sources: &SourceMap, style: TextStyle) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_show_related_as_nested(true)
        .with_wrap_lines(false)
        .with_context_lines(1);
    let report = Report::new(d, sources);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // Rendering into a String cannot fail short of a bug in miette; fall
        // back to the bare message rather than lose the diagnostic.
        out = format!("{}[{}]: {}\n", d.severity.as_str(), d.code, d.message);
    }
    out.push('\n');
    out
}

/// A diagnostic as miette sees it: the severity spelled out in words before
/// the message, so that no reader depends on a glyph or a colour.
struct Report {
    message: String,
    code: &'static str,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Window>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &SourceMap) -> Self {
        let mut report = Self {
            message: format!("{}: {}", d.severity.as_str(), d.message),
            code: d.code.as_str(),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            help: (!d.help.is_empty()).then(|| d.help.clone()),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        };
        let primary = match &d.location {
            Location::Source(label) => {
                report.attach(label, sources, true);
                Some(label.file)
            }
            Location::Path(path) => {
                report.message = format!("{}\n  at {path}", report.message);
                None
            }
            Location::None => None,
        };
        for label in &d.related {
            // Each related place gets a snippet of its own: miette would
            // render every line between two labels of one snippet.
            let _ = primary;
            let mut related = Self {
                message: label.message.clone(),
                code: "",
                severity: miette::Severity::Advice,
                help: None,
                source: None,
                labels: Vec::new(),
                related: Vec::new(),
            };
            related.attach(label, sources, true);
            // The message is the header already; the snippet only marks.
            related.labels = related
                .labels
                .drain(..)
                .map(|l| LabeledSpan::new_primary_with_span(None, *l.inner()))
                .collect();
            report.related.push(related);
        }
        report
    }

    fn attach(&mut self, label: &Label, sources: &SourceMap, primary: bool) {
        let file = sources.get(label.file);
        let (offset, len) = file.byte_range(label.span);
        if self.source.is_none() {
            self.source = Some(Window::around(file, label.span));
        }
        let text = (!label.message.is_empty()).then(|| label.message.clone());
        let span = SourceSpan::new(offset.into(), len);
        self.labels.push(if primary {
            LabeledSpan::new_primary_with_span(text, span)
        } else {
            LabeledSpan::new_with_span(text, span)
        });
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = _>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

/// The few lines of a file around a label: what miette shows. Giving miette
/// the whole file would make it scan from the top for every diagnostic —
/// quadratic when a large file has thousands of them.
#[derive(Debug)]
struct Window {
    name: String,
    text: std::sync::Arc<str>,
    /// Byte range of the window in `text`, on line boundaries.
    start: usize,
    end: usize,
    /// 0-based number of the window's first line.
    first_line: usize,
}

impl Window {
    /// Lines around `span`, more than miette's context needs.
    fn around(file: &crate::source::SourceFile, span: crate::source::Span) -> Self {
        use crate::source::Pos;
        const MARGIN: u32 = 3;
        let first = span.start.line.saturating_sub(MARGIN).max(1);
        let last = span.end.line.saturating_add(MARGIN + 1);
        let start = file.offset(Pos {
            line: first,
            col: 0,
        });
        let end = file.offset(Pos { line: last, col: 0 }).max(start);
        Self {
            name: file.display.clone(),
            text: file.text.clone(),
            start,
            end,
            first_line: first as usize - 1,
        }
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let window = &self.text[self.start..self.end];
        let local = SourceSpan::new(
            span.offset()
                .saturating_sub(self.start)
                .min(window.len())
                .into(),
            span.len(),
        );
        let inner = window.read_span(&local, before, after)?;
        let offset = inner.span().offset() + self.start;
        // miette counts columns in bytes; diagnostics count characters.
        let line_start = self.text[..span.offset().min(self.text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let column = self.text[line_start..span.offset().min(self.text.len())]
            .chars()
            .count();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(offset.into(), inner.span().len()),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}
