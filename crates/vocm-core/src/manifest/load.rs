//! Reading files in parallel and parsing them.
//!
//! Each document is handed, still in the worker thread, to a `digest`
//! function that keeps what it needs from the document's `Value` (the
//! validator checks and types it there); only the spans are kept here. So
//! at most one `Value` per thread is alive at a time, whatever the size of
//! the account.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::discover::{discover, read_error};
use super::spans::SpanTree;
use super::yaml::{self, Document};
use super::{LoadedDocument, RawManifest, limits};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Pos, SourceFile, Span, display_path};

/// What a file gave: its source, and per document what `digest` kept.
struct FileResult<T> {
    source: SourceFile,
    documents: Result<Vec<(SpanTree, T)>, Box<Diagnostic>>,
    diagnostics: Vec<Diagnostic>,
}

/// Loads every manifest under `paths`, passing each document to `digest`.
/// Paths are shown relative to `cwd`.
pub fn load_paths<T, F>(
    paths: &[PathBuf],
    cwd: Option<&Path>,
    digest: F,
) -> (RawManifest, Vec<T>, Vec<Diagnostic>)
where
    T: Send,
    F: Fn(FileId, &SourceFile, Document) -> (SpanTree, T) + Sync,
{
    let mut diagnostics = Vec::new();
    let files = discover(paths, cwd, &mut diagnostics);
    let results: Vec<FileResult<T>> = files
        .par_iter()
        .enumerate()
        .map(|(i, path)| {
            let id = file_id(i);
            let (source, parsed) = read_and_parse(id, path, display_path(path, cwd));
            finish(id, source, parsed, &digest)
        })
        .collect();
    let incomplete = !diagnostics.is_empty();
    let (mut raw, digests) = assemble(results, &mut diagnostics);
    raw.incomplete |= incomplete;
    (raw, digests, diagnostics)
}

/// Loads manifests given as (name, content) pairs, as if read from files;
/// for tests and the fuzz harness.
pub fn load_bytes<T, F>(
    files: &[(&str, &[u8])],
    digest: F,
) -> (RawManifest, Vec<T>, Vec<Diagnostic>)
where
    T: Send,
    F: Fn(FileId, &SourceFile, Document) -> (SpanTree, T) + Sync,
{
    let results = files
        .iter()
        .enumerate()
        .map(|(i, (name, bytes))| {
            let id = file_id(i);
            let (text, parsed) = decode_and_parse(id, bytes.to_vec(), name);
            let source = SourceFile::new((*name).into(), (*name).to_owned(), text);
            finish(id, source, parsed, &digest)
        })
        .collect();
    let mut diagnostics = Vec::new();
    let (raw, digests) = assemble(results, &mut diagnostics);
    (raw, digests, diagnostics)
}

fn file_id(i: usize) -> FileId {
    FileId(u32::try_from(i).unwrap_or(u32::MAX))
}

fn finish<T, F>(
    id: FileId,
    source: SourceFile,
    parsed: Result<yaml::Parsed, Box<Diagnostic>>,
    digest: &F,
) -> FileResult<T>
where
    F: Fn(FileId, &SourceFile, Document) -> (SpanTree, T),
{
    match parsed {
        Ok(mut parsed) => {
            if parsed.documents.iter().all(|d| d.value.is_null()) {
                parsed.diagnostics.push(empty(id, &source));
            }
            let documents = parsed
                .documents
                .into_iter()
                .map(|doc| digest(id, &source, doc))
                .collect();
            FileResult {
                source,
                documents: Ok(documents),
                diagnostics: parsed.diagnostics,
            }
        }
        Err(d) => FileResult {
            source,
            documents: Err(d),
            diagnostics: Vec::new(),
        },
    }
}

/// A file that defines nothing: harmless, but often a file saved empty by
/// mistake or a manifest put under the wrong name.
fn empty(id: FileId, source: &SourceFile) -> Diagnostic {
    let start = Pos::new(1, 0);
    Diagnostic::warning(
        Code::InputEmpty,
        format!("`{}` defines nothing", source.display),
    )
    .at(id, Span::point(start), "empty")
    .help("add resources to it, or delete the file (a file of comments only is empty too)")
}

fn assemble<T>(
    results: Vec<FileResult<T>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> (RawManifest, Vec<T>) {
    let mut raw = RawManifest::default();
    let mut digests = Vec::new();
    for result in results {
        let file = raw.sources.add(result.source);
        diagnostics.extend(result.diagnostics);
        match result.documents {
            Ok(documents) => {
                for (spans, digest) in documents {
                    raw.documents.push(LoadedDocument { file, spans });
                    digests.push(digest);
                }
            }
            Err(d) => {
                diagnostics.push(*d);
                raw.incomplete = true;
            }
        }
    }
    (raw, digests)
}

fn read_and_parse(
    id: FileId,
    path: &Path,
    shown: String,
) -> (SourceFile, Result<yaml::Parsed, Box<Diagnostic>>) {
    let fail = |shown: String, d: Diagnostic| {
        (
            SourceFile::new(path.to_owned(), shown, Arc::from("")),
            Err(Box::new(d)),
        )
    };
    match std::fs::metadata(path) {
        Ok(m) if m.len() > limits::MAX_FILE_BYTES => {
            let d = Diagnostic::error(
                Code::InputTooLarge,
                format!(
                    "`{shown}` is {:.1} MiB; manifests are limited to {} MiB each",
                    m.len() as f64 / (1024.0 * 1024.0),
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
    (SourceFile::new(path.to_owned(), shown, text), parsed)
}

/// Decodes UTF-8 (without its byte-order mark) and parses. Text that is not
/// UTF-8 is kept, lossily, so that the diagnostic can show where it breaks.
fn decode_and_parse(
    id: FileId,
    mut bytes: Vec<u8>,
    shown: &str,
) -> (Arc<str>, Result<yaml::Parsed, Box<Diagnostic>>) {
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
