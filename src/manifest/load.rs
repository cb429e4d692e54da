//! Reading files in parallel and parsing them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::discover::{discover, read_error};
use super::yaml::{self, Parsed};
use super::{LoadedDocument, RawManifest, limits};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Pos, SourceFile, Span, display_path};

/// What reading and parsing one file gave.
struct FileResult {
    source: SourceFile,
    parsed: Result<Parsed, Box<Diagnostic>>,
}

/// Loads every manifest under `paths`. Paths are shown relative to `cwd`.
#[must_use]
pub fn load_paths(paths: &[PathBuf], cwd: Option<&Path>) -> (RawManifest, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let files = discover(paths, &mut diagnostics);
    let results: Vec<FileResult> = files
        .par_iter()
        .enumerate()
        .map(|(i, path)| read_and_parse(file_id(i), path, display_path(path, cwd)))
        .collect();
    let mut raw = assemble(results, &mut diagnostics);
    if !diagnostics.is_empty() {
        raw.incomplete = true;
    }
    (raw, diagnostics)
}

/// Loads manifests given as (name, text) pairs, as if read from files;
/// for tests and the fuzz harness.
#[must_use]
pub fn load_texts(texts: &[(&str, &str)]) -> (RawManifest, Vec<Diagnostic>) {
    let results = texts
        .iter()
        .enumerate()
        .map(|(i, (name, text))| {
            let source = SourceFile::new((*name).into(), (*name).to_owned(), Arc::from(*text));
            let parsed = yaml::parse(file_id(i), &source.text);
            FileResult { source, parsed }
        })
        .collect();
    let mut diagnostics = Vec::new();
    let raw = assemble(results, &mut diagnostics);
    (raw, diagnostics)
}

fn file_id(i: usize) -> FileId {
    FileId(u32::try_from(i).unwrap_or(u32::MAX))
}

fn assemble(results: Vec<FileResult>, diagnostics: &mut Vec<Diagnostic>) -> RawManifest {
    let mut raw = RawManifest::default();
    for result in results {
        let file = raw.sources.add(result.source);
        match result.parsed {
            Ok(parsed) => {
                diagnostics.extend(parsed.diagnostics);
                raw.documents.extend(
                    parsed
                        .documents
                        .into_iter()
                        .map(|doc| LoadedDocument { file, doc }),
                );
            }
            Err(d) => {
                diagnostics.push(*d);
                raw.incomplete = true;
            }
        }
    }
    raw
}

fn read_and_parse(id: FileId, path: &Path, shown: String) -> FileResult {
    let fail = |shown: String, d: Diagnostic| FileResult {
        source: SourceFile::new(path.to_owned(), shown, Arc::from("")),
        parsed: Err(Box::new(d)),
    };
    match std::fs::metadata(path) {
        Ok(m) if m.len() > limits::MAX_FILE_BYTES => {
            let d = Diagnostic::error(
                Code::InputTooLarge,
                format!(
                    "`{shown}` is {} MiB; manifests are limited to {} MiB each",
                    m.len() / (1024 * 1024),
                    limits::MAX_FILE_BYTES / (1024 * 1024)
                ),
            )
            .at_path(shown.clone())
            .help("split the account into several files");
            return fail(shown, d);
        }
        Ok(_) => {}
        Err(e) => {
            let d = read_error(&shown, &e);
            return fail(shown, d);
        }
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let d = read_error(&shown, &e);
            return fail(shown, d);
        }
    };
    let (text, parsed) = decode_and_parse(id, bytes, &shown);
    FileResult {
        source: SourceFile::new(path.to_owned(), shown, text),
        parsed,
    }
}

/// Decodes UTF-8 (without its byte-order mark) and parses. Text that is not
/// UTF-8 is kept, lossily, so that the diagnostic can show where it breaks.
fn decode_and_parse(id: FileId, mut bytes: Vec<u8>, shown: &str) -> (Arc<str>, Result<Parsed, Box<Diagnostic>>) {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text: Arc<str> = Arc::from(text);
            let parsed = yaml::parse(id, &text);
            (text, parsed)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let bad = bytes[valid];
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let line = prefix.matches('\n').count() + 1;
            let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count());
            let text: Arc<str> = Arc::from(String::from_utf8_lossy(&bytes).into_owned());
            let at = Pos::new(line, col);
            let d = Diagnostic::error(
                Code::InputEncoding,
                format!("`{shown}` is not valid UTF-8 (byte 0x{bad:02X})"),
            )
            .at(id, Span::new(at, Pos::new(line, col + 1)), "this byte")
            .help("save the file as UTF-8; YAML manifests must be UTF-8 text");
            (text, Err(Box::new(d)))
        }
    }
}
