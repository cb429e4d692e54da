//! A resource's fields as nested lines, with the old → new difference of
//! each: the body shared by the text and Markdown plans.

use serde_json::{Map, Value};
use similar::{ChangeTag, TextDiff};

/// How a line changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    Add,
    Remove,
    Change,
    Same,
}

impl Sign {
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Sign::Add => "+",
            Sign::Remove => "-",
            Sign::Change => "~",
            Sign::Same => " ",
        }
    }
}

/// One line of a rendered resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub sign: Sign,
    pub depth: usize,
    pub text: String,
    /// A note after the line (`# forces replacement`).
    pub note: Option<String>,
}

impl Line {
    /// The note as the plain-text renderers write it after the line
    /// (`  # forces replacement`), or nothing.
    #[must_use]
    pub fn note_suffix(&self) -> String {
        self.note
            .as_ref()
            .map(|n| format!("  # {n}"))
            .unwrap_or_default()
    }
}

fn line(sign: Sign, depth: usize, text: String) -> Line {
    Line {
        sign,
        depth,
        text,
        note: None,
    }
}

/// A scalar or short list on one line.
#[must_use]
pub fn inline(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Object(m) if m.is_empty() => "{}".into(),
        other => other.to_string(),
    }
}

fn absent(v: Option<&Value>) -> bool {
    v.is_none_or(Value::is_null)
}

/// Lines of an object's fields: `sign` for every field (creates and
/// deletes), or the difference of `old` and `new` (updates).
pub fn object(
    out: &mut Vec<Line>,
    depth: usize,
    old: Option<&Map<String, Value>>,
    new: Option<&Map<String, Value>>,
    forces: &[&str],
) {
    let empty = Map::new();
    let (a, b) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    let mut keys: Vec<&String> = b.keys().collect();
    keys.extend(a.keys().filter(|k| !b.contains_key(*k)));
    let width = keys
        .iter()
        .filter(|k| {
            let (x, y) = (a.get(**k), b.get(**k));
            !(absent(x) && absent(y))
                && x != y
                && !matches!((x, y), (Some(Value::Object(_)), Some(Value::Object(_))))
        })
        .map(|k| k.len())
        .max()
        .unwrap_or(0);
    let mut hidden = 0;
    for k in keys {
        let (x, y) = (a.get(k), b.get(k));
        if absent(x) && absent(y) {
            continue;
        }
        let pad = " ".repeat(width.saturating_sub(k.len()));
        let mut l = match (x.filter(|v| !v.is_null()), y.filter(|v| !v.is_null())) {
            (Some(x), Some(y)) if x == y => {
                hidden += 1;
                continue;
            }
            (None, Some(v)) => value(out, depth, Sign::Add, k, &pad, v),
            (Some(v), None) => value(out, depth, Sign::Remove, k, &pad, v),
            (Some(Value::Object(x)), Some(Value::Object(y))) => {
                out.push(line(Sign::Change, depth, format!("{k} {{")));
                object(out, depth + 1, Some(x), Some(y), &[]);
                out.push(line(Sign::Same, depth, "}".into()));
                continue;
            }
            (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() + y.len() > 2 => {
                list_diff(out, depth, k, x, y);
                continue;
            }
            (Some(x), Some(y)) => {
                out.push(line(
                    Sign::Change,
                    depth,
                    format!("{k}{pad} = {} -> {}", inline(x), inline(y)),
                ));
                out.len() - 1
            }
            (None, None) => continue,
        };
        if forces.contains(&k.as_str()) {
            l = l.min(out.len() - 1);
            out[l].note = Some("forces replacement".into());
        }
    }
    if hidden > 0 && old.is_some() && new.is_some() {
        out.push(line(
            Sign::Same,
            depth,
            format!(
                "# ({hidden} unchanged field{} hidden)",
                if hidden == 1 { "" } else { "s" }
            ),
        ));
    }
}

/// A whole value under one sign; returns the index of its first line.
fn value(out: &mut Vec<Line>, depth: usize, sign: Sign, key: &str, pad: &str, v: &Value) -> usize {
    let first = out.len();
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push(line(sign, depth, format!("{key} {{")));
            let (old, new) = if sign == Sign::Remove {
                (Some(m), None)
            } else {
                (None, Some(m))
            };
            object(out, depth + 1, old, new, &[]);
            out.push(line(Sign::Same, depth, "}".into()));
        }
        Value::Array(items) if items.len() > 1 => {
            out.push(line(sign, depth, format!("{key}{pad} = [")));
            for item in items {
                out.push(line(sign, depth + 1, format!("{},", inline(item))));
            }
            out.push(line(Sign::Same, depth, "]".into()));
        }
        v => out.push(line(sign, depth, format!("{key}{pad} = {}", inline(v)))),
    }
    first
}

/// A list that changes, item by item (by `similar`'s line diff).
fn list_diff(out: &mut Vec<Line>, depth: usize, key: &str, old: &[Value], new: &[Value]) {
    let lines = |items: &[Value]| -> String { items.iter().map(|v| inline(v) + "\n").collect() };
    let (a, b) = (lines(old), lines(new));
    out.push(line(Sign::Change, depth, format!("{key} = [")));
    for op in TextDiff::from_lines(&a, &b).iter_all_changes() {
        let sign = match op.tag() {
            ChangeTag::Delete => Sign::Remove,
            ChangeTag::Insert => Sign::Add,
            ChangeTag::Equal => Sign::Same,
        };
        out.push(line(sign, depth + 1, format!("{},", op.value().trim_end())));
    }
    out.push(line(Sign::Same, depth, "]".into()));
}
