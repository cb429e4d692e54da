//! Where each value of a YAML document came from.
//!
//! The loader turns YAML into a `serde_json::Value` (what the JSON Schema
//! validator and serde want) and, beside it, a [`SpanTree`]: the span of every
//! node in pre-order. A diagnostic names a path (`users/alice/extension`) and
//! the tree answers with the span, walking the `Value` for key order. Nothing
//! is looked up unless a diagnostic needs it, so a valid manifest pays only
//! for the flat vector.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use crate::source::Span;

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

impl From<usize> for Seg<'_> {
    fn from(index: usize) -> Self {
        Seg::Index(index)
    }
}

/// The spans of a document, in pre-order.
#[derive(Debug, Default)]
pub struct SpanTree {
    nodes: Vec<SpanNode>,
    key_index: Mutex<HashMap<usize, Arc<HashMap<String, usize>>>>,
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

    /// The node at `index`.
    #[must_use]
    pub fn node(&self, index: usize) -> Option<&SpanNode> {
        self.nodes.get(index)
    }

    /// The `n`th child of the node at `index`.
    pub(super) fn child(&self, index: usize, n: usize) -> Option<usize> {
        let end = self.nodes.get(index)?.next as usize;
        let mut child = index + 1;
        for _ in 0..n {
            if child >= end {
                return None;
            }
            child = self.nodes[child].next as usize;
        }
        (child < end).then_some(child)
    }

    /// Where `key` sits among the keys of the mapping at node `index`.
    fn position(&self, index: usize, map: &Map<String, Value>, key: &str) -> Option<usize> {
        if map.len() <= INDEX_ABOVE {
            return map.keys().position(|k| k == key);
        }
        let positions = {
            let mut cache = self.key_index.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(cache.entry(index).or_insert_with(|| {
                Arc::new(map.keys().enumerate().map(|(i, k)| (k.clone(), i)).collect())
            }))
        };
        positions.get(key).copied()
    }

    /// Finds the span at a path, walking `value` (the document this tree
    /// belongs to) to learn where each key sits.
    #[must_use]
    pub fn find(&self, value: &Value, path: &[Seg<'_>]) -> Option<Found> {
        let mut index = 0;
        let mut value = value;
        let mut node = *self.nodes.first()?;
        for seg in path {
            if node.opaque {
                return Some(Found { node, exact: false });
            }
            let step = match (seg, value) {
                (Seg::Key(k), Value::Object(map)) => map
                    .get(*k)
                    .and_then(|v| self.position(index, map, k).map(|n| (n, v))),
                (Seg::Index(i), Value::Array(items)) => items.get(*i).map(|v| (*i, v)),
                _ => None,
            };
            let Some((n, next_value)) = step else {
                return Some(Found { node, exact: false });
            };
            let Some(child) = self.child(index, n) else {
                return Some(Found { node, exact: false });
            };
            index = child;
            value = next_value;
            node = self.nodes[child];
        }
        Some(Found { node, exact: true })
    }
}

impl<'a> From<&'a String> for Seg<'a> {
    fn from(key: &'a String) -> Self {
        Seg::Key(key)
    }
}
