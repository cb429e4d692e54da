//! Resource by resource: what differs between desired and current, and
//! whether the API can make the change in place.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Action, Change, Options};
use crate::account::{Account, Kind, Resource, ResourceId, View};
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

/// Why an update is a replace where the provider cannot update `id`'s kind
/// in place (the reference's users: its `PUT` is not implemented).
#[must_use]
pub fn update_replace_note(id: &ResourceId) -> String {
    format!(
        "the provider cannot update a {} in place: {id} is deleted and created again with the new values{}",
        id.kind,
        loss(id.kind).map_or_else(String::new, |l| format!(", losing {l}"))
    )
}

/// What follows from a user's move to another site, which the site field
/// alone does not say: `emergency_address: site` now means the new site's
/// address, and an extension outside the new site's range stays as it is
/// (only `auto` extensions come from a range).
fn moved_site_note(desired: &Account, before: &Resource, after: &Resource) -> Option<String> {
    let (Resource::User(b), Resource::User(a)) = (before, after) else {
        return None;
    };
    if b.site == a.site {
        return None;
    }
    let site = desired.sites.get(&a.site)?;
    let mut parts = Vec::new();
    if a.emergency_address == "site" {
        parts.push(format!(
            "its `emergency_address: site` now means {}'s address (`{}`), the one given to emergency services",
            a.site, site.address
        ));
    }
    if let Some(range) = &site.extension_range {
        let inside = a.extension.len() == range.first.len()
            && range.first <= a.extension
            && a.extension <= range.last;
        if !inside {
            parts.push(format!(
                "its extension {} is outside {}'s range {range} and stays as it is",
                a.extension, a.site
            ));
        }
    }
    if !a.phone_numbers.is_empty() {
        let numbers: Vec<String> = a.phone_numbers.iter().map(ToString::to_string).collect();
        parts.push(format!(
            "its number{} {} stay{} as {} (numbers belong to the account, not to a site)",
            if numbers.len() == 1 { "" } else { "s" },
            numbers.join(", "),
            if numbers.len() == 1 { "s" } else { "" },
            if numbers.len() == 1 {
                "it is"
            } else {
                "they are"
            }
        ));
    }
    (!parts.is_empty()).then(|| format!("on {}: {}", a.site, parts.join("; ")))
}

/// Calls `f` for every key whose values differ between two maps (absent on
/// one side counts), walking both in key order without cloning anything.
fn merge<'a, K: Ord, V: PartialEq>(
    desired: &'a BTreeMap<K, V>,
    current: &'a BTreeMap<K, V>,
    mut f: impl FnMut(&'a K, Option<&'a V>, Option<&'a V>),
) {
    let (mut d, mut c) = (desired.iter().peekable(), current.iter().peekable());
    loop {
        match (d.peek(), c.peek()) {
            (None, None) => break,
            (Some((dk, dv)), Some((ck, cv))) => match dk.cmp(ck) {
                std::cmp::Ordering::Equal => {
                    if dv != cv {
                        f(dk, Some(*dv), Some(*cv));
                    }
                    d.next();
                    c.next();
                }
                std::cmp::Ordering::Less => {
                    f(dk, Some(*dv), None);
                    d.next();
                }
                std::cmp::Ordering::Greater => {
                    f(ck, None, Some(*cv));
                    c.next();
                }
            },
            (Some((dk, dv)), None) => {
                f(dk, Some(*dv), None);
                d.next();
            }
            (None, Some((ck, cv))) => {
                f(ck, None, Some(*cv));
                c.next();
            }
        }
    }
}

/// One resource that differs: its id, desired and current values (boxed,
/// like a change's: they move into one).
type Pair = (ResourceId, Option<Box<Resource>>, Option<Box<Resource>>);

/// Every resource that differs, kind by kind in dependency order.
fn differing(desired: &Account, current: &Account) -> Vec<Pair> {
    let mut out: Vec<Pair> = Vec::new();
    if desired.settings != current.settings {
        out.push((
            ResourceId::account(),
            desired
                .settings
                .clone()
                .map(|s| Box::new(Resource::Account(s))),
            current
                .settings
                .clone()
                .map(|s| Box::new(Resource::Account(s))),
        ));
    }
    macro_rules! kind {
        ($kind:expr, $field:ident, $wrap:expr) => {
            merge(&desired.$field, &current.$field, |k, d, c| {
                out.push((
                    ResourceId::new($kind, k.to_string()),
                    d.cloned().map(|v| Box::new($wrap(v))),
                    c.cloned().map(|v| Box::new($wrap(v))),
                ));
            });
        };
    }
    kind!(Kind::Address, addresses, Resource::Address);
    kind!(Kind::Site, sites, Resource::Site);
    kind!(Kind::PhoneNumber, phone_numbers, Resource::PhoneNumber);
    kind!(Kind::Device, devices, Resource::Device);
    kind!(Kind::AudioFile, audio_files, Resource::AudioFile);
    kind!(Kind::User, users, Resource::User);
    kind!(Kind::RingGroup, ring_groups, Resource::RingGroup);
    kind!(
        Kind::AutoAttendant,
        auto_attendants,
        Resource::AutoAttendant
    );
    out
}

fn change(
    id: ResourceId,
    action: Action,
    before: Option<Box<Resource>>,
    after: Option<Box<Resource>>,
) -> Change {
    let json = |r: &Option<Box<Resource>>| r.as_deref().map_or(Value::Null, Resource::to_json);
    Change {
        // A create's fields are its `after` and a delete's its `before`:
        // listing them again would hold every created resource twice (as a
        // JSON tree, several times its typed size), which is most of an
        // apply's memory from an empty account.
        fields: if matches!(action, Action::Delete | Action::Create) {
            Vec::new()
        } else {
            fields(&json(&before), &json(&after))
        },
        id,
        action,
        before,
        after,
        notes: Vec::new(),
        depends_on: Vec::new(),
        phase: crate::plan::Phase::Main,
        moved_from: None,
    }
}

/// What losing a resource loses, in words (a delete, a replace).
#[must_use]
pub fn loss(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::User => Some("its voicemail messages, call history and device registration"),
        Kind::RingGroup => Some("the routing of its numbers while it is gone"),
        Kind::AutoAttendant => Some("the routing of its number while it is gone"),
        Kind::Site => Some("everything on the site: its users, ring groups and auto attendants"),
        Kind::Device => Some("its registration: the phone stops working until provisioned again"),
        _ => None,
    }
}

/// The renames of `options.moves` that apply: the current account has the
/// old key and not the new one, the desired account the new one only. A
/// kind the provider cannot rename is replaced (delete, then create).
fn moves(
    desired: &Account,
    current: &Account,
    options: &Options,
    out: &mut Vec<Change>,
) -> HashSet<ResourceId> {
    let mut done = HashSet::default();
    for (from, to) in &options.moves {
        let (Some(before), Some(after)) = (current.get(from), desired.get(to)) else {
            continue;
        };
        if current.get(to).is_some() || desired.get(from).is_some() {
            continue;
        }
        let forced = replace_note(to, &before, &after);
        let fixed = options.fixed_keys.contains(&to.kind);
        let action = if forced.is_some() || fixed {
            Action::Replace
        } else {
            Action::Rename
        };
        let mut c = change(
            to.clone(),
            action,
            Some(Box::new(before)),
            Some(Box::new(after)),
        );
        c.moved_from = Some(from.key.clone());
        if fixed {
            c.notes.push(format!(
                "the provider cannot rename a {} (its key is its identity): {from} is deleted and {to} created{}",
                to.kind,
                loss(to.kind).map_or_else(String::new, |l| format!(", losing {l}"))
            ));
        } else {
            c.notes.push(format!(
                "renamed from {from} (a `moved` entry): the same resource, nothing is lost"
            ));
        }
        c.notes.extend(forced);
        done.insert(from.clone());
        done.insert(to.clone());
        out.push(c);
    }
    done
}

/// The raw changes, in no particular order.
pub fn changes(desired: &Account, current: &Account, options: &Options) -> Vec<Change> {
    let mut out = Vec::new();
    let mut replaced_sites = HashSet::default();
    let moved = if options.moves.is_empty() {
        HashSet::default()
    } else {
        moves(desired, current, options, &mut out)
    };
    for (id, after, before) in differing(desired, current) {
        if moved.contains(&id) {
            continue;
        }
        match (before, after) {
            (None, Some(a)) => out.push(change(id, Action::Create, None, Some(a))),
            (Some(b), None) => {
                // Numbers are never released: losing one is irreversible.
                if options.prune && !matches!(id.kind, Kind::PhoneNumber | Kind::Account) {
                    let kind = id.kind;
                    let mut c = change(id, Action::Delete, Some(b), None);
                    c.notes
                        .extend(loss(kind).map(|l| format!("deleting it loses {l}")));
                    out.push(c);
                }
            }
            (Some(b), Some(a)) => {
                let note = replace_note(&id, &b, &a).or_else(|| {
                    options
                        .replaced_on_update
                        .contains(&id.kind)
                        .then(|| update_replace_note(&id))
                });
                let action = if note.is_some() {
                    Action::Replace
                } else {
                    Action::Update
                };
                if action == Action::Replace && id.kind == Kind::Site {
                    replaced_sites.insert(id.key.clone());
                }
                let follows = moved_site_note(desired, &b, &a);
                let mut c = change(id, action, Some(b), Some(a));
                c.notes.extend(note);
                c.notes.extend(follows);
                out.push(c);
            }
            (None, None) => {}
        }
    }
    if !replaced_sites.is_empty() {
        cascade_site_replaces(&mut out, desired, current, &replaced_sites);
    }
    touch_dependents_of_replaced(&mut out, desired, current);
    if !options.targets.is_empty() {
        let keep = closure(&options.targets, desired);
        out.retain(|c| keep.contains(&c.id));
    }
    out
}

/// What lives on a replaced site is replaced with it: the API cannot move a
/// user (nor a ring group or attendant) to the new site.
fn cascade_site_replaces(
    out: &mut Vec<Change>,
    desired: &Account,
    current: &Account,
    replaced_sites: &HashSet<String>,
) {
    let note = |id: &ResourceId, site: &str| {
        format!(
            "its site `{site}` is replaced, so {id} is deleted and created again on the new site, losing its voicemail messages and call history"
        )
    };
    let on_site: Vec<(ResourceId, &str)> = desired
        .users
        .iter()
        .map(|(k, u)| (ResourceId::new(Kind::User, k), u.site.as_str()))
        .chain(
            desired
                .ring_groups
                .iter()
                .map(|(k, g)| (ResourceId::new(Kind::RingGroup, k), g.site.as_str())),
        )
        .chain(
            desired
                .auto_attendants
                .iter()
                .map(|(k, a)| (ResourceId::new(Kind::AutoAttendant, k), a.site.as_str())),
        )
        .filter(|(_, site)| replaced_sites.contains(*site))
        .collect();
    let mut position: HashMap<ResourceId, usize> = out
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    for (id, site) in on_site {
        let Some(before) = current.get(&id) else {
            continue;
        };
        if let Some(&i) = position.get(&id) {
            let c = &mut out[i];
            if c.action == Action::Update {
                c.action = Action::Replace;
                c.notes.push(note(&id, site));
            }
            continue;
        }
        let after = desired.get(&id).map(Box::new);
        let mut c = change(id.clone(), Action::Replace, Some(Box::new(before)), after);
        c.notes.push(note(&id, site));
        position.insert(id, out.len());
        out.push(c);
    }
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
        let targets: Vec<ResourceId> = references(r.view())
            .into_iter()
            .filter(|t| replaced.contains(t))
            .collect();
        if targets.is_empty() {
            continue;
        }
        let names: Vec<String> = targets.iter().map(ToString::to_string).collect();
        changes.push(Change {
            fields: Vec::new(),
            before: current.get(&id).map(Box::new),
            after: Some(Box::new(r)),
            action: Action::Update,
            notes: vec![format!(
                "unchanged, but repointed to the new {} after its replace",
                names.join(", ")
            )],
            id,
            depends_on: Vec::new(),
            phase: crate::plan::Phase::Main,
            moved_from: None,
        });
    }
}

/// What a resource refers to (that must exist for it to exist).
#[must_use]
pub fn references(r: View<'_>) -> Vec<ResourceId> {
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
        View::Site(s) => {
            out.push(ResourceId::new(Kind::Address, &s.address));
            out.extend(s.main_number.iter().map(number));
        }
        View::User(u) => {
            out.push(ResourceId::new(Kind::Site, &u.site));
            out.extend(u.phone_numbers.iter().map(number));
            out.extend(u.devices.iter().map(|d| ResourceId::new(Kind::Device, d)));
            out.extend(u.caller_id.number.iter().map(number));
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
        View::RingGroup(g) => {
            out.push(ResourceId::new(Kind::Site, &g.site));
            out.extend(g.phone_numbers.iter().map(number));
            out.extend(g.members.iter().map(|m| ResourceId::new(Kind::User, m)));
            out.extend(g.forwarding.rules().filter_map(|(_, d)| dest(d)));
        }
        View::AutoAttendant(a) => {
            out.push(ResourceId::new(Kind::Site, &a.site));
            out.extend(a.phone_number.iter().map(number));
            out.extend(
                a.menus()
                    .filter_map(|m| m.greeting)
                    .map(|g| ResourceId::new(Kind::AudioFile, g)),
            );
            out.extend(a.destinations().filter_map(dest));
        }
        _ => {}
    }
    out
}

/// The targets and everything they need, transitively.
fn closure(targets: &[ResourceId], desired: &Account) -> HashSet<ResourceId> {
    let mut seen: HashSet<ResourceId> = HashSet::default();
    let mut todo: Vec<ResourceId> = targets.to_vec();
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(r) = desired.get(&id) {
            todo.extend(references(r.view()));
        }
    }
    // The account's settings underlie everything.
    seen.insert(ResourceId::account());
    seen
}

/// Numbers, devices and extensions a resource holds (must be unique).
#[must_use]
pub fn claims(r: View<'_>) -> Vec<String> {
    let mut out = Vec::new();
    match r {
        View::User(u) => {
            out.extend(u.phone_numbers.iter().map(|n| format!("number:{n}")));
            out.extend(u.devices.iter().map(|d| format!("device:{d}")));
            out.push(format!("extension:{}", u.extension));
            out.extend(u.internet_fax.iter().map(|f| format!("number:{f}")));
        }
        View::RingGroup(g) => {
            out.extend(g.phone_numbers.iter().map(|n| format!("number:{n}")));
            out.push(format!("extension:{}", g.extension));
        }
        View::AutoAttendant(a) => {
            out.extend(a.phone_number.iter().map(|n| format!("number:{n}")));
            out.push(format!("extension:{}", a.extension));
        }
        _ => {}
    }
    out
}
