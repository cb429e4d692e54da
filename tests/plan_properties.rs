//! Property tests of the pure planner: for random desired and current
//! accounts, applying the plan in order keeps every reference valid at
//! every step, ends at the desired account, leaves the next plan empty, and
//! deletes nothing unlisted without prune.
//!
//! Accounts come from proptest strategies: a failure shrinks to a small
//! account (fewer resources, simpler destinations, the first of each
//! choice), which proptest prints whole.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::BTreeMap;

use proptest::collection::vec;
use proptest::option::weighted as maybe;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use vocm_core::account::{
    Account, AccountSettings, Audio, AudioFormat, AutoAttendant, CallRecording, CallerId,
    Directory, Forwarding, Kind, Menu, ResourceId, RingGroup, Schedule, Site, User, Voicemail,
};
use vocm_core::model::schedule::Weekday;
use vocm_core::model::user::{DirectoryScope, RecordingMode, VoicemailNotification};
use vocm_core::model::{
    Address, Country, Destination, Device, Locale, MenuDestination, NumberUsage, PhoneNumber,
    RingStrategy,
};
use vocm_core::plan::{Action, Options, plan};

fn number(i: usize) -> PhoneNumber {
    format!("+3317000{i:04}").parse().unwrap()
}

/// How many numbers an account may hold; the last one is a fax number.
const NUMBERS: usize = 10;
const FAX: usize = NUMBERS - 1;

/// A destination, with its target chosen among the resources the account
/// turns out to have (an index into them; a kind the account lacks falls
/// back to voicemail or drop).
#[derive(Clone, Debug)]
enum To {
    Voicemail,
    Drop,
    External(usize),
    User(Index),
    Group(Index),
    Attendant(Index),
}

/// The simplest first: a failure shrinks towards voicemail.
fn to() -> impl Strategy<Value = To> {
    prop_oneof![
        3 => Just(To::Voicemail),
        1 => Just(To::Drop),
        1 => (0..5usize).prop_map(To::External),
        1 => any::<Index>().prop_map(To::User),
        1 => any::<Index>().prop_map(To::Group),
        1 => any::<Index>().prop_map(To::Attendant),
    ]
}

#[derive(Clone, Debug)]
struct Fwd {
    always: Option<To>,
    busy: To,
    no_answer: To,
    seconds: u8,
    unreachable: To,
}

prop_compose! {
    fn fwd()(
        always in maybe(0.2, to()),
        busy in to(),
        no_answer in to(),
        seconds in select(vec![20u8, 10, 45]),
        unreachable in to(),
    ) -> Fwd {
        Fwd { always, busy, no_answer, seconds, unreachable }
    }
}

#[derive(Clone, Debug)]
struct SiteSpec {
    name: u8,
    address: Index,
    main_number: Option<Index>,
}

prop_compose! {
    fn site()(name in 0..3u8, address in any::<Index>(), main_number in maybe(0.3, any::<Index>()))
        -> SiteSpec {
        SiteSpec { name, address, main_number }
    }
}

#[derive(Clone, Debug)]
struct UserSpec {
    site: Index,
    petit: bool,
    x4: bool,
    /// Direct numbers (none: reached by extension only), primary first.
    phones: Vec<Index>,
    /// Devices (none: a softphone user).
    devices: Vec<Index>,
    high_extension: bool,
    /// The caller ID number, when not the user's own.
    caller_number: Option<Index>,
    caller_name: bool,
    block: bool,
    forwarding: Fwd,
    music_on_hold: Option<Index>,
    recording: bool,
    emergency_address: Option<Index>,
    fax: bool,
    unlisted: bool,
}

prop_compose! {
    fn user()(
        (site, petit, x4, phones, devices, high_extension) in (
            any::<Index>(),
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(any::<Index>(), 0..=2),
            prop::collection::vec(any::<Index>(), 0..=2),
            any::<bool>(),
        ),
        (caller_number, caller_name, block) in
            (maybe(0.3, any::<Index>()), prop::bool::weighted(0.3), prop::bool::weighted(0.1)),
        forwarding in fwd(),
        (music_on_hold, recording, emergency_address, fax, unlisted) in (
            maybe(0.4, any::<Index>()),
            any::<bool>(),
            maybe(0.3, any::<Index>()),
            prop::bool::weighted(0.3),
            prop::bool::weighted(0.1),
        ),
    ) -> UserSpec {
        UserSpec {
            site, petit, x4, phones, devices, high_extension, caller_number, caller_name, block,
            forwarding, music_on_hold, recording, emergency_address, fax, unlisted,
        }
    }
}

#[derive(Clone, Debug)]
struct GroupSpec {
    site: Index,
    number: Option<Index>,
    /// Which users are members, in user order.
    members: Vec<bool>,
    sequential: bool,
    forwarding: Fwd,
}

prop_compose! {
    fn group()(
        site in any::<Index>(),
        number in maybe(0.4, any::<Index>()),
        members in vec(any::<bool>(), 6),
        sequential in any::<bool>(),
        forwarding in fwd(),
    ) -> GroupSpec {
        GroupSpec { site, number, members, sequential, forwarding }
    }
}

#[derive(Clone, Debug)]
struct AttendantSpec {
    site: Index,
    number: Option<Index>,
    greeting: Option<Index>,
    /// Keys 1, 2 and 9 of the menu.
    menu: Vec<Option<To>>,
    timeout: To,
    /// With a schedule, the closed-hours menu: its greeting, keys 1 and 2,
    /// and timeout.
    closed: Option<(Option<Index>, Vec<Option<To>>, To)>,
}

prop_compose! {
    fn attendant()(
        site in any::<Index>(),
        number in maybe(0.4, any::<Index>()),
        greeting in maybe(0.7, any::<Index>()),
        menu in vec(maybe(0.6, to()), 3),
        timeout in to(),
        closed in maybe(0.4, (maybe(0.5, any::<Index>()), vec(maybe(0.5, to()), 2), to())),
    ) -> AttendantSpec {
        AttendantSpec { site, number, greeting, menu, timeout, closed }
    }
}

/// Weekday office hours, as the attendants with a closed-hours menu follow.
fn office_hours() -> Schedule {
    let open = [
        "09:00-12:00".parse().unwrap(),
        "14:00-18:00".parse().unwrap(),
    ];
    Schedule {
        key: "office".into(),
        timezone: "Europe/Paris".into(),
        open: [Weekday::Mon, Weekday::Tue, Weekday::Wed]
            .into_iter()
            .map(|d| (d, open.to_vec()))
            .collect(),
        holidays: BTreeMap::from([("2026-12-25".parse().unwrap(), None)]),
    }
}

/// An account before its references are resolved.
#[derive(Clone, Debug)]
struct Spec {
    other_pbx: bool,
    /// One street number per address (at least one: sites need one).
    addresses: Vec<u8>,
    /// Which of the numbers the account holds.
    numbers: Vec<bool>,
    sites: Vec<SiteSpec>,
    /// One model per device.
    devices: Vec<bool>,
    /// One content per audio file.
    audio: Vec<u8>,
    users: Vec<UserSpec>,
    groups: Vec<GroupSpec>,
    attendants: Vec<AttendantSpec>,
}

prop_compose! {
    fn spec()(
        (other_pbx, addresses, numbers, sites) in (
            prop::bool::weighted(0.1),
            vec(0..3u8, 1..4),
            vec(prop::bool::weighted(0.7), NUMBERS),
            vec(site(), 0..4),
        ),
        (devices, audio) in (vec(any::<bool>(), 0..6), vec(0..3u8, 0..3)),
        users in vec(user(), 0..6),
        groups in vec(group(), 0..3),
        attendants in vec(attendant(), 0..3),
    ) -> Spec {
        Spec { other_pbx, addresses, numbers, sites, devices, audio, users, groups, attendants }
    }
}

/// The keys of the resources destinations can name.
struct Targets {
    users: Vec<String>,
    groups: Vec<String>,
    attendants: Vec<String>,
}

impl Targets {
    fn resolve(&self, to: &To) -> Destination {
        let pick = |keys: &[String], i: &Index| (!keys.is_empty()).then(|| i.get(keys).clone());
        match to {
            To::Voicemail => Destination::Voicemail,
            To::Drop => Destination::Drop,
            To::External(n) => Destination::External(number(9000 + n)),
            To::User(i) => pick(&self.users, i).map_or(Destination::Voicemail, Destination::User),
            To::Group(i) => pick(&self.groups, i).map_or(Destination::Drop, Destination::RingGroup),
            To::Attendant(i) => {
                pick(&self.attendants, i).map_or(Destination::Voicemail, Destination::AutoAttendant)
            }
        }
    }

    fn forwarding(&self, f: &Fwd) -> Forwarding {
        Forwarding {
            always: f.always.as_ref().map(|d| self.resolve(d)),
            busy: self.resolve(&f.busy),
            no_answer: self.resolve(&f.no_answer),
            no_answer_seconds: f.seconds,
            unreachable: self.resolve(&f.unreachable),
        }
    }
}

/// Takes one of the free items (numbers, devices) out of `free`.
fn take<T>(free: &mut Vec<T>, i: Index) -> T {
    free.remove(i.index(free.len()))
}

/// One item per pick, while any are left.
fn take_some<T>(free: &mut Vec<T>, picks: &[Index]) -> Vec<T> {
    let mut out = Vec::new();
    for i in picks {
        if free.is_empty() {
            break;
        }
        out.push(take(free, *i));
    }
    out
}

/// The account a spec describes. Every reference resolves, and numbers,
/// devices and extensions have one holder each, as validation ensures for
/// manifests (and so for every account vocm provisions).
fn build(s: &Spec) -> Account {
    let mut a = Account::default();
    let pbx = if s.other_pbx { "acme2" } else { "acme" }.to_owned();
    a.settings = Some(AccountSettings {
        pbx: pbx.clone(),
        country: Some("FR".parse::<Country>().unwrap()),
        extension_length: 4,
        outbound_calling: None,
    });
    for (i, street) in s.addresses.iter().enumerate() {
        a.addresses.insert(
            format!("addr{i}"),
            Address {
                street: format!("{} rue de Rivoli", 1 + street),
                secondary_location: None,
                city: "Paris".into(),
                state: None,
                postal_code: "75001".into(),
                country: "FR".parse().unwrap(),
            },
        );
    }
    let addresses: Vec<String> = a.addresses.keys().cloned().collect();
    for (i, _) in s.numbers.iter().enumerate().filter(|(_, held)| **held) {
        let usage = if i == FAX {
            NumberUsage::Fax
        } else {
            NumberUsage::Voice
        };
        a.phone_numbers.insert(number(i), usage);
    }
    let numbers: Vec<PhoneNumber> = a.phone_numbers.keys().cloned().collect();
    if !addresses.is_empty() {
        for (i, site) in s.sites.iter().enumerate() {
            a.sites.insert(
                format!("site{i}"),
                Site {
                    name: format!("Site {}", site.name),
                    pbx: pbx.clone(),
                    address: site.address.get(&addresses).clone(),
                    locale: Locale::FrFr,
                    timezone: "Europe/Paris".into(),
                    extension_range: None,
                    main_number: site
                        .main_number
                        .filter(|_| !numbers.is_empty())
                        .map(|n| n.get(&numbers).clone()),
                    outbound_calling: None,
                },
            );
        }
    }
    let sites: Vec<String> = a.sites.keys().cloned().collect();
    for (i, model) in s.devices.iter().enumerate() {
        a.devices.insert(
            format!("dev{i}"),
            Device {
                model: if *model {
                    "Yealink T54W"
                } else {
                    "Poly VVX 450"
                }
                .into(),
                mac: format!("00:04:f2:00:00:{i:02x}").parse().unwrap(),
            },
        );
    }
    for (i, content) in s.audio.iter().enumerate() {
        a.audio_files.insert(
            format!("audio{i}"),
            Audio {
                sha256: format!("{content:064x}"),
                size: 100,
                format: AudioFormat::Wav,
            },
        );
    }
    let audio: Vec<String> = a.audio_files.keys().cloned().collect();
    if sites.is_empty() {
        return a;
    }
    let mut free_numbers: Vec<PhoneNumber> = numbers
        .iter()
        .filter(|n| a.phone_numbers.get(*n) == Some(&NumberUsage::Voice))
        .cloned()
        .collect();
    let mut free_devices: Vec<String> = a.devices.keys().cloned().collect();
    let users = s.users.len();
    let targets = Targets {
        users: (0..users).map(|i| format!("user{i}")).collect(),
        groups: (0..s.groups.len()).map(|i| format!("group{i}")).collect(),
        attendants: (0..s.attendants.len())
            .map(|i| format!("attendant{i}"))
            .collect(),
    };
    let some = |items: &[String], i: Option<Index>| {
        i.filter(|_| !items.is_empty())
            .map(|i| i.get(items).clone())
    };
    for (i, (key, u)) in targets.users.iter().zip(&s.users).enumerate() {
        let phones = take_some(&mut free_numbers, &u.phones);
        let devices = take_some(&mut free_devices, &u.devices);
        a.users.insert(
            key.clone(),
            User {
                first_name: "Alice".into(),
                last_name: if u.petit { "Petit" } else { "Martin" }.into(),
                email: format!("{key}@example.com"),
                site: u.site.get(&sites).clone(),
                license: if u.x4 { "X4" } else { "X2" }.into(),
                phone_numbers: phones.clone(),
                extension: format!("{}", 1000 + i + if u.high_extension { 10 } else { 0 }),
                devices,
                caller_id: CallerId {
                    number: u
                        .caller_number
                        .filter(|_| !numbers.is_empty())
                        .map(|n| n.get(&numbers).clone())
                        .or_else(|| phones.first().cloned()),
                    name: u.caller_name.then(|| "ACME".to_owned()),
                    block: u.block,
                },
                forwarding: targets.forwarding(&u.forwarding),
                music_on_hold: some(&audio, u.music_on_hold),
                call_recording: CallRecording {
                    mode: if u.recording {
                        RecordingMode::Always
                    } else {
                        RecordingMode::Off
                    },
                    announce_to: Vec::new(),
                },
                outbound_calling: None,
                voicemail: Voicemail {
                    notification: VoicemailNotification::Disabled,
                    email: format!("{key}@example.com"),
                },
                emergency_address: some(&addresses, u.emergency_address)
                    .unwrap_or_else(|| "site".into()),
                internet_fax: (i == 0 && u.fax)
                    .then(|| number(FAX))
                    .filter(|n| a.phone_numbers.contains_key(n)),
                crm: None,
                directory: Directory {
                    dial_by_name: true,
                    listed: !u.unlisted,
                    scope: DirectoryScope::Pbx,
                },
            },
        );
    }
    for (i, (key, g)) in targets.groups.iter().zip(&s.groups).enumerate() {
        let members = targets
            .users
            .iter()
            .zip(&g.members)
            .filter(|(_, member)| **member)
            .map(|(u, _)| u.clone())
            .collect();
        a.ring_groups.insert(
            key.clone(),
            RingGroup {
                name: format!("Group {i}"),
                site: g.site.get(&sites).clone(),
                extension: format!("{}", 2000 + i),
                phone_numbers: g
                    .number
                    .filter(|_| !free_numbers.is_empty())
                    .map(|n| take(&mut free_numbers, n))
                    .into_iter()
                    .collect(),
                members,
                strategy: if g.sequential {
                    RingStrategy::Sequential
                } else {
                    RingStrategy::Simultaneous
                },
                ring_timeout_seconds: 20,
                cycles: 1,
                forwarding: targets.forwarding(&g.forwarding),
            },
        );
    }
    for (i, (key, x)) in targets.attendants.iter().zip(&s.attendants).enumerate() {
        let keys = |menu: &[Option<To>]| -> BTreeMap<String, MenuDestination> {
            ["1", "2", "9"]
                .iter()
                .zip(menu)
                .filter_map(|(k, d)| {
                    d.as_ref()
                        .map(|d| ((*k).to_owned(), MenuDestination(targets.resolve(d))))
                })
                .collect()
        };
        let menu = keys(&x.menu);
        let closed = x.closed.as_ref().map(|(greeting, menu, timeout)| Menu {
            greeting: some(&audio, *greeting),
            menu: keys(menu),
            timeout: targets.resolve(timeout),
        });
        a.auto_attendants.insert(
            key.clone(),
            AutoAttendant {
                name: format!("Menu {i}"),
                site: x.site.get(&sites).clone(),
                extension: format!("{}", 3000 + i),
                phone_number: x
                    .number
                    .filter(|_| !free_numbers.is_empty())
                    .map(|n| take(&mut free_numbers, n)),
                greeting: some(&audio, x.greeting),
                menu,
                timeout: targets.resolve(&x.timeout),
                schedule: closed.is_some().then(office_hours),
                closed,
                holiday: None,
            },
        );
    }
    a
}

fn account() -> impl Strategy<Value = Account> {
    spec().prop_map(|s| build(&s))
}

/// How an account drifts from the desired one.
#[derive(Clone, Debug)]
struct Drift {
    /// Per user, in key order: renamed, busy forwarding reset to voicemail,
    /// deleted (when nothing refers to it).
    users: Vec<(bool, bool, bool)>,
    /// Where unrelated ring groups come from.
    other: Spec,
}

prop_compose! {
    fn drift()(
        users in vec(
            (prop::bool::weighted(0.3), prop::bool::weighted(0.1), prop::bool::weighted(0.2)),
            6,
        ),
        other in spec(),
    ) -> Drift {
        Drift { users, other }
    }
}

/// The account drifted a little: some resources changed, some gone, some
/// extra.
fn drifted(desired: &Account, drift: &Drift) -> Account {
    let mut a = desired.clone();
    for (u, (renamed, busy, _)) in a.users.values_mut().zip(&drift.users) {
        if *renamed {
            u.last_name = "Changed".into();
        }
        if *busy {
            u.forwarding.busy = Destination::Voicemail;
        }
    }
    let other = build(&drift.other);
    // Merge in unrelated resources under other keys, keeping references
    // within `other` valid by taking whole kinds only when they are absent.
    if a.ring_groups.is_empty() && other.users.keys().all(|k| a.users.contains_key(k)) {
        a.ring_groups = other
            .ring_groups
            .into_iter()
            .filter(|(_, g)| g.members.iter().all(|m| a.users.contains_key(m)))
            .filter(|(_, g)| a.sites.contains_key(&g.site))
            .filter(|(_, g)| {
                g.phone_numbers
                    .iter()
                    .all(|n| a.phone_numbers.contains_key(n))
            })
            .filter(|(_, g)| {
                g.forwarding.rules().all(|(_, d)| match d {
                    Destination::User(u) => a.users.contains_key(u),
                    Destination::RingGroup(_) | Destination::AutoAttendant(_) => false,
                    _ => true,
                })
            })
            .collect();
    }
    let keys: Vec<String> = a.users.keys().cloned().collect();
    for (k, (_, _, deleted)) in keys.into_iter().zip(&drift.users) {
        let referenced = a.ring_groups.values().any(|g| g.members.contains(&k))
            || a.users.values().any(|u| {
                u.forwarding
                    .rules()
                    .any(|(_, d)| *d == Destination::User(k.clone()))
            })
            || a.ring_groups.values().any(|g| {
                g.forwarding
                    .rules()
                    .any(|(_, d)| *d == Destination::User(k.clone()))
            })
            || a.auto_attendants
                .values()
                .any(|x| x.destinations().any(|d| *d == Destination::User(k.clone())));
        if !referenced && *deleted {
            a.users.remove(&k);
        }
    }
    a
}

/// A desired account, and the account it drifted into.
fn desired_and_drifted() -> impl Strategy<Value = (Account, Account)> {
    (account(), drift()).prop_map(|(desired, d)| {
        let current = drifted(&desired, &d);
        (desired, current)
    })
}

/// Whether every reference of every resource of `a` resolves in `a`.
fn dangling(a: &Account) -> Vec<String> {
    let mut out = Vec::new();
    for id in a.ids() {
        let r = a.get(&id).unwrap();
        for t in vocm_core::plan::references(r.view()) {
            if a.get(&t).is_none() {
                out.push(format!("{id} → {t}"));
            }
        }
    }
    out
}

/// Whether two resources that exist in both accounts hold a number,
/// device or extension that the other one held before.
fn exchanges(desired: &Account, current: &Account) -> bool {
    let holders = |a: &Account| {
        let mut m = std::collections::HashMap::new();
        for id in a.ids() {
            for claim in vocm_core::plan::claims(a.get(&id).unwrap().view()) {
                m.insert(claim, id.clone());
            }
        }
        m
    };
    let (now, then) = (holders(current), holders(desired));
    then.iter().any(|(claim, holder)| {
        now.get(claim).is_some_and(|old| {
            old != holder && desired.get(old).is_some() && current.get(holder).is_some()
        })
    })
}

fn check(desired: &Account, current: &Account, prune: bool) -> Result<(), TestCaseError> {
    prop_assume!(dangling(desired).is_empty() && dangling(current).is_empty());
    let options = Options {
        prune,
        targets: Vec::new(),
        ..Options::default()
    };
    let p = plan(desired, current, &options);
    if !prune {
        prop_assert!(
            p.changes.iter().all(|c| c.action != Action::Delete),
            "deletes without prune"
        );
    }
    prop_assert!(
        p.changes
            .iter()
            .all(|c| c.action != Action::Delete || c.id.kind != Kind::PhoneNumber)
    );
    let mut account = current.clone();
    for (i, c) in p.changes.iter().enumerate() {
        prop_assert!(
            c.depends_on.iter().all(|&d| d < i),
            "change {i} depends on a later one"
        );
        // Only resources exchanging numbers, devices or extensions make a
        // cycle that ordering cannot break.
        prop_assert!(
            !c.notes.iter().any(|n| n == vocm_core::plan::CYCLE_NOTE)
                || exchanges(desired, current),
            "change {i} ordered in a cycle"
        );
        if c.action == Action::Create {
            prop_assert!(
                account.get(&c.id).is_none() || c.id.kind == Kind::Account,
                "{} created twice",
                c.id
            );
        }
        vocm_core::plan::apply_change(&mut account, c);
        // Every reference of what exists resolves at every step: the order
        // never creates something before what it needs, nor deletes
        // something still in use.
        let broken = dangling(&account);
        prop_assert!(
            broken.is_empty(),
            "after change {i} ({} {}): {broken:?}",
            c.action.symbol(),
            c.id
        );
    }
    // The result: the desired account, plus what is kept.
    let mut expected = desired.clone();
    for id in current.ids() {
        let kept = !prune || id.kind == Kind::PhoneNumber;
        if kept && expected.get(&id).is_none() {
            expected.set(&id, current.get(&id));
        }
    }
    prop_assert_eq!(&account, &expected);
    let again = plan(desired, &account, &options);
    prop_assert!(
        again.is_empty(),
        "the next plan is not empty: {:?}",
        again
            .changes
            .iter()
            .map(|c| c.id.to_string())
            .collect::<Vec<_>>()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn independent_accounts(desired in account(), current in account(), prune in any::<bool>()) {
        check(&desired, &current, prune)?;
    }

    #[test]
    fn drifted_accounts((desired, current) in desired_and_drifted(), prune in any::<bool>()) {
        check(&desired, &current, prune)?;
    }

    #[test]
    fn from_an_empty_account(desired in account()) {
        check(&desired, &Account::default(), false)?;
    }
}

/// `account` with user `old` under the key `new`, every reference to it
/// (ring group members, forwarding and menu destinations) following.
fn rename_user(account: &Account, old: &str, new: &str) -> Account {
    fn walk(v: &mut serde_json::Value, old: &str, new: &str, in_members: bool) {
        match v {
            serde_json::Value::String(s) => {
                if *s == format!("user:{old}") {
                    *s = format!("user:{new}");
                } else if in_members && s == old {
                    new.clone_into(s);
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(item, old, new, in_members);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    walk(item, old, new, k == "members");
                }
            }
            _ => {}
        }
    }
    let mut v = serde_json::to_value(account).unwrap();
    walk(&mut v, old, new, false);
    let users = v["users"].as_object_mut().unwrap();
    let user = users.remove(old).unwrap();
    users.insert(new.to_owned(), user);
    serde_json::from_value(v).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// A `moved` user is renamed in one change, whatever else differs: it
    /// is never deleted nor created, and the plan converges.
    #[test]
    fn renamed_users(
        (desired, current) in desired_and_drifted(),
        pick in any::<Index>(),
        prune in any::<bool>(),
    ) {
        prop_assume!(dangling(&desired).is_empty() && dangling(&current).is_empty());
        let common: Vec<String> = desired
            .users
            .keys()
            .filter(|k| current.users.contains_key(*k))
            .cloned()
            .collect();
        prop_assume!(!common.is_empty());
        let old = pick.get(&common).clone();
        let new = format!("{old}-renamed");
        // A resource the manifests do not manage, kept (prune is off), that
        // refers to the old key by key: the local model cannot follow it
        // (an API refers by id).
        let user = ResourceId::new(Kind::User, &old);
        prop_assume!(prune || !current.ids().into_iter().any(|id| {
            desired.get(&id).is_none()
                && current
                    .get(&id)
                    .is_some_and(|r| vocm_core::plan::references(r.view()).contains(&user))
        }));
        let renamed = rename_user(&desired, &old, &new);
        let (from, to) = (ResourceId::new(Kind::User, &old), ResourceId::new(Kind::User, &new));
        let options = Options {
            prune,
            moves: vec![(from.clone(), to.clone())],
            ..Options::default()
        };
        let p = plan(&renamed, &current, &options);
        let about = |id: &ResourceId| p.changes.iter().filter(|c| &c.id == id).count();
        prop_assert_eq!(about(&from), 0, "the old key is not deleted");
        let main: Vec<&vocm_core::plan::Change> = p
            .changes
            .iter()
            .filter(|c| c.id == to && c.phase == vocm_core::plan::Phase::Main)
            .collect();
        prop_assert_eq!(main.len(), 1);
        prop_assert!(
            matches!(main[0].action, Action::Rename | Action::Replace),
            "{:?}",
            main[0].action
        );
        prop_assert_eq!(main[0].moved_from.as_deref(), Some(old.as_str()));
        let mut account = current.clone();
        // Accounts refer by key: between the rename and the updates of
        // what refers to the old key, those references dangle (an API
        // refers by id, and sees none of it). Nothing else may.
        let to_old = format!("→ {from}");
        for c in &p.changes {
            vocm_core::plan::apply_change(&mut account, c);
            let broken: Vec<String> = dangling(&account)
                .into_iter()
                .filter(|b| !b.ends_with(&to_old))
                .collect();
            prop_assert!(broken.is_empty(), "after {} {}: {broken:?}", c.action.symbol(), c.id);
        }
        prop_assert!(dangling(&account).is_empty());
        let mut expected = renamed.clone();
        for id in current.ids() {
            let kept = !prune || id.kind == Kind::PhoneNumber;
            if kept && id != from && expected.get(&id).is_none() {
                expected.set(&id, current.get(&id));
            }
        }
        prop_assert_eq!(&account, &expected);
        prop_assert!(plan(&renamed, &account, &options).is_empty());
    }
}
