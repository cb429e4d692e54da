//! Devices registered on the account (desk phones, DECT handsets...).

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::text::{string_schema, string_serde};

/// A registered device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// The model, as shown in the admin console.
    #[schemars(length(min = 1, max = 64))]
    pub model: String,
    /// The MAC address; colons, dashes or dots are optional.
    pub mac: MacAddress,
}

/// A MAC address, kept as six lowercase hex pairs joined by colons.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacAddress(String);

impl MacAddress {
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MacAddress {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex: String = s
            .chars()
            .filter(|c| !matches!(c, ':' | '-' | '.'))
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if hex.len() != 12 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{s}` is not a MAC address"));
        }
        let pairs: Vec<&str> = (0..6).map(|i| &hex[i * 2..i * 2 + 2]).collect();
        Ok(Self(pairs.join(":")))
    }
}

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_serde!(MacAddress);
string_schema!(
    MacAddress,
    "MacAddress",
    r"^[0-9A-Fa-f]{2}([:.-]?[0-9A-Fa-f]{2}){5}$|^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$",
    "A MAC address: `00:04:f2:aa:bb:cc`, `00-04-F2-AA-BB-CC`, `0004.f2aa.bbcc` or `0004f2aabbcc`.",
    "00:04:f2:aa:bb:cc"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_every_usual_form() {
        for s in [
            "00:04:f2:aa:bb:cc",
            "00-04-F2-AA-BB-CC",
            "0004.f2aa.bbcc",
            "0004F2AABBCC",
        ] {
            assert_eq!(
                s.parse::<MacAddress>().unwrap().as_str(),
                "00:04:f2:aa:bb:cc",
                "{s}"
            );
        }
        assert!("00:04:f2:aa:bb".parse::<MacAddress>().is_err());
        assert!("00:04:f2:aa:bb:zz".parse::<MacAddress>().is_err());
    }
}
