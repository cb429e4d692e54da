//! Renderers: plans as text (Terraform-like), JSON and Markdown. They only
//! read what they are given.

pub mod json;
pub mod markdown;
pub mod text;
mod tree;

use crate::plan::{Action, Change, Phase};

/// The changes a reader sees: one per resource, grouped by kind and
/// sorted by key (the apply order, which interleaves kinds, is in the JSON
/// plan). A second-phase change is shown with the resource's first change,
/// whose field list already goes from the old value to the final one.
#[must_use]
pub fn visible(changes: &[Change]) -> Vec<&Change> {
    let mains: std::collections::HashSet<&crate::account::ResourceId> = changes
        .iter()
        .filter(|c| c.phase == Phase::Main)
        .map(|c| &c.id)
        .collect();
    let mut shown: Vec<&Change> = changes
        .iter()
        .filter(|c| {
            c.phase == Phase::Main || (c.phase == Phase::References && !mains.contains(&c.id))
        })
        .collect();
    shown.sort_by(|a, b| a.id.cmp(&b.id));
    shown
}

/// The final value of a resource after the whole plan (its second-phase
/// change when it has one).
#[must_use]
pub fn final_after<'a>(
    changes: &'a [Change],
    change: &'a Change,
) -> Option<&'a crate::account::Resource> {
    changes
        .iter()
        .rev()
        .find(|c| c.id == change.id && c.action != Action::Delete)
        .and_then(|c| c.after.as_ref())
        .or(change.after.as_ref())
}

/// "# user:alice will be updated in place".
#[must_use]
pub fn headline(change: &Change) -> String {
    match change.action {
        Action::Replace => format!("{} must be replaced", change.id),
        a => format!("{} will be {}", change.id, a.verb()),
    }
}
