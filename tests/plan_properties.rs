//! Property tests of the pure planner: for random desired and current
//! accounts, applying the plan in order keeps every reference valid at
//! every step, ends at the desired account, leaves the next plan empty, and
//! deletes nothing unlisted without prune.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::BTreeMap;

use proptest::prelude::*;
use vocm_core::account::{
    Account, AccountSettings, Audio, AudioFormat, AutoAttendant, CallRecording, CallerId,
    Directory, Forwarding, Kind, RingGroup, Site, User, Voicemail,
};
use vocm_core::model::user::{DirectoryScope, RecordingMode, VoicemailNotification};
use vocm_core::model::{
    Address, Country, Destination, Device, Locale, MenuDestination, NumberUsage, PhoneNumber,
    RingStrategy,
};
use vocm_core::plan::{Action, Options, plan};

/// splitmix64: a small deterministic generator driven by proptest's seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

fn number(i: usize) -> PhoneNumber {
    format!("+3317000{i:04}").parse().unwrap()
}

fn destination(
    rng: &mut Rng,
    users: &[String],
    groups: &[String],
    attendants: &[String],
) -> Destination {
    match rng.below(7) {
        0 => rng
            .pick(users)
            .map_or(Destination::Voicemail, |u| Destination::User(u.clone())),
        1 => rng
            .pick(groups)
            .map_or(Destination::Drop, |g| Destination::RingGroup(g.clone())),
        2 => rng.pick(attendants).map_or(Destination::Voicemail, |a| {
            Destination::AutoAttendant(a.clone())
        }),
        3 => Destination::External(number(9000 + rng.below(5))),
        4 => Destination::Drop,
        _ => Destination::Voicemail,
    }
}

fn forwarding(
    rng: &mut Rng,
    users: &[String],
    groups: &[String],
    attendants: &[String],
) -> Forwarding {
    Forwarding {
        always: rng
            .chance(20)
            .then(|| destination(rng, users, groups, attendants)),
        busy: destination(rng, users, groups, attendants),
        no_answer: destination(rng, users, groups, attendants),
        no_answer_seconds: [10, 20, 45][rng.below(3)],
        unreachable: destination(rng, users, groups, attendants),
    }
}

/// A random account whose references all resolve.
fn account(seed: u64) -> Account {
    let mut rng = Rng(seed);
    let mut a = Account::default();
    let pbx = ["acme", "acme2"][usize::from(rng.chance(10))].to_owned();
    a.settings = Some(AccountSettings {
        pbx: pbx.clone(),
        country: Some("FR".parse::<Country>().unwrap()),
        extension_length: 4,
        outbound_calling: None,
    });
    for i in 0..rng.below(4) {
        a.addresses.insert(
            format!("addr{i}"),
            Address {
                street: format!("{} rue de Rivoli", 1 + rng.below(3)),
                secondary_location: None,
                city: "Paris".into(),
                state: None,
                postal_code: "75001".into(),
                country: "FR".parse().unwrap(),
            },
        );
    }
    let addresses: Vec<String> = a.addresses.keys().cloned().collect();
    for i in 0..10 {
        if rng.chance(70) {
            a.phone_numbers.insert(
                number(i),
                if i == 9 {
                    NumberUsage::Fax
                } else {
                    NumberUsage::Voice
                },
            );
        }
    }
    let numbers: Vec<PhoneNumber> = a.phone_numbers.keys().cloned().collect();
    for i in 0..rng.below(4) {
        if let Some(addr) = rng.pick(&addresses) {
            a.sites.insert(
                format!("site{i}"),
                Site {
                    name: format!("Site {}", rng.below(3)),
                    pbx: pbx.clone(),
                    address: addr.clone(),
                    locale: Locale::FrFr,
                    timezone: "Europe/Paris".into(),
                    extension_range: None,
                    main_number: if rng.chance(30) {
                        rng.pick(&numbers).cloned()
                    } else {
                        None
                    },
                    outbound_calling: None,
                },
            );
        }
    }
    let sites: Vec<String> = a.sites.keys().cloned().collect();
    for i in 0..rng.below(6) {
        a.devices.insert(
            format!("dev{i}"),
            Device {
                model: ["Poly VVX 450", "Yealink T54W"][rng.below(2)].into(),
                mac: format!("00:04:f2:00:00:{i:02x}").parse().unwrap(),
            },
        );
    }
    let devices: Vec<String> = a.devices.keys().cloned().collect();
    for i in 0..rng.below(3) {
        a.audio_files.insert(
            format!("audio{i}"),
            Audio {
                sha256: format!("{:064x}", rng.below(3)),
                size: 100,
                format: AudioFormat::Wav,
            },
        );
    }
    let audio: Vec<String> = a.audio_files.keys().cloned().collect();
    if sites.is_empty() || numbers.is_empty() || devices.is_empty() {
        return a;
    }
    // Numbers, devices and extensions have one holder each, as validation
    // ensures for manifests (and so for every account vocm provisions).
    let mut free_numbers: Vec<PhoneNumber> = numbers
        .iter()
        .filter(|n| a.phone_numbers.get(*n) == Some(&NumberUsage::Voice))
        .cloned()
        .collect();
    let mut free_devices = devices.clone();
    let wanted = rng.below(6).min(free_numbers.len()).min(free_devices.len());
    let users: Vec<String> = (0..wanted).map(|i| format!("user{i}")).collect();
    let groups: Vec<String> = (0..rng.below(3)).map(|i| format!("group{i}")).collect();
    let attendants: Vec<String> = (0..rng.below(3)).map(|i| format!("attendant{i}")).collect();
    for (i, key) in users.iter().enumerate() {
        let phone = free_numbers.remove(rng.below(free_numbers.len()));
        let device = free_devices.remove(rng.below(free_devices.len()));
        a.users.insert(
            key.clone(),
            User {
                first_name: "Alice".into(),
                last_name: ["Martin", "Petit"][rng.below(2)].into(),
                email: format!("{key}@example.com"),
                site: rng.pick(&sites).unwrap().clone(),
                license: ["X2", "X4"][rng.below(2)].into(),
                phone_number: phone.clone(),
                extension: format!("{}", 1000 + i + 10 * rng.below(2)),
                device,
                caller_id: CallerId {
                    number: if rng.chance(70) {
                        phone
                    } else {
                        rng.pick(&numbers).unwrap().clone()
                    },
                    name: rng.chance(30).then(|| "ACME".to_owned()),
                    block: rng.chance(10),
                },
                forwarding: forwarding(&mut rng, &users, &groups, &attendants),
                music_on_hold: if rng.chance(40) {
                    rng.pick(&audio).cloned()
                } else {
                    None
                },
                call_recording: CallRecording {
                    mode: [RecordingMode::Off, RecordingMode::Always][rng.below(2)],
                    announce_to: Vec::new(),
                },
                outbound_calling: None,
                voicemail: Voicemail {
                    notification: VoicemailNotification::Disabled,
                    email: format!("{key}@example.com"),
                },
                emergency_address: if rng.chance(30) {
                    rng.pick(&addresses)
                        .cloned()
                        .unwrap_or_else(|| "site".into())
                } else {
                    "site".into()
                },
                internet_fax: (i == 0 && rng.chance(30))
                    .then(|| number(9))
                    .filter(|n| a.phone_numbers.contains_key(n)),
                crm: None,
                directory: Directory {
                    dial_by_name: true,
                    listed: rng.chance(90),
                    scope: DirectoryScope::Pbx,
                },
            },
        );
    }
    for (i, key) in groups.iter().enumerate() {
        let members = users.iter().filter(|_| rng.chance(50)).cloned().collect();
        a.ring_groups.insert(
            key.clone(),
            RingGroup {
                name: format!("Group {i}"),
                site: rng.pick(&sites).unwrap().clone(),
                extension: format!("{}", 2000 + i),
                phone_numbers: if rng.chance(40) && !free_numbers.is_empty() {
                    vec![free_numbers.remove(rng.below(free_numbers.len()))]
                } else {
                    Vec::new()
                },
                members,
                strategy: [RingStrategy::Simultaneous, RingStrategy::Sequential][rng.below(2)],
                ring_timeout_seconds: 20,
                cycles: 1,
                forwarding: forwarding(&mut rng, &users, &groups, &attendants),
            },
        );
    }
    for (i, key) in attendants.iter().enumerate() {
        let mut menu = BTreeMap::new();
        for k in ["1", "2", "9"] {
            if rng.chance(60) {
                menu.insert(
                    k.to_owned(),
                    MenuDestination(destination(&mut rng, &users, &groups, &attendants)),
                );
            }
        }
        a.auto_attendants.insert(
            key.clone(),
            AutoAttendant {
                name: format!("Menu {i}"),
                site: rng.pick(&sites).unwrap().clone(),
                extension: format!("{}", 3000 + i),
                phone_number: if rng.chance(40) && !free_numbers.is_empty() {
                    Some(free_numbers.remove(rng.below(free_numbers.len())))
                } else {
                    None
                },
                greeting: rng.pick(&audio).cloned(),
                menu,
                timeout: destination(&mut rng, &users, &groups, &attendants),
            },
        );
    }
    a
}

/// The account drifted a little: some resources changed, some gone, some
/// extra.
fn drifted(desired: &Account, seed: u64) -> Account {
    let mut rng = Rng(seed);
    let mut a = desired.clone();
    for u in a.users.values_mut() {
        if rng.chance(30) {
            u.last_name = "Changed".into();
        }
        if rng.chance(10) {
            u.forwarding.busy = Destination::Voicemail;
        }
    }
    let other = account(seed ^ 0xDEAD_BEEF);
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
    for k in keys {
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
            || a.auto_attendants.values().any(|x| {
                x.timeout == Destination::User(k.clone())
                    || x.menu.values().any(|d| d.0 == Destination::User(k.clone()))
            });
        if !referenced && rng.chance(20) {
            a.users.remove(&k);
        }
    }
    a
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
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn independent_accounts(d in any::<u64>(), c in any::<u64>(), prune in any::<bool>()) {
        check(&account(d), &account(c), prune)?;
    }

    #[test]
    fn drifted_accounts(d in any::<u64>(), drift in any::<u64>(), prune in any::<bool>()) {
        let desired = account(d);
        check(&desired, &drifted(&desired, drift), prune)?;
    }

    #[test]
    fn from_an_empty_account(d in any::<u64>()) {
        check(&account(d), &Account::default(), false)?;
    }
}
