//! What each endpoint does to the sandbox, once the request is known to be
//! authorised, within its limits and well versioned: lists and scrolls,
//! single reads, writes (answered with an operation, or at once for
//! addresses), operation polls and the benchmark counters.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Query;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse as _, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt as _;
use serde::Serialize;
use serde_json::{Map, Value, json};

use vocm_api::{
    Collection, DEFAULT_PAGE_SIZE, MAX_OPERATIONS_IN_FLIGHT, MAX_PAGE_SIZE, OPERATIONS_MEDIA_TYPE,
};

use super::account::Account;
use super::clock;
use super::faults::Fault;
use super::filter::Filter;
use super::operations::{Change, ChangeKind};
use super::phone;
use super::problem::ApiError;
use super::routes::Endpoint;
use super::rules;
use super::scroll::{Scroll, Scrolls};
use super::sort::Sort;
use super::state::{Sandbox, what};
use super::view;

/// What a write needs besides its endpoint.
#[derive(Debug)]
pub struct Write<'a> {
    pub body: &'a [u8],
    /// An injected fault: the operation fails.
    pub fails: bool,
    pub delay: Duration,
    pub now: Instant,
}

/// Runs a read endpoint.
pub fn read(
    sb: &mut Sandbox,
    endpoint: &Endpoint,
    uri: &Uri,
    now: Instant,
) -> Result<Response, ApiError> {
    match endpoint {
        Endpoint::List(c) => list(sb, *c, uri, now),
        Endpoint::Get(c, id) => get(sb, *c, id),
        Endpoint::Poll(id) => {
            let op = sb
                .operations
                .view(id, now)
                .ok_or_else(|| ApiError::not_found("Operation", id))?;
            let response = json_response(StatusCode::OK, OPERATIONS_MEDIA_TYPE, &op);
            Ok(with_retry_after(response, sb.operations.remaining(id, now)))
        }
        Endpoint::Stats => Ok(stats(sb)),
        Endpoint::Discovery => Ok(discovery()),
        Endpoint::UpdateMembers(_)
        | Endpoint::ReplaceAll(_)
        | Endpoint::Create(_)
        | Endpoint::Replace(..)
        | Endpoint::Delete(..) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Not a read",
        )),
    }
}

fn get(sb: &Sandbox, c: Collection, id: &str) -> Result<Response, ApiError> {
    let account = &sb.account;
    let value = if c == Collection::Licenses {
        licenses(account)
            .into_iter()
            .find(|l| l.get("name").and_then(Value::as_str) == Some(id))
    } else {
        account.get(c, id).map(|v| view::single(account, c, id, v))
    };
    let value = value.ok_or_else(|| ApiError::not_found(what(c), id))?;
    Ok(json_response(StatusCode::OK, c.media_type(), &value))
}

/// The license inventory as resources.
fn licenses(account: &Account) -> Vec<Value> {
    account
        .inventory
        .resources(|name| account.licenses_used(name))
}

/// Where a list starts: the ids it matched, and how it was asked for.
struct Start {
    key: Option<String>,
    offset: usize,
    page_size: usize,
    ids: Arc<[String]>,
    filter: Option<String>,
    sort: Option<String>,
}

/// A page of a list: the first of a new scroll, or the next of one.
fn list(sb: &mut Sandbox, c: Collection, uri: &Uri, now: Instant) -> Result<Response, ApiError> {
    let Query(params) = Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(|e| {
        ApiError::bad_request(
            "Bad Request",
            None,
            "BAD_REQUEST",
            format!("Malformed query: {e}"),
        )
    })?;
    let param = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    };
    let page_size = param("pageSize")
        .map(|s| match s.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(
                "Invalid page size",
                Some("pageSize"),
                "INVALID_PAGE_SIZE",
                format!("pageSize must be between 1 and {MAX_PAGE_SIZE}"),
            )),
        })
        .transpose()?;
    let inventory = if c == Collection::Licenses {
        licenses(&sb.account)
    } else {
        Vec::new()
    };
    if c.pages_by_number() {
        return numbered(
            sb,
            c,
            uri,
            param("pageNumber"),
            &inventory,
            param("filter"),
            param("sort"),
            page_size,
        );
    }
    let start = match param("scrollId") {
        Some(token) => resume(sb, c, token, param("filter"), param("sort"), now)?,
        None => first(sb, c, &inventory, param("filter"), param("sort"), page_size)?,
    };

    let size = page_size.unwrap_or(start.page_size);
    let ids = start.ids;
    let end = start.offset.saturating_add(size).min(ids.len());
    // Resources deleted since the scroll started are left out.
    let data: Vec<Value> = ids[start.offset..end]
        .iter()
        .filter_map(|id| {
            if c == Collection::Licenses {
                inventory
                    .iter()
                    .find(|l| l.get("name").and_then(Value::as_str) == Some(id))
                    .cloned()
            } else {
                let v = sb.account.get(c, id)?;
                Some(view::listed(&sb.account, c, id, v).into_owned())
            }
        })
        .collect();
    let has_more = end < ids.len();
    let next_scroll_id = if has_more {
        let key = start.key.unwrap_or_else(|| {
            let key = random_id();
            let scroll = Scroll::new(c, ids, start.filter.clone(), start.sort.clone(), size);
            sb.scrolls.open(&key, scroll, now);
            key
        });
        Some(Scrolls::token(&key, end))
    } else {
        None
    };
    let self_href = uri
        .path_and_query()
        .map_or_else(|| c.path().to_owned(), |p| p.as_str().to_owned());
    // The page as the reference's list pages are: `data`, `pagination`
    // and `_links`.
    let mut pagination = json!({"pageSize": size, "hasMore": has_more});
    if let Some(n) = &next_scroll_id {
        pagination["nextScrollId"] = json!(n);
    }
    if let Some(f) = &start.filter {
        pagination["filter"] = json!(f);
    }
    if let Some(s) = &start.sort {
        pagination["sort"] = json!(s);
    }
    let mut links = json!({"self": {"href": self_href}});
    if let Some(t) = &next_scroll_id {
        links["next"] = json!({"href": format!("{}?pageSize={size}&scrollId={t}", c.path())});
    }
    let page = json!({"data": data, "pagination": pagination, "_links": links});
    Ok(json_response(StatusCode::OK, c.media_type(), &page))
}

/// The fields the reference lets a list filter on, where its guide
/// restricts them.
fn reference_filter_fields(c: Collection) -> Option<&'static [&'static str]> {
    match c {
        Collection::Sites => Some(&["name"]),
        Collection::Addresses => Some(&["country", "state", "displayForm"]),
        _ => None,
    }
}

/// A page of a list paged by number (the reference's sites): `pageNumber`
/// from 0, no scroll; the page as the reference's example has it, without
/// links.
#[allow(clippy::too_many_arguments)]
fn numbered(
    sb: &Sandbox,
    c: Collection,
    uri: &Uri,
    number: Option<&str>,
    inventory: &[Value],
    filter: Option<&str>,
    sort: Option<&str>,
    page_size: Option<usize>,
) -> Result<Response, ApiError> {
    if uri.query().is_some_and(|q| q.contains("scrollId=")) {
        return Err(ApiError::bad_request(
            "Bad Request",
            Some("scrollId"),
            "BAD_REQUEST",
            "This list pages by pageNumber",
        ));
    }
    if sb.api == super::args::ApiMode::Reference
        && let Some(f) = filter
        && (!f.starts_with("name==") || f.contains([';', ',']))
    {
        // The site guide: only `name==`, no AND/OR.
        return Err(ApiError::bad_request(
            "Invalid filter format",
            Some("filter"),
            "VALIDATION_ERROR",
            "Only filtering by name with '==' is supported",
        ));
    }
    let number = match number.map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            return Err(ApiError::bad_request(
                "Bad Request",
                Some("pageNumber"),
                "BAD_REQUEST",
                "pageNumber must be a number from 0",
            ));
        }
    };
    let start = first(sb, c, inventory, filter, sort, page_size)?;
    let size = start.page_size;
    let from = number.saturating_mul(size).min(start.ids.len());
    let end = from.saturating_add(size).min(start.ids.len());
    let data: Vec<Value> = start.ids[from..end]
        .iter()
        .filter_map(|id| {
            let v = sb.account.get(c, id)?;
            Some(view::listed(&sb.account, c, id, v).into_owned())
        })
        .collect();
    let page = json!({
        "data": data,
        "pagination": {"pageSize": size, "pageNumber": number, "hasMore": end < start.ids.len()},
    });
    Ok(json_response(StatusCode::OK, c.media_type(), &page))
}

/// The next page of a scroll. Its filter and sort were fixed when it
/// started: giving them again is refused, as the reference refuses it.
fn resume(
    sb: &mut Sandbox,
    c: Collection,
    token: &str,
    filter: Option<&str>,
    sort: Option<&str>,
    now: Instant,
) -> Result<Start, ApiError> {
    if filter.is_some() || sort.is_some() {
        return Err(ApiError::bad_request(
            "Conflicting query parameters",
            None,
            "CONFLICTING_QUERY_PARAMETER",
            "Cannot use scrollId with other first-page query parameters",
        ));
    }
    let (key, offset, scroll) = sb.scrolls.resume(token, c, now).ok_or_else(|| {
        ApiError::bad_request(
            "Scroll expired",
            Some("scrollId"),
            "SCROLL_EXPIRED",
            "The scroll identifier is unknown or expired; start the list again",
        )
    })?;
    Ok(Start {
        key: Some(key),
        offset,
        page_size: scroll.page_size,
        ids: Arc::clone(&scroll.ids),
        filter: scroll.filter.clone(),
        sort: scroll.sort.clone(),
    })
}

/// The first page: what matches now, in the order asked for.
fn first(
    sb: &Sandbox,
    c: Collection,
    inventory: &[Value],
    filter: Option<&str>,
    sort: Option<&str>,
    page_size: Option<usize>,
) -> Result<Start, ApiError> {
    let parsed_filter = filter.map(Filter::parse).transpose().map_err(|m| {
        ApiError::bad_request("Invalid Filter", Some("filter"), "INVALID_FILTER", m)
    })?;
    if sb.api == super::args::ApiMode::Reference
        && let Some(f) = &parsed_filter
        && let Some(allowed) = reference_filter_fields(c)
        && let Some(field) = f.fields().find(|x| !allowed.contains(&x.as_str()))
    {
        // Only the fields the reference's guide lists.
        return Err(ApiError::bad_request(
            "Invalid filter format",
            Some("filter"),
            "INVALID_FILTER",
            format!(
                "Invalid filter field: {field}. Supported fields: {}",
                allowed.join(", ")
            ),
        ));
    }
    let parsed_sort = sort
        .map(Sort::parse)
        .transpose()
        .map_err(|m| ApiError::bad_request("Invalid Sort", Some("sort"), "INVALID_SORT", m))?;
    let all: Vec<(&str, Cow<'_, Value>)> = if c == Collection::Licenses {
        inventory
            .iter()
            .map(|l| {
                let name = l.get("name").and_then(Value::as_str).unwrap_or_default();
                (name, Cow::Borrowed(l))
            })
            .collect()
    } else {
        sb.account
            .iter(c)
            .map(|(id, v)| (id.as_str(), view::listed(&sb.account, c, id, v)))
            .collect()
    };
    let mut matched: Vec<&(&str, Cow<'_, Value>)> = all
        .iter()
        .filter(|(_, v)| parsed_filter.as_ref().is_none_or(|f| f.matches(v)))
        .collect();
    if let Some(s) = &parsed_sort {
        matched.sort_by(|a, b| s.compare(&a.1, &b.1));
    }
    Ok(Start {
        key: None,
        offset: 0,
        page_size: page_size.unwrap_or(DEFAULT_PAGE_SIZE),
        ids: matched.iter().map(|(id, _)| (*id).to_owned()).collect(),
        filter: filter.map(str::to_owned),
        sort: sort.map(str::to_owned),
    })
}

/// Runs a write endpoint.
pub fn write(sb: &mut Sandbox, endpoint: &Endpoint, w: &Write<'_>) -> Result<Response, ApiError> {
    if let Endpoint::Create(c) | Endpoint::Replace(c, _) = endpoint
        && c.is_reference()
    {
        let body: Value = serde_json::from_slice(w.body).unwrap_or(Value::Null);
        if let Some(field) = rules::extension_field(&body) {
            // The reference has no such field: a client that sends one
            // would be refused by the real API.
            return Err(ApiError::validation(
                &field,
                format!("Unknown field {field}"),
            ));
        }
    }
    match endpoint {
        Endpoint::Replace(Collection::Users, _) if sb.api == super::args::ApiMode::Reference => Err(
            ApiError::new(StatusCode::NOT_IMPLEMENTED, "Not Implemented").detail(
                "PUT /users/{userId} is not implemented in v1.0: delete and create the user again",
            ),
        ),
        Endpoint::ReplaceAll(c) => {
            // Many extras entries at once, each created or replaced.
            let body = object(w.body)?;
            let Some(Value::Array(entries)) = body.get("data") else {
                return Err(ApiError::validation("data", "must be an array of entries"));
            };
            let mut stored = Vec::with_capacity(entries.len());
            for (i, e) in entries.iter().enumerate() {
                let Some(mut entry) = e.as_object().cloned() else {
                    return Err(ApiError::validation(
                        &format!("data[{i}]"),
                        "must be an object",
                    ));
                };
                let Some(id) = entry.get("id").and_then(Value::as_str).map(str::to_owned) else {
                    return Err(ApiError::validation(
                        &format!("data[{i}].id"),
                        "must not be blank",
                    ));
                };
                let old = sb.account.get(*c, &id).cloned();
                rules::own(*c, &id, &mut entry, old.as_ref(), &clock::timestamp())?;
                stored.push((id, Value::Object(entry)));
            }
            for (id, v) in stored {
                sb.account.put(*c, id, v);
            }
            sb.changed = true;
            Ok(json_response(
                StatusCode::OK,
                c.media_type(),
                &json!({"data": entries.len()}),
            ))
        }
        Endpoint::Replace(Collection::Extras, id) => {
            // Synchronous, like addresses: a `PUT` creates or replaces.
            let old = sb.account.get(Collection::Extras, id).cloned();
            let mut body = object(w.body)?;
            rules::own(
                Collection::Extras,
                id,
                &mut body,
                old.as_ref(),
                &clock::timestamp(),
            )?;
            let value = Value::Object(body);
            let response = json_response(StatusCode::OK, Collection::Extras.media_type(), &value);
            sb.account.put(Collection::Extras, id.clone(), value);
            sb.changed = true;
            Ok(response)
        }
        Endpoint::Create(Collection::Addresses) => post_address(sb, w),
        Endpoint::Delete(Collection::Addresses, id) => {
            if !sb.account.contains(Collection::Addresses, id) {
                return Err(ApiError::not_found("Address", id));
            }
            rules::check_delete(&sb.account, Collection::Addresses, id)?;
            sb.account.remove(Collection::Addresses, id);
            sb.changed = true;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Endpoint::Create(c) => {
            in_flight_room(sb, w.now)?;
            let mut body = object(w.body)?;
            // A claim (an extension) adds a number the account holds.
            let c = &if *c == Collection::NumberClaims {
                Collection::PhoneNumbers
            } else {
                *c
            };
            let id = if *c == Collection::PhoneNumbers {
                claimed_number(sb, &body)?
            } else {
                random_id()
            };
            rules::own(*c, &id, &mut body, None, &clock::timestamp())?;
            let value = Value::Object(body);
            rules::check(&sb.account, *c, &id, &value, None)?;
            let change = Change {
                collection: *c,
                kind: ChangeKind::Create,
                id,
                value: Some(value),
            };
            Ok(accept(sb, change, w))
        }
        Endpoint::Replace(c, id) => {
            in_flight_room(sb, w.now)?;
            let old = sb.account.get(*c, id);
            if old.is_none() && *c != Collection::Account {
                return Err(ApiError::not_found(what(*c), id));
            }
            let mut body = object(w.body)?;
            rules::own(*c, id, &mut body, old, &clock::timestamp())?;
            let value = Value::Object(body);
            rules::check(&sb.account, *c, id, &value, old)?;
            let kind = if old.is_some() {
                ChangeKind::Update
            } else {
                ChangeKind::Create
            };
            let change = Change {
                collection: *c,
                kind,
                id: id.clone(),
                value: Some(value),
            };
            Ok(accept(sb, change, w))
        }
        Endpoint::Delete(c, id) => {
            in_flight_room(sb, w.now)?;
            if sb.account.contains(*c, id) {
                rules::check_delete(&sb.account, *c, id)?;
            } else if *c == Collection::Sites {
                return Err(ApiError::not_found("Site", id));
            }
            let change = Change {
                collection: *c,
                kind: ChangeKind::Delete,
                id: id.clone(),
                value: None,
            };
            Ok(accept(sb, change, w))
        }
        Endpoint::UpdateMembers(id) => {
            in_flight_room(sb, w.now)?;
            let c = Collection::RingGroups;
            let old = sb
                .account
                .get(c, id)
                .ok_or_else(|| ApiError::not_found(what(c), id))?;
            let delta = object(w.body)?;
            let value = super::members::update_members(old, &delta)?;
            rules::check(&sb.account, c, id, &value, Some(old))?;
            let change = Change {
                collection: c,
                kind: ChangeKind::Update,
                id: id.clone(),
                value: Some(value),
            };
            Ok(accept(sb, change, w))
        }
        Endpoint::Stats
        | Endpoint::Discovery
        | Endpoint::Poll(_)
        | Endpoint::List(_)
        | Endpoint::Get(..) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Not a write",
        )),
    }
}

/// What the extended sandbox offers beyond the reference: every extension
/// collection, and user updates.
fn discovery() -> Response {
    let extensions: Vec<&str> = Collection::ALL
        .into_iter()
        .filter(|c| !c.is_reference())
        .map(Collection::path)
        .collect();
    json_response(
        StatusCode::OK,
        vocm_api::DISCOVERY_MEDIA_TYPE,
        &json!({"extensions": extensions, "userUpdates": true}),
    )
}

/// The number a claim names: E.164, and not one the account holds.
fn claimed_number(sb: &Sandbox, body: &Map<String, Value>) -> Result<String, ApiError> {
    let n = body
        .get("phoneNumber")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !phone::is_e164(n) {
        return Err(ApiError::validation(
            "phoneNumber",
            format!("Invalid phone number {n}: E.164 (+ and digits) is expected"),
        ));
    }
    if sb.account.contains(Collection::PhoneNumbers, n) {
        return Err(ApiError::conflict(
            "phoneNumber",
            format!("Phone number {n} is already held by the account"),
        ));
    }
    Ok(n.to_owned())
}

/// Addresses are immutable and created at once; posting one equal to an
/// existing address answers that one.
fn post_address(sb: &mut Sandbox, w: &Write<'_>) -> Result<Response, ApiError> {
    let c = Collection::Addresses;
    let mut body = object(w.body)?;
    let content = rules::address_content(&body);
    let same = sb.account.values(c).find(|a| {
        a.as_object()
            .is_some_and(|a| rules::address_content(a) == content)
    });
    if let Some(existing) = same {
        return Ok(json_response(StatusCode::OK, c.media_type(), existing));
    }
    let id = uuid();
    rules::own(c, &id, &mut body, None, &clock::timestamp())?;
    let value = Value::Object(body);
    rules::check(&sb.account, c, &id, &value, None)?;
    let response = json_response(StatusCode::OK, c.media_type(), &value);
    sb.account.put(c, id, value);
    sb.changed = true;
    Ok(response)
}

/// At most `MAX_OPERATIONS_IN_FLIGHT` operations at once.
fn in_flight_room(sb: &Sandbox, now: Instant) -> Result<(), ApiError> {
    if sb.operations.in_flight() < MAX_OPERATIONS_IN_FLIGHT {
        return Ok(());
    }
    let wait = sb
        .operations
        .next_due()
        .map_or(1, |due| clock::seconds_until(due, now));
    Err(
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests")
            .detail(format!(
                "At most {MAX_OPERATIONS_IN_FLIGHT} operations may be in flight"
            ))
            .error(
                None,
                "TOO_MANY_OPERATIONS",
                format!(
                    "{MAX_OPERATIONS_IN_FLIGHT} operations are in flight; wait for one to complete"
                ),
            )
            .retry_after(wait),
    )
}

/// Records an operation, completes it at once when there is no delay, and
/// answers it as it stands.
fn accept(sb: &mut Sandbox, change: Change, w: &Write<'_>) -> Response {
    let c = change.collection;
    let operation_id = format!("op_{}", rules::hex(&rand::rng().random::<[u8; 12]>()));
    sb.operations
        .accept(&operation_id, change, w.now, w.delay, w.fails);
    if w.fails {
        sb.faults.count(Fault::FailOperation);
    }
    sb.changed = true;
    if w.delay.is_zero() {
        sb.settle(w.now, false);
    }
    let response = match sb.operations.view(&operation_id, w.now) {
        Some(op) => json_response(StatusCode::ACCEPTED, c.media_type(), &op),
        None => StatusCode::ACCEPTED.into_response(),
    };
    with_retry_after(response, sb.operations.remaining(&operation_id, w.now))
}

/// Says when a pending operation ends: `Retry-After` in seconds, with
/// milliseconds (the sandbox's operations may end within a second; a
/// client that reads whole seconds only rounds it).
fn with_retry_after(mut response: Response, remaining: Option<Duration>) -> Response {
    if let Some(r) = remaining
        && let Ok(v) = HeaderValue::from_str(&format!("{:.3}", r.as_secs_f64()))
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// The body of a write: a JSON object.
fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request(
            "Malformed request body",
            None,
            "BAD_REQUEST",
            "The body must be a JSON object",
        )),
        Err(e) => Err(ApiError::bad_request(
            "Malformed request body",
            None,
            "BAD_REQUEST",
            format!("The body is not JSON: {e}"),
        )),
    }
}

/// The benchmark counters, with the account's size.
pub fn stats(sb: &Sandbox) -> Response {
    let mut v = serde_json::to_value(&sb.stats).unwrap_or_else(|_| json!({}));
    if let Some(map) = v.as_object_mut() {
        map.insert("faults".into(), json!(sb.faults.counts));
        map.insert(
            "operations".into(),
            json!({
                "inFlight": sb.operations.in_flight(),
                "remembered": sb.operations.records().count(),
            }),
        );
        let resources: Map<String, Value> = Collection::ALL
            .into_iter()
            .filter(|c| *c != Collection::Licenses)
            .map(|c| (c.resource_type().to_owned(), json!(sb.account.len(c))))
            .collect();
        map.insert("resources".into(), Value::Object(resources));
    }
    json_response(StatusCode::OK, "application/json", &v)
}

pub fn json_response(
    status: StatusCode,
    media_type: &'static str,
    body: &impl Serialize,
) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    response
}

/// A reference-style id: 16 random bytes, base64url.
fn random_id() -> String {
    URL_SAFE_NO_PAD.encode(rand::rng().random::<[u8; 16]>())
}

/// A random (version 4) UUID, as the reference's address ids.
fn uuid() -> String {
    let mut b: [u8; 16] = rand::rng().random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = rules::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}
