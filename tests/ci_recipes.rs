//! The CI files are what their platforms accept and do what the README
//! says. `examples/ci/github-actions.yml` (with the composite action
//! `action.yml` it uses) and `examples/ci/gitlab-ci.yml` run here, job by
//! job, every shell step with bash as the runners run it, redirections and
//! all, against a sandbox of the API, in three accounts: one the
//! manifests warn about, one where the plan fails, one already matching
//! (tests/ci/ says how the runners and `${{ … }}` are stood in for). The
//! files match the public JSON Schemas of their platforms (vendored in
//! tests/schemas/vendor/), and every vocm command line parses.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod ci;

use std::collections::BTreeSet;

use ci::github::{self, Event};
use ci::gitlab::{self, Source};
use ci::{SCENARIOS, Scenario, Step, World};
use clap::Parser;
use serde_json::{Value, json};

/// The shell scripts of a CI file: GitHub's `run`, GitLab's `script` and
/// `before_script` (a string or a list of strings).
fn scripts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("run" | "script" | "before_script", Value::String(s)) => out.push(s.clone()),
                    ("script" | "before_script", Value::Array(lines)) => {
                        out.extend(lines.iter().filter_map(Value::as_str).map(str::to_owned));
                    }
                    _ => scripts(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| scripts(i, out)),
        _ => {}
    }
}

/// The command lines of a script that start with `program`, as words:
/// continuation lines joined, split at `;`, `&&`, `||` and `|`, shell
/// keywords and redirections dropped.
fn commands(script: &str, program: &str) -> Vec<Vec<String>> {
    let joined = script.replace("\\\n", " ");
    let mut found = Vec::new();
    for line in joined.lines() {
        let mut words = shlex::split(line).unwrap_or_else(|| panic!("unbalanced quotes: {line}"));
        let mut current: Vec<String> = Vec::new();
        words.push(";".into());
        for w in words {
            if [";", "&&", "||", "|", "&"].contains(&w.as_str()) || w.ends_with(';') {
                let mut cmd = std::mem::take(&mut current);
                if let Some(stripped) = w.strip_suffix(';').filter(|s| !s.is_empty()) {
                    cmd.push(stripped.to_owned());
                }
                let start = cmd
                    .iter()
                    .position(|w| {
                        !["if", "then", "!", "do", "else", "until", "while"].contains(&w.as_str())
                    })
                    .unwrap_or(cmd.len());
                let cmd: Vec<String> = cmd[start..].to_vec();
                if cmd.first().map(String::as_str) == Some(program) {
                    let mut clean = Vec::new();
                    let mut skip = false;
                    for w in cmd {
                        if skip {
                            skip = false;
                        } else if w == ">" || w == "<" || w == ">>" || w == "2>" {
                            skip = true;
                        } else if !w.starts_with('>') && !w.starts_with("2>") {
                            clean.push(w);
                        }
                    }
                    found.push(clean);
                }
            } else {
                current.push(w);
            }
        }
    }
    found
}

#[test]
fn the_extractor_finds_commands_in_shell() {
    let found = commands(
        "set -e\nvocm plan --detailed-exitcode x || status=$?\nif ! vocm validate \\\n  --format github x; then exit 1; fi\necho vocm > f; vocm apply -o x > out.json 2>&1",
        "vocm",
    );
    assert_eq!(
        found,
        vec![
            vec!["vocm", "plan", "--detailed-exitcode", "x"],
            vec!["vocm", "validate", "--format", "github", "x"],
            vec!["vocm", "apply", "-o", "x"],
        ]
    );
}

#[test]
fn every_vocm_command_line_of_the_ci_files_parses() {
    let mut count = 0;
    for file in [github::WORKFLOW, github::ACTION, gitlab::PIPELINE] {
        let mut all = Vec::new();
        scripts(&ci::yaml(file), &mut all);
        let lines: Vec<Vec<String>> = all.iter().flat_map(|s| commands(s, "vocm")).collect();
        for words in &lines {
            if let Err(e) = vocm::cli::Cli::try_parse_from(words) {
                panic!(
                    "{file}: `{}` is not a vocm command line:\n{e}",
                    words.join(" ")
                );
            }
        }
        count += lines.len();
        let subcommands: BTreeSet<&str> = lines
            .iter()
            .filter_map(|w| {
                w.iter()
                    .find(|x| ["validate", "plan", "apply"].contains(&x.as_str()))
            })
            .map(String::as_str)
            .collect();
        if file != github::WORKFLOW {
            assert_eq!(subcommands.len(), 3, "{file}: {subcommands:?}");
        }
    }
    assert!(count >= 14, "{count} vocm lines");
}

#[test]
fn every_shell_script_of_the_ci_files_passes_shellcheck() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for file in [
        github::WORKFLOW,
        github::ACTION,
        gitlab::PIPELINE,
        "examples/ci/release.yml",
    ] {
        let mut all = Vec::new();
        if file == gitlab::PIPELINE {
            // A GitLab job's items are one script.
            let p = ci::yaml(file);
            for (name, job) in p.as_object().unwrap() {
                for key in ["before_script", "script"] {
                    let items: Vec<&str> = job[key]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    if !items.is_empty() {
                        all.push(format!("# {name} {key}\n{}", items.join("\n")));
                    }
                }
            }
        } else {
            scripts(&ci::yaml(file), &mut all);
        }
        for (i, script) in all.iter().enumerate() {
            let path = dir
                .path()
                .join(format!("{}-{i}.sh", file.replace('/', "_")));
            std::fs::write(&path, format!("#!/bin/bash\nset -eo pipefail\n{script}")).unwrap();
            files.push(path);
        }
    }
    // The stand-ins too.
    for tool in ["curl", "gh", "apt-get"] {
        files.push(ci::root().join("tests/ci/fake-bin").join(tool));
    }
    assert!(files.len() >= 20, "{}", files.len());
    let out = std::process::Command::new("shellcheck")
        .args(["--shell=bash", "--exclude=SC2154"])
        .args(&files)
        .output()
        .expect("shellcheck runs (.ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

// ---------------------------------------------------------------------
// The public schemas.

fn schema(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(ci::root().join("tests/schemas/vendor").join(name)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::new(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, file: &str) {
    let doc = ci::yaml(file);
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{file}:\n{}", errors.join("\n"));
}

#[test]
fn the_ci_files_match_their_platforms_public_schemas() {
    let workflows = schema("github-workflows.json");
    assert_valid(&workflows, github::WORKFLOW);
    assert_valid(&workflows, "examples/ci/release.yml");
    assert_valid(&schema("github-actions.json"), github::ACTION);
    let gitlab = schema("gitlab-ci.json");
    assert_valid(&gitlab, gitlab::PIPELINE);
    // The schemas do reject: a job without `runs-on`, a GitLab job with an
    // unknown keyword.
    let mut broken = ci::yaml(github::WORKFLOW);
    broken["jobs"]["validate"]
        .as_object_mut()
        .unwrap()
        .remove("runs-on");
    assert!(!workflows.is_valid(&broken));
    // A pattern (job ids), which needs the validator's regular expressions.
    let mut broken = ci::yaml(github::WORKFLOW);
    let job = broken["jobs"]["validate"].clone();
    broken["jobs"]["not a job id!"] = job;
    assert!(!workflows.is_valid(&broken));
    let mut broken = ci::yaml(gitlab::PIPELINE);
    broken["validate"]["scripts"] = json!(["true"]);
    assert!(!gitlab.is_valid(&broken));
}

// ---------------------------------------------------------------------
// What every step leaves.

/// A file a step wrote holds one document: no annotation in it (only a
/// `.log`, a copy of the log, may hold some); JSON parses whole; Markdown
/// plans carry their marker.
fn clean_documents(step: &Step) {
    for (file, content) in &step.files {
        let ctx = || {
            format!(
                "{}: wrote {file}:\n{content}\nstderr:\n{}",
                step.origin, step.stderr
            )
        };
        let log = std::path::Path::new(file)
            .extension()
            .is_some_and(|e| e == "log");
        if !log {
            assert!(
                !content.lines().any(|l| l.starts_with("::")),
                "an annotation in a document: {}",
                ctx()
            );
        }
        let ext = std::path::Path::new(file).extension();
        if ext.is_some_and(|e| e == "json") {
            serde_json::from_str::<Value>(content)
                .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", ctx()));
        }
        if file.ends_with("plan.md") {
            assert!(
                content.starts_with("<!-- vocm-plan: telephony -->"),
                "{}",
                ctx()
            );
        }
    }
}

fn github_annotation(code: &str) -> String {
    format!("title={}", code.replace("::", "%3A%3A"))
}

/// Whether a script runs vocm or vocm-sandbox.
fn touches_vocm(script: &str) -> bool {
    vocm_lines(script) > 0
}

/// How many vocm and vocm-sandbox command lines a script has.
fn vocm_lines(script: &str) -> usize {
    commands(script, "vocm").len() + commands(script, "vocm-sandbox").len()
}

/// The scripts that ran, for coverage.
fn ran_scripts<'a>(steps: impl IntoIterator<Item = &'a Step>) -> BTreeSet<String> {
    steps.into_iter().map(|s| s.script.clone()).collect()
}

// ---------------------------------------------------------------------
// GitHub.

/// The thread a run posts to, before the run: a pull request's comments
/// (`comments.json`, authors in `user.login`) or a merge request's notes
/// (`notes.json`, in `author.username`). `others` messages from other
/// people, so that the bot's own falls on the second page; someone else's
/// copy of the marker (id `others + 1`); the bot's comment from an earlier
/// push (id `others + 2`).
fn seed_thread(world: &World, file: &str, author: [&str; 2], others: u64, bot: &str) {
    let by = |login: &str| json!({ author[1]: login });
    let mut thread: Vec<Value> = (1..=others)
        .map(|i| json!({"id": i, author[0]: by("alice"), "body": "looks good"}))
        .collect();
    thread.push(json!({"id": others + 1, author[0]: by("mallory"), "body": "<!-- vocm-plan: telephony -->\nfake plan"}));
    thread.push(json!({"id": others + 2, author[0]: by(bot), "body": "<!-- vocm-plan: telephony -->\nan old plan"}));
    world.set_api_json(file, &Value::Array(thread));
}

/// The body of a message of the thread in `file`.
fn message(world: &World, file: &str, id: u64) -> String {
    world
        .api_json(file)
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()["body"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// GitHub's pages hold 30 comments: the bot's (41) is on the second.
fn seed_comments(world: &World) {
    seed_thread(
        world,
        "comments.json",
        ["user", "login"],
        39,
        "github-actions[bot]",
    );
}

fn comment(world: &World, id: u64) -> String {
    message(world, "comments.json", id)
}

fn github_pull_request(world: &World) -> github::Run {
    seed_comments(world);
    let run = github::run(world, Event::PullRequest, &mut |_| {});
    for step in &run.steps {
        clean_documents(step);
    }
    assert_eq!(run.result("validate"), "success");
    assert_eq!(
        run.result("rehearse"),
        "success",
        "{:#?}",
        run.steps_of("rehearse")
    );
    assert_eq!(run.result("fork"), "skipped");
    for job in ["plan-main", "apply", "drift"] {
        assert_eq!(run.result(job), "skipped", "{job}");
    }
    // Only the plan job had a secret; a pull request run uploads nothing.
    let with_secrets: Vec<&str> = run
        .jobs
        .values()
        .filter(|j| j.secrets)
        .map(|j| j.name.as_str())
        .collect();
    assert_eq!(with_secrets, ["plan"]);
    assert!(run.artifacts.is_empty(), "{:?}", run.artifacts);
    // The comment: the bot's own (found on page 2), updated in place;
    // the copy of the marker by someone else is left alone.
    let calls = world.calls();
    assert!(
        calls.contains(&"gh PATCH repos/acme/telephony/issues/comments/41".to_owned()),
        "{calls:?}"
    );
    assert!(!calls.iter().any(|c| c.starts_with("gh POST")), "{calls:?}");
    assert_eq!(
        comment(world, 40),
        "<!-- vocm-plan: telephony -->\nfake plan"
    );
    let body = comment(world, 41);
    assert!(body.starts_with("<!-- vocm-plan: telephony -->"), "{body}");
    assert!(
        body.contains("`111111111111` merged into `222222222222`"),
        "{body}"
    );
    assert_eq!(run.jobs["plan"].summary, body);
    run
}

fn github_push(world: &World) -> github::Run {
    let run = github::run(world, Event::Push, &mut |_| {});
    for step in &run.steps {
        clean_documents(step);
    }
    for job in ["rehearse", "plan", "fork", "drift"] {
        assert_eq!(run.result(job), "skipped", "{job}");
    }
    let with_secrets: BTreeSet<&str> = run
        .jobs
        .values()
        .filter(|j| j.secrets)
        .map(|j| j.name.as_str())
        .collect();
    assert!(with_secrets.is_subset(&BTreeSet::from(["plan-main", "apply"])));
    run
}

#[test]
fn the_github_recipe_in_three_accounts() {
    let mut ran = Vec::new();
    for scenario in SCENARIOS {
        let world = World::new(scenario);
        // A pull request.
        let pr = github_pull_request(&world);
        let validate = &pr.steps_of("validate")[2];
        let plan_step = pr
            .steps_of("plan")
            .into_iter()
            .find(|s| s.script.contains("vocm --diagnostics github plan"))
            .unwrap();
        let body = comment(&world, 41);
        match scenario {
            Scenario::Warning => {
                let warning = github_annotation("vocm::outbound::overridden");
                // validate's annotations are its document, on stdout: the log.
                assert!(validate.stdout.contains(&warning), "{}", validate.log());
                assert_eq!(validate.code, 0, "a warning does not fail validate");
                // The plan's reach the log too, never plan.md.
                assert!(plan_step.stderr.contains(&warning), "{}", plan_step.log());
                assert_eq!(plan_step.code, 0);
                let plan_md = plan_step.file("vocm/plan.md").unwrap();
                assert!(plan_md.contains("### vocm plan"), "{plan_md}");
                assert!(
                    body.contains("### vocm plan") && !body.contains("failed"),
                    "{body}"
                );
                assert_eq!(pr.result("plan"), "success");
            }
            Scenario::PlanError => {
                assert_eq!(pr.result("plan"), "failure");
                assert!(
                    plan_step
                        .stderr
                        .contains(&github_annotation("vocm::plan::licenses")),
                    "{}",
                    plan_step.log()
                );
                // No plan left to be taken for current; the comment says
                // the plan failed, and why.
                assert!(
                    plan_step.file("vocm/plan.md").is_none(),
                    "{:?}",
                    plan_step.files
                );
                assert!(body.contains("### vocm plan failed"), "{body}");
                assert!(body.contains("vocm::plan::licenses"), "{body}");
                assert!(!body.contains("an old plan"), "{body}");
            }
            Scenario::Clean => {
                assert_eq!(pr.result("plan"), "success");
                assert!(body.contains("### vocm plan: no changes"), "{body}");
            }
        }
        // A merge.
        let push = github_push(&world);
        match scenario {
            Scenario::Warning => {
                assert_eq!(push.result("plan-main"), "success");
                assert!(
                    push.jobs["plan-main"].summary.contains("### vocm plan"),
                    "the reviewer reads the plan in the summary"
                );
                assert_eq!(push.artifacts.get("telephony-plan"), Some(&1));
                assert_eq!(
                    push.result("apply"),
                    "success",
                    "{:#?}",
                    push.steps_of("apply")
                );
                assert!(push.jobs["apply"].summary.contains("vocm apply: complete"));
                assert!(world.account_matches());
            }
            Scenario::PlanError => {
                assert_eq!(push.result("plan-main"), "failure");
                assert_eq!(push.result("apply"), "skipped");
                assert!(push.artifacts.is_empty());
                assert!(
                    push.jobs["plan-main"]
                        .summary
                        .contains("vocm::plan::licenses")
                );
            }
            Scenario::Clean => {
                assert_eq!(push.result("plan-main"), "success");
                assert_eq!(push.result("apply"), "skipped", "nothing to apply");
                assert!(push.artifacts.is_empty());
            }
        }
        // The schedule: after the merge, the Warning account was applied;
        // change it by hand (the console), and drift says so.
        if scenario == Scenario::Warning {
            world.rename_sales_directly(&[]);
        }
        let schedule = github::run(&world, Event::Schedule, &mut |_| {});
        for step in &schedule.steps {
            clean_documents(step);
        }
        let drift = schedule.steps_of("drift");
        let drift_step = drift.last().unwrap();
        match scenario {
            Scenario::Warning => {
                assert_eq!(schedule.result("drift"), "failure");
                assert!(drift_step.stdout.contains("::error title=vocm drift::"));
            }
            Scenario::PlanError => assert_eq!(schedule.result("drift"), "failure"),
            Scenario::Clean => assert_eq!(schedule.result("drift"), "success"),
        }
        for job in ["validate", "rehearse", "plan", "plan-main", "apply"] {
            assert_eq!(schedule.result(job), "skipped", "{job}");
        }
        // One download of the release for the whole run: the cache.
        let downloads = world
            .calls()
            .iter()
            .filter(|c| c.ends_with(ci::ARCHIVE))
            .count();
        assert_eq!(downloads, 1, "{:?}", world.calls());
        ran.extend(pr.steps);
        ran.extend(push.steps);
        ran.extend(schedule.steps);
    }
    // A fork's pull request: validated and rehearsed, not planned, and
    // the summary says why; no secret anywhere.
    let world = World::new(Scenario::Warning);
    let fork = github::run(&world, Event::ForkPullRequest, &mut |_| {});
    assert_eq!(fork.result("validate"), "success");
    assert_eq!(fork.result("rehearse"), "success");
    assert_eq!(fork.result("plan"), "skipped");
    assert_eq!(fork.result("fork"), "success");
    assert!(fork.jobs["fork"].summary.contains("no plan for a fork"));
    assert!(fork.jobs.values().all(|j| !j.secrets));
    ran.extend(fork.steps);
    // Every shell step of the workflow and of the action ran in some
    // account; so many of them touch vocm that moving them elsewhere
    // would fail here.
    let ran = ran_scripts(&ran);
    let all = github::scripts();
    for (origin, script) in &all {
        assert!(ran.contains(script), "{origin} never ran:\n{script}");
    }
    let vocm_steps = all.iter().filter(|(_, s)| touches_vocm(s)).count();
    let vocm_lines: usize = all.iter().map(|(_, s)| vocm_lines(s)).sum();
    assert_eq!(
        (all.len(), vocm_steps, vocm_lines),
        (7, 2, 7),
        "shell steps, those that run vocm or vocm-sandbox, and their vocm lines: {all:#?}"
    );
}

/// The merge's plan, then the apply job after `change` runs (while the
/// apply waits for its approval).
fn github_merge_with(world: &World, change: &dyn Fn(&World)) -> github::Run {
    let run = github::run(world, Event::Push, &mut |job| {
        if job == "apply" {
            change(world);
        }
    });
    for step in &run.steps {
        clean_documents(step);
    }
    assert_eq!(run.result("plan-main"), "success");
    run
}

/// The apply step applied the saved plan file (`plan_file`, as the
/// script names it), whole: the account now matches the manifests.
fn applied_the_saved_plan(world: &World, step: &Step, plan_file: &str) {
    assert!(step.script.contains(plan_file), "{}", step.script);
    assert_eq!(step.code, 0, "{}", step.log());
    let summary: Value = serde_json::from_str(step.file("apply.json").unwrap()).unwrap();
    assert_eq!(summary["complete"], true, "{summary}");
    assert!(world.account_matches());
}

/// The apply step refused the plan as stale and applied nothing of it:
/// the change made meanwhile stands, the rest is still to create, and no
/// summary was written.
fn refused_as_stale(world: &World, step: &Step, shown: &str) {
    assert_ne!(step.code, 0);
    assert!(step.stderr.contains(shown), "{}", step.log());
    assert!(step.file("apply.json").is_none(), "{:?}", step.files);
    let plan = world.plan_text();
    assert!(
        plan.contains("Sales team") && plan.contains("to add"),
        "{plan}"
    );
}

/// The action's step that runs vocm, in a job.
fn vocm_step<'a>(run: &'a github::Run, job: &str) -> &'a Step {
    run.steps_of(job)
        .into_iter()
        .find(|s| s.script.contains("case \"$ACTION_COMMAND\" in"))
        .unwrap()
}

#[test]
fn the_github_apply_applies_the_reviewed_plan() {
    let world = World::new(Scenario::Warning);
    let run = github_merge_with(&world, &|_| {});
    assert_eq!(run.result("apply"), "success");
    // The saved plan file, not the manifests: what was reviewed.
    applied_the_saved_plan(
        &world,
        vocm_step(&run, "apply"),
        "apply --format json \"$ACTION_PLAN_FILE\"",
    );
}

#[test]
fn the_github_apply_refuses_a_plan_the_account_changed_under() {
    let world = World::new(Scenario::Warning);
    let run = github_merge_with(&world, &|w| {
        // Someone applies another change while the apply waits.
        w.rename_sales_directly(&["ring_group:sales"]);
    });
    assert_eq!(run.result("apply"), "failure");
    refused_as_stale(
        &world,
        vocm_step(&run, "apply"),
        &github_annotation("vocm::plan::stale"),
    );
}

#[test]
fn the_github_comment_step_fails_loudly_when_the_api_does() {
    let world = World::new(Scenario::Warning);
    world.fail("gh");
    let run = github::run(&world, Event::PullRequest, &mut |_| {});
    assert_eq!(run.result("plan"), "failure");
    let post = run.steps_of("plan").into_iter().last().unwrap();
    assert_ne!(post.code, 0);
    assert!(post.stderr.contains("HTTP 502"), "{}", post.log());
}

#[test]
fn the_action_refuses_a_release_that_does_not_match_its_sha256sums() {
    let mut world = World::new(Scenario::Warning);
    world.tamper_release();
    let run = github::run(&world, Event::PullRequest, &mut |_| {});
    assert_eq!(run.result("validate"), "failure");
    let install = run
        .steps_of("validate")
        .into_iter()
        .find(|s| s.script.contains("SHA256SUMS"))
        .unwrap();
    assert!(
        install
            .stdout
            .contains("does not match the release's SHA256SUMS"),
        "{}",
        install.log()
    );
    // Nothing ran after it.
    assert!(
        !run.steps_of("validate")
            .iter()
            .any(|s| s.script.contains("vocm validate"))
    );
}

#[test]
fn the_rehearsal_waits_for_the_sandbox_10_s_at_most() {
    // A sandbox that never says its address.
    let mut world = World::new(Scenario::Warning);
    world.release_with_sandbox("#!/bin/sh\nexec sleep 60\n");
    let started = std::time::Instant::now();
    let run = github::run(&world, Event::PullRequest, &mut |_| {});
    assert_eq!(run.result("rehearse"), "failure");
    let step = &run.steps_of("rehearse")[2];
    assert!(
        step.stdout
            .contains("::error title=vocm-sandbox::the sandbox did not start within 10 s"),
        "{}",
        step.log()
    );
    let mr = gitlab::run(
        &world,
        Source::MergeRequest {
            merged_result: true,
            fork: false,
        },
        &[],
        &mut |_| {},
    );
    assert_eq!(mr.result("rehearse"), "failed");
    assert!(
        mr.step("rehearse")
            .stderr
            .contains("did not start within 10 s")
    );
    // Both gave up after their 10 s, not the sandbox's 60.
    assert!(started.elapsed() < std::time::Duration::from_secs(50));
}

#[test]
fn the_github_workflow_is_shaped_as_the_readme_says() {
    let w = ci::yaml(github::WORKFLOW);
    let jobs = w["jobs"].as_object().unwrap();
    for (name, job) in jobs {
        assert!(job["timeout-minutes"].is_u64(), "{name} has no timeout");
    }
    assert_eq!(jobs["apply"]["needs"], json!(["validate", "plan-main"]));
    assert_eq!(jobs["apply"]["environment"], "telephony");
    for job in ["plan", "plan-main", "drift"] {
        assert_eq!(jobs[job]["environment"], "telephony-plan", "{job}");
    }
    for job in ["rehearse", "plan"] {
        assert_eq!(jobs[job]["needs"], "validate", "{job}");
    }
    // The paths filters include the workflow itself.
    for event in ["pull_request", "push"] {
        let paths = w["on"][event]["paths"].as_array().unwrap();
        assert!(paths.contains(&json!(".github/workflows/telephony.yml")));
    }
    // The saved plan lives one day.
    let upload = jobs["plan-main"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .unwrap();
    assert_eq!(upload["with"]["retention-days"], 1);
    // Concurrency: main's runs queue and are never cancelled; drift has its
    // own group; pull requests cancel what they supersede.
    let group = |event: &str, pr: Value| {
        let ctx = json!({"github": {"event_name": event, "ref": "refs/heads/main",
            "event": {"pull_request": pr}}});
        let s = ci::expr::Status { failed: false };
        (
            ci::expr::string_of(&ci::expr::interpolate(
                w["concurrency"]["group"].as_str().unwrap(),
                &ctx,
                s,
            )),
            ci::expr::interpolate(
                w["concurrency"]["cancel-in-progress"].as_str().unwrap(),
                &ctx,
                s,
            ),
        )
    };
    assert_eq!(
        group("push", Value::Null),
        ("telephony-main".into(), json!(false))
    );
    assert_eq!(
        group("schedule", Value::Null),
        ("telephony-drift".into(), json!(false))
    );
    assert_eq!(
        group("workflow_dispatch", Value::Null),
        ("telephony-drift".into(), json!(false))
    );
    assert_eq!(
        group("pull_request", json!({"number": 7})),
        ("telephony-7".into(), json!(true))
    );
}

/// `uses:` lines of a file, with their comment.
fn uses_lines(file: &str) -> Vec<String> {
    std::fs::read_to_string(ci::root().join(file))
        .unwrap()
        .lines()
        .filter_map(|l| l.trim().trim_start_matches("- ").strip_prefix("uses: "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn third_party_actions_are_pinned_by_commit() {
    let mut count = 0;
    for file in [github::WORKFLOW, github::ACTION, "examples/ci/release.yml"] {
        for line in uses_lines(file) {
            if line.starts_with("your-org/vocm@") {
                // vocm's own action, by its moving major tag (README).
                assert_eq!(line, "your-org/vocm@v1");
                continue;
            }
            let (reference, comment) = line.split_once(" # ").unwrap_or((&line, ""));
            let sha = reference.split('@').nth(1).unwrap_or("");
            assert!(
                sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                "{file}: `{line}` is not pinned by a full commit SHA"
            );
            assert!(comment.starts_with('v'), "{file}: `{line}` names no tag");
            count += 1;
        }
    }
    assert!(count >= 10, "{count}");
}

// ---------------------------------------------------------------------
// GitLab.

/// The recipe asks for pages of 100 notes: the bot's (105) is on the
/// second.
fn seed_notes(world: &World) {
    seed_thread(
        world,
        "notes.json",
        ["author", "username"],
        103,
        "project_1_bot",
    );
}

fn note(world: &World, id: u64) -> String {
    message(world, "notes.json", id)
}

/// Artifacts and files of a GitLab job are plain text diagnostics: no
/// annotation anywhere, and each file one document.
fn gitlab_clean(p: &gitlab::Pipeline) {
    for step in &p.steps {
        clean_documents(step);
    }
}

#[test]
fn the_gitlab_recipe_in_three_accounts() {
    let mut traced = BTreeSet::new();
    for scenario in SCENARIOS {
        let world = World::new(scenario);
        seed_notes(&world);
        let mr = gitlab::run(
            &world,
            Source::MergeRequest {
                merged_result: true,
                fork: false,
            },
            &[],
            &mut |_| {},
        );
        gitlab_clean(&mr);
        assert_eq!(
            mr.result("validate"),
            "success",
            "{:#?}",
            mr.step("validate")
        );
        assert_eq!(
            mr.result("rehearse"),
            "success",
            "{:#?}",
            mr.step("rehearse")
        );
        assert_eq!(mr.result("fork"), "absent");
        for job in ["plan-main", "apply", "drift"] {
            assert_eq!(mr.result(job), "absent", "{job}");
        }
        // The keys: the plan key and the note token in the plan job only.
        for (name, job) in &mr.jobs {
            let expected: &[&str] = if name == "plan" {
                &[
                    "VOCM_API_KEY@telephony-plan",
                    "GITLAB_API_TOKEN@telephony-plan",
                ]
            } else {
                &[]
            };
            assert_eq!(job.secrets, expected, "{name}");
        }
        // diagnostics.json exactly when there are diagnostics.
        let validate = mr.step("validate");
        let diagnostics = validate.file("workspace/diagnostics.json");
        assert!(validate.file("validate.json").is_none());
        if scenario == Scenario::Warning {
            let d: Value = serde_json::from_str(diagnostics.unwrap()).unwrap();
            assert_eq!(d[0]["code"], "vocm::outbound::overridden", "{d}");
            assert!(validate.stderr.contains("vocm::outbound::overridden"));
        } else {
            assert!(diagnostics.is_none(), "{:?}", validate.files);
        }
        // The note: the bot's own, on page 2, updated; the copy left alone.
        let calls = world.calls();
        assert!(
            calls
                .iter()
                .any(|c| c.starts_with("curl GET") && c.contains("page=2")),
            "{calls:?}"
        );
        assert!(
            calls
                .iter()
                .any(|c| c.starts_with("curl PUT") && c.ends_with("/notes/105")),
            "{calls:?}"
        );
        assert_eq!(
            note(&world, 104),
            "<!-- vocm-plan: telephony -->\nfake plan"
        );
        let body = note(&world, 105);
        assert!(
            body.contains("`555555555555` merged into `666666666666`"),
            "{body}"
        );
        let plan = mr.step("plan");
        match scenario {
            Scenario::Warning => {
                assert_eq!(mr.result("plan"), "success", "{}", plan.log());
                assert!(plan.stderr.contains("vocm::outbound::overridden"));
                assert!(body.contains("### vocm plan") && !body.contains("failed"));
            }
            Scenario::PlanError => {
                assert_eq!(mr.result("plan"), "failed");
                assert!(
                    plan.stderr.contains("vocm::plan::licenses"),
                    "{}",
                    plan.log()
                );
                assert!(body.contains("### vocm plan failed"), "{body}");
                assert!(body.contains("vocm::plan::licenses"), "{body}");
            }
            Scenario::Clean => {
                assert_eq!(mr.result("plan"), "success");
                assert!(body.contains("### vocm plan: no changes"), "{body}");
            }
        }
        // The merge, with the apply run by a deployer.
        let push = gitlab::run(&world, Source::Push, &["apply"], &mut |_| {});
        gitlab_clean(&push);
        for job in ["rehearse", "plan", "fork", "drift"] {
            assert_eq!(push.result(job), "absent", "{job}");
        }
        let plan_main = push.step("plan-main");
        if scenario == Scenario::PlanError {
            assert_eq!(push.result("plan-main"), "failed");
            assert!(plan_main.file("telephony.plan.json").is_none());
            assert_eq!(push.result("apply"), "skipped");
        } else {
            assert_eq!(push.result("plan-main"), "success", "{}", plan_main.log());
            assert!(plan_main.file("telephony.plan.json").is_some());
            assert_eq!(
                push.result("apply"),
                "success",
                "{}",
                push.step("apply").log()
            );
            assert_eq!(push.jobs["apply"].secrets, ["VOCM_API_KEY@telephony"]);
            let summary: Value =
                serde_json::from_str(push.step("apply").file("apply.json").unwrap()).unwrap();
            assert_eq!(summary["complete"], true);
            assert!(world.account_matches());
        }
        // The schedule.
        let schedule = gitlab::run(&world, Source::Schedule, &[], &mut |_| {});
        gitlab_clean(&schedule);
        assert_eq!(
            schedule.result("drift"),
            if scenario == Scenario::PlanError {
                "failed"
            } else {
                "success"
            }
        );
        // One download for the three pipelines: the cache.
        let downloads = world
            .calls()
            .iter()
            .filter(|c| c.ends_with(ci::ARCHIVE))
            .count();
        assert_eq!(downloads, 1);
        traced.extend(mr.traced);
        traced.extend(push.traced);
        traced.extend(schedule.traced);
    }
    // Detached (no merged results): the note says what was planned.
    let world = World::new(Scenario::Clean);
    let detached = gitlab::run(
        &world,
        Source::MergeRequest {
            merged_result: false,
            fork: false,
        },
        &[],
        &mut |_| {},
    );
    assert_eq!(detached.result("plan"), "success");
    let notes = world.api_json("notes.json");
    let body = notes[0]["body"].as_str().unwrap();
    assert!(body.contains("the source branch alone"), "{body}");
    // A fork: validated and rehearsed, the fork job says why, no plan.
    let fork = gitlab::run(
        &world,
        Source::MergeRequest {
            merged_result: true,
            fork: true,
        },
        &[],
        &mut |_| {},
    );
    assert_eq!(fork.result("plan"), "absent");
    assert_eq!(fork.result("fork"), "success");
    assert!(fork.step("fork").stdout.contains("not planned"));
    assert!(fork.jobs.values().all(|j| j.secrets.is_empty()));
    traced.extend(detached.traced);
    traced.extend(fork.traced);
    // Every script item ran in some pipeline (the default before_script's
    // in each job that uses it).
    let items = gitlab::items();
    for (id, script) in &items {
        let ran = match id.strip_prefix("default:") {
            Some(b) => traced.iter().any(|t| t.ends_with(&format!(":{b}"))),
            None => traced.contains(id),
        };
        assert!(ran, "{id} never ran:\n{script}");
    }
    let vocm_items = items.iter().filter(|(_, s)| touches_vocm(s)).count();
    let vocm_lines: usize = items.iter().map(|(_, s)| vocm_lines(s)).sum();
    assert_eq!(
        (items.len(), vocm_items, vocm_lines),
        (37, 9, 9),
        "script items, those that run vocm or vocm-sandbox, and their vocm lines: {items:#?}"
    );
}

fn gitlab_merge_with(world: &World, change: &dyn Fn(&World)) -> gitlab::Pipeline {
    let p = gitlab::run(world, Source::Push, &["apply"], &mut |job| {
        if job == "apply" {
            change(world);
        }
    });
    gitlab_clean(&p);
    assert_eq!(p.result("plan-main"), "success");
    p
}

#[test]
fn the_gitlab_apply_applies_the_reviewed_plan() {
    let world = World::new(Scenario::Warning);
    let p = gitlab_merge_with(&world, &|_| {});
    assert_eq!(p.result("apply"), "success");
    applied_the_saved_plan(
        &world,
        p.step("apply"),
        "vocm apply --format json telephony.plan.json",
    );
}

#[test]
fn the_gitlab_apply_refuses_a_plan_the_account_changed_under() {
    let world = World::new(Scenario::Warning);
    let p = gitlab_merge_with(&world, &|w| {
        w.rename_sales_directly(&["ring_group:sales"]);
    });
    assert_eq!(p.result("apply"), "failed");
    refused_as_stale(&world, p.step("apply"), "vocm::plan::stale");
}

#[test]
fn the_gitlab_note_step_fails_loudly_when_the_api_does() {
    let world = World::new(Scenario::Warning);
    world.fail("curl");
    let mr = gitlab::run(
        &world,
        Source::MergeRequest {
            merged_result: true,
            fork: false,
        },
        &[],
        &mut |_| {},
    );
    assert_eq!(mr.result("plan"), "failed");
    assert!(mr.step("plan").stderr.contains("curl: (22)"));
}

#[test]
fn the_gitlab_pipeline_is_shaped_as_the_readme_says() {
    let p = ci::yaml(gitlab::PIPELINE);
    for job in [
        "validate",
        "rehearse",
        "fork",
        "plan",
        "plan-main",
        "apply",
        "drift",
    ] {
        assert!(p[job]["timeout"].is_string(), "{job} has no timeout");
    }
    assert_eq!(p["apply"]["needs"], json!(["validate", "plan-main"]));
    assert_eq!(p["apply"]["resource_group"], "telephony");
    assert_eq!(p["apply"]["rules"][0]["when"], "manual");
    assert_eq!(p["drift"]["resource_group"], "telephony-drift");
    assert_eq!(p["plan-main"]["artifacts"]["expire_in"], "1 day");
    assert!(
        p["plan"]["artifacts"].is_null(),
        "a merge request uploads no plan"
    );
    let rule = |c: &str, vars: &[(&str, &str)]| {
        gitlab::condition(c, &|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    };
    assert!(rule(
        "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == \"push\"",
        &[
            ("CI_COMMIT_BRANCH", "main"),
            ("CI_DEFAULT_BRANCH", "main"),
            ("CI_PIPELINE_SOURCE", "push")
        ]
    ));
    assert!(!rule(
        "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH",
        &[("CI_DEFAULT_BRANCH", "main")]
    ));
}

// ---------------------------------------------------------------------
// The release, the hook, the image, the README.

/// GitHub's filter pattern syntax (`*`, `+`, `?`, `[…]`) as a regex.
fn filter_regex(pattern: &str) -> regex::Regex {
    let mut re = String::from("^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str("[^/]*"),
            '.' => re.push_str("\\."),
            _ => re.push(c),
        }
    }
    re.push('$');
    regex::Regex::new(&re).unwrap()
}

#[test]
fn the_release_workflow_is_least_privilege_and_current() {
    let r = ci::yaml("examples/ci/release.yml");
    // Versions trigger it, the moved major tag does not.
    let patterns: Vec<regex::Regex> = r["on"]["push"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| filter_regex(p.as_str().unwrap()))
        .collect();
    let triggers = |tag: &str| patterns.iter().any(|p| p.is_match(tag));
    assert!(triggers("v1.2.3") && triggers("v0.10.0") && triggers("v1.2.3-rc.1"));
    assert!(!triggers("v1") && !triggers("v1.2") && !triggers("latest"));
    // Read by default; each job's extra rights are its own.
    assert_eq!(r["permissions"], json!({"contents": "read"}));
    let jobs = r["jobs"].as_object().unwrap();
    for (name, job) in jobs {
        assert!(job["timeout-minutes"].is_u64(), "{name}");
        let perms = &job["permissions"];
        let write = perms["contents"] == "write";
        assert_eq!(write, name == "publish", "{name}: {perms}");
        if perms["id-token"] == "write" {
            assert!(["attest", "image"].contains(&name.as_str()), "{name}");
        }
    }
    // Current runners; static Linux builds on both architectures.
    let matrix = r["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap();
    let targets: BTreeSet<&str> = matrix
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    for t in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
    ] {
        assert!(targets.contains(t), "{t}");
    }
    assert!(matrix.iter().all(|t| t["os"] != "macos-13"));
    // The toolchain is the crate's rust-version, spelled out.
    let cargo = std::fs::read_to_string(ci::root().join("Cargo.toml")).unwrap();
    let rust_version = cargo
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"');
    assert_eq!(r["env"]["RUST_TOOLCHAIN"], rust_version);
    // What the recipes download is what the release publishes.
    let text = std::fs::read_to_string(ci::root().join("examples/ci/release.yml")).unwrap();
    assert!(text.contains("sha256sum vocm-*.tar.gz > SHA256SUMS"));
    assert!(text.contains("--prerelease"));
    for file in [github::ACTION, gitlab::PIPELINE] {
        let t = std::fs::read_to_string(ci::root().join(file)).unwrap();
        assert!(
            t.contains("SHA256SUMS") && t.contains("unknown-linux-musl"),
            "{file}"
        );
    }
    // The image is built and smoke-run before anything is published.
    assert_eq!(
        jobs["publish"]["needs"],
        json!(["check", "image", "attest"])
    );
    assert!(text.contains("docker run --rm vocm:smoke --version"));
    assert!(text.contains("docker run --rm vocm:smoke validate /examples/acme"));
}

#[test]
fn the_release_checks_its_tag_against_the_crate_version() {
    let r = ci::yaml("examples/ci/release.yml");
    let script = r["jobs"]["check"]["steps"][1]["run"].as_str().unwrap();
    let check = |tag: &str| {
        let out = tempfile::NamedTempFile::new().unwrap();
        let env = vec![
            ("PATH".to_owned(), std::env::var("PATH").unwrap()),
            ("HOME".to_owned(), std::env::var("HOME").unwrap_or_default()),
            ("GITHUB_REF_NAME".to_owned(), tag.to_owned()),
            ("GITHUB_OUTPUT".to_owned(), out.path().display().to_string()),
        ];
        let (code, stdout, _) = ci::bash(script, &ci::root(), &env);
        (code, stdout, std::fs::read_to_string(out.path()).unwrap())
    };
    let version = ci::VERSION;
    let (code, _, outputs) = check(&format!("v{version}"));
    assert_eq!(code, 0);
    assert!(outputs.contains(&format!("version={version}")));
    assert!(outputs.contains("prerelease=false"));
    assert!(outputs.contains("major=v0"));
    let (code, stdout, _) = check("v9.9.9");
    assert_eq!(code, 1);
    assert!(stdout.contains("is not v"), "{stdout}");
    let (code, _, _) = check(&format!("v{version}-rc.1"));
    assert_eq!(code, 1, "a pre-release tag needs the pre-release version");
}

#[test]
fn the_pre_commit_hook_validates_the_whole_set() {
    let hooks = ci::yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().unwrap();
    assert!(hooks.len() >= 2);
    let world_dir = tempfile::tempdir().unwrap();
    vocm_testkit::fixtures::acme_with_a_warning(&world_dir.path().join("telephony"));
    for hook in hooks {
        // References cross files: never only the changed ones.
        assert_eq!(hook["pass_filenames"], false, "{hook}");
        let entry = shlex::split(hook["entry"].as_str().unwrap()).unwrap();
        assert_eq!(entry[..2], ["vocm", "validate"]);
        // As pre-commit runs it: the entry, then the user's args.
        let mut cmd = assert_cmd::Command::cargo_bin("vocm").unwrap();
        let out = cmd
            .args(&entry[1..])
            .arg("telephony")
            .current_dir(world_dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("vocm::outbound::overridden"));
    }
    // A broken set fails the hook.
    let users = world_dir.path().join("telephony/users");
    std::fs::remove_dir_all(&users).unwrap();
    let out = assert_cmd::Command::cargo_bin("vocm")
        .unwrap()
        .args(["validate", "telephony"])
        .current_dir(world_dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_container_image_holds_the_static_binary_and_the_example() {
    let docker = std::fs::read_to_string(ci::root().join("Dockerfile")).unwrap();
    let from: Vec<&str> = docker.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(from, ["FROM gcr.io/distroless/static-debian12:nonroot"]);
    assert!(docker.contains("COPY dist/linux-${TARGETARCH}/vocm /usr/local/bin/vocm"));
    assert!(docker.contains("COPY examples/acme /examples/acme"));
    assert!(docker.contains("ENTRYPOINT [\"/usr/local/bin/vocm\"]"));
    // The release unpacks each architecture's musl binary where the
    // Dockerfile copies it from.
    let text = std::fs::read_to_string(ci::root().join("examples/ci/release.yml")).unwrap();
    assert!(text.contains("for arch in amd64:x86_64 arm64:aarch64"));
    assert!(text.contains("-unknown-linux-musl.tar.gz\" -C \"dist/linux-${arch%%:*}\" vocm"));
}

#[test]
fn the_readme_documents_the_action_the_hook_and_the_image() {
    let readme = std::fs::read_to_string(ci::root().join("README.md")).unwrap();
    let ci_section = readme
        .split("## Use it in CI")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    for needle in [
        "uses: OWNER/vocm@v1",
        "vocm-validate",
        ".pre-commit-hooks.yaml",
        "pass_filenames",
        "ghcr.io/OWNER/vocm",
        "telephony-plan",
        "merged results",
        "stale",
        "Dependabot",
        "read-only",
    ] {
        assert!(
            ci_section.contains(needle),
            "the CI section does not say {needle}"
        );
    }
    assert!(!readme.contains("/work/shared"));
}
