//! The API key never shows: not in stdout or stderr at any verbosity or
//! diagnostics format, not on any error path, not in plan files, states or
//! exports. Every output of every run here is searched for it.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use vocm_testkit::sandbox as support;

use std::path::{Path, PathBuf};

use support::{KEY, Sandbox};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs vocm with `key` in the environment; fails the test if the key is
/// in its output. Answers the exit code.
fn run(dir: &Path, key: &str, args: &[&str]) -> Option<i32> {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("vocm"))
        .env_clear()
        .env("VOCM_API_KEY", key)
        .env("COLUMNS", "100")
        .current_dir(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    for (name, stream) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains(key),
            "the key is in the {name} of vocm {args:?}:\n{text}"
        );
    }
    out.status.code()
}

/// Every file under `dir`, searched for the key.
fn assert_no_key_in_files(dir: &Path, key: &str) {
    let mut stack = vec![dir.to_owned()];
    let mut seen = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                seen += 1;
                let bytes = std::fs::read(&p).unwrap();
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(key),
                    "the key is in {}",
                    p.display()
                );
            }
        }
    }
    assert!(seen > 0);
}

#[test]
fn the_key_never_shows_on_success_or_failure() {
    let s = Sandbox::start(&[]);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let acme = root().join("examples/acme").display().to_string();
    let http = ["--provider", "http", "--endpoint", s.base.as_str()];
    let with = |extra: &[&str], args: &[&str]| -> Vec<String> {
        http.iter()
            .chain(extra)
            .chain(args)
            .map(|a| (*a).to_owned())
            .collect()
    };
    let go = |key: &str, args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run(dir, key, &refs)
    };

    // Successes, at every verbosity and in every format.
    for verbosity in [&[][..], &["-v"], &["-q"]] {
        for format in ["text", "json", "github"] {
            let extra: Vec<&str> = verbosity
                .iter()
                .copied()
                .chain(["--diagnostics", format])
                .collect();
            assert_eq!(go(KEY, with(&extra, &["plan", &acme])), Some(0));
        }
    }
    assert_eq!(
        go(KEY, with(&["-v"], &["plan", "-o", "plan.json", &acme])),
        Some(0)
    );
    assert_eq!(go(KEY, with(&["-v"], &["apply", "plan.json"])), Some(0));
    assert_eq!(
        go(
            KEY,
            with(
                &["-v"],
                &["apply", "--auto-approve", "--format", "json", &acme]
            )
        ),
        Some(0)
    );
    assert_eq!(
        go(KEY, with(&["-v"], &["export", "-o", "exported"])),
        Some(0)
    );
    // A stale plan, refused.
    assert_eq!(
        go(KEY, with(&[], &["plan", "-q", "-o", "old.json", &acme])),
        Some(0)
    );
    let mut u = s.list(vocm_api::Collection::Users).remove(0);
    u["basicInfo"]["firstName"] = serde_json::json!("Changed");
    let id = u["basicInfo"]["userId"].as_str().unwrap().to_owned();
    let (status, _) = s.send(
        reqwest::Method::PUT,
        &format!("/users/{id}"),
        vocm_api::Collection::Users.media_type(),
        &u,
    );
    assert_eq!(status, 202);
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(go(KEY, with(&["-v"], &["apply", "old.json"])), Some(1));

    // Failures: a wrong key (which must not show either), a closed port,
    // a refused endpoint, credentials in the URL.
    let wrong = "k-wrong-7c1d4e";
    for format in ["text", "json", "github"] {
        assert_eq!(
            go(
                wrong,
                with(&["-v", "--diagnostics", format], &["plan", &acme])
            ),
            Some(1)
        );
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let closed = format!("http://{closed}");
    assert_eq!(
        run(
            dir,
            KEY,
            &[
                "-v",
                "--provider",
                "http",
                "--endpoint",
                &closed,
                "apply",
                "--auto-approve",
                &acme
            ]
        ),
        Some(1)
    );
    let with_credentials = format!("https://admin:{KEY}@api.example.com/");
    assert_eq!(
        run(
            dir,
            KEY,
            &[
                "--provider",
                "http",
                "--endpoint",
                &with_credentials,
                "plan",
                &acme
            ]
        ),
        Some(1)
    );
    assert_eq!(
        run(
            dir,
            KEY,
            &[
                "--provider",
                "http",
                "--endpoint",
                "http://api.example.com",
                "export",
                "-o",
                "x"
            ]
        ),
        Some(1)
    );

    // Nothing written holds it: plan files, the export, the local state of
    // a run with the key in the environment.
    assert_eq!(
        run(
            dir,
            KEY,
            &[
                "--state",
                "local.json",
                "apply",
                "--auto-approve",
                "-q",
                &acme
            ]
        ),
        Some(0)
    );
    assert_no_key_in_files(dir, KEY);
    s.stop();
}
