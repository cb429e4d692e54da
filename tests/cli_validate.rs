//! `vocm validate` and `vocm schema` end to end: exit codes, streams and
//! formats, as a CI job sees them.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// vocm with a clean environment, run from `dir`.
fn vocm(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("vocm").unwrap();
    cmd.env_clear().env("COLUMNS", "100").current_dir(dir);
    cmd
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/diagnostics").join(name)
}

#[test]
fn the_bundled_example_is_valid() {
    vocm(&root())
        .args(["validate", "examples/acme"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::starts_with(
            "valid: 9 files (17 users, 2 ring groups",
        ));
}

#[test]
fn validate_defaults_to_the_current_directory() {
    vocm(&root().join("examples/acme"))
        .arg("validate")
        .assert()
        .success();
}

#[test]
fn invalid_manifests_exit_1_with_every_error_on_stderr() {
    let out = vocm(&fixture("reference-unknown"))
        .args(["validate", "."])
        .assert()
        .code(1)
        .stdout("")
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.matches("vocm::reference::unknown").count(), 2, "{err}");
    assert!(err.contains("error: unknown user `alcie`"));
    assert!(err.contains("[manifest.yaml:26:13]"));
    assert!(err.ends_with("2 errors, 0 warnings\n"));
}

#[test]
fn json_diagnostics_go_to_stdout_and_are_an_empty_array_when_clean() {
    vocm(&root())
        .args(["validate", "--format", "json", "examples/acme"])
        .assert()
        .success()
        .stdout("[]\n")
        .stderr("");
    let out = vocm(&fixture("device-assigned-twice"))
        .args(["--diagnostics", "json", "validate"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json[0]["code"], "vocm::device::assigned-twice");
    assert_eq!(json[0]["line"], 31);
    assert_eq!(json[0]["column"], 13);
    assert_eq!(json[0]["related"][0]["line"], 23);
}

#[test]
fn json_diagnostics_match_their_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/diagnostics.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    for case in [
        "forwarding-loop",
        "input-not-found",
        "manifest-no-account",
        "outbound-overridden",
    ] {
        let dir = if case == "input-not-found" {
            root()
        } else {
            fixture(case)
        };
        let out = vocm(&dir)
            .args(["validate", "--format", "json"])
            .arg(if case == "input-not-found" {
                "nowhere"
            } else {
                "."
            })
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{case}: {errors:?}");
    }
}

#[test]
fn github_annotations_name_file_line_column_and_code() {
    vocm(&fixture("forwarding-self"))
        .args(["validate", "--format", "github", "."])
        .assert()
        .code(1)
        .stdout(
            "::error file=manifest.yaml,line=25,col=13,endColumn=23,title=vocm%3A%3Aforwarding%3A%3Aself::user:alice forwards its `busy` calls to itself%0Ahelp: forward to voicemail, another user, a ring group or an external number\n",
        );
}

#[test]
fn warnings_pass_unless_denied() {
    vocm(&fixture("outbound-overridden"))
        .args(["validate", "."])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "⚠ warning: users.alice sets outbound calling",
        ))
        .stderr(predicate::str::contains("valid, with warnings"));
    vocm(&fixture("outbound-overridden"))
        .args(["validate", "--deny-warnings", "."])
        .assert()
        .code(1);
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    // Not a terminal here: no escape codes, with or without NO_COLOR.
    for no_color in [None, Some("1")] {
        let mut cmd = vocm(&fixture("forwarding-self"));
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let out = cmd.args(["validate", "."]).output().unwrap();
        assert!(
            !out.stderr.contains(&0x1b),
            "escape codes without a terminal"
        );
    }
}

#[test]
fn quiet_silences_the_success_line() {
    vocm(&root())
        .args(["validate", "-q", "examples/acme"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn bad_arguments_exit_1_not_2() {
    vocm(&root())
        .args(["validate", "--frobnicate"])
        .assert()
        .code(1);
    vocm(&root())
        .args(["validate", "--format", "xml"])
        .assert()
        .code(1);
    vocm(&root()).arg("frobnicate").assert().code(1);
    vocm(&root()).assert().code(1);
}

#[test]
fn help_and_version_exit_0() {
    vocm(&root())
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("validate"));
    vocm(&root())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("vocm "));
}

#[test]
fn schema_prints_the_committed_schema() {
    let committed = std::fs::read_to_string(root().join("schemas/vocm.schema.json")).unwrap();
    vocm(&root())
        .arg("schema")
        .assert()
        .success()
        .stdout(committed);
    let committed =
        std::fs::read_to_string(root().join("schemas/diagnostics.schema.json")).unwrap();
    vocm(&root())
        .args(["schema", "diagnostics"])
        .assert()
        .success()
        .stdout(committed);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    // `vocm schema | head -1`: the reader goes away; vocm must not panic.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vocm"))
        .arg("schema")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn ring_group_members_are_bare_user_keys_and_never_groups() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.yaml"),
        r#"account: {pbx: acme, country: FR}
addresses:
  hq: {street: 1 rue de Rivoli, city: Paris, postal_code: "75001", country: FR}
sites:
  paris: {name: Paris, address: hq, locale: fr-FR, timezone: Europe/Paris}
phone_numbers:
  "+33170000001": {}
users:
  alice: {first_name: Alice, last_name: Martin, email: alice@example.com, license: X2, phone_number: "+33170000001", extension: 1001}
ring_groups:
  sales: {name: Sales, extension: 1100, members: [alice]}
  support: {name: Support, extension: 1101, members: ["user:alice", sales]}
"#,
    )
    .unwrap();
    let out = vocm(dir.path())
        .args(["--no-color", "validate", "m.yaml"])
        .assert()
        .code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    insta::assert_snapshot!("members_are_user_keys", err);
}
