//! `vocm route` end to end on the bundled example: every format, conditions,
//! human-form numbers, loops, and the errors a user meets.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// vocm with a clean environment, run from the project root.
fn vocm() -> Command {
    let mut cmd = Command::cargo_bin("vocm").unwrap();
    cmd.env_clear().env("COLUMNS", "100").current_dir(root());
    cmd
}

fn stdout(args: &[&str]) -> String {
    let out = vocm().args(args).assert().success().get_output().clone();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_main_line_as_text_goes_through_the_menu() {
    let text = stdout(&["route", "+33 1 70 00 00 00", "examples/acme"]);
    // Option 3 reaches a user whose unreachable rule comes back to the menu.
    assert!(text.contains("(back again: the call goes round in a loop)"));
    insta::assert_snapshot!("route_main_text", text);
}

#[test]
fn the_main_line_as_mermaid() {
    let mermaid = stdout(&[
        "route",
        "+33170000000",
        "examples/acme",
        "--format",
        "mermaid",
    ]);
    assert!(mermaid.starts_with("flowchart LR\n"));
    insta::assert_snapshot!("route_main_mermaid", mermaid);
}

#[test]
fn a_ring_group_as_json() {
    let json = stdout(&[
        "route",
        "+33 (0)1 70 00 00 10",
        "examples/acme",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["entry"], "+33170000010");
    assert_eq!(value["start"]["target"], "ring_group:sales");
    insta::assert_snapshot!("route_sales_json", json);
}

#[test]
fn one_condition_by_extension() {
    let text = stdout(&["route", "2100", "--when", "no_answer", "examples/acme"]);
    assert!(!text.contains("busy →"), "{text}");
    insta::assert_snapshot!("route_support_no_answer", text);
}

#[test]
fn routes_read_the_current_directory_by_default() {
    let mut cmd = Command::cargo_bin("vocm").unwrap();
    cmd.env_clear()
        .current_dir(root().join("examples/acme"))
        .args(["route", "1001"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "1001 → user:alice.martin (Alice Martin, ext 1001)\n",
        ));
}

#[test]
fn nothing_answers_an_unknown_number() {
    vocm()
        .args(["route", "+33 9 99 99 99 99", "examples/acme"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("vocm::route::unknown-entry"));
    // In CI, as an annotation, on stderr: stdout holds the route alone.
    vocm()
        .args(["--diagnostics", "github", "route", "7777", "examples/acme"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "::error title=vocm%3A%3Aroute%3A%3Aunknown-entry::nothing answers `7777`",
        ));
}

#[test]
fn invalid_manifests_are_reported_not_traced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("users.yaml"),
        "users:\n  a:\n    first_name: A\n",
    )
    .unwrap();
    vocm()
        .args(["route", "1001"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("error"));
}

/// A reception that follows Paris business hours, and a support line on
/// New York's.
const SCHEDULED: &str = "tests/fixtures/route-schedule";

#[test]
fn a_scheduled_menu_branches_on_every_state() {
    let text = stdout(&["route", "+33 1 70 00 00 00", SCHEDULED]);
    assert!(
        text.contains("follows schedule paris-hours (Europe/Paris)"),
        "{text}"
    );
    assert!(
        text.contains("├─ when closed: plays after-hours, then the menu\n"),
        "{text}"
    );
    assert!(
        text.contains("└─ on a holiday: plays after-hours\n"),
        "{text}"
    );
    insta::assert_snapshot!("route_schedule_text", text);
}

#[test]
fn at_a_moment_each_schedule_takes_the_branch_of_its_own_clock() {
    let text = stdout(&[
        "route",
        "+33 1 70 00 00 00",
        "--at",
        "2026-12-25T10:00",
        SCHEDULED,
    ]);
    assert!(!text.contains("when open"), "{text}");
    insta::assert_snapshot!("route_schedule_at_holiday", text);
    // 19:00 UTC on a Monday is 20:00 in Paris (closed, key 2 still leads
    // to support) and 14:00 in New York (support is open).
    let text = stdout(&["route", "1000", "--at", "2026-12-21T19:00Z", SCHEDULED]);
    insta::assert_snapshot!("route_schedule_at_instant", text);
    let json = stdout(&[
        "route",
        "1000",
        "--at",
        "2026-12-21T19:00Z",
        SCHEDULED,
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["at"], "2026-12-21T19:00:00Z");
    assert_eq!(value["start"]["answer"]["at"]["state"], "closed");
    assert_eq!(value["start"]["answer"]["at"]["local"], "2026-12-21T20:00");
}

#[test]
fn a_local_time_the_clocks_skip_is_read_after_the_jump() {
    let text = stdout(&["route", "1000", "--at", "2026-03-29T02:30", SCHEDULED]);
    assert!(
        text.contains("at 2026-03-29 03:30 in Europe/Paris (02:30 is skipped by the clock change), schedule paris-hours says: closed"),
        "{text}"
    );
}

#[test]
fn a_moment_that_is_no_time_is_refused() {
    vocm()
        .args(["route", "1000", "--at", "Christmas", SCHEDULED])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "`Christmas` is not a time: write a local time like 2026-12-25T10:00",
        ));
}

#[test]
fn a_national_number_is_read_in_the_account_country() {
    // The account is in France: 01 70 00 00 10 is +33 1 70 00 00 10.
    let text = stdout(&["route", "0170000010", "examples/acme"]);
    assert_eq!(
        text,
        stdout(&["route", "+33 1 70 00 00 10", "examples/acme"])
    );
    insta::assert_snapshot!("route_national_number", text);
}

#[test]
fn a_fax_number_answers_that_it_is_a_fax_line() {
    let text = stdout(&["route", "01 70 00 00 99", "examples/acme"]);
    insta::assert_snapshot!("route_fax_number", text);
    // JSON keeps E.164.
    let json = stdout(&[
        "route",
        "01 70 00 00 99",
        "examples/acme",
        "--format",
        "json",
    ]);
    assert!(json.contains("\"entry\": \"+33170000099\""), "{json}");
}

#[test]
fn a_held_number_assigned_to_no_one_answers_that_nothing_does() {
    let dir = tempfile::tempdir().unwrap();
    let acme = dir.path().join("acme");
    for sub in ["", "users", "audio"] {
        std::fs::create_dir_all(acme.join(sub)).unwrap();
        for e in std::fs::read_dir(root().join("examples/acme").join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), acme.join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    let numbers = std::fs::read_to_string(root().join("examples/acme/numbers.yaml")).unwrap();
    std::fs::write(
        acme.join("numbers.yaml"),
        format!("{numbers}  \"+33 1 70 00 00 50\": {{}}   # spare\n"),
    )
    .unwrap();
    let out = vocm()
        .args(["route", "+33 1 70 00 00 50"])
        .arg(&acme)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("route_unassigned_number", String::from_utf8(out).unwrap());
}
