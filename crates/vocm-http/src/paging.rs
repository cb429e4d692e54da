//! Lists: a collection page by page, each the way its API pages it (sites
//! by `pageNumber`, the others by scroll id), and the percent-encoding of
//! what goes into a path or a query.
//!
//! A list that does not end is an error, found within a few pages: a
//! scroll id seen before, a page number that does not move on, a page that
//! answers the previous one again, or an empty page that says there is
//! more. An expired scroll starts the list again, once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::Method;
use serde_json::Value;

use vocm_api::{Collection, Page};
use vocm_core::diagnostics::Code;
use vocm_core::provider::ProviderError;

use crate::HttpProvider;
use crate::client::Failure;

/// Where the next page is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Next {
    Scroll(String),
    Number(usize),
}

impl HttpProvider {
    /// Every resource of a collection, page by page.
    pub(crate) fn list(&self, c: Collection) -> Result<Vec<Value>, ProviderError> {
        self.list_until(c, &AtomicBool::new(false))
    }

    /// Every resource of a collection, page by page; stops (with an
    /// error) once `stop` is set: another read of the account failed.
    pub(crate) fn list_until(
        &self,
        c: Collection,
        stop: &AtomicBool,
    ) -> Result<Vec<Value>, ProviderError> {
        if c == Collection::Account {
            return match self
                .client
                .idempotent(&Method::GET, c.path(), Some(c.media_type()), None)
            {
                Ok(a) => Ok(vec![a.body]),
                Err(Failure::Rejected(404, _)) => Ok(Vec::new()),
                Err(f) => Err(self.fail(&f, "reading the account's settings")),
            };
        }
        self.pages(c, None, &format!("listing {}", c.path()), stop)
    }

    /// Every resource of a collection that `filter` (RSQL) matches, page
    /// by page.
    pub(crate) fn query(
        &self,
        c: Collection,
        filter: Option<&str>,
        what: &str,
    ) -> Result<Vec<Value>, ProviderError> {
        self.pages(c, filter, what, &AtomicBool::new(false))
    }

    fn pages(
        &self,
        c: Collection,
        filter: Option<&str>,
        what: &str,
        stop: &AtomicBool,
    ) -> Result<Vec<Value>, ProviderError> {
        let mut restarted = false;
        'list: loop {
            let mut out = Vec::new();
            let mut seen = HashSet::new();
            let mut previous_first: Option<Value> = None;
            let mut next: Option<Next> = None;
            loop {
                if stop.load(Ordering::Relaxed) {
                    return Err(ProviderError::new(
                        Code::HttpUnreachable,
                        format!("{what}: stopped, another read failed"),
                        "see the other error",
                    ));
                }
                let path = page_path(c, filter, next.as_ref());
                let answer =
                    match self
                        .client
                        .idempotent(&Method::GET, &path, Some(c.media_type()), None)
                    {
                        Ok(a) => a,
                        // An extension the server listed but does not serve:
                        // not offered, which is not the same as empty.
                        Err(Failure::Rejected(404, _)) if next.is_none() && !c.is_reference() => {
                            self.withdraw(c);
                            return Err(ProviderError::new(
                                Code::HttpRejected,
                                format!("{} is not offered", c.path()),
                                NOT_OFFERED,
                            ));
                        }
                        Err(f) if !restarted && next.is_some() && expired(&f) => {
                            // Scrolls live minutes: a slow read starts again.
                            restarted = true;
                            continue 'list;
                        }
                        Err(f) => return Err(self.fail(&f, what)),
                    };
                let page: Page = serde_json::from_value(answer.body).map_err(|e| {
                    ProviderError::new(
                        Code::HttpRejected,
                        format!("{} answered a page that is not one: {e}", c.path()),
                        "is --endpoint the provisioning API?",
                    )
                })?;
                let first = page.data.first().cloned();
                let stalled = page.pagination.has_more
                    && (page.data.is_empty() || (first.is_some() && first == previous_first));
                let following = if !page.pagination.has_more {
                    None
                } else if c.pages_by_number() {
                    // The page asked for, not the one the answer claims:
                    // a server that keeps saying 0 still moves on.
                    let at = match &next {
                        Some(Next::Number(n)) => *n,
                        _ => 0,
                    };
                    Some(Next::Number(at + 1))
                } else {
                    match page.pagination.next_scroll_id.clone() {
                        Some(s) if seen.insert(s.clone()) => Some(Next::Scroll(s)),
                        Some(s) => {
                            return Err(endless(
                                c,
                                &format!("it answered scroll id `{s}` a second time"),
                            ));
                        }
                        None => {
                            return Err(endless(
                                c,
                                "it said there was more but gave no scroll id to follow",
                            ));
                        }
                    }
                };
                if stalled {
                    return Err(endless(
                        c,
                        "it answered the same page again and said there was more",
                    ));
                }
                out.extend(page.data);
                previous_first = first;
                match following {
                    Some(n) => next = Some(n),
                    None => return Ok(out),
                }
            }
        }
    }
}

/// The help of the error a list not offered gives: the read leaves the
/// collection out instead of failing.
pub(crate) const NOT_OFFERED: &str = "not offered by the server";

/// The path of a list's page.
fn page_path(c: Collection, filter: Option<&str>, next: Option<&Next>) -> String {
    let size = vocm_api::MAX_PAGE_SIZE;
    let filter = filter.map_or_else(String::new, |f| format!("&filter={}", urlencode(f)));
    match next {
        // A scroll keeps the filter it started with; the reference refuses
        // both at once.
        Some(Next::Scroll(s)) => format!("{}?pageSize={size}&scrollId={}", c.path(), urlencode(s)),
        Some(Next::Number(n)) => format!("{}?pageSize={size}&pageNumber={n}{filter}", c.path()),
        None => format!("{}?pageSize={size}{filter}", c.path()),
    }
}

fn expired(f: &Failure) -> bool {
    matches!(f, Failure::Rejected(400, Some(p))
        if p.errors.iter().any(|e| e.code == "SCROLL_EXPIRED")
            || p.title.to_ascii_uppercase().contains("SCROLL"))
}

fn endless(c: Collection, why: &str) -> ProviderError {
    ProviderError::new(
        Code::HttpPaging,
        format!("the list of {} does not end: {why}", c.path()),
        "the API's pagination is broken; nothing was changed — report it to the API's operator, then plan again",
    )
}

/// Percent-encodes an id or a query value.
pub(crate) fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_page_by_number_and_keep_their_filter() {
        assert_eq!(
            page_path(Collection::Sites, Some("name==A"), Some(&Next::Number(2))),
            "/sites?pageSize=1000&pageNumber=2&filter=name%3D%3DA"
        );
        assert_eq!(
            page_path(Collection::Users, None, Some(&Next::Scroll("a+b".into()))),
            "/users?pageSize=1000&scrollId=a%2Bb"
        );
    }
}
