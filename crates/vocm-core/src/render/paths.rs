//! Call-path changes as reviewers read them. By default (`changes`), as a
//! diff grouped by cause: each changed hop once, its differing lines marked
//! `+`/`-`/`~`, unchanged ways elided, and the numbers that reach it; a new
//! number's path in its first hops. In full, the path before and the path
//! after, side by side where the width allows.

use std::fmt::Write as _;

use super::route::{answer, condition, label};
use super::tree::{Line, Sign};
use crate::route::causes::{Cause, Causes, Entry, Hop, Reach, counterpart, hop_differs};
use crate::route::{Answer, Condition, End, Node, PathChange, Route};

/// How much of the call paths a plan shows (`plan --call-paths`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// Every changed path, before and after, whole.
    Full,
    /// Only what differs, grouped by cause.
    #[default]
    Changes,
    /// No call paths.
    None,
}

/// Width a text plan assumes when it knows no terminal's: wide enough for
/// the grouped diff, too narrow for two whole trees side by side.
pub const TEXT_WIDTH: usize = 100;

/// How many entries a cause lists before "and N more".
pub const REACHED_SHOWN: usize = 5;

const GAP: &str = " │ ";

/// The lines of one side: the traced path, or why there is none.
#[must_use]
pub fn column(route: Option<&Route>) -> Vec<String> {
    route.map_or_else(
        || vec!["(nothing: no number or extension reaches it)".to_owned()],
        |r| super::route::text(r).lines().map(str::to_owned).collect(),
    )
}

/// The before and after paths in two columns under a `before │ after`
/// header, or `None` when they do not fit in `width` characters.
#[must_use]
pub fn side_by_side(change: &PathChange, width: usize) -> Option<Vec<String>> {
    let left = column(change.before.as_deref());
    let right = column(change.after.as_deref());
    let wide = |lines: &[String]| lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let left_width = wide(&left).max("before".len());
    if left_width + GAP.chars().count() + wide(&right) > width {
        return None;
    }
    let rows = left.len().max(right.len());
    let mut out = Vec::with_capacity(rows + 2);
    let pad = |s: &str| format!("{s}{}", " ".repeat(left_width - s.chars().count()));
    out.push(format!("{}{GAP}after", pad("before")));
    out.push(format!(
        "{}─┼─{}",
        "─".repeat(left_width),
        "─".repeat(wide(&right).max(5))
    ));
    for i in 0..rows {
        let l = left.get(i).map_or("", String::as_str);
        let r = right.get(i).map_or("", String::as_str);
        out.push(format!("{}{GAP}{r}", pad(l)).trim_end().to_owned());
    }
    Some(out)
}

/// The before and after paths one under the other.
#[must_use]
pub fn stacked(change: &PathChange) -> Vec<String> {
    let mut out = vec!["before:".to_owned()];
    out.extend(
        column(change.before.as_deref())
            .into_iter()
            .map(|l| format!("  {l}")),
    );
    out.push("after:".to_owned());
    out.extend(
        column(change.after.as_deref())
            .into_iter()
            .map(|l| format!("  {l}")),
    );
    out
}

/// One group of the diff: a changed hop, a new entry or a gone one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// `~` a changed hop, `+` a new entry, `-` a gone one.
    pub sign: Sign,
    /// `ring_group:sales (Sales, ext 1100)`, or the entry and where it goes.
    pub title: String,
    /// What changes, in words (`rings 20 s instead of 25 s`); empty for new
    /// and gone entries.
    pub summary: String,
    /// The hop's lines: those that differ, marked, and one that names the
    /// ways that do not.
    pub lines: Vec<Line>,
    /// The entries that reach the hop and how, most direct first (at most
    /// [`REACHED_SHOWN`]).
    pub reached: Vec<(String, String)>,
    /// How many entries reach it in all.
    pub reached_total: usize,
    /// The changed hop after the plan, for a diagram.
    pub after: Option<Node>,
}

/// The diff of a plan's call paths, block by block.
#[must_use]
pub fn blocks(causes: &Causes) -> Vec<Block> {
    let mut out: Vec<Block> = causes.causes.iter().map(cause_block).collect();
    out.extend(causes.new.iter().take(NEW_SHOWN).map(new_block));
    if causes.new.len() > NEW_SHOWN {
        out.push(listing(
            Sign::Add,
            &causes.new[NEW_SHOWN..],
            "more new numbers and extensions (`vocm route NUMBER` traces any)",
        ));
    }
    if !causes.gone.is_empty() {
        out.push(listing(Sign::Remove, &causes.gone, "no longer answered"));
    }
    out
}

/// How many new entries a plan shows the path of; the rest are listed.
pub const NEW_SHOWN: usize = 20;

/// Entries listed under one line: "12 no longer answered", the first few
/// with the resource they reached, and how many more.
fn listing(sign: Sign, entries: &[Entry<'_>], what: &str) -> Block {
    let mut lines: Vec<Line> = entries
        .iter()
        .take(REACHED_SHOWN)
        .map(|e| line(sign, 0, format!("{} → {}", shown(e.entry), e.resource)))
        .collect();
    if entries.len() > REACHED_SHOWN {
        lines.push(line(
            Sign::Same,
            0,
            format!("… and {} more", entries.len() - REACHED_SHOWN),
        ));
    }
    Block {
        sign,
        title: format!("{} {what}", entries.len()),
        summary: String::new(),
        lines,
        reached: Vec::new(),
        reached_total: 0,
        after: None,
    }
}

fn cause_block(c: &Cause) -> Block {
    let mut lines = Vec::new();
    hop_lines(&mut lines, 0, &c.before, &c.after);
    Block {
        sign: Sign::Change,
        title: format!("{} ({})", c.target, label(&c.after)),
        summary: summary(&c.before, &c.after),
        lines,
        reached: c
            .reached
            .iter()
            .take(REACHED_SHOWN)
            .map(|r| (shown(&r.entry), how(r)))
            .collect(),
        reached_total: c.reached.len(),
        after: Some(c.after.clone()),
    }
}

fn new_block(e: &Entry<'_>) -> Block {
    let start = crate::route::causes::shallow(e.start);
    let mut lines = Vec::new();
    let rings = answer(&start);
    if !rings.is_empty() {
        lines.push(line(Sign::Same, 0, rings));
    }
    for b in &start.branches {
        lines.push(line(Sign::Same, 0, way(&b.when, &b.node)));
    }
    Block {
        sign: Sign::Add,
        title: format!("{} → {} ({})", shown(e.entry), start.target, label(&start)),
        summary: String::new(),
        lines,
        reached: Vec::new(),
        reached_total: 0,
        after: Some(start),
    }
}

/// An entry as people read it (`+33170000001, ext 1001`): its numbers
/// grouped as their country writes them (`+33 1 70 00 00 01, ext 1001`);
/// an extension, or a masked number, as it is.
fn shown(entry: &str) -> String {
    entry
        .split(", ")
        .map(|part| {
            part.strip_prefix('+')
                .and(part.parse::<crate::model::PhoneNumber>().ok())
                .map_or_else(|| part.to_owned(), |n| n.international())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn line(sign: Sign, depth: usize, text: String) -> Line {
    Line {
        sign,
        depth,
        text,
        note: None,
    }
}

/// "no answer after 20 s → `ring_group:sales` (Sales, ext 1100)".
fn way(when: &Condition, n: &Node) -> String {
    if n.end.is_some() {
        return format!("{} → {}", condition(when), label(n));
    }
    format!("{} → {} ({})", condition(when), n.target, label(n))
}

/// The lines of a hop that differ between `b` and `a`, and one line naming
/// the ways out that do not.
fn hop_lines(out: &mut Vec<Line>, depth: usize, b: &Node, a: &Node) {
    if b.answer != a.answer {
        let (old, new) = (answer(b), answer(a));
        match (old.is_empty(), new.is_empty()) {
            (false, false) => out.push(line(Sign::Change, depth, new)),
            (true, false) => out.push(line(Sign::Add, depth, new)),
            (false, true) => out.push(line(Sign::Remove, depth, old)),
            (true, true) => {}
        }
    }
    let mut same = Vec::new();
    for y in &a.branches {
        let Some(x) = counterpart(&b.branches, y) else {
            out.push(line(Sign::Add, depth, way(&y.when, &y.node)));
            continue;
        };
        let schedule = matches!(y.when, Condition::Schedule { .. });
        if x.node.target != y.node.target || x.node.end != y.node.end {
            out.push(line(Sign::Remove, depth, way(&x.when, &x.node)));
            out.push(line(Sign::Add, depth, way(&y.when, &y.node)));
            let first = answer(&y.node);
            if !first.is_empty() && !schedule {
                out.push(line(Sign::Add, depth + 1, first));
            }
        } else if schedule && (x.when != y.when || hop_differs(&x.node, &y.node)) {
            let mut l = line(
                Sign::Change,
                depth,
                format!("{}: {}", condition(&y.when), answer(&y.node)),
            );
            if x.when != y.when {
                l.note = Some(format!("was {}", condition(&x.when)));
            }
            out.push(l);
            // The state's line above says what it answers with.
            let mut inner = Vec::new();
            hop_lines(&mut inner, depth + 1, &x.node, &y.node);
            out.extend(inner.into_iter().filter(|l| l.text != answer(&y.node)));
        } else if x.when != y.when {
            let mut l = line(Sign::Change, depth, way(&y.when, &y.node));
            l.note = Some(format!("was {}", condition(&x.when)));
            out.push(l);
        } else {
            same.push(condition(&y.when));
        }
    }
    for x in &b.branches {
        if counterpart(&a.branches, x).is_none() {
            out.push(line(Sign::Remove, depth, way(&x.when, &x.node)));
        }
    }
    if !same.is_empty() {
        out.push(line(
            Sign::Same,
            depth,
            format!("… {}: unchanged", same.join(", ")),
        ));
    }
}

/// What a changed hop does differently, in a few words: "rings 20 s
/// instead of 25 s, and now chloe.bernard too".
#[must_use]
pub fn summary(b: &Node, a: &Node) -> String {
    let mut parts = Vec::new();
    answer_summary(&mut parts, b.answer.as_ref(), a.answer.as_ref());
    branch_summary(&mut parts, b, a, "");
    if parts.is_empty() {
        parts.push("answers differently".to_owned());
    }
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}, and {last}", rest.join(", ")),
        _ => parts.join(""),
    }
}

fn answer_summary(parts: &mut Vec<String>, b: Option<&Answer>, a: Option<&Answer>) {
    match (b, a) {
        (Some(b), Some(a)) if b == a => {}
        (
            Some(Answer::Device {
                seconds: s0,
                devices: d0,
                ..
            }),
            Some(Answer::Device {
                seconds: s1,
                devices: d1,
                ..
            }),
        ) => {
            if s0 != s1 {
                parts.push(format!("rings {s1} s instead of {s0} s"));
            }
            if d0 != d1 {
                parts.push(format!(
                    "rings {} instead of {}",
                    devices(*d1),
                    devices(*d0)
                ));
            }
        }
        (
            Some(Answer::Members {
                members: m0,
                strategy: st0,
                seconds_each: s0,
                cycles: c0,
                ..
            }),
            Some(Answer::Members {
                members: m1,
                strategy: st1,
                seconds_each: s1,
                cycles: c1,
                ..
            }),
        ) => {
            if s0 != s1 {
                parts.push(format!("rings {s1} s instead of {s0} s"));
            }
            if c0 != c1 {
                parts.push(format!("{c1} cycles instead of {c0}"));
            }
            if st0 != st1 {
                parts.push(format!(
                    "rings {} instead of {}",
                    st1.as_str(),
                    st0.as_str()
                ));
            }
            let added: Vec<&str> = m1
                .iter()
                .filter(|m| !m0.contains(m))
                .map(String::as_str)
                .collect();
            let removed: Vec<&str> = m0
                .iter()
                .filter(|m| !m1.contains(m))
                .map(String::as_str)
                .collect();
            if !added.is_empty() {
                parts.push(format!("now {} too", added.join(", ")));
            }
            if !removed.is_empty() {
                parts.push(format!("no longer {}", removed.join(", ")));
            }
            if added.is_empty() && removed.is_empty() && m0 != m1 {
                parts.push("rings its members in a new order".to_owned());
            }
        }
        (Some(Answer::Menu { greeting: g0 }), Some(Answer::Menu { greeting: g1 })) => {
            parts.push(match (g0, g1) {
                (_, Some(g)) => format!("plays {g}"),
                (Some(g), None) => format!("no longer plays {g}"),
                (None, None) => "answers with its menu".to_owned(),
            });
        }
        (Some(_), None) => parts.push("forwards every call at once".to_owned()),
        (None, Some(_)) => parts.push("rings again before forwarding".to_owned()),
        (Some(_), Some(a)) => parts.push(match a {
            Answer::Schedule { schedule, .. } => format!("follows schedule {schedule}"),
            _ => "answers differently".to_owned(),
        }),
        (None, None) => {}
    }
}

fn devices(n: usize) -> String {
    match n {
        0 => "the softphone".to_owned(),
        1 => "1 device".to_owned(),
        n => format!("{n} devices"),
    }
}

/// Where a way out leads, in a word: `ring_group:sales`, `voicemail`.
fn target(n: &Node) -> String {
    match &n.end {
        Some(End::Voicemail { .. }) => "voicemail".to_owned(),
        Some(End::Dropped) => "a hang-up".to_owned(),
        Some(End::DialByName) => "the directory".to_owned(),
        Some(End::External { number }) => number.clone(),
        Some(End::Loop { to }) => format!("{to} (a loop)"),
        Some(End::Unknown { target }) => format!("{target} (unknown)"),
        Some(End::Fax { of }) => format!("{of}'s fax line"),
        Some(End::Unassigned) => "nothing (unassigned)".to_owned(),
        None => n.target.clone(),
    }
}

fn branch_summary(parts: &mut Vec<String>, b: &Node, a: &Node, prefix: &str) {
    for y in &a.branches {
        let Some(x) = counterpart(&b.branches, y) else {
            parts.push(format!(
                "{prefix}{} now goes to {}",
                short(&y.when),
                target(&y.node)
            ));
            continue;
        };
        if x.node.target != y.node.target || x.node.end != y.node.end {
            parts.push(format!(
                "{prefix}{} goes to {} instead of {}",
                short(&y.when),
                target(&y.node),
                target(&x.node)
            ));
        } else if matches!(y.when, Condition::Schedule { .. })
            && (x.when != y.when || hop_differs(&x.node, &y.node))
        {
            let mut inner = Vec::new();
            answer_summary(&mut inner, x.node.answer.as_ref(), y.node.answer.as_ref());
            for i in inner {
                parts.push(format!("{}: {i}", condition(&y.when)));
            }
            branch_summary(
                parts,
                &x.node,
                &y.node,
                &format!("{}: ", condition(&y.when)),
            );
        } else if x.when != y.when && b.answer == a.answer {
            parts.push(format!(
                "{prefix}{} instead of {}",
                condition(&y.when),
                condition(&x.when)
            ));
        }
    }
    for x in &b.branches {
        if counterpart(&a.branches, x).is_none() {
            parts.push(format!("{prefix}{} is gone", short(&x.when)));
        }
    }
}

/// A way out, without its seconds: "no answer", "press 1".
fn short(c: &Condition) -> String {
    match c {
        Condition::NoAnswer { .. } => "no answer".to_owned(),
        c => condition(c),
    }
}

/// A way out, as the reason a call moves on: "when busy", "after no answer".
fn reason(c: &Condition) -> String {
    match c {
        Condition::Always => "always".to_owned(),
        Condition::Busy => "when busy".to_owned(),
        Condition::NoAnswer { .. } => "after no answer".to_owned(),
        Condition::Unreachable => "when unreachable".to_owned(),
        Condition::Key { key } => format!("on key {key}"),
        Condition::NoKey => "when no key is pressed".to_owned(),
        Condition::Schedule { .. } => condition(c),
    }
}

/// How an entry reaches a changed hop: "directly", "after no answer",
/// "when busy → `user:alice.martin`, after no answer".
#[must_use]
pub fn how(r: &Reach) -> String {
    let mut out = String::new();
    let mut previous: Option<&Hop> = None;
    for hop in &r.via {
        match previous {
            None => {}
            Some(p) if p.from == hop.from => out.push_str(", "),
            Some(_) => {
                let _ = write!(out, " → {}, ", hop.from);
            }
        }
        out.push_str(&reason(&hop.when));
        previous = Some(hop);
    }
    if out.is_empty() {
        return "directly".to_owned();
    }
    // A long way in reads by its first and last steps: the first says
    // which condition of the number leads away, the last how the hop is
    // reached.
    let steps: Vec<&str> = out.split(" → ").collect();
    match steps.as_slice() {
        [first, .., last] if steps.len() > 2 => format!("{first} → … → {last}"),
        _ => out,
    }
}

/// "and 195 more" lines and the like need plurals.
#[must_use]
pub fn entries(n: usize) -> String {
    if n == 1 {
        "1 number or extension".to_owned()
    } else {
        format!("{n} numbers and extensions")
    }
}

/// The first line of the section: how many entries change, through how
/// many hops.
#[must_use]
pub fn heading(causes: &Causes) -> String {
    let mut parts = Vec::new();
    if causes.changed > 0 {
        let hops = causes.causes.len();
        parts.push(format!(
            "{} through {hops} changed hop{}",
            entries(causes.changed),
            if hops == 1 { "" } else { "s" }
        ));
    }
    if !causes.new.is_empty() {
        parts.push(format!("{} new", causes.new.len()));
    }
    if !causes.gone.is_empty() {
        parts.push(format!("{} no longer answered", causes.gone.len()));
    }
    format!("Call paths that change: {}.", parts.join("; "))
}

/// The call-path section of a text plan (empty when no path changes).
#[must_use]
pub fn text(changes: &[PathChange], detail: Detail, width: usize) -> Vec<String> {
    if changes.is_empty() {
        return Vec::new();
    }
    match detail {
        Detail::None => Vec::new(),
        Detail::Full => {
            let mut out = vec!["Call paths that change:".to_owned(), String::new()];
            for c in changes {
                out.push(format!("  # calls to {} ({})", shown(&c.entry), c.resource));
                let lines = side_by_side(c, width.saturating_sub(4)).unwrap_or_else(|| stacked(c));
                out.extend(lines.into_iter().map(|l| format!("    {l}")));
                out.push(String::new());
            }
            out
        }
        Detail::Changes => {
            let causes = crate::route::causes::group(changes);
            let mut out = vec![heading(&causes), String::new()];
            for b in blocks(&causes) {
                block_text(&mut out, &b);
                out.push(String::new());
            }
            out
        }
    }
}

fn block_text(out: &mut Vec<String>, b: &Block) {
    let sign = b.sign.symbol();
    if b.summary.is_empty() {
        out.push(format!("  {sign} {}", b.title));
    } else {
        out.push(format!("  {sign} {}: {}", b.title, b.summary));
    }
    for l in &b.lines {
        let note = l.note_suffix();
        out.push(format!(
            "      {}{} {}{note}",
            "    ".repeat(l.depth),
            l.sign.symbol(),
            l.text
        ));
    }
    if b.reached_total > 0 {
        out.push(format!("    reached from {}:", entries(b.reached_total)));
        let wide = b
            .reached
            .iter()
            .map(|(e, _)| e.chars().count())
            .max()
            .unwrap_or(0);
        for (entry, how) in &b.reached {
            let pad = " ".repeat(wide - entry.chars().count());
            out.push(format!("      {entry}{pad}  {how}"));
        }
        let more = b.reached_total - b.reached.len();
        if more > 0 {
            out.push(format!("      and {more} more"));
        }
    }
}
