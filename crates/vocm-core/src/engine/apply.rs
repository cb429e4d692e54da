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

/// What a saved plan's check against the account found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// The account is the one the plan was made against: apply it.
    Fresh,
    /// The account already matches the plan's result (the plan was applied
    /// before): nothing to do.
    AlreadyApplied,
}

/// Checks, in the session that will apply it, that the account has not
/// changed since the saved plan was made; or that it has, into exactly
/// what the plan makes of it.
///
/// # Errors
/// [`Failed`] when the plan is stale or the account cannot be read (the
/// reason, with what changed since, is in `findings`).
pub fn check_fresh(
    file: &PlanFile,
    shown: &str,
    session: &dyn Session,
    findings: &mut Findings,
) -> Result<Freshness, Failed> {
    match session.snapshot() {
        Ok(now) if now.fingerprint == file.fingerprint => Ok(Freshness::Fresh),
        Ok(now) if applied(file, &now.account) => Ok(Freshness::AlreadyApplied),
        Ok(now) => {
            findings.push(
                Diagnostic::error(
                    Code::PlanStale,
                    format!(
                        "the account has changed since the plan was made: {}",
                        changed_since(file, &now.account)
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

/// Whether `account` holds each resource of the plan as the plan leaves
/// it: what the plan creates or changes with its final value, what it
/// deletes (or renames away) absent.
fn applied(file: &PlanFile, account: &crate::account::Account) -> bool {
    use crate::plan::Action;
    // An empty plan's result is the account it was made against, which
    // only its fingerprint knows.
    if file.changes.is_empty() {
        return false;
    }
    let finals = crate::render::Finals::new(&file.changes);
    file.changes.iter().all(|c| {
        let gone_before = c.old_id().is_none_or(|old| account.get(&old).is_none());
        match c.action {
            Action::Delete => account.get(&c.id).is_none(),
            _ => gone_before && finals.of(c).cloned() == account.get(&c.id),
        }
    })
}

/// What differs, among the resources the plan changes, between the account
/// the plan was made against and `account`: "2 users changed (alice.martin,
/// bruno.petit), 1 ring group deleted (sales)"; or, when they are all as
/// the plan found them, that the change is elsewhere in the account.
fn changed_since(file: &PlanFile, account: &crate::account::Account) -> String {
    use std::collections::BTreeMap;
    let mut by: BTreeMap<(crate::account::Kind, &str), Vec<&str>> = BTreeMap::new();
    for c in file
        .changes
        .iter()
        .filter(|c| c.phase == crate::plan::Phase::Main)
    {
        let id = c.old_id().unwrap_or_else(|| c.id.clone());
        let now = account.get(&id);
        let how = match (&c.before, &now) {
            (None, Some(_)) => "created",
            (Some(_), None) => "deleted",
            (Some(b), Some(n)) if **b != *n => "changed",
            _ => continue,
        };
        by.entry((c.id.kind, how)).or_default().push(&c.id.key);
    }
    if by.is_empty() {
        return "the resources this plan changes are as it found them, so the change is elsewhere in the account".to_owned();
    }
    let parts: Vec<String> = by
        .iter()
        .map(|((kind, how), keys)| {
            let shown: Vec<&str> = keys.iter().take(3).copied().collect();
            let more = keys.len() - shown.len();
            let noun = if keys.len() == 1 {
                kind.to_string().replace('_', " ")
            } else {
                kind.plural().replace('_', " ")
            };
            format!(
                "{} {noun} {how} since ({}{})",
                keys.len(),
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )
        })
        .collect();
    parts.join(", ")
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
    // Failures are told once per cause: when the API goes away, hundreds
    // of changes fail alike, and one line naming a few of them says it
    // all. A failure of its own keeps its place in the manifests.
    let mut causes: Vec<(&str, &str, &str, Vec<usize>)> = Vec::new();
    let mut by_cause: rustc_hash::FxHashMap<(&str, &str), usize> = rustc_hash::FxHashMap::default();
    for (i, result) in report.results.iter().enumerate() {
        let (ChangeResult::Failed { code, help, .. }, Some(cause)) =
            (result, result.cause(&plan.changes[i]))
        else {
            continue;
        };
        match by_cause.entry((code.as_str(), cause)) {
            std::collections::hash_map::Entry::Occupied(at) => causes[*at.get()].3.push(i),
            std::collections::hash_map::Entry::Vacant(at) => {
                at.insert(causes.len());
                causes.push((code.as_str(), cause, help.as_str(), vec![i]));
            }
        }
    }
    for (code, cause, help, steps) in &causes {
        let code = code.parse().unwrap_or(Code::ApplyFailed);
        if let &[i] = steps.as_slice() {
            let id = &plan.changes[i].id;
            let mut d = Diagnostic::error(code, format!("{id} failed: {cause}")).help(*help);
            if let Some((file, span)) = places.at.get(id) {
                d = d.at(*file, *span, "this change failed");
            }
            findings.push(d);
        } else {
            findings.push(Diagnostic::error(code, alike(plan, code, cause, steps)).help(*help));
        }
    }
    if report.failed() > 0 {
        findings.push(
            Diagnostic::error(
                Code::ApplyFailed,
                format!(
                    "{} of {} failed{}",
                    report.failed(),
                    crate::util::count(report.results.len(), "step", "steps"),
                    match report.skipped() {
                        0 => String::new(),
                        1 => format!(
                            ", and 1 that depends on {} was skipped",
                            if report.failed() == 1 { "it" } else { "them" }
                        ),
                        n => format!(
                            ", and {n} that depend on {} were skipped",
                            if report.failed() == 1 { "it" } else { "them" }
                        ),
                    }
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

/// "the API stopped answering (cannot reach …): 20 changes not applied:
/// user:a, user:b, user:c and 17 more" — the changes that failed at `steps`
/// for one cause.
fn alike(plan: &Plan, code: Code, cause: &str, steps: &[usize]) -> String {
    const NAMED: usize = 3;
    // A change may take two steps: each resource is named once.
    let mut seen = rustc_hash::FxHashSet::default();
    let ids: Vec<&crate::account::ResourceId> = steps
        .iter()
        .map(|&i| &plan.changes[i].id)
        .filter(|id| seen.insert(*id))
        .collect();
    let named: Vec<String> = ids.iter().take(NAMED).map(ToString::to_string).collect();
    let more = ids.len().saturating_sub(NAMED);
    let what = if code == Code::HttpUnreachable {
        format!("the API stopped answering ({cause})")
    } else {
        cause.to_owned()
    };
    format!(
        "{what}: {} {} not applied: {}{}",
        ids.len(),
        if ids.len() == 1 { "change" } else { "changes" },
        named.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// What an apply did.
#[derive(Debug)]
pub struct Applied {
    pub report: Report,
    /// Whether the session made what was applied durable (and let go of
    /// its lock).
    pub durable: bool,
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::account::{Kind, ResourceId};
    use crate::diagnostics::text::{TextStyle, render_all};
    use crate::plan::{Action, Change, Phase};
    use crate::provider::{Applied as Done, ProviderError, Snapshot};

    /// An API that refuses one site and has gone away for every user.
    struct Gone;

    impl Session for Gone {
        fn snapshot(&self) -> Result<Snapshot, ProviderError> {
            Ok(Snapshot::default())
        }

        fn apply(&self, change: &Change, _: &AudioStore) -> Result<Done, ProviderError> {
            match change.id.kind {
                Kind::Site => Err(ProviderError::new(
                    Code::HttpRejected,
                    format!("{}: the API refused it (400): Bad timezone", change.id),
                    "fix the manifest field the API names, or the account, then plan again",
                )),
                Kind::User => Err(ProviderError::new(
                    Code::HttpUnreachable,
                    "cannot reach http://127.0.0.1:9: Connection refused (os error 111)",
                    "check --endpoint (VOCM_ENDPOINT) and the network",
                )),
                _ => Ok(Done::default()),
            }
        }

        fn finish(self: Box<Self>) -> Result<(), ProviderError> {
            Ok(())
        }
    }

    fn change(kind: Kind, key: &str, phase: Phase, deps: &[usize]) -> Change {
        Change {
            depends_on: deps.to_vec(),
            phase,
            ..Change::bare(ResourceId::new(kind, key), Action::Create)
        }
    }

    /// Six users fail alike and one site for its own reason: two lines,
    /// not seven; a user's second step is counted among the skipped.
    #[test]
    fn failures_are_told_once_per_cause() {
        let mut changes = vec![
            change(Kind::Site, "lyon", Phase::Main, &[]),
            change(Kind::Device, "d1", Phase::Main, &[]),
        ];
        for key in ["ana", "bea", "chloe", "dora", "eve"] {
            changes.push(change(Kind::User, key, Phase::Main, &[]));
        }
        changes.push(change(Kind::User, "julie", Phase::Main, &[]));
        changes.push(change(Kind::User, "julie", Phase::References, &[7]));
        let plan = Plan {
            changes,
            ..Plan::default()
        };
        let mut findings = Findings::new();
        let applied = run(
            &plan,
            &AudioStore::new(),
            Box::new(Gone),
            &Places::default(),
            &AtomicBool::new(false),
            &|_| {},
            &mut findings,
        );
        assert_eq!(applied.report.skipped(), 1);
        let text = render_all(
            findings.diagnostics.iter(),
            &findings.sources,
            TextStyle {
                color: false,
                width: 100,
            },
        );
        insta::assert_snapshot!(text);
    }
}
