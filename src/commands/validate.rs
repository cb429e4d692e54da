//! `vocm validate`: every offline check, every problem at once.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use crate::options::DiagnosticFormat;
use crate::options::{Global, paths_or_cwd};
use crate::outcome::Outcome;
use crate::output::{Style, print_stderr, print_stdout};
use vocm_core::diagnostics::{Diagnostics, Severity, github, json, text};
use vocm_core::model::Manifest;
use vocm_core::source::SourceMap;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Manifest files or directories (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// How diagnostics are printed (same as --diagnostics).
    #[arg(long, value_enum)]
    pub format: Option<DiagnosticFormat>,
    /// Fail when there are warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[must_use]
pub fn run(args: &ValidateArgs, global: &Global, style: Style) -> Outcome {
    let cwd = std::env::current_dir().ok();
    let started = std::time::Instant::now();
    let validated = vocm_core::validate::validate_paths(&paths_or_cwd(&args.paths), cwd.as_deref());
    if style.verbose {
        let mut list = String::new();
        for (_, file) in validated.raw.sources.iter() {
            let _ = writeln!(list, "read {}", file.display);
        }
        let _ = writeln!(list, "validated in {} ms", started.elapsed().as_millis());
        print_stderr(&list);
    }
    let format = args
        .format
        .or(global.diagnostics)
        .unwrap_or(DiagnosticFormat::Text);
    emit(
        &validated.diagnostics,
        &validated.raw.sources,
        format,
        style,
    );
    let failed = validated.diagnostics.has_errors()
        || (args.deny_warnings && validated.diagnostics.count(Severity::Warning) > 0);
    if format == DiagnosticFormat::Text && !style.quiet && !failed {
        print_stderr(&format!(
            "{}: {}\n",
            if validated.diagnostics.is_empty() {
                "valid"
            } else {
                "valid, with warnings"
            },
            counts(&validated.manifest, validated.raw.sources.len())
        ));
    }
    if failed {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}

/// Prints diagnostics in the chosen format, to the stream the format uses.
pub fn emit(
    diagnostics: &Diagnostics,
    sources: &SourceMap,
    format: DiagnosticFormat,
    style: Style,
) {
    match format {
        DiagnosticFormat::Text => {
            if !diagnostics.is_empty() {
                print_stderr(&text::render_all(diagnostics.iter(), sources, style.text()));
            }
        }
        DiagnosticFormat::Json => print_stdout(&json::render(diagnostics.iter(), sources)),
        DiagnosticFormat::Github => print_stdout(&github::render(diagnostics.iter(), sources)),
    }
}

/// "3 files: 15 users, 2 ring groups, 1 auto attendant, ...".
fn counts(m: &Manifest, files: usize) -> String {
    let plural = vocm_core::util::count;
    let parts = [
        plural(m.users.len(), "user", "users"),
        plural(m.ring_groups.len(), "ring group", "ring groups"),
        plural(m.auto_attendants.len(), "auto attendant", "auto attendants"),
        plural(m.sites.len(), "site", "sites"),
        plural(m.phone_numbers.len(), "phone number", "phone numbers"),
        plural(m.devices.len(), "device", "devices"),
        plural(m.audio_files.len(), "audio file", "audio files"),
    ];
    format!("{} ({})", plural(files, "file", "files"), parts.join(", "))
}
