//! Typed resources from each document, merged into one [`Manifest`].
//!
//! Each resource is deserialised on its own, so that one broken user does
//! not hide the rest of the set from the rules. A key defined twice — in one
//! file or across files — is one diagnostic that points at both places.

use rustc_hash::FxHashSet as HashSet;

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diagnostics::{Code, Diagnostic};
use crate::manifest::{RawManifest, Seg};
use crate::model::user_layers::{self, Layers, Mask};
use crate::model::{
    Account, Address, AudioFile, AutoAttendant, Device, Entry, Manifest, Moved, NumberSpec, Origin,
    PhoneNumber, RingGroup, Schedule, Site, Template, User,
};

/// Resources that are present but could not be read (their errors are
/// already reported): references to them are not "unknown".
#[derive(Debug, Default)]
pub struct Poisoned {
    keys: HashSet<(&'static str, String)>,
}

impl Poisoned {
    #[must_use]
    pub fn contains(&self, section: &str, key: &str) -> bool {
        self.keys.contains(&(section_name(section), key.to_owned()))
    }

    /// Whether a resource of the section could not be read.
    #[must_use]
    pub fn any(&self, section: &str) -> bool {
        self.keys.iter().any(|(s, _)| *s == section)
    }
}

fn section_name(s: &str) -> &'static str {
    crate::model::SECTIONS
        .iter()
        .find(|n| **n == s)
        .copied()
        .unwrap_or("")
}

/// One document's resources, typed.
#[derive(Default)]
pub struct Part {
    account: Option<Account>,
    addresses: Vec<(String, Address)>,
    sites: Vec<(String, Site)>,
    phone_numbers: Vec<(String, Option<PhoneNumber>, NumberSpec)>,
    devices: Vec<(String, Device)>,
    audio_files: Vec<(String, AudioFile)>,
    ring_groups: Vec<(String, RingGroup)>,
    schedules: Vec<(String, Schedule)>,
    auto_attendants: Vec<(String, AutoAttendant)>,
    templates: Vec<(String, (Template, Mask))>,
    users: Vec<(String, (User, Mask))>,
    /// What each site's `user_defaults` writes, by site key.
    site_defaults: Vec<(String, Mask)>,
    moved: Vec<Moved>,
    failed: Vec<(&'static str, String, String)>,
}

/// What the users, templates and site defaults of a document write, in
/// their mappings' order; read before their explicit `null`s are removed.
#[derive(Default)]
pub struct Masks {
    users: Vec<Mask>,
    templates: Vec<Mask>,
    site_defaults: Vec<(String, Mask)>,
}

/// Reads what each user, template and site default writes, and removes
/// their explicit `null`s (they clear a field: the mask keeps that), so
/// that the schema and serde read what remains.
pub fn prepare(value: &mut Value) -> Masks {
    let mut masks = Masks::default();
    let Value::Object(root) = value else {
        return masks;
    };
    let each = |section: Option<&mut Value>, out: &mut Vec<Mask>| {
        if let Some(Value::Object(map)) = section {
            out.extend(map.values_mut().map(user_layers::mask_and_strip));
        }
    };
    each(root.get_mut("users"), &mut masks.users);
    each(root.get_mut("templates"), &mut masks.templates);
    if let Some(Value::Object(sites)) = root.get_mut("sites") {
        for (key, site) in sites {
            if let Some(defaults) = site.get_mut("user_defaults") {
                let mask = user_layers::mask_and_strip(defaults);
                masks.site_defaults.push((key.clone(), mask));
            }
        }
    }
    masks
}

/// Like [`take`], for a section whose items carry a mask (in order).
fn take_masked<T: DeserializeOwned>(
    section: &'static str,
    value: Option<&Value>,
    masks: &[Mask],
    into: &mut Vec<(String, (T, Mask))>,
    failed: &mut Vec<(&'static str, String, String)>,
) {
    let mut typed = Vec::new();
    take(section, value, &mut typed, failed);
    let Some(Value::Object(map)) = value else {
        return;
    };
    let mut typed = typed.into_iter().peekable();
    for ((key, _), mask) in map.iter().zip(masks) {
        if typed.peek().is_some_and(|(k, _)| k == key)
            && let Some((k, t)) = typed.next()
        {
            into.push((k, (t, *mask)));
        }
    }
}

fn take<T: DeserializeOwned>(
    section: &'static str,
    value: Option<&Value>,
    into: &mut Vec<(String, T)>,
    failed: &mut Vec<(&'static str, String, String)>,
) {
    let Some(Value::Object(map)) = value else {
        return;
    };
    for (key, v) in map {
        match T::deserialize(v) {
            Ok(t) => into.push((key.clone(), t)),
            Err(e) => match lenient::<T>(section, key, v) {
                // A misspelt field (already reported by the schema) must
                // not hide the rest of the resource from the rules.
                Some(t) => into.push((key.clone(), t)),
                None => failed.push((section, key.clone(), e.to_string())),
            },
        }
    }
}

/// The resource read again without the fields the schema does not know.
fn lenient<T: DeserializeOwned>(section: &str, key: &str, value: &Value) -> Option<T> {
    let mut path = vec![section.to_owned(), key.to_owned()];
    T::deserialize(&without_unknown(value, &mut path)).ok()
}

fn without_unknown(value: &Value, path: &mut Vec<String>) -> Value {
    match value {
        Value::Object(map) => {
            // An empty list means a map of free keys (a menu): keep them all.
            let known = super::known_fields::at(path);
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                if known.is_empty() || known.contains(k) {
                    path.push(k.clone());
                    out.insert(k.clone(), without_unknown(v, path));
                    path.pop();
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    path.push(i.to_string());
                    let v = without_unknown(v, path);
                    path.pop();
                    v
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Types a document's resources, one by one.
#[must_use]
pub fn read_part(value: &Value, masks: Masks) -> Part {
    let mut p = Part::default();
    let Value::Object(root) = value else { return p };
    if let Some(v) = root.get("account") {
        match Account::deserialize(v) {
            Ok(a) => p.account = Some(a),
            Err(e) => p.failed.push(("account", String::new(), e.to_string())),
        }
    }
    take(
        "addresses",
        root.get("addresses"),
        &mut p.addresses,
        &mut p.failed,
    );
    take("sites", root.get("sites"), &mut p.sites, &mut p.failed);
    let mut numbers = Vec::new();
    take(
        "phone_numbers",
        root.get("phone_numbers"),
        &mut numbers,
        &mut p.failed,
    );
    p.phone_numbers = numbers
        .into_iter()
        .map(|(k, spec): (String, NumberSpec)| {
            let n = k.parse().ok();
            (k, n, spec)
        })
        .collect();
    take(
        "devices",
        root.get("devices"),
        &mut p.devices,
        &mut p.failed,
    );
    take(
        "audio_files",
        root.get("audio_files"),
        &mut p.audio_files,
        &mut p.failed,
    );
    take(
        "ring_groups",
        root.get("ring_groups"),
        &mut p.ring_groups,
        &mut p.failed,
    );
    take(
        "schedules",
        root.get("schedules"),
        &mut p.schedules,
        &mut p.failed,
    );
    take(
        "auto_attendants",
        root.get("auto_attendants"),
        &mut p.auto_attendants,
        &mut p.failed,
    );
    take_masked(
        "templates",
        root.get("templates"),
        &masks.templates,
        &mut p.templates,
        &mut p.failed,
    );
    take_masked(
        "users",
        root.get("users"),
        &masks.users,
        &mut p.users,
        &mut p.failed,
    );
    p.site_defaults = masks.site_defaults;
    if let Some(v) = root.get("moved") {
        match Vec::<Moved>::deserialize(v) {
            Ok(moved) => p.moved = moved,
            Err(e) => p.failed.push(("moved", String::new(), e.to_string())),
        }
    }
    p
}

use serde::Deserialize as _;

/// Merges every document. `schema_failed[i]` says whether document `i`
/// already has schema errors (then a failed resource is not reported again).
pub fn merge(
    raw: &RawManifest,
    parts: Vec<Part>,
    schema_failed: &[bool],
    out: &mut Vec<Diagnostic>,
) -> (Manifest, Poisoned) {
    let mut m = Manifest::default();
    let mut poisoned = Poisoned::default();
    let mut merger = Merger {
        raw,
        out,
        unread: rustc_hash::FxHashMap::default(),
    };
    // What each user writes, by its index in `m.users`.
    let mut user_masks: Vec<Mask> = Vec::new();
    let mut templates: IndexMap<String, Entry<(Template, Mask)>> = IndexMap::default();
    let mut site_defaults: rustc_hash::FxHashMap<String, Mask> = rustc_hash::FxHashMap::default();
    for (i, part) in parts.into_iter().enumerate() {
        let origin = Origin(u32::try_from(i).unwrap_or(u32::MAX));
        for (section, key, error) in part.failed {
            if !schema_failed.get(i).copied().unwrap_or(false) {
                // The schema accepted what serde refused: a gap between the
                // two that must still reach the user.
                let path: Vec<Seg<'_>> = if key.is_empty() {
                    vec![Seg::Key(section)]
                } else {
                    vec![Seg::Key(section), Seg::Key(&key)]
                };
                let (file, span) = raw.key_span(origin, &path);
                merger.out.push(
                    Diagnostic::error(Code::SchemaInvalid, format!("{section}.{key}: {error}"))
                        .at(file, span, "cannot be read")
                        .help("see the manifest format in the README"),
                );
            }
            // Numbers are looked up in E.164, whatever their spelling.
            let key = if section == "phone_numbers" {
                key.parse::<PhoneNumber>().map_or(key, |n| n.to_string())
            } else {
                // A copy that cannot be read is still a definition: a
                // second one, or the first of a copy that can.
                // (`moved` lists add up across files.)
                let earlier = defined(&m, &templates, section, &key);
                if section != "moved" && merger.define(section, &key, earlier, origin) {
                    merger.unread.insert((section, key.clone()), origin);
                }
                key
            };
            poisoned.keys.insert((section, key));
        }
        if let Some(account) = part.account
            && merger.define("account", "", m.account.as_ref().map(|a| a.origin), origin)
        {
            m.account = Some(Entry {
                value: account,
                origin,
            });
        }
        merger.section("addresses", part.addresses, &mut m.addresses, origin);
        merger.section("sites", part.sites, &mut m.sites, origin);
        for (key, number, spec) in part.phone_numbers {
            let Some(number) = number else {
                poisoned.keys.insert(("phone_numbers", key));
                continue;
            };
            if let Some(first) = m.phone_numbers.get(&number) {
                let first_origin = first.origin;
                let first_key = m.number_key(&number).to_owned();
                merger.duplicate_number(&number, &first_key, &key, first_origin, origin);
            } else {
                m.phone_number_keys.insert(number.clone(), key);
                m.phone_numbers.insert(
                    number,
                    Entry {
                        value: spec,
                        origin,
                    },
                );
            }
        }
        merger.section("devices", part.devices, &mut m.devices, origin);
        merger.section("audio_files", part.audio_files, &mut m.audio_files, origin);
        merger.section("ring_groups", part.ring_groups, &mut m.ring_groups, origin);
        merger.section("schedules", part.schedules, &mut m.schedules, origin);
        merger.section(
            "auto_attendants",
            part.auto_attendants,
            &mut m.auto_attendants,
            origin,
        );
        merger.section("templates", part.templates, &mut templates, origin);
        for (key, (value, mask)) in part.users {
            let earlier = m.users.get(&key).map(|u| u.origin);
            if merger.define("users", &key, earlier, origin) {
                m.users.insert(key, Entry { value, origin });
                user_masks.push(mask);
            }
        }
        m.moved
            .extend(part.moved.into_iter().map(|value| Entry { value, origin }));
        for (site, mask) in part.site_defaults {
            site_defaults.entry(site).or_insert(mask);
        }
    }
    m.templates = templates
        .iter()
        .map(|(k, e)| {
            (
                k.clone(),
                Entry {
                    value: e.value.0.clone(),
                    origin: e.origin,
                },
            )
        })
        .collect();
    layer_users(
        &mut m,
        &user_masks,
        &templates,
        &site_defaults,
        &poisoned,
        &mut merger,
    );
    (m, poisoned)
}

/// Merges each user with its template and its site's defaults, and checks
/// that the result has a license.
fn layer_users(
    m: &mut Manifest,
    masks: &[Mask],
    templates: &IndexMap<String, Entry<(Template, Mask)>>,
    site_defaults: &rustc_hash::FxHashMap<String, Mask>,
    poisoned: &Poisoned,
    merger: &mut Merger<'_>,
) {
    // In place: a second map of every user would double the peak memory.
    let Manifest {
        users,
        sites,
        user_layers: merged_from,
        ..
    } = m;
    let only_site = (sites.len() == 1).then(|| sites.keys().next()).flatten();
    for ((key, entry), mask) in users.iter_mut().zip(masks) {
        let user = &mut entry.value;
        let mut filled = *mask;
        let mut layers = Layers::default();
        let mut unknown = false;
        if let Some(name) = user.template.clone() {
            match templates.get(&name) {
                Some(t) => {
                    let (template, writes) = &t.value;
                    let taken = user_layers::overlay(user, &mut filled, &template.0, *writes);
                    layers.template = Some((name, taken));
                }
                // The reference check reports it.
                None => unknown = true,
            }
        }
        // The site may come from the template.
        if let Some(site) = user.site.as_ref().or(only_site).cloned()
            && let Some(writes) = site_defaults.get(&site)
            && let Some(defaults) = sites
                .get(&site)
                .and_then(|s| s.value.user_defaults.as_ref())
        {
            let taken = user_layers::overlay(user, &mut filled, &defaults.0, *writes);
            layers.site = Some((site, taken));
        }
        if !filled.has(user_layers::LICENSE)
            && !unknown
            && !poisoned.any("templates")
            && !poisoned.any("sites")
        {
            let (file, span) = merger
                .raw
                .key_span(entry.origin, &[Seg::Key("users"), Seg::Key(key)]);
            merger.out.push(
                Diagnostic::error(
                    Code::SchemaMissingField,
                    format!("users.{key} is missing the required field `license`"),
                )
                .at(file, span, "`license` is missing")
                .help(
                    "add `license:` to the user, to its template, or to its site's `user_defaults`",
                ),
            );
        }
        if layers != Layers::default() {
            merged_from.insert(key.clone(), layers);
        }
    }
}

/// Where a resource that could be read is defined, by its section's name.
fn defined(
    m: &Manifest,
    templates: &IndexMap<String, Entry<(Template, Mask)>>,
    section: &str,
    key: &str,
) -> Option<Origin> {
    fn at<T>(map: &IndexMap<String, Entry<T>>, key: &str) -> Option<Origin> {
        map.get(key).map(|e| e.origin)
    }
    match section {
        "account" => m.account.as_ref().map(|a| a.origin),
        "addresses" => at(&m.addresses, key),
        "sites" => at(&m.sites, key),
        "devices" => at(&m.devices, key),
        "audio_files" => at(&m.audio_files, key),
        "ring_groups" => at(&m.ring_groups, key),
        "schedules" => at(&m.schedules, key),
        "auto_attendants" => at(&m.auto_attendants, key),
        "templates" => at(templates, key),
        "users" => at(&m.users, key),
        _ => None,
    }
}

struct Merger<'a> {
    raw: &'a RawManifest,
    out: &'a mut Vec<Diagnostic>,
    /// Where resources that could not be read are defined (the account's
    /// key is empty): a copy with schema errors is still a definition, and
    /// its errors alone would not say that it is a second one.
    unread: rustc_hash::FxHashMap<(&'static str, String), Origin>,
}

impl Merger<'_> {
    /// Whether `origin` is the first to define `section.key`, given where
    /// a copy that could be read was defined before; a second definition
    /// is reported.
    fn define(
        &mut self,
        section: &'static str,
        key: &str,
        earlier: Option<Origin>,
        origin: Origin,
    ) -> bool {
        let earlier = earlier.or_else(|| {
            (!self.unread.is_empty())
                .then(|| self.unread.get(&(section, key.to_owned())).copied())
                .flatten()
        });
        match earlier {
            Some(first) => {
                let key = (!key.is_empty()).then_some(key);
                self.duplicate(section, key, first, origin);
                false
            }
            None => true,
        }
    }

    fn section<T>(
        &mut self,
        section: &'static str,
        items: Vec<(String, T)>,
        into: &mut IndexMap<String, Entry<T>>,
        origin: Origin,
    ) {
        for (key, value) in items {
            let earlier = into.get(&key).map(|e| e.origin);
            if self.define(section, &key, earlier, origin) {
                into.insert(key, Entry { value, origin });
            }
        }
    }

    fn duplicate(&mut self, section: &str, key: Option<&str>, first: Origin, second: Origin) {
        let path: Vec<Seg<'_>> = match key {
            Some(k) => vec![Seg::Key(section), Seg::Key(k)],
            None => vec![Seg::Key(section)],
        };
        let (f1, s1) = self.raw.key_span(first, &path);
        let (f2, s2) = self.raw.key_span(second, &path);
        let (what, help) = match key {
            Some(k) => (
                format!("{section}.{k} is defined twice"),
                "each resource is defined once in the whole set: remove or rename one",
            ),
            None => (
                "the account is defined twice".to_owned(),
                "keep a single `account:` section in the whole set",
            ),
        };
        let place = if f1 == f2 {
            "in the same file"
        } else {
            "in two files"
        };
        self.out.push(
            Diagnostic::error(Code::ManifestDuplicateKey, format!("{what}, {place}"))
                .at(f2, s2, "defined again here")
                .related(f1, s1, "first defined here")
                .help(help),
        );
    }

    fn duplicate_number(
        &mut self,
        number: &PhoneNumber,
        first_key: &str,
        key: &str,
        first: Origin,
        second: Origin,
    ) {
        let (f1, s1) = self
            .raw
            .key_span(first, &[Seg::Key("phone_numbers"), Seg::Key(first_key)]);
        let (f2, s2) = self
            .raw
            .key_span(second, &[Seg::Key("phone_numbers"), Seg::Key(key)]);
        self.out.push(
            Diagnostic::error(
                Code::ManifestDuplicateKey,
                format!("phone number {number} is listed twice in phone_numbers"),
            )
            .at(f2, s2, "listed again here")
            .related(f1, s1, "first listed here")
            .help("list each number once (different spellings of a number are the same number)"),
        );
    }
}
