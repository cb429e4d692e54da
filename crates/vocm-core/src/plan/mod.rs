//! Plans: what must change in the account to make it match the manifests.
//!
//! [`plan`] is pure — (desired, current) → [`Plan`] — with no I/O, no clock
//! and no randomness; that is what makes it property-testable and fast.

pub mod desired;
mod diff;
pub mod file;
mod order;

use rustc_hash::FxHashSet as HashSet;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::account::{Account, Kind, Resource, ResourceId};

pub use diff::{FieldChange, claims, loss, references, update_replace_note};
pub use order::CYCLE_NOTE;

/// What happens to a resource.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    /// Delete and create again: the API cannot make the change in place.
    Replace,
    Delete,
    /// The same resource under a new key (a `moved` entry), changed in
    /// place with whatever else changes.
    Rename,
}

impl Action {
    /// Terraform's symbols: `+`, `~`, `-/+`, `-`.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update | Action::Rename => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }

    #[must_use]
    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "created",
            Action::Update => "updated in place",
            Action::Replace => "replaced",
            Action::Delete => "deleted",
            Action::Rename => "renamed in place",
        }
    }
}

/// One change to one resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    /// The resource.
    pub id: ResourceId,
    pub action: Action,
    /// The resource before (updates, replaces, deletes). Boxed, as is
    /// `after`: a resource inline would make every change as large as the
    /// largest kind (a user) twice over, a number's creation included —
    /// most of an apply's memory from an empty account.
    pub before: Option<Box<Resource>>,
    /// The resource after (creates, updates, replaces). For a first-phase
    /// change it is an intermediate value; `deferred` says what is left.
    pub after: Option<Box<Resource>>,
    /// Field by field, old → new, for updates, replaces and renames;
    /// empty for a create (`after` is the whole resource) and a delete
    /// (`before`).
    pub fields: Vec<FieldChange>,
    /// Why a replace is a replace, and what it loses; why an unchanged
    /// resource is touched.
    pub notes: Vec<String>,
    /// Indexes of the changes that must succeed before this one.
    pub depends_on: Vec<usize>,
    /// Which step of the resource's change this is; most changes are the
    /// `main` one.
    #[serde(default, skip_serializing_if = "Phase::is_main")]
    pub phase: Phase,
    /// The key the resource had (a rename, or the replace of a resource
    /// the provider cannot rename): it is gone after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<String>,
}

impl Change {
    /// A change of `id` that carries nothing yet: no resources, fields,
    /// notes or dependencies, in the main phase. What the planner fills
    /// in, and what tests of the executor and progress need as it is.
    #[must_use]
    pub fn bare(id: ResourceId, action: Action) -> Self {
        Self {
            id,
            action,
            before: None,
            after: None,
            fields: Vec::new(),
            notes: Vec::new(),
            depends_on: Vec::new(),
            phase: Phase::Main,
            moved_from: None,
        }
    }

    /// The id the resource had before a rename.
    #[must_use]
    pub fn old_id(&self) -> Option<ResourceId> {
        self.moved_from
            .as_ref()
            .map(|k| ResourceId::new(self.id.kind, k))
    }
}

/// The steps a resource's change may take.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Drops references to resources deleted by the plan, before the
    /// deletes (and before the main change, when the two would wait for
    /// each other).
    Unlink,
    /// The change itself.
    #[default]
    Main,
    /// Sets references to resources the plan creates after this one
    /// (forwarding to ring groups and attendants, menus).
    References,
}

impl Phase {
    #[must_use]
    pub fn is_main(&self) -> bool {
        *self == Phase::Main
    }
}

/// A mass deletion the plan would make: more than 10 % of a kind, and more
/// than two resources (replaces count).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MassDelete {
    pub kind: Kind,
    pub deleted: usize,
    pub existing: usize,
}

/// Options that change what a plan contains.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Delete resources the manifests do not list (`account.prune`).
    pub prune: bool,
    /// Only these resources and what they depend on (`--target`); empty
    /// means all.
    pub targets: Vec<ResourceId>,
    /// Renames (`moved`: from → to). Applied where the current account has
    /// `from` and not `to`, and the desired one `to` and not `from`.
    pub moves: Vec<(ResourceId, ResourceId)>,
    /// Kinds the provider cannot rename in place: their moves are replaces.
    pub fixed_keys: Vec<Kind>,
    /// Kinds the provider cannot update in place: their updates are
    /// replaces.
    pub replaced_on_update: Vec<Kind>,
}

/// An ordered list of changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Resources of the account the manifests do not list, which stay
    /// because `prune` is off: not changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<Kept>,
}

/// How many resources of a kind are not in the manifests and stay in the
/// account (prune is off), and the first few keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Kept {
    pub kind: Kind,
    pub count: usize,
    /// The first keys, in key order (at most [`KEPT_SHOWN`]).
    pub keys: Vec<String>,
}

/// How many keys of a kind [`Kept`] names.
pub const KEPT_SHOWN: usize = 5;

/// What `current` holds that `desired` does not list, by kind (numbers
/// aside: they are never released), leaving out renamed keys.
fn kept(desired: &Account, current: &Account, options: &Options) -> Vec<Kept> {
    if options.prune || !options.targets.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Kept> = Vec::new();
    let mut kind = |kind: Kind, keys: &mut dyn Iterator<Item = &String>| {
        let mut k = Kept {
            kind,
            count: 0,
            keys: Vec::new(),
        };
        for key in keys {
            if options
                .moves
                .iter()
                .any(|(from, _)| from.kind == kind && from.key == *key)
            {
                continue;
            }
            k.count += 1;
            if k.keys.len() < KEPT_SHOWN {
                k.keys.push(key.clone());
            }
        }
        if k.count > 0 {
            out.push(k);
        }
    };
    macro_rules! unlisted {
        ($kind:expr, $field:ident) => {
            kind(
                $kind,
                &mut current
                    .$field
                    .keys()
                    .filter(|k| !desired.$field.contains_key(*k)),
            )
        };
    }
    unlisted!(Kind::Address, addresses);
    unlisted!(Kind::Site, sites);
    unlisted!(Kind::Device, devices);
    unlisted!(Kind::AudioFile, audio_files);
    unlisted!(Kind::User, users);
    unlisted!(Kind::RingGroup, ring_groups);
    unlisted!(Kind::AutoAttendant, auto_attendants);
    out
}

/// How many changes of each action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub replace: usize,
    pub destroy: usize,
}

impl Plan {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Counts as Terraform does: a replace is one add and one destroy.
    #[must_use]
    pub fn summary(&self) -> Summary {
        self.summary_of(|_| true)
    }

    /// The same counts over the changes `keep` selects by index: what an
    /// apply did, counted as its plan was, so that the two lines agree.
    #[must_use]
    pub fn summary_of(&self, keep: impl Fn(usize) -> bool) -> Summary {
        let mut s = Summary::default();
        let mains = self.mains();
        for (i, c) in self.changes.iter().enumerate() {
            if !keep(i) {
                continue;
            }
            match c.action {
                // Unlinks and reference updates belong to a change already counted.
                _ if c.phase != Phase::Main && mains.contains(&c.id) => {}
                Action::Create => s.add += 1,
                Action::Update | Action::Rename => s.change += 1,
                Action::Replace => {
                    s.replace += 1;
                    s.add += 1;
                    s.destroy += 1;
                }
                Action::Delete => s.destroy += 1,
            }
        }
        s
    }

    /// How many changes are a second step of a resource's change
    /// (references set after a create, an unlink before a delete): applied
    /// on their own, but counted with the change they belong to.
    #[must_use]
    pub fn hidden_steps(&self) -> usize {
        let mains = self.mains();
        self.changes
            .iter()
            .filter(|c| c.phase != Phase::Main && mains.contains(&c.id))
            .count()
    }

    fn mains(&self) -> HashSet<&ResourceId> {
        self.changes
            .iter()
            .filter(|c| c.phase == Phase::Main)
            .map(|c| &c.id)
            .collect()
    }

    /// Kinds the plan deletes more than 10 % of (and more than 2).
    #[must_use]
    pub fn mass_deletes(&self, current: &Account) -> Vec<MassDelete> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            let deleted = self
                .changes
                .iter()
                .filter(|c| {
                    c.id.kind == kind && matches!(c.action, Action::Delete | Action::Replace)
                })
                .count();
            let existing = current.count(kind);
            if deleted > 2 && deleted * 10 > existing {
                out.push(MassDelete {
                    kind,
                    deleted,
                    existing,
                });
            }
        }
        out
    }

    /// Applies every change to an account, as a provider that succeeds at
    /// everything would. The property tests and the local provider use it.
    pub fn apply_to(&self, account: &mut Account) {
        for c in &self.changes {
            apply_change(account, c);
        }
    }
}

/// Applies one change to an account.
pub fn apply_change(account: &mut Account, change: &Change) {
    if let Some(old) = change.old_id() {
        account.set(&old, None);
    }
    account.set(&change.id, change.after.as_deref().cloned());
}

/// Computes the plan that turns `current` into `desired`.
#[must_use]
pub fn plan(desired: &Account, current: &Account, options: &Options) -> Plan {
    let changes = diff::changes(desired, current, options);
    let mut plan = order::order(changes, current);
    plan.kept = kept(desired, current, options);
    plan
}

#[cfg(test)]
mod tests;
