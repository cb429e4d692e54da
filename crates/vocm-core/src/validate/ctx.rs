//! What every offline rule works with: the merged manifest, where each
//! value came from, and the list of diagnostics to push to.

use std::cell::RefCell;

use rustc_hash::FxHashMap as HashMap;

use crate::diagnostics::{Code, Diagnostic};
use crate::manifest::{RawManifest, Seg};
use crate::model::user_layers::Layer;
use crate::model::{Manifest, Origin};
use crate::source::{FileId, Span};

use super::merge::Poisoned;

#[derive(Debug)]
pub struct Ctx<'a> {
    pub raw: &'a RawManifest,
    pub m: &'a Manifest,
    pub poisoned: &'a Poisoned,
    pub out: Vec<Diagnostic>,
    /// "Did you mean" compares a name with every candidate: it is for a
    /// few typos, not for thousands of renamed references, so only the
    /// first ones get a suggestion.
    pub suggestions_left: usize,
    /// Places in templates and site defaults that a user's value was found
    /// at: the users it was merged into, so that a diagnostic there names
    /// them (see [`Ctx::name_users`]).
    merged_at: RefCell<HashMap<(FileId, Span), Vec<MergedInto>>>,
}

/// A user a template's or site default's value was merged into.
#[derive(Clone, Debug, PartialEq)]
struct MergedInto {
    user: String,
    origin: Origin,
    from: String,
}

/// A path into a document: `loc!["users", key, "device"]`.
macro_rules! loc {
    ($($seg:expr),* $(,)?) => {
        &[$(crate::manifest::Seg::from($seg)),*][..]
    };
}

pub(crate) use loc;

impl<'a> Ctx<'a> {
    pub fn new(raw: &'a RawManifest, m: &'a Manifest, poisoned: &'a Poisoned) -> Self {
        Self {
            raw,
            m,
            poisoned,
            out: Vec::new(),
            suggestions_left: 100,
            merged_at: RefCell::default(),
        }
    }

    /// The span of the value at a path.
    pub fn value(&self, origin: Origin, path: &[Seg<'_>]) -> (FileId, Span) {
        self.locate(origin, path, RawManifest::value_span)
    }

    /// The span of the key at a path.
    pub fn key(&self, origin: Origin, path: &[Seg<'_>]) -> (FileId, Span) {
        self.locate(origin, path, RawManifest::key_span)
    }

    /// Finds a path; a user's field merged in from its template or its
    /// site's defaults is found where that layer writes it.
    fn locate(
        &self,
        origin: Origin,
        path: &[Seg<'_>],
        find: fn(&RawManifest, Origin, &[Seg<'_>]) -> (FileId, Span),
    ) -> (FileId, Span) {
        let [
            Seg::Key("users"),
            Seg::Key(user),
            Seg::Key(field),
            rest @ ..,
        ] = path
        else {
            return find(self.raw, origin, path);
        };
        let sub = match rest.first() {
            Some(Seg::Key(s)) => Some(*s),
            _ => None,
        };
        let Some(layer) = self
            .m
            .user_layers
            .get(*user)
            .and_then(|l| l.source_of(field, sub))
        else {
            return find(self.raw, origin, path);
        };
        let (at, mut moved, from) = match layer {
            Layer::Template(name) => (
                self.m.templates.get(name).map(|t| t.origin),
                vec![Seg::Key("templates"), Seg::Key(name)],
                format!("template `{name}`"),
            ),
            Layer::SiteDefaults(site) => (
                self.m.sites.get(site).map(|s| s.origin),
                vec![Seg::Key("sites"), Seg::Key(site), Seg::Key("user_defaults")],
                format!("the `user_defaults` of site `{site}`"),
            ),
        };
        let Some(at) = at else {
            return find(self.raw, origin, path);
        };
        moved.push(Seg::Key(field));
        moved.extend_from_slice(rest);
        let place = find(self.raw, at, &moved);
        let into = MergedInto {
            user: (*user).to_owned(),
            origin,
            from,
        };
        let mut merged = self.merged_at.borrow_mut();
        let users = merged.entry(place).or_default();
        if !users.contains(&into) {
            users.push(into);
        }
        place
    }

    /// Gives each diagnostic found in a template or site default the users
    /// its value was merged into (the one its message names, else the
    /// first few), and keeps one of several that say the same thing there.
    pub fn name_users(&mut self) {
        const SHOWN: usize = 3;
        let merged = self.merged_at.take();
        if merged.is_empty() {
            return;
        }
        let mut seen = rustc_hash::FxHashSet::default();
        let out = std::mem::take(&mut self.out);
        for mut d in out {
            let Some(users) = d.label().and_then(|l| merged.get(&(l.file, l.span))) else {
                self.out.push(d);
                continue;
            };
            if !seen.insert((
                d.code,
                d.message.clone(),
                d.label().map(|l| (l.file, l.span)),
            )) {
                continue;
            }
            let named: Vec<&MergedInto> = users
                .iter()
                .filter(|u| {
                    d.message.contains(&format!("users.{}", u.user))
                        || d.message.contains(&format!("user:{}", u.user))
                })
                .collect();
            let shown: Vec<&MergedInto> = if named.is_empty() {
                users.iter().collect()
            } else {
                named
            };
            for u in shown.iter().take(SHOWN) {
                let (file, span) = self
                    .raw
                    .key_span(u.origin, &[Seg::Key("users"), Seg::Key(&u.user)]);
                d = d.related(
                    file,
                    span,
                    format!("users.{} gets it from {}", u.user, u.from),
                );
            }
            if shown.len() > SHOWN {
                d.help = format!(
                    "{} (it reaches {}: {} more besides those shown)",
                    d.help,
                    crate::util::count(shown.len(), "user", "users"),
                    shown.len() - SHOWN
                );
            }
            self.out.push(d);
        }
    }

    /// An error at the value of a path.
    pub fn error(
        &mut self,
        code: Code,
        origin: Origin,
        path: &[Seg<'_>],
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        let (file, span) = self.value(origin, path);
        self.out.push(
            Diagnostic::error(code, message)
                .at(file, span, label)
                .help(help),
        );
    }

    /// The text of the value at a path, as written.
    pub fn text(&self, origin: Origin, path: &[Seg<'_>]) -> &str {
        let (file, span) = self.value(origin, path);
        self.raw.sources.get(file).slice(span)
    }

    /// Whether a reference to `section.key` that does not resolve should be
    /// reported: not when the resource exists but is broken, nor when a file
    /// could not be read (it might define it).
    pub fn should_report_missing(&self, section: &str, key: &str) -> bool {
        !self.raw.incomplete && !self.poisoned.contains(section, key)
    }
}
