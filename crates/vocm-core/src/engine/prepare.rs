//! Manifests → validated → desired account → plan against a provider's
//! snapshot: what `plan` and `apply` share.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{Failed, Findings};
use crate::account::ResourceId;
use crate::account::identity::Identities;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::plan::desired::{Context, desired};
use crate::plan::{MassDelete, Options, Plan};
use crate::provider::{AudioStore, Provider, ProviderError, Snapshot};
use crate::source::{FileId, Span};
use crate::validate::audio::read_audio;
use crate::validate::suggest::did_you_mean;
use crate::validate::validate_paths;

/// A plan and everything it was made from.
#[derive(Debug)]
pub struct Prepared {
    pub snapshot: Snapshot,
    pub plan: Plan,
    /// The call paths the plan changes.
    pub call_paths: Vec<crate::route::PathChange>,
    pub audio: AudioStore,
    pub mass_deletes: Vec<MassDelete>,
    /// Where the manifests define each changed resource.
    pub places: Places,
    /// How long each phase took, for `--verbose`.
    pub timings: Vec<Timing>,
    /// The manifests' keys by natural identity: a saved plan carries them,
    /// so that its apply names the account's resources as the plan did.
    pub identities: Identities,
}

/// One phase of a run and its duration.
#[derive(Debug, Clone)]
pub struct Timing {
    pub what: &'static str,
    pub took: Duration,
}

/// Where the manifests define resources (spans into the run's
/// [`Findings::sources`]), so that an apply's failure points at the
/// manifest lines it is about and lands there as a CI annotation.
#[derive(Debug, Default)]
pub struct Places {
    pub at: rustc_hash::FxHashMap<ResourceId, (FileId, Span)>,
}

/// What the caller will do with the plan, beyond the plan itself.
#[derive(Clone, Copy, Debug)]
pub struct Want {
    pub replaces: Replaces,
    /// Whether the call paths the plan changes are traced, and how much of
    /// them: an apply that shows nothing (`-q --auto-approve`) never reads
    /// them (`None`), one that shows its text plan reads the first new
    /// paths whole; at 100,000 new users they are the largest thing a run
    /// holds.
    pub call_paths: Option<crate::route::Whole>,
}

/// Replaces the provider makes instead of a rename or an update.
#[derive(Clone, Copy, Debug, Default)]
pub struct Replaces {
    /// `--allow-replace`: they are planned and applied.
    pub allowed: bool,
    /// Whether the run applies: without `allowed`, an update made as a
    /// replace is then an error (a warning on `plan`).
    pub applying: bool,
}

/// How the account is read.
pub enum Read<'a> {
    /// By the provider, while the manifests are validated: the two are
    /// independent and both take a while on a large account.
    Beside,
    /// By this function, once the manifests are known to be valid — so
    /// that an apply takes its lock only for manifests it can apply.
    After(&'a dyn Fn() -> Result<Snapshot, ProviderError>),
}

impl std::fmt::Debug for Read<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Read::Beside => "Beside",
            Read::After(_) => "After",
        })
    }
}

/// Validates `paths`, reads the account and plans. Every diagnostic, the
/// warnings of a plan that succeeds included, goes to `findings`.
///
/// # Errors
/// [`Failed`] when the manifests, the account or the targets have errors
/// (they are in `findings`).
#[allow(clippy::too_many_lines)] // one phase after the other, each short
pub fn prepare(
    paths: &[PathBuf],
    cwd: Option<&Path>,
    targets: &[ResourceId],
    want: Want,
    provider: &dyn Provider,
    read: &Read<'_>,
    findings: &mut Findings,
) -> Result<Prepared, Failed> {
    let mut timings = Vec::new();
    let mut last = Instant::now();
    let mut lap = |what: &'static str| {
        let now = Instant::now();
        timings.push(Timing {
            what,
            took: now - last,
        });
        last = now;
    };
    // How long the read took when it ran beside validation: the lap that
    // covers both does not tell.
    let mut read_beside = None;
    let (mut validated, snapshot) = match read {
        Read::After(read) => {
            let validated = validate_paths(paths, cwd);
            lap("validated the manifests");
            let snapshot = (!validated.diagnostics.has_errors()).then(|| {
                provider.identify(&Identities::of(&validated.manifest));
                read()
            });
            lap("read the account");
            (validated, snapshot)
        }
        Read::Beside => {
            let (validated, snapshot, reading) = std::thread::scope(|scope| {
                let reading = scope.spawn(|| {
                    let started = Instant::now();
                    (provider.snapshot(), started.elapsed())
                });
                let validated = validate_paths(paths, cwd);
                let (snapshot, took) = reading.join().unwrap_or_else(|_| {
                    let e = ProviderError::new(
                        Code::StateInvalid,
                        "reading the account failed",
                        "report this as a bug",
                    );
                    (Err(e), Duration::ZERO)
                });
                (validated, Some(snapshot), took)
            });
            // The read named the account's resources before the
            // manifests were known: name them again with their keys.
            provider.identify(&Identities::of(&validated.manifest));
            let snapshot = snapshot.map(|s| s.map(|s| provider.reidentify(s)));
            lap("validated the manifests and read the account");
            read_beside = Some(reading);
            (validated, snapshot)
        }
    };
    let manifest_diagnostics = std::mem::take(&mut validated.diagnostics);
    let failed = manifest_diagnostics.has_errors();
    findings.extend(manifest_diagnostics);
    // Not read only when the manifests have errors.
    let snapshot = match snapshot {
        Some(Ok(s)) if !failed => s,
        Some(Err(e)) => {
            findings.push(e.diagnostic());
            findings.sources = validated.raw.sources;
            return Err(Failed);
        }
        _ => {
            findings.sources = validated.raw.sources;
            return Err(Failed);
        }
    };
    let caps = match provider.capabilities() {
        Ok(c) => c,
        Err(e) => {
            findings.push(e.diagnostic());
            findings.sources = validated.raw.sources;
            return Err(Failed);
        }
    };
    let (audio_files, audio) = read_audio(&validated.raw, &validated.manifest);
    let mut diagnostics = Diagnostics::new();
    let (moves, refused) = super::moves::resolve(
        &validated,
        &snapshot.account,
        &caps.fixed_keys,
        want.replaces.allowed,
        &mut diagnostics,
    );
    let renames: Vec<_> = moves.iter().chain(&refused).cloned().collect();
    let cx = Context {
        renames: &renames,
        raw: &validated.raw,
        current: &snapshot.account,
        audio: &audio_files,
        licenses: snapshot.licenses.as_ref(),
        can_claim_numbers: caps.claims,
    };
    let (mut desired, plan_diagnostics) = desired(&validated.manifest, &cx);
    lap("resolved the desired account");
    diagnostics.extend(plan_diagnostics);
    // Where each resource is defined: refusals point there now, and an
    // apply's failures later, when the manifests as parsed are gone. One
    // lookup per resource, on every core: 0.9 s of one at 100,000 users.
    let places = Places {
        at: desired
            .ids()
            .into_par_iter()
            .filter_map(|id| validated.place(&id).map(|p| (id, p)))
            .collect(),
    };
    lap("located each resource in the manifests");
    diagnostics.extend(super::capable::refusals(&places, &desired, &caps));
    caps.mask(&mut desired, &snapshot.account);
    for t in targets {
        if desired.get(t).is_none() && snapshot.account.get(t).is_none() {
            diagnostics.push(unknown_target(t, &desired, &snapshot));
        }
    }
    let failed = diagnostics.has_errors();
    findings.extend(diagnostics);
    findings.diagnostics.sort();
    if failed {
        findings.sources = validated.raw.sources;
        return Err(Failed);
    }
    let options = Options {
        prune: validated
            .manifest
            .account
            .as_ref()
            .is_some_and(|a| a.value.prune),
        targets: targets.to_vec(),
        moves,
        fixed_keys: caps.fixed_keys.clone(),
        replaced_on_update: caps.replaced_on_update(),
    };
    // The manifests as parsed let go (their text stays, for diagnostics):
    // the plan is the run's largest allocation, and it need not share the
    // memory with a third copy of the account (manifest, desired, plan).
    let identities = Identities::of(&validated.manifest);
    findings.sources = validated.raw.sources;
    drop((validated.manifest, validated.raw.documents));
    let plan = crate::plan::plan(&desired, &snapshot.account, &options);
    if !want.replaces.allowed {
        let refused =
            super::capable::update_replaces(&places, &plan, &caps, want.replaces.applying);
        let failed = refused
            .iter()
            .any(|d| d.severity == crate::diagnostics::Severity::Error);
        findings.extend(refused);
        if failed {
            return Err(Failed);
        }
    }
    let mass_deletes = plan.mass_deletes(&snapshot.account);
    lap("planned");
    let call_paths = if let Some(whole) = want.call_paths {
        let changed: Vec<ResourceId> = plan.changes.iter().map(|c| c.id.clone()).collect();
        crate::route::changes_traced(&desired, &snapshot.account, &changed, whole)
    } else {
        Vec::new()
    };
    drop(desired);
    lap("traced the call paths");
    if let Some(took) = read_beside {
        timings.insert(
            1,
            Timing {
                what: "  of which reading the account (beside validation)",
                took,
            },
        );
    }
    Ok(Prepared {
        snapshot,
        plan,
        call_paths,
        audio,
        mass_deletes,
        places,
        timings,
        identities,
    })
}

/// `--target` names nothing: say so, with the nearest key of that kind.
fn unknown_target(
    t: &ResourceId,
    desired: &crate::account::Account,
    snapshot: &Snapshot,
) -> Diagnostic {
    let keys: Vec<String> = desired
        .ids()
        .into_iter()
        .chain(snapshot.account.ids())
        .filter(|id| id.kind == t.kind)
        .map(|id| id.key)
        .collect();
    let help = did_you_mean(&t.key, keys.iter().map(String::as_str)).map_or_else(
        || format!("name a {} of the manifests or of the account", t.kind),
        |s| format!("did you mean `{}:{s}`?", t.kind),
    );
    Diagnostic::error(
        Code::ArgsTarget,
        format!("--target {t} matches no resource"),
    )
    .help(help)
}
