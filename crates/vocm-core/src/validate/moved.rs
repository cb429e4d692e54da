//! `moved` entries: both ends of one kind, the new key defined and the old
//! one gone from the manifests, each key moved once.

use rustc_hash::FxHashMap as HashMap;

use super::ctx::{Ctx, loc};
use crate::account::{Kind, ResourceId};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::Origin;

/// Whether the manifests define a resource.
fn defined(ctx: &Ctx<'_>, id: &ResourceId) -> bool {
    let m = ctx.m;
    let key = id.key.as_str();
    match id.kind {
        Kind::Address => m.addresses.contains_key(key),
        Kind::Site => m.sites.contains_key(key),
        Kind::Device => m.devices.contains_key(key),
        Kind::AudioFile => m.audio_files.contains_key(key),
        Kind::User => m.users.contains_key(key),
        Kind::RingGroup => m.ring_groups.contains_key(key),
        Kind::AutoAttendant => m.auto_attendants.contains_key(key),
        Kind::Account | Kind::PhoneNumber => false,
    }
}

pub fn check(ctx: &mut Ctx<'_>) {
    let mut index: HashMap<Origin, usize> = HashMap::default();
    let mut seen: HashMap<ResourceId, (Origin, usize)> = HashMap::default();
    for entry in &ctx.m.moved {
        let i = {
            let n = index.entry(entry.origin).or_default();
            *n += 1;
            *n - 1
        };
        let o = entry.origin;
        // The schema has checked the form of both; a key that does not
        // parse was reported there.
        let (Ok(from), Ok(to)) = (
            entry.value.from.parse::<ResourceId>(),
            entry.value.to.parse::<ResourceId>(),
        ) else {
            continue;
        };
        let invalid =
            |ctx: &mut Ctx<'_>, field: &str, message: String, label: &str, help: String| {
                ctx.error(
                    Code::MovedInvalid,
                    o,
                    loc!["moved", i, field],
                    message,
                    label,
                    help,
                );
            };
        if from.kind != to.kind {
            invalid(
                ctx,
                "to",
                format!("{from} cannot become {to}: a rename keeps the kind"),
                "another kind",
                format!("write `to: {}:NEW_KEY`", from.kind),
            );
            continue;
        }
        if from == to {
            invalid(
                ctx,
                "to",
                format!("{from} is moved to itself"),
                "the same key",
                "remove this entry".to_owned(),
            );
            continue;
        }
        if defined(ctx, &from) {
            invalid(
                ctx,
                "from",
                format!("{from} is moved to {to}, but the manifests still define {from}"),
                "still defined",
                format!("rename `{}` to `{}` where it is defined", from.key, to.key),
            );
        }
        if !defined(ctx, &to) && ctx.should_report_missing(to.kind.section(), &to.key) {
            ctx.error(
                Code::ReferenceUnknown,
                o,
                loc!["moved", i, "to"],
                format!("{from} is moved to {to}, which the manifests do not define"),
                "not defined",
                format!(
                    "define `{}` under `{}`, or fix the name",
                    to.key,
                    to.kind.section()
                ),
            );
        }
        for (id, field) in [(&from, "from"), (&to, "to")] {
            if let Some((first_origin, first)) = seen.get(id).copied() {
                let (f1, s1) = ctx.value(first_origin, loc!["moved", first]);
                let (f2, s2) = ctx.value(o, loc!["moved", i, field]);
                ctx.out.push(
                    Diagnostic::error(
                        Code::MovedInvalid,
                        format!("{id} is in two `moved` entries"),
                    )
                    .at(f2, s2, "again here")
                    .related(f1, s1, "first here")
                    .help("a key moves once: merge the entries (a → c, not a → b and b → c)"),
                );
            } else {
                seen.insert(id.clone(), (o, i));
            }
        }
    }
}
