//! A GitLab pipeline of `examples/ci/gitlab-ci.yml`: the workflow's and
//! the jobs' `rules` decide which jobs exist; jobs run stage by stage,
//! each in a fresh project directory, `before_script` and `script` as one
//! bash script (`set -eo pipefail`, each item announced with a `$ …` line
//! as the runner does, and traced so the test knows which items ran).
//! Caches and artifacts are directories of the pipeline's world; a
//! manual job runs only when the test plays it, after a hook (the wait).
//!
//! Variables (the stand-ins): GitLab's predefined ones for project 1 at
//! `https://gitlab.example.com`, merge request 7 (merged results or
//! detached, from the project or a fork's project 2), the default branch
//! `main`, protected; the project's CI/CD variables as the recipe's
//! header asks: `VOCM_API_KEY` and `GITLAB_API_TOKEN` scoped to the
//! environment `telephony-plan`, `VOCM_API_KEY` scoped to `telephony` and
//! protected (so only on main). A fork's pipeline runs in the fork: none.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

use super::{Step, World};

pub const PIPELINE: &str = "examples/ci/gitlab-ci.yml";

/// The stand-in token of the note-writing project access token.
pub const NOTE_TOKEN: &str = "glpat-stand-in";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A merge request pipeline; `merged_result` or detached.
    MergeRequest { merged_result: bool, fork: bool },
    /// A push to the default branch.
    Push,
    /// A scheduled pipeline.
    Schedule,
}

#[derive(Debug, Clone)]
pub struct Job {
    /// `success`, `failed`, `manual` (not played) or `skipped`.
    pub result: &'static str,
    /// The project variables the job was given (names and scopes).
    pub secrets: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Pipeline {
    pub jobs: BTreeMap<String, Job>,
    pub steps: Vec<Step>,
    /// Script items that ran: `job:index` of `before_script` (`b`) and
    /// `script` (`s`) items.
    pub traced: Vec<String>,
}

impl Pipeline {
    pub fn result(&self, job: &str) -> &'static str {
        self.jobs.get(job).map_or("absent", |j| j.result)
    }

    pub fn step(&self, job: &str) -> &Step {
        self.steps
            .iter()
            .find(|s| s.job == job)
            .unwrap_or_else(|| panic!("{job} did not run"))
    }
}

const RESERVED: [&str; 10] = [
    "stages",
    "workflow",
    "variables",
    "default",
    "include",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

fn predefined(source: Source) -> Vec<(String, String)> {
    let mut v: Vec<(&str, String)> = vec![
        ("CI", "true".into()),
        ("GITLAB_CI", "true".into()),
        ("CI_PROJECT_ID", "1".into()),
        ("CI_API_V4_URL", "https://gitlab.example.com/api/v4".into()),
        ("CI_DEFAULT_BRANCH", "main".into()),
        (
            "CI_JOB_URL",
            "https://gitlab.example.com/acme/telephony/-/jobs/99".into(),
        ),
        (
            "CI_COMMIT_SHA",
            "4444444444444444444444444444444444444444".into(),
        ),
    ];
    match source {
        Source::MergeRequest {
            merged_result,
            fork,
        } => {
            v.extend([
                ("CI_PIPELINE_SOURCE", "merge_request_event".into()),
                ("CI_MERGE_REQUEST_IID", "7".into()),
                ("CI_MERGE_REQUEST_PROJECT_ID", "1".into()),
                (
                    "CI_MERGE_REQUEST_SOURCE_PROJECT_ID",
                    if fork { "2" } else { "1" }.into(),
                ),
                (
                    "CI_MERGE_REQUEST_EVENT_TYPE",
                    if merged_result {
                        "merged_result"
                    } else {
                        "detached"
                    }
                    .into(),
                ),
            ]);
            if merged_result {
                v.extend([
                    (
                        "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
                        "5555555555555555555555555555555555555555".into(),
                    ),
                    (
                        "CI_MERGE_REQUEST_TARGET_BRANCH_SHA",
                        "6666666666666666666666666666666666666666".into(),
                    ),
                ]);
            }
        }
        Source::Push => v.extend([
            ("CI_PIPELINE_SOURCE", "push".into()),
            ("CI_COMMIT_BRANCH", "main".into()),
            ("CI_COMMIT_REF_PROTECTED", "true".into()),
        ]),
        Source::Schedule => v.extend([
            ("CI_PIPELINE_SOURCE", "schedule".into()),
            ("CI_COMMIT_BRANCH", "main".into()),
            ("CI_COMMIT_REF_PROTECTED", "true".into()),
        ]),
    }
    v.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The project's CI/CD variables a job gets: by its environment's scope,
/// protected ones on a protected ref only; none in a fork's pipeline.
fn project_variables(source: Source, environment: Option<&str>) -> Vec<(String, String)> {
    let protected = matches!(source, Source::Push | Source::Schedule);
    if matches!(source, Source::MergeRequest { fork: true, .. }) {
        return Vec::new();
    }
    let key = vocm_testkit::sandbox::KEY.to_owned();
    match environment {
        Some("telephony-plan") => vec![
            ("VOCM_API_KEY".into(), key),
            ("GITLAB_API_TOKEN".into(), NOTE_TOKEN.into()),
        ],
        Some("telephony") if protected => vec![("VOCM_API_KEY".into(), key)],
        _ => Vec::new(),
    }
}

/// Runs the pipeline; `play` lists the manual jobs someone runs, `before`
/// is called before each job that runs.
pub fn run(world: &World, source: Source, play: &[&str], before: &mut dyn FnMut(&str)) -> Pipeline {
    let file = super::yaml(PIPELINE);
    let vars = predefined(source);
    let lookup = |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut out = Pipeline::default();
    let Some((_, _)) = rules(&file["workflow"]["rules"], &lookup) else {
        return out;
    };
    let stages: Vec<&str> = file["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let mut jobs: Vec<(&String, &Value, String)> = Vec::new();
    for (name, job) in file.as_object().unwrap() {
        if RESERVED.contains(&name.as_str()) || name.starts_with('.') {
            continue;
        }
        match rules(&job["rules"], &lookup) {
            Some((when, _)) if when != "never" => jobs.push((name, job, when)),
            _ => {}
        }
    }
    jobs.sort_by_key(|(_, job, _)| {
        stages
            .iter()
            .position(|s| Some(*s) == job["stage"].as_str())
            .expect("a job of a declared stage")
    });
    let mut stage_failed: BTreeMap<usize, bool> = BTreeMap::new();
    for (name, job, when) in jobs {
        let stage = stages
            .iter()
            .position(|s| Some(*s) == job["stage"].as_str())
            .unwrap();
        let needs: Option<Vec<String>> = job["needs"]
            .as_array()
            .map(|n| n.iter().map(|x| x.as_str().unwrap().to_owned()).collect());
        let blocked = match &needs {
            Some(needs) => needs.iter().any(|n| out.result(n) != "success"),
            None => stage_failed.range(..stage).any(|(_, f)| *f),
        };
        let result = if blocked {
            "skipped"
        } else if when == "manual" && !play.contains(&name.as_str()) {
            "manual"
        } else {
            before(name);
            run_job(
                world,
                &file,
                name,
                job,
                source,
                &vars,
                needs.as_deref(),
                &stages,
                &mut out,
            )
        };
        if result == "failed" || (result == "manual" && job["rules"][0]["allow_failure"] == false) {
            *stage_failed.entry(stage).or_default() = true;
        }
        let environment = job["environment"]["name"]
            .as_str()
            .or(job["environment"].as_str());
        out.jobs.insert(
            name.clone(),
            Job {
                result,
                secrets: if result == "skipped" || result == "manual" {
                    Vec::new()
                } else {
                    project_variables(source, environment)
                        .into_iter()
                        .map(|(k, _)| format!("{k}@{}", environment.unwrap_or("")))
                        .collect()
                },
            },
        );
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn run_job(
    world: &World,
    file: &Value,
    name: &str,
    job: &Value,
    source: Source,
    vars: &[(String, String)],
    needs: Option<&[String]>,
    stages: &[&str],
    out: &mut Pipeline,
) -> &'static str {
    let project = world.scratch(&format!("{name}-project-"));
    let temp = world.scratch(&format!("{name}-tmp-"));
    let home = world.scratch(&format!("{name}-home-"));
    super::copy_dir(&world.repo(), &project);
    // Artifacts of the jobs it needs, or of every earlier stage's job.
    let store = world.dir.path().join("artifacts");
    let stage = |j: &str| {
        stages
            .iter()
            .position(|s| Some(*s) == file[j]["stage"].as_str())
    };
    let from: Vec<String> = needs.map_or_else(
        || {
            out.jobs
                .keys()
                .filter(|j| stage(j) < stage(name))
                .cloned()
                .collect()
        },
        <[String]>::to_vec,
    );
    for j in from {
        if store.join(&j).exists() {
            super::copy_dir(&store.join(&j), &project);
        }
    }
    let environment = job["environment"]["name"]
        .as_str()
        .or(job["environment"].as_str());
    let mut env = world.base_env(&home);
    env.push(("TMPDIR".into(), temp.display().to_string()));
    env.push(("CI_PROJECT_DIR".into(), project.display().to_string()));
    env.extend(vars.iter().cloned());
    for scope in [&file["variables"], &job["variables"]] {
        for (k, v) in scope.as_object().into_iter().flatten() {
            let value = if k == "VOCM_ENDPOINT" {
                // The account's API: the sandbox.
                world.sandbox.base.clone()
            } else {
                super::expr::string_of(v)
            };
            env.push((k.clone(), value));
        }
    }
    // Project variables override the file's, as in GitLab.
    env.extend(project_variables(source, environment));
    let expand = |s: &str| {
        env.iter()
            .fold(s.to_owned(), |acc, (k, v)| acc.replace(&format!("${k}"), v))
    };
    // The cache: the job's own, or the default's (`cache: []` none).
    let cache = if job.get("cache").is_some() {
        &job["cache"]
    } else {
        &file["default"]["cache"]
    };
    let cache_dir = cache["key"].as_str().map(|k| {
        world
            .dir
            .path()
            .join("cache")
            .join(format!("gitlab-{}", expand(k)))
    });
    let cache_paths: Vec<String> = cache["paths"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p.as_str().unwrap().trim_end_matches('/').to_owned())
        .collect();
    if let Some(dir) = cache_dir.as_ref().filter(|d| d.exists()) {
        super::copy_dir(dir, &project);
    }
    let before = if job.get("before_script").is_some() {
        &job["before_script"]
    } else {
        &file["default"]["before_script"]
    };
    let trace = temp.join("_trace");
    let mut script = String::from("set -eo pipefail\n");
    for (tag, items) in [("b", before), ("s", &job["script"])] {
        for (i, item) in items.as_array().into_iter().flatten().enumerate() {
            let item = item.as_str().unwrap();
            let first = item.lines().next().unwrap_or("");
            writeln!(
                script,
                "echo '{name}:{tag}{i}' >> '{}'\nprintf '%s\\n' {}\n{item}",
                trace.display(),
                shlex::try_quote(&format!("$ {first}")).unwrap()
            )
            .unwrap();
        }
    }
    let dirs = [("workspace", project.as_path()), ("temp", temp.as_path())];
    let snap = super::snapshot(&dirs);
    let (code, stdout, stderr) = super::bash(&script, &project, &env);
    let after = super::snapshot(&dirs);
    let files = super::written(&snap, &after)
        .into_iter()
        .filter(|(f, _)| f != "temp/_trace")
        .collect();
    out.traced.extend(
        std::fs::read_to_string(&trace)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned),
    );
    let key = vocm_testkit::sandbox::KEY;
    assert!(
        !stdout.contains(key) && !stderr.contains(key),
        "{name}: the key in the log"
    );
    out.steps.push(Step {
        origin: format!("{PIPELINE} {name}"),
        job: name.to_owned(),
        script,
        code,
        stdout,
        stderr,
        files,
    });
    let ok = code == 0;
    // Artifacts by `when` (default on_success); the cache on success.
    let when = job["artifacts"]["when"].as_str().unwrap_or("on_success");
    if when == "always" || (when == "on_success") == ok {
        let dst = store.join(name);
        for p in job["artifacts"]["paths"].as_array().into_iter().flatten() {
            let src = project.join(p.as_str().unwrap());
            if src.is_file() {
                std::fs::create_dir_all(&dst).unwrap();
                std::fs::copy(&src, dst.join(src.file_name().unwrap())).unwrap();
            }
        }
    }
    if let (true, Some(dir)) = (ok, cache_dir) {
        for p in &cache_paths {
            let src: PathBuf = project.join(p);
            if src.exists() {
                super::copy_dir(&src, &dir.join(p));
            }
        }
    }
    if ok { "success" } else { "failed" }
}

/// The first rule that matches: its `when` (default `on_success`) and
/// index; none when no rule matches. No rules at all: always.
fn rules(rules: &Value, lookup: &dyn Fn(&str) -> Option<String>) -> Option<(String, usize)> {
    let Some(list) = rules.as_array() else {
        return Some(("on_success".into(), 0));
    };
    for (i, rule) in list.iter().enumerate() {
        let matched = rule["if"].as_str().is_none_or(|c| condition(c, lookup));
        if matched {
            return Some((rule["when"].as_str().unwrap_or("on_success").to_owned(), i));
        }
    }
    None
}

/// A token of a `rules:if` expression.
#[derive(Debug, Clone, PartialEq)]
enum T {
    Var(String),
    Str(String),
    Op(String),
}

/// A `rules:if` expression: `$VAR`, `"string"`, `==`, `!=`, `&&`, `||`,
/// parentheses. A variable alone is true when set and not empty.
pub fn condition(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> bool {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '$' {
            let start = i + 1;
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(T::Var(chars[start..i].iter().collect()));
        } else if c == '"' || c == '\'' {
            let start = i + 1;
            i += 1;
            while chars[i] != c {
                i += 1;
            }
            tokens.push(T::Str(chars[start..i].iter().collect()));
            i += 1;
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["==", "!=", "&&", "||"].contains(&two.as_str()) {
                tokens.push(T::Op(two));
                i += 2;
            } else if c == '(' || c == ')' {
                tokens.push(T::Op(c.to_string()));
                i += 1;
            } else {
                panic!("no stand-in for `{c}` in the rule `{text}`");
            }
        }
    }
    let mut rule = Rule {
        tokens: &tokens,
        at: 0,
        lookup,
    };
    let v = rule.or();
    assert_eq!(rule.at, tokens.len(), "unparsed rest in the rule `{text}`");
    v
}

struct Rule<'a> {
    tokens: &'a [T],
    at: usize,
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Rule<'_> {
    fn is(&self, op: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(T::Op(o)) if o == op)
    }

    fn value(&mut self) -> Option<String> {
        let v = match &self.tokens[self.at] {
            T::Var(v) => (self.lookup)(v),
            T::Str(s) => Some(s.clone()),
            T::Op(o) => panic!("a value expected, not {o}"),
        };
        self.at += 1;
        v
    }

    fn or(&mut self) -> bool {
        let mut v = self.and();
        while self.is("||") {
            self.at += 1;
            v |= self.and();
        }
        v
    }

    fn and(&mut self) -> bool {
        let mut v = self.cmp();
        while self.is("&&") {
            self.at += 1;
            v &= self.cmp();
        }
        v
    }

    fn cmp(&mut self) -> bool {
        if self.is("(") {
            self.at += 1;
            let v = self.or();
            self.at += 1;
            return v;
        }
        let left = self.value();
        for op in ["==", "!="] {
            if self.is(op) {
                self.at += 1;
                let right = self.value();
                return (left == right) == (op == "==");
            }
        }
        left.is_some_and(|s| !s.is_empty())
    }
}

/// Every `before_script` and `script` item of the pipeline, by
/// `job:tag index` as the trace names them (the default's `before_script`
/// under `default:b…`).
pub fn items() -> Vec<(String, String)> {
    let file = super::yaml(PIPELINE);
    let mut out = Vec::new();
    for (i, item) in file["default"]["before_script"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        out.push((format!("default:b{i}"), item.as_str().unwrap().to_owned()));
    }
    for (name, job) in file.as_object().unwrap() {
        if RESERVED.contains(&name.as_str()) {
            continue;
        }
        for (i, item) in job["script"].as_array().into_iter().flatten().enumerate() {
            out.push((format!("{name}:s{i}"), item.as_str().unwrap().to_owned()));
        }
    }
    out
}
