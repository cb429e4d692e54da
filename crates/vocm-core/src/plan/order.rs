//! Ordering a plan: what a change needs comes before it, deletes come last
//! and in reverse, and the references that would make a cycle are set in a
//! phase of their own.
//!
//! - A user may forward to a ring group whose members include the user; two
//!   attendants' menus may lead to each other. Such resources are first
//!   written without those references (forwarding to voicemail, menu entry
//!   absent, timeout `drop`, members left out), and a [`Phase::References`]
//!   update sets them once their targets exist. Between users and ring
//!   groups, the side with fewer new resources (usually the groups) waits.
//! - A resource that stops referring to a resource deleted in the same plan,
//!   when that delete and its own change wait for each other (it takes the
//!   device of the user being deleted, say), is first updated to drop the
//!   reference ([`Phase::Unlink`]).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::diff::{claims, fields, references};
use super::{Action, Change, Phase};
use crate::account::{Account, Kind, Resource, ResourceId, View};
use crate::model::Destination;

/// The note on a change that ordering could only place inside a cycle.
pub const CYCLE_NOTE: &str = "ordered inside a dependency cycle (resources exchanging numbers, devices or extensions): it may fail, and a second apply finishes it";

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
    drop: &dyn Fn(&ResourceId) -> bool,
) -> bool {
    let hit = |d: &Destination| dest_id(d).is_some_and(|t| drop(&t));
    let mut changed = false;
    if f.always.as_ref().is_some_and(hit) {
        f.always = None;
        changed = true;
    }
    for d in [&mut f.busy, &mut f.no_answer, &mut f.unreachable] {
        if hit(d) {
            *d = Destination::Voicemail;
            changed = true;
        }
    }
    changed
}

/// Takes the entries to resources `drop` selects out of a menu, and drops
/// the call on a timeout to one. Returns whether anything changed.
fn strip_menu(
    menu: &mut std::collections::BTreeMap<String, crate::model::MenuDestination>,
    timeout: &mut Destination,
    drop: &dyn Fn(&ResourceId) -> bool,
) -> bool {
    let before = menu.len();
    menu.retain(|_, d| !dest_id(&d.0).is_some_and(|t| drop(&t)));
    let mut changed = menu.len() != before;
    if dest_id(timeout).is_some_and(|t| drop(&t)) {
        *timeout = Destination::Drop;
        changed = true;
    }
    changed
}

/// Removes the references to resources `drop` selects that can be removed
/// (forwarding goes to voicemail, a menu entry disappears, a timeout drops
/// the call, a member leaves its group). Returns whether anything changed.
fn strip(r: &mut Resource, drop: &dyn Fn(&ResourceId) -> bool, members: bool) -> bool {
    match r {
        Resource::User(u) => strip_forwarding(&mut u.forwarding, drop),
        Resource::RingGroup(g) => {
            let mut changed = strip_forwarding(&mut g.forwarding, drop);
            if members {
                let before = g.members.len();
                g.members.retain(|m| !drop(&ResourceId::new(Kind::User, m)));
                changed |= g.members.len() != before;
            }
            changed
        }
        Resource::AutoAttendant(a) => {
            let mut changed = strip_menu(&mut a.menu, &mut a.timeout, drop);
            for m in [&mut a.closed, &mut a.holiday].into_iter().flatten() {
                changed |= strip_menu(&mut m.menu, &mut m.timeout, drop);
            }
            changed
        }
        _ => false,
    }
}

/// Where each resource's changes are.
struct Index<'a> {
    main: HashMap<&'a ResourceId, usize>,
    unlink: HashMap<&'a ResourceId, usize>,
}

impl<'a> Index<'a> {
    fn new(changes: &'a [Change]) -> Self {
        let mut main = HashMap::default();
        let mut unlink = HashMap::default();
        for (i, c) in changes.iter().enumerate() {
            match c.phase {
                Phase::Unlink => {
                    unlink.insert(&c.id, i);
                }
                Phase::Main => {
                    main.insert(&c.id, i);
                }
                // An update that waits whole for the references phase is
                // also the resource's main change.
                Phase::References => {
                    main.entry(&c.id).or_insert(i);
                }
            }
        }
        Self { main, unlink }
    }
}

/// What the current account says about holders and references, computed
/// once per plan (it is the costly part of ordering a large account).
struct Now {
    /// Who holds each number, device and extension.
    holder: HashMap<String, ResourceId>,
    /// Who refers to each resource; only built when the plan deletes.
    referrers: HashMap<ResourceId, Vec<ResourceId>>,
}

impl Now {
    fn new(changes: &[Change], current: &Account) -> Self {
        let deletes = changes.iter().any(|c| c.action == Action::Delete);
        let mut holder = HashMap::default();
        let mut referrers: HashMap<ResourceId, Vec<ResourceId>> = HashMap::default();
        let mut visit = |id: ResourceId, r: View<'_>| {
            for claim in claims(r) {
                holder.insert(claim, id.clone());
            }
            if deletes {
                for t in references(r) {
                    referrers.entry(t).or_default().push(id.clone());
                }
            }
        };
        // Only these kinds hold anything or refer to anything deletable.
        for (k, u) in &current.users {
            visit(ResourceId::new(Kind::User, k), View::User(u));
        }
        for (k, g) in &current.ring_groups {
            visit(ResourceId::new(Kind::RingGroup, k), View::RingGroup(g));
        }
        for (k, a) in &current.auto_attendants {
            visit(
                ResourceId::new(Kind::AutoAttendant, k),
                View::AutoAttendant(a),
            );
        }
        if deletes {
            for (k, s) in &current.sites {
                for t in references(View::Site(s)) {
                    referrers
                        .entry(t)
                        .or_default()
                        .push(ResourceId::new(Kind::Site, k));
                }
            }
        }
        Self { holder, referrers }
    }
}

/// What each change waits for (indexes into `changes`).
fn dependencies(changes: &[Change], now: &Now) -> Vec<Vec<usize>> {
    let index = Index::new(changes);
    let (holder_now, referrers_now) = (&now.holder, &now.referrers);
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); changes.len()];
    for (i, c) in changes.iter().enumerate() {
        let mut add = |j: usize| {
            if j != i {
                deps[i].push(j);
            }
        };
        match c.phase {
            Phase::Unlink => continue,
            Phase::References => {
                if let Some(&j) = index.main.get(&c.id) {
                    add(j);
                }
            }
            Phase::Main => {
                if let Some(&j) = index.unlink.get(&c.id) {
                    add(j);
                }
            }
        }
        if c.action == Action::Delete {
            // Whoever refers to it must stop first: its unlink when that
            // drops the reference, else its own change.
            for referrer in referrers_now.get(&c.id).into_iter().flatten() {
                let unlinked = index.unlink.get(referrer).filter(|&&u| {
                    changes[u]
                        .after
                        .as_ref()
                        .is_some_and(|a| !references(a.view()).contains(&c.id))
                });
                if let Some(&j) = unlinked.or_else(|| index.main.get(referrer)) {
                    add(j);
                }
            }
            continue;
        }
        let Some(after) = &c.after else { continue };
        // What it refers to must exist first. A resource that only changes
        // in place already exists, except that a number's usage (fax or
        // voice) must change before it is used as such.
        for t in references(after.view()) {
            if let Some(&j) = index.main.get(&t) {
                let needed = match changes[j].action {
                    Action::Create | Action::Replace | Action::Rename => true,
                    Action::Update => t.kind == Kind::PhoneNumber,
                    Action::Delete => false,
                };
                if needed {
                    add(j);
                }
            }
        }
        // Take a number, device or extension only once its holder has let
        // go of it.
        for claim in claims(after.view()) {
            if let Some(holder) = holder_now.get(&claim)
                && *holder != c.id
                && let Some(&j) = index.main.get(holder)
            {
                add(j);
            }
        }
    }
    for d in &mut deps {
        d.sort_unstable();
        d.dedup();
    }
    deps
}

/// For each resource, the strongly connected component of the dependency
/// graph it belongs to, when that component has more than one member.
fn cycles(changes: &[Change], now: &Now) -> HashMap<ResourceId, usize> {
    let deps = dependencies(changes, now);
    let mut graph = petgraph::graph::DiGraph::<usize, ()>::new();
    let nodes: Vec<_> = (0..changes.len()).map(|i| graph.add_node(i)).collect();
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            graph.add_edge(nodes[i], nodes[d], ());
        }
    }
    let mut out = HashMap::default();
    for (n, component) in petgraph::algo::kosaraju_scc(&graph).into_iter().enumerate() {
        if component.len() > 1 {
            for ix in component {
                out.insert(changes[graph[ix]].id.clone(), n);
            }
        }
    }
    out
}

/// Adds an unlink change for each resource that, in a cycle of changes,
/// refers to a resource deleted in that cycle.
fn unlink(changes: &mut Vec<Change>, current: &Account, now: &Now) {
    if !changes.iter().any(|c| c.action == Action::Delete) {
        return;
    }
    let cycle = cycles(changes, now);
    let deleted: HashMap<&ResourceId, usize> = changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .filter_map(|c| cycle.get(&c.id).map(|n| (&c.id, *n)))
        .collect();
    let mut unlinks = Vec::new();
    for c in changes.iter() {
        let Some(&n) = cycle.get(&c.id) else { continue };
        if c.action == Action::Create || c.phase != Phase::Main {
            continue;
        }
        let Some(before) = current.get(&c.id) else {
            continue;
        };
        let mut after = before.clone();
        let drop = |t: &ResourceId| deleted.get(t) == Some(&n);
        if strip(&mut after, &drop, true) {
            unlinks.push(Change {
                id: c.id.clone(),
                action: Action::Update,
                fields: fields(&before.to_json(), &after.to_json()),
                before: Some(Box::new(before)),
                after: Some(Box::new(after)),
                notes: vec!["first drops its references to resources this plan deletes".into()],
                depends_on: Vec::new(),
                phase: Phase::Unlink,
                moved_from: None,
            });
        }
    }
    changes.extend(unlinks);
}

/// Splits changes whose forwarding, menu, timeout or member references
/// must wait for their targets: references to a later kind (users, then
/// ring groups, then attendants) always, and references within a cycle of
/// changes.
fn split_references(changes: &mut Vec<Change>, now: &Now) {
    let created: HashSet<ResourceId> = changes
        .iter()
        .filter(|c| matches!(c.action, Action::Create | Action::Replace))
        .map(|c| c.id.clone())
        .collect();
    if created.is_empty() {
        return;
    }
    let cycle = cycles(changes, now);
    // Users who overflow to a group they belong to form a cycle (the
    // user's forwarding needs the group, the group's members need the
    // user). It is broken on the side with fewer resources: usually the
    // groups, created without their new members (and without forwarding to
    // new users), then completed once — one more write per group instead of
    // one per user.
    let created_of = |kind: Kind| created.iter().filter(|id| id.kind == kind).count();
    // Created from nothing: holds nothing in the account yet (a replace
    // still does until its delete).
    let new: HashSet<ResourceId> = changes
        .iter()
        .filter(|c| c.action == Action::Create)
        .map(|c| c.id.clone())
        .collect();
    let group_side = created_of(Kind::RingGroup) <= created_of(Kind::User);
    let mut extra = Vec::new();
    for c in changes.iter_mut() {
        let Some(after) = &c.after else { continue };
        if c.phase != Phase::Main
            || !matches!(
                after.kind(),
                Kind::User | Kind::RingGroup | Kind::AutoAttendant
            )
        {
            continue;
        }
        let from = c.id.clone();
        let defer = |t: &ResourceId| {
            if !created.contains(t) {
                return false;
            }
            match (from.kind, t.kind) {
                // A new user holds nothing the new group could wait for:
                // it is written once, after the group. (A user that exists
                // may hold what the group takes, a number say: it still
                // waits for its second step.)
                (Kind::User, Kind::RingGroup) if group_side && new.contains(&from) => false,
                (Kind::RingGroup, Kind::User) if group_side => true,
                _ => {
                    t.kind > from.kind || cycle.get(&from).is_some_and(|n| cycle.get(t) == Some(n))
                }
            }
        };
        let mut first = after.clone();
        // Members are deferred too, within a cycle (the group gives up the
        // number the new member takes, say).
        if !strip(&mut first, &defer, true) {
            continue;
        }
        let last = after.clone();
        if c.action == Action::Update && c.before.as_ref() == Some(&first) {
            // Only deferred references change: the whole update waits.
            c.phase = Phase::References;
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
            notes: vec!["sets the references to resources created earlier in this plan".into()],
            depends_on: Vec::new(),
            phase: Phase::References,
            moved_from: None,
        });
    }
    changes.extend(extra);
}

/// Changes ready to go, the first by priority on top.
type Ready = BinaryHeap<Reverse<((usize, usize, String, Phase), usize)>>;

/// Orders changes and fills `depends_on` with positions in the result.
pub fn order(mut changes: Vec<Change>, current: &Account) -> super::Plan {
    if changes.is_empty() {
        return super::Plan::default();
    }
    let now = Now::new(&changes, current);
    unlink(&mut changes, current, &now);
    split_references(&mut changes, &now);
    let n = changes.len();
    let deps = dependencies(&changes, &now);

    // Kahn's algorithm, always taking the ready change that comes first:
    // unlinks and main changes by kind, then references, then deletes in
    // reverse kind order.
    let priority = |c: &Change| {
        let kind = Kind::ALL.iter().position(|k| *k == c.id.kind).unwrap_or(0);
        let (group, rank) = match (c.action, c.phase) {
            (Action::Delete, _) => (2, Kind::ALL.len() - kind),
            (_, Phase::References) => (1, kind),
            _ => (0, kind),
        };
        (group, rank, c.id.key.clone(), c.phase)
    };
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting: Vec<usize> = vec![0; n];
    for (i, ds) in deps.iter().enumerate() {
        waiting[i] = ds.len();
        for &d in ds {
            dependents[d].push(i);
        }
    }
    let mut ready: Ready = (0..n)
        .filter(|i| waiting[*i] == 0)
        .map(|i| Reverse((priority(&changes[i]), i)))
        .collect();
    let mut done = vec![false; n];
    let mut sequence = Vec::with_capacity(n);
    while sequence.len() < n {
        let next = if let Some(Reverse((_, i))) = ready.pop() {
            i
        } else {
            // A cycle that no phase breaks (resources exchanging numbers):
            // take the first remaining change and let the provider report
            // a conflict if there is one.
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
            let (before, after): (Vec<usize>, Vec<usize>) = deps[i]
                .iter()
                .map(|&d| position[d])
                .partition(|&p| p < position[i]);
            if !after.is_empty() {
                c.notes.push(CYCLE_NOTE.to_owned());
            }
            c.depends_on = before;
            c.depends_on.sort_unstable();
            ordered.push(c);
        }
    }
    super::Plan {
        changes: ordered,
        kept: Vec::new(),
    }
}
