//! Unit tests of call paths: entry points, what rings, each condition
//! (busy, no answer, unreachable, always), loops, unknown targets, ring
//! groups, menus, schedules (every state, or one moment's), the depth
//! limit, the renderings and the paths a plan changes.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::BTreeMap;

use super::{
    Answer, At, Condition, End, Node, Reading, Route, When, changes, entries, entry, trace,
    trace_at,
};
use crate::account::{Account, Kind, ResourceId, ScheduleState};
use crate::model::{Destination, RingStrategy};
use crate::plan::desired::{Context, desired};
use crate::render::route::{mermaid, text};
use crate::validate::audio::DiskAudio;
use crate::validate::validate_bytes;

const ACCOUNT: &str = r#"
account: {pbx: acme, country: FR}
addresses:
  hq: {street: 1 rue de Rivoli, city: Paris, postal_code: "75001", country: FR}
sites:
  paris: {name: Paris, address: hq, locale: fr-FR, timezone: Europe/Paris}
phone_numbers:
  "+33170000001": {}
  "+33170000002": {}
  "+33170000003": {}
  "+33170000010": {}
  "+33170000020": {}
devices:
  d1: {model: Poly VVX 450, mac: "00:04:f2:00:00:01"}
  d2: {model: Poly VVX 450, mac: "00:04:f2:00:00:02"}
  d3: {model: Poly VVX 450, mac: "00:04:f2:00:00:03"}
users:
  alice: {first_name: Alice, last_name: Martin, email: alice@example.com, license: X2, phone_number: "+33170000001", extension: 1001, device: d1}
  bob: {first_name: Bob, last_name: Petit, email: bob@example.com, license: X2, phone_number: "+33170000002", extension: 1002, device: d2}
  carol: {first_name: Carol, last_name: Roux, email: carol@example.com, license: X2, phone_number: "+33170000003", extension: 1003, device: d3}
ring_groups:
  sales: {name: Sales, extension: 1100, phone_numbers: ["+33170000010"], members: [alice, bob]}
auto_attendants:
  main: {name: Main menu, extension: 1200, phone_number: "+33170000020", menu: {"1": ring_group:sales, "9": dial_by_name}}
"#;

/// Alice, Bob and Carol with default forwarding; the sales group rings
/// Alice and Bob; the main menu leads to sales and the directory.
fn account() -> Account {
    let v = validate_bytes(&[("m.yaml", ACCOUNT.as_bytes())], &DiskAudio);
    assert!(!v.diagnostics.has_errors(), "{:?}", v.diagnostics);
    let (current, audio) = (Account::default(), BTreeMap::new());
    let cx = Context {
        raw: &v.raw,
        current: &current,
        audio: &audio,
        licenses: None,
        can_claim_numbers: true,
        renames: &[],
    };
    let (a, diagnostics) = desired(&v.manifest, &cx);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    a
}

fn id(kind: Kind, key: &str) -> ResourceId {
    ResourceId::new(kind, key)
}

fn user(key: &str) -> ResourceId {
    id(Kind::User, key)
}

/// The branch taken when `when` happens.
fn branch<'a>(n: &'a Node, when: &Condition) -> &'a Node {
    &n.branches
        .iter()
        .find(|b| b.when == *when)
        .unwrap_or_else(|| panic!("no branch {when:?} in {:?}", whens(n)))
        .node
}

fn whens(n: &Node) -> Vec<Condition> {
    n.branches.iter().map(|b| b.when.clone()).collect()
}

fn no_answer(after_seconds: u32) -> Condition {
    Condition::NoAnswer { after_seconds }
}

fn voicemail_of(of: &str) -> End {
    End::Voicemail { of: of.into() }
}

#[test]
fn numbers_in_any_form_and_extensions_are_entries() {
    let a = account();
    assert_eq!(entry(&a, "+33 1 70 00 00 01"), Some(user("alice")));
    assert_eq!(entry(&a, "+33-1-70-00-00-02"), Some(user("bob")));
    assert_eq!(entry(&a, "1003"), Some(user("carol")));
    assert_eq!(
        entry(&a, "+33 1 70 00 00 10"),
        Some(id(Kind::RingGroup, "sales"))
    );
    assert_eq!(entry(&a, "1100"), Some(id(Kind::RingGroup, "sales")));
    assert_eq!(
        entry(&a, "+33170000020"),
        Some(id(Kind::AutoAttendant, "main"))
    );
    assert_eq!(entry(&a, "1200"), Some(id(Kind::AutoAttendant, "main")));
    assert_eq!(entry(&a, "+33 9 99 99 99 99"), None);
    assert_eq!(entry(&a, "4242"), None);
}

#[test]
fn a_user_rings_then_each_condition_goes_to_voicemail() {
    let a = account();
    let r = trace(&a, "1001", &user("alice"), None);
    assert_eq!(r.entry, "1001");
    assert_eq!(r.when, None);
    let n = &r.start;
    assert_eq!(n.target, "user:alice");
    assert_eq!(n.name.as_deref(), Some("Alice Martin"));
    assert_eq!(n.extension.as_deref(), Some("1001"));
    assert_eq!(
        n.answer,
        Some(Answer::Device {
            user: "alice".into(),
            seconds: 20,
            devices: 1
        })
    );
    assert_eq!((n.end.clone(), n.truncated), (None, false));
    assert_eq!(
        whens(n),
        [Condition::Busy, no_answer(20), Condition::Unreachable]
    );
    for b in &n.branches {
        assert_eq!(b.node.end, Some(voicemail_of("user:alice")));
        assert_eq!(b.node.target, "voicemail");
        assert!(b.node.branches.is_empty());
    }
}

#[test]
fn when_follows_one_condition_at_every_step() {
    let mut a = account();
    a.users.get_mut("alice").unwrap().forwarding.busy = Destination::User("bob".into());
    a.users.get_mut("bob").unwrap().forwarding.busy = Destination::Drop;
    let r = trace(&a, "1001", &user("alice"), Some(When::Busy));
    assert_eq!(r.when, Some(When::Busy));
    assert_eq!(whens(&r.start), [Condition::Busy]);
    let bob = branch(&r.start, &Condition::Busy);
    assert_eq!(bob.target, "user:bob");
    assert_eq!(whens(bob), [Condition::Busy]);
    assert_eq!(branch(bob, &Condition::Busy).end, Some(End::Dropped));
    let r = trace(&a, "1001", &user("alice"), Some(When::Unreachable));
    assert_eq!(whens(&r.start), [Condition::Unreachable]);
    let r = trace(&a, "1001", &user("alice"), Some(When::NoAnswer));
    assert_eq!(whens(&r.start), [no_answer(20)]);
}

#[test]
fn the_no_answer_branch_waits_for_the_user_s_delay() {
    let mut a = account();
    let f = &mut a.users.get_mut("alice").unwrap().forwarding;
    f.no_answer_seconds = 45;
    f.no_answer = Destination::User("carol".into());
    f.unreachable = Destination::External("+33612345678".parse().unwrap());
    let r = trace(&a, "1001", &user("alice"), None);
    assert_eq!(
        r.start.answer,
        Some(Answer::Device {
            user: "alice".into(),
            seconds: 45,
            devices: 1
        })
    );
    assert_eq!(branch(&r.start, &no_answer(45)).target, "user:carol");
    let out = branch(&r.start, &Condition::Unreachable);
    assert_eq!(
        out.end,
        Some(End::External {
            number: "+33612345678".into()
        })
    );
    assert_eq!(out.target, "external:+33612345678");
}

#[test]
fn always_forwards_before_anything_rings() {
    let mut a = account();
    a.users.get_mut("alice").unwrap().forwarding.always = Some(Destination::User("bob".into()));
    let r = trace(&a, "1001", &user("alice"), None);
    assert_eq!(r.start.answer, None);
    assert_eq!(whens(&r.start), [Condition::Always]);
    assert_eq!(branch(&r.start, &Condition::Always).target, "user:bob");
    // Whatever condition is asked for: nothing rings, so none applies.
    let r = trace(&a, "1001", &user("alice"), Some(When::Busy));
    assert_eq!(whens(&r.start), [Condition::Always]);
}

#[test]
fn a_path_back_to_a_resource_on_it_stops_as_a_loop() {
    let mut a = account();
    a.users.get_mut("alice").unwrap().forwarding.no_answer = Destination::User("bob".into());
    a.users.get_mut("bob").unwrap().forwarding.no_answer = Destination::User("alice".into());
    let r = trace(&a, "1001", &user("alice"), Some(When::NoAnswer));
    let bob = branch(&r.start, &no_answer(20));
    assert_eq!(bob.target, "user:bob");
    assert_eq!(bob.end, None);
    let back = branch(bob, &no_answer(20));
    assert_eq!(
        back.end,
        Some(End::Loop {
            to: "user:alice".into()
        })
    );
    assert_eq!(back.target, "user:alice");
    assert!(back.branches.is_empty() && back.answer.is_none());
    // A resource forwarding to itself loops at once.
    a.users.get_mut("carol").unwrap().forwarding.busy = Destination::User("carol".into());
    let r = trace(&a, "1003", &user("carol"), Some(When::Busy));
    assert_eq!(
        branch(&r.start, &Condition::Busy).end,
        Some(End::Loop {
            to: "user:carol".into()
        })
    );
    // Two branches reaching the same resource are not a loop.
    a.users.get_mut("alice").unwrap().forwarding.busy = Destination::User("carol".into());
    a.users.get_mut("alice").unwrap().forwarding.unreachable = Destination::User("carol".into());
    let r = trace(&a, "1001", &user("alice"), None);
    for when in [Condition::Busy, Condition::Unreachable] {
        let carol = branch(&r.start, &when);
        assert_eq!(
            (carol.target.as_str(), carol.end.clone()),
            ("user:carol", None)
        );
    }
}

#[test]
fn a_destination_naming_nothing_is_unknown() {
    let mut a = account();
    a.users.get_mut("alice").unwrap().forwarding.busy = Destination::RingGroup("ghosts".into());
    let r = trace(&a, "1001", &user("alice"), Some(When::Busy));
    let n = branch(&r.start, &Condition::Busy);
    assert_eq!(
        n.end,
        Some(End::Unknown {
            target: "ring_group:ghosts".into()
        })
    );
    assert_eq!(n.target, "ring_group:ghosts");
    assert_eq!((n.name.clone(), n.extension.clone()), (None, None));
    // So is an entry resource the account lacks.
    let r = trace(&a, "1999", &user("nobody"), None);
    assert_eq!(
        r.start.end,
        Some(End::Unknown {
            target: "user:nobody".into()
        })
    );
}

#[test]
fn a_ring_group_rings_its_members_for_the_whole_cycle() {
    let mut a = account();
    let sales = id(Kind::RingGroup, "sales");
    let r = trace(&a, "1100", &sales, None);
    assert_eq!(r.start.name.as_deref(), Some("Sales"));
    assert_eq!(r.start.extension.as_deref(), Some("1100"));
    assert_eq!(
        r.start.answer,
        Some(Answer::Members {
            members: vec!["alice".into(), "bob".into()],
            strategy: RingStrategy::Simultaneous,
            seconds_each: 20,
            cycles: 1,
            total_seconds: 20,
        })
    );
    assert_eq!(
        branch(&r.start, &no_answer(20)).end,
        Some(voicemail_of("ring_group:sales"))
    );
    // One after another: each member rings in turn, every cycle.
    let g = a.ring_groups.get_mut("sales").unwrap();
    g.strategy = RingStrategy::Sequential;
    g.ring_timeout_seconds = 15;
    g.cycles = 2;
    let r = trace(&a, "1100", &sales, None);
    match &r.start.answer {
        Some(Answer::Members {
            seconds_each,
            cycles,
            total_seconds,
            ..
        }) => assert_eq!((*seconds_each, *cycles, *total_seconds), (15, 2, 60)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        whens(&r.start),
        [Condition::Busy, no_answer(60), Condition::Unreachable]
    );
    // Nobody to ring: one round of the timeout still passes.
    let g = a.ring_groups.get_mut("sales").unwrap();
    g.strategy = RingStrategy::RoundRobin;
    g.members.clear();
    g.cycles = 1;
    let r = trace(&a, "1100", &sales, None);
    assert_eq!(whens(&r.start)[1], no_answer(15));
    // Forwarded always: it does not ring at all.
    let g = a.ring_groups.get_mut("sales").unwrap();
    g.forwarding.always = Some(Destination::User("carol".into()));
    let r = trace(&a, "1100", &sales, None);
    assert_eq!(r.start.answer, None);
    assert_eq!(whens(&r.start), [Condition::Always]);
}

#[test]
fn a_menu_branches_per_key_then_on_the_timeout() {
    let mut a = account();
    let main = id(Kind::AutoAttendant, "main");
    let r = trace(&a, "1200", &main, None);
    let n = &r.start;
    assert_eq!(n.name.as_deref(), Some("Main menu"));
    assert_eq!(n.answer, Some(Answer::Menu { greeting: None }));
    let key = |k: &str| Condition::Key { key: k.into() };
    assert_eq!(whens(n), [key("1"), key("9"), Condition::NoKey]);
    let sales = branch(n, &key("1"));
    assert_eq!(sales.target, "ring_group:sales");
    assert_eq!(
        whens(sales),
        [Condition::Busy, no_answer(20), Condition::Unreachable]
    );
    assert_eq!(branch(n, &key("9")).end, Some(End::DialByName));
    assert_eq!(branch(n, &Condition::NoKey).end, Some(End::Dropped));
    let menu = a.auto_attendants.get_mut("main").unwrap();
    menu.greeting = Some("welcome".into());
    menu.timeout = Destination::Voicemail;
    let r = trace(&a, "1200", &main, None);
    assert_eq!(
        r.start.answer,
        Some(Answer::Menu {
            greeting: Some("welcome".into())
        })
    );
    assert_eq!(
        branch(&r.start, &Condition::NoKey).end,
        Some(voicemail_of("auto_attendant:main"))
    );
}

/// Users u0 to u11, each forwarding at once to the next.
fn chain_of_twelve() -> Account {
    let mut a = account();
    let template = a.users["alice"].clone();
    for i in 0..12 {
        let mut u = template.clone();
        u.forwarding.always = Some(Destination::User(format!("u{}", i + 1)));
        a.users.insert(format!("u{i}"), u);
    }
    a
}

#[test]
fn a_long_chain_is_cut_after_eight_steps() {
    let r = trace(&chain_of_twelve(), "x", &user("u0"), None);
    let mut n = &r.start;
    for i in 0..8 {
        assert_eq!(n.target, format!("user:u{i}"));
        assert!(!n.truncated && n.end.is_none());
        n = branch(n, &Condition::Always);
    }
    assert_eq!(n.target, "user:u8");
    assert!(n.truncated);
    assert!(n.branches.is_empty() && n.end.is_none() && n.name.is_none());
}

/// A chain longer than a comment is wide folds: five hops, then one node
/// for the rest, highlighted when a change hides in it.
#[test]
fn a_deep_branch_folds_in_the_flowchart() {
    let r = trace(&chain_of_twelve(), "x", &user("u0"), None);
    let drawn = mermaid(&r);
    assert!(
        drawn.contains("user:u5<br/><i>… 3 more hops</i>"),
        "{drawn}"
    );
    assert!(!drawn.contains("user:u6"), "{drawn}");
    insta::assert_snapshot!(drawn);
    let changed = crate::render::route::diagram(None, &r.start, &["user:u7".to_owned()]);
    assert!(changed.ends_with("class n6 changed\n"), "{changed}");
}

#[test]
fn a_traced_route_renders_as_a_tree_and_a_flowchart() {
    let mut a = account();
    a.users.get_mut("alice").unwrap().forwarding.busy = Destination::User("bob".into());
    let r = trace(&a, "+33170000001", &user("alice"), None);
    assert_eq!(
        text(&r),
        "\
+33 1 70 00 00 01 → user:alice (Alice Martin, ext 1001)
  rings alice's device for 20 s
  ├─ busy → user:bob (Bob Petit, ext 1002)
  │    rings bob's device for 20 s
  │    ├─ busy → voicemail (the voicemail of user:bob)
  │    ├─ no answer after 20 s → voicemail (the voicemail of user:bob)
  │    └─ unreachable → voicemail (the voicemail of user:bob)
  ├─ no answer after 20 s → voicemail (the voicemail of user:alice)
  └─ unreachable → voicemail (the voicemail of user:alice)
"
    );
    let r = trace(&a, "+33170000001", &user("alice"), Some(When::Unreachable));
    assert_eq!(
        mermaid(&r),
        "\
flowchart LR
  entry([\"+33170000001\"])
  n1[\"user:alice<br/>Alice Martin, ext 1001<br/><i>rings alice's device for 20 s</i>\"]
  n2([\"voicemail\"])
  n1 -->|\"unreachable\"| n2
  entry --> n1
"
    );
    // A route is data: it survives JSON.
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<Route>(&json).unwrap(), r);
}

#[test]
fn every_number_and_extension_is_an_entry() {
    let a = account();
    let all = entries(&a);
    for (dialled, to) in [
        ("+33170000001", user("alice")),
        ("1001", user("alice")),
        ("+33170000010", id(Kind::RingGroup, "sales")),
        ("1100", id(Kind::RingGroup, "sales")),
        ("+33170000020", id(Kind::AutoAttendant, "main")),
        ("1200", id(Kind::AutoAttendant, "main")),
    ] {
        assert!(
            all.contains(&(dialled.to_owned(), to.clone())),
            "{dialled} → {to} in {all:?}"
        );
    }
    // Three users, one group and one menu: a number and an extension each.
    assert_eq!(all.len(), 10);
}

#[test]
fn a_plan_changes_the_paths_of_what_it_changes_and_of_what_leads_there() {
    let current = account();
    let mut desired = current.clone();
    desired
        .ring_groups
        .get_mut("sales")
        .unwrap()
        .members
        .push("carol".into());
    let changed = changes(&desired, &current, &[id(Kind::RingGroup, "sales")]);
    let resources: Vec<String> = changed.iter().map(|c| c.resource.to_string()).collect();
    // The group, and the menu whose key 1 leads to it; not Carol, whose own
    // path is the same.
    assert_eq!(resources.len(), 2, "{resources:?}");
    assert!(resources.contains(&"ring_group:sales".to_owned()));
    assert!(resources.contains(&"auto_attendant:main".to_owned()));
    let sales = changed
        .iter()
        .find(|c| c.resource == id(Kind::RingGroup, "sales"))
        .unwrap();
    assert_eq!(sales.entry, "+33170000010, ext 1100");
    let members = |r: &Option<Box<Route>>| match &r.as_ref().unwrap().start.answer {
        Some(Answer::Members { members, .. }) => members.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(members(&sales.before), ["alice", "bob"]);
    assert_eq!(members(&sales.after), ["alice", "bob", "carol"]);
    let main = changed
        .iter()
        .find(|c| c.resource == id(Kind::AutoAttendant, "main"))
        .unwrap();
    assert_eq!(main.entry, "+33170000020, ext 1200");
}

#[test]
fn a_new_resource_has_no_path_before_and_a_rename_changes_no_path() {
    let current = account();
    let mut desired = current.clone();
    let mut dave = desired.users["carol"].clone();
    dave.extension = "1004".into();
    desired.users.insert("dave".into(), dave);
    desired.users.get_mut("carol").unwrap().last_name = "Blanc".into();
    let changed = changes(&desired, &current, &[user("dave"), user("carol")]);
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0].resource, user("dave"));
    assert!(changed[0].before.is_none());
    assert_eq!(changed[0].after.as_ref().unwrap().start.target, "user:dave");
    // Deleted: no path after.
    let changed = changes(&current, &desired, &[user("dave")]);
    assert_eq!(changed.len(), 1);
    assert!(changed[0].after.is_none() && changed[0].before.is_some());
}

/// Paris office hours with Christmas as a holiday, as an attendant carries
/// them.
fn paris_hours(holidays: bool) -> crate::account::Schedule {
    let written = crate::model::Schedule {
        timezone: Some("Europe/Paris".into()),
        open: [("mon-fri".to_owned(), vec!["08:30-18:00".to_owned()])]
            .into_iter()
            .collect(),
        holidays: if holidays {
            [("2026-12-25".to_owned(), Some("Christmas Day".to_owned()))]
                .into_iter()
                .collect()
        } else {
            indexmap::IndexMap::new()
        },
    };
    let (hours, problems) = written.parse();
    assert!(problems.is_empty(), "{problems:?}");
    crate::account::Schedule {
        key: "paris-hours".into(),
        timezone: "Europe/Paris".into(),
        open: hours.open,
        holidays: hours.holidays,
    }
}

/// The main menu following Paris hours, with a closed-hours menu that
/// sends callers to voicemail.
fn scheduled(holidays: bool) -> Account {
    let mut a = account();
    let main = a.auto_attendants.get_mut("main").unwrap();
    main.schedule = Some(paris_hours(holidays));
    main.closed = Some(crate::account::Menu {
        greeting: Some("after-hours".into()),
        menu: BTreeMap::new(),
        timeout: Destination::Voicemail,
    });
    a
}

fn states(s: &[ScheduleState]) -> Condition {
    Condition::Schedule { states: s.to_vec() }
}

#[test]
fn a_schedule_branches_on_its_states_that_share_a_menu_together() {
    use ScheduleState::{Closed, Holiday, Open};
    let main = id(Kind::AutoAttendant, "main");
    let a = scheduled(true);
    let r = trace(&a, "1200", &main, None);
    assert_eq!(
        r.start.answer,
        Some(Answer::Schedule {
            schedule: "paris-hours".into(),
            timezone: "Europe/Paris".into(),
            at: None
        })
    );
    // No holiday menu: holidays answer with the closed-hours one.
    assert_eq!(
        whens(&r.start),
        [states(&[Open]), states(&[Closed, Holiday])]
    );
    let open = branch(&r.start, &states(&[Open]));
    assert_eq!(open.target, "auto_attendant:main");
    assert_eq!(open.answer, Some(Answer::Menu { greeting: None }));
    assert_eq!(branch(open, &Condition::NoKey).end, Some(End::Dropped));
    let closed = branch(&r.start, &states(&[Closed, Holiday]));
    assert_eq!(whens(closed), [Condition::NoKey]);
    assert_eq!(
        branch(closed, &Condition::NoKey).end,
        Some(voicemail_of("auto_attendant:main"))
    );
    let shown = text(&r);
    assert!(
        shown.contains("follows schedule paris-hours (Europe/Paris)"),
        "{shown}"
    );
    assert!(
        shown.contains("└─ when closed or on a holiday: plays after-hours\n"),
        "{shown}"
    );
    // A schedule without holidays is never on one.
    let r = trace(&scheduled(false), "1200", &main, None);
    assert_eq!(whens(&r.start), [states(&[Open]), states(&[Closed])]);
    // A holiday menu of its own: three branches.
    let mut a = scheduled(true);
    a.auto_attendants.get_mut("main").unwrap().holiday = Some(crate::account::Menu {
        greeting: None,
        menu: BTreeMap::new(),
        timeout: Destination::Drop,
    });
    let r = trace(&a, "1200", &main, None);
    assert_eq!(
        whens(&r.start),
        [states(&[Open]), states(&[Closed]), states(&[Holiday])]
    );
    assert!(text(&r).contains("├─ when closed: plays after-hours\n"));
    assert!(text(&r).contains("└─ on a holiday: answers with the menu\n"));
}

#[test]
fn at_a_moment_a_schedule_takes_the_branch_of_that_moment() {
    use ScheduleState::{Closed, Holiday, Open};
    let main = id(Kind::AutoAttendant, "main");
    let a = scheduled(true);
    let at = |s: &str| Some(s.parse::<At>().unwrap());
    let reading = |r: &Route| match &r.start.answer {
        Some(Answer::Schedule {
            at: Some(reading), ..
        }) => reading.clone(),
        other => panic!("{other:?}"),
    };
    let r = trace_at(&a, "1200", &main, None, at("2026-12-25T10:00"));
    assert_eq!(r.at.as_deref(), Some("2026-12-25T10:00"));
    assert_eq!(whens(&r.start), [states(&[Holiday])]);
    assert_eq!(
        reading(&r),
        Reading {
            local: "2026-12-25T10:00".into(),
            skipped: None,
            state: Holiday,
            holiday: Some("Christmas Day".into()),
        }
    );
    assert!(text(&r).contains(
        "at 2026-12-25 10:00 in Europe/Paris, schedule paris-hours says: a holiday (Christmas Day)"
    ));
    // A Monday morning, and the same Monday's evening.
    let r = trace_at(&a, "1200", &main, None, at("2026-12-21T10:00"));
    assert_eq!(whens(&r.start), [states(&[Open])]);
    assert_eq!(whens(branch(&r.start, &states(&[Open]))).len(), 3);
    let r = trace_at(&a, "1200", &main, None, at("2026-12-21T18:00"));
    assert_eq!(whens(&r.start), [states(&[Closed])]);
    // An instant is read on the schedule's clock: 16:59 UTC is 17:59 in
    // Paris in winter, a minute before closing.
    let r = trace_at(&a, "1200", &main, None, at("2026-12-21T16:59Z"));
    assert_eq!(reading(&r).local, "2026-12-21T17:59");
    assert_eq!(reading(&r).state, Open);
    // 02:30 on the night the clocks go forward is 03:30.
    let r = trace_at(&a, "1200", &main, None, at("2026-03-29T02:30"));
    let read = reading(&r);
    assert_eq!(
        (read.local.as_str(), read.skipped.as_deref()),
        ("2026-03-29T03:30", Some("2026-03-29T02:30"))
    );
    assert!(
        text(&r)
            .contains("at 2026-03-29 03:30 in Europe/Paris (02:30 is skipped by the clock change)")
    );
    // Without a schedule, a moment changes nothing.
    let plain = account();
    assert_eq!(
        trace_at(&plain, "1200", &main, None, at("2026-12-25T10:00")).start,
        trace(&plain, "1200", &main, None).start
    );
}

#[test]
fn a_closed_hours_timeout_back_to_the_caller_is_a_loop() {
    let mut a = scheduled(false);
    a.users.get_mut("alice").unwrap().forwarding.no_answer =
        Destination::AutoAttendant("main".into());
    a.auto_attendants
        .get_mut("main")
        .unwrap()
        .closed
        .as_mut()
        .unwrap()
        .timeout = Destination::User("alice".into());
    let r = trace(&a, "1001", &user("alice"), Some(When::NoAnswer));
    let main = branch(&r.start, &no_answer(20));
    let closed = branch(main, &states(&[ScheduleState::Closed]));
    assert_eq!(
        branch(closed, &Condition::NoKey).end,
        Some(End::Loop {
            to: "user:alice".into()
        })
    );
    // The open-hours menu drops the call instead.
    let open = branch(main, &states(&[ScheduleState::Open]));
    assert_eq!(branch(open, &Condition::NoKey).end, Some(End::Dropped));
}

#[test]
fn a_change_to_the_closed_hours_menu_changes_the_call_path() {
    let current = scheduled(true);
    let mut desired = current.clone();
    desired
        .auto_attendants
        .get_mut("main")
        .unwrap()
        .closed
        .as_mut()
        .unwrap()
        .timeout = Destination::User("carol".into());
    let main = id(Kind::AutoAttendant, "main");
    let paths = changes(&desired, &current, std::slice::from_ref(&main));
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert_eq!(paths[0].resource, main);
    // Carol is now reachable from the menu: a change to her is one to it.
    let mut later = desired.clone();
    later.users.get_mut("carol").unwrap().forwarding.busy = Destination::Drop;
    let paths = changes(&later, &desired, &[user("carol")]);
    assert!(paths.iter().any(|p| p.resource == main), "{paths:?}");
}
