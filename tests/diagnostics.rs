//! Snapshot of the rendered diagnostics (text and JSON) for every
//! diagnostic code, from fixtures in `tests/fixtures/diagnostics/<case>/`
//! and a few cases that must be generated (huge, deep or binary input).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use vocm::diagnostics::text::TextStyle;
use vocm::diagnostics::{Code, json, text};
use vocm::validate::validate_paths;

const STYLE: TextStyle = TextStyle {
    color: false,
    width: 100,
};

/// Validates `paths` as if run from `dir`; returns the text rendering, the
/// JSON rendering, and the codes seen.
fn run(dir: &Path, paths: &[PathBuf]) -> (String, BTreeSet<&'static str>) {
    let v = validate_paths(paths, Some(dir));
    let codes = v.diagnostics.iter().map(|d| d.code.as_str()).collect();
    let rendered = format!(
        "{}\n--- json ---\n{}",
        text::render_all(v.diagnostics.iter(), &v.raw.sources, STYLE),
        json::render(v.diagnostics.iter(), &v.raw.sources)
    );
    (rendered, codes)
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diagnostics")
}

/// Cases whose input is made by the test: too big, too deep or not text
/// to commit.
fn generated(name: &str, dir: &Path) -> Vec<PathBuf> {
    match name {
        "input-not-found" => vec![dir.join("missing.yaml")],
        "input-no-manifests" => {
            std::fs::create_dir_all(dir.join("empty")).unwrap();
            std::fs::write(dir.join("empty/README.md"), "no manifests here").unwrap();
            vec![dir.join("empty")]
        }
        "input-encoding" => {
            std::fs::write(dir.join("latin1.yaml"), b"account:\n  pbx: caf\xe9\n").unwrap();
            vec![dir.join("latin1.yaml")]
        }
        "input-too-large" => {
            let f = std::fs::File::create(dir.join("huge.yaml")).unwrap();
            // Sparse: the size is what is checked, nothing is written.
            f.set_len(vocm::manifest::limits::MAX_FILE_BYTES + 1)
                .unwrap();
            vec![dir.join("huge.yaml")]
        }
        "input-read" => {
            std::fs::create_dir_all(dir.join("manifests")).unwrap();
            std::fs::write(dir.join("manifests/account.yaml"), "account: {pbx: acme}\n").unwrap();
            #[cfg(unix)]
            std::os::unix::fs::symlink("..", dir.join("manifests/loop")).unwrap();
            vec![dir.join("manifests")]
        }
        "yaml-too-deep" => {
            // Block sequences one inside the other, then the same depth in
            // flow style, where the parser's own limit answers. (The
            // 10,000-level case is in the hostile-input tests.)
            let depth = 300;
            std::fs::create_dir_all(dir.join("deep")).unwrap();
            std::fs::write(
                dir.join("deep/block.yaml"),
                format!("{}x\n", "- ".repeat(depth)),
            )
            .unwrap();
            let flow = format!("{}{}\n", "[".repeat(depth), "]".repeat(depth));
            std::fs::write(dir.join("deep/flow.yaml"), flow).unwrap();
            vec![dir.join("deep")]
        }
        _ => unreachable!("unknown generated case {name}"),
    }
}

const GENERATED: [&str; 6] = [
    "input-not-found",
    "input-no-manifests",
    "input-encoding",
    "input-too-large",
    "input-read",
    "yaml-too-deep",
];

#[test]
fn every_diagnostic_code_has_a_snapshot() {
    let mut seen = BTreeSet::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        // Inputs that would bloat the repository are made here.
        if name == "audio-too-large" {
            let f = std::fs::File::create(case.join("audio/greeting.wav")).unwrap();
            let mut header = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
            header.resize(16, 0);
            (&f).write_all(&header).unwrap();
            f.set_len(11 * 1024 * 1024).unwrap();
        }
        let (out, codes) = run(case, std::slice::from_ref(case));
        if name == "audio-too-large" {
            std::fs::remove_file(case.join("audio/greeting.wav")).unwrap();
        }
        insta::assert_snapshot!(format!("diag_{name}"), out);
        seen.extend(codes);
    }
    for name in GENERATED {
        let tmp = tempfile::tempdir().unwrap();
        let paths = generated(name, tmp.path());
        let (out, codes) = run(tmp.path(), &paths);
        insta::assert_snapshot!(format!("diag_{name}"), out);
        seen.extend(codes);
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes without a snapshot: {missing:?}");
}
