//! Diagnostics as JSON (SPEC §3): an array, `[]` when clean. The shape is
//! described by the committed `schemas/diagnostics.schema.json`.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Diagnostic, Label, Location};
use crate::source::SourceMap;

/// One diagnostic in the JSON format. Lines and columns are 1-based, columns
/// count characters; the end position is exclusive.
#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonDiagnostic {
    /// The stable code, e.g. `vocm::forwarding::loop`.
    pub code: &'static str,
    /// `error` or `warning`.
    pub severity: JsonSeverity,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// The file, relative to the working directory where possible; `null`
    /// when the problem has no file (e.g. a missing account section).
    pub file: Option<String>,
    /// 1-based line of the start; `null` when the problem is a whole file or path.
    pub line: Option<u32>,
    /// 1-based column (in characters) of the start.
    pub column: Option<u32>,
    /// 1-based line of the end.
    pub end_line: Option<u32>,
    /// 1-based column (in characters) just after the end.
    pub end_column: Option<u32>,
    /// Other places that explain this one.
    pub related: Vec<JsonRelated>,
}

/// `error` or `warning`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JsonSeverity {
    Error,
    Warning,
}

/// A related place ("first defined here").
#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonRelated {
    pub message: String,
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
}

/// Converts diagnostics to their JSON form.
#[must_use]
pub fn to_json<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    sources: &SourceMap,
) -> Vec<JsonDiagnostic> {
    diagnostics
        .into_iter()
        .map(|d| {
            let (file, start, end) = match &d.location {
                Location::Source(Label { file, span, .. }) => (
                    Some(sources.get(*file).display.clone()),
                    Some(span.start),
                    Some(span.end),
                ),
                Location::Path(p) => (Some(p.clone()), None, None),
                Location::None => (None, None, None),
            };
            JsonDiagnostic {
                code: d.code.as_str(),
                severity: match d.severity {
                    super::Severity::Error => JsonSeverity::Error,
                    super::Severity::Warning => JsonSeverity::Warning,
                },
                message: d.message.clone(),
                help: d.help.clone(),
                file,
                line: start.map(|p| p.line),
                column: start.map(|p| p.col + 1),
                end_line: end.map(|p| p.line),
                end_column: end.map(|p| p.col + 1),
                related: d
                    .related
                    .iter()
                    .map(|l| JsonRelated {
                        message: l.message.clone(),
                        file: sources.get(l.file).display.clone(),
                        line: l.span.start.line,
                        column: l.span.start.col + 1,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The JSON Schema of the format, committed as `schemas/diagnostics.schema.json`.
#[must_use]
pub fn schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Vec<JsonDiagnostic>).to_value();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("title".into(), "vocm diagnostics".into());
        obj.insert(
            "description".into(),
            "The diagnostics printed by `vocm validate --format json` and `--diagnostics json`."
                .into(),
        );
    }
    schema
}

/// Renders the array, pretty-printed, with a trailing newline.
#[must_use]
pub fn render<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    sources: &SourceMap,
) -> String {
    let mut s = serde_json::to_string_pretty(&to_json(diagnostics, sources))
        .unwrap_or_else(|_| "[]".to_owned());
    s.push('\n');
    s
}
