//! Extensions: the account's length, unique across users, ring groups and
//! auto attendants, and room in the site's range for every `auto` one.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::ctx::{Ctx, loc};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Extension, Origin};

struct Holder<'a> {
    section: &'static str,
    key: &'a str,
    origin: Origin,
    extension: &'a Extension,
    site: Option<&'a str>,
}

fn holders<'a>(ctx: &Ctx<'a>) -> Vec<Holder<'a>> {
    let m = ctx.m;
    let mut out = Vec::with_capacity(m.users.len() + m.ring_groups.len() + m.auto_attendants.len());
    for (k, e) in &m.users {
        out.push(Holder {
            section: "users",
            key: k,
            origin: e.origin,
            extension: &e.value.extension,
            site: m.site_of(e.value.site.as_ref()),
        });
    }
    for (k, e) in &m.ring_groups {
        out.push(Holder {
            section: "ring_groups",
            key: k,
            origin: e.origin,
            extension: &e.value.extension,
            site: m.site_of(e.value.site.as_ref()),
        });
    }
    for (k, e) in &m.auto_attendants {
        out.push(Holder {
            section: "auto_attendants",
            key: k,
            origin: e.origin,
            extension: &e.value.extension,
            site: m.site_of(e.value.site.as_ref()),
        });
    }
    out
}

pub fn check(ctx: &mut Ctx<'_>) {
    // An account that could not be read has no known extension length:
    // checking every extension against the default would only add noise.
    if ctx.poisoned.contains("account", "") {
        return;
    }
    let len = usize::from(ctx.m.extension_length());
    check_ranges(ctx, len);
    let holders = holders(ctx);
    let mut seen: HashMap<&str, &Holder<'_>> =
        HashMap::with_capacity_and_hasher(holders.len(), rustc_hash::FxBuildHasher);
    for h in &holders {
        let Some(digits) = h.extension.digits() else {
            continue;
        };
        let at = loc![h.section, h.key, "extension"];
        if digits.len() != len {
            let written = ctx.text(h.origin, at).to_owned();
            let help = if written.starts_with('0') && !written.starts_with(['"', '\'']) {
                format!(
                    "YAML reads the unquoted {written} as the number {digits}: quote it, \"{written}\""
                )
            } else {
                format!("the account's extensions have {len} digits (`account.extension_length`)")
            };
            ctx.error(
                Code::ExtensionLength,
                h.origin,
                at,
                format!(
                    "extension {digits} of {}.{} has {} digits, not {len}",
                    h.section,
                    h.key,
                    digits.len()
                ),
                format!("{} digits", digits.len()),
                help,
            );
        }
        if let Some(first) = seen.get(digits) {
            let (f1, s1) = ctx.value(first.origin, loc![first.section, first.key, "extension"]);
            let (f2, s2) = ctx.value(h.origin, at);
            ctx.out.push(
                Diagnostic::error(
                    Code::ExtensionDuplicate,
                    format!(
                        "extension {digits} is used by both {}.{} and {}.{}",
                        first.section, first.key, h.section, h.key
                    ),
                )
                .at(f2, s2, "used again here")
                .related(f1, s1, "first used here")
                .help("extensions are unique in the PBX: change one, or use `auto`"),
            );
        } else {
            seen.insert(digits, h);
        }
    }
    check_auto(ctx, &holders, len);
}

/// Parses a site's range into numbers, when it is well formed.
fn range_bounds(first: &str, last: &str) -> Option<(u64, u64)> {
    Some((first.parse().ok()?, last.parse().ok()?))
}

fn check_ranges(ctx: &mut Ctx<'_>, len: usize) {
    for (key, e) in &ctx.m.sites {
        let Some(r) = &e.value.extension_range else {
            continue;
        };
        let at = loc!["sites", key, "extension_range"];
        let problem = if r.first.len() != len || r.last.len() != len {
            Some(format!(
                "both ends must have {len} digits, the account's extension length"
            ))
        } else if range_bounds(&r.first, &r.last).is_none_or(|(a, b)| a > b) {
            Some("the first extension must not be above the last".to_owned())
        } else {
            None
        };
        if let Some(help) = problem {
            ctx.error(
                Code::SiteExtensionRange,
                e.origin,
                at,
                format!("sites.{key} has an invalid extension_range `{r}`"),
                "not a valid range",
                help,
            );
        }
    }
}

/// Hands out `auto` extensions as a plan would — the lowest free one of the
/// site's range, unique in the whole PBX — and reports those that find
/// none. (Two sites may share a range: only one of them gets each number.)
fn check_auto(ctx: &mut Ctx<'_>, holders: &[Holder<'_>], len: usize) {
    let mut taken: HashSet<u64> = holders
        .iter()
        .filter_map(|h| h.extension.digits())
        .filter(|d| d.len() == len)
        .filter_map(|d| d.parse().ok())
        .collect();
    // Where each site's search resumes: everything below is taken.
    let mut cursor: HashMap<&str, u64> = HashMap::default();
    for h in holders.iter().filter(|h| *h.extension == Extension::Auto) {
        let at = loc![h.section, h.key, "extension"];
        let Some(site_key) = h.site else {
            // With a site that could not be read, "no site" would be a guess.
            if ctx.m.sites.is_empty() && !ctx.poisoned.any("sites") {
                ctx.error(
                    Code::ExtensionNoRange,
                    h.origin,
                    at,
                    format!(
                        "{}.{} asks for an `auto` extension, but no site is defined",
                        h.section, h.key
                    ),
                    "no site to generate it from",
                    "define a site with an `extension_range`, or write the extension's digits",
                );
            }
            continue;
        };
        let Some(site) = ctx.m.sites.get(site_key) else {
            continue;
        };
        let Some(range) = &site.value.extension_range else {
            ctx.error(
                Code::ExtensionNoRange,
                h.origin,
                at,
                format!("{}.{} asks for an `auto` extension, but site `{site_key}` has no extension_range", h.section, h.key),
                "nothing to generate it from",
                format!("add `extension_range:` (e.g. `1000-1999`) to sites.{site_key}, or write the extension's digits"),
            );
            continue;
        };
        let Some((first, last)) = range_bounds(&range.first, &range.last).filter(|(a, b)| a <= b)
        else {
            continue;
        };
        if range.first.len() != len || range.last.len() != len {
            continue;
        }
        let next = cursor.entry(site_key).or_insert(first);
        while *next <= last && taken.contains(next) {
            *next += 1;
        }
        if *next <= last {
            taken.insert(*next);
        } else {
            ctx.error(
                Code::ExtensionRangeFull,
                h.origin,
                at,
                format!(
                    "no free extension is left in {range}, the extension_range of site `{site_key}`, for {}.{}",
                    h.section, h.key
                ),
                "the range is full",
                format!("widen sites.{site_key}.extension_range, or write this extension's digits"),
            );
        }
    }
}
