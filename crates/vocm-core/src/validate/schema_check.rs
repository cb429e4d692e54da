//! JSON Schema validation of each document, with errors turned into
//! diagnostics that point at the YAML.
//!
//! A valid document costs one `is_valid` call. Only an invalid one pays for
//! the error walk: leaf errors under `anyOf` are reached by picking the
//! branch that matched the value's type, so that `no_answer: voicemial`
//! reports the misspelt destination, not "expected an object".

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use super::suggest::did_you_mean;
use crate::diagnostics::{Code, Diagnostic};
use crate::manifest::Seg;
use crate::manifest::yaml::Document;
use crate::model::{SECTIONS, destination, phone};
use crate::source::FileId;
use crate::source::SourceFile;

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::draft202012::new(schema())
            .expect("the generated manifest schema is a valid JSON Schema")
    })
}

pub(super) fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(crate::schema::manifest_schema)
}

/// Checks one document; returns its diagnostics (none when valid).
#[must_use]
pub fn check(file: FileId, doc: &Document, source: &SourceFile) -> Vec<Diagnostic> {
    let value = &doc.value;
    // An empty file (or document) is an empty manifest, not an error.
    if value.is_null() || validator().is_valid(value) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for error in validator().iter_errors(value) {
        convert(file, doc, source, &error, &mut out);
    }
    out
}

/// An owned path, from the validator's location.
fn path_of(error: &ValidationError<'_>) -> Vec<String> {
    error
        .instance_path()
        .iter()
        .map(|seg| match seg {
            LocationSegment::Property(p) => p.into_owned(),
            LocationSegment::Index(i) => i.to_string(),
        })
        .collect()
}

fn segs<'a>(value: &Value, path: &'a [String]) -> Vec<Seg<'a>> {
    let mut v = value;
    path.iter()
        .map(|p| match v {
            Value::Array(items) => {
                let i = p.parse().unwrap_or(usize::MAX);
                v = items.get(i).unwrap_or(&Value::Null);
                Seg::Index(i)
            }
            Value::Object(map) => {
                v = map.get(p).unwrap_or(&Value::Null);
                Seg::Key(p)
            }
            _ => Seg::Key(p),
        })
        .collect()
}

/// Where a value sits, in words: "`extension` of users.alice".
fn describe(path: &[String]) -> String {
    match path {
        [] => "the file".to_owned(),
        [section] => format!("`{section}`"),
        [section, key] => format!("{section}.{key}"),
        [section, key, rest @ ..] => format!("`{}` of {section}.{key}", rest.join(".")),
    }
}

fn convert(
    file: FileId,
    doc: &Document,
    source: &SourceFile,
    error: &ValidationError<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let path = path_of(error);
    let value = &doc.value;
    let found = doc.spans.find(source, &segs(value, &path));
    let value_span = found.map(|f| f.node.span).unwrap_or_default();
    let key_span = found.map(|f| f.key_or_value()).unwrap_or_default();
    let instance = error.instance();
    let field = path.last().map_or("", String::as_str);

    let d = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // schemars writes a documented enum as `oneOf` of constants.
            if let Some(options) = constants(context) {
                out.push(enum_error(file, value_span, &path, instance, &options));
                return;
            }
            match best_branch(context) {
                Some(branch) => {
                    for e in branch {
                        convert(file, doc, source, e, out);
                    }
                    return;
                }
                None => Diagnostic::error(
                    Code::SchemaType,
                    format!(
                        "{} has the wrong type: {}",
                        describe(&path),
                        type_hint_any(field)
                    ),
                )
                .at(file, value_span, format!("found {}", kind_of(instance)))
                .help(any_help(field)),
            }
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                let mut p = path.clone();
                p.push(name.clone());
                let span = doc
                    .spans
                    .find(source, &segs(value, &p))
                    .map_or(key_span, |f| f.key_or_value());
                out.push(unknown_field(file, span, &path, name));
            }
            return;
        }
        ValidationErrorKind::PropertyNames { error: inner } => {
            let key = inner.instance().as_str().unwrap_or_default().to_owned();
            let mut p = path.clone();
            p.push(key.clone());
            let span = doc
                .spans
                .find(source, &segs(value, &p))
                .map_or(key_span, |f| f.key_or_value());
            let (what, help) = key_rule(&path);
            Diagnostic::error(
                Code::SchemaFormat,
                format!("`{key}` is not a valid key in {}: {what}", describe(&path)),
            )
            .at(file, span, "this key")
            .help(help)
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            Diagnostic::error(
                Code::SchemaMissingField,
                format!("{} is missing the required field `{name}`", describe(&path)),
            )
            .at(file, key_span, format!("`{name}` is missing"))
            .help(format!("add `{name}:` here"))
        }
        ValidationErrorKind::Type { kind } => {
            let expected = expected_types(kind);
            let mut help = format!("write {expected} here");
            if expected.contains("string") && (instance.is_number() || instance.is_boolean()) {
                let text = found.map(|f| source.slice(f.node.span)).unwrap_or_default();
                help = format!("quote the value so that YAML reads it as text: \"{text}\"");
            } else if instance.is_null() && path.len() == 1 {
                help = format!("`{field}` is empty: add entries under it, or remove the line");
            }
            Diagnostic::error(
                Code::SchemaType,
                format!(
                    "{} must be {expected}, not {}",
                    describe(&path),
                    kind_of(instance)
                ),
            )
            .at(file, value_span, format!("found {}", kind_of(instance)))
            .help(help)
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = options
                .as_array()
                .map(|o| o.iter().map(text_of).collect())
                .unwrap_or_default();
            enum_error(file, value_span, &path, instance, &options)
        }
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => {
            let low = matches!(
                error.kind(),
                ValidationErrorKind::Minimum { .. } | ValidationErrorKind::ExclusiveMinimum { .. }
            );
            let (code, help) = if field == "after_seconds" {
                (
                    Code::ForwardingDelay,
                    "a no-answer delay is 10 to 60 seconds".to_owned(),
                )
            } else if path == ["version"] {
                (
                    Code::ManifestVersion,
                    "this vocm reads manifest format version 1: write `version: 1`".to_owned(),
                )
            } else {
                (Code::SchemaRange, range_help(low, limit))
            };
            Diagnostic::error(
                code,
                format!(
                    "{} is {instance}, {} the {} of {limit}",
                    describe(&path),
                    if low { "below" } else { "above" },
                    if low { "minimum" } else { "maximum" }
                ),
            )
            .at(
                file,
                value_span,
                if low { "too small" } else { "too large" },
            )
            .help(help)
        }
        ValidationErrorKind::MinLength { limit } | ValidationErrorKind::MaxLength { limit } => {
            let short = matches!(error.kind(), ValidationErrorKind::MinLength { .. });
            Diagnostic::error(
                Code::SchemaLength,
                format!(
                    "{} is too {}: at {} {limit} character{}",
                    describe(&path),
                    if short { "short" } else { "long" },
                    if short { "least" } else { "most" },
                    if *limit == 1 { "" } else { "s" }
                ),
            )
            .at(
                file,
                value_span,
                if short { "too short" } else { "too long" },
            )
            .help(if short && *limit == 1 {
                "write a value, or remove the field".to_owned()
            } else if short {
                format!("write at least {limit} characters")
            } else {
                format!("shorten it to {limit} characters or fewer")
            })
        }
        ValidationErrorKind::MinItems { limit } | ValidationErrorKind::MaxItems { limit } => {
            let few = matches!(error.kind(), ValidationErrorKind::MinItems { .. });
            Diagnostic::error(
                Code::SchemaLength,
                format!(
                    "{} has too {} items: at {} {limit}",
                    describe(&path),
                    if few { "few" } else { "many" },
                    if few { "least" } else { "most" }
                ),
            )
            .at(file, value_span, "here")
            .help(format!(
                "list at {} {limit}",
                if few { "least" } else { "most" }
            ))
        }
        ValidationErrorKind::Pattern { pattern } => {
            let got = instance.as_str().unwrap_or_default();
            let (what, help) = pattern_rule(pattern, got, field);
            Diagnostic::error(
                Code::SchemaFormat,
                format!("`{got}` is not {what} ({})", describe(&path)),
            )
            .at(file, value_span, "not of the expected form")
            .help(help)
        }
        ValidationErrorKind::UniqueItems => Diagnostic::error(
            Code::SchemaInvalid,
            format!("{} lists the same value twice", describe(&path)),
        )
        .at(file, value_span, "duplicate values")
        .help("list each value once"),
        _ => Diagnostic::error(Code::SchemaInvalid, format!("{}: {error}", describe(&path)))
            .at(file, value_span, "here")
            .help("see the manifest format in the README, or the JSON Schema (`vocm schema`)"),
    };
    out.push(d);
}

fn text_of(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// The allowed values when every branch is a `const` that failed.
fn constants(context: &[Vec<ValidationError<'static>>]) -> Option<Vec<String>> {
    context
        .iter()
        .map(|branch| match branch.as_slice() {
            [e] => match e.kind() {
                ValidationErrorKind::Constant { expected_value } => Some(text_of(expected_value)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn enum_error(
    file: FileId,
    span: crate::source::Span,
    path: &[String],
    instance: &Value,
    options: &[String],
) -> Diagnostic {
    let got = text_of(instance);
    let help = if options.len() > 100 {
        // The country list: no point in listing 249 codes.
        did_you_mean(
            &got.to_ascii_uppercase(),
            options.iter().map(String::as_str),
        )
        .map_or_else(
            || {
                "write an ISO 3166-1 alpha-2 country code in capitals, such as FR, GB or US"
                    .to_owned()
            },
            |s| format!("did you mean `{s}`? (ISO 3166-1 alpha-2 country codes are in capitals)"),
        )
    } else {
        did_you_mean(&got, options.iter().map(String::as_str)).map_or_else(
            || format!("use one of: {}", options.join(", ")),
            |s| format!("did you mean `{s}`?"),
        )
    };
    Diagnostic::error(
        Code::SchemaEnum,
        format!("`{got}` is not a valid value for {}", describe(path)),
    )
    .at(file, span, "not an allowed value")
    .help(help)
}

/// Picks the `anyOf` branch that best explains the failure: the one whose
/// errors are not a type mismatch at the value itself, then the one with
/// the fewest errors. `None` when every branch rejects the type.
fn best_branch<'a>(
    context: &'a [Vec<ValidationError<'static>>],
) -> Option<&'a [ValidationError<'static>]> {
    let type_only = |branch: &[ValidationError<'_>]| {
        branch.len() == 1 && matches!(branch[0].kind(), ValidationErrorKind::Type { .. })
    };
    context
        .iter()
        .filter(|b| !b.is_empty() && !type_only(b))
        .min_by_key(|b| b.len())
        .map(Vec::as_slice)
}

fn unknown_field(
    file: FileId,
    span: crate::source::Span,
    path: &[String],
    name: &str,
) -> Diagnostic {
    if path.is_empty() {
        let help = did_you_mean(name, SECTIONS.iter().copied()).map_or_else(
            || {
                format!(
                    "the sections are: {}; keys starting with `x-` are yours (a home for YAML anchors) and ignored",
                    SECTIONS.join(", ")
                )
            },
            |s| format!("did you mean `{s}`?"),
        );
        return Diagnostic::error(
            Code::SchemaUnknownSection,
            format!("unknown section `{name}`"),
        )
        .at(file, span, "not a manifest section")
        .help(help);
    }
    let known = super::known_fields::at(path);
    let help = did_you_mean(name, known.iter().map(String::as_str)).map_or_else(
        || {
            if known.is_empty() {
                "remove this field".to_owned()
            } else {
                format!("the fields here are: {}", known.join(", "))
            }
        },
        |s| format!("did you mean `{s}`?"),
    );
    Diagnostic::error(
        Code::SchemaUnknownField,
        format!("unknown field `{name}` in {}", describe(path)),
    )
    .at(file, span, "unknown field")
    .help(help)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn expected_types(kind: &TypeKind) -> String {
    let name = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "object" => "a mapping".to_owned(),
        "array" => "a list".to_owned(),
        "string" => "a string".to_owned(),
        "integer" => "an integer".to_owned(),
        "number" => "a number".to_owned(),
        "boolean" => "true or false".to_owned(),
        "null" => "nothing".to_owned(),
        other => other.to_owned(),
    };
    match kind {
        TypeKind::Single(t) => name(t),
        TypeKind::Multiple(set) => set
            .iter()
            .map(|t| name(&t))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn type_hint_any(field: &str) -> &'static str {
    match field {
        "extension" => "expected digits or `auto`",
        "no_answer" => "expected a destination or `{to: DESTINATION, after_seconds: N}`",
        _ => "it matches none of the allowed forms",
    }
}

fn any_help(field: &str) -> &'static str {
    match field {
        "extension" => "write the extension's digits (e.g. `1001`), or `auto`",
        "no_answer" => {
            "e.g. `no_answer: voicemail` or `no_answer: {to: user:bob, after_seconds: 30}`"
        }
        _ => "see the manifest format in the README",
    }
}

fn range_help(low: bool, limit: &Value) -> String {
    if low {
        format!("use {limit} or more")
    } else {
        format!("use {limit} or less")
    }
}

/// What a failed pattern means, in words, and how to fix it.
/// The help of a number not in international form; `validate` puts the
/// number itself, read in the account's country, in its place when it can.
pub const NUMBER_HELP: &str =
    "write it with its country code, e.g. `+33 1 70 00 00 01` or `+33170000001`";

fn pattern_rule(pattern: &str, got: &str, field: &str) -> (String, String) {
    if pattern == phone::PHONE_PATTERN {
        return (
            "a phone number in international form".into(),
            NUMBER_HELP.into(),
        );
    }
    if pattern == destination::DESTINATION_PATTERN
        || pattern == destination::MENU_DESTINATION_PATTERN
    {
        let menu = pattern == destination::MENU_DESTINATION_PATTERN;
        let forms = "`voicemail`, `drop`, `user:KEY`, `ring_group:KEY`, `auto_attendant:KEY` or `external:+E164`";
        let help = if got == "dial_by_name" {
            "`dial_by_name` is only available in an auto attendant's menu".to_owned()
        } else if let Some(s) = did_you_mean(
            got,
            ["voicemail", "drop", "dial_by_name"]
                .into_iter()
                .take(if menu { 3 } else { 2 }),
        ) {
            format!("did you mean `{s}`?")
        } else if got.starts_with("external:") {
            "write the external number in international form, e.g. `external:+33612345678`"
                .to_owned()
        } else if let Some((kind, _)) = got.split_once(':') {
            match did_you_mean(kind, ["user", "ring_group", "auto_attendant", "external"]) {
                Some(s) => format!("did you mean `{s}:`?"),
                None => format!("a destination is {forms}"),
            }
        } else {
            format!(
                "a destination is {forms}{}",
                if menu { ", or `dial_by_name`" } else { "" }
            )
        };
        return ("a destination".into(), help);
    }
    match field {
        "email" => ("an email address".into(), "write an address like `name@example.com`".into()),
        "timezone" => (
            "an IANA time zone".into(),
            "write a zone like `Europe/Paris` or `America/New_York`".into(),
        ),
        "first_name" | "last_name" => (
            "a name the provisioning API accepts".into(),
            "names may use ASCII letters, digits, spaces and . , - _ ( ) ' only (the provisioning API rejects accents)".into(),
        ),
        "mac" => (
            "a MAC address".into(),
            "write six hex pairs, e.g. `00:04:f2:aa:bb:cc`".into(),
        ),
        "extension_range" => (
            "an extension range".into(),
            "write the first and last extension, e.g. `1000-1999`".into(),
        ),
        "extension" => ("an extension".into(), "write digits (e.g. `1001`) or `auto`".into()),
        "pbx" => (
            "a PBX name".into(),
            "use letters, digits, `-` and `_`, starting with a letter or digit".into(),
        ),
        "license" => ("a license type".into(), "write the license's name, e.g. `X2`".into()),
        _ => ("of the expected form".into(), format!("the value must match `{pattern}`")),
    }
}

/// What a key of a section must look like.
fn key_rule(path: &[String]) -> (&'static str, &'static str) {
    match path.first().map(String::as_str) {
        Some("users") if path.len() == 1 => (
            "a login name is 3 to 70 of A-Z a-z 0-9 . @ - _ /",
            "rename the key; it is the user's login name",
        ),
        Some("phone_numbers") => ("a phone number in international form", NUMBER_HELP),
        Some(_) if path.last().is_some_and(|l| l == "menu") => (
            "a menu key is one of 0-9, * or #",
            "quote keys `*` and `#`: \"*\": drop",
        ),
        _ => (
            "keys start with a letter or digit and use A-Z a-z 0-9 . - _ (at most 64)",
            "rename the key, and every reference to it",
        ),
    }
}
