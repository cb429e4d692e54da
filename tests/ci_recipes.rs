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
