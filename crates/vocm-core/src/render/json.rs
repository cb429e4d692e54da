//! Plans as JSON: the plan file format, without audio content.

use crate::plan::file::PlanFile;

/// Renders a plan file as pretty JSON with a trailing newline.
///
/// # Errors
/// When the plan cannot be serialized: the caller reports it rather than
/// print a document that is not the plan.
pub fn render(plan: &PlanFile) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(plan)?;
    s.push('\n');
    Ok(s)
}
