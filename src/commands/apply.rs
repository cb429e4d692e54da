//! `vocm apply`: make the account match the manifests, or a saved plan.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;

use crate::options::{Global, paths_or_cwd};
use crate::outcome::Outcome;
use crate::output::Run;
use crate::output::{Style, print_stderr, print_stdout, stream_stderr, stream_stdout};
use crate::progress::Progress;
use vocm_core::account::ResourceId;
use vocm_core::apply::{ChangeResult, Event, Report};
use vocm_core::diagnostics::{Code, Diagnostic};
use vocm_core::engine::{self, Places, Read};
use vocm_core::plan::file::PlanFile;
use vocm_core::plan::{MassDelete, Plan};
use vocm_core::provider::{AudioStore, Provider, Session, SessionOptions};
use vocm_core::render::text::PlanView;

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan file saved by `vocm plan -o`, or manifest files or directories
    /// (default: the current directory).
    #[arg(value_name = "PLAN_FILE | PATH")]
    pub inputs: Vec<PathBuf>,
    /// Apply without asking for confirmation (needed without a terminal).
    #[arg(long)]
    pub auto_approve: bool,
    /// Apply even a plan that deletes more than 10 % of a kind of resource.
    #[arg(long)]
    pub allow_mass_delete: bool,
    /// Limit the run to this resource and what it needs (repeatable).
    #[arg(long = "target", value_name = "KIND:KEY")]
    pub targets: Vec<ResourceId>,
    /// Plan renames (`moved`) the provider can only make as a delete and a
    /// create, losing what the resource held (a user's voicemail).
    #[arg(long)]
    pub allow_replace: bool,
    /// How long to wait for another apply to release the state (e.g. 30s, 10m).
    #[arg(long, value_parser = crate::options::parse_duration, default_value = "0s")]
    pub lock_timeout: Duration,
    /// `json`: print a machine summary of the apply on stdout (each change,
    /// its outcome and operation id); the plan then goes to stderr.
    #[arg(long, value_enum, default_value_t = ApplyFormat::Text)]
    pub format: ApplyFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ApplyFormat {
    Text,
    Json,
}

/// Set by Ctrl-C: changes in flight finish, no new one starts.
static STOP: AtomicBool = AtomicBool::new(false);

fn plan_file(inputs: &[PathBuf]) -> Option<(PathBuf, Result<PlanFile, String>)> {
    let [path] = inputs else { return None };
    if !path.is_file() {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    PlanFile::parse(&bytes).map(|r| (path.clone(), r))
}

#[must_use]
pub fn run(args: &ApplyArgs, global: &Global, style: Style) -> Outcome {
    let mut run = Run::new(global, style);
    let Some(provider) = run.provider() else {
        return run.finish(None, Outcome::Failure);
    };
    // Told by the provider of waits and retries from the session's first
    // read on, and by the executor of each step.
    let progress = Arc::new(Progress::new(
        run.style.quiet,
        std::io::stderr().is_terminal(),
    ));
    let outcome = if let Some((path, parsed)) = plan_file(&args.inputs) {
        apply_saved(&path, parsed, provider.as_ref(), args, &progress, &mut run)
    } else {
        apply_manifests(provider.as_ref(), args, &progress, &mut run)
    };
    run.finish(None, outcome)
}

/// `apply PLAN_FILE`: exactly the reviewed plan, if the account is still
/// the one it was made against.
fn apply_saved(
    path: &std::path::Path,
    parsed: Result<PlanFile, String>,
    provider: &dyn Provider,
    args: &ApplyArgs,
    progress: &Arc<Progress>,
    run: &mut Run<'_>,
) -> Outcome {
    let shown = path.display().to_string();
    let file = match parsed {
        Ok(f) => f,
        Err(why) => {
            return run.fail(
                Diagnostic::error(
                    Code::PlanUnreadable,
                    format!("cannot read the plan {shown}: {why}"),
                )
                .at_path(shown)
                .help("make a new plan with `vocm plan -o FILE`"),
            );
        }
    };
    if !args.targets.is_empty() {
        return run.fail(
            Diagnostic::error(
                Code::ArgsTarget,
                "--target applies to manifests, not to a saved plan",
            )
            .help("make the plan with --target, then apply the plan file"),
        );
    }
    if engine::apply::check_provider(&file, &shown, provider, &mut run.findings).is_err()
        || refuse_mass_delete(&file.mass_deletes, args, run)
    {
        return Outcome::Failure;
    }
    provider.identify(&file.identities);
    let session = match provider.session(&session_options(args, progress)) {
        Ok(s) => s,
        Err(e) => return run.fail(e.diagnostic()),
    };
    match engine::apply::check_fresh(&file, &shown, session.as_ref(), &mut run.findings) {
        Err(_) => return Outcome::Failure,
        Ok(engine::apply::Freshness::AlreadyApplied) => {
            // Nothing to write: the session is let go, as for an empty
            // plan (finishing it would bump the state's serial).
            drop(session);
            if !run.style.quiet {
                print_stderr(&format!(
                    "Already applied: the account matches the result of {shown}. Nothing to do.\n"
                ));
            }
            if args.format == ApplyFormat::Json {
                print_stdout(&json_summary(
                    &Plan::default(),
                    &Report::default(),
                    &provider.info(),
                ));
            }
            return Outcome::Success;
        }
        Ok(engine::apply::Freshness::Fresh) => {}
    }
    let plan = file.plan();
    execute_plan(
        &plan,
        &file.audio_store(),
        session,
        &provider.info(),
        &Places::default(),
        args,
        progress,
        run,
    )
}

/// How the session takes its lock: what it meets on the way (a wait, a
/// lock reclaimed from a dead apply) is said on stderr as it happens, even
/// with `--quiet`: a wait would otherwise look like a hang.
fn session_options(args: &ApplyArgs, progress: &Arc<Progress>) -> SessionOptions {
    SessionOptions {
        lock_timeout: args.lock_timeout,
        notice: Some(std::sync::Arc::new(|line: &str| {
            print_stderr(&format!("{line}\n"));
        })),
        observer: Some(progress.clone()),
    }
}

/// `apply PATH...`: validate, then lock and read once, plan from that read,
/// show the plan, confirm, apply.
fn apply_manifests(
    provider: &dyn Provider,
    args: &ApplyArgs,
    progress: &Arc<Progress>,
    run: &mut Run<'_>,
) -> Outcome {
    // The lock is taken (and, over HTTP, the account read) once the
    // manifests are known to be valid, and held from the plan to the end of
    // the apply: a second apply waiting with --lock-timeout then plans
    // against what the first one left, instead of finding its plan stale.
    let session: std::cell::OnceCell<Box<dyn Session + '_>> = std::cell::OnceCell::new();
    let options = session_options(args, progress);
    let read = || {
        let s = provider.session(&options)?;
        let snapshot = s.snapshot()?;
        let _ = session.set(s);
        Ok(snapshot)
    };
    // Before the plan: reading the state may create it.
    let notes = super::common::plan_notes(run.global);
    let cwd = std::env::current_dir().ok();
    let Ok(prepared) = engine::prepare(
        &paths_or_cwd(&args.inputs),
        cwd.as_deref(),
        &args.targets,
        engine::Want {
            replaces: engine::Replaces {
                allowed: args.allow_replace,
                applying: true,
            },
            // The plan is shown only when someone may read it, and as
            // text: it shows the first new paths whole and lists the rest.
            call_paths: shows_plan(args, run).then_some(vocm_core::route::Whole::FirstNew(
                vocm_core::render::paths::NEW_SHOWN,
            )),
        },
        provider,
        &Read::After(&read),
        &mut run.findings,
    ) else {
        return Outcome::Failure;
    };
    super::common::verbose_plan(run, &prepared, &provider.info());
    let Some(session) = session.into_inner() else {
        return Outcome::Failure;
    };
    let view = PlanView {
        changes: &prepared.plan.changes,
        summary: prepared.plan.summary(),
        mass_deletes: &prepared.mass_deletes,
        call_paths: &prepared.call_paths,
        kept: &prepared.plan.kept,
        detail: vocm_core::render::paths::Detail::Changes,
        width: run.style.width_out,
        targets: &args.targets,
        notes: &notes,
    };
    if shows_plan(args, run) {
        // Streamed: at 100,000 users the text is about 150 MB.
        let color = run.style.color_stdout();
        let render =
            |w: &mut dyn std::io::Write| vocm_core::render::text::render_to(&view, color, w);
        // The document of `--format json` is the apply's summary: then the
        // plan a reader reviews goes to stderr.
        if args.format == ApplyFormat::Json {
            stream_stderr(render);
        } else {
            stream_stdout(render);
        }
    }
    if prepared.plan.is_empty() {
        if args.format == ApplyFormat::Json {
            print_stdout(&json_summary(
                &prepared.plan,
                &Report::default(),
                &provider.info(),
            ));
        }
        return Outcome::Success;
    }
    if refuse_mass_delete(&prepared.mass_deletes, args, run) || !confirmed(args, run) {
        return Outcome::Failure;
    }
    // What only the plan's display needed goes before the apply: the
    // account as read (the session holds its own) and the call paths. At
    // 100,000 users they are hundreds of megabytes the apply never reads.
    let engine::Prepared {
        plan,
        audio,
        places,
        snapshot,
        call_paths,
        ..
    } = prepared;
    drop((snapshot, call_paths));
    execute_plan(
        &plan,
        &audio,
        session,
        &provider.info(),
        &places,
        args,
        progress,
        run,
    )
}

/// Whether the plan is shown before it is applied: with --quiet, only when
/// a question about it follows.
fn shows_plan(args: &ApplyArgs, run: &Run<'_>) -> bool {
    !run.style.quiet || !args.auto_approve
}

/// Reports a mass deletion unless allowed; returns whether it refused.
fn refuse_mass_delete(mass: &[MassDelete], args: &ApplyArgs, run: &mut Run<'_>) -> bool {
    if mass.is_empty() || args.allow_mass_delete {
        return false;
    }
    let what: Vec<String> = mass
        .iter()
        .map(|m| format!("{} of {} {}", m.deleted, m.existing, m.kind.plural()))
        .collect();
    run.push(
        Diagnostic::error(
            Code::ApplyMassDelete,
            format!(
                "this plan deletes {}: more than 10 % of the account's resources of a kind",
                what.join(", ")
            ),
        )
        .help("check the plan; if the deletion is intended, apply with --allow-mass-delete"),
    );
    true
}

/// Asks on a terminal; without one, `--auto-approve` is required.
fn confirmed(args: &ApplyArgs, run: &mut Run<'_>) -> bool {
    if args.auto_approve {
        return true;
    }
    if !std::io::stdin().is_terminal() {
        run.push(
            Diagnostic::error(
                Code::ApplyNotConfirmed,
                "apply needs a confirmation, and there is no terminal to ask on",
            )
            .help(
                "review the plan, then run again with --auto-approve (or apply a saved plan file)",
            ),
        );
        return false;
    }
    // A person reads the warnings before the question they may change the
    // answer to; a machine format stays one document, printed at the end.
    if run.format() == crate::options::DiagnosticFormat::Text {
        run.flush();
    }
    print_stderr("\nApply these changes? Only `yes` or `y` is accepted. [y/N] ");
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        true
    } else {
        run.push(
            Diagnostic::error(
                Code::ApplyNotConfirmed,
                "apply cancelled: nothing was changed",
            )
            .help("answer `yes` to apply"),
        );
        false
    }
}

/// Applies `plan` in `session` (already checked to be current), with
/// progress on stderr, and reports what happened.
// The session and the progress its observer tells go together, but are
// made apart: the progress before the session, so that it hears of the
// session's first read.
#[allow(clippy::too_many_arguments)]
fn execute_plan(
    plan: &Plan,
    audio: &AudioStore,
    session: Box<dyn Session + '_>,
    provider: &vocm_core::provider::ProviderInfo,
    places: &Places,
    args: &ApplyArgs,
    progress: &Arc<Progress>,
    run: &mut Run<'_>,
) -> Outcome {
    if plan.is_empty() {
        print_stderr("No changes to apply.\n");
        if args.format == ApplyFormat::Json {
            print_stdout(&json_summary(plan, &Report::default(), provider));
        }
        return Outcome::Success;
    }
    STOP.store(false, Ordering::SeqCst);
    let told = Arc::clone(progress);
    let _ = ctrlc::set_handler(move || {
        if STOP.swap(true, Ordering::SeqCst) {
            // A second Ctrl-C: leave now; the journal keeps what was applied.
            std::process::exit(130);
        }
        told.say(
            "\ninterrupted: finishing the changes in flight, starting no more (Ctrl-C again to quit now)",
        );
    });
    let quiet = run.style.quiet;
    progress.start(plan.changes.len());
    let on_step = |e: Event<'_>| {
        if let Event::Finished {
            index,
            change,
            result,
        } = e
        {
            progress.finished(plan, index, change, result);
        }
    };
    let applied = engine::apply::run(
        plan,
        audio,
        session,
        places,
        &STOP,
        &on_step,
        &mut run.findings,
    );
    progress.finish();
    let report = applied.report;
    // The diagnostics first, then the closing line under them.
    run.flush();
    if let Some(line) = closing_line(plan, &report, quiet) {
        print_stderr(&line);
    }
    if provider.kind == "http" {
        run.verbose(&progress.counts());
    }
    if args.format == ApplyFormat::Json {
        print_stdout(&json_summary(plan, &report, provider));
    }
    if !applied.durable {
        Outcome::Failure
    } else if report.interrupted {
        Outcome::Interrupted
    } else if report.complete() {
        Outcome::Success
    } else {
        Outcome::Failure
    }
}

/// "Apply complete: 4 added, 4 changed, 1 destroyed." — counted as the
/// plan's closing line counts, so that the two agree; an apply that did not
/// finish adds its steps (a plan's change may take two).
fn closing_line(plan: &Plan, report: &Report, quiet: bool) -> Option<String> {
    let applied = plan.summary_of(|i| matches!(report.results[i], ChangeResult::Applied { .. }));
    let done = format!(
        "{} added, {} changed, {} destroyed",
        applied.add, applied.change, applied.destroy
    );
    if report.complete() {
        return (!quiet).then(|| format!("\nApply complete: {done}.\n"));
    }
    let steps = format!(
        "of the plan's {}, {} applied, {} failed, {} skipped, {} not started",
        vocm_core::util::count(report.results.len(), "step", "steps"),
        report.applied(),
        report.failed(),
        report.skipped(),
        report.not_started()
    );
    let how = if report.interrupted {
        "interrupted"
    } else {
        "incomplete"
    };
    Some(format!(
        "\nApply {how}: {done}; {steps}. Run `vocm plan` to see what is left.\n"
    ))
}

/// The machine summary of an apply (`--format json`), described in
/// docs/plan-format.md.
fn json_summary(
    plan: &Plan,
    report: &Report,
    provider: &vocm_core::provider::ProviderInfo,
) -> String {
    let changes: Vec<serde_json::Value> = plan
        .changes
        .iter()
        .zip(&report.results)
        .map(|(c, o)| {
            let mut v = serde_json::json!({
                "id": c.id,
                "action": c.action,
                "phase": c.phase,
            });
            if let (Some(obj), Ok(serde_json::Value::Object(outcome))) =
                (v.as_object_mut(), serde_json::to_value(o))
            {
                obj.extend(outcome);
            }
            v
        })
        .collect();
    let applied = plan.summary_of(|i| matches!(report.results[i], ChangeResult::Applied { .. }));
    let summary = serde_json::json!({
        "format_version": 1,
        "provider": provider,
        "complete": report.complete(),
        "interrupted": report.interrupted,
        "added": applied.add,
        "changed": applied.change,
        "destroyed": applied.destroy,
        "applied": report.applied(),
        "failed": report.failed(),
        "skipped": report.skipped(),
        "not_started": report.not_started(),
        "changes": changes,
    });
    // `{:#}`: a `Value` pretty-printed, which cannot fail.
    format!("{summary:#}\n")
}
