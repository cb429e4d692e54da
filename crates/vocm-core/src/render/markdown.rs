//! Plans as Markdown for pull-request comments: a hidden marker line that
//! lets CI update its comment in place, the summary and a table first, then
//! the call paths that change and one collapsible section per resource —
//! never more than a comment can hold.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::text::{PlanView, body, resource_name, summary_line};
use super::{headline, visible};
use crate::account::Kind;
use crate::plan::Action;
use crate::route::PathChange;

/// GitHub's limit on the length of a comment, in characters.
pub const COMMENT_LIMIT: usize = 65_536;

/// What a comment needs besides the plan.
#[derive(Clone, Debug)]
pub struct Comment<'a> {
    /// Identifies the comment across runs: `<!-- vocm-plan: ID -->`.
    pub id: &'a str,
    /// The command that shows the whole plan, for when details are cut.
    pub rerun: &'a str,
    /// At most this many characters ([`COMMENT_LIMIT`]).
    pub limit: usize,
}

/// The marker line CI looks for to find the comment it posted before.
#[must_use]
pub fn marker(id: &str) -> String {
    // `--` may not appear inside an HTML comment.
    format!("<!-- vocm-plan: {} -->", id.replace("--", "- -"))
}

/// Renders a plan as one pull-request comment.
#[must_use]
pub fn render(view: &PlanView<'_>, comment: &Comment<'_>) -> String {
    let mut out = marker(comment.id);
    out.push('\n');
    let shown = visible(view.changes);
    let mut kept = String::new();
    if !view.kept.is_empty() {
        let _ = writeln!(kept, "{}\n", super::text::KEPT_HEADING);
        for l in super::text::kept_lines(view.kept) {
            let _ = writeln!(kept, "- {}", escape(&l));
        }
        kept.push('\n');
    }
    if shown.is_empty() {
        out.push_str("### vocm plan: no changes\n\nThe account matches the manifests.\n");
        if !kept.is_empty() {
            out.push('\n');
            out.push_str(&kept);
        }
        return out;
    }
    let _ = writeln!(out, "### vocm plan\n\n**{}**\n", summary_line(view.summary));
    for m in view.mass_deletes {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> This plan deletes {} of the account's {} {} (more than 10 %). `vocm apply` refuses it without `--allow-mass-delete`.\n",
            m.deleted,
            m.existing,
            m.kind.plural()
        );
    }
    table(&mut out, &shown);
    out.push_str(&kept);

    let paths: Vec<String> = view.call_paths.iter().map(call_path).collect();
    let finals = super::Finals::new(view.changes);
    let changes: Vec<String> = shown.iter().map(|c| change(&finals, c)).collect();

    // Blocks go in order while they fit, keeping room for the line that
    // says what was left out: what is shown of each section is a prefix of
    // it. Call paths may take half of the room when resource changes
    // follow, so that a large plan still shows some of both.
    let room = comment
        .limit
        .saturating_sub(CUT_NOTE_ROOM)
        .saturating_sub(out.chars().count());
    let path_room = if changes.is_empty() { room } else { room / 2 };
    let heading = format!("#### Call paths that change ({})\n\n", paths.len());
    let (used, paths_left) = fill(&mut out, &heading, &paths, path_room);
    let heading = format!("#### Changes ({})\n\n", changes.len());
    let (_, changes_left) = fill(&mut out, &heading, &changes, room - used);
    let cut = paths_left + changes_left > 0;
    let left_out = [paths_left, changes_left];
    if cut {
        let mut what = Vec::new();
        if left_out[0] > 0 {
            what.push(plural(left_out[0], "call path", "call paths"));
        }
        if left_out[1] > 0 {
            what.push(plural(left_out[1], "resource change", "resource changes"));
        }
        let _ = writeln!(
            out,
            "> [!NOTE]\n> {} left out to keep this comment under {} characters. `{}` shows the whole plan.",
            what.join(" and "),
            thousands(comment.limit),
            comment.rerun
        );
    }
    out
}

/// Room kept for the note on what was left out (it is far shorter, with
/// the longest command line a CI job would print).
const CUT_NOTE_ROOM: usize = 1_024;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `65536` → `65,536`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Appends the heading and as many of the blocks, in order, as fit in
/// `room` characters; returns the characters used and the number of blocks
/// left out.
fn fill(out: &mut String, heading: &str, blocks: &[String], room: usize) -> (usize, usize) {
    if blocks.is_empty() {
        return (0, 0);
    }
    let mut used = heading.chars().count();
    if used > room {
        return (0, blocks.len());
    }
    out.push_str(heading);
    for (i, block) in blocks.iter().enumerate() {
        let len = block.chars().count();
        if used + len > room {
            return (used, blocks.len() - i);
        }
        out.push_str(block);
        used += len;
    }
    (used, 0)
}

/// Counts per kind and action.
fn table(out: &mut String, shown: &[&crate::plan::Change]) {
    let mut table: BTreeMap<Kind, [usize; 4]> = BTreeMap::new();
    for c in shown {
        let col = match c.action {
            Action::Create => 0,
            Action::Update | Action::Rename => 1,
            Action::Replace => 2,
            Action::Delete => 3,
        };
        table.entry(c.id.kind).or_default()[col] += 1;
    }
    out.push_str("| resources | create | update | replace | delete |\n|---|--:|--:|--:|--:|\n");
    for (kind, counts) in &table {
        let cell = |n: usize| if n == 0 { String::new() } else { n.to_string() };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            kind.plural(),
            cell(counts[0]),
            cell(counts[1]),
            cell(counts[2]),
            cell(counts[3])
        );
    }
    out.push('\n');
}

/// Text for inside HTML elements.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One call path: before and after side by side, and the new path as a
/// Mermaid flowchart when it branches (a straight line reads as well in
/// text).
fn call_path(c: &PathChange) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<details><summary>calls to <code>{}</code> ({})</summary>\n",
        escape(&c.entry),
        escape(&c.resource.to_string())
    );
    let pre = |lines: Vec<String>| escape(&lines.join("\n"));
    let _ = writeln!(
        out,
        "<table><tr><th>before</th><th>after</th></tr><tr><td><pre>{}</pre></td><td><pre>{}</pre></td></tr></table>\n",
        pre(super::paths::column(c.before.as_ref())),
        pre(super::paths::column(c.after.as_ref()))
    );
    if let Some(after) = &c.after
        && !after.start.branches.is_empty()
    {
        let _ = writeln!(out, "```mermaid\n{}```\n", super::route::mermaid(after));
    }
    out.push_str("</details>\n\n");
    out
}

/// One resource's change, collapsed.
fn change<'a>(finals: &super::Finals<'a>, c: &'a crate::plan::Change) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<details><summary><code>{} {}</code> {}</summary>\n",
        c.action.symbol(),
        c.id,
        headline(c).trim_start_matches(&c.id.to_string()).trim()
    );
    for note in &c.notes {
        let _ = writeln!(out, "> {note}\n");
    }
    out.push_str("```diff\n");
    let lines = body(finals, c);
    let _ = writeln!(
        out,
        "{} {}{}",
        c.action.symbol(),
        resource_name(c),
        if lines.is_empty() { "" } else { " {" }
    );
    for l in &lines {
        // The sign goes first, where GitHub's diff highlighting looks.
        let note = l
            .note
            .as_ref()
            .map(|n| format!("  # {n}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}{} {}{note}",
            l.sign.symbol(),
            "    ".repeat(l.depth + 1),
            l.text
        );
    }
    if !lines.is_empty() {
        out.push_str("  }\n");
    }
    out.push_str("```\n\n</details>\n\n");
    out
}
