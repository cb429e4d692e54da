//! Every reference resolves: sites, addresses, devices, audio files,
//! numbers, schedules, and the resources destinations name.

use super::ctx::{Ctx, loc};
use super::suggest::did_you_mean;
use crate::diagnostics::Code;
use crate::manifest::Seg;
use crate::model::{Destination, Origin, PhoneNumber, user::SITE_ADDRESS};

/// What a section's resources are called in messages.
fn noun(section: &str) -> &'static str {
    match section {
        "addresses" => "address",
        "sites" => "site",
        "devices" => "device",
        "audio_files" => "audio file",
        "ring_groups" => "ring group",
        "auto_attendants" => "auto attendant",
        "users" => "user",
        "templates" => "template",
        "schedules" => "schedule",
        _ => "resource",
    }
}

fn keys<'a>(ctx: &'a Ctx<'_>, section: &str) -> Vec<&'a str> {
    let m = ctx.m;
    let ks: Box<dyn Iterator<Item = &String>> = match section {
        "addresses" => Box::new(m.addresses.keys()),
        "sites" => Box::new(m.sites.keys()),
        "devices" => Box::new(m.devices.keys()),
        "audio_files" => Box::new(m.audio_files.keys()),
        "ring_groups" => Box::new(m.ring_groups.keys()),
        "auto_attendants" => Box::new(m.auto_attendants.keys()),
        "users" => Box::new(m.users.keys()),
        "templates" => Box::new(m.templates.keys()),
        "schedules" => Box::new(m.schedules.keys()),
        _ => Box::new(std::iter::empty()),
    };
    ks.map(String::as_str).collect()
}

fn exists(ctx: &Ctx<'_>, section: &str, key: &str) -> bool {
    let m = ctx.m;
    match section {
        "addresses" => m.addresses.contains_key(key),
        "sites" => m.sites.contains_key(key),
        "devices" => m.devices.contains_key(key),
        "audio_files" => m.audio_files.contains_key(key),
        "ring_groups" => m.ring_groups.contains_key(key),
        "auto_attendants" => m.auto_attendants.contains_key(key),
        "users" => m.users.contains_key(key),
        "templates" => m.templates.contains_key(key),
        "schedules" => m.schedules.contains_key(key),
        _ => false,
    }
}

/// Reports `key` when `section` has no such resource.
pub fn resource(ctx: &mut Ctx<'_>, origin: Origin, at: &[Seg<'_>], section: &str, key: &str) {
    if exists(ctx, section, key) || !ctx.should_report_missing(section, key) {
        return;
    }
    let noun = noun(section);
    let suggestion = if ctx.suggestions_left > 0 {
        ctx.suggestions_left -= 1;
        did_you_mean(key, keys(ctx, section))
    } else {
        None
    };
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("define `{key}` under `{section}`, or fix the name"),
    };
    ctx.error(
        Code::ReferenceUnknown,
        origin,
        at,
        format!("unknown {noun} `{key}`"),
        format!("no {noun} `{key}` is defined"),
        help,
    );
}

/// Reports a member written as a reference (`user:marc`: members are bare
/// user keys) or naming a ring group (groups cannot be members); answers
/// whether it did.
fn member_form(ctx: &mut Ctx<'_>, origin: Origin, at: &[Seg<'_>], member: &str) -> bool {
    if let Some(user) = member.strip_prefix("user:") {
        ctx.error(
            Code::ReferenceUnknown,
            origin,
            at,
            format!("a member is a user's key, not a reference: `{member}`"),
            "a reference, where a user key goes",
            format!("write `{user}`: `members` lists users only, by key"),
        );
        return true;
    }
    let group = member.strip_prefix("ring_group:").unwrap_or(member);
    if ctx.m.ring_groups.contains_key(group) && !ctx.m.users.contains_key(member) {
        ctx.error(
            Code::ReferenceUnknown,
            origin,
            at,
            format!("ring group `{group}` cannot be a member of a ring group"),
            "a ring group, where a user goes",
            format!("list ring_group:{group}'s members here instead, or forward to it: `forwarding: {{no_answer: ring_group:{group}}}`"),
        );
        return true;
    }
    false
}

/// Reports a number the account does not list in `phone_numbers`.
pub fn number(ctx: &mut Ctx<'_>, origin: Origin, at: &[Seg<'_>], number: &PhoneNumber) {
    if ctx.m.phone_numbers.contains_key(number) || ctx.raw.incomplete {
        return;
    }
    if ctx.poisoned.contains("phone_numbers", number.as_str()) {
        return;
    }
    ctx.error(
        Code::ReferenceUnknown,
        origin,
        at,
        format!("phone number {number} is not in `phone_numbers`"),
        "not a number of the account",
        format!("add \"{number}\": {{}} under `phone_numbers`: the account must hold the number"),
    );
}

/// Reports a destination naming an unknown resource.
pub fn destination(ctx: &mut Ctx<'_>, origin: Origin, at: &[Seg<'_>], d: &Destination) {
    if let Some((section, key)) = d.target() {
        resource(ctx, origin, at, section, key);
    }
}

/// Reports a missing site where the account has several.
fn site(ctx: &mut Ctx<'_>, origin: Origin, section: &str, key: &str, named: Option<&String>) {
    match named {
        Some(s) => resource(ctx, origin, loc![section, key, "site"], "sites", s),
        None if ctx.m.sites.len() > 1 => {
            let site_keys: Vec<&str> = ctx.m.sites.keys().map(String::as_str).collect();
            let (file, span) = ctx.key(origin, loc![section, key]);
            ctx.out.push(
                crate::diagnostics::Diagnostic::error(
                    Code::ReferenceSiteRequired,
                    format!(
                        "{}.{key} has no `site`, and the account has {} sites",
                        section,
                        site_keys.len()
                    ),
                )
                .at(file, span, "which site?")
                .help(format!("add `site:` with one of: {}", site_keys.join(", "))),
            );
        }
        None => {}
    }
}

pub fn check(ctx: &mut Ctx<'_>) {
    let m = ctx.m;
    for (key, e) in &m.sites {
        let (o, s) = (e.origin, &e.value);
        resource(
            ctx,
            o,
            loc!["sites", key, "address"],
            "addresses",
            &s.address,
        );
        if let Some(n) = &s.main_number {
            number(ctx, o, loc!["sites", key, "main_number"], n);
        }
    }
    for (key, e) in &m.users {
        let (o, u) = (e.origin, &e.value);
        if let Some(t) = &u.template {
            resource(ctx, o, loc!["users", key, "template"], "templates", t);
        }
        site(ctx, o, "users", key, u.site.as_ref());
        for (n, field) in u.numbers() {
            let mut at = loc!["users", key].to_vec();
            at.extend(field.segs());
            number(ctx, o, &at, n);
        }
        for (d, field) in u.device_keys() {
            let mut at = loc!["users", key].to_vec();
            at.extend(field.segs());
            resource(ctx, o, &at, "devices", d);
        }
        if let Some(n) = &u.caller_id.number {
            number(ctx, o, loc!["users", key, "caller_id", "number"], n);
        }
        for (c, d) in u.forwarding.rules() {
            destination(ctx, o, loc!["users", key, "forwarding", c.field()], d);
        }
        if let Some(a) = &u.music_on_hold {
            resource(
                ctx,
                o,
                loc!["users", key, "music_on_hold"],
                "audio_files",
                a,
            );
        }
        if u.emergency_address != SITE_ADDRESS {
            resource(
                ctx,
                o,
                loc!["users", key, "emergency_address"],
                "addresses",
                &u.emergency_address,
            );
        }
        if let Some(n) = &u.internet_fax {
            number(ctx, o, loc!["users", key, "internet_fax"], n);
        }
    }
    for (key, e) in &m.ring_groups {
        let (o, g) = (e.origin, &e.value);
        site(ctx, o, "ring_groups", key, g.site.as_ref());
        for (i, n) in g.phone_numbers.iter().enumerate() {
            number(ctx, o, loc!["ring_groups", key, "phone_numbers", i], n);
        }
        for (i, member) in g.members.iter().enumerate() {
            let at = loc!["ring_groups", key, "members", i];
            if !member_form(ctx, o, at, member) {
                resource(ctx, o, at, "users", member);
            }
        }
        for (c, d) in g.forwarding.rules() {
            destination(ctx, o, loc!["ring_groups", key, "forwarding", c.field()], d);
        }
    }
    for (key, e) in &m.auto_attendants {
        let (o, a) = (e.origin, &e.value);
        site(ctx, o, "auto_attendants", key, a.site.as_ref());
        if let Some(n) = &a.phone_number {
            number(ctx, o, loc!["auto_attendants", key, "phone_number"], n);
        }
        if let Some(g) = &a.greeting {
            resource(
                ctx,
                o,
                loc!["auto_attendants", key, "greeting"],
                "audio_files",
                g,
            );
        }
        for (k, d) in &a.menu {
            destination(ctx, o, loc!["auto_attendants", key, "menu", k], &d.0);
        }
        if let Some(d) = &a.timeout {
            destination(ctx, o, loc!["auto_attendants", key, "timeout"], d);
        }
        if let Some(s) = &a.schedule {
            resource(
                ctx,
                o,
                loc!["auto_attendants", key, "schedule"],
                "schedules",
                s,
            );
        }
        for (field, menu) in a.state_menus() {
            if let Some(g) = &menu.greeting {
                resource(
                    ctx,
                    o,
                    loc!["auto_attendants", key, field, "greeting"],
                    "audio_files",
                    g,
                );
            }
            for (k, d) in &menu.menu {
                destination(ctx, o, loc!["auto_attendants", key, field, "menu", k], &d.0);
            }
            if let Some(d) = &menu.timeout {
                destination(ctx, o, loc!["auto_attendants", key, field, "timeout"], d);
            }
        }
    }
}
