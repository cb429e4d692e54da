//! Where each value of a YAML document came from.
//!
//! The loader turns YAML into a `serde_json::Value` (what the JSON Schema
//! validator and serde want) and, beside it, a [`SpanTree`]: the span of every
//! node in pre-order. The `Value` is dropped as soon as the document is
//! validated and typed; the tree stays, and answers "where is
//! `users/alice/extension`?" by reading keys back from the source text.
//! Nothing is looked up unless a diagnostic needs it, so a valid manifest
//! pays only for the flat vector.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::source::{SourceFile, Span};

/// Mappings with more keys than this get a key → position index on first
/// lookup, so that thousands of diagnostics in a 100,000-user section do
/// not each scan it.
const INDEX_ABOVE: usize = 32;

/// The span of one node. Children follow their parent in the vector;
/// `next` is the index just past the node's subtree.
#[derive(Clone, Copy, Debug)]
pub struct SpanNode {
    /// The value.
    pub span: Span,
    /// The key that holds the value in its mapping, if any.
    pub key: Option<Span>,
    next: u32,
    /// An alias: its expansion has no spans of its own, so any path into it
    /// stops here.
    opaque: bool,
}

/// One step of a path into a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

impl<'a> From<&'a str> for Seg<'a> {
    fn from(key: &'a str) -> Self {
        Seg::Key(key)
    }
}

impl<'a> From<&'a String> for Seg<'a> {
    fn from(key: &'a String) -> Self {
        Seg::Key(key)
    }
}

impl From<usize> for Seg<'_> {
    fn from(index: usize) -> Self {
        Seg::Index(index)
    }
}

impl crate::model::user::Field {
    /// The path of the value under the user: `["phone_numbers", 1]`.
    #[must_use]
    pub fn segs(self) -> Vec<Seg<'static>> {
        let mut v = vec![Seg::Key(self.name)];
        v.extend(self.index.map(Seg::Index));
        v
    }
}

/// The spans of a document, in pre-order.
#[derive(Debug, Default)]
pub struct SpanTree {
    nodes: Vec<SpanNode>,
    key_index: Mutex<HashMap<usize, Arc<rustc_hash::FxHashMap<String, usize>>>>,
}

/// What a lookup found: the node at the path, or the deepest node on the way
/// to it when the path goes further than the document.
#[derive(Clone, Copy, Debug)]
pub struct Found {
    pub node: SpanNode,
    /// Whether the whole path was found.
    pub exact: bool,
}

impl Found {
    /// The span of the key when there is one (to point at a resource or a
    /// field name), otherwise of the value.
    #[must_use]
    pub fn key_or_value(&self) -> Span {
        self.node.key.unwrap_or(self.node.span)
    }
}

impl SpanTree {
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Starts a node; returns its index. Its end and subtree are set by
    /// [`SpanTree::close`].
    pub(super) fn open(&mut self, span: Span, key: Option<Span>, opaque: bool) -> usize {
        let index = self.nodes.len();
        self.nodes.push(SpanNode {
            span,
            key,
            next: 0,
            opaque,
        });
        index
    }

    /// Ends the node at `index`: its subtree is everything pushed since.
    pub(super) fn close(&mut self, index: usize, end: Option<crate::source::Pos>) {
        let next = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        let node = &mut self.nodes[index];
        node.next = next;
        if let Some(end) = end {
            node.span.end = end;
        }
    }

    /// Drops the subtree that starts at `index` (a duplicate key's value).
    pub(super) fn truncate(&mut self, index: usize) {
        self.nodes.truncate(index);
    }

    /// Frees spare capacity once the document is complete.
    pub(super) fn shrink(&mut self) {
        self.nodes.shrink_to_fit();
    }

    /// The node at `index`.
    #[must_use]
    pub fn node(&self, index: usize) -> Option<&SpanNode> {
        self.nodes.get(index)
    }

    /// The children of the node at `index`.
    fn children(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        // A node still being built (next == 0) owns everything after it.
        let end = match self.nodes.get(index).map(|n| n.next as usize) {
            Some(0) => self.nodes.len(),
            Some(next) => next,
            None => 0,
        };
        let mut child = index + 1;
        std::iter::from_fn(move || {
            (child < end).then(|| {
                let c = child;
                child = self.nodes[c].next as usize;
                c
            })
        })
    }

    /// The `n`th child of the node at `index`.
    pub(super) fn child(&self, index: usize, n: usize) -> Option<usize> {
        self.children(index).nth(n)
    }

    /// The child of the mapping at `index` whose key is `key`.
    fn child_by_key(&self, source: &SourceFile, index: usize, key: &str) -> Option<usize> {
        let key_of = |c: usize| self.nodes[c].key.map(|k| unquote(source.slice(k)));
        let count = self.children(index).take(INDEX_ABOVE + 1).count();
        if count <= INDEX_ABOVE {
            return self
                .children(index)
                .find(|c| key_of(*c).as_deref() == Some(key));
        }
        let positions = {
            let mut cache = self
                .key_index
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(cache.entry(index).or_insert_with(|| {
                Arc::new(
                    self.children(index)
                        .filter_map(|c| key_of(c).map(|k| (k.into_owned(), c)))
                        .collect(),
                )
            }))
        };
        positions.get(key).copied()
    }

    /// The child named `key` of a merge key's value written in place: a
    /// mapping, or the first mapping of a list that has it (or the alias
    /// that may bring it).
    fn merged_child(&self, source: &SourceFile, merge: usize, key: &str) -> Option<usize> {
        if let Some(c) = self.child_by_key(source, merge, key) {
            return Some(c);
        }
        self.children(merge).find_map(|item| {
            if self.nodes[item].opaque {
                return Some(item);
            }
            self.child_by_key(source, item, key)
        })
    }

    /// Finds the span at a path; `source` is the text this tree was built from.
    #[must_use]
    pub fn find(&self, source: &SourceFile, path: &[Seg<'_>]) -> Option<Found> {
        let mut index = 0;
        let mut node = *self.nodes.first()?;
        for seg in path {
            if node.opaque {
                return Some(Found { node, exact: false });
            }
            let child = match seg {
                Seg::Key(k) => self.child_by_key(source, index, k).or_else(|| {
                    // A key brought in by a merge key (`<<: *defaults`) is
                    // found through it: at the `<<` entry when it is an alias.
                    let merge = self.child_by_key(source, index, "<<")?;
                    if self.nodes[merge].opaque {
                        return Some(merge);
                    }
                    self.merged_child(source, merge, k)
                }),
                Seg::Index(i) => self.child(index, *i),
            };
            let Some(child) = child else {
                return Some(Found { node, exact: false });
            };
            index = child;
            node = self.nodes[child];
        }
        Some(Found { node, exact: true })
    }
}

/// A key as written, without its quotes. Keys with escapes are compared as
/// written, which only matters for keys no manifest uses.
fn unquote(text: &str) -> Cow<'_, str> {
    let t = text.trim();
    if (t.starts_with('"') && t.contains('\\')) || (t.starts_with('\'') && t.contains("''")) {
        // Escapes (`"sales\e[2J"`, `'it''s'`): the parser's reading is the key.
        let mut parser = saphyr_parser::Parser::new_from_str(t);
        while let Some(Ok((event, _))) = parser.next_event() {
            if let saphyr_parser::Event::Scalar(value, ..) = event {
                return Cow::Owned(value.into_owned());
            }
        }
    }
    // Borrowed: a lookup compares every key of a small mapping, and each
    // resource of a plan is looked up once.
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return Cow::Borrowed(&t[1..t.len() - 1]);
        }
    }
    Cow::Borrowed(t)
}
