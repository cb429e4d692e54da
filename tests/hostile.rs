//! Hostile input gets a diagnostic, never a panic or a hang.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::fmt::Write as _;

use proptest::prelude::*;
use vocm::diagnostics::Code;
use vocm::validate::{AudioFiles, AudioProbe, validate_bytes};

/// Audio never exists: these tests are about the YAML.
struct NoAudio;

impl AudioFiles for NoAudio {
    fn probe(&self, _: &std::path::Path) -> AudioProbe {
        AudioProbe::Missing
    }
}

fn codes(bytes: &[u8]) -> Vec<&'static str> {
    validate_bytes(&[("m.yaml", bytes)], &NoAudio)
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = codes(&bytes);
    }

    /// Bytes drawn from YAML's own punctuation find more parser corners than
    /// uniform bytes do.
    #[test]
    fn yaml_shaped_noise_never_panics(s in "[-:{}\\[\\]&*!|>'\"#%@`,? \n\tab1+]{0,400}") {
        let _ = codes(s.as_bytes());
    }

    /// Valid structure with hostile values.
    #[test]
    fn hostile_values_in_a_user_never_panic(v in "\\PC{0,40}", n in any::<i64>()) {
        let text = format!(
            "account: {{pbx: acme}}\nusers:\n  alice:\n    first_name: {v:?}\n    extension: {n}\n    phone_number: {v:?}\n    forwarding: {{busy: {v:?}}}\n"
        );
        let _ = codes(text.as_bytes());
    }
}

#[test]
fn an_empty_file_is_an_empty_manifest() {
    // Alone, it defines no account: that is the one error.
    for empty in [&b""[..], b"# only a comment\n", b"---\n...\n", b"~\n"] {
        assert_eq!(codes(empty), ["vocm::manifest::no-account"], "{empty:?}");
    }
    // Beside a real manifest, it adds nothing and breaks nothing.
    let v = validate_bytes(
        &[("a.yaml", b"account: {pbx: acme}\n"), ("b.yaml", b"")],
        &NoAudio,
    );
    assert!(v.diagnostics.is_empty());
}

#[test]
fn invalid_utf8_and_nul_bytes_are_reported() {
    assert_eq!(
        codes(b"account: {pbx: caf\xe9}\n"),
        ["vocm::input::encoding"]
    );
    let nul = codes(b"account: {pbx: a\0b}\n");
    assert!(!nul.is_empty(), "a NUL byte must not pass silently");
}

#[test]
fn bom_crlf_and_tabs_are_handled() {
    assert!(codes(b"\xef\xbb\xbfaccount: {pbx: acme}\r\n").is_empty());
    assert!(codes(b"account:\r\n  pbx: acme\r\n").is_empty());
    assert_eq!(codes(b"account:\n\tpbx: acme\n"), ["vocm::yaml::syntax"]);
}

#[test]
fn positions_survive_a_bom_and_crlf() {
    let v = validate_bytes(
        &[(
            "m.yaml",
            b"\xef\xbb\xbfaccount:\r\n  pbx: acme\r\n  colour: red\r\n",
        )],
        &NoAudio,
    );
    let d = v.diagnostics.iter().next().unwrap();
    let label = d.label().unwrap();
    assert_eq!((label.span.start.line, label.span.start.col), (3, 2));
}

#[test]
fn an_alias_bomb_is_refused_quickly() {
    let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..12 {
        let prev = level - 1;
        let refs = vec![format!("*l{prev}"); 10].join(", ");
        writeln!(text, "l{level}: &l{level} [{refs}]").unwrap();
    }
    let text = text.replacen("&a", "&l0", 1);
    let started = std::time::Instant::now();
    assert_eq!(codes(text.as_bytes()), [Code::YamlTooManyNodes.as_str()]);
    assert!(started.elapsed().as_secs() < 10);
}

#[test]
fn ten_thousand_levels_of_nesting_are_refused() {
    let depth = 10_000;
    let block = format!("{}x\n", "- ".repeat(depth));
    assert_eq!(codes(block.as_bytes()), [Code::YamlTooDeep.as_str()]);
    let flow = format!("a: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(codes(flow.as_bytes()), [Code::YamlTooDeep.as_str()]);
    let maps = format!("a: {}1{}\n", "{a: ".repeat(depth), "}".repeat(depth));
    assert_eq!(codes(maps.as_bytes()), [Code::YamlTooDeep.as_str()]);
}

#[test]
fn huge_integers_and_long_strings_are_type_errors_not_crashes() {
    let text = format!(
        "account: {{pbx: acme, extension_length: 99999999999999999999999999}}\ndevices:\n  d: {{model: \"{}\", mac: \"00:04:f2:aa:bb:cc\"}}\n",
        "x".repeat(1 << 20)
    );
    let found = codes(text.as_bytes());
    assert!(found.contains(&"vocm::schema::range"), "{found:?}");
    assert!(found.contains(&"vocm::schema::length"), "{found:?}");
}

#[test]
fn duplicate_keys_point_at_both() {
    let v = validate_bytes(
        &[("m.yaml", b"account: {pbx: a}\naccount: {pbx: b}\n")],
        &NoAudio,
    );
    let d = v.diagnostics.iter().next().unwrap();
    assert_eq!(d.code, Code::ManifestDuplicateKey);
    assert_eq!(d.related.len(), 1);
}
