//! `export`: the provider's current account written as manifests and
//! audio files into a directory.

use std::path::{Component, Path, PathBuf};

use super::{Failed, Findings};
use crate::diagnostics::{Code, Diagnostic};
use crate::provider::{AudioStore, Provider};

/// Where and how to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub out: PathBuf,
    /// Write into a directory that is not empty.
    pub force: bool,
    /// The vocm version named in the files' header.
    pub version: String,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// Paths relative to the output directory, in the order written.
    pub files: Vec<String>,
    pub users: usize,
    pub ring_groups: usize,
    pub auto_attendants: usize,
}

/// Reads the account from `provider` and writes it under `options.out`.
///
/// Nothing is written unless every file's path is known to stay inside the
/// output directory: the keys come from the provider, and a hostile or
/// broken server must not make vocm write elsewhere.
///
/// # Errors
/// [`Failed`] when the account cannot be read, a key is no safe file name,
/// the directory is not empty (without `force`), or a file cannot be
/// written; the reason is in `findings`.
pub fn export(
    provider: &dyn Provider,
    options: &ExportOptions,
    findings: &mut Findings,
) -> Result<Exported, Failed> {
    let out = &options.out;
    let fail = |findings: &mut Findings, message: String, help: &str| {
        findings.push(
            Diagnostic::error(Code::ExportWrite, message)
                .at_path(out.display().to_string())
                .help(help),
        );
        Failed
    };
    let snapshot = provider.snapshot().map_err(|e| {
        findings.push(e.diagnostic());
        Failed
    })?;
    let non_empty = std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some());
    if non_empty && !options.force {
        return Err(fail(
            findings,
            format!(
                "{} is not empty: export does not overwrite manifests",
                out.display()
            ),
            "choose an empty directory, or pass --force",
        ));
    }
    let mut audio = AudioStore::new();
    for a in snapshot.account.audio_files.values() {
        if audio.contains_key(&a.sha256) {
            continue;
        }
        match provider.audio(&a.sha256) {
            Ok(Some(bytes)) => {
                audio.insert(a.sha256.clone(), bytes);
            }
            Ok(None) => {}
            Err(e) => {
                findings.push(e.diagnostic());
                return Err(Failed);
            }
        }
    }
    let header = format!(
        "Exported by vocm {} from the {}.\nPlanned against the same account, these manifests show no changes.",
        options.version,
        provider.info()
    );
    let files = crate::export::export(&snapshot.account, &audio, &header).map_err(|e| {
        fail(
            findings,
            format!("cannot export the account: {e}"),
            "report this as a bug, with the resource it names",
        )
    })?;
    let unsafe_paths: Vec<&str> = files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| !stays_inside(p))
        .collect();
    if !unsafe_paths.is_empty() {
        for p in unsafe_paths {
            findings.push(
                Diagnostic::error(
                    Code::ExportWrite,
                    format!(
                        "refusing to write `{}`: the provider gave a key that is not a safe file name",
                        p.escape_debug()
                    ),
                )
                .at_path(out.display().to_string())
                .help("a key may hold letters, digits, `.`, `_` and `-` only; rename the resource in the account, then export again"),
            );
        }
        return Err(Failed);
    }
    for f in &files {
        let path = out.join(&f.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| crate::util::write_atomically(&path, &f.content));
        if let Err(e) = written {
            return Err(fail(
                findings,
                format!("cannot write {}: {e}", path.display()),
                "check that the directory is writable",
            ));
        }
    }
    Ok(Exported {
        files: files.into_iter().map(|f| f.path).collect(),
        users: snapshot.account.users.len(),
        ring_groups: snapshot.account.ring_groups.len(),
        auto_attendants: snapshot.account.auto_attendants.len(),
    })
}

/// Whether a relative path written under the output directory stays in it:
/// plain names only (no `..`, root, drive or empty part), each a safe file
/// name.
fn stays_inside(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty()
        && p.components().all(|c| match c {
            Component::Normal(name) => name.to_str().is_some_and(safe_name),
            _ => false,
        })
}

fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 200
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

#[cfg(test)]
mod tests {
    use super::stays_inside;

    #[test]
    fn only_plain_relative_names_stay_inside() {
        for ok in [
            "users/alice.yaml",
            "audio/hold-music.mp3",
            "account.yaml",
            "users/a.b@c.yaml",
        ] {
            assert!(stays_inside(ok), "{ok}");
        }
        for bad in [
            "",
            "../evil.yaml",
            "audio/../../evil.wav",
            "/etc/passwd",
            "audio/.hidden.wav",
            "audio/a\nb.wav",
            "audio/a b.wav",
            "audio/x\\..\\y.wav",
        ] {
            assert!(!stays_inside(bad), "{bad:?}");
        }
    }
}
