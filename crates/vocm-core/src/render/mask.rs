//! `--mask-pii`: personal data masked in what reviewers read — names,
//! emails, external (personal) numbers, CRM user names. Keys stay: they
//! identify the resources a review is about. Saved plan files are never
//! masked (apply needs them whole).

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_a_hint_and_no_more() {
        assert_eq!(name("Alice"), "A•••");
        assert_eq!(email("alice.martin@acme.example"), "a•••@acme.example");
        assert_eq!(number("+33612345678"), "+33•••••••78");
    }
}
