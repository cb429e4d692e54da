//! Ordering a plan: dependencies first, deletes last and in reverse, and
//! references that would form a cycle set in a second phase.
//!
//! A user may forward to a ring group whose members include that user, and
//! two attendants' menus may lead to each other. Such resources are created
//! with those references left out (forwarding to voicemail, menu entry
//! absent, timeout `drop`), and a second-phase update sets them once their
//! targets exist.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};

use super::diff::{claims, fields, references};
use super::{Action, Change};
use crate::account::{Account, Kind, Resource, ResourceId};
use crate::model::Destination;

/// Whether a reference from `from` to `to` waits for the second phase when
/// `to` is created (or replaced) in the same plan: references to a later
/// kind, and between attendants (menus may be cyclic).
fn deferred_ref(from: Kind, to: Kind) -> bool {
    to > from || (from == Kind::AutoAttendant && to == Kind::AutoAttendant)
}

fn dest_id(d: &Destination) -> Option<ResourceId> {
    d.target().map(|(section, key)| {
        let kind = match section {
            "users" => Kind::User,
            "ring_groups" => Kind::RingGroup,
            _ => Kind::AutoAttendant,
        };
        ResourceId::new(kind, key)
    })
}

fn strip_forwarding(
    f: &mut crate::account::Forwarding,
    defer: &dyn Fn(&Destination) -> bool,
) -> bool {
    let mut changed = false;
    if f.always.as_ref().is_some_and(|d| defer(d)) {
        f.always = None;
        changed = true;
    }
    for d in [&mut f.busy, &mut f.no_answer, &mut f.unreachable] {
        if defer(d) {
            *d = Destination::Voicemail;
            changed = true;
        }
    }
    changed
}

/// Replaces the references `defer` selects by neutral values. Returns
/// whether anything was replaced.
fn strip(r: &mut Resource, defer: &dyn Fn(&Destination) -> bool) -> bool {
    match r {
        Resource::User(u) => strip_forwarding(&mut u.forwarding, defer),
        Resource::RingGroup(g) => strip_forwarding(&mut g.forwarding, defer),
        Resource::AutoAttendant(a) => {
            let before = a.menu.len();
            a.menu.retain(|_, d| !defer(&d.0));
            let mut changed = a.menu.len() != before;
            if defer(&a.timeout) {
                a.timeout = Destination::Drop;
                changed = true;
            }
            changed
        }
        _ => false,
    }
}

/// Splits changes whose references must wait for their targets.
fn split_second_phase(changes: &mut Vec<Change>) {
    let created: HashSet<ResourceId> = changes
        .iter()
        .filter(|c| matches!(c.action, Action::Create | Action::Replace))
        .map(|c| c.id.clone())
        .collect();
    let mut extra = Vec::new();
    for c in changes.iter_mut() {
        let Some(after) = &c.after else { continue };
        if !matches!(
            after.kind(),
            Kind::User | Kind::RingGroup | Kind::AutoAttendant
        ) {
            continue;
        }
        let from = c.id.kind;
        let defer = |d: &Destination| {
            dest_id(d).is_some_and(|t| deferred_ref(from, t.kind) && created.contains(&t))
        };
        let mut first = after.clone();
        if !strip(&mut first, &defer) {
            continue;
        }
        let last = after.clone();
        if c.action == Action::Update && c.before.as_ref() == Some(&first) {
            // Only deferred references change: the whole update waits.
            c.second_phase = true;
            continue;
        }
        let set = fields(&first.to_json(), &last.to_json());
        c.after = Some(first.clone());
        extra.push(Change {
            id: c.id.clone(),
            action: Action::Update,
            before: Some(first),
            after: Some(last),
            fields: set,
            notes: vec![
                "second phase: sets the references to resources created earlier in this plan"
                    .into(),
            ],
            depends_on: Vec::new(),
            second_phase: true,
        });
    }
    changes.extend(extra);
}

/// Orders changes and fills `depends_on` with positions in the result.
pub fn order(mut changes: Vec<Change>, desired: &Account, current: &Account) -> super::Plan {
    split_second_phase(&mut changes);
    let n = changes.len();
    // Each resource's main change: its first-phase one, or the update
    // that waits whole for the second phase.
    let mut main_of: HashMap<ResourceId, usize> = HashMap::new();
    for (i, c) in changes.iter().enumerate() {
        if !c.second_phase || !main_of.contains_key(&c.id) {
            main_of.insert(c.id.clone(), i);
        }
    }
    for (i, c) in changes.iter().enumerate() {
        if !c.second_phase {
            main_of.insert(c.id.clone(), i);
        }
    }

    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
    // Who holds which number, device or extension now.
    let mut holder_now: BTreeMap<String, ResourceId> = BTreeMap::new();
    for id in current.ids() {
        if let Some(r) = current.get(&id) {
            for claim in claims(&r) {
                holder_now.insert(claim, id.clone());
            }
        }
    }
    // Who referred to what in the current account (deletes wait for them).
    let mut referrers_now: HashMap<ResourceId, Vec<ResourceId>> = HashMap::new();
    for id in current.ids() {
        if let Some(r) = current.get(&id) {
            for t in references(&r) {
                referrers_now.entry(t).or_default().push(id.clone());
            }
        }
    }
    for (i, c) in changes.iter().enumerate() {
        match c.action {
            Action::Delete => {
                for referrer in referrers_now.get(&c.id).into_iter().flatten() {
                    if let Some(&j) = main_of.get(referrer) {
                        if j != i {
                            deps[i].push(j);
                        }
                    }
                }
            }
            _ => {
                let Some(after) = &c.after else { continue };
                if c.second_phase {
                    if let Some(&j) = main_of.get(&c.id) {
                        if j != i {
                            deps[i].push(j);
                        }
                    }
                }
                for t in references(after) {
                    if let Some(&j) = main_of.get(&t) {
                        if j != i && changes[j].action != Action::Delete {
                            deps[i].push(j);
                        }
                    }
                }
                // Take a number, device or extension only once its holder
                // has let go of it.
                for claim in claims(after) {
                    if let Some(holder) = holder_now.get(&claim) {
                        if *holder != c.id {
                            if let Some(&j) = main_of.get(holder) {
                                deps[i].push(j);
                            }
                        }
                    }
                }
            }
        }
        deps[i].sort_unstable();
        deps[i].dedup();
    }
    let _ = desired;

    // Kahn's algorithm, always taking the ready change that comes first:
    // first-phase changes by kind, then second-phase ones, then deletes in
    // reverse kind order.
    let priority = |c: &Change| {
        let kind = Kind::ALL.iter().position(|k| *k == c.id.kind).unwrap_or(0);
        let (group, rank) = match (c.action, c.second_phase) {
            (Action::Delete, _) => (2, Kind::ALL.len() - kind),
            (_, true) => (1, kind),
            _ => (0, kind),
        };
        (group, rank, c.id.key.clone())
    };
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting: Vec<usize> = vec![0; n];
    for (i, ds) in deps.iter().enumerate() {
        waiting[i] = ds.len();
        for &d in ds {
            dependents[d].push(i);
        }
    }
    let mut ready: BinaryHeap<Reverse<((usize, usize, String), usize)>> = (0..n)
        .filter(|i| waiting[*i] == 0)
        .map(|i| Reverse((priority(&changes[i]), i)))
        .collect();
    let mut done = vec![false; n];
    let mut sequence = Vec::with_capacity(n);
    while sequence.len() < n {
        let next = if let Some(Reverse((_, i))) = ready.pop() {
            i
        } else {
            // A cycle (two resources swapping a number, say): take the
            // first remaining change and let the provider report a conflict.
            match (0..n)
                .filter(|i| !done[*i])
                .min_by_key(|i| priority(&changes[*i]))
            {
                Some(i) => i,
                None => break,
            }
        };
        if done[next] {
            continue;
        }
        done[next] = true;
        sequence.push(next);
        for &d in &dependents[next] {
            waiting[d] = waiting[d].saturating_sub(1);
            if waiting[d] == 0 && !done[d] {
                ready.push(Reverse((priority(&changes[d]), d)));
            }
        }
    }
    let mut position = vec![0; n];
    for (p, &i) in sequence.iter().enumerate() {
        position[i] = p;
    }
    let mut slots: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
    let mut ordered = Vec::with_capacity(n);
    for &i in &sequence {
        if let Some(mut c) = slots[i].take() {
            c.depends_on = deps[i]
                .iter()
                .map(|&d| position[d])
                .filter(|&p| p < position[i])
                .collect();
            c.depends_on.sort_unstable();
            ordered.push(c);
        }
    }
    super::Plan { changes: ordered }
}
