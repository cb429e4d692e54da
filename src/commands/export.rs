//! `vocm export -o DIR`: the current account as manifests and audio files.

use std::path::PathBuf;

use clap::Args;

use super::common::{report, report_provider};
use crate::cli::{Global, Outcome, Style, print_stderr};
use vocm_core::diagnostics::{Code, Diagnostic};
use vocm_core::provider::AudioStore;

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
    let provider = match global.provider() {
        Ok(p) => p,
        Err(e) => {
            super::common::report_provider(&e, global, style);
            return Outcome::Failure;
        }
    };
    let snapshot = match provider.snapshot() {
        Ok(s) => s,
        Err(e) => {
            report_provider(&e, global, style);
            return Outcome::Failure;
        }
    };
    let fail = |message: String| {
        report(
            Diagnostic::error(Code::ExportWrite, message)
                .at_path(args.out.display().to_string())
                .help("choose an empty directory, or pass --force"),
            global,
            style,
        );
        Outcome::Failure
    };
    let non_empty = std::fs::read_dir(&args.out).is_ok_and(|mut d| d.next().is_some());
    if non_empty && !args.force {
        return fail(format!(
            "{} is not empty: export does not overwrite manifests",
            args.out.display()
        ));
    }
    let mut audio = AudioStore::new();
    for a in snapshot.account.audio_files.values() {
        match provider.audio(&a.sha256) {
            Ok(Some(bytes)) => {
                audio.insert(a.sha256.clone(), bytes);
            }
            Ok(None) => {}
            Err(e) => {
                report_provider(&e, global, style);
                return Outcome::Failure;
            }
        }
    }
    let header = format!(
        "Exported by vocm {} from the {}.\nPlanned against the same account, these manifests show no changes.",
        env!("CARGO_PKG_VERSION"),
        provider.info()
    );
    let files = vocm_core::export::export(&snapshot.account, &audio, &header);
    for f in &files {
        let path = args.out.join(&f.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| vocm_core::provider::local::write_atomically(&path, &f.content));
        if let Err(e) = written {
            return fail(format!("cannot write {}: {e}", path.display()));
        }
    }
    if !style.quiet {
        print_stderr(&format!(
            "exported {} files to {} ({} users, {} ring groups, {} auto attendants)\n",
            files.len(),
            args.out.display(),
            snapshot.account.users.len(),
            snapshot.account.ring_groups.len(),
            snapshot.account.auto_attendants.len()
        ));
    }
    Outcome::Success
}
