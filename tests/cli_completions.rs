//! `vocm completions`, `vocm man` and each command's `--help`: what a
//! packager installs and what a user reads first.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use assert_cmd::Command;
use predicates::prelude::*;

fn vocm() -> Command {
    let mut cmd = Command::cargo_bin("vocm").unwrap();
    cmd.env_clear();
    cmd
}

#[test]
fn completions_for_every_shell_know_the_commands_and_flags() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef vocm"),
        ("fish", "complete -c vocm"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = vocm()
            .args(["completions", shell])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(marker), "{shell}: no `{marker}`");
        for word in ["validate", "route", "detailed-exitcode", "mask-pii"] {
            assert!(text.contains(word), "{shell}: no `{word}`");
        }
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    vocm()
        .args(["completions", "tcsh"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("invalid value 'tcsh'"));
}

#[test]
fn the_man_page_is_roff_with_every_command() {
    let out = vocm()
        .arg("man")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(".TH vocm 1"));
    for command in ["validate", "plan", "apply", "export", "route", "schema"] {
        assert!(text.contains(command), "no `{command}` in the man page");
    }
    // What a man page owes its reader, and no page that vocm does not ship.
    assert!(text.contains(".SH \"EXIT STATUS\""), "{text}");
    assert!(text.contains(".SH ENVIRONMENT"), "{text}");
    assert!(!text.contains("vocm-plan(1)"), "{text}");
    let from = text.find(".SH COMMANDS").unwrap();
    let to = text.find(".SH VERSION").unwrap_or(text.len());
    insta::assert_snapshot!("man_commands_exit_status_environment", &text[from..to]);
}

/// `vocm COMMAND --help`, at a fixed width.
fn help(command: &str) -> String {
    let out = vocm()
        .env("COLUMNS", "100")
        .args([command, "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn each_command_helps_with_the_options_it_uses() {
    // Offline commands say nothing of providers; the generators, nothing
    // of output at all.
    for command in ["validate", "route", "schema", "completions", "man"] {
        let text = help(command);
        for option in ["--state", "--provider", "--endpoint", "--timeout"] {
            assert!(
                !text.contains(option),
                "{command} --help shows {option}:\n{text}"
            );
        }
    }
    for command in ["route", "schema", "completions", "man"] {
        assert!(!help(command).contains("--verbose"), "{command}");
    }
    for command in ["completions", "man"] {
        assert!(!help(command).contains("--diagnostics"), "{command}");
    }
    for command in ["plan", "apply", "export"] {
        let text = help(command);
        for option in ["--state", "--provider", "--diagnostics", "--quiet"] {
            assert!(text.contains(option), "{command} --help lacks {option}");
        }
    }
    insta::assert_snapshot!("help_validate", help("validate"));
    insta::assert_snapshot!("help_schema", help("schema"));
}

#[test]
fn common_options_still_work_wherever_they_are_written() {
    // Hidden from a command's help is not gone: before or after it.
    vocm()
        .args(["--diagnostics", "json", "validate", "missing-dir"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("vocm::input::not-found"));
    vocm()
        .args(["schema", "--no-color", "plan"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"$schema\""));
}

#[test]
fn schema_writes_to_a_file_on_request() {
    let dir = tempfile::tempdir().unwrap();
    vocm()
        .current_dir(dir.path())
        .args(["schema", "-o", ".vocm/vocm.schema.json"])
        .assert()
        .success()
        .stdout("");
    let written = std::fs::read_to_string(dir.path().join(".vocm/vocm.schema.json")).unwrap();
    let printed = vocm()
        .arg("schema")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(written.as_bytes(), &printed[..]);
}
