//! `vocm route NUMBER|EXTENSION`: where a call goes, from the manifests.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::report;
use super::validate::emit;
use crate::cli::DiagnosticFormat;
use crate::cli::{Global, Outcome, Style, paths_or_cwd, print_stdout};
use vocm_core::account::Account;
use vocm_core::diagnostics::{Code, Diagnostic};
use vocm_core::manifest::audio::read_audio;
use vocm_core::plan::desired::{Context, desired};
use vocm_core::route::{self, When};

#[derive(Debug, Args)]
pub struct RouteArgs {
    /// The number (in any human form) or extension dialled.
    #[arg(value_name = "NUMBER|EXTENSION")]
    pub dialled: String,
    /// Follow only this condition at each step (default: every condition).
    #[arg(long, value_enum)]
    pub when: Option<WhenArg>,
    /// Manifest files or directories (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// How the route is printed.
    #[arg(long, value_enum, default_value_t = RouteFormat::Text)]
    pub format: RouteFormat,
}

/// `--when`: the engine's [`When`], spelt as the manifests write it
/// (`no_answer`), with the kebab-case alias a command line invites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum WhenArg {
    /// The line is busy.
    Busy,
    /// Nobody answers in time.
    #[value(alias = "no-answer")]
    NoAnswer,
    /// The phone is offline.
    Unreachable,
}

impl From<WhenArg> for When {
    fn from(w: WhenArg) -> When {
        match w {
            WhenArg::Busy => When::Busy,
            WhenArg::NoAnswer => When::NoAnswer,
            WhenArg::Unreachable => When::Unreachable,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RouteFormat {
    Text,
    Json,
    /// A Mermaid flowchart (GitHub renders it in Markdown).
    Mermaid,
}

#[must_use]
pub fn run(args: &RouteArgs, global: &Global, style: Style) -> Outcome {
    let cwd = std::env::current_dir().ok();
    let validated = vocm_core::validate::validate_paths(&paths_or_cwd(&args.paths), cwd.as_deref());
    let format = global.diagnostics.unwrap_or(DiagnosticFormat::Text);
    if validated.diagnostics.has_errors() {
        emit(
            &validated.diagnostics,
            &validated.raw.sources,
            format,
            style,
        );
        return Outcome::Failure;
    }
    // Routes read the manifests only: `auto` extensions are those a plan
    // against an empty account would give.
    let (audio, _) = read_audio(&validated.raw, &validated.manifest);
    let empty = Account::default();
    let cx = Context {
        raw: &validated.raw,
        current: &empty,
        audio: &audio,
        licenses: None,
        can_claim_numbers: true,
    };
    let (account, _) = desired(&validated.manifest, &cx);
    let Some(start) = route::entry(&account, &args.dialled) else {
        report(
            Diagnostic::error(
                Code::RouteUnknownEntry,
                format!("nothing answers `{}`: no user, ring group or auto attendant has it", args.dialled),
            )
            .help("give a number of `phone_numbers` assigned to someone (e.g. +33 1 70 00 00 01) or an extension"),
            global,
            style,
        );
        return Outcome::Failure;
    };
    let shown = args
        .dialled
        .parse::<vocm_core::model::PhoneNumber>()
        .map_or_else(|_| args.dialled.clone(), |n| n.to_string());
    let r = route::trace(&account, &shown, &start, args.when.map(When::from));
    let out = match args.format {
        RouteFormat::Text => route::text(&r),
        RouteFormat::Mermaid => route::mermaid(&r),
        RouteFormat::Json => {
            let mut s = serde_json::to_string_pretty(&r).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    print_stdout(&out);
    Outcome::Success
}
