//! Which endpoint a request is for: its method and path, resolved against
//! the API's collections.

use axum::http::Method;

use vocm_api::{Collection, OPERATIONS_MEDIA_TYPE, OPERATIONS_PATH};

use super::account::ACCOUNT_ID;
use super::faults::Exposure;
use super::stats::Kind;

/// The benchmark counters' path: not part of the API.
pub const STATS_PATH: &str = "/_sandbox/stats";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Stats,
    /// `GET /vocm` *(extension)*: what the server offers.
    Discovery,
    /// `POST /ring-groups/{id}/update-members`: a member delta.
    UpdateMembers(String),
    /// `PUT /vocm/extras` *(extension)*: many extras entries at once.
    ReplaceAll(Collection),
    Poll(String),
    List(Collection),
    Get(Collection, String),
    Create(Collection),
    Replace(Collection, String),
    Delete(Collection, String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Endpoint(Endpoint),
    NotFound,
    MethodNotAllowed,
}

impl Route {
    pub fn resolve(method: &Method, path: &str) -> Route {
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        if path == STATS_PATH {
            return only_get(method, Endpoint::Stats);
        }
        if path == vocm_api::DISCOVERY_PATH {
            return only_get(method, Endpoint::Discovery);
        }
        if let Some(raw) = path
            .strip_prefix(Collection::RingGroups.path())
            .and_then(|r| r.strip_prefix('/'))
            .and_then(|r| r.strip_suffix(&format!("/{}", vocm_api::UPDATE_MEMBERS)))
        {
            return match (segment(raw), method) {
                (Some(id), &Method::POST) => Route::Endpoint(Endpoint::UpdateMembers(id)),
                (Some(_), _) => Route::MethodNotAllowed,
                (None, _) => Route::NotFound,
            };
        }
        if let Some(raw) = path
            .strip_prefix(OPERATIONS_PATH)
            .and_then(|r| r.strip_prefix('/'))
        {
            return match segment(raw) {
                Some(id) => only_get(method, Endpoint::Poll(id)),
                None => Route::NotFound,
            };
        }
        // The account's settings are one resource, at the collection's path.
        if path == Collection::Account.path() {
            let id = ACCOUNT_ID.to_owned();
            return match *method {
                Method::GET => Route::Endpoint(Endpoint::Get(Collection::Account, id)),
                Method::PUT => Route::Endpoint(Endpoint::Replace(Collection::Account, id)),
                _ => Route::MethodNotAllowed,
            };
        }
        for c in Collection::ALL {
            if c == Collection::Account {
                continue;
            }
            if path == c.path() {
                return match *method {
                    // Claims are written, never listed: the numbers are.
                    Method::GET if c != Collection::NumberClaims => {
                        Route::Endpoint(Endpoint::List(c))
                    }
                    Method::PUT if c == Collection::Extras => {
                        Route::Endpoint(Endpoint::ReplaceAll(c))
                    }
                    // The reference lists numbers and cannot claim them;
                    // extras are written by id.
                    Method::POST
                        if !matches!(
                            c,
                            Collection::Licenses | Collection::PhoneNumbers | Collection::Extras
                        ) =>
                    {
                        Route::Endpoint(Endpoint::Create(c))
                    }
                    _ => Route::MethodNotAllowed,
                };
            }
            let Some(raw) = path
                .strip_prefix(c.path())
                .and_then(|r| r.strip_prefix('/'))
            else {
                continue;
            };
            let Some(id) = segment(raw) else {
                return Route::NotFound;
            };
            return match *method {
                Method::GET => Route::Endpoint(Endpoint::Get(c, id)),
                // Addresses are immutable; licenses are read-only; the
                // reference's numbers are read-only (their usage is in the
                // extras).
                Method::PUT
                    if !matches!(
                        c,
                        Collection::Addresses
                            | Collection::Licenses
                            | Collection::PhoneNumbers
                            | Collection::NumberClaims
                    ) =>
                {
                    Route::Endpoint(Endpoint::Replace(c, id))
                }
                // vocm never releases a number.
                Method::DELETE
                    if !matches!(
                        c,
                        Collection::PhoneNumbers
                            | Collection::Licenses
                            | Collection::NumberClaims
                            | Collection::Extras
                    ) =>
                {
                    Route::Endpoint(Endpoint::Delete(c, id))
                }
                _ => Route::MethodNotAllowed,
            };
        }
        Route::NotFound
    }
}

impl Route {
    /// Whether the route is one of vocm's extensions (not served by a
    /// reference-only sandbox).
    #[must_use]
    pub fn is_extension(&self) -> bool {
        match self {
            Route::Endpoint(Endpoint::Discovery) => true,
            Route::Endpoint(
                Endpoint::List(c)
                | Endpoint::Get(c, _)
                | Endpoint::Create(c)
                | Endpoint::Replace(c, _)
                | Endpoint::Delete(c, _)
                | Endpoint::ReplaceAll(c),
            ) => !c.is_reference(),
            _ => false,
        }
    }
}

fn only_get(method: &Method, e: Endpoint) -> Route {
    if *method == Method::GET {
        Route::Endpoint(e)
    } else {
        Route::MethodNotAllowed
    }
}

/// One path segment, percent-decoded (a number's `+` may come as `%2B`).
fn segment(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .ok()
        .filter(|s| !s.is_empty() && !s.contains('/'))
}

impl Endpoint {
    /// The collection it belongs to, if any.
    pub fn collection(&self) -> Option<Collection> {
        match self {
            Endpoint::Stats | Endpoint::Poll(_) | Endpoint::Discovery => None,
            Endpoint::UpdateMembers(_) => Some(Collection::RingGroups),
            Endpoint::ReplaceAll(c)
            | Endpoint::List(c)
            | Endpoint::Get(c, _)
            | Endpoint::Create(c)
            | Endpoint::Replace(c, _)
            | Endpoint::Delete(c, _) => Some(*c),
        }
    }

    /// The versioned media type of its bodies.
    pub fn media_type(&self) -> &'static str {
        match self {
            Endpoint::Discovery => return vocm_api::DISCOVERY_MEDIA_TYPE,
            Endpoint::UpdateMembers(_) => return vocm_api::UPDATE_MEMBERS_MEDIA_TYPE,
            _ => {}
        }
        self.collection()
            .map_or(OPERATIONS_MEDIA_TYPE, Collection::media_type)
    }

    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Endpoint::Create(_)
                | Endpoint::Replace(..)
                | Endpoint::Delete(..)
                | Endpoint::UpdateMembers(_)
                | Endpoint::ReplaceAll(_)
        )
    }

    /// Whether it answers with an operation (addresses and extras answer
    /// at once).
    pub fn is_async_write(&self) -> bool {
        self.is_write()
            && !matches!(
                self.collection(),
                Some(Collection::Addresses | Collection::Extras)
            )
    }

    pub fn exposure(&self) -> Exposure {
        if self.is_async_write() {
            Exposure::AsyncWrite
        } else if self.is_write() {
            Exposure::SyncWrite
        } else {
            Exposure::Read
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Endpoint::Poll(_) => Kind::Poll,
            e if e.is_write() => Kind::Write,
            _ => Kind::Read,
        }
    }
}

/// The kind of a request that matched no endpoint, for the counters.
pub fn kind_of(method: &Method) -> Kind {
    if matches!(*method, Method::POST | Method::PUT | Method::DELETE) {
        Kind::Write
    } else {
        Kind::Read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_endpoints() {
        let r = |m: Method, p: &str| Route::resolve(&m, p);
        let e = |e: Endpoint| Route::Endpoint(e);
        assert_eq!(
            r(Method::GET, "/users"),
            e(Endpoint::List(Collection::Users))
        );
        // The reference's numbers are read-only; claims and extras are
        // the extensions'.
        assert_eq!(
            r(Method::PUT, "/phone-numbers/%2B14155550100"),
            Route::MethodNotAllowed
        );
        assert_eq!(r(Method::POST, "/phone-numbers"), Route::MethodNotAllowed);
        assert_eq!(
            r(Method::POST, "/vocm/phone-numbers"),
            e(Endpoint::Create(Collection::NumberClaims))
        );
        assert_eq!(
            r(Method::PUT, "/vocm/extras/USER:abc"),
            e(Endpoint::Replace(Collection::Extras, "USER:abc".into()))
        );
        assert_eq!(r(Method::GET, "/vocm"), e(Endpoint::Discovery));
        assert_eq!(
            r(Method::POST, "/ring-groups/g1/update-members"),
            e(Endpoint::UpdateMembers("g1".into()))
        );
        assert_eq!(
            r(Method::GET, "/vocm/account"),
            e(Endpoint::Get(Collection::Account, "account".into()))
        );
        assert_eq!(
            r(Method::DELETE, "/phone-numbers/+1"),
            Route::MethodNotAllowed
        );
        assert_eq!(r(Method::PUT, "/addresses/a"), Route::MethodNotAllowed);
        assert_eq!(r(Method::POST, "/vocm/licenses"), Route::MethodNotAllowed);
        assert_eq!(r(Method::GET, "/users/a/b"), Route::NotFound);
        assert_eq!(r(Method::GET, "/nope"), Route::NotFound);
        assert_eq!(r(Method::GET, "/vocm/account/x"), Route::NotFound);
        assert_eq!(
            r(Method::GET, "/operations/op_1"),
            e(Endpoint::Poll("op_1".into()))
        );
        assert_eq!(r(Method::GET, "/_sandbox/stats"), e(Endpoint::Stats));
        assert_eq!(
            r(Method::GET, "/vocm/devices/"),
            e(Endpoint::List(Collection::Devices))
        );
    }
}
