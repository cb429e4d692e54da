//! What the manifests ask of a provider that it cannot do, said at plan
//! time (`validate` stays offline): one diagnostic per resource of a kind
//! the provider does not manage, one per resource that writes a setting
//! it cannot carry, and — on apply, without `--allow-replace` — one per
//! update the provider can only make as a replace.

use super::Places;
use crate::account::Account;
use crate::diagnostics::{Code, Diagnostic};
use crate::plan::{Action, Plan, update_replace_note};
use crate::provider::{Capabilities, Support};

/// Resources and settings of `desired` the provider cannot manage.
#[must_use]
pub fn refusals(places: &Places, desired: &Account, caps: &Capabilities) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for id in desired.ids() {
        let locate = |d: Diagnostic, label: &str| match places.at.get(&id) {
            Some(&(file, span)) => d.at(file, span, label),
            None => d,
        };
        match caps.support(id.kind) {
            None => {
                out.push(locate(
                    Diagnostic::error(
                        Code::PlanUnsupportedKind,
                        format!(
                            "{id}: {} cannot manage {}",
                            caps.name,
                            id.kind.plural()
                        ),
                    ),
                    "not manageable here",
                )
                .help(format!(
                    "manage {} in the admin console and remove this entry from the manifests, or use a provider that offers them",
                    id.kind.plural()
                )));
                continue;
            }
            Some(Support::ManifestOnly) => continue,
            Some(Support::Managed { .. }) => {}
        }
        let uncarried = || {
            caps.uncarried
                .iter()
                .filter(|f| f.kind() == id.kind && !f.manifest_only())
        };
        // `get` copies the resource: only for a kind with a field to check.
        if uncarried().next().is_none() {
            continue;
        }
        let Some(r) = desired.get(&id) else { continue };
        let refused: Vec<&str> = uncarried()
            .filter(|f| f.written(&r))
            .map(|f| f.name())
            .collect();
        if refused.is_empty() {
            continue;
        }
        let fields = refused
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(
            locate(
                Diagnostic::error(
                    Code::PlanUnsupportedField,
                    format!("{id}: {} cannot carry {fields}", caps.name),
                ),
                "sets what the provider cannot carry",
            )
            .help(format!(
                "remove {fields} from {id} (and from its template) and set it in the admin console, or use a provider that offers it"
            )),
        );
    }
    out
}

/// Updates the provider can only make as replaces, which lose what a
/// delete loses: refused on apply without `--allow-replace`, a warning on
/// plan.
#[must_use]
pub fn update_replaces(
    places: &super::Places,
    plan: &Plan,
    caps: &Capabilities,
    applying: bool,
) -> Vec<Diagnostic> {
    let kinds = caps.replaced_on_update();
    plan.changes
        .iter()
        .filter(|c| {
            c.action == Action::Replace
                && kinds.contains(&c.id.kind)
                && c.notes.contains(&update_replace_note(&c.id))
        })
        .map(|c| {
            let message = format!(
                "{}: {} cannot update it in place, so the plan replaces it",
                c.id, caps.name
            );
            let d = if applying {
                Diagnostic::error(Code::PlanReplaceNotAllowed, message)
            } else {
                Diagnostic::warning(Code::PlanReplaceNotAllowed, message)
            };
            let d = match places.at.get(&c.id) {
                Some(&(file, span)) => d.at(file, span, "replaced, not updated"),
                None => d,
            };
            d.help(format!(
                "{}; apply it with --allow-replace, or leave {} as it is",
                update_replace_note(&c.id),
                c.id
            ))
        })
        .collect()
}
