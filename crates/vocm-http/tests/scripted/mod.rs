//! A scripted HTTP server on 127.0.0.1:0 for the misbehaviours the sandbox
//! cannot show: each request is answered by a closure, and logged.

#![allow(clippy::unwrap_used, dead_code)] // test support fails loudly

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use vocm_api::Collection;

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The path and query, as sent (still percent-encoded).
    pub target: String,
    pub body: String,
}

impl Request {
    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// A query parameter, form-decoded (`+` is a space).
    pub fn query(&self, name: &str) -> Option<String> {
        let query = self.target.split_once('?')?.1;
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| {
                percent_encoding::percent_decode_str(&v.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            })
        })
    }
}

/// An answer: status, extra headers, JSON body (none when `Null`).
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Answer {
    pub fn json(status: u16, body: Value) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A problem-details answer.
    pub fn problem(status: u16, detail: &str) -> Answer {
        Answer::json(
            status,
            json!({"status": status, "title": "Scripted", "detail": detail}),
        )
    }
}

/// A page holding `data`, the last one.
pub fn page(data: &[Value]) -> Value {
    json!({
        "data": data,
        "pagination": {"pageSize": 1000, "hasMore": false},
        "_links": {"self": {"href": "/"}},
    })
}

/// A completed operation.
pub fn completed(id: &str, resource_id: &str) -> Value {
    json!({
        "operationId": id,
        "status": "COMPLETED",
        "resourceType": "DEVICE",
        "operationType": "CREATE",
        "resourceId": resource_id,
        "createdTime": "2026-01-01T00:00:00Z",
        "completedTime": "2026-01-01T00:00:00Z",
        "_links": {"self": {"href": format!("/operations/{id}")}},
    })
}

/// The answer of an empty account to a read: no settings, empty lists.
pub fn empty_account(r: &Request) -> Answer {
    if r.path() == vocm_api::DISCOVERY_PATH {
        // A server with every extension.
        let extensions: Vec<&str> = Collection::ALL
            .into_iter()
            .filter(|c| !c.is_reference())
            .map(Collection::path)
            .collect();
        Answer::json(
            200,
            serde_json::json!({"extensions": extensions, "userUpdates": true}),
        )
    } else if r.path() == Collection::Account.path() {
        Answer::problem(404, "no account")
    } else {
        Answer::json(200, page(&[]))
    }
}

type Script = dyn Fn(&Request) -> Answer + Send + Sync;

/// The running server; it stops with the test process.
pub struct Server {
    pub base: String,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    pub fn start(script: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let shared = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (log, script) = (Arc::clone(&shared), Arc::clone(&script));
                std::thread::spawn(move || serve(stream, &log, &*script));
            }
        });
        Server { base, log }
    }

    /// The requests served so far.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(stream: std::net::TcpStream, log: &Mutex<Vec<Request>>, script: &Script) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or_default().to_owned();
        let mut length = 0;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((name, value)) = h.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let request = Request {
            method,
            target,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        log.lock().unwrap().push(request.clone());
        let answer = script(&request);
        let body = if answer.body.is_null() {
            String::new()
        } else {
            answer.body.to_string()
        };
        let mut out = format!(
            "HTTP/1.1 {} Scripted\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            answer.status,
            body.len()
        );
        for (name, value) in &answer.headers {
            let _ = write!(out, "{name}: {value}\r\n");
        }
        out.push_str("\r\n");
        out.push_str(&body);
        if stream.write_all(out.as_bytes()).is_err() {
            return;
        }
    }
}

/// A provider of `base`, with a short request timeout.
pub fn provider(base: &str) -> vocm_http::HttpProvider {
    vocm_http::HttpProvider::new(
        base,
        vocm_http::ApiKey::new("k-scripted".to_owned()),
        vocm_http::HttpOptions {
            timeout: std::time::Duration::from_secs(5),
            ..vocm_http::HttpOptions::default()
        },
    )
    .unwrap()
}

/// Runs `f` on a thread; fails the test when it takes longer than `limit`
/// (a client that sleeps as long as a server says would never end).
pub fn within<T: Send + 'static>(
    limit: std::time::Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|e| panic!("not done in {limit:?}: {e}"))
}

/// A change of `id` to `after`.
pub fn change(
    action: vocm_core::plan::Action,
    id: vocm_core::account::ResourceId,
    after: Option<vocm_core::account::Resource>,
) -> vocm_core::plan::Change {
    vocm_core::plan::Change {
        id,
        action,
        before: None,
        after: after.map(Box::new),
        fields: Vec::new(),
        notes: Vec::new(),
        depends_on: Vec::new(),
        phase: vocm_core::plan::Phase::default(),
        moved_from: None,
    }
}
