//! The account the sandbox serves: every collection's resources as JSON,
//! in creation order, and the license inventory.
//!
//! Resources stay `serde_json::Value`: fields the sandbox does not know
//! must survive a round trip untouched, as they do on the real API.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::Value;

use crate::api::Collection;

use super::licenses::Inventory;

/// The id of the one account-settings resource.
pub const ACCOUNT_ID: &str = "account";

#[derive(Debug, Default)]
pub struct Account {
    resources: HashMap<Collection, IndexMap<String, Value>>,
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
        self.resources.entry(c).or_default().insert(id, value);
    }

    pub fn remove(&mut self, c: Collection, id: &str) -> Option<Value> {
        self.resources.get_mut(&c)?.shift_remove(id)
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
        self.values(Collection::Users)
            .filter(|u| license_names(u).any(|n| n == name))
            .count() as u64
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
