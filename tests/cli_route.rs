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
    assert!(mermaid.starts_with("flowchart TD\n"));
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
