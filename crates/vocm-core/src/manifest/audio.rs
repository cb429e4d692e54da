//! Reading the audio files a manifest declares, for plans (their content
//! is hashed, and uploaded by apply).

use std::collections::BTreeMap;
use std::path::Path;

use super::RawManifest;
use crate::account::{Audio, AudioFormat};
use crate::model::Manifest;
use crate::provider::{AudioStore, sha256_hex};
use crate::validate::audio::{kind_of, resolve};

/// The audio files of a validated manifest: their canonical form by key,
/// and their content by hash. Files that cannot be read are left out
/// (validation has reported them).
#[must_use]
pub fn read_audio(raw: &RawManifest, manifest: &Manifest) -> (BTreeMap<String, Audio>, AudioStore) {
    let mut audio = BTreeMap::new();
    let mut store = AudioStore::new();
    for (key, e) in &manifest.audio_files {
        let doc = raw.sources.get(raw.document(e.origin).file);
        let path = resolve(&doc.path, &e.value.file);
        let Some((a, bytes)) = read_one(&path) else {
            continue;
        };
        store.insert(a.sha256.clone(), bytes);
        audio.insert(key.clone(), a);
    }
    (audio, store)
}

fn read_one(path: &Path) -> Option<(Audio, Vec<u8>)> {
    let bytes = std::fs::read(path).ok()?;
    let format = match kind_of(&bytes) {
        Some("wav") => AudioFormat::Wav,
        Some("mp3") => AudioFormat::Mp3,
        _ => return None,
    };
    Some((
        Audio {
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64,
            format,
        },
        bytes,
    ))
}
