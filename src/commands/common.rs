//! What the commands that plan share: the `--verbose` account of a plan,
//! and what a plan must say first.

use crate::options::{Global, ProviderKind};
use crate::output::Run;
use vocm_core::engine::Prepared;
use vocm_core::provider::ProviderInfo;

/// `--verbose`: how long each phase took, and what was planned against
/// what, counted as the plan's closing line counts (hidden steps named).
pub fn verbose_plan(run: &Run<'_>, prepared: &Prepared, provider: &ProviderInfo) {
    for t in &prepared.timings {
        run.verbose(&format!("{} in {} ms", t.what, t.took.as_millis()));
    }
    let summary = prepared.plan.summary();
    let steps = prepared.plan.hidden_steps();
    run.verbose(&format!(
        "planned {} to add, {} to change, {} to destroy{} against the {provider} (fingerprint {})",
        summary.add,
        summary.change,
        summary.destroy,
        if steps == 0 {
            String::new()
        } else {
            format!(
                ", in {} steps ({steps} of them second steps of a change: references set after a create, or unlinks before a delete)",
                prepared.plan.changes.len()
            )
        },
        prepared.snapshot.fingerprint
    ));
}

/// The notes a plan opens with: a local state file that does not exist is
/// an empty account, which is right for a first apply and wrong for a
/// mistyped `--state` (the plan would create everything).
#[must_use]
pub fn plan_notes(global: &Global) -> Vec<String> {
    if global.provider == ProviderKind::Local && !global.state.exists() {
        vec![format!(
            "no state at {}: planning against an empty account.",
            global.state.display()
        )]
    } else {
        Vec::new()
    }
}
