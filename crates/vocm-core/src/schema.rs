//! The JSON Schema of manifest files, generated from the model's types.
//!
//! `schemas/vocm.schema.json` is this schema, committed so that editors can
//! use it; a test fails when the two drift apart.

use serde_json::Value;

use crate::model::ManifestFile;

/// The manifest schema (draft 2020-12), as JSON.
#[must_use]
pub fn manifest_schema() -> Value {
    let mut schema = schemars::schema_for!(ManifestFile).to_value();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "description".into(),
            "One vocm manifest file: a cloud phone system's account as code (see the manifest format in vocm's README).".into(),
        );
    }
    schema
}

/// The schema as the committed file holds it: pretty JSON and a newline.
#[must_use]
pub fn manifest_schema_text() -> String {
    // `{:#}`: a `Value` pretty-printed, which cannot fail.
    format!("{:#}\n", manifest_schema())
}
