//! The output contract and the defects a review of the commands found:
//! stdout holds exactly one document; diagnostics are printed once, on
//! stderr (but for `validate`); the counts a user sees agree; hand-edited
//! plans and hostile state keys are refused with a diagnostic.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch directory with the bundled state as `vocm.state.json`, and the
/// example's manifests as `acme/` where one Lyon user sets outbound calling
/// the site overrides (a warning, `vocm::outbound::overridden`).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("examples/acme.state.json"),
        dir.path().join("vocm.state.json"),
    )
    .unwrap();
    vocm_testkit::fixtures::acme_with_a_warning(&dir.path().join("acme"));
    dir
}

fn vocm(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("vocm").unwrap();
    cmd.env_clear().env("COLUMNS", "100").current_dir(dir);
    cmd
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = vocm(dir).args(args).output().unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

/// The whole of `text` is one JSON document.
fn one_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{text}"))
}

fn codes(diagnostics: &Value) -> Vec<&str> {
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

#[test]
fn a_json_plan_with_json_diagnostics_is_one_document_on_stdout() {
    let dir = workspace();
    let (code, out, err) = run(
        dir.path(),
        &["--diagnostics", "json", "plan", "acme", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let plan = one_json(&out);
    assert_eq!(plan["format_version"], 1);
    assert_eq!(codes(&one_json(&err)), ["vocm::outbound::overridden"]);
}

#[test]
fn a_json_apply_with_diagnostics_is_one_document_on_stdout() {
    let dir = workspace();
    let (code, out, err) = run(
        dir.path(),
        &[
            "--diagnostics",
            "json",
            "apply",
            "--auto-approve",
            "--format",
            "json",
            "acme",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let summary = one_json(&out);
    assert_eq!(summary["complete"], true);
    // The plan a reader reviews goes to stderr, with the diagnostics.
    assert!(
        err.contains("Plan: 4 to add, 4 to change, 1 to destroy."),
        "{err}"
    );
    assert!(
        err.contains("\"code\": \"vocm::outbound::overridden\""),
        "{err}"
    );
}

#[test]
fn github_annotations_never_land_in_the_markdown_plan() {
    let dir = workspace();
    let (code, out, err) = run(
        dir.path(),
        &[
            "--diagnostics",
            "github",
            "plan",
            "acme",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("<!-- vocm-plan: acme -->"), "{out}");
    assert!(!out.contains("::warning"), "{out}");
    assert!(
        err.starts_with("::warning file=acme/users/lyon.yaml,"),
        "{err}"
    );
}

#[test]
fn text_diagnostics_are_counted_once_per_run() {
    let dir = workspace();
    // A plan-time error beside the warning: too few licenses.
    let mut s: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("vocm.state.json")).unwrap())
            .unwrap();
    s["licenses"] = serde_json::json!({"X2": 1, "X4": 20});
    std::fs::write(
        dir.path().join("vocm.state.json"),
        serde_json::to_vec(&s).unwrap(),
    )
    .unwrap();
    let (code, out, err) = run(dir.path(), &["plan", "acme"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    assert_eq!(err.matches("1 error, 1 warning").count(), 1, "{err}");
    assert!(
        err.contains("vocm::plan::licenses") && err.contains("vocm::outbound::overridden"),
        "{err}"
    );
}

#[test]
fn apply_counts_as_the_plan_counts() {
    let dir = workspace();
    let (_, plan, _) = run(dir.path(), &["plan", "acme"]);
    assert!(
        plan.ends_with("Plan: 4 to add, 4 to change, 1 to destroy.\n"),
        "{plan}"
    );
    let (code, out, err) = run(dir.path(), &["-v", "apply", "--auto-approve", "acme"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.ends_with("Plan: 4 to add, 4 to change, 1 to destroy.\n"),
        "{out}"
    );
    assert!(
        err.contains("planned 4 to add, 4 to change, 1 to destroy"),
        "{err}"
    );
    assert!(
        err.ends_with("Apply complete: 4 added, 4 changed, 1 destroyed.\n"),
        "{err}"
    );
}

#[test]
fn a_plan_whose_dependencies_point_forward_is_refused() {
    let dir = workspace();
    let (code, _, err) = run(dir.path(), &["plan", "acme", "-o", "p.json"]);
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(dir.path().join("vocm.state.json")).unwrap();
    let mut plan: Value = one_json(&std::fs::read_to_string(dir.path().join("p.json")).unwrap());
    for bad in [serde_json::json!([999]), serde_json::json!([0])] {
        plan["changes"][0]["depends_on"] = bad;
        std::fs::write(dir.path().join("p.json"), plan.to_string()).unwrap();
        let (code, out, err) = run(dir.path(), &["apply", "p.json"]);
        assert_eq!(code, 1, "{err}");
        assert_eq!(out, "");
        assert!(err.contains("vocm::plan::unreadable"), "{err}");
        assert!(err.contains("depends on change"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(
            std::fs::read(dir.path().join("vocm.state.json")).unwrap(),
            before
        );
    }
}

#[test]
fn a_plan_file_that_cannot_be_written_has_its_own_code() {
    let dir = workspace();
    let (code, out, err) = run(dir.path(), &["plan", "acme", "-o", "missing/dir/p.json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "", "no plan on stdout when the plan file failed");
    assert!(err.contains("vocm::plan::write"), "{err}");
    assert!(!err.contains("vocm::plan::unreadable"), "{err}");
}

#[test]
fn export_refuses_keys_that_would_write_outside_its_directory() {
    let dir = workspace();
    let mut s: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("vocm.state.json")).unwrap())
            .unwrap();
    let audio = s["account"]["audio_files"]["hold-jazz"].clone();
    s["account"]["audio_files"]["../../escaped"] = audio;
    std::fs::write(
        dir.path().join("vocm.state.json"),
        serde_json::to_vec(&s).unwrap(),
    )
    .unwrap();
    let (code, _, err) = run(dir.path(), &["export", "-o", "out/manifests"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("vocm::export::write") && err.contains("not a safe file name"),
        "{err}"
    );
    // Nothing at all was written: not the escape, not the other files.
    assert!(!dir.path().join("escaped.wav").exists());
    assert!(!dir.path().join("out/escaped.wav").exists());
    assert!(!dir.path().join("out/manifests").exists());
}
