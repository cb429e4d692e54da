//! Call-path changes grouped by cause: when one resource's change alters
//! the paths of many numbers, a reviewer reads that change once, with the
//! numbers it reaches and how they reach it, instead of one whole tree per
//! number.
//!
//! Pure and linear in the size of the traced paths: each changed path is
//! walked once, before and after side by side, and a resource whose own
//! hop differs is recorded once, however many numbers reach it.

use rustc_hash::FxHashMap as HashMap;

use super::{Branch, Condition, Node, PathChange};
use crate::account::ResourceId;

/// A plan's call-path changes, by cause. New and gone entries borrow their
/// paths: an account applied from nothing has one per number (100,000 at
/// 100,000 users), and a plan shows the start of the first few.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Causes<'a> {
    /// Resources whose own hop changes (what rings, or where a condition
    /// leads), in key order, each with the numbers that reach it.
    pub causes: Vec<Cause>,
    /// Numbers and extensions nothing answered before the plan: where calls
    /// to them go now.
    pub new: Vec<Entry<'a>>,
    /// Numbers and extensions nothing answers after the plan.
    pub gone: Vec<Entry<'a>>,
    /// How many entries answered before and after whose path changes.
    pub changed: usize,
}

/// One resource whose hop changes, and who reaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// `ring_group:sales`.
    pub target: String,
    /// The hop before the plan, with only the first hop of each branch.
    pub before: Node,
    /// The hop after the plan, likewise.
    pub after: Node,
    /// The entries whose path reaches this hop, the most direct first.
    pub reached: Vec<Reach>,
}

/// How calls to an entry reach a changed hop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// The entry as dialled (`+33170000001, ext 1001`).
    pub entry: String,
    /// The resource the entry reaches first.
    pub resource: ResourceId,
    /// The conditions followed from the entry's resource to the hop; empty
    /// when the entry is the hop's own.
    pub via: Vec<Hop>,
}

/// One condition followed on the way to a changed hop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// The resource whose condition it is.
    pub from: String,
    pub when: Condition,
}

/// An entry whose path is new or gone, with its path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub entry: &'a str,
    pub resource: &'a ResourceId,
    /// The whole path (after for a new entry, before for a gone one):
    /// [`shallow`] gives its first hops.
    pub start: &'a Node,
}

/// Groups call-path changes by the hops that cause them.
#[must_use]
pub fn group(changes: &[PathChange]) -> Causes<'_> {
    let mut out = Causes::default();
    let mut index: HashMap<String, usize> = HashMap::default();
    for c in changes {
        match (c.before.as_deref(), c.after.as_deref()) {
            (Some(b), Some(a)) => {
                out.changed += 1;
                let mut found = Found::default();
                walk(&b.start, &a.start, &mut Vec::new(), &mut found);
                if found.sites.is_empty() {
                    // Differences this walk does not name (none today):
                    // the entry's own hop stands for them.
                    found
                        .sites
                        .push((a.start.target.clone(), &b.start, &a.start, Vec::new()));
                }
                for (target, before, after, via) in found.sites {
                    let i = *index.entry(target.clone()).or_insert_with(|| {
                        out.causes.push(Cause {
                            target,
                            before: shallow(before),
                            after: shallow(after),
                            reached: Vec::new(),
                        });
                        out.causes.len() - 1
                    });
                    out.causes[i].reached.push(Reach {
                        entry: c.entry.clone(),
                        resource: c.resource.clone(),
                        via,
                    });
                }
            }
            (None, Some(a)) => out.new.push(Entry {
                entry: &c.entry,
                resource: &c.resource,
                start: &a.start,
            }),
            (Some(b), None) => out.gone.push(Entry {
                entry: &c.entry,
                resource: &c.resource,
                start: &b.start,
            }),
            (None, None) => {}
        }
    }
    out.causes.sort_by(|a, b| a.target.cmp(&b.target));
    for cause in &mut out.causes {
        // Stable: entries of the same depth stay in the plan's order.
        cause.reached.sort_by_key(|r| r.via.len());
    }
    out
}

/// The hops found to differ in one entry's path, with the conditions that
/// lead to each (one per hop: the first, most direct, way the walk meets).
#[derive(Default)]
struct Found<'a> {
    sites: Vec<(String, &'a Node, &'a Node, Vec<Hop>)>,
}

/// Which way out of a node a branch is, whatever its seconds: a no-answer
/// branch whose delay changes is the same branch, changed.' A schedule's
/// states that overlap are the same way, regrouped.
#[must_use]
pub fn same_way(a: &Condition, b: &Condition) -> bool {
    match (a, b) {
        (Condition::NoAnswer { .. }, Condition::NoAnswer { .. }) => true,
        // A schedule's states regrouped (closed and holidays apart, now):
        // a state's branch is one that answered it before.
        (Condition::Schedule { states: x }, Condition::Schedule { states: y }) => {
            x.iter().any(|s| y.contains(s))
        }
        (a, b) => a == b,
    }
}

/// The branch of `branches` that leaves the same way as `b`.
#[must_use]
pub fn counterpart<'a>(branches: &'a [Branch], b: &Branch) -> Option<&'a Branch> {
    branches.iter().find(|x| same_way(&x.when, &b.when))
}

/// Whether a node is a state of its parent's schedule (the same attendant).
fn same_resource(parent: &Node, child: &Node) -> bool {
    child.end.is_none() && child.target == parent.target
}

/// Whether two nodes of the same resource differ in their own hop: what
/// happens there, and where each way out leads first (not what happens
/// further on, which is the next hop's own).
#[must_use]
pub fn hop_differs(b: &Node, a: &Node) -> bool {
    b.target != a.target
        || b.answer != a.answer
        || b.end != a.end
        || b.truncated != a.truncated
        || b.branches.len() != a.branches.len()
        || b.branches.iter().zip(&a.branches).any(|(x, y)| {
            x.when != y.when
                || x.node.target != y.node.target
                || x.node.end != y.node.end
                || (same_resource(b, &x.node) && hop_differs(&x.node, &y.node))
        })
}

fn walk<'a>(b: &'a Node, a: &'a Node, via: &mut Vec<Hop>, found: &mut Found<'a>) {
    if hop_differs(b, a) && !found.sites.iter().any(|(t, ..)| *t == a.target) {
        found.sites.push((a.target.clone(), b, a, via.clone()));
    }
    for y in &a.branches {
        let Some(x) = counterpart(&b.branches, y) else {
            continue;
        };
        if x.node.target != y.node.target
            || x.node.end.is_some()
            || super::same_path(&x.node, &y.node)
        {
            continue;
        }
        via.push(Hop {
            from: a.target.clone(),
            when: y.when.clone(),
        });
        walk(&x.node, &y.node, via, found);
        via.pop();
    }
}

/// A node with its first hop only: each branch's node without branches of
/// its own (but a schedule's states, which are the same attendant, keep
/// their menus).
#[must_use]
pub fn shallow(n: &Node) -> Node {
    Node {
        branches: n
            .branches
            .iter()
            .map(|b| Branch {
                when: b.when.clone(),
                node: if same_resource(n, &b.node) {
                    shallow(&b.node)
                } else {
                    Node {
                        branches: Vec::new(),
                        ..b.node.clone()
                    }
                },
            })
            .collect(),
        ..n.clone()
    }
}
