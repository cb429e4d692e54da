//! Writes whose outcome is unknown, and the read-backs that settle it:
//! against a scripted server, which can fail in ways the sandbox cannot.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod scripted;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use vocm_core::account::{Kind, Resource, ResourceId};
use vocm_core::model::Device;
use vocm_core::plan::Action;
use vocm_core::provider::{AudioStore, Provider as _, SessionOptions};

use scripted::{Answer, Request, Server, change, completed, empty_account, page, provider, within};

/// A device the account holds, as the API lists it.
fn desk() -> Value {
    json!({"id": "d-1", "vocmKey": "desk-1", "model": "T54W", "macAddress": "001565aabbcc"})
}

/// The account holds `desk`; other reads answer an empty account.
fn account(r: &Request) -> Option<Answer> {
    (r.method == "GET" && r.path() == "/vocm/devices" && r.query("filter").is_none())
        .then(|| Answer::json(200, page(&[desk()])))
        .or_else(|| (r.method == "GET").then(|| empty_account(r)))
}

fn count(server: &Server, method: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.method == method)
        .count()
}

#[test]
fn an_ambiguous_delete_whose_read_back_fails_is_an_error_not_applied() {
    // The delete's answer is lost (500); reading it back is refused.
    let server = Server::start(|r| {
        if r.query("filter").is_some() {
            return Answer::problem(403, "reading devices is not allowed");
        }
        account(r).unwrap_or_else(|| Answer::problem(500, "lost"))
    });
    let p = provider(&server.base);
    let outcome = within(Duration::from_secs(30), move || {
        let session = p.session(&SessionOptions::default()).unwrap();
        let delete = change(
            Action::Delete,
            ResourceId::new(Kind::Device, "desk-1"),
            None,
        );
        session.apply(&delete, &AudioStore::new())
    });
    let e = outcome.expect_err("a delete nobody could check was reported applied");
    assert!(e.message.contains("device:desk-1"), "{e:?}");
    assert!(e.message.contains("read"), "{e:?}");
}

#[test]
fn an_ambiguous_create_does_not_take_a_hit_of_another_key_for_itself() {
    // The first POST's answer is lost; the case-insensitive filter finds
    // `DESK-2`, another device; the second POST succeeds.
    let posts = AtomicU32::new(0);
    let server = Server::start(move |r| {
        if r.method == "POST" {
            return if posts.fetch_add(1, Ordering::SeqCst) == 0 {
                Answer::problem(500, "lost")
            } else {
                Answer::json(202, completed("op-2", "d-2"))
            };
        }
        if r.query("filter").is_some() {
            let other = json!({"id": "d-9", "vocmKey": "DESK-2", "model": "T54W", "macAddress": "001565000000"});
            return Answer::json(200, page(&[other]));
        }
        account(r).unwrap()
    });
    let p = provider(&server.base);
    let applied = within(Duration::from_secs(30), move || {
        let session = p.session(&SessionOptions::default()).unwrap();
        let device = Device {
            model: "T54W".into(),
            mac: "00:15:65:dd:ee:ff".parse().unwrap(),
        };
        let create = change(
            Action::Create,
            ResourceId::new(Kind::Device, "desk-2"),
            Some(Resource::Device(device)),
        );
        session.apply(&create, &AudioStore::new())
    })
    .unwrap();
    assert_eq!(applied.operation.as_deref(), Some("op-2"));
    assert_eq!(count(&server, "POST"), 2);
}

#[test]
fn a_refusal_whose_message_mentions_404_is_not_a_404() {
    // A 400 whose detail happens to hold "(404)" is a refusal.
    let server = Server::start(|r| {
        account(r).unwrap_or_else(|| Answer::problem(400, "extension (404) is reserved"))
    });
    let p = provider(&server.base);
    let outcome = within(Duration::from_secs(30), move || {
        let session = p.session(&SessionOptions::default()).unwrap();
        let delete = change(
            Action::Delete,
            ResourceId::new(Kind::Device, "desk-1"),
            None,
        );
        session.apply(&delete, &AudioStore::new())
    });
    let e = outcome.expect_err("a refused delete was reported applied");
    assert!(e.message.contains("(400)"), "{e:?}");
}

#[test]
fn a_delete_answered_404_is_already_done() {
    let server = Server::start(|r| account(r).unwrap_or_else(|| Answer::problem(404, "gone")));
    let p = provider(&server.base);
    let applied = within(Duration::from_secs(30), move || {
        let session = p.session(&SessionOptions::default()).unwrap();
        let delete = change(
            Action::Delete,
            ResourceId::new(Kind::Device, "desk-1"),
            None,
        );
        session.apply(&delete, &AudioStore::new())
    })
    .unwrap();
    assert_eq!(applied.operation, None);
    assert_eq!(count(&server, "DELETE"), 1);
}
