//! Scrolls: the ids a list matched when it started, so that every page of
//! one scroll is consistent however the account changes meanwhile.
//!
//! A scroll id is opaque to clients: it names a scroll and a position in
//! it, so fetching the same page again (after a timeout, say) is safe.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use vocm_api::Collection;

/// How long a scroll lives after its last page was served.
pub const SCROLL_TTL: Duration = Duration::from_mins(5);

#[derive(Debug)]
pub struct Scroll {
    pub collection: Collection,
    /// Shared with the pages being served: a page does not copy them.
    pub ids: Arc<[String]>,
    pub filter: Option<String>,
    pub sort: Option<String>,
    pub page_size: usize,
    expires: Instant,
}

impl Scroll {
    pub fn new(
        collection: Collection,
        ids: Arc<[String]>,
        filter: Option<String>,
        sort: Option<String>,
        page_size: usize,
    ) -> Scroll {
        Scroll {
            collection,
            ids,
            filter,
            sort,
            page_size,
            expires: Instant::now() + SCROLL_TTL,
        }
    }
}

#[derive(Debug, Default)]
pub struct Scrolls {
    open: HashMap<String, Scroll>,
}

impl Scrolls {
    /// Keeps a new scroll under `key` (and forgets the expired ones).
    pub fn open(&mut self, key: &str, mut scroll: Scroll, now: Instant) {
        self.open.retain(|_, s| s.expires > now);
        scroll.expires = now + SCROLL_TTL;
        self.open.insert(key.to_owned(), scroll);
    }

    /// The scroll id of a position in a scroll.
    pub fn token(key: &str, offset: usize) -> String {
        URL_SAFE_NO_PAD.encode(format!("{key}:{offset}"))
    }

    /// The scroll and position a scroll id names, if it is still alive and
    /// belongs to `collection`; serving it keeps the scroll alive.
    pub fn resume(
        &mut self,
        token: &str,
        collection: Collection,
        now: Instant,
    ) -> Option<(String, usize, &Scroll)> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
        let (key, offset) = text.split_once(':')?;
        let offset = offset.parse::<usize>().ok()?;
        let scroll = self.open.get_mut(key)?;
        if scroll.expires <= now || scroll.collection != collection || offset > scroll.ids.len() {
            return None;
        }
        scroll.expires = now + SCROLL_TTL;
        Some((key.to_owned(), offset, scroll))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scroll_ids_name_a_live_scroll_and_a_position() {
        let mut s = Scrolls::default();
        let now = Instant::now();
        let ids: Arc<[String]> = Arc::from(["a".to_owned(), "b".to_owned()]);
        s.open("k", Scroll::new(Collection::Users, ids, None, None, 1), now);
        let t = Scrolls::token("k", 1);
        assert_eq!(s.resume(&t, Collection::Users, now).map(|r| r.1), Some(1));
        assert!(s.resume(&t, Collection::Sites, now).is_none());
        assert!(s.resume("garbage", Collection::Users, now).is_none());
        assert!(
            s.resume(&t, Collection::Users, now + SCROLL_TTL * 2)
                .is_none()
        );
    }
}
