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
            call_paths: traced(args),
        },
        provider.as_ref(),
        &Read::Beside,
        &mut run.findings,
    ) else {
        return run.finish(None, Outcome::Failure);
    };
    super::common::verbose_plan(&run, &prepared, &provider.info());
    let outcome = if args.detailed_exitcode && !prepared.plan.is_empty() {
        Outcome::Changes
    } else {
        Outcome::Success
    };
    let engine::Prepared {
        snapshot,
        plan,
        call_paths,
        audio,
        mass_deletes,
        identities,
        places,
        ..
    } = prepared;
    // Where each resource is written serves an apply's failures; the
    // account as read, only the masking of keys. At 100,000 users they
    // are tens and hundreds of megabytes.
    drop(places);
    let fingerprint = snapshot.fingerprint;
    let keys = (args.mask_pii == Some(MaskPii::Keys))
        .then(|| vocm_core::render::mask::Keys::of_users([&snapshot.account]));
    drop(snapshot.account);
    // The machine plan takes the plan and its call paths (moved, not
    // copied: at 100,000 new users each is hundreds of megabytes), and the
    // text and Markdown are rendered from it.
    let mut file =
        PlanFile::from_plan(plan, call_paths, provider.info(), fingerprint, mass_deletes);
    if args.format == PlanFormat::Json && args.out.is_none() {
        // Streamed: the JSON of 300,000 creates is hundreds of megabytes.
        return run.finish_streamed(|w| file.write_to(w), outcome);
    }
    // With `-o`, the document is rendered before the saved plan gains
    // what the document leaves out (its audio and identities).
    let json = if args.format == PlanFormat::Json {
        match vocm_core::render::json::render(&file) {
            Ok(json) => Some(json),
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
        }
    } else {
        None
    };
    if let Some(out) = &args.out {
        // What a saved plan carries beyond the JSON document: the audio it
        // uploads, and what its apply needs to name the account's
        // resources as this plan did.
        file.attach_audio(&audio);
        file.identities = identities;
        if let Err(outcome) = save(&file, out, &mut run) {
            return run.finish(None, outcome);
        }
    }
    if let Some(json) = json {
        return run.finish(Some(&json), outcome);
    }
    let masked = args.mask_pii.map(|_| {
        (
            vocm_core::render::mask::changes(&file.changes),
            vocm_core::render::mask::paths(&file.call_paths),
        )
    });
    let (changes, shown_paths) = masked
        .as_ref()
        .map_or((&file.changes[..], &file.call_paths[..]), |(c, p)| {
            (&c[..], &p[..])
        });
    let view = PlanView {
        changes,
        summary: file.summary,
        mass_deletes: &file.mass_deletes,
        call_paths: shown_paths,
        kept: &file.kept,
        detail: args.call_paths.into(),
        width: style.width_out,
        targets: &args.targets,
        notes: &notes,
    };
    if args.format == PlanFormat::Text && args.mask_pii != Some(MaskPii::Keys) {
        // Streamed: the text of 300,000 creates is about 150 MB.
        let color = style.color_stdout();
        return run.finish_streamed(
            |w| vocm_core::render::text::render_to(&view, color, w),
            outcome,
        );
    }
    let rendered = match args.format {
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
        _ => vocm_core::render::text::render(&view, style.color_stdout()),
    };
    let rendered = if let Some(mut keys) = keys {
        keys.extend(
            file.changes
                .iter()
                .filter(|c| c.id.kind == vocm_core::account::Kind::User)
                .flat_map(|c| std::iter::once(c.id.key.as_str()).chain(c.moved_from.as_deref())),
        );
        keys.apply(&rendered)
    } else {
        rendered
    };
    run.finish(Some(&rendered), outcome)
}

/// How much of the call paths the plan's outputs read: the machine plan
/// (`--format json`, `-o`) and `--call-paths full` every path whole; the
/// text and Markdown by cause the first new paths (the rest are listed by
/// number); `--call-paths none` alone, none.
fn traced(args: &PlanArgs) -> Option<vocm_core::route::Whole> {
    use vocm_core::route::Whole;
    if args.format == PlanFormat::Json || args.out.is_some() {
        return Some(Whole::Every);
    }
    match args.call_paths {
        CallPaths::Full => Some(Whole::Every),
        CallPaths::Changes => Some(Whole::FirstNew(vocm_core::render::paths::NEW_SHOWN)),
        CallPaths::None => None,
    }
}

/// Writes the machine plan to `out` (`plan -o`), whole or not at all, as
/// it is serialised (a 100,000-user plan is hundreds of megabytes).
fn save(file: &PlanFile, out: &std::path::Path, run: &mut Run<'_>) -> Result<(), Outcome> {
    vocm_core::util::write_atomically_with(out, &mut |w| file.write_to(w)).map_err(|e| {
        run.fail(
            Diagnostic::error(
                Code::PlanWrite,
                format!("cannot write the plan file {}: {e}", out.display()),
            )
            .at_path(out.display().to_string())
            .help("check that the directory exists and is writable"),
        )
    })
}
