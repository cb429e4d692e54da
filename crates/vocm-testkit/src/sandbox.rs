//! What the HTTP tests share: a real `vocm-sandbox` on 127.0.0.1, port 0,
//! and vocm run against it.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)] // test support fails loudly

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The key the sandboxes of the tests accept.
pub const KEY: &str = "k-test-5ecret-9f3a";

/// The `vocm-sandbox` binary beside the running test's. It lives in
/// another package of the workspace: `cargo test` builds it (its package
/// has integration tests), a test of one package alone may not.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // target/<profile>/deps/<test> → target/<profile>/vocm-sandbox.
        // (assert_cmd's cargo_bin panics for a binary of another package.)
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe
            .parent()
            .filter(|d| d.file_name().is_some_and(|n| n == "deps"))
            .and_then(Path::parent)
            .or_else(|| exe.parent())
            .unwrap()
            .to_owned();
        let path = profile_dir.join(format!("vocm-sandbox{}", std::env::consts::EXE_SUFFIX));
        // `cargo test` (every crate of the workspace) builds it; a test run
        // of one package may not have.
        assert!(
            path.exists(),
            "{} is not built: run `cargo build -p vocm-sandbox` first, or the whole `cargo test`",
            path.display()
        );
        path
    })
}

/// A running sandbox, killed when dropped.
#[derive(Debug)]
pub struct Sandbox {
    pub child: Child,
    pub stdout: BufReader<ChildStdout>,
    /// Kept with `--verbose` only.
    stderr: Option<ChildStderr>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    http: reqwest::blocking::Client,
}

impl Sandbox {
    /// Starts the sandbox with raised rate limits unless `args` give
    /// theirs: tests are about behaviour, the benchmark about pace.
    pub fn start(args: &[&str]) -> Sandbox {
        let mut all = vec!["--api-key", KEY];
        if !args.contains(&"--listen") {
            all.extend(["--listen", "127.0.0.1:0"]);
        }
        if !args.contains(&"--rate-limit") {
            all.extend(["--rate-limit", "100000", "--burst", "100000"]);
        }
        all.extend(args);
        let mut child = Command::new(binary())
            .args(&all)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(if args.contains(&"--verbose") {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let stderr = child.stderr.take();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let address = line.trim();
        assert!(address.starts_with("127.0.0.1:"), "first line: {line:?}");
        let base = format!("http://{address}");
        // reqwest is built without a default crypto provider (see Client::new).
        let _ = rustls::crypto::ring::default_provider().install_default();
        Sandbox {
            child,
            stdout,
            stderr,
            base,
            http: reqwest::blocking::Client::new(),
        }
    }

    /// Stops it with SIGTERM, as a service manager does, and waits: it
    /// saves `--data` on the way out and exits 0, having printed nothing
    /// but its address on stdout. Answers its stderr (with `--verbose`).
    pub fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "the sandbox did not stop");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "{status}");
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "", "nothing but the address on stdout");
        let mut log = String::new();
        if let Some(mut e) = self.stderr.take() {
            e.read_to_string(&mut log).unwrap();
        }
        log
    }

    /// A GET of the API, with the key.
    pub fn get(&self, path: &str, media: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("x-api-key", KEY)
            .header("accept", media)
            .send()
            .unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().unwrap()
    }

    /// A write of the API, with the key; answers the status and body.
    pub fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        media: &str,
        body: &Value,
    ) -> (u16, Value) {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-api-key", KEY)
            .header("accept", media)
            .header("content-type", media)
            .body(body.to_string())
            .send()
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// The counters of `/_sandbox/stats`.
    pub fn stats(&self) -> Value {
        self.get("/_sandbox/stats", "application/json")
    }

    /// Every resource of a collection (one page of up to 1,000).
    pub fn list(&self, collection: vocm_api::Collection) -> Vec<Value> {
        let page = self.get(
            &format!("{}?pageSize=1000", collection.path()),
            collection.media_type(),
        );
        page["data"].as_array().cloned().unwrap_or_default()
    }

    /// vocm on the http provider against this sandbox, with the key in
    /// the environment, run from `dir`.
    pub fn vocm(&self, dir: &Path) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("vocm").unwrap();
        cmd.env_clear()
            .env("COLUMNS", "100")
            .env("VOCM_API_KEY", KEY)
            .env("VOCM_PROVIDER", "http")
            .env("VOCM_ENDPOINT", &self.base)
            .current_dir(dir);
        cmd
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Output of a finished run, checked never to hold the key.
pub fn no_key(out: &std::process::Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stdout.contains(KEY) && !stderr.contains(KEY),
        "the key leaked:\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}
