//! Resource by resource: what differs between desired and current, and
//! whether the API can make the change in place.

use std::collections::{BTreeSet, HashSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Action, Change, Options};
use crate::account::{Account, Kind, Resource, ResourceId};
use crate::model::Destination;

/// One field that changes, by its dotted path (`forwarding.busy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FieldChange {
    pub path: String,
    /// Absent when the field appears.
    pub old: Option<Value>,
    /// Absent when the field disappears.
    pub new: Option<Value>,
}

/// Field-level differences of two JSON values. Objects are walked; lists
/// and scalars compare whole (renderers diff lists line by line).
#[must_use]
pub fn fields(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", old, new, &mut out);
    out
}

fn walk(path: &str, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            // Keep the struct's field order, not the alphabet's.
            let mut ordered: Vec<&String> = b.keys().filter(|k| keys.contains(k)).collect();
            ordered.extend(a.keys().filter(|k| !b.contains_key(*k)));
            for k in ordered {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => walk(&p, x, y, out),
                    (x, y) => out.push(FieldChange {
                        path: p,
                        old: x.filter(|v| !v.is_null()).cloned(),
                        new: y.filter(|v| !v.is_null()).cloned(),
                    }),
                }
            }
        }
        _ if old == new => {}
        _ => out.push(FieldChange {
            path: path.to_owned(),
            old: (!old.is_null()).then(|| old.clone()),
            new: (!new.is_null()).then(|| new.clone()),
        }),
    }
}

/// What a replace of each kind loses, in words.
fn replace_note(id: &ResourceId, before: &Resource, after: &Resource) -> Option<String> {
    match (before, after) {
        (Resource::User(b), Resource::User(a)) if b.site != a.site => Some(format!(
            "the site changes from `{}` to `{}`, and the provisioning API cannot move a user: {id} is deleted and created again, losing its voicemail messages, call history and device registration",
            b.site, a.site
        )),
        (Resource::Site(b), Resource::Site(a)) if b.pbx != a.pbx => Some(format!(
            "the PBX changes from `{}` to `{}`: {id} is deleted and created again, with the users, ring groups and auto attendants of the site",
            b.pbx, a.pbx
        )),
        (Resource::Address(_), Resource::Address(_)) => Some(format!(
            "addresses cannot change in place: a new address is created, the sites and users that use {id} are repointed to it, and the old one is deleted"
        )),
        _ => None,
    }
}

/// The site of a resource that lives on one.
fn site_of(r: &Resource) -> Option<&str> {
    match r {
        Resource::User(u) => Some(&u.site),
        Resource::RingGroup(g) => Some(&g.site),
        Resource::AutoAttendant(a) => Some(&a.site),
        _ => None,
    }
}

/// The raw changes, in no particular order.
pub fn changes(desired: &Account, current: &Account, options: &Options) -> Vec<Change> {
    let mut ids: BTreeSet<ResourceId> = desired.ids().into_iter().collect();
    ids.extend(current.ids());
    let mut out = Vec::new();
    let mut replaced_sites = HashSet::new();
    // Sites first, so that what lives on a replaced site is replaced too.
    let mut ordered: Vec<ResourceId> = ids.into_iter().collect();
    ordered.sort_by_key(|id| (id.kind, id.key.clone()));
    for id in ordered {
        let (after, before) = (desired.get(&id), current.get(&id));
        let change = match (before, after) {
            (None, Some(a)) => Some(Change {
                fields: fields(&Value::Null, &a.to_json()),
                id,
                action: Action::Create,
                before: None,
                after: Some(a),
                notes: Vec::new(),
                depends_on: Vec::new(),
                phase: crate::plan::Phase::Main,
            }),
            (Some(b), None) => {
                // Numbers are never released: losing one is irreversible.
                let deletable =
                    options.prune && !matches!(id.kind, Kind::PhoneNumber | Kind::Account);
                deletable.then(|| Change {
                    fields: Vec::new(),
                    id,
                    action: Action::Delete,
                    before: Some(b),
                    after: None,
                    notes: Vec::new(),
                    depends_on: Vec::new(),
                    phase: crate::plan::Phase::Main,
                })
            }
            (Some(b), Some(a)) => {
                let cascade = site_of(&a)
                    .filter(|s| replaced_sites.contains(*s))
                    .map(|s| format!("its site `{s}` is replaced, so {id} is deleted and created again on the new site, losing its voicemail messages and call history"));
                if b == a && cascade.is_none() {
                    None
                } else {
                    let note = replace_note(&id, &b, &a).or(cascade);
                    let action = if note.is_some() {
                        Action::Replace
                    } else {
                        Action::Update
                    };
                    if action == Action::Replace && id.kind == Kind::Site {
                        replaced_sites.insert(id.key.clone());
                    }
                    Some(Change {
                        fields: fields(&b.to_json(), &a.to_json()),
                        id,
                        action,
                        before: Some(b),
                        after: Some(a),
                        notes: note.into_iter().collect(),
                        depends_on: Vec::new(),
                        phase: crate::plan::Phase::Main,
                    })
                }
            }
            (None, None) => None,
        };
        out.extend(change);
    }
    touch_dependents_of_replaced(&mut out, desired, current);
    if !options.targets.is_empty() {
        let keep = closure(&options.targets, desired);
        out.retain(|c| keep.contains(&c.id));
    }
    out
}

/// A replaced resource gets a new identity in the API: resources that keep
/// referring to it are updated so that they point at the new one.
fn touch_dependents_of_replaced(changes: &mut Vec<Change>, desired: &Account, current: &Account) {
    let replaced: HashSet<ResourceId> = changes
        .iter()
        .filter(|c| c.action == Action::Replace)
        .map(|c| c.id.clone())
        .collect();
    if replaced.is_empty() {
        return;
    }
    let touched: HashSet<ResourceId> = changes.iter().map(|c| c.id.clone()).collect();
    for id in desired.ids() {
        if touched.contains(&id) {
            continue;
        }
        let Some(r) = desired.get(&id) else { continue };
        let targets: Vec<ResourceId> = references(&r)
            .into_iter()
            .filter(|t| replaced.contains(t))
            .collect();
        if targets.is_empty() {
            continue;
        }
        let names: Vec<String> = targets.iter().map(ToString::to_string).collect();
        changes.push(Change {
            fields: Vec::new(),
            before: current.get(&id),
            after: Some(r),
            action: Action::Update,
            notes: vec![format!(
                "unchanged, but repointed to the new {} after its replace",
                names.join(", ")
            )],
            id,
            depends_on: Vec::new(),
            phase: crate::plan::Phase::Main,
        });
    }
}

/// What a resource refers to (that must exist for it to exist).
#[must_use]
pub fn references(r: &Resource) -> Vec<ResourceId> {
    let mut out = Vec::new();
    let number = |n: &crate::model::PhoneNumber| ResourceId::new(Kind::PhoneNumber, n.as_str());
    let dest = |d: &Destination| {
        d.target().map(|(section, key)| {
            let kind = match section {
                "users" => Kind::User,
                "ring_groups" => Kind::RingGroup,
                _ => Kind::AutoAttendant,
            };
            ResourceId::new(kind, key)
        })
    };
    match r {
        Resource::Site(s) => {
            out.push(ResourceId::new(Kind::Address, &s.address));
            out.extend(s.main_number.iter().map(number));
        }
        Resource::User(u) => {
            out.push(ResourceId::new(Kind::Site, &u.site));
            out.push(number(&u.phone_number));
            out.push(ResourceId::new(Kind::Device, &u.device));
            out.push(number(&u.caller_id.number));
            out.extend(
                u.music_on_hold
                    .iter()
                    .map(|a| ResourceId::new(Kind::AudioFile, a)),
            );
            if u.emergency_address != crate::model::user::SITE_ADDRESS {
                out.push(ResourceId::new(Kind::Address, &u.emergency_address));
            }
            out.extend(u.internet_fax.iter().map(number));
            out.extend(u.forwarding.rules().filter_map(|(_, d)| dest(d)));
        }
        Resource::RingGroup(g) => {
            out.push(ResourceId::new(Kind::Site, &g.site));
            out.extend(g.phone_numbers.iter().map(number));
            out.extend(g.members.iter().map(|m| ResourceId::new(Kind::User, m)));
            out.extend(g.forwarding.rules().filter_map(|(_, d)| dest(d)));
        }
        Resource::AutoAttendant(a) => {
            out.push(ResourceId::new(Kind::Site, &a.site));
            out.extend(a.phone_number.iter().map(number));
            out.extend(
                a.greeting
                    .iter()
                    .map(|g| ResourceId::new(Kind::AudioFile, g)),
            );
            out.extend(a.menu.values().filter_map(|d| dest(&d.0)));
            out.extend(dest(&a.timeout));
        }
        _ => {}
    }
    out
}

/// The targets and everything they need, transitively.
fn closure(targets: &[ResourceId], desired: &Account) -> HashSet<ResourceId> {
    let mut seen: HashSet<ResourceId> = HashSet::new();
    let mut todo: Vec<ResourceId> = targets.to_vec();
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(r) = desired.get(&id) {
            todo.extend(references(&r));
        }
    }
    // The account's settings underlie everything.
    seen.insert(ResourceId::account());
    seen
}

/// Numbers, devices and extensions a resource holds (must be unique).
#[must_use]
pub fn claims(r: &Resource) -> Vec<String> {
    let mut out = Vec::new();
    match r {
        Resource::User(u) => {
            out.push(format!("number:{}", u.phone_number));
            out.push(format!("device:{}", u.device));
            out.push(format!("extension:{}", u.extension));
            out.extend(u.internet_fax.iter().map(|f| format!("number:{f}")));
        }
        Resource::RingGroup(g) => {
            out.extend(g.phone_numbers.iter().map(|n| format!("number:{n}")));
            out.push(format!("extension:{}", g.extension));
        }
        Resource::AutoAttendant(a) => {
            out.extend(a.phone_number.iter().map(|n| format!("number:{n}")));
            out.push(format!("extension:{}", a.extension));
        }
        _ => {}
    }
    out
}
