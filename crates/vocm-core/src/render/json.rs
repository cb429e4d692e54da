//! Plans as JSON: the plan file format, without audio content.

use crate::plan::file::PlanFile;

/// Renders a plan file as pretty JSON with a trailing newline.
#[must_use]
pub fn render(plan: &PlanFile) -> String {
    let mut s = serde_json::to_string_pretty(plan).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}
