//! The manifests' `moved` entries against the account: which renames the
//! plan makes, which are stale, and which the provider can only make as a
//! delete and a create (allowed by `--allow-replace` only).

use crate::account::{Account, Kind, ResourceId};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::manifest::Seg;
use crate::model::Origin;
use crate::plan::loss;
use crate::validate::Validated;

/// A rename: the old id, the new one.
type Move = (ResourceId, ResourceId);

/// The renames to plan, and those refused for want of `--allow-replace`
/// (the plan fails; they still keep what the old key holds from being
/// reported as held by a stranger). `fixed` are the kinds the provider
/// cannot rename.
pub fn resolve(
    validated: &Validated,
    current: &Account,
    fixed: &[Kind],
    allow_replace: bool,
    out: &mut Diagnostics,
) -> (Vec<Move>, Vec<Move>) {
    let mut moves = Vec::new();
    let mut refused = Vec::new();
    let mut index: rustc_hash::FxHashMap<Origin, usize> = rustc_hash::FxHashMap::default();
    for entry in &validated.manifest.moved {
        let i = {
            let n = index.entry(entry.origin).or_default();
            *n += 1;
            *n - 1
        };
        let (Ok(from), Ok(to)) = (
            entry.value.from.parse::<ResourceId>(),
            entry.value.to.parse::<ResourceId>(),
        ) else {
            continue;
        };
        let (file, span) = validated
            .raw
            .value_span(entry.origin, &[Seg::Key("moved"), Seg::Index(i)]);
        let (has_from, has_to) = (current.get(&from).is_some(), current.get(&to).is_some());
        if !has_from && !has_to {
            out.push(
                Diagnostic::warning(
                    Code::PlanMovedStale,
                    format!("nothing to rename: the account has neither {from} nor {to}"),
                )
                .at(file, span, "stale")
                .help(format!(
                    "{to} will be created; remove this entry once every account it applies to has been renamed"
                )),
            );
            continue;
        }
        if !has_from || has_to {
            // Already renamed (or both exist: the plan says what to do).
            continue;
        }
        if fixed.contains(&from.kind) && !allow_replace {
            let lost = loss(from.kind).map_or_else(String::new, |l| format!(", losing {l}"));
            out.push(
                Diagnostic::error(
                    Code::PlanReplaceNotAllowed,
                    format!(
                        "this provider cannot rename a {}: {from} would be deleted and {to} created{lost}",
                        from.kind
                    ),
                )
                .at(file, span, "needs a replace")
                .help("pass --allow-replace to plan and apply it anyway, or keep the old key"),
            );
            refused.push((from, to));
            continue;
        }
        moves.push((from, to));
    }
    (moves, refused)
}
