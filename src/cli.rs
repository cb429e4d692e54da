//! The command line: clap definitions, and the one place that maps an
//! outcome to an exit code.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use crate::commands;
use crate::options::Global;
use crate::output::Style;

/// Manage a cloud phone system's account as code: validate YAML manifests,
/// plan the changes against the live account, apply them.
#[derive(Debug, Parser)]
#[command(name = "vocm", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests: YAML, schema and every offline rule.
    Validate(commands::validate::ValidateArgs),
    /// Show what apply would change in the account to match the manifests.
    Plan(commands::plan::PlanArgs),
    /// Change the account to match the manifests (or a saved plan).
    Apply(commands::apply::ApplyArgs),
    /// Write the current account as manifests (and audio files).
    Export(commands::export::ExportArgs),
    /// Show where a call to a number or an extension goes.
    Route(commands::route::RouteArgs),
    /// Print the JSON Schema of manifests, plans or diagnostics.
    Schema(commands::schema::SchemaArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish).
    Completions(commands::completions::CompletionsArgs),
    /// Print the man page (roff).
    Man,
}

/// The options each command ignores. They stay global, so that `vocm
/// --diagnostics github plan` works wherever they are written, but a
/// command's `--help` shows only what it uses.
const IGNORED: &[(&str, &[&str])] = &[
    ("validate", PROVIDER),
    ("route", OFFLINE),
    ("schema", OFFLINE),
    ("completions", ALL),
    ("man", ALL),
];

/// What a command that reads no account and reports no progress ignores.
const OFFLINE: &[&str] = &[
    "quiet",
    "verbose",
    "state",
    "provider",
    "endpoint",
    "allow_insecure_http",
    "timeout",
];

/// The options that choose and reach the account.
const PROVIDER: &[&str] = &[
    "state",
    "provider",
    "endpoint",
    "allow_insecure_http",
    "timeout",
];

const ALL: &[&str] = &[
    "diagnostics",
    "no_color",
    "quiet",
    "verbose",
    "state",
    "provider",
    "endpoint",
    "allow_insecure_http",
    "timeout",
];

/// The command line as parsed, helped and documented (completions, man).
#[must_use]
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    let globals: Vec<clap::Arg> = cmd.get_arguments().cloned().collect();
    for (name, ignored) in IGNORED {
        cmd = cmd.mut_subcommand(*name, |mut sub| {
            // A subcommand's own copy of a global option is kept when the
            // command is built: this one is hidden from its help.
            for arg in globals
                .iter()
                .filter(|a| ignored.contains(&a.get_id().as_str()))
            {
                sub = sub.arg(arg.clone().hide(true));
            }
            sub
        });
    }
    cmd
}

/// Runs vocm with these arguments; returns the process exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let parsed = command()
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints usage errors with its own exit code 2; vocm's
            // contract is 1 for any bad argument (2 means "changes").
            let _ = e.print();
            return ExitCode::from(u8::from(e.use_stderr()));
        }
    };
    let style = Style::from_global(&cli.global);
    let outcome = match &cli.command {
        Command::Validate(args) => commands::validate::run(args, &cli.global, style),
        Command::Plan(args) => commands::plan::run(args, &cli.global, style),
        Command::Apply(args) => commands::apply::run(args, &cli.global, style),
        Command::Export(args) => commands::export::run(args, &cli.global, style),
        Command::Route(args) => commands::route::run(args, &cli.global, style),
        Command::Schema(args) => commands::schema::run(args, &cli.global, style),
        Command::Completions(args) => commands::completions::completions(args, command()),
        Command::Man => commands::completions::man(command()),
    };
    ExitCode::from(outcome.code())
}
