//! The HTTP provider against a real `vocm-sandbox` on 127.0.0.1.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use base64::Engine as _;
use serde_json::{Value, json};
use vocm_api::Collection;
use vocm_core::account::{Kind, Resource, ResourceId};
use vocm_core::model::Device;
use vocm_core::plan::{Action, Change, Phase};
use vocm_core::provider::{AudioStore, Provider as _, SessionOptions};
use vocm_http::{ApiKey, HttpOptions, HttpProvider};
use vocm_testkit::sandbox::{KEY, Sandbox};

fn provider(s: &Sandbox) -> HttpProvider {
    HttpProvider::new(&s.base, ApiKey::new(KEY.to_owned()), HttpOptions::default()).unwrap()
}

/// A sandbox whose account holds `resources` (by `resourceType`) as is.
fn sandbox_holding(dir: &std::path::Path, resources: &Value) -> Sandbox {
    let data = dir.join("sandbox.json");
    let saved = json!({"format": "vocm-sandbox/1", "resources": resources});
    std::fs::write(&data, saved.to_string()).unwrap();
    Sandbox::start(&["--data", data.to_str().unwrap()])
}

#[test]
fn an_update_of_a_resource_without_a_vocm_key_keeps_the_fields_vocm_does_not_manage() {
    // A device set up in the console: no vocmKey, an id with characters a
    // key cannot hold, and a field vocm does not manage.
    let dir = tempfile::tempdir().unwrap();
    let device = json!({
        "id": "Zk3+9Q==", "model": "T54W", "macAddress": "001565aabbcc",
        "firmwareVersion": "96.86.0.5",
    });
    let s = sandbox_holding(dir.path(), &json!({"DEVICE": [device]}));
    let p = provider(&s);
    let session = p.session(&SessionOptions::default()).unwrap();
    let account = session.snapshot().unwrap().account;
    let key = account.devices.keys().next().unwrap().clone();
    assert_eq!(key, "id-Zk3-9Q--");
    let mut changed: Device = account.devices[&key].clone();
    changed.model = "T57W".into();
    let update = Change {
        id: ResourceId::new(Kind::Device, &key),
        action: Action::Update,
        before: None,
        after: Some(Box::new(Resource::Device(changed))),
        fields: Vec::new(),
        notes: Vec::new(),
        depends_on: Vec::new(),
        phase: Phase::default(),
        moved_from: None,
    };
    session.apply(&update, &AudioStore::new()).unwrap();
    session.finish().unwrap();
    let devices = s.list(Collection::Devices);
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0]["model"], "T57W");
    assert_eq!(
        devices[0]["firmwareVersion"], "96.86.0.5",
        "the PUT dropped a field vocm does not manage: {:#}",
        devices[0]
    );
}

#[test]
fn export_lists_the_audio_collection_once_not_once_per_file() {
    let s = Sandbox::start(&[]);
    let media = Collection::AudioFiles.media_type();
    let mut contents = Vec::new();
    for n in 0..3u8 {
        let bytes = vec![n; 64 + usize::from(n)];
        let body = json!({
            "vocmKey": format!("hold-{n}"), "name": format!("hold-{n}"), "format": "WAV",
            "content": base64::engine::general_purpose::STANDARD.encode(&bytes),
        });
        let (status, answer) = s.send(reqwest::Method::POST, "/vocm/audio-files", media, &body);
        assert_eq!(status, 202, "{answer:#}");
        contents.push(bytes);
    }
    // What `vocm export` does: read the account, then each file's content.
    let p = provider(&s);
    let snapshot = p.snapshot().unwrap();
    let reads = |s: &Sandbox| s.stats()["reads"].as_u64().unwrap();
    let before = reads(&s);
    let mut exported = Vec::new();
    for a in snapshot.account.audio_files.values() {
        exported.push(p.audio(&a.sha256).unwrap().unwrap());
    }
    exported.sort();
    assert_eq!(exported, contents);
    assert_eq!(
        reads(&s) - before,
        3,
        "one GET per file's content, and no list of the collection again"
    );
    // Without a read first: one list, then the contents.
    let fresh = provider(&s);
    let before = reads(&s);
    for a in snapshot.account.audio_files.values() {
        assert!(fresh.audio(&a.sha256).unwrap().is_some());
    }
    assert_eq!(reads(&s) - before, 1 + 3);
}

#[test]
fn a_user_without_a_number_or_a_device_is_read_not_dropped() {
    // A softphone user as the admin console makes one: the reference marks
    // `primaryPhoneNumber`, `phoneNumbers` and `devices` nullable.
    let dir = tempfile::tempdir().unwrap();
    let user = json!({
        "basicInfo": {"userId": "u-1", "userName": "chloe.bernard", "firstName": "Chloe", "lastName": "Bernard",
                      "primaryEmail": "chloe@example.com", "status": "ACTIVE"},
        "serviceInfo": {"licenses": [{"name": "X2"}],
                        "extensions": [{"extensionNumber": "1003", "primaryPhoneNumber": null,
                                        "phoneNumbers": null, "devices": null}]},
    });
    let s = sandbox_holding(dir.path(), &json!({"USER": [user]}));
    let p = provider(&s);
    let session = p.session(&SessionOptions::default()).unwrap();
    let account = session.snapshot().unwrap().account;
    let chloe = &account.users["chloe.bernard"];
    assert!(chloe.phone_numbers.is_empty());
    assert!(chloe.devices.is_empty());
    assert_eq!(chloe.caller_id.number, None);
    assert_eq!(chloe.extension, "1003");
}
