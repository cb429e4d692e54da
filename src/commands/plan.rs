//! `vocm plan`: what apply would change, for review.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::options::{Global, paths_or_cwd};
use crate::outcome::Outcome;
use crate::output::Run;
use crate::output::Style;
use vocm_core::account::ResourceId;
use vocm_core::diagnostics::{Code, Diagnostic};
use vocm_core::engine::{self, Read};
use vocm_core::plan::file::PlanFile;
use vocm_core::render::paths::Detail;
use vocm_core::render::text::PlanView;
use vocm_core::util::write_atomically;

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
    /// Plan renames (`moved`) the provider can only make as a delete and a
    /// create, losing what the resource held (a user's voicemail).
    #[arg(long)]
    pub allow_replace: bool,
    /// Markdown: the ID in the hidden `<!-- vocm-plan: ID -->` line CI uses
    /// to update its comment in place (default: the manifest paths).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Text and Markdown: mask personal data (names, emails, external
    /// numbers) for review; `--mask-pii=keys` masks users' keys too (they
    /// are often names). Saved plan files (`-o`) are never masked.
    #[arg(
        long,
        value_enum,
        value_name = "WHAT",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "personal"
    )]
    pub mask_pii: Option<MaskPii>,
    /// Text and Markdown: how much of the call paths to show — `changes`
    /// (what differs, grouped by cause), `full` (before and after, whole;
    /// `vocm route` shows any one) or `none`.
    #[arg(long, value_enum, value_name = "DETAIL", default_value_t = CallPaths::Changes)]
    pub call_paths: CallPaths,
}

/// `--mask-pii[=WHAT]`. The value needs its `=`: `--mask-pii telephony`
/// masks the plan of the directory `telephony`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MaskPii {
    /// Names, emails, external numbers, CRM user names.
    Personal,
    /// Those, and users' keys.
    Keys,
}

/// `--call-paths`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CallPaths {
    /// Every changed path, before and after, whole.
    Full,
    /// Only what differs, grouped by the change that causes it.
    Changes,
    /// No call paths.
    None,
}

impl From<CallPaths> for Detail {
    fn from(c: CallPaths) -> Self {
        match c {
            CallPaths::Full => Detail::Full,
            CallPaths::Changes => Detail::Changes,
            CallPaths::None => Detail::None,
        }
    }
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
    if args.mask_pii.is_some() && args.format == PlanFormat::Json {
        // The JSON plan is the machine plan: masked, it would describe
        // changes that are not the ones apply makes.
        let _ = clap::Error::raw(
            clap::error::ErrorKind::ArgumentConflict,
            "--mask-pii applies to the text and Markdown plans, not to --format json (the machine plan)\n",
        )
        .print();
        return Outcome::Failure;
    }
    let mut run = Run::new(global, style);
    let Some(provider) = run.provider() else {
        return run.finish(None, Outcome::Failure);
    };
    // Before the plan: reading the state may create it.
    let notes = super::common::plan_notes(global);
    let cwd = std::env::current_dir().ok();
    let Ok(prepared) = engine::prepare(
        &paths_or_cwd(&args.paths),
        cwd.as_deref(),
        &args.targets,
        engine::Want {
            replaces: engine::Replaces {
                allowed: args.allow_replace,
                applying: false,
            },
            call_paths: Some(vocm_core::route::Whole::Every),
        },
        provider.as_ref(),
        &Read::Beside,
        &mut run.findings,
    ) else {
        return run.finish(None, Outcome::Failure);
    };
    super::common::verbose_plan(&run, &prepared, &provider.info());
    let mut file = PlanFile::new(
        &prepared.plan,
        provider.info(),
        prepared.snapshot.fingerprint.clone(),
        prepared.mass_deletes.clone(),
    );
    file.call_paths.clone_from(&prepared.call_paths);
    let masked = args.mask_pii.map(|_| {
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
        kept: &prepared.plan.kept,
        detail: args.call_paths.into(),
        width: style.width_out,
        targets: &args.targets,
        notes: &notes,
    };
    let rendered = match args.format {
        PlanFormat::Text => vocm_core::render::text::render(&view, style.color_stdout()),
        PlanFormat::Markdown => {
            let paths = paths_or_cwd(&args.paths)
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
        PlanFormat::Json => match vocm_core::render::json::render(&file) {
            Ok(json) => json,
            Err(e) => {
                let outcome = run.fail(
                    Diagnostic::error(
                        Code::PlanWrite,
                        format!("cannot write the plan as JSON: {e}"),
                    )
                    .help("report this as a bug"),
                );
                return run.finish(None, outcome);
            }
        },
    };
    let rendered = if args.mask_pii == Some(MaskPii::Keys) {
        let mut keys = vocm_core::render::mask::Keys::of_users([&prepared.snapshot.account]);
        keys.extend(
            prepared
                .plan
                .changes
                .iter()
                .filter(|c| c.id.kind == vocm_core::account::Kind::User)
                .flat_map(|c| std::iter::once(c.id.key.as_str()).chain(c.moved_from.as_deref())),
        );
        keys.apply(&rendered)
    } else {
        rendered
    };
    if let Some(out) = &args.out {
        file.attach_audio(&prepared.audio);
        // What its apply needs to name the account's resources as this
        // plan did (the JSON document leaves it out, like the audio).
        file.identities.clone_from(&prepared.identities);
        let written = file
            .to_bytes()
            .map_err(|e| e.to_string())
            .and_then(|bytes| write_atomically(out, &bytes).map_err(|e| e.to_string()));
        if let Err(e) = written {
            let outcome = run.fail(
                Diagnostic::error(
                    Code::PlanWrite,
                    format!("cannot write the plan file {}: {e}", out.display()),
                )
                .at_path(out.display().to_string())
                .help("check that the directory exists and is writable"),
            );
            return run.finish(None, outcome);
        }
    }
    let outcome = if args.detailed_exitcode && !prepared.plan.is_empty() {
        Outcome::Changes
    } else {
        Outcome::Success
    };
    run.finish(Some(&rendered), outcome)
}
