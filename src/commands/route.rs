//! `vocm route NUMBER|EXTENSION`: where a call goes, from the manifests.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::options::{Global, paths_or_cwd};
use crate::outcome::Outcome;
use crate::output::Run;
use crate::output::Style;
use vocm_core::engine;
use vocm_core::route::{At, When};

#[derive(Debug, Args)]
pub struct RouteArgs {
    /// The number (in any human form) or extension dialled.
    #[arg(value_name = "NUMBER|EXTENSION")]
    pub dialled: String,
    /// Follow only this condition at each step (default: every condition).
    #[arg(long, value_enum)]
    pub when: Option<WhenArg>,
    /// Read schedules at this moment: a local time in each schedule's time
    /// zone (2026-12-25T10:00), or an instant (2026-12-25T09:00Z). Default:
    /// every state of a schedule is a branch.
    #[arg(long, value_name = "TIME")]
    pub at: Option<At>,
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
    let mut run = Run::new(global, style);
    let cwd = std::env::current_dir().ok();
    let Ok(routed) = engine::route(
        &paths_or_cwd(&args.paths),
        cwd.as_deref(),
        &args.dialled,
        args.when.map(When::from),
        args.at,
        &mut run.findings,
    ) else {
        return run.finish(None, Outcome::Failure);
    };
    let r = &routed.route;
    let out = match args.format {
        RouteFormat::Text => vocm_core::render::route::text(r),
        RouteFormat::Mermaid => vocm_core::render::route::mermaid(r),
        // A route holds strings, numbers and lists: it always serializes.
        RouteFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(r).expect("a route serializes to JSON")
        ),
    };
    run.finish(Some(&out), Outcome::Success)
}
