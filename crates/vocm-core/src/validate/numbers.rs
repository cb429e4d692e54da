//! Phone numbers: one holder each, fax numbers only for fax, voice numbers
//! only for voice.

use rustc_hash::FxHashMap as HashMap;

use super::ctx::{Ctx, loc};
use crate::diagnostics::{Code, Diagnostic};
use crate::manifest::Seg;
use crate::model::{NumberUsage, Origin, PhoneNumber};

/// One assignment of a number, and where it is written.
struct Use<'a> {
    owner: String,
    origin: Origin,
    path: Vec<Seg<'a>>,
    fax: bool,
}

pub fn check(ctx: &mut Ctx<'_>) {
    let m = ctx.m;
    let mut uses: Vec<(&PhoneNumber, Use<'_>)> = Vec::new();
    for (k, e) in &m.users {
        for (n, field) in e.value.numbers() {
            let mut path = loc!["users", k].to_vec();
            path.extend(field.segs());
            uses.push((
                n,
                Use {
                    owner: format!("users.{k}"),
                    origin: e.origin,
                    path,
                    fax: false,
                },
            ));
        }
        if let Some(n) = &e.value.internet_fax {
            uses.push((
                n,
                Use {
                    owner: format!("users.{k}"),
                    origin: e.origin,
                    path: loc!["users", k, "internet_fax"].to_vec(),
                    fax: true,
                },
            ));
        }
    }
    for (k, e) in &m.ring_groups {
        for (i, n) in e.value.phone_numbers.iter().enumerate() {
            uses.push((
                n,
                Use {
                    owner: format!("ring_groups.{k}"),
                    origin: e.origin,
                    path: loc!["ring_groups", k, "phone_numbers", i].to_vec(),
                    fax: false,
                },
            ));
        }
    }
    for (k, e) in &m.auto_attendants {
        if let Some(n) = &e.value.phone_number {
            uses.push((
                n,
                Use {
                    owner: format!("auto_attendants.{k}"),
                    origin: e.origin,
                    path: loc!["auto_attendants", k, "phone_number"].to_vec(),
                    fax: false,
                },
            ));
        }
    }

    // A fax number cannot be shown as the caller ID of calls either.
    let fax = |n: &PhoneNumber| {
        m.phone_numbers
            .get(n)
            .is_some_and(|e| e.value.usage == NumberUsage::Fax)
    };
    let mut shown: Vec<(&PhoneNumber, String, Origin, Vec<Seg<'_>>)> = Vec::new();
    for (k, e) in &m.users {
        if let Some(n) = &e.value.caller_id.number {
            shown.push((
                n,
                format!("the caller ID of users.{k}"),
                e.origin,
                loc!["users", k, "caller_id", "number"].to_vec(),
            ));
        }
    }
    for (k, e) in &m.sites {
        if let Some(n) = &e.value.main_number {
            shown.push((
                n,
                format!("the main number of sites.{k}"),
                e.origin,
                loc!["sites", k, "main_number"].to_vec(),
            ));
        }
    }
    for (n, what, origin, path) in shown {
        if fax(n) {
            let (file, span) = ctx.value(origin, &path);
            ctx.out.push(
                Diagnostic::error(
                    Code::NumberFaxAsVoice,
                    format!("{n} is a fax number, but it is {what}"),
                )
                .at(file, span, "a fax number")
                .help("show a voice number here; fax numbers go in a user's `internet_fax`"),
            );
        }
    }
    let mut first: HashMap<&PhoneNumber, &Use<'_>> =
        HashMap::with_capacity_and_hasher(uses.len(), rustc_hash::FxBuildHasher);
    for (n, u) in &uses {
        let usage = m.phone_numbers.get(*n).map(|e| e.value.usage);
        match (u.fax, usage) {
            (true, Some(NumberUsage::Voice)) => {
                let (file, span) = ctx.value(u.origin, &u.path);
                let decl = m.phone_numbers.get(*n).map(|e| e.origin);
                let mut d = Diagnostic::error(
                    Code::NumberFaxUsage,
                    format!(
                        "{n}, the internet fax of {}, is not declared as a fax number",
                        u.owner
                    ),
                )
                .at(file, span, "a voice number")
                .help(format!(
                    "declare it with `\"{n}\": {{usage: fax}}` under `phone_numbers`"
                ));
                if let Some(o) = decl {
                    let (f, s) = ctx.key(o, loc!["phone_numbers", m.number_key(n)]);
                    d = d.related(f, s, "declared here without `usage: fax`");
                }
                ctx.out.push(d);
            }
            (false, Some(NumberUsage::Fax)) => {
                let (file, span) = ctx.value(u.origin, &u.path);
                ctx.out.push(
                    Diagnostic::error(
                        Code::NumberFaxAsVoice,
                        format!("{n} is a fax number, but {} uses it for calls", u.owner),
                    )
                    .at(file, span, "a fax number")
                    .help("use a voice number here; fax numbers go in a user's `internet_fax`"),
                );
            }
            _ => {}
        }
        if let Some(f) = first.get(*n) {
            let (f1, s1) = ctx.value(f.origin, &f.path);
            let (f2, s2) = ctx.value(u.origin, &u.path);
            let owners = if f.owner == u.owner {
                format!("{} twice", u.owner)
            } else {
                format!("both {} and {}", f.owner, u.owner)
            };
            ctx.out.push(
                Diagnostic::error(
                    Code::NumberAssignedTwice,
                    format!("{n} is assigned to {owners}"),
                )
                .at(f2, s2, "assigned again here")
                .related(f1, s1, "first assigned here")
                .help("a number rings one user, ring group or auto attendant: give one of them another number"),
            );
        } else {
            first.insert(n, u);
        }
    }
}
