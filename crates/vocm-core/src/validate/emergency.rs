//! `emergency_address: site` needs a site to take the address from.

use super::ctx::{Ctx, loc};
use crate::diagnostics::Code;
use crate::model::user::SITE_ADDRESS;

pub fn check(ctx: &mut Ctx<'_>) {
    if !ctx.m.sites.is_empty() || ctx.raw.incomplete || ctx.poisoned.any("sites") {
        // With one site it is the user's; with several, a user without a
        // site is already reported as needing one.
        return;
    }
    for (key, e) in &ctx.m.users {
        let u = &e.value;
        if u.emergency_address == SITE_ADDRESS && u.site.is_none() {
            let explicit = ctx
                .raw
                .find(e.origin, loc!["users", key, "emergency_address"])
                .is_some_and(|(_, f)| f.exact);
            let at = if explicit {
                loc!["users", key, "emergency_address"]
            } else {
                loc!["users", key]
            };
            let (file, span) = if explicit {
                ctx.value(e.origin, at)
            } else {
                ctx.key(e.origin, at)
            };
            ctx.out.push(
                crate::diagnostics::Diagnostic::error(
                    Code::EmergencyNoSiteAddress,
                    format!("users.{key} has no site, so emergency services would get no address"),
                )
                .at(file, span, "`emergency_address: site` needs a site")
                .help("give the user a `site` with an address, or set `emergency_address` to a key of `addresses`"),
            );
        }
    }
}
