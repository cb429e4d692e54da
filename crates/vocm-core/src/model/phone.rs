//! Phone numbers: E.164 inside, human forms accepted on the way in.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::text::{string_schema, string_serde};

/// A phone number in E.164 form (`+33170000001`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

/// The pattern of the accepted human forms: a `+`, then 7 to 15 digits
/// (the first not 0), separated by at most two of space, dot, dash, slash or
/// parentheses, as in `+33 1 70 00 00 01`, `+33-1-70-00-00-01` or
/// `+1 (408) 555-1234`.
pub const PHONE_PATTERN: &str = r"^\+ ?\(?[1-9](?:[ ./()-]{0,2}[0-9]){6,14}$";

impl PhoneNumber {
    /// The E.164 text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as people write it: international, grouped as its
    /// country groups it (`+33 1 70 00 00 01`, `+1 408-555-1234`), from
    /// libphonenumber's metadata. E.164 when the metadata does not know
    /// the number. For text read by people only: files and JSON keep E.164.
    #[must_use]
    pub fn international(&self) -> String {
        phonenumber::parse(None, &self.0)
            .ok()
            .filter(phonenumber::PhoneNumber::is_valid)
            .map_or_else(
                || self.0.clone(),
                |n| {
                    n.format()
                        .mode(phonenumber::Mode::International)
                        .to_string()
                },
            )
    }

    /// A number written in `country`'s national form (`0472000001` in
    /// France), if it is a valid one there.
    #[must_use]
    pub fn from_national(s: &str, country: super::country::Country) -> Option<Self> {
        let id = country.as_str().parse::<phonenumber::country::Id>().ok()?;
        let n = phonenumber::parse(Some(id), s.trim()).ok()?;
        if !n.is_valid() {
            return None;
        }
        n.format()
            .mode(phonenumber::Mode::E164)
            .to_string()
            .parse()
            .ok()
    }

    /// A copy for review output with the middle digits hidden
    /// (`+33•••••••78`), for `--mask-pii`. It is no longer a number: it is
    /// only ever displayed, never sent or saved.
    #[must_use]
    pub fn masked(&self) -> Self {
        let chars: Vec<char> = self.0.chars().collect();
        let hidden = chars.len().saturating_sub(5);
        let head: String = chars.iter().take(3).collect();
        let tail: String = chars.iter().skip(3 + hidden).collect();
        Self(format!("{head}{}{tail}", "•".repeat(hidden)))
    }
}

impl FromStr for PhoneNumber {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        // `+44 (0)20 7946 0018`: the (0) is the national trunk prefix, not
        // dialled from abroad, so not part of the E.164 number.
        let without_trunk = s.replace("(0)", "");
        let Some(rest) = without_trunk.strip_prefix('+') else {
            return Err(format!(
                "`{s}` is not in international form: it must start with +"
            ));
        };
        let mut digits = String::with_capacity(16);
        digits.push('+');
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '/' | '(' | ')' => {}
                _ => {
                    return Err(format!(
                        "`{s}` contains `{c}`, which is not part of a phone number"
                    ));
                }
            }
        }
        let n = digits.len() - 1;
        if !(7..=15).contains(&n) {
            return Err(format!(
                "`{s}` has {n} digits; an international number has 7 to 15"
            ));
        }
        if digits.as_bytes()[1] == b'0' {
            return Err(format!("`{s}`: a country code never starts with 0"));
        }
        Ok(Self(digits))
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_serde!(PhoneNumber);
string_schema!(
    PhoneNumber,
    "PhoneNumber",
    PHONE_PATTERN,
    "A phone number in international form. Spaces, dots, dashes, slashes and parentheses are allowed and removed: `+33 1 70 00 00 01` is stored as `+33170000001` (E.164).",
    "+33 1 70 00 00 01"
);

/// What a number the account holds is used for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NumberUsage {
    /// Calls: users, ring groups and auto attendants.
    #[default]
    Voice,
    /// An internet fax line (a user's `internet_fax`).
    Fax,
}

/// A number the account must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberSpec {
    /// `voice` (default) or `fax`.
    #[serde(default, skip_serializing_if = "is_voice")]
    pub usage: NumberUsage,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
fn is_voice(u: &NumberUsage) -> bool {
    *u == NumberUsage::Voice
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_show_with_their_national_grouping() {
        let show = |s: &str| s.parse::<PhoneNumber>().unwrap().international();
        assert_eq!(show("+33170000001"), "+33 1 70 00 00 01");
        assert_eq!(show("+14085551234"), "+1 408-555-1234");
        assert_eq!(show("+442079460018"), "+44 20 7946 0018");
        // Unknown to the metadata: left as it is.
        assert_eq!(show("+999123456789"), "+999123456789");
    }

    #[test]
    fn national_forms_read_for_a_country() {
        let fr: crate::model::country::Country = "FR".parse().unwrap();
        assert_eq!(
            PhoneNumber::from_national("04 72 00 00 01", fr)
                .unwrap()
                .as_str(),
            "+33472000001"
        );
        assert_eq!(
            PhoneNumber::from_national("0472000001", fr)
                .unwrap()
                .international(),
            "+33 4 72 00 00 01"
        );
        assert!(PhoneNumber::from_national("12", fr).is_none());
    }

    #[test]
    fn human_forms_normalise_to_e164() {
        for input in [
            "+33170000001",
            "+33 1 70 00 00 01",
            "+33-1-70-00-00-01",
            "+33.1.70.00.00.01",
            "+33 (1) 70 00 00 01",
        ] {
            assert_eq!(
                input.parse::<PhoneNumber>().unwrap().as_str(),
                "+33170000001",
                "{input}"
            );
        }
        assert_eq!(
            "+1 (408) 555-1234".parse::<PhoneNumber>().unwrap().as_str(),
            "+14085551234"
        );
        // The national trunk prefix written in parentheses is dropped.
        assert_eq!(
            "+44 (0)20 7946 0018"
                .parse::<PhoneNumber>()
                .unwrap()
                .as_str(),
            "+442079460018"
        );
        assert_eq!(
            "+33 (0)1 70 00 00 01"
                .parse::<PhoneNumber>()
                .unwrap()
                .as_str(),
            "+33170000001"
        );
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for input in [
            "0170000001",
            "+0170000001",
            "+33 1 70 ab",
            "+12",
            "+1234567890123456",
        ] {
            assert!(input.parse::<PhoneNumber>().is_err(), "{input}");
        }
    }

    #[test]
    fn the_pattern_accepts_what_the_parser_accepts() {
        let re = regex::Regex::new(PHONE_PATTERN).unwrap();
        for input in [
            "+33170000001",
            "+33 1 70 00 00 01",
            "+1 (408) 555-1234",
            "+33-1-70-00-00-01",
        ] {
            assert!(re.is_match(input), "{input}");
            assert!(input.parse::<PhoneNumber>().is_ok(), "{input}");
        }
        for input in ["0170000001", "+0170000001", "+33 1 70 ab", "+12"] {
            assert!(!re.is_match(input), "{input}");
        }
    }
}
