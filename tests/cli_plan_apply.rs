//! `vocm plan`, `apply` and `export` end to end on the local provider:
//! saved plans (fresh, stale, foreign), confirmation, the state lock, the
//! mass-delete guard, targets and the export round trip.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch directory holding a copy of the bundled state as
/// `vocm.state.json` (the default path).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("examples/acme.state.json"),
        dir.path().join("vocm.state.json"),
    )
    .unwrap();
    dir
}

fn vocm(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("vocm").unwrap();
    cmd.env_clear().env("COLUMNS", "100").current_dir(dir);
    cmd
}

fn acme() -> String {
    root().join("examples/acme").display().to_string()
}

fn state(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("vocm.state.json")).unwrap()
}

#[test]
fn plan_shows_the_changes_and_touches_nothing() {
    let dir = workspace();
    let before = state(dir.path());
    vocm(dir.path())
        .args(["plan", &acme()])
        .assert()
        .success()
        .stdout(predicate::str::contains("-/+ user \"claire.fontaine\""))
        .stdout(predicate::str::ends_with(
            "Plan: 4 to add, 4 to change, 1 to destroy.\n",
        ));
    vocm(dir.path())
        .args(["plan", "--detailed-exitcode", &acme()])
        .assert()
        .code(2);
    assert_eq!(state(dir.path()), before);
}

#[test]
fn plan_on_a_missing_state_creates_everything() {
    let dir = tempfile::tempdir().unwrap();
    vocm(dir.path())
        .args(["plan", &acme()])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Plan: 65 to add, 0 to change, 0 to destroy.",
        ));
    assert!(!dir.path().join("vocm.state.json").exists());
}

#[test]
fn apply_without_a_terminal_needs_auto_approve() {
    let dir = workspace();
    let before = state(dir.path());
    vocm(dir.path())
        .args(["apply", &acme()])
        .write_stdin("yes\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vocm::apply::not-confirmed"));
    assert_eq!(state(dir.path()), before, "state untouched");
}

#[test]
fn apply_converges_and_the_next_plan_is_empty() {
    let dir = workspace();
    vocm(dir.path())
        .args(["apply", "--auto-approve", &acme()])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "-/+ user:claire.fontaine replaced",
        ))
        .stderr(predicate::str::contains("Apply complete:"));
    vocm(dir.path())
        .args(["plan", "--detailed-exitcode", &acme()])
        .assert()
        .success()
        .stdout("No changes. The account matches the manifests.\n");
    assert!(
        !dir.path().join("vocm.state.json.journal").exists(),
        "journal compacted"
    );
}

#[test]
fn a_quiet_apply_prints_nothing_when_all_goes_well() {
    let dir = workspace();
    vocm(dir.path())
        .args(["apply", "-q", "--auto-approve", &acme()])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    vocm(dir.path())
        .args(["plan", "--detailed-exitcode", &acme()])
        .assert()
        .success();
}

#[test]
fn a_saved_plan_applies_once_and_is_stale_after() {
    let dir = workspace();
    vocm(dir.path())
        .args(["plan", "-o", "plan.json", &acme()])
        .assert()
        .success();
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("plan.json")).unwrap()).unwrap();
    assert_eq!(saved["format_version"], 1);
    assert_eq!(saved["provider"]["kind"], "local");
    // A saved plan is what was approved: no question, no --auto-approve.
    vocm(dir.path())
        .args(["apply", "plan.json"])
        .assert()
        .success();
    let after = state(dir.path());
    // Applied again, it finds the account as it leaves it: nothing to do,
    // and not an error.
    let again = vocm(dir.path())
        .args(["apply", "plan.json"])
        .assert()
        .success();
    let stderr = String::from_utf8(again.get_output().stderr.clone()).unwrap();
    insta::assert_snapshot!("saved_plan_already_applied", stderr);
    assert_eq!(state(dir.path()), after, "an applied plan changes nothing");
}

#[test]
fn a_plan_for_another_state_is_refused() {
    let dir = workspace();
    vocm(dir.path())
        .args(["plan", "-o", "plan.json", &acme()])
        .assert()
        .success();
    std::fs::copy(
        dir.path().join("vocm.state.json"),
        dir.path().join("other.json"),
    )
    .unwrap();
    vocm(dir.path())
        .args(["--state", "other.json", "apply", "plan.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vocm::plan::foreign"));
}

#[test]
fn a_plan_made_before_a_change_to_the_account_is_stale() {
    let dir = workspace();
    vocm(dir.path())
        .args(["plan", "-o", "plan.json", &acme()])
        .assert()
        .success();
    // Someone else applies a part of it in between.
    vocm(dir.path())
        .args([
            "apply",
            "--auto-approve",
            "--target",
            "user:nina.roux",
            &acme(),
        ])
        .assert()
        .success();
    let stale = vocm(dir.path())
        .args(["--no-color", "apply", "plan.json"])
        .assert()
        .code(1);
    // It says what changed since among the resources the plan changes.
    let stderr = String::from_utf8(stale.get_output().stderr.clone()).unwrap();
    insta::assert_snapshot!("saved_plan_stale_says_what_changed", stderr);
}

#[test]
fn a_plan_on_a_missing_state_says_so_at_the_top() {
    let dir = tempfile::tempdir().unwrap();
    let out = vocm(dir.path())
        .args([
            "--state",
            "typo.json",
            "plan",
            "--call-paths",
            "none",
            &acme(),
        ])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let head: Vec<&str> = stdout.lines().take(3).collect();
    insta::assert_snapshot!("plan_missing_state_note", head.join("\n"));
}

#[test]
fn a_targeted_plan_says_it_is_partial_at_the_top_and_the_end() {
    let dir = workspace();
    let out = vocm(dir.path())
        .args(["plan", "--target", "user:nina.roux", &acme()])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    insta::assert_snapshot!("plan_target_partial", stdout);
    let out = vocm(dir.path())
        .args([
            "plan",
            "--format",
            "markdown",
            "--id",
            "acme",
            "--target",
            "user:nina.roux",
            &acme(),
        ])
        .assert()
        .success();
    let markdown = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let head: Vec<&str> = markdown.lines().take(8).collect();
    insta::assert_snapshot!("plan_target_partial_markdown_head", head.join("\n"));
}

#[test]
fn a_duration_that_is_not_one_says_what_one_looks_like() {
    let dir = workspace();
    let out = vocm(dir.path())
        .args(["--timeout", "abc", "plan", &acme()])
        .assert()
        .code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    insta::assert_snapshot!("timeout_not_a_duration", stderr);
}

#[test]
fn call_paths_can_be_shown_whole_or_not_at_all() {
    let dir = workspace();
    let full = vocm(dir.path())
        .args(["plan", "--call-paths", "full", &acme()])
        .assert()
        .success();
    let full = String::from_utf8(full.get_output().stdout.clone()).unwrap();
    assert!(full.contains("    before:\n"), "stacked at 100 columns");
    let wide = vocm(dir.path())
        .env("COLUMNS", "200")
        .args(["plan", "--call-paths", "full", &acme()])
        .assert()
        .success();
    let wide = String::from_utf8(wide.get_output().stdout.clone()).unwrap();
    assert!(wide.contains(" │ after"), "side by side at 200 columns");
    let none = vocm(dir.path())
        .args(["plan", "--call-paths", "none", &acme()])
        .assert()
        .success();
    let none = String::from_utf8(none.get_output().stdout.clone()).unwrap();
    assert!(!none.contains("Call paths"), "{none}");
}

#[test]
fn target_limits_the_plan_to_a_resource_and_what_it_needs() {
    let dir = workspace();
    vocm(dir.path())
        .args(["plan", "--target", "user:nina.roux", &acme()])
        .assert()
        .success()
        .stdout(predicate::str::contains("+ user \"nina.roux\""))
        .stdout(predicate::str::contains(
            "Plan: 1 to add, 0 to change, 0 to destroy.",
        ));
    vocm(dir.path())
        .args(["plan", "--target", "user:nina.rou", &acme()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean `user:nina.roux`?"));
    vocm(dir.path())
        .args(["plan", "--target", "nobody", &acme()])
        .assert()
        .code(1);
}

#[test]
fn a_second_apply_is_refused_while_the_state_is_locked() {
    let dir = workspace();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.path().join("vocm.state.json.lock"))
        .unwrap();
    lock.lock().unwrap();
    std::fs::write(
        dir.path().join("vocm.state.json.lock"),
        r#"{"pid":4242,"command":"vocm apply","started_unix":0}"#,
    )
    .unwrap();
    let before = state(dir.path());
    vocm(dir.path())
        .args(["apply", "--auto-approve", &acme()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vocm::state::locked"))
        .stderr(predicate::str::contains("locked by pid 4242 (`vocm apply`"));
    assert_eq!(state(dir.path()), before);
    // With --lock-timeout it waits for the lock instead.
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(700));
        drop(lock);
    });
    let waited = vocm(dir.path())
        .args(["apply", "--auto-approve", "--lock-timeout", "20s", &acme()])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    release.join().unwrap();
    // It says that it waits, and for whom, before it waits.
    let waited = String::from_utf8(waited).unwrap();
    insta::assert_snapshot!("lock_waiting", waited.lines().next().unwrap());
}

#[test]
fn a_lock_left_by_a_dead_apply_is_reclaimed_and_said_so() {
    let dir = workspace();
    // The owner a dead apply left in the lock file (no process holds it).
    std::fs::write(
        dir.path().join("vocm.state.json.lock"),
        r#"{"pid":4242,"command":"vocm apply","started_unix":1796000000}"#,
    )
    .unwrap();
    let out = vocm(dir.path())
        .args(["apply", "-q", "--auto-approve", &acme()])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    insta::assert_snapshot!("lock_reclaimed", String::from_utf8(out).unwrap());
    // An apply that ends normally leaves no owner behind: the next one has
    // nothing to reclaim.
    assert_eq!(
        std::fs::read(dir.path().join("vocm.state.json.lock")).unwrap(),
        b""
    );
    vocm(dir.path())
        .args(["apply", "-q", "--auto-approve", &acme()])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn a_lock_left_by_a_killed_process_does_not_block() {
    let dir = workspace();
    // A process that holds the lock, then dies without releasing it.
    // `-o`: the lock stays with flock itself, not with `sleep`.
    let mut holder = std::process::Command::new("flock")
        .arg("-o")
        .arg(dir.path().join("vocm.state.json.lock"))
        .args(["sleep", "60"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    vocm(dir.path())
        .args(["apply", "--auto-approve", &acme()])
        .assert()
        .code(1);
    holder.kill().unwrap();
    holder.wait().unwrap();
    vocm(dir.path())
        .args(["apply", "--auto-approve", &acme()])
        .assert()
        .success();
}

#[test]
fn mass_deletes_are_flagged_by_plan_and_refused_by_apply() {
    let dir = workspace();
    let manifests = dir.path().join("m");
    std::fs::create_dir_all(&manifests).unwrap();
    for f in ["sites.yaml", "numbers.yaml", "devices.yaml"] {
        std::fs::copy(root().join("examples/acme").join(f), manifests.join(f)).unwrap();
    }
    std::fs::write(
        manifests.join("account.yaml"),
        "account: {pbx: acme, country: FR, prune: true}\n",
    )
    .unwrap();
    let m = manifests.display().to_string();
    vocm(dir.path())
        .args(["plan", &m])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Warning: this plan deletes 14 of the account's 14 users",
        ));
    let before = state(dir.path());
    vocm(dir.path())
        .args(["apply", "--auto-approve", &m])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vocm::apply::mass-delete"));
    assert_eq!(state(dir.path()), before);
    // A saved plan is refused the same way.
    vocm(dir.path())
        .args(["plan", "-o", "p.json", &m])
        .assert()
        .success();
    vocm(dir.path()).args(["apply", "p.json"]).assert().code(1);
    vocm(dir.path())
        .args(["apply", "--allow-mass-delete", "p.json"])
        .assert()
        .success();
    let account: serde_json::Value = serde_json::from_slice(&state(dir.path())).unwrap();
    assert!(
        account["account"].get("users").is_none(),
        "every user deleted"
    );
    assert_eq!(
        account["account"]["phone_numbers"]
            .as_object()
            .unwrap()
            .len(),
        20,
        "numbers are never released"
    );
}

#[test]
fn export_writes_manifests_that_plan_with_no_changes() {
    let dir = workspace();
    vocm(dir.path())
        .args(["export", "-o", "exported"])
        .assert()
        .success()
        .stderr(predicate::str::contains("exported 8 files"));
    assert!(dir.path().join("exported/audio/hold-jazz.wav").exists());
    vocm(dir.path())
        .args(["validate", "exported"])
        .assert()
        .success();
    vocm(dir.path())
        .args(["plan", "--detailed-exitcode", "exported"])
        .assert()
        .success()
        .stdout("No changes. The account matches the manifests.\n");
    // It does not write over manifests.
    vocm(dir.path())
        .args(["export", "-o", "exported"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vocm::export::write"));
}

#[test]
fn a_corrupt_state_is_an_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("vocm.state.json"),
        "{\"vocm_state\": 1,\n  \"account\": [}\n",
    )
    .unwrap();
    vocm(dir.path())
        .args(["plan", &acme()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vocm::state::invalid"))
        .stderr(predicate::str::contains("vocm.state.json:2:"));
}

#[test]
fn a_journal_left_by_an_interrupted_apply_is_replayed() {
    let dir = workspace();
    // What an apply killed after its first change leaves behind.
    let st: serde_json::Value = serde_json::from_slice(&state(dir.path())).unwrap();
    let serial = st["serial"].as_u64().unwrap();
    let mut user = st["account"]["users"]["marc.girard"].clone();
    user["first_name"] = "Marcel".into();
    let entry = serde_json::json!({"serial": serial, "id": {"kind": "user", "key": "marc.girard"}, "after": {"kind": "user", "value": user}});
    std::fs::write(
        dir.path().join("vocm.state.json.journal"),
        format!("{entry}\n{{\"serial\": 1, \"torn"),
    )
    .unwrap();
    vocm(dir.path())
        .args(["plan", &acme()])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "~ first_name = \"Marcel\" -> \"Marc\"",
        ));
}

/// Runs vocm on a pseudo-terminal (util-linux `script`), typing `answer`.
fn on_a_terminal(dir: &Path, args: &str, answer: &str) -> (bool, String) {
    use std::io::Write as _;
    let vocm = assert_cmd::cargo::cargo_bin("vocm");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &format!("{} {args}", vocm.display()), "/dev/null"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn apply_asks_on_a_terminal_and_only_yes_applies() {
    let dir = workspace();
    let before = state(dir.path());
    let (ok, out) = on_a_terminal(dir.path(), &format!("apply {}", acme()), "n\n");
    assert!(!ok, "{out}");
    assert!(out.contains("Apply these changes?"), "{out}");
    assert!(
        out.contains("apply cancelled: nothing was changed"),
        "{out}"
    );
    assert_eq!(state(dir.path()), before);
    let (ok, out) = on_a_terminal(dir.path(), &format!("apply {}", acme()), "y\n");
    assert!(ok, "{out}");
    assert!(out.contains("Apply complete"), "{out}");
}

#[test]
fn markdown_plans_carry_their_marker_and_mask_on_request() {
    let dir = workspace();
    vocm(dir.path())
        .args(["plan", "--format", "markdown", &acme()])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!(
            "<!-- vocm-plan: {} -->\n",
            acme()
        )));
    vocm(dir.path())
        .args([
            "plan",
            "--format",
            "markdown",
            "--id",
            "prod",
            "--mask-pii",
            "-o",
            "plan.json",
            &acme(),
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("<!-- vocm-plan: prod -->\n"))
        .stdout(predicate::str::contains("nina.roux@acme.example").not())
        .stdout(predicate::str::contains("n•••@acme.example"));
    // `=keys`: users' keys too (they are often names); the `=` is needed,
    // so that a directory after the flag is still a path.
    let keys = vocm(dir.path())
        .args(["plan", "--mask-pii=keys", "--call-paths", "none", &acme()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let keys = String::from_utf8(keys).unwrap();
    assert!(!keys.contains("nina.roux"), "{keys}");
    insta::assert_snapshot!("plan_mask_pii_keys", keys);
    vocm(&root())
        .args(["--state"])
        .arg(dir.path().join("vocm.state.json"))
        .args(["plan", "--mask-pii", "examples/acme"])
        .assert()
        .success()
        .stdout(predicate::str::contains("nina.roux"));
    // The saved plan is whole: apply needs the real values.
    let saved = std::fs::read_to_string(dir.path().join("plan.json")).unwrap();
    assert!(saved.contains("nina.roux@acme.example"));
    // The JSON plan is the machine plan: it is never masked.
    vocm(dir.path())
        .args(["plan", "--format", "json", "--mask-pii", &acme()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--mask-pii applies to the text and Markdown plans",
        ));
}

#[test]
fn plan_time_problems_are_annotations_in_ci() {
    let dir = workspace();
    let mut s: serde_json::Value = serde_json::from_slice(&state(dir.path())).unwrap();
    s["licenses"] = serde_json::json!({"X2": 1, "X4": 20});
    std::fs::write(
        dir.path().join("vocm.state.json"),
        serde_json::to_vec(&s).unwrap(),
    )
    .unwrap();
    let out = vocm(&root())
        .args(["--diagnostics", "github", "--state"])
        .arg(dir.path().join("vocm.state.json"))
        .args(["plan", "examples/acme"])
        .assert()
        .code(1)
        .stdout("")
        .get_output()
        .stderr
        .clone();
    // On stderr: stdout is for the plan, and there is none.
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.starts_with("::error file=examples/acme/users/"),
        "{out}"
    );
    assert!(out.contains(",title=vocm%3A%3Aplan%3A%3Alicenses::13 users need license X2"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_an_apply_stops_cleanly_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let account = dir.path().join("account");
    // Large enough that the apply is still running when the signal comes.
    vocm_testkit::generate::generate(5_000, 0, &account).unwrap();
    let vocm_bin = assert_cmd::cargo::cargo_bin("vocm");
    let mut child = std::process::Command::new(&vocm_bin)
        .env_clear()
        .current_dir(dir.path())
        .args(["apply", "--auto-approve", "-q", "account"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The journal (opened with the lock) grows with the first applied
    // change.
    let journal = dir.path().join("vocm.state.json.journal");
    let started = std::time::Instant::now();
    while std::fs::metadata(&journal).map_or(0, |m| m.len()) == 0 {
        assert!(
            started.elapsed() < std::time::Duration::from_mins(2),
            "the apply never started"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the apply ended before the signal"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted: finishing the changes in flight"),
        "{stderr}"
    );
    let summary = regex::Regex::new(
        r"Apply interrupted: (?:.*; of the plan's \d+ steps, )?(\d+) applied, 0 failed, 0 skipped, (\d+) not started\. Run `vocm plan` to see what is left\.",
    )
    .unwrap();
    let caps = summary
        .captures(&stderr)
        .unwrap_or_else(|| panic!("{stderr}"));
    let applied: usize = caps[1].parse().unwrap();
    let not_started: usize = caps[2].parse().unwrap();
    assert!(applied > 0 && not_started > 0, "{stderr}");
    // What is left is what was not started, planned again: creates only,
    // at most as many steps (a group whose new members now exist needs no
    // second step); then it converges.
    let left = vocm(dir.path())
        .args(["plan", "--detailed-exitcode", "account"])
        .assert()
        .code(2);
    let plan = String::from_utf8_lossy(&left.get_output().stdout).into_owned();
    let last = regex::Regex::new(r"Plan: (\d+) to add, 0 to change, 0 to destroy\.\n$")
        .unwrap()
        .captures(&plan)
        .unwrap_or_else(|| panic!("{plan}"));
    let to_add: usize = last[1].parse().unwrap();
    assert!(
        to_add > 0 && to_add <= not_started,
        "{to_add} > {not_started}"
    );
    vocm(dir.path())
        .args(["apply", "--auto-approve", "-q", "account"])
        .assert()
        .success();
    vocm(dir.path())
        .args(["plan", "--detailed-exitcode", "account"])
        .assert()
        .success();
}

/// A `vocm` run on a pseudo-terminal that has not been answered yet.
struct Prompted {
    child: std::process::Child,
}

impl Prompted {
    /// Starts `vocm ARGS` on a pseudo-terminal (util-linux `script`), with
    /// nothing typed yet.
    fn start(dir: &Path, args: &str) -> Self {
        let vocm = assert_cmd::cargo::cargo_bin("vocm");
        let child = std::process::Command::new("script")
            .args(["-qec", &format!("{} {args}", vocm.display()), "/dev/null"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        Self { child }
    }

    /// Waits until the run holds the state's lock (it writes its pid into
    /// the lock file once it has it), and returns that pid. The run then
    /// waits for an answer to "Apply these changes?" with the lock held.
    fn holder(&mut self, dir: &Path) -> u32 {
        let lock = dir.join("vocm.state.json.lock");
        let started = std::time::Instant::now();
        loop {
            let owner = std::fs::read_to_string(&lock)
                .ok()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
            if let Some(pid) = owner.and_then(|o| o["pid"].as_u64()) {
                return u32::try_from(pid).unwrap();
            }
            if started.elapsed() > std::time::Duration::from_mins(1)
                || self.child.try_wait().unwrap().is_some()
            {
                let _ = self.child.kill();
                let out = drain(&mut self.child);
                panic!("the first apply never took the lock: {out}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Types `answer`, then waits for the run to end.
    fn answer(mut self, answer: &str) -> (bool, String) {
        use std::io::Write as _;
        let mut stdin = self.child.stdin.take().unwrap();
        stdin.write_all(answer.as_bytes()).unwrap();
        drop(stdin);
        let out = drain(&mut self.child);
        (self.child.wait().unwrap().success(), out)
    }
}

impl Drop for Prompted {
    /// A test that fails half-way leaves no process behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads what a child prints until it ends (or is killed): its stdout, then
/// its stderr.
fn drain(child: &mut std::process::Child) -> String {
    use std::io::Read as _;
    let mut out = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut out);
    }
    let _ = child.wait();
    out
}

#[test]
fn a_second_apply_is_refused_while_a_first_one_holds_the_lock() {
    let dir = workspace();
    let before = state(dir.path());
    // The first apply plans, takes the lock, and waits for its answer.
    let mut first = Prompted::start(dir.path(), &format!("apply {}", acme()));
    let holder = first.holder(dir.path());
    // The second, without --lock-timeout, is refused and names the first.
    let second = vocm(dir.path())
        .args(["apply", "--auto-approve", &acme()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("vocm::state::locked"))
        .stderr(predicate::str::contains(format!(
            "the state is locked by pid {holder} (`"
        )))
        .stderr(predicate::str::contains("another apply is running"))
        .get_output()
        .clone();
    assert!(second.stdout.is_empty(), "the refused apply shows no plan");
    assert_eq!(state(dir.path()), before, "the refused apply wrote nothing");
    // The first one goes on once answered, and applies everything.
    let (ok, out) = first.answer("y\n");
    assert!(ok, "{out}");
    assert!(out.contains("Apply complete"), "{out}");
    vocm(dir.path())
        .args(["plan", "--detailed-exitcode", &acme()])
        .assert()
        .success()
        .stdout("No changes. The account matches the manifests.\n");
}

#[test]
fn a_second_apply_with_a_lock_timeout_waits_and_plans_after_the_first() {
    let dir = workspace();
    let mut first = Prompted::start(dir.path(), &format!("apply {}", acme()));
    first.holder(dir.path());
    let mut second = std::process::Command::new(assert_cmd::cargo::cargo_bin("vocm"))
        .env_clear()
        .env("COLUMNS", "100")
        .current_dir(dir.path())
        .args(["apply", "--auto-approve", "--lock-timeout", "5m", &acme()])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // It waits as long as the first one holds the lock.
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert!(
        second.try_wait().unwrap().is_none(),
        "the second apply did not wait for the lock: {}",
        {
            let _ = second.kill();
            drain(&mut second)
        }
    );
    let (ok, out) = first.answer("y\n");
    assert!(ok, "{out}");
    assert!(out.contains("Apply complete"), "{out}");
    // Then it plans against what the first one left: nothing to do.
    let second = second.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&second.stdout),
        "No changes. The account matches the manifests.\n",
        "{stderr}"
    );
}

/// The benchmarks' fully configured account (`gen_account --shape full`):
/// users forward to the ring group that rings them, a dependency cycle that
/// apply breaks; it validates clean, applies, and the next plan is empty,
/// and so does its drifted twin against it after one more apply.
#[test]
fn the_fully_configured_benchmark_account_applies_and_converges() {
    use vocm_testkit::generate::{Options, Shape, generate_with};
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        shape: Shape::Full,
        users: 240,
        hub: 120,
        ..Options::default()
    };
    generate_with(&options, &dir.path().join("plain")).unwrap();
    let drifted = Options {
        drift: 10,
        ..options
    };
    generate_with(&drifted, &dir.path().join("drifted")).unwrap();
    vocm(dir.path())
        .args(["validate", "--format", "json", "plain"])
        .assert()
        .success()
        .stdout("[]\n");
    vocm(dir.path())
        .args(["apply", "-q", "--auto-approve", "drifted"])
        .assert()
        .success();
    vocm(dir.path())
        .args(["plan", "--detailed-exitcode", "drifted"])
        .assert()
        .code(0);
    // 1 user in 10 differs, and the group that 120 users reach.
    vocm(dir.path())
        .args(["plan", "plain"])
        .assert()
        .code(0)
        .stdout(predicate::str::ends_with(
            "Plan: 0 to add, 25 to change, 0 to destroy.\n",
        ));
    vocm(dir.path())
        .args(["apply", "-q", "--auto-approve", "plain"])
        .assert()
        .success();
    vocm(dir.path())
        .args(["plan", "--detailed-exitcode", "plain"])
        .assert()
        .code(0);
}

#[test]
fn a_kind_in_capitals_gets_a_suggestion_in_lowercase() {
    let dir = workspace();
    let out = vocm(dir.path())
        .args(["plan", "--target", "Site:paris", &acme()])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    insta::assert_snapshot!("target_kind_suggestion", String::from_utf8(out).unwrap());
}

#[test]
fn plan_time_problems_show_their_source_lines() {
    // A user the manifests do not manage holds what Nina is to get: each
    // refusal points at the manifest line, with its snippet, as
    // validation's diagnostics do.
    let dir = workspace();
    let mut s: serde_json::Value = serde_json::from_slice(&state(dir.path())).unwrap();
    let mut ghost = s["account"]["users"]["marc.girard"].clone();
    ghost["phone_numbers"] = serde_json::json!(["+33472000005"]);
    ghost["devices"] = serde_json::json!(["lyon-desk-05"]);
    ghost["extension"] = "2005".into();
    s["account"]["users"]["ghost"] = ghost;
    s["licenses"] = serde_json::json!({"X2": 12, "X4": 20});
    std::fs::write(
        dir.path().join("vocm.state.json"),
        serde_json::to_vec(&s).unwrap(),
    )
    .unwrap();
    let out = vocm(&root())
        .arg("--state")
        .arg(dir.path().join("vocm.state.json"))
        .args(["plan", "examples/acme"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    insta::assert_snapshot!("plan_time_sources", String::from_utf8(out).unwrap());
}

#[test]
fn a_large_plan_reads_the_same_streamed_and_saved() {
    // 300 new users (330 new call paths with their ring groups): the text
    // plan alone is written as it is rendered and traces whole only the
    // new call paths it shows; with `-o` every path is traced for the
    // saved plan, and the text is the same. So are the Markdown, the
    // JSON, and the text an apply shows before it applies.
    let dir = tempfile::tempdir().unwrap();
    let account = dir.path().join("account");
    vocm_testkit::generate::generate(300, 0, &account).unwrap();
    let account = account.display().to_string();
    let out = |args: &[&str]| {
        let o = vocm(dir.path()).args(args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let streamed = out(&["plan", &account]);
    let saved = out(&["plan", "-o", "plan.json", &account]);
    assert_eq!(streamed, saved);
    assert!(
        streamed.contains("Call paths that change: 330 new."),
        "{streamed}"
    );
    assert!(streamed.ends_with("Plan: 980 to add, 0 to change, 0 to destroy.\n"));
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("plan.json")).unwrap()).unwrap();
    assert_eq!(file["call_paths"].as_array().unwrap().len(), 330);
    assert_eq!(
        out(&["plan", "--format", "markdown", &account]),
        out(&["plan", "--format", "markdown", "-o", "plan2.json", &account])
    );
    assert_eq!(
        out(&["plan", "--format", "json", &account]),
        out(&["plan", "--format", "json", "-o", "plan3.json", &account])
    );
    let applied = out(&["apply", "--auto-approve", &account]);
    assert!(applied.starts_with(&streamed), "{applied}");
}
