//! A user's own outbound calling permission that a site or the account
//! replaces is a warning: the manifest says one thing, calls do another.

use super::ctx::{Ctx, loc};
use crate::diagnostics::{Code, Diagnostic};

pub fn check(ctx: &mut Ctx<'_>) {
    let account = ctx
        .m
        .account
        .as_ref()
        .and_then(|a| a.value.outbound_calling.map(|s| (s, a.origin)));
    for (key, e) in &ctx.m.users {
        let Some(own) = &e.value.outbound_calling else {
            continue;
        };
        let site_key = ctx.m.site_of(e.value.site.as_ref());
        let site = site_key.and_then(|k| {
            let s = ctx.m.sites.get(k)?;
            s.value.outbound_calling.map(|scope| (scope, s.origin, k))
        });
        let (scope, file, span, by) = if let Some((scope, origin, k)) = site {
            let (f, s) = ctx.value(origin, loc!["sites", k, "outbound_calling"]);
            (scope, f, s, format!("site `{k}`"))
        } else if let Some((scope, origin)) = account {
            let (f, s) = ctx.value(origin, loc!["account", "outbound_calling"]);
            (scope, f, s, "the account".to_owned())
        } else {
            continue;
        };
        let (uf, us) = ctx.value(e.origin, loc!["users", key, "outbound_calling", "scope"]);
        let same = if scope == own.scope {
            " (with the same scope)"
        } else {
            ""
        };
        ctx.out.push(
            Diagnostic::warning(
                Code::OutboundOverridden,
                format!(
                    "users.{key} sets outbound calling to {}, but {by} overrides it with {}{same}",
                    own.scope.as_str(),
                    scope.as_str()
                ),
            )
            .at(uf, us, "replaced by an override")
            .related(file, span, format!("{by} sets {}", scope.as_str()))
            .help("remove the user's `outbound_calling`, or the override, so that the manifest says what happens"),
        );
    }
}
