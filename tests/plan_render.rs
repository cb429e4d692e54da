//! Snapshots of plans in the three formats: the bundled example against the
//! bundled state (creates, updates, a replace), a pruning plan that trips
//! the mass-delete guard, and an empty plan.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

use vocm::account::Account;
use vocm::manifest::audio::read_audio;
use vocm::plan::desired::{Context, desired};
use vocm::plan::file::PlanFile;
use vocm::plan::{Options, Plan, plan};
use vocm::provider::local::LocalProvider;
use vocm::provider::{Provider, ProviderInfo};
use vocm::render::text::PlanView;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Plans `manifests` against the state file, as `vocm plan` does.
fn make(manifests: &Path, state: &Path) -> (Plan, Account, String) {
    let v = vocm::validate::validate_paths(&[manifests.to_owned()], Some(&root()));
    assert!(!v.diagnostics.has_errors(), "{:?}", v.diagnostics);
    let snapshot = LocalProvider::new(state).snapshot().unwrap();
    let (audio, _) = read_audio(&v.raw, &v.manifest);
    let cx = Context {
        raw: &v.raw,
        current: &snapshot.account,
        audio: &audio,
        licenses: snapshot.licenses.as_ref(),
        can_claim_numbers: true,
    };
    let (d, diagnostics) = desired(&v.manifest, &cx);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let prune = v.manifest.account.as_ref().is_some_and(|a| a.value.prune);
    let p = plan(
        &d,
        &snapshot.account,
        &Options {
            prune,
            targets: Vec::new(),
        },
    );
    (p, snapshot.account, snapshot.fingerprint)
}

fn all_formats(p: &Plan, current: &Account, fingerprint: &str) -> (String, String, String) {
    let mass = p.mass_deletes(current);
    let view = PlanView {
        changes: &p.changes,
        summary: p.summary(),
        mass_deletes: &mass,
    };
    let file = PlanFile::new(
        p,
        ProviderInfo {
            kind: "local".into(),
            endpoint: "examples/acme.state.json".into(),
        },
        fingerprint.to_owned(),
        mass.clone(),
    );
    (
        vocm::render::text::render(&view, false),
        vocm::render::markdown::render(&view),
        vocm::render::json::render(&file),
    )
}

#[test]
fn the_example_against_its_bundled_state() {
    let (p, current, fp) = make(
        &root().join("examples/acme"),
        &root().join("examples/acme.state.json"),
    );
    let (text, markdown, json) = all_formats(&p, &current, &fp);
    insta::assert_snapshot!("plan_acme_text", text);
    insta::assert_snapshot!("plan_acme_markdown", markdown);
    insta::assert_snapshot!("plan_acme_json", json);
    // The JSON plan is what the schema describes.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/plan.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn pruning_most_users_trips_the_mass_delete_guard() {
    let dir = tempfile::tempdir().unwrap();
    let copy = |rel: &str| {
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join("examples/acme").join(rel), &to).unwrap();
    };
    for f in [
        "sites.yaml",
        "numbers.yaml",
        "devices.yaml",
        "audio.yaml",
        "audio/hold-jazz.wav",
        "audio/welcome.wav",
    ] {
        copy(f);
    }
    std::fs::write(
        dir.path().join("account.yaml"),
        "account: {pbx: acme, country: FR, extension_length: 4, prune: true}\n",
    )
    .unwrap();
    // Only Paris's first two users remain: the rest, the ring groups and
    // the attendant go.
    let paris = std::fs::read_to_string(root().join("examples/acme/users/paris.yaml")).unwrap();
    let kept: String = paris.split("\n  chloe.bernard:").next().unwrap().to_owned();
    let kept = kept
        .replace(
            "no_answer: {to: ring_group:sales, after_seconds: 20}",
            "no_answer: voicemail",
        )
        .replace(
            "      no_answer: user:alice.martin",
            "      no_answer: voicemail",
        );
    std::fs::write(dir.path().join("users.yaml"), format!("{kept}\n")).unwrap();
    let state = dir.path().join("state.json");
    std::fs::copy(root().join("examples/acme.state.json"), &state).unwrap();
    let (p, current, fp) = make(dir.path(), &state);
    let mass = p.mass_deletes(&current);
    assert!(
        mass.iter().any(|m| m.kind == vocm::account::Kind::User),
        "{mass:?}"
    );
    let (text, markdown, _) = all_formats(&p, &current, &fp);
    insta::assert_snapshot!("plan_prune_text", text);
    insta::assert_snapshot!("plan_prune_markdown", markdown);
}

#[test]
fn an_empty_plan_says_so() {
    let (text, markdown, json) = all_formats(&Plan::default(), &Account::default(), "sha256:0");
    assert_eq!(text, "No changes. The account matches the manifests.\n");
    insta::assert_snapshot!("plan_empty_markdown", markdown);
    assert!(json.contains("\"changes\": []"));
}
