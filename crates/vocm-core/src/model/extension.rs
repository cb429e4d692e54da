//! Extensions: digits, or `auto` for one generated from the site's range.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A user's, ring group's or auto attendant's extension as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Extension {
    /// Typed in: the digits (leading zeros kept when quoted).
    Digits(String),
    /// Generated: the lowest free extension of the site's `extension_range`.
    Auto,
}

impl Extension {
    /// The digits, unless generated.
    #[must_use]
    pub fn digits(&self) -> Option<&str> {
        match self {
            Extension::Digits(d) => Some(d),
            Extension::Auto => None,
        }
    }
}

impl fmt::Display for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Extension::Digits(d) => f.write_str(d),
            Extension::Auto => f.write_str("auto"),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Raw {
    Number(u64),
    Text(String),
}

impl<'de> Deserialize<'de> for Extension {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Raw::deserialize(d)? {
            Raw::Number(n) => Ok(Extension::Digits(n.to_string())),
            Raw::Text(t) if t == "auto" => Ok(Extension::Auto),
            Raw::Text(t)
                if !t.is_empty() && t.len() <= 8 && t.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Ok(Extension::Digits(t))
            }
            Raw::Text(t) => Err(serde::de::Error::custom(format!(
                "`{t}` is not an extension: write digits, or `auto`"
            ))),
        }
    }
}

impl Serialize for Extension {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Digits without a leading zero read back as the same integer;
            // others must stay strings.
            Extension::Digits(d) if !d.starts_with('0') => match d.parse::<u64>() {
                Ok(n) => s.serialize_u64(n),
                Err(_) => s.serialize_str(d),
            },
            other => s.collect_str(other),
        }
    }
}

impl JsonSchema for Extension {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Extension".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An extension: digits (quote them when they start with 0), or `auto` to take the lowest free extension of the site's `extension_range`. It has the account's `extension_length` digits and is unique across users, ring groups and auto attendants.",
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 99_999_999},
                {"type": "string", "pattern": "^([0-9]{1,8}|auto)$"}
            ],
            "examples": [1001, "0042", "auto"]
        })
    }
}

/// A site's `extension_range`, e.g. `1000-1999`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExtensionRange {
    pub first: String,
    pub last: String,
}

impl std::str::FromStr for ExtensionRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| format!("`{s}` is not a range like 1000-1999"))?;
        let (a, b) = (a.trim(), b.trim());
        let digits =
            |x: &str| !x.is_empty() && x.len() <= 8 && x.bytes().all(|c| c.is_ascii_digit());
        if !digits(a) || !digits(b) {
            return Err(format!("`{s}` is not a range like 1000-1999"));
        }
        Ok(Self {
            first: a.to_owned(),
            last: b.to_owned(),
        })
    }
}

impl fmt::Display for ExtensionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

super::text::string_serde!(ExtensionRange);
super::text::string_schema!(
    ExtensionRange,
    "ExtensionRange",
    r"^[0-9]{1,8} ?- ?[0-9]{1,8}$",
    "The extensions generated `auto` extensions come from, first-last inclusive, each with the account's `extension_length` digits.",
    "1000-1999"
);
