//! vocm against `vocm-sandbox --api reference`, a server that serves the
//! public Administration API alone: what the reference can carry plans,
//! applies, converges and exports; what it cannot is one capability
//! diagnostic per resource, never a decoding error.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::Path;

use predicates::prelude::*;
use vocm_api::Collection;
use vocm_testkit::sandbox::{Sandbox, no_key};

const NUMBERS: &str = "+33170000000,+33170000001,+33170000002";

const MANIFEST: &str = r#"account: {pbx: acme, country: FR}
addresses:
  hq: {street: 10 rue de Rivoli, city: Paris, postal_code: "75001", country: FR}
  annex: {street: 3 place Bellecour, city: Lyon, postal_code: "69002", country: FR}
sites:
  paris: {name: Paris HQ, address: hq, locale: fr-FR, timezone: Europe/Paris, extension_range: 1000-1099, main_number: "+33170000000"}
phone_numbers:
  "+33170000000": {}
  "+33170000001": {}
ring_groups:
  sales: {name: Sales, extension: 1500, phone_numbers: ["+33170000000"], members: [jean, lea], forwarding: {no_answer: voicemail}}
users:
  jean:
    first_name: Jean
    last_name: Dupont
    email: jean@example.com
    license: X2
    phone_number: "+33170000001"
    outbound_calling: {country: FR, scope: international}
    emergency_address: annex
  lea: {first_name: Lea, last_name: Moreau, email: lea@example.com, license: X2}
"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::create_dir_all(dir.join("m")).unwrap();
    std::fs::write(dir.join("m").join(name), text).unwrap();
}

fn reference() -> Sandbox {
    Sandbox::start(&["--api", "reference", "--numbers", NUMBERS])
}

/// A reference sandbox with [`MANIFEST`] applied, and the directory of
/// the manifests (`m/`).
fn applied() -> (tempfile::TempDir, Sandbox) {
    let tmp = tempfile::tempdir().unwrap();
    let s = reference();
    write(tmp.path(), "account.yaml", MANIFEST);
    s.vocm(tmp.path())
        .args(["apply", "-q", "--auto-approve", "m"])
        .assert()
        .success();
    (tmp, s)
}

#[test]
fn a_reference_account_plans_applies_converges_and_exports() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = reference();
    write(dir, "account.yaml", MANIFEST);
    let out = s
        .vocm(dir)
        .args(["apply", "--auto-approve", "m"])
        .output()
        .unwrap();
    let (stdout, stderr) = no_key(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // Converged: the second plan is empty.
    s.vocm(dir)
        .args(["plan", "--detailed-exitcode", "m"])
        .assert()
        .code(0);
    // Nothing vocm-specific reached a reference path.
    for c in [Collection::Sites, Collection::RingGroups, Collection::Users] {
        let text = serde_json::to_string(&s.list(c)).unwrap();
        assert!(!text.contains("\"vocm"), "{c:?}: {text}");
    }
    // The dial plan is the guide's, not the ISO code.
    let users = s.list(Collection::Users);
    let jean = users
        .iter()
        .find(|u| u["basicInfo"]["userName"] == "jean")
        .unwrap();
    assert_eq!(
        jean["serviceInfo"]["extensions"][0]["dialPlanCallingCountry"],
        "FRANCENP"
    );
    // Export twice: the same files, with keys made from names, never ids.
    for run in ["one", "two"] {
        s.vocm(dir).args(["export", "-o", run]).assert().success();
    }
    let read = |run: &str, file: &str| std::fs::read_to_string(dir.join(run).join(file)).ok();
    let mut files: Vec<_> = std::fs::read_dir(dir.join("one"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in &files {
        assert_eq!(
            read("one", f),
            read("two", f),
            "{f} differs between exports"
        );
    }
    let all: String = files.iter().filter_map(|f| read("one", f)).collect();
    assert!(all.contains("paris-hq:"), "{all}");
    assert!(all.contains("sales:"), "{all}");
    assert!(!all.contains("id-"), "{all}");
    // The export plans clean against the account it came from.
    s.vocm(dir)
        .args(["plan", "--detailed-exitcode", "one"])
        .assert()
        .code(0);
}

#[test]
fn a_user_change_is_a_replace_refused_without_allow_replace() {
    let (tmp, s) = applied();
    let dir = tmp.path();
    write(
        dir,
        "account.yaml",
        &MANIFEST.replace("last_name: Dupont", "last_name: Durand"),
    );
    let plan = s.vocm(dir).args(["plan", "m"]).assert().success();
    let out = String::from_utf8(plan.get_output().stdout.clone()).unwrap();
    assert!(out.contains("-/+ user \"jean\""), "{out}");
    assert!(out.contains("cannot update a user in place"), "{out}");
    s.vocm(dir)
        .args(["apply", "--auto-approve", "m"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vocm::plan::replace-not-allowed"));
    s.vocm(dir)
        .args(["apply", "-q", "--auto-approve", "--allow-replace", "m"])
        .assert()
        .success();
    s.vocm(dir)
        .args(["plan", "--detailed-exitcode", "m"])
        .assert()
        .code(0);
}

#[test]
fn what_the_reference_cannot_carry_is_one_capability_diagnostic_per_resource() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = reference();
    write(dir, "account.yaml", MANIFEST);
    write(
        dir,
        "more.yaml",
        r#"devices:
  desk: {model: Poly VVX 450, mac: "00:04:f2:00:00:01"}
auto_attendants:
  main:
    name: Main menu
    site: paris
    extension: 1900
    menu: {"1": ring_group:sales}
"#,
    );
    let assert = s.vocm(dir).args(["plan", "m"]).assert().code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(
        stderr.matches("vocm::plan::unsupported-kind").count(),
        2,
        "{stderr}"
    );
    assert!(stderr.contains("device:desk"), "{stderr}");
    assert!(stderr.contains("auto_attendant:main"), "{stderr}");
    assert!(stderr.contains("admin console"), "{stderr}");
    assert!(!stderr.contains("not one"), "{stderr}");
    // A setting it cannot carry, written: refused, at the user.
    write(dir, "more.yaml", "");
    write(
        dir,
        "account.yaml",
        &MANIFEST.replace(
            "license: X2}",
            "license: X2, forwarding: {busy: external:+33612345678}}",
        ),
    );
    s.vocm(dir).args(["plan", "m"]).assert().code(1).stderr(
        predicate::str::contains("vocm::plan::unsupported-field")
            .and(predicate::str::contains("user:lea"))
            .and(predicate::str::contains("`forwarding`")),
    );
}

#[test]
fn a_change_of_members_alone_is_the_reference_s_member_delta() {
    let (tmp, s) = applied();
    let dir = tmp.path();
    write(
        dir,
        "account.yaml",
        &MANIFEST.replace("members: [jean, lea]", "members: [lea]"),
    );
    let puts = |s: &Sandbox| s.stats()["byMethod"]["PUT"].as_u64().unwrap_or(0);
    let posts = |s: &Sandbox| s.stats()["byMethod"]["POST"].as_u64().unwrap_or(0);
    let (put_before, post_before) = (puts(&s), posts(&s));
    s.vocm(dir)
        .args(["apply", "-q", "--auto-approve", "m"])
        .assert()
        .success();
    assert_eq!(puts(&s), put_before, "the group was not rewritten");
    assert_eq!(posts(&s), post_before + 1, "one update-members");
    let groups = s.list(Collection::RingGroups);
    let members = groups[0]["members"].as_array().unwrap();
    assert_eq!(members.len(), 1, "{members:?}");
    assert_eq!(members[0]["sequenceNumber"], 1);
    s.vocm(dir)
        .args(["plan", "--detailed-exitcode", "m"])
        .assert()
        .code(0);
}
