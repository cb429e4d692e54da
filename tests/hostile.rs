//! Hostile input gets a diagnostic, never a panic or a hang.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::fmt::Write as _;

use proptest::prelude::*;
use vocm_core::diagnostics::Code;
use vocm_core::validate::{AudioFiles, AudioProbe, validate_bytes};

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
    // Alone, it defines no account: that is the one error, after the
    // warning that the file defines nothing.
    for empty in [&b""[..], b"# only a comment\n", b"---\n...\n", b"~\n"] {
        assert_eq!(
            codes(empty),
            ["vocm::input::empty", "vocm::manifest::no-account"],
            "{empty:?}"
        );
    }
    // Beside a real manifest, it adds nothing and breaks nothing: a
    // warning says it is empty.
    let v = validate_bytes(
        &[("a.yaml", b"account: {pbx: acme}\n"), ("b.yaml", b"")],
        &NoAudio,
    );
    let shown: Vec<&str> = v.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(shown, ["vocm::input::empty"]);
    assert!(!v.diagnostics.has_errors());
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

#[test]
fn a_long_string_repeated_by_aliases_is_refused() {
    let long = "x".repeat(1 << 20);
    let mut text = format!("account: {{pbx: acme}}\nanchor: &a \"{long}\"\ncopies: [");
    for _ in 0..4000 {
        text.push_str("*a, ");
    }
    text.push_str("*a]\n");
    assert_eq!(codes(text.as_bytes()), [Code::YamlTooManyNodes.as_str()]);
}

#[test]
fn a_flood_of_duplicate_keys_is_reported_without_quadratic_work() {
    let mut text = String::from("account: {pbx: acme}\ndevices:\n");
    for i in 0..20_000 {
        writeln!(text, "  d{i}: {{model: m, mac: \"00:04:f2:00:00:01\"}}").unwrap();
    }
    for _ in 0..20_000 {
        text.push_str("  d19999: {model: m, mac: \"00:04:f2:00:00:01\"}\n");
    }
    let found = codes(text.as_bytes());
    assert_eq!(
        found
            .iter()
            .filter(|c| **c == Code::ManifestDuplicateKey.as_str())
            .count(),
        20_000
    );
}

/// Only what matters to these tests: the codes, in order.
fn validate(files: &[(&str, &str)]) -> Vec<&'static str> {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    validate_bytes(&bytes, &NoAudio)
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

const BASE: &str = "account: {pbx: acme}\naddresses:\n  hq: {street: 1 rue A, city: Paris, postal_code: \"75001\", country: FR}\nphone_numbers: {\"+33170000001\": {}, \"+33170000002\": {}}\ndevices: {d1: {model: m, mac: \"00:04:f2:00:00:01\"}}\n";

#[test]
fn a_misspelt_field_does_not_hide_the_rest_of_the_resource() {
    let text = format!(
        "{BASE}sites:\n  paris: {{name: Paris, address: hq, locale: fr-FR, timezone: Europe/Paris}}\nusers:\n  alice: {{first_name: Alice, last_name: Martin, email: a@example.com, license: X2, phone_number: \"+33170000001\", extension: 1001, device: d1, forwading: {{busy: voicemail}}}}\n  bob: {{first_name: Bob, last_name: Stone, email: b@example.com, license: X2, phone_number: \"+33170000001\", extension: 1001, device: d1}}\n"
    );
    let found = validate(&[("m.yaml", &text)]);
    for code in [
        "vocm::schema::unknown-field",
        "vocm::extension::duplicate",
        "vocm::number::assigned-twice",
        "vocm::device::assigned-twice",
    ] {
        assert!(found.contains(&code), "{code} missing from {found:?}");
    }
}

#[test]
fn auto_extensions_are_unique_across_sites_sharing_a_range() {
    let text = "devices: {d2: {model: m, mac: \"00:04:f2:00:00:02\"}}\nsites:\n  a: {name: Site A, address: hq, locale: fr-FR, timezone: Europe/Paris, extension_range: 1000-1000}\n  b: {name: Site B, address: hq, locale: fr-FR, timezone: Europe/Paris, extension_range: 1000-1000}\nusers:\n  alice: {first_name: Alice, last_name: Martin, email: a@example.com, site: a, license: X2, phone_number: \"+33170000001\", extension: auto, device: d1}\n  bob: {first_name: Bob, last_name: Stone, email: b@example.com, site: b, license: X2, phone_number: \"+33170000002\", extension: auto, device: d2}\n";
    let found = validate(&[("base.yaml", BASE), ("m.yaml", text)]);
    assert_eq!(found, ["vocm::extension::range-full"]);
}

#[test]
fn an_unreadable_site_does_not_cascade() {
    // `fr_FR` is not a locale: that is the one error, not "no site" on
    // every user.
    let text = format!(
        "{BASE}sites:\n  paris: {{name: Paris, address: hq, locale: fr_FR, timezone: Europe/Paris, extension_range: 1000-1999}}\nusers:\n  alice: {{first_name: Alice, last_name: Martin, email: a@example.com, license: X2, phone_number: \"+33170000001\", extension: auto, device: d1}}\n"
    );
    assert_eq!(validate(&[("m.yaml", &text)]), ["vocm::schema::enum"]);
}

#[test]
fn one_bad_value_is_one_error() {
    // A human-spelled number with a bad usage: not also "not in phone_numbers".
    let text = "account: {pbx: acme}\nphone_numbers:\n  \"+33 1 70 00 00 01\": {usage: voip}\nsites: {}\nring_groups:\n  g: {name: Group, extension: 1000, phone_numbers: [\"+33170000001\"]}\n";
    assert_eq!(validate(&[("m.yaml", text)]), ["vocm::schema::enum"]);
    // An extension too large for the schema: not also a length error.
    let text = "account: {pbx: acme}\nring_groups:\n  g: {name: Group, extension: 123456789}\n";
    assert_eq!(validate(&[("m.yaml", text)]), ["vocm::schema::range"]);
}

#[test]
fn a_fax_number_is_no_caller_id() {
    let text = "phone_numbers: {\"+33170000099\": {usage: fax}}\nsites:\n  paris: {name: Paris, address: hq, locale: fr-FR, timezone: Europe/Paris, main_number: \"+33170000099\"}\n";
    assert_eq!(
        validate(&[("base.yaml", BASE), ("m.yaml", text)]),
        ["vocm::number::fax-as-voice"]
    );
}

/// Validates a directory through the library, as `vocm validate DIR` does.
fn validate_dir(dir: &std::path::Path) -> Vec<&'static str> {
    vocm_core::validate::validate_paths(&[dir.to_owned()], None)
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_in_a_manifest_directory_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("users")).unwrap();
    std::fs::write(
        dir.path().join("users/a.yaml"),
        "account: {pbx: acme, country: FR}\n",
    )
    .unwrap();
    // users/again → .. (a loop), and a second name for the same file.
    std::os::unix::fs::symlink("..", dir.path().join("users/again")).unwrap();
    std::os::unix::fs::symlink("users/a.yaml", dir.path().join("same.yaml")).unwrap();
    let codes = validate_dir(dir.path());
    assert_eq!(codes, ["vocm::input::read"], "{codes:?}");
}

#[test]
fn a_fifty_megabyte_manifest_is_read_and_checked() {
    // 50 MB, made here rather than committed: a valid account, then a
    // long run of comments and one long (too long) name.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::with_capacity(52 * 1024 * 1024);
    text.push_str("account: {pbx: acme, country: FR}\n");
    let comment = "# a comment line that pads the file to a realistic width for the test\n";
    while text.len() < 49 * 1024 * 1024 {
        text.push_str(comment);
    }
    text.push_str("addresses:\n  hq: {street: \"");
    text.push_str(&"x".repeat(1024 * 1024));
    text.push_str("\", city: Paris, postal_code: \"75001\", country: FR}\n");
    assert!(text.len() >= 50 * 1024 * 1024);
    std::fs::write(dir.path().join("big.yaml"), &text).unwrap();
    let v = vocm_core::validate::validate_paths(&[dir.path().to_owned()], None);
    let errors: Vec<(String, u32)> =
        vocm_core::diagnostics::json::to_json(v.diagnostics.iter(), &v.raw.sources)
            .into_iter()
            .map(|d| (d.code.to_owned(), d.line.unwrap_or(0)))
            .collect();
    // The street is over the schema's length, and its line is known.
    assert!(
        errors
            .iter()
            .any(|(c, line)| c.starts_with("vocm::schema::") && *line > 700_000),
        "{errors:?}"
    );
}
