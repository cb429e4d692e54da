//! The pipeline every request goes through: the key (401), the rate limits
//! (429), injected faults, the endpoint (404, 405), versioned media types
//! (406, 415), then the endpoint itself. Every response carries the
//! rate-limit headers.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use vocm_api::{API_KEY_HEADER, RATE_LIMIT, RATE_REMAINING, RATE_RESET};

use super::args::ApiMode;
use super::clock;
use super::faults::{self, Fault};
use super::handlers::{self, Write};
use super::problem::ApiError;
use super::rate_limit::Verdict;
use super::routes::{self, Endpoint, Route};
use super::state::Shared;

/// The largest body accepted: an audio file of 10 MiB, base64-encoded, with
/// room to spare.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

const THROTTLED: &str = "Rate limit exceeded, please try again later";

/// Serves one request (axum's fallback handler: the routing is ours).
pub async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let is_stats = request.uri().path() == routes::STATS_PATH;
    let response = respond(&shared, request).await;
    if response.status() == StatusCode::TOO_MANY_REQUESTS && !is_stats {
        shared.lock().stats.too_many_requests += 1;
    }
    if shared.verbose {
        // The key travels in a header: it is never part of the line.
        eprintln!(
            "{method} {target} {} {:.1}ms",
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    response
}

async fn respond(shared: &Arc<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let route = Route::resolve(&parts.method, &path);
    let authorized = parts
        .headers
        .get(API_KEY_HEADER)
        .is_some_and(|k| k.as_bytes() == shared.api_key.as_bytes());
    let now = Instant::now();

    // Under the lock: the counters, the key, the limits and the faults.
    let (endpoint, fault, verdict) = {
        let mut sb = shared.lock();
        if route == Route::Endpoint(Endpoint::Stats) {
            // Benchmarks read it: it is neither counted nor limited.
            let verdict = sb.limiter.peek(now);
            let response = if authorized {
                handlers::stats(&sb)
            } else {
                unauthorized().into_response(&path)
            };
            return with_limits(response, verdict);
        }
        // A reference-only sandbox serves none of vocm's extensions.
        let route = if sb.api == ApiMode::Reference && route.is_extension() {
            Route::NotFound
        } else {
            route
        };
        let kind = match &route {
            Route::Endpoint(e) => e.kind(),
            _ => routes::kind_of(&parts.method),
        };
        sb.stats.record(parts.method.as_str(), kind);
        if !authorized {
            sb.stats.unauthorized += 1;
            let verdict = sb.limiter.peek(now);
            return with_limits(unauthorized().into_response(&path), verdict);
        }
        let verdict = sb.limiter.admit(now);
        if !verdict.allowed {
            let e = ApiError::too_many_requests(THROTTLED, verdict.retry_after);
            return with_limits(e.into_response(&path), verdict);
        }
        let endpoint = match route {
            Route::Endpoint(e) => e,
            Route::NotFound => {
                let e = ApiError::not_found("Resource", &path);
                return with_limits(e.into_response(&path), verdict);
            }
            Route::MethodNotAllowed => {
                let e = ApiError::method_not_allowed(parts.method.as_str(), &path);
                return with_limits(e.into_response(&path), verdict);
            }
        };
        let fault = sb.faults.roll(endpoint.exposure(), now);
        match fault {
            Some(Fault::ServerError(status)) => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let e = ApiError::unavailable(status);
                return with_limits(e.into_response(&path), verdict);
            }
            Some(Fault::Throttle) => {
                // Throttled as if the window were full, for a second: the
                // headers and `Retry-After` agree.
                let e = ApiError::too_many_requests(THROTTLED, faults::THROTTLE.as_secs());
                let full = Verdict {
                    remaining: 0,
                    reset: clock::unix_seconds(now + faults::THROTTLE),
                    ..verdict
                };
                return with_limits(e.into_response(&path), full);
            }
            _ => {}
        }
        (endpoint, fault, verdict)
    };

    // Outside the lock: the media types, and the body.
    if let Err(e) = versioned(&endpoint, &parts.method, &parts.headers) {
        return with_limits(e.into_response(&path), verdict);
    }
    let body = if matches!(
        endpoint,
        Endpoint::Create(_)
            | Endpoint::Replace(..)
            | Endpoint::UpdateMembers(_)
            | Endpoint::ReplaceAll(_)
    ) {
        match read(body).await {
            Ok(b) => b,
            Err(e) => return with_limits(e.into_response(&path), verdict),
        }
    } else {
        Bytes::new()
    };

    // Under the lock again: the endpoint.
    let now = Instant::now();
    let mut sb = shared.lock();
    sb.settle(now, false);
    let in_flight_before = sb.operations.in_flight();
    let result = if endpoint.is_write() {
        let w = Write {
            body: &body,
            fails: fault == Some(Fault::FailOperation),
            delay: shared.op_delay,
            now,
        };
        handlers::write(&mut sb, &endpoint, &w)
    } else {
        handlers::read(&mut sb, &endpoint, &parts.uri, now)
    };
    let mut response = result.unwrap_or_else(|e| e.into_response(&path));
    if fault == Some(Fault::LoseResponse) && response.status().is_success() {
        // The change is made; the client just never hears of it.
        sb.faults.count(Fault::LoseResponse);
        response = ApiError::unavailable(StatusCode::INTERNAL_SERVER_ERROR).into_response(&path);
    }
    let accepted = sb.operations.in_flight() > in_flight_before;
    shared.save_soon(&sb);
    drop(sb);
    if accepted {
        complete_later(shared, now + shared.op_delay);
    }
    with_limits(response, verdict)
}

fn unauthorized() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized")
        .detail("Valid authentication credentials required")
        .error(
            None,
            "UNAUTHORIZED",
            format!("A valid {API_KEY_HEADER} header is required"),
        )
}

/// Versioning by media type: a body must say what it is (415); a read must
/// accept exactly the resource's media type (406), `*/*` is not enough.
/// Deletes are not versioned, and `Accept` is optional where
/// `Content-Type` is given.
fn versioned(endpoint: &Endpoint, method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    let media_type = endpoint.media_type();
    let types = |name: HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .collect()
    };
    if matches!(*method, Method::POST | Method::PUT) {
        if types(header::CONTENT_TYPE).first().map(String::as_str) != Some(media_type) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported Media Type",
            )
            .error(
                None,
                "UNSUPPORTED_MEDIA_TYPE",
                format!("Content-Type must be {media_type}"),
            ));
        }
    } else if *method == Method::GET && !types(header::ACCEPT).iter().any(|t| t == media_type) {
        return Err(
            ApiError::new(StatusCode::NOT_ACCEPTABLE, "Not Acceptable").error(
                None,
                "NOT_ACCEPTABLE",
                format!("Accept must be {media_type}"),
            ),
        );
    }
    Ok(())
}

async fn read(body: Body) -> Result<Bytes, ApiError> {
    to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large").error(
            None,
            "BAD_REQUEST",
            format!("A body has at most {MAX_BODY_BYTES} bytes"),
        )
    })
}

/// Completes the operations due by `at` even if nobody asks in between, so
/// that the account (and its file) changes on time.
fn complete_later(shared: &Arc<Shared>, at: Instant) {
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        tokio::time::sleep_until(at.into()).await;
        let mut sb = shared.lock();
        sb.settle(Instant::now(), false);
        shared.save_soon(&sb);
    });
}

/// The rate-limit headers every response carries. They describe the rate
/// limits only: a `429` for too many operations in flight leaves them as
/// they are, and says when to come back in `Retry-After`.
fn with_limits(mut response: Response, v: Verdict) -> Response {
    let headers = response.headers_mut();
    headers.insert(RATE_LIMIT, HeaderValue::from(v.limit));
    headers.insert(RATE_REMAINING, HeaderValue::from(v.remaining));
    headers.insert(RATE_RESET, HeaderValue::from(v.reset));
    response
}
