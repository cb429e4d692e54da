//! `route`: where a call to a number or an extension goes, traced through
//! the manifests alone.

use std::path::{Path, PathBuf};

use super::{Failed, Findings};
use crate::diagnostics::{Code, Diagnostic};

use crate::route::{At, Route, When, entry, trace_at, unanswered};

/// A traced route.
#[derive(Debug)]
pub struct Routed {
    pub route: Route,
}

/// Validates `paths` and traces a call to `dialled`; at a moment, the
/// schedules on the way take that moment's branch.
///
/// # Errors
/// [`Failed`] when the manifests have errors or nothing answers `dialled`
/// (the reason is in `findings`).
pub fn route(
    paths: &[PathBuf],
    cwd: Option<&Path>,
    dialled: &str,
    when: Option<When>,
    at: Option<At>,
    findings: &mut Findings,
) -> Result<Routed, Failed> {
    let mut validated = crate::validate::validate_paths(paths, cwd);
    findings.extend(std::mem::take(&mut validated.diagnostics));
    if findings.has_errors() {
        findings.sources = validated.raw.sources;
        return Err(Failed);
    }
    // Routes read the manifests only: `auto` extensions are those a plan
    // against an empty account would give.
    let (account, _) = crate::plan::desired::on_their_own(&validated);
    // `0170000000`: a national form, read in the account's country.
    let country = validated
        .manifest
        .account
        .as_ref()
        .and_then(|a| a.value.country);
    findings.sources = validated.raw.sources;
    let number = dialled
        .parse::<crate::model::PhoneNumber>()
        .ok()
        .or_else(|| country.and_then(|c| crate::model::PhoneNumber::from_national(dialled, c)));
    // E.164 in the route (its JSON); the text shows it grouped.
    let key = number
        .as_ref()
        .map_or_else(|| dialled.to_owned(), ToString::to_string);
    let Some(start) = entry(&account, &key) else {
        if let Some(route) = number.as_ref().and_then(|n| unanswered(&account, n, &key)) {
            return Ok(Routed { route });
        }
        findings.push(
            Diagnostic::error(
                Code::RouteUnknownEntry,
                format!("nothing answers `{dialled}`: no user, ring group or auto attendant has it"),
            )
            .help("give a number of `phone_numbers` assigned to someone (e.g. +33 1 70 00 00 01) or an extension"),
        );
        return Err(Failed);
    };
    Ok(Routed {
        route: trace_at(&account, &key, &start, when, at),
    })
}
