//! `--mask-pii`: personal data masked in what reviewers read — names,
//! emails, external (personal) numbers, CRM user names. Keys stay unless
//! `--mask-pii=keys`: they identify the resources a review is about, but a
//! user's key is often the person's name. Saved plan files are never masked
//! (apply needs them whole).

use crate::account::Resource;
use crate::model::{Destination, PhoneNumber};
use crate::plan::Change;
use crate::route::{End, Node, PathChange};

/// `Alice` → `A•••`.
fn name(s: &str) -> String {
    s.chars()
        .next()
        .map_or_else(String::new, |c| format!("{c}•••"))
}

/// `alice.martin@acme.example` → `a•••@acme.example`.
fn email(s: &str) -> String {
    match s.split_once('@') {
        Some((local, domain)) => format!("{}@{domain}", name(local)),
        None => name(s),
    }
}

/// A route's external number, `+33612345678` → `+33•••••••78`.
fn number(s: &str) -> String {
    s.parse::<PhoneNumber>()
        .map_or_else(|_| "+•••".into(), |n| n.masked().to_string())
}

fn destination(d: &mut Destination) {
    if let Destination::External(n) = d {
        *n = n.masked();
    }
}

fn resource(r: &mut Resource) {
    match r {
        Resource::User(u) => {
            u.first_name = name(&u.first_name);
            u.last_name = name(&u.last_name);
            u.email = email(&u.email);
            u.voicemail.email = email(&u.voicemail.email);
            if let Some(n) = &mut u.caller_id.name {
                *n = name(n);
            }
            if let Some(c) = &mut u.crm {
                c.username = name(&c.username);
            }
            forwarding(&mut u.forwarding);
        }
        Resource::RingGroup(g) => forwarding(&mut g.forwarding),
        Resource::AutoAttendant(a) => {
            menu(&mut a.menu, &mut a.timeout);
            for m in [&mut a.closed, &mut a.holiday].into_iter().flatten() {
                menu(&mut m.menu, &mut m.timeout);
            }
        }
        _ => {}
    }
}

fn menu(
    menu: &mut std::collections::BTreeMap<String, crate::model::MenuDestination>,
    timeout: &mut Destination,
) {
    for d in menu.values_mut() {
        destination(&mut d.0);
    }
    destination(timeout);
}

fn forwarding(f: &mut crate::account::Forwarding) {
    if let Some(d) = &mut f.always {
        destination(d);
    }
    destination(&mut f.busy);
    destination(&mut f.no_answer);
    destination(&mut f.unreachable);
}

/// The changes with personal data masked.
#[must_use]
pub fn changes(changes: &[Change]) -> Vec<Change> {
    changes
        .iter()
        .map(|c| {
            let mut c = c.clone();
            for r in [&mut c.before, &mut c.after].into_iter().flatten() {
                resource(r);
            }
            // The renderers read before and after; the field list would
            // still hold the unmasked values.
            c.fields.clear();
            c
        })
        .collect()
}

fn node(n: &mut Node) {
    if n.target.starts_with("user:")
        && let Some(who) = &mut n.name
    {
        // "Alice Martin" → "A••• M•••".
        let masked: Vec<String> = who.split(' ').map(name).collect();
        *who = masked.join(" ");
    }
    if let Some(End::External { number: num }) = &mut n.end {
        *num = number(num);
        n.target = format!("external:{num}");
    }
    for b in &mut n.branches {
        node(&mut b.node);
    }
}

/// The call paths with personal data masked.
#[must_use]
pub fn paths(paths: &[PathChange]) -> Vec<PathChange> {
    paths
        .iter()
        .map(|p| {
            let mut p = p.clone();
            for r in [&mut p.before, &mut p.after].into_iter().flatten() {
                node(&mut r.start);
            }
            p
        })
        .collect()
}

/// `--mask-pii=keys`: users' keys masked too (they are usually people's
/// names), wherever the rendered plan shows them — resource ids, members,
/// destinations, call paths, notes. A mask keeps the key's first letter and
/// separators and its length, so columns stay aligned and two keys rarely
/// look alike: `alice.martin` → `a••••.m•••••`.
#[derive(Debug, Default)]
pub struct Keys {
    masks: rustc_hash::FxHashMap<String, String>,
}

impl Keys {
    /// Masks for these keys.
    #[must_use]
    pub fn new<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        let masks = keys.into_iter().map(|k| (k.to_owned(), key(k))).collect();
        Self { masks }
    }

    /// The users' keys of the accounts a plan is made from.
    #[must_use]
    pub fn of_users<'a>(accounts: impl IntoIterator<Item = &'a crate::account::Account>) -> Self {
        let mut keys = Vec::new();
        for a in accounts {
            keys.extend(
                a.ids()
                    .into_iter()
                    .filter(|id| id.kind == crate::account::Kind::User)
                    .map(|id| id.key),
            );
        }
        Self::new(keys.iter().map(String::as_str))
    }

    /// Masks these keys too.
    pub fn extend<'a>(&mut self, keys: impl IntoIterator<Item = &'a str>) {
        for k in keys {
            self.masks.entry(k.to_owned()).or_insert_with(|| key(k));
        }
    }

    /// `text` with every key it holds as a whole word masked.
    #[must_use]
    pub fn apply(&self, text: &str) -> String {
        if self.masks.is_empty() {
            return text.to_owned();
        }
        let part = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '_' | '/' | '-');
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(|c: char| part(c) || c == '\x1b') {
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            if rest.starts_with('\x1b') {
                // A colour (`ESC [ 1 m`): its letters are not a word's.
                let end = rest[1..]
                    .find(|c: char| c.is_ascii_alphabetic())
                    .map_or(rest.len(), |i| i + 2);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                continue;
            }
            let end = rest.find(|c: char| !part(c)).unwrap_or(rest.len());
            let word = &rest[..end];
            // A key at the end of a sentence: `… to alice.martin.`
            let trimmed = word.trim_end_matches(['.', '-', '/']);
            match self
                .masks
                .get(word)
                .map(|m| (m, word.len()))
                .or_else(|| self.masks.get(trimmed).map(|m| (m, trimmed.len())))
            {
                Some((mask, len)) => {
                    out.push_str(mask);
                    out.push_str(&word[len..]);
                }
                None => out.push_str(word),
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
}

/// `alice.martin` → `a••••.m•••••`: each part's first character, its
/// length in bullets, the separators kept.
fn key(k: &str) -> String {
    let mut out = String::with_capacity(k.len() * 3);
    let mut first = true;
    for c in k.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if first { c } else { '•' });
            first = false;
        } else {
            out.push(c);
            first = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_as_whole_words() {
        let keys = Keys::new(["alice.martin", "bob"]);
        assert_eq!(
            keys.apply("user:alice.martin forwards to user:bob. bobby stays; alice.martin@x too"),
            "user:a••••.m••••• forwards to user:b••. bobby stays; alice.martin@x too"
        );
        assert_eq!(keys.apply("\x1b[1mbob\x1b[0m"), "\x1b[1mb••\x1b[0m");
    }

    #[test]
    fn masks_keep_a_hint_and_no_more() {
        assert_eq!(name("Alice"), "A•••");
        assert_eq!(email("alice.martin@acme.example"), "a•••@acme.example");
        assert_eq!(number("+33612345678"), "+33•••••••78");
    }
}
