//! Routes in words: the text tree and the Mermaid flowchart of `vocm
//! route`, and the labels plans use for call paths. The route itself is
//! data ([`crate::route`]); every English word about it is here.

use std::fmt::Write as _;

use crate::account::ScheduleState;
use crate::model::RingStrategy;
use crate::route::{Answer, Condition, End, Node, Reading, Route};

/// "Alice Martin, ext 1001", or what an end is.
#[must_use]
pub fn label(n: &Node) -> String {
    if n.truncated {
        return "… (the path goes on)".to_owned();
    }
    if let Some(end) = &n.end {
        return match end {
            End::Voicemail { of } => format!("the voicemail of {of}"),
            End::External { number } => format!("{number}, outside the account"),
            End::Dropped => "the call is dropped".to_owned(),
            End::DialByName => "the directory, by name".to_owned(),
            End::Loop { .. } => "back again: the call goes round in a loop".to_owned(),
            End::Unknown { .. } => "nothing: no such resource".to_owned(),
            End::Fax { of } => {
                format!("the internet fax line of {of}: faxes reach them, calls are not answered")
            }
            End::Unassigned => {
                "nothing: the account holds this number, but it is assigned to no one".to_owned()
            }
        };
    }
    match (&n.name, &n.extension) {
        (Some(name), Some(ext)) => format!("{name}, ext {ext}"),
        (Some(name), None) => name.clone(),
        (None, Some(ext)) => format!("ext {ext}"),
        (None, None) => String::new(),
    }
}

/// "rings alice's device for 20 s", "plays greeting, then the menu".
#[must_use]
pub fn answer(n: &Node) -> String {
    let Some(a) = &n.answer else {
        return String::new();
    };
    match a {
        Answer::Device {
            user,
            seconds,
            devices,
        } => match devices {
            0 => format!("rings {user}'s softphone for {seconds} s"),
            1 => format!("rings {user}'s device for {seconds} s"),
            n => format!("rings {user}'s {n} devices together for {seconds} s"),
        },
        Answer::Members {
            members,
            strategy,
            seconds_each,
            cycles,
            total_seconds,
        } => {
            let how = match strategy {
                RingStrategy::Simultaneous => "together",
                RingStrategy::Sequential => "one after another",
                RingStrategy::RoundRobin => "one after another, round robin",
            };
            let who = if members.is_empty() {
                "nobody".to_owned()
            } else {
                members.join(", ")
            };
            format!(
                "rings {who} {how}, {seconds_each} s each, {cycles} cycle{} ({total_seconds} s)",
                if *cycles == 1 { "" } else { "s" }
            )
        }
        Answer::Menu { greeting: None } => "answers with the menu".to_owned(),
        // A menu of no keys (closed hours, say) is a greeting, then the timeout.
        Answer::Menu { greeting: Some(g) }
            if !n
                .branches
                .iter()
                .any(|b| matches!(b.when, Condition::Key { .. })) =>
        {
            format!("plays {g}")
        }
        Answer::Menu { greeting: Some(g) } => format!("plays {g}, then the menu"),
        Answer::Schedule {
            schedule,
            timezone,
            at: None,
        } => format!("follows schedule {schedule} ({timezone})"),
        Answer::Schedule {
            schedule,
            timezone,
            at: Some(r),
        } => reading(schedule, timezone, r),
    }
}

/// "at 2026-12-25 10:00 in Europe/Paris, schedule paris-hours says: a
/// holiday (Christmas Day)".
fn reading(schedule: &str, timezone: &str, r: &Reading) -> String {
    let when = r.local.replace('T', " ");
    let skipped = r.skipped.as_ref().map_or_else(String::new, |s| {
        format!(
            " ({} is skipped by the clock change)",
            s.split_once('T').map_or(s.as_str(), |(_, t)| t)
        )
    });
    let state = match (r.state, &r.holiday) {
        (ScheduleState::Open, _) => "open".to_owned(),
        (ScheduleState::Closed, _) => "closed".to_owned(),
        (ScheduleState::Holiday, Some(h)) => format!("a holiday ({h})"),
        (ScheduleState::Holiday, None) => "a holiday".to_owned(),
    };
    format!("at {when} in {timezone}{skipped}, schedule {schedule} says: {state}")
}

/// "when open", "when closed or on a holiday", "on a holiday".
fn states(states: &[ScheduleState]) -> String {
    let words: Vec<&str> = states
        .iter()
        .map(|s| match s {
            ScheduleState::Open => "open",
            ScheduleState::Closed => "closed",
            ScheduleState::Holiday => "on a holiday",
        })
        .collect();
    let listed = match words.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    if states.first() == Some(&ScheduleState::Holiday) {
        listed
    } else {
        format!("when {listed}")
    }
}

/// "no answer after 20 s", "busy", "press 1", "no key pressed".
#[must_use]
pub fn condition(c: &Condition) -> String {
    match c {
        Condition::Always => "always".to_owned(),
        Condition::Busy => "busy".to_owned(),
        Condition::NoAnswer { after_seconds } => format!("no answer after {after_seconds} s"),
        Condition::Unreachable => "unreachable".to_owned(),
        Condition::Key { key } => format!("press {key}"),
        Condition::NoKey => "no key pressed".to_owned(),
        Condition::Schedule { states: s } => states(s),
    }
}

/// Renders a route as an indented tree.
#[must_use]
pub fn text(route: &Route) -> String {
    // A number grouped as its country writes it; an extension as dialled.
    let entry = route
        .entry
        .parse::<crate::model::PhoneNumber>()
        .map_or_else(|_| route.entry.clone(), |n| n.international());
    let mut out = format!(
        "{} → {} ({})\n",
        entry,
        route.start.target,
        label(&route.start)
    );
    body(&mut out, &route.start, "");
    out
}

fn body(out: &mut String, n: &Node, indent: &str) {
    let rings = answer(n);
    if !rings.is_empty() {
        let _ = writeln!(out, "{indent}  {rings}");
    }
    branches(out, n, indent);
}

fn branches(out: &mut String, n: &Node, indent: &str) {
    for (i, b) in n.branches.iter().enumerate() {
        let last = i + 1 == n.branches.len();
        let (tee, bar) = if last {
            ("└─", "   ")
        } else {
            ("├─", "│  ")
        };
        let inner = format!("{indent}  {bar}");
        if matches!(b.when, Condition::Schedule { .. }) {
            // A state of the attendant's own schedule: the same resource,
            // so its menu follows the condition on the same line.
            let _ = writeln!(
                out,
                "{indent}  {tee} {}: {}",
                condition(&b.when),
                answer(&b.node)
            );
            branches(out, &b.node, &inner);
            continue;
        }
        let _ = writeln!(
            out,
            "{indent}  {tee} {} → {} ({})",
            condition(&b.when),
            b.node.target,
            label(&b.node)
        );
        body(out, &b.node, &inner);
    }
}

/// Renders a route as a Mermaid flowchart (GitHub renders them).
#[must_use]
pub fn mermaid(route: &Route) -> String {
    diagram(Some(&route.entry), &route.start, &[])
}

/// Whether a path branches: its ways out lead to more than one place (a
/// hop whose every condition ends in its voicemail reads as well in text).
#[must_use]
pub fn forks(n: &Node) -> bool {
    let mut places = n.branches.iter().map(|b| {
        (
            b.node.end.as_ref().map(std::mem::discriminant),
            &b.node.target,
        )
    });
    places
        .next()
        .is_some_and(|first| places.any(|p| p != first))
}

/// A path as a Mermaid flowchart, left to right so that it reads at a
/// comment's width: an outcome (voicemail, a hang-up, the directory, an
/// outside number) is one node however many ways lead to it, a resource met
/// again is linked to, not drawn again, a branch deeper than [`FOLD_DEPTH`]
/// hops is folded into one node, and the nodes of `changed` (by target)
/// are highlighted.
#[must_use]
pub fn diagram(entry: Option<&str>, start: &Node, changed: &[String]) -> String {
    let mut d = Diagram {
        out: String::from("flowchart LR\n"),
        ids: rustc_hash::FxHashMap::default(),
        highlighted: Vec::new(),
        changed,
    };
    if let Some(entry) = entry {
        let _ = writeln!(d.out, "  entry([\"{}\"])", quote(entry));
    }
    let first = d.node(start, None, 0);
    if entry.is_some() {
        let _ = writeln!(d.out, "  entry --> {first}");
    }
    if !d.highlighted.is_empty() {
        d.out
            .push_str("  classDef changed fill:#fff8c5,stroke:#9a6700,stroke-width:2px\n");
        let _ = writeln!(d.out, "  class {} changed", d.highlighted.join(","));
    }
    d.out
}

/// The hops drawn from the start before a branch is folded into one node
/// ("user:u5 … 3 more hops"): GitHub fits a flowchart to a comment's
/// width, so that a longer chain shrinks its text past reading.
pub const FOLD_DEPTH: usize = 5;

/// The resources (not outcomes) reached from `n`, each once.
fn hops_after(n: &Node) -> Vec<&str> {
    fn walk<'a>(n: &'a Node, seen: &mut Vec<&'a str>) {
        for b in &n.branches {
            if b.node.end.is_none() && !seen.contains(&b.node.target.as_str()) {
                seen.push(&b.node.target);
            }
            walk(&b.node, seen);
        }
    }
    let mut seen = Vec::new();
    walk(n, &mut seen);
    seen.retain(|t| *t != n.target);
    seen
}

fn quote(s: &str) -> String {
    s.replace('"', "'")
}

struct Diagram<'a> {
    out: String,
    /// Node ids by what they stand for: an outcome, or a resource.
    ids: rustc_hash::FxHashMap<String, String>,
    highlighted: Vec<String>,
    changed: &'a [String],
}

impl Diagram<'_> {
    /// What a node stands for, so that two ways to it share it.
    fn key(n: &Node, state_of: Option<&str>) -> String {
        match &n.end {
            Some(End::Voicemail { .. }) => "voicemail".to_owned(),
            Some(End::Dropped) => "drop".to_owned(),
            Some(End::DialByName) => "dial_by_name".to_owned(),
            Some(End::Loop { to }) => to.clone(),
            Some(_) | None if n.truncated => format!("{}…", n.target),
            _ => state_of.map_or_else(|| n.target.clone(), |s| format!("{}#{s}", n.target)),
        }
    }

    /// Draws `n` (unless drawn already) and its branches, `depth` hops from
    /// the start; answers its id.
    fn node(&mut self, n: &Node, state_of: Option<&str>, depth: usize) -> String {
        let folded = depth >= FOLD_DEPTH && n.end.is_none() && !hops_after(n).is_empty();
        if folded {
            return self.fold(n, state_of);
        }
        let key = Self::key(n, state_of);
        if let Some(id) = self.ids.get(&key) {
            return id.clone();
        }
        let id = format!("n{}", self.ids.len() + 1);
        self.ids.insert(key, id.clone());
        let text = match &n.end {
            Some(End::Voicemail { .. }) => "voicemail".to_owned(),
            Some(End::Dropped) => "hang up".to_owned(),
            Some(End::DialByName) => "the directory, by name".to_owned(),
            Some(_) => label(n),
            None if n.truncated => label(n),
            None => {
                let rings = answer(n);
                if rings.is_empty() {
                    format!("{}<br/>{}", n.target, label(n))
                } else {
                    format!("{}<br/>{}<br/><i>{rings}</i>", n.target, label(n))
                }
            }
        };
        let (open, close) = if n.end.is_some() {
            ("([", "])")
        } else {
            ("[", "]")
        };
        let _ = writeln!(self.out, "  {id}{open}\"{}\"{close}", quote(&text));
        if n.end.is_none() && self.changed.contains(&n.target) && state_of.is_none() {
            self.highlighted.push(id.clone());
        }
        for b in &n.branches {
            let state = matches!(b.when, Condition::Schedule { .. }).then(|| condition(&b.when));
            let child = self.node(&b.node, state.as_deref(), depth + 1);
            let _ = writeln!(
                self.out,
                "  {id} -->|\"{}\"| {child}",
                quote(&condition(&b.when))
            );
        }
        id
    }

    /// `n` and everything after it as one node: "user:u5 … 3 more hops".
    /// Its own key: the same resource nearer the start is drawn whole.
    fn fold(&mut self, n: &Node, state_of: Option<&str>) -> String {
        let key = format!("{}…folded", Self::key(n, state_of));
        if let Some(id) = self.ids.get(&key) {
            return id.clone();
        }
        let id = format!("n{}", self.ids.len() + 1);
        self.ids.insert(key, id.clone());
        let after = hops_after(n);
        let hops = after.len();
        let text = format!(
            "{}<br/><i>… {hops} more {}</i>",
            n.target,
            if hops == 1 { "hop" } else { "hops" }
        );
        let _ = writeln!(self.out, "  {id}[\"{}\"]", quote(&text));
        // A change folded away still shows: the fold is highlighted.
        let changed = std::iter::once(n.target.as_str())
            .chain(after)
            .any(|t| self.changed.iter().any(|c| c == t));
        if changed && state_of.is_none() {
            self.highlighted.push(id.clone());
        }
        id
    }
}
