//! `apply`: a saved plan checked against the account it was made for, and
//! a plan executed in a provider session, its failures turned into
//! diagnostics at the manifests' lines. Asking for confirmation, Ctrl-C
//! and progress display are the caller's.

use std::sync::atomic::AtomicBool;

use super::{Failed, Findings, Places};
use crate::apply::{ChangeResult, Event, Report, execute};
use crate::diagnostics::{Code, Diagnostic};
use crate::plan::Plan;
use crate::plan::file::PlanFile;
use crate::provider::{AudioStore, Provider, Session};

/// Checks that a saved plan was made for this provider and account; before
/// any session is opened. `shown` names the plan file in diagnostics.
///
/// # Errors
/// [`Failed`] when the plan is foreign (the reason is in `findings`).
pub fn check_provider(
    file: &PlanFile,
    shown: &str,
    provider: &dyn Provider,
    findings: &mut Findings,
) -> Result<(), Failed> {
    if file.provider != provider.info() {
        findings.push(
            Diagnostic::error(
                Code::PlanForeign,
                format!("the plan {shown} was made for the {}, not the {}", file.provider, provider.info()),
            )
            .at_path(shown.to_owned())
            .help("apply it with the provider and state (or endpoint) it was made for, or plan again here"),
        );
        return Err(Failed);
    }
    Ok(())
}

/// Checks, in the session that will apply it, that the account has not
/// changed since the saved plan was made.
///
/// # Errors
/// [`Failed`] when the plan is stale or the account cannot be read (the
/// reason is in `findings`).
pub fn check_fresh(
    file: &PlanFile,
    shown: &str,
    session: &dyn Session,
    findings: &mut Findings,
) -> Result<(), Failed> {
    match session.snapshot() {
        Ok(now) if now.fingerprint == file.fingerprint => Ok(()),
        Ok(now) => {
            findings.push(
                Diagnostic::error(
                    Code::PlanStale,
                    format!(
                        "the account has changed since the plan was made (fingerprint {}, now {})",
                        file.fingerprint, now.fingerprint
                    ),
                )
                .at_path(shown.to_owned())
                .help("nothing was applied: run `vocm plan` again and review the new plan"),
            );
            Err(Failed)
        }
        Err(e) => {
            findings.push(e.diagnostic());
            Err(Failed)
        }
    }
}

/// Executes `plan` in `session` and ends the session. Every failed step
/// becomes a diagnostic, at the resource's definition when the plan came
/// from manifests (`places`), with one that sums them up; a session that
/// cannot make what was applied durable is one too.
pub fn run(
    plan: &Plan,
    audio: &AudioStore,
    session: Box<dyn Session + '_>,
    places: &Places,
    stop: &AtomicBool,
    progress: &(dyn Fn(Event<'_>) + Sync),
    findings: &mut Findings,
) -> Applied {
    let report = execute(plan, session.as_ref(), audio, stop, progress);
    let finished = session.finish();
    for (i, result) in report.results.iter().enumerate() {
        if let ChangeResult::Failed { code, error, help } = result {
            let id = &plan.changes[i].id;
            // Providers often name the resource already.
            let prefix = format!("{id}: ");
            let error = error.strip_prefix(&prefix).unwrap_or(error);
            let mut d = Diagnostic::error(
                code.parse().unwrap_or(Code::ApplyFailed),
                format!("{id} failed: {error}"),
            )
            .help(help.clone());
            if let Some((file, span)) = places.at.get(id) {
                d = d.at(*file, *span, "this change failed");
            }
            findings.push(d);
        }
    }
    if report.failed() > 0 {
        findings.push(
            Diagnostic::error(
                Code::ApplyFailed,
                format!(
                    "{} of {} steps failed, and {} that depend on them were skipped",
                    report.failed(),
                    report.results.len(),
                    report.skipped()
                ),
            )
            .help("the state holds what was applied: fix the causes above, then `vocm plan` shows what is left and `vocm apply` finishes it"),
        );
    }
    let durable = match finished {
        Ok(()) => true,
        Err(e) => {
            findings.push(e.diagnostic());
            false
        }
    };
    Applied { report, durable }
}

/// What an apply did.
#[derive(Debug)]
pub struct Applied {
    pub report: Report,
    /// Whether the session made what was applied durable (and let go of
    /// its lock).
    pub durable: bool,
}
