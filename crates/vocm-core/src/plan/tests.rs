//! Unit tests of the planner: field differences, updates and replaces
//! (`diff`), the order and phases of changes (`order`), and the desired
//! account with its defaults, `auto` extensions and plan-time rules
//! (`desired`).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::BTreeMap;

use serde_json::json;

use super::desired::{Context, desired};
use super::diff::{claims, fields, references};
use super::{Action, CYCLE_NOTE, Change, MassDelete, Options, Phase, Plan, plan};
use crate::account::{Account, Kind, Resource, ResourceId};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::Destination;
use crate::validate::audio::DiskAudio;
use crate::validate::validate_bytes;

/// The account, one address, one site, numbers 1 to 5 (and 99 for fax),
/// devices 1 to 5.
const BASE: &str = r#"
account: {pbx: acme, country: FR, extension_length: 4}
addresses:
  hq: {street: 1 rue de Rivoli, city: Paris, postal_code: "75001", country: FR}
sites:
  paris: {name: Paris, address: hq, locale: fr-FR, timezone: Europe/Paris, extension_range: 1000-1999}
phone_numbers:
  "+33170000001": {}
  "+33170000002": {}
  "+33170000003": {}
  "+33170000004": {}
  "+33170000005": {}
  "+33170000099": {usage: fax}
devices:
  d1: {model: Poly VVX 450, mac: "00:04:f2:00:00:01"}
  d2: {model: Poly VVX 450, mac: "00:04:f2:00:00:02"}
  d3: {model: Poly VVX 450, mac: "00:04:f2:00:00:03"}
  d4: {model: Poly VVX 450, mac: "00:04:f2:00:00:04"}
  d5: {model: Poly VVX 450, mac: "00:04:f2:00:00:05"}
"#;

/// A user entry holding number `n`, device `n` and extension `100n`, with
/// `extra` fields (`, key: value` pairs).
fn user(key: &str, n: u8, extra: &str) -> String {
    format!(
        "  {key}: {{first_name: {key}, last_name: Martin, email: {key}@example.com, license: X2, phone_number: \"+3317000000{n}\", extension: 100{n}, device: d{n}{extra}}}\n"
    )
}

fn users(entries: &[String]) -> String {
    format!("{BASE}users:\n{}", entries.concat())
}

/// What the manifests resolve to against `current`, with the plan-time
/// diagnostics.
fn resolve(
    yaml: &str,
    current: &Account,
    licenses: Option<&BTreeMap<String, u32>>,
    can_claim_numbers: bool,
) -> (Account, Vec<Diagnostic>) {
    let v = validate_bytes(&[("m.yaml", yaml.as_bytes())], &DiskAudio);
    assert!(!v.diagnostics.has_errors(), "{:?}", v.diagnostics);
    let audio = BTreeMap::new();
    let cx = Context {
        raw: &v.raw,
        current,
        audio: &audio,
        licenses,
        can_claim_numbers,
        renames: &[],
    };
    desired(&v.manifest, &cx)
}

/// The account valid manifests describe.
fn account(yaml: &str) -> Account {
    let (a, diagnostics) = resolve(yaml, &Account::default(), None, true);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    a
}

fn id(kind: Kind, key: &str) -> ResourceId {
    ResourceId::new(kind, key)
}

fn plan_of(desired: &Account, current: &Account, prune: bool) -> Plan {
    plan(
        desired,
        current,
        &Options {
            prune,
            targets: Vec::new(),
            ..Options::default()
        },
    )
}

/// Where the change of `id` in `phase` is in the plan.
fn at(p: &Plan, id: &ResourceId, phase: Phase) -> usize {
    p.changes
        .iter()
        .position(|c| c.id == *id && c.phase == phase)
        .unwrap_or_else(|| panic!("no {phase:?} change of {id} in {:#?}", ids(p)))
}

fn ids(p: &Plan) -> Vec<String> {
    p.changes
        .iter()
        .map(|c| format!("{} {} {:?}", c.action.symbol(), c.id, c.phase))
        .collect()
}

/// Applies the plan change by change, checking that every reference
/// resolves after each; returns the result.
fn apply_checked(p: &Plan, current: &Account) -> Account {
    let mut a = current.clone();
    for (i, c) in p.changes.iter().enumerate() {
        assert!(
            c.depends_on.iter().all(|&d| d < i),
            "change {i} waits for a later one"
        );
        super::apply_change(&mut a, c);
        for rid in a.ids() {
            for t in references(a.get(&rid).unwrap().view()) {
                assert!(
                    a.get(&t).is_some(),
                    "after change {i} ({}): {rid} refers to missing {t}",
                    c.id
                );
            }
        }
    }
    a
}

#[test]
fn fields_walk_objects_and_compare_lists_whole() {
    let old = json!({"name": "A", "forwarding": {"busy": "voicemail", "no_answer": "drop"},
        "members": ["a", "b"], "gone": 1, "cleared": 5});
    let new = json!({"name": "A", "forwarding": {"busy": "user:bob", "no_answer": "drop"},
        "members": ["b", "a"], "added": true, "cleared": null});
    let f = fields(&old, &new);
    let paths: Vec<&str> = f.iter().map(|c| c.path.as_str()).collect();
    // The new value's field order, then what disappeared.
    assert_eq!(
        paths,
        ["forwarding.busy", "members", "added", "cleared", "gone"]
    );
    assert_eq!(f[0].old, Some(json!("voicemail")));
    assert_eq!(f[0].new, Some(json!("user:bob")));
    assert_eq!(f[1].old, Some(json!(["a", "b"])));
    assert_eq!(f[2].old, None);
    assert_eq!(f[2].new, Some(json!(true)));
    assert_eq!((f[3].old.clone(), f[3].new.clone()), (Some(json!(5)), None));
    assert_eq!((f[4].old.clone(), f[4].new.clone()), (Some(json!(1)), None));
    assert!(fields(&old, &old).is_empty());
}

#[test]
fn references_and_claims_of_a_user() {
    let a = account(&users(&[
        user(
            "alice",
            1,
            ", internet_fax: \"+33170000099\", forwarding: {busy: user:bob}",
        ),
        user("bob", 2, ""),
    ]));
    let alice = a.get(&id(Kind::User, "alice")).unwrap();
    let refs: Vec<String> = references(alice.view())
        .iter()
        .map(ToString::to_string)
        .collect();
    for expected in [
        "site:paris",
        "phone_number:+33170000001",
        "device:d1",
        "phone_number:+33170000099",
        "user:bob",
    ] {
        assert!(refs.iter().any(|r| r == expected), "{expected} in {refs:?}");
    }
    assert_eq!(
        claims(alice.view()),
        [
            "number:+33170000001",
            "device:d1",
            "extension:1001",
            "number:+33170000099"
        ]
    );
}

#[test]
fn identical_accounts_plan_nothing() {
    let a = account(&users(&[user("alice", 1, ""), user("bob", 2, "")]));
    let p = plan_of(&a, &a, true);
    assert!(p.is_empty(), "{:?}", ids(&p));
    assert_eq!(p.summary(), super::Summary::default());
}

#[test]
fn an_empty_account_is_created_in_dependency_order() {
    let a = account(&users(&[user("alice", 1, ""), user("bob", 2, "")]));
    let p = plan_of(&a, &Account::default(), false);
    assert!(p.changes.iter().all(|c| c.action == Action::Create));
    // One change per resource: the account, 1 address, 1 site, 6 numbers,
    // 5 devices, 2 users.
    assert_eq!(p.changes.len(), 16, "{:?}", ids(&p));
    assert_eq!(p.summary().add, 16);
    let account = at(&p, &ResourceId::account(), Phase::Main);
    let address = at(&p, &id(Kind::Address, "hq"), Phase::Main);
    let site = at(&p, &id(Kind::Site, "paris"), Phase::Main);
    let number = at(&p, &id(Kind::PhoneNumber, "+33170000001"), Phase::Main);
    let device = at(&p, &id(Kind::Device, "d1"), Phase::Main);
    let alice = at(&p, &id(Kind::User, "alice"), Phase::Main);
    assert!(account < address && address < site && site < alice);
    assert!(number < alice && device < alice);
    assert!(p.changes[site].depends_on.contains(&address));
    for needed in [site, number, device] {
        assert!(p.changes[alice].depends_on.contains(&needed));
    }
    assert_eq!(apply_checked(&p, &Account::default()), a);
}

#[test]
fn a_changed_field_is_an_update_naming_it() {
    let current = account(&users(&[user("alice", 1, "")]));
    let desired = account(&users(&[
        user("alice", 1, ", last_name: Petit").replace("last_name: Martin, ", "")
    ]));
    let p = plan_of(&desired, &current, false);
    assert_eq!(p.changes.len(), 1, "{:?}", ids(&p));
    let c = &p.changes[0];
    assert_eq!(
        (c.id.clone(), c.action),
        (id(Kind::User, "alice"), Action::Update)
    );
    assert_eq!(c.fields.len(), 1);
    assert_eq!(c.fields[0].path, "last_name");
    assert_eq!(c.fields[0].old, Some(json!("Martin")));
    assert_eq!(c.fields[0].new, Some(json!("Petit")));
    assert!(c.notes.is_empty());
    assert_eq!(
        p.summary(),
        super::Summary {
            change: 1,
            ..super::Summary::default()
        }
    );
}

/// BASE with a second site, `lyon`.
fn two_sites(entries: &[String]) -> String {
    users(entries).replace(
        "phone_numbers:",
        "  lyon: {name: Lyon, address: hq, locale: fr-FR, timezone: Europe/Paris, extension_range: 2000-2999}\nphone_numbers:",
    )
}

#[test]
fn a_user_moving_site_is_replaced_and_the_plan_says_what_it_loses() {
    let current = account(&two_sites(&[user("alice", 1, ", site: paris")]));
    let desired = account(&two_sites(&[user("alice", 1, ", site: lyon")]));
    let p = plan_of(&desired, &current, false);
    assert_eq!(p.changes.len(), 1, "{:?}", ids(&p));
    let c = &p.changes[0];
    assert_eq!(c.action, Action::Replace);
    assert!(
        c.notes[0].contains("the site changes from `paris` to `lyon`")
            && c.notes[0].contains("losing its voicemail messages"),
        "{:?}",
        c.notes
    );
    let s = p.summary();
    assert_eq!((s.add, s.change, s.replace, s.destroy), (1, 0, 1, 1));
}

#[test]
fn a_pbx_change_replaces_the_sites_and_what_lives_on_them() {
    let entries = [user("alice", 1, "")];
    let current = account(&users(&entries));
    let desired = account(&users(&entries).replace("pbx: acme", "pbx: acme2"));
    let p = plan_of(&desired, &current, false);
    let settings = &p.changes[at(&p, &ResourceId::account(), Phase::Main)];
    assert_eq!(settings.action, Action::Update);
    let site = at(&p, &id(Kind::Site, "paris"), Phase::Main);
    assert_eq!(p.changes[site].action, Action::Replace);
    assert!(p.changes[site].notes[0].contains("the PBX changes from `acme` to `acme2`"));
    // Alice is unchanged, but lives on the replaced site.
    let alice = at(&p, &id(Kind::User, "alice"), Phase::Main);
    assert_eq!(p.changes[alice].action, Action::Replace);
    assert!(
        p.changes[alice]
            .notes
            .iter()
            .any(|n| n.starts_with("its site `paris` is replaced")),
        "{:?}",
        p.changes[alice].notes
    );
    assert!(site < alice && p.changes[alice].depends_on.contains(&site));
}

#[test]
fn an_address_change_replaces_it_and_repoints_its_sites() {
    let entries = [user("alice", 1, "")];
    let current = account(&users(&entries));
    let desired = account(&users(&entries).replace("1 rue de Rivoli", "2 rue de Rivoli"));
    let p = plan_of(&desired, &current, false);
    assert_eq!(p.changes.len(), 2, "{:?}", ids(&p));
    let address = at(&p, &id(Kind::Address, "hq"), Phase::Main);
    assert_eq!(p.changes[address].action, Action::Replace);
    assert!(p.changes[address].notes[0].starts_with("addresses cannot change in place"));
    let site = at(&p, &id(Kind::Site, "paris"), Phase::Main);
    let touched = &p.changes[site];
    assert_eq!(touched.action, Action::Update);
    assert!(touched.fields.is_empty());
    assert_eq!(
        touched.notes,
        ["unchanged, but repointed to the new address:hq after its replace"]
    );
    assert!(address < site && touched.depends_on.contains(&address));
}

#[test]
fn unlisted_resources_are_deleted_only_with_prune_last_and_numbers_never() {
    let current = account(&users(&[user("alice", 1, ""), user("bob", 2, "")]));
    // Bob, his number and device, and device 5 (nobody's) are unlisted;
    // Carol is new.
    let mut desired = account(&users(&[user("alice", 1, ""), user("carol", 3, "")]));
    desired
        .phone_numbers
        .remove(&"+33170000002".parse().unwrap());
    desired.devices.remove("d2");
    desired.devices.remove("d5");
    let kept = plan_of(&desired, &current, false);
    assert_eq!(ids(&kept), ["+ user:carol Main"]);
    let p = plan_of(&desired, &current, true);
    let planned: Vec<String> = p
        .changes
        .iter()
        .map(|c| format!("{} {}", c.action.symbol(), c.id))
        .collect();
    // Creates first, then deletes in reverse kind order (users before
    // devices), each device after its user; the number stays.
    assert_eq!(
        planned,
        ["+ user:carol", "- user:bob", "- device:d2", "- device:d5"]
    );
    assert!(p.changes[2].depends_on.contains(&1));
    let after = apply_checked(&p, &current);
    assert!(
        after
            .phone_numbers
            .contains_key(&"+33170000002".parse().unwrap())
    );
    assert_eq!((p.summary().add, p.summary().destroy), (1, 3));
}

#[test]
fn targets_keep_a_resource_and_what_it_needs() {
    let a = account(&users(&[user("alice", 1, ""), user("bob", 2, "")]));
    let p = plan(
        &a,
        &Account::default(),
        &Options {
            prune: false,
            targets: vec![id(Kind::User, "alice")],
            ..Options::default()
        },
    );
    let mut planned: Vec<String> = p.changes.iter().map(|c| c.id.to_string()).collect();
    planned.sort();
    assert_eq!(
        planned,
        [
            "account",
            "address:hq",
            "device:d1",
            "phone_number:+33170000001",
            "site:paris",
            "user:alice"
        ]
    );
}

#[test]
fn a_cycle_between_users_and_their_group_is_broken_on_the_group_side() {
    let yaml = format!(
        "{}ring_groups:\n  sales: {{name: Sales, extension: 1100, members: [alice, bob], forwarding: {{busy: user:carol}}}}\n",
        users(&[
            user("alice", 1, ", forwarding: {no_answer: ring_group:sales}"),
            user("bob", 2, ", forwarding: {no_answer: ring_group:sales}"),
            user("carol", 3, ""),
        ])
    );
    let desired = account(&yaml);
    let p = plan_of(&desired, &Account::default(), false);
    let group = at(&p, &id(Kind::RingGroup, "sales"), Phase::Main);
    let alice = at(&p, &id(Kind::User, "alice"), Phase::Main);
    let joined = at(&p, &id(Kind::RingGroup, "sales"), Phase::References);
    assert!(group < alice && alice < joined, "{:?}", ids(&p));
    // The users are written once, already forwarding to the group…
    for u in ["alice", "bob"] {
        assert!(
            !p.changes
                .iter()
                .any(|c| c.id == id(Kind::User, u) && c.phase == Phase::References),
            "{:?}",
            ids(&p)
        );
    }
    match p.changes[alice].after.as_deref().unwrap() {
        Resource::User(u) => {
            assert_eq!(
                u.forwarding.no_answer,
                Destination::RingGroup("sales".into())
            );
        }
        r => panic!("{r:?}"),
    }
    // …and the group twice: created without its new members nor its
    // forwarding to a new user, then completed once both exist.
    let group_of = |c: &Change| match c.after.as_deref().unwrap() {
        Resource::RingGroup(g) => g.clone(),
        r => panic!("{r:?}"),
    };
    assert!(group_of(&p.changes[group]).members.is_empty());
    assert_eq!(
        group_of(&p.changes[group]).forwarding.busy,
        Destination::Voicemail
    );
    assert_eq!(group_of(&p.changes[joined]).members, ["alice", "bob"]);
    assert!(p.changes[joined].depends_on.contains(&alice));
    // One write more than the resources: the group's second step, counted
    // with the creates.
    assert_eq!(p.summary().add, p.changes.len() - 1);
    assert_eq!(p.summary().change, 0);
    assert!(
        p.changes
            .iter()
            .all(|c| !c.notes.iter().any(|n| n == CYCLE_NOTE))
    );
    assert_eq!(apply_checked(&p, &Account::default()), desired);
}

#[test]
fn users_exchanging_numbers_are_ordered_inside_a_cycle_with_a_note() {
    let current = account(&users(&[user("alice", 1, ""), user("bob", 2, "")]));
    let desired = account(&users(&[
        user("alice", 1, ", phone_number: \"+33170000002\"")
            .replace("phone_number: \"+33170000001\", ", ""),
        user("bob", 2, ", phone_number: \"+33170000001\"")
            .replace("phone_number: \"+33170000002\", ", ""),
    ]));
    let p = plan_of(&desired, &current, false);
    assert_eq!(p.changes.len(), 2, "{:?}", ids(&p));
    let noted: Vec<bool> = p
        .changes
        .iter()
        .map(|c| c.notes.iter().any(|n| n == CYCLE_NOTE))
        .collect();
    // The first one waits for the second, which waits for the first.
    assert_eq!(noted, [true, false]);
    assert_eq!(p.changes[1].depends_on, [0]);
    assert!(p.changes[0].depends_on.is_empty());
}

#[test]
fn a_group_first_drops_a_member_deleted_by_the_plan_whose_number_it_takes() {
    let group = |members: &str, numbers: &str| {
        format!(
            "ring_groups:\n  sales: {{name: Sales, extension: 1100, members: [{members}], phone_numbers: [{numbers}]}}\n"
        )
    };
    let current = account(&format!(
        "{}{}",
        users(&[user("alice", 1, ""), user("bob", 2, "")]),
        group("alice, bob", "")
    ));
    // Bob leaves; the group takes his number.
    let mut desired = account(&format!(
        "{}{}",
        users(&[user("alice", 1, "")]),
        group("alice", "\"+33170000002\"")
    ));
    desired.devices.remove("d2");
    let p = plan_of(&desired, &current, true);
    let unlink = at(&p, &id(Kind::RingGroup, "sales"), Phase::Unlink);
    let bob = at(&p, &id(Kind::User, "bob"), Phase::Main);
    let main = at(&p, &id(Kind::RingGroup, "sales"), Phase::Main);
    assert!(unlink < bob && bob < main, "{:?}", ids(&p));
    assert_eq!(p.changes[bob].action, Action::Delete);
    match p.changes[unlink].after.as_deref().unwrap() {
        Resource::RingGroup(g) => {
            assert_eq!(g.members, ["alice"]);
            assert!(g.phone_numbers.is_empty(), "the number is not free yet");
        }
        r => panic!("{r:?}"),
    }
    assert!(p.changes[bob].depends_on.contains(&unlink));
    assert!(p.changes[main].depends_on.contains(&bob));
    assert!(
        p.changes
            .iter()
            .all(|c| !c.notes.iter().any(|n| n == CYCLE_NOTE))
    );
    // The unlink is counted with the group's update.
    let s = p.summary();
    assert_eq!((s.change, s.destroy), (1, 2));
    assert_eq!(apply_checked(&p, &current), desired);
}

#[test]
fn a_number_becomes_a_fax_before_a_user_takes_it_as_one() {
    let current = account(&users(&[user("alice", 1, "")]));
    let desired = account(
        &users(&[user("alice", 1, ", internet_fax: \"+33170000003\"")])
            .replace("\"+33170000003\": {}", "\"+33170000003\": {usage: fax}"),
    );
    let p = plan_of(&desired, &current, false);
    let number = at(&p, &id(Kind::PhoneNumber, "+33170000003"), Phase::Main);
    let alice = at(&p, &id(Kind::User, "alice"), Phase::Main);
    assert_eq!(p.changes[number].action, Action::Update);
    assert!(number < alice && p.changes[alice].depends_on.contains(&number));
}

#[test]
fn mass_deletes_are_more_than_ten_percent_and_more_than_two() {
    let one = account(&users(&[user("alice", 1, "")]));
    let alice = one.users["alice"].clone();
    let with_users = |n: usize| {
        let mut a = one.clone();
        a.users.clear();
        for i in 0..n {
            a.users.insert(format!("u{i}"), alice.clone());
        }
        a
    };
    let deleting = |n: usize| Plan {
        changes: (0..n)
            .map(|i| Change::bare(id(Kind::User, &format!("u{i}")), Action::Delete))
            .collect(),
        ..Plan::default()
    };
    let flagged =
        |deleted: usize, existing: usize| deleting(deleted).mass_deletes(&with_users(existing));
    assert_eq!(
        flagged(3, 29),
        [MassDelete {
            kind: Kind::User,
            deleted: 3,
            existing: 29
        }]
    );
    assert!(flagged(3, 30).is_empty(), "exactly 10 %");
    assert!(flagged(2, 2).is_empty(), "two are never a mass delete");
    assert_eq!(flagged(3, 3).len(), 1);
}

#[test]
fn desired_fills_every_default() {
    let yaml = format!(
        "{}ring_groups:\n  sales: {{name: Sales, extension: 1100, members: [alice]}}\nauto_attendants:\n  main: {{name: Main, extension: 1200, menu: {{\"1\": ring_group:sales}}}}\n",
        users(&[user("alice", 1, "")])
    );
    let a = account(&yaml);
    let alice = &a.users["alice"];
    assert_eq!(alice.site, "paris", "the only site");
    assert_eq!(alice.caller_id.number.as_ref(), alice.primary_number());
    assert_eq!(alice.voicemail.email, "alice@example.com");
    assert_eq!(alice.emergency_address, "site");
    let f = &alice.forwarding;
    assert_eq!(f.always, None);
    assert_eq!(
        [&f.busy, &f.no_answer, &f.unreachable],
        [&Destination::Voicemail; 3]
    );
    assert_eq!(f.no_answer_seconds, 20);
    assert!(alice.directory.listed);
    assert_eq!(
        a.ring_groups["sales"].forwarding.no_answer,
        Destination::Voicemail
    );
    assert_eq!(a.auto_attendants["main"].timeout, Destination::Drop);
    assert_eq!(a.sites["paris"].pbx, "acme");
}

#[test]
fn a_no_answer_delay_is_kept() {
    let a = account(&users(&[
        user(
            "alice",
            1,
            ", forwarding: {no_answer: {to: user:bob, after_seconds: 35}}",
        ),
        user("bob", 2, ""),
    ]));
    let f = &a.users["alice"].forwarding;
    assert_eq!(f.no_answer, Destination::User("bob".into()));
    assert_eq!(f.no_answer_seconds, 35);
}

#[test]
fn auto_extensions_take_the_lowest_free_one_and_keep_their_own() {
    let auto = |key: &str, n: u8| {
        user(key, n, ", extension: auto").replace(&format!("extension: 100{n}, "), "")
    };
    // Alice holds 1001 of the range 1000-1999.
    let yaml = users(&[user("alice", 1, ""), auto("bob", 2), auto("carol", 3)]);
    let fresh = account(&yaml);
    let ext = |a: &Account, k: &str| a.users[k].extension.clone();
    assert_eq!([ext(&fresh, "bob"), ext(&fresh, "carol")], ["1000", "1002"]);
    // Carol keeps the extension the account gives her.
    let mut current = fresh.clone();
    current.users.get_mut("carol").unwrap().extension = "1005".into();
    let (kept, d) = resolve(&yaml, &current, None, true);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!([ext(&kept, "bob"), ext(&kept, "carol")], ["1000", "1005"]);
    // An extension a resource the manifests do not manage holds is not free.
    let mut held = Account::default();
    let mut ghost = fresh.users["alice"].clone();
    ghost.extension = "1000".into();
    held.users.insert("ghost".into(), ghost);
    let (skipped, _) = resolve(&yaml, &held, None, true);
    assert_eq!(
        [ext(&skipped, "bob"), ext(&skipped, "carol")],
        ["1002", "1003"]
    );
}

#[test]
fn users_beyond_the_licenses_owned_are_an_error() {
    let yaml = users(&[user("alice", 1, ""), user("bob", 2, "")]);
    let owned = |n: u32| BTreeMap::from([("X2".to_owned(), n)]);
    let (_, d) = resolve(&yaml, &Account::default(), Some(&owned(1)), true);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, Code::PlanLicenses);
    assert_eq!(d[0].message, "2 users need license X2; the account owns 1");
    let (_, d) = resolve(&yaml, &Account::default(), Some(&owned(2)), true);
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn what_an_unmanaged_user_holds_is_an_error_unless_prune() {
    let yaml = users(&[user("alice", 1, "")]);
    let mut current = account(&yaml);
    let ghost = current.users.remove("alice").unwrap();
    current.users.insert("ghost".into(), ghost);
    let (_, d) = resolve(&yaml, &current, None, true);
    let codes: Vec<Code> = d.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            Code::PlanExtensionHeld,
            Code::PlanNumberHeld,
            Code::PlanDeviceHeld
        ]
    );
    assert!(d[1].message.contains("user:ghost"), "{}", d[1].message);
    // With prune the holder is deleted first: what it holds is free to
    // take (see the next test for the plan).
    let pruned = yaml.replace("country: FR,", "country: FR, prune: true,");
    let (_, d) = resolve(&pruned, &current, None, true);
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn an_extension_held_by_a_user_prune_deletes_is_free() {
    let yaml = users(&[user("alice", 1, "")]).replace("country: FR,", "country: FR, prune: true,");
    let mut current = account(&yaml);
    let ghost = current.users.remove("alice").unwrap();
    current.users.insert("ghost".into(), ghost);
    let (desired, d) = resolve(&yaml, &current, None, true);
    assert!(d.is_empty(), "{d:?}");
    // And the plan frees the extension before it is taken.
    let p = plan_of(&desired, &current, true);
    let ghost = at(&p, &id(Kind::User, "ghost"), Phase::Main);
    let alice = at(&p, &id(Kind::User, "alice"), Phase::Main);
    assert!(p.changes[alice].depends_on.contains(&ghost));
}

#[test]
fn numbers_a_provider_cannot_claim_are_an_error() {
    let yaml = users(&[user("alice", 1, "")]);
    let mut current = account(&yaml);
    current
        .phone_numbers
        .remove(&"+33170000004".parse().unwrap());
    let (_, d) = resolve(&yaml, &current, None, false);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, Code::PlanNumberMissing);
    assert!(d[0].message.contains("+33170000004"));
    let (_, d) = resolve(&yaml, &current, None, true);
    assert!(d.is_empty(), "{d:?}");
}
