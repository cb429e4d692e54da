//! A rehearsal of the CI files on this machine, for `tests/ci_recipes.rs`:
//! jobs of the GitHub workflow (with the composite action in `action.yml`)
//! and of the GitLab pipeline run their shell steps with bash, as the
//! runners would, in scratch directories, against a `vocm-sandbox` that
//! stands in for the account's API.
//!
//! Stand-ins, all documented where they are made:
//! - the release: the vocm and vocm-sandbox just built, packed as the
//!   release's `vocm-x86_64-unknown-linux-musl.tar.gz` with a SHA256SUMS,
//!   served by the fake `curl`; vocm is on no PATH until a step installs it;
//! - `curl`, `gh` and `apt-get`: scripts in `tests/ci/fake-bin/` that
//!   record their calls and keep the pull request's comments (GitHub) or
//!   the merge request's notes (GitLab) in files;
//! - `${{ … }}`: evaluated by `expr.rs` over the contexts `github.rs`
//!   builds (an event, a repository `acme/telephony`, environments'
//!   secrets); GitLab's predefined and project variables in `gitlab.rs`;
//! - the API's endpoint: the recipes' `VOCM_ENDPOINT` becomes the sandbox's.

#![allow(dead_code)] // each test uses part of it

pub mod expr;
pub mod github;
pub mod gitlab;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;
use vocm_testkit::sandbox::Sandbox;

/// Where the recipes download vocm from (their placeholder).
pub const REPO: &str = "your-org/vocm";
/// The release the recipes install: the crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The release's Linux archive, which both recipes download.
pub const ARCHIVE: &str = "vocm-x86_64-unknown-linux-musl.tar.gz";
/// The PATH of a runner, without any vocm: the fake tools go before it.
const SYSTEM_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A YAML file of the repository as JSON.
pub fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The release directory the fake curl serves: built once per test
/// process, from the binaries of this build.
pub fn releases() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("ci-releases-{}", std::process::id()));
        let tag = dir.join(REPO).join(format!("v{VERSION}"));
        let staging = dir.join("staging");
        std::fs::create_dir_all(&tag).unwrap();
        std::fs::create_dir_all(&staging).unwrap();
        let vocm = assert_cmd::cargo::cargo_bin("vocm");
        std::fs::copy(&vocm, staging.join("vocm")).unwrap();
        std::fs::copy(
            vocm_testkit::sandbox::binary(),
            staging.join("vocm-sandbox"),
        )
        .unwrap();
        // Debug binaries are large: without their debug info the archive
        // packs and unpacks in a fraction of the time.
        let _ = Command::new("strip")
            .args(["--strip-debug", "vocm", "vocm-sandbox"])
            .current_dir(&staging)
            .status();
        sh(
            &format!(
                "tar -cf - -C '{}' vocm vocm-sandbox | gzip -1 > {ARCHIVE} && sha256sum {ARCHIVE} > SHA256SUMS",
                staging.display()
            ),
            &tag,
        );
        std::fs::remove_dir_all(&staging).unwrap();
        dir
    })
}

/// Runs a shell line of the test itself (not of a recipe); panics when
/// it fails.
pub fn sh(line: &str, cwd: &Path) -> String {
    let o = Command::new("bash")
        .args(["-eo", "pipefail", "-c", line])
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "`{line}`: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The three accounts the recipes meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// The manifests carry a validation warning
    /// (`vocm::outbound::overridden`); the account is empty, so the plan
    /// has changes.
    Warning,
    /// The account owns 1 X2 licence where the manifests need 11: the
    /// plan fails (`vocm::plan::licenses`).
    PlanError,
    /// The account already matches the manifests: no changes.
    Clean,
}

pub const SCENARIOS: [Scenario; 3] = [Scenario::Warning, Scenario::PlanError, Scenario::Clean];

/// One rehearsal's world: the repository's checkout (`repo/telephony`),
/// the fake tools' state, the runner's caches and artifacts, and the
/// sandbox that plays the account.
pub struct World {
    pub scenario: Scenario,
    pub dir: tempfile::TempDir,
    pub sandbox: Sandbox,
    /// What the fake curl serves as GitHub's releases.
    pub releases: PathBuf,
}

impl World {
    pub fn new(scenario: Scenario) -> World {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["repo", "api", "cache", "artifacts", "jobs"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let telephony = dir.path().join("repo/telephony");
        if scenario == Scenario::Warning {
            vocm_testkit::fixtures::acme_with_a_warning(&telephony);
        } else {
            sh(
                &format!(
                    "cp -r '{}' '{}'",
                    root().join("examples/acme").display(),
                    telephony.display()
                ),
                dir.path(),
            );
        }
        let sandbox = if scenario == Scenario::PlanError {
            Sandbox::start(&["--licenses", "X2=1,X4=20"])
        } else {
            Sandbox::start(&[])
        };
        let world = World {
            scenario,
            dir,
            sandbox,
            releases: releases().to_owned(),
        };
        if scenario == Scenario::Clean {
            world.apply_directly(&world.repo(), &[]);
        }
        world
    }

    /// What the checkout holds.
    pub fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    pub fn api(&self) -> PathBuf {
        self.dir.path().join("api")
    }

    /// A fresh directory for a job's workspace or temp.
    pub fn scratch(&self, name: &str) -> PathBuf {
        tempfile::Builder::new()
            .prefix(name)
            .tempdir_in(self.dir.path().join("jobs"))
            .unwrap()
            .keep()
    }

    /// Applies the manifests under `dir/telephony` to the account with the
    /// vocm just built (no recipe involved): the account's own history.
    pub fn apply_directly(&self, dir: &Path, extra: &[&str]) {
        self.sandbox
            .vocm(dir)
            .args(["apply", "--auto-approve", "telephony"])
            .args(extra)
            .assert()
            .success();
    }

    /// Renames the ring group `sales` in a copy of the repository and
    /// applies that, limited to `targets` (all when empty): a change made
    /// outside the recipes.
    pub fn rename_sales_directly(&self, targets: &[&str]) {
        let other = self.scratch("other-");
        copy_dir(&self.repo(), &other);
        let flows = other.join("telephony/call-flows.yaml");
        let text = std::fs::read_to_string(&flows).unwrap();
        std::fs::write(&flows, text.replacen("name: Sales", "name: Sales team", 1)).unwrap();
        let extra: Vec<&str> = targets.iter().flat_map(|t| ["--target", *t]).collect();
        self.apply_directly(&other, &extra);
    }

    /// The text plan of the repository's manifests against the account.
    pub fn plan_text(&self) -> String {
        let o = self
            .sandbox
            .vocm(&self.repo())
            .args(["plan", "telephony"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Whether the account matches the repository's manifests.
    pub fn account_matches(&self) -> bool {
        let o = self
            .sandbox
            .vocm(&self.repo())
            .args(["plan", "--detailed-exitcode", "telephony"])
            .output()
            .unwrap();
        match o.status.code() {
            Some(0) => true,
            Some(2) => false,
            _ => panic!("plan failed: {}", String::from_utf8_lossy(&o.stderr)),
        }
    }

    /// The fake tools' calls, one line each (`curl GET URL`, `gh PATCH …`).
    pub fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.api().join("calls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Makes a fake tool (`gh`, `curl`) fail its API calls from now on.
    pub fn fail(&self, tool: &str) {
        std::fs::write(self.api().join("fail"), format!("{tool}\n")).unwrap();
    }

    /// Serves a release whose archive was altered after its SHA256SUMS.
    pub fn tamper_release(&mut self) {
        let tag = self.own_release();
        let mut bytes = std::fs::read(tag.join(ARCHIVE)).unwrap();
        bytes.push(0);
        std::fs::write(tag.join(ARCHIVE), bytes).unwrap();
    }

    /// Serves a release whose `vocm-sandbox` is this script (with its
    /// SHA256SUMS).
    pub fn release_with_sandbox(&mut self, script: &str) {
        let tag = self.own_release();
        let staging = self.scratch("staging-");
        sh(
            &format!("tar -xzf {ARCHIVE} -C '{}' vocm", staging.display()),
            &tag,
        );
        std::fs::write(staging.join("vocm-sandbox"), script).unwrap();
        sh(
            &format!(
                "chmod +x '{0}/vocm-sandbox' && tar -czf {ARCHIVE} -C '{0}' vocm vocm-sandbox && sha256sum {ARCHIVE} > SHA256SUMS",
                staging.display()
            ),
            &tag,
        );
    }

    /// A copy of the release for this world alone; answers its tag's
    /// directory.
    fn own_release(&mut self) -> PathBuf {
        let copy = self.dir.path().join("releases");
        copy_dir(releases(), &copy);
        self.releases = copy;
        self.releases.join(REPO).join(format!("v{VERSION}"))
    }

    /// A JSON file of the fake API (`comments.json`, `notes.json`).
    pub fn api_json(&self, name: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.api().join(name)).unwrap()).unwrap()
    }

    pub fn set_api_json(&self, name: &str, v: &Value) {
        std::fs::write(self.api().join(name), v.to_string()).unwrap();
    }

    /// The environment every step starts from: the fake tools first on a
    /// runner's PATH, and where they keep their state.
    pub fn base_env(&self, home: &Path) -> Vec<(String, String)> {
        vec![
            (
                "PATH".into(),
                format!(
                    "{}:{SYSTEM_PATH}",
                    root().join("tests/ci/fake-bin").display()
                ),
            ),
            ("HOME".into(), home.display().to_string()),
            ("LANG".into(), "C.UTF-8".into()),
            ("COLUMNS".into(), "100".into()),
            ("FAKE_API".into(), self.api().display().to_string()),
            ("FAKE_RELEASES".into(), self.releases.display().to_string()),
        ]
    }
}

/// One shell step (GitHub) or script item (GitLab) that ran.
#[derive(Debug, Clone)]
pub struct Step {
    /// `FILE JOB STEP`: where the step is written.
    pub origin: String,
    pub job: String,
    /// The script as written in the file.
    pub script: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Files the step wrote or changed: `workspace/…` or `temp/…`, and
    /// their content.
    pub files: Vec<(String, String)>,
}

impl Step {
    /// The log: what a reader of the job's log sees of this step.
    pub fn log(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    pub fn file(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(f, _)| f.ends_with(name))
            .map(|(_, c)| c.as_str())
    }
}

/// Runs a script file with bash as the runners do (`bash --noprofile
/// --norc -eo pipefail FILE`), stdin closed.
pub fn bash(script: &str, cwd: &Path, env: &[(String, String)]) -> (i32, String, String) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), script).unwrap();
    let o = Command::new("/bin/bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(file.path())
        .current_dir(cwd)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The files under each `(label, dir)`, by `label/relative path`, but the
/// checkout's manifests and the installed release (not the steps' output).
pub fn snapshot(dirs: &[(&str, &Path)]) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let path = format!("{prefix}/{name}");
            let kind = e.file_type().unwrap();
            if kind.is_dir() {
                let installed = name
                    .strip_prefix("vocm-")
                    .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()));
                if name == "telephony" || name == ".vocm" || installed {
                    continue;
                }
                walk(&e.path(), &path, out);
            } else if kind.is_file() {
                out.insert(path, std::fs::read(e.path()).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    for (label, dir) in dirs {
        walk(dir, label, &mut out);
    }
    out
}

/// What changed between two snapshots: new or changed files.
pub fn written(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> Vec<(String, String)> {
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
        .collect()
}

/// Copies a directory's content into another (`cp -r SRC/. DST`).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    sh(
        &format!("cp -r '{}/.' '{}'", src.display(), dst.display()),
        dst,
    );
}
