//! `vocm plan`: what apply would change, for review.

use std::path::PathBuf;

use clap::{Args, CommandFactory, ValueEnum};

use super::common::{prepare, report};
use crate::cli::{Global, Outcome, Style, print_stdout};
use vocm_core::account::ResourceId;
use vocm_core::diagnostics::{Code, Diagnostic};
use vocm_core::plan::file::PlanFile;
use vocm_core::provider::local::write_atomically;
use vocm_core::render::text::PlanView;

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Manifest files or directories (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Also save the machine plan to this file, for `vocm apply FILE`.
    #[arg(short = 'o', long = "out", value_name = "PLAN_FILE")]
    pub out: Option<PathBuf>,
    /// How the plan is printed.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Exit 2 when the plan has changes (0 when none, 1 on error).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Limit the plan to this resource and what it needs (repeatable).
    #[arg(long = "target", value_name = "KIND:KEY")]
    pub targets: Vec<ResourceId>,
    /// Markdown: the ID in the hidden `<!-- vocm-plan: ID -->` line CI uses
    /// to update its comment in place (default: the manifest paths).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Text and Markdown: mask personal data (names, emails, external
    /// numbers) for review. Saved plan files (`-o`) are never masked.
    #[arg(long)]
    pub mask_pii: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Terraform-like text.
    Text,
    /// The machine plan (docs/plan-format.md).
    Json,
    /// Markdown for a pull-request comment.
    Markdown,
}

#[must_use]
pub fn run(args: &PlanArgs, global: &Global, style: Style) -> Outcome {
    if args.mask_pii && args.format == PlanFormat::Json {
        // The JSON plan is the machine plan: masked, it would describe
        // changes that are not the ones apply makes.
        let _ = crate::cli::Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--mask-pii applies to the text and Markdown plans, not to --format json (the machine plan)",
            )
            .print();
        return Outcome::Failure;
    }
    let provider = match global.provider() {
        Ok(p) => p,
        Err(e) => {
            super::common::report_provider(&e, global, style);
            return Outcome::Failure;
        }
    };
    let prepared = match prepare(
        &args.paths,
        &args.targets,
        provider.as_ref(),
        None,
        global,
        style,
    ) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let mut file = PlanFile::new(
        &prepared.plan,
        provider.info(),
        prepared.snapshot.fingerprint.clone(),
        prepared.mass_deletes.clone(),
    );
    file.call_paths.clone_from(&prepared.call_paths);
    let masked = args.mask_pii.then(|| {
        (
            vocm_core::render::mask::changes(&prepared.plan.changes),
            vocm_core::render::mask::paths(&prepared.call_paths),
        )
    });
    let (changes, call_paths) = masked.as_ref().map_or(
        (&prepared.plan.changes[..], &prepared.call_paths[..]),
        |(c, p)| (&c[..], &p[..]),
    );
    let view = PlanView {
        changes,
        summary: file.summary,
        mass_deletes: &prepared.mass_deletes,
        call_paths,
    };
    let rendered = match args.format {
        PlanFormat::Text => vocm_core::render::text::render(&view, style.color_stdout()),
        PlanFormat::Markdown => {
            let paths = crate::cli::paths_or_cwd(&args.paths)
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ");
            let rerun = format!("vocm plan {paths}");
            vocm_core::render::markdown::render(
                &view,
                &vocm_core::render::markdown::Comment {
                    id: args.id.as_deref().unwrap_or(&paths),
                    rerun: &rerun,
                    limit: vocm_core::render::markdown::COMMENT_LIMIT,
                },
            )
        }
        PlanFormat::Json => vocm_core::render::json::render(&file),
    };
    if let Some(out) = &args.out {
        file.attach_audio(&prepared.audio);
        let mut bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
        bytes.push(b'\n');
        if let Err(e) = write_atomically(out, &bytes) {
            report(
                Diagnostic::error(
                    Code::PlanUnreadable,
                    format!("cannot write the plan file {}: {e}", out.display()),
                )
                .at_path(out.display().to_string())
                .help("check that the directory exists and is writable"),
                global,
                style,
            );
            return Outcome::Failure;
        }
    }
    print_stdout(&rendered);
    if args.detailed_exitcode && !prepared.plan.is_empty() {
        Outcome::Changes
    } else {
        Outcome::Success
    }
}
