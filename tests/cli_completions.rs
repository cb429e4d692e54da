//! `vocm completions` and `vocm man`: what a packager installs.

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
}
