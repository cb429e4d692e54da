//! Call-path changes as reviewers read them: the path before and the path
//! after, side by side where the width allows.

use crate::route::{PathChange, Route};

/// Widest line of a text plan a call-path comparison may take before it is
/// shown stacked instead of side by side.
pub const TEXT_WIDTH: usize = 120;

const GAP: &str = " │ ";

/// The lines of one side: the traced path, or why there is none.
#[must_use]
pub fn column(route: Option<&Route>) -> Vec<String> {
    route.map_or_else(
        || vec!["(nothing: no number or extension reaches it)".to_owned()],
        |r| super::route::text(r).lines().map(str::to_owned).collect(),
    )
}

/// The before and after paths in two columns under a `before │ after`
/// header, or `None` when they do not fit in `width` characters.
#[must_use]
pub fn side_by_side(change: &PathChange, width: usize) -> Option<Vec<String>> {
    let left = column(change.before.as_ref());
    let right = column(change.after.as_ref());
    let wide = |lines: &[String]| lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let left_width = wide(&left).max("before".len());
    if left_width + GAP.chars().count() + wide(&right) > width {
        return None;
    }
    let rows = left.len().max(right.len());
    let mut out = Vec::with_capacity(rows + 2);
    let pad = |s: &str| format!("{s}{}", " ".repeat(left_width - s.chars().count()));
    out.push(format!("{}{GAP}after", pad("before")));
    out.push(format!(
        "{}─┼─{}",
        "─".repeat(left_width),
        "─".repeat(wide(&right).max(5))
    ));
    for i in 0..rows {
        let l = left.get(i).map_or("", String::as_str);
        let r = right.get(i).map_or("", String::as_str);
        out.push(format!("{}{GAP}{r}", pad(l)).trim_end().to_owned());
    }
    Some(out)
}

/// The before and after paths one under the other.
#[must_use]
pub fn stacked(change: &PathChange) -> Vec<String> {
    let mut out = vec!["before:".to_owned()];
    out.extend(
        column(change.before.as_ref())
            .into_iter()
            .map(|l| format!("  {l}")),
    );
    out.push("after:".to_owned());
    out.extend(
        column(change.after.as_ref())
            .into_iter()
            .map(|l| format!("  {l}")),
    );
    out
}
