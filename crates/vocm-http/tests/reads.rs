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
