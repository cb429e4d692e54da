//! YAML text → (`serde_json::Value`, [`SpanTree`]) in one pass over the
//! parser's events.
//!
//! Building a saphyr `MarkedYaml` tree and then converting it costs twice
//! the time of the events alone (see docs/performance.md), so this builds
//! the two structures the rest of the pipeline needs directly from events.
//! It also enforces the input limits: nesting depth and node count (each use
//! of an alias counts all the nodes it expands to, which defuses "billion
//! laughs" documents).

use std::borrow::Cow;

use saphyr::Scalar;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as YSpan};
use serde_json::{Map, Number, Value};

use super::limits;
use super::spans::SpanTree;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Pos, Span};

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document {
    pub value: Value,
    pub spans: SpanTree,
}

/// A file's documents, and the problems that did not stop reading it.
#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

fn pos(m: &Marker) -> Pos {
    Pos::new(m.line(), m.col())
}

fn span(s: &YSpan) -> Span {
    Span::new(pos(&s.start), pos(&s.end))
}

enum Container {
    Map {
        map: Map<String, Value>,
        key: Option<(String, Span)>,
        /// The span node of each entry, in insertion order.
        children: Vec<usize>,
        /// Key → span node, built at the first duplicate key only, so that
        /// a flood of duplicates stays linear.
        index: Option<rustc_hash::FxHashMap<String, usize>>,
        /// Whether the pending key is a plain `<<`: a merge key.
        merging: bool,
        /// Entries brought in by merge keys (`<<: *defaults`); the mapping's
        /// own entries win over them, whatever their order.
        merged: Option<Map<String, Value>>,
    },
    Seq(Vec<Value>),
}

enum Slot {
    /// The next scalar is a mapping key.
    Key,
    /// The next node is a value, under this key's span if in a mapping.
    Value(Option<Span>),
}

struct Frame {
    container: Container,
    node: usize,
    anchor: usize,
    /// Nodes in this subtree, alias expansions included.
    count: usize,
}

/// Parses every document of a file. On any error the whole file yields a
/// single diagnostic and no documents: a half-read file would only produce
/// confusing follow-up errors.
///
/// # Errors
/// A diagnostic for a syntax error or an exceeded limit.
pub fn parse(file: FileId, text: &str) -> Result<Parsed, Box<Diagnostic>> {
    Builder::new(file).run(text)
}

struct Builder {
    file: FileId,
    documents: Vec<Document>,
    spans: SpanTree,
    stack: Vec<Frame>,
    root: Option<Value>,
    /// Anchored values and their node counts, by anchor id.
    /// Anchored values with their node count and approximate size.
    anchors: Vec<Option<(Value, usize, usize)>>,
    nodes: usize,
    alias_nodes: usize,
    alias_bytes: usize,
    diagnostics: Vec<Diagnostic>,
}

impl Builder {
    fn new(file: FileId) -> Self {
        Self {
            file,
            documents: Vec::new(),
            spans: SpanTree::default(),
            stack: Vec::new(),
            root: None,
            anchors: Vec::new(),
            nodes: 0,
            alias_nodes: 0,
            alias_bytes: 0,
            diagnostics: Vec::new(),
        }
    }

    fn run(mut self, text: &str) -> Result<Parsed, Box<Diagnostic>> {
        let mut parser = Parser::new_from_str(text);
        while let Some(next) = parser.next_event() {
            let (event, ys) = next.map_err(|e| {
                let at = pos(e.marker());
                if e.info().contains("recursion limit") {
                    return too_deep(self.file, Span::point(at));
                }
                if e.info().contains("tab")
                    && let Some(tab) = tab_in_indentation(text, at.line)
                {
                    return tab_indent(self.file, tab);
                }
                Box::new(
                    Diagnostic::error(Code::YamlSyntax, format!("invalid YAML: {}", e.info()))
                        .at(self.file, Span::point(at), "here")
                        .help(syntax_help(e.info())),
                )
            })?;
            match event {
                Event::DocumentStart(_) => {
                    self.spans = SpanTree::default();
                    self.root = None;
                    self.anchors.clear();
                }
                Event::DocumentEnd => {
                    let value = self.root.take().unwrap_or(Value::Null);
                    if self.spans.is_empty() {
                        let at = span(&ys);
                        let n = self.spans.open(at, None, false);
                        self.spans.close(n, None);
                    }
                    let mut spans = std::mem::take(&mut self.spans);
                    spans.shrink();
                    self.documents.push(Document { value, spans });
                }
                Event::Scalar(text, style, anchor, tag) => {
                    self.scalar(text, style, anchor, tag.as_ref(), &ys)?;
                }
                Event::SequenceStart(anchor, _) => {
                    self.open(Container::Seq(Vec::new()), anchor, &ys)?;
                }
                Event::MappingStart(anchor, _) => {
                    let container = Container::Map {
                        map: Map::new(),
                        key: None,
                        children: Vec::new(),
                        index: None,
                        merging: false,
                        merged: None,
                    };
                    self.open(container, anchor, &ys)?;
                }
                Event::SequenceEnd | Event::MappingEnd => self.close(&ys),
                Event::Alias(id) => self.alias(id, &ys)?,
                Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            }
        }
        Ok(Parsed {
            documents: self.documents,
            diagnostics: self.diagnostics,
        })
    }

    /// What the next node is: a mapping key, or a value (under a key or not).
    fn slot(&self) -> Slot {
        match self.stack.last() {
            Some(Frame {
                container: Container::Map { key: None, .. },
                ..
            }) => Slot::Key,
            Some(Frame {
                container:
                    Container::Map {
                        key: Some((_, s)), ..
                    },
                ..
            }) => Slot::Value(Some(*s)),
            _ => Slot::Value(None),
        }
    }

    fn count(&mut self, n: usize, at: Span) -> Result<(), Box<Diagnostic>> {
        self.nodes += n;
        if let Some(top) = self.stack.last_mut() {
            top.count += n;
        }
        if self.nodes > limits::MAX_NODES {
            return Err(Box::new(
                Diagnostic::error(
                    Code::YamlTooManyNodes,
                    format!(
                        "this file has more than {} YAML nodes (each use of an alias counts every node it repeats)",
                        limits::MAX_NODES
                    ),
                )
                .at(self.file, at, "the limit is reached here")
                .help("split the manifests into several files, or expand fewer aliases"),
            ));
        }
        Ok(())
    }

    fn complex_key(&self, at: Span) -> Diagnostic {
        Diagnostic::error(Code::YamlComplexKey, "a mapping key must be a plain value")
            .at(
                self.file,
                at,
                "this key is a mapping, a sequence or an alias",
            )
            .help("use a string as the key, e.g. `alice:` or `\"+33170000001\":`")
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Cow<'_, saphyr_parser::Tag>>,
        ys: &YSpan,
    ) -> Result<(), Box<Diagnostic>> {
        let at = span(ys);
        let Slot::Value(key) = self.slot() else {
            // This scalar is a key: its text is the key whatever its type,
            // so `1001:` and `"+33 1 70 00 00 01":` both work.
            if let Some(Frame {
                container: Container::Map { key, merging, .. },
                ..
            }) = self.stack.last_mut()
            {
                // YAML's merge key is a plain `<<`; a quoted one is a key.
                *merging = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
                *key = Some((text.into_owned(), at));
            }
            return Ok(());
        };
        self.count(1, at)?;
        let value = scalar_value(text, style, tag);
        let node = self.spans.open(at, key, false);
        self.spans.close(node, None);
        if anchor > 0 {
            self.remember(anchor, &value, 1);
        }
        self.insert(value, node);
        Ok(())
    }

    fn open(
        &mut self,
        container: Container,
        anchor: usize,
        ys: &YSpan,
    ) -> Result<(), Box<Diagnostic>> {
        let at = span(ys);
        let Slot::Value(key) = self.slot() else {
            return Err(Box::new(self.complex_key(at)));
        };
        if self.stack.len() >= limits::MAX_DEPTH {
            return Err(too_deep(self.file, at));
        }
        self.count(1, at)?;
        let node = self.spans.open(at, key, false);
        self.stack.push(Frame {
            container,
            node,
            anchor,
            count: 1,
        });
        Ok(())
    }

    fn close(&mut self, ys: &YSpan) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let value = match frame.container {
            Container::Map {
                mut map, merged, ..
            } => {
                if let Some(merged) = merged {
                    for (k, v) in merged {
                        map.entry(k).or_insert(v);
                    }
                }
                Value::Object(map)
            }
            Container::Seq(items) => Value::Array(items),
        };
        // A block collection's end event sits where the next token starts;
        // a flow collection's ends after its closing bracket. Either way the
        // end is at or after the last child.
        self.spans.close(frame.node, Some(pos(&ys.end)));
        if let Some(top) = self.stack.last_mut() {
            top.count += frame.count - 1;
        }
        if frame.anchor > 0 {
            self.remember(frame.anchor, &value, frame.count);
        }
        self.insert(value, frame.node);
    }

    fn alias(&mut self, id: usize, ys: &YSpan) -> Result<(), Box<Diagnostic>> {
        let at = span(ys);
        let Slot::Value(key) = self.slot() else {
            return Err(Box::new(self.complex_key(at)));
        };
        let Some((count, bytes)) = self
            .anchors
            .get(id)
            .and_then(Option::as_ref)
            .map(|(_, c, b)| (*c, *b))
        else {
            // The parser rejects unknown aliases; this is unreachable in
            // practice but must not panic.
            return Err(Box::new(
                Diagnostic::error(Code::YamlSyntax, "invalid YAML: unknown alias")
                    .at(self.file, at, "here")
                    .help("define the anchor (`&name`) before using the alias (`*name`)"),
            ));
        };
        // Count before cloning, so that a bomb is refused before it
        // allocates: nodes (many small values) and bytes (one long string
        // repeated) both count.
        self.alias_nodes += count;
        self.alias_bytes += bytes;
        if self.alias_bytes > limits::MAX_ALIAS_BYTES {
            return Err(Box::new(
                Diagnostic::error(
                    Code::YamlTooManyNodes,
                    format!(
                        "aliases in this file repeat more than {} MiB of values",
                        limits::MAX_ALIAS_BYTES / (1024 * 1024)
                    ),
                )
                .at(self.file, at, "the limit is reached at this alias")
                .help("write the repeated values out, or use fewer aliases of large anchors"),
            ));
        }
        if self.alias_nodes > limits::MAX_ALIAS_NODES {
            return Err(Box::new(
                Diagnostic::error(
                    Code::YamlTooManyNodes,
                    format!(
                        "aliases in this file repeat more than {} nodes",
                        limits::MAX_ALIAS_NODES
                    ),
                )
                .at(self.file, at, "the limit is reached at this alias")
                .help("write the repeated values out, or use fewer aliases of large anchors"),
            ));
        }
        self.count(count, at)?;
        let Some(value) = self
            .anchors
            .get(id)
            .and_then(Option::as_ref)
            .map(|(v, _, _)| v.clone())
        else {
            return Ok(());
        };
        let node = self.spans.open(at, key, true);
        self.spans.close(node, None);
        self.insert(value, node);
        Ok(())
    }

    fn remember(&mut self, anchor: usize, value: &Value, count: usize) {
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        self.anchors[anchor] = Some((value.clone(), count, approximate_size(value)));
    }

    fn insert(&mut self, value: Value, node: usize) {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame {
                container: Container::Seq(items),
                ..
            }) => items.push(value),
            Some(Frame {
                container:
                    Container::Map {
                        map,
                        key,
                        children,
                        index,
                        merging,
                        merged,
                    },
                ..
            }) => {
                let Some((k, at)) = key.take() else { return };
                if std::mem::take(merging) {
                    // The `<<` entry keeps its span node (a lookup of a
                    // merged key lands on it), but not a place in the map.
                    children.push(node);
                    let into = merged.get_or_insert_with(Map::new);
                    if merge_into(into, value).is_err() {
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::YamlMerge,
                                "a merge key (`<<`) takes a mapping or a list of mappings",
                            )
                            .at(self.file, at, "this merge key")
                            .help(
                                "`<<` takes a mapping or a list of mappings, usually aliases: `<<: *defaults`",
                            ));
                    }
                    return;
                }
                // One lookup per key: the entry, not `contains_key` then
                // `insert` (every key of the account passes here).
                let k = match map.entry(k) {
                    serde_json::map::Entry::Vacant(slot) => {
                        if let Some(index) = index {
                            index.insert(slot.key().clone(), node);
                        }
                        children.push(node);
                        slot.insert(value);
                        return;
                    }
                    serde_json::map::Entry::Occupied(taken) => taken.key().clone(),
                };
                let index = index.get_or_insert_with(|| {
                    map.keys().cloned().zip(children.iter().copied()).collect()
                });
                // The first definition wins; the second's spans are
                // dropped so that they stay aligned with the map.
                let first = index
                    .get(&k)
                    .and_then(|&i| self.spans.node(i))
                    .map(|n| n.key.unwrap_or(n.span));
                self.spans.truncate(node);
                let mut d = Diagnostic::error(
                    Code::ManifestDuplicateKey,
                    format!("`{k}` is defined twice in the same mapping"),
                )
                .at(self.file, at, "defined again here")
                .help("remove one of the two definitions, or merge them into one");
                if let Some(first) = first {
                    d = d.related(self.file, first, "first defined here");
                }
                self.diagnostics.push(d);
            }
        }
    }
}

/// A merge key given something other than mappings.
struct Refused;

/// Adds a merge key's mappings to `into`. Earlier mappings win over later
/// ones (`<<: [*a, *b]` takes a key from `a` when both have it), as YAML's
/// merge key type says.
/// `Err` when the value is not mappings (the caller says where).
fn merge_into(into: &mut Map<String, Value>, value: Value) -> Result<(), Refused> {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                into.entry(k).or_insert(v);
            }
            Ok(())
        }
        Value::Array(items) => {
            if !items.iter().all(Value::is_object) {
                return Err(Refused);
            }
            for item in items {
                merge_into(into, item)?;
            }
            Ok(())
        }
        _ => Err(Refused),
    }
}

/// Roughly how many bytes a value takes: its strings, and a word or two per
/// node. Only anchored values are measured.
fn approximate_size(value: &Value) -> usize {
    const NODE: usize = 32;
    match value {
        Value::String(s) => NODE + s.len(),
        Value::Array(items) => NODE + items.iter().map(approximate_size).sum::<usize>(),
        Value::Object(map) => {
            NODE + map
                .iter()
                .map(|(k, v)| k.len() + approximate_size(v))
                .sum::<usize>()
        }
        _ => NODE,
    }
}

/// Resolves a scalar with the YAML 1.2 core schema, with one deliberate
/// exception: a plain scalar like `+33170000001` stays a string. The core
/// schema reads it as an integer and drops the `+`, but in a vocm manifest
/// it is always a phone number, and no vocm field takes a signed number.
fn scalar_value<'a>(
    text: Cow<'a, str>,
    style: ScalarStyle,
    tag: Option<&Cow<'a, saphyr_parser::Tag>>,
) -> Value {
    if style == ScalarStyle::Plain && tag.is_none() && text.starts_with('+') {
        return Value::String(text.into_owned());
    }
    match Scalar::parse_from_cow_and_metadata(text, style, tag) {
        // `None`: a core-schema tag whose content does not fit (`!!int abc`).
        Some(Scalar::Null) | None => Value::Null,
        Some(Scalar::Boolean(b)) => Value::Bool(b),
        Some(Scalar::Integer(i)) => Value::Number(i.into()),
        // JSON has no infinity or NaN; no vocm field takes a float anyway,
        // so the schema reports the string.
        Some(Scalar::FloatingPoint(f)) => Number::from_f64(f.into_inner())
            .map_or_else(|| Value::String(f.to_string()), Value::Number),
        Some(Scalar::String(s)) => Value::String(s.into_owned()),
    }
}

/// Nesting beyond [`limits::MAX_DEPTH`] (or the parser's own limit).
fn too_deep(file: FileId, at: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            Code::YamlTooDeep,
            format!("the YAML nests deeper than {} levels", limits::MAX_DEPTH),
        )
        .at(file, at, "too deep here")
        .help("manifests need only a few levels; this file is probably not a manifest"),
    )
}

/// The tab that indents `line`, or failing that the nearest line above it:
/// the parser reports where it gave up, which may be past the tab (a tab
/// after a block's indentation, or on a continuation line).
fn tab_in_indentation(text: &str, line: u32) -> Option<Pos> {
    let lines: Vec<&str> = text.lines().take(line as usize).collect();
    lines.iter().enumerate().rev().find_map(|(i, l)| {
        let indent = l.len() - l.trim_start_matches([' ', '\t']).len();
        l[..indent]
            .find('\t')
            .map(|col| Pos::new(i + 1, l[..col].chars().count()))
    })
}

/// A tab in indentation, pointed at itself: a tab looks like spaces in
/// every editor, so the message shows it as `\t` and the caret marks it.
fn tab_indent(file: FileId, tab: Pos) -> Box<Diagnostic> {
    let end = Pos {
        line: tab.line,
        col: tab.col + 1,
    };
    Box::new(
        Diagnostic::error(
            Code::YamlSyntax,
            format!(
                "invalid YAML: a tab (`\\t`) indents line {}, at column {}",
                tab.line,
                tab.col + 1
            ),
        )
        .at(file, Span::new(tab, end), "`\\t` here")
        .help("YAML indents with spaces only; replace this tab with spaces"),
    )
}

fn syntax_help(info: &str) -> String {
    if info.contains("tab") {
        "YAML indents with spaces only; replace the tab characters".to_owned()
    } else if info.contains("mapping values are not allowed") {
        "check the indentation, and quote values that contain `: `".to_owned()
    } else if info.contains("did not find expected") {
        "check the indentation and close every bracket or quote".to_owned()
    } else {
        "fix the YAML syntax at this point".to_owned()
    }
}
