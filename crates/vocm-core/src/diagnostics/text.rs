//! Human-readable diagnostics, rendered by miette with the offending source.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Diagnostic, Label, Location, Severity, escape_controls};
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
            message: format!("{}: {}", d.severity.as_str(), escape_controls(&d.message)),
            code: d.code.as_str(),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            help: (!d.help.is_empty()).then(|| escape_controls(&d.help).into_owned()),
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
                report.message = format!("{}\n  at {}", report.message, escape_controls(path));
                None
            }
            Location::None => None,
        };
        for label in &d.related {
            // Each related place gets a snippet of its own: miette would
            // render every line between two labels of one snippet.
            let _ = primary;
            let mut related = Self {
                message: escape_controls(&label.message).into_owned(),
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
        let window = self
            .source
            .get_or_insert_with(|| Window::around(file, label.span));
        let (start, end) = (window.shown(offset), window.shown(offset + len));
        let text =
            (!label.message.is_empty()).then(|| escape_controls(&label.message).into_owned());
        let span = SourceSpan::new(start.into(), end - start);
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
///
/// The lines are shown with their control characters as visible pictures
/// (ESC as `␛`): a binary file, or an escape sequence in a value, must not
/// reach the terminal raw. A picture is one character like the control it
/// stands for, so columns hold; it takes more bytes, so every offset given
/// to miette goes through [`Window::shown`].
#[derive(Debug)]
struct Window {
    name: String,
    /// The window's lines, controls replaced.
    text: String,
    /// Byte offset of the window in its file, on a line boundary.
    start: usize,
    /// Where the shown text grew: (byte offset in the window's original
    /// text, bytes added there), in order.
    grown: Vec<(usize, usize)>,
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
        // Past the last line, the end of the text: the last line's start
        // would cut off a last line that has no line break.
        let end = if last as usize > file.line_count() {
            file.text.len()
        } else {
            file.offset(Pos { line: last, col: 0 }).max(start)
        };
        let mut text = String::with_capacity(end - start);
        let mut grown = Vec::new();
        for (i, c) in file.text[start..end].char_indices() {
            let shown = picture(c);
            if shown.len_utf8() != c.len_utf8() {
                grown.push((i, shown.len_utf8() - c.len_utf8()));
            }
            text.push(shown);
        }
        Self {
            name: escape_controls(&file.display).into_owned(),
            text,
            start,
            grown,
            first_line: first as usize - 1,
        }
    }

    /// A byte offset of the file as an offset of what miette is shown
    /// (the window's text, placed at the window's offset).
    fn shown(&self, offset: usize) -> usize {
        let local = offset.saturating_sub(self.start);
        let grown: usize = self
            .grown
            .iter()
            .take_while(|(at, _)| *at < local)
            .map(|(_, by)| by)
            .sum();
        (self.start + local + grown).min(self.start + self.text.len())
    }
}

/// What a character of a snippet is shown as: a control as its picture
/// (U+2400…), other characters as they are. Line breaks and tabs are
/// layout, which miette handles.
fn picture(c: char) -> char {
    match c {
        '\n' | '\r' | '\t' => c,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        c if c.is_control() => '\u{fffd}',
        c => c,
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let at = span
            .offset()
            .saturating_sub(self.start)
            .min(self.text.len());
        let local = SourceSpan::new(at.into(), span.len().min(self.text.len() - at));
        let inner = self.text.read_span(&local, before, after)?;
        let offset = inner.span().offset() + self.start;
        // miette counts columns in bytes; diagnostics count characters.
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..at].chars().count();
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
