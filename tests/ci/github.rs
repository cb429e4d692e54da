//! A GitHub Actions run of `examples/ci/github-actions.yml`, job by job in
//! `needs` order, each in a fresh workspace and temp directory: `run:`
//! steps with bash, `uses: your-org/vocm@v1` as the composite action in
//! `action.yml` (its steps too), and the few actions the recipe uses
//! stood in for: checkout (copies the repository), cache (a directory per
//! key, saved at the job's end), upload- and download-artifact (a
//! directory per name, for the run).
//!
//! Contexts (the stand-ins of `${{ … }}`): `github` is an event on the
//! repository `acme/telephony` (pull request 7, from the repository or a
//! fork; a push to main; a schedule); `secrets` holds `VOCM_API_KEY` in a
//! job whose `environment` is `telephony-plan` or `telephony` (the
//! sandbox's key), nothing in a fork's run; `telephony` accepts main only,
//! as its deployment-branch rule says. Approvals are given: a hook runs
//! before each job, where a test changes the account while the apply
//! waits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::expr::{self, Status};
use super::{Step, World};

pub const WORKFLOW: &str = "examples/ci/github-actions.yml";
pub const ACTION: &str = "action.yml";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A pull request from a branch of the repository.
    PullRequest,
    /// A pull request from a fork: no secret.
    ForkPullRequest,
    /// A push (merge) to main.
    Push,
    /// The weekday schedule.
    Schedule,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    /// `success`, `failure` or `skipped`.
    pub result: &'static str,
    pub outputs: Value,
    pub summary: String,
    /// Whether the job was given any secret.
    pub secrets: bool,
}

#[derive(Debug, Default)]
pub struct Run {
    pub jobs: BTreeMap<String, Job>,
    pub steps: Vec<Step>,
    /// Artifacts uploaded: name → retention days.
    pub artifacts: BTreeMap<String, u64>,
}

impl Run {
    pub fn result(&self, job: &str) -> &'static str {
        self.jobs
            .get(job)
            .unwrap_or_else(|| panic!("no job {job}"))
            .result
    }

    pub fn steps_of(&self, job: &str) -> Vec<&Step> {
        self.steps.iter().filter(|s| s.job == job).collect()
    }
}

const HEAD: &str = "1111111111111111111111111111111111111111";
const BASE: &str = "2222222222222222222222222222222222222222";
const MERGE: &str = "3333333333333333333333333333333333333333";

fn github_context(event: Event) -> Value {
    let (name, git_ref, sha) = match event {
        Event::PullRequest | Event::ForkPullRequest => ("pull_request", "refs/pull/7/merge", MERGE),
        Event::Push => ("push", "refs/heads/main", HEAD),
        Event::Schedule => ("schedule", "refs/heads/main", HEAD),
    };
    let pull_request = match event {
        Event::PullRequest | Event::ForkPullRequest => json!({
            "number": 7,
            "head": {"sha": HEAD, "repo": {"full_name": if event == Event::ForkPullRequest {
                "someone/telephony"
            } else {
                "acme/telephony"
            }}},
            "base": {"sha": BASE},
        }),
        _ => Value::Null,
    };
    json!({
        "event_name": name,
        "event": {"pull_request": pull_request},
        "repository": "acme/telephony",
        "ref": git_ref,
        "sha": sha,
        "token": "ghs_token-stand-in",
        "server_url": "https://github.com",
        "run_id": "4242",
    })
}

/// Runs the workflow for `event`; `before` is called with each job's name
/// before the job starts (the approval's wait, for `apply`).
pub fn run(world: &World, event: Event, before: &mut dyn FnMut(&str)) -> Run {
    let workflow = super::yaml(WORKFLOW);
    let github = github_context(event);
    let jobs = workflow["jobs"].as_object().unwrap();
    let mut out = Run::default();
    let mut needs_ctx = serde_json::Map::new();
    let mut pending: Vec<&String> = jobs.keys().collect();
    while !pending.is_empty() {
        let i = pending
            .iter()
            .position(|j| {
                needs_of(&jobs[j.as_str()])
                    .iter()
                    .all(|n| out.jobs.contains_key(n))
            })
            .expect("a job whose needs have run");
        let name = pending.remove(i).clone();
        let job = &jobs[&name];
        let needs = needs_of(job);
        let failed = needs.iter().any(|n| out.jobs[n].result != "success");
        let ctx = json!({
            "github": github,
            "needs": Value::Object(needs.iter().map(|n| (n.clone(), needs_ctx[n].clone())).collect()),
            "vars": {},
        });
        let run_it = expr::condition(job["if"].as_str(), &ctx, Status { failed });
        let result = if run_it {
            before(&name);
            run_job(world, &workflow, &name, job, &github, &ctx, &mut out)
        } else {
            Job {
                name: name.clone(),
                result: "skipped",
                outputs: json!({}),
                summary: String::new(),
                secrets: false,
            }
        };
        needs_ctx.insert(
            name.clone(),
            json!({"result": result.result, "outputs": result.outputs}),
        );
        out.jobs.insert(name, result);
    }
    out
}

fn needs_of(job: &Value) -> Vec<String> {
    match &job["needs"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|n| n.as_str().unwrap().to_owned()).collect(),
        _ => Vec::new(),
    }
}

/// A job's state while it runs.
struct JobRun<'a> {
    world: &'a World,
    name: String,
    workspace: PathBuf,
    temp: PathBuf,
    home: PathBuf,
    /// Environment from the workflow, the job and `GITHUB_ENV`.
    env: Vec<(String, String)>,
    /// Directories `GITHUB_PATH` added, newest first.
    path: Vec<String>,
    summary: String,
    /// Caches to save at the job's end: (key, path).
    caches: Vec<(String, PathBuf)>,
    github: Value,
    secrets: Value,
}

fn run_job(
    world: &World,
    workflow: &Value,
    name: &str,
    job: &Value,
    github: &Value,
    outer: &Value,
    out: &mut Run,
) -> Job {
    assert_eq!(
        workflow["defaults"]["run"]["shell"], "bash",
        "steps run with bash -eo pipefail (defaults.run.shell)"
    );
    let environment = job["environment"].as_str();
    let fork = github["event"]["pull_request"]["head"]["repo"]["full_name"]
        .as_str()
        .is_some_and(|r| r != "acme/telephony");
    // Environments' secrets; none for a fork's pull request.
    let secrets = match environment {
        _ if fork => json!({}),
        Some("telephony-plan" | "telephony") => {
            json!({"VOCM_API_KEY": vocm_testkit::sandbox::KEY})
        }
        Some(other) => panic!("{name}: no stand-in for the environment {other}"),
        None => json!({}),
    };
    let fail = |why: &str| Job {
        name: name.to_owned(),
        result: "failure",
        outputs: json!({}),
        summary: why.to_owned(),
        secrets: false,
    };
    if environment == Some("telephony") && github["ref"] != "refs/heads/main" {
        // The environment's deployment branches: main only.
        return fail("the telephony environment accepts main only");
    }
    let workspace = world.scratch(&format!("{name}-workspace-"));
    let temp = world.scratch(&format!("{name}-temp-"));
    let home = world.scratch(&format!("{name}-home-"));
    let mut ctx = outer.clone();
    ctx["secrets"] = secrets.clone();
    ctx["runner"] = json!({"os": "Linux", "arch": "X64", "temp": temp.display().to_string()});
    ctx["env"] = json!({});
    ctx["steps"] = json!({});
    ctx["inputs"] = json!({});
    let mut env = Vec::new();
    for scope in [&workflow["env"], &job["env"]] {
        for (k, v) in scope.as_object().into_iter().flatten() {
            let mut value = expr::string_of(&expr::interpolate(
                &expr::string_of(v),
                &ctx,
                Status { failed: false },
            ));
            if k == "VOCM_ENDPOINT" {
                // The account's API: the sandbox.
                value.clone_from(&world.sandbox.base);
            }
            env.push((k.clone(), value));
        }
    }
    let mut jr = JobRun {
        world,
        name: name.to_owned(),
        workspace,
        temp,
        home,
        env,
        path: Vec::new(),
        summary: String::new(),
        caches: Vec::new(),
        github: github.clone(),
        secrets: secrets.clone(),
    };
    let (failed, ctx) = jr.steps(job["steps"].as_array().unwrap(), ctx, &[], WORKFLOW, out);
    if !failed {
        // actions/cache saves in its post step, on success.
        for (key, path) in &jr.caches {
            let store = world.dir.path().join("cache").join(key);
            if !store.exists() && path.exists() {
                super::copy_dir(path, &store);
            }
        }
    }
    let outputs = job["outputs"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.clone(),
                expr::interpolate(v.as_str().unwrap(), &ctx, Status { failed }),
            )
        })
        .collect();
    Job {
        name: name.to_owned(),
        result: if failed { "failure" } else { "success" },
        outputs: Value::Object(outputs),
        summary: jr.summary,
        secrets: secrets.as_object().is_some_and(|s| !s.is_empty()),
    }
}

fn step_label(step: &Value, i: usize) -> String {
    step["name"]
        .as_str()
        .or(step["id"].as_str())
        .or(step["uses"].as_str())
        .map_or_else(|| format!("step {i}"), str::to_owned)
}

fn env_object(env: &[(String, String)]) -> Value {
    Value::Object(
        env.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

impl JobRun<'_> {
    /// Runs `steps` in order as the runner does: each one's `if` (by
    /// default `success()`), its outcome and outputs in `steps.<id>`.
    /// Answers whether one failed, and the context after the last.
    fn steps(
        &mut self,
        steps: &[Value],
        mut ctx: Value,
        env: &[(String, String)],
        file: &str,
        out: &mut Run,
    ) -> (bool, Value) {
        let mut failed = false;
        let mut steps_ctx = serde_json::Map::new();
        for (i, step) in steps.iter().enumerate() {
            ctx["steps"] = Value::Object(steps_ctx.clone());
            ctx["env"] = env_object(&self.env);
            let outcome = if expr::condition(step["if"].as_str(), &ctx, Status { failed }) {
                let origin = format!("{file} {} {}", self.name, step_label(step, i));
                let (ok, outputs) = self.step(step, &ctx, env, &origin, out);
                failed |= !ok;
                (if ok { "success" } else { "failure" }, outputs)
            } else {
                ("skipped", json!({}))
            };
            if let Some(id) = step["id"].as_str() {
                steps_ctx.insert(
                    id.to_owned(),
                    json!({"outcome": outcome.0, "conclusion": outcome.0, "outputs": outcome.1}),
                );
            }
        }
        ctx["steps"] = Value::Object(steps_ctx);
        (failed, ctx)
    }

    /// Runs one step; answers whether it succeeded, and its outputs.
    /// `outer_env` is the environment of the `uses:` step a composite
    /// action's step runs in.
    fn step(
        &mut self,
        step: &Value,
        ctx: &Value,
        outer_env: &[(String, String)],
        origin: &str,
        out: &mut Run,
    ) -> (bool, Value) {
        let ok = Status { failed: false };
        let mut step_env: Vec<(String, String)> = outer_env.to_vec();
        for (k, v) in step["env"].as_object().into_iter().flatten() {
            step_env.push((
                k.clone(),
                expr::string_of(&expr::interpolate(&expr::string_of(v), ctx, ok)),
            ));
        }
        let with: BTreeMap<String, String> = step["with"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                (
                    k.clone(),
                    expr::string_of(&expr::interpolate(&expr::string_of(v), ctx, ok)),
                )
            })
            .collect();
        if let Some(script) = step["run"].as_str() {
            assert!(
                !script.contains("${{"),
                "{origin}: an expression spliced into a script (pass it through env): {script}"
            );
            if let Some(shell) = step["shell"].as_str() {
                assert_eq!(shell, "bash", "{origin}");
            }
            return self.run_script(script, &step_env, origin, out);
        }
        let uses = step["uses"].as_str().unwrap();
        let action = uses.split('@').next().unwrap();
        match action {
            "actions/checkout" => {
                super::copy_dir(&self.world.repo(), &self.workspace);
                (true, json!({}))
            }
            "your-org/vocm" => self.composite(&with, &step_env, out),
            "actions/cache" => {
                let key = &with["key"];
                let path = PathBuf::from(&with["path"]);
                let store = self.world.dir.path().join("cache").join(key);
                let hit = store.exists();
                if hit {
                    super::copy_dir(&store, &path);
                }
                self.caches.push((key.clone(), path));
                (true, json!({"cache-hit": hit.to_string()}))
            }
            "actions/upload-artifact" => {
                let store = self.world.dir.path().join("artifacts").join(&with["name"]);
                std::fs::create_dir_all(&store).unwrap();
                let mut found = false;
                for p in with["path"].lines().filter(|l| !l.trim().is_empty()) {
                    let src = self.workspace.join(p.trim());
                    if src.is_file() {
                        std::fs::copy(&src, store.join(src.file_name().unwrap())).unwrap();
                        found = true;
                    }
                }
                if !found && with.get("if-no-files-found").map(String::as_str) == Some("error") {
                    return (false, json!({}));
                }
                out.artifacts.insert(
                    with["name"].clone(),
                    with.get("retention-days")
                        .map_or(90, |d| d.parse().unwrap()),
                );
                (true, json!({}))
            }
            "actions/download-artifact" => {
                let store = self.world.dir.path().join("artifacts").join(&with["name"]);
                if !store.exists() {
                    return (false, json!({}));
                }
                let dst = with
                    .get("path")
                    .map_or_else(|| self.workspace.clone(), |p| self.workspace.join(p));
                super::copy_dir(&store, &dst);
                (true, json!({}))
            }
            other => panic!("{origin}: no stand-in for the action {other}"),
        }
    }

    /// `uses: your-org/vocm@v1`: the steps of `action.yml`, with its
    /// inputs' defaults under `with`, in the runner's copy of the action
    /// (`…/_actions/your-org/vocm/v1`, this repository).
    fn composite(
        &mut self,
        with: &BTreeMap<String, String>,
        env: &[(String, String)],
        out: &mut Run,
    ) -> (bool, Value) {
        let action = super::yaml(ACTION);
        assert_eq!(action["runs"]["using"], "composite");
        let action_path = self.world.dir.path().join("_actions/your-org/vocm/v1");
        if !action_path.exists() {
            std::fs::create_dir_all(action_path.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(super::root(), &action_path).unwrap();
        }
        let mut ctx = json!({
            "github": self.github,
            "runner": {"os": "Linux", "arch": "X64", "temp": self.temp.display().to_string()},
            "env": env_object(&self.env),
            "steps": {},
        });
        let mut inputs = serde_json::Map::new();
        for (k, spec) in action["inputs"].as_object().unwrap() {
            let value = match with.get(k) {
                Some(v) => v.clone(),
                None => expr::string_of(&expr::interpolate(
                    &expr::string_of(&spec["default"]),
                    &ctx,
                    Status { failed: false },
                )),
            };
            assert!(
                !(spec["required"] == true && value.is_empty()),
                "the action's input {k} is required"
            );
            inputs.insert(k.clone(), Value::String(value));
        }
        for k in with.keys() {
            assert!(inputs.contains_key(k), "the action has no input {k}");
        }
        ctx["inputs"] = Value::Object(inputs);
        let mut env = env.to_vec();
        env.push((
            "GITHUB_ACTION_PATH".into(),
            action_path.display().to_string(),
        ));
        let (failed, ctx) = self.steps(
            action["runs"]["steps"].as_array().unwrap(),
            ctx,
            &env,
            ACTION,
            out,
        );
        let outputs = action["outputs"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                (
                    k.clone(),
                    expr::interpolate(v["value"].as_str().unwrap(), &ctx, Status { failed }),
                )
            })
            .collect();
        (!failed, Value::Object(outputs))
    }

    /// A `run:` step with bash, as the runner runs it, and what it left.
    fn run_script(
        &mut self,
        script: &str,
        step_env: &[(String, String)],
        origin: &str,
        out: &mut Run,
    ) -> (bool, Value) {
        let files = |name: &str| {
            let p = self.temp.join(format!("_runner_{name}"));
            std::fs::write(&p, "").unwrap();
            p
        };
        let output = files("output");
        let env_file = files("env");
        let path_file = files("path");
        let summary = files("summary");
        let mut env = self.world.base_env(&self.home);
        if !self.path.is_empty() {
            let p = &mut env[0].1;
            *p = format!("{}:{p}", self.path.join(":"));
        }
        env.extend([
            ("CI".into(), "true".into()),
            ("GITHUB_ACTIONS".into(), "true".into()),
            (
                "GITHUB_WORKSPACE".into(),
                self.workspace.display().to_string(),
            ),
            ("GITHUB_REPOSITORY".into(), "acme/telephony".into()),
            (
                "GITHUB_EVENT_NAME".into(),
                expr::string_of(&self.github["event_name"]),
            ),
            ("GITHUB_SHA".into(), expr::string_of(&self.github["sha"])),
            ("GITHUB_REF".into(), expr::string_of(&self.github["ref"])),
            ("GITHUB_SERVER_URL".into(), "https://github.com".into()),
            ("GITHUB_RUN_ID".into(), "4242".into()),
            ("GITHUB_OUTPUT".into(), output.display().to_string()),
            ("GITHUB_ENV".into(), env_file.display().to_string()),
            ("GITHUB_PATH".into(), path_file.display().to_string()),
            ("GITHUB_STEP_SUMMARY".into(), summary.display().to_string()),
            ("RUNNER_TEMP".into(), self.temp.display().to_string()),
            ("RUNNER_OS".into(), "Linux".into()),
            ("RUNNER_ARCH".into(), "X64".into()),
            ("TMPDIR".into(), self.temp.display().to_string()),
        ]);
        env.extend(self.env.iter().cloned());
        env.extend(step_env.iter().cloned());
        let dirs = [
            ("workspace", self.workspace.as_path()),
            ("temp", self.temp.as_path()),
        ];
        let before = super::snapshot(&dirs);
        let (code, stdout, stderr) = super::bash(script, &self.workspace, &env);
        let after = super::snapshot(&dirs);
        let written = super::written(&before, &after)
            .into_iter()
            .filter(|(f, _)| !f.starts_with("temp/_runner_"))
            .collect();
        out.steps.push(Step {
            origin: origin.to_owned(),
            job: self.name.clone(),
            script: script.to_owned(),
            code,
            stdout,
            stderr,
            files: written,
        });
        let outputs = parse_outputs(&std::fs::read_to_string(&output).unwrap());
        for (k, v) in parse_outputs(&std::fs::read_to_string(&env_file).unwrap())
            .as_object()
            .unwrap()
        {
            self.env.push((k.clone(), expr::string_of(v)));
        }
        for line in std::fs::read_to_string(&path_file).unwrap().lines() {
            self.path.insert(0, line.to_owned());
        }
        self.summary
            .push_str(&std::fs::read_to_string(&summary).unwrap());
        if !self.secrets.as_object().unwrap().is_empty() {
            let key = vocm_testkit::sandbox::KEY;
            let step = out.steps.last().unwrap();
            assert!(
                !step.stdout.contains(key) && !step.stderr.contains(key),
                "{origin}: the key in the log"
            );
        }
        (code == 0, outputs)
    }
}

/// `GITHUB_OUTPUT`'s `key=value` lines and `key<<DELIM` blocks.
fn parse_outputs(text: &str) -> Value {
    let mut out = serde_json::Map::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.insert(k.to_owned(), Value::String(value.join("\n")));
        } else if let Some((k, v)) = line.split_once('=') {
            out.insert(k.to_owned(), Value::String(v.to_owned()));
        }
    }
    Value::Object(out)
}

/// Every `run:` step of the workflow and of the action, as
/// `(origin, script)`, in file order.
pub fn scripts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let workflow = super::yaml(WORKFLOW);
    for (job, spec) in workflow["jobs"].as_object().unwrap() {
        for (i, step) in spec["steps"].as_array().unwrap().iter().enumerate() {
            if let Some(s) = step["run"].as_str() {
                out.push((
                    format!("{WORKFLOW} {job} {}", step_label(step, i)),
                    s.to_owned(),
                ));
            }
        }
    }
    let action = super::yaml(ACTION);
    for (i, step) in action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        if let Some(s) = step["run"].as_str() {
            out.push((format!("{ACTION} * {}", step_label(step, i)), s.to_owned()));
        }
    }
    out
}

/// The path of a file in a job's directories, for messages.
pub fn show(p: &Path) -> String {
    p.display().to_string()
}
