//! `vocm apply`: make the account match the manifests, or a saved plan.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;

use super::common::{Places, prepare, report, report_provider};
use crate::cli::{Global, Outcome, Style, print_stderr, print_stdout};
use vocm_core::account::ResourceId;
use vocm_core::apply::{Event, Outcome as ChangeOutcome, Report, execute};
use vocm_core::diagnostics::{Code, Diagnostic, Diagnostics};
use vocm_core::plan::file::PlanFile;
use vocm_core::plan::{MassDelete, Plan};
use vocm_core::provider::{AudioStore, Provider, SessionOptions};
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
    /// How long to wait for another apply to release the state (e.g. 30s, 10m).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "0s")]
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
    let provider = match global.provider() {
        Ok(p) => p,
        Err(e) => {
            super::common::report_provider(&e, global, style);
            return Outcome::Failure;
        }
    };
    if let Some((path, parsed)) = plan_file(&args.inputs) {
        let shown = path.display().to_string();
        let file = match parsed {
            Ok(f) => f,
            Err(why) => {
                report(
                    Diagnostic::error(
                        Code::PlanUnreadable,
                        format!("cannot read the plan {shown}: {why}"),
                    )
                    .at_path(shown)
                    .help("make a new plan with `vocm plan -o FILE`"),
                    global,
                    style,
                );
                return Outcome::Failure;
            }
        };
        if !args.targets.is_empty() {
            report(
                Diagnostic::error(
                    Code::ArgsTarget,
                    "--target applies to manifests, not to a saved plan",
                )
                .help("make the plan with --target, then apply the plan file"),
                global,
                style,
            );
            return Outcome::Failure;
        }
        if file.provider != provider.info() {
            report(
                Diagnostic::error(
                    Code::PlanForeign,
                    format!("the plan {shown} was made for the {}, not the {}", file.provider, provider.info()),
                )
                .at_path(shown)
                .help("apply it with the provider and state (or endpoint) it was made for, or plan again here"),
                global,
                style,
            );
            return Outcome::Failure;
        }
        let plan = file.plan();
        return run_plan(
            &plan,
            &file.fingerprint,
            &file.mass_deletes,
            &file.audio_store(),
            provider.as_ref(),
            args,
            global,
            style,
            Some(&shown),
            &Places::default(),
            None,
        );
    }

    // The lock is taken (and, over HTTP, the account read) once the
    // manifests are known to be valid, and held from the plan to the end of
    // the apply: a second apply waiting with --lock-timeout then plans
    // against what the first one left, instead of finding its plan stale.
    let session: std::cell::OnceCell<Box<dyn vocm_core::provider::Session + '_>> =
        std::cell::OnceCell::new();
    let read = || {
        let s = provider.session(&SessionOptions {
            lock_timeout: args.lock_timeout,
        })?;
        let snapshot = s.snapshot()?;
        let _ = session.set(s);
        Ok(snapshot)
    };
    let prepared = match prepare(
        &args.inputs,
        &args.targets,
        provider.as_ref(),
        Some(&read),
        global,
        style,
    ) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let Some(session) = session.into_inner() else {
        return Outcome::Failure;
    };
    let summary = prepared.plan.summary();
    let view = PlanView {
        changes: &prepared.plan.changes,
        summary,
        mass_deletes: &prepared.mass_deletes,
        call_paths: &prepared.call_paths,
    };
    // With --quiet the plan is shown only when a question about it follows.
    if !style.quiet || !args.auto_approve {
        let rendered = vocm_core::render::text::render(&view, style.color_stdout());
        if args.format == ApplyFormat::Json {
            print_stderr(&rendered);
        } else {
            print_stdout(&rendered);
        }
    }
    if prepared.plan.is_empty() {
        return Outcome::Success;
    }
    if refuse_mass_delete(&prepared.mass_deletes, args, global, style)
        || !confirmed(args, global, style)
    {
        return Outcome::Failure;
    }
    run_plan(
        &prepared.plan,
        &prepared.snapshot.fingerprint,
        &prepared.mass_deletes,
        &prepared.audio,
        provider.as_ref(),
        args,
        global,
        style,
        None,
        &prepared.places,
        Some(session),
    )
}

/// Reports a mass deletion unless allowed; returns whether it refused.
fn refuse_mass_delete(
    mass: &[MassDelete],
    args: &ApplyArgs,
    global: &Global,
    style: Style,
) -> bool {
    if mass.is_empty() || args.allow_mass_delete {
        return false;
    }
    let what: Vec<String> = mass
        .iter()
        .map(|m| format!("{} of {} {}", m.deleted, m.existing, m.kind.plural()))
        .collect();
    report(
        Diagnostic::error(
            Code::ApplyMassDelete,
            format!(
                "this plan deletes {}: more than 10 % of the account's resources of a kind",
                what.join(", ")
            ),
        )
        .help("check the plan; if the deletion is intended, apply with --allow-mass-delete"),
        global,
        style,
    );
    true
}

/// Asks on a terminal; without one, `--auto-approve` is required.
fn confirmed(args: &ApplyArgs, global: &Global, style: Style) -> bool {
    if args.auto_approve {
        return true;
    }
    if !std::io::stdin().is_terminal() {
        report(
            Diagnostic::error(
                Code::ApplyNotConfirmed,
                "apply needs a confirmation, and there is no terminal to ask on",
            )
            .help(
                "review the plan, then run again with --auto-approve (or apply a saved plan file)",
            ),
            global,
            style,
        );
        return false;
    }
    print_stderr("\nApply these changes? Only `yes` or `y` is accepted. [y/N] ");
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        true
    } else {
        report(
            Diagnostic::error(
                Code::ApplyNotConfirmed,
                "apply cancelled: nothing was changed",
            )
            .help("answer `yes` to apply"),
            global,
            style,
        );
        false
    }
}

#[allow(clippy::too_many_arguments)]
fn run_plan(
    plan: &Plan,
    fingerprint: &str,
    mass: &[MassDelete],
    audio: &AudioStore,
    provider: &dyn Provider,
    args: &ApplyArgs,
    global: &Global,
    style: Style,
    plan_path: Option<&str>,
    places: &Places,
    open: Option<Box<dyn vocm_core::provider::Session + '_>>,
) -> Outcome {
    if plan_path.is_some() && refuse_mass_delete(mass, args, global, style) {
        return Outcome::Failure;
    }
    // A session already open is the one the plan was made in, under its
    // lock: nothing can have changed.
    let checked = open.is_some();
    let session = match open.map_or_else(
        || {
            provider.session(&SessionOptions {
                lock_timeout: args.lock_timeout,
            })
        },
        Ok,
    ) {
        Ok(s) => s,
        Err(e) => {
            report_provider(&e, global, style);
            return Outcome::Failure;
        }
    };
    match (!checked).then(|| session.snapshot()) {
        None => {}
        Some(Ok(now)) if now.fingerprint == fingerprint => {}
        Some(Ok(now)) => {
            let mut d = Diagnostic::error(
                Code::PlanStale,
                format!(
                    "the account has changed since the plan was made (fingerprint {fingerprint}, now {})",
                    now.fingerprint
                ),
            )
            .help("nothing was applied: run `vocm plan` again and review the new plan");
            if let Some(p) = plan_path {
                d = d.at_path(p.to_owned());
            }
            report(d, global, style);
            return Outcome::Failure;
        }
        Some(Err(e)) => {
            report_provider(&e, global, style);
            return Outcome::Failure;
        }
    }
    if plan.is_empty() {
        print_stderr("No changes to apply.\n");
        return Outcome::Success;
    }
    STOP.store(false, Ordering::SeqCst);
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            // A second Ctrl-C: leave now; the journal keeps what was applied.
            std::process::exit(130);
        }
        print_stderr(
            "\ninterrupted: finishing the changes in flight, starting no more (Ctrl-C again to quit now)\n",
        );
    });
    let bar = (!style.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(plan.changes.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "  applying [{bar:30}] {pos}/{len} changes, {per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    });
    let quiet = style.quiet;
    let progress = |e: Event<'_>| {
        let Event::Finished {
            change, outcome, ..
        } = e
        else {
            return;
        };
        let line = match outcome {
            ChangeOutcome::Applied { applied } => format!(
                "  {} {} {}{}",
                change.action.symbol(),
                change.id,
                match change.phase {
                    vocm_core::plan::Phase::Main => change.action.verb(),
                    vocm_core::plan::Phase::References => "references set",
                    vocm_core::plan::Phase::Unlink => "unlinked",
                },
                applied
                    .operation
                    .as_ref()
                    .map(|o| format!(" (operation {o})"))
                    .unwrap_or_default()
            ),
            ChangeOutcome::Failed { error, .. } => format!("  ✗ {} failed: {error}", change.id),
            ChangeOutcome::Skipped { because_of } => format!(
                "  - {} skipped: it needs {}, which was not applied",
                change.id, plan.changes[*because_of].id
            ),
            ChangeOutcome::NotStarted => return,
        };
        match &bar {
            // On a terminal: a bar, with only what went wrong above it.
            Some(bar) => {
                bar.inc(1);
                if !matches!(outcome, ChangeOutcome::Applied { .. }) {
                    bar.println(line);
                }
            }
            // In CI: a plain line per change.
            None if !quiet => print_stderr(&format!("{line}\n")),
            None => {}
        }
    };
    let report_ = execute(plan, session.as_ref(), audio, &STOP, &progress);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let finished = session.finish();
    summarize(plan, &report_, places, global, style);
    if args.format == ApplyFormat::Json {
        print_stdout(&json_summary(plan, &report_, &provider.info()));
    }
    if let Err(e) = finished {
        report_provider(&e, global, style);
        return Outcome::Failure;
    }
    if report_.interrupted {
        Outcome::Interrupted
    } else if report_.complete() {
        Outcome::Success
    } else {
        Outcome::Failure
    }
}

fn summarize(plan: &Plan, report_: &Report, places: &Places, global: &Global, style: Style) {
    let mut failures = Diagnostics::new();
    for (i, outcome) in report_.outcomes.iter().enumerate() {
        if let ChangeOutcome::Failed { code, error, help } = outcome {
            let id = &plan.changes[i].id;
            // Providers often name the resource already.
            let prefix = format!("{id}: ");
            let error = error.strip_prefix(&prefix).unwrap_or(error);
            let mut d = Diagnostic::error(
                code.parse().unwrap_or(Code::ApplyFailed),
                format!("{id} failed: {error}"),
            )
            .help(help.clone());
            // Applied from manifests: at the resource's definition.
            if let Some((file, span)) = places.at.get(id) {
                d = d.at(*file, *span, "this change failed");
            }
            failures.push(d);
        }
    }
    if !failures.is_empty() {
        super::validate::emit(
            &failures,
            &places.sources,
            super::common::diagnostics_format(global),
            style,
        );
    }
    if report_.failed() > 0 {
        report(
            Diagnostic::error(
                Code::ApplyFailed,
                format!(
                    "{} of {} changes failed, and {} that depend on them were skipped",
                    report_.failed(),
                    report_.outcomes.len(),
                    report_.skipped()
                ),
            )
            .help("the state holds what was applied: fix the causes above, then `vocm plan` shows what is left and `vocm apply` finishes it"),
            global,
            style,
        );
    }
    let counts = format!(
        "{} applied, {} failed, {} skipped, {} not started",
        report_.applied(),
        report_.failed(),
        report_.skipped(),
        report_.not_started()
    );
    let line = if report_.complete() {
        if style.quiet {
            return;
        }
        format!(
            "\nApply complete: {} change{} applied.\n",
            report_.applied(),
            if report_.applied() == 1 { "" } else { "s" }
        )
    } else if report_.interrupted {
        format!("\nApply interrupted: {counts}. Run `vocm plan` to see what is left.\n")
    } else {
        format!("\nApply incomplete: {counts}. Run `vocm plan` to see what is left.\n")
    };
    print_stderr(&line);
}

/// The machine summary of an apply (`--format json`), described in
/// docs/plan-format.md.
fn json_summary(
    plan: &Plan,
    report_: &Report,
    provider: &vocm_core::provider::ProviderInfo,
) -> String {
    let changes: Vec<serde_json::Value> = plan
        .changes
        .iter()
        .zip(&report_.outcomes)
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
    let summary = serde_json::json!({
        "format_version": 1,
        "provider": provider,
        "complete": report_.complete(),
        "interrupted": report_.interrupted,
        "applied": report_.applied(),
        "failed": report_.failed(),
        "skipped": report_.skipped(),
        "not_started": report_.not_started(),
        "changes": changes,
    });
    let mut s = serde_json::to_string_pretty(&summary).unwrap_or_default();
    s.push('\n');
    s
}
