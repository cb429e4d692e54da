//! Reading the account from a scripted server: pages that follow a scroll.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod scripted;

use std::time::Duration;

use serde_json::json;
use vocm_core::provider::Provider as _;

use scripted::{Answer, Server, empty_account, provider, within};

#[test]
fn a_scroll_id_is_percent_encoded_in_the_next_page_url() {
    // An opaque scroll id holding what a query cannot hold as is.
    const SCROLL: &str = "a+b&c/d=e f%";
    let device = |n: u32| {
        json!({"id": format!("d-{n}"), "vocmKey": format!("desk-{n}"), "model": "T54W",
               "macAddress": format!("0015650000{n:02}")})
    };
    let server = Server::start(move |r| {
        if r.path() != "/vocm/devices" {
            return empty_account(r);
        }
        match r.query("scrollId") {
            None => Answer::json(
                200,
                json!({
                    "data": [device(1)],
                    "pagination": {"pageSize": 1000, "hasMore": true, "nextScrollId": SCROLL},
                    "_links": {"self": {"href": "/vocm/devices"}},
                }),
            ),
            Some(s) if s == SCROLL => Answer::json(200, scripted::page(&[device(2)])),
            Some(other) => Answer::problem(400, &format!("SCROLL_EXPIRED: {other:?}")),
        }
    });
    let p = provider(&server.base);
    let snapshot = within(Duration::from_secs(20), move || p.snapshot()).unwrap();
    let keys: Vec<&String> = snapshot.account.devices.keys().collect();
    assert_eq!(keys, ["desk-1", "desk-2"]);
}

#[test]
fn a_server_that_repeats_its_page_ends_the_read_with_a_paging_error() {
    // The same page, with the same scroll id and `hasMore`, forever.
    let server = Server::start(|r| {
        if r.path() != "/users" {
            return empty_account(r);
        }
        Answer::json(
            200,
            json!({
                "data": [{"basicInfo": {"userName": "jo", "userId": "u1"}}],
                "pagination": {"pageSize": 1000, "hasMore": true, "nextScrollId": "again"},
            }),
        )
    });
    let p = provider(&server.base);
    let started = std::time::Instant::now();
    let e = within(Duration::from_mins(1), move || p.snapshot()).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(e.code, vocm_core::diagnostics::Code::HttpPaging, "{e:?}");
    assert!(e.message.contains("/users does not end"), "{e:?}");
    // Found on the second page, not after thousands.
    let pages = server
        .requests()
        .iter()
        .filter(|r| r.path() == "/users")
        .count();
    assert!(pages <= 3, "{pages} pages");
}

#[test]
fn sites_are_read_page_by_number_and_pages_need_no_links() {
    let site = |n: u32| json!({"id": format!("s{n}"), "name": format!("Site {n}"), "pbxName": "acme", "locale": "fr-FR", "timezone": "Europe/Paris", "address": {"id": "a"}});
    let server = Server::start(move |r| {
        if r.path() != "/sites" {
            return empty_account(r);
        }
        // As the reference's example: no `_links`, no scroll id.
        let (data, more) = match r.query("pageNumber").as_deref() {
            None | Some("0") => (vec![site(1)], true),
            Some("1") => (vec![site(2)], false),
            _ => (vec![], false),
        };
        Answer::json(
            200,
            json!({"data": data, "pagination": {"pageSize": 1000, "pageNumber": 0, "hasMore": more}}),
        )
    });
    let p = provider(&server.base);
    let snapshot = within(Duration::from_secs(20), move || p.snapshot()).unwrap();
    let keys: Vec<&String> = snapshot.account.sites.keys().collect();
    assert_eq!(keys, ["site-1", "site-2"]);
}

#[test]
fn an_extension_listed_but_not_served_is_not_offered_not_empty() {
    // Discovery lists every extension, but devices answer 404.
    let server = Server::start(|r| {
        if r.path() == "/vocm/devices" {
            return Answer::problem(404, "no such path");
        }
        empty_account(r)
    });
    let p = provider(&server.base);
    let (s, caps) = within(Duration::from_secs(20), move || {
        let s = p.snapshot();
        (s, p.capabilities())
    });
    assert!(s.is_ok(), "{s:?}");
    let caps = caps.unwrap();
    assert_eq!(caps.support(vocm_core::account::Kind::Device), None);
    assert!(
        caps.support(vocm_core::account::Kind::AutoAttendant)
            .is_some()
    );
}
