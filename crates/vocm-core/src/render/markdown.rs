//! Plans as Markdown for pull-request comments: a hidden marker line that
//! lets CI update its comment in place, the summary and a table first, then
//! the call paths that change and one collapsible section per resource —
//! never more than a comment can hold.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::paths::{self, Detail};
use super::text::{PlanView, body, resource_name, summary_line};
use super::tree::Sign;
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
    let mut head = String::new();
    for note in view.notes {
        let _ = writeln!(head, "> [!NOTE]\n> {}\n", escape(note));
    }
    if let Some(p) = super::text::partial(view.targets) {
        let _ = writeln!(head, "> [!IMPORTANT]\n> **Partial plan**: {}\n", escape(&p));
    }
    if shown.is_empty() {
        out.push_str("### vocm plan: no changes\n\n");
        out.push_str(&head);
        out.push_str(if view.targets.is_empty() {
            "The account matches the manifests.\n"
        } else {
            "The targets match the manifests (partial plan).\n"
        });
        if !kept.is_empty() {
            out.push('\n');
            out.push_str(&kept);
        }
        return out;
    }
    let partial = if view.targets.is_empty() {
        ""
    } else {
        " (partial: --target)"
    };
    let _ = writeln!(
        out,
        "### vocm plan\n\n**{}**{partial}\n",
        summary_line(view.summary)
    );
    out.push_str(&head);
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

    let paths = call_paths(view);
    let finals = super::Finals::new(view.changes);
    let changes: Vec<Block> = shown
        .iter()
        .map(|c| Block {
            full: change(&finals, c),
            short: None,
        })
        .collect();

    // Blocks go in order while they fit, keeping room for the line that
    // says what was left out: what is shown of each section is a prefix of
    // it. When the two sections do not fit together, call paths keep at
    // least half of the room, and a block that does not fit whole is
    // shown as its one-line summary.
    let room = comment
        .limit
        .saturating_sub(CUT_NOTE_ROOM)
        .saturating_sub(out.chars().count());
    let size = |blocks: &[Block]| blocks.iter().map(|b| b.full.chars().count()).sum::<usize>();
    let changes_size = size(&changes);
    let path_room = if size(&paths.blocks) + changes_size + paths.heading.len() + 64 <= room {
        room
    } else {
        (room / 2).max(room.saturating_sub(changes_size))
    };
    let (used, paths_left) = fill(&mut out, &paths.heading, &paths.blocks, path_room);
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

/// A block of a section, whole and, for a call path, as its one-line
/// summary.
struct Block {
    full: String,
    short: Option<String>,
}

/// The call-path section: its heading and its blocks.
struct Paths {
    heading: String,
    blocks: Vec<Block>,
}

fn call_paths(view: &PlanView<'_>) -> Paths {
    let none = Paths {
        heading: String::new(),
        blocks: Vec::new(),
    };
    if view.call_paths.is_empty() {
        return none;
    }
    match view.detail {
        Detail::None => none,
        Detail::Full => Paths {
            heading: format!(
                "#### Call paths that change ({})\n\n",
                view.call_paths.len()
            ),
            blocks: view
                .call_paths
                .iter()
                .map(|c| Block {
                    full: full_path(c),
                    short: Some(format!(
                        "- calls to <code>{}</code> ({})\n\n",
                        escape(&c.entry),
                        c.resource
                    )),
                })
                .collect(),
        },
        Detail::Changes => {
            let causes = crate::route::causes::group(view.call_paths);
            Paths {
                heading: format!("#### {}\n\n", escape(&paths::heading(&causes))),
                blocks: paths::blocks(&causes).iter().map(diff_block).collect(),
            }
        }
    }
}

/// Appends the heading and the blocks, in order: each whole while it fits,
/// else its summary line when it has one; returns the characters used and
/// how many blocks were left out. What is shown is a prefix of the section.
fn fill(out: &mut String, heading: &str, blocks: &[Block], room: usize) -> (usize, usize) {
    if blocks.is_empty() {
        return (0, 0);
    }
    let mut used = heading.chars().count();
    if used > room {
        return (0, blocks.len());
    }
    out.push_str(heading);
    // What follows a block must keep at least its summary line: the room
    // the summaries after each block need, summed once from the end.
    let short_len = |b: &Block| b.short.as_ref().map_or(0, |s| s.chars().count());
    let mut after = vec![0; blocks.len()];
    for i in (0..blocks.len().saturating_sub(1)).rev() {
        after[i] = after[i + 1] + short_len(&blocks[i + 1]);
    }
    for (i, block) in blocks.iter().enumerate() {
        let full = block.full.chars().count();
        if used + full + after[i] <= room {
            out.push_str(&block.full);
            used += full;
        } else if let Some(short) = block
            .short
            .as_ref()
            .filter(|s| used + s.chars().count() <= room)
        {
            out.push_str(short);
            used += short.chars().count();
        } else {
            return (used, blocks.len() - i);
        }
    }
    (used, 0)
}

/// A sign GitHub colours in a `diff` block: `+` green, `-` red, and `!`
/// (changed) orange; it leaves `~` lines uncoloured.
fn diff_sign(sign: Sign) -> &'static str {
    match sign {
        Sign::Change => "!",
        s => s.symbol(),
    }
}

/// One group of the call-path diff, collapsed: its lines as a `diff`
/// block, the entries that reach it, and its hop as a diagram when it
/// branches, the changed nodes highlighted.
fn diff_block(b: &paths::Block) -> Block {
    let reached = if b.reached_total > 0 {
        format!(" · {}", paths::entries(b.reached_total))
    } else {
        String::new()
    };
    let summary = if b.summary.is_empty() {
        String::new()
    } else {
        format!(": {}", escape(&b.summary))
    };
    let title = format!(
        "<code>{} {}</code>{summary}{reached}",
        b.sign.symbol(),
        escape(&b.title)
    );
    let mut out = format!("<details><summary>{title}</summary>\n\n");
    if !b.lines.is_empty() {
        out.push_str("```diff\n");
        for l in &b.lines {
            let note = l.note_suffix();
            let _ = writeln!(
                out,
                "{} {}{}{note}",
                diff_sign(l.sign),
                "    ".repeat(l.depth),
                l.text
            );
        }
        out.push_str("```\n\n");
    }
    if b.reached_total > 0 {
        out.push_str("Reached from:\n\n");
        for (entry, how) in &b.reached {
            let _ = writeln!(out, "- <code>{}</code> {}", escape(entry), escape(how));
        }
        let more = b.reached_total - b.reached.len();
        if more > 0 {
            let _ = writeln!(out, "- and {more} more");
        }
        out.push('\n');
    }
    if let Some(after) = &b.after
        && super::route::forks(after)
    {
        let changed = changed_targets(b);
        // A new number's diagram starts from it; a changed hop's, at the hop.
        let entry = (b.sign == Sign::Add).then(|| b.title.split(" → ").next().unwrap_or(&b.title));
        let _ = writeln!(
            out,
            "```mermaid\n{}```\n",
            super::route::diagram(entry, after, &changed)
        );
    }
    out.push_str("</details>\n\n");
    Block {
        full: out,
        short: Some(format!("- {title}\n\n")),
    }
}

/// The targets a changed hop's diagram highlights: the hop itself, and
/// what its added or changed ways lead to.
fn changed_targets(b: &paths::Block) -> Vec<String> {
    let Some(after) = &b.after else {
        return Vec::new();
    };
    if b.sign != Sign::Change {
        return Vec::new();
    }
    let mut out = vec![after.target.clone()];
    for l in &b.lines {
        if l.sign == Sign::Add
            && let Some((_, to)) = l.text.split_once(" → ")
            && let Some(t) = to.split_whitespace().next()
        {
            out.push(t.to_owned());
        }
    }
    out
}

/// One call path in full: before and after side by side, and the new path
/// as a Mermaid flowchart when it branches (a straight line reads as well
/// in text).
fn full_path(c: &PathChange) -> String {
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
        pre(paths::column(c.before.as_deref())),
        pre(paths::column(c.after.as_deref()))
    );
    if let Some(after) = &c.after
        && super::route::forks(&after.start)
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
        match c.action {
            Action::Update | Action::Rename => "!",
            a => a.symbol(),
        },
        resource_name(c),
        if lines.is_empty() { "" } else { " {" }
    );
    for l in &lines {
        // The sign goes first, where GitHub's diff highlighting looks.
        let note = l.note_suffix();
        let _ = writeln!(
            out,
            "{}{} {}{note}",
            diff_sign(l.sign),
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
