//! The output contract, in one place: stdout carries exactly one document
//! of the format asked for, and nothing else; diagnostics are printed once
//! per run. For `validate` the diagnostics are that document; for every
//! other command they go to stderr, in every format (GitHub reads
//! annotations from either stream).

use vocm_core::diagnostics::{Diagnostic, github, json, text};
use vocm_core::engine::Findings;

use std::io::{IsTerminal as _, Write as _};

use crate::options::{DiagnosticFormat, Global};
use crate::outcome::Outcome;

/// One command's run: its options and the diagnostics it collects.
#[derive(Debug)]
pub struct Run<'a> {
    pub global: &'a Global,
    pub style: Style,
    pub findings: Findings,
}

impl<'a> Run<'a> {
    #[must_use]
    pub fn new(global: &'a Global, style: Style) -> Self {
        Self {
            global,
            style,
            findings: Findings::new(),
        }
    }

    /// The diagnostics format the options ask for.
    #[must_use]
    pub fn format(&self) -> DiagnosticFormat {
        self.global.diagnostics.unwrap_or(DiagnosticFormat::Text)
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.findings.push(d);
    }

    /// Adds one error and answers the failure to exit with.
    pub fn fail(&mut self, d: Diagnostic) -> Outcome {
        self.push(d);
        Outcome::Failure
    }

    /// The provider the options name, or the error why not (collected).
    pub fn provider(&mut self) -> Option<Box<dyn vocm_core::provider::Provider>> {
        match self.global.provider() {
            Ok(p) => Some(p),
            Err(e) => {
                self.push(e.diagnostic());
                None
            }
        }
    }

    /// A progress line on stderr (`--verbose` only).
    pub fn verbose(&self, line: &str) {
        if self.style.verbose {
            print_stderr(&format!("{line}\n"));
        }
    }

    /// Prints what was collected to stderr, in the chosen format, and
    /// forgets it: for the moment before a question, where the reader must
    /// see the warnings first.
    pub fn flush(&mut self) {
        let findings = std::mem::take(&mut self.findings.diagnostics);
        if findings.is_empty() {
            return;
        }
        let sources = &self.findings.sources;
        let rendered = match self.format() {
            DiagnosticFormat::Text => text::render_all(findings.iter(), sources, self.style.text()),
            DiagnosticFormat::Json => json::render(findings.iter(), sources),
            DiagnosticFormat::Github => github::render(findings.iter(), sources),
        };
        print_stderr(&rendered);
    }

    /// Ends the run: the diagnostics to stderr, then the document (if any)
    /// to stdout. Answers `outcome`.
    pub fn finish(mut self, document: Option<&str>, outcome: Outcome) -> Outcome {
        self.flush();
        if let Some(doc) = document {
            print_stdout(doc);
        }
        outcome
    }

    /// [`Run::finish`] with a document written as it is rendered.
    pub fn finish_streamed(
        mut self,
        document: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
        outcome: Outcome,
    ) -> Outcome {
        self.flush();
        stream_stdout(document);
        outcome
    }
}

/// How output looks, decided once from flags, environment and terminal.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Colour on stderr (diagnostics, progress).
    pub color: bool,
    /// Colour on stdout (plans).
    pub color_out: bool,
    pub width: usize,
    /// The width of stdout: `COLUMNS`, else the terminal's, else 100.
    pub width_out: usize,
    pub quiet: bool,
    pub verbose: bool,
}

impl Style {
    #[must_use]
    pub fn from_global(g: &Global) -> Self {
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .filter(|w| *w >= 40);
        let width = columns.unwrap_or(100);
        // A plan may be wider than diagnostics: on a wide terminal, call
        // paths go side by side.
        let width_out = columns
            .or_else(|| {
                std::io::stdout()
                    .is_terminal()
                    .then(|| terminal_size::terminal_size_of(std::io::stdout()))
                    .flatten()
                    .map(|(w, _)| usize::from(w.0))
            })
            .unwrap_or(100);
        Self {
            color: !g.no_color && !no_color_env && std::io::stderr().is_terminal(),
            color_out: !g.no_color && !no_color_env && std::io::stdout().is_terminal(),
            width,
            width_out,
            quiet: g.quiet,
            verbose: g.verbose,
        }
    }

    #[must_use]
    pub fn color_stdout(&self) -> bool {
        self.color_out
    }

    #[must_use]
    pub fn text(&self) -> vocm_core::diagnostics::text::TextStyle {
        vocm_core::diagnostics::text::TextStyle {
            color: self.color,
            width: self.width,
        }
    }
}

/// Writes to stdout; a closed pipe (`vocm schema | head`) is not an error.
pub fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes to stderr, ignoring a closed pipe.
pub fn print_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Streams a document to stdout as `write` produces it, ignoring a closed
/// pipe like [`print_stdout`]: for documents too large to build first.
pub fn stream_stdout(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) {
    let mut out = std::io::stdout().lock();
    let _ = write(&mut out).and_then(|()| out.flush());
}

/// Streams to stderr, ignoring a closed pipe.
pub fn stream_stderr(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) {
    let mut err = std::io::stderr().lock();
    let _ = write(&mut err).and_then(|()| err.flush());
}
