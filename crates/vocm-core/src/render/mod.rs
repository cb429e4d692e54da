//! Renderers: plans as text (Terraform-like), JSON and Markdown, and call
//! paths in words. They only read what they are given.

pub mod json;
pub mod markdown;
pub mod mask;
pub mod paths;
pub mod route;
pub mod text;
mod tree;

use crate::plan::{Action, Change, Phase};
use rustc_hash::FxHashSet as HashSet;

/// The changes a reader sees: one per resource, grouped by kind and
/// sorted by key (the apply order, which interleaves kinds, is in the JSON
/// plan). A second-phase change is shown with the resource's first change,
/// whose field list already goes from the old value to the final one.
#[must_use]
pub fn visible(changes: &[Change]) -> Vec<&Change> {
    let mains: HashSet<&crate::account::ResourceId> = changes
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

/// The value each resource has after the whole plan: the `after` of its
/// last change that is not a delete (a references-phase change, when it has
/// one). Built once per rendering: looking it up per change would make
/// rendering quadratic in the size of the plan.
#[derive(Debug)]
pub struct Finals<'a> {
    after: rustc_hash::FxHashMap<&'a crate::account::ResourceId, &'a crate::account::Resource>,
}

impl<'a> Finals<'a> {
    #[must_use]
    pub fn new(changes: &'a [Change]) -> Self {
        let mut after = rustc_hash::FxHashMap::default();
        for c in changes {
            if c.action != Action::Delete
                && let Some(a) = c.after.as_deref()
            {
                after.insert(&c.id, a);
            }
        }
        Self { after }
    }

    /// The final value of the resource a change is about.
    #[must_use]
    pub fn of(&self, change: &'a Change) -> Option<&'a crate::account::Resource> {
        self.after
            .get(&change.id)
            .copied()
            .or(change.after.as_deref())
    }
}

/// "# user:alice will be updated in place".
#[must_use]
pub fn headline(change: &Change) -> String {
    match (change.action, change.old_id()) {
        (Action::Rename, Some(old)) => format!("{old} will be renamed to {}", change.id),
        (Action::Replace, Some(old)) => {
            format!(
                "{old} must be replaced by {} (it cannot be renamed)",
                change.id
            )
        }
        (Action::Replace, None) => format!("{} must be replaced", change.id),
        (a, _) => format!("{} will be {}", change.id, a.verb()),
    }
}
