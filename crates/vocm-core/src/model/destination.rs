//! Where a call goes: forwarding targets, menu entries, timeouts.

use std::fmt;
use std::str::FromStr;

use super::phone::PhoneNumber;
use super::text::{string_schema, string_serde};

/// A destination, written as a string: `voicemail`, `drop`, `user:KEY`,
/// `ring_group:KEY`, `auto_attendant:KEY`, `external:+E164`, and in
/// auto attendant menus only, `dial_by_name`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Destination {
    Voicemail,
    Drop,
    DialByName,
    User(String),
    RingGroup(String),
    AutoAttendant(String),
    External(PhoneNumber),
}

impl Destination {
    /// The resource this destination names, as (section, key).
    #[must_use]
    pub fn target(&self) -> Option<(&'static str, &str)> {
        match self {
            Destination::User(k) => Some(("users", k)),
            Destination::RingGroup(k) => Some(("ring_groups", k)),
            Destination::AutoAttendant(k) => Some(("auto_attendants", k)),
            _ => None,
        }
    }
}

/// Accepted forms of [`Destination`] (without `dial_by_name`).
pub const DESTINATION_PATTERN: &str = concat!(
    r"^(voicemail|drop|(user|ring_group|auto_attendant):[A-Za-z0-9.@_/-]+",
    r"|external:\+ ?\(?[1-9](?:[ ./()-]{0,2}[0-9]){6,14})$"
);

/// Accepted forms of [`MenuDestination`].
pub const MENU_DESTINATION_PATTERN: &str = concat!(
    r"^(voicemail|drop|dial_by_name|(user|ring_group|auto_attendant):[A-Za-z0-9.@_/-]+",
    r"|external:\+ ?\(?[1-9](?:[ ./()-]{0,2}[0-9]){6,14})$"
);

fn parse(s: &str, menu: bool) -> Result<Destination, String> {
    match s {
        "voicemail" => return Ok(Destination::Voicemail),
        "drop" => return Ok(Destination::Drop),
        "dial_by_name" if menu => return Ok(Destination::DialByName),
        "dial_by_name" => {
            return Err("`dial_by_name` is only a destination in an auto attendant's menu".into());
        }
        _ => {}
    }
    let (kind, rest) = s
        .split_once(':')
        .ok_or_else(|| format!("`{s}` is not a destination"))?;
    if rest.is_empty() {
        return Err(format!("`{s}` names no {kind}"));
    }
    match kind {
        "user" => Ok(Destination::User(rest.to_owned())),
        "ring_group" => Ok(Destination::RingGroup(rest.to_owned())),
        "auto_attendant" => Ok(Destination::AutoAttendant(rest.to_owned())),
        "external" => rest.parse().map(Destination::External),
        _ => Err(format!("`{kind}` is not a kind of destination")),
    }
}

impl FromStr for Destination {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s, false)
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Voicemail => f.write_str("voicemail"),
            Destination::Drop => f.write_str("drop"),
            Destination::DialByName => f.write_str("dial_by_name"),
            Destination::User(k) => write!(f, "user:{k}"),
            Destination::RingGroup(k) => write!(f, "ring_group:{k}"),
            Destination::AutoAttendant(k) => write!(f, "auto_attendant:{k}"),
            Destination::External(n) => write!(f, "external:{n}"),
        }
    }
}

string_serde!(Destination);
string_schema!(
    Destination,
    "Destination",
    DESTINATION_PATTERN,
    "Where calls go: `voicemail`, `drop`, `user:KEY`, `ring_group:KEY`, `auto_attendant:KEY` or `external:+E164`.",
    "ring_group:sales"
);

/// A destination in an auto attendant's menu: any [`Destination`], or
/// `dial_by_name` (the external directory).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MenuDestination(pub Destination);

impl FromStr for MenuDestination {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s, true).map(MenuDestination)
    }
}

impl fmt::Display for MenuDestination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

string_serde!(MenuDestination);
string_schema!(
    MenuDestination,
    "MenuDestination",
    MENU_DESTINATION_PATTERN,
    "Where a menu key sends the caller: any destination, or `dial_by_name` (the directory of users with `directory.dial_by_name`).",
    "dial_by_name"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_form() {
        for s in [
            "voicemail",
            "drop",
            "user:alice",
            "ring_group:sales",
            "auto_attendant:main",
            "external:+33612345678",
        ] {
            assert_eq!(s.parse::<Destination>().unwrap().to_string(), s);
        }
        assert_eq!(
            "external:+33 6 12 34 56 78"
                .parse::<Destination>()
                .unwrap()
                .to_string(),
            "external:+33612345678"
        );
        assert!("dial_by_name".parse::<Destination>().is_err());
        assert!("dial_by_name".parse::<MenuDestination>().is_ok());
        assert!("phone:alice".parse::<Destination>().is_err());
    }

    #[test]
    fn patterns_agree_with_the_parser() {
        let re = regex::Regex::new(DESTINATION_PATTERN).unwrap();
        let menu = regex::Regex::new(MENU_DESTINATION_PATTERN).unwrap();
        for s in [
            "voicemail",
            "user:a.b@c",
            "external:+33 6 12 34 56 78",
            "ring_group:x",
        ] {
            assert!(re.is_match(s) && s.parse::<Destination>().is_ok(), "{s}");
        }
        for s in ["voice mail", "user:", "external:0612", "dial_by_name"] {
            assert!(!re.is_match(s), "{s}");
        }
        assert!(menu.is_match("dial_by_name"));
    }
}
