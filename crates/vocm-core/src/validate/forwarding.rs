//! Forwarding: no resource forwards to itself, and no set of rules sends a
//! call around a cycle.
//!
//! The graph's nodes are users, ring groups and auto attendants; its edges
//! are the forwarding rules of users and ring groups (every condition) and
//! attendants' `timeout`, in every schedule state (`closed.timeout`,
//! `holiday.timeout`). Ringing a group's members is not an edge (members'
//! own forwarding is not followed), nor is a menu entry (the caller chooses).

use rustc_hash::FxHashMap as HashMap;
use std::collections::VecDeque;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef as _;

use super::ctx::{Ctx, loc};
use crate::diagnostics::{Code, Diagnostic};
use crate::manifest::Seg;
use crate::model::{Condition, Destination, NoAnswer, Origin};

#[derive(Clone, Copy)]
struct Node<'a> {
    section: &'static str,
    key: &'a str,
    origin: Origin,
}

impl Node<'_> {
    fn name(&self) -> String {
        let kind = match self.section {
            "users" => "user",
            "ring_groups" => "ring_group",
            _ => "auto_attendant",
        };
        format!("{kind}:{}", self.key)
    }
}

/// A rule, and which field of its resource holds it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Rule {
    /// `None` for an attendant's timeout.
    condition: Option<Condition>,
    /// The schedule state's menu an attendant's timeout is in (`closed`,
    /// `holiday`); `None` for the open-hours menu.
    state: Option<&'static str>,
    /// The no-answer rule is written `{to: …}`: point at `to`.
    delayed: bool,
}

impl Rule {
    fn field(self) -> String {
        match (self.condition, self.state) {
            (Some(c), _) => c.field().to_owned(),
            (None, Some(state)) => format!("{state}.timeout"),
            (None, None) => "timeout".to_owned(),
        }
    }

    /// The field in words: "no answer", "closed timeout".
    fn words(self) -> String {
        self.field().replace(['_', '.'], " ")
    }

    fn path<'a>(self, node: &Node<'a>) -> Vec<Seg<'a>> {
        let mut p = match (self.condition, self.state) {
            (Some(c), _) => loc![node.section, node.key, "forwarding", c.field()].to_vec(),
            (None, Some(state)) => loc![node.section, node.key, state, "timeout"].to_vec(),
            (None, None) => loc![node.section, node.key, "timeout"].to_vec(),
        };
        if self.delayed {
            p.push(Seg::Key("to"));
        }
        p
    }
}

pub fn check(ctx: &mut Ctx<'_>) {
    let m = ctx.m;
    let mut g: DiGraph<Node<'_>, Rule> = DiGraph::new();
    let mut index: HashMap<(&str, &str), NodeIndex> = HashMap::default();
    for (k, e) in &m.users {
        index.insert(
            ("users", k),
            g.add_node(Node {
                section: "users",
                key: k,
                origin: e.origin,
            }),
        );
    }
    for (k, e) in &m.ring_groups {
        index.insert(
            ("ring_groups", k),
            g.add_node(Node {
                section: "ring_groups",
                key: k,
                origin: e.origin,
            }),
        );
    }
    for (k, e) in &m.auto_attendants {
        index.insert(
            ("auto_attendants", k),
            g.add_node(Node {
                section: "auto_attendants",
                key: k,
                origin: e.origin,
            }),
        );
    }
    let mut edges: Vec<(NodeIndex, &Destination, Rule)> = Vec::new();
    let forwarding = m
        .users
        .iter()
        .map(|(k, e)| (index[&("users", k.as_str())], &e.value.forwarding))
        .chain(
            m.ring_groups
                .iter()
                .map(|(k, e)| (index[&("ring_groups", k.as_str())], &e.value.forwarding)),
        );
    for (from, f) in forwarding {
        for (c, d) in f.rules() {
            let delayed =
                c == Condition::NoAnswer && matches!(f.no_answer, Some(NoAnswer::Delayed(_)));
            edges.push((
                from,
                d,
                Rule {
                    condition: Some(c),
                    state: None,
                    delayed,
                },
            ));
        }
    }
    for (k, e) in &m.auto_attendants {
        let a = &e.value;
        let timeouts = std::iter::once((None, a.timeout.as_ref())).chain(
            a.state_menus()
                .map(|(state, menu)| (Some(state), menu.timeout.as_ref())),
        );
        for (state, timeout) in timeouts {
            if let Some(d) = timeout {
                edges.push((
                    index[&("auto_attendants", k.as_str())],
                    d,
                    Rule {
                        condition: None,
                        state,
                        delayed: false,
                    },
                ));
            }
        }
    }
    for (from, d, rule) in edges {
        let Some(target) = d.target() else { continue };
        let Some(&to) = index.get(&target) else {
            continue;
        };
        if to == from {
            let node = g[from];
            let (file, span) = ctx.value(node.origin, &rule.path(&node));
            ctx.out.push(
                Diagnostic::error(
                    Code::ForwardingSelf,
                    format!(
                        "{} forwards its `{}` calls to itself",
                        node.name(),
                        rule.field()
                    ),
                )
                .at(file, span, "itself")
                .help("forward to voicemail, another user, a ring group or an external number"),
            );
            continue;
        }
        g.add_edge(from, to, rule);
    }
    report_cycles(ctx, &g);
}

/// Reports one loop per strongly connected component: the shortest cycle
/// through its first-defined node, named hop by hop.
/// Every loop is reported, not only the first of each group of linked
/// resources: once a loop is reported, its first edge is taken out and the
/// search starts again, until no cycle is left (each round removes an edge,
/// so this ends).
fn report_cycles(ctx: &mut Ctx<'_>, graph: &DiGraph<Node<'_>, Rule>) {
    let mut g = graph.clone();
    loop {
        let mut components: Vec<Vec<NodeIndex>> = petgraph::algo::kosaraju_scc(&g)
            .into_iter()
            .filter(|c| c.len() > 1)
            .collect();
        if components.is_empty() {
            return;
        }
        for c in &mut components {
            c.sort();
        }
        components.sort();
        let mut removed = false;
        for component in components {
            if let Some(edge) = report_one(ctx, &g, &component) {
                g.remove_edge(edge);
                removed = true;
                // Edge indexes shift on removal: find the next loop afresh.
                break;
            }
        }
        if !removed {
            return;
        }
    }
}

/// Reports the shortest loop through the component's first node; returns
/// the loop's first edge.
fn report_one(
    ctx: &mut Ctx<'_>,
    g: &DiGraph<Node<'_>, Rule>,
    component: &[NodeIndex],
) -> Option<petgraph::graph::EdgeIndex> {
    {
        let start = component[0];
        let cycle = shortest_cycle(g, start, component)?;
        let names: Vec<String> = cycle
            .iter()
            .map(|(n, rule)| format!("{} ({})", g[*n].name(), rule.words()))
            .chain(std::iter::once(g[start].name()))
            .collect();
        let first = g[start];
        let (file, span) = ctx.value(first.origin, &cycle[0].1.path(&first));
        let mut d = Diagnostic::error(
            Code::ForwardingLoop,
            format!("forwarding loop: {}", names.join(" → ")),
        )
        .at(file, span, "the loop starts here")
        .help(
            "break the cycle: send one of these rules to voicemail, a person or an external number",
        );
        for (i, (n, rule)) in cycle.iter().enumerate().skip(1) {
            let node = g[*n];
            let (f, s) = ctx.value(node.origin, &rule.path(&node));
            let next = g[cycle.get(i + 1).map_or(start, |(n, _)| *n)].name();
            d = d.related(f, s, format!("then {} → {next}", node.name()));
        }
        ctx.out.push(d);
        let to = cycle.get(1).map_or(start, |(n, _)| *n);
        g.edges_connecting(start, to)
            .find(|e| *e.weight() == cycle[0].1)
            .map(|e| e.id())
    }
}

/// Breadth-first search back to `start` inside its component: each hop is
/// a node and the rule that leaves it.
fn shortest_cycle(
    g: &DiGraph<Node<'_>, Rule>,
    start: NodeIndex,
    component: &[NodeIndex],
) -> Option<Vec<(NodeIndex, Rule)>> {
    let inside = |n: NodeIndex| component.binary_search(&n).is_ok();
    let mut came_from: HashMap<NodeIndex, (NodeIndex, Rule)> = HashMap::default();
    let mut queue = VecDeque::from([start]);
    let edges_sorted = |n: NodeIndex| {
        let mut es: Vec<_> = g
            .edges(n)
            .map(|e| (e.target(), *e.weight()))
            .filter(|(t, _)| inside(*t))
            .collect();
        es.sort_by_key(|(t, r)| (*t, r.condition, r.state));
        es
    };
    while let Some(n) = queue.pop_front() {
        for (t, rule) in edges_sorted(n) {
            if t == start {
                let mut hops = vec![(n, rule)];
                let mut cur = n;
                while cur != start {
                    let (prev, r) = came_from[&cur];
                    hops.push((prev, r));
                    cur = prev;
                }
                hops.reverse();
                return Some(hops);
            }
            if t != start && !came_from.contains_key(&t) {
                came_from.insert(t, (n, rule));
                queue.push_back(t);
            }
        }
    }
    None
}
