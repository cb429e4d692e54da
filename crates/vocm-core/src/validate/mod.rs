//! Validation: a loaded [`RawManifest`] → a merged, checked [`Manifest`]
//! and every diagnostic, in this order: JSON Schema per document, typed
//! resources merged across files, then the offline rules of the manifest
//! format. Nothing stops at the first problem.

mod addresses;
pub mod audio;
mod ctx;
mod devices;
mod emergency;
mod extensions;
mod forms;
mod forwarding;
mod known_fields;
mod merge;
mod moved;
mod numbers;
mod outbound;
mod references;
mod schedules;
mod schema_check;
pub mod suggest;

use std::path::{Path, PathBuf};

pub use audio::{AudioFiles, AudioProbe, DiskAudio};
pub use merge::Poisoned;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::manifest::yaml::Document;
use crate::manifest::{RawManifest, SpanTree, load_bytes, load_paths};
use crate::model::Manifest;
use crate::source::{FileId, SourceFile};

/// What validation found.
#[derive(Debug)]
pub struct Validated {
    pub raw: RawManifest,
    pub manifest: Manifest,
    pub diagnostics: Diagnostics,
}

impl Validated {
    /// Where the manifests define a resource: the span of its key, for a
    /// diagnostic about it that only comes later (an apply's failure).
    #[must_use]
    pub fn place(&self, id: &crate::account::ResourceId) -> Option<(FileId, crate::source::Span)> {
        use crate::account::Kind;
        use crate::manifest::spans::Seg;
        let m = &self.manifest;
        let key = id.key.as_str();
        let (section, origin, written) = match id.kind {
            Kind::Account => {
                return m
                    .account
                    .as_ref()
                    .map(|a| self.raw.key_span(a.origin, &[Seg::Key("account")]));
            }
            Kind::Address => ("addresses", m.addresses.get(key)?.origin, key),
            Kind::Site => ("sites", m.sites.get(key)?.origin, key),
            Kind::PhoneNumber => {
                let n: crate::model::PhoneNumber = key.parse().ok()?;
                let (written, entry) = m.phone_numbers.get_key_value(&n)?;
                ("phone_numbers", entry.origin, m.number_key(written))
            }
            Kind::Device => ("devices", m.devices.get(key)?.origin, key),
            Kind::AudioFile => ("audio_files", m.audio_files.get(key)?.origin, key),
            Kind::User => ("users", m.users.get(key)?.origin, key),
            Kind::RingGroup => ("ring_groups", m.ring_groups.get(key)?.origin, key),
            Kind::AutoAttendant => ("auto_attendants", m.auto_attendants.get(key)?.origin, key),
        };
        Some(
            self.raw
                .key_span(origin, &[Seg::Key(section), Seg::Key(written)]),
        )
    }
}

/// What validation keeps of a document while it is still a `Value`.
struct Digest {
    schema: Vec<Diagnostic>,
    part: merge::Part,
}

/// Checks a document against the schema and types its resources; the
/// document's `Value` is dropped when this returns.
fn digest(file: FileId, source: &SourceFile, mut doc: Document) -> (SpanTree, Digest) {
    let masks = merge::prepare(&mut doc.value);
    let schema = schema_check::check(file, &doc, source);
    let part = merge::read_part(&doc.value, masks);
    (doc.spans, Digest { schema, part })
}

/// Loads and validates the manifests under `paths`, reading audio files from disk.
#[must_use]
pub fn validate_paths(paths: &[PathBuf], cwd: Option<&Path>) -> Validated {
    let (raw, digests, diagnostics) = load_paths(paths, cwd, digest);
    finish(raw, digests, diagnostics, &DiskAudio)
}

/// Validates manifests given as (name, content) pairs, with audio files
/// from `audio`; for tests and the fuzz harness.
#[must_use]
pub fn validate_bytes(files: &[(&str, &[u8])], audio: &dyn AudioFiles) -> Validated {
    let (raw, digests, diagnostics) = load_bytes(files, digest);
    finish(raw, digests, diagnostics, audio)
}

/// Numbers written in national form (`0472000001`): the help shows the
/// number itself in international form, read in the account's country —
/// known only once every file is merged, after the schema has spoken.
fn national_numbers(raw: &RawManifest, manifest: &Manifest, out: &mut [Diagnostic]) {
    let Some(country) = manifest.account.as_ref().and_then(|a| a.value.country) else {
        return;
    };
    for d in out
        .iter_mut()
        .filter(|d| d.code == Code::SchemaFormat && d.help == schema_check::NUMBER_HELP)
    {
        let Some(label) = d.label() else { continue };
        let written = raw.sources.get(label.file).slice(label.span);
        let written = written.trim_matches(['"', '\'']);
        if let Some(n) = crate::model::PhoneNumber::from_national(written, country) {
            d.help = format!(
                "write it in international form: `{}` (`{written}` read as a number of {country}, the account's country)",
                n.international()
            );
        }
    }
}

fn finish(
    raw: RawManifest,
    digests: Vec<Digest>,
    diagnostics: Vec<Diagnostic>,
    audio: &dyn AudioFiles,
) -> Validated {
    let mut out = diagnostics;
    let mut failed = Vec::with_capacity(digests.len());
    let mut parts = Vec::with_capacity(digests.len());
    // Where the schema already found a problem: a rule that points at the
    // same value would only say it again.
    let mut schema_spots = rustc_hash::FxHashSet::default();
    for d in digests {
        failed.push(!d.schema.is_empty());
        schema_spots.extend(
            d.schema
                .iter()
                .filter_map(|d| d.label().map(|l| (l.file, l.span))),
        );
        out.extend(d.schema);
        parts.push(d.part);
    }
    let (manifest, poisoned) = merge::merge(&raw, parts, &failed, &mut out);
    national_numbers(&raw, &manifest, &mut out);
    if manifest.account.is_none() && !raw.incomplete && !poisoned.contains("account", "") {
        out.push(
            Diagnostic::error(Code::ManifestNoAccount, "no manifest defines the `account` section")
                .help("add `account: {pbx: NAME}` to one file: vocm needs to know which PBX the manifests describe"),
        );
    }

    let mut ctx = ctx::Ctx::new(&raw, &manifest, &poisoned);
    forms::check(&mut ctx);
    references::check(&mut ctx);
    schedules::check(&mut ctx);
    extensions::check(&mut ctx);
    numbers::check(&mut ctx);
    devices::check(&mut ctx);
    addresses::check(&mut ctx);
    forwarding::check(&mut ctx);
    emergency::check(&mut ctx);
    outbound::check(&mut ctx);
    moved::check(&mut ctx);
    audio::check(&mut ctx, audio);
    ctx.name_users();
    ctx.out.retain(|d| {
        d.label()
            .is_none_or(|l| !schema_spots.contains(&(l.file, l.span)))
    });
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
