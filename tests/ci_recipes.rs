//! The CI recipes in `examples/ci/` are YAML their CI accepts in shape, and
//! every `vocm` command line in them is one vocm's CLI accepts: a recipe
//! that drifts from the CLI fails here, not in a user's pipeline.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::PathBuf;

use clap::Parser;
use serde_json::Value;

fn recipe(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/ci")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The shell scripts of a recipe: GitHub's `run`, GitLab's `script` and
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
        // Split into simple commands.
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
                    // Redirections: `> file`, `2>&1`.
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

fn check(name: &str, at_least: &[&str]) {
    let mut all = Vec::new();
    scripts(&recipe(name), &mut all);
    let lines: Vec<Vec<String>> = all.iter().flat_map(|s| commands(s, "vocm")).collect();
    for words in &lines {
        if let Err(e) = vocm::cli::Cli::try_parse_from(words) {
            panic!(
                "{name}: `{}` is not a vocm command line:\n{e}",
                words.join(" ")
            );
        }
    }
    // The recipe does what its comment says: each of these subcommands
    // appears.
    for sub in at_least {
        assert!(
            lines.iter().any(|w| w.iter().any(|x| x == sub)),
            "{name}: no `vocm {sub}` in {lines:?}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|w| w.iter().any(|x| x == "--detailed-exitcode"))
    );
}

#[test]
fn the_github_actions_recipe() {
    let v = recipe("github-actions.yml");
    let jobs = v["jobs"].as_object().unwrap();
    for job in ["validate", "rehearse", "plan", "apply", "drift"] {
        assert!(jobs.contains_key(job), "no job {job}");
    }
    // Applies are serialized, never cancelled half-way.
    assert_eq!(jobs["apply"]["concurrency"]["cancel-in-progress"], false);
    check("github-actions.yml", &["validate", "plan", "apply"]);
}

#[test]
fn the_gitlab_recipe() {
    let v = recipe("gitlab-ci.yml");
    for job in ["validate", "rehearse", "plan", "apply", "drift"] {
        assert!(v[job]["script"].is_array(), "no job {job}");
    }
    assert_eq!(v["apply"]["resource_group"], "telephony");
    check("gitlab-ci.yml", &["validate", "plan", "apply"]);
}

#[test]
fn the_release_workflow_builds_what_the_recipes_download() {
    let v = recipe("release.yml");
    let targets: Vec<&str> = v["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert!(targets.contains(&"x86_64-unknown-linux-gnu"));
    assert!(targets.iter().any(|t| t.ends_with("apple-darwin")));
    for recipe_name in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("examples/ci")
                .join(recipe_name),
        )
        .unwrap();
        assert!(text.contains("vocm-x86_64-unknown-linux-gnu.tar.gz"));
    }
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

/// Each recipe's vocm lines as the shell runs them, redirections and all:
/// script lines (continuations joined) that start with `vocm `.
fn shell_lines(name: &str) -> Vec<String> {
    let mut all = Vec::new();
    scripts(&recipe(name), &mut all);
    all.iter()
        .flat_map(|s| {
            s.replace("\\\n", " ")
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("vocm "))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The bundled example as `telephony/`, with a validation warning.
fn telephony(dir: &std::path::Path) {
    vocm_testkit::fixtures::acme_with_a_warning(&dir.join("telephony"));
}

/// What one recipe line left: its exit code, its streams (what it did not
/// redirect) and the files it wrote.
struct Ran {
    line: String,
    code: i32,
    stdout: String,
    stderr: String,
    files: Vec<(String, String)>,
}

/// Runs every vocm line of a recipe with bash, in a fresh directory holding
/// `telephony/`, against `sandbox` (as the recipes' secrets and rehearsal
/// endpoint would), with the vocm just built first on the PATH.
fn run_recipe(name: &str, sandbox: &vocm_testkit::sandbox::Sandbox) -> Vec<Ran> {
    let vocm = assert_cmd::cargo::cargo_bin("vocm");
    let path = format!(
        "{}:{}",
        vocm.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut out = Vec::new();
    for line in shell_lines(name) {
        let dir = tempfile::tempdir().unwrap();
        telephony(dir.path());
        let before: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        let o = std::process::Command::new("bash")
            .args(["-c", &line])
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", &path)
            .env("COLUMNS", "100")
            .env("VOCM_PROVIDER", "http")
            .env("VOCM_ENDPOINT", &sandbox.base)
            .env("VOCM_API_KEY", vocm_testkit::sandbox::KEY)
            .env("endpoint", &sandbox.base)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let mut files = Vec::new();
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let e = e.unwrap();
            if !before.contains(&e.file_name()) {
                files.push((
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(e.path()).unwrap(),
                ));
            }
        }
        out.push(Ran {
            line,
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            files,
        });
    }
    out
}

/// A file or stream holds exactly the document its name or format says:
/// JSON parses whole; Markdown and plans hold no annotation or diagnostic.
fn one_document(ran: &Ran) {
    for (file, content) in &ran.files {
        let ctx = format!(
            "`{}` wrote {file}:\n{content}\nstderr:\n{}",
            ran.line, ran.stderr
        );
        assert!(
            !content.lines().any(|l| l.starts_with("::")),
            "an annotation in the document: {ctx}"
        );
        let extension = std::path::Path::new(file).extension();
        if extension.is_some_and(|e| e == "json") && !content.is_empty() {
            serde_json::from_str::<Value>(content)
                .unwrap_or_else(|e| panic!("not one JSON document ({e}): {ctx}"));
        }
        if extension.is_some_and(|e| e == "md") && !content.is_empty() {
            assert!(content.contains("<!-- vocm-plan: telephony -->"), "{ctx}");
        }
    }
    // A validate's document is its diagnostics; any other command's stdout
    // (where not redirected) holds no annotation.
    if !ran.line.contains(" validate ") {
        assert!(
            !ran.stdout.lines().any(|l| l.starts_with("::")),
            "`{}` printed annotations on stdout:\n{}",
            ran.line,
            ran.stdout
        );
    }
}

#[test]
fn recipe_lines_with_a_validation_warning_write_clean_documents() {
    for name in ["github-actions.yml", "gitlab-ci.yml"] {
        let sandbox = vocm_testkit::sandbox::Sandbox::start(&[]);
        let runs = run_recipe(name, &sandbox);
        assert!(runs.len() >= 5, "{name}: {} vocm lines", runs.len());
        for ran in &runs {
            one_document(ran);
            let github = ran.line.contains("github");
            // The warning reaches the log (stderr), or is the document of a
            // validate with a machine format.
            let shown = if github {
                "title=vocm%3A%3Aoutbound%3A%3Aoverridden"
            } else {
                "vocm::outbound::overridden"
            };
            let document = ran
                .files
                .iter()
                .map(|(_, c)| c.as_str())
                .collect::<String>();
            assert!(
                ran.stderr.contains(shown)
                    || (ran.line.contains(" validate ")
                        && (ran.stdout.contains(shown) || document.contains(shown))),
                "{name}: `{}` did not show the warning:\nstdout:\n{}\nstderr:\n{}",
                ran.line,
                ran.stdout,
                ran.stderr
            );
            if ran.line.contains("--format markdown") {
                assert_eq!(ran.code, 0, "{}: {}", ran.line, ran.stderr);
                assert!(
                    ran.files
                        .iter()
                        .any(|(f, c)| f == "plan.md" && c.contains("### vocm plan")),
                    "{:?}",
                    ran.files
                );
                assert!(ran.files.iter().any(|(f, _)| f == "plan.json"));
            }
            if ran.line.contains("apply.json") {
                assert_eq!(ran.code, 0, "{}: {}", ran.line, ran.stderr);
                let (_, json) = ran.files.iter().find(|(f, _)| f == "apply.json").unwrap();
                let v: Value = serde_json::from_str(json).unwrap();
                assert_eq!(v["complete"], true, "{json}");
            }
        }
        sandbox.stop();
    }
}

#[test]
fn recipe_lines_with_a_plan_time_error_show_it_in_the_log() {
    for name in ["github-actions.yml", "gitlab-ci.yml"] {
        // 1 license X2 where the manifests need 11.
        let sandbox = vocm_testkit::sandbox::Sandbox::start(&["--licenses", "X2=1,X4=20"]);
        let runs = run_recipe(name, &sandbox);
        for ran in runs.iter().filter(|r| !r.line.contains(" validate ")) {
            one_document(ran);
            // `|| status=$?` keeps the exit code for the recipe's own test.
            if !ran.line.contains("||") {
                assert_eq!(ran.code, 1, "{name}: `{}`:\n{}", ran.line, ran.stderr);
            }
            let shown = if ran.line.contains("github") {
                ",title=vocm%3A%3Aplan%3A%3Alicenses::"
            } else {
                "vocm::plan::licenses"
            };
            assert!(
                ran.stderr.contains(shown),
                "{name}: `{}`:\n{}",
                ran.line,
                ran.stderr
            );
            // No document is written when there is none to write.
            for (file, content) in &ran.files {
                assert!(
                    content.is_empty() || file == "sandbox.out",
                    "{name}: `{}` wrote {file}: {content}",
                    ran.line
                );
            }
        }
        sandbox.stop();
    }
}
