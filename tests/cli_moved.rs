//! Renames (`moved`) end to end: in place on the local provider and, for a
//! ring group, over HTTP (the same API resource, under its new key); as a
//! replace behind `--allow-replace` where the key is the API's identity (a
//! user's `userName`).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use vocm_api::Collection;
use vocm_testkit::sandbox::Sandbox;

/// A two-user account; `jean` is the user's key, `team` the group's.
fn manifest(jean: &str, team: &str, moved: &str) -> String {
    format!(
        r#"account: {{pbx: acme, country: FR}}
addresses:
  hq: {{street: 10 rue de Rivoli, city: Paris, postal_code: "75001", country: FR}}
sites:
  paris: {{name: Paris HQ, address: hq, locale: fr-FR, timezone: Europe/Paris, extension_range: 1000-1099}}
phone_numbers:
  "+33170000001": {{}}
ring_groups:
  {team}: {{name: Sales, extension: 1500, members: [{jean}, lea]}}
users:
  {jean}:
    first_name: Jean
    last_name: Dupont
    email: jean@example.com
    license: X2
    phone_number: "+33170000001"
    voicemail: {{notification: attachment_only}}
  lea: {{first_name: Lea, last_name: Moreau, email: lea@example.com, license: X2, forwarding: {{busy: "user:{jean}"}}}}
{moved}"#
    )
}

fn write(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir.join("m")).unwrap();
    std::fs::write(dir.join("m/account.yaml"), text).unwrap();
}

fn vocm(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("vocm").unwrap();
    cmd.env_clear().env("COLUMNS", "100").current_dir(dir);
    cmd
}

const MOVED: &str = "moved:\n  - {from: user:jdupont, to: user:jean.dupont}\n  - {from: ring_group:team, to: ring_group:sales}\n";

#[test]
fn a_rename_on_the_local_provider_keeps_the_resource_and_its_extension() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, &manifest("jdupont", "team", ""));
    vocm(dir)
        .args(["apply", "-q", "--auto-approve", "m"])
        .assert()
        .success();
    write(dir, &manifest("jean.dupont", "sales", MOVED));
    let plan = vocm(dir).args(["plan", "m"]).assert().success();
    let out = String::from_utf8(plan.get_output().stdout.clone()).unwrap();
    assert!(
        out.contains("# user:jdupont will be renamed to user:jean.dupont"),
        "{out}"
    );
    assert!(
        out.contains("# ring_group:team will be renamed to ring_group:sales"),
        "{out}"
    );
    // Nothing else of the user changes: not even its `auto` extension.
    assert!(!out.contains("~ extension"), "{out}");
    assert!(
        !out.contains("will be created") && !out.contains("will be deleted"),
        "{out}"
    );
    assert!(
        out.contains("Plan: 0 to add, 3 to change, 0 to destroy."),
        "{out}"
    );
    vocm(dir)
        .args(["apply", "-q", "--auto-approve", "m"])
        .assert()
        .success();
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("vocm.state.json")).unwrap()).unwrap();
    let users = &state["account"]["users"];
    assert!(users.get("jdupont").is_none());
    assert_eq!(
        users["jean.dupont"]["voicemail"]["notification"],
        "attachment_only"
    );
    assert_eq!(users["jean.dupont"]["extension"], "1000");
    assert!(state["account"]["ring_groups"].get("team").is_none());
    // Applied: the entry has nothing left to do, and says nothing.
    vocm(dir)
        .args(["plan", "--detailed-exitcode", "m"])
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn over_http_a_group_is_renamed_in_place_and_a_user_only_replaced_when_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = Sandbox::start(&[]);
    write(dir, &manifest("jdupont", "team", ""));
    s.vocm(dir)
        .args(["apply", "-q", "--auto-approve", "m"])
        .assert()
        .success();
    let group_id = s.list(Collection::RingGroups)[0]["id"].clone();
    let user_id = s.list(Collection::Users)[0]["basicInfo"]["userId"].clone();
    write(dir, &manifest("jean.dupont", "sales", MOVED));
    s.vocm(dir)
        .args(["plan", "m"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("vocm::plan::replace-not-allowed"));
    let plan = s
        .vocm(dir)
        .args(["plan", "--allow-replace", "m"])
        .assert()
        .success();
    let out = String::from_utf8(plan.get_output().stdout.clone()).unwrap();
    assert!(
        out.contains("# user:jdupont must be replaced by user:jean.dupont (it cannot be renamed)"),
        "{out}"
    );
    assert!(out.contains("losing its voicemail messages"), "{out}");
    // The API knows a ring group by its name, not by a key: a new key
    // for the same name names the same group, with nothing to rename.
    assert!(!out.contains("ring_group:team"), "{out}");
    s.vocm(dir)
        .args(["apply", "-q", "--auto-approve", "--allow-replace", "m"])
        .assert()
        .success();
    let groups = s.list(Collection::RingGroups);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["id"], group_id, "the same group, renamed");
    let users = s.list(Collection::Users);
    let jean = users
        .iter()
        .find(|u| u["basicInfo"]["userName"] == "jean.dupont")
        .unwrap();
    assert_ne!(jean["basicInfo"]["userId"], user_id, "a new user");
    assert!(
        !users
            .iter()
            .any(|u| u["basicInfo"]["userName"] == "jdupont")
    );
    s.vocm(dir)
        .args(["plan", "--detailed-exitcode", "m"])
        .assert()
        .code(0);
}

/// The text, Markdown and JSON plans of a rename, with a user the
/// manifests no longer list kept because prune is off.
#[test]
fn a_rename_and_a_kept_user_in_every_plan_format() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let extra =
        "  old.admin: {first_name: Old, last_name: Admin, email: old@example.com, license: X2}\n";
    write(
        dir,
        &manifest("jdupont", "team", "").replace("users:\n", &format!("users:\n{extra}")),
    );
    vocm(dir)
        .args(["apply", "-q", "--auto-approve", "m"])
        .assert()
        .success();
    write(dir, &manifest("jean.dupont", "sales", MOVED));
    let run = |format: &str| {
        let out = vocm(dir)
            .args(["plan", "--format", format, "m"])
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let text = run("text");
    assert!(text.contains("No longer in the manifests; stays in the account (prune is off)"));
    assert!(text.contains("users: old.admin"), "{text}");
    insta::assert_snapshot!("moved_text", text);
    insta::assert_snapshot!("moved_markdown", run("markdown"));
    let json = run("json");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/plan.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let renamed: Vec<&serde_json::Value> = value["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] == "rename")
        .collect();
    assert_eq!(renamed.len(), 2, "{json}");
    assert_eq!(renamed[0]["moved_from"], "jdupont");
    assert_eq!(value["kept"][0]["keys"][0], "old.admin");
    insta::assert_snapshot!(
        "moved_json",
        regex::Regex::new("sha256:[0-9a-f]{64}")
            .unwrap()
            .replace_all(&json, "sha256:[…]")
            .replace(&dir.display().to_string(), "[TMP]")
    );
}
