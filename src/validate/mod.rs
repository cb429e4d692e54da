//! Validation: a loaded [`RawManifest`] → a merged, checked [`Manifest`]
//! and every diagnostic, in this order: JSON Schema per document, typed
//! resources merged across files, then the offline rules of the manifest
//! format. Nothing stops at the first problem.

pub mod audio;
mod ctx;
mod devices;
mod emergency;
mod extensions;
mod forwarding;
mod known_fields;
mod merge;
mod numbers;
mod outbound;
mod references;
mod schema_check;
pub mod suggest;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use audio::{AudioFiles, AudioProbe, DiskAudio};
pub use merge::Poisoned;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::manifest::{RawManifest, load_paths};
use crate::model::Manifest;

/// What validation found.
#[derive(Debug)]
pub struct Validated {
    pub raw: RawManifest,
    pub manifest: Manifest,
    pub diagnostics: Diagnostics,
}

/// Loads and validates the manifests under `paths`, reading audio files from disk.
#[must_use]
pub fn validate_paths(paths: &[PathBuf], cwd: Option<&Path>) -> Validated {
    let (raw, diagnostics) = load_paths(paths, cwd);
    validate(raw, diagnostics, &DiskAudio)
}

/// Validates loaded manifests; `diagnostics` are the loader's.
#[must_use]
pub fn validate(raw: RawManifest, diagnostics: Vec<Diagnostic>, audio: &dyn AudioFiles) -> Validated {
    let mut out = diagnostics;
    let schema: Vec<Vec<Diagnostic>> = raw
        .documents
        .par_iter()
        .map(|d| schema_check::check(d, raw.sources.get(d.file)))
        .collect();
    let failed: Vec<bool> = schema.iter().map(|d| !d.is_empty()).collect();
    out.extend(schema.into_iter().flatten());

    let (manifest, poisoned) = merge::merge(&raw, &failed, &mut out);
    if manifest.account.is_none()
        && !raw.incomplete
        && !raw.documents.is_empty()
        && !poisoned.contains("account", "")
    {
        out.push(
            Diagnostic::error(Code::ManifestNoAccount, "no manifest defines the `account` section")
                .help("add `account: {pbx: NAME}` to one file: vocm needs to know which PBX the manifests describe"),
        );
    }

    let mut ctx = ctx::Ctx::new(&raw, &manifest, &poisoned);
    references::check(&mut ctx);
    extensions::check(&mut ctx);
    numbers::check(&mut ctx);
    devices::check(&mut ctx);
    forwarding::check(&mut ctx);
    emergency::check(&mut ctx);
    outbound::check(&mut ctx);
    audio::check(&mut ctx, audio);
    out.append(&mut ctx.out);

    let mut diagnostics = Diagnostics::new();
    diagnostics.extend(out);
    diagnostics.sort();
    Validated {
        raw,
        manifest,
        diagnostics,
    }
}
