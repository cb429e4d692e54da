//! `vocm-sandbox` end to end: the real binary on 127.0.0.1, port 0, talked
//! to over HTTP as the provider talks to it — the key, media types,
//! operations, whole-resource PUTs, the reference's rules, scrolls, rate
//! limits, persistence, fault injection, licenses and the counters.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use vocm_api::{Collection, OPERATIONS_MEDIA_TYPE, OPERATIONS_PATH, PROBLEM_JSON};

use vocm_testkit::sandbox as support;

use support::KEY;

/// The shared sandbox (`tests/support`), with a client that sends what the
/// provider would not.
struct Sandbox {
    inner: support::Sandbox,
    base: String,
    http: Client,
}

/// One answer: status, headers and the JSON body (null when empty).
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The code of the problem's first error.
    fn code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or_default()
    }

    #[track_caller]
    fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status, status, "{:#}", self.body);
        self
    }
}

/// The media type of the collection a path is in.
fn media(path: &str) -> &'static str {
    if path.starts_with(OPERATIONS_PATH) {
        return OPERATIONS_MEDIA_TYPE;
    }
    if path == vocm_api::DISCOVERY_PATH {
        return vocm_api::DISCOVERY_MEDIA_TYPE;
    }
    Collection::ALL
        .into_iter()
        .filter(|c| path.starts_with(c.path()))
        .max_by_key(|c| c.path().len())
        .map_or("application/json", Collection::media_type)
}

impl Sandbox {
    /// Starts the sandbox with generous limits unless `args` say otherwise.
    fn start(args: &[&str]) -> Sandbox {
        let inner = support::Sandbox::start(args);
        Sandbox {
            base: inner.base.clone(),
            inner,
            http: Client::builder().no_proxy().build().unwrap(),
        }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::blocking::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("x-api-key", KEY)
    }

    fn get(&self, path: &str) -> Reply {
        send(
            self.request(Method::GET, path)
                .header("accept", media(path)),
        )
    }

    fn write(&self, method: Method, path: &str, body: &Value) -> Reply {
        let request = self
            .request(method, path)
            .header("content-type", media(path))
            .body(body.to_string());
        send(request)
    }

    fn post(&self, path: &str, body: &Value) -> Reply {
        self.write(Method::POST, path, body)
    }

    fn put(&self, path: &str, body: &Value) -> Reply {
        self.write(Method::PUT, path, body)
    }

    fn delete(&self, path: &str) -> Reply {
        send(self.request(Method::DELETE, path))
    }

    /// Polls the operation a write answered with until it is finished.
    fn finished(&self, accepted: &Reply) -> Value {
        assert_eq!(accepted.status, 202, "{:#}", accepted.body);
        let id = accepted.body["operationId"].as_str().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let op = self.get(&format!("/operations/{id}")).expect(200).body;
            if matches!(op["status"].as_str(), Some("COMPLETED" | "FAILED")) {
                return op;
            }
            assert!(Instant::now() < deadline, "{op:#} never finished");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Writes, and waits for the operation to complete; answers the id.
    fn create(&self, path: &str, body: &Value) -> String {
        let op = self.finished(&self.post(path, body));
        assert_eq!(op["status"], "COMPLETED", "{op:#}");
        op["resourceId"].as_str().unwrap().to_owned()
    }

    fn stats(&self) -> Value {
        send(self.request(Method::GET, "/_sandbox/stats"))
            .expect(200)
            .body
    }

    /// An address and a site on it; answers the site's id.
    fn site(&self) -> String {
        let address = self
            .post("/addresses", &json!({"country": "FR", "city": "Paris"}))
            .expect(200);
        let address = address.body["id"].as_str().unwrap().to_owned();
        self.create("/sites", &site_body(&address, "paris"))
    }

    /// Stops the sandbox with SIGTERM; answers what it printed on stderr
    /// (with `--verbose`).
    fn stop(self) -> String {
        self.inner.stop()
    }
}

/// Sends a request; answers its reply.
fn send(request: reqwest::blocking::RequestBuilder) -> Reply {
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    Reply {
        status,
        headers,
        body,
    }
}

fn site_body(address: &str, key: &str) -> Value {
    json!({
        "name": key, "pbxName": "acme", "locale": "fr-FR",
        "timezone": "Europe/Paris", "address": {"id": address}
    })
}

fn user(name: &str, site: &str, extension: &str) -> Value {
    json!({
        "basicInfo": {
            "userName": name, "firstName": "Jo", "lastName": "Doe",
            "primaryEmail": format!("{name}@example.com"), "site": {"id": site}
        },
        "serviceInfo": {"extensions": [{"extensionNumber": extension}]}
    })
}

fn device(mac: &str, key: &str) -> Value {
    json!({"vocmKey": key, "model": "T54W", "macAddress": mac})
}

#[test]
fn every_request_needs_the_key() {
    let s = Sandbox::start(&[]);
    for key in [None, Some("wrong")] {
        let mut r = s
            .http
            .get(format!("{}/users", s.base))
            .header("accept", media("/users"));
        if let Some(k) = key {
            r = r.header("x-api-key", k);
        }
        let reply = send(r).expect(401);
        assert_eq!(reply.header("content-type"), Some(PROBLEM_JSON));
        assert_eq!(reply.body["status"], 401);
        assert_eq!(reply.body["title"], "Unauthorized");
        assert!(reply.header("x-ratelimit-limit").is_some());
    }
    let stats = s.http.get(format!("{}/_sandbox/stats", s.base));
    send(stats).expect(401);
    s.stop();
}

#[test]
fn media_types_are_the_resources_own() {
    let s = Sandbox::start(&[]);
    let plain = send(s.request(Method::GET, "/users")).expect(406);
    assert_eq!(plain.code(), "NOT_ACCEPTABLE");
    let any = s.request(Method::GET, "/users").header("accept", "*/*");
    send(any).expect(406);
    let other = s
        .request(Method::GET, "/users")
        .header("accept", media("/sites"));
    send(other).expect(406);
    let json = s
        .request(Method::POST, "/users")
        .header("content-type", "application/json")
        .body("{}");
    assert_eq!(send(json).expect(415).code(), "UNSUPPORTED_MEDIA_TYPE");
    send(s.request(Method::POST, "/users").body("{}")).expect(415);
    let malformed = s
        .request(Method::POST, "/users")
        .header("content-type", media("/users"))
        .body("{not json");
    let reply = send(malformed).expect(400);
    assert_eq!(reply.header("content-type"), Some(PROBLEM_JSON));
    s.get("/vocm/account").expect(404);
    s.get("/nowhere").expect(404);
    s.stop();
}

#[test]
fn a_user_is_created_by_an_operation() {
    let s = Sandbox::start(&["--op-delay-ms", "1000"]);
    let site = s.site();
    let accepted = s.post("/users", &user("jo", &site, "1001")).expect(202);
    let polled = format!(
        "/operations/{}",
        accepted.body["operationId"].as_str().unwrap()
    );
    assert_eq!(accepted.header("content-type"), Some(media("/users")));
    assert_eq!(accepted.body["status"], "PENDING");
    assert_eq!(accepted.body["resourceType"], "USER");
    assert_eq!(accepted.body["operationType"], "CREATE");
    assert!(accepted.body.get("resourceId").is_none());
    // Not there until the operation completes.
    let before = s.get("/users").expect(200);
    assert_eq!(before.body["data"].as_array().unwrap().len(), 0);
    // In progress for the second half of the delay.
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(s.get(&polled).expect(200).body["status"], "IN_PROGRESS");
    let op = s.finished(&accepted);
    assert_eq!(op["status"], "COMPLETED", "{op:#}");
    let id = op["resourceId"].as_str().unwrap();
    assert_eq!(op["_links"]["resource"]["href"], format!("/users/{id}"));
    let list = s.get("/users").expect(200).body;
    assert_eq!(list["data"][0]["basicInfo"]["userName"], "jo");
    assert_eq!(list["data"][0]["basicInfo"]["userId"], id);
    assert_eq!(list["pagination"]["hasMore"], false);
    let one = s.get(&format!("/users/{id}")).expect(200).body;
    assert!(one["basicInfo"]["createdTime"].is_string());
    s.get("/operations/op_nope").expect(404);
    s.stop();
}

#[test]
fn put_replaces_the_whole_resource() {
    let s = Sandbox::start(&[]);
    let site = s.site();
    let mut body = user("jo", &site, "1001");
    body["directoryInfo"] = json!({"jobTitle": "Engineer", "department": "R&D"});
    let id = s.create("/users", &body);
    let mut replaced = user("jo", &site, "1002");
    replaced["customField"] = json!({"kept": [1, 2, 3]});
    let op = s.finished(&s.put(&format!("/users/{id}"), &replaced));
    assert_eq!(op["status"], "COMPLETED");
    assert_eq!(op["operationType"], "UPDATE");
    let stored = s.get(&format!("/users/{id}")).expect(200).body;
    assert!(stored.get("directoryInfo").is_none(), "{stored:#}");
    assert_eq!(stored["customField"], json!({"kept": [1, 2, 3]}));
    assert_eq!(
        stored["serviceInfo"]["extensions"][0]["extensionNumber"],
        "1002"
    );
    assert_eq!(stored["basicInfo"]["userId"], id.as_str());
    // Another id in the body than in the path is refused.
    let mut other = replaced.clone();
    other["basicInfo"]["userId"] = json!("someone-else");
    s.put(&format!("/users/{id}"), &other).expect(400);
    s.put("/users/missing", &replaced).expect(404);
    s.stop();
}

#[test]
fn a_user_keeps_its_site_and_its_name_is_unique() {
    let s = Sandbox::start(&[]);
    let site = s.site();
    let address = s.get("/addresses").body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lyon = s.create("/sites", &site_body(&address, "lyon"));
    let id = s.create("/users", &user("jo", &site, "1001"));
    let moved = s
        .put(&format!("/users/{id}"), &user("jo", &lyon, "1001"))
        .expect(400);
    assert_eq!(moved.body["errors"][0]["field"], "basicInfo.site.id");
    let twin = s.post("/users", &user("JO", &site, "1002")).expect(400);
    assert_eq!(twin.code(), "VALIDATION_ERROR");
    assert_eq!(twin.body["errors"][0]["field"], "basicInfo.userName");
    let incomplete = s
        .post("/users", &json!({"basicInfo": {"userName": "x"}}))
        .expect(400);
    let fields: Vec<&str> = incomplete.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(fields.contains(&"basicInfo.site.id"), "{fields:?}");
    assert!(fields.contains(&"basicInfo.primaryEmail"), "{fields:?}");
    let nowhere = s.post("/users", &user("al", "no-site", "1003")).expect(400);
    assert_eq!(nowhere.body["errors"][0]["field"], "basicInfo.site.id");
    // A site in use cannot go.
    s.delete(&format!("/sites/{site}")).expect(400);
    s.stop();
}

#[test]
fn extensions_are_unique() {
    let s = Sandbox::start(&[]);
    let site = s.site();
    s.create("/users", &user("jo", &site, "1001"));
    let group = |ext: &str| {
        json!({"name": "Sales", "site": {"id": site},
               "extensionNumber": ext, "inboundCallerIdFormat": "RGNAME_CALLERNUMBER",
               "ringPattern": "SIMULTANEOUS", "ringTimeout": 20, "members": []})
    };
    let taken = s.post("/ring-groups", &group("1001")).expect(409);
    assert_eq!(taken.code(), "CONFLICT");
    assert_eq!(taken.body["errors"][0]["field"], "extensionNumber");
    s.create("/ring-groups", &group("2000"));
    s.post("/ring-groups", &group("2000")).expect(409);
    let attendant = json!({"vocmKey": "main", "name": "Main", "extensionNumber": "2000"});
    s.post("/vocm/auto-attendants", &attendant).expect(409);
    s.stop();
}

#[test]
fn addresses_are_idempotent_and_kept_while_used() {
    let s = Sandbox::start(&[]);
    let body = json!({"streetNumber": "7", "streetName": "34TH ST", "city": "New York",
                      "state": "NY", "postal": "10001", "country": "US"});
    let first = s.post("/addresses", &body).expect(200).body;
    let again = s.post("/addresses", &body).expect(200).body;
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["displayForm"], "7 34TH ST, New York NY, 10001");
    let id = first["id"].as_str().unwrap();
    s.create("/sites", &site_body(id, "nyc"));
    let in_use = s.delete(&format!("/addresses/{id}")).expect(400);
    assert_eq!(in_use.code(), "ADDRESS_IN_USE");
    let usage = s.get(&format!("/addresses/{id}")).expect(200).body;
    assert_eq!(usage["addressUsage"]["site"], 1);
    let spare = s
        .post("/addresses", &json!({"country": "US"}))
        .expect(200)
        .body;
    let spare = spare["id"].as_str().unwrap();
    s.delete(&format!("/addresses/{spare}")).expect(204);
    s.delete(&format!("/addresses/{spare}")).expect(404);
    s.post("/addresses", &json!({"city": "Nowhere"}))
        .expect(400);
    s.stop();
}

#[test]
fn lists_scroll_in_pages_with_filters_and_sorts() {
    let s = Sandbox::start(&[]);
    for i in 1..=5 {
        s.create(
            "/vocm/devices",
            &device(&format!("00000000000{i}"), &format!("desk-{i}")),
        );
    }
    let mut keys = Vec::new();
    let mut page = s
        .get("/vocm/devices?pageSize=2&sort=-vocmKey")
        .expect(200)
        .body;
    // A device created mid-scroll is not in it: the scroll is a snapshot.
    s.create("/vocm/devices", &device("00000000000a", "desk-0"));
    loop {
        let data = page["data"].as_array().unwrap();
        keys.extend(
            data.iter()
                .map(|d| d["vocmKey"].as_str().unwrap().to_owned()),
        );
        assert_eq!(page["pagination"]["pageSize"], 2);
        assert_eq!(page["pagination"]["sort"], "-vocmKey");
        if page["pagination"]["hasMore"] == false {
            assert!(page["pagination"].get("nextScrollId").is_none());
            break;
        }
        assert_eq!(data.len(), 2);
        let next = page["_links"]["next"]["href"].as_str().unwrap().to_owned();
        let scroll = page["pagination"]["nextScrollId"].as_str().unwrap();
        assert!(next.contains(scroll));
        page = s.get(&next).expect(200).body;
    }
    assert_eq!(keys, ["desk-5", "desk-4", "desk-3", "desk-2", "desk-1"]);

    let filtered = s
        .get("/vocm/devices?filter=vocmKey%3D%3DDESK-*%3BvocmKey!%3Ddesk-2,macAddress%3D%3D*0a&sort=%2BvocmKey")
        .expect(200)
        .body;
    let keys: Vec<&str> = filtered["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["vocmKey"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["desk-0", "desk-1", "desk-3", "desk-4", "desk-5"]);

    for (query, code) in [
        ("pageSize=0", "INVALID_PAGE_SIZE"),
        ("pageSize=1001", "INVALID_PAGE_SIZE"),
        ("pageSize=many", "INVALID_PAGE_SIZE"),
        ("filter=vocmKey%3Ddesk", "INVALID_FILTER"),
        ("filter=(vocmKey%3D%3Da)", "INVALID_FILTER"),
        ("sort=%2B%2Bkey", "INVALID_SORT"),
        ("scrollId=bogus", "SCROLL_EXPIRED"),
    ] {
        let reply = s.get(&format!("/vocm/devices?{query}")).expect(400);
        assert_eq!(reply.code(), code, "{query}");
    }
    let first = s.get("/vocm/devices?pageSize=1").expect(200).body;
    let scroll = first["pagination"]["nextScrollId"].as_str().unwrap();
    let mixed = s
        .get(&format!("/vocm/devices?scrollId={scroll}&sort=vocmKey"))
        .expect(400);
    assert_eq!(mixed.code(), "CONFLICTING_QUERY_PARAMETER");
    // The same page may be fetched again (a retry after a timeout).
    let once = s
        .get(&format!("/vocm/devices?scrollId={scroll}"))
        .expect(200);
    let twice = s
        .get(&format!("/vocm/devices?scrollId={scroll}"))
        .expect(200);
    assert_eq!(once.body["data"], twice.body["data"]);
    s.stop();
}

#[test]
fn rate_limits_answer_429_with_retry_after() {
    let s = Sandbox::start(&["--rate-limit", "5", "--burst", "3"]);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = s.get("/users").expect(200);
        assert_eq!(r.header("x-ratelimit-limit"), Some("5"));
        assert!(
            r.header("x-ratelimit-reset")
                .unwrap()
                .parse::<u64>()
                .unwrap()
                > 1_700_000_000
        );
        remaining.push(r.header("x-ratelimit-remaining").unwrap().to_owned());
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let over = s.get("/users").expect(429);
    let wait: u64 = over.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&wait), "{wait}");
    assert_eq!(over.header("x-ratelimit-remaining"), Some("0"));
    assert!(over.header("x-ratelimit-reset").is_some());
    assert_eq!(over.code(), "RATE_LIMIT_EXCEEDED");
    // Errors carry the headers too.
    let wrong = send(s.http.get(format!("{}/users", s.base)));
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("x-ratelimit-remaining").is_some());
    // The counters are neither limited nor counted.
    assert_eq!(s.stats()["tooManyRequests"], 1);
    s.stop();
}

#[test]
fn at_most_ten_operations_are_in_flight() {
    let s = Sandbox::start(&["--op-delay-ms", "2000"]);
    for i in 0..10 {
        let r = s.post(
            "/vocm/devices",
            &device(&format!("0000000000{i:02}"), &format!("desk-{i}")),
        );
        assert_eq!(r.expect(202).body["status"], "PENDING");
    }
    let over = s
        .post("/vocm/devices", &device("00000000aaaa", "desk-10"))
        .expect(429);
    assert_eq!(over.code(), "TOO_MANY_OPERATIONS");
    let wait: u64 = over.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert_eq!(s.stats()["operations"]["inFlight"], 10);
    s.stop();
}

#[test]
fn the_account_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sandbox.json");
    let data = data.to_str().unwrap();
    let s = Sandbox::start(&["--data", data, "--op-delay-ms", "1000"]);
    let address = s.post("/addresses", &json!({"country": "FR"})).expect(200);
    let address = address.body["id"].as_str().unwrap().to_owned();
    // Accepted, not yet complete when the sandbox is stopped: it completes
    // before the last save.
    let pending = s.post("/vocm/devices", &device("0011223344ff", "desk"));
    let operation = pending.expect(202).body["operationId"].clone();
    s.stop();

    let s = Sandbox::start(&["--data", data]);
    s.get(&format!("/addresses/{address}")).expect(200);
    let devices = s.get("/vocm/devices").expect(200).body;
    assert_eq!(devices["data"][0]["macAddress"], "0011223344ff");
    let op = s
        .get(&format!("/operations/{}", operation.as_str().unwrap()))
        .expect(200);
    assert_eq!(op.body["status"], "COMPLETED");
    s.stop();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(data).unwrap()).unwrap();
    assert_eq!(saved["resources"]["DEVICE"][0]["vocmKey"], "desk");
}

#[test]
fn a_sigterm_at_once_still_stops_it_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("new.json");
    Sandbox::start(&["--data", data.to_str().unwrap()]).stop();
    // A new account is written at once: the file exists.
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&data).unwrap()).unwrap();
    assert_eq!(saved["format"], "vocm-sandbox/1");
}

#[test]
fn faults_of_every_kind_are_injected() {
    let s = Sandbox::start(&["--fault-rate", "1.0", "--seed", "1"]);
    let mut failed_operation = None;
    let mut statuses = std::collections::BTreeSet::new();
    let mut sent = 0;
    while statuses.len() < 4 || failed_operation.is_none() {
        assert!(sent < 200, "{statuses:?} after {sent} requests");
        let r = s.post(
            "/vocm/devices",
            &device(&format!("{sent:012x}"), &format!("desk-{sent}")),
        );
        sent += 1;
        statuses.insert(r.status);
        match r.status {
            202 => failed_operation = Some(r.body.clone()),
            429 => {
                // A burst: the next request is refused too, until the
                // announced second has passed.
                assert_eq!(r.header("retry-after"), Some("1"));
                let again = s.post("/vocm/devices", &device("ffffffffffff", "again"));
                sent += 1;
                assert_eq!(again.status, 429);
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            _ => {}
        }
    }
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        [202, 429, 500, 503]
    );
    // With every request faulted, a write answered 202 is one whose
    // operation fails (and is already finished, without a delay).
    let op = failed_operation.unwrap();
    assert_eq!(op["status"], "FAILED", "{op:#}");
    assert_eq!(op["error"]["status"], 503);
    let stats = s.stats();
    let faults = &stats["faults"];
    for kind in ["serverError", "throttle", "failedOperation", "lostResponse"] {
        assert!(faults[kind].as_u64().unwrap() > 0, "{kind}: {faults:#}");
    }
    assert_eq!(faults["total"], sent);
    // Only the writes whose answer was lost were made.
    assert_eq!(stats["resources"]["DEVICE"], faults["lostResponse"]);
    s.stop();
}

#[test]
fn licenses_are_limited_by_the_inventory() {
    let s = Sandbox::start(&["--licenses", "X2=1,X4=5"]);
    let site = s.site();
    let licensed = |name: &str, license: &str, ext: &str| {
        let mut u = user(name, &site, ext);
        u["serviceInfo"]["licenses"] = json!([{"name": license}]);
        u
    };
    s.create("/users", &licensed("jo", "X2", "1001"));
    let none_left = s.post("/users", &licensed("al", "X2", "1002")).expect(400);
    assert_eq!(none_left.code(), "LICENSE_UNAVAILABLE");
    let unknown = s.post("/users", &licensed("al", "X9", "1002")).expect(400);
    assert_eq!(unknown.code(), "LICENSE_UNAVAILABLE");
    s.create("/users", &licensed("al", "X4", "1002"));
    let inventory = s.get("/vocm/licenses").expect(200).body;
    assert_eq!(
        inventory["data"],
        json!([{"name": "X2", "total": 1, "used": 1}, {"name": "X4", "total": 5, "used": 1}])
    );
    s.get("/vocm/licenses/X4").expect(200);
    s.stop();

    // Without an inventory, licenses are not limited.
    let s = Sandbox::start(&[]);
    let inventory = s.get("/vocm/licenses").expect(200).body;
    assert_eq!(inventory["data"], json!([]));
    s.stop();
}

#[test]
fn extensions_and_numbers_behave_like_the_reference() {
    let s = Sandbox::start(&[]);
    // The account's settings: 404 until first written.
    s.get("/vocm/account").expect(404);
    let op = s.finished(&s.put(
        "/vocm/account",
        &json!({"pbxName": "acme", "country": "FR"}),
    ));
    assert_eq!(op["resourceType"], "ACCOUNT");
    assert_eq!(s.get("/vocm/account").expect(200).body["pbxName"], "acme");
    // Numbers: claimed once, ASSIGNED while used.
    let number = "+33142000000";
    // The reference cannot claim (405); the extension can, once.
    s.post("/phone-numbers", &json!({"phoneNumber": number}))
        .expect(405);
    s.create("/vocm/phone-numbers", &json!({"phoneNumber": number}));
    s.post("/vocm/phone-numbers", &json!({"phoneNumber": number}))
        .expect(409);
    s.post("/vocm/phone-numbers", &json!({"phoneNumber": "0142"}))
        .expect(400);
    let path = format!("/phone-numbers/{}", number.replace('+', "%2B"));
    let claimed = s.get(&path).expect(200).body;
    assert_eq!(claimed["status"], "AVAILABLE");
    assert_eq!(claimed["country"], "FR");
    assert_eq!(claimed["origin"], "CLAIMED");
    let site = s.site();
    let mut u = user("jo", &site, "1001");
    u["serviceInfo"]["extensions"][0]["primaryPhoneNumber"] = json!(number);
    s.create("/users", &u);
    assert_eq!(s.get(&path).expect(200).body["status"], "ASSIGNED");
    let mut stranger = user("al", &site, "1002");
    stranger["serviceInfo"]["extensions"][0]["primaryPhoneNumber"] = json!("+33999999999");
    s.post("/users", &stranger).expect(400);
    // Devices: one MAC address once.
    s.create("/vocm/devices", &device("a1b2c3d4e5f6", "desk"));
    s.post("/vocm/devices", &device("a1b2c3d4e5f6", "other"))
        .expect(409);
    s.post("/vocm/devices", &device("A1-B2", "bad")).expect(400);
    // A manifest key names one resource of its collection.
    let again = s.post("/vocm/devices", &device("a1b2c3d4e5f7", "desk"));
    assert_eq!(again.expect(409).body["errors"][0]["field"], "vocmKey");
    // Audio files: lists leave the content out.
    let id = s.create(
        "/vocm/audio-files",
        &json!({"vocmKey": "hold", "format": "WAV", "content": "UklGRg=="}),
    );
    let listed = s.get("/vocm/audio-files").expect(200).body;
    assert!(listed["data"][0].get("content").is_none());
    assert_eq!(listed["data"][0]["size"], 4);
    let one = s.get(&format!("/vocm/audio-files/{id}")).expect(200).body;
    assert_eq!(one["content"], "UklGRg==");
    let digest = <sha2::Sha256 as sha2::Digest>::digest(b"RIFF");
    let hex = digest.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    assert_eq!(one["sha256"], hex);
    // Deleting a user is idempotent, as the reference's.
    let op = s.finished(&s.delete("/users/nobody"));
    assert_eq!(op["status"], "COMPLETED");
    s.stop();
}

#[test]
fn stats_count_what_clients_asked() {
    let s = Sandbox::start(&[]);
    s.get("/users").expect(200);
    s.get("/sites").expect(200);
    let accepted = s
        .post("/vocm/devices", &device("aabbccddeeff", "d"))
        .expect(202);
    s.finished(&accepted);
    send(s.http.get(format!("{}/users", s.base))).expect(401);
    let stats = s.stats();
    assert_eq!(stats["requests"], 5);
    assert_eq!(stats["reads"], 3);
    assert_eq!(stats["writes"], 1);
    assert_eq!(stats["operationsPolled"], 1);
    assert_eq!(stats["unauthorized"], 1);
    assert_eq!(stats["byMethod"]["GET"], 4);
    assert_eq!(stats["byMethod"]["POST"], 1);
    assert_eq!(stats["tooManyRequests"], 0);
    assert_eq!(stats["faults"]["total"], 0);
    assert_eq!(stats["resources"]["DEVICE"], 1);
    // The counters themselves are not counted.
    assert_eq!(s.stats()["requests"], 5);
    s.stop();
}

#[test]
fn verbose_logs_one_line_per_request_without_the_key() {
    let s = Sandbox::start(&["--verbose"]);
    s.get("/users").expect(200);
    s.get("/users?pageSize=0").expect(400);
    let log = s.stop();
    assert!(log.contains("GET /users 200 "), "{log}");
    assert!(log.contains("GET /users?pageSize=0 400 "), "{log}");
    assert!(!log.contains(KEY), "{log}");
}

#[test]
fn the_reference_api_is_served_alone() {
    let s = Sandbox::start(&["--api", "reference", "--numbers", "+33170000001"]);
    // No extension: discovery and every `/vocm` path are not found.
    s.get("/vocm").expect(404);
    s.get("/vocm/devices").expect(404);
    // The seeded numbers are the account's.
    let numbers = s.get("/phone-numbers").expect(200).body;
    assert_eq!(numbers["data"][0]["phoneNumber"], "+33170000001");
    // No `vocm` field reaches a reference path.
    let address = s
        .post("/addresses", &json!({"country": "FR", "city": "Paris"}))
        .expect(200)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut leaky = site_body(&address, "paris");
    leaky["vocmKey"] = json!("paris");
    assert_eq!(
        s.post("/sites", &leaky).expect(400).body["errors"][0]["field"],
        "vocmKey"
    );
    // Sites page by number, as the reference's example: no links.
    s.create("/sites", &site_body(&address, "paris"));
    s.create("/sites", &site_body(&address, "lyon"));
    let first = s.get("/sites?pageSize=1").expect(200).body;
    assert_eq!(first["pagination"]["pageNumber"], 0);
    assert_eq!(first["pagination"]["hasMore"], true);
    assert!(first.get("_links").is_none());
    let second = s.get("/sites?pageSize=1&pageNumber=1").expect(200).body;
    assert_eq!(second["pagination"]["hasMore"], false);
    assert_ne!(first["data"][0]["id"], second["data"][0]["id"]);
    // Filters: only the fields the guides list.
    s.get("/sites?filter=pbxName%3D%3Dacme").expect(400);
    s.get("/sites?filter=name%3D%3Dparis").expect(200);
    s.get("/addresses?filter=city%3D%3DParis").expect(400);
    // Users: created and deleted; their update is not implemented.
    let site = first["data"][0]["id"].as_str().unwrap().to_owned();
    let id = s.create("/users", &user("jo.doe", &site, "1001"));
    let put = s.put(&format!("/users/{id}"), &user("jo.doe", &site, "1002"));
    assert_eq!(put.status, 501, "{:#}", put.body);
    // Claims are an extension.
    s.post("/phone-numbers", &json!({"phoneNumber": "+33170000002"}))
        .expect(405);
}

#[test]
fn the_extended_api_says_what_it_offers_and_keeps_extras() {
    let s = Sandbox::start(&[]);
    let offer = s.get("/vocm").expect(200).body;
    assert_eq!(offer["userUpdates"], true);
    let paths: Vec<&str> = offer["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(paths.contains(&"/vocm/extras") && paths.contains(&"/vocm/devices"));
    let site = s.site();
    let id = s.create("/users", &user("jo.doe", &site, "1001"));
    let extras = json!({"resourceType": "USER", "resourceId": id, "fields": {"internetFax": "+33170000099"}});
    s.put(&format!("/vocm/extras/USER:{id}"), &extras)
        .expect(200);
    let listed = s.get("/vocm/extras").expect(200).body;
    assert_eq!(listed["data"][0]["fields"]["internetFax"], "+33170000099");
    // Deleting the user deletes its extras.
    s.finished(&s.delete(&format!("/users/{id}")));
    let listed = s.get("/vocm/extras").expect(200).body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 0);
}
