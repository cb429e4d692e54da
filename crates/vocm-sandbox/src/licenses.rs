//! The license inventory: how many licenses of each type the account holds.
//! An empty inventory does not limit licenses.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One license type and how many the account holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    pub name: String,
    pub total: u64,
}

/// The inventory, in the order it was given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Inventory(pub Vec<Holding>);

impl Inventory {
    /// Parses `X2=50,X4=10`.
    pub fn parse(s: &str) -> Result<Inventory, String> {
        let mut holdings: Vec<Holding> = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, total) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not NAME=COUNT"))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(format!("`{part}` has no license name"));
            }
            let total = total
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("`{part}`: the count is not a whole number"))?;
            if holdings.iter().any(|h| h.name == name) {
                return Err(format!("license `{name}` is given twice"));
            }
            holdings.push(Holding {
                name: name.to_owned(),
                total,
            });
        }
        Ok(Inventory(holdings))
    }

    /// Whether licenses are limited at all.
    pub fn is_limited(&self) -> bool {
        !self.0.is_empty()
    }

    pub fn total(&self, name: &str) -> Option<u64> {
        self.0.iter().find(|h| h.name == name).map(|h| h.total)
    }

    /// The `/vocm/licenses` resources, given how many of each are used.
    pub fn resources(&self, used: impl Fn(&str) -> u64) -> Vec<Value> {
        self.0
            .iter()
            .map(|h| json!({"name": h.name, "total": h.total, "used": used(&h.name)}))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_inventory() {
        let i = Inventory::parse("X2=50, X4=10").unwrap();
        assert_eq!(i.total("X2"), Some(50));
        assert_eq!(i.total("X4"), Some(10));
        assert!(Inventory::parse("X2").is_err());
        assert!(Inventory::parse("X2=a").is_err());
        assert!(Inventory::parse("X2=1,X2=2").is_err());
        assert!(!Inventory::parse("").unwrap().is_limited());
    }
}
