//! The account the sandbox serves: every collection's resources as JSON,
//! in creation order, and the license inventory.
//!
//! Resources stay `serde_json::Value`: fields the sandbox does not know
//! must survive a round trip untouched, as they do on the real API. What
//! they claim (names, keys, extensions…) is indexed as they are stored.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::Value;

use vocm_api::Collection;

use super::claims::{Claim, claims};
use super::licenses::Inventory;

/// The id of the one account-settings resource.
pub const ACCOUNT_ID: &str = "account";

/// A resource: its collection and id.
pub type Holder = (Collection, String);

#[derive(Debug, Default)]
pub struct Account {
    resources: HashMap<Collection, IndexMap<String, Value>>,
    /// Who holds each claim.
    holders: HashMap<Claim, HashSet<Holder>>,
    pub inventory: Inventory,
}

impl Account {
    pub fn get(&self, c: Collection, id: &str) -> Option<&Value> {
        self.resources.get(&c)?.get(id)
    }

    pub fn contains(&self, c: Collection, id: &str) -> bool {
        self.get(c, id).is_some()
    }

    /// A collection's resources, oldest first.
    pub fn iter(&self, c: Collection) -> impl Iterator<Item = (&String, &Value)> {
        self.resources.get(&c).into_iter().flatten()
    }

    /// A collection's resources, without their ids.
    pub fn values(&self, c: Collection) -> impl Iterator<Item = &Value> {
        self.iter(c).map(|(_, v)| v)
    }

    pub fn len(&self, c: Collection) -> usize {
        self.resources.get(&c).map_or(0, IndexMap::len)
    }

    /// Adds or replaces a resource; a replaced one keeps its place.
    pub fn put(&mut self, c: Collection, id: String, value: Value) {
        if let Some(old) = self.resources.get(&c).and_then(|m| m.get(&id)) {
            let old = claims(c, old);
            self.release(c, &id, old);
        }
        for claim in claims(c, &value) {
            self.holders
                .entry(claim)
                .or_default()
                .insert((c, id.clone()));
        }
        self.resources.entry(c).or_default().insert(id, value);
    }

    pub fn remove(&mut self, c: Collection, id: &str) -> Option<Value> {
        let old = self.resources.get_mut(&c)?.shift_remove(id)?;
        self.release(c, id, claims(c, &old));
        Some(old)
    }

    fn release(&mut self, c: Collection, id: &str, claims: Vec<Claim>) {
        let holder = (c, id.to_owned());
        for claim in claims {
            if let Some(h) = self.holders.get_mut(&claim) {
                h.remove(&holder);
                if h.is_empty() {
                    self.holders.remove(&claim);
                }
            }
        }
    }

    /// The resources holding a claim.
    pub fn holders<'a>(&'a self, claim: &Claim) -> impl Iterator<Item = &'a Holder> + use<'a> {
        self.holders.get(claim).into_iter().flatten()
    }

    /// Whether a resource other than `(c, id)` holds a claim.
    pub fn held_by_other(&self, claim: &Claim, c: Collection, id: &str) -> bool {
        self.holders(claim)
            .any(|(hc, hid)| !(*hc == c && hid == id))
    }

    /// The resource's id, where its collection keeps it.
    pub fn id_of(c: Collection, value: &Value) -> Option<String> {
        match value.pointer(c.id_pointer())? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        }
    }

    /// How many users hold a license of this name.
    pub fn licenses_used(&self, name: &str) -> u64 {
        self.holders(&Claim::License(name.to_owned())).count() as u64
    }
}

/// The names of a user's licenses (`serviceInfo.licenses[].name`).
pub fn license_names(user: &Value) -> impl Iterator<Item = &str> {
    user.pointer("/serviceInfo/licenses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| l.get("name").and_then(Value::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_follow_puts_and_removes() {
        let mut a = Account::default();
        let ext = |n: &str| json!({"name": "g", "extensionNumber": n});
        let claim = Claim::Extension("1001".into());
        a.put(Collection::RingGroups, "r1".into(), ext("1001"));
        assert!(a.held_by_other(&claim, Collection::RingGroups, "r2"));
        assert!(!a.held_by_other(&claim, Collection::RingGroups, "r1"));
        a.put(Collection::RingGroups, "r1".into(), ext("1002"));
        assert_eq!(a.holders(&claim).count(), 0);
        a.remove(Collection::RingGroups, "r1");
        assert_eq!(a.holders(&Claim::Extension("1002".into())).count(), 0);
    }
}
