//! Diagnostics as GitHub Actions workflow commands, so that each lands on the
//! pull request's line: `::error file=F,line=L,col=C,title=CODE::message`.

use std::fmt::Write as _;

use super::{Diagnostic, Location, Severity, escape_controls};
use crate::source::SourceMap;

/// Renders one workflow command per diagnostic.
#[must_use]
pub fn render<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    sources: &SourceMap,
) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        match &d.location {
            Location::Source(label) => {
                props.push(format!(
                    "file={}",
                    property(&sources.get(label.file).display)
                ));
                props.push(format!("line={}", label.span.start.line));
                props.push(format!("col={}", label.span.start.col + 1));
                if label.span.end.line > label.span.start.line {
                    props.push(format!("endLine={}", label.span.end.line));
                } else if label.span.end.col > label.span.start.col {
                    props.push(format!("endColumn={}", label.span.end.col + 1));
                }
            }
            Location::Path(p) => props.push(format!("file={}", property(p))),
            Location::None => {}
        }
        props.push(format!("title={}", property(d.code.as_str())));
        let mut message = d.message.clone();
        if !d.help.is_empty() {
            let _ = write!(message, "\nhelp: {}", d.help);
        }
        let _ = writeln!(out, "::{level} {}::{}", props.join(","), data(&message));
    }
    out
}

/// Escapes a command's message as the GitHub runner expects (and its
/// control characters, which the runner's log would pass to a terminal).
fn data(s: &str) -> String {
    escape_controls(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: data escapes plus `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("vocm::a,b"), "vocm%3A%3Aa%2Cb");
        assert_eq!(data("a\x1b[31mb"), "a\\x1b[31mb");
    }
}
