//! Natural identity: what an API that keeps no manifest key knows a
//! resource by — a site's name, a ring group's name, an address's fields
//! (users are keyed by their user name already). The manifests' keys are
//! matched to the account's resources through it, and an account read
//! without manifests (export) gets keys derived from it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Kind, Resource};
use crate::model::{Address, Manifest};

/// The manifests' keys by natural identity, per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Identities {
    /// Sites' keys by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sites: BTreeMap<String, String>,
    /// Ring groups' keys by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ring_groups: BTreeMap<String, String>,
    /// Addresses' keys by their fields ([`address_identity`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub addresses: BTreeMap<String, String>,
    /// Ring groups' keys by extension: a group whose name the manifests
    /// changed is found by its extension (when it has a typed one).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ring_group_extensions: BTreeMap<String, String>,
    /// Sites' keys by their address's key, for addresses only one site
    /// uses: a site whose name the manifests changed is found by its
    /// address.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub site_addresses: BTreeMap<String, String>,
}

impl Identities {
    /// The identities of the manifests' sites, ring groups and addresses.
    #[must_use]
    pub fn of(m: &Manifest) -> Self {
        Self {
            sites: m
                .sites
                .iter()
                .map(|(k, e)| (e.value.name.clone(), k.clone()))
                .collect(),
            ring_groups: m
                .ring_groups
                .iter()
                .map(|(k, e)| (e.value.name.clone(), k.clone()))
                .collect(),
            addresses: m
                .addresses
                .iter()
                .map(|(k, e)| (address_identity(&e.value), k.clone()))
                .collect(),
            ring_group_extensions: m
                .ring_groups
                .iter()
                .filter_map(|(k, e)| Some((e.value.extension.digits()?.to_owned(), k.clone())))
                .collect(),
            site_addresses: {
                let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for (k, e) in &m.sites {
                    by.entry(e.value.address.clone())
                        .or_default()
                        .push(k.clone());
                }
                by.into_iter()
                    .filter(|(_, sites)| sites.len() == 1)
                    .filter_map(|(a, mut sites)| Some((a, sites.pop()?)))
                    .collect()
            },
        }
    }

    /// The manifests' key of a resource of `kind` that no natural identity
    /// matched, by its second identity: a ring group's extension, a site's
    /// address key.
    #[must_use]
    pub fn second_key(&self, kind: Kind, second: &str) -> Option<&str> {
        let map = match kind {
            Kind::RingGroup => &self.ring_group_extensions,
            Kind::Site => &self.site_addresses,
            _ => return None,
        };
        map.get(second).map(String::as_str)
    }

    /// The manifests' key of a resource of `kind` whose natural identity
    /// is `natural`.
    #[must_use]
    pub fn key(&self, kind: Kind, natural: &str) -> Option<&str> {
        let map = match kind {
            Kind::Site => &self.sites,
            Kind::RingGroup => &self.ring_groups,
            Kind::Address => &self.addresses,
            _ => return None,
        };
        map.get(natural).map(String::as_str)
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty() && self.ring_groups.is_empty() && self.addresses.is_empty()
    }
}

/// A resource's natural identity, for the kinds that have one here.
#[must_use]
pub fn natural(r: &Resource) -> Option<String> {
    match r {
        Resource::Site(s) => Some(s.name.clone()),
        Resource::RingGroup(g) => Some(g.name.clone()),
        Resource::Address(a) => Some(address_identity(a)),
        _ => None,
    }
}

/// An address's identity: its fields, case and spacing as written.
#[must_use]
pub fn address_identity(a: &Address) -> String {
    [
        a.street.as_str(),
        a.secondary_location.as_deref().unwrap_or(""),
        a.city.as_str(),
        a.state.as_deref().unwrap_or(""),
        a.postal_code.as_str(),
        a.country.as_str(),
    ]
    .join("\u{1f}")
}

/// A key made from a natural identity, for a resource the manifests do
/// not name (an export): lowercase ASCII letters and digits, words joined
/// by `-`, accents dropped (`Siège Paris` → `siege-paris`). Empty when
/// nothing is left.
#[must_use]
pub fn derived_key(natural: &str) -> String {
    let ascii = deunicode::deunicode(natural).to_ascii_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    // Room for a `-2` when two resources derive the same key.
    out.truncate(60);
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_are_plain() {
        assert_eq!(derived_key("Siège Paris"), "siege-paris");
        assert_eq!(derived_key("  Sales / Support (EU) "), "sales-support-eu");
        assert_eq!(derived_key("東京"), "dong-jing");
        assert_eq!(derived_key("!!!"), "");
    }
}
