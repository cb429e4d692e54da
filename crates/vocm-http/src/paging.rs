//! Lists: a collection page by page (pages of 1,000, following the scroll),
//! and the percent-encoding of what goes into a path or a query.

use reqwest::Method;
use serde_json::Value;

use vocm_api::{Collection, Page};
use vocm_core::diagnostics::Code;
use vocm_core::provider::ProviderError;

use crate::HttpProvider;
use crate::client::Failure;

impl HttpProvider {
    /// Every resource of a collection, page by page.
    pub(crate) fn list(&self, c: Collection) -> Result<Vec<Value>, ProviderError> {
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
        self.query(c, None, &format!("listing {}", c.path()))
    }

    /// Every resource of a collection that `filter` (RSQL) matches, page
    /// by page: later pages follow the scroll, which keeps the filter.
    pub(crate) fn query(
        &self,
        c: Collection,
        filter: Option<&str>,
        what: &str,
    ) -> Result<Vec<Value>, ProviderError> {
        let mut out = Vec::new();
        let mut path = format!("{}?pageSize={}", c.path(), vocm_api::MAX_PAGE_SIZE);
        if let Some(f) = filter {
            path = format!("{path}&filter={}", urlencode(f));
        }
        loop {
            let answer = self
                .client
                .idempotent(&Method::GET, &path, Some(c.media_type()), None)
                .map_err(|f| self.fail(&f, what))?;
            let page: Page = serde_json::from_value(answer.body).map_err(|e| {
                ProviderError::new(
                    Code::HttpRejected,
                    format!("{} answered a page that is not one: {e}", c.path()),
                    "is --endpoint the provisioning API?",
                )
            })?;
            out.extend(page.data);
            match page.pagination.next_scroll_id {
                Some(scroll) if page.pagination.has_more => {
                    // Opaque: it may hold `+`, `&`, `/` or `=`.
                    path = format!(
                        "{}?pageSize={}&scrollId={}",
                        c.path(),
                        vocm_api::MAX_PAGE_SIZE,
                        urlencode(&scroll)
                    );
                }
                _ => break,
            }
        }
        Ok(out)
    }
}

/// Percent-encodes an id or a query value.
pub(crate) fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
