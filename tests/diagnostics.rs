//! Snapshots of the rendered diagnostics (text and JSON) for every
//! diagnostic code, one test per case: fixtures in
//! `tests/fixtures/diagnostics/<case>/`, inputs the test makes (huge, deep
//! or binary), plan-time rules, and the errors of the CLI and of the HTTP
//! provider. Each case names the codes it shows, in order, and checks them
//! in the parsed JSON diagnostics; together the cases cover every code.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use vocm_testkit::sandbox as support;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use vocm_core::diagnostics::text::TextStyle;
use vocm_core::diagnostics::{Code, Diagnostic, json, text};
use vocm_core::source::SourceMap;
use vocm_core::validate::validate_paths;

const STYLE: TextStyle = TextStyle {
    color: false,
    width: 100,
};

/// One test per case, named after it (`schema_type` is the case
/// `schema-type`, snapshotted as `diag_schema-type`): `$runner` runs it and
/// checks that it shows exactly `$codes`, in order.
macro_rules! cases {
    ($($name:ident: $runner:ident [$($code:literal),* $(,)?];)*) => {
        $(
            #[test]
            fn $name() {
                $runner(&stringify!($name).replace('_', "-"), &[$($code),*]);
            }
        )*

        /// Every case: its name, its runner and the codes it shows.
        const CASES: &[(&str, &str, &[&str])] = &[
            $((stringify!($name), stringify!($runner), &[$($code),*]),)*
        ];
    };
}

cases! {
    address_duplicate: fixture ["vocm::address::duplicate"];
    audio_format: fixture ["vocm::audio::format"];
    audio_missing: fixture ["vocm::audio::missing"];
    audio_too_large: fixture ["vocm::audio::too-large"];
    device_assigned_twice: fixture ["vocm::device::assigned-twice"];
    device_duplicate_mac: fixture ["vocm::device::duplicate-mac"];
    emergency_no_site_address: fixture ["vocm::emergency::no-site-address"];
    extension_duplicate: fixture ["vocm::extension::duplicate"];
    extension_length: fixture ["vocm::extension::length", "vocm::extension::length"];
    extension_no_range: fixture ["vocm::extension::no-range"];
    extension_range_full: fixture ["vocm::extension::range-full"];
    forwarding_delay: fixture ["vocm::forwarding::delay"];
    forwarding_loop: fixture ["vocm::forwarding::loop"];
    forwarding_loop_closed: fixture ["vocm::forwarding::loop"];
    forwarding_loops_linked: fixture ["vocm::forwarding::loop", "vocm::forwarding::loop"];
    forwarding_self: fixture ["vocm::forwarding::self"];
    manifest_both_forms: fixture ["vocm::manifest::both-forms", "vocm::manifest::both-forms"];
    manifest_duplicate_key: fixture [
        "vocm::manifest::duplicate-key",
        "vocm::manifest::duplicate-key",
        "vocm::manifest::duplicate-key",
        "vocm::manifest::duplicate-key",
    ];
    manifest_duplicate_invalid: fixture ["vocm::manifest::duplicate-key", "vocm::schema::type"];
    manifest_no_account: fixture ["vocm::manifest::no-account"];
    manifest_version: fixture ["vocm::manifest::version"];
    moved_invalid: fixture [
        "vocm::moved::invalid",
        "vocm::moved::invalid",
        "vocm::moved::invalid",
        "vocm::moved::invalid",
        "vocm::reference::unknown",
    ];
    number_assigned_twice: fixture ["vocm::number::assigned-twice"];
    number_fax_as_voice: fixture ["vocm::number::fax-as-voice"];
    number_fax_usage: fixture ["vocm::number::fax-usage"];
    outbound_overridden: fixture ["vocm::outbound::overridden"];
    reference_site_required: fixture ["vocm::reference::site-required"];
    reference_unknown: fixture ["vocm::reference::unknown", "vocm::reference::unknown"];
    ring_group_duplicate_member: fixture ["vocm::ring-group::duplicate-member"];
    schedule_date: fixture ["vocm::schedule::date", "vocm::schedule::date"];
    schedule_day: fixture ["vocm::schedule::day", "vocm::schedule::day"];
    schedule_no_effect: fixture ["vocm::schedule::no-effect", "vocm::schedule::no-effect"];
    schedule_overlap: fixture [
        "vocm::schedule::overlap",
        "vocm::schedule::overlap",
        "vocm::schedule::overlap",
    ];
    schedule_required: fixture ["vocm::schedule::required", "vocm::reference::unknown"];
    schedule_time_range: fixture ["vocm::schedule::time-range", "vocm::schedule::time-range"];
    schedule_timezone: fixture ["vocm::schedule::timezone", "vocm::schedule::timezone"];
    schema_enum: fixture ["vocm::schema::enum", "vocm::schema::enum"];
    schema_format: fixture ["vocm::schema::format", "vocm::schema::format"];
    schema_format_national: fixture ["vocm::schema::format", "vocm::schema::format"];
    schema_invalid: fixture ["vocm::schema::invalid"];
    schema_length: fixture ["vocm::schema::length"];
    schema_missing_field: fixture ["vocm::schema::missing-field"];
    schema_range: fixture ["vocm::schema::range"];
    schema_type: fixture ["vocm::schema::type", "vocm::schema::type"];
    schema_unknown_field: fixture ["vocm::schema::unknown-field", "vocm::schema::unknown-field"];
    schema_unknown_section: fixture [
        "vocm::schema::unknown-section",
        "vocm::schema::unknown-section",
    ];
    site_extension_range: fixture ["vocm::site::extension-range"];
    template_merged: fixture ["vocm::reference::unknown", "vocm::schema::missing-field"];
    yaml_complex_key: fixture ["vocm::yaml::complex-key"];
    yaml_merge: fixture ["vocm::reference::unknown", "vocm::yaml::merge"];
    yaml_syntax: fixture ["vocm::yaml::syntax"];
    yaml_syntax_tab: fixture ["vocm::yaml::syntax"];
    yaml_too_many_nodes: fixture ["vocm::yaml::too-many-nodes"];

    input_not_found: generated ["vocm::input::not-found"];
    input_no_manifests: generated ["vocm::input::no-manifests"];
    input_encoding: generated ["vocm::input::encoding"];
    input_encoding_last_byte: generated ["vocm::input::encoding"];
    input_control_characters: generated [
        "vocm::input::encoding",
        "vocm::schema::format",
        "vocm::schema::format",
    ];
    input_empty: generated ["vocm::input::empty", "vocm::input::empty"];
    input_too_large: generated ["vocm::input::too-large"];
    input_read: generated ["vocm::input::read"];
    yaml_too_deep: generated ["vocm::yaml::too-deep", "vocm::yaml::too-deep"];

    plan_licenses: plan_rule ["vocm::plan::licenses"];
    plan_held: plan_rule [
        "vocm::plan::extension-held",
        "vocm::plan::number-held",
        "vocm::plan::device-held",
    ];
    plan_number_missing: plan_rule ["vocm::plan::number-missing"];
    plan_extension_range_full: plan_rule ["vocm::plan::extension-range-full"];

    route_unknown_entry: cli ["vocm::route::unknown-entry"];
    http_endpoint: cli ["vocm::http::endpoint"];
    http_no_key: cli ["vocm::http::no-key"];
    http_unreachable: cli ["vocm::http::unreachable"];
    args_target: cli ["vocm::args::target"];
    apply_not_confirmed: cli ["vocm::apply::not-confirmed"];
    plan_unreadable: cli ["vocm::plan::unreadable"];
    plan_save: cli [];
    plan_foreign: cli ["vocm::plan::foreign"];
    plan_target_first: cli [];
    plan_stale: cli ["vocm::plan::stale"];
    plan_write: cli ["vocm::plan::write"];
    plan_save_again: cli [];
    apply_conflict: cli ["vocm::apply::conflict", "vocm::apply::failed"];
    state_locked: cli ["vocm::state::locked"];
    state_invalid: cli ["vocm::state::invalid"];
    state_write: cli ["vocm::state::write"];
    apply_mass_delete: cli ["vocm::apply::mass-delete"];
    export_write: cli ["vocm::export::write"];
    output_write: cli ["vocm::output::write"];

    http_unauthorized: http ["vocm::http::unauthorized"];
    http_rejected: http ["vocm::http::rejected", "vocm::apply::failed"];
    http_rename_replace: http ["vocm::plan::replace-not-allowed", "vocm::plan::moved-stale"];
    http_operation_failed: http ["vocm::http::operation-failed", "vocm::apply::failed"];
    http_unavailable: http ["vocm::http::unavailable"];
    http_capabilities: http [
        "vocm::plan::unsupported-kind",
        "vocm::plan::unsupported-kind",
        "vocm::plan::unsupported-field",
    ];
    http_paging: http ["vocm::http::paging"];
}

#[test]
fn every_diagnostic_code_has_a_case() {
    let shown: BTreeSet<&str> = CASES
        .iter()
        .flat_map(|(_, _, codes)| codes.iter().copied())
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !shown.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes without a snapshot: {missing:?}");
    let unknown: Vec<&&str> = shown
        .iter()
        .filter(|c| c.parse::<Code>().is_err())
        .collect();
    assert!(unknown.is_empty(), "not diagnostic codes: {unknown:?}");
}

#[test]
fn every_fixture_is_a_case() {
    let fixtures: BTreeSet<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let cases: BTreeSet<String> = CASES
        .iter()
        .filter(|(_, runner, _)| *runner == "fixture")
        .map(|(name, _, _)| name.replace('_', "-"))
        .collect();
    assert_eq!(fixtures, cases);
}

#[test]
fn every_snapshot_is_a_case() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let snapshots: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|f| {
            f.strip_prefix("diagnostics__diag_")
                .and_then(|f| f.strip_suffix(".snap"))
                .map(str::to_owned)
        })
        .collect();
    let cases: BTreeSet<String> = CASES
        .iter()
        .map(|(name, _, _)| name.replace('_', "-"))
        .collect();
    assert_eq!(snapshots, cases);
}

/// The JSON Schema of `--diagnostics json`.
fn diagnostics_schema() -> &'static jsonschema::Validator {
    static SCHEMA: OnceLock<jsonschema::Validator> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/diagnostics.schema.json");
        let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        jsonschema::draft202012::new(&schema).unwrap()
    })
}

/// Parses JSON diagnostics and checks them: they match their schema, show
/// `codes` in that order, and every field holds what it should.
fn check_json(rendered: &str, codes: &[&str]) {
    let value: Value =
        serde_json::from_str(rendered).unwrap_or_else(|e| panic!("not JSON ({e}):\n{rendered}"));
    let errors: Vec<String> = diagnostics_schema()
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{rendered}");
    let items = value.as_array().unwrap();
    let shown: Vec<&str> = items.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(shown, codes, "{rendered}");
    for d in items {
        assert!(
            matches!(d["severity"].as_str(), Some("error" | "warning")),
            "{d}"
        );
        assert!(!d["message"].as_str().unwrap().is_empty(), "{d}");
        assert!(!d["help"].as_str().unwrap().is_empty(), "{d}");
        let position: Vec<Option<u64>> = ["line", "column", "end_line", "end_column"]
            .iter()
            .map(|f| d[f].as_u64())
            .collect();
        if let [Some(line), Some(column), Some(end_line), Some(end_column)] = position[..] {
            assert!(d["file"].is_string(), "a position without a file: {d}");
            assert!(line >= 1 && column >= 1, "{d}");
            assert!((end_line, end_column) >= (line, column), "{d}");
        } else {
            assert!(
                position.iter().all(Option::is_none),
                "a partial position: {d}"
            );
        }
        for r in d["related"].as_array().unwrap() {
            assert!(!r["message"].as_str().unwrap().is_empty(), "{d}");
            assert!(r["line"].as_u64().unwrap() >= 1, "{d}");
        }
    }
}

/// Splits stderr around the JSON array of diagnostics it holds: the
/// progress lines before it, the array, and the summary after it.
fn json_block(stderr: &str) -> (&str, &str, &str) {
    let start = if stderr.starts_with("[\n") {
        0
    } else {
        stderr
            .find("\n[\n")
            .unwrap_or_else(|| panic!("no JSON array on stderr:\n{stderr}"))
            + 1
    };
    let mut values = serde_json::Deserializer::from_str(&stderr[start..]).into_iter::<Value>();
    values
        .next()
        .unwrap()
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{stderr}"));
    let end = start + values.byte_offset();
    (&stderr[..start], &stderr[start..end], &stderr[end..])
}

/// The codes of a text rendering: the lines that are nothing but a code.
fn text_codes(rendered: &str) -> Vec<&str> {
    rendered
        .lines()
        .map(str::trim)
        .filter(|l| l.parse::<Code>().is_ok())
        .collect()
}

/// Validates `paths` as if run from `dir`; checks the codes, and returns
/// the text rendering and the JSON rendering.
fn run(dir: &Path, paths: &[PathBuf], codes: &[&str]) -> String {
    let v = validate_paths(paths, Some(dir));
    let diagnostics: Vec<&Diagnostic> = v.diagnostics.iter().collect();
    render(&diagnostics, &v.raw.sources, codes)
}

/// The text and JSON renderings of diagnostics that show `codes`.
fn render(diagnostics: &[&Diagnostic], sources: &SourceMap, codes: &[&str]) -> String {
    let shown: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(shown, codes);
    let out = text::render_all(diagnostics.iter().copied(), sources, STYLE);
    assert_eq!(text_codes(&out), codes, "{out}");
    let rendered_json = json::render(diagnostics.iter().copied(), sources);
    check_json(&rendered_json, codes);
    format!("{out}\n--- json ---\n{rendered_json}")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/diagnostics")
}

/// Copies a directory tree.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A case from `tests/fixtures/diagnostics/<name>/`, validated from there.
fn fixture(name: &str, codes: &[&str]) {
    let case = fixtures().join(name);
    let copy = tempfile::tempdir().unwrap();
    let dir = if name == "audio-too-large" {
        // An input that would bloat the repository, made in a copy.
        copy_dir(&case, copy.path());
        std::fs::create_dir_all(copy.path().join("audio")).unwrap();
        let f = std::fs::File::create(copy.path().join("audio/greeting.wav")).unwrap();
        let mut header = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        header.resize(16, 0);
        (&f).write_all(&header).unwrap();
        f.set_len(11 * 1024 * 1024).unwrap();
        copy.path().to_owned()
    } else {
        case
    };
    let out = run(&dir, std::slice::from_ref(&dir), codes);
    insta::assert_snapshot!(format!("diag_{name}"), out);
}

/// Cases whose input is made by the test: too big, too deep or not text
/// to commit.
fn generated(name: &str, codes: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let paths = match name {
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
        "input-encoding-last-byte" => {
            // The bad byte ends the file: no line break after it.
            std::fs::write(dir.join("cut.yaml"), b"account:\n  pbx: caf\xc3").unwrap();
            vec![dir.join("cut.yaml")]
        }
        "input-control-characters" => {
            // A binary file, a raw escape sequence, and escapes written in
            // a quoted key and value: none reaches the terminal raw.
            let files = dir.join("controls");
            std::fs::create_dir_all(&files).unwrap();
            std::fs::write(files.join("account.yaml"), "account: {pbx: acme}\n").unwrap();
            std::fs::write(
                files.join("binary.yaml"),
                b"\x7fELF\x02\x01\x01\x00\x1b[2J\x00\x00\xff\xfe\n",
            )
            .unwrap();
            std::fs::write(
                files.join("raw.yaml"),
                b"devices:\n  desk: {model: \"\x1b[31mred\", mac: \"00:04:f2:00:00\"}\n",
            )
            .unwrap();
            std::fs::write(
                files.join("quoted.yaml"),
                "ring_groups:\n  \"sales\\e]0;pwned\\a\": {name: \"Sales\\e[2J\", extension: 1100}\n",
            )
            .unwrap();
            vec![files]
        }
        "input-empty" => {
            let files = dir.join("empty");
            std::fs::create_dir_all(&files).unwrap();
            std::fs::write(files.join("account.yaml"), "account: {pbx: acme}\n").unwrap();
            std::fs::write(files.join("blank.yaml"), "").unwrap();
            std::fs::write(files.join("later.yaml"), "# users will go here\n---\n").unwrap();
            vec![files]
        }
        "input-too-large" => {
            let f = std::fs::File::create(dir.join("huge.yaml")).unwrap();
            // Sparse: the size is what is checked, nothing is written.
            f.set_len(vocm_core::manifest::limits::MAX_FILE_BYTES + 1)
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
    };
    let out = run(dir, &paths, codes);
    insta::assert_snapshot!(format!("diag_{name}"), out);
}

/// The bundled state, as JSON to edit.
fn acme_state() -> Value {
    serde_json::from_slice(&std::fs::read(root().join("examples/acme.state.json")).unwrap())
        .unwrap()
}

/// Plan-time rules: manifests against a state, through the library.
fn plan_rule(name: &str, codes: &[&str]) {
    use vocm_core::plan::desired::{Context, desired};
    use vocm_core::provider::Provider as _;
    let tmp = tempfile::tempdir().unwrap();
    let acme = root().join("examples/acme");
    let (manifests, state, claim) = match name {
        "plan-licenses" => {
            let mut licenses = acme_state();
            licenses["licenses"] = serde_json::json!({"X2": 5, "X4": 4});
            (acme, licenses, true)
        }
        "plan-held" => {
            // A user the manifests do not manage holds what Nina is to get.
            let mut held = acme_state();
            let mut ghost = held["account"]["users"]["marc.girard"].clone();
            ghost["phone_numbers"] = serde_json::json!(["+33472000005"]);
            ghost["devices"] = serde_json::json!(["lyon-desk-05"]);
            ghost["extension"] = "2005".into();
            held["account"]["users"]["ghost"] = ghost;
            (acme, held, true)
        }
        "plan-number-missing" => {
            // An account whose provider cannot claim the numbers it lacks.
            let mut lacking = acme_state();
            lacking["account"]["phone_numbers"]
                .as_object_mut()
                .unwrap()
                .remove("+33472000005");
            (acme, lacking, false)
        }
        "plan-extension-range-full" => {
            // Unmanaged users take the whole range an `auto` extension needs.
            std::fs::write(
                tmp.path().join("m.yaml"),
                "account: {pbx: acme}\naddresses:\n  hq: {street: 1 rue A, city: Paris, postal_code: \"75001\", country: FR}\nsites:\n  paris: {name: Paris, address: hq, locale: fr-FR, timezone: Europe/Paris, extension_range: 1000-1001}\nphone_numbers: {\"+33170000001\": {}}\ndevices: {d1: {model: Poly VVX 450, mac: \"00:04:f2:00:00:01\"}}\nusers:\n  newcomer: {first_name: New, last_name: Comer, email: n@example.com, license: X2, phone_number: \"+33170000001\", extension: auto, device: d1}\n",
            )
            .unwrap();
            let mut full = acme_state();
            let template = full["account"]["users"]["marc.girard"].clone();
            full["account"]["users"] = serde_json::json!({});
            for (key, ext, number, device) in [
                ("taken1", "1000", "+33170000002", "x1"),
                ("taken2", "1001", "+33170000003", "x2"),
            ] {
                let mut u = template.clone();
                u["extension"] = ext.into();
                u["phone_numbers"] = serde_json::json!([number]);
                u["caller_id"]["number"] = number.into();
                u["devices"] = serde_json::json!([device]);
                full["account"]["users"][key] = u;
            }
            (tmp.path().join("m.yaml"), full, true)
        }
        _ => unreachable!("unknown plan case {name}"),
    };
    let path = tmp.path().join("state.json");
    std::fs::write(&path, serde_json::to_vec(&state).unwrap()).unwrap();
    let snapshot = vocm_core::provider::local::LocalProvider::new(&path)
        .snapshot()
        .unwrap();
    let cwd = if manifests.starts_with(root()) {
        root()
    } else {
        manifests.parent().unwrap()
    };
    let v = validate_paths(std::slice::from_ref(&manifests), Some(cwd));
    assert!(!v.diagnostics.has_errors(), "{name}: {:?}", v.diagnostics);
    let (audio, _) = vocm_core::validate::audio::read_audio(&v.raw, &v.manifest);
    let cx = Context {
        raw: &v.raw,
        current: &snapshot.account,
        audio: &audio,
        licenses: snapshot.licenses.as_ref(),
        can_claim_numbers: claim,
        renames: &[],
    };
    let (_, diagnostics) = desired(&v.manifest, &cx);
    let out = render(
        &diagnostics.iter().collect::<Vec<_>>(),
        &v.raw.sources,
        codes,
    );
    insta::assert_snapshot!(format!("diag_{name}"), out);
}

/// Runs vocm in `dir` and checks that it succeeds (a case's preparation).
fn vocm_ok(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("vocm"))
        .env_clear()
        .current_dir(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Errors of the CLI itself (saved plans, state, apply, export), from the
/// binary's stderr with the scratch directory's path replaced; then the
/// same run again with `--diagnostics json`, whose stdout is checked.
fn cli(name: &str, codes: &[&str]) {
    let acme = root().join("examples/acme").display().to_string();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::copy(
        root().join("examples/acme.state.json"),
        dir.join("vocm.state.json"),
    )
    .unwrap();
    let saved_plan = || vocm_ok(dir, &["plan", "-q", "-o", "plan.json", &acme]);
    // Held until the case has run.
    let mut held = None;
    let mut envs: Vec<(&str, &str)> = Vec::new();
    let closed: String;
    let args: Vec<&str> = match name {
        "route-unknown-entry" => vec!["route", "+33 9 99 99 99 99", &acme],
        "http-endpoint" => vec![
            "--provider",
            "http",
            "--endpoint",
            "http://pbx.example.com",
            "plan",
            &acme,
        ],
        "http-no-key" => vec![
            "--provider",
            "http",
            "--endpoint",
            "http://127.0.0.1:9",
            "plan",
            &acme,
        ],
        "http-unreachable" => {
            // A port nothing listens on: bound, then released.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap();
            closed = format!("http://{port}");
            envs.push(("VOCM_API_KEY", "k-secret-1234"));
            vec!["--provider", "http", "--endpoint", &closed, "plan", &acme]
        }
        "args-target" => vec!["plan", "--target", "user:nina.rou", &acme],
        "apply-not-confirmed" => vec!["apply", &acme],
        "plan-unreadable" => {
            std::fs::write(
                dir.join("future.json"),
                r#"{"format_version": 2, "changes": []}"#,
            )
            .unwrap();
            vec!["apply", "future.json"]
        }
        "plan-save" | "plan-save-again" => vec!["plan", "-q", "-o", "plan.json", &acme],
        "plan-foreign" => {
            saved_plan();
            std::fs::copy(dir.join("vocm.state.json"), dir.join("other.json")).unwrap();
            vec!["--state", "other.json", "apply", "plan.json"]
        }
        "plan-write" => vec!["plan", "-o", "missing/plan.json", &acme],
        "plan-target-first" => vec![
            "apply",
            "-q",
            "--auto-approve",
            "--target",
            "user:nina.roux",
            &acme,
        ],
        "plan-stale" => {
            saved_plan();
            // Someone applies a part of it in between.
            vocm_ok(
                dir,
                &[
                    "apply",
                    "-q",
                    "--auto-approve",
                    "--target",
                    "user:nina.roux",
                    &acme,
                ],
            );
            vec!["apply", "plan.json"]
        }
        "apply-conflict" => {
            // A plan edited by hand so that it no longer fits the account.
            saved_plan();
            let mut plan: Value =
                serde_json::from_slice(&std::fs::read(dir.join("plan.json")).unwrap()).unwrap();
            for c in plan["changes"].as_array_mut().unwrap() {
                if c["id"]["key"] == "nina.roux" {
                    c["id"]["key"] = "marc.girard".into();
                }
            }
            std::fs::write(dir.join("plan.json"), serde_json::to_vec(&plan).unwrap()).unwrap();
            vec!["apply", "plan.json"]
        }
        "state-locked" => {
            let lock = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(dir.join("vocm.state.json.lock"))
                .unwrap();
            lock.lock().unwrap();
            std::fs::write(
                dir.join("vocm.state.json.lock"),
                r#"{"pid":4242,"command":"vocm apply","started_unix":1796000000}"#,
            )
            .unwrap();
            held = Some(lock);
            vec!["apply", "--auto-approve", &acme]
        }
        "state-invalid" => {
            std::fs::write(
                dir.join("broken.json"),
                "{\"vocm_state\": 1,\n  \"account\": [}\n",
            )
            .unwrap();
            vec!["--state", "broken.json", "plan", &acme]
        }
        "state-write" => {
            // The lock file's place is taken by a directory.
            std::fs::create_dir_all(dir.join("blocked.json.lock")).unwrap();
            vec!["--state", "blocked.json", "apply", "--auto-approve", &acme]
        }
        "apply-mass-delete" => {
            let prune = dir.join("prune");
            std::fs::create_dir_all(&prune).unwrap();
            for f in ["sites.yaml", "numbers.yaml", "devices.yaml"] {
                std::fs::copy(root().join("examples/acme").join(f), prune.join(f)).unwrap();
            }
            std::fs::write(
                prune.join("account.yaml"),
                "account: {pbx: acme, country: FR, prune: true}\n",
            )
            .unwrap();
            vec!["apply", "-q", "--auto-approve", "prune"]
        }
        "output-write" => {
            // A file where the schema's directory would be.
            vec!["schema", "-o", "vocm.state.json/vocm.schema.json"]
        }
        "export-write" => {
            std::fs::create_dir_all(dir.join("not-empty")).unwrap();
            std::fs::write(dir.join("not-empty/users.yaml"), "users: {}\n").unwrap();
            vec!["export", "-o", "not-empty"]
        }
        _ => unreachable!("unknown CLI case {name}"),
    };
    let vocm = assert_cmd::cargo::cargo_bin("vocm");
    // Both runs start from the same state.
    let saved = std::fs::read(dir.join("vocm.state.json")).ok();
    let out = std::process::Command::new(&vocm)
        .env_clear()
        .envs(envs.iter().copied())
        .env("COLUMNS", "100")
        .current_dir(dir)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    if let Some(bytes) = &saved {
        std::fs::write(dir.join("vocm.state.json"), bytes).unwrap();
    }
    let json = std::process::Command::new(&vocm)
        .env_clear()
        .envs(envs.iter().copied())
        .current_dir(dir)
        .arg("--diagnostics")
        .arg("json")
        .args(&args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr)
        .replace(&dir.display().to_string(), "[TMP]")
        .replace(&root().display().to_string(), "[ROOT]");
    let text = regex::Regex::new(r"127\.0\.0\.1:\d+")
        .unwrap()
        .replace_all(&text, "127.0.0.1:[PORT]")
        .into_owned();
    // A fingerprint changes with the bundled state: keep its shape only.
    let text = regex::Regex::new("sha256:[0-9a-f]{64}")
        .unwrap()
        .replace_all(&text, "sha256:[…]")
        .into_owned();
    insta::assert_snapshot!(format!("diag_{name}"), text);
    assert_eq!(text_codes(&text), codes, "{text}");
    assert_eq!(out.status.success(), codes.is_empty(), "{text}");
    assert_eq!(json.status.code(), out.status.code());
    // Diagnostics go to stderr, whatever their format (stdout holds the
    // command's document only), all together in one array; a run without
    // any prints none.
    let stderr = String::from_utf8_lossy(&json.stderr);
    if codes.is_empty() {
        assert_eq!(stderr, "");
    } else {
        let (progress, array, summary) = json_block(&stderr);
        check_json(array, codes);
        for other in [progress, summary] {
            assert!(
                text_codes(other).is_empty() && !other.contains("× error"),
                "diagnostics outside the JSON array:\n{stderr}"
            );
        }
    }
    drop(held);
}

/// The HTTP provider's errors, against a real sandbox (and, for a server
/// that only ever fails, a listener that answers 503).
fn http(name: &str, codes: &[&str]) {
    use reqwest::Method;
    use support::Sandbox;
    use vocm_api::Collection;

    let acme = root().join("examples/acme");
    let acme_arg = acme.display().to_string();
    let acme_arg = acme_arg.as_str();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    // One run, text only (a second run would meet what the first did).
    let once = |base: &str, key: &str, args: &[&str]| {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("vocm"))
            .env_clear()
            .env("COLUMNS", "100")
            .env("VOCM_API_KEY", key)
            .current_dir(dir)
            .args(["--provider", "http", "--endpoint", base])
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!text.contains(support::KEY), "{text}");
        assert!(!out.status.success(), "{text}");
        let text = regex::Regex::new(r"127\.0\.0\.1:\d+")
            .unwrap()
            .replace_all(&text, "127.0.0.1:[PORT]");
        let text = regex::Regex::new(r"op_[0-9a-f]{24}")
            .unwrap()
            .replace_all(&text, "op_[…]")
            .replace(&dir.display().to_string(), "[TMP]")
            .replace(env!("CARGO_MANIFEST_DIR"), "[ROOT]");
        insta::assert_snapshot!(format!("diag_{name}"), text);
        assert_eq!(text_codes(&text), codes, "{text}");
    };

    match name {
        "http-unauthorized" => {
            let s = Sandbox::start(&[]);
            once(&s.base, "not-the-key", &["plan", acme_arg]);
        }
        "http-rejected" => {
            // A user the API refuses: its name is taken, in another case,
            // by a user vocm does not manage.
            let s = Sandbox::start(&[]);
            s.vocm(dir)
                .args(["apply", "-q", "--auto-approve", acme_arg])
                .assert()
                .success();
            let users = s.list(Collection::Users);
            let alice = users
                .iter()
                .find(|u| u["basicInfo"]["userName"] == "alice.martin")
                .unwrap();
            let id = alice["basicInfo"]["userId"].as_str().unwrap();
            let site = alice["basicInfo"]["site"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            let media = Collection::Users.media_type();
            assert_eq!(
                s.send(Method::DELETE, &format!("/users/{id}"), media, &Value::Null)
                    .0,
                202
            );
            let twin = serde_json::json!({"basicInfo": {
                "userName": "Alice.Martin", "firstName": "Alice", "lastName": "Martin",
                "primaryEmail": "alice.m@acme.example", "site": {"id": site}}});
            assert_eq!(s.send(Method::POST, "/users", media, &twin).0, 202);
            once(
                &s.base,
                support::KEY,
                &["apply", "-q", "--auto-approve", acme_arg],
            );
        }
        "http-rename-replace" => {
            // The reference API cannot rename a user (its userName is its
            // identity): without --allow-replace, a rename it would make
            // as a delete and a create is refused; a `moved` entry that
            // matches nothing in the account is stale (Nina is not there
            // yet).
            let s = Sandbox::start(&[]);
            s.vocm(dir)
                .args([
                    "apply",
                    "-q",
                    "--auto-approve",
                    "--target",
                    "user:claire.fontaine",
                    acme_arg,
                ])
                .assert()
                .success();
            let renamed = dir.join("renamed");
            copy_dir(&acme, &renamed);
            let lyon = renamed.join("users/lyon.yaml");
            let text = std::fs::read_to_string(&lyon)
                .unwrap()
                .replace("  claire.fontaine:", "  claire.f:");
            std::fs::write(&lyon, text).unwrap();
            let flows = renamed.join("call-flows.yaml");
            let text = std::fs::read_to_string(&flows)
                .unwrap()
                .replace("claire.fontaine", "claire.f");
            std::fs::write(&flows, text).unwrap();
            std::fs::write(
                renamed.join("moved.yaml"),
                "moved:\n  - {from: user:claire.fontaine, to: user:claire.f}\n  - {from: user:nobody, to: user:nina.roux}\n",
            )
            .unwrap();
            once(
                &s.base,
                support::KEY,
                &["plan", &renamed.display().to_string()],
            );
        }
        "http-operation-failed" => {
            // An operation that fails when it completes: a ring group takes
            // the extension a user moves to while the user's change is in
            // flight.
            let data = dir.join("sandbox.json");
            let data_arg = data.display().to_string();
            let s = Sandbox::start(&["--data", &data_arg]);
            s.vocm(dir)
                .args(["apply", "-q", "--auto-approve", acme_arg])
                .assert()
                .success();
            s.stop();
            let s = Sandbox::start(&["--data", &data_arg, "--op-delay-ms", "2500"]);
            let moved = dir.join("moved");
            std::fs::create_dir_all(moved.join("users")).unwrap();
            std::fs::create_dir_all(moved.join("audio")).unwrap();
            for f in [
                "account.yaml",
                "sites.yaml",
                "numbers.yaml",
                "devices.yaml",
                "audio.yaml",
                "call-flows.yaml",
                "templates.yaml",
                "audio/hold-jazz.wav",
                "audio/welcome.wav",
                "users/paris.yaml",
            ] {
                std::fs::copy(acme.join(f), moved.join(f)).unwrap();
            }
            let lyon = std::fs::read_to_string(acme.join("users/lyon.yaml")).unwrap();
            assert!(lyon.contains("extension: 2005"));
            std::fs::write(
                moved.join("users/lyon.yaml"),
                lyon.replace("extension: 2005", "extension: 2099"),
            )
            .unwrap();
            let ghost = serde_json::json!({"name": "Ghost", "extensionNumber": "2099"});
            assert_eq!(
                s.send(
                    Method::POST,
                    "/ring-groups",
                    Collection::RingGroups.media_type(),
                    &ghost
                )
                .0,
                202
            );
            once(
                &s.base,
                support::KEY,
                &["apply", "-q", "--auto-approve", "moved"],
            );
        }
        "http-unavailable" => {
            // A server that only ever answers 503.
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let failing = format!("http://{}", listener.local_addr().unwrap());
            std::thread::spawn(move || {
                use std::io::{BufRead as _, BufReader};
                for stream in listener.incoming().flatten() {
                    let mut reader = BufReader::new(stream);
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                        line.clear();
                    }
                    let body = r#"{"status":503,"title":"Service Unavailable","errors":[]}"#;
                    let _ = write!(
                        reader.get_mut(),
                        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
            });
            once(&failing, support::KEY, &["plan", acme_arg]);
        }
        "http-capabilities" => {
            // A server that serves the public reference alone: a device and
            // an auto attendant are kinds it cannot manage, a user's
            // forwarding a setting it cannot carry.
            let s = Sandbox::start(&["--api", "reference", "--numbers", "+33170000001"]);
            std::fs::write(
                dir.join("m.yaml"),
                "account: {pbx: acme}\naddresses:\n  hq: {street: 1 rue A, city: Paris, postal_code: \"75001\", country: FR}\nsites:\n  paris: {name: Paris, address: hq, locale: fr-FR, timezone: Europe/Paris, extension_range: 1000-1099}\nphone_numbers: {\"+33170000001\": {}}\ndevices:\n  desk: {model: Poly VVX 450, mac: \"00:04:f2:00:00:01\"}\nauto_attendants:\n  main: {name: Main, site: paris, extension: 1900, phone_number: \"+33170000001\", menu: {\"1\": user:joe.doe}}\nusers:\n  joe.doe: {first_name: Jo, last_name: Doe, email: jo@example.com, license: X2, forwarding: {busy: external:+33612345678}}\n",
            )
            .unwrap();
            once(&s.base, support::KEY, &["plan", "m.yaml"]);
        }
        "http-paging" => {
            // A server that answers the same page of users forever, saying
            // there is more; every other list is empty, and it offers no
            // extension.
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let endless = format!("http://{}", listener.local_addr().unwrap());
            std::thread::spawn(move || {
                use std::io::{BufRead as _, BufReader};
                for stream in listener.incoming().flatten() {
                    let mut reader = BufReader::new(stream);
                    let mut first = String::new();
                    let _ = reader.read_line(&mut first);
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                        line.clear();
                    }
                    let path = first.split_whitespace().nth(1).unwrap_or("/");
                    let (status, body) = if path.starts_with("/vocm") {
                        (
                            "404 Not Found",
                            r#"{"status":404,"title":"Not Found"}"#.to_owned(),
                        )
                    } else if path.starts_with("/users") {
                        ("200 OK", r#"{"data":[{"basicInfo":{"userName":"jo","userId":"u1"}}],"pagination":{"pageSize":1000,"hasMore":true,"nextScrollId":"again"}}"#.to_owned())
                    } else {
                        (
                            "200 OK",
                            r#"{"data":[],"pagination":{"pageSize":1000,"hasMore":false}}"#
                                .to_owned(),
                        )
                    };
                    let _ = write!(
                        reader.get_mut(),
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
            });
            once(&endless, support::KEY, &["plan", acme_arg]);
        }
        _ => unreachable!("unknown HTTP case {name}"),
    }
}
