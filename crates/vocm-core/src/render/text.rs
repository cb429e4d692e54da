//! Plans as text, in the style of Terraform: one block per resource with
//! `+ ~ - -/+`, nested field differences, and a closing
//! "Plan: X to add, Y to change, Z to destroy." line.

use std::fmt::Write as _;

use owo_colors::OwoColorize as _;

use super::tree::{self, Line, Sign};
use super::{Finals, headline, visible};
use crate::account::Kind;
use crate::plan::{Action, Change, MassDelete, Summary};

/// What a text plan shows.
#[derive(Debug)]
pub struct PlanView<'a> {
    pub changes: &'a [Change],
    pub summary: Summary,
    pub mass_deletes: &'a [MassDelete],
    /// Call paths the plan changes.
    pub call_paths: &'a [crate::route::PathChange],
    /// What stays in the account unlisted (prune is off).
    pub kept: &'a [crate::plan::Kept],
    /// How much of the call paths to show.
    pub detail: super::paths::Detail,
    /// `--target`: the plan is partial, limited to these and what they need.
    pub targets: &'a [crate::account::ResourceId],
    /// What the reader must know first ("no state at PATH: …").
    pub notes: &'a [String],
    /// The width of the terminal, for call paths side by side.
    pub width: usize,
}

/// "users: ghost, old.admin and 3 more" for each kind kept, or `None`.
#[must_use]
pub fn kept_lines(kept: &[crate::plan::Kept]) -> Vec<String> {
    kept.iter()
        .map(|k| {
            let more = k.count - k.keys.len();
            let keys = k.keys.join(", ");
            if more > 0 {
                format!("{}: {keys} and {more} more", k.kind.plural())
            } else {
                format!("{}: {keys}", k.kind.plural())
            }
        })
        .collect()
}

/// The sentence that introduces [`kept_lines`].
pub const KEPT_HEADING: &str =
    "No longer in the manifests; stays in the account (prune is off), not a change:";

fn paint(s: &str, sign: Sign, color: bool) -> String {
    if !color {
        return s.to_owned();
    }
    match sign {
        Sign::Add => s.green().to_string(),
        Sign::Remove => s.red().to_string(),
        Sign::Change => s.yellow().to_string(),
        Sign::Same => s.to_owned(),
    }
}

fn action_sign(a: Action) -> Sign {
    match a {
        Action::Create => Sign::Add,
        Action::Update | Action::Replace | Action::Rename => Sign::Change,
        Action::Delete => Sign::Remove,
    }
}

/// The fields whose change forces a replace.
fn forcing(change: &Change) -> Vec<&'static str> {
    if change.action != Action::Replace {
        return Vec::new();
    }
    match change.id.kind {
        Kind::User | Kind::RingGroup | Kind::AutoAttendant => vec!["site"],
        Kind::Site => vec!["pbx"],
        Kind::Address => vec![
            "street",
            "secondary_location",
            "city",
            "state",
            "postal_code",
            "country",
        ],
        _ => Vec::new(),
    }
}

/// The body lines of one change.
#[must_use]
pub fn body<'a>(finals: &Finals<'a>, change: &'a Change) -> Vec<Line> {
    let mut lines = Vec::new();
    let before = change.before.as_deref().map(manifest_shape);
    let after = finals.of(change).map(manifest_shape);
    match change.action {
        Action::Delete => {}
        Action::Create => tree::object(
            &mut lines,
            0,
            None,
            after.as_ref().and_then(|v| v.as_object()),
            &[],
        ),
        Action::Update | Action::Replace | Action::Rename => tree::object(
            &mut lines,
            0,
            before.as_ref().and_then(|v| v.as_object()),
            after.as_ref().and_then(|v| v.as_object()),
            &forcing(change),
        ),
    }
    lines
}

/// A resource's fields as its manifest names them: forwarding's
/// `no_answer` and `no_answer_seconds` are the manifest's
/// `no_answer: {to, after_seconds}`.
fn manifest_shape(r: &crate::account::Resource) -> serde_json::Value {
    let mut v = r.to_json();
    if let Some(f) = v
        .get_mut("forwarding")
        .and_then(serde_json::Value::as_object_mut)
        && let Some(seconds) = f.remove("no_answer_seconds")
    {
        let to = f.get("no_answer").cloned().unwrap_or_default();
        f.insert(
            "no_answer".to_owned(),
            serde_json::json!({ "to": to, "after_seconds": seconds }),
        );
    }
    v
}

/// The `user "alice"` of a block's first line.
#[must_use]
pub fn resource_name(change: &Change) -> String {
    if change.id.kind == Kind::Account {
        "account".into()
    } else {
        format!("{} {:?}", change.id.kind, change.id.key)
    }
}

/// Renders a whole plan.
#[must_use]
pub fn render(view: &PlanView<'_>, color: bool) -> String {
    let mut out = Vec::new();
    // Writing to a vector cannot fail, and every piece written is a `str`.
    let _ = render_to(view, color, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// What [`render_to`] builds before it writes: one change's block is
/// never split, and a 300,000-change plan is never whole in memory.
const CHUNK: usize = 64 * 1024;

/// Renders a whole plan into `sink` as it goes. The plan an apply shows
/// at 100,000 users is about 150 MB of text: built whole, it was the
/// largest thing the apply held.
///
/// # Errors
/// What writing to `sink` returns (a closed pipe, a full disk).
pub fn render_to(
    view: &PlanView<'_>,
    color: bool,
    sink: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut out = String::new();
    let shown = visible(view.changes);
    let kept = |out: &mut String| {
        if !view.kept.is_empty() {
            let _ = writeln!(out, "{KEPT_HEADING}");
            for l in kept_lines(view.kept) {
                let _ = writeln!(out, "  {l}");
            }
            out.push('\n');
        }
    };
    for note in view.notes {
        let _ = writeln!(out, "{} {note}", paint("Note:", Sign::Change, color));
    }
    if let Some(p) = partial(view.targets) {
        let _ = writeln!(out, "{} {p}", paint("Partial plan:", Sign::Change, color));
    }
    if !view.notes.is_empty() || !view.targets.is_empty() {
        out.push('\n');
    }
    if shown.is_empty() {
        kept(&mut out);
        if view.targets.is_empty() {
            out.push_str("No changes. The account matches the manifests.\n");
        } else {
            out.push_str("No changes. The targets match the manifests (partial plan).\n");
        }
        return sink.write_all(out.as_bytes());
    }
    let finals = Finals::new(view.changes);
    out.push_str("vocm will perform the following actions:\n");
    for change in shown {
        out.push('\n');
        let _ = writeln!(
            out,
            "  {}",
            paint(&format!("# {}", headline(change)), Sign::Same, color)
        );
        for note in &change.notes {
            for l in wrap(note, 76) {
                let _ = writeln!(out, "  # {l}");
            }
        }
        let symbol = match change.action {
            Action::Replace if color => format!("{}{}", "-/".red(), "+".green()),
            a => paint(&format!("{:>3}", a.symbol()), action_sign(a), color),
        };
        let lines = body(&finals, change);
        if lines.is_empty() {
            let _ = writeln!(out, "{symbol} {}", resource_name(change));
            continue;
        }
        let _ = writeln!(out, "{symbol} {} {{", resource_name(change));
        for l in &lines {
            let indent = " ".repeat(6 + 4 * l.depth);
            let sign = paint(l.sign.symbol(), l.sign, color);
            let note = l
                .note
                .as_ref()
                .map(|n| format!(" {}", paint(&format!("# {n}"), Sign::Remove, color)))
                .unwrap_or_default();
            let _ = writeln!(out, "{indent}{sign} {}{note}", l.text);
        }
        out.push_str("    }\n");
        if out.len() >= CHUNK {
            sink.write_all(out.as_bytes())?;
            out.clear();
        }
    }
    out.push('\n');
    for line in super::paths::text(view.call_paths, view.detail, view.width) {
        let _ = writeln!(out, "{}", line.trim_end());
        if out.len() >= CHUNK {
            sink.write_all(out.as_bytes())?;
            out.clear();
        }
    }
    for m in view.mass_deletes {
        let _ = writeln!(
            out,
            "{} this plan deletes {} of the account's {} {} (more than 10 %): `vocm apply` refuses it without --allow-mass-delete.",
            paint("Warning:", Sign::Remove, color),
            m.deleted,
            m.existing,
            m.kind.plural()
        );
    }
    if !view.mass_deletes.is_empty() {
        out.push('\n');
    }
    kept(&mut out);
    let _ = writeln!(out, "{}", summary_line(view.summary));
    if !view.targets.is_empty() {
        let _ = writeln!(
            out,
            "This plan is partial (--target): the rest of the manifests was not compared."
        );
    }
    sink.write_all(out.as_bytes())
}

/// "only `user:alice` and what it needs (--target); the other resources of
/// the manifests are not compared", or `None` for a whole plan.
#[must_use]
pub fn partial(targets: &[crate::account::ResourceId]) -> Option<String> {
    if targets.is_empty() {
        return None;
    }
    let names: Vec<String> = targets.iter().map(ToString::to_string).collect();
    let listed = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    };
    Some(format!(
        "only {listed} and what {} (--target); the other resources of the manifests are not compared.",
        if targets.len() == 1 {
            "it needs"
        } else {
            "they need"
        }
    ))
}

/// "Plan: 3 to add, 1 to change, 2 to destroy."
#[must_use]
pub fn summary_line(s: Summary) -> String {
    format!(
        "Plan: {} to add, {} to change, {} to destroy.",
        s.add, s.change, s.destroy
    )
}

/// Splits a note into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}
