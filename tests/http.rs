//! The HTTP provider end to end: vocm against a real `vocm-sandbox` on
//! 127.0.0.1 — applies that converge, fields vocm does not manage kept,
//! stale plans caught, injected faults survived, and the key never shown.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use vocm_testkit::sandbox as support;

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::{Value, json};
use support::{KEY, Sandbox, no_key};
use vocm_api::Collection;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn acme() -> String {
    root().join("examples/acme").display().to_string()
}

/// A copy of the example to edit.
fn acme_copy(to: &Path) -> PathBuf {
    let dir = to.join("acme");
    let mut stack = vec![root().join("examples/acme")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let rel = e
                .path()
                .strip_prefix(root().join("examples/acme"))
                .unwrap()
                .to_owned();
            if e.path().is_dir() {
                std::fs::create_dir_all(dir.join(&rel)).unwrap();
                stack.push(e.path());
            } else {
                std::fs::create_dir_all(dir.join(&rel).parent().unwrap()).unwrap();
                std::fs::copy(e.path(), dir.join(&rel)).unwrap();
            }
        }
    }
    dir
}

/// Applies `manifests`; answers the output, checked for the key.
fn apply(s: &Sandbox, dir: &Path, manifests: &str) -> (Option<i32>, String, String) {
    let out = s
        .vocm(dir)
        .args(["apply", "--auto-approve", "--format", "json", manifests])
        .output()
        .unwrap();
    let (stdout, stderr) = no_key(&out);
    (out.status.code(), stdout, stderr)
}

/// The user resource named `name`, as the API holds it.
fn user(s: &Sandbox, name: &str) -> Value {
    s.list(Collection::Users)
        .into_iter()
        .find(|u| u["basicInfo"]["userName"] == name)
        .unwrap_or_else(|| panic!("no user {name}"))
}

/// Replaces a user through the API, as an administrator in the console
/// would; waits for its operation.
fn put_user(s: &Sandbox, user: &Value) {
    let id = user
        .pointer(Collection::Users.id_pointer())
        .and_then(Value::as_str)
        .unwrap();
    let (status, op) = s.send(
        reqwest::Method::PUT,
        &format!("/users/{id}"),
        Collection::Users.media_type(),
        user,
    );
    assert_eq!(status, 202, "{op:#}");
    let op_id = op["operationId"].as_str().unwrap();
    for _ in 0..200 {
        let op = s.get(
            &format!("/operations/{op_id}"),
            vocm_api::OPERATIONS_MEDIA_TYPE,
        );
        if op["status"] == "COMPLETED" {
            return;
        }
        assert_ne!(op["status"], "FAILED", "{op:#}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("operation {op_id} never completed");
}

/// Every file under `dir`, by relative path.
fn files(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.insert(
                    e.path().strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(e.path()).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn an_apply_converges_and_the_account_exports_back() {
    let s = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let (code, summary, stderr) = apply(&s, dir.path(), &acme());
    assert_eq!(code, Some(0), "{stderr}");
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["provider"]["kind"], "http");
    let changes = summary["changes"].as_array().unwrap();
    assert!(changes.iter().all(|c| c["outcome"] == "applied"));
    // Writes answered with an operation name it (a second step that sets
    // only a user's forwarding writes its extras, synchronously).
    assert!(
        changes
            .iter()
            .filter(|c| c["id"]["kind"] == "user" && c["action"] == "create")
            .all(|c| c["operation"].as_str().is_some_and(|o| !o.is_empty())),
        "{summary:#}"
    );

    // Nothing left to do, and a saved plan holds no key.
    s.vocm(dir.path())
        .args([
            "-v",
            "plan",
            "--detailed-exitcode",
            "-o",
            "plan.json",
            &acme(),
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes."))
        .stderr(predicate::str::contains(KEY).not());
    let saved = std::fs::read_to_string(dir.path().join("plan.json")).unwrap();
    assert!(!saved.contains(KEY));
    assert!(saved.contains(&s.base), "the plan names its endpoint");

    // Export: how an administrator adopts vocm on an existing account.
    let out = s
        .vocm(dir.path())
        .args(["export", "-o", "exported"])
        .output()
        .unwrap();
    no_key(&out);
    assert!(out.status.success());
    for f in files(&dir.path().join("exported")).values() {
        assert!(!String::from_utf8_lossy(f).contains(KEY));
    }
    s.vocm(dir.path())
        .args(["plan", "--detailed-exitcode", "exported"])
        .assert()
        .code(0);
}

#[test]
fn schedules_travel_with_their_attendants_and_export_back() {
    let s = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let scheduled = root()
        .join("tests/fixtures/route-schedule")
        .display()
        .to_string();
    let (code, _, stderr) = apply(&s, dir.path(), &scheduled);
    assert_eq!(code, Some(0), "{stderr}");
    let main = s
        .list(Collection::AutoAttendants)
        .into_iter()
        .find(|a| a["vocmKey"] == "main")
        .unwrap();
    assert_eq!(main["schedule"]["vocmKey"], "paris-hours");
    assert_eq!(main["schedule"]["timeZone"], "Europe/Paris");
    assert_eq!(
        main["schedule"]["openHours"][0],
        json!({"day": "MON", "from": "08:30", "to": "12:30"})
    );
    assert_eq!(
        main["schedule"]["holidays"][1],
        json!({"from": "2026-12-31", "to": "2027-01-01", "name": "New year"})
    );
    assert!(main["closed"]["greeting"]["id"].is_string(), "{main:#}");
    assert_eq!(main["holiday"]["timeout"]["type"], "VOICEMAIL");
    s.vocm(dir.path())
        .args(["plan", "--detailed-exitcode", &scheduled])
        .assert()
        .code(0);
    let out = s
        .vocm(dir.path())
        .args(["export", "-o", "exported"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let flows = std::fs::read_to_string(dir.path().join("exported/call-flows.yaml")).unwrap();
    assert!(flows.contains("paris-hours:"), "{flows}");
    s.vocm(dir.path())
        .args(["plan", "--detailed-exitcode", "exported"])
        .assert()
        .code(0);
}

#[test]
fn fields_vocm_does_not_manage_survive_its_writes() {
    let s = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(apply(&s, dir.path(), &acme()).0, Some(0));
    // Someone sets a job title in the console.
    let mut alice = user(&s, "alice.martin");
    alice["directoryInfo"]["jobTitle"] = json!("Head of Sales");
    alice["basicInfo"]["department"] = json!("Sales");
    put_user(&s, &alice);
    s.vocm(dir.path())
        .args(["plan", "--detailed-exitcode", &acme()])
        .assert()
        .code(0);
    // vocm then changes a field it manages: the title stays.
    let copy = acme_copy(dir.path());
    let paris = copy.join("users/paris.yaml");
    let text = std::fs::read_to_string(&paris).unwrap();
    let edited = text.replacen("first_name: Alice", "first_name: Alicia", 1);
    assert_ne!(text, edited);
    std::fs::write(&paris, edited).unwrap();
    let (code, _, stderr) = apply(&s, dir.path(), &copy.display().to_string());
    assert_eq!(code, Some(0), "{stderr}");
    let alice = user(&s, "alice.martin");
    assert_eq!(alice["basicInfo"]["firstName"], "Alicia");
    assert_eq!(alice["directoryInfo"]["jobTitle"], "Head of Sales");
    assert_eq!(alice["basicInfo"]["department"], "Sales");
}

#[test]
fn a_change_made_between_plan_and_apply_is_caught() {
    let s = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(apply(&s, dir.path(), &acme()).0, Some(0));
    let copy = acme_copy(dir.path());
    let paris = copy.join("users/paris.yaml");
    let text = std::fs::read_to_string(&paris).unwrap();
    std::fs::write(
        &paris,
        text.replacen("first_name: Alice", "first_name: Alicia", 1),
    )
    .unwrap();
    s.vocm(dir.path())
        .args(["plan", "-q", "-o", "plan.json"])
        .arg(&copy)
        .assert()
        .success();
    // Meanwhile, in the console.
    let mut alice = user(&s, "alice.martin");
    alice["basicInfo"]["firstName"] = json!("Ali");
    put_user(&s, &alice);
    s.vocm(dir.path())
        .args(["apply", "plan.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vocm::plan::stale"));
    // Not overwritten blindly.
    assert_eq!(user(&s, "alice.martin")["basicInfo"]["firstName"], "Ali");
}

#[test]
fn injected_faults_converge_within_three_applies_losing_and_duplicating_nothing() {
    // The same account, applied without faults and with 20 % of requests
    // failing in every way the sandbox knows.
    let clean = Sandbox::start(&[]);
    let faulty = Sandbox::start(&["--fault-rate", "0.2", "--seed", "42"]);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(apply(&clean, dir.path(), &acme()).0, Some(0));
    let mut runs = Vec::new();
    for _ in 0..3 {
        let (code, summary, stderr) = apply(&faulty, dir.path(), &acme());
        runs.push((code, stderr));
        if code == Some(0) {
            break;
        }
        // Every failure is reported against its resource.
        let summary: Value = serde_json::from_str(&summary).unwrap();
        for c in summary["changes"].as_array().unwrap() {
            if c["outcome"] == "failed" {
                let key = c["id"]["key"].as_str().unwrap();
                assert!(c["error"].as_str().unwrap().contains(key), "{c:#}");
            }
        }
    }
    assert_eq!(runs.last().unwrap().0, Some(0), "{runs:#?}");
    let stats = faulty.stats();
    assert!(stats["faults"]["total"].as_u64().unwrap() > 0, "{stats:#}");
    let out = faulty
        .vocm(dir.path())
        .args(["plan", "--detailed-exitcode", &acme()])
        .output()
        .unwrap();
    let (stdout, stderr) = no_key(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    // No duplicate: as many resources of each type as the clean run made.
    assert_eq!(stats["resources"], clean.stats()["resources"]);
    // No lost field: both accounts export the same manifests.
    for (s, to) in [(&clean, "clean"), (&faulty, "faulty")] {
        s.vocm(dir.path())
            .args(["export", "-o", to])
            .assert()
            .success();
    }
    let (a, b) = (
        files(&dir.path().join("clean")),
        files(&dir.path().join("faulty")),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    // The header comment names the endpoint, which differs.
    let body = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .lines()
            .skip_while(|l| l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (path, bytes) in &a {
        if path.extension().is_some_and(|e| e == "yaml") {
            assert_eq!(body(&b[path]), body(bytes), "{}", path.display());
        } else {
            assert!(b[path] == *bytes, "{} differs", path.display());
        }
    }
}

#[test]
fn the_reference_rate_limits_meet_no_429() {
    // 100 a minute and 20 per 10 s: more requests than one burst holds.
    let s = Sandbox::start(&["--rate-limit", "100", "--burst", "20"]);
    let dir = tempfile::tempdir().unwrap();
    vocm_testkit::generate::generate(4, 0, &dir.path().join("account")).unwrap();
    let (code, _, stderr) = apply(&s, dir.path(), "account");
    assert_eq!(code, Some(0), "{stderr}");
    let stats = s.stats();
    assert!(stats["requests"].as_u64().unwrap() > 20, "{stats:#}");
    assert_eq!(stats["tooManyRequests"], 0, "{stats:#}");
}

/// The lines of `stderr` a person reads at the end of an apply (the
/// diagnostics' first lines and the closing line), with what varies from
/// run to run (counts, names, the port, waits) redacted.
fn summary_lines(stderr: &str) -> String {
    let keep = |l: &&str| {
        l.starts_with("× error") || l.starts_with("Apply ") || l.starts_with("the API answered")
    };
    let mut lines: Vec<String> = stderr
        .lines()
        .map(str::trim)
        .filter(keep)
        .map(|l| {
            let l = regex::Regex::new(r"http://127\.0\.0\.1:\d+")
                .unwrap()
                .replace_all(l, "[endpoint]");
            // The error number is the platform's.
            let l = regex::Regex::new(r"os error \d+")
                .unwrap()
                .replace_all(&l, "os error [errno]");
            // A count of one is worded as one.
            let l = l
                .replace(" once", " [n] times")
                .replace("1 request was", "[n] requests were");
            let l = regex::Regex::new(r"(user|site|device|ring_group|phone_number|address|auto_attendant|schedule|audio_file):[a-z0-9.+_-]+")
                .unwrap()
                .replace_all(&l, "[id]");
            // Counts vary with timing; the statuses named stay.
            regex::Regex::new(r"\b\d+\b")
                .unwrap()
                .replace_all(&l, |c: &regex::Captures<'_>| match &c[0] {
                    "429" => "429".to_owned(),
                    _ => "[n]".to_owned(),
                })
                .into_owned()
        })
        .collect();
    lines.dedup();
    lines.join("\n")
}

#[test]
fn an_api_that_goes_away_mid_apply_is_one_line_per_cause() {
    let mut s = Sandbox::start(&["--op-delay-ms", "20"]);
    let dir = tempfile::tempdir().unwrap();
    vocm_testkit::generate::generate(60, 0, &dir.path().join("account")).unwrap();
    let vocm = s.vocm(dir.path());
    let child = std::process::Command::new(vocm.get_program())
        .envs(vocm.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env_remove("PATH")
        .current_dir(dir.path())
        .args(["apply", "--auto-approve", "account"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the apply is well under way, the API goes away.
    let deadline = std::time::Instant::now() + std::time::Duration::from_mins(1);
    while s.stats()["requests"].as_u64().unwrap() < 60 {
        assert!(
            std::time::Instant::now() < deadline,
            "the apply never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    let out = child.wait_with_output().unwrap();
    let (_, stderr) = no_key(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // One diagnostic for every change the refused connections failed, not
    // one per change; the changes in flight when it went may fail for a
    // cause of their own (a reset connection), a few more lines.
    let gone = stderr
        .lines()
        .filter(|l| l.contains("the API stopped answering"))
        .collect::<Vec<_>>();
    assert!(!gone.is_empty(), "{stderr}");
    assert!(
        gone.iter()
            .any(|l| l.contains("Connection refused") && l.contains(" more")),
        "{stderr}"
    );
    assert!(stderr.lines().count() < 80, "{stderr}");
    let refused = summary_lines(&stderr)
        .lines()
        .filter(|l| l.contains("Connection refused") || l.starts_with("Apply"))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(refused);
}

#[test]
fn waits_and_retries_are_told_and_counted_with_verbose() {
    let s = Sandbox::start(&["--fault-rate", "0.3", "--seed", "7"]);
    let dir = tempfile::tempdir().unwrap();
    let out = s
        .vocm(dir.path())
        .args(["-v", "apply", "--auto-approve", &acme()])
        .output()
        .unwrap();
    let (_, stderr) = no_key(&out);
    assert!(
        stderr.contains("retrying after a 50"),
        "no retry told:\n{stderr}"
    );
    assert!(
        stderr.contains("s for the rate limit (the API answered 429)"),
        "no wait told:\n{stderr}"
    );
    let counts = stderr
        .lines()
        .find(|l| l.starts_with("the API answered 429"))
        .unwrap_or_else(|| panic!("no counts:\n{stderr}"));
    assert!(!counts.contains(" 0 requests"), "{counts}");
    insta::assert_snapshot!(summary_lines(counts));
}
