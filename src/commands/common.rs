//! What plan and apply share: manifests → validated → desired account →
//! plan against a provider's snapshot, with every diagnostic printed.

use std::path::PathBuf;

use crate::cli::DiagnosticFormat;
use crate::cli::{Global, Outcome, Style, paths_or_cwd, print_stderr};
use vocm_core::account::ResourceId;
use vocm_core::diagnostics::{Code, Diagnostic, Diagnostics};
use vocm_core::manifest::audio::read_audio;
use vocm_core::plan::desired::{Context, desired};
use vocm_core::plan::{MassDelete, Options, Plan};
use vocm_core::provider::{AudioStore, Provider, ProviderError, Snapshot};
use vocm_core::source::SourceMap;
use vocm_core::validate::suggest::did_you_mean;
use vocm_core::validate::validate_paths;

use super::validate::emit;

/// A plan and everything it was made from.
#[derive(Debug)]
pub struct Prepared {
    pub snapshot: Snapshot,
    pub plan: Plan,
    /// The call paths the plan changes.
    pub call_paths: Vec<vocm_core::route::PathChange>,
    pub audio: AudioStore,
    pub mass_deletes: Vec<MassDelete>,
    /// Where the manifests define each changed resource.
    pub places: Places,
}

/// Where resources are defined, so that an apply's failure points at the
/// manifest lines it is about (and lands there as a CI annotation).
#[derive(Debug, Default)]
pub struct Places {
    pub sources: SourceMap,
    pub at: rustc_hash::FxHashMap<ResourceId, (vocm_core::source::FileId, vocm_core::source::Span)>,
}

/// The diagnostics format the options ask for.
pub fn diagnostics_format(global: &Global) -> DiagnosticFormat {
    global.diagnostics.unwrap_or(DiagnosticFormat::Text)
}

/// Prints one error that has no place in a manifest.
pub fn report(d: Diagnostic, global: &Global, style: Style) {
    let mut all = Diagnostics::new();
    all.push(d);
    emit(&all, &SourceMap::new(), diagnostics_format(global), style);
}

/// Prints a provider's error.
pub fn report_provider(e: &ProviderError, global: &Global, style: Style) {
    report(e.diagnostic(), global, style);
}

/// Validates, reads the account and plans. Every problem is printed;
/// `Err` carries the outcome to exit with.
///
/// The account is read by `read` when given — after validation, so that
/// an apply takes its lock only for manifests that can be applied — and
/// otherwise by the provider, while the manifests are validated.
pub fn prepare(
    paths: &[PathBuf],
    targets: &[ResourceId],
    provider: &dyn Provider,
    read: Option<&dyn Fn() -> Result<Snapshot, ProviderError>>,
    global: &Global,
    style: Style,
) -> Result<Prepared, Outcome> {
    let cwd = std::env::current_dir().ok();
    let mut clock = Clock::new(style.verbose);
    let (validated, snapshot) = if let Some(read) = read {
        let validated = validate_paths(&paths_or_cwd(paths), cwd.as_deref());
        let snapshot = (!validated.diagnostics.has_errors()).then(read);
        (validated, snapshot)
    } else {
        // The two are independent, and both take a while on a large
        // account.
        std::thread::scope(|scope| {
            let reading = scope.spawn(|| provider.snapshot());
            let validated = validate_paths(&paths_or_cwd(paths), cwd.as_deref());
            let snapshot = reading.join().unwrap_or_else(|_| {
                Err(ProviderError::new(
                    Code::StateInvalid,
                    "reading the account failed",
                    "report this as a bug",
                ))
            });
            (validated, Some(snapshot))
        })
    };
    clock.lap("validated the manifests and read the account");
    let format = diagnostics_format(global);
    // Not read only when the manifests have errors.
    let snapshot = match snapshot {
        Some(snapshot) if !validated.diagnostics.has_errors() => snapshot,
        _ => {
            emit(
                &validated.diagnostics,
                &validated.raw.sources,
                format,
                style,
            );
            return Err(Outcome::Failure);
        }
    };
    let snapshot = match snapshot {
        Ok(s) => s,
        Err(e) => {
            emit(
                &validated.diagnostics,
                &validated.raw.sources,
                format,
                style,
            );
            report_provider(&e, global, style);
            return Err(Outcome::Failure);
        }
    };
    let (audio_files, audio) = read_audio(&validated.raw, &validated.manifest);
    let cx = Context {
        raw: &validated.raw,
        current: &snapshot.account,
        audio: &audio_files,
        licenses: snapshot.licenses.as_ref(),
        can_claim_numbers: provider.can_claim_numbers(),
    };
    let (desired, plan_diagnostics) = desired(&validated.manifest, &cx);
    clock.lap("resolved the desired account");
    let mut diagnostics = Diagnostics::new();
    diagnostics.extend(validated.diagnostics.iter().cloned());
    diagnostics.extend(plan_diagnostics);
    for t in targets {
        if desired.get(t).is_none() && snapshot.account.get(t).is_none() {
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
            diagnostics.push(
                Diagnostic::error(
                    Code::ArgsTarget,
                    format!("--target {t} matches no resource"),
                )
                .help(help),
            );
        }
    }
    diagnostics.sort();
    if !diagnostics.is_empty() {
        emit(&diagnostics, &validated.raw.sources, format, style);
    }
    if diagnostics.has_errors() {
        return Err(Outcome::Failure);
    }
    let options = Options {
        prune: validated
            .manifest
            .account
            .as_ref()
            .is_some_and(|a| a.value.prune),
        targets: targets.to_vec(),
    };
    let plan = vocm_core::plan::plan(&desired, &snapshot.account, &options);
    let mass_deletes = plan.mass_deletes(&snapshot.account);
    let changed: Vec<ResourceId> = plan.changes.iter().map(|c| c.id.clone()).collect();
    let call_paths = vocm_core::route::changes(&desired, &snapshot.account, &changed);
    clock.lap("planned");
    if style.verbose {
        print_stderr(&format!(
            "planned {} changes against {} (fingerprint {})\n",
            plan.changes.len(),
            provider.info(),
            snapshot.fingerprint
        ));
    }
    let at = plan
        .changes
        .iter()
        .filter_map(|c| validated.place(&c.id).map(|p| (c.id.clone(), p)))
        .collect();
    let places = Places {
        sources: validated.raw.sources,
        at,
    };
    Ok(Prepared {
        snapshot,
        plan,
        call_paths,
        audio,
        mass_deletes,
        places,
    })
}

/// Times the phases of a run for `--verbose`.
struct Clock {
    on: bool,
    last: std::time::Instant,
}

impl Clock {
    fn new(on: bool) -> Self {
        Self {
            on,
            last: std::time::Instant::now(),
        }
    }

    fn lap(&mut self, what: &str) {
        if self.on {
            let now = std::time::Instant::now();
            print_stderr(&format!("{what} in {} ms\n", (now - self.last).as_millis()));
            self.last = now;
        }
    }
}
