//! Snapshot of the rendered diagnostics (text and JSON) for every
//! diagnostic code, from fixtures in `tests/fixtures/diagnostics/<case>/`
//! and a few cases that must be generated (huge, deep or binary input).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use vocm_testkit::sandbox as support;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use vocm_core::diagnostics::text::TextStyle;
use vocm_core::diagnostics::{Code, json, text};
use vocm_core::validate::validate_paths;

const STYLE: TextStyle = TextStyle {
    color: false,
    width: 100,
};

/// Validates `paths` as if run from `dir`; returns the text rendering, the
/// JSON rendering, and the codes seen.
fn run(dir: &Path, paths: &[PathBuf]) -> (String, BTreeSet<&'static str>) {
    let v = validate_paths(paths, Some(dir));
    let codes = v.diagnostics.iter().map(|d| d.code.as_str()).collect();
    let rendered = format!(
        "{}\n--- json ---\n{}",
        text::render_all(v.diagnostics.iter(), &v.raw.sources, STYLE),
        json::render(v.diagnostics.iter(), &v.raw.sources)
    );
    (rendered, codes)
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diagnostics")
}

/// Cases whose input is made by the test: too big, too deep or not text
/// to commit.
fn generated(name: &str, dir: &Path) -> Vec<PathBuf> {
    match name {
        "input-not-found" => vec![dir.join("missing.yaml")],
        "input-no-manifests" => {
            std::fs::create_dir_all(dir.join("empty")).unwrap();
            std::fs::write(dir.join("empty/README.md"), "no manifests here").unwrap();
            vec![dir.join("empty")]
        }
        "input-encoding" => {
            std::fs::write(dir.join("latin1.yaml"), b"account:\n  pbx: caf\xe9\n").unwrap();
            vec![dir.join("latin1.yaml")]
        }
        "input-too-large" => {
            let f = std::fs::File::create(dir.join("huge.yaml")).unwrap();
            // Sparse: the size is what is checked, nothing is written.
            f.set_len(vocm_core::manifest::limits::MAX_FILE_BYTES + 1)
                .unwrap();
            vec![dir.join("huge.yaml")]
        }
        "input-read" => {
            std::fs::create_dir_all(dir.join("manifests")).unwrap();
            std::fs::write(dir.join("manifests/account.yaml"), "account: {pbx: acme}\n").unwrap();
            #[cfg(unix)]
            std::os::unix::fs::symlink("..", dir.join("manifests/loop")).unwrap();
            vec![dir.join("manifests")]
        }
        "yaml-too-deep" => {
            // Block sequences one inside the other, then the same depth in
            // flow style, where the parser's own limit answers. (The
            // 10,000-level case is in the hostile-input tests.)
            let depth = 300;
            std::fs::create_dir_all(dir.join("deep")).unwrap();
            std::fs::write(
                dir.join("deep/block.yaml"),
                format!("{}x\n", "- ".repeat(depth)),
            )
            .unwrap();
            let flow = format!("{}{}\n", "[".repeat(depth), "]".repeat(depth));
            std::fs::write(dir.join("deep/flow.yaml"), flow).unwrap();
            vec![dir.join("deep")]
        }
        _ => unreachable!("unknown generated case {name}"),
    }
}

const GENERATED: [&str; 6] = [
    "input-not-found",
    "input-no-manifests",
    "input-encoding",
    "input-too-large",
    "input-read",
    "yaml-too-deep",
];

#[test]
fn every_diagnostic_code_has_a_snapshot() {
    let mut seen = BTreeSet::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        // Inputs that would bloat the repository are made here.
        if name == "audio-too-large" {
            // Git keeps no empty directory: a fresh clone lacks `audio/`.
            std::fs::create_dir_all(case.join("audio")).unwrap();
            let f = std::fs::File::create(case.join("audio/greeting.wav")).unwrap();
            let mut header = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
            header.resize(16, 0);
            (&f).write_all(&header).unwrap();
            f.set_len(11 * 1024 * 1024).unwrap();
        }
        let (out, codes) = run(case, std::slice::from_ref(case));
        if name == "audio-too-large" {
            std::fs::remove_file(case.join("audio/greeting.wav")).unwrap();
        }
        insta::assert_snapshot!(format!("diag_{name}"), out);
        seen.extend(codes);
    }
    for name in GENERATED {
        let tmp = tempfile::tempdir().unwrap();
        let paths = generated(name, tmp.path());
        let (out, codes) = run(tmp.path(), &paths);
        insta::assert_snapshot!(format!("diag_{name}"), out);
        seen.extend(codes);
    }
    plan_cases(&mut seen);
    cli_cases(&mut seen);
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes without a snapshot: {missing:?}");
}

/// The bundled state, as JSON to edit.
fn acme_state() -> serde_json::Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(root.join("examples/acme.state.json")).unwrap()).unwrap()
}

/// Plan-time rules: manifests against a state, through the library.
fn plan_cases(seen: &mut BTreeSet<&'static str>) {
    use vocm_core::plan::desired::{Context, desired};
    use vocm_core::provider::Provider as _;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run_plan = |name: &str,
                    manifests: &Path,
                    state: serde_json::Value,
                    claim: bool,
                    seen: &mut BTreeSet<&'static str>| {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("state.json");
        std::fs::write(&path, serde_json::to_vec(&state).unwrap()).unwrap();
        let snapshot = vocm_core::provider::local::LocalProvider::new(&path)
            .snapshot()
            .unwrap();
        let cwd = if manifests.starts_with(root) {
            root
        } else {
            manifests.parent().unwrap()
        };
        let v = validate_paths(&[manifests.to_owned()], Some(cwd));
        assert!(!v.diagnostics.has_errors(), "{name}: {:?}", v.diagnostics);
        let (audio, _) = vocm_core::manifest::audio::read_audio(&v.raw, &v.manifest);
        let cx = Context {
            raw: &v.raw,
            current: &snapshot.account,
            audio: &audio,
            licenses: snapshot.licenses.as_ref(),
            can_claim_numbers: claim,
        };
        let (_, diagnostics) = desired(&v.manifest, &cx);
        let out = format!(
            "{}\n--- json ---\n{}",
            text::render_all(diagnostics.iter(), &v.raw.sources, STYLE),
            json::render(diagnostics.iter(), &v.raw.sources)
        );
        insta::assert_snapshot!(format!("diag_{name}"), out);
        seen.extend(diagnostics.iter().map(|d| d.code.as_str()));
    };
    let acme = root.join("examples/acme");

    let mut licenses = acme_state();
    licenses["licenses"] = serde_json::json!({"X2": 5, "X4": 4});
    run_plan("plan-licenses", &acme, licenses, true, seen);

    // A user the manifests do not manage holds what Nina is to get.
    let mut held = acme_state();
    let mut ghost = held["account"]["users"]["marc.girard"].clone();
    ghost["phone_number"] = "+33472000005".into();
    ghost["device"] = "lyon-desk-05".into();
    ghost["extension"] = "2005".into();
    held["account"]["users"]["ghost"] = ghost;
    run_plan("plan-held", &acme, held, true, seen);

    // An account whose provider cannot claim the numbers it lacks.
    let mut lacking = acme_state();
    lacking["account"]["phone_numbers"]
        .as_object_mut()
        .unwrap()
        .remove("+33472000005");
    run_plan("plan-number-missing", &acme, lacking, false, seen);

    // Unmanaged users take the whole range an `auto` extension needs.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("m.yaml"),
        "account: {pbx: acme}\naddresses:\n  hq: {street: 1 rue A, city: Paris, postal_code: \"75001\", country: FR}\nsites:\n  paris: {name: Paris, address: hq, locale: fr-FR, timezone: Europe/Paris, extension_range: 1000-1001}\nphone_numbers: {\"+33170000001\": {}}\ndevices: {d1: {model: Poly VVX 450, mac: \"00:04:f2:00:00:01\"}}\nusers:\n  newcomer: {first_name: New, last_name: Comer, email: n@example.com, license: X2, phone_number: \"+33170000001\", extension: auto, device: d1}\n",
    )
    .unwrap();
    let mut full = acme_state();
    let template = full["account"]["users"]["marc.girard"].clone();
    full["account"]["users"] = serde_json::json!({});
    for (key, ext, number, device) in [
        ("taken1", "1000", "+33170000002", "x1"),
        ("taken2", "1001", "+33170000003", "x2"),
    ] {
        let mut u = template.clone();
        u["extension"] = ext.into();
        u["phone_number"] = number.into();
        u["caller_id"]["number"] = number.into();
        u["device"] = device.into();
        full["account"]["users"][key] = u;
    }
    run_plan(
        "plan-extension-range-full",
        &tmp.path().join("m.yaml"),
        full,
        true,
        seen,
    );
}

/// Errors of the CLI itself (saved plans, state, apply, export), from the
/// binary's stderr with the scratch directory's path replaced.
fn cli_cases(seen: &mut BTreeSet<&'static str>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let acme = root.join("examples/acme").display().to_string();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let reset = || {
        std::fs::copy(
            root.join("examples/acme.state.json"),
            dir.join("vocm.state.json"),
        )
        .unwrap();
    };
    let run_env =
        |name: &str, envs: &[(&str, &str)], args: &[&str], seen: &mut BTreeSet<&'static str>| {
            let vocm = assert_cmd::cargo::cargo_bin("vocm");
            // Both runs start from the same state.
            let saved = std::fs::read(dir.join("vocm.state.json")).ok();
            let out = std::process::Command::new(&vocm)
                .env_clear()
                .envs(envs.iter().copied())
                .env("COLUMNS", "100")
                .current_dir(dir)
                .args(args)
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            if let Some(bytes) = &saved {
                std::fs::write(dir.join("vocm.state.json"), bytes).unwrap();
            }
            let json = std::process::Command::new(&vocm)
                .env_clear()
                .envs(envs.iter().copied())
                .current_dir(dir)
                .arg("--diagnostics")
                .arg("json")
                .args(args)
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stderr)
                .replace(&dir.display().to_string(), "[TMP]")
                .replace(&root.display().to_string(), "[ROOT]");
            let text = regex::Regex::new(r"127\.0\.0\.1:\d+")
                .unwrap()
                .replace_all(&text, "127.0.0.1:[PORT]")
                .into_owned();
            // A fingerprint changes with the bundled state: keep its shape only.
            let text = regex::Regex::new("sha256:[0-9a-f]{64}")
                .unwrap()
                .replace_all(&text, "sha256:[…]")
                .into_owned();
            insta::assert_snapshot!(format!("diag_{name}"), text);
            let stdout = String::from_utf8_lossy(&json.stdout);
            for line in stdout.lines() {
                if let Some(code) = line.trim().strip_prefix("\"code\": \"") {
                    let code = code.trim_end_matches("\",");
                    if let Some(c) = Code::ALL.iter().find(|c| c.as_str() == code) {
                        seen.insert(c.as_str());
                    }
                }
            }
        };

    let run_cli = |name: &str, args: &[&str], seen: &mut BTreeSet<&'static str>| {
        run_env(name, &[], args, seen);
    };

    reset();
    run_cli(
        "route-unknown-entry",
        &["route", "+33 9 99 99 99 99", &acme],
        seen,
    );
    run_cli(
        "http-endpoint",
        &[
            "--provider",
            "http",
            "--endpoint",
            "http://pbx.example.com",
            "plan",
            &acme,
        ],
        seen,
    );
    run_cli(
        "http-no-key",
        &[
            "--provider",
            "http",
            "--endpoint",
            "http://127.0.0.1:9",
            "plan",
            &acme,
        ],
        seen,
    );
    // A port nothing listens on: bound, then released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let closed = format!("http://{closed}");
    run_env(
        "http-unreachable",
        &[("VOCM_API_KEY", "k-secret-1234")],
        &["--provider", "http", "--endpoint", &closed, "plan", &acme],
        seen,
    );
    run_cli(
        "args-target",
        &["plan", "--target", "user:nina.rou", &acme],
        seen,
    );
    run_cli("apply-not-confirmed", &["apply", &acme], seen);

    std::fs::write(
        dir.join("future.json"),
        r#"{"format_version": 2, "changes": []}"#,
    )
    .unwrap();
    run_cli("plan-unreadable", &["apply", "future.json"], seen);

    run_cli("plan-save", &["plan", "-q", "-o", "plan.json", &acme], seen);
    std::fs::copy(dir.join("vocm.state.json"), dir.join("other.json")).unwrap();
    run_cli(
        "plan-foreign",
        &["--state", "other.json", "apply", "plan.json"],
        seen,
    );
    run_cli(
        "plan-target-first",
        &[
            "apply",
            "-q",
            "--auto-approve",
            "--target",
            "user:nina.roux",
            &acme,
        ],
        seen,
    );
    run_cli("plan-stale", &["apply", "plan.json"], seen);

    // A plan edited by hand so that it no longer fits the account.
    reset();
    run_cli(
        "plan-save-again",
        &["plan", "-q", "-o", "plan.json", &acme],
        seen,
    );
    let mut plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("plan.json")).unwrap()).unwrap();
    for c in plan["changes"].as_array_mut().unwrap() {
        if c["id"]["key"] == "nina.roux" {
            c["id"]["key"] = "marc.girard".into();
        }
    }
    std::fs::write(dir.join("plan.json"), serde_json::to_vec(&plan).unwrap()).unwrap();
    run_cli("apply-conflict", &["apply", "plan.json"], seen);

    reset();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("vocm.state.json.lock"))
        .unwrap();
    lock.lock().unwrap();
    std::fs::write(
        dir.join("vocm.state.json.lock"),
        r#"{"pid":4242,"command":"vocm apply","started_unix":1796000000}"#,
    )
    .unwrap();
    run_cli("state-locked", &["apply", "--auto-approve", &acme], seen);
    drop(lock);

    std::fs::write(
        dir.join("broken.json"),
        "{\"vocm_state\": 1,\n  \"account\": [}\n",
    )
    .unwrap();
    run_cli(
        "state-invalid",
        &["--state", "broken.json", "plan", &acme],
        seen,
    );
    // The lock file's place is taken by a directory.
    std::fs::create_dir_all(dir.join("blocked.json.lock")).unwrap();
    run_cli(
        "state-write",
        &["--state", "blocked.json", "apply", "--auto-approve", &acme],
        seen,
    );

    let prune = dir.join("prune");
    std::fs::create_dir_all(&prune).unwrap();
    for f in ["sites.yaml", "numbers.yaml", "devices.yaml"] {
        std::fs::copy(root.join("examples/acme").join(f), prune.join(f)).unwrap();
    }
    std::fs::write(
        prune.join("account.yaml"),
        "account: {pbx: acme, country: FR, prune: true}\n",
    )
    .unwrap();
    run_cli(
        "apply-mass-delete",
        &["apply", "-q", "--auto-approve", "prune"],
        seen,
    );

    std::fs::create_dir_all(dir.join("not-empty")).unwrap();
    std::fs::write(dir.join("not-empty/users.yaml"), "users: {}\n").unwrap();
    run_cli("export-write", &["export", "-o", "not-empty"], seen);

    http_cases(&acme, seen);
}

/// The HTTP provider's errors, against a real sandbox (and, for a server
/// that only ever fails, a listener that answers 503).
fn http_cases(acme: &str, seen: &mut BTreeSet<&'static str>) {
    use reqwest::Method;
    use support::Sandbox;
    use vocm_api::Collection;

    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    // One run, text only (a second run would meet what the first did).
    let once =
        |name: &str, s: &str, key: &str, args: &[&str], seen: &mut BTreeSet<&'static str>| {
            let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("vocm"))
                .env_clear()
                .env("COLUMNS", "100")
                .env("VOCM_API_KEY", key)
                .current_dir(dir)
                .args(["--provider", "http", "--endpoint", s])
                .args(args)
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(!text.contains(support::KEY), "{text}");
            let text = regex::Regex::new(r"127\.0\.0\.1:\d+")
                .unwrap()
                .replace_all(&text, "127.0.0.1:[PORT]");
            let text = regex::Regex::new(r"op_[0-9a-f]{24}")
                .unwrap()
                .replace_all(&text, "op_[…]")
                .replace(&dir.display().to_string(), "[TMP]")
                .replace(env!("CARGO_MANIFEST_DIR"), "[ROOT]");
            for line in text.lines() {
                if let Some(c) = Code::ALL.iter().find(|c| c.as_str() == line.trim()) {
                    seen.insert(c.as_str());
                }
            }
            insta::assert_snapshot!(format!("diag_{name}"), text);
        };

    let s = Sandbox::start(&[]);
    once(
        "http-unauthorized",
        &s.base,
        "not-the-key",
        &["plan", acme],
        seen,
    );

    // A user the API refuses: its name is taken, in another case, by a
    // user vocm does not manage.
    s.vocm(dir)
        .args(["apply", "-q", "--auto-approve", acme])
        .assert()
        .success();
    let users = s.list(Collection::Users);
    let alice = users
        .iter()
        .find(|u| u["basicInfo"]["userName"] == "alice.martin")
        .unwrap();
    let id = alice["basicInfo"]["userId"].as_str().unwrap();
    let site = alice["basicInfo"]["site"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let media = Collection::Users.media_type();
    assert_eq!(
        s.send(
            Method::DELETE,
            &format!("/users/{id}"),
            media,
            &serde_json::Value::Null
        )
        .0,
        202
    );
    let twin = serde_json::json!({"basicInfo": {
        "userName": "Alice.Martin", "firstName": "Alice", "lastName": "Martin",
        "primaryEmail": "alice.m@acme.example", "site": {"id": site}}});
    assert_eq!(s.send(Method::POST, "/users", media, &twin).0, 202);
    once(
        "http-rejected",
        &s.base,
        support::KEY,
        &["apply", "-q", "--auto-approve", acme],
        seen,
    );
    drop(s);

    // An operation that fails when it completes: a ring group takes the
    // extension a user moves to while the user's change is in flight.
    let data = dir.join("sandbox.json");
    let data_arg = data.display().to_string();
    let s = Sandbox::start(&["--data", &data_arg]);
    s.vocm(dir)
        .args(["apply", "-q", "--auto-approve", acme])
        .assert()
        .success();
    s.stop();
    let s = Sandbox::start(&["--data", &data_arg, "--op-delay-ms", "2500"]);
    let moved = dir.join("moved");
    std::fs::create_dir_all(&moved).unwrap();
    for f in [
        "account.yaml",
        "sites.yaml",
        "numbers.yaml",
        "devices.yaml",
        "audio.yaml",
        "call-flows.yaml",
    ] {
        std::fs::copy(Path::new(acme).join(f), moved.join(f)).unwrap();
    }
    std::fs::create_dir_all(moved.join("users")).unwrap();
    std::fs::create_dir_all(moved.join("audio")).unwrap();
    for f in [
        "audio/hold-jazz.wav",
        "audio/welcome.wav",
        "users/paris.yaml",
    ] {
        std::fs::copy(Path::new(acme).join(f), moved.join(f)).unwrap();
    }
    let lyon = std::fs::read_to_string(Path::new(acme).join("users/lyon.yaml")).unwrap();
    assert!(lyon.contains("extension: 2005"));
    std::fs::write(
        moved.join("users/lyon.yaml"),
        lyon.replace("extension: 2005", "extension: 2099"),
    )
    .unwrap();
    let ghost = serde_json::json!({"name": "Ghost", "extensionNumber": "2099"});
    assert_eq!(
        s.send(
            Method::POST,
            "/ring-groups",
            Collection::RingGroups.media_type(),
            &ghost
        )
        .0,
        202
    );
    once(
        "http-operation-failed",
        &s.base,
        support::KEY,
        &["apply", "-q", "--auto-approve", "moved"],
        seen,
    );
    drop(s);

    // A server that only ever answers 503.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let failing = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{BufRead as _, BufReader};
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let body = r#"{"status":503,"title":"Service Unavailable","errors":[]}"#;
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    once(
        "http-unavailable",
        &failing,
        support::KEY,
        &["plan", acme],
        seen,
    );
}
