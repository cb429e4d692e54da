//! The committed JSON Schemas are what the code generates, and the bundled
//! example is valid against them.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn committed(name: &str) -> String {
    std::fs::read_to_string(root().join("schemas").join(name)).unwrap()
}

#[test]
fn manifest_schema_has_not_drifted() {
    assert_eq!(
        committed("vocm.schema.json"),
        vocm_core::schema::manifest_schema_text(),
        "schemas/vocm.schema.json is stale: run `cargo run -- schema > schemas/vocm.schema.json`"
    );
}

#[test]
fn diagnostics_schema_has_not_drifted() {
    let mut generated =
        serde_json::to_string_pretty(&vocm_core::diagnostics::json::schema()).unwrap();
    generated.push('\n');
    assert_eq!(
        committed("diagnostics.schema.json"),
        generated,
        "schemas/diagnostics.schema.json is stale: run `cargo run -- schema diagnostics > schemas/diagnostics.schema.json`"
    );
}

#[test]
fn plan_schema_has_not_drifted() {
    let mut generated =
        serde_json::to_string_pretty(&vocm_core::plan::file::PlanFile::schema()).unwrap();
    generated.push('\n');
    assert_eq!(
        committed("plan.schema.json"),
        generated,
        "schemas/plan.schema.json is stale: run `cargo run -- schema plan > schemas/plan.schema.json`"
    );
}

#[test]
fn the_manifest_schema_is_draft_2020_12() {
    let schema: serde_json::Value = serde_json::from_str(&committed("vocm.schema.json")).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(jsonschema::meta::is_valid(&schema));
}

/// Editors check each file on its own against the schema: every example
/// file must pass (the validator does the same, then more).
#[test]
fn every_example_file_is_valid_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(&committed("vocm.schema.json")).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let mut checked = 0;
    for entry in walk(&root().join("examples/acme")) {
        let text = std::fs::read_to_string(&entry).unwrap();
        let (_, docs, diags) =
            vocm_core::manifest::load_bytes(&[("f.yaml", text.as_bytes())], |_, _, doc| {
                (vocm_core::manifest::SpanTree::default(), doc.value)
            });
        assert!(diags.is_empty(), "{}: {diags:?}", entry.display());
        for doc in docs {
            let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", entry.display());
        }
        checked += 1;
    }
    assert!(checked >= 5);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
    out
}
