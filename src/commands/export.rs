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
        print_stderr(&format!(
            "exported {} files to {} ({} users, {} ring groups, {} auto attendants)\n",
            exported.files.len(),
            args.out.display(),
            exported.users,
            exported.ring_groups,
            exported.auto_attendants
        ));
    }
    run.finish(None, Outcome::Success)
}
