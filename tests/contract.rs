//! Contract tests against what nobody here wrote: the public `OpenAPI` files
//! of the Administration API (tests/reference/). Every example they give
//! decodes; every request body vocm builds for a reference path validates
//! against their request schema. No network.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::PathBuf;

use rustc_hash::FxHashMap;
use serde_json::{Map, Value, json};
use vocm_api::{Collection, Operation, Page, Problem};
use vocm_core::account::identity::Identities;
use vocm_core::account::{Account, Kind};
use vocm_http::wire::{self, Ids};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The reference's files and the collection each describes.
const FILES: [(&str, Option<Collection>); 6] = [
    ("user-api-v1.yaml", Some(Collection::Users)),
    ("site-api-v1.yaml", Some(Collection::Sites)),
    ("ringgroup-api-v1.yaml", Some(Collection::RingGroups)),
    ("address-api-v1.yaml", Some(Collection::Addresses)),
    ("phonenumber-api-v1.yaml", Some(Collection::PhoneNumbers)),
    ("operation-api-v1.yaml", None),
];

fn openapi(file: &str) -> Value {
    let text =
        std::fs::read_to_string(root().join("tests/reference/8x8-admin-api").join(file)).unwrap();
    // YAML 1.2: `OFF` (a recording mode) is a string, not a boolean.
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options(&text, options).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Every response example: (path, method, status, example).
fn response_examples(doc: &Value) -> Vec<(String, String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, r) in responses {
                for media in r
                    .get("content")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|c| c.values())
                {
                    if let Some(e) = media.get("example") {
                        out.push((path.clone(), method.clone(), status.clone(), e.clone()));
                    }
                    for e in media
                        .get("examples")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flat_map(|e| e.values())
                    {
                        if let Some(v) = e.get("value") {
                            out.push((path.clone(), method.clone(), status.clone(), v.clone()));
                        }
                    }
                }
            }
        }
    }
    out
}

/// How many resources of `c` decoding `items` gives.
fn decoded(c: Collection, items: Vec<Value>) -> usize {
    let mut fetched: FxHashMap<Collection, Vec<Value>> = FxHashMap::default();
    fetched.insert(c, items);
    let account = wire::decode(&fetched, &mut Ids::default(), &Identities::default());
    match c {
        Collection::Users => account.users.len(),
        Collection::Sites => account.sites.len(),
        Collection::RingGroups => account.ring_groups.len(),
        Collection::Addresses => account.addresses.len(),
        Collection::PhoneNumbers => account.phone_numbers.len(),
        _ => unreachable!(),
    }
}

#[test]
fn every_example_of_the_reference_decodes() {
    let mut checked = 0;
    for (file, collection) in FILES {
        let doc = openapi(file);
        for (path, method, status, example) in response_examples(&doc) {
            let at = format!("{file} {method} {path} {status}");
            checked += 1;
            if !status.starts_with('2') {
                serde_json::from_value::<Problem>(example.clone())
                    .unwrap_or_else(|e| panic!("{at}: not a problem: {e}\n{example:#}"));
                continue;
            }
            if example.get("operationId").is_some() {
                let op: Operation = serde_json::from_value(example.clone())
                    .unwrap_or_else(|e| panic!("{at}: not an operation: {e}\n{example:#}"));
                assert!(!op.operation_id.is_empty(), "{at}");
                continue;
            }
            let Some(c) = collection else { continue };
            let items = if example.get("data").is_some() {
                let page: Page = serde_json::from_value(example.clone())
                    .unwrap_or_else(|e| panic!("{at}: not a page: {e}\n{example:#}"));
                page.data
            } else {
                vec![example.clone()]
            };
            let n = items.len();
            // Every resource of an example is one vocm reads (numbers in
            // the E.164 form included; an address needs its country).
            assert_eq!(
                decoded(c, items),
                n,
                "{at}: a resource was dropped\n{example:#}"
            );
        }
    }
    assert!(checked > 100, "only {checked} examples found");
}

/// The schema dialect of `OpenAPI` 3.0 as JSON Schema: `nullable: true` allows
/// `null`; references stay local to the document.
fn json_schema(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out: Map<String, Value> =
                m.iter().map(|(k, v)| (k.clone(), json_schema(v))).collect();
            if m.get("nullable") == Some(&Value::Bool(true)) {
                match out.get("type").cloned() {
                    Some(Value::String(t)) => {
                        out.insert("type".into(), json!([t, "null"]));
                    }
                    _ if out.contains_key("$ref") || out.contains_key("allOf") => {
                        let inner = Value::Object(out.clone());
                        out = Map::new();
                        out.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                    }
                    _ => {}
                }
                if let Some(Value::Array(e)) = out.get_mut("enum") {
                    e.push(Value::Null);
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(json_schema).collect()),
        other => other.clone(),
    }
}

/// The validator of the request body of `method path` in `file`.
fn request_schema(file: &str, path: &str, method: &str) -> jsonschema::Validator {
    let doc = openapi(file);
    let content = &doc["paths"][path][method]["requestBody"]["content"];
    let media = content.as_object().unwrap().values().next().unwrap();
    let mut root = json_schema(&media["schema"]);
    root.as_object_mut()
        .unwrap()
        .insert("components".into(), json_schema(&doc["components"]));
    jsonschema::draft7::new(&root).unwrap_or_else(|e| panic!("{file} {method} {path}: {e}"))
}

/// The example account, as vocm would send it, with ids as an API gives.
fn example() -> (Account, Ids) {
    let v = vocm_core::validate::validate_paths(&[root().join("examples/acme")], Some(&root()));
    let account = vocm_core::plan::desired::on_their_own(&v).0;
    let ids = Ids::of(&account, |id| format!("id{}{}", id.kind, id.key.len()));
    (account, ids)
}

#[test]
fn every_request_vocm_builds_for_a_reference_path_is_valid() {
    let (account, ids) = example();
    let requests = [
        (Kind::User, "user-api-v1.yaml", "/users", "post"),
        (Kind::User, "user-api-v1.yaml", "/users/{userId}", "put"),
        (Kind::Site, "site-api-v1.yaml", "/sites", "post"),
        (Kind::Site, "site-api-v1.yaml", "/sites/{siteId}", "put"),
        (
            Kind::RingGroup,
            "ringgroup-api-v1.yaml",
            "/ring-groups",
            "post",
        ),
        (
            Kind::RingGroup,
            "ringgroup-api-v1.yaml",
            "/ring-groups/{ringGroupId}",
            "put",
        ),
        (Kind::Address, "address-api-v1.yaml", "/addresses", "post"),
    ];
    let mut checked = 0;
    for (kind, file, path, method) in requests {
        let validator = request_schema(file, path, method);
        for id in account.ids().into_iter().filter(|i| i.kind == kind) {
            let body = wire::encode(&id, &account.get(&id).unwrap(), &ids, None);
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{method} {path} for {id} breaks the reference's schema:\n{}\n{body:#}",
                errors.join("\n")
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} bodies checked");
}
