//! Unit tests of export: the manifests it writes validate, and resolve (and
//! plan) to the very account they were exported from, defaults left out;
//! schedules come back as one `schedules:` entry per key.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ExportFile, export};
use crate::account::Account;
use crate::model::{Destination, NoAnswer, PhoneNumber};
use crate::plan::desired::{Context, desired};
use crate::plan::{Options, plan};
use crate::provider::Provider as _;
use crate::provider::local::LocalProvider;
use crate::validate::{Validated, validate_paths};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Writes files under `dir`.
fn write(dir: &Path, files: &[ExportFile]) {
    for f in files {
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &f.content).unwrap();
    }
}

/// Validates the manifests in `dir`, which must hold no error.
fn validated(dir: &Path) -> Validated {
    let v = validate_paths(&[dir.to_owned()], Some(dir));
    assert!(!v.diagnostics.has_errors(), "{:?}", v.diagnostics);
    v
}

/// The account valid manifests describe, planned against `current`; no
/// plan-time diagnostic is allowed.
fn resolved(v: &Validated, current: &Account) -> Account {
    let (audio, _) = crate::validate::audio::read_audio(&v.raw, &v.manifest);
    let cx = Context {
        raw: &v.raw,
        current,
        audio: &audio,
        licenses: None,
        can_claim_numbers: true,
        renames: &[],
    };
    let (a, diagnostics) = desired(&v.manifest, &cx);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    a
}

/// Exports `account` with its audio, writes the files to a fresh
/// directory, and checks they describe `account` exactly: validation is
/// clean and the plan against `account` is empty. Returns the directory.
fn round_trip(account: &Account, audio: &BTreeMap<String, Vec<u8>>) -> tempfile::TempDir {
    let files = export(account, audio, "Exported by a test").unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &files);
    let v = validated(dir.path());
    let again = resolved(&v, account);
    assert_eq!(&again, account);
    let p = plan(&again, account, &Options::default());
    assert!(p.is_empty(), "{:?}", p.changes);
    let pruned = plan(
        &again,
        account,
        &Options {
            prune: true,
            targets: Vec::new(),
            ..Options::default()
        },
    );
    assert!(
        pruned.is_empty(),
        "nothing is left out: {:?}",
        pruned.changes
    );
    dir
}

#[test]
fn the_bundled_account_exports_to_manifests_that_plan_clean() {
    let provider = LocalProvider::new(repository().join("examples/acme.state.json"));
    let snapshot = provider.snapshot().unwrap();
    let account = snapshot.account;
    let audio: BTreeMap<String, Vec<u8>> = account
        .audio_files
        .values()
        .map(|a| {
            (
                a.sha256.clone(),
                provider.audio(&a.sha256).unwrap().unwrap(),
            )
        })
        .collect();
    assert_eq!(audio.len(), 2, "the bundled state has two audio files");
    let dir = round_trip(&account, &audio);
    // The audio content comes back byte for byte.
    for (key, a) in &account.audio_files {
        let path = dir
            .path()
            .join(format!("audio/{key}.{}", a.format.extension()));
        assert_eq!(&std::fs::read(path).unwrap(), &audio[&a.sha256]);
    }
}

#[test]
fn files_are_split_by_subject_and_carry_the_header() {
    let provider = LocalProvider::new(repository().join("examples/acme.state.json"));
    let account = provider.snapshot().unwrap().account;
    let files = export(&account, &BTreeMap::new(), "first line\nsecond line").unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "account.yaml",
            "sites.yaml",
            "numbers-and-devices.yaml",
            "audio.yaml",
            "call-flows.yaml",
            "users.yaml"
        ],
        "without their content, audio files are listed but not written"
    );
    for f in &files {
        let text = String::from_utf8(f.content.clone()).unwrap();
        assert!(
            text.starts_with("# first line\n# second line\n"),
            "{}: {text}",
            f.path
        );
    }
    // Never prune: an export describes the account, it does not delete.
    let account_yaml = String::from_utf8(files[0].content.clone()).unwrap();
    assert!(!account_yaml.contains("prune: true"), "{account_yaml}");
}

/// Manifests with a value other than the default in every field export
/// knows a default of, and some left to their default.
const SETTINGS: &str = r#"
account: {pbx: acme, country: FR, extension_length: 4, outbound_calling: international}
addresses:
  hq: {street: 1 rue de Rivoli, city: Paris, postal_code: "75001", country: FR}
  annex: {street: 3 rue de Rivoli, secondary_location: Floor 2, city: Paris, postal_code: "75001", country: FR}
sites:
  paris: {name: Paris, address: hq, locale: fr-FR, timezone: Europe/Paris, extension_range: 1000-1999, main_number: "+33170000009", outbound_calling: domestic}
  lyon: {name: Lyon, address: annex, locale: fr-FR, timezone: Europe/Paris}
phone_numbers:
  "+33170000001": {}
  "+33170000002": {}
  "+33170000003": {}
  "+33170000004": {}
  "+33170000009": {}
  "+33170000010": {}
  "+33170000020": {}
  "+33170000099": {usage: fax}
devices:
  d1: {model: Poly VVX 450, mac: "00:04:f2:00:00:01"}
  d2: {model: Yealink T54W, mac: "00-04-f2-00-00-02"}
  d3: {model: Yealink T54W, mac: "00-04-f2-00-00-03"}
  d4: {model: Yealink W73H, mac: "00-04-f2-00-00-04"}
audio_files:
  welcome: {file: welcome.wav}
users:
  alice:
    first_name: Alice
    last_name: Martin
    email: alice@example.com
    site: paris
    license: X4
    phone_number: "+33170000001"
    extension: 1001
    device: d1
    caller_id: {number: "+33170000009", name: ACME, block: true}
    forwarding:
      always: external:+33612345678
      busy: drop
      no_answer: {to: voicemail, after_seconds: 35}
      unreachable: ring_group:sales
    music_on_hold: welcome
    call_recording: {mode: on_demand, announce_to: [other_party]}
    outbound_calling: {country: FR, scope: domestic}
    voicemail: {notification: attachment_only, email: voicemail@example.com}
    emergency_address: annex
    internet_fax: "+33170000099"
    crm: {provider: salesforce, username: alice.martin}
    directory: {dial_by_name: false, listed: false, scope: site}
  bob:
    first_name: Bob
    last_name: Petit
    email: bob@example.com
    site: lyon
    license: X2
    phone_number: "+33170000002"
    extension: 2002
    device: d2
    forwarding: {no_answer: user:alice}
  chloe:
    first_name: Chloe
    last_name: Bernard
    email: chloe@example.com
    site: paris
    license: X2
    extension: 1003
  dan:
    first_name: Dan
    last_name: Blanc
    email: dan@example.com
    site: paris
    license: X2
    phone_numbers: ["+33170000004", "+33170000003"]
    extension: 1004
    devices: [d4, d3]
ring_groups:
  sales: {name: Sales, site: paris, extension: 1100, phone_numbers: ["+33170000010"], members: [bob, alice], strategy: sequential, ring_timeout_seconds: 15, cycles: 3, forwarding: {busy: auto_attendant:main, no_answer: {to: "external:+33612345678", after_seconds: 20}}}
schedules:
  hours:
    open: {mon-fri: ["08:30-12:00", "13:30-18:00"], sat: ["09:00-12:00"]}
    holidays: {2026-12-25: Christmas Day, 2026-12-31/2027-01-01: ~}
  new-york:
    timezone: America/New_York
    open: {mon: ["09:00-17:00"], wed: ["09:00-17:00"]}
auto_attendants:
  main: {name: Main, site: paris, extension: 1200, phone_number: "+33170000020", greeting: welcome, menu: {"1": ring_group:sales, "0": user:alice, "9": dial_by_name}, timeout: voicemail, schedule: hours, closed: {greeting: welcome, menu: {"0": user:alice}, timeout: voicemail}, holiday: {timeout: drop}}
  night: {name: Night, site: lyon, extension: 2200, schedule: hours, closed: {timeout: voicemail}}
  overseas: {name: Overseas, site: paris, extension: 1300, schedule: new-york, closed: {timeout: ring_group:sales}}
"#;

/// The account [`SETTINGS`] describes, with its audio.
fn settings() -> (Account, BTreeMap<String, Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.yaml"), SETTINGS).unwrap();
    std::fs::copy(
        repository().join("examples/acme/audio/welcome.wav"),
        dir.path().join("welcome.wav"),
    )
    .unwrap();
    let v = validated(dir.path());
    let (_, store) = crate::validate::audio::read_audio(&v.raw, &v.manifest);
    (resolved(&v, &Account::default()), store)
}

#[test]
fn every_setting_survives_the_round_trip() {
    let (account, audio) = settings();
    // The manifests do set what the round trip is to keep.
    let alice = &account.users["alice"];
    assert_eq!(alice.forwarding.no_answer_seconds, 35);
    assert_eq!(
        alice.caller_id.number.as_ref().map(PhoneNumber::as_str),
        Some("+33170000009")
    );
    assert_eq!(alice.voicemail.email, "voicemail@example.com");
    // A softphone user reached by extension shows its site's main number.
    let chloe = &account.users["chloe"];
    assert!(chloe.phone_numbers.is_empty() && chloe.devices.is_empty());
    assert_eq!(chloe.caller_id.number, account.sites["paris"].main_number);
    assert!(chloe.caller_id.number.is_some());
    // Several numbers and devices keep their order: the first is primary.
    let dan = &account.users["dan"];
    assert_eq!(
        dan.primary_number().map(PhoneNumber::as_str),
        Some("+33170000004")
    );
    assert_eq!(dan.devices, ["d4", "d3"]);
    assert_eq!(
        account.auto_attendants["main"].timeout,
        Destination::Voicemail
    );
    round_trip(&account, &audio);
}

#[test]
fn defaults_are_left_out_of_the_manifests() {
    let (account, audio) = settings();
    let dir = round_trip(&account, &audio);
    let v = validated(dir.path());
    let m = &v.manifest;
    let bob = &m.users["bob"].value;
    // Bob's caller ID is his own number, his voicemail goes to his email,
    // and busy and unreachable calls go to voicemail: none is written.
    assert_eq!(bob.caller_id.number, None);
    assert_eq!(bob.voicemail.email, None);
    assert_eq!(bob.forwarding.busy, None);
    assert_eq!(bob.forwarding.unreachable, None);
    assert_eq!(bob.forwarding.always, None);
    // A destination after the default delay is written without one...
    assert!(
        matches!(&bob.forwarding.no_answer, Some(NoAnswer::To(Destination::User(u))) if u == "alice"),
        "{:?}",
        bob.forwarding.no_answer
    );
    // ... voicemail after another delay keeps its delay...
    let alice = &m.users["alice"].value;
    match &alice.forwarding.no_answer {
        Some(NoAnswer::Delayed(d)) => {
            assert_eq!(
                (d.to.clone(), d.after_seconds),
                (Destination::Voicemail, 35)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(alice.forwarding.busy, Some(Destination::Drop));
    assert_eq!(
        alice
            .caller_id
            .number
            .as_ref()
            .map(crate::model::PhoneNumber::as_str),
        Some("+33170000009")
    );
    // ... and an attendant that drops the call on timeout says nothing.
    assert_eq!(
        m.auto_attendants["main"].value.timeout,
        Some(Destination::Voicemail)
    );
    let mut dropping = account.clone();
    dropping.auto_attendants.get_mut("main").unwrap().timeout = Destination::Drop;
    let dir = round_trip(&dropping, &audio);
    let v = validated(dir.path());
    assert_eq!(v.manifest.auto_attendants["main"].value.timeout, None);
}

#[test]
fn an_account_with_nothing_but_its_settings_exports_one_file() {
    let (full, _) = settings();
    let account = Account {
        settings: full.settings.clone(),
        ..Account::default()
    };
    let files = export(&account, &BTreeMap::new(), "").unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].path, "account.yaml");
    round_trip(&account, &BTreeMap::new());
}

#[test]
fn schedules_come_back_once_per_key_days_in_spans() {
    let (account, audio) = settings();
    // Both attendants of `hours` carry it, in their site's time zone.
    let main = account.auto_attendants["main"].schedule.as_ref().unwrap();
    assert_eq!(main.timezone, "Europe/Paris");
    assert_eq!(
        account.auto_attendants["night"].schedule.as_ref(),
        Some(main)
    );
    assert!(account.auto_attendants["main"].holiday.is_some());
    let dir = round_trip(&account, &audio);
    let v = validated(dir.path());
    let m = &v.manifest;
    let keys: Vec<&String> = m.schedules.keys().collect();
    assert_eq!(keys, ["hours", "new-york"]);
    let hours = &m.schedules["hours"].value;
    // The site's time zone is the default, and days with the same hours
    // in a row are a span.
    assert_eq!(hours.timezone, None);
    let days: Vec<&String> = hours.open.keys().collect();
    assert_eq!(days, ["mon-fri", "sat"]);
    assert_eq!(hours.open["mon-fri"], ["08:30-12:00", "13:30-18:00"]);
    assert_eq!(
        hours.holidays.get("2026-12-31/2027-01-01"),
        Some(&None),
        "{:?}",
        hours.holidays
    );
    let new_york = &m.schedules["new-york"].value;
    assert_eq!(new_york.timezone.as_deref(), Some("America/New_York"));
    let days: Vec<&String> = new_york.open.keys().collect();
    assert_eq!(days, ["mon", "wed"], "days apart are not a span");
    // A state menu's timeout that drops the call is left out.
    let main = &m.auto_attendants["main"].value;
    assert_eq!(main.schedule.as_deref(), Some("hours"));
    assert_eq!(main.holiday, Some(crate::model::StateMenu::default()));
    assert_eq!(
        main.closed.as_ref().unwrap().timeout,
        Some(Destination::Voicemail)
    );
}

#[test]
fn attendants_that_disagree_on_a_schedule_keep_their_own_hours() {
    let (mut account, audio) = settings();
    // Edited outside vocm: the night line no longer opens on Saturdays.
    let night = account.auto_attendants.get_mut("night").unwrap();
    night
        .schedule
        .as_mut()
        .unwrap()
        .open
        .remove(&crate::model::schedule::Weekday::Sat);
    let files = export(&account, &audio, "").unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &files);
    let v = validated(dir.path());
    let keys: Vec<&String> = v.manifest.schedules.keys().collect();
    assert_eq!(keys, ["hours", "hours-2", "new-york"]);
    let again = resolved(&v, &account);
    for (k, a) in &again.auto_attendants {
        let (mut now, before) = (
            a.schedule.clone().unwrap(),
            account.auto_attendants[k].schedule.clone().unwrap(),
        );
        now.key.clone_from(&before.key);
        assert_eq!(now, before, "{k}");
    }
    assert_eq!(
        again.auto_attendants["night"]
            .schedule
            .as_ref()
            .unwrap()
            .key,
        "hours-2"
    );
}

#[test]
fn the_example_manifests_with_templates_export_their_effective_values() {
    // examples/acme uses templates, site defaults, an anchor and a
    // schedule: the export writes every user in full, and reads back to
    // the same account.
    let v = validated(&repository().join("examples/acme"));
    assert!(!v.manifest.templates.is_empty() && !v.manifest.user_layers.is_empty());
    let (_, audio) = crate::validate::audio::read_audio(&v.raw, &v.manifest);
    let account = resolved(&v, &Account::default());
    let dir = round_trip(&account, &audio);
    let users = std::fs::read_to_string(dir.path().join("users.yaml")).unwrap();
    assert!(!users.contains("template:"), "{users}");
    assert!(users.contains("license: X2"), "{users}");
}
