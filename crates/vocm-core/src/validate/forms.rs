//! Fields with a one-value and a list form (`device` / `devices`): a user
//! writes one or the other.

use super::ctx::{Ctx, loc};
use crate::diagnostics::{Code, Diagnostic};

pub fn check(ctx: &mut Ctx<'_>) {
    for (key, e) in &ctx.m.users {
        let u = &e.value;
        let pairs = [
            (
                "phone_number",
                "phone_numbers",
                u.phone_number.is_some() && !u.phone_numbers.is_empty(),
                " (the first is primary)",
            ),
            (
                "device",
                "devices",
                u.device.is_some() && !u.devices.is_empty(),
                "",
            ),
        ];
        for (one, many, both, note) in pairs {
            if !both {
                continue;
            }
            let (f1, s1) = ctx.key(e.origin, loc!["users", key, one]);
            let (f2, s2) = ctx.key(e.origin, loc!["users", key, many]);
            ctx.out.push(
                Diagnostic::error(
                    Code::ManifestBothForms,
                    format!("users.{key} sets both `{one}` and `{many}`"),
                )
                .at(f2, s2, "the list form")
                .related(f1, s1, "the one-value form")
                .help(format!(
                    "write one list, e.g. `{many}: [a, b]`{note}, and remove `{one}`"
                )),
            );
        }
    }
}
