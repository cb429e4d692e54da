//! Audio files exist, are WAV or MP3 by content, and are at most 10 MiB.
//!
//! Reading files is I/O, which rules do not do: the caller passes an
//! [`AudioFiles`] that answers for a path (the disk, or a test's map).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::ctx::{Ctx, loc};
use crate::account::{Audio, AudioFormat, AudioStore};
use crate::diagnostics::Code;
use crate::manifest::RawManifest;
use crate::model::Manifest;
use crate::model::audio::MAX_AUDIO_BYTES;
use crate::util::sha256_hex;

/// What is known of an audio file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AudioProbe {
    Missing,
    Unreadable(String),
    Found {
        size: u64,
        /// `wav`, `mp3`, another detected type, or `None` when unknown.
        kind: Option<&'static str>,
    },
}

/// Answers what is at a path.
pub trait AudioFiles: Sync {
    fn probe(&self, path: &Path) -> AudioProbe;
}

/// Audio files on disk.
#[derive(Debug, Default, Clone, Copy)]
pub struct DiskAudio;

impl AudioFiles for DiskAudio {
    fn probe(&self, path: &Path) -> AudioProbe {
        use std::io::Read as _;
        let meta = match std::fs::metadata(path) {
            Ok(m) if m.is_file() => m,
            Ok(m) if m.is_dir() => return AudioProbe::Unreadable("it is a directory".into()),
            Ok(_) => return AudioProbe::Unreadable("it is not a regular file".into()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return AudioProbe::Missing,
            Err(e) => return AudioProbe::Unreadable(e.to_string()),
        };
        let mut head = [0u8; 64];
        let n = match std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) {
            Ok(n) => n,
            Err(e) => return AudioProbe::Unreadable(e.to_string()),
        };
        AudioProbe::Found {
            size: meta.len(),
            kind: kind_of(&head[..n]),
        }
    }
}

/// The type of a file by its first bytes.
#[must_use]
pub fn kind_of(head: &[u8]) -> Option<&'static str> {
    match infer::get(head).map(|t| t.extension()) {
        Some(kind) => Some(kind),
        // An MPEG audio frame with no ID3 tag: 11 sync bits, then a version
        // and a layer that are not "reserved". infer knows only some of
        // these headers (not the CRC-protected FF FA, for one).
        None if mpeg_frame(head) => Some("mp3"),
        None => None,
    }
}

fn mpeg_frame(head: &[u8]) -> bool {
    match head {
        [0xFF, b, ..] => {
            let version = (b >> 3) & 0b11;
            let layer = (b >> 1) & 0b11;
            b & 0xE0 == 0xE0 && version != 0b01 && layer != 0b00
        }
        _ => false,
    }
}

/// Where an audio file's path points: relative to the manifest declaring it.
#[must_use]
pub fn resolve(manifest_file: &Path, file: &str) -> PathBuf {
    manifest_file
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join(file)
}

pub fn check(ctx: &mut Ctx<'_>, files: &dyn AudioFiles) {
    for (key, e) in &ctx.m.audio_files {
        let doc_file = ctx.raw.sources.get(ctx.raw.document(e.origin).file);
        let path = resolve(&doc_file.path, &e.value.file);
        let shown_path = resolve(Path::new(&doc_file.display), &e.value.file)
            .to_string_lossy()
            .replace('\\', "/");
        let at = loc!["audio_files", key, "file"];
        let shown = e.value.file.as_str();
        match files.probe(&path) {
            AudioProbe::Missing => ctx.error(
                Code::AudioMissing,
                e.origin,
                at,
                format!("audio file `{shown}` of audio_files.{key} does not exist"),
                format!("not found at {shown_path}"),
                "the path is relative to this manifest file; add the file or fix the path",
            ),
            AudioProbe::Unreadable(why) => ctx.error(
                Code::AudioMissing,
                e.origin,
                at,
                format!("audio file `{shown}` of audio_files.{key} cannot be read: {why}"),
                "unreadable",
                "check the file's permissions",
            ),
            AudioProbe::Found { size, kind } => {
                if size > MAX_AUDIO_BYTES {
                    ctx.error(
                        Code::AudioTooLarge,
                        e.origin,
                        at,
                        format!(
                            "audio file `{shown}` is {:.1} MiB; the account accepts at most 10 MiB",
                            size as f64 / (1024.0 * 1024.0)
                        ),
                        "too large",
                        "shorten it, or encode it as MP3",
                    );
                }
                if !matches!(kind, Some("wav" | "mp3")) {
                    let found = kind.map_or_else(
                        || "not a recognised audio format".to_owned(),
                        |k| format!("a {k} file"),
                    );
                    ctx.error(
                        Code::AudioFormat,
                        e.origin,
                        at,
                        format!("audio file `{shown}` is {found}, not WAV or MP3"),
                        "not WAV or MP3",
                        "convert it to WAV or MP3 (the file's content decides, not its name)",
                    );
                }
            }
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::kind_of;

    #[test]
    fn recognises_wav_and_mp3_frames() {
        assert_eq!(kind_of(b"RIFF\x24\0\0\0WAVEfmt "), Some("wav"));
        assert_eq!(kind_of(b"ID3\x04\0\0\0\0\0\0"), Some("mp3"));
        // MPEG-1 Layer III with and without CRC.
        assert_eq!(kind_of(&[0xFF, 0xFB, 0x90, 0x64]), Some("mp3"));
        assert_eq!(kind_of(&[0xFF, 0xFA, 0x90, 0x64]), Some("mp3"));
        assert_eq!(kind_of(b"this is not audio"), None);
        assert_eq!(kind_of(&[0xFF, 0xE9, 0, 0]), None, "reserved version");
    }
}
