//! Crash safety, the short version of `bench/crash.sh`: `vocm apply`
//! killed with SIGKILL part-way, on the local provider and against the
//! sandbox. After each kill the account can be planned and holds nothing
//! twice; one more apply converges.

#![cfg(unix)]
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use vocm_testkit::sandbox as support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use support::{KEY, Sandbox};

/// vocm with `args`, from `dir`, the key in the environment.
fn vocm(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("vocm"));
    cmd.env_clear()
        .env("VOCM_API_KEY", KEY)
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Applies, killing the run after each of `fractions` of a whole apply's
/// time; checks the account after each kill with `check`, then converges.
fn kill_and_converge(dir: &Path, provider: &[&str], reset: &dyn Fn(), check: &dyn Fn()) {
    let args = |cmd: &[&str]| -> Vec<String> {
        provider
            .iter()
            .chain(cmd)
            .map(|s| (*s).to_owned())
            .collect()
    };
    let apply = args(&["apply", "-q", "--auto-approve", "account"]);
    let apply: Vec<&str> = apply.iter().map(String::as_str).collect();
    let plan = args(&["plan", "-q", "--detailed-exitcode", "account"]);
    let plan: Vec<&str> = plan.iter().map(String::as_str).collect();

    let started = Instant::now();
    assert!(vocm(dir, &apply).status().unwrap().success());
    let whole = started.elapsed();
    reset();
    for fraction in [0.15, 0.4, 0.7] {
        let mut child = vocm(dir, &apply).spawn().unwrap();
        std::thread::sleep(whole.mul_f64(fraction));
        let _ = child.kill();
        let _ = child.wait();
        let code = vocm(dir, &plan).status().unwrap().code();
        assert!(
            matches!(code, Some(0 | 2)),
            "the account cannot be planned: {code:?}"
        );
        check();
    }
    assert!(vocm(dir, &apply).status().unwrap().success());
    assert_eq!(vocm(dir, &plan).status().unwrap().code(), Some(0));
    check();
}

#[test]
fn a_killed_local_apply_loses_nothing_it_applied() {
    let dir = tempfile::tempdir().unwrap();
    vocm_testkit::generate::generate(1_000, 0, &dir.path().join("account")).unwrap();
    let state = dir.path().join("vocm.state.json");
    let reset = || {
        let _ = std::fs::remove_file(&state);
        let _ = std::fs::remove_file(dir.path().join("vocm.state.json.journal"));
    };
    // The state maps each key to one resource: readable is what matters.
    kill_and_converge(dir.path(), &[], &reset, &|| {});
}

#[test]
fn a_killed_http_apply_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    vocm_testkit::generate::generate(40, 0, &dir.path().join("account")).unwrap();
    let data = dir.path().join("sandbox.json");
    let data_arg = data.display().to_string();
    let start = |listen: &str| {
        Sandbox::start(&[
            "--listen",
            listen,
            "--data",
            &data_arg,
            "--op-delay-ms",
            "20",
        ])
    };
    let sandbox = std::cell::RefCell::new(Some(start("127.0.0.1:0")));
    let base = sandbox.borrow().as_ref().unwrap().base.clone();
    let listen = base.trim_start_matches("http://").to_owned();
    let provider = ["--provider", "http", "--endpoint", base.as_str()];
    let reset = || {
        // A new, empty account on the same port.
        drop(sandbox.borrow_mut().take());
        let _ = std::fs::remove_file(&data);
        *sandbox.borrow_mut() = Some(start(&listen));
    };
    let limit = {
        let out = Command::new(assert_cmd::cargo::cargo_bin("vocm"))
            .env_clear()
            .current_dir(dir.path())
            .args([
                "--state",
                "empty.json",
                "plan",
                "--format",
                "json",
                "account",
            ])
            .output()
            .unwrap();
        let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let users = plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"]["kind"] == "user" && c["action"] == "create")
            .count();
        users as u64
    };
    let check = || {
        let stats = sandbox.borrow().as_ref().unwrap().stats();
        for kind in ["USER", "DEVICE", "RING_GROUP", "SITE", "ADDRESS"] {
            let n = stats["resources"][kind].as_u64().unwrap();
            let max = match kind {
                "USER" | "DEVICE" => limit,
                "RING_GROUP" => limit / 10,
                _ => 4,
            };
            assert!(n <= max, "{n} of {kind}: more than the manifests define");
        }
    };
    kill_and_converge(dir.path(), &provider, &reset, &check);
}
