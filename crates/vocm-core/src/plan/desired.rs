//! Manifest → desired [`Account`]: defaults filled, sites and `auto`
//! extensions resolved against the current account, and the plan-time rules
//! that need the current account (licenses, numbers, devices and extensions
//! held by resources the manifests do not manage).
//!
//! Pure: the caller reads audio files and the current state.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::account::{
    Account, AccountSettings, Audio, AutoAttendant, CallRecording, CallerId, Directory, Forwarding,
    Kind, Menu, OutboundCalling, ResourceId, RingGroup, Schedule, Site, User, Voicemail,
};
use crate::diagnostics::{Code, Diagnostic};
use crate::manifest::{RawManifest, Seg};
use crate::model::{self, Destination, Manifest, Origin, PhoneNumber};

/// What resolving needs besides the manifest.
#[derive(Debug)]
pub struct Context<'a> {
    pub raw: &'a RawManifest,
    pub current: &'a Account,
    /// Audio files by key, as read from disk.
    pub audio: &'a BTreeMap<String, Audio>,
    /// Licenses the account owns by type; `None` does not limit.
    pub licenses: Option<&'a BTreeMap<String, u32>>,
    /// Whether the provider can claim a number the account lacks.
    pub can_claim_numbers: bool,
    /// Renames the plan makes (old id → new id): what the old key holds in
    /// the current account, the new key keeps.
    pub renames: &'a [(ResourceId, ResourceId)],
}

fn canonical_forwarding(f: &model::Forwarding) -> Forwarding {
    Forwarding {
        always: f.always.clone(),
        busy: f.busy.clone().unwrap_or(Destination::Voicemail),
        no_answer: f
            .no_answer
            .as_ref()
            .map_or(Destination::Voicemail, |n| n.destination().clone()),
        no_answer_seconds: f.no_answer.as_ref().map_or(
            model::forwarding::DEFAULT_NO_ANSWER_SECONDS,
            model::NoAnswer::after_seconds,
        ),
        unreachable: f.unreachable.clone().unwrap_or(Destination::Voicemail),
    }
}

/// The account validated manifests describe on their own: their audio read
/// from disk, and `auto` extensions as a plan against an empty account
/// gives them (what `route` shows, and what tests encode).
#[must_use]
pub fn on_their_own(v: &crate::validate::Validated) -> (Account, Vec<Diagnostic>) {
    let (audio, _) = crate::validate::audio::read_audio(&v.raw, &v.manifest);
    let empty = Account::default();
    let cx = Context {
        raw: &v.raw,
        current: &empty,
        audio: &audio,
        licenses: None,
        can_claim_numbers: true,
        renames: &[],
    };
    desired(&v.manifest, &cx)
}

/// Resolves the manifest into the account it describes.
#[must_use]
pub fn desired(m: &Manifest, cx: &Context<'_>) -> (Account, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let settings = m.account.as_ref().map(|a| AccountSettings {
        pbx: a.value.pbx.clone(),
        country: a.value.country,
        extension_length: a.value.extension_length,
        outbound_calling: a.value.outbound_calling,
    });
    let pbx = settings.as_ref().map(|s| s.pbx.clone()).unwrap_or_default();
    let country = settings.as_ref().and_then(|s| s.country);
    let mut account = Account {
        settings,
        ..Account::default()
    };
    for (k, e) in &m.addresses {
        account.addresses.insert(k.clone(), e.value.clone());
    }
    for (k, e) in &m.sites {
        let s = &e.value;
        account.sites.insert(
            k.clone(),
            Site {
                name: s.name.clone(),
                pbx: pbx.clone(),
                address: s.address.clone(),
                locale: s.locale,
                timezone: s.timezone.clone(),
                extension_range: s.extension_range.clone(),
                main_number: s.main_number.clone(),
                outbound_calling: s.outbound_calling,
            },
        );
    }
    for (n, e) in &m.phone_numbers {
        account.phone_numbers.insert(n.clone(), e.value.usage);
    }
    for (k, e) in &m.devices {
        account.devices.insert(k.clone(), e.value.clone());
    }
    for k in m.audio_files.keys() {
        if let Some(a) = cx.audio.get(k) {
            account.audio_files.insert(k.clone(), a.clone());
        }
    }
    let extensions = Extensions::resolve(m, cx, &mut out);
    let site = |named: Option<&String>| m.site_of(named).unwrap_or_default().to_owned();
    // A user without a number of its own shows its site's main number.
    let main_number = |named: Option<&String>| {
        m.site_of(named)
            .and_then(|s| m.sites.get(s))
            .and_then(|s| s.value.main_number.as_ref())
    };
    for (k, e) in &m.users {
        let u = &e.value;
        let Some(extension) = extensions.get(Kind::User, k) else {
            continue;
        };
        account.users.insert(
            k.clone(),
            User {
                first_name: u.first_name.clone(),
                last_name: u.last_name.clone(),
                email: u.email.clone(),
                site: site(u.site.as_ref()),
                license: u.license.clone(),
                phone_numbers: u.numbers().map(|(n, _)| n.clone()).collect(),
                extension,
                devices: u.device_keys().map(|(d, _)| d.clone()).collect(),
                caller_id: CallerId {
                    number: u
                        .caller_id
                        .number
                        .as_ref()
                        .or_else(|| u.primary_number())
                        .or_else(|| main_number(u.site.as_ref()))
                        .cloned(),
                    name: u.caller_id.name.clone(),
                    block: u.caller_id.block,
                },
                forwarding: canonical_forwarding(&u.forwarding),
                music_on_hold: u.music_on_hold.clone(),
                call_recording: CallRecording {
                    mode: u.call_recording.mode,
                    announce_to: u.call_recording.announce_to.clone(),
                },
                outbound_calling: u.outbound_calling.as_ref().map(|o| OutboundCalling {
                    country: o.country.or(country),
                    scope: o.scope,
                }),
                voicemail: Voicemail {
                    notification: u.voicemail.notification,
                    email: u.voicemail.email.clone().unwrap_or_else(|| u.email.clone()),
                },
                emergency_address: u.emergency_address.clone(),
                internet_fax: u.internet_fax.clone(),
                crm: u.crm.clone(),
                directory: Directory {
                    dial_by_name: u.directory.dial_by_name,
                    listed: u.directory.listed,
                    scope: u.directory.scope,
                },
            },
        );
    }
    for (k, e) in &m.ring_groups {
        let g = &e.value;
        let Some(extension) = extensions.get(Kind::RingGroup, k) else {
            continue;
        };
        account.ring_groups.insert(
            k.clone(),
            RingGroup {
                name: g.name.clone(),
                site: site(g.site.as_ref()),
                extension,
                phone_numbers: g.phone_numbers.clone(),
                members: g.members.clone(),
                strategy: g.strategy,
                ring_timeout_seconds: g.ring_timeout_seconds,
                cycles: g.cycles,
                forwarding: canonical_forwarding(&g.forwarding),
            },
        );
    }
    for (k, e) in &m.auto_attendants {
        let a = &e.value;
        let Some(extension) = extensions.get(Kind::AutoAttendant, k) else {
            continue;
        };
        let site_key = site(a.site.as_ref());
        let schedule = a
            .schedule
            .as_ref()
            .and_then(|key| Some((key, &m.schedules.get(key)?.value)))
            .map(|(key, s)| {
                let (hours, _) = s.parse();
                Schedule {
                    key: key.clone(),
                    timezone: s.timezone.clone().unwrap_or_else(|| {
                        m.sites
                            .get(&site_key)
                            .map(|s| s.value.timezone.clone())
                            .unwrap_or_default()
                    }),
                    open: hours.open,
                    holidays: hours.holidays,
                }
            });
        let state_menu = |s: &model::StateMenu| Menu {
            greeting: s.greeting.clone(),
            menu: s.menu.clone().into_iter().collect(),
            timeout: s.timeout.clone().unwrap_or(Destination::Drop),
        };
        account.auto_attendants.insert(
            k.clone(),
            AutoAttendant {
                name: a.name.clone(),
                site: site_key,
                extension,
                phone_number: a.phone_number.clone(),
                greeting: a.greeting.clone(),
                menu: a.menu.clone().into_iter().collect(),
                timeout: a.timeout.clone().unwrap_or(Destination::Drop),
                schedule,
                closed: a.closed.as_ref().map(state_menu),
                holiday: a.holiday.as_ref().map(state_menu),
            },
        );
    }
    rules(m, cx, &account, &mut out);
    (account, out)
}

/// Where a diagnostic about a resource points.
/// The value at `path`; when the manifests do not write it there (a user's
/// field from its template or site defaults), the key of the resource.
fn at(
    raw: &RawManifest,
    origin: Origin,
    path: &[Seg<'_>],
) -> (crate::source::FileId, crate::source::Span) {
    match raw.find(origin, path) {
        Some((file, found)) if found.exact => (file, found.node.span),
        _ => raw.key_span(origin, &path[..path.len().min(2)]),
    }
}

/// Extensions after `auto` is resolved, by resource (borrowing the
/// manifest's keys: a large account has tens of thousands).
struct Extensions<'m> {
    resolved: HashMap<(Kind, &'m str), String>,
}

impl<'m> Extensions<'m> {
    fn get(&self, kind: Kind, key: &str) -> Option<String> {
        self.resolved.get(&(kind, key)).cloned()
    }

    /// Explicit extensions as written; each `auto` keeps the extension the
    /// current account gives the same resource when it is free, else takes
    /// the lowest free one of its site's range. Free means: no explicit
    /// extension of the manifests, and no resource of the account that the
    /// manifests do not manage, has it.
    fn resolve(m: &'m Manifest, cx: &Context<'_>, out: &mut Vec<Diagnostic>) -> Self {
        struct Holder<'a> {
            kind: Kind,
            key: &'a str,
            origin: Origin,
            extension: &'a model::Extension,
            site: Option<&'a str>,
        }
        let mut holders = Vec::new();
        for (k, e) in &m.users {
            holders.push(Holder {
                kind: Kind::User,
                key: k,
                origin: e.origin,
                extension: &e.value.extension,
                site: m.site_of(e.value.site.as_ref()),
            });
        }
        for (k, e) in &m.ring_groups {
            holders.push(Holder {
                kind: Kind::RingGroup,
                key: k,
                origin: e.origin,
                extension: &e.value.extension,
                site: m.site_of(e.value.site.as_ref()),
            });
        }
        for (k, e) in &m.auto_attendants {
            holders.push(Holder {
                kind: Kind::AutoAttendant,
                key: k,
                origin: e.origin,
                extension: &e.value.extension,
                site: m.site_of(e.value.site.as_ref()),
            });
        }
        holders.sort_by(|a, b| (a.kind, a.key).cmp(&(b.kind, b.key)));

        let current = current_extensions(cx.current, cx.renames);
        let managed: HashSet<(Kind, &str)> = holders.iter().map(|h| (h.kind, h.key)).collect();
        // Extensions held by resources that stay as they are: with `prune`,
        // the plan deletes the unmanaged ones before it creates (as for
        // numbers and devices), so they hold nothing.
        let prune = m.account.as_ref().is_some_and(|a| a.value.prune);
        let mut unmanaged: HashMap<&str, (Kind, &str)> = HashMap::default();
        for (kind, key, ext) in &current {
            if !prune && !managed.contains(&(*kind, *key)) {
                unmanaged.insert(*ext, (*kind, *key));
            }
        }
        let mut taken: HashSet<Cow<'_, str>> =
            unmanaged.keys().map(|e| Cow::Borrowed(*e)).collect();
        let mut resolved = HashMap::default();
        for h in &holders {
            if let model::Extension::Digits(d) = h.extension {
                if let Some((kind, key)) = unmanaged.get(d.as_str()) {
                    let (file, span) = at(
                        cx.raw,
                        h.origin,
                        &[
                            Seg::Key(h.kind.section()),
                            Seg::Key(h.key),
                            Seg::Key("extension"),
                        ],
                    );
                    out.push(
                        Diagnostic::error(
                            Code::PlanExtensionHeld,
                            format!("extension {d} is held by {kind}:{key}, which the manifests do not manage"),
                        )
                        .at(file, span, "already in use in the account")
                        .help(format!("pick another extension, or add {kind}:{key} to the manifests (with `prune: true` to delete it)")),
                    );
                }
                taken.insert(Cow::Borrowed(d.as_str()));
                resolved.insert((h.kind, h.key), d.clone());
            }
        }
        let current_of: HashMap<(Kind, &str), &str> =
            current.iter().map(|(k, key, e)| ((*k, *key), *e)).collect();
        let autos: Vec<&Holder<'_>> = holders
            .iter()
            .filter(|h| matches!(h.extension, model::Extension::Auto))
            .collect();
        let mut fresh = Vec::new();
        for h in autos {
            match current_of.get(&(h.kind, h.key)) {
                Some(e) if !taken.contains(*e) => {
                    taken.insert(Cow::Borrowed(*e));
                    resolved.insert((h.kind, h.key), (*e).to_owned());
                }
                _ => fresh.push(h),
            }
        }
        let len = usize::from(m.extension_length());
        let mut cursor: HashMap<&str, u64> = HashMap::default();
        for h in fresh {
            let range = h
                .site
                .and_then(|s| m.sites.get(s))
                .and_then(|s| s.value.extension_range.as_ref());
            let Some(range) = range else { continue };
            let (Ok(first), Ok(last)) = (range.first.parse::<u64>(), range.last.parse::<u64>())
            else {
                continue;
            };
            let site = h.site.unwrap_or_default();
            let next = cursor.entry(site).or_insert(first);
            let mut found = None;
            while *next <= last {
                let candidate = format!("{:0len$}", *next);
                *next += 1;
                if !taken.contains(candidate.as_str()) {
                    found = Some(candidate);
                    break;
                }
            }
            if let Some(e) = found {
                taken.insert(Cow::Owned(e.clone()));
                resolved.insert((h.kind, h.key), e);
            } else {
                let (file, span) = at(
                    cx.raw,
                    h.origin,
                    &[
                        Seg::Key(h.kind.section()),
                        Seg::Key(h.key),
                        Seg::Key("extension"),
                    ],
                );
                out.push(
                    Diagnostic::error(
                        Code::PlanExtensionRangeFull,
                        format!("no free extension is left in {range} for {}:{}: the account already uses the rest", h.kind, h.key),
                    )
                    .at(file, span, "cannot be generated")
                    .help(format!("widen the extension_range of site `{site}`, or write this extension's digits")),
                );
            }
        }
        Self { resolved }
    }
}

/// Every (kind, key, extension) of the current account.
fn current_extensions<'a>(
    a: &'a Account,
    renames: &'a [(ResourceId, ResourceId)],
) -> Vec<(Kind, &'a str, &'a str)> {
    let mut v = Vec::with_capacity(a.users.len() + a.ring_groups.len() + a.auto_attendants.len());
    v.extend(
        a.users
            .iter()
            .map(|(k, u)| (Kind::User, k.as_str(), u.extension.as_str())),
    );
    v.extend(
        a.ring_groups
            .iter()
            .map(|(k, g)| (Kind::RingGroup, k.as_str(), g.extension.as_str())),
    );
    v.extend(
        a.auto_attendants
            .iter()
            .map(|(k, x)| (Kind::AutoAttendant, k.as_str(), x.extension.as_str())),
    );
    // A renamed resource keeps its extension under its new key.
    for (from, to) in renames {
        for e in &mut v {
            if e.0 == from.kind && e.1 == from.key {
                e.1 = to.key.as_str();
            }
        }
    }
    v
}

/// Who holds each number and device in an account.
type Holders<'a> = (
    HashMap<&'a PhoneNumber, (Kind, &'a str)>,
    HashMap<&'a str, &'a str>,
);

fn holders(a: &Account) -> Holders<'_> {
    let mut numbers = HashMap::default();
    for (k, u) in &a.users {
        for n in &u.phone_numbers {
            numbers.insert(n, (Kind::User, k.as_str()));
        }
        if let Some(f) = &u.internet_fax {
            numbers.insert(f, (Kind::User, k.as_str()));
        }
    }
    for (k, g) in &a.ring_groups {
        for n in &g.phone_numbers {
            numbers.insert(n, (Kind::RingGroup, k.as_str()));
        }
    }
    for (k, x) in &a.auto_attendants {
        if let Some(n) = &x.phone_number {
            numbers.insert(n, (Kind::AutoAttendant, k.as_str()));
        }
    }
    let devices = a
        .users
        .iter()
        .flat_map(|(k, u)| u.devices.iter().map(|d| (d.as_str(), k.as_str())))
        .collect();
    (numbers, devices)
}

/// The plan-time rules that compare the manifests with the account.
fn rules(m: &Manifest, cx: &Context<'_>, desired: &Account, out: &mut Vec<Diagnostic>) {
    let prune = m.account.as_ref().is_some_and(|a| a.value.prune);
    // Licenses.
    if let Some(owned) = cx.licenses {
        let mut need: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (k, u) in &desired.users {
            need.entry(u.license.as_str()).or_default().push(k);
        }
        for (license, users) in need {
            let have = owned.get(license).copied().unwrap_or(0) as usize;
            if users.len() > have {
                let over = users[have];
                if let Some(e) = m.users.get(over) {
                    let (file, span) = at(
                        cx.raw,
                        e.origin,
                        &[Seg::Key("users"), Seg::Key(over), Seg::Key("license")],
                    );
                    let owned_list: Vec<String> =
                        owned.iter().map(|(l, n)| format!("{l}: {n}")).collect();
                    out.push(
                        Diagnostic::error(
                            Code::PlanLicenses,
                            format!(
                                "{} {license}; the account owns {have}",
                                crate::util::count(users.len(), "user needs license", "users need license")
                            ),
                        )
                        .at(file, span, format!("license {} of {}: none left", have + 1, users.len()))
                        .help(format!(
                            "buy {} more {license} {}, or give some users another type (the account owns {})",
                            users.len() - have,
                            if users.len() - have == 1 { "license" } else { "licenses" },
                            if owned_list.is_empty() { "none".to_owned() } else { owned_list.join(", ") }
                        )),
                    );
                }
            }
        }
    }
    // Numbers and devices held by resources the manifests do not manage.
    let (numbers, devices) = holders(cx.current);
    let managed = |kind: Kind, key: &str| {
        desired
            .get(&crate::account::ResourceId::new(kind, key))
            .is_some()
            || cx
                .renames
                .iter()
                .any(|(from, _)| from.kind == kind && from.key == key)
    };
    let mut check_number = |n: &PhoneNumber,
                            owner: (Kind, &str),
                            origin: Origin,
                            path: Vec<Seg<'_>>| {
        if let Some((kind, key)) = numbers.get(n)
            && (*kind, *key) != owner
            && !managed(*kind, key)
            && !prune
        {
            let (file, span) = at(cx.raw, origin, &path);
            out.push(
                    Diagnostic::error(
                        Code::PlanNumberHeld,
                        format!("{} is assigned to {kind}:{key}, which the manifests do not manage", n.international()),
                    )
                    .at(file, span, "held by another resource")
                    .help(format!("add {kind}:{key} to the manifests and give it another number, or set `prune: true` to delete it")),
                );
        }
    };
    for (k, e) in &m.users {
        for (n, field) in e.value.numbers() {
            let mut path = vec![Seg::Key("users"), Seg::Key(k)];
            path.extend(field.segs());
            check_number(n, (Kind::User, k), e.origin, path);
        }
        if let Some(f) = &e.value.internet_fax {
            check_number(
                f,
                (Kind::User, k),
                e.origin,
                vec![Seg::Key("users"), Seg::Key(k), Seg::Key("internet_fax")],
            );
        }
    }
    for (k, e) in &m.ring_groups {
        for (i, n) in e.value.phone_numbers.iter().enumerate() {
            check_number(
                n,
                (Kind::RingGroup, k),
                e.origin,
                vec![
                    Seg::Key("ring_groups"),
                    Seg::Key(k),
                    Seg::Key("phone_numbers"),
                    Seg::Index(i),
                ],
            );
        }
    }
    for (k, e) in &m.auto_attendants {
        if let Some(n) = &e.value.phone_number {
            check_number(
                n,
                (Kind::AutoAttendant, k),
                e.origin,
                vec![
                    Seg::Key("auto_attendants"),
                    Seg::Key(k),
                    Seg::Key("phone_number"),
                ],
            );
        }
    }
    for (k, e) in &m.users {
        for (device, field) in e.value.device_keys() {
            if let Some(holder) = devices.get(device.as_str())
                && *holder != k.as_str()
                && !managed(Kind::User, holder)
                && !prune
            {
                let mut path = vec![Seg::Key("users"), Seg::Key(k)];
                path.extend(field.segs());
                let (file, span) = at(cx.raw, e.origin, &path);
                out.push(
                    Diagnostic::error(
                        Code::PlanDeviceHeld,
                        format!("device `{device}` is assigned to user:{holder}, which the manifests do not manage"),
                    )
                    .at(file, span, "held by another user")
                    .help(format!("add user:{holder} to the manifests with another device, or set `prune: true` to delete it")),
                );
            }
        }
    }
    // Numbers the provider cannot claim.
    if !cx.can_claim_numbers {
        for (n, e) in &m.phone_numbers {
            if !cx.current.phone_numbers.contains_key(n) {
                let (file, span) = cx.raw.key_span(
                    e.origin,
                    &[Seg::Key("phone_numbers"), Seg::Key(m.number_key(n))],
                );
                out.push(
                    Diagnostic::error(
                        Code::PlanNumberMissing,
                        format!(
                            "the account does not hold {n}, and this provider cannot claim numbers"
                        ),
                    )
                    .at(file, span, "not held by the account")
                    .help("claim the number in the admin console first, then plan again"),
                );
            }
        }
    }
}
