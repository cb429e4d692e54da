//! Plans as Markdown for pull-request comments: a summary table first, then
//! one collapsible section per resource.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::text::{PlanView, body, resource_name, summary_line};
use super::{headline, visible};
use crate::account::Kind;
use crate::plan::Action;

/// Renders a plan as Markdown.
#[must_use]
pub fn render(view: &PlanView<'_>) -> String {
    let mut out = String::new();
    let shown = visible(view.changes);
    if shown.is_empty() {
        out.push_str("### vocm plan: no changes\n\nThe account matches the manifests.\n");
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
    // Counts per kind and action.
    let mut table: BTreeMap<Kind, [usize; 4]> = BTreeMap::new();
    for c in &shown {
        let col = match c.action {
            Action::Create => 0,
            Action::Update => 1,
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
    let finals = super::Finals::new(view.changes);
    for c in shown {
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
        let lines = body(&finals, c);
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
    }
    out
}
