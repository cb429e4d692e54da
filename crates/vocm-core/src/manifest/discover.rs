//! Which files a set of command-line paths means.

use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Diagnostic};
use crate::source::display_path;

/// Expands paths: a file is taken as is; a directory means every `*.yaml`
/// and `*.yml` under it, recursively, skipping directories whose name starts
/// with a dot. The result is sorted by path and has no duplicates.
pub fn discover(
    paths: &[PathBuf],
    cwd: Option<&Path>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        let shown = display_path(path, cwd);
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                diagnostics.push(
                    Diagnostic::error(Code::InputNotFound, format!("`{shown}` does not exist"))
                        .at_path(shown)
                        .help("give a manifest file or a directory of manifests"),
                );
                continue;
            }
            Err(e) => {
                diagnostics.push(read_error(&shown, &e));
                continue;
            }
        };
        if meta.is_file() {
            files.push(path.clone());
            continue;
        }
        let before = files.len();
        walk(path, cwd, &mut files, diagnostics);
        if files.len() == before {
            diagnostics.push(
                Diagnostic::error(
                    Code::InputNoManifests,
                    format!("no manifest (*.yaml or *.yml) in `{shown}`"),
                )
                .at_path(shown)
                .help("point vocm at the directory that holds your manifests"),
            );
        }
    }
    files.sort();
    // `vocm validate . base.yaml` names base.yaml twice: read it once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    files
}

fn walk(
    root: &Path,
    cwd: Option<&Path>,
    files: &mut Vec<PathBuf>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let entries = walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in entries {
        match entry {
            Ok(e) if e.file_type().is_file() && is_manifest(e.path()) => files.push(e.into_path()),
            Ok(_) => {}
            Err(e) => {
                let at = display_path(e.path().unwrap_or(root), cwd);
                let d = if e.loop_ancestor().is_some() {
                    Diagnostic::error(
                        Code::InputRead,
                        format!("`{at}` is a symbolic link to one of its own parent directories"),
                    )
                    .at_path(at)
                    .help("remove the link, or point vocm at a directory without the loop")
                } else {
                    let io = e
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("unreadable"));
                    read_error(&at, &io)
                };
                diagnostics.push(d);
            }
        }
    }
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// A file or directory that exists but cannot be read.
pub fn read_error(shown: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(Code::InputRead, format!("cannot read `{shown}`: {e}"))
        .at_path(shown.to_owned())
        .help("check that the path is readable by the user running vocm")
}
