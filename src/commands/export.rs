//! `vocm export -o DIR`: the current account as manifests and audio files.

use std::path::PathBuf;

use clap::Args;

use crate::options::Global;
use crate::outcome::Outcome;
use crate::output::Run;
use crate::output::{Style, print_stderr};
use vocm_core::engine::{self, ExportOptions};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The directory to write the manifests to (created if missing; must
    /// be empty unless --force).
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a directory that is not empty (files of the same name are
    /// replaced).
    #[arg(long)]
    pub force: bool,
}

#[must_use]
pub fn run(args: &ExportArgs, global: &Global, style: Style) -> Outcome {
    let mut run = Run::new(global, style);
    let Some(provider) = run.provider() else {
        return run.finish(None, Outcome::Failure);
    };
    let options = ExportOptions {
        out: args.out.clone(),
        force: args.force,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let Ok(exported) = engine::export(provider.as_ref(), &options, &mut run.findings) else {
        return run.finish(None, Outcome::Failure);
    };
    if !style.quiet {
        // Export writes files; what it did is progress, on stderr.
        let count = vocm_core::util::count;
        print_stderr(&format!(
            "exported {} to {} ({}, {}, {})\n",
            count(exported.files.len(), "file", "files"),
            args.out.display(),
            count(exported.users, "user", "users"),
            count(exported.ring_groups, "ring group", "ring groups"),
            count(
                exported.auto_attendants,
                "auto attendant",
                "auto attendants"
            ),
        ));
    }
    run.finish(None, Outcome::Success)
}
