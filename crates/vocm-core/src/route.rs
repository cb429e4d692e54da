//! Call paths: where a call to a number or an extension goes — the user,
//! ring group or attendant it reaches, what rings and for how long, and
//! where each forwarding condition sends it next, until it ends (a person,
//! a voicemail box, an external number, a dropped call) or loops. An
//! attendant that follows a schedule branches on its states (open, closed,
//! a holiday), or at a given moment ([`At`]) takes the branch of that time.
//!
//! Pure: it reads an [`Account`] and answers data; `render::route` puts
//! it into words.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::account::{
    Account, AutoAttendant, Forwarding, Kind, MenuView, ResourceId, ScheduleState,
};
use crate::model::{Destination, PhoneNumber, RingStrategy};

pub use crate::account::schedule::At;

pub mod causes;

/// A forwarding condition a route can follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// The line is busy.
    Busy,
    /// Nobody answers in time.
    NoAnswer,
    /// The phone is offline.
    Unreachable,
}

impl When {
    const ALL: [When; 3] = [When::Busy, When::NoAnswer, When::Unreachable];
}

/// Where a path ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "end", rename_all = "snake_case")]
pub enum End {
    /// The voicemail box of the resource that forwarded there.
    Voicemail { of: String },
    /// Out of the account.
    External { number: String },
    /// The call is dropped.
    Dropped,
    /// The directory of users reachable by name.
    DialByName,
    /// Back to a resource already on the path: the call would go round.
    Loop { to: String },
    /// A destination that names nothing (a resource the account lacks).
    Unknown { target: String },
    /// A number that is a user's internet fax line: faxes reach them, calls
    /// are not answered.
    Fax { of: String },
    /// A number the account holds that nothing is assigned to.
    Unassigned,
}

/// A step of a path: what the call reaches, and what happens there. Data
/// only: `render::route` puts it into words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Node {
    /// `user:alice`, `ring_group:sales`, `auto_attendant:main`, or the end.
    pub target: String,
    /// The resource's name (a user's first and last name); none for an end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The resource's extension; none for an end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// What happens before the call moves on; none when it is forwarded at
    /// once (`always`), or for an end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// Where it ends, when it ends here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<End>,
    /// The path goes on past the depth vocm traces.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Where each condition (or menu key) leads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
}

fn one() -> usize {
    1
}

/// What a step does with the call before it moves on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Answer {
    /// A user's devices ring (together), or its softphone when it has none.
    Device {
        user: String,
        seconds: u32,
        /// How many devices ring; 0 for a softphone-only user.
        #[serde(default = "one")]
        devices: usize,
    },
    /// A ring group's members ring.
    Members {
        members: Vec<String>,
        strategy: RingStrategy,
        /// How long each member (or all, together) rings in one cycle.
        seconds_each: u32,
        cycles: u32,
        /// How long the group rings in all.
        total_seconds: u32,
    },
    /// An auto attendant plays its greeting (if any), then its menu.
    Menu {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        greeting: Option<String>,
    },
    /// An auto attendant reads its schedule: its branches are the menus of
    /// the schedule's states (only the one of the moment asked, if any).
    Schedule {
        schedule: String,
        timezone: String,
        /// The schedule's reading of the moment asked (`--at`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Reading>,
    },
}

/// What a schedule says of a moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Reading {
    /// The schedule's wall-clock time, `2026-12-25T10:00`.
    pub local: String,
    /// The local time asked for, when the clocks skip it (spring forward):
    /// `local` is then as late as the jump.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    pub state: ScheduleState,
    /// On a holiday: its name, or its dates when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holiday: Option<String>,
}

/// One way out of a node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Branch {
    pub when: Condition,
    pub node: Node,
}

/// Which way out of a node a branch is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "condition", rename_all = "snake_case")]
pub enum Condition {
    /// Forwarded before anything rings.
    Always,
    Busy,
    /// Nobody answered in this many seconds.
    NoAnswer {
        after_seconds: u32,
    },
    Unreachable,
    /// A caller pressed this key of a menu.
    Key {
        key: String,
    },
    /// A caller pressed no key.
    NoKey,
    /// The attendant's schedule is in one of these states.
    Schedule {
        states: Vec<ScheduleState>,
    },
}

/// A call's path from an entry point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Route {
    /// The number or extension dialled.
    pub entry: String,
    /// Only this condition is followed at each step (`--when`); otherwise
    /// every condition is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
    /// The moment schedules are read at (`--at`), as given; otherwise
    /// every state of a schedule is a branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    pub start: Node,
}

/// What a number or extension reaches.
#[must_use]
pub fn entry(account: &Account, dialled: &str) -> Option<ResourceId> {
    let digits: String = dialled.chars().filter(char::is_ascii_digit).collect();
    if let Ok(n) = dialled.parse::<PhoneNumber>() {
        for (k, u) in &account.users {
            if u.phone_numbers.contains(&n) {
                return Some(ResourceId::new(Kind::User, k));
            }
        }
        for (k, g) in &account.ring_groups {
            if g.phone_numbers.contains(&n) {
                return Some(ResourceId::new(Kind::RingGroup, k));
            }
        }
        for (k, a) in &account.auto_attendants {
            if a.phone_number.as_ref() == Some(&n) {
                return Some(ResourceId::new(Kind::AutoAttendant, k));
            }
        }
        return None;
    }
    account
        .users
        .iter()
        .find(|(_, u)| u.extension == digits)
        .map(|(k, _)| ResourceId::new(Kind::User, k))
        .or_else(|| {
            account
                .ring_groups
                .iter()
                .find(|(_, g)| g.extension == digits)
                .map(|(k, _)| ResourceId::new(Kind::RingGroup, k))
        })
        .or_else(|| {
            account
                .auto_attendants
                .iter()
                .find(|(_, a)| a.extension == digits)
                .map(|(k, _)| ResourceId::new(Kind::AutoAttendant, k))
        })
}

/// Deepest path followed: forwarding chains in real accounts are short, and
/// a tree of every condition grows fast.
const MAX_DEPTH: usize = 8;

/// The path of a call to `dialled`, reaching `start`, through every state
/// of the schedules it meets.
#[must_use]
pub fn trace(account: &Account, dialled: &str, start: &ResourceId, when: Option<When>) -> Route {
    trace_at(account, dialled, start, when, None)
}

/// What a number that reaches no user, ring group or auto attendant does,
/// when the account holds it: a user's fax line, or nothing.
#[must_use]
pub fn unanswered(account: &Account, number: &PhoneNumber, dialled: &str) -> Option<Route> {
    let end = match account.phone_numbers.get(number) {
        Some(_) => account
            .users
            .iter()
            .find(|(_, u)| u.internet_fax.as_ref() == Some(number))
            .map_or(End::Unassigned, |(k, _)| End::Fax {
                of: ResourceId::new(Kind::User, k).to_string(),
            }),
        None => return None,
    };
    Some(Route {
        entry: dialled.to_owned(),
        when: None,
        at: None,
        start: end_node(end),
    })
}

/// The path of a call to `dialled`, reaching `start`; at a moment, the
/// schedules it meets take the branch of that moment.
#[must_use]
pub fn trace_at(
    account: &Account,
    dialled: &str,
    start: &ResourceId,
    when: Option<When>,
    at: Option<At>,
) -> Route {
    let mut path = Vec::new();
    Route {
        entry: dialled.to_owned(),
        when,
        at: at.map(|a| a.to_string()),
        start: node(account, start, Ask { when, at }, &mut path),
    }
}

/// What a trace follows: one forwarding condition or all, and the moment
/// schedules are read at, if any.
#[derive(Clone, Copy)]
struct Ask {
    when: Option<When>,
    at: Option<At>,
}

fn end_node(end: End) -> Node {
    let target = match &end {
        End::Voicemail { .. } => "voicemail".to_owned(),
        End::External { number } => format!("external:{number}"),
        End::Dropped => "drop".to_owned(),
        End::DialByName => "dial_by_name".to_owned(),
        End::Loop { to } => to.clone(),
        End::Unknown { target } => target.clone(),
        End::Fax { .. } => "fax".to_owned(),
        End::Unassigned => "unassigned".to_owned(),
    };
    Node {
        end: Some(end),
        ..Node::reached(target)
    }
}

impl Node {
    /// A node for `target`, with nothing known of it yet.
    fn reached(target: String) -> Node {
        Node {
            target,
            name: None,
            extension: None,
            answer: None,
            end: None,
            truncated: false,
            branches: Vec::new(),
        }
    }
}

/// Where a destination leads, from the resource `from`.
fn follow(
    account: &Account,
    from: &ResourceId,
    d: &Destination,
    ask: Ask,
    path: &mut Vec<ResourceId>,
) -> Node {
    let target = match d {
        Destination::Voicemail => {
            return end_node(End::Voicemail {
                of: from.to_string(),
            });
        }
        Destination::Drop => return end_node(End::Dropped),
        Destination::DialByName => return end_node(End::DialByName),
        Destination::External(n) => {
            return end_node(End::External {
                number: n.to_string(),
            });
        }
        Destination::User(k) => ResourceId::new(Kind::User, k),
        Destination::RingGroup(k) => ResourceId::new(Kind::RingGroup, k),
        Destination::AutoAttendant(k) => ResourceId::new(Kind::AutoAttendant, k),
    };
    node(account, &target, ask, path)
}

fn forwarding_branches(
    account: &Account,
    id: &ResourceId,
    f: &Forwarding,
    rings_for: u32,
    ask: Ask,
    path: &mut Vec<ResourceId>,
) -> Vec<Branch> {
    if let Some(always) = &f.always {
        // Forwarded before anything rings: the conditions never apply.
        return vec![Branch {
            when: Condition::Always,
            node: follow(account, id, always, ask, path),
        }];
    }
    When::ALL
        .into_iter()
        .filter(|w| ask.when.is_none_or(|x| x == *w))
        .map(|w| {
            let (d, condition) = match w {
                When::Busy => (&f.busy, Condition::Busy),
                When::NoAnswer => (
                    &f.no_answer,
                    Condition::NoAnswer {
                        after_seconds: rings_for,
                    },
                ),
                When::Unreachable => (&f.unreachable, Condition::Unreachable),
            };
            Branch {
                when: condition,
                node: follow(account, id, d, ask, path),
            }
        })
        .collect()
}

/// A menu's keys and its timeout, followed.
fn menu_branches(
    account: &Account,
    id: &ResourceId,
    m: MenuView<'_>,
    ask: Ask,
    path: &mut Vec<ResourceId>,
) -> Vec<Branch> {
    let mut branches: Vec<Branch> = m
        .menu
        .iter()
        .map(|(k, d)| Branch {
            when: Condition::Key { key: k.clone() },
            node: follow(account, id, &d.0, ask, path),
        })
        .collect();
    branches.push(Branch {
        when: Condition::NoKey,
        node: follow(account, id, m.timeout, ask, path),
    });
    branches
}

/// An attendant's answer and branches: its menu, or with a schedule, the
/// menus of the schedule's states (states that share a menu in one branch;
/// at a moment, only that moment's state).
fn attendant(
    account: &Account,
    id: &ResourceId,
    a: &AutoAttendant,
    ask: Ask,
    path: &mut Vec<ResourceId>,
) -> (Answer, Vec<Branch>) {
    let menu = |m: MenuView<'_>, path: &mut Vec<ResourceId>| {
        (
            Answer::Menu {
                greeting: m.greeting.cloned(),
            },
            menu_branches(account, id, m, ask, path),
        )
    };
    let Some(schedule) = &a.schedule else {
        return menu(a.open_menu(), path);
    };
    let reading = ask.at.and_then(|at| {
        let local = schedule.local(at).ok()?;
        let (state, holiday) = schedule.state_at(local.time);
        let minutes = |t: jiff::civil::DateTime| t.strftime("%Y-%m-%dT%H:%M").to_string();
        Some(Reading {
            local: minutes(local.time),
            skipped: local.skipped.map(minutes),
            state,
            holiday: holiday
                .map(|(dates, name)| name.map_or_else(|| dates.to_string(), str::to_owned)),
        })
    });
    // States grouped by the menu that answers them, in state order.
    let mut groups: Vec<(MenuView<'_>, Vec<ScheduleState>)> = Vec::new();
    for state in schedule.states() {
        if reading.as_ref().is_some_and(|r| r.state != state) {
            continue;
        }
        let m = a.menu_in(state);
        match groups.iter_mut().find(|(g, _)| g.field == m.field) {
            Some((_, states)) => states.push(state),
            None => groups.push((m, vec![state])),
        }
    }
    let branches = groups
        .into_iter()
        .map(|(m, states)| {
            let (answer, branches) = menu(m, path);
            Branch {
                when: Condition::Schedule { states },
                node: Node {
                    name: Some(a.name.clone()),
                    extension: Some(a.extension.clone()),
                    answer: Some(answer),
                    branches,
                    ..Node::reached(id.to_string())
                },
            }
        })
        .collect();
    let answer = Answer::Schedule {
        schedule: schedule.key.clone(),
        timezone: schedule.timezone.clone(),
        at: reading,
    };
    (answer, branches)
}

fn node(account: &Account, id: &ResourceId, ask: Ask, path: &mut Vec<ResourceId>) -> Node {
    if path.contains(id) {
        return end_node(End::Loop { to: id.to_string() });
    }
    if path.len() >= MAX_DEPTH {
        return Node {
            truncated: true,
            ..Node::reached(id.to_string())
        };
    }
    path.push(id.clone());
    let n = match id.kind {
        Kind::User => account.users.get(&id.key).map(|u| {
            let answer = u.forwarding.always.is_none().then(|| Answer::Device {
                user: id.key.clone(),
                seconds: u32::from(u.forwarding.no_answer_seconds),
                devices: u.devices.len(),
            });
            Node {
                name: Some(format!("{} {}", u.first_name, u.last_name)),
                extension: Some(u.extension.clone()),
                answer,
                branches: forwarding_branches(
                    account,
                    id,
                    &u.forwarding,
                    u32::from(u.forwarding.no_answer_seconds),
                    ask,
                    path,
                ),
                ..Node::reached(id.to_string())
            }
        }),
        Kind::RingGroup => account.ring_groups.get(&id.key).map(|g| {
            let per_round = match g.strategy {
                RingStrategy::Simultaneous => u32::from(g.ring_timeout_seconds),
                _ => {
                    u32::from(g.ring_timeout_seconds)
                        * u32::try_from(g.members.len().max(1)).unwrap_or(u32::MAX)
                }
            };
            let total = per_round * u32::from(g.cycles);
            let answer = g.forwarding.always.is_none().then(|| Answer::Members {
                members: g.members.clone(),
                strategy: g.strategy,
                seconds_each: u32::from(g.ring_timeout_seconds),
                cycles: u32::from(g.cycles),
                total_seconds: total,
            });
            Node {
                name: Some(g.name.clone()),
                extension: Some(g.extension.clone()),
                answer,
                branches: forwarding_branches(account, id, &g.forwarding, total, ask, path),
                ..Node::reached(id.to_string())
            }
        }),
        Kind::AutoAttendant => account.auto_attendants.get(&id.key).map(|a| {
            let (answer, branches) = attendant(account, id, a, ask, path);
            Node {
                name: Some(a.name.clone()),
                extension: Some(a.extension.clone()),
                answer: Some(answer),
                branches,
                ..Node::reached(id.to_string())
            }
        }),
        _ => None,
    };
    path.pop();
    n.unwrap_or_else(|| {
        end_node(End::Unknown {
            target: id.to_string(),
        })
    })
}

/// Every entry point of an account: each assigned number and each extension.
#[must_use]
pub fn entries(account: &Account) -> Vec<(String, ResourceId)> {
    let mut out = Vec::new();
    for (k, u) in &account.users {
        let id = ResourceId::new(Kind::User, k);
        out.extend(u.phone_numbers.iter().map(|n| (n.to_string(), id.clone())));
        out.push((u.extension.clone(), id));
    }
    for (k, g) in &account.ring_groups {
        let id = ResourceId::new(Kind::RingGroup, k);
        out.extend(g.phone_numbers.iter().map(|n| (n.to_string(), id.clone())));
        out.push((g.extension.clone(), id));
    }
    for (k, a) in &account.auto_attendants {
        let id = ResourceId::new(Kind::AutoAttendant, k);
        out.extend(a.phone_number.iter().map(|n| (n.to_string(), id.clone())));
        out.push((a.extension.clone(), id));
    }
    out
}

/// A call path that a plan changes: where calls to a resource's numbers and
/// extension went before, and where they go after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PathChange {
    /// The resource the numbers and extension reach.
    pub resource: ResourceId,
    /// Its numbers and extension, as dialled.
    pub entry: String,
    /// `None` when nothing answered before (a new resource).
    pub before: Option<Box<Route>>,
    /// `None` when nothing answers after (a deleted resource).
    pub after: Option<Box<Route>>,
}

/// Whether two paths send calls to the same places, the same way.
fn same_path(a: &Node, b: &Node) -> bool {
    a.target == b.target
        && a.answer == b.answer
        && a.truncated == b.truncated
        && a.end == b.end
        && a.branches.len() == b.branches.len()
        && a.branches
            .iter()
            .zip(&b.branches)
            .all(|(x, y)| x.when == y.when && same_path(&x.node, &y.node))
}

/// Who can send calls to whom: forwarding, menus and timeouts.
fn callers(account: &Account) -> rustc_hash::FxHashMap<ResourceId, Vec<ResourceId>> {
    let mut out: rustc_hash::FxHashMap<ResourceId, Vec<ResourceId>> =
        rustc_hash::FxHashMap::default();
    let mut edge = |from: &ResourceId, d: &Destination| {
        let to = match d {
            Destination::User(k) => ResourceId::new(Kind::User, k),
            Destination::RingGroup(k) => ResourceId::new(Kind::RingGroup, k),
            Destination::AutoAttendant(k) => ResourceId::new(Kind::AutoAttendant, k),
            _ => return,
        };
        out.entry(to).or_default().push(from.clone());
    };
    for (k, u) in &account.users {
        let id = ResourceId::new(Kind::User, k);
        for (_, d) in u.forwarding.rules() {
            edge(&id, d);
        }
    }
    for (k, g) in &account.ring_groups {
        let id = ResourceId::new(Kind::RingGroup, k);
        for (_, d) in g.forwarding.rules() {
            edge(&id, d);
        }
    }
    for (k, a) in &account.auto_attendants {
        let id = ResourceId::new(Kind::AutoAttendant, k);
        for d in a.destinations() {
            edge(&id, d);
        }
    }
    out
}

/// The entry points of a resource, as dialled: its numbers, then its
/// extension.
fn entry_label(account: &Account, id: &ResourceId) -> Option<String> {
    let (numbers, ext): (Vec<String>, &str) = match id.kind {
        Kind::User => {
            let u = account.users.get(&id.key)?;
            (
                u.phone_numbers.iter().map(ToString::to_string).collect(),
                &u.extension,
            )
        }
        Kind::RingGroup => {
            let g = account.ring_groups.get(&id.key)?;
            (
                g.phone_numbers.iter().map(ToString::to_string).collect(),
                &g.extension,
            )
        }
        Kind::AutoAttendant => {
            let a = account.auto_attendants.get(&id.key)?;
            (
                a.phone_number.iter().map(ToString::to_string).collect(),
                &a.extension,
            )
        }
        _ => return None,
    };
    let mut parts = numbers;
    parts.push(format!("ext {ext}"));
    Some(parts.join(", "))
}

/// How much of the paths that are new or gone [`changes_traced`] traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whole {
    /// Every path whole: what a saved plan and its JSON hold, and what
    /// `--call-paths full` shows.
    Every,
    /// The first `n` new paths whole (in the order of the resources); the
    /// other new paths, and the gone ones, only as far as the resource
    /// their entry reaches. A text plan by cause shows the first new
    /// paths whole (the renderer's `NEW_SHOWN`, 20) and lists the rest by
    /// entry: an apply of 100,000 new users need not hold 100,000 paths
    /// (about 250 MB) to show 20.
    FirstNew(usize),
}

/// The call paths that change between two accounts, for the resources a
/// plan changes and every resource whose calls can reach them.
#[must_use]
pub fn changes(desired: &Account, current: &Account, changed: &[ResourceId]) -> Vec<PathChange> {
    changes_traced(desired, current, changed, Whole::Every)
}

/// [`changes`], tracing new and gone paths only as far as `whole` says.
#[must_use]
pub fn changes_traced(
    desired: &Account,
    current: &Account,
    changed: &[ResourceId],
    whole: Whole,
) -> Vec<PathChange> {
    // Calls to X can reach a changed resource when X forwards (or leads
    // through a menu) to it, directly or not: walk back from the changes.
    let (to_desired, to_current) = (callers(desired), callers(current));
    let mut affected: std::collections::BTreeSet<ResourceId> = std::collections::BTreeSet::new();
    let mut todo: Vec<ResourceId> = changed
        .iter()
        .filter(|id| matches!(id.kind, Kind::User | Kind::RingGroup | Kind::AutoAttendant))
        .cloned()
        .collect();
    while let Some(id) = todo.pop() {
        if !affected.insert(id.clone()) {
            continue;
        }
        for map in [&to_desired, &to_current] {
            todo.extend(map.get(&id).into_iter().flatten().cloned());
        }
    }
    let mut out = Vec::new();
    let mut new_whole = 0;
    for id in affected {
        let (entry_before, entry_after) = (entry_label(current, &id), entry_label(desired, &id));
        let listed_only = match whole {
            Whole::Every => false,
            Whole::FirstNew(n) => match (&entry_before, &entry_after) {
                (None, Some(_)) => {
                    new_whole += 1;
                    new_whole > n
                }
                (Some(_), None) => true,
                _ => false,
            },
        };
        let route_in = |a: &Account, entry: Option<String>| {
            entry.map(|entry| {
                if listed_only {
                    Route {
                        entry,
                        when: None,
                        at: None,
                        start: Node::reached(id.to_string()),
                    }
                } else {
                    trace(a, &entry, &id, None)
                }
            })
        };
        let (before, after) = (
            route_in(current, entry_before),
            route_in(desired, entry_after),
        );
        let same = match (&before, &after) {
            (Some(b), Some(a)) => same_path(&b.start, &a.start),
            (None, None) => true,
            _ => false,
        };
        if same {
            continue;
        }
        let entry = after
            .as_ref()
            .or(before.as_ref())
            .map(|r| r.entry.clone())
            .unwrap_or_default();
        out.push(PathChange {
            resource: id,
            entry,
            before: before.map(Box::new),
            after: after.map(Box::new),
        });
    }
    out
}

#[cfg(test)]
#[path = "route_tests.rs"]
mod tests;
